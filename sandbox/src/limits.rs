//! What a run may use ([`Limits`]) and what it did ([`Execution`]).

use std::time::Duration;

/// Bounds on one run. The defaults suit the small programs an LLM writes for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time, including time blocked in sleeps or I/O.
    pub timeout: Duration,
    /// Linear memory of the wasm guest (the subprocess backends do not bound memory).
    pub memory_bytes: u64,
    /// Captured bytes per stream; the excess is dropped and the truncation marked in the text.
    pub output_bytes: usize,
    /// Bytes the program may keep in its workspace (wasm backend).
    pub disk_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            memory_bytes: 512 * 1024 * 1024,
            output_bytes: 1024 * 1024,
            disk_bytes: 64 * 1024 * 1024,
        }
    }
}

/// Why the host stopped a program before it finished on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    Timeout,
    OutOfMemory,
    /// The interpreter trapped for another reason (a bug in it, or stack exhaustion).
    Trap,
}

/// The outcome of one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    /// Exited with code 0 and was not stopped.
    pub success: bool,
    pub exit_code: i32,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
    pub out_of_memory: bool,
    /// Some output was dropped because it exceeded [`Limits::output_bytes`].
    pub output_truncated: bool,
    pub duration: Duration,
}

impl Execution {
    /// The reason the host stopped the program, if it did.
    pub fn stop_reason(&self) -> Option<StopReason> {
        if self.timed_out {
            Some(StopReason::Timeout)
        } else if self.out_of_memory {
            Some(StopReason::OutOfMemory)
        } else if self.exit_code == crate::wasm::TRAP_EXIT_CODE {
            Some(StopReason::Trap)
        } else {
            None
        }
    }

    /// stdout and stderr together, the way the original's `ExecTemp` reported a run.
    pub fn combined_log(&self) -> String {
        let mut log = self.stdout.clone();
        if !self.stderr.is_empty() {
            if !log.is_empty() && !log.ends_with('\n') {
                log.push('\n');
            }
            log.push_str(&self.stderr);
        }
        log
    }
}

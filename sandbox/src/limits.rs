//! What a run may use ([`Limits`]) and what it did ([`Execution`]).

use std::time::Duration;

/// Bounds on one run. [`Limits::DEFAULT`] documents the defaults, which suit the small
/// programs an LLM writes for a request (the command line's defaults are read from it);
/// [`LimitsBuilder`] changes some of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time, including time blocked in sleeps or I/O. Default 10 s.
    pub timeout: Duration,
    /// Linear memory of the wasm guest (the subprocess backends do not bound memory).
    /// Default 512 MiB.
    pub memory_bytes: u64,
    /// Captured bytes per stream; the excess is dropped and the truncation marked in the text.
    /// Default 1 MiB.
    pub output_bytes: usize,
    /// Bytes the program may keep in its workspace (wasm backend). Default 64 MiB.
    pub disk_bytes: u64,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        timeout: Duration::from_secs(10),
        memory_bytes: 512 << 20,
        output_bytes: 1 << 20,
        disk_bytes: 64 << 20,
    };

    pub fn builder() -> LimitsBuilder {
        LimitsBuilder(Self::DEFAULT)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Builds [`Limits`] from the defaults.
#[derive(Debug, Clone)]
#[must_use]
pub struct LimitsBuilder(Limits);

impl LimitsBuilder {
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.0.timeout = timeout;
        self
    }

    pub fn memory_bytes(mut self, bytes: u64) -> Self {
        self.0.memory_bytes = bytes;
        self
    }

    pub fn output_bytes(mut self, bytes: usize) -> Self {
        self.0.output_bytes = bytes;
        self
    }

    pub fn disk_bytes(mut self, bytes: u64) -> Self {
        self.0.disk_bytes = bytes;
        self
    }

    pub fn build(self) -> Limits {
        self.0
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

impl StopReason {
    /// The exit code shells use for it: 124 as `timeout(1)` does, then 125 and 126.
    pub fn exit_code(self) -> i32 {
        match self {
            StopReason::Timeout => 124,
            StopReason::OutOfMemory => 125,
            StopReason::Trap => 126,
        }
    }
}

/// How a run ended: on its own with an exit code, or stopped by the host. One type, so a
/// program that calls `sys.exit(126)` is not mistaken for a trap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Stopped(StopReason),
}

impl Exit {
    /// The code a process exiting this way reports ([`StopReason::exit_code`] when stopped).
    pub fn code(self) -> i32 {
        match self {
            Exit::Code(code) => code,
            Exit::Stopped(reason) => reason.exit_code(),
        }
    }

    /// Ended on its own with code 0.
    pub fn is_success(self) -> bool {
        self == Exit::Code(0)
    }

    pub fn stop_reason(self) -> Option<StopReason> {
        match self {
            Exit::Code(_) => None,
            Exit::Stopped(reason) => Some(reason),
        }
    }
}

/// The outcome of one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    pub exit: Exit,
    pub stdout: String,
    pub stderr: String,
    /// Some output was dropped because it exceeded [`Limits::output_bytes`].
    pub output_truncated: bool,
    pub duration: Duration,
    /// The interpreter that ran the program.
    pub ran_on: crate::BackendKind,
}

impl Execution {
    /// Exited with code 0 and was not stopped.
    pub fn success(&self) -> bool {
        self.exit.is_success()
    }

    pub fn exit_code(&self) -> i32 {
        self.exit.code()
    }

    pub fn timed_out(&self) -> bool {
        self.exit == Exit::Stopped(StopReason::Timeout)
    }

    pub fn out_of_memory(&self) -> bool {
        self.exit == Exit::Stopped(StopReason::OutOfMemory)
    }

    /// The run's wall-clock time in whole milliseconds, as the tools and the run log report it.
    pub fn duration_ms(&self) -> u64 {
        u64::try_from(self.duration.as_millis()).unwrap_or(u64::MAX)
    }

    /// The last line of stderr that says something: what a failed run died of.
    pub fn last_error_line(&self) -> &str {
        self.stderr
            .lines()
            .rev()
            .find(|line| !line.trim().is_empty())
            .map_or("no error message", str::trim)
    }

    /// The top-level module a failed run could not import (`ModuleNotFoundError: No module
    /// named 'numpy.linalg'` gives `numpy`), read from the last error line.
    pub fn missing_module(&self) -> Option<&str> {
        if self.success() {
            return None;
        }
        let quoted = self
            .last_error_line()
            .strip_prefix("ModuleNotFoundError: No module named ")?;
        let name = quoted.trim_matches(|c| c == '\'' || c == '"');
        let top = name.split('.').next()?;
        (!top.is_empty() && top.chars().all(|c| c.is_alphanumeric() || c == '_')).then_some(top)
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

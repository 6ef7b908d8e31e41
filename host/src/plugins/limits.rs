//! What one agent step may use, in one type: the plugin runtime reads the compute limits
//! (fuel, memory), the step runner the wall clock, the plugin's door to the host the caps on
//! what it may ask of the host. Time inside host calls costs a plugin no fuel, so without
//! the caps a plugin could keep the LLM busy, or fill the run log, for its whole step.

use std::time::Duration;

/// Bounds on one agent step. [`StepLimits::DEFAULT`] documents the defaults (the command
/// line's defaults are read from it); [`StepLimitsBuilder`] changes some of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepLimits {
    /// Fuel: roughly one unit per WebAssembly instruction. Default 2,000,000,000, about a
    /// second of busy computation on a laptop core, far more than an agent that formats
    /// prompts and parses answers needs.
    pub fuel: u64,
    /// Largest linear memory the plugin may grow to. Default 256 MiB.
    pub memory_bytes: usize,
    /// Wall-clock time of the step, LLM and tool time included. Fuel bounds a plugin's own
    /// work; this bounds a plugin that blocks (a WASI sleep) and a step that hangs.
    /// Default 300 s.
    pub timeout: Duration,
    /// LLM completions the step may ask for (refused ones count). Default 16.
    pub llm_calls: u64,
    /// Tool calls the step may make. Default 64.
    pub tool_calls: u64,
    /// Messages the step may log; later ones are dropped, with a note. Default 100.
    pub log_messages: u64,
    /// Longest logged message kept; the rest is cut. Default 4 KiB.
    pub log_message_bytes: usize,
    /// Largest system + prompt text of one completion; far beyond any context window.
    /// Default 1 MiB.
    pub prompt_bytes: usize,
    /// Longest answer one completion may ask for, in tokens. Default 4096.
    pub completion_tokens: u32,
}

impl StepLimits {
    pub const DEFAULT: StepLimits = StepLimits {
        fuel: 2_000_000_000,
        memory_bytes: 256 << 20,
        timeout: Duration::from_secs(300),
        llm_calls: 16,
        tool_calls: 64,
        log_messages: 100,
        log_message_bytes: 4096,
        prompt_bytes: 1 << 20,
        completion_tokens: 4096,
    };

    pub fn builder() -> StepLimitsBuilder {
        StepLimitsBuilder(Self::DEFAULT)
    }
}

impl Default for StepLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Builds [`StepLimits`] from the defaults.
#[derive(Debug, Clone, Copy)]
#[must_use]
pub struct StepLimitsBuilder(StepLimits);

impl StepLimitsBuilder {
    pub fn fuel(mut self, fuel: u64) -> Self {
        self.0.fuel = fuel;
        self
    }

    pub fn memory_bytes(mut self, bytes: usize) -> Self {
        self.0.memory_bytes = bytes;
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.0.timeout = timeout;
        self
    }

    pub fn llm_calls(mut self, calls: u64) -> Self {
        self.0.llm_calls = calls;
        self
    }

    pub fn tool_calls(mut self, calls: u64) -> Self {
        self.0.tool_calls = calls;
        self
    }

    pub fn log_messages(mut self, messages: u64) -> Self {
        self.0.log_messages = messages;
        self
    }

    pub fn build(self) -> StepLimits {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builder_starts_from_the_defaults_and_changes_only_what_it_is_told() {
        let limits = StepLimits::builder()
            .fuel(5)
            .timeout(Duration::from_secs(1))
            .build();
        assert_eq!(limits.fuel, 5);
        assert_eq!(limits.timeout, Duration::from_secs(1));
        assert_eq!(
            StepLimits {
                fuel: StepLimits::DEFAULT.fuel,
                timeout: StepLimits::DEFAULT.timeout,
                ..limits
            },
            StepLimits::default()
        );
    }
}

//! The log door: a step's messages for the run log, at most so many and so long.

use crate::orchestrator::{head, Observer};
use crate::plugins::{Role, StepLimits};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub(in crate::orchestrator) struct LogDoor {
    observer: Arc<dyn Observer>,
    role: Role,
    round: u32,
    max_messages: u64,
    max_message_bytes: usize,
    messages: AtomicU64,
}

impl LogDoor {
    pub(in crate::orchestrator) fn new(
        observer: Arc<dyn Observer>,
        role: Role,
        round: u32,
        limits: &StepLimits,
    ) -> Self {
        Self {
            observer,
            role,
            round,
            max_messages: limits.log_messages,
            max_message_bytes: limits.log_message_bytes,
            messages: AtomicU64::new(0),
        }
    }

    /// Passes the message on, cut to length; past the cap, one note says the rest were
    /// dropped.
    pub(super) fn log(&self, message: &str) {
        let count = self.messages.fetch_add(1, Ordering::Relaxed);
        if count > self.max_messages {
            return;
        }
        if count == self.max_messages {
            let note = format!(
                "(more messages of this step dropped: at most {})",
                self.max_messages
            );
            self.observer.plugin_log(self.role, self.round, &note);
            return;
        }
        let message = head(message, self.max_message_bytes);
        self.observer.plugin_log(self.role, self.round, message);
    }
}

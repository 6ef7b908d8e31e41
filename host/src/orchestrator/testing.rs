//! What the orchestrator's and the door's tests observe of a run: the skipped steps and the
//! plugins' log lines.

use super::{lock, Observer, StepRecord, TrialsRecord};
use crate::plugins::Role;
use std::sync::Mutex;

#[derive(Default)]
pub(super) struct Recorder {
    pub(super) skips: Mutex<Vec<(Role, String)>>,
    pub(super) logs: Mutex<Vec<String>>,
}

impl Observer for Recorder {
    fn step_started(&self, _role: Role, _round: u32) {}
    fn tokens(&self, _tokens_per_second: f64) {}
    fn step_finished(&self, _record: &StepRecord) {}
    fn trials(&self, _record: &TrialsRecord) {}

    fn plugin_log(&self, _role: Role, _round: u32, message: &str) {
        lock(&self.logs).push(message.to_owned());
    }

    fn step_skipped(&self, role: Role, _round: u32, reason: &str) {
        lock(&self.skips).push((role, reason.to_owned()));
    }
}

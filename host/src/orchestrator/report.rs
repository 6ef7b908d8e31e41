//! What a run ends with ([`RunReport`]), and the tallies kept on the way to it.

use crate::checks::{Check, CheckOrigin, Decision, Selection};
use crate::plugins::{role_name, Role};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Time and tokens one role used over the run.
#[derive(Debug, Default, Clone, Serialize)]
pub struct AgentTotals {
    pub steps: u32,
    pub failed_steps: u32,
    pub duration_ms: u64,
    pub host_ms: u64,
    pub plugin_overhead_us: u64,
    pub completion_tokens: u64,
}

/// The outcome of a run.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub success: bool,
    pub rounds: u32,
    /// One sentence: what was achieved, or why not.
    pub summary: String,
    /// The working program (on success).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Its output (on success).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Value>,
    /// Checks the run had, by origin.
    pub checks: ChecksSummary,
    pub duration_ms: u64,
    /// Per role, by the name users write it.
    pub agents: BTreeMap<&'static str, AgentTotals>,
}

/// How many checks a run had and how many the final program passed.
#[derive(Debug, Default, Clone, Serialize)]
pub struct ChecksSummary {
    pub from_requirement: usize,
    pub generated: usize,
    /// Trusted checks the final program passed (on success).
    pub passed: usize,
    /// Whether the judge decided the final round (no check applied).
    pub judged: bool,
}

impl ChecksSummary {
    /// A run's checks, counted by origin.
    pub(super) fn of(checks: &[Check]) -> Self {
        let count = |origin| checks.iter().filter(|check| check.origin == origin).count();
        Self {
            from_requirement: count(CheckOrigin::Requirement),
            generated: count(CheckOrigin::Generated),
            ..Self::default()
        }
    }

    /// What the successful round's selection says of the final program.
    pub(super) fn record(&mut self, selection: &Selection) {
        self.judged = selection.decision == Decision::JudgeDecides;
        if let Decision::Passed { passed } = selection.decision {
            self.passed = passed;
        }
    }
}

/// Each role's totals over a run.
#[derive(Debug, Default)]
pub(super) struct Totals(BTreeMap<Role, AgentTotals>);

impl Totals {
    pub(super) fn of(&mut self, role: Role) -> &mut AgentTotals {
        self.0.entry(role).or_default()
    }

    pub(super) fn ran(&self, role: Role) -> bool {
        self.0.contains_key(&role)
    }

    /// By role name, as the report shows them.
    pub(super) fn by_name(self) -> BTreeMap<&'static str, AgentTotals> {
        self.0
            .into_iter()
            .map(|(role, totals)| (role_name(role), totals))
            .collect()
    }
}

//! What the run log records: one line per agent step, one per round's trials (every
//! candidate, every check and what each check said of each candidate), and per-agent totals.

use crate::checks::{Check, CheckOrigin, CheckStatus, Decision, Selection, Trial};
use crate::plugins::{Role, Task, Verdict};
use serde::Serialize;
use serde_json::{json, Map, Value};

/// Output kept per stream in a run-log line.
const LOG_OUTPUT_CHARS: usize = 4000;

/// What happened in one agent step; also one line of the run log.
#[derive(Debug, Clone, Serialize)]
pub struct StepRecord {
    #[serde(rename = "agent", serialize_with = "role_as_name")]
    pub role: Role,
    pub round: u32,
    pub plugin: String,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub duration_ms: u64,
    /// Time inside the LLM and the tools.
    pub host_ms: u64,
    /// Instantiation plus the plugin's own code: the cost of running agents as plugins.
    pub plugin_overhead_us: u64,
    pub llm_calls: u64,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    /// The step's results: context, plan, code, execution and verdict, as the role makes.
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

/// One round's candidates as the host ran them, and what it chose.
#[derive(Debug, Clone, Serialize)]
pub struct TrialsRecord {
    pub event: &'static str,
    pub round: u32,
    pub duration_ms: u64,
    pub checks: Vec<CheckRecord>,
    pub candidates: Vec<CandidateRecord>,
    /// Index into `candidates`.
    pub chosen: usize,
    /// `passed`, `failed`, `unanimous`, `no clean run` or `judge decides`.
    pub decision: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckRecord {
    pub code: String,
    /// `requirement` or `generated`.
    pub origin: &'static str,
    /// Whether success required it this round.
    pub trusted: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CandidateRecord {
    pub code: String,
    pub exit_code: i32,
    pub timed_out: bool,
    pub run_ms: u64,
    pub stdout: String,
    pub stderr: String,
    /// One per check: `passed`, `failed` or `error`.
    pub checks: Vec<&'static str>,
    /// Why each check did not pass (empty for passed ones).
    pub messages: Vec<String>,
    pub agreement: u32,
}

impl TrialsRecord {
    pub fn new(
        round: u32,
        duration_ms: u64,
        checks: &[Check],
        trials: &[Trial],
        selection: &Selection,
    ) -> Self {
        let (decision, reason) = match &selection.decision {
            Decision::Passed { passed } => ("passed", Some(format!("{passed} trusted check(s)"))),
            Decision::Failed { message, .. } => ("failed", Some(message.clone())),
            Decision::Unanimous { candidates } => (
                "unanimous",
                Some(format!("{candidates} candidates printed the same")),
            ),
            Decision::NoCleanRun => ("no clean run", None),
            Decision::JudgeDecides => ("judge decides", None),
        };
        Self {
            event: "trials",
            round,
            duration_ms,
            checks: checks
                .iter()
                .zip(&selection.trusted)
                .map(|(check, trusted)| CheckRecord {
                    code: check.code.clone(),
                    origin: origin_name(check.origin),
                    trusted: *trusted,
                })
                .collect(),
            candidates: trials
                .iter()
                .map(|trial| CandidateRecord {
                    code: trial.code.clone(),
                    exit_code: trial.execution.exit_code,
                    timed_out: trial.execution.timed_out,
                    run_ms: trial.execution.duration_ms,
                    stdout: tail(&trial.execution.stdout, LOG_OUTPUT_CHARS).to_owned(),
                    stderr: tail(&trial.execution.stderr, LOG_OUTPUT_CHARS).to_owned(),
                    checks: trial.checks.iter().map(|s| status_name(*s)).collect(),
                    messages: trial.messages.clone(),
                    agreement: trial.agreement,
                })
                .collect(),
            chosen: selection.chosen,
            decision: decision.to_owned(),
            reason,
        }
    }
}

pub fn origin_name(origin: CheckOrigin) -> &'static str {
    match origin {
        CheckOrigin::Requirement => "requirement",
        CheckOrigin::Generated => "generated",
    }
}

fn status_name(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Passed => "passed",
        CheckStatus::Failed => "failed",
        CheckStatus::Error => "error",
    }
}

/// What the run log records of a step, like the original's log.json.
pub fn step_fields(role: Role, task: &Task) -> Map<String, Value> {
    let mut fields = Map::new();
    match role {
        Role::Retriever => {
            fields.insert("context".into(), json!(task.context));
        }
        Role::Planner | Role::Debugger => {
            fields.insert("plan".into(), json!(task.plan));
            if role == Role::Planner {
                let checks: Vec<Value> = task
                    .checks
                    .iter()
                    .map(|check| json!({"code": check.code, "origin": origin_name(check.origin)}))
                    .collect();
                fields.insert("checks".into(), json!(checks));
            }
        }
        Role::Coder => {
            fields.insert("code".into(), json!(task.code));
            fields.insert("candidates".into(), json!(task.candidates.len()));
        }
        Role::Executor => {
            if let Some(execution) = &task.execution {
                fields.insert("success".into(), json!(execution.success));
                fields.insert("exit_code".into(), json!(execution.exit_code));
                fields.insert("timed_out".into(), json!(execution.timed_out));
                fields.insert("run_ms".into(), json!(execution.duration_ms));
                fields.insert(
                    "stdout".into(),
                    json!(tail(&execution.stdout, LOG_OUTPUT_CHARS)),
                );
                fields.insert(
                    "stderr".into(),
                    json!(tail(&execution.stderr, LOG_OUTPUT_CHARS)),
                );
            }
            if let Some(verdict) = &task.verdict {
                fields.insert("verdict".into(), verdict_json(verdict));
            }
        }
    }
    fields
}

pub fn verdict_json(verdict: &Verdict) -> Value {
    json!({"ok": verdict.ok, "reason": verdict.reason})
}

/// At most the last `max_bytes` of `text`, cut at a character boundary.
pub fn tail(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut start = text.len() - max_bytes;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// A role in the run log: by the name users write it.
fn role_as_name<S: serde::Serializer>(role: &Role, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(crate::plugins::role_name(*role))
}

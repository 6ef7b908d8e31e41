//! The main job's loop: retriever → planner → rounds of coder → trials → executor → (done,
//! or debugger), each agent step one call into the plugin that fills the role.
//!
//! The orchestrator owns the loop and the facts. Each round the coder hands over several
//! candidate programs; the host runs every one, and the checks (the requirement's own
//! examples and the planner's generated asserts) on each, in the sandbox, and chooses the
//! round's program by agreement ([`crate::checks`]). Success is decided by what the host saw,
//! never by what a plugin claims: the chosen program must be the one the executor ran through
//! `WriteTemp` + `ExecTemp` (or `run_python`), it must have exited 0, and it must have passed
//! every trusted check; the judge decides only when no check applies, and never overrules
//! execution. A round that improves on none before it ends the run early. A step that fails
//! (a plugin error, trap, endless loop, memory spree or forbidden tool call) is recorded and
//! the run goes on where that makes sense.

mod door;
mod records;
mod step;
#[cfg(test)]
mod tests;

pub use door::Denial;
pub use records::{StepRecord, TrialsRecord};

use crate::checks::{self, Check, CheckOrigin, Decision, Selection};
use crate::mcp_client::ExternalTools;
use crate::plugins::{role_name, Agents, Role, StepLimits, Task, Verdict};
use crate::tools::{RunOutcome, Tools};
use anyhow::Context;
use aucoder_llm::Llm;
use aucoder_sandbox::{Exit, StopReason, Workspace};
use records::verdict_json;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Candidates per round unless `--candidates` says otherwise (docs/benchmarks.md has the
/// measurements behind it).
pub const DEFAULT_CANDIDATES: u32 = 3;
/// Most candidates the host runs in one round, whatever a coder returns.
const MAX_CANDIDATES: usize = 8;

/// How a run goes.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub max_rounds: u32,
    /// Sampling seed for every completion (runs are repeatable with the embedded model).
    pub seed: u32,
    /// Tools each role may call; roles not listed get the built-in tools.
    pub allowed_tools: HashMap<Role, Vec<String>>,
    /// What each step may use (its wall clock, and what it may ask of the host).
    pub step_limits: StepLimits,
    /// Candidate programs asked of the coder per round.
    pub candidates: u32,
    /// Whether checks run (off: candidates are chosen by output agreement, the judge decides).
    pub checks: bool,
}

/// Sees a run as it happens: the live display and the run log.
pub trait Observer: Send + Sync {
    fn step_started(&self, role: Role, round: u32);
    /// Generation speed of the completion in progress.
    fn tokens(&self, tokens_per_second: f64);
    fn step_finished(&self, record: &StepRecord);
    /// A round's candidates and checks, as the host ran them.
    fn trials(&self, record: &TrialsRecord);
    /// A message a plugin logged.
    fn plugin_log(&self, role: Role, round: u32, message: &str);
    /// A role that had nothing to do (the debugger when the first round succeeds).
    fn step_skipped(&self, role: Role, round: u32, reason: &str);
}

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

/// What the host saw of the program through the tools during a round.
#[derive(Debug, Default)]
struct Observed {
    /// The last program written with `WriteTemp` or `run_python`.
    written: Option<String>,
    /// The program that ran and its `ExecTemp` / `run_python` result.
    executed: Option<(String, RunOutcome)>,
}

/// A round's end: success with the program's output, or the reason it failed.
type RoundResult = Result<String, String>;

pub struct Orchestrator {
    agents: Arc<dyn Agents>,
    llm: Arc<dyn Llm>,
    tools: Arc<Tools>,
    external: Arc<ExternalTools>,
    observer: Arc<dyn Observer>,
    options: RunOptions,
}

impl Orchestrator {
    pub fn new(
        agents: Arc<dyn Agents>,
        llm: Arc<dyn Llm>,
        tools: Arc<Tools>,
        external: Arc<ExternalTools>,
        observer: Arc<dyn Observer>,
        options: RunOptions,
    ) -> Self {
        Self {
            agents,
            llm,
            tools,
            external,
            observer,
            options,
        }
    }

    /// Runs the agents on `requirement` until a program works, the rounds run out, or a
    /// round brings no improvement.
    pub async fn run(&self, requirement: &str) -> anyhow::Result<RunReport> {
        let started = Instant::now();
        let workspace = Arc::new(Workspace::temporary().context("creating the run's workspace")?);
        let observed = Arc::new(Mutex::new(Observed::default()));
        let mut totals: BTreeMap<&'static str, AgentTotals> = BTreeMap::new();
        let mut task = Task {
            requirement: requirement.to_owned(),
            context: Vec::new(),
            plan: String::new(),
            code: String::new(),
            execution: None,
            verdict: None,
            round: 0,
            notes: Vec::new(),
            wanted_candidates: self.options.candidates.max(1),
            candidates: Vec::new(),
            checks: Vec::new(),
            trials: Vec::new(),
        };
        let run = RunContext {
            workspace: &workspace,
            observed: &observed,
        };

        (task, _) = self.step(Role::Retriever, task, &run, &mut totals).await;
        (task, _) = self.step(Role::Planner, task, &run, &mut totals).await;
        if task.plan.trim().is_empty() {
            task.plan = "Write the program straight from the requirement.".to_owned();
        }
        task.checks =
            checks::informative(&self.tools, self.run_checks(requirement, &task.checks)).await;
        let mut summary = ChecksSummary {
            from_requirement: count_origin(&task.checks, CheckOrigin::Requirement),
            generated: count_origin(&task.checks, CheckOrigin::Generated),
            ..ChecksSummary::default()
        };

        let mut best_quality = None;
        let mut last_problem = String::from("no round ran");
        for round in 1..=self.options.max_rounds {
            task.round = round;
            let (outcome, quality, next) = self.round(task, &run, &mut totals).await;
            task = next;
            let problem = match outcome {
                Ok((output, selection)) => {
                    summary.judged = selection.decision == Decision::JudgeDecides;
                    if let Decision::Passed { passed } = selection.decision {
                        summary.passed = passed;
                    }
                    if !totals.contains_key(role_name(Role::Debugger)) {
                        self.observer.step_skipped(
                            Role::Debugger,
                            round,
                            "nothing to debug: the program worked",
                        );
                    }
                    let how = match selection.decision {
                        Decision::Unanimous { candidates } => format!(
                            "all {candidates} candidates agreed on its output (no check applied)"
                        ),
                        Decision::JudgeDecides => "the judge said ok (no check applied)".to_owned(),
                        _ => format!("it passed {} trusted check(s)", summary.passed),
                    };
                    return Ok(self.report(
                        round,
                        format!("the program ran cleanly and {how} in round {round}"),
                        &task,
                        Some(output),
                        summary,
                        started,
                        totals,
                    ));
                }
                Err(problem) => problem,
            };
            last_problem = problem.clone();
            // The last round ends the run anyway: its summary says the rounds ran out.
            if let (Some(quality), Some(best), true) =
                (quality, best_quality, round < self.options.max_rounds)
            {
                if quality <= best {
                    self.observer.step_skipped(
                        Role::Debugger,
                        round,
                        "stopped early: the round brought no improvement",
                    );
                    return Ok(self.report(
                        round,
                        format!(
                            "stopped early: round {round} brought no improvement on the rounds \
                             before it ({problem})"
                        ),
                        &task,
                        None,
                        summary,
                        started,
                        totals,
                    ));
                }
            }
            best_quality = best_quality.max(quality);
            if round < self.options.max_rounds {
                (task, _) = self.step(Role::Debugger, task, &run, &mut totals).await;
            } else {
                self.observer.step_skipped(
                    Role::Debugger,
                    round,
                    "no rounds left to use a new plan",
                );
            }
        }
        Ok(self.report(
            self.options.max_rounds,
            format!(
                "no working program after {} round(s); the last problem: {last_problem}",
                self.options.max_rounds
            ),
            &task,
            None,
            summary,
            started,
            totals,
        ))
    }

    /// The checks of the run: the requirement's own examples first, then the planner's; none
    /// when checks are off.
    fn run_checks(&self, requirement: &str, generated: &[Check]) -> Vec<Check> {
        if !self.options.checks {
            return Vec::new();
        }
        let mut checks = checks::requirement_checks(requirement);
        for check in generated {
            if !checks.iter().any(|known| known.code == check.code) {
                checks.push(Check {
                    code: check.code.clone(),
                    // A plugin cannot promote its own checks to the user's.
                    origin: CheckOrigin::Generated,
                });
            }
        }
        checks
    }

    /// One round: coder, trials and choice, executor. Answers the round's result (with the
    /// selection on success), its quality for the no-improvement rule (`None` when no
    /// program was tried) and the task.
    async fn round(
        &self,
        task: Task,
        run: &RunContext<'_>,
        totals: &mut BTreeMap<&'static str, AgentTotals>,
    ) -> (
        Result<(String, Selection), String>,
        Option<(bool, usize, usize)>,
        Task,
    ) {
        let round = task.round;
        lock(run.observed).executed = None;
        let (mut task, coder_error) = self.step(Role::Coder, task, run, totals).await;
        if let Some(error) = coder_error {
            return (Err(format!("the coder failed: {error}")), None, task);
        }
        let mut candidates = std::mem::take(&mut task.candidates);
        if candidates.is_empty() && !task.code.trim().is_empty() {
            candidates.push(task.code.clone());
        }
        candidates.retain(|code| !code.trim().is_empty());
        candidates.truncate(MAX_CANDIDATES);
        if candidates.is_empty() {
            return (Err("the coder gave no program".to_owned()), None, task);
        }

        let trials_started = Instant::now();
        let mut trials = checks::run_trials(&self.tools, &candidates, &task.checks).await;
        let selection = checks::select(&task.checks, &trials);
        for (index, trial) in trials.iter_mut().enumerate() {
            trial.agreement = selection.agreement[index];
            trial.chosen = index == selection.chosen;
        }
        self.observer.trials(&TrialsRecord::new(
            round,
            millis(trials_started.elapsed()),
            &task.checks,
            &trials,
            &selection,
        ));
        task.code = trials[selection.chosen].code.clone();
        task.candidates = candidates;
        task.trials = trials;
        task.execution = None;
        // The host's verdict when the checks decide; the executor's judge otherwise.
        task.verdict = check_verdict(&task.checks, &selection);

        let written = task.code.clone();
        lock(run.observed).executed = None;
        let (task, executor_error) = self.step(Role::Executor, task, run, totals).await;
        let quality = Some(selection.quality);
        if let Some(error) = executor_error {
            return (Err(format!("the executor failed: {error}")), quality, task);
        }
        let result = self
            .judge_round(&task, &written, &selection, run.observed)
            .map(|output| (output, selection));
        (result, quality, task)
    }

    /// The run's outcome: a success carries the program's output, and the task's code is
    /// then the working program.
    #[allow(clippy::too_many_arguments)]
    fn report(
        &self,
        rounds: u32,
        summary: String,
        task: &Task,
        output: Option<String>,
        checks: ChecksSummary,
        started: Instant,
        agents: BTreeMap<&'static str, AgentTotals>,
    ) -> RunReport {
        let success = output.is_some();
        RunReport {
            success,
            rounds,
            summary,
            code: success.then(|| task.code.clone()),
            output,
            verdict: task.verdict.as_ref().map(verdict_json),
            checks,
            duration_ms: millis(started.elapsed()),
            agents,
        }
    }

    /// Whether the round succeeded, from the host's own observations: the executor ran the
    /// chosen program, it exited 0, and the checks passed (or, when no check applied, the
    /// judge said ok). `Ok` holds the program's output.
    fn judge_round(
        &self,
        task: &Task,
        written: &str,
        selection: &Selection,
        observed: &Mutex<Observed>,
    ) -> RoundResult {
        let observed = lock(observed);
        let Some((ran, outcome)) = observed.executed.as_ref() else {
            return Err("the executor did not run the program".to_owned());
        };
        if ran != written || task.code != written {
            return Err("the program the executor ran is not the one the coder wrote".to_owned());
        }
        match outcome.exit {
            Exit::Code(0) => {}
            Exit::Stopped(StopReason::Timeout) => {
                return Err("the program ran past the time limit".to_owned());
            }
            exit => {
                return Err(format!(
                    "the program exited with code {}: {}",
                    exit.code(),
                    outcome.last_error_line()
                ));
            }
        }
        let output = || outcome.stdout.clone();
        match &selection.decision {
            Decision::Passed { .. } | Decision::Unanimous { .. } => Ok(output()),
            Decision::Failed { check, message } => Err(failed_check(&task.checks, *check, message)),
            Decision::NoCleanRun => {
                Err("no candidate ran cleanly in the checks' sandbox runs".to_owned())
            }
            Decision::JudgeDecides => match &task.verdict {
                Some(verdict) if verdict.ok => Ok(output()),
                Some(verdict) => Err(format!("the judge said not ok: {}", verdict.reason)),
                None => Err("the executor gave no verdict".to_owned()),
            },
        }
    }
}

/// The host's verdict on the chosen program when the checks decide.
fn check_verdict(checks: &[Check], selection: &Selection) -> Option<Verdict> {
    match &selection.decision {
        Decision::Passed { passed } => Some(Verdict {
            ok: true,
            reason: format!("it passed {passed} trusted check(s) in the sandbox"),
        }),
        Decision::Failed { check, message } => Some(Verdict {
            ok: false,
            reason: failed_check(checks, *check, message),
        }),
        Decision::Unanimous { candidates } => Some(Verdict {
            ok: true,
            reason: format!(
                "no check applied; all {candidates} candidates, sampled independently, printed \
                 the same"
            ),
        }),
        Decision::NoCleanRun | Decision::JudgeDecides => None,
    }
}

/// `the check `assert f(3) == 9` failed: AssertionError: f(3) was 8`.
fn failed_check(checks: &[Check], check: usize, message: &str) -> String {
    let code = checks.get(check).map_or("", |check| check.code.as_str());
    format!(
        "the check `{}` failed: {}",
        head(code.trim(), 300),
        head(message, 400)
    )
}

fn count_origin(checks: &[Check], origin: CheckOrigin) -> usize {
    checks.iter().filter(|check| check.origin == origin).count()
}

/// The fields a plugin may not change: what the user asked for, which round it is, how
/// many candidates are wanted, and (after the planner) the checks and the trials.
fn keep_host_fields(mut changed: Task, before: &Task, role: Role) -> Task {
    changed.requirement.clone_from(&before.requirement);
    changed.round = before.round;
    changed.wanted_candidates = before.wanted_candidates;
    if role != Role::Planner {
        changed.checks.clone_from(&before.checks);
    }
    changed.trials.clone_from(&before.trials);
    if role != Role::Coder {
        changed.candidates.clone_from(&before.candidates);
    }
    changed
}

/// What every step of one run shares.
struct RunContext<'a> {
    workspace: &'a Arc<Workspace>,
    observed: &'a Arc<Mutex<Observed>>,
}

/// At most the first `max_bytes` of `text`, cut at a character boundary.
fn head(text: &str, max_bytes: usize) -> &str {
    let mut end = text.len().min(max_bytes);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

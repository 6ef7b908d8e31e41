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
mod report;
mod step;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;
mod verdict;

pub use door::Denial;
pub use records::{StepRecord, TrialsRecord};
pub use report::{AgentTotals, ChecksSummary, RunReport};

use crate::checks::{self, Check, CheckOrigin, Selection};
use crate::mcp_client::ExternalTools;
use crate::plugins::{Agents, Role, StepLimits, Task};
use crate::tools::Tools;
use anyhow::Context;
use aucoder_llm::Llm;
use aucoder_sandbox::{Execution, Workspace};
use records::verdict_json;
use report::Totals;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use verdict::{check_verdict, how_chosen, judge_round};

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

/// What the host saw of the program through the tools during a round.
#[derive(Debug, Default)]
struct Observed {
    /// The last program written with `WriteTemp` or `run_python`.
    written: Option<String>,
    /// The program that ran and its `ExecTemp` / `run_python` result.
    executed: Option<(String, Execution)>,
}

/// The agents' loop and what it runs on; every field is a part the binary (or a test)
/// chooses.
pub struct Orchestrator {
    /// Who fills each role: the plugin catalog, or scripted steps in tests.
    pub agents: Arc<dyn Agents>,
    pub llm: Arc<dyn Llm>,
    /// The built-in tools, over the sandbox.
    pub tools: Arc<Tools>,
    /// Tools of external MCP servers that roles may be allowed.
    pub external: Arc<ExternalTools>,
    pub observer: Arc<dyn Observer>,
    pub options: RunOptions,
}

/// How a run ended, for its report: a success carries the program's output.
struct Ending {
    rounds: u32,
    summary: String,
    output: Option<String>,
}

impl Orchestrator {
    /// Runs the agents on `requirement` until a program works, the rounds run out, or a
    /// round brings no improvement.
    pub async fn run(&self, requirement: &str) -> anyhow::Result<RunReport> {
        let started = Instant::now();
        let workspace = Arc::new(Workspace::temporary().context("creating the run's workspace")?);
        let observed = Arc::new(Mutex::new(Observed::default()));
        let run = RunContext {
            workspace: &workspace,
            observed: &observed,
        };
        let mut totals = Totals::default();
        let task = self.prepare(requirement, &run, &mut totals).await;
        let mut checks = ChecksSummary::of(&task.checks);
        let (task, ending) = self.rounds(task, &run, &mut totals, &mut checks).await;
        let success = ending.output.is_some();
        Ok(RunReport {
            success,
            rounds: ending.rounds,
            summary: ending.summary,
            code: success.then(|| task.code.clone()),
            output: ending.output,
            verdict: task.verdict.as_ref().map(verdict_json),
            checks,
            duration_ms: millis(started.elapsed()),
            agents: totals.by_name(),
        })
    }

    /// The retriever and the planner, then the run's checks.
    async fn prepare(&self, requirement: &str, run: &RunContext<'_>, totals: &mut Totals) -> Task {
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
        (task, _) = self.step(Role::Retriever, task, run, totals).await;
        (task, _) = self.step(Role::Planner, task, run, totals).await;
        if task.plan.trim().is_empty() {
            task.plan = "Write the program straight from the requirement.".to_owned();
        }
        task.checks =
            checks::informative(&self.tools, self.run_checks(requirement, &task.checks)).await;
        task
    }

    /// Rounds until one succeeds, one improves on none before it, or they run out; the
    /// debugger runs between rounds.
    async fn rounds(
        &self,
        mut task: Task,
        run: &RunContext<'_>,
        totals: &mut Totals,
        checks: &mut ChecksSummary,
    ) -> (Task, Ending) {
        let max_rounds = self.options.max_rounds;
        let mut best_quality = None;
        let mut last_problem = String::from("no round ran");
        for round in 1..=max_rounds {
            task.round = round;
            let (outcome, quality, next) = self.round(task, run, totals).await;
            task = next;
            let problem = match outcome {
                Ok((output, selection)) => {
                    checks.record(&selection);
                    if !totals.ran(Role::Debugger) {
                        self.observer.step_skipped(
                            Role::Debugger,
                            round,
                            "nothing to debug: the program worked",
                        );
                    }
                    let how = how_chosen(&selection.decision, checks.passed);
                    let summary = format!("the program ran cleanly and {how} in round {round}");
                    let output = Some(output);
                    return (
                        task,
                        Ending {
                            rounds: round,
                            summary,
                            output,
                        },
                    );
                }
                Err(problem) => problem,
            };
            // The last round ends the run anyway: its summary says the rounds ran out.
            let last_round = round == max_rounds;
            let no_better =
                matches!((quality, best_quality), (Some(now), Some(best)) if now <= best);
            if no_better && !last_round {
                self.observer.step_skipped(
                    Role::Debugger,
                    round,
                    "stopped early: the round brought no improvement",
                );
                let summary = format!(
                    "stopped early: round {round} brought no improvement on the rounds before \
                     it ({problem})"
                );
                return (
                    task,
                    Ending {
                        rounds: round,
                        summary,
                        output: None,
                    },
                );
            }
            best_quality = best_quality.max(quality);
            if last_round {
                self.observer.step_skipped(
                    Role::Debugger,
                    round,
                    "no rounds left to use a new plan",
                );
            } else {
                (task, _) = self.step(Role::Debugger, task, run, totals).await;
            }
            last_problem = problem;
        }
        let summary = format!(
            "no working program after {max_rounds} round(s); the last problem: {last_problem}"
        );
        (
            task,
            Ending {
                rounds: max_rounds,
                summary,
                output: None,
            },
        )
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
        totals: &mut Totals,
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
        let result = judge_round(&task, &written, &selection, run.observed)
            .map(|output| (output, selection));
        (result, quality, task)
    }
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

//! The main job's loop: retriever → planner → rounds of coder → executor → (done, or
//! debugger), each step one call into the agent plugin that fills the role.
//!
//! The orchestrator owns the loop and the facts. Success is decided by what the host saw,
//! not by what a plugin claims: the program the coder wrote must be the one the executor ran
//! through `WriteTemp` + `ExecTemp` (or `run_python`), it must have exited 0, and the judge
//! must have said ok. A step that fails (a plugin error, trap, endless loop, memory spree or
//! forbidden tool call) is recorded and the run goes on where that makes sense: no context,
//! no plan change, or a failed round. Two rounds that fail identically end the run early.

use crate::mcp_client::ExternalTools;
use crate::plugins::{
    role_name, Catalog, Completion, Role, Services, StepError, StepOutcome, Task, ToolDenied,
};
use crate::tools::Tools;
use anyhow::Context;
use aucoder_llm::{ChatRequest, Llm, TokenCallback};
use aucoder_sandbox::Workspace;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Longest answer an agent may ask for in one completion.
const MAX_COMPLETION_TOKENS: u32 = 4096;
/// Output kept per stream in a run-log line.
const LOG_OUTPUT_CHARS: usize = 4000;
/// Per step, what a plugin may ask of the host. Time inside host calls costs a plugin no
/// fuel, so without these a plugin could keep the LLM busy, or fill the run log, forever.
const MAX_LLM_CALLS_PER_STEP: u64 = 16;
const MAX_TOOL_CALLS_PER_STEP: u64 = 64;
const MAX_LOG_MESSAGES_PER_STEP: u64 = 100;
const MAX_LOG_MESSAGE_BYTES: usize = 4096;
/// Largest system + prompt text of one completion; far beyond any context window.
const MAX_PROMPT_BYTES: usize = 1 << 20;

/// How a run goes.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub max_rounds: u32,
    /// Sampling seed for every completion (runs are repeatable with the embedded model).
    pub seed: u32,
    /// Tools each role may call, by role name; roles not listed get the built-in tools.
    pub allowed_tools: HashMap<String, Vec<String>>,
    /// Wall-clock limit of one step, LLM and tool time included. Fuel bounds a plugin's own
    /// work; this bounds a plugin that blocks (a WASI sleep) and a step that hangs.
    pub step_timeout: Duration,
}

/// What happened in one agent step; also one line of the run log.
#[derive(Debug, Clone, Serialize)]
pub struct StepRecord {
    pub agent: &'static str,
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

/// Sees a run as it happens: the live display and the run log.
pub trait Observer: Send + Sync {
    fn step_started(&self, role: Role, round: u32);
    /// Generation speed of the completion in progress.
    fn tokens(&self, tokens_per_second: f64);
    fn step_finished(&self, record: &StepRecord);
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
    pub duration_ms: u64,
    pub agents: BTreeMap<&'static str, AgentTotals>,
}

/// What the host saw of the program through the tools during a round.
#[derive(Debug, Default)]
struct Observed {
    /// The last program written with `WriteTemp` or `run_python`.
    written: Option<String>,
    /// The program that ran and its `ExecTemp` / `run_python` result.
    executed: Option<(String, Value)>,
}

pub struct Orchestrator {
    catalog: Arc<Catalog>,
    llm: Arc<dyn Llm>,
    tools: Arc<Tools>,
    external: Arc<ExternalTools>,
    observer: Arc<dyn Observer>,
    options: RunOptions,
}

impl Orchestrator {
    pub fn new(
        catalog: Arc<Catalog>,
        llm: Arc<dyn Llm>,
        tools: Arc<Tools>,
        external: Arc<ExternalTools>,
        observer: Arc<dyn Observer>,
        options: RunOptions,
    ) -> Self {
        Self {
            catalog,
            llm,
            tools,
            external,
            observer,
            options,
        }
    }

    /// Runs the agents on `requirement` until a program works or the rounds run out.
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

        let mut previous_failure: Option<String> = None;
        let mut last_problem = String::from("no round ran");
        for round in 1..=self.options.max_rounds {
            task.round = round;
            lock(&observed).executed = None;
            let (coded, coder_error) = self.step(Role::Coder, task, &run, &mut totals).await;
            task = coded;
            let failure = match coder_error {
                Some(error) => format!("the coder failed: {error}"),
                None => {
                    // Only what the executor runs, of the program the coder wrote, counts;
                    // no verdict survives from an earlier round.
                    let written = task.code.clone();
                    task.execution = None;
                    task.verdict = None;
                    lock(&observed).executed = None;
                    let (executed, executor_error) =
                        self.step(Role::Executor, task, &run, &mut totals).await;
                    task = executed;
                    match executor_error {
                        Some(error) => format!("the executor failed: {error}"),
                        None => match self.judge_round(&task, &written, &observed) {
                            Ok(output) => {
                                if !totals.contains_key(role_name(Role::Debugger)) {
                                    self.observer.step_skipped(
                                        Role::Debugger,
                                        round,
                                        "nothing to debug: the program worked",
                                    );
                                }
                                return Ok(self.report(
                                    round,
                                    format!(
                                        "the program ran cleanly and the judge said ok in round {round}"
                                    ),
                                    &task,
                                    Some(output),
                                    started,
                                    totals,
                                ));
                            }
                            Err(problem) => problem,
                        },
                    }
                }
            };
            last_problem = failure.clone();
            let signature = failure_signature(&task, &failure, &observed);
            if previous_failure.as_deref() == Some(signature.as_str()) {
                self.observer.step_skipped(
                    Role::Debugger,
                    round,
                    "stopped early: the same failure twice",
                );
                return Ok(self.report(
                    round,
                    format!(
                        "stopped early: round {round} failed exactly like round {} ({failure})",
                        round - 1
                    ),
                    &task,
                    None,
                    started,
                    totals,
                ));
            }
            previous_failure = Some(signature);
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
            started,
            totals,
        ))
    }

    /// The run's outcome: a success carries the program's output, and the task's code is
    /// then the working program.
    fn report(
        &self,
        rounds: u32,
        summary: String,
        task: &Task,
        output: Option<String>,
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
            duration_ms: millis(started.elapsed()),
            agents,
        }
    }

    /// Whether the round succeeded, from the host's own observations; `Ok` holds the
    /// program's output, `Err` the reason the round failed.
    fn judge_round(
        &self,
        task: &Task,
        written: &str,
        observed: &Mutex<Observed>,
    ) -> Result<String, String> {
        let observed = lock(observed);
        let Some((ran, outcome)) = observed.executed.as_ref() else {
            return Err("the executor did not run the program".to_owned());
        };
        if ran != written || task.code != written {
            return Err("the program the executor ran is not the one the coder wrote".to_owned());
        }
        let exit_code = outcome["exit_code"].as_i64().unwrap_or(-1);
        if outcome["timed_out"].as_bool() == Some(true) {
            return Err("the program ran past the time limit".to_owned());
        }
        if exit_code != 0 {
            let last_error = outcome["stderr"]
                .as_str()
                .unwrap_or_default()
                .lines()
                .rev()
                .find(|line| !line.trim().is_empty())
                .unwrap_or("no error message")
                .trim()
                .to_owned();
            return Err(format!(
                "the program exited with code {exit_code}: {last_error}"
            ));
        }
        match &task.verdict {
            Some(verdict) if verdict.ok => {
                Ok(outcome["stdout"].as_str().unwrap_or_default().to_owned())
            }
            Some(verdict) => Err(format!("the judge said not ok: {}", verdict.reason)),
            None => Err("the executor gave no verdict".to_owned()),
        }
    }

    /// Runs one agent step; on failure the task comes back unchanged with the error.
    async fn step(
        &self,
        role: Role,
        task: Task,
        run: &RunContext<'_>,
        totals: &mut BTreeMap<&'static str, AgentTotals>,
    ) -> (Task, Option<String>) {
        let round = task.round;
        self.observer.step_started(role, round);
        let plugin = self.catalog.agent(role);
        let role_key = role_name(role);
        let services = Arc::new(AgentServices {
            role,
            round,
            llm: self.llm.clone(),
            tools: self.tools.clone(),
            external: self.external.clone(),
            workspace: run.workspace.clone(),
            allowed: self.allowed_tools(role_key),
            handle: tokio::runtime::Handle::current(),
            observer: self.observer.clone(),
            seed: self.options.seed,
            observed: run.observed.clone(),
            stats: CallStats::default(),
        });
        let runtime = self.catalog.runtime().clone();
        let step_plugin = plugin.clone();
        let step_services: Arc<dyn Services> = services.clone();
        let input = task.clone();
        let blocking =
            tokio::task::spawn_blocking(move || runtime.run(&step_plugin, &input, step_services));
        let failed = |error: StepError| StepOutcome {
            result: Err(error),
            elapsed: Duration::ZERO,
            in_host: Duration::ZERO,
        };
        // On timeout the plugin's thread is abandoned: it is blocked in a host call, holds
        // only this step's store, and its tool calls are no longer observed.
        let outcome = match tokio::time::timeout(self.options.step_timeout, blocking).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(error)) => failed(StepError::Host(format!(
                "the plugin's thread failed: {error}"
            ))),
            Err(_) => failed(StepError::TimedOut {
                seconds: self.options.step_timeout.as_secs(),
            }),
        };

        let plugin_overhead = outcome.plugin_overhead();
        let (task, error) = match outcome.result {
            Ok(changed) => (keep_host_fields(changed, &task), None),
            Err(error) => (task, Some(error.to_string())),
        };
        let record = StepRecord {
            agent: role_key,
            round,
            plugin: format!("{} ({})", plugin.label(), plugin.origin),
            ok: error.is_none(),
            error: error.clone(),
            duration_ms: millis(outcome.elapsed),
            host_ms: millis(outcome.in_host),
            plugin_overhead_us: u64::try_from(plugin_overhead.as_micros()).unwrap_or(u64::MAX),
            llm_calls: services.stats.calls.load(Ordering::Relaxed),
            prompt_tokens: services.stats.prompt_tokens.load(Ordering::Relaxed),
            completion_tokens: services.stats.completion_tokens.load(Ordering::Relaxed),
            fields: if error.is_none() {
                step_fields(role, &task)
            } else {
                Map::new()
            },
        };
        let entry = totals.entry(role_key).or_default();
        entry.steps += 1;
        entry.failed_steps += u32::from(error.is_some());
        entry.duration_ms += record.duration_ms;
        entry.host_ms += record.host_ms;
        entry.plugin_overhead_us += record.plugin_overhead_us;
        entry.completion_tokens += record.completion_tokens;
        self.observer.step_finished(&record);
        (task, error)
    }

    fn allowed_tools(&self, role: &str) -> Vec<String> {
        self.options
            .allowed_tools
            .get(role)
            .cloned()
            .unwrap_or_else(|| {
                crate::tools::BUILTIN_TOOLS
                    .iter()
                    .map(|tool| (*tool).to_owned())
                    .collect()
            })
    }
}

/// The fields a plugin may not change: what the user asked for and which round it is.
fn keep_host_fields(mut changed: Task, before: &Task) -> Task {
    changed.requirement.clone_from(&before.requirement);
    changed.round = before.round;
    changed
}

/// What every step of one run shares.
struct RunContext<'a> {
    workspace: &'a Arc<Workspace>,
    observed: &'a Arc<Mutex<Observed>>,
}

/// What the run log records of a step, like the original's log.json.
fn step_fields(role: Role, task: &Task) -> Map<String, Value> {
    let mut fields = Map::new();
    match role {
        Role::Retriever => {
            fields.insert("context".into(), json!(task.context));
        }
        Role::Planner | Role::Debugger => {
            fields.insert("plan".into(), json!(task.plan));
        }
        Role::Coder => {
            fields.insert("code".into(), json!(task.code));
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

fn verdict_json(verdict: &crate::plugins::Verdict) -> Value {
    json!({"ok": verdict.ok, "reason": verdict.reason})
}

/// Two rounds with the same signature failed the same way: same program, same observed
/// result, same reason.
fn failure_signature(task: &Task, failure: &str, observed: &Mutex<Observed>) -> String {
    let output = lock(observed)
        .executed
        .as_ref()
        .map(|(_, outcome)| {
            format!(
                "{}\n{}\n{}",
                outcome["exit_code"], outcome["stdout"], outcome["stderr"]
            )
        })
        .unwrap_or_default();
    format!("{}\n--\n{}\n--\n{failure}", task.code, output)
}

/// At most the first `max_bytes` of `text`, cut at a character boundary.
fn head(text: &str, max_bytes: usize) -> &str {
    let mut end = text.len().min(max_bytes);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// At most the last `max_bytes` of `text`, cut at a character boundary.
fn tail(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut start = text.len() - max_bytes;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[derive(Default)]
struct CallStats {
    calls: AtomicU64,
    prompt_tokens: AtomicU64,
    completion_tokens: AtomicU64,
    /// Requests made, including refused ones, for the per-step caps.
    llm_requests: AtomicU64,
    tool_requests: AtomicU64,
    log_messages: AtomicU64,
}

/// The door one plugin step reaches the world through.
struct AgentServices {
    role: Role,
    round: u32,
    llm: Arc<dyn Llm>,
    tools: Arc<Tools>,
    external: Arc<ExternalTools>,
    workspace: Arc<Workspace>,
    allowed: Vec<String>,
    /// The plugin runs on a blocking thread; host calls go back to the async runtime.
    handle: tokio::runtime::Handle,
    observer: Arc<dyn Observer>,
    seed: u32,
    observed: Arc<Mutex<Observed>>,
    stats: CallStats,
}

impl Services for AgentServices {
    fn complete(&self, request: Completion) -> Result<String, String> {
        if self.stats.llm_requests.fetch_add(1, Ordering::Relaxed) >= MAX_LLM_CALLS_PER_STEP {
            return Err(format!(
                "this step has used its {MAX_LLM_CALLS_PER_STEP} LLM calls"
            ));
        }
        if request.system.len() + request.prompt.len() > MAX_PROMPT_BYTES {
            return Err(format!(
                "the prompt is {} bytes; the limit is {MAX_PROMPT_BYTES}",
                request.system.len() + request.prompt.len()
            ));
        }
        let schema = match &request.json_schema {
            Some(text) => Some(
                serde_json::from_str::<Value>(text)
                    .map_err(|error| format!("the json-schema is not valid JSON: {error}"))?,
            ),
            None => None,
        };
        let mut chat = ChatRequest::new(&request.system, &request.prompt)
            .with_max_tokens(request.max_tokens.clamp(1, MAX_COMPLETION_TOKENS))
            .with_temperature(if request.temperature.is_finite() {
                request.temperature.clamp(0.0, 2.0)
            } else {
                0.0
            });
        // A new seed each round, so that a retry samples anew rather than repeating itself.
        chat.seed = self.seed.wrapping_add(self.round.wrapping_mul(7919));
        chat.json_schema = schema;
        let observer = self.observer.clone();
        let started = Instant::now();
        let generated = Arc::new(AtomicU64::new(0));
        let on_token: TokenCallback = Arc::new(move |_text: &str| {
            let count = generated.fetch_add(1, Ordering::Relaxed) + 1;
            let seconds = started.elapsed().as_secs_f64();
            if count.is_multiple_of(8) && seconds > 0.0 {
                observer.tokens(count as f64 / seconds);
            }
        });
        let completion = self
            .handle
            .block_on(self.llm.complete(&chat, Some(on_token)))
            .map_err(|error| format!("the LLM failed: {error}"))?;
        self.stats.calls.fetch_add(1, Ordering::Relaxed);
        self.stats
            .prompt_tokens
            .fetch_add(u64::from(completion.prompt_tokens), Ordering::Relaxed);
        self.stats
            .completion_tokens
            .fetch_add(u64::from(completion.completion_tokens), Ordering::Relaxed);
        self.observer.tokens(completion.tokens_per_second());
        Ok(completion.text)
    }

    fn call_tool(
        &self,
        name: &str,
        arguments_json: &str,
    ) -> Result<Result<String, String>, ToolDenied> {
        if !self.allowed.iter().any(|allowed| allowed == name) {
            return Err(ToolDenied(format!(
                "the {} agent may not call {name:?} (allowed: {})",
                role_name(self.role),
                if self.allowed.is_empty() {
                    "none".to_owned()
                } else {
                    self.allowed.join(", ")
                }
            )));
        }
        if self.stats.tool_requests.fetch_add(1, Ordering::Relaxed) >= MAX_TOOL_CALLS_PER_STEP {
            return Ok(Err(format!(
                "this step has used its {MAX_TOOL_CALLS_PER_STEP} tool calls"
            )));
        }
        if self.external.serves(name) {
            let answer = self
                .handle
                .block_on(self.external.call(name, arguments_json));
            return Ok(answer.map(|value| value.to_string()));
        }
        let answer = self
            .handle
            .block_on(self.tools.call(&self.workspace, name, arguments_json));
        if let (Ok(result), Role::Executor) = (&answer, self.role) {
            self.observe(name, arguments_json, result);
        }
        Ok(answer
            .map(|value| value.to_string())
            .map_err(|error| error.to_string()))
    }

    fn log(&self, message: &str) {
        let count = self.stats.log_messages.fetch_add(1, Ordering::Relaxed);
        if count > MAX_LOG_MESSAGES_PER_STEP {
            return;
        }
        if count == MAX_LOG_MESSAGES_PER_STEP {
            let note = format!(
                "(more messages of this step dropped: at most {MAX_LOG_MESSAGES_PER_STEP})"
            );
            self.observer.plugin_log(self.role, self.round, &note);
            return;
        }
        self.observer
            .plugin_log(self.role, self.round, head(message, MAX_LOG_MESSAGE_BYTES));
    }
}

impl AgentServices {
    /// Remembers which program was written and what running it gave.
    fn observe(&self, tool: &str, arguments_json: &str, result: &Value) {
        let code = || {
            serde_json::from_str::<Value>(arguments_json)
                .ok()
                .and_then(|args| args["code"].as_str().map(str::to_owned))
        };
        let mut observed = lock(&self.observed);
        match tool {
            "WriteTemp" => observed.written = code(),
            "ExecTemp" => {
                if let Some(written) = observed.written.clone() {
                    observed.executed = Some((written, result.clone()));
                }
            }
            "run_python" => {
                if let Some(code) = code() {
                    observed.written = Some(code.clone());
                    observed.executed = Some((code, result.clone()));
                }
            }
            _ => {}
        }
    }
}

//! The tools aucoder offers to agents and MCP clients, implemented once: `RAG_Search`,
//! `WriteTemp`, `ExecTemp` and `run_python`, each over a per-session [`Workspace`].
//!
//! The MCP server and the plugins' `call-tool` are thin doors onto this module, so both see
//! the same behaviour and the same limits. Executions are capped by a semaphore: beyond the
//! cap they queue rather than fail, up to a bounded number of waiting calls; past that a call
//! is refused as busy rather than piling up. Every argument has a limit.

use aucoder_rag::Rag;
use aucoder_sandbox::{
    Backend, Execution, Limits, PythonSession, SandboxError, SessionEnded, SessionTurn, Workspace,
};
use rmcp::model::JsonObject;
use rmcp::schemars;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// The file `WriteTemp` writes and `ExecTemp` runs, and the log `ExecTemp` writes.
pub const TEMP_SCRIPT: &str = "temp.py";
pub const TEMP_LOG: &str = "temp.log";
/// Chunks `RAG_Search` returns.
pub const RAG_TOP_K: usize = 3;
/// Largest program `WriteTemp` / `run_python` accept; bigger is surely not a small program.
pub const MAX_CODE_BYTES: usize = 4 << 20;
/// Longest `RAG_Search` query: embedding reads a few hundred tokens at most anyway.
pub const MAX_QUERY_BYTES: usize = 16 << 10;

/// The built-in tools. Every door (MCP, the plugins' `call-tool`, config allow-lists) offers
/// them under these names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BuiltinTool {
    RagSearch,
    WriteTemp,
    ExecTemp,
    RunPython,
}

impl BuiltinTool {
    pub const ALL: [BuiltinTool; 4] = [
        BuiltinTool::RagSearch,
        BuiltinTool::WriteTemp,
        BuiltinTool::ExecTemp,
        BuiltinTool::RunPython,
    ];

    /// The name clients call it by.
    pub fn name(self) -> &'static str {
        match self {
            BuiltinTool::RagSearch => "RAG_Search",
            BuiltinTool::WriteTemp => "WriteTemp",
            BuiltinTool::ExecTemp => "ExecTemp",
            BuiltinTool::RunPython => "run_python",
        }
    }

    /// The tool of this exact name, if it is a built-in one.
    pub fn named(name: &str) -> Option<BuiltinTool> {
        Self::ALL.into_iter().find(|tool| tool.name() == name)
    }

    /// `RAG_Search, WriteTemp, ExecTemp, run_python`, for messages.
    pub fn list() -> String {
        Self::ALL.map(BuiltinTool::name).join(", ")
    }
}

impl std::fmt::Display for BuiltinTool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RagSearchArgs {
    /// What to look for in the corpus.
    pub query: String,
    /// Leave out chunks whose cosine similarity to the query is below this (0 to 1); a
    /// small model is easily led astray by irrelevant context.
    #[serde(default)]
    pub min_score: Option<f32>,
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WriteTempArgs {
    /// The Python program to write to temp.py in this session's workspace.
    pub code: String,
    /// MCP: the workspace workspace_create issued (default: this session's).
    #[serde(default)]
    pub workspace_id: Option<String>,
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExecTempArgs {
    /// Accepted for compatibility with the original tool; ignored.
    #[serde(default)]
    #[allow(dead_code)]
    pub payload: Option<JsonObject>,
    /// MCP: the workspace workspace_create issued (default: this session's).
    #[serde(default)]
    pub workspace_id: Option<String>,
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunPythonArgs {
    /// The Python program to write to temp.py and run.
    pub code: String,
    /// A shorter time limit for this run, in seconds (the server's limit is the maximum).
    #[serde(default)]
    pub timeout_secs: Option<f64>,
    /// MCP: the workspace workspace_create issued (default: this session's).
    #[serde(default)]
    pub workspace_id: Option<String>,
}

/// Refuses programs over [`MAX_CODE_BYTES`].
pub fn check_code(code: &str) -> Result<(), ToolError> {
    if code.len() > MAX_CODE_BYTES {
        return Err(ToolError::BadArgument(format!(
            "the code is {} bytes; the limit is {} bytes",
            code.len(),
            MAX_CODE_BYTES
        )));
    }
    Ok(())
}

fn parse_arguments<T: serde::de::DeserializeOwned>(
    tool: &str,
    arguments: Value,
) -> Result<T, ToolError> {
    serde_json::from_value(arguments)
        .map_err(|error| ToolError::BadArgument(format!("bad arguments for {tool}: {error}")))
}

/// A tool call that could not be carried out (reported to the caller as a tool error).
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error("no retrieval corpus is loaded: {0}")]
    NoCorpus(String),
    #[error("retrieval failed: {0}")]
    Retrieval(String),
    #[error("nothing to run: call WriteTemp first")]
    NothingWritten,
    #[error("{0}")]
    BadArgument(String),
    #[error(
        "there is no tool named {name:?} (built-in tools: {})",
        BuiltinTool::list()
    )]
    UnknownTool { name: String },
    #[error("this session is unknown or closed: initialize a new one")]
    UnknownSession,
    #[error("the server is busy: {0}")]
    Busy(String),
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
}

/// The `run_python` answer: `{success, exit_code, stdout, stderr, timed_out, duration_ms}`,
/// with `log` (`ExecTemp`'s) first when given.
fn run_to_json(run: &Execution, log: Option<&str>) -> Value {
    let mut object = serde_json::Map::new();
    object.insert("success".into(), json!(run.success()));
    if let Some(log) = log {
        object.insert("log".into(), json!(log));
    }
    object.insert("exit_code".into(), json!(run.exit_code()));
    object.insert("stdout".into(), json!(run.stdout));
    object.insert("stderr".into(), json!(run.stderr));
    object.insert("timed_out".into(), json!(run.timed_out()));
    object.insert("duration_ms".into(), json!(run.duration_ms()));
    object.insert("interpreter".into(), json!(run.ran_on.interpreter()));
    object.insert("sandbox".into(), json!(run.ran_on.as_str()));
    Value::Object(object)
}

/// The result of `ExecTemp`: the original's `success` and `log`, plus the details an agent
/// needs to judge the run without parsing the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOutcome {
    pub log: String,
    pub run: Execution,
}

/// A built-in tool's answer, typed; [`ToolAnswer::to_json`] is what the doors send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolAnswer {
    /// `RAG_Search`: the chunks found.
    Chunks(Vec<String>),
    /// `WriteTemp`: this program is now `temp.py`.
    Written { code: String },
    /// `ExecTemp`.
    Executed(ExecOutcome),
    /// `run_python`: this program, and what running it gave.
    Ran { code: String, run: Execution },
}

impl ToolAnswer {
    /// The JSON the MCP server puts in its structured result (for `RAG_Search`, the list).
    pub fn to_json(&self) -> Value {
        match self {
            ToolAnswer::Chunks(chunks) => json!(chunks),
            ToolAnswer::Written { .. } => json!({"ok": true}),
            ToolAnswer::Executed(exec) => run_to_json(&exec.run, Some(&exec.log)),
            ToolAnswer::Ran { run, .. } => run_to_json(run, None),
        }
    }
}

/// Shared by every session: the corpus, the sandbox backend, the limits.
pub struct Tools {
    rag: Result<Arc<Rag>, String>,
    backend: Arc<dyn Backend>,
    /// Runs again what failed on `backend` for want of a module this one has.
    fallback: Option<Arc<dyn Backend>>,
    limits: Limits,
    executions: Semaphore,
    /// Calls waiting for an execution slot, and how many may.
    waiting: AtomicUsize,
    max_waiting: usize,
}

/// One place in the execution queue, given back on drop (also when the call is abandoned).
struct QueuePlace<'a>(&'a AtomicUsize);

impl<'a> QueuePlace<'a> {
    fn take(waiting: &'a AtomicUsize, max: usize) -> Option<Self> {
        waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |now| {
                (now < max).then_some(now + 1)
            })
            .ok()
            .map(|_| Self(waiting))
    }
}

impl Drop for QueuePlace<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Tools {
    pub fn new(
        rag: Result<Arc<Rag>, String>,
        backend: Arc<dyn Backend>,
        limits: Limits,
        max_concurrent_executions: usize,
        max_waiting: usize,
    ) -> Self {
        Self {
            rag,
            backend,
            fallback: None,
            limits,
            executions: Semaphore::new(max_concurrent_executions.max(1)),
            waiting: AtomicUsize::new(0),
            max_waiting,
        }
    }

    /// A program that fails on the main backend because a module is missing, one `fallback`
    /// has, is run again there (same workspace, same limits), and its stderr says so.
    pub fn with_fallback(mut self, fallback: Arc<dyn Backend>) -> Self {
        self.fallback = Some(fallback);
        self
    }

    /// The limits every execution runs under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The top chunks of the corpus for `query`, each beginning with `[file name]`.
    pub async fn rag_search(
        &self,
        query: &str,
        min_score: Option<f32>,
    ) -> Result<Vec<String>, ToolError> {
        let rag = self
            .rag
            .as_ref()
            .map_err(|reason| ToolError::NoCorpus(reason.clone()))?
            .clone();
        if query.len() > MAX_QUERY_BYTES {
            return Err(ToolError::BadArgument(format!(
                "the query is {} bytes; the limit is {MAX_QUERY_BYTES}",
                query.len()
            )));
        }
        if min_score.is_some_and(|score| !score.is_finite()) {
            return Err(ToolError::BadArgument(
                "min_score must be a number from 0 to 1".to_owned(),
            ));
        }
        let query = query.to_owned();
        let hits = tokio::task::spawn_blocking(move || rag.search(&query, RAG_TOP_K))
            .await
            .map_err(|error| ToolError::Retrieval(error.to_string()))?
            .map_err(|error| ToolError::Retrieval(error.to_string()))?;
        let min_score = min_score.unwrap_or(f32::NEG_INFINITY);
        Ok(hits
            .into_iter()
            .filter(|hit| hit.score >= min_score)
            .map(|hit| hit.text)
            .collect())
    }

    /// The plugins' door: a built-in tool with a JSON object of arguments (checked as the
    /// MCP server checks them), answering typed.
    pub async fn call(
        &self,
        workspace: &Workspace,
        tool: BuiltinTool,
        arguments_json: &str,
    ) -> Result<ToolAnswer, ToolError> {
        let arguments: Value = if arguments_json.trim().is_empty() {
            json!({})
        } else {
            serde_json::from_str(arguments_json).map_err(|error| {
                ToolError::BadArgument(format!("the arguments of {tool} are not JSON: {error}"))
            })?
        };
        let name = tool.name();
        match tool {
            BuiltinTool::RagSearch => {
                let args: RagSearchArgs = parse_arguments(name, arguments)?;
                Ok(ToolAnswer::Chunks(
                    self.rag_search(&args.query, args.min_score).await?,
                ))
            }
            BuiltinTool::WriteTemp => {
                let args: WriteTempArgs = parse_arguments(name, arguments)?;
                check_code(&args.code)?;
                self.write_temp(workspace, &args.code)?;
                Ok(ToolAnswer::Written { code: args.code })
            }
            BuiltinTool::ExecTemp => {
                let _: ExecTempArgs = parse_arguments(name, arguments)?;
                Ok(ToolAnswer::Executed(self.exec_temp(workspace).await?))
            }
            BuiltinTool::RunPython => {
                let args: RunPythonArgs = parse_arguments(name, arguments)?;
                check_code(&args.code)?;
                let run = self
                    .run_python(workspace, &args.code, args.timeout_secs)
                    .await?;
                Ok(ToolAnswer::Ran {
                    code: args.code,
                    run,
                })
            }
        }
    }

    /// Writes `temp.py` in the session's workspace.
    pub fn write_temp(&self, workspace: &Workspace, code: &str) -> Result<(), ToolError> {
        workspace.write_file(TEMP_SCRIPT, code.as_bytes())?;
        Ok(())
    }

    /// Runs the session's `temp.py`, writes `temp.log`, and reports success and the log.
    pub async fn exec_temp(&self, workspace: &Workspace) -> Result<ExecOutcome, ToolError> {
        if !workspace.holds_file(TEMP_SCRIPT) {
            return Err(ToolError::NothingWritten);
        }
        let execution = self.execute(workspace, TEMP_SCRIPT, &self.limits).await?;
        let log = execution.combined_log();
        workspace.write_file(TEMP_LOG, log.as_bytes())?;
        Ok(ExecOutcome {
            log,
            run: execution,
        })
    }

    /// Writes `code` to `temp.py` and runs it, optionally with a shorter time limit.
    pub async fn run_python(
        &self,
        workspace: &Workspace,
        code: &str,
        timeout_secs: Option<f64>,
    ) -> Result<Execution, ToolError> {
        let mut limits = self.limits.clone();
        limits.timeout = self.turn_limit(timeout_secs)?;
        self.write_temp(workspace, code)?;
        self.execute(workspace, TEMP_SCRIPT, &limits).await
    }

    /// An execution slot: queue, not fail, when many sessions run code at once; but a
    /// bounded queue. The semaphore is never closed.
    async fn execution_slot(&self) -> Result<tokio::sync::SemaphorePermit<'_>, ToolError> {
        let closed = |_| ToolError::Busy("the server is shutting down".to_owned());
        match self.executions.try_acquire() {
            Ok(slot) => Ok(slot),
            Err(_) => {
                let _place =
                    QueuePlace::take(&self.waiting, self.max_waiting).ok_or_else(|| {
                        ToolError::Busy(format!(
                            "{} calls are already waiting to run; try again later",
                            self.max_waiting
                        ))
                    })?;
                self.executions.acquire().await.map_err(closed)
            }
        }
    }

    /// Starts a Python session in `workspace` under the server's limits (its time limit
    /// is each turn's).
    pub async fn start_python_session(
        &self,
        workspace: Arc<Workspace>,
    ) -> Result<PythonSession, ToolError> {
        let _slot = self.execution_slot().await?;
        Ok(self.backend.start_session(workspace, &self.limits).await?)
    }

    /// Runs one turn of `session`, holding an execution slot while it runs.
    pub async fn python_session_turn(
        &self,
        session: &mut PythonSession,
        code: &str,
        timeout_secs: Option<f64>,
    ) -> Result<Result<SessionTurn, SessionEnded>, ToolError> {
        check_code(code)?;
        let timeout = self.turn_limit(timeout_secs)?;
        let _slot = self.execution_slot().await?;
        Ok(session.run(code, timeout).await)
    }

    /// The server's time limit, or a shorter one the caller asks for.
    fn turn_limit(&self, timeout_secs: Option<f64>) -> Result<Duration, ToolError> {
        let Some(seconds) = timeout_secs else {
            return Ok(self.limits.timeout);
        };
        if !(seconds.is_finite() && seconds > 0.0) {
            return Err(ToolError::BadArgument(format!(
                "timeout_secs must be a positive number, not {seconds}"
            )));
        }
        // A caller may shorten the limit, never extend it past the server's; a huge value
        // saturates rather than overflowing a Duration.
        let asked = Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX);
        Ok(self.limits.timeout.min(asked))
    }

    async fn execute(
        &self,
        workspace: &Workspace,
        script: &str,
        limits: &Limits,
    ) -> Result<Execution, ToolError> {
        let _slot = self.execution_slot().await?;
        let request = aucoder_sandbox::RunRequest {
            workspace,
            script,
            limits,
            live: None,
        };
        let first = self.backend.run(request.clone()).await?;
        let Some((module, fallback)) = first.missing_module().and_then(|module| {
            let fallback = self.fallback.as_ref()?;
            fallback.has_module(module).then_some((module, fallback))
        }) else {
            return Ok(first);
        };
        tracing::info!(
            "{} has no module {module}: running the program again on {}",
            first.ran_on,
            fallback.kind()
        );
        let mut again = fallback.run(request).await?;
        again.stderr.insert_str(
            0,
            &format!(
                "[aucoder: {} has no module {module:?}; the program ran again on {} \
                 (--sandbox {})]\n",
                first.ran_on.interpreter(),
                fallback.kind().interpreter(),
                fallback.kind()
            ),
        );
        Ok(again)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aucoder_sandbox::{BackendKind, CpythonBackend, WasmBackend};

    fn tools(fallback: bool) -> Tools {
        let wasm = Arc::new(WasmBackend::shared().expect("the sandbox loads"));
        let tools = Tools::new(Err("no corpus".into()), wasm, Limits::default(), 1, 4);
        if !fallback {
            return tools;
        }
        let cpython = CpythonBackend::shared(true).expect("the CPython runtime loads");
        tools.with_fallback(Arc::new(cpython))
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_program_missing_a_module_cpython_has_runs_again_there_and_says_so() {
        let workspace = Workspace::temporary().unwrap();
        let code = "import numpy\nprint(int(numpy.arange(5).sum()))\n";
        let run = tools(true)
            .run_python(&workspace, code, None)
            .await
            .unwrap();
        assert_eq!(run.ran_on, BackendKind::WasmCpython, "{run:?}");
        assert_eq!(run.stdout, "10\n");
        assert!(run.stderr.contains("no module \"numpy\""), "{run:?}");
        let answer = run_to_json(&run, None);
        assert_eq!(answer["sandbox"], "wasm-cpython");

        // Without the fallback the same program fails on RustPython, and says where it ran.
        let run = tools(false)
            .run_python(&workspace, code, None)
            .await
            .unwrap();
        assert_eq!(run.ran_on, BackendKind::Wasm);
        assert_eq!(run.missing_module(), Some("numpy"));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_module_no_interpreter_has_is_not_run_twice() {
        let workspace = Workspace::temporary().unwrap();
        let code = "import numpy_but_not_really.sub\n";
        let run = tools(true)
            .run_python(&workspace, code, None)
            .await
            .unwrap();
        assert_eq!(run.ran_on, BackendKind::Wasm, "{run:?}");
        assert_eq!(run.missing_module(), Some("numpy_but_not_really"));
        assert!(!run.stderr.contains("ran again"), "{run:?}");
    }
}

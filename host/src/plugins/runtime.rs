//! Compiles, limits and calls agent plugins.
//!
//! A plugin is untrusted code. It gets a WASI context with nothing in it: no preopened
//! folders, no environment or arguments, no sockets, a wall clock frozen at the epoch (the
//! monotonic clock still works, for timing), stdin empty and stderr captured for error
//! messages. Each call gets a fresh store with a fuel budget (so an endless loop ends) and a
//! memory cap (so an allocation spree ends), and the plugin reaches the world only through
//! [`Services`]. A plugin that traps, runs out of fuel or memory, or calls a tool it may not
//! use fails its step with a [`StepError`] that says which of these happened; the host goes
//! on.

use super::bindings::{AgentPlugin, AgentPluginPre, Completion, Host, Task};
use super::services::{NoServices, Services, ToolDenied};
use super::{AgentInfo, Role, StepLimits};
use anyhow::Context;
use aucoder_paths::CompiledArtifact;
use aucoder_sandbox::MemoryLimiter;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::{Engine, Store, Trap};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{HostWallClock, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

/// Bytes of a plugin's stderr kept for error messages. Past it, writes fail (and Rust's
/// `eprintln!` panics), so it is roomy enough for a plugin that prints while it debugs.
const STDERR_CAPTURE_BYTES: usize = 1 << 20;

/// Most bytes one call may copy from a plugin into the host (counted the way wasmtime counts
/// them: string bytes, and list elements at their size in the host).
pub const MAX_TRANSFER_BYTES: usize = 16 << 20;

/// Why a plugin step failed.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    #[error("the plugin reported an error: {0}")]
    Failed(String),
    #[error("the plugin used up its fuel ({fuel} units) and was stopped: an endless loop? (raise --plugin-fuel if it needs more)")]
    OutOfFuel { fuel: u64 },
    #[error("the plugin hit its memory limit of {mib} MiB and was stopped (--plugin-memory)")]
    OutOfMemory { mib: usize },
    #[error("the plugin was stopped because it called a tool it may not use: {0}")]
    ForbiddenTool(String),
    #[error("the plugin crashed: {0}")]
    Trapped(String),
    #[error("the plugin's step ran past {seconds} s and was stopped (--plugin-timeout)")]
    TimedOut { seconds: u64 },
    #[error("the host could not run the plugin: {0}")]
    Host(String),
    #[error("the plugin was stopped: its step had ended")]
    Revoked,
}

/// A finished step: the task the plugin returned and what the step cost.
#[derive(Debug)]
pub struct StepOutcome {
    pub result: Result<Task, StepError>,
    /// Whole step, from instantiation to return.
    pub elapsed: Duration,
    /// The part of `elapsed` spent inside host calls (LLM, tools).
    pub in_host: Duration,
}

impl StepOutcome {
    /// Time the plugin machinery itself cost: instantiation plus the plugin's own code.
    pub fn plugin_overhead(&self) -> Duration {
        self.elapsed.saturating_sub(self.in_host)
    }
}

/// The engine and linker every plugin shares.
pub struct PluginRuntime {
    engine: Engine,
    linker: Linker<PluginState>,
    limits: StepLimits,
}

impl PluginRuntime {
    /// The runtime steps run in; it uses the compute limits (fuel, memory) of `limits`.
    pub fn new(limits: StepLimits) -> anyhow::Result<Self> {
        let mut config = wasmtime::Config::new();
        config
            .consume_fuel(true)
            .epoch_interruption(true)
            .wasm_component_model(true);
        let engine = from_wasmtime(Engine::new(&config)).context("creating the plugin engine")?;
        aucoder_sandbox::start_epoch_ticker(&engine);
        let mut linker = Linker::new(&engine);
        from_wasmtime(wasmtime_wasi::p2::add_to_linker_sync(&mut linker))
            .context("adding WASI to the plugin linker")?;
        from_wasmtime(AgentPlugin::add_to_linker::<_, HasSelf<PluginState>>(
            &mut linker,
            |state| state,
        ))
        .context("adding the host interface to the plugin linker")?;
        Ok(Self {
            engine,
            linker,
            limits,
        })
    }

    /// Compiles a component, checks that it implements the agent world, and asks it who it
    /// is. `origin` names the plugin in errors (a file path, or "built-in coder").
    pub fn load(&self, bytes: &[u8], origin: &str) -> anyhow::Result<LoadedPlugin> {
        let component = self.compile(bytes, origin)?;
        self.prepare(component, origin)
    }

    /// [`PluginRuntime::load`] for the built-in agents, whose compiled code is kept in
    /// `cache_dir` (named by the component's hash and the engine's configuration) so that a
    /// run maps it in instead of compiling five components (about 0.3 s) at every start.
    pub fn load_cached(
        &self,
        bytes: &[u8],
        origin: &str,
        cache_dir: &Path,
    ) -> anyhow::Result<LoadedPlugin> {
        let artifact = self.artifact(bytes, cache_dir);
        let (component, _) = artifact.load_or_compile(
            origin,
            // SAFETY: the artifact was written by `Component::serialize` of these same bytes
            // (their hash is in its name) with this engine configuration (also in its name),
            // atomically, into the user's own cache.
            |path| unsafe { Component::deserialize_file(&self.engine, path) },
            || self.compile(bytes, origin),
            Component::serialize,
        )?;
        self.prepare(component, origin)
    }

    /// The compiled component's cache entry in `cache_dir`, named for the component's bytes
    /// and the engine's configuration.
    pub fn artifact(&self, bytes: &[u8], cache_dir: &Path) -> CompiledArtifact {
        CompiledArtifact::new(
            cache_dir,
            &hex::encode(Sha256::digest(bytes))[..16],
            self.engine.precompile_compatibility_hash(),
        )
    }

    fn compile(&self, bytes: &[u8], origin: &str) -> anyhow::Result<Component> {
        from_wasmtime(Component::new(&self.engine, bytes)).with_context(|| not_an_agent(origin))
    }

    /// A component built for another version of the contract is refused with both versions
    /// named, rather than with a linker error about a missing import.
    fn check_contract_version(&self, component: &Component, origin: &str) -> anyhow::Result<()> {
        let kind = component.component_type();
        let names = kind
            .imports(&self.engine)
            .map(|(name, _)| name)
            .chain(kind.exports(&self.engine).map(|(name, _)| name));
        for name in names {
            let Some(interface) = name.strip_prefix(CONTRACT_PACKAGE) else {
                continue;
            };
            let version = interface
                .rsplit_once('@')
                .map_or("", |(_, version)| version);
            if version != CONTRACT_VERSION {
                anyhow::bail!(
                    "{origin} was built for aucoder:agent@{} but this aucoder runs plugins of \
                     aucoder:agent@{CONTRACT_VERSION}: rebuild it against plugins/wit/agent.wit \
                     (docs/plugins.md says what changed)",
                    if version.is_empty() {
                        "(no version)"
                    } else {
                        version
                    }
                );
            }
        }
        Ok(())
    }

    fn prepare(&self, component: Component, origin: &str) -> anyhow::Result<LoadedPlugin> {
        self.check_contract_version(&component, origin)?;
        let not_an_agent = || not_an_agent(origin);
        let instance_pre =
            from_wasmtime(self.linker.instantiate_pre(&component)).with_context(not_an_agent)?;
        let pre = from_wasmtime(AgentPluginPre::new(instance_pre)).with_context(not_an_agent)?;
        let mut plugin = LoadedPlugin {
            pre,
            info: AgentInfo {
                name: String::new(),
                role: Role::Coder,
                version: String::new(),
                description: String::new(),
            },
            origin: origin.to_owned(),
        };
        plugin.info = self
            .describe(&plugin)
            .with_context(|| format!("{origin}: describe() failed"))?;
        Ok(plugin)
    }

    fn describe(&self, plugin: &LoadedPlugin) -> anyhow::Result<AgentInfo> {
        let (mut store, stderr) = self.store(Arc::new(NoServices))?;
        let instance = plugin.pre.instantiate(&mut store)?;
        instance
            .aucoder_agent_agent()
            .call_describe(&mut store)
            .map_err(|error| anyhow::anyhow!("{}", self.classify(&store, &stderr, error)))
    }

    /// Runs one step: a fresh instance, the task in, the changed task out.
    pub fn run(
        &self,
        plugin: &LoadedPlugin,
        task: &Task,
        services: Arc<dyn Services>,
    ) -> StepOutcome {
        let started = Instant::now();
        let (result, in_host) = match self.store(services) {
            Err(error) => (
                Err(StepError::Trapped(format!("{error:#}"))),
                Duration::ZERO,
            ),
            Ok((mut store, stderr)) => {
                let result = match plugin.pre.instantiate(&mut store) {
                    Err(error) => Err(self.classify(&store, &stderr, error)),
                    Ok(instance) => match instance.aucoder_agent_agent().call_run(&mut store, task)
                    {
                        Ok(reply) => reply.map_err(StepError::Failed),
                        Err(error) => Err(self.classify(&store, &stderr, error)),
                    },
                };
                (result, store.data().in_host)
            }
        };
        StepOutcome {
            result,
            elapsed: started.elapsed(),
            in_host,
        }
    }

    fn store(
        &self,
        services: Arc<dyn Services>,
    ) -> anyhow::Result<(Store<PluginState>, MemoryOutputPipe)> {
        let stderr = MemoryOutputPipe::new(STDERR_CAPTURE_BYTES);
        let wasi = WasiCtxBuilder::new()
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .wall_clock(FrozenWallClock)
            .build();
        let state = PluginState {
            wasi,
            table: ResourceTable::new(),
            memory: MemoryLimiter::new(self.limits.memory_bytes),
            services,
            denied: None,
            in_host: Duration::ZERO,
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.memory);
        from_wasmtime(store.set_fuel(self.limits.fuel)).context("setting the plugin's fuel")?;
        // What one call may copy out of the plugin (its task, a prompt, tool arguments),
        // so a reply of millions of tiny strings cannot make the host hold more than this.
        store.set_hostcall_fuel(MAX_TRANSFER_BYTES);
        // Every tick, ask whether the step is still wanted; a revoked step traps.
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(|context| {
            if context.data().services.revoked() {
                Err(Trap::Interrupt.into())
            } else {
                Ok(wasmtime::UpdateDeadline::Continue(1))
            }
        });
        Ok((store, stderr))
    }

    /// Says which limit stopped a plugin, from what the store saw.
    fn classify(
        &self,
        store: &Store<PluginState>,
        stderr: &MemoryOutputPipe,
        error: wasmtime::Error,
    ) -> StepError {
        let state = store.data();
        if state.services.revoked() {
            return StepError::Revoked;
        }
        if let Some(denied) = &state.denied {
            return StepError::ForbiddenTool(denied.clone());
        }
        if error.downcast_ref::<Trap>() == Some(&Trap::OutOfFuel) {
            return StepError::OutOfFuel {
                fuel: self.limits.fuel,
            };
        }
        // Any other trap after a refused growth is the guest's allocator giving up.
        if state.memory.was_hit() {
            return StepError::OutOfMemory {
                mib: self.limits.memory_bytes >> 20,
            };
        }
        // The trap itself, not wasmtime's backtrace of a plugin without symbols.
        let mut message = match error.downcast_ref::<Trap>() {
            Some(trap) => trap.to_string(),
            None => error.root_cause().to_string(),
        };
        let printed = String::from_utf8_lossy(&stderr.contents())
            .trim()
            .to_owned();
        if !printed.is_empty() {
            let last_lines: Vec<&str> = printed.lines().rev().take(5).collect();
            let last_lines: Vec<&str> = last_lines.into_iter().rev().collect();
            message.push_str(&format!("; it printed: {}", last_lines.join(" / ")));
        }
        StepError::Trapped(message)
    }
}

/// The contract's package, as component import and export names begin with it.
const CONTRACT_PACKAGE: &str = "aucoder:agent/";
/// The contract version this host speaks (plugins/wit/agent.wit).
pub const CONTRACT_VERSION: &str = "0.2.0";

fn not_an_agent(origin: &str) -> String {
    format!(
        "{origin} is not an aucoder agent plugin (a WebAssembly component of the world \
         aucoder:agent/agent-plugin@{CONTRACT_VERSION})"
    )
}

/// wasmtime's own error type, as an `anyhow` error that can take context.
fn from_wasmtime<T>(result: wasmtime::Result<T>) -> anyhow::Result<T> {
    result.map_err(anyhow::Error::from)
}

/// A compiled plugin, ready to instantiate, and what it said about itself.
pub struct LoadedPlugin {
    pre: AgentPluginPre<PluginState>,
    pub info: AgentInfo,
    /// Where it came from, for `plugins list` and error messages.
    pub origin: String,
}

impl LoadedPlugin {
    /// `name@version`, for logs.
    pub fn label(&self) -> String {
        format!("{}@{}", self.info.name, self.info.version)
    }
}

/// The host state of one plugin call.
pub struct PluginState {
    wasi: WasiCtx,
    table: ResourceTable,
    /// A Rust guest aborts when an allocation fails; the limiter tells that trap apart.
    memory: MemoryLimiter,
    services: Arc<dyn Services>,
    /// Set when the plugin called a tool it may not use.
    denied: Option<String>,
    /// Time spent inside `complete` and `call-tool`.
    in_host: Duration,
}

impl WasiView for PluginState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl Host for PluginState {
    fn complete(&mut self, request: Completion) -> Result<String, String> {
        let started = Instant::now();
        let answer = self.services.complete(request);
        self.in_host += started.elapsed();
        answer
    }

    fn complete_many(
        &mut self,
        request: Completion,
        temperatures: Vec<f32>,
    ) -> Result<Vec<String>, String> {
        let started = Instant::now();
        let answer = self.services.complete_many(request, temperatures);
        self.in_host += started.elapsed();
        answer
    }

    fn call_tool(
        &mut self,
        name: String,
        arguments_json: String,
    ) -> wasmtime::Result<Result<String, String>> {
        let started = Instant::now();
        let answer = self.services.call_tool(&name, &arguments_json);
        self.in_host += started.elapsed();
        match answer {
            Ok(result) => Ok(result),
            Err(ToolDenied(reason)) => {
                self.denied = Some(reason.clone());
                Err(wasmtime::Error::msg(reason))
            }
        }
    }

    fn log(&mut self, message: String) {
        self.services.log(&message);
    }
}

impl super::bindings::aucoder::agent::types::Host for PluginState {}

/// Plugins get no wall-clock time: nothing an agent does should depend on the date.
struct FrozenWallClock;

impl HostWallClock for FrozenWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }

    fn now(&self) -> Duration {
        Duration::ZERO
    }
}

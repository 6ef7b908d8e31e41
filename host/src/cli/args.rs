//! The command line: every flag, its default and its help text, and how flags become the
//! library's plain settings.

use aucoder_agents::plugins::{parse_role, Role, StepLimits};
use aucoder_sandbox::{BackendKind, Limits};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "aucoder",
    version,
    about = "A local, sandboxed code-generating agent host",
    long_about = "aucoder writes, runs and fixes Python with a local LLM. Generated code runs in \
                  a WebAssembly sandbox (RustPython in wasmtime) that sees one workspace folder \
                  and nothing else of the host.\n\n\
                  Main job: aucoder [FLAGS] \"REQUEST\" runs five agents (retriever, planner, \
                  coder, executor, debugger) until the program works, writes final_code.py and \
                  appends every step to aucoder-log.jsonl. Flag defaults can be set in \
                  ~/.config/aucoder/config.toml and in aucoder.toml (found upward from the \
                  working folder).",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub job: JobArgs,
}

/// The main job: a request in, a working program out.
#[derive(Debug, Args)]
pub struct JobArgs {
    #[command(flatten)]
    pub sandbox: SandboxArgs,

    #[command(flatten)]
    pub llm: LlmArgs,

    #[command(flatten)]
    pub plugins: PluginArgs,

    /// Most rounds of coder, executor and debugger.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=50))]
    pub max_rounds: u32,

    /// Folder of documents for retrieval. Default: ./utils when it exists, else the
    /// built-in corpus.
    #[arg(long, env = "AUCODER_UTILS", value_name = "DIR")]
    pub utils: Option<PathBuf>,

    /// Where the working program is written (atomically; only on success).
    #[arg(long, default_value = "final_code.py", value_name = "FILE")]
    pub out: PathBuf,

    /// The run log: one JSON line per step, appended.
    #[arg(long, default_value = "aucoder-log.jsonl", value_name = "FILE")]
    pub log: PathBuf,

    /// Print one JSON summary object on stdout instead of the live display.
    #[arg(long)]
    pub json: bool,

    /// Sampling seed for every completion.
    #[arg(long, default_value_t = 42)]
    pub seed: u32,

    #[command(flatten)]
    pub selection: SelectionArgs,

    /// What to build, e.g. "write a quick sort example and print the sorted result".
    #[arg(value_name = "REQUEST")]
    pub prompt: Option<String>,
}

/// How each round's program is chosen and judged.
#[derive(Debug, Clone, Args)]
pub struct SelectionArgs {
    /// Candidate programs the coder samples per round, generated together in one batch; the
    /// host runs them all and chooses by agreement on the checks.
    #[arg(long, default_value_t = aucoder_agents::orchestrator::DEFAULT_CANDIDATES, value_parser = clap::value_parser!(u32).range(1..=8))]
    pub candidates: u32,

    /// Run no checks: the round's program is chosen by agreement of the candidates' outputs
    /// alone and the judge decides (for measuring what the checks bring).
    #[arg(long)]
    pub no_checks: bool,

    /// The landed loop before checks: one candidate, no checks, the judge decides
    /// (`--candidates 1 --no-checks`).
    #[arg(long)]
    pub judge_only: bool,
}

/// Which agent plugins a run uses and how they are limited.
#[derive(Debug, Clone, Args)]
pub struct PluginArgs {
    /// Folder of agent plugins (.wasm); a plugin replaces the default agent of the role its
    /// describe() names. ~/.config/aucoder/plugins is always read first; a project's own
    /// ./plugins is never read unless named here.
    #[arg(long, env = "AUCODER_PLUGINS", value_name = "DIR")]
    pub plugins: Option<PathBuf>,

    /// Use this plugin for a role, whatever it describes (repeatable):
    /// --agent coder=my_coder.wasm
    #[arg(long = "agent", value_name = "ROLE=FILE", value_parser = parse_agent)]
    pub agents: Vec<(Role, PathBuf)>,

    /// Fuel per agent step (about one unit per WebAssembly instruction; waiting for the LLM
    /// or a tool costs none). A plugin that uses it all is stopped.
    #[arg(long, default_value_t = StepLimits::DEFAULT.fuel, value_parser = clap::value_parser!(u64).range(1_000_000..))]
    pub plugin_fuel: u64,

    /// Memory limit per agent plugin, in MiB.
    #[arg(long, default_value_t = (StepLimits::DEFAULT.memory_bytes >> 20) as u64, value_parser = clap::value_parser!(u64).range(16..=4096))]
    pub plugin_memory: u64,

    /// Wall-clock limit of one agent step, in seconds, LLM and tool time included.
    #[arg(long, default_value_t = StepLimits::DEFAULT.timeout.as_secs(), value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub plugin_timeout: u64,
}

impl PluginArgs {
    pub fn step_limits(&self) -> StepLimits {
        StepLimits::builder()
            .fuel(self.plugin_fuel)
            .memory_bytes(usize::try_from(self.plugin_memory << 20).unwrap_or(usize::MAX))
            .timeout(std::time::Duration::from_secs(self.plugin_timeout))
            .build()
    }
}

fn parse_agent(text: &str) -> Result<(Role, PathBuf), String> {
    let (role, file) = text
        .split_once('=')
        .ok_or_else(|| format!("expected ROLE=FILE, e.g. coder=my_coder.wasm, not {text:?}"))?;
    let role = parse_role(role).ok_or_else(|| {
        format!(
            "unknown role {role:?}; the roles are retriever, planner, coder, executor, debugger"
        )
    })?;
    if file.is_empty() {
        return Err("the plugin file is missing after '='".to_owned());
    }
    Ok((role, PathBuf::from(file)))
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a Python file (or `-` for stdin) in a sandbox and exit with its exit code.
    ///
    /// Exit codes: the program's own; 124 when the time limit stopped it, 125 when the memory
    /// limit did, 126 when the interpreter trapped; 2 for bad input to aucoder itself.
    Run(RunArgs),

    /// Ask the configured LLM one question and stream the answer (checks a setup).
    Ask(AskArgs),

    /// Index the retrieval corpus (embeds only new or changed files).
    Index(CorpusArgs),

    /// Print the corpus chunks most similar to a query.
    Search(SearchArgs),

    /// Serve the tools RAG_Search, WriteTemp, ExecTemp, run_python and Python sessions over MCP
    /// (`aucoder mcp config CLIENT` prints the setup for an MCP client).
    Mcp(McpArgs),

    /// Manage the local model cache.
    #[command(subcommand)]
    Models(ModelsCommand),

    /// Show the agent plugins a run would use.
    #[command(subcommand)]
    Plugins(PluginsCommand),
}

#[derive(Debug, Subcommand)]
pub enum PluginsCommand {
    /// List every plugin found, by role, with its version and where it came from.
    List(PluginArgs),
}

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Fetch a model (default: the default model) into the cache and verify it.
    Pull {
        /// A known model name (`aucoder models list` shows them).
        #[arg(value_name = "NAME", conflicts_with = "model")]
        name: Option<String>,
        /// The same as NAME.
        #[arg(long, hide = true)]
        model: Option<String>,
    },
    /// List the known models (which is the default, which are fetched) and other GGUF files
    /// in the cache.
    List,
    /// Print the path of a model (default: the one a run would use), fetching it if needed.
    Path {
        /// A known model name.
        #[arg(value_name = "NAME")]
        name: Option<String>,
        #[command(flatten)]
        llm: LlmArgs,
    },
}

/// The retrieval corpus.
#[derive(Debug, Clone, Args)]
pub struct CorpusArgs {
    /// Folder of documents for retrieval (txt, md, rst, code, json, toml, yaml, pdf, docx).
    /// Default: ./utils when it exists, else the built-in corpus.
    #[arg(long, env = "AUCODER_UTILS", value_name = "DIR")]
    pub utils: Option<PathBuf>,

    /// Never download the embedding model; fail with instructions instead.
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    #[command(flatten)]
    pub corpus: CorpusArgs,

    /// How many chunks to print.
    #[arg(short, long, default_value_t = 3)]
    pub k: usize,

    pub query: String,
}

/// The newest MCP protocol the server offers (older clients negotiate down).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Protocol {
    /// Sessions by handshake: WriteTemp then ExecTemp share a workspace without ids.
    #[value(name = "2025-11-25")]
    Sessions,
    /// Also the stateless generation: its clients keep state by the ids workspace_create
    /// and python_session_start issue.
    #[value(name = "2026-07-28")]
    Stateless,
}

/// How the MCP server listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Transport {
    /// Streamable HTTP at /mcp.
    Http,
    /// JSON-RPC over stdin/stdout (for clients that start the server themselves).
    Stdio,
}

#[derive(Debug, Subcommand)]
pub enum McpAction {
    /// Print what adds aucoder's MCP server (over stdio) to a client: a JSON file's contents
    /// on stdout, where the file goes on stderr (for claude-code, the command to run).
    Config {
        #[arg(value_enum)]
        client: McpClientKind,
    },
}

/// MCP clients `aucoder mcp config` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum McpClientKind {
    ClaudeDesktop,
    ClaudeCode,
    Cursor,
    Vscode,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct McpArgs {
    #[command(subcommand)]
    pub action: Option<McpAction>,

    #[command(flatten)]
    pub sandbox: SandboxArgs,

    #[command(flatten)]
    pub corpus: CorpusArgs,

    #[arg(long, value_enum, default_value_t = Transport::Http)]
    pub transport: Transport,

    /// The newest MCP protocol offered; clients that try 2026-07-28 first (fastmcp) fall
    /// back to 2025-11-25's sessions unless it is offered.
    #[arg(long, value_enum, default_value_t = Protocol::Sessions)]
    pub protocol: Protocol,

    /// Address for the HTTP transport. A non-loopback address requires --token.
    #[arg(long, default_value = "127.0.0.1:8765")]
    pub bind: std::net::SocketAddr,

    /// Require `Authorization: Bearer TOKEN` on every HTTP request.
    #[arg(long, env = "AUCODER_MCP_TOKEN", hide_env_values = true)]
    pub token: Option<String>,

    /// Most programs running at once; more calls wait their turn.
    #[arg(long, default_value_t = 4, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=256))]
    pub max_executions: usize,

    /// Seconds of inactivity after which a session and its workspace are removed.
    #[arg(long, default_value_t = 1800, value_parser = clap::value_parser!(u64).range(1..))]
    pub session_idle_secs: u64,

    /// Largest accepted request body, in MiB (a program may be 4 MiB; JSON escapes add some).
    #[arg(long, default_value_t = 8, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=256))]
    pub max_body_mib: usize,

    /// Most sessions holding a workspace at once; with --disk this bounds the disk all
    /// sessions use. New sessions beyond it are refused (503).
    #[arg(long, default_value_t = 64, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=4096))]
    pub max_sessions: usize,

    /// Most Python sessions (python_session_start) open at once; each keeps an interpreter
    /// of up to --memory MiB, so this times --memory bounds what they hold.
    #[arg(long, default_value_t = 8, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=256))]
    pub max_python_sessions: usize,

    /// Most calls waiting for a free execution slot; more are refused as busy.
    #[arg(long, default_value_t = 64, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=4096))]
    pub max_queue: usize,

    /// Most HTTP requests in flight at once; more get 429.
    #[arg(long, default_value_t = 96, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=4096))]
    pub max_requests: usize,
}

/// Which LLM answers: the embedded model (default) or an OpenAI-compatible server.
#[derive(Debug, Clone, Args)]
pub struct LlmArgs {
    /// Use an OpenAI-compatible server (vLLM, Ollama, llama-server, ...) at this URL instead
    /// of the embedded model. The API key comes from AUCODER_API_KEY or OPENAI_API_KEY.
    #[arg(long, env = "AUCODER_LLM_URL", value_name = "URL")]
    pub llm_url: Option<String>,

    /// Model name: the served model with --llm-url, or a known embedded model.
    #[arg(long, env = "AUCODER_MODEL")]
    pub model: Option<String>,

    /// A GGUF file for the embedded backend (skips the model store).
    #[arg(long, env = "AUCODER_MODEL_PATH", value_name = "FILE")]
    pub model_path: Option<PathBuf>,

    /// CPU threads for the embedded model (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,

    /// Context window of the embedded model, in tokens.
    #[arg(long, default_value_t = 8192)]
    pub context: u32,

    /// Use this llama.cpp chat template (e.g. `chatml`) instead of the model's own.
    #[arg(long)]
    pub chat_template: Option<String>,

    /// Time limit for one request to an LLM server, in seconds; also how long a server that
    /// is still loading its model (503) is waited for.
    #[arg(long, default_value_t = 300.0, value_parser = positive_seconds)]
    pub llm_timeout: f64,

    /// Never download a missing model; fail with instructions instead.
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, Args)]
pub struct AskArgs {
    #[command(flatten)]
    pub llm: LlmArgs,

    /// System message.
    #[arg(long, default_value = "You are a helpful, concise assistant.")]
    pub system: String,

    /// Most tokens to generate.
    #[arg(long, default_value_t = 512)]
    pub max_tokens: u32,

    /// Sampling temperature (0 = greedy).
    #[arg(long, default_value_t = 0.2)]
    pub temperature: f32,

    /// Seed for sampling.
    #[arg(long, default_value_t = 42)]
    pub seed: u32,

    /// Constrain the answer to JSON matching this schema (inline JSON or a file path).
    #[arg(long, value_name = "SCHEMA")]
    pub json_schema: Option<String>,

    /// The question.
    pub question: String,
}

/// Where generated code runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum SandboxChoice {
    /// RustPython in wasmtime: only the workspace folder is visible; time, memory, output
    /// and disk are limited. The default.
    #[default]
    Wasm,
    /// CPython 3.15 with numpy, pandas, scipy, scikit-learn and matplotlib in wasmtime,
    /// under the same limits; fetched (about 100 MB) and compiled on first use.
    WasmCpython,
    /// `conda run -n ENV python`: NOT a sandbox; full access to the host. Trusted code only.
    Conda,
    /// A plain CPython subprocess: NOT a sandbox; full access to the host. Trusted code only.
    Python,
}

impl From<SandboxChoice> for BackendKind {
    fn from(choice: SandboxChoice) -> Self {
        match choice {
            SandboxChoice::Wasm => BackendKind::Wasm,
            SandboxChoice::WasmCpython => BackendKind::WasmCpython,
            SandboxChoice::Conda => BackendKind::Conda,
            SandboxChoice::Python => BackendKind::Python,
        }
    }
}

/// Sandbox choice and limits, shared by every command that runs code.
#[derive(Debug, Clone, Args)]
pub struct SandboxArgs {
    /// Where code runs. `conda` and `python` are NOT sandboxes: use them for trusted code.
    #[arg(long, value_enum, default_value_t = SandboxChoice::Wasm, env = "AUCODER_SANDBOX")]
    pub sandbox: SandboxChoice,

    /// Wall-clock limit per run, in seconds (sleeping counts).
    #[arg(long, default_value_t = Limits::DEFAULT.timeout.as_secs_f64(), value_parser = positive_seconds)]
    pub timeout: f64,

    /// Memory limit per run, in MiB (wasm sandbox).
    #[arg(long, default_value_t = Limits::DEFAULT.memory_bytes >> 20, value_parser = clap::value_parser!(u64).range(8..=16384))]
    pub memory: u64,

    /// Captured output per stream, in KiB; the excess is dropped and marked.
    #[arg(long, default_value_t = (Limits::DEFAULT.output_bytes >> 10) as u64, value_parser = clap::value_parser!(u64).range(1..=1048576))]
    pub output_limit: u64,

    /// Disk space the program may use in its workspace, in MiB (wasm sandbox).
    #[arg(long, default_value_t = Limits::DEFAULT.disk_bytes >> 20, value_parser = clap::value_parser!(u64).range(1..=1048576))]
    pub disk: u64,

    /// Allow --sandbox conda/python for generated or client code, which then runs
    /// unsandboxed on this host (the main job and `aucoder mcp` refuse them without it).
    #[arg(long)]
    pub allow_unsandboxed: bool,

    /// Do not run again on the CPython sandbox a program that failed on RustPython for want
    /// of a module CPython has (numpy, pandas, ...). The rerun happens only when that
    /// sandbox is installed (after one `--sandbox wasm-cpython` run).
    #[arg(long)]
    pub no_cpython_fallback: bool,

    /// Conda environment for `--sandbox conda`.
    #[arg(long, default_value = aucoder_sandbox::DEFAULT_CONDA_ENV, env = "AUCODER_CONDA_ENV")]
    pub conda_env: String,

    /// Interpreter for `--sandbox python`.
    #[arg(long, default_value = aucoder_sandbox::DEFAULT_PYTHON, env = "AUCODER_PYTHON")]
    pub python: String,
}

fn positive_seconds(text: &str) -> Result<f64, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0 {
        Ok(seconds)
    } else {
        Err("must be more than 0 and at most 86400 seconds".to_owned())
    }
}

impl SandboxArgs {
    /// Refuses a backend that is no sandbox unless `--allow-unsandboxed` says the code it
    /// will run is trusted.
    pub fn check_isolation(&self, whose_code: &str) -> anyhow::Result<()> {
        let kind = BackendKind::from(self.sandbox);
        if !kind.is_isolated() && !self.allow_unsandboxed {
            anyhow::bail!(
                "--sandbox {kind} runs {whose_code} directly on this host, outside any \
                 sandbox; pass --allow-unsandboxed if you trust it, or use --sandbox wasm"
            );
        }
        Ok(())
    }

    pub fn limits(&self) -> Limits {
        Limits::builder()
            .timeout(std::time::Duration::from_secs_f64(self.timeout))
            .memory_bytes(self.memory << 20)
            .output_bytes(usize::try_from(self.output_limit << 10).unwrap_or(usize::MAX))
            .disk_bytes(self.disk << 20)
            .build()
    }

    /// The backend that reruns what RustPython lacks a module for, when there is one to use.
    pub fn fallback(&self) -> Option<std::sync::Arc<dyn aucoder_sandbox::Backend>> {
        if self.no_cpython_fallback
            || BackendKind::from(self.sandbox) != BackendKind::Wasm
            || !aucoder_sandbox::CpythonBackend::is_prepared()
        {
            return None;
        }
        match aucoder_sandbox::CpythonBackend::shared(false) {
            Ok(backend) => Some(std::sync::Arc::new(backend)),
            Err(error) => {
                tracing::warn!("the CPython fallback is off: {error}");
                None
            }
        }
    }

    pub fn backend_config(&self) -> aucoder_sandbox::BackendConfig {
        aucoder_sandbox::BackendConfig {
            conda_env: self.conda_env.clone(),
            python_exe: self.python.clone(),
            ..Default::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub sandbox: SandboxArgs,

    /// Run in this folder instead of a fresh temporary one. It is the only host folder the
    /// program sees (read-write) and it is kept afterwards.
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,

    /// Print one JSON object when the program ends (sandbox, interpreter, exit_code,
    /// stdout, stderr, timed_out, out_of_memory, output_truncated, duration_ms) instead of
    /// streaming its output.
    #[arg(long)]
    pub json: bool,

    /// The Python file to run, or `-` to read the program from stdin.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

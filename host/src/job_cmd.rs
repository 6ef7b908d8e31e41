//! The main job, `aucoder [flags] "request"`: sets up the LLM, the corpus, the sandbox and
//! the agent plugins, runs the orchestrator with a live display and a JSON-lines run log,
//! and writes the working program.

use crate::cli::{JobArgs, PluginArgs};
use crate::config::Config;
use crate::llm_setup::build_llm;
use crate::mcp_client::{server_of, ExternalTools, McpServer};
use crate::orchestrator::{
    Observer, Orchestrator, RunOptions, RunReport, StepRecord, TrialsRecord,
};
use crate::plugins::catalog::PluginSources;
use crate::plugins::{role_name, Catalog, PluginRuntime, Role, ROLES};
use crate::rag_cmd;
use crate::tools::Tools;
use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use std::collections::HashMap;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Exit code of a run that found no working program.
pub const NO_PROGRAM_EXIT: u8 = 1;

pub fn run(args: JobArgs, config: Config) -> anyhow::Result<ExitCode> {
    let Some(prompt) = args
        .prompt
        .clone()
        .filter(|prompt| !prompt.trim().is_empty())
    else {
        bail!(
            "say what to build, e.g. aucoder --sandbox wasm \"write a quick sort example and \
             print the sorted result\" (aucoder --help lists the commands)"
        );
    };
    args.sandbox
        .check_isolation("the programs the model writes")?;
    let runtime = crate::async_runtime()?;
    let outcome = runtime.block_on(job(args, prompt, config));
    // A revoked plugin blocked in WASI (a sleep) may still hold a runtime thread, unable to
    // reach the host; do not wait for it to exit.
    runtime.shutdown_background();
    outcome
}

/// Loads the plugin catalog the flags describe (built-ins, folders, `--agent`).
pub fn load_catalog(args: &PluginArgs) -> anyhow::Result<Catalog> {
    let runtime = PluginRuntime::new(args.step_limits())?;
    let sources = PluginSources::standard(args.plugins.as_deref(), args.agents.clone());
    Catalog::load(Arc::new(runtime), &sources)
}

async fn job(args: JobArgs, prompt: String, config: Config) -> anyhow::Result<ExitCode> {
    let allowed_tools = tool_lists_by_role(&config)?;
    // Only servers some role may use are started.
    let used_servers: std::collections::BTreeMap<String, McpServer> = config
        .mcp_servers
        .iter()
        .filter(|(name, _)| {
            config
                .allowed_tools
                .values()
                .flatten()
                .any(|tool| server_of(tool) == Some(name.as_str()))
        })
        .map(|(name, server)| (name.clone(), server.clone()))
        .collect();
    let external = Arc::new(ExternalTools::connect(&used_servers).await?);
    // Off the async runtime's thread: WASI calls a plugin makes in describe() (a panic
    // message on stderr, say) block on the runtime and must not run inside it.
    let plugin_args = args.plugins.clone();
    let catalog = Arc::new(
        tokio::task::spawn_blocking(move || load_catalog(&plugin_args))
            .await
            .context("the plugin loading thread failed")??,
    );
    let backend =
        aucoder_sandbox::backend(args.sandbox.sandbox.into(), &args.sandbox.backend_config())
            .context("preparing the sandbox")?;
    let corpus = args.utils.clone();
    let offline = args.llm.offline;
    let rag = tokio::task::spawn_blocking(move || {
        rag_cmd::open_corpus_dir(corpus.as_deref(), offline, true)
    })
    .await
    .context("the indexing thread failed")?
    .map(Arc::new)
    .map_err(|error| {
        tracing::warn!("retrieval is off: {error:#}");
        format!("{error:#}")
    });
    let tools = Arc::new(Tools::new(rag, backend, args.sandbox.limits(), 1, 64));
    let llm = build_llm(&args.llm).await?;

    let display = Arc::new(LiveDisplay::new(&args, &llm.describe(), &catalog)?);
    let orchestrator = Orchestrator::new(
        catalog,
        llm.clone(),
        tools,
        external,
        display.clone(),
        RunOptions {
            max_rounds: args.max_rounds,
            seed: args.seed,
            allowed_tools,
            step_limits: args.plugins.step_limits(),
            candidates: if args.selection.judge_only {
                1
            } else {
                args.selection.candidates
            },
            checks: !(args.selection.no_checks || args.selection.judge_only),
        },
    );
    let report = orchestrator.run(&prompt).await?;
    display.finish();
    let written = report
        .code
        .as_ref()
        .map(|code| {
            aucoder_sandbox::write_atomically(&args.out, code.as_bytes())
                .with_context(|| format!("writing {}", args.out.display()))
        })
        .transpose();
    // The run log gets its summary even when the program could not be saved.
    display.log_summary(&report, &args.out);
    written?;
    if args.json {
        let mut summary = serde_json::to_value(&report)?;
        summary["request"] = json!(prompt);
        summary["llm"] = json!(llm.describe());
        summary["out"] = json!(report.code.as_ref().map(|_| args.out.display().to_string()));
        summary["log"] = json!(args.log.display().to_string());
        println!("{summary}");
    } else {
        print_summary(&report, &args.out);
    }
    Ok(if report.success {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(NO_PROGRAM_EXIT)
    })
}

/// Every `[tools]` entry must name a role, and each tool a built-in one or `server.tool` of
/// a configured MCP server: a typo should fail at start, not as a forbidden call mid-run.
/// The config file's `[tools]` lists, checked: every key a role, every tool built in or
/// of a configured server.
fn tool_lists_by_role(config: &Config) -> anyhow::Result<HashMap<Role, Vec<String>>> {
    let mut lists = HashMap::new();
    for (role, tools) in &config.allowed_tools {
        let Some(parsed) = crate::plugins::parse_role(role) else {
            bail!(
                "the config file's [tools] names {role:?}, which is not a role (retriever, \
                 planner, coder, executor, debugger)"
            );
        };
        for tool in tools {
            let external =
                server_of(tool).is_some_and(|server| config.mcp_servers.contains_key(server));
            if !external && crate::tools::BuiltinTool::named(tool).is_none() {
                bail!(
                    "the config file's [tools] list for the {role} names {tool:?}, which is \
                     neither a built-in tool ({}) nor server.tool of an [mcp_servers] entry",
                    crate::tools::BuiltinTool::list()
                );
            }
        }
        lists.insert(parsed, tools.clone());
    }
    Ok(lists)
}

fn print_summary(report: &RunReport, out: &Path) {
    if report.success {
        if let Some(output) = &report.output {
            println!("{}", output.trim_end());
        }
        eprintln!(
            "aucoder: done in {:.1} s: {}; wrote {}",
            report.duration_ms as f64 / 1000.0,
            report.summary,
            out.display()
        );
    } else {
        eprintln!(
            "aucoder: failed after {:.1} s: {}",
            report.duration_ms as f64 / 1000.0,
            report.summary
        );
    }
}

/// The live display (a spinner with the current agent, round and speed, and one line per
/// finished step) and the JSON-lines run log.
struct LiveDisplay {
    bar: ProgressBar,
    quiet: bool,
    max_rounds: u32,
    log: Mutex<Option<std::fs::File>>,
    log_path: std::path::PathBuf,
    run_id: String,
    current: Mutex<(Role, u32)>,
}

impl LiveDisplay {
    fn new(args: &JobArgs, llm: &str, catalog: &Catalog) -> anyhow::Result<Self> {
        // Never through a link: a planted `aucoder-log.jsonl -> ~/.bashrc` would otherwise
        // have the run append to whatever it points at. Only regular files are appended to.
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(&args.log)
            .with_context(|| {
                format!(
                    "opening the run log {} (a symbolic link there is refused)",
                    args.log.display()
                )
            })?;
        let meta = log
            .metadata()
            .with_context(|| format!("reading the run log {}", args.log.display()))?;
        if !meta.is_file() {
            anyhow::bail!("the run log {} is not a regular file", args.log.display());
        }
        let bar = if args.json {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        };
        let display = Self {
            bar,
            quiet: args.json,
            max_rounds: args.max_rounds,
            log: Mutex::new(Some(log)),
            log_path: args.log.clone(),
            run_id: format!(
                "{}-{}",
                chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"),
                std::process::id()
            ),
            current: Mutex::new((Role::Retriever, 0)),
        };
        display.append(json!({
            "event": "start",
            "request": args.prompt,
            "llm": llm,
            "sandbox": format!("{:?}", args.sandbox.sandbox).to_lowercase(),
            "max_rounds": args.max_rounds,
            "candidates": if args.selection.judge_only { 1 } else { args.selection.candidates },
            "checks": !(args.selection.no_checks || args.selection.judge_only),
        }));
        for role in ROLES {
            let plugin = catalog.agent(role);
            display.append(json!({
                "event": "agent",
                "agent": role_name(role),
                "plugin": plugin.label(),
                "origin": plugin.origin,
                "description": plugin.info.description,
            }));
        }
        Ok(display)
    }

    fn append(&self, mut entry: serde_json::Value) {
        entry["time"] =
            json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
        entry["run"] = json!(self.run_id);
        // One write per line, so that runs sharing a log never interleave within a line.
        let mut line = entry.to_string();
        line.push('\n');
        let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(file) = log.as_mut() {
            let written = file.write_all(line.as_bytes());
            if let Err(error) = written {
                tracing::warn!(
                    "the run log {} is not being written: {error}",
                    self.log_path.display()
                );
                *log = None;
            }
        }
    }

    fn stage(&self, role: Role, round: u32) -> String {
        if round == 0 {
            role_name(role).to_owned()
        } else {
            format!("round {round}/{} · {}", self.max_rounds, role_name(role))
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }

    fn log_summary(&self, report: &RunReport, out: &Path) {
        let mut entry = serde_json::to_value(report).unwrap_or_default();
        entry["event"] = json!("summary");
        entry["out"] = json!(report.code.as_ref().map(|_| out.display().to_string()));
        self.append(entry);
    }
}

impl Observer for LiveDisplay {
    fn step_started(&self, role: Role, round: u32) {
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = (role, round);
        self.bar.set_message(self.stage(role, round));
    }

    fn tokens(&self, tokens_per_second: f64) {
        let (role, round) = *self.current.lock().unwrap_or_else(PoisonError::into_inner);
        self.bar.set_message(format!(
            "{} · {tokens_per_second:.1} tokens/s",
            self.stage(role, round)
        ));
    }

    fn step_finished(&self, record: &StepRecord) {
        self.append(serde_json::to_value(record).unwrap_or_default());
        if self.quiet {
            return;
        }
        let mark = if record.ok { "✓" } else { "✗" };
        let mut line = format!(
            "{mark} {:<9} {}{:>6.1} s",
            record.agent,
            if record.round > 0 {
                format!("round {} ", record.round)
            } else {
                "        ".to_owned()
            },
            record.duration_ms as f64 / 1000.0
        );
        if let Some(error) = &record.error {
            line.push_str(&format!("  {error}"));
        } else if let Some(detail) = step_detail(record) {
            line.push_str(&format!("  {detail}"));
        }
        self.bar.println(printable(&line));
    }

    fn trials(&self, record: &TrialsRecord) {
        self.append(serde_json::to_value(record).unwrap_or_default());
        if self.quiet {
            return;
        }
        let chosen = &record.candidates[record.chosen];
        let trusted = record.checks.iter().filter(|check| check.trusted).count();
        let mark = if record.decision == "failed" || record.decision == "no clean run" {
            "✗"
        } else {
            "✓"
        };
        let line = format!(
            "{mark} {:<9} round {} {:>6.1} s  {} candidate(s), chose #{} ({} agree) · {} of {} \
             check(s) trusted · {}{}",
            "checks",
            record.round,
            record.duration_ms as f64 / 1000.0,
            record.candidates.len(),
            record.chosen + 1,
            chosen.agreement,
            trusted,
            record.checks.len(),
            record.decision,
            record
                .reason
                .as_ref()
                .map(|reason| format!(": {reason}"))
                .unwrap_or_default()
        );
        self.bar.println(printable(&line));
    }

    fn step_skipped(&self, role: Role, round: u32, reason: &str) {
        self.append(json!({
            "event": "skipped",
            "agent": role_name(role),
            "round": round,
            "reason": reason,
        }));
    }

    fn plugin_log(&self, role: Role, round: u32, message: &str) {
        tracing::info!(
            "{} (round {round}): {}",
            role_name(role),
            printable(message)
        );
        self.append(json!({
            "event": "log",
            "agent": role_name(role),
            "round": round,
            "message": message,
        }));
    }
}

/// Text from a plugin or a model, safe for a terminal: control characters (escape sequences
/// could move the cursor, retitle the window or fake a line) become `�`.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// A few words on what a step produced, for the display.
fn step_detail(record: &StepRecord) -> Option<String> {
    let fields = &record.fields;
    match record.agent {
        "retriever" => Some(format!(
            "{} chunks",
            fields.get("context")?.as_array()?.len()
        )),
        "planner" | "debugger" => Some(format!(
            "plan of {} lines",
            fields.get("plan")?.as_str()?.lines().count()
        )),
        "coder" => Some(format!(
            "{} candidate(s), the first {} lines of Python",
            fields.get("candidates")?.as_u64()?,
            fields.get("code")?.as_str()?.lines().count()
        )),
        "executor" => {
            let exit = fields.get("exit_code")?.as_i64()?;
            let verdict = fields.get("verdict")?;
            let ok = verdict.get("ok")?.as_bool()?;
            let reason = verdict.get("reason")?.as_str().unwrap_or_default();
            Some(format!(
                "exit {exit} · {} {reason}",
                if ok { "ok:" } else { "not ok:" }
            ))
        }
        _ => None,
    }
}

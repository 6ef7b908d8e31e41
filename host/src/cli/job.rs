//! The main job, `aucoder [flags] "request"`: sets up the LLM, the corpus, the sandbox and
//! the agent plugins, runs the orchestrator with a live display and a JSON-lines run log,
//! and writes the working program.

use crate::cli::args::JobArgs;
use crate::cli::job_display::LiveDisplay;
use crate::cli::llm::build_llm;
use crate::cli::plugins::load_catalog;
use crate::cli::rag;
use anyhow::{bail, Context};
use aucoder_agents::config::Config;
use aucoder_agents::mcp_client::{server_of, ExternalTools, McpServer};
use aucoder_agents::orchestrator::{Orchestrator, RunOptions, RunReport};
use aucoder_agents::plugins::Role;
use aucoder_agents::tools::Tools;
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

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
    let runtime = crate::cli::async_runtime()?;
    let outcome = runtime.block_on(job(args, prompt, config));
    // A revoked plugin blocked in WASI (a sleep) may still hold a runtime thread, unable to
    // reach the host; do not wait for it to exit.
    runtime.shutdown_background();
    outcome
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
    let kind = aucoder_sandbox::BackendKind::from(args.sandbox.sandbox);
    tokio::task::spawn_blocking(move || super::run::prepare_sandbox(kind))
        .await
        .context("the sandbox preparing thread failed")??;
    let backend = aucoder_sandbox::backend(kind, &args.sandbox.backend_config())
        .context("preparing the sandbox")?;
    let corpus = args.utils.clone();
    let offline = args.llm.offline;
    let rag =
        tokio::task::spawn_blocking(move || rag::open_corpus_dir(corpus.as_deref(), offline, true))
            .await
            .context("the indexing thread failed")?
            .map(Arc::new)
            .map_err(|error| {
                tracing::warn!("retrieval is off: {error:#}");
                format!("{error:#}")
            });
    let mut tools = Tools::new(rag, backend, args.sandbox.limits(), 1, 64);
    if let Some(fallback) = args.sandbox.fallback() {
        tools = tools.with_fallback(fallback);
    }
    let tools = Arc::new(tools);
    let llm = build_llm(&args.llm).await?;

    let display = Arc::new(LiveDisplay::new(&args, &llm.describe(), &catalog)?);
    let orchestrator = Orchestrator {
        agents: catalog,
        llm: llm.clone(),
        tools: tools.clone(),
        external,
        observer: display.clone(),
        options: RunOptions {
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
    };
    let report = orchestrator.run(&prompt).await?;
    display.finish();
    let written = report
        .code
        .as_ref()
        .map(|code| {
            aucoder_paths::write_atomically(&args.out, code.as_bytes())
                .with_context(|| format!("writing {}", args.out.display()))
        })
        .transpose();
    // The run log gets its summary even when the program could not be saved.
    display.log_summary(&report, &args.out);
    written?;
    // Collecting runs the program once more: only inside a sandbox, where a second run
    // has no effect outside its workspace.
    let sandboxed = kind.is_isolated();
    let files = match (&report.code, report.success && sandboxed) {
        (Some(code), true) => collect_files(&tools, code, &args).await,
        _ => Vec::new(),
    };
    if args.json {
        let mut summary = serde_json::to_value(&report)?;
        summary["request"] = json!(prompt);
        summary["llm"] = json!(llm.describe());
        summary["out"] = json!(report.code.as_ref().map(|_| args.out.display().to_string()));
        summary["log"] = json!(args.log.display().to_string());
        summary["files"] = json!(files
            .iter()
            .map(|file| file.display().to_string())
            .collect::<Vec<_>>());
        println!("{summary}");
    } else {
        print_summary(&report, &args.out, &files);
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
        let Some(parsed) = aucoder_agents::plugins::parse_role(role) else {
            bail!(
                "the config file's [tools] names {role:?}, which is not a role (retriever, \
                 planner, coder, executor, debugger)"
            );
        };
        for tool in tools {
            let external =
                server_of(tool).is_some_and(|server| config.mcp_servers.contains_key(server));
            if !external && aucoder_agents::tools::BuiltinTool::named(tool).is_none() {
                bail!(
                    "the config file's [tools] list for the {role} names {tool:?}, which is \
                     neither a built-in tool ({}) nor server.tool of an [mcp_servers] entry",
                    aucoder_agents::tools::BuiltinTool::list()
                );
            }
        }
        lists.insert(parsed, tools.clone());
    }
    Ok(lists)
}

/// Runs the final program once more in a fresh workspace and copies what it writes there (a
/// plot, a CSV) next to `--out`. Candidates ran in workspaces of their own, long gone; a
/// failure here costs the user only the files, and says so.
async fn collect_files(tools: &Tools, code: &str, args: &JobArgs) -> Vec<std::path::PathBuf> {
    let collected = async {
        let workspace = aucoder_sandbox::Workspace::temporary()?;
        let run = tools.run_python(&workspace, code, None).await?;
        if !run.success() {
            anyhow::bail!("its run to collect them failed: {}", run.last_error_line());
        }
        // `final_code.py` and `./final_code.py` are one file: both named from ".".
        let anchored = |path: &Path| match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => path.to_path_buf(),
            _ => Path::new(".").join(path),
        };
        let (out, log) = (anchored(&args.out), anchored(&args.log));
        let dest = out.parent().unwrap_or(Path::new(".")).to_path_buf();
        Ok(aucoder_agents::outputs::copy_outputs(
            &workspace,
            &dest,
            &[&out, &log],
        )?)
    };
    collected.await.unwrap_or_else(|error: anyhow::Error| {
        tracing::warn!("the program's files were not copied: {error:#}");
        Vec::new()
    })
}

fn print_summary(report: &RunReport, out: &Path, files: &[std::path::PathBuf]) {
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
        for file in files {
            eprintln!("aucoder: the program wrote {}", file.display());
        }
    } else {
        eprintln!(
            "aucoder: failed after {:.1} s: {}",
            report.duration_ms as f64 / 1000.0,
            report.summary
        );
    }
}

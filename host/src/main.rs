//! `aucoder`: a local, sandboxed code-generating agent host.
//!
//! This file only wires logging and the command line to the commands; each command lives in
//! its own module.

mod ask_cmd;
mod checks;
mod cli;
mod config;
mod job_cmd;
mod llm_setup;
mod mcp;
mod mcp_client;
mod models_cmd;
mod orchestrator;
mod plugins;
mod plugins_cmd;
mod rag_cmd;
mod run_cmd;
mod tools;

use clap::{CommandFactory, FromArgMatches};
use std::process::ExitCode;

fn main() -> ExitCode {
    init_tracing();
    let command = config::later_arguments_win(cli::Cli::command());
    let loaded = config::Config::load().and_then(|config| {
        let args = config.apply(&command, std::env::args_os().collect())?;
        Ok((config, args))
    });
    let (config, args) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!("aucoder: {error:#}");
            return ExitCode::from(cli::USAGE_ERROR_EXIT);
        }
    };
    let cli = match cli::Cli::from_arg_matches(&command.get_matches_from(args)) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    match cli::dispatch(cli, config) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("aucoder: {error:#}");
            ExitCode::from(cli::USAGE_ERROR_EXIT)
        }
    }
}

/// The async runtime the commands that need one run on.
fn async_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    use anyhow::Context;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Logs go to stderr (stdout belongs to the program being run, and later to MCP's stdio);
/// `AUCODER_LOG` / `RUST_LOG` choose the level, warnings by default.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("AUCODER_LOG")
        .or_else(|_| tracing_subscriber::EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

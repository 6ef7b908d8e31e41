//! `aucoder`: a local, sandboxed code-generating agent host.
//!
//! This file wires logging, the config files and the command line to the commands; each
//! command lives in its own module under [`cli`], the work itself in the `aucoder_agents`
//! library.

mod cli;

use clap::{CommandFactory, FromArgMatches};
use cli::args::{Cli, Command, PluginsCommand};
use std::process::ExitCode;

/// Exit code for bad input to aucoder itself (a missing file, an unknown flag value).
const USAGE_ERROR_EXIT: u8 = 2;

fn main() -> ExitCode {
    init_tracing();
    let command = cli::config_args::later_arguments_win(Cli::command());
    let loaded = aucoder_agents::config::Config::load().and_then(|config| {
        let args = cli::config_args::apply(&config, &command, std::env::args_os().collect())?;
        Ok((config, args))
    });
    let (config, args) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!("aucoder: {error:#}");
            return ExitCode::from(USAGE_ERROR_EXIT);
        }
    };
    let parsed = match Cli::from_arg_matches(&command.get_matches_from(args)) {
        Ok(parsed) => parsed,
        Err(error) => error.exit(),
    };
    let outcome = match parsed.command {
        None => cli::job::run(parsed.job, config),
        Some(Command::Plugins(PluginsCommand::List(args))) => cli::plugins::list(args),
        Some(Command::Run(args)) => cli::run::run(args),
        Some(Command::Ask(args)) => cli::ask::run(args),
        Some(Command::Models(command)) => cli::models::run(command),
        Some(Command::Index(corpus)) => cli::rag::index(corpus),
        Some(Command::Search(args)) => cli::rag::search(args),
        Some(Command::Mcp(args)) => cli::mcp::run(args),
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("aucoder: {error:#}");
            ExitCode::from(USAGE_ERROR_EXIT)
        }
    }
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

//! `aucoder plugins list`: the agent plugins a run would use, and where each came from.

use crate::cli::args::PluginArgs;
use crate::cli::printable;
use aucoder_agents::plugins::catalog::PluginSources;
use aucoder_agents::plugins::{role_name, Catalog, PluginRuntime};
use std::process::ExitCode;
use std::sync::Arc;

pub fn list(args: PluginArgs) -> anyhow::Result<ExitCode> {
    let catalog = load_catalog(&args)?;
    println!(
        "{:<10} {:<16} {:<9} {:<7} SOURCE",
        "ROLE", "NAME", "VERSION", "USED"
    );
    for choice in catalog.choices() {
        println!(
            "{:<10} {:<16} {:<9} {:<7} {}",
            role_name(choice.role),
            printable(&choice.plugin.info.name),
            printable(&choice.plugin.info.version),
            if choice.active { "yes" } else { "no" },
            choice.plugin.origin
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Loads the plugin catalog the flags describe (built-ins, folders, `--agent`).
pub fn load_catalog(args: &PluginArgs) -> anyhow::Result<Catalog> {
    let runtime = PluginRuntime::new(args.step_limits())?;
    let sources = PluginSources::standard(args.plugins.as_deref(), args.agents.clone());
    Catalog::load(Arc::new(runtime), &sources)
}

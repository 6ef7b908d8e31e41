//! `aucoder plugins list`: the agent plugins a run would use, and where each came from.

use crate::cli::PluginArgs;
use crate::job_cmd::{load_catalog, printable};
use crate::plugins::role_name;
use std::process::ExitCode;

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

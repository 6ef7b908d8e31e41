//! The command line, the binary's half of aucoder: the flags ([`args`]), the config files
//! turned into arguments ([`config_args`]), and one module per command. Each command turns
//! its flags into the library's plain settings once and calls [`aucoder_agents`]; no
//! library sees a clap type. `main.rs` parses and dispatches.

pub mod args;
pub mod ask;
pub mod config_args;
pub mod job;
mod job_display;
pub mod llm;
pub mod mcp;
pub mod models;
pub mod plugins;
pub mod rag;
pub mod run;

/// The async runtime the commands that need one run on.
pub fn async_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    use anyhow::Context;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
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

//! aucoder's agent host, as a library: the orchestrator that runs the five agents
//! ([`orchestrator`]), the plugin host they run in ([`plugins`]), the tools they and MCP
//! clients call ([`tools`], served over MCP by [`mcp`], external ones reached through
//! [`mcp_client`]), the checks that decide whether a program is right ([`checks`]) and the
//! config files' trust rules ([`config`]).
//!
//! The binary (`main.rs` and `cli/`) only parses flags into the plain settings these modules
//! take ([`orchestrator::RunOptions`], [`plugins::StepLimits`], `aucoder_sandbox::Limits`,
//! [`mcp::McpSettings`]) and prints; so everything here is unit-tested without spawning it.

pub mod checks;
pub mod config;
pub mod mcp;
pub mod mcp_client;
pub mod orchestrator;
pub mod outputs;
pub mod plugins;
pub mod tools;
pub mod workspace_files;

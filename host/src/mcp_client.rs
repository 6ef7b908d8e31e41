//! Tools of external MCP servers, for the agents' `call-tool` door.
//!
//! The config file names servers (`[mcp_servers.NAME]` with `command = [...]` for a server
//! on stdio, or `url = "http://..."` for streamable HTTP); their tools are called as
//! `NAME.tool` by the agents whose `[tools]` list allows them. The servers are started (or
//! connected to) once per run, through rmcp's client.

use anyhow::{bail, Context};
use rmcp::model::CallToolRequestParams;
use rmcp::service::RunningService;
use rmcp::{RoleClient, ServiceExt};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// How long starting or reaching a server may take before the run gives up on it.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// How to reach one external MCP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum McpServer {
    /// A program speaking MCP on stdin/stdout: the command and its arguments.
    Command(Vec<String>),
    /// A streamable-HTTP endpoint.
    Url(String),
}

/// The server part of an external tool's name (`server` of `server.tool`); built-in tool
/// names have none.
pub fn server_of(tool: &str) -> Option<&str> {
    tool.split_once('.').map(|(server, _)| server)
}

/// Connected servers, by name.
#[derive(Default)]
pub struct ExternalTools {
    servers: BTreeMap<String, RunningService<RoleClient, ()>>,
}

impl ExternalTools {
    /// Starts or connects to every configured server.
    pub async fn connect(servers: &BTreeMap<String, McpServer>) -> anyhow::Result<Self> {
        let mut connected = BTreeMap::new();
        for (name, server) in servers {
            let service = match server {
                McpServer::Command(argv) => {
                    let Some((program, args)) = argv.split_first() else {
                        bail!("[mcp_servers.{name}] has an empty command");
                    };
                    let mut command = tokio::process::Command::new(program);
                    command.args(args);
                    let transport = rmcp::transport::TokioChildProcess::new(command)
                        .with_context(|| format!("starting the MCP server {name} ({program})"))?;
                    tokio::time::timeout(CONNECT_TIMEOUT, ().serve(transport))
                        .await
                        .map_err(|_| {
                            anyhow::anyhow!(
                                "the MCP server {name} did not answer within {CONNECT_TIMEOUT:?}"
                            )
                        })?
                        .with_context(|| format!("connecting to the MCP server {name}"))?
                }
                McpServer::Url(url) => {
                    let transport =
                        rmcp::transport::StreamableHttpClientTransport::from_uri(url.as_str());
                    tokio::time::timeout(CONNECT_TIMEOUT, ().serve(transport))
                        .await
                        .map_err(|_| anyhow::anyhow!("the MCP server {name} at {url} did not answer within {CONNECT_TIMEOUT:?}"))?
                        .with_context(|| format!("connecting to the MCP server {name} at {url}"))?
                }
            };
            connected.insert(name.clone(), service);
        }
        Ok(Self { servers: connected })
    }

    /// Whether `qualified` (`server.tool`) names a connected server.
    pub fn serves(&self, qualified: &str) -> bool {
        server_of(qualified).is_some_and(|server| self.servers.contains_key(server))
    }

    /// Calls `server.tool` with a JSON object of arguments: the structured result, else the
    /// text (as JSON when it parses); a tool error is an `Err` with its text.
    pub async fn call(&self, qualified: &str, arguments_json: &str) -> Result<Value, String> {
        let (server, tool) = qualified
            .split_once('.')
            .ok_or_else(|| format!("{qualified:?} is not of the form server.tool"))?;
        let service = self
            .servers
            .get(server)
            .ok_or_else(|| format!("no MCP server named {server:?} is configured"))?;
        let arguments = if arguments_json.trim().is_empty() {
            serde_json::Map::new()
        } else {
            serde_json::from_str(arguments_json).map_err(|error| {
                format!("the arguments of {qualified} are not a JSON object: {error}")
            })?
        };
        let result = service
            .call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments))
            .await
            .map_err(|error| format!("{qualified} failed: {error}"))?;
        let text: Vec<String> = result
            .content
            .iter()
            .filter_map(|block| {
                serde_json::to_value(block)
                    .ok()
                    .and_then(|value| value["text"].as_str().map(str::to_owned))
            })
            .collect();
        let text = text.join("\n");
        if result.is_error == Some(true) {
            return Err(format!("{qualified} reported an error: {text}"));
        }
        Ok(match result.structured_content {
            Some(structured) => structured,
            None => serde_json::from_str(&text).unwrap_or(Value::String(text)),
        })
    }
}

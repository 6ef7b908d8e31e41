//! `aucoder mcp`: builds the tools the flags describe (sandbox, corpus, execution slots) and
//! serves them with [`aucoder_agents::mcp::serve`]; `aucoder mcp config CLIENT` prints what
//! adds this server to an MCP client.

use crate::cli::args::{McpAction, McpArgs, McpClientKind, Protocol, Transport};
use anyhow::Context;
use aucoder_agents::mcp::{self, McpSettings};
use aucoder_agents::tools::Tools;
use aucoder_sandbox::BackendKind;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

pub fn run(args: McpArgs) -> anyhow::Result<ExitCode> {
    if let Some(McpAction::Config { client }) = args.action {
        return print_client_config(client);
    }
    crate::cli::async_runtime()?.block_on(serve(args))
}

/// The arguments a client starts the server with.
const STDIO_ARGS: [&str; 3] = ["mcp", "--transport", "stdio"];

fn print_client_config(client: McpClientKind) -> anyhow::Result<ExitCode> {
    let binary = std::env::current_exe()
        .and_then(|path| path.canonicalize())
        .context("finding the aucoder binary")?;
    let binary = binary.to_string_lossy().into_owned();
    let (text, place) = client_config(client, &binary);
    println!("{text}");
    eprintln!("aucoder: {place}; add flags (--utils DIR, --timeout S, ...) after \"stdio\"");
    Ok(ExitCode::SUCCESS)
}

/// What adds the server to `client`, and where it goes.
fn client_config(client: McpClientKind, binary: &str) -> (String, &'static str) {
    let server = serde_json::json!({"command": binary, "args": STDIO_ARGS});
    let file = |servers_key: &str, server: serde_json::Value| {
        let config = serde_json::json!({ servers_key: {"aucoder": server} });
        serde_json::to_string_pretty(&config).unwrap_or_default()
    };
    match client {
        McpClientKind::ClaudeDesktop => (
            file("mcpServers", server),
            "merge this into claude_desktop_config.json (Settings > Developer > Edit Config)",
        ),
        McpClientKind::Cursor => (
            file("mcpServers", server),
            "merge this into ~/.cursor/mcp.json, or .cursor/mcp.json in a project",
        ),
        McpClientKind::Vscode => {
            let mut server = server;
            server["type"] = "stdio".into();
            (
                file("servers", server),
                "merge this into .vscode/mcp.json in the workspace",
            )
        }
        McpClientKind::ClaudeCode => (
            format!(
                "claude mcp add aucoder -- {} {}",
                shell_quoted(binary),
                STDIO_ARGS.join(" ")
            ),
            "run this command",
        ),
    }
}

/// `text` as one word for a POSIX shell.
fn shell_quoted(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+:@%".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

async fn serve(args: McpArgs) -> anyhow::Result<ExitCode> {
    let kind = BackendKind::from(args.sandbox.sandbox);
    args.sandbox.check_isolation("every client's code")?;
    let settings = McpSettings {
        transport: match args.transport {
            Transport::Http => mcp::Transport::Http,
            Transport::Stdio => mcp::Transport::Stdio,
        },
        bind: args.bind,
        token: args.token.clone(),
        session_idle: Duration::from_secs(args.session_idle_secs),
        max_body_bytes: args.max_body_mib << 20,
        max_sessions: args.max_sessions,
        max_python_sessions: args.max_python_sessions,
        newest_protocol: match args.protocol {
            Protocol::Sessions => mcp::NewestProtocol::Sessions,
            Protocol::Stateless => mcp::NewestProtocol::Stateless,
        },
        max_requests: args.max_requests,
    };
    settings.check()?;
    // Loads (compiles, fetches) the interpreter before the first client waits for it.
    let config = args.sandbox.backend_config();
    let backend = tokio::task::spawn_blocking(move || aucoder_sandbox::backend(kind, &config))
        .await
        .context("loading the sandbox")??;
    let corpus = args.corpus.clone();
    let rag = tokio::task::spawn_blocking(move || crate::cli::rag::open_corpus(&corpus, false))
        .await
        .context("indexing the corpus")?
        .map(Arc::new)
        .map_err(|error| {
            eprintln!("aucoder mcp: RAG_Search is unavailable: {error:#}");
            format!("{error:#}")
        });
    let mut tools = Tools::new(
        rag,
        backend,
        args.sandbox.limits(),
        args.max_executions,
        args.max_queue,
    );
    if let Some(fallback) = args.sandbox.fallback() {
        tools = tools.with_fallback(fallback);
    }
    let tools = Arc::new(tools);
    mcp::serve(&settings, tools).await?;
    Ok(ExitCode::SUCCESS)
}

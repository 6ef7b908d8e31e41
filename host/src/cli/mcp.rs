//! `aucoder mcp`: builds the tools the flags describe (sandbox, corpus, execution slots) and
//! serves them with [`aucoder_agents::mcp::serve`].

use crate::cli::args::{McpArgs, Transport};
use anyhow::Context;
use aucoder_agents::mcp::{self, McpSettings};
use aucoder_agents::tools::Tools;
use aucoder_sandbox::BackendKind;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

pub fn run(args: McpArgs) -> anyhow::Result<ExitCode> {
    crate::cli::async_runtime()?.block_on(serve(args))
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
        max_requests: args.max_requests,
    };
    settings.check()?;
    let backend = aucoder_sandbox::backend(kind, &args.sandbox.backend_config())?;
    if kind == BackendKind::Wasm {
        // Load (or compile) the interpreter before the first client waits for it.
        tokio::task::spawn_blocking(aucoder_sandbox::WasmBackend::shared)
            .await
            .context("loading the sandbox")??;
    }
    let corpus = args.corpus.clone();
    let rag = tokio::task::spawn_blocking(move || crate::cli::rag::open_corpus(&corpus, false))
        .await
        .context("indexing the corpus")?
        .map(Arc::new)
        .map_err(|error| {
            eprintln!("aucoder mcp: RAG_Search is unavailable: {error:#}");
            format!("{error:#}")
        });
    let tools = Arc::new(Tools::new(
        rag,
        backend,
        args.sandbox.limits(),
        args.max_executions,
        args.max_queue,
    ));
    mcp::serve(&settings, tools).await?;
    Ok(ExitCode::SUCCESS)
}

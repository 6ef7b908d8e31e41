//! `aucoder mcp`: the tools over the Model Context Protocol (rmcp), on streamable HTTP at
//! `/mcp` or on stdio.
//!
//! Names, arguments and result shapes follow the original FastMCP server, so its clients keep
//! working: `RAG_Search` answers a list (structured `{"result": [...]}` plus the bare list as
//! text), the other tools answer objects. What changes is safety on a shared host: every
//! session the server issued gets its own workspace (removed when the session ends, idles
//! out or the server stops), the server binds loopback unless a bearer token is set, request
//! bodies, requests in flight, sessions and queued executions are capped, a call whose client
//! went away is dropped, unknown argument fields are refused, and an unknown tool is an
//! `isError` result. The HTTP edge is in [`http`], the session bookkeeping in [`sessions`].

mod http;
mod python_sessions;
mod python_tools;
mod sessions;
mod workspace_tools;

pub use sessions::{SessionKey, SessionWorkspace, Sessions};

use crate::tools::{
    self, ExecTempArgs, RagSearchArgs, RunPythonArgs, ToolAnswer, ToolError, Tools, WriteTempArgs,
};
use anyhow::{bail, Context};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, JsonObject,
    ProtocolVersion,
};
use rmcp::service::RequestContext;
use rmcp::{tool, tool_handler, tool_router, ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde_json::{json, Value};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

fn list_output_schema() -> Arc<JsonObject> {
    Arc::new(rmcp::model::object(json!({
        "type": "object",
        "properties": {"result": {"type": "array", "items": {"type": "string"}}},
        "required": ["result"],
        "x-fastmcp-wrap-result": true
    })))
}

/// A free-form object: typed `properties` would make fastmcp build a dataclass, and
/// `res["log"]` would then fail for the original's callers.
fn object_output_schema() -> Arc<JsonObject> {
    Arc::new(rmcp::model::object(
        json!({"type": "object", "additionalProperties": true}),
    ))
}

fn object_result(value: Value) -> CallToolResult {
    CallToolResult::structured(value)
}

/// An object result, or the tool error that prevented it.
fn respond(result: Result<ToolAnswer, ToolError>) -> CallToolResult {
    match result {
        Ok(answer) => object_result(answer.to_json()),
        Err(error) => tool_error(error),
    }
}

fn tool_error(error: impl std::fmt::Display) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(error.to_string())])
}

fn check_code(code: &str) -> Result<(), CallToolResult> {
    tools::check_code(code).map_err(tool_error)
}

/// One handler per MCP session (HTTP) or connection (stdio).
#[derive(Clone)]
pub struct AucoderMcp {
    tool_router: ToolRouter<Self>,
    tools: Arc<Tools>,
    sessions: Arc<Sessions>,
    /// Identifies this connection when the transport has no session id (stdio).
    instance: u64,
    newest: NewestProtocol,
}

static INSTANCES: AtomicU64 = AtomicU64::new(0);

/// How often a call with a progress token reports.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

#[tool_router]
impl AucoderMcp {
    pub fn new(tools: Arc<Tools>, sessions: Arc<Sessions>, newest: NewestProtocol) -> Self {
        let mut tool_router = Self::tool_router() + Self::python_tools() + Self::workspace_tools();
        // `noop` exists to measure protocol overhead; clients only see it when asked for.
        if std::env::var_os("AUCODER_MCP_NOOP").is_none() {
            tool_router.remove_route("noop");
        }
        Self {
            tool_router,
            tools,
            sessions,
            instance: INSTANCES.fetch_add(1, Ordering::Relaxed),
            newest,
        }
    }

    /// The session key: on HTTP the session id when there is one (checked against the
    /// issued ones later) or a one-call workspace; on stdio this connection.
    fn session_key(&self, context: &RequestContext<RoleServer>) -> SessionKey {
        match context.extensions.get::<::http::request::Parts>() {
            Some(parts) => match parts
                .headers
                .get("mcp-session-id")
                .and_then(|value| value.to_str().ok())
            {
                Some(id) => SessionKey::Http(id.to_owned()),
                None => SessionKey::Ephemeral,
            },
            None => SessionKey::Connection(self.instance),
        }
    }

    /// The workspace a call names, or else its session's.
    fn workspace_key(
        &self,
        context: &RequestContext<RoleServer>,
        workspace_id: Option<&str>,
    ) -> SessionKey {
        match workspace_id {
            Some(id) => SessionKey::Issued(id.to_owned()),
            None => self.session_key(context),
        }
    }

    /// The workspace a call names (or its session's), after checking the program (if any)
    /// is not oversized.
    async fn prepare(
        &self,
        context: &RequestContext<RoleServer>,
        workspace_id: Option<&str>,
        code: Option<&str>,
    ) -> Result<SessionWorkspace, CallToolResult> {
        if let Some(code) = code {
            check_code(code)?;
        }
        self.sessions
            .workspace(&self.workspace_key(context, workspace_id))
            .await
            .map_err(tool_error)
    }

    /// Runs `work` unless the client cancels the call or goes away first: a queued or
    /// running call of a client that left is dropped, not left to hold a slot.
    async fn unless_abandoned(
        context: &RequestContext<RoleServer>,
        work: impl Future<Output = CallToolResult>,
    ) -> CallToolResult {
        let gone = context
            .extensions
            .get::<::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<http::ClientGone>())
            .map_or_else(CancellationToken::new, |gone| gone.0.clone());
        // A client that sent a progress token hears, once a second, how long the call has
        // been going (queued or running): a long run is not mistaken for a dead server.
        let progress = context.meta.get_progress_token();
        let started = tokio::time::Instant::now();
        let mut tick = tokio::time::interval_at(started + PROGRESS_EVERY, PROGRESS_EVERY);
        tokio::pin!(work);
        loop {
            tokio::select! {
                result = &mut work => return result,
                () = context.ct.cancelled() => return tool_error("the call was cancelled"),
                () = gone.cancelled() => return tool_error("the client went away"),
                _ = tick.tick(), if progress.is_some() => {
                    let Some(token) = progress.clone() else { continue };
                    let seconds = started.elapsed().as_secs();
                    let mut note = rmcp::model::ProgressNotificationParam::new(
                        token,
                        seconds as f64,
                    );
                    note.message = Some(format!("running for {seconds} s"));
                    // A client that stopped listening is noticed by the checks above.
                    let _ = context.peer.notify_progress(note).await;
                }
            }
        }
    }

    #[tool(
        name = "RAG_Search",
        description = "Search the knowledge corpus; returns the 3 most relevant chunks, each beginning with [file name] (min_score, 0 to 1, leaves out less similar ones).",
        output_schema = list_output_schema()
    )]
    async fn rag_search(
        &self,
        Parameters(args): Parameters<RagSearchArgs>,
        context: RequestContext<RoleServer>,
    ) -> CallToolResult {
        Self::unless_abandoned(&context, async {
            match self.tools.rag_search(&args.query, args.min_score).await {
                Ok(chunks) => {
                    let list = json!(chunks);
                    let mut result =
                        CallToolResult::success(vec![ContentBlock::text(list.to_string())]);
                    result.structured_content = Some(json!({"result": list}));
                    result
                }
                Err(error) => tool_error(error),
            }
        })
        .await
    }

    #[tool(
        name = "noop",
        description = "Does nothing (for measuring tool-call overhead; shown only with AUCODER_MCP_NOOP=1).",
        output_schema = object_output_schema()
    )]
    async fn noop(&self) -> CallToolResult {
        object_result(json!({"ok": true}))
    }

    #[tool(
        name = "WriteTemp",
        description = "Write Python code to temp.py in this session's workspace.",
        output_schema = object_output_schema()
    )]
    async fn write_temp(
        &self,
        Parameters(args): Parameters<WriteTempArgs>,
        context: RequestContext<RoleServer>,
    ) -> CallToolResult {
        match self
            .prepare(&context, args.workspace_id.as_deref(), Some(&args.code))
            .await
        {
            Ok(session) if !session.kept => tool_error(
                "WriteTemp needs a session or a workspace, for ExecTemp to find the file: \
                 initialize a session, or pass the workspace_id of workspace_create \
                 (run_python works without)",
            ),
            Ok(session) => respond(
                self.tools
                    .write_temp(&session.workspace, &args.code)
                    .map(|()| ToolAnswer::Written { code: args.code }),
            ),
            Err(error) => error,
        }
    }

    #[tool(
        name = "ExecTemp",
        description = "Run this session's temp.py in the sandbox; returns {success, log, exit_code, stdout, stderr, timed_out, duration_ms} and writes temp.log.",
        output_schema = object_output_schema()
    )]
    async fn exec_temp(
        &self,
        Parameters(args): Parameters<ExecTempArgs>,
        context: RequestContext<RoleServer>,
    ) -> CallToolResult {
        Self::unless_abandoned(&context, async {
            match self
                .prepare(&context, args.workspace_id.as_deref(), None)
                .await
            {
                Ok(session) => respond(
                    self.tools
                        .exec_temp(&session.workspace)
                        .await
                        .map(ToolAnswer::Executed),
                ),
                Err(error) => error,
            }
        })
        .await
    }

    #[tool(
        name = "run_python",
        description = "Write code to temp.py and run it in the sandbox in one call; returns success, exit_code, stdout, stderr, timed_out and duration_ms.",
        output_schema = object_output_schema()
    )]
    async fn run_python(
        &self,
        Parameters(args): Parameters<RunPythonArgs>,
        context: RequestContext<RoleServer>,
    ) -> CallToolResult {
        Self::unless_abandoned(&context, async {
            match self
                .prepare(&context, args.workspace_id.as_deref(), Some(&args.code))
                .await
            {
                Ok(session) => respond(
                    self.tools
                        .run_python(&session.workspace, &args.code, args.timeout_secs)
                        .await
                        .map(|run| ToolAnswer::Ran {
                            code: args.code,
                            run,
                        }),
                ),
                Err(error) => error,
            }
        })
        .await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for AucoderMcp {
    fn get_info(&self) -> rmcp::model::ServerConfig {
        rmcp::model::ServerConfig::new(
            rmcp::model::ServerCapabilities::builder()
                .enable_tools()
                .build(),
        )
        .with_server_info(rmcp::model::Implementation::new(
            "aucoder",
            env!("CARGO_PKG_VERSION"),
        ))
        .with_instructions(
            "RAG_Search finds relevant documentation; WriteTemp + ExecTemp (or run_python) \
             run Python in a sandbox. Each session has its own workspace.",
        )
    }

    /// Every version up to the newest this server offers; rmcp negotiates per request.
    fn supported_protocol_versions(&self) -> std::borrow::Cow<'static, [ProtocolVersion]> {
        std::borrow::Cow::Borrowed(ProtocolVersion::known_up_to(&self.newest.version()))
    }

    /// Like FastMCP, an unknown tool is a tool error the model can read, not a protocol error.
    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        if !self.tool_router.has_route(&request.name) {
            let known: Vec<String> = self
                .tool_router
                .list_all()
                .into_iter()
                .map(|tool| tool.name.to_string())
                .collect();
            return Ok(tool_error(format!(
                "Unknown tool: {}. Available tools: {}",
                request.name,
                known.join(", ")
            ))
            .into());
        }
        self.tool_router
            .call(ToolCallContext::new(self, request, context))
            .await
    }
}

/// How the MCP server listens and what it bounds (the tools' own limits are in
/// [`Tools`]).
#[derive(Debug, Clone)]
pub struct McpSettings {
    pub transport: Transport,
    /// Address for the HTTP transport; a non-loopback one requires `token`.
    pub bind: std::net::SocketAddr,
    /// Required as `Authorization: Bearer TOKEN` on every HTTP request.
    pub token: Option<String>,
    /// Inactivity after which a session and its workspace are removed.
    pub session_idle: Duration,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Most sessions holding a workspace at once.
    pub max_sessions: usize,
    /// Most Python sessions open at once (each holds an interpreter).
    pub max_python_sessions: usize,
    /// Most HTTP requests in flight at once.
    pub max_requests: usize,
    /// The newest protocol offered.
    pub newest_protocol: NewestProtocol,
}

/// The newest protocol generation the server offers; older clients negotiate down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NewestProtocol {
    /// 2025-11-25: sessions by handshake. The default, because the 2026-07-28 lifecycle has
    /// no sessions: a client that tries it first (fastmcp) would get it, and `WriteTemp`
    /// then `ExecTemp` without a `workspace_id` would no longer reach the same workspace.
    #[default]
    Sessions,
    /// 2026-07-28: stateless, `server/discover`; state by the ids the tools issue.
    Stateless,
}

impl NewestProtocol {
    pub fn version(self) -> ProtocolVersion {
        match self {
            NewestProtocol::Sessions => ProtocolVersion::V_2025_11_25,
            NewestProtocol::Stateless => ProtocolVersion::V_2026_07_28,
        }
    }
}

/// How the MCP server is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Streamable HTTP at /mcp.
    Http,
    /// JSON-RPC over stdin/stdout.
    Stdio,
}

impl McpSettings {
    /// Refuses to serve a non-loopback address without a token.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.transport == Transport::Http
            && !self.bind.ip().is_loopback()
            && self.token.is_none()
        {
            bail!(
                "refusing to listen on {} without authentication: set --token or \
                 AUCODER_MCP_TOKEN (or bind a loopback address)",
                self.bind
            );
        }
        Ok(())
    }
}

/// Serves `tools` until the client leaves (stdio) or SIGTERM / SIGINT, then removes every
/// session's workspace.
pub async fn serve(settings: &McpSettings, tools: Arc<Tools>) -> anyhow::Result<()> {
    settings.check()?;
    let served = match settings.transport {
        Transport::Stdio => {
            let sessions = Arc::new(
                Sessions::new(settings.session_idle, settings.max_sessions, None)
                    .with_python_sessions(settings.max_python_sessions),
            );
            let sweeper = tokio::spawn(sweep_idle(sessions.clone()));
            let handler = AucoderMcp::new(tools, sessions.clone(), settings.newest_protocol);
            let running = handler
                .serve(rmcp::transport::stdio())
                .await
                .context("starting the stdio transport")?;
            let served = tokio::select! {
                served = running.waiting() => served.map(drop).context("serving on stdio"),
                signal = shutdown_signal() => signal.map(|name| {
                    tracing::info!("{name}: stopping");
                }),
            };
            sweeper.abort();
            (served, sessions)
        }
        Transport::Http => http::serve(settings, tools).await?,
    };
    let (served, sessions) = served;
    let removed = sessions.remove_all();
    if removed > 0 {
        tracing::info!("removed {removed} session workspaces");
    }
    served
}

/// Removes idle and closed sessions' workspaces every few seconds.
async fn sweep_idle(sessions: Arc<Sessions>) {
    let mut tick = tokio::time::interval(Duration::from_secs(5).min(sessions.idle()));
    loop {
        tick.tick().await;
        let removed = sessions.sweep().await;
        if removed > 0 {
            tracing::info!("removed {removed} idle or closed session workspaces");
        }
    }
}

/// Resolves on SIGINT or SIGTERM, naming which: both stop the server cleanly.
async fn shutdown_signal() -> anyhow::Result<&'static str> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
    Ok(tokio::select! {
        _ = terminate.recv() => "SIGTERM",
        _ = interrupt.recv() => "SIGINT",
    })
}

//! `aucoder mcp`: the tools over the Model Context Protocol (rmcp), on streamable HTTP at
//! `/mcp` or on stdio.
//!
//! Names, arguments and result shapes follow the original FastMCP server, so its clients keep
//! working: `RAG_Search` answers a list (structured `{"result": [...]}` plus the bare list as
//! text), the other tools answer objects. What changes is safety on a shared host: every
//! session gets its own workspace (removed when the session ends or idles out), the server
//! binds loopback unless a bearer token is set, request bodies and concurrent executions are
//! capped, unknown argument fields are refused, and an unknown tool is an `isError` result.

use crate::cli::{McpArgs, Transport};
use crate::tools::{
    self, ExecTempArgs, RagSearchArgs, RunPythonArgs, ToolError, Tools, WriteTempArgs,
};
use anyhow::{bail, Context};
use aucoder_sandbox::{BackendKind, Workspace};
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
use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Workspaces by session, with their last use, removed after the idle time.
pub struct Sessions {
    workspaces: Mutex<HashMap<String, (Arc<Workspace>, Instant)>>,
    idle: Duration,
}

impl Sessions {
    fn new(idle: Duration) -> Self {
        Self {
            workspaces: Mutex::default(),
            idle,
        }
    }

    /// The session's workspace, created on first use.
    fn workspace(&self, session: &str) -> Result<Arc<Workspace>, ToolError> {
        let mut workspaces = self
            .workspaces
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some((workspace, used)) = workspaces.get_mut(session) {
            *used = Instant::now();
            return Ok(workspace.clone());
        }
        let workspace = Arc::new(Workspace::temporary()?);
        workspaces.insert(session.to_owned(), (workspace.clone(), Instant::now()));
        Ok(workspace)
    }

    /// Drops idle sessions; their temporary folders go with the last reference.
    fn sweep(&self) -> usize {
        let mut workspaces = self
            .workspaces
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let before = workspaces.len();
        workspaces.retain(|_, (_, used)| used.elapsed() < self.idle);
        before - workspaces.len()
    }
}

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
fn respond<T: serde::Serialize>(result: Result<T, ToolError>) -> CallToolResult {
    match result {
        Ok(value) => object_result(json!(value)),
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
    instance: String,
}

static INSTANCES: AtomicU64 = AtomicU64::new(0);

#[tool_router]
impl AucoderMcp {
    pub fn new(tools: Arc<Tools>, sessions: Arc<Sessions>) -> Self {
        let mut tool_router = Self::tool_router();
        // `noop` exists to measure protocol overhead; clients only see it when asked for.
        if std::env::var_os("AUCODER_MCP_NOOP").is_none() {
            tool_router.remove_route("noop");
        }
        Self {
            tool_router,
            tools,
            sessions,
            instance: format!("connection-{}", INSTANCES.fetch_add(1, Ordering::Relaxed)),
        }
    }

    /// The session key: the HTTP session id when there is one, else this connection.
    fn session_key(&self, context: &RequestContext<RoleServer>) -> String {
        context
            .extensions
            .get::<http::request::Parts>()
            .and_then(|parts| parts.headers.get("mcp-session-id"))
            .and_then(|value| value.to_str().ok())
            .map(|id| format!("http-{id}"))
            .unwrap_or_else(|| self.instance.clone())
    }

    /// The session's workspace, after checking the program (if any) is not oversized.
    fn prepare(
        &self,
        context: &RequestContext<RoleServer>,
        code: Option<&str>,
    ) -> Result<Arc<Workspace>, CallToolResult> {
        if let Some(code) = code {
            check_code(code)?;
        }
        self.sessions
            .workspace(&self.session_key(context))
            .map_err(tool_error)
    }

    #[tool(
        name = "RAG_Search",
        description = "Search the knowledge corpus; returns the 3 most relevant chunks, each beginning with [file name] (min_score, 0 to 1, leaves out less similar ones).",
        output_schema = list_output_schema()
    )]
    async fn rag_search(&self, Parameters(args): Parameters<RagSearchArgs>) -> CallToolResult {
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
        match self.prepare(&context, Some(&args.code)) {
            Ok(workspace) => respond(
                self.tools
                    .write_temp(&workspace, &args.code)
                    .map(|()| json!({"ok": true})),
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
        Parameters(_args): Parameters<ExecTempArgs>,
        context: RequestContext<RoleServer>,
    ) -> CallToolResult {
        match self.prepare(&context, None) {
            Ok(workspace) => respond(self.tools.exec_temp(&workspace).await),
            Err(error) => error,
        }
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
        match self.prepare(&context, Some(&args.code)) {
            Ok(workspace) => respond(
                self.tools
                    .run_python(&workspace, &args.code, args.timeout_secs)
                    .await,
            ),
            Err(error) => error,
        }
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

    /// Up to 2025-11-25: the 2026-07-28 lifecycle has no sessions, and `WriteTemp` then
    /// `ExecTemp` must reach the same workspace. Clients that try the newer version first
    /// (fastmcp) fall back to the session handshake.
    fn supported_protocol_versions(&self) -> std::borrow::Cow<'static, [ProtocolVersion]> {
        std::borrow::Cow::Borrowed(ProtocolVersion::known_up_to(&ProtocolVersion::V_2025_11_25))
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

pub fn run(args: McpArgs) -> anyhow::Result<ExitCode> {
    crate::async_runtime()?.block_on(serve(args))
}

async fn serve(args: McpArgs) -> anyhow::Result<ExitCode> {
    let kind = BackendKind::from(args.sandbox.sandbox);
    args.sandbox.check_isolation("every client's code")?;
    if args.transport == Transport::Http && !args.bind.ip().is_loopback() && args.token.is_none() {
        bail!(
            "refusing to listen on {} without authentication: set --token or AUCODER_MCP_TOKEN \
             (or bind a loopback address)",
            args.bind
        );
    }
    let backend = aucoder_sandbox::backend(kind, &args.sandbox.backend_config())?;
    if kind == BackendKind::Wasm {
        // Load (or compile) the interpreter before the first client waits for it.
        tokio::task::spawn_blocking(aucoder_sandbox::WasmBackend::shared)
            .await
            .context("loading the sandbox")??;
    }
    let corpus = args.corpus.clone();
    let rag = tokio::task::spawn_blocking(move || crate::rag_cmd::open_corpus(&corpus, false))
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
    ));
    let sessions = Arc::new(Sessions::new(Duration::from_secs(args.session_idle_secs)));
    let sweeper = sessions.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(30).min(sweeper.idle));
        loop {
            tick.tick().await;
            let removed = sweeper.sweep();
            if removed > 0 {
                tracing::info!("removed {removed} idle session workspaces");
            }
        }
    });

    match args.transport {
        Transport::Stdio => {
            let handler = AucoderMcp::new(tools, sessions);
            let running = handler
                .serve(rmcp::transport::stdio())
                .await
                .context("starting the stdio transport")?;
            running.waiting().await.context("serving on stdio")?;
            Ok(ExitCode::SUCCESS)
        }
        Transport::Http => serve_http(args, tools, sessions).await,
    }
}

async fn serve_http(
    args: McpArgs,
    tools: Arc<Tools>,
    sessions: Arc<Sessions>,
) -> anyhow::Result<ExitCode> {
    use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
    use rmcp::transport::streamable_http_server::{
        StreamableHttpServerConfig, StreamableHttpService,
    };

    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("binding {}", args.bind))?;
    let address = listener.local_addr().context("reading the bound address")?;

    let mut session_manager = LocalSessionManager::default();
    session_manager.session_config.keep_alive = Some(Duration::from_secs(args.session_idle_secs));
    let mut config = StreamableHttpServerConfig::default()
        .with_max_request_body_bytes(args.max_body_mib << 20)
        .with_allowed_origins([
            format!("http://localhost:{}", address.port()),
            format!("http://127.0.0.1:{}", address.port()),
            "http://localhost:6274".to_owned(),
            "http://127.0.0.1:6274".to_owned(),
        ])
        .enforce_origin_validation();
    if !address.ip().is_loopback() {
        // Reached by name or address from other machines; the token is the guard then.
        config = config.disable_allowed_hosts();
    }
    let factory_tools = tools.clone();
    let factory_sessions = sessions.clone();
    let service = StreamableHttpService::new(
        move || {
            Ok(AucoderMcp::new(
                factory_tools.clone(),
                factory_sessions.clone(),
            ))
        },
        Arc::new(session_manager),
        config,
    );
    let mut app = axum::Router::new().nest_service("/mcp", service);
    if let Some(token) = args.token.clone() {
        let expected = Arc::new(format!("Bearer {token}"));
        app = app.layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                require_bearer(expected.clone(), request, next)
            },
        ));
    }
    eprintln!(
        "aucoder mcp: serving RAG_Search, WriteTemp, ExecTemp, run_python at http://{address}/mcp{}",
        if args.token.is_some() { " (bearer token required)" } else { "" }
    );
    // Streamed (SSE) answers are written in small pieces; without TCP_NODELAY each call can
    // stall 40 ms on delayed ACKs.
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY: {error}");
        }
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving HTTP")?;
    Ok(ExitCode::SUCCESS)
}

/// 401 with `WWW-Authenticate` unless the request carries the bearer token.
async fn require_bearer(
    expected: Arc<String>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let presented = request
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    if presented.is_some_and(|value| constant_time_eq(value.as_bytes(), expected.as_bytes())) {
        return next.run(request).await;
    }
    (
        http::StatusCode::UNAUTHORIZED,
        [(http::header::WWW_AUTHENTICATE, "Bearer realm=\"aucoder\"")],
        "missing or wrong bearer token\n",
    )
        .into_response()
}

/// Compares without an early exit, so timing does not reveal how much of a token matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_get_their_own_workspace_and_idle_ones_are_removed() {
        let sessions = Sessions::new(Duration::from_millis(0));
        let a = sessions.workspace("a").unwrap();
        let b = sessions.workspace("b").unwrap();
        assert_ne!(a.path(), b.path());
        let a_path = a.path().to_path_buf();
        assert!(a_path.is_dir());
        drop((a, b));
        assert_eq!(sessions.sweep(), 2);
        assert!(!a_path.exists(), "the idle session's workspace was removed");
    }

    #[test]
    fn bearer_tokens_compare_exactly() {
        assert!(constant_time_eq(b"Bearer abc", b"Bearer abc"));
        assert!(!constant_time_eq(b"Bearer abd", b"Bearer abc"));
        assert!(!constant_time_eq(b"Bearer ab", b"Bearer abc"));
    }
}

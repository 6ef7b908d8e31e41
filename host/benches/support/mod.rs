//! What the MCP benches share: starting aucoder's server and the FastMCP peer on free
//! loopback ports, and reading the JSON the Python test client prints.

use serde_json::Value;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub fn support(script: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/support")
        .join(script)
}

/// A server process, killed when dropped.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads lines until one holding `marker` names a URL; keeps draining the rest.
fn url_from(reader: impl std::io::Read + Send + 'static, marker: &str) -> String {
    let mut lines = BufReader::new(reader);
    let url = loop {
        let mut line = String::new();
        assert!(
            lines.read_line(&mut line).expect("read") > 0,
            "server exited"
        );
        if let Some(at) = line.find(marker) {
            let rest = &line[at + marker.len()..];
            let start = rest.find("http://").expect("url");
            break rest[start..]
                .split_whitespace()
                .next()
                .expect("url")
                .to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines.lines() {});
    url
}

/// `aucoder mcp` on the repository's corpus with `--max-executions 2`, plus `env`.
pub fn start_aucoder(env: &[(&str, &OsStr)]) -> (Running, String) {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../utils");
    let mut child = Command::new(env!("CARGO_BIN_EXE_aucoder"))
        .args([
            "mcp",
            "--bind",
            "127.0.0.1:0",
            "--max-executions",
            "2",
            "--utils",
        ])
        .arg(corpus)
        .envs(env.iter().map(|(key, value)| (*key, *value)))
        .stderr(Stdio::piped())
        .spawn()
        .expect("aucoder mcp");
    let url = url_from(child.stderr.take().expect("stderr"), "serving");
    (Running(child), url)
}

/// The FastMCP server with the same tools (`tests/support/fastmcp_server.py`).
pub fn start_fastmcp() -> (Running, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut child = Command::new("python3")
        .arg(support("fastmcp_server.py"))
        .args(["http", &port.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("fastmcp server");
    let url = url_from(child.stdout.take().expect("stdout"), "READY");
    (Running(child), url)
}

/// Runs `tests/support/mcp_client.py ARGS` and returns the JSON object it printed last.
pub fn client(args: &[&str]) -> Value {
    let output = Command::new("python3")
        .arg(support("mcp_client.py"))
        .args(args)
        .output()
        .expect("client");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .unwrap_or_else(|| {
            panic!(
                "no JSON: {stdout}\n{}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
    serde_json::from_str(last).expect("json")
}

/// One MCP session over streamable HTTP by raw JSON-RPC from Rust (reqwest, TCP_NODELAY): a
/// light client, so the server's own cost shows.
pub struct RawMcp {
    client: reqwest::Client,
    url: String,
    session: Option<String>,
}

impl RawMcp {
    /// Initializes a session at `url` (the 2025-11-25 handshake).
    pub async fn open(url: &str) -> Self {
        let client = reqwest::Client::builder()
            .tcp_nodelay(true)
            .build()
            .expect("client");
        let mut raw = Self {
            client,
            url: url.to_owned(),
            session: None,
        };
        let init = raw
            .post(
                serde_json::json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "bench", "version": "0"}}}),
            )
            .await;
        raw.session = init
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let _ = init.text().await;
        let _ = raw
            .post(serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await
            .text()
            .await;
        raw
    }

    async fn post(&self, body: Value) -> reqwest::Response {
        let mut request = self
            .client
            .post(&self.url)
            .header("Accept", "application/json, text/event-stream")
            .header("Content-Type", "application/json")
            .header("MCP-Protocol-Version", "2025-11-25")
            .body(body.to_string());
        if let Some(session) = &self.session {
            request = request.header("Mcp-Session-Id", session);
        }
        request.send().await.expect("the server answers")
    }

    /// `tools/call` of `tool`; the answer's body as sent (JSON, or SSE events).
    pub async fn call_text(&self, id: usize, tool: &str, arguments: Value) -> String {
        self.post(
            serde_json::json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments}}),
        )
        .await
        .text()
        .await
        .expect("body")
    }
}

//! MCP benchmarks (`cargo bench -p aucoder --bench mcp`): tool-call overhead of a no-op tool
//! over streamable HTTP, aucoder's server vs a FastMCP server with the same tool, both driven by
//! the official Python SDK client (`tests/support/mcp_client.py bench`); and 50 concurrent
//! sessions × 20 `run_python` calls against aucoder (`... load`).

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

fn support(script: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/support")
        .join(script)
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_aucoder() -> (Running, String) {
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
        .env("AUCODER_MCP_NOOP", "1")
        .stderr(Stdio::piped())
        .spawn()
        .expect("aucoder mcp");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let url = loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).expect("read") > 0,
            "server exited"
        );
        if let Some(at) = line.find("http://") {
            break line[at..]
                .split_whitespace()
                .next()
                .expect("url")
                .to_owned();
        }
    };
    std::thread::spawn(move || for _ in stderr.lines() {});
    (Running(child), url)
}

fn start_fastmcp() -> (Running, String) {
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
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("ready line");
    let url = line
        .trim()
        .strip_prefix("READY ")
        .expect("READY")
        .to_owned();
    std::thread::spawn(move || for _ in stdout.lines() {});
    (Running(child), url)
}

fn client(args: &[&str]) -> Value {
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

/// Raw JSON-RPC over HTTP from Rust (reqwest): a light client, so the server's own cost shows.
/// Returns (median, p99) milliseconds of `tools/call noop`.
fn raw_noop_latency(url: &str, calls: usize) -> (f64, f64) {
    let runtime = tokio::runtime::Runtime::new().expect("tokio");
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .tcp_nodelay(true)
            .build()
            .expect("client");
        let post = |body: Value, session: Option<String>| {
            let mut request = client
                .post(url)
                .header("Accept", "application/json, text/event-stream")
                .header("Content-Type", "application/json")
                .header("MCP-Protocol-Version", "2025-11-25")
                .body(body.to_string());
            if let Some(session) = session {
                request = request.header("Mcp-Session-Id", session);
            }
            request.send()
        };
        let init = post(
            serde_json::json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "bench", "version": "0"}}}),
            None,
        )
        .await
        .expect("initialize");
        let session = init
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let _ = init.text().await;
        let _ = post(
            serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            session.clone(),
        )
        .await
        .expect("initialized")
        .text()
        .await;
        let mut samples = Vec::new();
        for id in 1..=calls + 10 {
            let started = std::time::Instant::now();
            let body = post(
                serde_json::json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                    "params": {"name": "noop", "arguments": {}}}),
                session.clone(),
            )
            .await
            .expect("call")
            .text()
            .await
            .expect("body");
            assert!(body.contains("\"ok\""), "{body}");
            if id > 10 {
                samples.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
        samples.sort_by(|a, b| a.total_cmp(b));
        (
            samples[samples.len() / 2],
            samples[samples.len() * 99 / 100],
        )
    })
}

fn main() {
    let (_ours, our_url) = start_aucoder();
    let (_theirs, their_url) = start_fastmcp();
    let (ours_raw, ours_raw_p99) = raw_noop_latency(&our_url, 300);
    let (theirs_raw, theirs_raw_p99) = raw_noop_latency(&their_url, 300);
    println!(
        "noop over HTTP, raw JSON-RPC from Rust, 300 calls: aucoder median {ours_raw:.3} ms (p99 {ours_raw_p99:.3}), FastMCP median {theirs_raw:.3} ms (p99 {theirs_raw_p99:.3}); ratio {:.2}",
        ours_raw / theirs_raw
    );
    let ours = client(&["--http", &our_url, "bench", "--calls", "300"]);
    let theirs = client(&["--http", &their_url, "bench", "--calls", "300"]);
    println!("noop over HTTP, official Python SDK client, 300 calls, one session:");
    println!("  aucoder (rmcp): {ours}");
    println!("  FastMCP:        {theirs}");
    if let (Some(a), Some(b)) = (ours["median_ms"].as_f64(), theirs["median_ms"].as_f64()) {
        println!("  median ratio aucoder/FastMCP: {:.2}", a / b);
    }
    let load = client(&[
        "--http",
        &our_url,
        "load",
        "--sessions",
        "50",
        "--calls",
        "20",
    ]);
    println!("50 sessions x 20 run_python (print(sum(range(1000)))), --max-executions 2: {load}");
}

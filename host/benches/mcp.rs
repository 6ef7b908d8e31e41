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

fn main() {
    let (_ours, our_url) = start_aucoder();
    let (_theirs, their_url) = start_fastmcp();
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

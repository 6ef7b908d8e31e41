//! Load with hostile traffic mixed in (`cargo bench -p aucoder --bench mcp_load`): 50
//! concurrent sessions × 20 `run_python` calls from the official Python SDK client, while a
//! second client sends oversized bodies, bodies of millions of JSON values, malformed JSON
//! and calls under made-up session ids, as fast as they are answered. Run against aucoder's
//! server and against the FastMCP server with the same tools (`tests/support/fastmcp_server.py`)
//! in the same go. Reports failures among the well-formed calls, how the hostile requests
//! were answered, the server's peak RSS (VmHWM), and, for aucoder, whether any session
//! workspace is left after SIGTERM. Loopback only.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

fn support(script: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/support")
        .join(script)
}

/// Reads `prefix` lines from a child's output until one holds a URL.
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

fn start_aucoder(temp: &Path) -> (Child, String) {
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
        .env("TMPDIR", temp)
        .stderr(Stdio::piped())
        .spawn()
        .expect("aucoder mcp");
    let url = url_from(child.stderr.take().expect("stderr"), "serving");
    (child, url)
}

fn start_fastmcp() -> (Child, String) {
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
    (child, url)
}

fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

/// How the hostile requests were answered: (kind, status or "closed") → count.
type Tally = std::collections::BTreeMap<String, usize>;

async fn hostile(url: String, done: Arc<AtomicBool>) -> Tally {
    let client = reqwest::Client::new();
    let oversized = vec![b' '; 9 << 20];
    let dense = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{{\"name\":\"run_python\",\"arguments\":{{\"code\":[{}0]}}}}}}",
        "0,".repeat(3 << 20)
    )
    .into_bytes();
    let malformed = b"{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": ".to_vec();
    let made_up = serde_json::json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
        "name": "run_python", "arguments": {"code": "print(1)"},
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2025-11-25",
                  "io.modelcontextprotocol/clientCapabilities": {}}}})
    .to_string()
    .into_bytes();
    let mut tally = Tally::new();
    while !done.load(Ordering::Relaxed) {
        for (kind, body, session) in [
            ("oversized 9 MiB", &oversized, None),
            ("3M JSON values", &dense, None),
            ("malformed JSON", &malformed, None),
            ("made-up session id", &made_up, Some("made-up")),
        ] {
            let mut request = client
                .post(&url)
                .header("content-type", "application/json")
                .header("accept", "application/json, text/event-stream")
                .header("mcp-protocol-version", "2025-11-25")
                .body(body.clone());
            if let Some(session) = session {
                request = request.header("mcp-session-id", session);
            }
            let answer = match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let text = response.text().await.unwrap_or_default();
                    if status == 200 && text.contains("unknown or closed") {
                        "200 tool error (unknown session)".to_owned()
                    } else if status == 200 && text.contains("\"stdout\"") {
                        "200 ran the code".to_owned()
                    } else {
                        status.to_string()
                    }
                }
                Err(_) => "connection closed".to_owned(),
            };
            *tally.entry(format!("{kind}: {answer}")).or_default() += 1;
        }
    }
    tally
}

/// Runs the load and the hostile client against `url`; returns the SDK client's report and
/// the tally.
fn drive(url: &str) -> (Value, Tally) {
    let done = Arc::new(AtomicBool::new(false));
    let runtime = tokio::runtime::Runtime::new().expect("tokio");
    let attack = runtime.spawn(hostile(url.to_owned(), done.clone()));
    let output = Command::new("python3")
        .arg(support("mcp_client.py"))
        .args(["--http", url, "load", "--sessions", "50", "--calls", "20"])
        .output()
        .expect("client");
    done.store(true, Ordering::Relaxed);
    let tally = runtime.block_on(attack).expect("hostile client");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report = stdout
        .lines()
        .rev()
        .find(|line| line.trim_start().starts_with('{'))
        .and_then(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| {
            panic!(
                "no JSON from the load client: {stdout}\n{}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
    (report, tally)
}

fn print_run(name: &str, report: &Value, tally: &Tally, peak_mib: f64) {
    println!(
        "{name}: {}/{} well-formed calls ok, {} failures, p50 {} ms, p99 {} ms, {} s total; peak RSS {peak_mib:.0} MiB",
        report["ok"], report["total_calls"], report["failures"], report["p50_ms"],
        report["p99_ms"], report["total_seconds"]
    );
    if report["failures"].as_u64() != Some(0) {
        println!("  first errors: {}", report["errors"]);
    }
    for (answer, count) in tally {
        println!("  hostile {answer}: {count}");
    }
}

fn main() {
    let temp = tempfile::tempdir().expect("temp dir");
    let (mut ours, our_url) = start_aucoder(temp.path());
    let (report, tally) = drive(&our_url);
    let ours_peak = peak_rss_mib(ours.id());
    print_run("aucoder", &report, &tally, ours_peak);
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(ours.id() as i32, libc::SIGTERM) };
    let status = ours.wait().expect("wait");
    let left = std::fs::read_dir(temp.path())
        .map(|entries| {
            entries
                .flatten()
                .filter(|entry| {
                    entry
                        .file_name()
                        .to_string_lossy()
                        .starts_with("aucoder-run-")
                })
                .count()
        })
        .unwrap_or(0);
    println!("  after SIGTERM: exit {status}, {left} session workspaces left");

    let (mut theirs, their_url) = start_fastmcp();
    let (their_report, their_tally) = drive(&their_url);
    let their_peak = peak_rss_mib(theirs.id());
    print_run("FastMCP", &their_report, &their_tally, their_peak);
    let _ = theirs.kill();
    let _ = theirs.wait();
    if their_peak > 0.0 {
        println!(
            "peak RSS ratio aucoder/FastMCP: {:.2}",
            ours_peak / their_peak
        );
    }
}

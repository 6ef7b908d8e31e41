//! Load with hostile traffic mixed in (`cargo bench -p aucoder --bench mcp_load`): 50
//! concurrent sessions × 20 `run_python` calls from the official Python SDK client, while a
//! second client sends oversized bodies, bodies of millions of JSON values, malformed JSON
//! and calls under made-up session ids, as fast as they are answered. Run against aucoder's
//! server and against the FastMCP server with the same tools (`tests/support/fastmcp_server.py`)
//! in the same go. Reports failures among the well-formed calls, how the hostile requests
//! were answered, the server's peak RSS (VmHWM), and, for aucoder, whether any session
//! workspace is left after SIGTERM. Loopback only.

#[allow(dead_code)] // each bench uses a part of the support module
mod support;

use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use support::{client, start_aucoder, start_fastmcp};

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
    let report = client(&["--http", url, "load", "--sessions", "50", "--calls", "20"]);
    done.store(true, Ordering::Relaxed);
    let tally = runtime.block_on(attack).expect("hostile client");
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
    let (mut ours, our_url) = start_aucoder(&[("TMPDIR", temp.path().as_os_str())]);
    let (report, tally) = drive(&our_url);
    let ours_peak = peak_rss_mib(ours.0.id());
    print_run("aucoder", &report, &tally, ours_peak);
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(ours.0.id() as i32, libc::SIGTERM) };
    let status = ours.0.wait().expect("wait");
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

    let (theirs, their_url) = start_fastmcp();
    let (their_report, their_tally) = drive(&their_url);
    let their_peak = peak_rss_mib(theirs.0.id());
    print_run("FastMCP", &their_report, &their_tally, their_peak);
    drop(theirs);
    if their_peak > 0.0 {
        println!(
            "peak RSS ratio aucoder/FastMCP: {:.2}",
            ours_peak / their_peak
        );
    }
}

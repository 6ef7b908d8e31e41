//! MCP benchmarks (`cargo bench -p aucoder --bench mcp`): tool-call overhead of a no-op tool
//! over streamable HTTP, aucoder's server vs a FastMCP server with the same tool, both driven by
//! the official Python SDK client (`tests/support/mcp_client.py bench`); and 50 concurrent
//! sessions × 20 `run_python` calls against aucoder (`... load`).

mod support;

use support::{client, start_aucoder, start_fastmcp, RawMcp};

/// Median and p99 milliseconds of `tools/call noop` on one [`RawMcp`] session.
fn raw_noop_latency(url: &str, calls: usize) -> (f64, f64) {
    let runtime = tokio::runtime::Runtime::new().expect("tokio");
    runtime.block_on(async {
        let raw = RawMcp::open(url).await;
        let mut samples = Vec::new();
        for id in 1..=calls + 10 {
            let started = std::time::Instant::now();
            let body = raw.call_text(id, "noop", serde_json::json!({})).await;
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
    // The no-op tool is only listed when this is set.
    let (_ours, our_url) = start_aucoder(&[("AUCODER_MCP_NOOP", "1".as_ref())]);
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

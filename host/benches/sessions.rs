//! Python session turn latency (`cargo bench -p aucoder --bench sessions`): one turn of
//! `x = x + 1` in a kept interpreter, on RustPython and CPython in the wasm sandbox, against
//! the same driver on the host's own CPython (no sandbox) run in the same go; and the same
//! turn as an MCP `python_session_run` call over streamable HTTP (raw JSON-RPC from Rust).

#[allow(dead_code)] // each bench uses a part of the support module
mod support;

use aucoder_sandbox::{BackendKind, Limits, Workspace};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{start_aucoder, RawMcp};

const TURNS: usize = 1000;
const WARMUP: usize = 20;

/// (median, p99) of samples in milliseconds.
fn summary(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(|a, b| a.total_cmp(b));
    (
        samples[samples.len() / 2],
        samples[(samples.len() * 99 / 100).min(samples.len() - 1)],
    )
}

async fn sandbox_turns(kind: BackendKind) -> (f64, f64) {
    let backend = aucoder_sandbox::backend(kind, &Default::default()).expect("backend");
    let workspace = Arc::new(Workspace::temporary().expect("workspace"));
    let mut session = backend
        .start_session(workspace, &Limits::default())
        .await
        .expect("session");
    let limit = Duration::from_secs(10);
    session.run("x = 0", limit).await.expect("first turn");
    let mut samples = Vec::new();
    for turn in 0..WARMUP + TURNS {
        let started = Instant::now();
        let answer = session.run("x = x + 1", limit).await.expect("turn");
        assert!(answer.error.is_none(), "{:?}", answer.error);
        if turn >= WARMUP {
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let last = session.run("x", limit).await.expect("last turn");
    assert_eq!(
        last.result.as_deref(),
        Some((WARMUP + TURNS).to_string().as_str())
    );
    summary(samples)
}

/// The same driver and protocol on the host's CPython, over pipes: what a turn costs
/// without a sandbox.
fn native_turns() -> (f64, f64) {
    let driver = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../sandbox/src/wasm/session_driver.py"),
    )
    .expect("driver");
    let mut child = Command::new("python3")
        .args(["-c", &driver])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("ready");
    let mut turn = |number: usize, code: &str| -> Value {
        let request =
            json!({"turn": number, "nonce": format!("n{number}"), "code": code, "cap": 1 << 20});
        writeln!(stdin, "{request}").expect("request");
        stdin.flush().expect("flush");
        line.clear();
        stdout.read_line(&mut line).expect("answer");
        serde_json::from_str(&line).expect("JSON answer")
    };
    turn(0, "x = 0");
    let mut samples = Vec::new();
    for number in 1..=WARMUP + TURNS {
        let started = Instant::now();
        let answer = turn(number, "x = x + 1");
        assert!(answer["error"].is_null(), "{answer}");
        if number > WARMUP {
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let last = turn(WARMUP + TURNS + 1, "x");
    assert_eq!(last["result"], (WARMUP + TURNS).to_string(), "{last}");
    drop(stdin);
    let _ = child.wait();
    summary(samples)
}

/// `python_session_run` over streamable HTTP, raw JSON-RPC from Rust (reqwest).
async fn mcp_turns(url: &str) -> (f64, f64) {
    let raw = RawMcp::open(url).await;
    let call = |id: usize, tool: &'static str, arguments: Value| {
        let raw = &raw;
        async move {
            let text = raw.call_text(id, tool, arguments).await;
            // A JSON answer, or the SSE `data:` line that holds one (a priming event is empty).
            let json = text
                .lines()
                .filter_map(|line| line.strip_prefix("data:"))
                .map(str::trim)
                .find(|data| data.starts_with('{'))
                .unwrap_or(text.trim())
                .to_owned();
            serde_json::from_str::<Value>(&json)
                .unwrap_or_else(|error| panic!("not a JSON-RPC answer ({error}): {text}"))
        }
    };
    let started = call(1, "python_session_start", json!({})).await;
    let id = started["result"]["structuredContent"]["session_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{started}"))
        .to_owned();
    call(
        2,
        "python_session_run",
        json!({"session_id": id, "code": "x = 0"}),
    )
    .await;
    let mut samples = Vec::new();
    for turn in 0..WARMUP + TURNS {
        let begun = Instant::now();
        let answer = call(
            3 + turn,
            "python_session_run",
            json!({"session_id": id, "code": "x = x + 1"}),
        )
        .await;
        assert_eq!(
            answer["result"]["structuredContent"]["success"], true,
            "{answer}"
        );
        if turn >= WARMUP {
            samples.push(begun.elapsed().as_secs_f64() * 1000.0);
        }
    }
    summary(samples)
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("tokio");
    let (native, native_p99) = native_turns();
    println!(
        "x = x + 1, {TURNS} turns, host CPython (no sandbox, same driver over pipes): median {native:.3} ms, p99 {native_p99:.3}"
    );
    for kind in [BackendKind::Wasm, BackendKind::WasmCpython] {
        let (median, p99) = runtime.block_on(sandbox_turns(kind));
        println!(
            "x = x + 1, {TURNS} turns, {} sandbox, in process: median {median:.3} ms, p99 {p99:.3}; ratio to host CPython {:.2}",
            kind.as_str(),
            median / native
        );
    }
    let (_server, url) = start_aucoder(&[]);
    let (median, p99) = runtime.block_on(mcp_turns(&url));
    println!(
        "x = x + 1, {TURNS} turns, python_session_run over MCP (HTTP, raw JSON-RPC), wasm sandbox: median {median:.3} ms, p99 {p99:.3}; ratio to host CPython {:.2}",
        median / native
    );
}

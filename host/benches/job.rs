//! Main-job benchmarks (`cargo bench -p aucoder --bench job`): the quick-sort request end to
//! end on the real embedded model, split by agent, and the cost of running agents as
//! plugins (instantiation plus the plugin's own code, i.e. each step's time beyond the LLM
//! and the tools). Prints the figures recorded in docs/benchmarks.md; nothing is asserted.
//!
//! `cargo bench -p aucoder --bench job -- overhead` runs only the plugin-overhead part, which
//! uses the scripted LLM of the tests so that many steps cost little.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

const AUCODER: &str = env!("CARGO_BIN_EXE_aucoder");
const QUICK_SORT: &str = "write a quick sort example and print the sorted result";
const RUNS: usize = 3;

fn main() {
    let only: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wants = |name: &str| only.as_deref().is_none_or(|o| name.contains(o));
    if wants("end_to_end") {
        end_to_end();
    }
    if wants("overhead") {
        overhead();
    }
}

fn median(samples: Vec<f64>) -> f64 {
    percentile(samples, 0.5)
}

/// NaN for no samples (a run that produced no steps), never a panic.
fn percentile(mut samples: Vec<f64>, p: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    samples.sort_by(f64::total_cmp);
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

/// Step lines of a run log (lines without an `event`).
fn steps(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("aucoder-log.jsonl"))
        .expect("run log")
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("JSON line"))
        .filter(|entry| entry.get("event").is_none())
        .collect()
}

fn end_to_end() {
    println!("== quick sort request end to end, real embedded model, {RUNS} runs");
    let mut totals = Vec::new();
    let mut overheads = Vec::new();
    for run in 1..=RUNS {
        let dir = tempfile::tempdir().expect("temp dir");
        let started = Instant::now();
        let output = Command::new(AUCODER)
            .current_dir(dir.path())
            .env("XDG_CONFIG_HOME", dir.path().join("user-config"))
            .args(["--sandbox", "wasm", "--json", QUICK_SORT])
            .output()
            .expect("aucoder");
        let wall = started.elapsed().as_secs_f64();
        let summary: Value =
            serde_json::from_slice(&output.stdout).expect("--json prints a summary");
        totals.push(wall);
        let mut line = format!(
            "run {run}: {:.1} s process ({:.1} s in the agents), success {}, {} round(s);",
            wall,
            summary["duration_ms"].as_f64().unwrap_or(0.0) / 1000.0,
            summary["success"],
            summary["rounds"]
        );
        for agent in ["retriever", "planner", "coder", "executor", "debugger"] {
            let totals = &summary["agents"][agent];
            if totals.is_null() {
                continue;
            }
            line.push_str(&format!(
                " {agent} {:.2} s ({} tokens)",
                totals["duration_ms"].as_f64().unwrap_or(0.0) / 1000.0,
                totals["completion_tokens"]
            ));
        }
        println!("{line}");
        overheads.extend(
            steps(dir.path())
                .iter()
                .filter_map(|step| step["plugin_overhead_us"].as_f64()),
        );
    }
    println!(
        "median process time {:.1} s; plugin overhead per step: median {:.0} us, max {:.0} us over {} steps",
        median(totals),
        median(overheads.clone()),
        percentile(overheads.clone(), 1.0),
        overheads.len()
    );
}

/// Many steps with a scripted LLM: the coder's program is always rejected, so each round runs
/// coder, executor and debugger.
fn overhead() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Distinct programs each round keep the early stop from ending the run.
    let coder_answers: Vec<String> = (0..20)
        .map(|round| format!("```python\nprint('hello {round}')\n```"))
        .collect();
    let script = serde_json::json!({
        "software architect": ["1. Print hello."],
        "Python engineer": coder_answers,
        "review the output": [r#"{"ok": false, "reason": "try again"}"#],
        "debugger": ["1. Print hello again."],
    });
    let script_file = dir.path().join("script.json");
    std::fs::write(&script_file, script.to_string()).expect("script");
    let mut server = Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/support/scripted_llm.py"
        ))
        .arg(&script_file)
        .arg(dir.path().join("requests.jsonl"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("READY line");
    let url = line.trim().trim_start_matches("READY ").to_owned();
    std::fs::create_dir(dir.path().join("corpus")).expect("corpus dir");
    let output = Command::new(AUCODER)
        .current_dir(dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("user-config"))
        .args(["--llm-url", &url, "--utils", "corpus", "--json"])
        .args(["--max-rounds", "20", "say hello"])
        .output()
        .expect("aucoder");
    let _ = server.kill();
    let _ = server.wait();
    let summary: Value = serde_json::from_slice(&output.stdout).expect("summary");
    let steps = steps(dir.path());
    println!(
        "== plugin overhead, scripted LLM: {} steps in {} rounds",
        steps.len(),
        summary["rounds"]
    );
    for agent in ["retriever", "planner", "coder", "executor", "debugger"] {
        let samples: Vec<f64> = steps
            .iter()
            .filter(|step| step["agent"] == agent)
            .filter_map(|step| step["plugin_overhead_us"].as_f64())
            .collect();
        if samples.is_empty() {
            continue;
        }
        println!(
            "{agent:<9} {:>3} steps: overhead median {:>5.0} us, p95 {:>5.0} us, max {:>5.0} us",
            samples.len(),
            median(samples.clone()),
            percentile(samples.clone(), 0.95),
            percentile(samples, 1.0)
        );
    }
    let all: Vec<f64> = steps
        .iter()
        .filter_map(|step| step["plugin_overhead_us"].as_f64())
        .collect();
    println!(
        "all steps: median {:.0} us, p95 {:.0} us, max {:.0} us (goal: at most 1000 us)",
        median(all.clone()),
        percentile(all.clone(), 0.95),
        percentile(all, 1.0)
    );
}

//! Quality benchmark of the main job (`cargo bench -p aucoder --bench quality`): requests of
//! the kind users type (`quality/requests.json`: print, compute, transform text, small
//! algorithms, functions with a given signature), each run through the whole main job on the
//! embedded model in an empty folder, then judged by its own checker on the final program's
//! behaviour. Checkers run in aucoder's own sandbox: they import `final_code.py` as a module
//! (`solution`) and read what it prints (`OUTPUT`). Nothing is asserted; it prints a table and
//! one JSON summary line per mode for docs/benchmarks.md.
//!
//! ```text
//! cargo bench -p aucoder --bench quality -- [--modes full,plain,one-candidate,no-checks,judge-only,candidates-N]
//!     [--model NAME] [--limit N] [--only ID,ID]
//! ```
//!
//! `plain` is the baseline the main job must never fall below: one greedy completion of the
//! same model (`aucoder ask --temperature 0`), its first Python block taken as the program.
//! The requests are this project's own; none comes from a public benchmark.

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const AUCODER: &str = env!("CARGO_BIN_EXE_aucoder");
const REQUESTS: &str = include_str!("quality/requests.json");

/// The checker program: the request's asserts between a preamble and a marker.
const CHECK_PREAMBLE: &str = "OUTPUT = open('output.txt').read()\n\
namespace = {'__name__': 'solution'}\n\
exec(compile(open('final_code.py').read(), 'final_code.py', 'exec'), namespace)\n\
class _Solution:\n    pass\n\
solution = _Solution()\n\
solution.__dict__.update(namespace)\n";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let option = |name: &str| {
        args.iter()
            .position(|arg| arg == name)
            .and_then(|index| args.get(index + 1))
            .cloned()
    };
    let modes = option("--modes").unwrap_or_else(|| "full,plain".to_owned());
    let model = option("--model");
    let limit: usize = option("--limit")
        .and_then(|value| value.parse().ok())
        .unwrap_or(usize::MAX);
    let only = option("--only");
    let requests: Vec<Value> = serde_json::from_str(REQUESTS).expect("requests.json is JSON");
    let requests: Vec<&Value> = requests
        .iter()
        .filter(|request| {
            only.as_deref()
                .is_none_or(|ids| ids.split(',').any(|id| request["id"].as_str() == Some(id)))
        })
        .take(limit)
        .collect();
    for mode in modes.split(',') {
        run_mode(mode, model.as_deref(), &requests);
    }
}

fn run_mode(mode: &str, model: Option<&str>, requests: &[&Value]) {
    println!(
        "== mode {mode}, model {}, {} requests",
        model.unwrap_or("(default)"),
        requests.len()
    );
    let mut passed = 0;
    let mut times = Vec::new();
    let mut by_kind: std::collections::BTreeMap<String, (u32, u32)> = Default::default();
    let mut failures = Vec::new();
    for request in requests {
        let id = request["id"].as_str().unwrap_or("?");
        let kind = request["kind"].as_str().unwrap_or("?").to_owned();
        let text = request["request"].as_str().unwrap_or_default();
        let dir = tempfile::tempdir().expect("a temporary folder");
        let started = Instant::now();
        let produced = match mode {
            "plain" => plain_completion(dir.path(), model, text),
            _ => main_job(dir.path(), mode, model, text),
        };
        let seconds = started.elapsed().as_secs_f64();
        times.push(seconds);
        let verdict = if produced {
            check(dir.path(), request["check"].as_str().unwrap_or_default())
        } else {
            Err("no final_code.py".to_owned())
        };
        let entry = by_kind.entry(kind).or_default();
        entry.1 += 1;
        match &verdict {
            Ok(()) => {
                passed += 1;
                entry.0 += 1;
            }
            Err(why) => failures.push(format!("{id}: {why}")),
        }
        println!(
            "{:<22} {:>6.1} s  {}",
            id,
            seconds,
            match &verdict {
                Ok(()) => "pass".to_owned(),
                Err(why) => format!("FAIL {}", why.chars().take(120).collect::<String>()),
            }
        );
    }
    let total = requests.len().max(1);
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN);
    println!(
        "{}",
        serde_json::json!({
            "mode": mode,
            "model": model.unwrap_or("default"),
            "requests": requests.len(),
            "passed": passed,
            "pass_rate": passed as f64 / total as f64,
            "median_s": (median * 10.0).round() / 10.0,
            "mean_s": (times.iter().sum::<f64>() / total as f64 * 10.0).round() / 10.0,
            "by_kind": by_kind.iter().map(|(kind, (ok, all))| (kind.clone(), format!("{ok}/{all}"))).collect::<std::collections::BTreeMap<_, _>>(),
        })
    );
}

/// The main job in `dir`; whether it wrote `final_code.py`.
fn main_job(dir: &Path, mode: &str, model: Option<&str>, request: &str) -> bool {
    let mut command = Command::new(AUCODER);
    command
        .current_dir(dir)
        .env_remove("AUCODER_LLM_URL")
        .env("XDG_CONFIG_HOME", dir.join("user-config"))
        .args(["--json", "--sandbox", "wasm"]);
    match mode {
        "one-candidate" => {
            command.args(["--candidates", "1"]);
        }
        "no-checks" => {
            command.arg("--no-checks");
        }
        "judge-only" => {
            command.arg("--judge-only");
        }
        other => {
            // `candidates-N`: the full loop with N candidates per round.
            if let Some(count) = other.strip_prefix("candidates-") {
                command.args(["--candidates", count]);
            }
        }
    }
    if let Some(model) = model {
        command.args(["--model", model]);
    }
    let _ = command.arg(request).output();
    dir.join("final_code.py").is_file()
}

/// One greedy completion of the same model; its first Python block becomes the program.
fn plain_completion(dir: &Path, model: Option<&str>, request: &str) -> bool {
    let mut command = Command::new(AUCODER);
    command
        .current_dir(dir)
        .env_remove("AUCODER_LLM_URL")
        .args(["ask", "--temperature", "0", "--max-tokens", "800"]);
    if let Some(model) = model {
        command.args(["--model", model]);
    }
    let Ok(output) = command.arg(request).output() else {
        return false;
    };
    let answer = String::from_utf8_lossy(&output.stdout).into_owned();
    let code = first_block(&answer).unwrap_or(answer);
    std::fs::write(dir.join("final_code.py"), code).is_ok()
}

/// The first fenced block of an answer, preferring one tagged Python.
fn first_block(answer: &str) -> Option<String> {
    let mut blocks = Vec::new();
    let mut lines = answer.lines();
    while let Some(line) = lines.next() {
        if let Some(info) = line.trim_start().strip_prefix("```") {
            let body: Vec<&str> = lines
                .by_ref()
                .take_while(|inner| !inner.trim_start().starts_with("```"))
                .collect();
            blocks.push((info.trim().to_lowercase(), body.join("\n") + "\n"));
        }
    }
    blocks
        .iter()
        .find(|(info, _)| info.starts_with("py"))
        .or(blocks.first())
        .map(|(_, body)| body.clone())
}

/// Runs the program, then the checker, both in aucoder's sandbox.
fn check(dir: &Path, asserts: &str) -> Result<(), String> {
    let run = Command::new(AUCODER)
        .current_dir(dir)
        .args(["run", "--workspace", ".", "final_code.py"])
        .output()
        .map_err(|error| error.to_string())?;
    std::fs::write(dir.join("output.txt"), &run.stdout).map_err(|error| error.to_string())?;
    let checker = format!("{CHECK_PREAMBLE}{asserts}\nprint('CHECK-PASSED')\n");
    std::fs::write(dir.join("checker.py"), checker).map_err(|error| error.to_string())?;
    let checked = Command::new(AUCODER)
        .current_dir(dir)
        .args(["run", "--workspace", ".", "checker.py"])
        .output()
        .map_err(|error| error.to_string())?;
    if String::from_utf8_lossy(&checked.stdout).contains("CHECK-PASSED") {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&checked.stderr);
        Err(stderr
            .lines()
            .rev()
            .find(|line| !line.trim().is_empty())
            .unwrap_or("the checker failed")
            .to_owned())
    }
}

//! Standard Python benchmark programs on every interpreter aucoder runs
//! (`cargo bench -p aucoder --bench pyperformance [-- NAME]`): pyperformance's pure-stdlib
//! programs, each run once per interpreter as its own process, against the host's real
//! CPython in the same go. Prints each program's time inside the program and for the whole
//! process, and the geometric-mean ratios recorded in docs/benchmarks.md.
//!
//! The programs come from the pyperformance wheel (`pip download`, cached under
//! `~/.cache/aucoder/bench`). pyperf itself measures by spawning worker processes, which no
//! sandbox allows; a stand-in module of the same interface runs each benchmark function once
//! and prints its time.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const PACKAGE: &str = "pyperformance==1.14.0";
/// Programs that need what a sandbox does not give by design (sockets, subprocesses,
/// threads of processes) or a package outside the standard library.
const NOT_SANDBOXABLE: &[&str] = &[
    "bm_2to3",
    "bm_asyncio_tcp",
    "bm_concurrent_imap",
    "bm_python_startup",
];
/// Each program's wall-clock limit in the sandboxes.
const TIMEOUT_SECS: &str = "300";

const PYPERF_STAND_IN: &str = r#""""A stand-in for pyperf: runs each benchmark once, prints its time."""
import argparse
import sys
import time

perf_counter = time.perf_counter


def python_implementation():
    return sys.implementation.name


class Runner:
    def __init__(self, *args, add_cmdline_args=None, **kwargs):
        self.metadata = {}
        self.argparser = argparse.ArgumentParser()
        self.args = None

    def parse_args(self, args=None):
        self.args = self.argparser.parse_args([] if args is None else args)
        return self.args

    def _report(self, name, seconds):
        print(f"aucoder-pyperf {name} {seconds:.6f}")

    def bench_time_func(self, name, func, *args, inner_loops=None, **kwargs):
        if self.args is None:
            self.parse_args()
        self._report(name, func(1, *args))

    def bench_func(self, name, func, *args, inner_loops=None, **kwargs):
        if self.args is None:
            self.parse_args()
        started = perf_counter()
        func(*args)
        self._report(name, perf_counter() - started)

    def bench_async_func(self, name, func, *args, inner_loops=None, **kwargs):
        import asyncio
        if self.args is None:
            self.parse_args()
        started = perf_counter()
        asyncio.run(func(*args))
        self._report(name, perf_counter() - started)
"#;

/// One interpreter under test.
struct Interpreter {
    label: &'static str,
    /// The command line before the program's file name.
    command: Vec<String>,
}

/// What one program did on one interpreter.
enum Outcome {
    /// Seconds inside the program (its benchmark functions) and for the whole process.
    Ran {
        in_program: f64,
        process: f64,
    },
    Failed(String),
}

fn main() {
    let only: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let programs = programs(&benchmarks_dir());
    let programs: Vec<PathBuf> = programs
        .into_iter()
        .filter(|dir| only.as_deref().is_none_or(|o| name(dir).contains(o)))
        .collect();
    let aucoder = env!("CARGO_BIN_EXE_aucoder").to_owned();
    let sandboxed = |sandbox: &str| {
        vec![
            aucoder.clone(),
            "run".to_owned(),
            "--sandbox".to_owned(),
            sandbox.to_owned(),
            "--timeout".to_owned(),
            TIMEOUT_SECS.to_owned(),
            "--no-cpython-fallback".to_owned(),
        ]
    };
    let interpreters = [
        Interpreter {
            label: "python3",
            command: vec![real_python()],
        },
        Interpreter {
            label: "wasm",
            command: sandboxed("wasm"),
        },
        Interpreter {
            label: "wasm-cpython",
            command: sandboxed("wasm-cpython"),
        },
    ];
    // Both sandboxes compiled and cached before anything is timed.
    for interpreter in &interpreters[1..] {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let file = dir.path().join("ready.py");
        std::fs::write(&file, "print('ready')\n").expect("writing ready.py");
        run(interpreter, dir.path(), &file);
    }

    let mut results: Vec<Vec<Outcome>> = Vec::new();
    for program in &programs {
        let row: Vec<Outcome> = interpreters
            .iter()
            .map(|interpreter| run_program(interpreter, program))
            .collect();
        let cells: Vec<String> = row.iter().map(cell).collect();
        println!("{:<32} {}", name(program), cells.join("  "));
        results.push(row);
    }
    for (index, interpreter) in interpreters.iter().enumerate().skip(1) {
        summarize(interpreter.label, &programs, &results, index);
    }
}

fn name(program: &Path) -> String {
    program
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn cell(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Ran {
            in_program,
            process,
        } => format!("{:>9.3} s {:>9.3} s", in_program, process),
        Outcome::Failed(_) => format!("{:>23}", "failed"),
    }
}

/// Geometric means of the ratios to CPython, over the programs both ran; and the losses.
fn summarize(label: &str, programs: &[PathBuf], results: &[Vec<Outcome>], index: usize) {
    let mut in_program = Vec::new();
    let mut process = Vec::new();
    let mut lost = Vec::new();
    for (program, row) in programs.iter().zip(results) {
        match (&row[0], &row[index]) {
            (
                Outcome::Ran {
                    in_program: base_in,
                    process: base_process,
                },
                Outcome::Ran {
                    in_program: ours_in,
                    process: ours_process,
                },
            ) => {
                // Programs whose timed part is below a millisecond on CPython say nothing
                // about speed inside the program.
                if *base_in >= 1e-3 {
                    in_program.push(ours_in / base_in);
                }
                process.push(ours_process / base_process);
            }
            (Outcome::Ran { .. }, Outcome::Failed(reason)) => {
                lost.push(format!("{} ({reason})", name(program)))
            }
            _ => {}
        }
    }
    println!(
        "{label}: {} of {} programs ran; geometric mean vs CPython: in-program {:.2}x ({} programs), whole process {:.2}x",
        process.len(),
        programs.len(),
        geometric_mean(&in_program),
        in_program.len(),
        geometric_mean(&process),
    );
    for loss in lost {
        println!("{label}: lost {loss}");
    }
}

fn geometric_mean(ratios: &[f64]) -> f64 {
    if ratios.is_empty() {
        return f64::NAN;
    }
    (ratios.iter().map(|r| r.ln()).sum::<f64>() / ratios.len() as f64).exp()
}

/// Copies the program's folder and the pyperf stand-in into a fresh workspace and runs it.
fn run_program(interpreter: &Interpreter, program: &Path) -> Outcome {
    let dir = tempfile::tempdir().expect("a temporary folder");
    copy_dir(program, dir.path());
    std::fs::write(dir.path().join("pyperf.py"), PYPERF_STAND_IN).expect("writing pyperf.py");
    let file = dir.path().join("run_benchmark.py");
    let started = Instant::now();
    let output = run(interpreter, dir.path(), &file);
    let process = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let timings: Vec<f64> = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("aucoder-pyperf "))
        .filter_map(|rest| rest.rsplit(' ').next()?.parse().ok())
        .collect();
    if !output.status.success() || timings.is_empty() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|line| !line.trim().is_empty())
            .unwrap_or("no output")
            .trim()
            .to_owned();
        return Outcome::Failed(last);
    }
    Outcome::Ran {
        in_program: timings.iter().sum(),
        process: process.as_secs_f64(),
    }
}

fn run(interpreter: &Interpreter, dir: &Path, file: &Path) -> std::process::Output {
    let (program, args) = interpreter.command.split_first().expect("a command line");
    let mut command = Command::new(program);
    command.args(args);
    if interpreter.label != "python3" {
        command.arg("--workspace").arg(dir);
    }
    command
        .arg(file)
        .current_dir(dir)
        .output()
        .expect("the interpreter starts")
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("reading a benchmark folder") {
        let entry = entry.expect("a folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            std::fs::create_dir_all(&target).expect("creating a folder");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copying a file");
        }
    }
}

/// The benchmark programs folder of the pyperformance wheel, fetched and unpacked once.
fn benchmarks_dir() -> PathBuf {
    let root = aucoder_paths::cache_root().join("bench/pyperformance-1.14.0");
    let benchmarks = root.join("pyperformance/data-files/benchmarks");
    if benchmarks.is_dir() {
        return benchmarks;
    }
    std::fs::create_dir_all(&root).expect("creating the bench cache");
    let wheel =
        aucoder_paths::packaged::pip_download("python3", PACKAGE, &root).expect("pip download");
    let status = Command::new("python3")
        .args(["-m", "zipfile", "-e"])
        .arg(&wheel)
        .arg(&root)
        .status()
        .expect("python3 unpacks the wheel");
    assert!(status.success(), "unpacking {}", wheel.display());
    benchmarks
}

/// Every pure-stdlib program: no requirements beyond pyperf, nothing a sandbox forbids.
fn programs(benchmarks: &Path) -> Vec<PathBuf> {
    let mut programs: Vec<PathBuf> = std::fs::read_dir(benchmarks)
        .expect("reading the benchmarks folder")
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|dir| dir.join("run_benchmark.py").is_file())
        .filter(|dir| !dir.join("requirements.txt").exists())
        .filter(|dir| !NOT_SANDBOXABLE.contains(&name(dir).as_str()))
        .filter(|dir| {
            let project = std::fs::read_to_string(dir.join("pyproject.toml")).unwrap_or_default();
            only_pyperf_dependencies(&project)
        })
        .collect();
    programs.sort();
    programs
}

/// Whether a pyproject's `dependencies = [...]` names nothing but pyperf.
fn only_pyperf_dependencies(project: &str) -> bool {
    let Some(start) = project.find("dependencies") else {
        return true;
    };
    let rest = &project[start..];
    let Some(open) = rest.find('[') else {
        return true;
    };
    let Some(close) = rest[open..].find(']') else {
        return true;
    };
    rest[open + 1..open + close]
        .split(',')
        .map(|item| item.trim().trim_matches(|c| c == '"' || c == '\''))
        .filter(|item| !item.is_empty())
        .all(|item| item.starts_with("pyperf"))
}

fn real_python() -> String {
    let output = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3 runs");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

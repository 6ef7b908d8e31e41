//! Sandbox benchmarks (`cargo bench -p aucoder --bench sandbox`): prints the figures recorded
//! in docs/benchmarks.md. Times are measured here, never asserted in tests.

use aucoder_sandbox::{Backend, CpythonBackend, Limits, WasmBackend, Workspace};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio");
    let only: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wants = |name: &str| only.as_deref().is_none_or(|o| name.contains(o));

    if wants("first_run") {
        first_run_cost();
    }
    let backend = WasmBackend::shared().expect("interpreter");
    if wants("warm_print") {
        runtime.block_on(warm_print(&backend, "warm_print"));
    }
    if wants("process") {
        whole_process("process", &[]);
    }
    if wants("cpython") {
        let started = Instant::now();
        let cpython = CpythonBackend::shared(true).expect("the CPython runtime");
        let (load, compiled) = cpython.load_report();
        println!(
            "cpython_load: {:.1} ms in this process ({}), {:.1} ms wall",
            ms(load),
            if compiled {
                "fetched/compiled"
            } else {
                "from the cache"
            },
            ms(started.elapsed())
        );
        runtime.block_on(warm_print(&cpython, "cpython_warm_print"));
        runtime.block_on(cpython_imports(&cpython));
        whole_process("cpython_process", &["--sandbox", "wasm-cpython"]);
    }
    if wants("corpus") {
        runtime.block_on(corpus(&backend));
    }
    if wants("concurrent") {
        runtime.block_on(concurrent(&backend, 32));
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn percentile(mut samples: Vec<Duration>, p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn first_run_cost() {
    let cache = tempfile::tempdir().unwrap();
    let compiled = WasmBackend::with_cache_dir(cache.path()).unwrap();
    let (compile, was_compiled) = compiled.load_report();
    assert!(was_compiled);
    let mut loads = Vec::new();
    for _ in 0..5 {
        let loaded = WasmBackend::with_cache_dir(cache.path()).unwrap();
        let (load, was_compiled) = loaded.load_report();
        assert!(!was_compiled);
        loads.push(load);
    }
    println!(
        "first_run: compile + cache {:.1} s; load from cache (deserialize + link) median {:.1} ms",
        compile.as_secs_f64(),
        ms(median(loads))
    );
}

async fn warm_print(backend: &dyn Backend, label: &str) {
    let limits = Limits::default();
    let workspace = Workspace::temporary().unwrap();
    workspace.write_file("print1.py", b"print(1)\n").unwrap();
    let mut samples = Vec::new();
    for round in 0..220 {
        let started = Instant::now();
        let execution = backend
            .run(aucoder_sandbox::RunRequest {
                workspace: &workspace,
                script: "print1.py",
                limits: &limits,
                live: None,
            })
            .await
            .unwrap();
        let elapsed = started.elapsed();
        assert_eq!(execution.stdout, "1\n");
        if round >= 20 {
            samples.push(elapsed);
        }
    }
    println!(
        "{label}: in-process print(1), 200 runs: median {:.2} ms, p90 {:.2} ms",
        ms(median(samples.clone())),
        ms(percentile(samples, 0.9))
    );
}

fn time_command(mut make: impl FnMut() -> Command, runs: usize) -> Duration {
    let mut samples = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let status = make().output().expect("command runs").status;
        samples.push(started.elapsed());
        assert!(status.success());
    }
    median(samples)
}

/// The real interpreter behind `python3` (a version-manager shim would add its own start-up).
fn real_python() -> String {
    let output = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3 runs");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// `import numpy` and `import pandas` on the CPython sandbox, in-process, 10 runs each.
async fn cpython_imports(backend: &CpythonBackend) {
    let limits = Limits::default();
    for module in ["numpy", "pandas"] {
        let workspace = Workspace::temporary().unwrap();
        let mut samples = Vec::new();
        for _ in 0..10 {
            let started = Instant::now();
            let execution = backend
                .run_code(
                    &workspace,
                    "main.py",
                    &format!("import {module}\n"),
                    &limits,
                )
                .await
                .unwrap();
            assert!(execution.success(), "{execution:?}");
            samples.push(started.elapsed());
        }
        println!(
            "cpython_import_{module}: in-process, 10 runs: median {:.1} ms",
            ms(median(samples))
        );
    }
}

fn whole_process(label: &str, flags: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("print1.py");
    std::fs::write(&file, "print(1)\n").unwrap();
    let aucoder = env!("CARGO_BIN_EXE_aucoder");
    let python = real_python();
    let ours = time_command(
        || {
            let mut command = Command::new(aucoder);
            command.arg("run").args(flags).arg(&file);
            command
        },
        50,
    );
    let cpython = time_command(
        || {
            let mut command = Command::new(&python);
            command.arg(&file);
            command
        },
        50,
    );
    println!(
        "{label}: `aucoder run {} print1.py` median {:.1} ms; `python3 print1.py` median {:.1} ms; ratio {:.2}x",
        flags.join(" "),
        ms(ours),
        ms(cpython),
        ours.as_secs_f64() / cpython.as_secs_f64()
    );
}

fn corpus_programs() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus");
    let mut programs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    programs.sort();
    programs
}

async fn corpus(backend: &WasmBackend) {
    let programs = corpus_programs();
    let limits = Limits {
        timeout: Duration::from_secs(60),
        ..Limits::default()
    };
    let started = Instant::now();
    for program in &programs {
        let name = program.file_name().unwrap().to_str().unwrap();
        let workspace = Workspace::temporary().unwrap();
        let code = std::fs::read_to_string(program).unwrap();
        backend
            .run_code(&workspace, name, &code, &limits)
            .await
            .unwrap();
    }
    let in_process = started.elapsed();

    let aucoder = env!("CARGO_BIN_EXE_aucoder");
    let started = Instant::now();
    for program in &programs {
        Command::new(aucoder)
            .arg("run")
            .arg(program)
            .output()
            .unwrap();
    }
    let per_process = started.elapsed();

    let python = real_python();
    let started = Instant::now();
    for program in &programs {
        let workspace = tempfile::tempdir().unwrap();
        let name = program.file_name().unwrap();
        std::fs::copy(program, workspace.path().join(name)).unwrap();
        Command::new(&python)
            .arg(name)
            .current_dir(workspace.path())
            .output()
            .unwrap();
    }
    let cpython = started.elapsed();
    println!(
        "corpus: {} programs: wasm in one process {:.2} s ({:.2}x CPython); `aucoder run` per program {:.2} s ({:.2}x); python3 per program {:.2} s",
        programs.len(),
        in_process.as_secs_f64(),
        in_process.as_secs_f64() / cpython.as_secs_f64(),
        per_process.as_secs_f64(),
        per_process.as_secs_f64() / cpython.as_secs_f64(),
        cpython.as_secs_f64()
    );
}

fn rss_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|line| line.starts_with(field))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|value| value.parse().ok())
        .unwrap_or(0)
}

async fn concurrent(backend: &WasmBackend, count: usize) {
    let before = rss_kib("VmRSS:");
    let started = Instant::now();
    let handles: Vec<_> = (0..count)
        .map(|index| {
            let backend = backend.clone();
            tokio::spawn(async move {
                let workspace = Workspace::temporary().unwrap();
                let code = format!(
                    "data = list(range({index} * 1000, {index} * 1000 + 20000))\nprint(sum(sorted(data, reverse=True)))\n"
                );
                backend
                    .run_code(&workspace, "job.py", &code, &Limits::default())
                    .await
                    .map(|execution| execution.success())
                    .unwrap_or(false)
            })
        })
        .collect();
    let mut failures = 0;
    for handle in handles {
        if !handle.await.unwrap_or(false) {
            failures += 1;
        }
    }
    let elapsed = started.elapsed();
    let peak = rss_kib("VmHWM:");
    println!(
        "concurrent: {count} runs at once: {failures} failures, {:.2} s wall; RSS before {} MiB, peak {} MiB, ~{:.1} MiB per run",
        elapsed.as_secs_f64(),
        before / 1024,
        peak / 1024,
        peak.saturating_sub(before) as f64 / 1024.0 / count as f64
    );
}

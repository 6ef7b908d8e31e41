//! The main job end to end on the real embedded default model (Qwen2.5-Coder 1.5B), the real
//! agent plugins and the wasm sandboxes (RustPython; CPython for the plot request), each run in
//! an empty folder as a user would start it.
//!
//! Each test checks what the program does, with `python3` as the independent judge: the
//! printed list really is sorted, the printed numbers really are primes, and so on. The runs
//! take a lock so that two model runs do not share the two cores.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Mutex;

static ONE_MODEL_RUN_AT_A_TIME: Mutex<()> = Mutex::new(());

const AUCODER: &str = env!("CARGO_BIN_EXE_aucoder");

fn main_job(dir: &Path, extra: &[&str], request: &str) -> Output {
    main_job_on(dir, "wasm", extra, request)
}

fn main_job_on(dir: &Path, sandbox: &str, extra: &[&str], request: &str) -> Output {
    let _turn = ONE_MODEL_RUN_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Command::new(AUCODER)
        .current_dir(dir)
        .env_remove("AUCODER_LLM_URL")
        // The machine's own config file and plugins must not change the run.
        .env("XDG_CONFIG_HOME", dir.join("user-config"))
        .args(["--sandbox", sandbox])
        .args(extra)
        .arg(request)
        .output()
        .expect("aucoder starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs the request; asserts success, a final_code.py, a log with all five agents; returns
/// what `python3 final_code.py` prints.
fn solve(request: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let output = main_job(dir.path(), &[], request);
    assert!(
        output.status.success(),
        "{request}: stdout {} stderr {}",
        text(&output.stdout),
        text(&output.stderr)
    );
    let final_code = dir.path().join("final_code.py");
    assert!(final_code.is_file(), "final_code.py is written");

    let log = std::fs::read_to_string(dir.path().join("aucoder-log.jsonl")).unwrap();
    let entries: Vec<serde_json::Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    for agent in ["retriever", "planner", "coder", "executor", "debugger"] {
        assert!(
            entries.iter().any(|entry| entry["agent"] == agent),
            "the run log has no entry for the {agent}: {log}"
        );
    }
    let summary = entries.last().unwrap();
    assert_eq!(summary["event"], "summary");
    assert_eq!(summary["success"], true);
    // Every round's candidates were run by the host and one was chosen.
    let trials = entries
        .iter()
        .find(|entry| entry["event"] == "trials")
        .expect("the run log records the trials");
    assert!(!trials["candidates"].as_array().unwrap().is_empty());

    let python = Command::new("python3")
        .arg(&final_code)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        python.status.success(),
        "python3 final_code.py: {}",
        text(&python.stderr)
    );
    text(&python.stdout)
}

/// Runs the request in a fresh folder; returns the folder with `final_code.py`.
fn solve_in_folder(request: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let output = main_job(dir.path(), &[], request);
    assert!(
        output.status.success(),
        "{request}: stdout {} stderr {}",
        text(&output.stdout),
        text(&output.stderr)
    );
    assert!(dir.path().join("final_code.py").is_file());
    dir
}

/// Every integer in `text`, in order.
fn integers(text: &str) -> Vec<i64> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '-'))
        .filter_map(|piece| piece.parse().ok())
        .collect()
}

#[test]
fn quick_sort_request_prints_a_sorted_list() {
    let output = solve("write a quick sort example and print the sorted result");
    // The last bracketed list printed is the sorted result.
    let start = output.rfind('[').expect("a list is printed");
    let end = start + output[start..].find(']').expect("the list is closed");
    let numbers = integers(&output[start..=end]);
    assert!(numbers.len() >= 2, "{output}");
    assert!(
        numbers.windows(2).all(|pair| pair[0] <= pair[1]),
        "not sorted: {output}"
    );
}

#[test]
fn primes_request_prints_only_primes() {
    let output = solve("print all prime numbers below 50");
    let is_prime = |n: i64| n >= 2 && (2..n).take_while(|d| d * d <= n).all(|d| n % d != 0);
    let numbers: Vec<i64> = integers(&output).into_iter().filter(|n| *n != 50).collect();
    assert!(numbers.len() >= 10, "{output}");
    assert!(
        numbers.iter().all(|n| is_prime(*n)),
        "not all primes: {output}"
    );
}

#[test]
fn sum_request_prints_the_sum() {
    let output = solve("print the sum of the numbers from 1 to 100");
    let expected: i64 = (1..=100).sum();
    assert!(integers(&output).contains(&expected), "{output}");
}

#[test]
fn the_example_coder_plugin_changes_the_program_on_the_real_model() {
    let dir = tempfile::tempdir().unwrap();
    let plugin = Path::new(env!("AUCODER_PLUGIN_BUILD_DIR")).join("doctest_coder.wasm");
    let agent = format!("coder={}", plugin.display());
    let output = main_job(
        dir.path(),
        &["--agent", &agent, "--max-rounds", "2", "--json"],
        "write a function that reverses a string and print it for 'hello'",
    );
    let summary: serde_json::Value = serde_json::from_str(text(&output.stdout).trim())
        .unwrap_or_else(|_| panic!("{} / {}", text(&output.stdout), text(&output.stderr)));
    // Whatever the model wrote, every program the coder produced runs its doctests.
    let log = std::fs::read_to_string(dir.path().join("aucoder-log.jsonl")).unwrap();
    let codes: Vec<String> = log
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .filter(|entry| entry["agent"] == "coder" && entry["ok"] == true)
        .map(|entry| entry["code"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        !codes.is_empty(),
        "the example coder produced a program: {summary}"
    );
    for code in &codes {
        assert!(code.contains("doctest.testmod()"), "{code}");
    }
}

#[test]
fn a_function_with_a_given_signature_is_completed_and_behaves() {
    let dir = solve_in_folder(
        "Complete this function:\n\n```python\ndef running_max(xs):\n    \"\"\"Return a list \
         whose i-th item is the largest of xs[0..i].\n\n    >>> running_max([1, 3, 2, 5, 4])\n    \
         [1, 3, 3, 5, 5]\n    \"\"\"\n```",
    );
    // Imported, not run: the function itself must behave on inputs the request never showed.
    let checker = "import importlib.util, sys\n\
        spec = importlib.util.spec_from_file_location('solution', 'final_code.py')\n\
        module = importlib.util.module_from_spec(spec)\n\
        spec.loader.exec_module(module)\n\
        assert module.running_max([-5, -7, -1]) == [-5, -5, -1]\n\
        assert module.running_max([2, 2, 9, 0]) == [2, 2, 9, 9]\n\
        print('ok')\n";
    let python = Command::new("python3")
        .args(["-c", checker])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        python.status.success() && text(&python.stdout).contains("ok"),
        "{}{}",
        text(&python.stdout),
        text(&python.stderr)
    );
    let log = std::fs::read_to_string(dir.path().join("aucoder-log.jsonl")).unwrap();
    assert!(
        log.contains("\"origin\":\"requirement\""),
        "the doctest became a check: {log}"
    );
}

#[test]
fn a_plot_request_on_the_cpython_sandbox_leaves_a_png_next_to_the_program() {
    let dir = tempfile::tempdir().unwrap();
    let output = main_job_on(
        dir.path(),
        "wasm-cpython",
        &["--json"],
        "plot y = x² for x in 0..10 and save it as plot.png",
    );
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(output.status.success(), "stdout {stdout} stderr {stderr}");
    assert!(dir.path().join("final_code.py").is_file());
    let plot = dir.path().join("plot.png");
    let png = std::fs::read(&plot).unwrap_or_else(|error| panic!("{plot:?}: {error}; {stdout}"));
    // A PNG: its signature, then the IHDR chunk of a non-empty image.
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&png[12..16], b"IHDR");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert!(width > 0 && height > 0, "{width}x{height}");
    let summary: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let files = summary["files"]
        .as_array()
        .expect("the summary lists files");
    assert!(
        files
            .iter()
            .any(|file| file.as_str().is_some_and(|f| f.ends_with("plot.png"))),
        "{summary}"
    );
}

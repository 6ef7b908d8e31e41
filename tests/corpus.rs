//! Compatibility: every program in `tests/corpus/` runs in the wasm sandbox and prints exactly
//! what CPython 3.11 printed for it (`NN_name.out`, made by `tests/corpus/regen.sh`).
//! Programs RustPython cannot run yet are listed in `tests/corpus/known_failures.txt` with the
//! reason (also in docs/sandbox.md); at most 5% of the corpus may be listed, and a listed
//! program that starts passing must be taken off the list.

use aucoder_sandbox::{Backend, Limits, WasmBackend, Workspace};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus")
}

fn programs() -> Vec<PathBuf> {
    let mut programs: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("the corpus folder exists")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "py"))
        .collect();
    programs.sort();
    programs
}

fn known_failures() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(corpus_dir().join("known_failures.txt")).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (name, reason) = line.split_once(':').expect("`name.py: reason` lines");
            (name.trim().to_owned(), reason.trim().to_owned())
        })
        .collect()
}

fn expected_output(program: &Path) -> String {
    std::fs::read_to_string(program.with_extension("out"))
        .unwrap_or_else(|error| panic!("{}: no expected output ({error})", program.display()))
}

#[test]
fn corpus_is_big_enough_and_complete() {
    let programs = programs();
    assert!(programs.len() >= 60, "only {} programs", programs.len());
    for program in &programs {
        expected_output(program);
    }
    let known = known_failures();
    assert!(
        known.len() * 20 <= programs.len(),
        "{} of {} programs are known failures (more than 5%)",
        known.len(),
        programs.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn wasm_sandbox_prints_what_cpython_prints() {
    let backend = WasmBackend::shared().expect("interpreter loads");
    let known = known_failures();
    let limits = Limits {
        timeout: Duration::from_secs(60),
        ..Limits::default()
    };
    let mut unexpected_failures = Vec::new();
    let mut fixed = Vec::new();
    for program in programs() {
        let name = program.file_name().unwrap().to_str().unwrap().to_owned();
        let code = std::fs::read_to_string(&program).unwrap();
        let workspace = Workspace::temporary().unwrap();
        let execution = backend
            .run_code(&workspace, &name, &code, &limits)
            .await
            .unwrap();
        let passed = execution.success() && execution.stdout == expected_output(&program);
        match (passed, known.contains_key(&name)) {
            (false, false) => unexpected_failures.push(format!(
                "{name}: exit {}\n--- expected\n{}--- got\n{}--- stderr\n{}",
                execution.exit_code(),
                expected_output(&program),
                execution.stdout,
                execution.stderr
            )),
            (true, true) => fixed.push(name),
            _ => {}
        }
    }
    assert!(
        unexpected_failures.is_empty(),
        "{} programs differ from CPython:\n{}",
        unexpected_failures.len(),
        unexpected_failures.join("\n")
    );
    assert!(
        fixed.is_empty(),
        "now passing, remove from known_failures.txt: {fixed:?}"
    );
}

/// The expected outputs really are CPython 3.11's: regenerate and compare, when it is here.
#[test]
fn expected_outputs_match_cpython() {
    let version = Command::new("python3").arg("--version").output();
    let Ok(version) = version else {
        eprintln!("python3 is not installed; expected outputs not rechecked");
        return;
    };
    let version = String::from_utf8_lossy(&version.stdout).to_string();
    if !version.starts_with("Python 3.11") {
        eprintln!("python3 is {version}; expected outputs are 3.11's, not rechecked");
        return;
    }
    for program in programs() {
        let workspace = tempfile::tempdir().unwrap();
        let name = program.file_name().unwrap();
        std::fs::copy(&program, workspace.path().join(name)).unwrap();
        let output = Command::new("python3")
            .arg(name)
            .current_dir(workspace.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}: CPython failed",
            program.display()
        );
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            expected_output(&program),
            "{}: CPython's output changed; run tests/corpus/regen.sh",
            program.display()
        );
    }
}

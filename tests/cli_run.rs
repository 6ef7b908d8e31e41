//! End-to-end tests of `aucoder run`: the real binary, the real sandbox, real files.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn aucoder() -> Command {
    Command::new(env!("CARGO_BIN_EXE_aucoder"))
}

fn run_file(path: &Path, extra: &[&str]) -> Output {
    aucoder()
        .arg("run")
        .args(extra)
        .arg(path)
        .output()
        .expect("aucoder starts")
}

fn write_program(dir: &Path, name: &str, code: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, code).unwrap();
    path
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn runs_the_quicksort_example() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/quicksort.py");
    let output = run_file(&example, &["--sandbox", "wasm"]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        text(&output.stdout),
        "unsorted: [33, 10, 59, 26, 41, 58, 3, 12, 97, 8]\nsorted:   [3, 8, 10, 12, 26, 33, 41, 58, 59, 97]\n"
    );
}

#[test]
fn reads_the_program_from_stdin() {
    let mut child = aucoder()
        .args(["run", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"print(6 * 7)\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    assert_eq!(text(&output.stdout), "42\n");
}

#[test]
fn exits_with_the_program_exit_code_and_passes_stderr_through() {
    let dir = tempfile::tempdir().unwrap();
    let program = write_program(
        dir.path(),
        "fail.py",
        "import sys\nprint('out')\nprint('err', file=sys.stderr)\nsys.exit(7)\n",
    );
    let output = run_file(&program, &[]);
    assert_eq!(output.status.code(), Some(7));
    assert_eq!(text(&output.stdout), "out\n");
    assert_eq!(text(&output.stderr), "err\n");
}

#[test]
fn a_timeout_is_a_one_line_note_and_code_124() {
    let dir = tempfile::tempdir().unwrap();
    let program = write_program(dir.path(), "spin.py", "while True:\n    pass\n");
    let output = run_file(&program, &["--timeout", "0.5"]);
    assert_eq!(output.status.code(), Some(124));
    let stderr = text(&output.stderr);
    let notes: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("[aucoder:"))
        .collect();
    assert_eq!(notes.len(), 1, "{stderr}");
    assert!(notes[0].contains("time limit"), "{stderr}");
}

#[test]
fn a_memory_stop_is_code_125() {
    let dir = tempfile::tempdir().unwrap();
    let program = write_program(
        dir.path(),
        "grow.py",
        "xs = []\nwhile True:\n    xs.append([1] * 100000)\n",
    );
    let output = run_file(&program, &["--memory", "64", "--timeout", "30"]);
    assert_eq!(output.status.code(), Some(125), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("out of memory"));
}

#[test]
fn bad_input_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.py");
    let empty = write_program(dir.path(), "empty.py", "  \n");
    let binary = dir.path().join("binary.py");
    std::fs::write(&binary, b"print(1)\n\xff\xfe\x00").unwrap();
    for (path, expected) in [
        (missing.as_path(), "cannot read"),
        (empty.as_path(), "is empty"),
        (binary.as_path(), "not UTF-8"),
    ] {
        let output = run_file(path, &[]);
        assert_eq!(output.status.code(), Some(2), "{path:?}: {output:?}");
        let stderr = text(&output.stderr);
        assert!(stderr.starts_with("aucoder: "), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn a_syntax_error_is_reported_by_python() {
    let dir = tempfile::tempdir().unwrap();
    let program = write_program(dir.path(), "broken.py", "def f(:\n    pass\n");
    let output = run_file(&program, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("SyntaxError"), "{output:?}");
}

#[test]
fn workspace_is_the_only_visible_folder_and_is_kept() {
    let workspace = tempfile::tempdir().unwrap();
    std::fs::write(workspace.path().join("input.txt"), "hello from the host").unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let program = write_program(
        elsewhere.path(),
        "io.py",
        "import os\nprint(sorted(os.listdir('.')))\nprint(open('input.txt').read())\nopen('result.txt', 'w').write('written inside')\n",
    );
    let output = run_file(
        &program,
        &["--workspace", workspace.path().to_str().unwrap()],
    );
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        text(&output.stdout),
        "['input.txt', 'io.py']\nhello from the host\n"
    );
    assert_eq!(
        std::fs::read_to_string(workspace.path().join("result.txt")).unwrap(),
        "written inside"
    );
}

#[test]
fn python_backend_runs_cpython_with_the_same_limits() {
    let dir = tempfile::tempdir().unwrap();
    let program = write_program(
        dir.path(),
        "v.py",
        "import sys\nprint(sys.implementation.name)\n",
    );
    let output = run_file(&program, &["--sandbox", "python"]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(text(&output.stdout), "cpython\n");

    // A timeout kills the whole process group, including a child the program started.
    let marker = dir.path().join("child-survived");
    let spin = write_program(
        dir.path(),
        "spin.py",
        &format!(
            "import subprocess, time\nsubprocess.Popen(['sh', '-c', 'sleep 3; touch {}'])\ntime.sleep(60)\n",
            marker.display()
        ),
    );
    let output = run_file(&spin, &["--sandbox", "python", "--timeout", "1"]);
    assert_eq!(output.status.code(), Some(124), "{output:?}");
    // The child would have written the marker 3 s after it started; give it 4.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(4);
    while std::time::Instant::now() < deadline {
        assert!(!marker.exists(), "the program's child outlived the timeout");
        std::thread::park_timeout(std::time::Duration::from_millis(200));
    }
}

#[test]
fn missing_interpreters_name_the_backend_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let program = write_program(dir.path(), "p.py", "print(1)\n");
    let output = aucoder()
        .args(["run", "--sandbox", "conda"])
        .arg(&program)
        .env("PATH", dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = text(&output.stderr);
    assert!(stderr.contains("conda backend"), "{stderr}");
    assert!(stderr.contains("install Miniconda"), "{stderr}");

    let output = aucoder()
        .args(["run", "--sandbox", "python", "--python", "/no/such/python3"])
        .arg(&program)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(text(&output.stderr).contains("python backend"));
}

#[test]
fn a_program_cannot_plant_configuration_or_plugins_in_its_workspace() {
    let workspace = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let program = write_program(
        elsewhere.path(),
        "plant.py",
        "import os\nos.makedirs('plugins', exist_ok=True)\nfor name, text in [('aucoder.toml', 'sandbox = \"python\"\\n'), ('Aucoder.toml', 'x'), ('plugins/x.wasm', 'x'), ('plugins/x.cwasm', 'x')]:\n    try:\n        open(name, 'w').write(text)\n        print('planted', name)\n    except OSError as error:\n        print('refused', name, error.errno)\n",
    );
    let output = run_file(
        &program,
        &["--workspace", workspace.path().to_str().unwrap()],
    );
    assert!(output.status.success(), "{output:?}");
    let stdout = text(&output.stdout);
    assert!(!stdout.contains("planted"), "{stdout}");
    assert_eq!(stdout.matches("refused").count(), 4, "{stdout}");
    for planted in [
        "aucoder.toml",
        "Aucoder.toml",
        "plugins/x.wasm",
        "plugins/x.cwasm",
    ] {
        assert!(!workspace.path().join(planted).exists(), "{planted}");
    }
    // The next run started in that folder is still sandboxed.
    let probe = write_program(
        elsewhere.path(),
        "probe.py",
        "import sys\nprint(sys.platform)\n",
    );
    let output = aucoder()
        .current_dir(workspace.path())
        .env("XDG_CONFIG_HOME", workspace.path())
        .arg("run")
        .arg(&probe)
        .output()
        .unwrap();
    assert_eq!(text(&output.stdout), "wasi\n", "{output:?}");
}

#[test]
fn the_cpython_sandbox_runs_pandas_and_says_which_interpreter_ran() {
    let dir = tempfile::tempdir().unwrap();
    let program = write_program(
        dir.path(),
        "frame.py",
        "import pandas as pd\nframe = pd.DataFrame({'n': [1, 2, 3]})\nprint(int(frame['n'].sum()))\n",
    );
    let output = run_file(&program, &["--sandbox", "wasm-cpython", "--json"]);
    assert!(output.status.success(), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["sandbox"], "wasm-cpython", "{report}");
    assert!(
        report["interpreter"].as_str().unwrap().contains("CPython"),
        "{report}"
    );
    assert_eq!(report["stdout"], "6\n", "{report}");
    assert_eq!(report["exit_code"], 0, "{report}");

    // The default sandbox has no pandas, and says which interpreter it is.
    let output = run_file(
        &program,
        &["--sandbox", "wasm", "--json", "--no-cpython-fallback"],
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["sandbox"], "wasm", "{report}");
    assert!(
        report["interpreter"]
            .as_str()
            .unwrap()
            .contains("RustPython"),
        "{report}"
    );
    assert!(
        report["stderr"]
            .as_str()
            .unwrap()
            .contains("No module named"),
        "{report}"
    );
}

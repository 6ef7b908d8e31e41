// The cases, written once for every wasm interpreter: the including module defines
// `backend()`, which names the one they run on.
use aucoder_sandbox::{Backend, Execution, Limits, Workspace};
use std::time::Duration;

fn limits(disk_bytes: u64) -> Limits {
    Limits {
        timeout: Duration::from_secs(5),
        disk_bytes,
        ..Limits::default()
    }
}

async fn run_in(workspace: &Workspace, code: &str, limits: &Limits) -> Execution {
    backend()
        .run_code(workspace, "attempt.py", code, limits)
        .await
        .expect("the sandbox host itself does not fail")
}

/// Runs `code`, which prints BLOCKED when the sandbox refused it, and checks the workspace
/// stayed within `disk_bytes` and a plain run still works in it.
async fn assert_contained(code: &str, disk_bytes: u64) -> (Workspace, Execution) {
    let workspace = Workspace::temporary().unwrap();
    let execution = run_in(&workspace, code, &limits(disk_bytes)).await;
    assert!(
        execution.stdout.contains("BLOCKED") && !execution.stdout.contains("ESCAPED"),
        "{execution:?}"
    );
    assert!(
        workspace.disk_usage() <= disk_bytes + (64 << 10),
        "the workspace holds {} bytes against a quota of {disk_bytes}",
        workspace.disk_usage()
    );
    let next = run_in(&workspace, "print('next')\n", &limits(64 << 20)).await;
    assert_eq!(next.stdout, "next\n", "{next:?}");
    (workspace, execution)
}

/// The number a program prints after its BLOCKED or ESCAPED verdict.
fn count_after_verdict(execution: &Execution) -> u32 {
    execution
        .stdout
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("the program prints a count after its verdict")
}

#[tokio::test(flavor = "multi_thread")]
async fn files_deleted_while_open_still_count() {
    let code = "import os\nf = open('a.bin', 'wb')\nos.remove('a.bin')\nn = 0\ntry:\n    for _ in range(64):\n        f.write(b'x' * (1 << 20)); f.flush(); n += 1\n    print('ESCAPED', n)\nexcept OSError:\n    print('BLOCKED', n)\n";
    let (_, execution) = assert_contained(code, 4 << 20).await;
    assert!(count_after_verdict(&execution) <= 4, "{execution:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn folders_past_path_max_are_charged() {
    // Each path the guest names stays under 4,096 bytes; moving one deep chain into the
    // bottom of another puts the files it holds past PATH_MAX on the host.
    let code = r#"import os
name = 'd' * 200
def chain(top):
    path = top
    os.mkdir(path)
    for _ in range(12):
        path = path + '/' + name
        os.mkdir(path)
    return path
a = chain('a')
b = chain('b')
with open(b + '/deep.bin', 'wb') as f:
    f.write(b'x' * (3 << 20))
os.rename('b', a + '/b')
n = 0
try:
    for i in range(64):
        with open(f'{i}.bin', 'wb') as f:
            f.write(b'x' * (1 << 20))
        n += 1
    print('ESCAPED', n)
except OSError:
    print('BLOCKED', n)
"#;
    let (_, execution) = assert_contained(code, 4 << 20).await;
    // The 3 MiB at the bottom of the chain leave room for one more MiB, not for four.
    assert!(count_after_verdict(&execution) <= 1, "{execution:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_opened_in_place_of_closed_stdio_is_charged() {
    // The runtime hands freed descriptor numbers out again: open files until one of them
    // lands on a number stdio had, then write through that one.
    let code = r#"import os
os.close(1)
os.close(2)
fds = [os.open(f'big{i}.bin', os.O_WRONLY | os.O_CREAT) for i in range(4)]
fd = min(fds)
n = 0
try:
    for _ in range(64):
        os.write(fd, b'x' * (1 << 20)); n += 1
    r = 'ESCAPED'
except OSError:
    r = 'BLOCKED'
open('result.txt', 'w').write(f'{r} {fd} {n}')
"#;
    let workspace = Workspace::temporary().unwrap();
    let quota = 4 << 20;
    run_in(&workspace, code, &limits(quota)).await;
    let result = std::fs::read_to_string(workspace.path().join("result.txt")).unwrap();
    assert!(result.starts_with("BLOCKED"), "{result}");
    let fd: u32 = result
        .split(' ')
        .nth(1)
        .and_then(|fd| fd.parse().ok())
        .unwrap();
    assert!(fd <= 2, "the attempt never got a stdio number: {result}");
    assert!(workspace.disk_usage() <= quota + (64 << 10));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flood_of_empty_files_and_folders_is_capped() {
    let code = "import os\nn = 0\ntry:\n    for i in range(20000):\n        if i % 2:\n            os.mkdir(f'd{i}')\n        else:\n            open(f'f{i}', 'w').close()\n        n += 1\n    print('ESCAPED', n)\nexcept OSError:\n    print('BLOCKED', n)\n";
    let (workspace, execution) = assert_contained(code, 1 << 20).await;
    let entries = std::fs::read_dir(workspace.path()).unwrap().count();
    assert!(entries <= 300, "{entries} entries; {execution:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sparse_files_are_charged_their_length() {
    let code = "results = []\nfor how in ['seek', 'truncate']:\n    try:\n        with open(how + '.bin', 'wb') as f:\n            if how == 'seek':\n                f.seek(1 << 30); f.write(b'x')\n            else:\n                f.truncate(1 << 30)\n        results.append('ESCAPED')\n    except OSError:\n        results.append('BLOCKED')\nprint(*results)\n";
    let (workspace, execution) = assert_contained(code, 1 << 20).await;
    assert_eq!(execution.stdout.trim(), "BLOCKED BLOCKED", "{execution:?}");
    for name in ["seek.bin", "truncate.bin"] {
        let length = std::fs::metadata(workspace.path().join(name)).map_or(0, |meta| meta.len());
        assert!(length <= 1 << 20, "{name} is {length} bytes");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn control_files_and_links_cannot_be_planted() {
    let code = r#"import os
attempts = []
def attempt(label, action):
    try:
        action()
        attempts.append(label)
    except (OSError, AttributeError, NotImplementedError):
        pass
open('ok.txt', 'w').write('x')
os.mkdir('plugins')
attempt('toml', lambda: open('aucoder.toml', 'w').write('sandbox = "python"\n'))
attempt('upper', lambda: open('AUCODER.TOML', 'w').write('x'))
attempt('nested', lambda: open('plugins/x.wasm', 'wb').write(b'\0asm'))
attempt('rename', lambda: os.rename('ok.txt', 'aucoder.toml'))
attempt('folder', lambda: os.mkdir('aucoder.toml'))
attempt('symlink', lambda: os.symlink('/etc/passwd', 'link'))
attempt('hardlink', lambda: os.link('ok.txt', 'hard.txt'))
print('ESCAPED' if attempts else 'BLOCKED', attempts)
"#;
    let (workspace, execution) = assert_contained(code, 64 << 20).await;
    for planted in [
        "aucoder.toml",
        "AUCODER.TOML",
        "plugins/x.wasm",
        "link",
        "hard.txt",
    ] {
        assert!(
            std::fs::symlink_metadata(workspace.path().join(planted)).is_err(),
            "{planted} was created: {execution:?}"
        );
    }
    assert!(workspace.path().join("ok.txt").is_file());
}

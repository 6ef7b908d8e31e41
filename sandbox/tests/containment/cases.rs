// The cases, written once for every wasm interpreter: the including module defines
// `backend()`, which names the one they run on.
use aucoder_sandbox::{Backend, Execution, Limits, Workspace};
use std::time::Duration;

fn quick_limits() -> Limits {
    Limits {
        timeout: Duration::from_secs(3),
        ..Limits::default()
    }
}

async fn run_in(workspace: &Workspace, code: &str, limits: &Limits) -> Execution {
    backend()
        .run_code(workspace, "attempt.py", code, limits)
        .await
        .expect("the sandbox host itself does not fail")
}

async fn run(code: &str, limits: &Limits) -> Execution {
    let workspace = Workspace::temporary().unwrap();
    run_in(&workspace, code, limits).await
}

/// The host is healthy when a fresh run right after the attempt works normally.
async fn assert_next_run_works() {
    let execution = run("print(sum(range(10)))", &Limits::default()).await;
    assert!(execution.success(), "next run failed: {execution:?}");
    assert_eq!(execution.stdout, "45\n");
}

/// Runs a program that prints ESCAPED if its attempt worked and BLOCKED if it was refused.
async fn assert_blocked(code: &str) -> Execution {
    let execution = run(code, &quick_limits()).await;
    assert!(
        !execution.stdout.contains("ESCAPED"),
        "the attempt succeeded: {execution:?}"
    );
    assert!(
        execution.stdout.contains("BLOCKED") || !execution.success(),
        "the attempt neither reported BLOCKED nor failed: {execution:?}"
    );
    assert_next_run_works().await;
    execution
}

#[tokio::test(flavor = "multi_thread")]
async fn host_file_by_absolute_path() {
    assert_blocked(
        "try:\n    print('ESCAPED', open('/etc/passwd').read()[:20])\nexcept OSError as e:\n    print('BLOCKED', type(e).__name__)\n",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn host_file_by_relative_path() {
    assert_blocked(
        "import os\nfor p in ['../../../../etc/passwd', '../' * 20 + 'etc/hostname']:\n    try:\n        print('ESCAPED', open(p).read()[:20])\n    except OSError as e:\n        print('BLOCKED', type(e).__name__)\n",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn parent_of_the_workspace_is_not_listable() {
    let workspace = Workspace::temporary().unwrap();
    let sibling = tempfile::tempdir().unwrap();
    std::fs::write(sibling.path().join("secret.txt"), "top secret").unwrap();
    let execution = run_in(
        &workspace,
        "import os\nfor p in ['..', '/', '/tmp', '/workspace/..']:\n    try:\n        print(p, sorted(os.listdir(p)))\n    except OSError as e:\n        print(p, 'BLOCKED', type(e).__name__)\n",
        &quick_limits(),
    )
    .await;
    assert!(!execution.stdout.contains("secret.txt"), "{execution:?}");
    assert!(!execution.stdout.contains("etc"), "{execution:?}");
    assert_next_run_works().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn symlink_planted_by_the_host_points_nowhere() {
    let workspace = Workspace::temporary().unwrap();
    std::os::unix::fs::symlink("/etc/passwd", workspace.path().join("link")).unwrap();
    let execution = run_in(
        &workspace,
        "try:\n    print('ESCAPED', open('link').read()[:20])\nexcept OSError as e:\n    print('BLOCKED', type(e).__name__)\n",
        &quick_limits(),
    )
    .await;
    assert!(execution.stdout.contains("BLOCKED"), "{execution:?}");
    assert_next_run_works().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn symlink_made_by_the_program_points_nowhere() {
    assert_blocked(
        "import os\ntry:\n    os.symlink('/etc/passwd', 'mine')\n    print('ESCAPED', open('mine').read()[:20])\nexcept (OSError, AttributeError, NotImplementedError) as e:\n    print('BLOCKED', type(e).__name__)\n",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_outside_the_workspace_fail() {
    let marker = std::env::temp_dir().join(format!("aucoder-escape-{}", std::process::id()));
    let code = format!(
        "try:\n    open({:?}, 'w').write('x')\n    print('ESCAPED')\nexcept OSError as e:\n    print('BLOCKED', type(e).__name__)\n",
        marker.display().to_string()
    );
    assert_blocked(&code).await;
    assert!(!marker.exists(), "a file appeared outside the workspace");
}

#[tokio::test(flavor = "multi_thread")]
async fn environment_is_empty() {
    std::env::set_var("AUCODER_TEST_SECRET", "hunter2");
    let execution = run(
        "import os\nprint(len(os.environ))\nprint(os.environ.get('AUCODER_TEST_SECRET', 'BLOCKED'))\ntry:\n    print('ESCAPED', open('/proc/self/environ').read())\nexcept OSError:\n    print('BLOCKED')\n",
        &quick_limits(),
    )
    .await;
    assert!(execution.success(), "{execution:?}");
    // The interpreter's own settings (TMPDIR, HOME inside the workspace) may be there;
    // nothing of the host's is.
    let lines: Vec<&str> = execution.stdout.lines().collect();
    assert_eq!(lines.get(1..3), Some(&["BLOCKED", "BLOCKED"][..]), "{execution:?}");
    assert!(lines.first().and_then(|n| n.parse::<usize>().ok()).is_some_and(|n| n <= 8), "{execution:?}");
    assert!(!execution.stdout.contains("hunter2"));
    assert_next_run_works().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sockets_cannot_reach_the_host() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let code = format!(
        "try:\n    import socket\n    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n    s.connect(('127.0.0.1', {port}))\n    print('ESCAPED')\nexcept Exception as e:\n    print('BLOCKED', type(e).__name__)\n"
    );
    assert_blocked(&code).await;
    assert!(
        listener.accept().is_err(),
        "a connection reached the host listener"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn subprocess_cannot_start() {
    assert_blocked(
        "try:\n    import subprocess\n    r = subprocess.run(['echo', 'hi'], capture_output=True)\n    print('ESCAPED', r.stdout)\nexcept Exception as e:\n    print('BLOCKED', type(e).__name__)\n",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn os_system_cannot_run_commands() {
    let marker = std::env::temp_dir().join(format!("aucoder-system-{}", std::process::id()));
    let code = format!(
        "import os\ntry:\n    rc = os.system('touch {}')\n    print('BLOCKED' if rc != 0 else 'ESCAPED', rc)\nexcept Exception as e:\n    print('BLOCKED', type(e).__name__)\n",
        marker.display()
    );
    let execution = run(&code, &quick_limits()).await;
    assert!(
        !marker.exists(),
        "os.system ran a host command: {execution:?}"
    );
    assert!(!execution.stdout.contains("ESCAPED"), "{execution:?}");
    assert_next_run_works().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ctypes_is_unavailable() {
    assert_blocked(
        "try:\n    import ctypes\n    ctypes.CDLL(None).system(b'true')\n    print('ESCAPED')\nexcept Exception as e:\n    print('BLOCKED', type(e).__name__)\n",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn fork_and_exec_are_unavailable() {
    assert_blocked(
        "import os\nfor name in ['fork', 'execv', 'spawnv', 'posix_spawn']:\n    try:\n        f = getattr(os, name)\n        f('/bin/true', ['true']) if name != 'fork' else f()\n        print('ESCAPED', name)\n    except Exception as e:\n        print('BLOCKED', name, type(e).__name__)\n",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn signals_cannot_reach_other_processes() {
    let code = format!(
        "import os, signal\nfor pid in [1, {host}]:\n    try:\n        os.kill(pid, signal.SIGKILL)\n        print('ESCAPED', pid)\n    except Exception as e:\n        print('BLOCKED', type(e).__name__)\n",
        host = std::process::id()
    );
    // Surviving this call is itself the proof that the host was not killed.
    assert_blocked(&code).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn busy_loop_is_stopped_by_the_time_limit() {
    let limits = Limits {
        timeout: Duration::from_millis(500),
        ..Limits::default()
    };
    let execution = run("while True:\n    pass\n", &limits).await;
    assert!(execution.timed_out(), "{execution:?}");
    assert!(!execution.success());
    assert!(execution.stderr.contains("time limit"), "{execution:?}");
    assert_next_run_works().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sleep_is_stopped_by_the_time_limit() {
    let limits = Limits {
        timeout: Duration::from_millis(500),
        ..Limits::default()
    };
    let execution = run("import time\ntime.sleep(100000)\nprint('woke')\n", &limits).await;
    assert!(execution.timed_out(), "{execution:?}");
    assert!(!execution.stdout.contains("woke"));
    assert_next_run_works().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn big_integer_cpu_burn_is_stopped() {
    let limits = Limits {
        timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let execution = run("x = 7 ** (10 ** 8)\nprint(x % 10)\n", &limits).await;
    assert!(!execution.success(), "{execution:?}");
    assert!(
        execution.timed_out() || execution.out_of_memory(),
        "{execution:?}"
    );
    assert_next_run_works().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unbounded_memory_growth_is_stopped() {
    let limits = Limits {
        memory_bytes: 64 << 20,
        timeout: Duration::from_secs(20),
        ..Limits::default()
    };
    let execution = run(
        "chunks = []\nwhile True:\n    chunks.append([0] * 100000)\n",
        &limits,
    )
    .await;
    assert!(!execution.success(), "{execution:?}");
    assert!(execution.out_of_memory(), "{execution:?}");
    assert!(!execution.timed_out(), "{execution:?}");
    assert_next_run_works().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn one_huge_allocation_fails() {
    let limits = Limits {
        memory_bytes: 128 << 20,
        ..Limits::default()
    };
    let execution = run(
        "b = bytearray(1024 ** 3)\nprint('ESCAPED', len(b))\n",
        &limits,
    )
    .await;
    assert!(!execution.success(), "{execution:?}");
    assert!(!execution.stdout.contains("ESCAPED"));
    assert!(
        execution.stderr.contains("MemoryError") || execution.out_of_memory(),
        "{execution:?}"
    );
    assert_next_run_works().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn output_flood_is_capped() {
    let limits = Limits {
        output_bytes: 64 * 1024,
        ..quick_limits()
    };
    let execution = run(
        "import sys\nfor i in range(200000):\n    sys.stdout.write('x' * 100 + '\\n')\nprint('done', file=sys.stderr)\n",
        &limits,
    )
    .await;
    assert!(
        execution.success(),
        "the program itself finished: {execution:?}"
    );
    assert!(execution.output_truncated);
    assert!(
        execution.stdout.len() < 64 * 1024 + 200,
        "{}",
        execution.stdout.len()
    );
    assert!(execution.stdout.contains("output truncated"));
    assert!(execution.stderr.starts_with("done"));
    assert_next_run_works().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn deep_recursion_raises_recursion_error() {
    let execution = run(
        "import sys\nsys.setrecursionlimit(10 ** 6)\ndef f(n):\n    return f(n + 1) + 1\nf(0)\n",
        &quick_limits(),
    )
    .await;
    assert!(!execution.success(), "{execution:?}");
    assert_next_run_works().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn parser_nesting_is_refused() {
    let execution = run(
        "src = '(' * 200000 + ')' * 200000\ntry:\n    eval(src)\n    print('parsed')\nexcept (SyntaxError, RecursionError, MemoryError) as e:\n    print('BLOCKED', type(e).__name__)\n",
        &quick_limits(),
    )
    .await;
    assert!(!execution.stdout.contains("parsed"), "{execution:?}");
    assert_next_run_works().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn disk_fill_is_bounded_by_the_quota() {
    let workspace = Workspace::temporary().unwrap();
    let limits = Limits {
        disk_bytes: 8 << 20,
        ..quick_limits()
    };
    let execution = run_in(
        &workspace,
        "block = b'x' * (1 << 20)\nwritten = 0\ntry:\n    with open('fill.bin', 'wb') as f:\n        for _ in range(100):\n            f.write(block)\n            f.flush()\n            written += 1\n    print('ESCAPED', written)\nexcept OSError as e:\n    print('BLOCKED', written, e.errno)\n",
        &limits,
    )
    .await;
    assert!(execution.stdout.contains("BLOCKED"), "{execution:?}");
    assert!(execution.stderr.contains("disk quota"), "{execution:?}");
    assert!(
        workspace.disk_usage() <= 8 << 20,
        "workspace holds {} bytes",
        workspace.disk_usage()
    );
    assert_next_run_works().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn many_files_are_charged_too() {
    let workspace = Workspace::temporary().unwrap();
    let limits = Limits {
        disk_bytes: 1 << 20,
        ..quick_limits()
    };
    let execution = run_in(
        &workspace,
        "import os\nos.mkdir('d')\nn = 0\ntry:\n    for i in range(1000):\n        with open(f'd/{i}.txt', 'w') as f:\n            f.write('y' * 10000)\n        n += 1\n    print('ESCAPED', n)\nexcept OSError:\n    print('BLOCKED', n)\n",
        &limits,
    )
    .await;
    assert!(execution.stdout.contains("BLOCKED"), "{execution:?}");
    assert!(workspace.disk_usage() <= 1 << 20);
    assert_next_run_works().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_program_exiting_with_the_hosts_own_codes_is_not_taken_for_a_stop() {
    for code in [124, 125, 126] {
        let program = format!("import sys\nsys.exit({code})\n");
        let execution = run(&program, &quick_limits()).await;
        assert_eq!(execution.exit, aucoder_sandbox::Exit::Code(code));
        assert!(!execution.timed_out() && !execution.out_of_memory());
        assert_eq!(execution.exit.stop_reason(), None);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_codes_and_tracebacks_come_back() {
    let execution = run("import sys\nprint('bye')\nsys.exit(3)\n", &quick_limits()).await;
    assert_eq!((execution.exit_code(), execution.success()), (3, false));
    assert_eq!(execution.stdout, "bye\n");
    let execution = run(
        "def f():\n    raise ValueError('boom')\nf()\n",
        &quick_limits(),
    )
    .await;
    assert_eq!(execution.exit_code(), 1);
    assert!(execution.stderr.contains("Traceback"), "{execution:?}");
    assert!(
        execution.stderr.contains("ValueError: boom"),
        "{execution:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_runs_do_not_interfere() {
    let runs = (0..16).map(|index| async move {
        let workspace = Workspace::temporary().unwrap();
        let code = format!(
            "open('mine.txt', 'w').write('{index}')\nimport os\nprint(sorted(os.listdir('.')), open('mine.txt').read())\n"
        );
        run_in(&workspace, &code, &Limits::default()).await
    });
    let results = futures_join_all(runs).await;
    for (index, execution) in results.into_iter().enumerate() {
        assert!(execution.success(), "{execution:?}");
        assert_eq!(
            execution.stdout,
            format!("['attempt.py', 'mine.txt'] {index}\n")
        );
    }
}

async fn futures_join_all<F: std::future::Future<Output = Execution> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<Execution> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut results = Vec::new();
    for handle in handles {
        results.push(handle.await.unwrap());
    }
    results
}

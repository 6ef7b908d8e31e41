//! Python sessions on both wasm sandboxes: state carries over from turn to turn, a final
//! expression is echoed, an exception is the turn's and not the session's end, and the limits
//! hold for a session as for a one-shot run (a turn past its time ends the session, a flood
//! of raw output ends it, memory stays capped, nothing escapes the workspace).

use aucoder_sandbox::{
    Backend, CpythonBackend, Limits, PythonSession, SessionEnded, WasmBackend, Workspace,
};
use std::sync::Arc;
use std::time::Duration;

const TURN: Duration = Duration::from_secs(10);

async fn start_on(backend: &dyn Backend, limits: &Limits) -> (PythonSession, Arc<Workspace>) {
    let workspace = Arc::new(Workspace::temporary().unwrap());
    let session = backend
        .start_session(workspace.clone(), limits)
        .await
        .expect("the session starts");
    (session, workspace)
}

async fn start(limits: &Limits) -> (PythonSession, Arc<Workspace>) {
    start_on(&WasmBackend::shared().unwrap(), limits).await
}

/// The flow every client uses, on one backend.
async fn state_carries_over(backend: &dyn Backend) {
    let (mut session, workspace) = start_on(backend, &Limits::default()).await;
    let first = session.run("import math\nx = 40", TURN).await.unwrap();
    assert_eq!((first.result, first.error), (None, None));
    let second = session
        .run("x = x + 1\nprint('x is', x)", TURN)
        .await
        .unwrap();
    assert_eq!(second.stdout, "x is 41\n");
    let third = session
        .run(
            "open('kept.txt', 'w').write(str(x))\nmath.sqrt(x + 8) * 6",
            TURN,
        )
        .await
        .unwrap();
    assert_eq!(third.result.as_deref(), Some("42.0"), "{third:?}");
    assert_eq!(
        std::fs::read_to_string(workspace.path().join("kept.txt")).unwrap(),
        "41"
    );
    let echoed = session.run("_ + 1", TURN).await.unwrap();
    assert_eq!(
        echoed.result.as_deref(),
        Some("43.0"),
        "`_` is the last result"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rustpython_sessions_keep_imports_and_variables_across_turns() {
    state_carries_over(&WasmBackend::shared().unwrap()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn cpython_sessions_keep_imports_and_variables_across_turns() {
    let cpython = CpythonBackend::shared(true).expect("the CPython runtime is fetched and loads");
    state_carries_over(&cpython).await;
    let (mut session, _workspace) = start_on(&cpython, &Limits::default()).await;
    session
        .run("import numpy as np\na = np.arange(6)", TURN)
        .await
        .unwrap();
    let sum = session.run("int(a.sum())", TURN).await.unwrap();
    assert_eq!(sum.result.as_deref(), Some("15"), "{sum:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_exception_is_the_turns_and_the_session_goes_on() {
    let (mut session, _workspace) = start(&Limits::default()).await;
    session.run("y = 2", TURN).await.unwrap();
    let failed = session.run("print('before')\n1 / 0", TURN).await.unwrap();
    assert_eq!(failed.stdout, "before\n");
    let error = failed.error.expect("the traceback");
    assert!(error.contains("ZeroDivisionError"), "{error}");
    assert!(error.contains("<turn 2>"), "names the turn: {error}");
    assert!(
        !error.contains("_aucoder_session"),
        "no driver frames: {error}"
    );
    let syntax = session.run("def (", TURN).await.unwrap();
    assert!(syntax.error.unwrap().contains("SyntaxError"));
    let exited = session.run("import sys\nsys.exit(3)", TURN).await.unwrap();
    assert!(exited.error.unwrap().contains("SystemExit"));
    let after = session.run("y * 21", TURN).await.unwrap();
    assert_eq!(after.result.as_deref(), Some("42"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_program_cannot_read_or_forge_the_sessions_protocol() {
    let (mut session, _workspace) = start(&Limits::default()).await;
    let read = session
        .run(
            "try:\n    got = input()\nexcept EOFError:\n    got = 'eof'\ngot",
            TURN,
        )
        .await
        .unwrap();
    assert_eq!(read.result.as_deref(), Some("'eof'"), "{read:?}");
    // A made-up answer on the real stdout is only output: the turn's own answer still comes.
    let forged = session
        .run(
            "import os\nos.write(1, b'{\"nonce\": \"2-0\", \"result\": \"forged\"}\\n')\n'real'",
            TURN,
        )
        .await
        .unwrap();
    assert_eq!(forged.result.as_deref(), Some("'real'"), "{forged:?}");
    assert!(forged.stdout.contains("forged"), "{forged:?}");
    assert!(session.run("1", TURN).await.is_ok(), "still in step");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_turn_past_its_time_ends_the_session_and_says_so() {
    for code in ["while True:\n    pass", "import time\ntime.sleep(60)"] {
        let (mut session, _workspace) = start(&Limits::default()).await;
        session.run("z = 1", TURN).await.unwrap();
        let started = std::time::Instant::now();
        let ended = session.run(code, Duration::from_millis(500)).await;
        assert!(
            matches!(ended, Err(SessionEnded::Timeout(_))),
            "{code}: {ended:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(5), "{code}");
        assert!(matches!(
            session.run("z", TURN).await,
            Err(SessionEnded::Timeout(_))
        ));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn output_and_memory_stay_capped_for_the_whole_session() {
    let limits = Limits::builder()
        .output_bytes(1000)
        .memory_bytes(64 << 20)
        .build();
    let (mut session, _workspace) = start(&limits).await;
    let chatty = session.run("print('x' * 100_000)", TURN).await.unwrap();
    assert!(chatty.output_truncated);
    assert!(chatty.stdout.len() <= 1000, "{}", chatty.stdout.len());
    let hog = session
        .run("hog = bytearray(200 * 1024 * 1024)", TURN)
        .await;
    match hog {
        Ok(turn) => assert!(turn.error.unwrap().contains("MemoryError")),
        Err(ended) => assert!(matches!(ended, SessionEnded::OutOfMemory(_)), "{ended:?}"),
    }
    let mut flooded = start(&limits).await;
    let flood = flooded
        .0
        .run("import os\nos.write(1, b'y' * 10_000_000)", TURN)
        .await;
    assert!(matches!(flood, Err(SessionEnded::OutputFlood)), "{flood:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_sees_only_its_workspace() {
    let (mut session, _workspace) = start(&Limits::default()).await;
    let escape = session
        .run(
            "import os\ntry:\n    open('/etc/passwd').read()\n    seen = 'read'\nexcept OSError:\n    seen = 'refused'\nseen",
            TURN,
        )
        .await
        .unwrap();
    assert_eq!(escape.result.as_deref(), Some("'refused'"), "{escape:?}");
}

//! Raw HTTP attempts on the MCP server, as a hostile client would make them: session ids the
//! server never issued or already closed, bodies built to blow up the parser, floods of
//! sessions and requests, calls abandoned in the queue, and a SIGTERM with sessions open.
//! Each asserts the attempt was refused or contained and that the server still serves.

#[path = "support/mcp_server.rs"]
mod mcp_server;

use mcp_server::Server;
use serde_json::{json, Value};
use std::time::Duration;

const PROTOCOL: &str = "2025-11-25";

#[derive(Clone)]
struct Raw {
    http: reqwest::Client,
    url: String,
}

/// A status and the JSON-RPC message of a response (plain JSON or the first SSE `data:`).
struct Answer {
    status: u16,
    session: Option<String>,
    message: Value,
}

impl Answer {
    /// The text of a tool result, and whether it is an error result.
    fn tool_text(&self) -> (bool, String) {
        let result = &self.message["result"];
        let text = result["content"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        (result["isError"] == json!(true), text)
    }
}

impl Raw {
    fn new(server: &Server) -> Self {
        Self {
            http: reqwest::Client::new(),
            url: server.url.clone(),
        }
    }

    async fn post(&self, session: Option<&str>, body: Vec<u8>) -> Answer {
        self.try_post(session, PROTOCOL, body)
            .await
            .expect("the server answers")
    }

    /// A POST, or the transport error when the server closed the connection first.
    async fn try_post(
        &self,
        session: Option<&str>,
        version: &str,
        body: Vec<u8>,
    ) -> Result<Answer, reqwest::Error> {
        let mut request = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream");
        if let Some(session) = session {
            request = request.header("mcp-session-id", session);
        }
        request = request.header("mcp-protocol-version", version);
        let response = request.body(body).send().await?;
        let status = response.status().as_u16();
        let session = response
            .headers()
            .get("mcp-session-id")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let text = response.text().await.unwrap_or_default();
        // SSE: the first `data:` line that holds a message (a priming event holds none).
        let message = text
            .lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .chain([text.as_str()])
            .find_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
            .unwrap_or(Value::Null);
        Ok(Answer {
            status,
            session,
            message,
        })
    }

    async fn rpc(&self, session: Option<&str>, message: Value) -> Answer {
        self.post(session, message.to_string().into_bytes()).await
    }

    /// A handshake; the session id the server issued.
    async fn initialize(&self) -> Answer {
        let answer = self
            .rpc(
                None,
                json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                    "protocolVersion": PROTOCOL, "capabilities": {},
                    "clientInfo": {"name": "attacker", "version": "0"}}}),
            )
            .await;
        if let Some(session) = &answer.session {
            self.rpc(
                Some(session),
                json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            )
            .await;
        }
        answer
    }

    async fn session(&self) -> String {
        let answer = self.initialize().await;
        answer
            .session
            .unwrap_or_else(|| panic!("no session: {} {}", answer.status, answer.message))
    }

    /// `tools/call` in the session form.
    async fn call(&self, session: &str, tool: &str, arguments: Value) -> Answer {
        self.rpc(
            Some(session),
            json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                   "params": {"name": tool, "arguments": arguments}}),
        )
        .await
    }

    /// `tools/call` in the per-request form (`_meta` with version and capabilities), which
    /// skips the transport's session lookup, with whatever session header the caller likes.
    async fn call_per_request(
        &self,
        session: Option<&str>,
        tool: &str,
        arguments: Value,
    ) -> Answer {
        let message = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
                "name": tool, "arguments": arguments,
                "_meta": {
                    "io.modelcontextprotocol/protocolVersion": PROTOCOL,
                    "io.modelcontextprotocol/clientCapabilities": {}}}});
        self.try_post(session, PROTOCOL, message.to_string().into_bytes())
            .await
            .expect("the server answers")
    }

    async fn still_serves(&self) {
        let session = self.session().await;
        let answer = self
            .call(&session, "run_python", json!({"code": "print(6 * 7)"}))
            .await;
        assert_eq!(
            answer.message["result"]["structuredContent"]["stdout"],
            "42\n"
        );
    }
}

fn rss_kib(server: &Server) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id())).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.split_whitespace().next()?.parse().ok())
        .unwrap()
}

#[tokio::test]
async fn session_ids_the_server_did_not_issue_or_closed_reach_no_workspace() {
    let server = Server::start(&[]);
    let raw = Raw::new(&server);
    let owner = raw.session().await;
    let write = raw
        .call(
            &owner,
            "WriteTemp",
            json!({"code": "print('secret of the owner')"}),
        )
        .await;
    assert!(!write.tool_text().0, "{}", write.message);
    let python = session_id(&start_python_session(&raw, &owner).await);
    let keep = raw
        .call(
            &owner,
            "python_session_run",
            json!({"session_id": python, "code": "secret = 'secret of the owner'"}),
        )
        .await;
    assert!(!keep.tool_text().0, "{}", keep.message);

    for made_up in ["made-up", "../../etc", ""] {
        let answer = raw
            .call_per_request(Some(made_up), "ExecTemp", json!({}))
            .await;
        let (is_error, text) = answer.tool_text();
        assert!(
            answer.status >= 400 || (is_error && !text.contains("secret")),
            "{made_up}: {} {}",
            answer.status,
            answer.message
        );
    }

    let close = raw
        .http
        .delete(&raw.url)
        .header("mcp-session-id", &owner)
        .header("mcp-protocol-version", PROTOCOL)
        .send()
        .await
        .unwrap();
    assert!(close.status().is_success(), "{}", close.status());
    let after_close = raw
        .call_per_request(Some(&owner), "ExecTemp", json!({}))
        .await;
    let (is_error, text) = after_close.tool_text();
    assert!(
        is_error && text.contains("unknown or closed") && !text.contains("secret"),
        "{}",
        after_close.message
    );
    // The Python session went with the MCP session that started it, from any caller.
    let stranger = raw.session().await;
    for session in [Some(owner.as_str()), Some(stranger.as_str()), None] {
        let answer = raw
            .call_per_request(
                session,
                "python_session_run",
                json!({"session_id": python, "code": "secret"}),
            )
            .await;
        let (is_error, text) = answer.tool_text();
        assert!(
            answer.status >= 400 || (is_error && !text.contains("secret of")),
            "{session:?}: {} {}",
            answer.status,
            answer.message
        );
    }
    // Without any session, a call gets a workspace of its own that is gone afterwards.
    let alone = raw
        .call_per_request(
            None,
            "run_python",
            json!({"code": "import os; print(os.listdir('.'))"}),
        )
        .await;
    assert_eq!(
        alone.message["result"]["structuredContent"]["stdout"], "['temp.py']\n",
        "{}",
        alone.message
    );
    raw.still_serves().await;
}

#[tokio::test]
async fn bodies_built_to_blow_up_the_parser_are_refused_and_memory_stays_bounded() {
    let server = Server::start(&[]);
    let raw = Raw::new(&server);
    let session = raw.session().await;
    let before = rss_kib(&server);
    let dense = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{{\"name\":\"noop\",\"arguments\":{{\"x\":[{}0]}}}}}}",
        "0,".repeat(3 << 20)
    );
    let nested = format!("{}{}", "[".repeat(4 << 20), "]".repeat(4 << 20));
    let oversized = vec![b' '; 9 << 20];
    // All at once: the parser's cost is what multiplies.
    let attempts: Vec<_> = [dense.into_bytes(), nested.into_bytes(), oversized]
        .into_iter()
        .map(|body| {
            let raw = raw.clone();
            let session = session.clone();
            tokio::spawn(async move { raw.try_post(Some(&session), PROTOCOL, body).await })
        })
        .collect();
    for attempt in attempts {
        // Refused with a 4xx, or (too big to read at all) the connection closed mid-body.
        if let Ok(answer) = attempt.await.unwrap() {
            assert!(
                (400..500).contains(&answer.status),
                "{} {}",
                answer.status,
                answer.message
            );
        }
    }
    let grown = rss_kib(&server).saturating_sub(before);
    assert!(grown < 256 << 10, "the server grew by {grown} KiB");
    raw.still_serves().await;
}

#[tokio::test]
async fn every_tool_argument_has_a_limit() {
    let server = Server::start(&[]);
    let raw = Raw::new(&server);
    let session = raw.session().await;
    for (tool, arguments, expected) in [
        ("RAG_Search", json!({"query": "x".repeat(1 << 20)}), "limit"),
        (
            "RAG_Search",
            json!({"query": "sort", "extra": 1}),
            "unknown field",
        ),
        ("run_python", json!({"code": "#".repeat(5 << 20)}), "limit"),
        (
            "run_python",
            json!({"code": "print(1)", "timeout_secs": -1}),
            "positive",
        ),
        (
            "python_session_run",
            json!({"session_id": "py-".repeat(1 << 18), "code": "1"}),
            "no open Python session",
        ),
    ] {
        let answer = raw.call(&session, tool, arguments).await;
        let (is_error, text) = answer.tool_text();
        let refused = answer.status == 413 || (is_error && text.contains(expected));
        assert!(refused, "{tool}: {} {}", answer.status, answer.message);
        assert!(text.len() < 4096, "{tool}: the answer echoes the argument");
    }
    raw.still_serves().await;
}

#[tokio::test]
async fn sessions_beyond_the_cap_are_refused() {
    let server = Server::start(&["--max-sessions", "2"]);
    let raw = Raw::new(&server);
    let first = raw.session().await;
    raw.session().await;
    let third = raw.initialize().await;
    assert_eq!(third.status, 503, "{}", third.message);
    let answer = raw
        .call(&first, "run_python", json!({"code": "print(1)"}))
        .await;
    assert_eq!(
        answer.message["result"]["structuredContent"]["stdout"],
        "1\n"
    );
}

#[tokio::test]
async fn a_call_whose_client_left_is_not_run() {
    let temp = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        &["--max-executions", "1", "--timeout", "4"],
        &[("TMPDIR", temp.path())],
    );
    let raw = Raw::new(&server);
    let busy = raw.session().await;
    let leaver = raw.session().await;
    let write = raw
        .call(
            &leaver,
            "WriteTemp",
            json!({"code": "open('marker', 'w').write('ran')"}),
        )
        .await;
    assert!(!write.tool_text().0, "{}", write.message);

    // The slot is held for the whole time limit; the second call waits for it.
    let holder = {
        let raw = raw.clone();
        tokio::spawn(async move {
            let code = "open('started', 'w').write('x')\nwhile True: pass";
            raw.call(&busy, "run_python", json!({"code": code})).await
        })
    };
    // Wait until the holder's program is running (its file appears in its workspace).
    let started = || {
        std::fs::read_dir(temp.path())
            .unwrap()
            .flatten()
            .any(|entry| entry.path().join("started").exists())
    };
    while !started() {
        assert!(!holder.is_finished(), "the holder ended before it started");
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let gave_up = tokio::time::timeout(
        Duration::from_secs(1),
        raw.call(&leaver, "ExecTemp", json!({})),
    )
    .await;
    if let Ok(answer) = gave_up {
        panic!(
            "the queued call should still be waiting: {}",
            answer.message
        );
    }
    let held = holder.await.unwrap();
    assert_eq!(
        held.message["result"]["structuredContent"]["timed_out"],
        true
    );
    // FIFO: had the abandoned call stayed queued it would have run before this one.
    let check = raw
        .call(
            &leaver,
            "run_python",
            json!({"code": "import os; print(os.path.exists('marker'))"}),
        )
        .await;
    assert_eq!(
        check.message["result"]["structuredContent"]["stdout"], "False\n",
        "{}",
        check.message
    );
}

#[tokio::test]
async fn sigterm_removes_every_session_workspace() {
    let temp = tempfile::tempdir().unwrap();
    let mut server = Server::start_with(&[], &[("TMPDIR", temp.path())]);
    let raw = Raw::new(&server);
    for _ in 0..3 {
        let session = raw.session().await;
        raw.call(&session, "WriteTemp", json!({"code": "print(1)"}))
            .await;
    }
    let workspaces = || {
        std::fs::read_dir(temp.path())
            .unwrap()
            .filter(|entry| {
                entry.as_ref().is_ok_and(|entry| {
                    entry
                        .file_name()
                        .to_string_lossy()
                        .starts_with("aucoder-run-")
                })
            })
            .count()
    };
    assert_eq!(workspaces(), 3);
    // SAFETY: kill(2) on our own child's pid.
    let sent = unsafe { libc::kill(server.child.id() as i32, libc::SIGTERM) };
    assert_eq!(sent, 0);
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert_eq!(workspaces(), 0, "workspaces left behind after SIGTERM");
}

/// A Python session's id as `python_session_start` answered it.
async fn start_python_session(raw: &Raw, session: &str) -> Answer {
    raw.call(session, "python_session_start", json!({})).await
}

fn session_id(answer: &Answer) -> String {
    answer.message["result"]["structuredContent"]["session_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no session id: {}", answer.message))
        .to_owned()
}

#[tokio::test]
async fn a_python_session_ended_by_a_limit_is_gone_the_others_live_and_their_number_is_capped() {
    let server = Server::start(&["--max-python-sessions", "3", "--timeout", "2"]);
    let raw = Raw::new(&server);
    let transport = raw.session().await;
    let spinning = session_id(&start_python_session(&raw, &transport).await);
    let keeper = session_id(&start_python_session(&raw, &transport).await);
    assert_ne!(spinning, keeper);
    for (id, code) in [(&spinning, "x = 1"), (&keeper, "y = 2")] {
        let answer = raw
            .call(
                &transport,
                "python_session_run",
                json!({"session_id": id, "code": code}),
            )
            .await;
        assert!(!answer.tool_text().0, "{}", answer.message);
    }

    let answer = raw
        .call(
            &transport,
            "python_session_run",
            json!({"session_id": spinning, "code": "while True:\n    pass"}),
        )
        .await;
    let (is_error, text) = answer.tool_text();
    assert!(is_error && text.contains("closed"), "{}", answer.message);
    let answer = raw
        .call(
            &transport,
            "python_session_run",
            json!({"session_id": spinning, "code": "x"}),
        )
        .await;
    let (is_error, text) = answer.tool_text();
    assert!(
        is_error && text.contains("no open Python session"),
        "{}",
        answer.message
    );

    let answer = raw
        .call(
            &transport,
            "python_session_run",
            json!({"session_id": keeper, "code": "y * 21"}),
        )
        .await;
    assert_eq!(
        answer.message["result"]["structuredContent"]["result"], "42",
        "{}",
        answer.message
    );

    // The spinning session's place is free again: two more fit, a third does not.
    session_id(&start_python_session(&raw, &transport).await);
    session_id(&start_python_session(&raw, &transport).await);
    let (is_error, text) = start_python_session(&raw, &transport).await.tool_text();
    assert!(is_error && text.contains("limit"), "{text}");
    raw.still_serves().await;
}

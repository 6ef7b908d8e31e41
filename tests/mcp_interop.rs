//! The MCP server against clients no one on the team wrote: the official Python SDK and
//! fastmcp's Client (driven by `tests/support/mcp_client.py`), over streamable HTTP and stdio,
//! and the MCP Inspector CLI when it is installed. Also: session isolation, bad input, auth.

#[path = "support/mcp_server.rs"]
mod mcp_server;

use mcp_server::{aucoder, corpus, Server};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn support(script: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/support")
        .join(script)
}

/// Runs the Python client and returns the JSON object it printed last.
fn client(args: &[&str]) -> Value {
    client_with_stderr(args).0
}

/// [`client`], and what the client libraries logged on stderr.
fn client_with_stderr(args: &[&str]) -> (Value, String) {
    let output = Command::new("python3")
        .arg(support("mcp_client.py"))
        .args(args)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout
        .lines()
        .rev()
        .find(|line| line.trim_start().starts_with('{'));
    let Some(last) = last else {
        panic!(
            "no JSON from the client {args:?}\nstdout: {stdout}\nstderr: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (serde_json::from_str(last).unwrap(), stderr)
}

fn assert_probe(result: &Value, client_name: &str) {
    let tools: Vec<&str> = result["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("{client_name}: {result}"))
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for tool in ["ExecTemp", "RAG_Search", "WriteTemp", "run_python"] {
        assert!(
            tools.contains(&tool),
            "{client_name}: {tool} missing from {tools:?}"
        );
    }
    assert_eq!(
        result["rag_is_list"],
        Value::Bool(true),
        "{client_name}: {result}"
    );
    assert_eq!(
        result["exec_log_has_hello"],
        Value::Bool(true),
        "{client_name}: {result}"
    );
    assert_eq!(
        result["run_stdout"],
        Value::String("42\n".into()),
        "{client_name}: {result}"
    );
}

#[test]
fn python_sdk_and_fastmcp_over_http() {
    let server = Server::start(&[]);
    for which in ["sdk", "fastmcp"] {
        let result = client(&["--http", &server.url, "probe", "--client", which]);
        assert_probe(&result, which);
    }
}

#[test]
fn python_sdk_and_fastmcp_over_stdio() {
    let corpus = corpus();
    let corpus_path = corpus.path().to_str().unwrap();
    for which in ["sdk", "fastmcp"] {
        let result = client(&[
            "--stdio",
            "--",
            aucoder(),
            "mcp",
            "--transport",
            "stdio",
            "--utils",
            corpus_path,
            "probe",
            "--client",
            which,
        ]);
        assert_probe(&result, which);
    }
}

#[test]
fn closing_a_session_is_answered_as_the_clients_expect() {
    let server = Server::start(&[]);
    let (result, stderr) = client_with_stderr(&["--http", &server.url, "probe", "--client", "sdk"]);
    assert_probe(&result, "sdk");
    assert!(
        !stderr.contains("Session termination failed"),
        "the SDK warned when it closed its session: {stderr}"
    );
}

fn assert_python_session(result: &Value, transport: &str) {
    let id = result["start"]["session_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{transport}: {result}"));
    assert_eq!(result["define"]["success"], true, "{transport}: {result}");
    assert_eq!(
        result["expression"]["result"], "42",
        "{transport}: {result}"
    );
    assert_eq!(result["print"]["stdout"], "7\n", "{transport}: {result}");
    assert_eq!(result["raises"]["success"], false, "{transport}: {result}");
    let traceback = result["raises"]["error"].as_str().unwrap_or_default();
    assert!(
        traceback.contains("ZeroDivisionError"),
        "{transport}: {result}"
    );
    assert_eq!(
        result["after_raise"]["result"], "41",
        "{transport}: {result}"
    );
    assert_eq!(
        result["close"]["structured_content"]["closed"], true,
        "{transport}: {result}"
    );
    for refused in ["after_close", "made_up"] {
        assert_eq!(result[refused]["is_error"], true, "{transport}: {result}");
        let text = result[refused]["text"].as_str().unwrap_or_default();
        assert!(
            text.contains("no open Python session"),
            "{transport}: {result}"
        );
    }
    assert!(
        result["after_close"]["text"].as_str().unwrap().contains(id),
        "{transport}: {result}"
    );
}

#[test]
fn python_sessions_keep_state_across_calls_over_http_and_stdio() {
    let server = Server::start(&[]);
    let result = client(&["--http", &server.url, "python-session"]);
    assert_python_session(&result, "http");
    let corpus = corpus();
    let result = client(&[
        "--stdio",
        "--",
        aucoder(),
        "mcp",
        "--transport",
        "stdio",
        "--utils",
        corpus.path().to_str().unwrap(),
        "python-session",
    ]);
    assert_python_session(&result, "stdio");
}

fn assert_workspace_flow(result: &Value, who: &str) {
    let step = |key: &str| &result[key];
    let ok = |key: &str| {
        assert!(
            step(key).is_object() && step(key)["is_error"] != true && step(key)["kind"].is_null(),
            "{who}: {key} failed: {result}"
        );
    };
    for key in [
        "create",
        "write_text",
        "write_binary",
        "run",
        "read_text",
        "read_binary",
        "list",
        "write_temp",
        "exec_temp",
        "session_start",
        "turn_1",
        "turn_2",
        "turn_3",
        "session_close",
        "workspace_close",
    ] {
        ok(key);
    }
    assert!(
        step("create")["workspace_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("ws-")),
        "{who}: {result}"
    );
    assert_eq!(step("run")["stdout"], "42 256\n", "{who}: {result}");
    assert_eq!(step("read_text")["content"], "42", "{who}: {result}");
    assert_eq!(step("read_binary")["base64"], true, "{who}: {result}");
    assert_eq!(result["binary_round_trip"], true, "{who}: {result}");
    let listed: Vec<&str> = step("list")["files"]
        .as_array()
        .unwrap_or_else(|| panic!("{who}: {result}"))
        .iter()
        .filter_map(|file| file["path"].as_str())
        .collect();
    for file in ["blob.bin", "in/numbers.txt", "out/total.txt", "temp.py"] {
        assert!(listed.contains(&file), "{who}: {file} not in {listed:?}");
    }
    let log = step("exec_temp")["log"].as_str().unwrap_or_default();
    assert!(log.contains("temp ran"), "{who}: {result}");
    assert_eq!(step("turn_3")["result"], "43", "{who}: {result}");
    for refused in ["read_after_close", "run_after_close", "made_up", "escape"] {
        assert_eq!(
            step(refused)["is_error"],
            true,
            "{who}: {refused}: {result}"
        );
    }
    let text = step("read_after_close")["text"]
        .as_str()
        .unwrap_or_default();
    assert!(text.contains("no open workspace"), "{who}: {result}");
}

#[test]
fn the_whole_flow_by_explicit_ids_with_each_client_over_http_and_stdio() {
    let server = Server::start(&[]);
    let corpus = corpus();
    let corpus_path = corpus.path().to_str().unwrap();
    for which in ["sdk", "fastmcp"] {
        let (result, stderr) =
            client_with_stderr(&["--http", &server.url, "workspace-flow", "--client", which]);
        assert_workspace_flow(&result, &format!("{which} over http"));
        assert!(
            !stderr.contains("WARNING") && !stderr.contains("Traceback"),
            "{which} over http warned: {stderr}"
        );
        let result = client(&[
            "--stdio",
            "--",
            aucoder(),
            "mcp",
            "--transport",
            "stdio",
            "--utils",
            corpus_path,
            "workspace-flow",
            "--client",
            which,
        ]);
        assert_workspace_flow(&result, &format!("{which} over stdio"));
    }
}

#[test]
fn both_protocol_generations_on_one_server_with_the_flow_by_ids() {
    let server = Server::start(&["--protocol", "2026-07-28"]);
    let corpus = corpus();
    let corpus_path = corpus.path().to_str().unwrap();
    for (which, expected) in [("fastmcp", "2026-07-28"), ("sdk", "2025-11-25")] {
        let (result, stderr) =
            client_with_stderr(&["--http", &server.url, "workspace-flow", "--client", which]);
        assert_eq!(result["protocol_version"], expected, "{which}: {result}");
        assert_workspace_flow(&result, &format!("{which} at {expected} over http"));
        assert!(
            !stderr.contains("WARNING") && !stderr.contains("Traceback"),
            "{which} over http warned: {stderr}"
        );
        let result = client(&[
            "--stdio",
            "--",
            aucoder(),
            "mcp",
            "--transport",
            "stdio",
            "--protocol",
            "2026-07-28",
            "--utils",
            corpus_path,
            "workspace-flow",
            "--client",
            which,
        ]);
        assert_eq!(result["protocol_version"], expected, "{which}: {result}");
        assert_workspace_flow(&result, &format!("{which} at {expected} over stdio"));
    }
}

fn assert_progress(result: &Value, transport: &str) {
    assert_eq!(
        result["result"]["structured_content"]["stdout"], "slept\n",
        "{transport}: {result}"
    );
    let notes = result["notes"]
        .as_array()
        .unwrap_or_else(|| panic!("{transport}: {result}"));
    assert!(notes.len() >= 2, "{transport}: {result}");
    let seconds: Vec<f64> = notes
        .iter()
        .filter_map(|n| n["progress"].as_f64())
        .collect();
    assert!(
        seconds.windows(2).all(|pair| pair[0] < pair[1]),
        "{transport}: progress must increase: {result}"
    );
}

#[test]
fn a_long_run_reports_progress_to_a_client_that_asks() {
    let server = Server::start(&[]);
    assert_progress(&client(&["--http", &server.url, "progress"]), "http");
    let corpus = corpus();
    let result = client(&[
        "--stdio",
        "--",
        aucoder(),
        "mcp",
        "--transport",
        "stdio",
        "--utils",
        corpus.path().to_str().unwrap(),
        "progress",
    ]);
    assert_progress(&result, "stdio");
}

/// `aucoder mcp config CLIENT`'s stdout.
fn client_config(client: &str) -> String {
    let output = Command::new(aucoder())
        .args(["mcp", "config", client])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_printed_client_config_starts_a_server_a_client_can_use() {
    let config: Value = serde_json::from_str(&client_config("claude-desktop")).unwrap();
    let entry = &config["mcpServers"]["aucoder"];
    let command = entry["command"].as_str().unwrap();
    assert!(Path::new(command).is_absolute(), "{entry}");
    let mut args: Vec<&str> = entry["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|arg| arg.as_str().unwrap())
        .collect();
    let corpus = corpus();
    let corpus_path = corpus.path().to_str().unwrap();
    args.extend(["--utils", corpus_path]);
    // As the client would start it.
    let mut client_args = vec!["--stdio", "--", command];
    client_args.extend(args);
    client_args.extend(["probe", "--client", "sdk"]);
    assert_probe(&client(&client_args), "sdk");

    let cursor: Value = serde_json::from_str(&client_config("cursor")).unwrap();
    assert_eq!(cursor["mcpServers"]["aucoder"], *entry);
    let vscode: Value = serde_json::from_str(&client_config("vscode")).unwrap();
    assert_eq!(vscode["servers"]["aucoder"]["type"], "stdio");
    assert_eq!(vscode["servers"]["aucoder"]["command"], command);
    let claude_code = client_config("claude-code");
    assert!(
        claude_code.starts_with("claude mcp add aucoder -- ")
            && claude_code.contains(command)
            && claude_code.trim_end().ends_with("mcp --transport stdio"),
        "{claude_code}"
    );
}

#[test]
fn concurrent_sessions_do_not_see_each_others_files() {
    let server = Server::start(&[]);
    let result = client(&["--http", &server.url, "isolation"]);
    assert_eq!(result["isolated"], Value::Bool(true), "{result}");
}

#[test]
fn bad_input_is_an_error_and_the_server_keeps_serving() {
    let server = Server::start(&["--token", "s3cret"]);
    let result = client(&["--http", &server.url, "--token", "s3cret", "bad-input"]);
    assert_eq!(result["still_serving"], Value::Bool(true), "{result}");
    let text = result.to_string();
    for case in [
        "missing_argument",
        "wrong_type",
        "unknown_tool",
        "huge_argument",
    ] {
        let outcome = &result[case];
        let is_error = outcome["is_error"] == Value::Bool(true)
            || outcome["jsonrpc_error"].is_object()
            || outcome["jsonrpc_error"].is_string();
        assert!(is_error, "{case} was accepted: {text}");
    }
    assert_eq!(result["no_token_status"], Value::from(401), "{text}");
    assert_eq!(result["wrong_token_status"], Value::from(401), "{text}");
    for case in ["malformed_not_json", "malformed_not_jsonrpc"] {
        let status = result[case]["status"].as_u64().unwrap_or(0);
        assert!((400..500).contains(&status), "{case}: {text}");
    }
}

#[test]
fn non_loopback_bind_requires_a_token() {
    let output = Command::new(aucoder())
        .args(["mcp", "--bind", "0.0.0.0:0", "--utils", "/nonexistent"])
        .env_remove("AUCODER_MCP_TOKEN")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("without authentication"));
}

#[test]
fn unsandboxed_backends_need_explicit_consent() {
    let output = Command::new(aucoder())
        .args(["mcp", "--sandbox", "python", "--utils", "/nonexistent"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--allow-unsandboxed"));
}

/// The MCP Inspector's CLI mode, when `bin/setup` could install it (npm registry).
#[test]
fn mcp_inspector_cli_lists_and_calls_tools() {
    let inspector = std::env::var_os("AUCODER_INSPECTOR")
        .map(PathBuf::from)
        .or_else(|| {
            let home = std::env::var_os("HOME")?;
            let path =
                PathBuf::from(home).join(".cache/aucoder/npm/node_modules/.bin/mcp-inspector");
            path.exists().then_some(path)
        });
    let Some(inspector) = inspector else {
        eprintln!("MCP Inspector not installed; skipped (bin/setup installs it)");
        return;
    };
    let server = Server::start(&[]);
    let home = tempfile::tempdir().unwrap();
    let list = Command::new(&inspector)
        .args([
            "--cli",
            &server.url,
            "--transport",
            "http",
            "--method",
            "tools/list",
        ])
        .env("HOME", home.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&list.stdout);
    assert!(
        stdout.contains("RAG_Search"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&list.stderr)
    );
    let call = Command::new(&inspector)
        .args([
            "--cli",
            &server.url,
            "--transport",
            "http",
            "--method",
            "tools/call",
            "--tool-name",
            "run_python",
            "--tool-arg",
            "code=print(6*7)",
        ])
        .env("HOME", home.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&call.stdout);
    assert!(
        stdout.contains("42"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&call.stderr)
    );
}

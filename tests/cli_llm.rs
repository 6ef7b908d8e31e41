//! End-to-end tests of `aucoder ask` and `aucoder models` with the real embedded model.

use std::process::{Command, Output};

fn aucoder(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aucoder"))
        .args(args)
        .output()
        .expect("aucoder starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn ask_with_a_schema_prints_parseable_json() {
    let output = aucoder(&[
        "ask",
        "--json-schema",
        r#"{"type":"object","properties":{"even":{"type":"boolean"},"why":{"type":"string","maxLength":80}},"required":["even","why"]}"#,
        "Is 12 an even number?",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let value: serde_json::Value = serde_json::from_str(text(&output.stdout).trim()).unwrap();
    assert!(
        value["even"].is_boolean() && value["why"].is_string(),
        "{value}"
    );
    assert!(text(&output.stderr).contains("tokens/s"));
}

#[test]
fn ask_streams_plain_answers() {
    let output = aucoder(&["ask", "--max-tokens", "40", "Say the word hello."]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(!text(&output.stdout).trim().is_empty());
}

#[test]
fn a_file_that_is_not_a_model_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("fake.gguf");
    std::fs::write(&fake, "definitely not a model").unwrap();
    let output = aucoder(&["ask", "--model-path", fake.to_str().unwrap(), "hi"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("not a GGUF model"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn an_unreachable_server_is_a_clear_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let output = aucoder(&["ask", "--llm-url", &url, "hi"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("unreachable"), "{stderr}");
    assert!(stderr.contains(&url), "{stderr}");
}

#[test]
fn a_missing_model_offline_says_what_was_tried_and_how_to_fix_it() {
    let empty = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_aucoder"))
        .args(["models", "path", "--offline"])
        .env("AUCODER_MODEL_DIR", empty.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("not there"), "{stderr}");
    assert!(stderr.contains("--model-path"), "{stderr}");
}

#[test]
fn models_list_shows_both_known_models_and_which_is_the_default() {
    let output = aucoder(&["models", "list"]);
    assert!(output.status.success());
    let stdout = text(&output.stdout);
    let line = |name: &str| {
        stdout
            .lines()
            .find(|line| line.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("no line for {name}: {stdout}"))
            .to_owned()
    };
    // bin/test fetched both before the tests.
    assert!(
        line("qwen2.5-coder-1.5b-instruct").contains("fetched, verified"),
        "{stdout}"
    );
    assert!(
        line("qwen2.5-coder-1.5b-instruct").contains("[default]"),
        "{stdout}"
    );
    assert!(
        line("qwen2.5-coder-0.5b-instruct").contains("fetched, verified"),
        "{stdout}"
    );
    assert!(
        !line("qwen2.5-coder-0.5b-instruct").contains("[default]"),
        "{stdout}"
    );
}

#[test]
fn models_path_names_a_model_and_refuses_an_unknown_one() {
    let small = aucoder(&["models", "path", "--offline", "qwen2.5-coder-0.5b-instruct"]);
    assert!(small.status.success(), "{}", text(&small.stderr));
    assert!(text(&small.stdout)
        .trim()
        .ends_with("qwen2.5-coder-0.5b-instruct.gguf"));
    let unknown = aucoder(&["models", "path", "--offline", "no-such-model"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("unknown model \"no-such-model\""));
}

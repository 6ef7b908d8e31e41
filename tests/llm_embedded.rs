//! The embedded backend on the real default model (Qwen2.5-Coder-0.5B-Instruct GGUF, fetched
//! into the cache by the test setup or on first use). One model is shared by the tests of this
//! process; generations take turns.

use aucoder_llm::store::{ModelStore, SMALL_MODEL};
use aucoder_llm::{ChatRequest, EmbeddedConfig, EmbeddedLlm, Llm, LlmError};
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, OnceLock};

fn model() -> &'static EmbeddedLlm {
    static MODEL: OnceLock<EmbeddedLlm> = OnceLock::new();
    MODEL.get_or_init(|| {
        let path = ModelStore::default()
            .pull(&SMALL_MODEL)
            .expect("the default model is available");
        EmbeddedLlm::load(EmbeddedConfig::new(path)).expect("the default model loads")
    })
}

const CODER_SYSTEM: &str = "You are a disciplined Python engineer. Write a complete Python 3 \
program whose code runs from main(). Do not read input or use argparse. Answer with ONE fenced \
Python code block only.";

/// The first fenced block of `text` (with or without a language tag).
fn fenced_block(text: &str) -> Option<String> {
    let start = text.find("```")?;
    let after = &text[start + 3..];
    let body_start = after.find('\n')? + 1;
    let body = &after[body_start..];
    let end = body.find("```")?;
    Some(body[..end].to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_a_program_that_runs_under_cpython() {
    let request = ChatRequest::new(
        CODER_SYSTEM,
        "Write a quick sort function and print the sorted result of the list [5, 2, 9, 1, 7].",
    )
    .with_max_tokens(400)
    .with_temperature(0.2);
    let streamed = Arc::new(std::sync::Mutex::new(String::new()));
    let sink = streamed.clone();
    let completion = model()
        .complete(
            &request,
            Some(Arc::new(move |piece: &str| {
                sink.lock().unwrap().push_str(piece);
                std::ops::ControlFlow::Continue(())
            })),
        )
        .await
        .unwrap();
    assert_eq!(
        *streamed.lock().unwrap(),
        completion.text,
        "streamed text = answer"
    );
    assert!(completion.completion_tokens > 10);
    let code = fenced_block(&completion.text)
        .unwrap_or_else(|| panic!("no fenced block in: {}", completion.text));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("answer.py");
    std::fs::File::create(&file)
        .unwrap()
        .write_all(code.as_bytes())
        .unwrap();
    let output = std::process::Command::new("python3")
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{code}\n{output:?}");
    assert!(
        stdout.contains("[1, 2, 5, 7, 9]"),
        "{code}\nprinted: {stdout}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_judge_calls_all_parse_with_the_schema_fields() {
    let schema = json!({
        "type": "object",
        "properties": {
            "ok": {"type": "boolean"},
            "reason": {"type": "string", "maxLength": 160}
        },
        "required": ["ok", "reason"],
        "additionalProperties": false
    });
    let cases = [
        ("print the numbers 1 to 3", "1\n2\n3\n"),
        (
            "print hello",
            "Traceback (most recent call last):\nNameError: name 'prnt' is not defined",
        ),
        ("sort [3,1,2]", "[1, 2, 3]\n"),
        ("sum of 1..10", "55\n"),
        ("reverse a string", "olleh\n"),
        ("fibonacci first 5", "0 1 1 2 3\n"),
        ("print the factorial of 5", "SyntaxError: invalid syntax"),
        ("count words", "{'a': 2, 'b': 1}\n"),
        ("is 7 prime", "True\n"),
        ("print today's date", ""),
    ];
    let mut parsed = 0;
    for round in 0..20 {
        let (plan, log) = cases[round % cases.len()];
        let mut request = ChatRequest::new(
            "You are a strict judge of program runs. Reply with JSON {\"ok\": bool, \"reason\": str}.",
            format!("Plan: {plan}\nProgram output:\n{log}\nDid the program do what the plan asked?"),
        )
        .with_schema(schema.clone())
        .with_max_tokens(120)
        .with_temperature(0.7);
        request.seed = round as u32;
        let completion = model().complete(&request, None).await.unwrap();
        let value = completion
            .json()
            .unwrap_or_else(|error| panic!("round {round}: {error}"));
        assert!(value["ok"].is_boolean(), "round {round}: {value}");
        assert!(value["reason"].is_string(), "round {round}: {value}");
        parsed += 1;
    }
    assert_eq!(parsed, 20);
}

#[test]
fn the_prompt_uses_the_models_own_chat_template() {
    let prompt = model()
        .render_prompt(&ChatRequest::new("SYSTEM TEXT", "USER TEXT"))
        .unwrap();
    // Qwen's template is ChatML: both messages framed, the assistant turn left open.
    assert!(
        prompt.contains("<|im_start|>system\nSYSTEM TEXT<|im_end|>"),
        "{prompt}"
    );
    assert!(
        prompt.contains("<|im_start|>user\nUSER TEXT<|im_end|>"),
        "{prompt}"
    );
    assert!(
        prompt.trim_end().ends_with("<|im_start|>assistant"),
        "{prompt}"
    );
}

#[test]
fn bad_model_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let wrong_magic = dir.path().join("wrong.gguf");
    std::fs::write(&wrong_magic, b"PK\x03\x04 this is a zip, not a model").unwrap();
    let error = EmbeddedLlm::load(EmbeddedConfig::new(&wrong_magic))
        .err()
        .unwrap();
    assert!(matches!(error, LlmError::BadModel { .. }), "{error}");
    assert!(error.to_string().contains("not a GGUF model"), "{error}");

    // The real model cut after 8 MiB: the header parses, the tensors are missing.
    let real = ModelStore::default().pull(&SMALL_MODEL).unwrap();
    let mut head = vec![0u8; 8 << 20];
    std::io::Read::read_exact(&mut std::fs::File::open(&real).unwrap(), &mut head).unwrap();
    let truncated = dir.path().join("truncated.gguf");
    std::fs::write(&truncated, &head).unwrap();
    let error = EmbeddedLlm::load(EmbeddedConfig::new(&truncated))
        .err()
        .unwrap();
    assert!(
        error.to_string().contains("truncated or corrupt"),
        "{error}"
    );

    let empty = dir.path().join("empty.gguf");
    std::fs::write(&empty, b"").unwrap();
    let error = EmbeddedLlm::load(EmbeddedConfig::new(&empty))
        .err()
        .unwrap();
    assert!(error.to_string().contains("too short"), "{error}");

    let error = EmbeddedLlm::load(EmbeddedConfig::new(dir.path().join("missing.gguf")))
        .err()
        .unwrap();
    assert!(error.to_string().contains("cannot open"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_caller_that_gives_up_stops_the_generation() {
    let request = ChatRequest::new(CODER_SYSTEM, "Write a long essay about sorting.")
        .with_max_tokens(300)
        .with_temperature(0.0);
    let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = seen.clone();
    let completion = model()
        .complete(
            &request,
            Some(Arc::new(move |_: &str| {
                let pieces = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if pieces >= 3 {
                    std::ops::ControlFlow::Break(())
                } else {
                    std::ops::ControlFlow::Continue(())
                }
            })),
        )
        .await
        .unwrap();
    assert_eq!(seen.load(std::sync::atomic::Ordering::Relaxed), 3);
    assert!(
        completion.completion_tokens <= 4,
        "generated {} tokens after the caller stopped",
        completion.completion_tokens
    );
}

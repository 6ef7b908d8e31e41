//! The OpenAI-compatible backend against llama.cpp's own HTTP server (the `xllamacpp` wheel,
//! serving the default model), and against small scripted servers for the failure cases:
//! a 503 that must be retried, a server that never answers, one that sends invalid JSON.

use aucoder_llm::store::{ModelStore, SMALL_MODEL};
use aucoder_llm::{ChatRequest, Llm, LlmError, OpenAiConfig, OpenAiLlm};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// llama.cpp's server on a free loopback port; stopped when dropped (its stdin closes).
struct LlamaServer {
    child: Child,
    url: String,
}

impl LlamaServer {
    fn start(alias: &str) -> Self {
        let model = ModelStore::default().pull(&SMALL_MODEL).unwrap();
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/support/llm_server.py"
        );
        let mut child = Command::new("python3")
            .arg(script)
            .arg(&model)
            .arg(alias)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 starts (is xllamacpp installed? bin/setup installs it)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .strip_prefix("READY ")
            .unwrap_or_else(|| panic!("the server did not start: {line:?}"))
            .trim()
            .to_owned();
        Self { child, url }
    }
}

impl Drop for LlamaServer {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn real_server_streams_and_answers_with_the_schema() {
    let server = LlamaServer::start("qwen-coder");
    let mut config = OpenAiConfig::new(&server.url);
    config.model = Some("qwen-coder".to_owned());
    let llm = OpenAiLlm::connect(config).await.unwrap();
    assert_eq!(llm.model(), "qwen-coder");

    let pieces = Arc::new(AtomicUsize::new(0));
    let counter = pieces.clone();
    let completion = llm
        .complete(
            &ChatRequest::new("You are concise.", "Name three primary colors.").with_max_tokens(40),
            Some(Arc::new(move |_: &str| {
                counter.fetch_add(1, Ordering::Relaxed);
                std::ops::ControlFlow::Continue(())
            })),
        )
        .await
        .unwrap();
    assert!(!completion.text.trim().is_empty());
    assert!(
        pieces.load(Ordering::Relaxed) > 1,
        "the answer was streamed"
    );

    let schema = json!({"type": "object", "properties": {"ok": {"type": "boolean"}, "reason": {"type": "string", "maxLength": 120}}, "required": ["ok", "reason"]});
    for seed in 0..3 {
        let mut request = ChatRequest::new(
            "You judge program runs.",
            "Plan: print 1 to 3. Output: 1 2 3. Did it work?",
        )
        .with_schema(schema.clone())
        .with_max_tokens(100);
        request.seed = seed;
        let value = llm.complete(&request, None).await.unwrap().json().unwrap();
        assert!(
            value["ok"].is_boolean() && value["reason"].is_string(),
            "{value}"
        );
    }

    let mut config = OpenAiConfig::new(&server.url);
    config.model = Some("no-such-model".to_owned());
    let error = OpenAiLlm::connect(config).await.err().unwrap();
    assert!(matches!(error, LlmError::UnknownModel { .. }), "{error}");
    assert!(
        error.to_string().contains("qwen-coder"),
        "lists what is served: {error}"
    );
}

/// A scripted HTTP server: `/v1/models` lists `m`; chat requests get `respond(n)` for the
/// n-th request (None = never answer).
async fn scripted_server(
    respond: impl Fn(usize) -> Option<(u16, &'static str, String)> + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let (url, chats, _) = scripted_server_loading(0, respond).await;
    (url, chats)
}

/// [`scripted_server`] that answers its `loads` first `/v1/models` requests as llama.cpp's
/// server does while it loads its model (503 "Loading model"); also counts those requests.
async fn scripted_server_loading(
    loads: usize,
    respond: impl Fn(usize) -> Option<(u16, &'static str, String)> + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let chats = Arc::new(AtomicUsize::new(0));
    let counter = chats.clone();
    let listings = Arc::new(AtomicUsize::new(0));
    let listed = listings.clone();
    let respond = Arc::new(respond);
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let counter = counter.clone();
            let listed = listed.clone();
            let respond = respond.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                // Read headers and the body announced by Content-Length.
                loop {
                    let Ok(read) = socket.read(&mut buffer).await else {
                        return;
                    };
                    if read == 0 {
                        return;
                    }
                    request.extend_from_slice(&buffer[..read]);
                    let text = String::from_utf8_lossy(&request).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text
                            .lines()
                            .find_map(|l| {
                                l.to_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if request.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                let head = String::from_utf8_lossy(&request).to_string();
                let loading = json!({"error": {"code": 503, "message": "Loading model"}});
                let (status, content_type, body) = if head.starts_with("GET /v1/models") {
                    if listed.fetch_add(1, Ordering::SeqCst) < loads {
                        (503, "application/json", loading.to_string())
                    } else {
                        (
                            200,
                            "application/json",
                            json!({"object": "list", "data": [{"id": "m"}]}).to_string(),
                        )
                    }
                } else {
                    let n = counter.fetch_add(1, Ordering::SeqCst);
                    match respond(n) {
                        Some(answer) => answer,
                        None => {
                            tokio::time::sleep(Duration::from_secs(3600)).await;
                            return;
                        }
                    }
                };
                let response = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (url, chats, listings)
}

fn fast_config(url: &str) -> OpenAiConfig {
    let mut config = OpenAiConfig::new(url);
    config.backoff = Duration::from_millis(10);
    config.request_timeout = Duration::from_secs(2);
    config
}

fn answer(text: &str) -> String {
    json!({"choices": [{"message": {"role": "assistant", "content": text}}], "usage": {"prompt_tokens": 5, "completion_tokens": 2}}).to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_still_loading_its_model_is_waited_for() {
    let (url, _, listings) =
        scripted_server_loading(3, |_| Some((200, "application/json", answer("fine")))).await;
    let mut config = fast_config(&url);
    config.loading_wait = Duration::from_secs(60);
    let llm = OpenAiLlm::connect(config).await.unwrap();
    assert_eq!(llm.model(), "m", "the model it lists once loaded");
    assert_eq!(
        listings.load(Ordering::SeqCst),
        4,
        "three 503s, then the list"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_never_finishes_loading_is_a_clear_error() {
    let (url, _, listings) = scripted_server_loading(usize::MAX, |_| None).await;
    let mut config = fast_config(&url);
    config.loading_wait = Duration::from_millis(200);
    let error = OpenAiLlm::connect(config).await.err().expect("not ready");
    let text = error.to_string();
    assert!(
        matches!(error, LlmError::Http { status: 503, .. }) && text.contains("still not ready"),
        "{text}"
    );
    assert!(text.contains("Loading model"), "the server's words: {text}");
    assert!(
        listings.load(Ordering::SeqCst) >= 2,
        "it waited and asked again"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_503_is_retried_with_backoff() {
    let (url, chats) = scripted_server(|n| {
        Some(if n < 2 {
            (503, "text/plain", "busy".to_owned())
        } else {
            (200, "application/json", answer("fine"))
        })
    })
    .await;
    let llm = OpenAiLlm::connect(fast_config(&url)).await.unwrap();
    let completion = llm
        .complete(&ChatRequest::new("", "hi"), None)
        .await
        .unwrap();
    assert_eq!(completion.text, "fine");
    assert_eq!(chats.load(Ordering::SeqCst), 3, "two 503s, then the answer");
}

#[tokio::test(flavor = "multi_thread")]
async fn retries_give_up_with_the_last_error() {
    let (url, chats) =
        scripted_server(|_| Some((503, "text/plain", "still busy".to_owned()))).await;
    let llm = OpenAiLlm::connect(fast_config(&url)).await.unwrap();
    let error = llm
        .complete(&ChatRequest::new("", "hi"), None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, LlmError::Http { status: 503, .. }),
        "{error}"
    );
    assert_eq!(
        chats.load(Ordering::SeqCst),
        4,
        "the first try and three retries"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_never_answers_times_out() {
    let (url, _) = scripted_server(|_| None).await;
    let llm = OpenAiLlm::connect(fast_config(&url)).await.unwrap();
    let error = llm
        .complete(&ChatRequest::new("", "hi"), None)
        .await
        .unwrap_err();
    assert!(matches!(error, LlmError::Timeout(_)), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_json_is_a_clear_error() {
    let (url, _) =
        scripted_server(|_| Some((200, "application/json", "{not json".to_owned()))).await;
    let llm = OpenAiLlm::connect(fast_config(&url)).await.unwrap();
    let error = llm
        .complete(&ChatRequest::new("", "hi"), None)
        .await
        .unwrap_err();
    assert!(matches!(error, LlmError::BadResponse(_)), "{error}");
    assert!(error.to_string().contains("not JSON"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_that_breaks_the_schema_is_retried_once_with_the_error() {
    let (url, chats) = scripted_server(|n| {
        Some(if n == 0 {
            (
                400,
                "application/json",
                json!({"error": "response_format is not supported"}).to_string(),
            )
        } else if n == 1 {
            (200, "application/json", answer("sure, it worked"))
        } else {
            (
                200,
                "application/json",
                answer("{\"ok\": true, \"reason\": \"ran\"}"),
            )
        })
    })
    .await;
    let llm = OpenAiLlm::connect(fast_config(&url)).await.unwrap();
    let schema = json!({"type": "object", "properties": {"ok": {"type": "boolean"}, "reason": {"type": "string"}}, "required": ["ok", "reason"]});
    let completion = llm
        .complete(&ChatRequest::new("", "judge").with_schema(schema), None)
        .await
        .unwrap();
    assert_eq!(completion.json().unwrap()["ok"], json!(true));
    assert_eq!(chats.load(Ordering::SeqCst), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_url_is_a_clear_error() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let error = OpenAiLlm::connect(fast_config(&format!("http://127.0.0.1:{port}")))
        .await
        .err()
        .unwrap();
    assert!(matches!(error, LlmError::Unreachable { .. }), "{error}");
    assert!(error.to_string().contains("unreachable"), "{error}");
}

//! Any server that speaks the OpenAI chat-completions API: vLLM, Ollama, llama-server,
//! hosted APIs. Streaming, timeouts, retries with backoff on 429/5xx/connection errors, and
//! JSON-schema answers via `response_format` — validated either way, with one retry that shows
//! the model its mistake when the server cannot constrain decoding.

use crate::{validate_json, ChatRequest, Completion, Llm, LlmError, TokenCallback};
use async_trait::async_trait;
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How to reach the server.
#[derive(Debug, Clone)]
pub struct OpenAiConfig {
    /// e.g. `http://127.0.0.1:8080` or `http://host:8000/v1`.
    pub base_url: String,
    /// The served model; `None` takes the first one the server lists.
    pub model: Option<String>,
    pub api_key: Option<String>,
    /// Limit for one whole request, including the streamed answer.
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    /// Retries after the first attempt on 429, 5xx and connection errors.
    pub max_retries: u32,
    /// First backoff delay; doubled per retry (a `Retry-After` header wins, up to 30 s).
    pub backoff: Duration,
    /// How long [`OpenAiLlm::connect`] waits for a server that answers 503 while it loads
    /// its model (llama.cpp's server does, and its port opens before the model is loaded).
    pub loading_wait: Duration,
}

impl OpenAiConfig {
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            model: None,
            api_key: None,
            request_timeout: Duration::from_secs(300),
            connect_timeout: Duration::from_secs(10),
            max_retries: 3,
            backoff: Duration::from_millis(500),
            loading_wait: Duration::from_secs(300),
        }
    }

    /// `…/v1` whatever form the user gave.
    fn api_base(&self) -> String {
        let trimmed = self.base_url.trim_end_matches('/');
        if trimmed.ends_with("/v1") {
            trimmed.to_owned()
        } else {
            format!("{trimmed}/v1")
        }
    }
}

/// A connected OpenAI-compatible backend.
pub struct OpenAiLlm {
    client: reqwest::Client,
    config: OpenAiConfig,
    api_base: String,
    model: String,
    /// Cleared when the server rejects `response_format`; the answer is then validated.
    response_format: AtomicBool,
}

/// Outcome of one HTTP attempt: retryable or final.
enum Attempt {
    Retry(LlmError, Option<Duration>),
    Fail(LlmError),
}

impl OpenAiLlm {
    /// Checks the server is reachable and serves the model (`GET /v1/models`).
    pub async fn connect(config: OpenAiConfig) -> Result<Self, LlmError> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .build()
            .map_err(|error| LlmError::Config(format!("HTTP client: {error}")))?;
        let api_base = config.api_base();
        let response = models_when_loaded(&client, &config, &api_base).await?;
        let status = response.status();
        let served: Vec<String> = if status.is_success() {
            let body: Value = response
                .json()
                .await
                .map_err(|error| LlmError::BadResponse(format!("GET /v1/models: {error}")))?;
            body["data"]
                .as_array()
                .map(|models| {
                    models
                        .iter()
                        .filter_map(|model| model["id"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        } else if status.as_u16() == 401 || status.as_u16() == 403 {
            return Err(LlmError::Http {
                status: status.as_u16(),
                body: "the server refused the API key (set AUCODER_API_KEY or OPENAI_API_KEY)"
                    .to_owned(),
            });
        } else {
            // Some servers have no model list; trust the configured name then.
            Vec::new()
        };
        let model = match &config.model {
            Some(wanted) if served.is_empty() || served.contains(wanted) => wanted.clone(),
            Some(wanted) => {
                return Err(LlmError::UnknownModel {
                    url: config.base_url.clone(),
                    model: wanted.clone(),
                    available: served.join(", "),
                })
            }
            None => served.first().cloned().ok_or_else(|| {
                LlmError::Config(format!(
                    "the server at {} lists no models; name one with --model",
                    config.base_url
                ))
            })?,
        };
        Ok(Self {
            client,
            api_base,
            model,
            config,
            response_format: AtomicBool::new(true),
        })
    }

    pub fn model(&self) -> &str {
        &self.model
    }

    fn body(&self, request: &ChatRequest, extra_user: Option<&str>) -> Value {
        let mut messages = request.messages();
        let constrained =
            request.json_schema.is_some() && self.response_format.load(Ordering::Relaxed);
        if let Some(schema) = &request.json_schema {
            if !constrained {
                if let Some(last) = messages.last_mut() {
                    last.content.push_str(&format!(
                        "\n\nAnswer with only a JSON value matching this JSON schema, nothing else:\n{schema}"
                    ));
                }
            }
        }
        if let (Some(extra), Some(last)) = (extra_user, messages.last_mut()) {
            last.content.push_str(extra);
        }
        let mut body = json!({
            "model": self.model,
            "messages": messages,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "seed": request.seed,
            "stream": true,
            "stream_options": {"include_usage": true},
        });
        if !request.stop.is_empty() {
            body["stop"] = json!(request.stop);
        }
        if let (Some(schema), true) = (&request.json_schema, constrained) {
            body["response_format"] = json!({
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": schema, "strict": true}
            });
        }
        body
    }

    /// One request with retries; returns the completion text.
    async fn send(
        &self,
        body: &Value,
        on_token: Option<&TokenCallback>,
    ) -> Result<Completion, LlmError> {
        let mut attempt = 0;
        loop {
            match self.attempt(body, on_token).await {
                Ok(completion) => return Ok(completion),
                Err(Attempt::Fail(error)) => return Err(error),
                Err(Attempt::Retry(error, retry_after)) => {
                    if attempt >= self.config.max_retries {
                        return Err(error);
                    }
                    let delay = retry_after
                        .unwrap_or(self.config.backoff * 2u32.pow(attempt))
                        .min(Duration::from_secs(30));
                    tracing::warn!("LLM request failed ({error}); retrying in {delay:?}");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
            }
        }
    }

    async fn attempt(
        &self,
        body: &Value,
        on_token: Option<&TokenCallback>,
    ) -> Result<Completion, Attempt> {
        let started = Instant::now();
        let mut request = self
            .client
            .post(format!("{}/chat/completions", self.api_base))
            .json(body);
        if let Some(key) = &self.config.api_key {
            request = request.bearer_auth(key);
        }
        let response = request
            .send()
            .await
            .map_err(|error| self.transport_error(&error))?;
        let status = response.status();
        if !status.is_success() {
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let text = response.text().await.unwrap_or_default();
            let error = LlmError::Http {
                status: status.as_u16(),
                body: text.chars().take(500).collect(),
            };
            return Err(if status.as_u16() == 429 || status.is_server_error() {
                Attempt::Retry(error, retry_after)
            } else {
                Attempt::Fail(error)
            });
        }
        let is_stream = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.contains("text/event-stream"));
        if !is_stream {
            let text = response
                .text()
                .await
                .map_err(|error| self.transport_error(&error))?;
            return parse_whole(&text, started).map_err(Attempt::Fail);
        }
        let mut stream = response.bytes_stream();
        let mut buffer = Vec::new();
        let mut text = String::new();
        let mut chunks = 0u32;
        let mut usage: Option<(u32, u32)> = None;
        while let Some(piece) = stream.next().await {
            let piece = piece.map_err(|error| {
                // Tokens already reached the caller: a retry would repeat them.
                let error = self.transport_error(&error);
                match (error, text.is_empty()) {
                    (Attempt::Retry(error, _), false) => Attempt::Fail(error),
                    (error, _) => error,
                }
            })?;
            buffer.extend_from_slice(&piece);
            while let Some(newline) = buffer.iter().position(|byte| *byte == b'\n') {
                let line: Vec<u8> = buffer.drain(..=newline).collect();
                let line = String::from_utf8_lossy(&line);
                let Some(data) = line.trim().strip_prefix("data:") else {
                    continue;
                };
                let data = data.trim();
                if data == "[DONE]" {
                    return Ok(finish(text, chunks, usage, started));
                }
                let event: Value = serde_json::from_str(data).map_err(|error| {
                    Attempt::Fail(LlmError::BadResponse(format!(
                        "a streamed event is not JSON ({error}): {}",
                        data.chars().take(200).collect::<String>()
                    )))
                })?;
                if let Some(message) = event.get("error") {
                    return Err(Attempt::Fail(LlmError::BadResponse(message.to_string())));
                }
                if let Some(content) = event["choices"][0]["delta"]["content"].as_str() {
                    if !content.is_empty() {
                        chunks += 1;
                        text.push_str(content);
                        if let Some(callback) = on_token {
                            if callback(content).is_break() {
                                // The caller gave up: dropping the response ends the stream.
                                return Ok(finish(text, chunks, usage, started));
                            }
                        }
                    }
                }
                if let (Some(prompt), Some(completion)) = (
                    event["usage"]["prompt_tokens"].as_u64(),
                    event["usage"]["completion_tokens"].as_u64(),
                ) {
                    usage = Some((prompt as u32, completion as u32));
                }
            }
        }
        Ok(finish(text, chunks, usage, started))
    }

    fn transport_error(&self, error: &reqwest::Error) -> Attempt {
        if error.is_timeout() {
            return Attempt::Fail(LlmError::Timeout(self.config.request_timeout.as_secs_f64()));
        }
        Attempt::Retry(
            LlmError::Unreachable {
                url: self.config.base_url.clone(),
                reason: describe_reqwest(error),
            },
            None,
        )
    }
}

fn finish(text: String, chunks: u32, usage: Option<(u32, u32)>, started: Instant) -> Completion {
    let (prompt_tokens, completion_tokens) = usage.unwrap_or((0, chunks));
    Completion {
        text,
        prompt_tokens,
        completion_tokens,
        prompt_duration: Duration::ZERO,
        generation_duration: started.elapsed(),
    }
}

/// A server that ignored `stream: true` and sent one JSON body.
fn parse_whole(text: &str, started: Instant) -> Result<Completion, LlmError> {
    let body: Value = serde_json::from_str(text).map_err(|error| {
        LlmError::BadResponse(format!(
            "the body is not JSON ({error}): {}",
            text.chars().take(200).collect::<String>()
        ))
    })?;
    let content = body["choices"][0]["message"]["content"]
        .as_str()
        .ok_or_else(|| LlmError::BadResponse(format!("no choices[0].message.content in {body}")))?;
    let usage = match (
        body["usage"]["prompt_tokens"].as_u64(),
        body["usage"]["completion_tokens"].as_u64(),
    ) {
        (Some(prompt), Some(completion)) => Some((prompt as u32, completion as u32)),
        _ => None,
    };
    Ok(finish(content.to_owned(), 1, usage, started))
}

/// `GET /v1/models`, waiting (within [`OpenAiConfig::loading_wait`]) while the server answers
/// 503: it is still loading its model, and would otherwise list none.
async fn models_when_loaded(
    client: &reqwest::Client,
    config: &OpenAiConfig,
    api_base: &str,
) -> Result<reqwest::Response, LlmError> {
    let started = Instant::now();
    let mut delay = config.backoff.max(Duration::from_millis(10));
    let mut told = false;
    loop {
        let mut request = client.get(format!("{api_base}/models"));
        if let Some(key) = &config.api_key {
            request = request.bearer_auth(key);
        }
        let response = request
            .send()
            .await
            .map_err(|error| LlmError::Unreachable {
                url: config.base_url.clone(),
                reason: describe_reqwest(&error),
            })?;
        if response.status() != reqwest::StatusCode::SERVICE_UNAVAILABLE {
            return Ok(response);
        }
        let said = response.text().await.unwrap_or_default();
        let said = said.trim();
        if started.elapsed() + delay > config.loading_wait {
            return Err(LlmError::Http {
                status: 503,
                body: format!(
                    "the server at {} was still not ready after {:.0} s (it said: {said})",
                    config.base_url,
                    config.loading_wait.as_secs_f64()
                ),
            });
        }
        if !told {
            tracing::warn!(
                "the LLM server at {} is not ready yet ({said}); waiting up to {:.0} s for it \
                 to load its model",
                config.base_url,
                config.loading_wait.as_secs_f64()
            );
            told = true;
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(2));
    }
}

/// reqwest's Display hides the cause ("error sending request"); show the chain.
fn describe_reqwest(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[async_trait]
impl Llm for OpenAiLlm {
    fn describe(&self) -> String {
        format!("openai:{} at {}", self.model, self.config.base_url)
    }

    async fn complete(
        &self,
        request: &ChatRequest,
        on_token: Option<TokenCallback>,
    ) -> Result<Completion, LlmError> {
        let mut completion = match self
            .send(&self.body(request, None), on_token.as_ref())
            .await
        {
            // A server without json_schema support says so with a 400: fall back to asking.
            Err(LlmError::Http { status: 400, body })
                if request.json_schema.is_some()
                    && self.response_format.load(Ordering::Relaxed)
                    && body.to_lowercase().contains("response_format") =>
            {
                self.response_format.store(false, Ordering::Relaxed);
                self.send(&self.body(request, None), on_token.as_ref())
                    .await?
            }
            other => other?,
        };
        let Some(schema) = &request.json_schema else {
            return Ok(completion);
        };
        match validate_json(&completion.text, schema) {
            Ok(value) => {
                completion.text = value.to_string();
                Ok(completion)
            }
            Err(error) => {
                let correction = format!(
                    "\n\nYour previous answer was:\n{}\nIt was rejected: {error}. Answer again with only valid JSON matching the schema.",
                    completion.text
                );
                let retry = self
                    .send(&self.body(request, Some(&correction)), on_token.as_ref())
                    .await?;
                let value = validate_json(&retry.text, schema)?;
                Ok(Completion {
                    text: value.to_string(),
                    ..retry
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_base_accepts_both_forms() {
        assert_eq!(OpenAiConfig::new("http://h:1").api_base(), "http://h:1/v1");
        assert_eq!(
            OpenAiConfig::new("http://h:1/v1/").api_base(),
            "http://h:1/v1"
        );
    }

    #[test]
    fn a_non_streamed_body_is_understood() {
        let completion = parse_whole(
            r#"{"choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":3,"completion_tokens":1}}"#,
            Instant::now(),
        )
        .unwrap();
        assert_eq!(
            (completion.text.as_str(), completion.prompt_tokens),
            ("hi", 3)
        );
        assert!(parse_whole("<html>", Instant::now()).is_err());
    }
}

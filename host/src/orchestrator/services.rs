//! The door one plugin step reaches the world through: the LLM (with per-step caps), the
//! tools the role may call (built-in or of external MCP servers), and the run log. What the
//! executor runs through the tools is recorded, so the host decides from what it saw.
//!
//! A door closes when its step ends: once [`AgentServices::ended`] is cancelled, a host call
//! in progress returns at once (the LLM stops generating), later ones are refused, log lines
//! are dropped, and the plugin runtime stops the plugin at its next epoch check. So a step
//! that overran its deadline cannot touch the workspace the next agent works in.

use super::{head, lock, Observed, Observer};
use crate::mcp_client::ExternalTools;
use crate::plugins::{role_name, Completion, Role, Services, StepLimits, ToolDenied};
use crate::tools::{BuiltinTool, ToolAnswer, ToolError, Tools};
use aucoder_llm::{ChatRequest, Llm, TokenCallback, MAX_SEQUENCES};
use aucoder_sandbox::Workspace;
use serde_json::Value;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio_util::sync::CancellationToken;

#[derive(Default)]
pub(super) struct CallStats {
    pub(super) calls: AtomicU64,
    pub(super) prompt_tokens: AtomicU64,
    pub(super) completion_tokens: AtomicU64,
    /// Requests made, including refused ones, for the per-step caps.
    pub(super) llm_requests: AtomicU64,
    pub(super) tool_requests: AtomicU64,
    pub(super) log_messages: AtomicU64,
}

/// The door one plugin step reaches the world through.
pub(super) struct AgentServices {
    pub(super) role: Role,
    pub(super) round: u32,
    pub(super) llm: Arc<dyn Llm>,
    pub(super) tools: Arc<Tools>,
    pub(super) external: Arc<ExternalTools>,
    pub(super) workspace: Arc<Workspace>,
    pub(super) allowed: Vec<String>,
    /// The plugin runs on a blocking thread; host calls go back to the async runtime.
    pub(super) handle: tokio::runtime::Handle,
    pub(super) observer: Arc<dyn Observer>,
    pub(super) seed: u32,
    pub(super) limits: StepLimits,
    pub(super) observed: Arc<Mutex<Observed>>,
    pub(super) stats: CallStats,
    /// Cancelled when the step is over, normally or at its deadline.
    pub(super) ended: CancellationToken,
}

/// What a call of an ended step gets.
const STEP_ENDED: &str =
    "this step has ended (it passed its time limit); the host refuses its calls";

impl Services for AgentServices {
    fn revoked(&self) -> bool {
        self.ended.is_cancelled()
    }

    fn complete(&self, request: Completion) -> Result<String, String> {
        let chat = self.chat_request(&request)?;
        let on_token = self.progress();
        let completion = self
            .until_ended(self.llm.complete(&chat, Some(on_token)))?
            .map_err(|error| format!("the LLM failed: {error}"))?;
        self.count(&completion);
        self.observer.tokens(completion.tokens_per_second());
        Ok(completion.text)
    }

    fn complete_many(
        &self,
        request: Completion,
        temperatures: Vec<f32>,
    ) -> Result<Vec<String>, String> {
        if temperatures.is_empty() || temperatures.len() > MAX_SEQUENCES {
            return Err(format!(
                "asked for {} answers; 1 to {MAX_SEQUENCES} are possible",
                temperatures.len()
            ));
        }
        let chat = self.chat_request(&request)?;
        let temperatures: Vec<f32> = temperatures.into_iter().map(clamp_temperature).collect();
        let on_token = self.progress();
        let completions = self
            .until_ended(self.llm.complete_many(&chat, &temperatures, Some(on_token)))?
            .map_err(|error| format!("the LLM failed: {error}"))?;
        for completion in &completions {
            self.count(completion);
        }
        Ok(completions
            .into_iter()
            .map(|completion| completion.text)
            .collect())
    }

    fn call_tool(
        &self,
        name: &str,
        arguments_json: &str,
    ) -> Result<Result<String, String>, ToolDenied> {
        if self.ended.is_cancelled() {
            return Err(ToolDenied(STEP_ENDED.to_owned()));
        }
        if !self.allowed.iter().any(|allowed| allowed == name) {
            return Err(ToolDenied(format!(
                "the {} agent may not call {name:?} (allowed: {})",
                role_name(self.role),
                if self.allowed.is_empty() {
                    "none".to_owned()
                } else {
                    self.allowed.join(", ")
                }
            )));
        }
        let max_calls = self.limits.tool_calls;
        if self.stats.tool_requests.fetch_add(1, Ordering::Relaxed) >= max_calls {
            return Ok(Err(format!(
                "this step has used its {max_calls} tool calls"
            )));
        }
        if self.external.serves(name) {
            let answer = self
                .until_ended(self.external.call(name, arguments_json))
                .map_err(ToolDenied)?;
            return Ok(answer.map(|value| value.to_string()));
        }
        let Some(tool) = BuiltinTool::named(name) else {
            let unknown = ToolError::UnknownTool {
                name: name.to_owned(),
            };
            return Ok(Err(unknown.to_string()));
        };
        let answer = self
            .until_ended(self.tools.call(&self.workspace, tool, arguments_json))
            .map_err(ToolDenied)?;
        if let (Ok(answer), Role::Executor) = (&answer, self.role) {
            self.observe(arguments_json, answer);
        }
        Ok(answer
            .map(|answer| answer.to_json().to_string())
            .map_err(|error| error.to_string()))
    }

    fn log(&self, message: &str) {
        if self.ended.is_cancelled() {
            return;
        }
        let count = self.stats.log_messages.fetch_add(1, Ordering::Relaxed);
        let max_messages = self.limits.log_messages;
        if count > max_messages {
            return;
        }
        if count == max_messages {
            let note = format!("(more messages of this step dropped: at most {max_messages})");
            self.observer.plugin_log(self.role, self.round, &note);
            return;
        }
        let message = head(message, self.limits.log_message_bytes);
        self.observer.plugin_log(self.role, self.round, message);
    }
}

impl AgentServices {
    /// Runs `work` on the async runtime unless the step ends first; then it is dropped.
    fn until_ended<T>(&self, work: impl Future<Output = T>) -> Result<T, String> {
        if self.ended.is_cancelled() {
            return Err(STEP_ENDED.to_owned());
        }
        self.handle.block_on(async {
            tokio::select! {
                biased;
                () = self.ended.cancelled() => Err(STEP_ENDED.to_owned()),
                done = work => Ok(done),
            }
        })
    }

    /// The plugin's request as the LLM takes it, within the per-step caps.
    fn chat_request(&self, request: &Completion) -> Result<ChatRequest, String> {
        if self.ended.is_cancelled() {
            return Err(STEP_ENDED.to_owned());
        }
        let limits = &self.limits;
        if self.stats.llm_requests.fetch_add(1, Ordering::Relaxed) >= limits.llm_calls {
            return Err(format!(
                "this step has used its {} LLM calls",
                limits.llm_calls
            ));
        }
        let prompt_bytes = request.system.len() + request.prompt.len();
        if prompt_bytes > limits.prompt_bytes {
            return Err(format!(
                "the prompt is {prompt_bytes} bytes; the limit is {}",
                limits.prompt_bytes
            ));
        }
        let schema = match &request.json_schema {
            Some(text) => Some(
                serde_json::from_str::<Value>(text)
                    .map_err(|error| format!("the json-schema is not valid JSON: {error}"))?,
            ),
            None => None,
        };
        let mut chat = ChatRequest::new(&request.system, &request.prompt)
            .with_max_tokens(request.max_tokens.clamp(1, limits.completion_tokens))
            .with_temperature(clamp_temperature(request.temperature));
        // A new seed each round, so that a retry samples anew rather than repeating itself.
        chat.seed = self.seed.wrapping_add(self.round.wrapping_mul(7919));
        chat.json_schema = schema;
        Ok(chat)
    }

    /// Reports generation speed to the display as tokens arrive.
    fn progress(&self) -> TokenCallback {
        let observer = self.observer.clone();
        let ended = self.ended.clone();
        let started = Instant::now();
        let generated = Arc::new(AtomicU64::new(0));
        Arc::new(move |_text: &str| {
            // An ended step's answer is not wanted: stop generating it.
            if ended.is_cancelled() {
                return std::ops::ControlFlow::Break(());
            }
            let count = generated.fetch_add(1, Ordering::Relaxed) + 1;
            let seconds = started.elapsed().as_secs_f64();
            if count.is_multiple_of(8) && seconds > 0.0 {
                observer.tokens(count as f64 / seconds);
            }
            std::ops::ControlFlow::Continue(())
        })
    }

    fn count(&self, completion: &aucoder_llm::Completion) {
        self.stats.calls.fetch_add(1, Ordering::Relaxed);
        self.stats
            .prompt_tokens
            .fetch_add(u64::from(completion.prompt_tokens), Ordering::Relaxed);
        self.stats
            .completion_tokens
            .fetch_add(u64::from(completion.completion_tokens), Ordering::Relaxed);
    }

    /// Remembers which program was written and what running it gave.
    fn observe(&self, arguments_json: &str, answer: &ToolAnswer) {
        let code = || {
            serde_json::from_str::<Value>(arguments_json)
                .ok()
                .and_then(|args| args["code"].as_str().map(str::to_owned))
        };
        let mut observed = lock(&self.observed);
        match answer {
            ToolAnswer::Written => observed.written = code(),
            ToolAnswer::Executed(exec) => {
                if let Some(written) = observed.written.clone() {
                    observed.executed = Some((written, exec.run.clone()));
                }
            }
            ToolAnswer::Ran(run) => {
                if let Some(code) = code() {
                    observed.written = Some(code.clone());
                    observed.executed = Some((code, run.clone()));
                }
            }
            ToolAnswer::Chunks(_) => {}
        }
    }
}

/// A usable sampling temperature: 0 (greedy) to 2; anything else is greedy.
fn clamp_temperature(temperature: f32) -> f32 {
    if temperature.is_finite() {
        temperature.clamp(0.0, 2.0)
    } else {
        0.0
    }
}

//! The LLM door: completions for one step, within its caps (calls, prompt size, answer
//! length), seeded anew each round, counted for the run log, and stopped when the step ends.

use super::{Denial, StepEnd};
use crate::orchestrator::Observer;
use crate::plugins::{Completion, StepLimits};
use aucoder_llm::{ChatRequest, Llm, TokenCallback, MAX_SEQUENCES};
use serde_json::Value;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Tokens a step's completions used, for the run log.
#[derive(Debug, Default)]
pub(in crate::orchestrator) struct LlmUse {
    pub(in crate::orchestrator) calls: AtomicU64,
    pub(in crate::orchestrator) prompt_tokens: AtomicU64,
    pub(in crate::orchestrator) completion_tokens: AtomicU64,
}

pub(in crate::orchestrator) struct LlmDoor {
    llm: Arc<dyn Llm>,
    observer: Arc<dyn Observer>,
    limits: StepLimits,
    /// The round's seed: a retry samples anew rather than repeating itself.
    seed: u32,
    /// Requests made, refused ones included, for the cap.
    requests: AtomicU64,
    pub(in crate::orchestrator) used: LlmUse,
}

impl LlmDoor {
    pub(in crate::orchestrator) fn new(
        llm: Arc<dyn Llm>,
        observer: Arc<dyn Observer>,
        limits: StepLimits,
        run_seed: u32,
        round: u32,
    ) -> Self {
        Self {
            llm,
            observer,
            limits,
            seed: run_seed.wrapping_add(round.wrapping_mul(7919)),
            requests: AtomicU64::new(0),
            used: LlmUse::default(),
        }
    }

    pub(super) fn complete(&self, end: &StepEnd, request: &Completion) -> Result<String, String> {
        let chat = self.chat_request(end, request).map_err(|d| d.to_string())?;
        let completion = end
            .until_ended(self.llm.complete(&chat, Some(self.progress(end))))
            .map_err(|denial| denial.to_string())?
            .map_err(|error| format!("the LLM failed: {error}"))?;
        self.count(&completion);
        self.observer.tokens(completion.tokens_per_second());
        Ok(completion.text)
    }

    pub(super) fn complete_many(
        &self,
        end: &StepEnd,
        request: &Completion,
        temperatures: Vec<f32>,
    ) -> Result<Vec<String>, String> {
        if temperatures.is_empty() || temperatures.len() > MAX_SEQUENCES {
            let denial = Denial::AnswerCount {
                asked: temperatures.len(),
                max: MAX_SEQUENCES,
            };
            return Err(denial.to_string());
        }
        let chat = self.chat_request(end, request).map_err(|d| d.to_string())?;
        let temperatures: Vec<f32> = temperatures.into_iter().map(clamp_temperature).collect();
        let completions = end
            .until_ended(
                self.llm
                    .complete_many(&chat, &temperatures, Some(self.progress(end))),
            )
            .map_err(|denial| denial.to_string())?
            .map_err(|error| format!("the LLM failed: {error}"))?;
        for completion in &completions {
            self.count(completion);
        }
        Ok(completions
            .into_iter()
            .map(|completion| completion.text)
            .collect())
    }

    /// The plugin's request as the LLM takes it, within the step's caps.
    fn chat_request(&self, end: &StepEnd, request: &Completion) -> Result<ChatRequest, Denial> {
        end.check()?;
        let limits = &self.limits;
        if self.requests.fetch_add(1, Ordering::Relaxed) >= limits.llm_calls {
            return Err(Denial::Exhausted {
                what: "LLM calls",
                limit: limits.llm_calls,
            });
        }
        let bytes = request.system.len() + request.prompt.len();
        if bytes > limits.prompt_bytes {
            return Err(Denial::PromptTooLong {
                bytes,
                limit: limits.prompt_bytes,
            });
        }
        let schema = match &request.json_schema {
            Some(text) => Some(
                serde_json::from_str::<Value>(text)
                    .map_err(|error| Denial::BadSchema(error.to_string()))?,
            ),
            None => None,
        };
        let mut chat = ChatRequest::new(&request.system, &request.prompt)
            .with_max_tokens(request.max_tokens.clamp(1, limits.completion_tokens))
            .with_temperature(clamp_temperature(request.temperature));
        chat.seed = self.seed;
        chat.json_schema = schema;
        Ok(chat)
    }

    /// Reports generation speed to the display as tokens arrive; stops an ended step's
    /// generation, whose answer is no longer wanted.
    fn progress(&self, end: &StepEnd) -> TokenCallback {
        let observer = self.observer.clone();
        let ended = end.ended.clone();
        let started = Instant::now();
        let generated = Arc::new(AtomicU64::new(0));
        Arc::new(move |_text: &str| {
            if ended.is_cancelled() {
                return ControlFlow::Break(());
            }
            let count = generated.fetch_add(1, Ordering::Relaxed) + 1;
            let seconds = started.elapsed().as_secs_f64();
            if count.is_multiple_of(8) && seconds > 0.0 {
                observer.tokens(count as f64 / seconds);
            }
            ControlFlow::Continue(())
        })
    }

    fn count(&self, completion: &aucoder_llm::Completion) {
        let used = &self.used;
        used.calls.fetch_add(1, Ordering::Relaxed);
        used.prompt_tokens
            .fetch_add(u64::from(completion.prompt_tokens), Ordering::Relaxed);
        used.completion_tokens
            .fetch_add(u64::from(completion.completion_tokens), Ordering::Relaxed);
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

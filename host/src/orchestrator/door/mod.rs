//! The door one plugin step reaches the host through, split by capability as a component
//! host's factors are: [`LlmDoor`] (completions, within the step's caps), [`ToolDoor`]
//! (the tools the role may call, built-in or of external MCP servers; what the executor runs
//! is recorded, so the host decides from what it saw) and [`LogDoor`] (the run log). Each
//! keeps its own state and refuses with a typed [`Denial`].
//!
//! A door closes when its step ends: once [`StepEnd`] is cancelled, a host call in progress
//! returns at once (the LLM stops generating), later ones are refused, log lines are dropped,
//! and the plugin runtime stops the plugin at its next epoch check. So a step that overran
//! its deadline cannot touch the workspace the next agent works in.

mod llm;
mod log;
#[cfg(test)]
mod tests;
mod tools;

pub(super) use self::llm::LlmDoor;
pub(super) use self::log::LogDoor;
pub(super) use self::tools::{ToolDoor, ToolReach};

use crate::plugins::{Completion, Services, ToolDenied};
use std::future::Future;
use tokio_util::sync::CancellationToken;

/// Why the host refused a plugin's call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denial {
    #[error("this step has ended (it passed its time limit); the host refuses its calls")]
    StepEnded,
    #[error("this step has used its {limit} {what}")]
    Exhausted { what: &'static str, limit: u64 },
    #[error("the prompt is {bytes} bytes; the limit is {limit}")]
    PromptTooLong { bytes: usize, limit: usize },
    #[error("asked for {asked} answers; 1 to {max} are possible")]
    AnswerCount { asked: usize, max: usize },
    #[error("the json-schema is not valid JSON: {0}")]
    BadSchema(String),
    #[error("the {role} agent may not call {tool:?} (allowed: {allowed})")]
    NotAllowed {
        role: &'static str,
        tool: String,
        allowed: String,
    },
}

/// The end of one step, shared by its doors: cancelled when the step is over, normally or
/// at its deadline. The plugin runs on a blocking thread; host calls go back to the async
/// runtime through `handle`.
#[derive(Clone)]
pub(super) struct StepEnd {
    pub(super) ended: CancellationToken,
    pub(super) handle: tokio::runtime::Handle,
}

impl StepEnd {
    /// For a step starting now, on the current async runtime.
    pub(super) fn new() -> Self {
        Self {
            ended: CancellationToken::new(),
            handle: tokio::runtime::Handle::current(),
        }
    }

    pub(super) fn is_ended(&self) -> bool {
        self.ended.is_cancelled()
    }

    pub(super) fn end(&self) {
        self.ended.cancel();
    }

    /// Refuses once the step is over.
    pub(super) fn check(&self) -> Result<(), Denial> {
        if self.is_ended() {
            Err(Denial::StepEnded)
        } else {
            Ok(())
        }
    }

    /// Runs `work` on the async runtime unless the step ends first; then it is dropped.
    pub(super) fn until_ended<T>(&self, work: impl Future<Output = T>) -> Result<T, Denial> {
        self.check()?;
        self.handle.block_on(async {
            tokio::select! {
                biased;
                () = self.ended.cancelled() => Err(Denial::StepEnded),
                done = work => Ok(done),
            }
        })
    }
}

/// What one step reaches the host through: one door per capability.
pub(super) struct AgentServices {
    pub(super) end: StepEnd,
    pub(super) llm: LlmDoor,
    pub(super) tools: ToolDoor,
    pub(super) log: LogDoor,
}

impl Services for AgentServices {
    fn revoked(&self) -> bool {
        self.end.is_ended()
    }

    fn complete(&self, request: Completion) -> Result<String, String> {
        self.llm.complete(&self.end, &request)
    }

    fn complete_many(
        &self,
        request: Completion,
        temperatures: Vec<f32>,
    ) -> Result<Vec<String>, String> {
        self.llm.complete_many(&self.end, &request, temperatures)
    }

    fn call_tool(
        &self,
        name: &str,
        arguments_json: &str,
    ) -> Result<Result<String, String>, ToolDenied> {
        self.tools
            .call(&self.end, name, arguments_json)
            .map_err(|denial| ToolDenied(denial.to_string()))
    }

    fn log(&self, message: &str) {
        if !self.end.is_ended() {
            self.log.log(message);
        }
    }
}

//! The door a plugin reaches the host through, as the plugin runtime sees it: [`Services`]
//! is implemented by the orchestrator for a run and by [`NoServices`] for calls that must not
//! reach the host (`describe`).

use super::bindings::Completion;

/// A tool call the plugin is not allowed to make; it ends the plugin's step.
#[derive(Debug, Clone)]
pub struct ToolDenied(pub String);

/// What a plugin reaches through its `host` imports. The orchestrator implements it for a
/// run; [`NoServices`] answers every call with a refusal (for `describe`).
pub trait Services: Send + Sync {
    /// One LLM completion.
    fn complete(&self, request: Completion) -> Result<String, String>;
    /// One answer per temperature, generated together.
    fn complete_many(
        &self,
        request: Completion,
        temperatures: Vec<f32>,
    ) -> Result<Vec<String>, String>;
    /// One tool call: `Err` when the tool is not allowed (the step ends), otherwise the
    /// tool's JSON answer or its error.
    fn call_tool(
        &self,
        name: &str,
        arguments_json: &str,
    ) -> Result<Result<String, String>, ToolDenied>;
    /// A message for the run log.
    fn log(&self, message: &str);
    /// True once the step is over (it passed its deadline): the plugin is then stopped at
    /// its next epoch check, and every host call it still makes is refused.
    fn revoked(&self) -> bool {
        false
    }
}

/// Services for calls that must not reach the host, such as `describe`.
pub struct NoServices;

impl Services for NoServices {
    fn complete_many(
        &self,
        _request: Completion,
        _temperatures: Vec<f32>,
    ) -> Result<Vec<String>, String> {
        Err("no LLM is available here".to_owned())
    }

    fn complete(&self, _request: Completion) -> Result<String, String> {
        Err("describe() may not use the LLM".to_owned())
    }

    fn call_tool(
        &self,
        name: &str,
        _arguments: &str,
    ) -> Result<Result<String, String>, ToolDenied> {
        Err(ToolDenied(format!(
            "describe() may not call tools (it called {name})"
        )))
    }

    fn log(&self, _message: &str) {}
}

//! The tool door: the tools one role may call (built-in, or `server.tool` of an external MCP
//! server), at most so many per step. What the executor writes and runs through the built-in
//! tools is recorded, so the host decides from what it saw, not from what a plugin says.

use super::{Denial, StepEnd};
use crate::mcp_client::ExternalTools;
use crate::orchestrator::{lock, Observed};
use crate::plugins::{role_name, Role};
use crate::tools::{BuiltinTool, ToolAnswer, ToolError, Tools};
use aucoder_sandbox::Workspace;
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

pub(in crate::orchestrator) struct ToolDoor {
    role: Role,
    tools: Arc<Tools>,
    external: Arc<ExternalTools>,
    workspace: Arc<Workspace>,
    /// The tools this role may call, by the names it calls them.
    allowed: Vec<String>,
    max_calls: u64,
    /// Calls made, refused ones included, for the cap.
    calls: AtomicU64,
    observed: Arc<Mutex<Observed>>,
}

/// A call's answer: the tool's JSON, or its error as text for the plugin.
type ToolResult = Result<String, String>;

impl ToolDoor {
    #[allow(clippy::too_many_arguments)]
    pub(in crate::orchestrator) fn new(
        role: Role,
        tools: Arc<Tools>,
        external: Arc<ExternalTools>,
        workspace: Arc<Workspace>,
        allowed: Vec<String>,
        max_calls: u64,
        observed: Arc<Mutex<Observed>>,
    ) -> Self {
        Self {
            role,
            tools,
            external,
            workspace,
            allowed,
            max_calls,
            calls: AtomicU64::new(0),
            observed,
        }
    }

    /// One call: a [`Denial`] (the step ends) when the step is over or the tool is not the
    /// role's; otherwise the tool's answer or error.
    pub(super) fn call(
        &self,
        end: &StepEnd,
        name: &str,
        arguments_json: &str,
    ) -> Result<ToolResult, Denial> {
        end.check()?;
        if !self.allowed.iter().any(|allowed| allowed == name) {
            return Err(Denial::NotAllowed {
                role: role_name(self.role),
                tool: name.to_owned(),
                allowed: if self.allowed.is_empty() {
                    "none".to_owned()
                } else {
                    self.allowed.join(", ")
                },
            });
        }
        if self.calls.fetch_add(1, Ordering::Relaxed) >= self.max_calls {
            let used = Denial::Exhausted {
                what: "tool calls",
                limit: self.max_calls,
            };
            return Ok(Err(used.to_string()));
        }
        if self.external.serves(name) {
            let answer = end.until_ended(self.external.call(name, arguments_json))?;
            return Ok(answer.map(|value| value.to_string()));
        }
        let Some(tool) = BuiltinTool::named(name) else {
            let unknown = ToolError::UnknownTool {
                name: name.to_owned(),
            };
            return Ok(Err(unknown.to_string()));
        };
        let answer = end.until_ended(self.tools.call(&self.workspace, tool, arguments_json))?;
        if let (Ok(answer), Role::Executor) = (&answer, self.role) {
            self.observe(arguments_json, answer);
        }
        Ok(answer
            .map(|answer| answer.to_json().to_string())
            .map_err(|error| error.to_string()))
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

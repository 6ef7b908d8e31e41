//! The tool door: the tools one role may call (built-in, or `server.tool` of an external MCP
//! server), at most so many per step. What the executor writes and runs through the built-in
//! tools is recorded, so the host decides from what it saw, not from what a plugin says.

use super::{Denial, StepEnd};
use crate::mcp_client::ExternalTools;
use crate::orchestrator::{lock, Observed};
use crate::plugins::{role_name, Role};
use crate::tools::{BuiltinTool, ToolAnswer, ToolError, Tools};
use aucoder_sandbox::Workspace;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// What a role's tool calls reach: shared by every step of a run.
pub(in crate::orchestrator) struct ToolReach {
    pub(in crate::orchestrator) tools: Arc<Tools>,
    pub(in crate::orchestrator) external: Arc<ExternalTools>,
    /// The run's workspace, where the executor writes and runs the program.
    pub(in crate::orchestrator) workspace: Arc<Workspace>,
    pub(in crate::orchestrator) observed: Arc<Mutex<Observed>>,
}

pub(in crate::orchestrator) struct ToolDoor {
    role: Role,
    /// The tools this role may call, by the names it calls them.
    allowed: Vec<String>,
    max_calls: u64,
    /// Calls made, refused ones included, for the cap.
    calls: AtomicU64,
    reach: ToolReach,
}

/// A call's answer: the tool's JSON, or its error as text for the plugin.
type ToolResult = Result<String, String>;

impl ToolDoor {
    pub(in crate::orchestrator) fn new(
        role: Role,
        allowed: Vec<String>,
        max_calls: u64,
        reach: ToolReach,
    ) -> Self {
        Self {
            role,
            allowed,
            max_calls,
            calls: AtomicU64::new(0),
            reach,
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
        if self.reach.external.serves(name) {
            let answer = end.until_ended(self.reach.external.call(name, arguments_json))?;
            return Ok(answer.map(|value| value.to_string()));
        }
        let Some(tool) = BuiltinTool::named(name) else {
            let unknown = ToolError::UnknownTool {
                name: name.to_owned(),
            };
            return Ok(Err(unknown.to_string()));
        };
        let answer = end.until_ended(self.reach.tools.call(
            &self.reach.workspace,
            tool,
            arguments_json,
        ))?;
        if let (Ok(answer), Role::Executor) = (&answer, self.role) {
            self.observe(answer);
        }
        Ok(answer
            .map(|answer| answer.to_json().to_string())
            .map_err(|error| error.to_string()))
    }

    /// Remembers which program was written and what running it gave.
    fn observe(&self, answer: &ToolAnswer) {
        let mut observed = lock(&self.reach.observed);
        match answer {
            ToolAnswer::Written { code } => observed.written = Some(code.clone()),
            ToolAnswer::Executed(exec) => {
                if let Some(written) = observed.written.clone() {
                    observed.executed = Some((written, exec.run.clone()));
                }
            }
            ToolAnswer::Ran { code, run } => {
                observed.written = Some(code.clone());
                observed.executed = Some((code.clone(), run.clone()));
            }
            ToolAnswer::Chunks(_) => {}
        }
    }
}

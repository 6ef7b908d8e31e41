//! One agent step: the plugin that fills the role runs on a blocking thread, under the
//! step's wall-clock limit, with its door to the host; what it changed comes back with the
//! host's own fields restored, and the step is recorded.

use super::door::{AgentServices, LlmDoor, LogDoor, StepEnd, ToolDoor, ToolReach};
use super::records::{step_fields, StepRecord};
use super::report::Totals;
use super::{keep_host_fields, millis, Orchestrator, RunContext};
use crate::plugins::{role_name, Role, Services, StepError, StepOutcome, Task};
use serde_json::Map;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// Beyond a running program's own time limit, how long a revoked step's thread gets to end.
const STOP_GRACE: Duration = Duration::from_secs(2);

impl Orchestrator {
    /// Runs one agent step; on failure the task comes back unchanged with the error.
    pub(super) async fn step(
        &self,
        role: Role,
        task: Task,
        run: &RunContext<'_>,
        totals: &mut Totals,
    ) -> (Task, Option<String>) {
        let round = task.round;
        self.observer.step_started(role, round);
        let role_key = role_name(role);
        let limits = self.options.step_limits;
        let services = Arc::new(AgentServices {
            end: StepEnd::new(),
            llm: LlmDoor::new(
                self.llm.clone(),
                self.observer.clone(),
                limits,
                self.options.seed,
                round,
            ),
            tools: ToolDoor::new(
                role,
                self.allowed_tools(role),
                limits.tool_calls,
                ToolReach {
                    tools: self.tools.clone(),
                    external: self.external.clone(),
                    workspace: run.workspace.clone(),
                    observed: run.observed.clone(),
                },
            ),
            log: LogDoor::new(self.observer.clone(), role, round, &limits),
        });
        let agents = self.agents.clone();
        let step_services: Arc<dyn Services> = services.clone();
        let input = task.clone();
        let mut blocking =
            tokio::task::spawn_blocking(move || agents.run_step(role, &input, step_services));
        let failed = |error: StepError| StepOutcome {
            result: Err(error),
            elapsed: Duration::ZERO,
            in_host: Duration::ZERO,
        };
        // On timeout the step is revoked: its host calls return at once and the plugin
        // traps at its next epoch check. The next agent starts once the thread is done (a
        // program it was running ends by its own time limit at the latest).
        let outcome =
            match tokio::time::timeout(self.options.step_limits.timeout, &mut blocking).await {
                Ok(Ok(outcome)) => outcome,
                Ok(Err(error)) => failed(StepError::Host(format!(
                    "the plugin's thread failed: {error}"
                ))),
                Err(_) => {
                    services.end.end();
                    let grace = self.tools.limits().timeout + STOP_GRACE;
                    if tokio::time::timeout(grace, &mut blocking).await.is_err() {
                        tracing::warn!(
                        "the {role_key} plugin's thread is still busy {grace:?} after its step \
                         was revoked; it can no longer reach the host"
                    );
                    }
                    failed(StepError::TimedOut {
                        seconds: self.options.step_limits.timeout.as_secs(),
                    })
                }
            };
        services.end.end();

        let plugin_overhead = outcome.plugin_overhead();
        let (task, error) = match outcome.result {
            Ok(changed) => (keep_host_fields(changed, &task, role), None),
            Err(error) => (task, Some(error.to_string())),
        };
        let record = StepRecord {
            role,
            round,
            plugin: self.agents.describe(role),
            ok: error.is_none(),
            error: error.clone(),
            duration_ms: millis(outcome.elapsed),
            host_ms: millis(outcome.in_host),
            plugin_overhead_us: u64::try_from(plugin_overhead.as_micros()).unwrap_or(u64::MAX),
            llm_calls: services.llm.used.calls.load(Ordering::Relaxed),
            prompt_tokens: services.llm.used.prompt_tokens.load(Ordering::Relaxed),
            completion_tokens: services.llm.used.completion_tokens.load(Ordering::Relaxed),
            fields: if error.is_none() {
                step_fields(role, &task)
            } else {
                Map::new()
            },
        };
        let entry = totals.of(role);
        entry.steps += 1;
        entry.failed_steps += u32::from(error.is_some());
        entry.duration_ms += record.duration_ms;
        entry.host_ms += record.host_ms;
        entry.plugin_overhead_us += record.plugin_overhead_us;
        entry.completion_tokens += record.completion_tokens;
        self.observer.step_finished(&record);
        (task, error)
    }

    fn allowed_tools(&self, role: Role) -> Vec<String> {
        self.options
            .allowed_tools
            .get(&role)
            .cloned()
            .unwrap_or_else(|| {
                crate::tools::BuiltinTool::ALL
                    .map(|tool| tool.name().to_owned())
                    .to_vec()
            })
    }
}

//! The default debugger: a revised plan from the requirement, the plan, the program, its
//! output and the reviewer's reason. It writes no code; the coder does, next round.

use aucoder_agent_sdk::{ask, failure_reason, previous_attempt, Agent, AgentInfo, Role, Task};

const SYSTEM: &str = "You are a senior Python debugger. A program written from a plan failed \
or did not meet the requirement. First say in one sentence what caused the failure. Then \
write a revised PLAN of at most 4 numbered one-line steps that avoids that cause: change the \
step that failed, drop every step the requirement does not ask for, prefer simple loops over \
deep recursion. Do not write code.";

struct Debugger;

impl Agent for Debugger {
    fn describe() -> AgentInfo {
        AgentInfo {
            name: "debugger".to_owned(),
            role: Role::Debugger,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            description: "a revised plan from the failure, no code".to_owned(),
        }
    }

    fn run(mut task: Task) -> Result<Task, String> {
        let attempt = previous_attempt(&task, 1200)
            .unwrap_or_else(|| "The coder produced no runnable program.\n".to_owned());
        let prompt = format!(
            "Requirement:\n{}\n\nPlan that was followed:\n{}\n\n{}\nThe failure: {}\n\nCause and revised PLAN:",
            task.requirement,
            task.plan,
            attempt,
            failure_reason(&task)
        );
        let revised = ask(SYSTEM, &prompt, 140, 0.3)?;
        if !revised.trim().is_empty() {
            task.plan = revised.trim().to_owned();
        }
        Ok(task)
    }
}

aucoder_agent_sdk::export_agent!(Debugger);

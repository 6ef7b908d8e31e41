//! The default debugger: a revised plan from the requirement, the plan, the program, its
//! output and the reviewer's reason. It writes no code; the coder does, next round.

use aucoder_agent_sdk::{ask, previous_attempt, Agent, AgentInfo, Role, Task};

const SYSTEM: &str = "You are a senior Python debugger. A program written from a plan failed \
or did not meet the requirement. Explain the cause in one sentence, then write a revised, \
concise PLAN (at most 6 numbered steps) that fixes it. Do not write code.";

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
            "Requirement:\n{}\n\nPlan:\n{}\n\n{}\nRevised PLAN:",
            task.requirement, task.plan, attempt
        );
        let revised = ask(SYSTEM, &prompt, 260, 0.3)?;
        if !revised.trim().is_empty() {
            task.plan = revised.trim().to_owned();
        }
        Ok(task)
    }
}

aucoder_agent_sdk::export_agent!(Debugger);

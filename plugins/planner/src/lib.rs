//! The default planner: a short implementation plan in English, no code, from the
//! requirement and the retrieved context.

use aucoder_agent_sdk::{ask, context_block, Agent, AgentInfo, Role, Task};

const SYSTEM: &str = "You are a senior software architect. Write a concise implementation PLAN \
in English for a single-file Python 3 program that does exactly what the requirement asks and \
nothing more: at most 5 numbered steps, one short line each. The program uses only the \
standard library, takes no input (no input(), no argparse, no files unless asked), prefers \
simple loops over deep recursion, and prints its results. Do not write any code.";

struct Planner;

impl Agent for Planner {
    fn describe() -> AgentInfo {
        AgentInfo {
            name: "planner".to_owned(),
            role: Role::Planner,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            description: "a numbered implementation plan, no code".to_owned(),
        }
    }

    fn run(mut task: Task) -> Result<Task, String> {
        let prompt = format!(
            "Requirement (plan exactly this, add nothing):\n{}\n\nReference material (may help, may be irrelevant):\n{}\n\nPLAN:",
            task.requirement,
            context_block(&task, 1500)
        );
        let plan = ask(SYSTEM, &prompt, 180, 0.2)?;
        task.plan = strip_code(&plan);
        Ok(task)
    }
}

/// A plan with any code block the model wrote anyway taken out.
fn strip_code(plan: &str) -> String {
    let mut kept = String::new();
    let mut in_fence = false;
    for line in plan.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if !in_fence {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept.trim().to_owned()
}

aucoder_agent_sdk::export_agent!(Planner);

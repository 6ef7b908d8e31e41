//! The default coder: one complete Python program from the requirement and the plan.
//!
//! Better than the original: from the second round on it sees the previous program, how it
//! failed and the reviewer's reason, so it can fix rather than start over; the program is
//! found in the answer even without a language tag, amid prose or in an unclosed fence; and a
//! `main()` that is defined but never called gets its entry point.

use aucoder_agent_sdk::{
    ask, ensure_main_call, extract_python, log, previous_attempt, Agent, AgentInfo, Role, Task,
};

const SYSTEM: &str = "You are a disciplined Python engineer. Write ONE complete Python 3 \
program that fulfils the requirement. Put the logic in functions and call main() under \
`if __name__ == \"__main__\":`. Use only the standard library. Never call input() or use \
argparse, the network or threads. Print the results the requirement asks for. Answer with \
ONE fenced ```python code block and nothing else.";

struct Coder;

impl Agent for Coder {
    fn describe() -> AgentInfo {
        AgentInfo {
            name: "coder".to_owned(),
            role: Role::Coder,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            description: "one fenced Python program from the plan (sees the last failure)"
                .to_owned(),
        }
    }

    fn run(mut task: Task) -> Result<Task, String> {
        let mut prompt = format!(
            "Requirement:\n{}\n\nPlan:\n{}\n",
            task.requirement, task.plan
        );
        if let Some(previous) = previous_attempt(&task, 1200) {
            prompt.push_str("\n");
            prompt.push_str(&previous);
            prompt.push_str("\nWrite the corrected, complete program.\n");
        }
        let answer = ask(SYSTEM, &prompt, 700, 0.2)?;
        let code = extract_python(&answer).ok_or_else(|| {
            format!(
                "the model's answer holds no Python program: {}",
                aucoder_agent_sdk::head(answer.trim(), 300)
            )
        })?;
        let code = ensure_main_call(&code);
        log(&format!("wrote {} lines of Python", code.lines().count()));
        task.code = code;
        task.execution = None;
        task.verdict = None;
        Ok(task)
    }
}

aucoder_agent_sdk::export_agent!(Coder);

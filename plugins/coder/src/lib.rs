//! The default coder: one complete Python program from the requirement and the plan.
//!
//! Better than the original: from the second round on it sees how the previous program
//! failed (the reviewer's reason and the end of the error output; not the program itself,
//! which a small model copies) and samples at a higher temperature; the program is
//! found in the answer even without a language tag, amid prose or in an unclosed fence; and a
//! `main()` that is defined but never called gets its entry point.

use aucoder_agent_sdk::{
    ask, ensure_main_call, extract_python, failure_reason, head, log, tail, Agent, AgentInfo, Role,
    Task,
};

const SYSTEM: &str = "You are a disciplined Python engineer. Write ONE complete Python 3 \
program that does exactly what the requirement asks, nothing more. Put the logic in functions and call main() under \
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
        // The requirement comes last: small models follow what they read last, and a plan
        // sometimes asks for more than the user did.
        let mut prompt = format!(
            "Plan (a guide; skip any step the requirement does not ask for):\n{}\n",
            task.plan
        );
        if task.execution.is_some() {
            // The failure, not the failed program: shown its own code, a small model copies it.
            prompt.push_str(&format!(
                "\nThe previous program failed: {}\n{}Write a new, complete program that does \
                 not fail this way.\n",
                failure_reason(&task),
                error_excerpt(&task)
            ));
        }
        prompt.push_str(&format!("\nRequirement:\n{}\n", task.requirement));
        let answer = ask(SYSTEM, &prompt, 700, temperature(task.round))?;
        let code = extract_python(&answer).ok_or_else(|| {
            format!(
                "the model's answer holds no Python program: {}",
                head(answer.trim(), 300)
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

/// The end of the previous run's error output, which names the line that failed.
fn error_excerpt(task: &Task) -> String {
    let Some(execution) = &task.execution else {
        return String::new();
    };
    let stderr = tail(execution.stderr.trim(), 600);
    if stderr.is_empty() {
        String::new()
    } else {
        format!("Its error output ended with:\n{stderr}\n")
    }
}

/// Low for the first attempt; higher on later rounds, so that a retry is not a copy of the
/// program that just failed.
fn temperature(round: u32) -> f32 {
    (0.2 + 0.25 * round.saturating_sub(1) as f32).min(0.9)
}

aucoder_agent_sdk::export_agent!(Coder);

//! The default coder: several complete Python programs from the requirement and the plan,
//! sampled together in one batch, for the host to choose from by running them.
//!
//! The first candidate is decoded greedily from the requirement alone, so the pool always
//! holds what one plain completion of the model would write; the others are sampled warmer
//! for variety. From the second round on it sees the debugger's plan and the chosen program of
//! the last round with how it failed (the failing check, the traceback, its output): repair
//! from execution facts, which small models can use, rather than from a reviewer's prose. The program is found in each answer even without a
//! language tag, amid prose or in an unclosed fence; a `main()` that is defined but never
//! called gets its entry point.

use aucoder_agent_sdk::{
    ask_many, ensure_main_call, extract_python, failing_check, failure_reason, head, log,
    previous_attempt, Agent, AgentInfo, Role, Task,
};

const SYSTEM: &str = "You are a disciplined Python engineer. Write ONE complete Python 3 \
program that does exactly what the requirement asks, nothing more. If the requirement names a \
function or gives its signature, define that function at module level with exactly that name \
and those parameters, returning (not printing) its result, and handle edge cases such as \
empty inputs. Put the logic in functions and call \
main() under `if __name__ == \"__main__\":`. Use only the standard library. Never call input() \
or use argparse, the network or threads. Print the results the requirement asks for, computed \
by the program, never typed in by hand, in exactly the format asked (separators, one item per \
line, order). Answer with ONE fenced ```python code block and \
nothing else.";

/// Most candidates one round asks for, whatever the host wants.
const MAX_CANDIDATES: u32 = 8;

struct Coder;

impl Agent for Coder {
    fn describe() -> AgentInfo {
        AgentInfo {
            name: "coder".to_owned(),
            role: Role::Coder,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            description: "candidate programs sampled in one batch (the first greedy); repairs \
                          from the failing check"
                .to_owned(),
        }
    }

    fn run(mut task: Task) -> Result<Task, String> {
        let prompt = prompt(&task);
        let wanted = task.wanted_candidates.clamp(1, MAX_CANDIDATES);
        let answers = ask_many(SYSTEM, &prompt, 800, &temperatures(task.round, wanted))?;
        let mut candidates: Vec<String> = Vec::new();
        for answer in &answers {
            match extract_python(answer) {
                // Duplicates stay: the host runs each program once and counts them as votes.
                Some(code) => candidates.push(ensure_main_call(&code)),
                None => log(&format!(
                    "an answer held no Python program: {}",
                    head(answer.trim(), 200)
                )),
            }
        }
        let Some(first) = candidates.first().cloned() else {
            let first = head(answers.first().map_or("", |answer| answer.trim()), 300);
            return Err(if answers.len() == 1 {
                format!("the model's answer holds no Python program: {first}")
            } else {
                format!(
                    "none of the model's {} answers holds a Python program: {first}",
                    answers.len()
                )
            });
        };
        let mut distinct = candidates.clone();
        distinct.sort();
        distinct.dedup();
        log(&format!(
            "{} candidate(s), {} distinct, from {} answer(s)",
            candidates.len(),
            distinct.len(),
            answers.len()
        ));
        task.code = first;
        task.candidates = candidates;
        task.execution = None;
        task.verdict = None;
        Ok(task)
    }
}

/// The first round sees the requirement alone, as one plain completion would: a plan from a
/// small model, or the reference material behind it, can carry wrong specifics (the corpus's
/// `factorial(10)` example for "compute 20 factorial"). Repair rounds add the debugger's plan,
/// the last program and how it failed. The requirement comes last: small models follow what
/// they read last.
fn prompt(task: &Task) -> String {
    let mut prompt = String::new();
    if let Some(previous) = previous_attempt(task, 800) {
        prompt.push_str(&format!(
            "Plan (a guide; the requirement wins where they differ):\n{}\n\n",
            task.plan
        ));
        prompt.push_str(&previous);
        if let Some((check, message)) = failing_check(task) {
            prompt.push_str(&format!(
                "This check of the requirement failed:\n```python\n{}\n```\n{}\n",
                check.code.trim(),
                head(message, 400)
            ));
        }
        prompt.push_str(&format!(
            "The problem: {}\nWrite a corrected, complete program.\n\n",
            failure_reason(task)
        ));
    }
    prompt.push_str(&format!("Requirement:\n{}\n", task.requirement));
    prompt
}

/// Greedy first in the first round (what one plain completion would write), then warmer
/// samples; repair rounds start a little warm so a retry is not a copy of what failed.
fn temperatures(round: u32, wanted: u32) -> Vec<f32> {
    let first = if round <= 1 { 0.0 } else { 0.3 };
    (0..wanted)
        .map(|index| if index == 0 { first } else { 0.8 })
        .collect()
}

aucoder_agent_sdk::export_agent!(Coder);

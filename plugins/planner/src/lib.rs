//! The default planner: a short implementation plan in English, no code, from the
//! requirement and the retrieved context; then a few executable checks of the requirement
//! (`assert` statements) that the host runs against every candidate program.
//!
//! Generated checks are often wrong at this model size; the host trusts them only as far as
//! the candidates agree with them, so the planner asks for several small ones rather than
//! one big one, and tells the model to check values rather than formatting.

use aucoder_agent_sdk::{
    ask, context_block, log, Agent, AgentInfo, Check, CheckOrigin, Role, Task,
};

const SYSTEM: &str = "You are a senior software architect. Write a concise implementation PLAN \
in English for a single-file Python 3 program that does exactly what the requirement asks and \
nothing more: at most 4 numbered steps, one short line each. The program uses only the \
standard library, takes no input (no input(), no argparse, no files unless asked), prefers \
simple loops over deep recursion, and prints its results. Every number, name and value in the \
plan comes from the requirement; the reference material shows technique only. Do not write \
any code.";

const CHECKS_SYSTEM: &str = "You are a test engineer. Write short Python assert statements \
that any correct program for the requirement must pass. A check may call the functions the \
requirement names (they are defined; main() is not run) and may read OUTPUT, a string holding \
everything the program printed. Check only values you are certain of, computed by hand; \
prefer checking values (assert '42' in OUTPUT, assert f(3) == 9) over exact formatting. One \
assert per line, no imports, no prints, no other code. Answer with ONE fenced python block of \
2 to 4 assert lines.";

/// At most this many generated checks.
const MAX_CHECKS: usize = 4;

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
            context_block(&task, 1000)
        );
        let plan = ask(SYSTEM, &prompt, 110, 0.2)?;
        task.plan = strip_code(&plan);
        // Without checks the host falls back on the judge: a failure here costs no plan.
        match generated_checks(&task.requirement) {
            Ok(checks) => {
                log(&format!("wrote {} check(s)", checks.len()));
                task.checks.extend(checks.into_iter().map(|code| Check {
                    code,
                    origin: CheckOrigin::Generated,
                }));
            }
            Err(error) => log(&format!("no generated checks: {error}")),
        }
        Ok(task)
    }
}

/// A few `assert` checks of the requirement: the one-line `assert`s of the model's answer
/// (it sometimes writes a whole program around them; the rest is dropped). Free text rather
/// than a JSON schema: checks are full of quotes, and a grammar-bound small model ends its
/// string at the first one.
fn generated_checks(requirement: &str) -> Result<Vec<String>, String> {
    let prompt = format!("Requirement:\n{requirement}\n");
    let answer = ask(CHECKS_SYSTEM, &prompt, 200, 0.0)?;
    let mut checks: Vec<String> = Vec::new();
    for line in answer.lines() {
        let line = line.trim_end();
        // Top-level lines only: an indented assert belongs to code the model wrote.
        if line.starts_with("assert ") && !checks.iter().any(|known| known == line) {
            checks.push(line.to_owned());
        }
    }
    checks.truncate(MAX_CHECKS);
    Ok(checks)
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

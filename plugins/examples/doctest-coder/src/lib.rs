//! An example coder plugin (not a default): asks the model for a program whose functions
//! carry doctests, and makes the program run them from its entry point, so that a wrong
//! example in a docstring fails the run and reaches the debugger like any other error.
//!
//! Build it with `cargo build --release --target wasm32-wasip2 -p doctest-coder` in
//! `plugins/` and use it with
//! `aucoder --agent coder=plugins/target/wasm32-wasip2/release/doctest_coder.wasm "..."`.

use aucoder_agent_sdk::{
    ask, ensure_main_call, extract_python, failure_reason, log, previous_attempt, Agent, AgentInfo,
    Role, Task,
};

const SYSTEM: &str = "You are a careful Python engineer who writes doctests. Write ONE \
complete Python 3 program that fulfils the requirement. Every function has a docstring with \
at least one doctest example (`>>> call(...)` followed by the exact expected result). Call \
main() under `if __name__ == \"__main__\":`. Use only the standard library; never call \
input(). Answer with ONE fenced ```python code block and nothing else.";

/// Runs the doctests before `main()`; a failing example ends the program with exit code 1.
const DOCTEST_HOOK: &str = "\n\ndef _run_doctests():\n    import doctest\n    import sys\n    \
failures, _ = doctest.testmod()\n    if failures:\n        \
sys.exit(\"doctest: %d example(s) failed\" % failures)\n";

struct DoctestCoder;

impl Agent for DoctestCoder {
    fn describe() -> AgentInfo {
        AgentInfo {
            name: "doctest-coder".to_owned(),
            role: Role::Coder,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            description: "writes functions with doctests and runs them before main()".to_owned(),
        }
    }

    fn run(mut task: Task) -> Result<Task, String> {
        let mut prompt = format!(
            "Requirement:\n{}\n\nPlan:\n{}\n",
            task.requirement, task.plan
        );
        if let Some(previous) = previous_attempt(&task, 1200) {
            prompt.push('\n');
            prompt.push_str(&previous);
            prompt.push_str(&format!(
                "\nThat program failed: {}\nWrite a new, complete program that does not fail \
                 this way.\n",
                failure_reason(&task)
            ));
        }
        let answer = ask(SYSTEM, &prompt, 800, 0.2)?;
        let code = extract_python(&answer)
            .ok_or_else(|| "the model's answer holds no Python program".to_owned())?;
        let code = with_doctests(&ensure_main_call(&code));
        log(&format!(
            "wrote {} lines with {} doctest examples",
            code.lines().count(),
            code.matches(">>> ").count()
        ));
        task.code = code;
        task.execution = None;
        task.verdict = None;
        Ok(task)
    }
}

/// Inserts the doctest runner before the program's entry point.
fn with_doctests(code: &str) -> String {
    if code.contains("_run_doctests()") {
        return code.to_owned();
    }
    let entry = "if __name__ == \"__main__\":";
    let entry_single = "if __name__ == '__main__':";
    let position = code.find(entry).or_else(|| code.find(entry_single));
    match position {
        Some(at) => {
            let line_end = code[at..].find('\n').map_or(code.len(), |end| at + end + 1);
            format!(
                "{}{DOCTEST_HOOK}\n\n{}    _run_doctests()\n{}",
                code[..at].trim_end(),
                &code[at..line_end],
                &code[line_end..]
            )
        }
        None => format!("{}{DOCTEST_HOOK}\n\n_run_doctests()\n", code.trim_end()),
    }
}

aucoder_agent_sdk::export_agent!(DoctestCoder);

//! Everything an aucoder agent plugin needs: the bindings of `wit/agent.wit` and the few
//! helpers every default agent uses (asking the model, calling tools, finding the Python in
//! an answer).
//!
//! A plugin is a `cdylib` crate built for `wasm32-wasip2`:
//!
//! ```ignore
//! use aucoder_agent_sdk::{Agent, AgentInfo, Role, Task};
//!
//! struct MyCoder;
//!
//! impl Agent for MyCoder {
//!     fn describe() -> AgentInfo { /* name, Role::Coder, version, description */ }
//!     fn run(task: Task) -> Result<Task, String> { /* ask, change the task, return it */ }
//! }
//!
//! aucoder_agent_sdk::export_agent!(MyCoder);
//! ```

mod extract;
mod text;

pub use extract::{ensure_main_call, extract_python};
/// Re-exported so plugins build JSON arguments with the same version the helpers take.
pub use serde_json;
pub use text::{head, tail};

/// The generated bindings of the `agent-plugin` world.
pub mod bindings {
    wit_bindgen::generate!({
        world: "agent-plugin",
        path: "../wit",
        default_bindings_module: "aucoder_agent_sdk::bindings",
        pub_export_macro: true,
        export_macro_name: "export_agent",
    });
}

pub use bindings::aucoder::agent::host::Completion;
pub use bindings::aucoder::agent::types::{
    AgentInfo, Check, CheckOrigin, CheckStatus, Execution, Role, Task, Trial, Verdict,
};
/// The trait a plugin implements: `describe` and `run`.
pub use bindings::exports::aucoder::agent::agent::Guest as Agent;

/// `export_agent!(MyAgent)` makes `MyAgent` the component's `agent` export.
pub use bindings::export_agent;

use bindings::aucoder::agent::host;

/// Asks the host's LLM for free text.
pub fn ask(
    system: &str,
    prompt: &str,
    max_tokens: u32,
    temperature: f32,
) -> Result<String, String> {
    host::complete(&Completion {
        system: system.to_owned(),
        prompt: prompt.to_owned(),
        max_tokens,
        temperature,
        json_schema: None,
    })
}

/// Asks the host's LLM for one answer per temperature, generated together in one batch.
pub fn ask_many(
    system: &str,
    prompt: &str,
    max_tokens: u32,
    temperatures: &[f32],
) -> Result<Vec<String>, String> {
    host::complete_many(
        &Completion {
            system: system.to_owned(),
            prompt: prompt.to_owned(),
            max_tokens,
            temperature: 0.0,
            json_schema: None,
        },
        temperatures,
    )
}

/// Asks the host's LLM for JSON matching `schema` (the host constrains or validates it).
pub fn ask_json(
    system: &str,
    prompt: &str,
    max_tokens: u32,
    schema: &serde_json::Value,
) -> Result<serde_json::Value, String> {
    let answer = host::complete(&Completion {
        system: system.to_owned(),
        prompt: prompt.to_owned(),
        max_tokens,
        temperature: 0.0,
        json_schema: Some(schema.to_string()),
    })?;
    serde_json::from_str(answer.trim()).map_err(|error| {
        format!(
            "the model's answer is not JSON ({error}): {}",
            head(&answer, 200)
        )
    })
}

/// Calls a tool the host allows this agent, with a JSON object of arguments.
pub fn call_tool(name: &str, arguments: &serde_json::Value) -> Result<serde_json::Value, String> {
    let answer = host::call_tool(name, &arguments.to_string())?;
    serde_json::from_str(&answer)
        .map_err(|error| format!("tool {name} answered something that is not JSON: {error}"))
}

/// Adds a message to the run log.
pub fn log(message: &str) {
    host::log(message);
}

/// The value of a note on the task, if an agent left one.
pub fn note<'a>(task: &'a Task, key: &str) -> Option<&'a str> {
    task.notes
        .iter()
        .find(|(name, _)| name == key)
        .map(|(_, value)| value.as_str())
}

/// Sets (or replaces) a note on the task.
pub fn set_note(task: &mut Task, key: &str, value: impl Into<String>) {
    let value = value.into();
    match task.notes.iter_mut().find(|(name, _)| name == key) {
        Some(entry) => entry.1 = value,
        None => task.notes.push((key.to_owned(), value)),
    }
}

/// The retrieved context as one block for a prompt ("(none)" when empty).
pub fn context_block(task: &Task, max_chars: usize) -> String {
    if task.context.is_empty() {
        return "(none)".to_owned();
    }
    head(&task.context.join("\n\n"), max_chars).to_owned()
}

/// The previous attempt's code, output and verdict, for the coder and the debugger; `None`
/// before the first execution.
pub fn previous_attempt(task: &Task, max_output_chars: usize) -> Option<String> {
    let execution = task.execution.as_ref()?;
    let mut report = format!(
        "Previous program:\n```python\n{}\n```\n",
        task.code.trim_end()
    );
    if execution.timed_out {
        report.push_str("It was stopped: it ran past the time limit.\n");
    } else {
        report.push_str(&format!("It exited with code {}.\n", execution.exit_code));
    }
    let stdout = tail(&execution.stdout, max_output_chars);
    let stderr = tail(&execution.stderr, max_output_chars);
    if !stdout.trim().is_empty() {
        report.push_str(&format!("Its output (end):\n{stdout}\n"));
    }
    if !stderr.trim().is_empty() {
        report.push_str(&format!("Its errors (end):\n{stderr}\n"));
    }
    if let Some(verdict) = &task.verdict {
        if !verdict.ok {
            report.push_str(&format!("Reviewer: {}\n", verdict.reason));
        }
    }
    Some(report)
}

/// The last non-blank line of an error output, trimmed: in a Python traceback, the
/// exception and its message.
pub fn last_error_line(stderr: &str) -> Option<&str> {
    stderr
        .lines()
        .rev()
        .map(str::trim)
        .find(|line| !line.is_empty())
}

/// The chosen candidate of the round, as the host ran it, if checks ran.
pub fn chosen_trial(task: &Task) -> Option<&Trial> {
    task.trials.iter().find(|trial| trial.chosen)
}

/// The first check the chosen program did not pass, with why: `assert f(3) == 9` and
/// `AssertionError: f(3) returned 8`.
pub fn failing_check(task: &Task) -> Option<(&Check, &str)> {
    let trial = chosen_trial(task)?;
    trial
        .checks
        .iter()
        .zip(&task.checks)
        .zip(&trial.messages)
        .find(|((status, _), _)| **status != CheckStatus::Passed)
        .map(|((_, check), message)| (check, message.as_str()))
}

/// One line on why the last attempt failed: the judge's reason, else the last error line,
/// else that no program was produced.
pub fn failure_reason(task: &Task) -> String {
    if let Some(verdict) = task.verdict.as_ref().filter(|verdict| !verdict.ok) {
        return verdict.reason.clone();
    }
    if let Some(execution) = &task.execution {
        if let Some(line) = last_error_line(&execution.stderr) {
            return line.to_owned();
        }
        return format!("it exited with code {}", execution.exit_code);
    }
    "no runnable program was produced".to_owned()
}

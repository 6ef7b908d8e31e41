//! The default executor: `WriteTemp` + `ExecTemp` in the sandbox, then a judge.
//!
//! When the host's checks decided the round (it then hands over its verdict in
//! `task.verdict`), the judge is not asked: a model's opinion never overrules execution.
//!
//! Better than the original: the judge answers under a JSON schema (the host constrains the
//! model, so the verdict parses), sees the requirement, the program and the output rather
//! than the plan and a log tail, and is not asked at all when the facts decide: a program
//! that crashed, timed out or printed nothing is not ok whatever a model might say.

use aucoder_agent_sdk::bindings::aucoder::agent::host;
use aucoder_agent_sdk::{
    call_tool, head, last_error_line, log, tail, Agent, AgentInfo, Completion, Execution, Role,
    Task, Verdict,
};
use serde_json::{json, Value};

const JUDGE_SYSTEM: &str = "You review the output of a Python program. Decide whether the \
program did what the requirement asks. Answer with JSON: {\"ok\": true or false, \"reason\": \
one short sentence}. If the program ran without errors and its output plausibly fulfils the \
requirement, answer ok true. Answer ok false only when the output is clearly wrong, missing \
or incomplete, and say what is wrong.";

struct Executor;

impl Agent for Executor {
    fn describe() -> AgentInfo {
        AgentInfo {
            name: "executor".to_owned(),
            role: Role::Executor,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            description: "WriteTemp + ExecTemp in the sandbox, then a schema-bound judge"
                .to_owned(),
        }
    }

    fn run(mut task: Task) -> Result<Task, String> {
        if task.code.trim().is_empty() {
            return Err("there is no program to run".to_owned());
        }
        call_tool("WriteTemp", &json!({ "code": task.code }))?;
        let outcome = call_tool("ExecTemp", &json!({}))?;
        let execution = execution_from(&outcome);
        log(&format!(
            "exit code {}{} in {} ms",
            execution.exit_code,
            if execution.timed_out {
                " (timed out)"
            } else {
                ""
            },
            execution.duration_ms
        ));
        // The host's verdict from the checks, when they decided; the judge otherwise.
        let decided = task.verdict.take();
        let verdict = judge(&task, &execution, decided);
        task.execution = Some(execution);
        task.verdict = Some(verdict);
        Ok(task)
    }
}

fn execution_from(outcome: &Value) -> Execution {
    let text = |key: &str| outcome[key].as_str().unwrap_or_default().to_owned();
    let success = outcome["success"].as_bool().unwrap_or(false);
    Execution {
        success,
        exit_code: outcome["exit_code"]
            .as_i64()
            .and_then(|code| i32::try_from(code).ok())
            .unwrap_or(if success { 0 } else { 1 }),
        // Hosts that answer only the original's {success, log} still give the judge the log.
        stdout: outcome
            .get("stdout")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| text("log")),
        stderr: text("stderr"),
        timed_out: outcome["timed_out"].as_bool().unwrap_or(false),
        duration_ms: outcome["duration_ms"].as_u64().unwrap_or(0),
    }
}

fn judge(task: &Task, execution: &Execution, decided: Option<Verdict>) -> Verdict {
    let not_ok = |reason: String| Verdict { ok: false, reason };
    if execution.timed_out {
        return not_ok("the program ran past the time limit (an endless loop, or input()?)".into());
    }
    if !execution.success || execution.exit_code != 0 {
        let last_error = last_error_line(&execution.stderr).unwrap_or("no error message");
        return not_ok(format!(
            "the program exited with code {}: {last_error}",
            execution.exit_code
        ));
    }
    if let Some(verdict) = decided {
        return verdict;
    }
    if execution.stdout.trim().is_empty() {
        return not_ok("the program printed nothing; it must print its results".into());
    }
    let prompt = format!(
        "Requirement:\n{}\n\nProgram:\n```python\n{}\n```\n\nIts output:\n{}\n\nDoes the output \
         fulfil the requirement?",
        task.requirement,
        head(&task.code, 3000),
        tail(&execution.stdout, 2000)
    );
    let schema = json!({
        "type": "object",
        "properties": {
            "ok": {"type": "boolean"},
            "reason": {"type": "string", "maxLength": 120}
        },
        "required": ["ok", "reason"]
    });
    let answer = host::complete(&Completion {
        system: JUDGE_SYSTEM.to_owned(),
        prompt,
        max_tokens: 60,
        temperature: 0.0,
        json_schema: Some(schema.to_string()),
    });
    match answer {
        Ok(text) => parse_verdict(&text).unwrap_or_else(|| {
            log(&format!(
                "the judge's answer did not parse: {}",
                head(&text, 200)
            ));
            Verdict {
                ok: true,
                reason: "the program ran cleanly; the judge gave no readable verdict".into(),
            }
        }),
        Err(error) => {
            log(&format!("the judge failed: {error}"));
            Verdict {
                ok: true,
                reason: "the program ran cleanly; the judge could not be asked".into(),
            }
        }
    }
}

/// The verdict in the judge's answer; also salvages `"ok": true|false` from an answer cut
/// off by the token limit.
fn parse_verdict(text: &str) -> Option<Verdict> {
    if let Ok(value) = serde_json::from_str::<Value>(text.trim()) {
        let ok = value["ok"].as_bool()?;
        let reason = value["reason"].as_str().unwrap_or_default().to_owned();
        return Some(Verdict { ok, reason });
    }
    let after_key = &text[text.find("\"ok\"")? + 4..];
    let value = after_key.trim_start().strip_prefix(':')?.trim_start();
    let ok = if value.starts_with("true") {
        true
    } else if value.starts_with("false") {
        false
    } else {
        return None;
    };
    Some(Verdict {
        ok,
        reason: "(the judge's reason was cut off)".to_owned(),
    })
}

aucoder_agent_sdk::export_agent!(Executor);

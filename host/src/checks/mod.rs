//! Execution-grounded rounds: run every candidate program of a round, run the checks on each,
//! and choose the round's program by agreement.
//!
//! [`extract`] takes checks from the requirement's own examples; [`harness`] is the Python
//! that runs checks on one candidate inside the sandbox; [`select`] clusters the candidates
//! and decides. Every run happens in the same sandbox, under the same limits, as any program:
//! each candidate gets a fresh temporary workspace of its own, so candidates cannot see or
//! spoil each other's files.

pub mod extract;
pub mod harness;
pub mod select;

pub use crate::plugins::{Check, CheckOrigin, CheckStatus, Execution, Trial};
pub use extract::requirement_checks;
pub use select::{select, Decision, Selection};

use crate::tools::Tools;
use aucoder_sandbox::Workspace;
use sha2::{Digest, Sha256};
use std::time::{SystemTime, UNIX_EPOCH};

/// Runs each candidate as a script, then (when there are checks) its checks, each candidate
/// in a workspace of its own. A candidate the sandbox could not run at all gets an
/// execution that says why.
pub async fn run_trials(tools: &Tools, candidates: &[String], checks: &[Check]) -> Vec<Trial> {
    let mut trials: Vec<Trial> = Vec::with_capacity(candidates.len());
    for code in candidates {
        // The same program twice is one run and two votes.
        let trial = match trials.iter().find(|trial| trial.code == *code) {
            Some(known) => known.clone(),
            None => run_trial(tools, code, checks).await,
        };
        trials.push(trial);
    }
    trials
}

async fn run_trial(tools: &Tools, code: &str, checks: &[Check]) -> Trial {
    let workspace = match Workspace::temporary() {
        Ok(workspace) => workspace,
        Err(error) => return unrunnable(code, checks, &format!("no workspace: {error}")),
    };
    let execution = match tools.run_python(&workspace, code, None).await {
        Ok(outcome) => execution_of(outcome),
        Err(error) => return unrunnable(code, checks, &error.to_string()),
    };
    let (statuses, messages) = if checks.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        run_checks(tools, &workspace, code, &execution.stdout, checks).await
    };
    Trial {
        code: code.to_owned(),
        execution,
        checks: statuses,
        messages,
        agreement: 0,
        chosen: false,
    }
}

/// The checks without the generated ones that an empty program passes (`assert
/// sum(range(3)) == 3` checks nothing the program does, yet would pass every candidate and
/// silence the judge). Such a comparison still says what the answer is, so it becomes a
/// check that the program prints that value: `_aucoder_printed(lambda: (sum(range(3))))`.
/// The requirement's own checks are kept whatever they say.
pub async fn informative(tools: &Tools, checks: Vec<Check>) -> Vec<Check> {
    if !checks
        .iter()
        .any(|check| check.origin == CheckOrigin::Generated)
    {
        return checks;
    }
    let workspace = match Workspace::temporary() {
        Ok(workspace) => workspace,
        Err(_) => return checks,
    };
    let (statuses, _) = run_checks(tools, &workspace, "", "", &checks).await;
    let mut kept: Vec<Check> = Vec::new();
    for (check, status) in checks.into_iter().zip(statuses) {
        let check = if check.origin == CheckOrigin::Generated && status == CheckStatus::Passed {
            match printed_value_check(&check.code) {
                Some(code) => Check { code, ..check },
                None => continue,
            }
        } else {
            check
        };
        if !kept.iter().any(|known| known.code == check.code) {
            kept.push(check);
        }
    }
    kept
}

/// `assert VALUE == EXPECTED` as a check that the program prints VALUE.
fn printed_value_check(code: &str) -> Option<String> {
    let condition = code.trim().strip_prefix("assert ")?;
    let (value, _) = condition.rsplit_once("==")?;
    let value = value.trim();
    (!value.is_empty()).then(|| format!("_aucoder_printed(lambda: ({value}))"))
}

/// One sandbox run of the harness; every check is an error, with the reason, when the
/// harness gives no report (the program looped at import, or ran out of memory).
async fn run_checks(
    tools: &Tools,
    workspace: &Workspace,
    code: &str,
    output: &str,
    checks: &[Check],
) -> (Vec<CheckStatus>, Vec<String>) {
    let marker = fresh_marker(code);
    let program = harness::harness(code, output, checks, &marker);
    let why = match tools.run_python(workspace, &program, None).await {
        Ok(outcome) => match harness::parse_report(&outcome.stdout, &marker, checks.len()) {
            Some(report) => return report.into_iter().unzip(),
            None if outcome.timed_out() => "the checks ran past the time limit".to_owned(),
            None => format!(
                "the checks did not finish (exit code {}): {}",
                outcome.exit.code(),
                outcome.last_error_line()
            ),
        },
        Err(error) => format!("the checks could not run: {error}"),
    };
    (
        vec![CheckStatus::Error; checks.len()],
        vec![why; checks.len()],
    )
}

/// A marker no program can predict: the program's hash, the time and the process id.
fn fresh_marker(code: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or_default();
    let digest = Sha256::digest(format!("{nanos}:{}:{code}", std::process::id()));
    format!("@@aucoder-checks-{}:", &hex::encode(digest)[..24])
}

/// The sandbox's run as the plugins' contract records it.
fn execution_of(outcome: aucoder_sandbox::Execution) -> Execution {
    Execution {
        success: outcome.success(),
        exit_code: outcome.exit_code(),
        timed_out: outcome.timed_out(),
        duration_ms: outcome.duration_ms(),
        stdout: outcome.stdout,
        stderr: outcome.stderr,
    }
}

fn unrunnable(code: &str, checks: &[Check], why: &str) -> Trial {
    Trial {
        code: code.to_owned(),
        execution: Execution {
            success: false,
            exit_code: -1,
            stdout: String::new(),
            stderr: why.to_owned(),
            timed_out: false,
            duration_ms: 0,
        },
        checks: vec![CheckStatus::Error; checks.len()],
        messages: vec![why.to_owned(); checks.len()],
        agreement: 0,
        chosen: false,
    }
}

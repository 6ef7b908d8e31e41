//! How a round is decided, from what the host saw: the program the executor ran, how it
//! ended, and the checks' selection. A plugin's verdict counts only when no check applies.

use super::{head, lock, Observed};
use crate::checks::{Check, Decision, Selection};
use crate::plugins::{Task, Verdict};
use aucoder_sandbox::{Exit, StopReason};
use std::sync::Mutex;

/// A round's end: success with the program's output, or the reason it failed.
pub(super) type RoundResult = Result<String, String>;

/// Whether the round succeeded, from the host's own observations: the executor ran the
/// chosen program, it exited 0, and the checks passed (or, when no check applied, the
/// judge said ok). `Ok` holds the program's output.
pub(super) fn judge_round(
    task: &Task,
    written: &str,
    selection: &Selection,
    observed: &Mutex<Observed>,
) -> RoundResult {
    let observed = lock(observed);
    let Some((ran, outcome)) = observed.executed.as_ref() else {
        return Err("the executor did not run the program".to_owned());
    };
    if ran != written || task.code != written {
        return Err("the program the executor ran is not the one the coder wrote".to_owned());
    }
    match outcome.exit {
        Exit::Code(0) => {}
        Exit::Stopped(StopReason::Timeout) => {
            return Err("the program ran past the time limit".to_owned());
        }
        exit => {
            return Err(format!(
                "the program exited with code {}: {}",
                exit.code(),
                outcome.last_error_line()
            ));
        }
    }
    let output = || outcome.stdout.clone();
    match &selection.decision {
        Decision::Passed { .. } | Decision::Unanimous { .. } => Ok(output()),
        Decision::Failed { check, message } => Err(failed_check(&task.checks, *check, message)),
        Decision::NoCleanRun => {
            Err("no candidate ran cleanly in the checks' sandbox runs".to_owned())
        }
        Decision::JudgeDecides => match &task.verdict {
            Some(verdict) if verdict.ok => Ok(output()),
            Some(verdict) => Err(format!("the judge said not ok: {}", verdict.reason)),
            None => Err("the executor gave no verdict".to_owned()),
        },
    }
}

/// The host's verdict on the chosen program when the checks decide.
pub(super) fn check_verdict(checks: &[Check], selection: &Selection) -> Option<Verdict> {
    match &selection.decision {
        Decision::Passed { passed } => Some(Verdict {
            ok: true,
            reason: format!("it passed {passed} trusted check(s) in the sandbox"),
        }),
        Decision::Failed { check, message } => Some(Verdict {
            ok: false,
            reason: failed_check(checks, *check, message),
        }),
        Decision::Unanimous { candidates } => Some(Verdict {
            ok: true,
            reason: format!(
                "no check applied; all {candidates} candidates, sampled independently, printed \
                 the same"
            ),
        }),
        Decision::NoCleanRun | Decision::JudgeDecides => None,
    }
}

/// `the check `assert f(3) == 9` failed: AssertionError: f(3) was 8`.
fn failed_check(checks: &[Check], check: usize, message: &str) -> String {
    let code = checks.get(check).map_or("", |check| check.code.as_str());
    format!(
        "the check `{}` failed: {}",
        head(code.trim(), 300),
        head(message, 400)
    )
}

/// How the successful round's program was chosen, for the run's summary.
pub(super) fn how_chosen(decision: &Decision, passed: usize) -> String {
    match decision {
        Decision::Unanimous { candidates } => {
            format!("all {candidates} candidates agreed on its output (no check applied)")
        }
        Decision::JudgeDecides => "the judge said ok (no check applied)".to_owned(),
        _ => format!("it passed {passed} trusted check(s)"),
    }
}

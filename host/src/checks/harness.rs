//! The Python program that runs a candidate's checks inside the sandbox, and the reading of
//! its report.
//!
//! The candidate is loaded as a module (`__name__` is not `"__main__"`, so its `main()` does
//! not run) with its prints captured; each check then runs in a fresh copy of that namespace
//! with `OUTPUT` bound to what the program printed when run as a script. The report is one
//! line on stdout after a per-run random marker, so a program cannot forge it by accident,
//! and a second marked line voids the report. A program that digs the marker out of the
//! harness's own memory and then ends the process could still forge its results: that fools
//! only the choice of which program to hand back, never the sandbox, and the executor's
//! plain run of the chosen program still has to exit 0.

use super::{Check, CheckStatus};
use serde_json::Value;

/// Longest message kept per check.
const MAX_MESSAGE_CHARS: usize = 300;

/// The helpers checks may call, and the loop that runs them.
const RUNNER: &str = r#"
import sys as _sys
import io as _io
import json as _json


class _AucoderNoValue:
    pass


def _aucoder_literal(text):
    import ast
    try:
        return ast.literal_eval(text)
    except Exception:
        return _AucoderNoValue


def _aucoder_same(value, want):
    if isinstance(want, float) or isinstance(value, float):
        try:
            return abs(value - want) <= 1e-6 * max(1.0, abs(want))
        except Exception:
            return False
    return value == want


def _aucoder_expect(call, expected):
    captured = _io.StringIO()
    saved = _sys.stdout
    _sys.stdout = captured
    try:
        value = call()
    finally:
        _sys.stdout = saved
    expected = expected.strip()
    if repr(value) == expected:
        return
    want = _aucoder_literal(expected)
    if want is not _AucoderNoValue and _aucoder_same(value, want):
        return
    printed = captured.getvalue().strip()
    if value is None and printed and " ".join(printed.split()) == " ".join(expected.split()):
        return
    shown = repr(value) if value is not None or not printed else "None, printing " + repr(printed[:200])
    raise AssertionError("got " + shown[:200] + ", expected " + expected[:200])


def _aucoder_squash(text):
    return "".join(text.split())


def _aucoder_expect_output(output, expected):
    if _aucoder_squash(expected) in _aucoder_squash(output):
        return
    raise AssertionError("the output " + repr(output.strip()[:200]) + " does not show " + repr(expected.strip()[:200]))


def _aucoder_printed(call):
    value = call()
    if _aucoder_squash(str(value)) in _aucoder_squash(_AUCODER_OUTPUT):
        return
    raise AssertionError("the output " + repr(_AUCODER_OUTPUT.strip()[:200]) + " does not show " + repr(str(value)[:200]))


def _aucoder_explain(code, scope):
    # For `assert left == right`, say what the left side was: the repair needs the value.
    try:
        import ast
        tree = ast.parse(code)
        test = tree.body[-1].test
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq) and not isinstance(test.left, ast.Constant):
            left = eval(compile(ast.Expression(test.left), "check", "eval"), scope)
            return ast.get_source_segment(code, test.left) + " was " + repr(left)[:200]
    except Exception:
        pass
    return ""


def _aucoder_run():
    results = []
    real_stdout, real_stderr = _sys.stdout, _sys.stderr
    _sys.stdout, _sys.stderr = _io.StringIO(), _io.StringIO()
    namespace = {"__name__": "solution", "__builtins__": __builtins__}
    load_error = ""
    try:
        exec(compile(_AUCODER_SOURCE, "solution.py", "exec"), namespace)
    except SystemExit:
        pass
    except BaseException as error:
        load_error = type(error).__name__ + ": " + str(error)
    for code in _AUCODER_CHECKS:
        scope = dict(namespace)
        scope["OUTPUT"] = _AUCODER_OUTPUT
        scope["_aucoder_expect"] = _aucoder_expect
        scope["_aucoder_expect_output"] = _aucoder_expect_output
        scope["_aucoder_printed"] = _aucoder_printed
        _sys.stdout = _io.StringIO()
        try:
            exec(compile(code, "check", "exec"), scope)
            results.append(["passed", ""])
        except AssertionError as error:
            message = str(error) or _aucoder_explain(code, scope) or "the assertion is false"
            results.append(["failed", "AssertionError: " + message])
        except BaseException as error:
            message = type(error).__name__ + ": " + str(error)
            if load_error:
                message += " (loading the program failed: " + load_error + ")"
            results.append(["error", message])
    _sys.stdout, _sys.stderr = real_stdout, real_stderr
    print(_AUCODER_MARK + _json.dumps(results))


_aucoder_run()
"#;

/// The harness for one candidate: its source, what it printed and the checks, as literals.
pub fn harness(source: &str, output: &str, checks: &[Check], marker: &str) -> String {
    let literal = super::extract::python_string;
    let check_list = checks
        .iter()
        .map(|check| literal(&check.code))
        .collect::<Vec<_>>()
        .join(",\n    ");
    format!(
        "_AUCODER_SOURCE = {}\n_AUCODER_OUTPUT = {}\n_AUCODER_MARK = {}\n_AUCODER_CHECKS = [\n    {check_list}\n]\n{RUNNER}",
        literal(source),
        literal(output),
        literal(marker),
    )
}

/// The statuses and messages in the harness's report; `None` when there is no well-formed
/// report for exactly these checks (the harness was stopped, or the program broke it).
pub fn parse_report(
    stdout: &str,
    marker: &str,
    checks: usize,
) -> Option<Vec<(CheckStatus, String)>> {
    let mut reports = stdout.lines().filter_map(|line| line.strip_prefix(marker));
    let line = reports.next()?;
    if reports.next().is_some() {
        return None;
    }
    let entries: Vec<Value> = serde_json::from_str(line).ok()?;
    if entries.len() != checks {
        return None;
    }
    entries
        .iter()
        .map(|entry| {
            let status = match entry[0].as_str()? {
                "passed" => CheckStatus::Passed,
                "failed" => CheckStatus::Failed,
                "error" => CheckStatus::Error,
                _ => return None,
            };
            let message: String = entry[1]
                .as_str()
                .unwrap_or_default()
                .chars()
                .take(MAX_MESSAGE_CHARS)
                .collect();
            Some((status, message))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::CheckOrigin;

    #[test]
    fn the_report_is_read_only_for_the_right_marker_and_count() {
        let stdout = "noise\n@@m1[[\"passed\", \"\"], [\"failed\", \"AssertionError: x\"]]\n";
        let report = parse_report(stdout, "@@m1", 2).unwrap();
        assert_eq!(report[0].0, CheckStatus::Passed);
        assert_eq!(
            report[1],
            (CheckStatus::Failed, "AssertionError: x".to_owned())
        );
        assert!(parse_report(stdout, "@@other", 2).is_none());
        assert!(parse_report(stdout, "@@m1", 3).is_none());
        assert!(parse_report("@@m1 not json", "@@m1", 0).is_none());
        // A forged report next to the real one voids both.
        let forged = format!("@@m1[[\"passed\", \"\"], [\"passed\", \"\"]]\n{stdout}");
        assert!(parse_report(&forged, "@@m1", 2).is_none());
    }

    #[test]
    fn the_harness_holds_the_program_and_checks_as_literals() {
        let checks = [Check {
            code: "assert f(\"a\") == 1".to_owned(),
            origin: CheckOrigin::Generated,
        }];
        let text = harness("print('''x''')\n", "x\n", &checks, "@@m");
        assert!(text.contains(r#"_AUCODER_SOURCE = "print('''x''')\n""#));
        assert!(text.contains(r#""assert f(\"a\") == 1""#));
        assert!(text.ends_with("_aucoder_run()\n"));
    }
}

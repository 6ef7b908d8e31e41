//! Checks taken from the requirement itself, without asking the model: its doctests
//! (`>>> f(3)` then `9`), inline examples (`f(3) should be 9`, `is_prime(7) returns True`,
//! `add(2, 3) == 5`) and an expected output (`Expected output:` then a block or a line,
//! `should print `...``). The user wrote these, so they are trusted as given; the extraction
//! is conservative, because a misread example would reject right programs.

use super::{Check, CheckOrigin};
use regex::Regex;
use std::sync::OnceLock;

/// Most checks taken from one requirement.
const MAX_REQUIREMENT_CHECKS: usize = 12;

/// Every check the requirement's own examples give, deduplicated, in order.
pub fn requirement_checks(requirement: &str) -> Vec<Check> {
    let mut codes = doctest_checks(requirement);
    codes.extend(inline_checks(&without_doctests(requirement)));
    codes.extend(expected_output_checks(requirement));
    let mut unique: Vec<String> = Vec::new();
    for code in codes {
        if !unique.contains(&code) {
            unique.push(code);
        }
    }
    unique
        .into_iter()
        .take(MAX_REQUIREMENT_CHECKS)
        .map(|code| Check {
            code,
            origin: CheckOrigin::Requirement,
        })
        .collect()
}

/// A Python string literal holding `text` (JSON's escapes are valid in Python).
pub fn python_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "''".to_owned())
}

/// `>>> expression` followed by its expected result. Statements before it in the same example
/// group (`>>> xs = [3, 1]`) become the check's setup lines.
fn doctest_checks(text: &str) -> Vec<String> {
    let mut checks = Vec::new();
    let mut setup: Vec<String> = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index].trim();
        let Some(source) = line.strip_prefix(">>>") else {
            if line.is_empty() {
                setup.clear();
            }
            index += 1;
            continue;
        };
        let source = source.trim().to_owned();
        index += 1;
        let mut expected = Vec::new();
        while index < lines.len() {
            let next = lines[index].trim();
            if next.is_empty()
                || next.starts_with(">>>")
                || next.starts_with("...")
                || next.starts_with("\"\"\"")
                || next.starts_with("'''")
            {
                break;
            }
            expected.push(next.to_owned());
            index += 1;
        }
        if expected.is_empty() {
            if is_statement(&source) {
                setup.push(source);
            }
            continue;
        }
        if source.is_empty() || is_statement(&source) {
            continue;
        }
        let mut code = String::new();
        for statement in &setup {
            code.push_str(statement);
            code.push('\n');
        }
        code.push_str(&format!(
            "_aucoder_expect(lambda: ({source}), {})",
            python_string(&expected.join("\n"))
        ));
        checks.push(code);
    }
    checks
}

/// Whether a doctest line is a statement (an assignment or an import), not an expression.
fn is_statement(source: &str) -> bool {
    if source.starts_with("import ") || source.starts_with("from ") {
        return true;
    }
    static ASSIGNMENT: OnceLock<Regex> = OnceLock::new();
    ASSIGNMENT
        .get_or_init(|| {
            Regex::new(r"^[A-Za-z_][A-Za-z0-9_]*(\s*,\s*[A-Za-z_][A-Za-z0-9_]*)*\s*[-+*/]?=[^=]")
                .expect("a valid pattern")
        })
        .is_match(source)
}

/// The text with doctest lines and their results removed, so they are not read twice.
fn without_doctests(text: &str) -> String {
    let mut kept = String::new();
    let mut in_example = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with(">>>") {
            in_example = true;
            continue;
        }
        if in_example && !trimmed.is_empty() && !trimmed.starts_with("\"\"\"") {
            continue;
        }
        in_example = false;
        kept.push_str(line);
        kept.push('\n');
    }
    kept
}

/// `name(arguments) <says> value`, where value is a Python literal.
fn inline_checks(text: &str) -> Vec<String> {
    static EXAMPLE: OnceLock<Regex> = OnceLock::new();
    let pattern = EXAMPLE.get_or_init(|| {
        Regex::new(concat!(
            r"(?P<call>\b[A-Za-z_][A-Za-z0-9_]*\((?:[^()\n]|\([^()\n]*\))*\))`?\s*",
            r"(?:==|->|→|=>|=|should return|should be|should give|must return|returns|gives|is)\s+`?",
            r"(?P<value>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\b|True\b|False\b|None\b|",
            r#""[^"\n]*"|'[^'\n]*'|\[[^\[\]\n]*(?:\[[^\[\]\n]*\][^\[\]\n]*)*\]|\([^()\n]*\)|\{[^{}\n]*\})"#,
        ))
        .expect("a valid pattern")
    });
    const NOT_EXAMPLES: [&str; 6] = ["print", "input", "range", "open", "main", "exit"];
    pattern
        .captures_iter(text)
        .filter_map(|found| {
            let call = found.name("call")?.as_str();
            let name = &call[..call.find('(')?];
            if NOT_EXAMPLES.contains(&name) {
                return None;
            }
            let value = found.name("value")?.as_str();
            Some(format!(
                "_aucoder_expect(lambda: ({call}), {})",
                python_string(value)
            ))
        })
        .collect()
}

/// `Expected output:` (or `Output:`, `should print`) followed by a fenced block, a backticked
/// or quoted text, or the rest of the line.
fn expected_output_checks(text: &str) -> Vec<String> {
    static LEAD: OnceLock<Regex> = OnceLock::new();
    let lead = LEAD.get_or_init(|| {
        Regex::new(
            r"(?i)(?:expected output|sample output|example output|the output should be|should print|should output|must print|prints exactly|output)\s*(?:is|:)?\s*",
        )
        .expect("a valid pattern")
    });
    let mut checks = Vec::new();
    for found in lead.find_iter(text) {
        let rest = &text[found.end()..];
        if let Some(expected) = leading_quoted(rest) {
            if !expected.trim().is_empty() {
                checks.push(format!(
                    "_aucoder_expect_output(OUTPUT, {})",
                    python_string(expected.trim())
                ));
            }
        }
    }
    checks
}

/// A fenced block, a backticked span or a double-quoted span at the start of `text`.
fn leading_quoted(text: &str) -> Option<&str> {
    let text = text.trim_start_matches([' ', '\t', '\n', '\r']);
    if let Some(fenced) = text.strip_prefix("```") {
        let body_start = fenced.find('\n')? + 1;
        let body = &fenced[body_start..];
        return Some(&body[..body.find("```")?]);
    }
    for quote in ['`', '"'] {
        if let Some(inner) = text.strip_prefix(quote) {
            let end = inner.find(quote)?;
            let span = &inner[..end];
            return (!span.contains('\n')).then_some(span);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<String> {
        requirement_checks(text)
            .into_iter()
            .map(|check| check.code)
            .collect()
    }

    #[test]
    fn doctests_become_checks_with_their_setup() {
        let text = "def add(a, b):\n    \"\"\"Add.\n    >>> add(2, 3)\n    5\n    >>> xs = [1, 2]\n    >>> add(*xs)\n    3\n    \"\"\"\n";
        assert_eq!(
            codes(text),
            vec![
                "_aucoder_expect(lambda: (add(2, 3)), \"5\")".to_owned(),
                "xs = [1, 2]\n_aucoder_expect(lambda: (add(*xs)), \"3\")".to_owned(),
            ]
        );
    }

    #[test]
    fn inline_examples_become_checks() {
        let found = codes(
            "Write square(n). square(3) should be 9 and is_even(4) returns True; add(2, 3) == 5.",
        );
        assert_eq!(
            found,
            vec![
                "_aucoder_expect(lambda: (square(3)), \"9\")",
                "_aucoder_expect(lambda: (is_even(4)), \"True\")",
                "_aucoder_expect(lambda: (add(2, 3)), \"5\")",
            ]
        );
        let lists = codes("merge([1, 3], [2]) should return [1, 2, 3]");
        assert_eq!(
            lists,
            vec!["_aucoder_expect(lambda: (merge([1, 3], [2])), \"[1, 2, 3]\")"]
        );
    }

    #[test]
    fn prose_without_examples_gives_no_checks() {
        assert!(codes("print the sum of all even numbers from 1 to 100").is_empty());
        assert!(codes("write a quick sort example and print the sorted result").is_empty());
        assert!(codes("print(x) should be called once").is_empty());
    }

    #[test]
    fn expected_output_becomes_a_check() {
        assert_eq!(
            codes("Print a greeting. Expected output:\n```\nHello, World!\n```\n"),
            vec!["_aucoder_expect_output(OUTPUT, \"Hello, World!\")"]
        );
        assert_eq!(
            codes("It should print `[1, 2, 3]`."),
            vec!["_aucoder_expect_output(OUTPUT, \"[1, 2, 3]\")"]
        );
    }
}

//! Finding the program in a model's answer.
//!
//! The original took the first ```` ```python ```` block with a regex and failed when a small
//! model forgot the language tag, added prose, left the fence open at the token limit, or
//! wrote a second block with example output. This reads every fenced block (tagged or not,
//! closed or not), prefers Python-tagged ones, then the one that defines `main`, then the
//! longest; with no fence at all it takes the answer from its first line of code.

/// One fenced block: its info string and body.
struct Block<'a> {
    info: &'a str,
    body: String,
}

fn fenced_blocks(answer: &str) -> Vec<Block<'_>> {
    let mut blocks = Vec::new();
    let mut lines = answer.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let Some(info) = trimmed.strip_prefix("```") else {
            continue;
        };
        let mut body = String::new();
        for inner in lines.by_ref() {
            if inner.trim_start().starts_with("```") {
                break;
            }
            body.push_str(inner);
            body.push('\n');
        }
        blocks.push(Block {
            info: info.trim(),
            body,
        });
    }
    blocks
}

fn is_python_tag(info: &str) -> bool {
    let tag = info
        .split(|c: char| c.is_whitespace() || c == '{' || c == ',')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(tag.as_str(), "python" | "python3" | "py" | "py3")
}

fn looks_like_code_start(line: &str) -> bool {
    const STARTS: [&str; 10] = [
        "import ",
        "from ",
        "def ",
        "class ",
        "#",
        "@",
        "if __name__",
        "async def ",
        "print(",
        "for ",
    ];
    let line = line.trim_end();
    STARTS.iter().any(|start| line.starts_with(start)) || is_assignment(line)
}

/// `name = value` at the start of a line, with a plain identifier on the left.
fn is_assignment(line: &str) -> bool {
    line.split_once(" = ").is_some_and(|(name, _)| {
        !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit())
    })
}

/// The Python program in `answer`, if there is one.
pub fn extract_python(answer: &str) -> Option<String> {
    let blocks: Vec<Block> = fenced_blocks(answer)
        .into_iter()
        .filter(|block| !block.body.trim().is_empty())
        .collect();
    let tagged: Vec<&Block> = blocks.iter().filter(|b| is_python_tag(b.info)).collect();
    let untagged: Vec<&Block> = blocks.iter().filter(|b| b.info.is_empty()).collect();
    let candidates = if !tagged.is_empty() {
        tagged
    } else if !untagged.is_empty() {
        untagged
    } else {
        blocks.iter().collect()
    };
    if let Some(best) = candidates
        .into_iter()
        .max_by_key(|block| (block.body.contains("def main"), block.body.len()))
    {
        return Some(best.body.trim_end().to_owned() + "\n");
    }
    // No fence: skip leading prose up to the first line that reads as code.
    let lines: Vec<&str> = answer.lines().collect();
    let start = lines.iter().position(|line| looks_like_code_start(line))?;
    let code = lines[start..].join("\n");
    let code = code.trim_end();
    (!code.is_empty()).then(|| code.to_owned() + "\n")
}

/// Appends the usual entry point when the program defines `main()` but never calls it (a
/// frequent slip of small models that makes a program print nothing).
pub fn ensure_main_call(code: &str) -> String {
    let defines_main = code.lines().any(|line| line.starts_with("def main("));
    let calls_at_top_level = code.lines().any(|line| {
        let line = line.trim_end();
        line.starts_with("if __name__")
            || line.starts_with("main(")
            || line.starts_with("asyncio.run(main")
    });
    if defines_main && !calls_at_top_level {
        format!(
            "{}\n\n\nif __name__ == \"__main__\":\n    main()\n",
            code.trim_end()
        )
    } else {
        code.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_python_block_among_prose() {
        let answer = "Here it is:\n```python\nprint(1)\n```\nThat prints 1.";
        assert_eq!(extract_python(answer).as_deref(), Some("print(1)\n"));
    }

    #[test]
    fn accepts_an_untagged_or_unclosed_fence() {
        assert_eq!(
            extract_python("```\nx = 1\nprint(x)\n```").as_deref(),
            Some("x = 1\nprint(x)\n")
        );
        assert_eq!(
            extract_python("```py\nprint(2)\n").as_deref(),
            Some("print(2)\n")
        );
    }

    #[test]
    fn prefers_python_over_output_blocks_and_main_over_snippets() {
        let answer = "```text\n[1, 2]\n```\n```python\nprint(3)\n```\n```python\ndef main():\n    print(4)\n```";
        assert_eq!(
            extract_python(answer).as_deref(),
            Some("def main():\n    print(4)\n")
        );
    }

    #[test]
    fn without_a_fence_starts_at_the_first_code_line() {
        let answer = "Sure! Below is the code.\nimport math\nprint(math.pi)";
        assert_eq!(
            extract_python(answer).as_deref(),
            Some("import math\nprint(math.pi)\n")
        );
        assert_eq!(extract_python("I cannot help with that."), None);
    }

    #[test]
    fn adds_the_missing_entry_point_once() {
        let code = "def main():\n    print(1)\n";
        let fixed = ensure_main_call(code);
        assert!(fixed.ends_with("if __name__ == \"__main__\":\n    main()\n"));
        assert_eq!(ensure_main_call(&fixed), fixed);
        assert_eq!(ensure_main_call("print(1)\n"), "print(1)\n");
    }
}

//! Checking answers against a JSON schema (the server backend cannot always constrain
//! decoding, so it validates instead).

use crate::LlmError;

/// Parses `text` as JSON and checks it against `schema`.
pub fn validate_json(
    text: &str,
    schema: &serde_json::Value,
) -> Result<serde_json::Value, LlmError> {
    let value: serde_json::Value = serde_json::from_str(strip_fences(text))
        .map_err(|error| LlmError::Schema(format!("the answer is not JSON: {error}")))?;
    let validator = jsonschema::validator_for(schema)
        .map_err(|error| LlmError::Config(format!("invalid JSON schema: {error}")))?;
    let problems: Vec<String> = validator
        .iter_errors(&value)
        .map(|error| format!("{} at {}", error, error.instance_path))
        .collect();
    if problems.is_empty() {
        Ok(value)
    } else {
        Err(LlmError::Schema(problems.join("; ")))
    }
}

/// Models without constrained decoding like to wrap JSON in a markdown fence.
fn strip_fences(text: &str) -> &str {
    let trimmed = text.trim();
    let Some(rest) = trimmed.strip_prefix("```") else {
        return trimmed;
    };
    let rest = rest.strip_prefix("json").unwrap_or(rest);
    rest.strip_suffix("```").unwrap_or(rest).trim()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn verdict_schema() -> serde_json::Value {
        json!({"type": "object", "properties": {"ok": {"type": "boolean"}, "reason": {"type": "string"}}, "required": ["ok", "reason"]})
    }

    #[test]
    fn accepts_a_matching_answer_even_in_a_fence() {
        let value = validate_json(
            "```json\n{\"ok\": true, \"reason\": \"fine\"}\n```",
            &verdict_schema(),
        )
        .unwrap();
        assert_eq!(value["ok"], json!(true));
    }

    #[test]
    fn names_what_is_wrong() {
        let error = validate_json("{\"ok\": \"yes\"}", &verdict_schema()).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("reason"), "{text}");
        assert!(validate_json("not json", &verdict_schema()).is_err());
    }
}

//! The request and answer types every backend shares, and the one place that turns a
//! request into chat messages.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

/// Receives generated text as it arrives (for progress display and streaming to a terminal),
/// and says whether generation should go on: [`ControlFlow::Break`] stops it (the caller no
/// longer wants the answer), and the text so far is returned.
pub type TokenCallback = Arc<TokenSink>;

/// What a [`TokenCallback`] points at.
pub type TokenSink = dyn Fn(&str) -> ControlFlow<()> + Send + Sync;

/// One chat completion: a system and a user message plus sampling settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    pub system: String,
    pub user: String,
    pub max_tokens: u32,
    pub temperature: f32,
    pub seed: u32,
    /// Generation stops before any of these strings.
    pub stop: Vec<String>,
    /// When set, the answer must be JSON satisfying this schema.
    pub json_schema: Option<serde_json::Value>,
}

impl Default for ChatRequest {
    fn default() -> Self {
        Self {
            system: String::new(),
            user: String::new(),
            max_tokens: 512,
            temperature: 0.2,
            seed: 42,
            stop: Vec::new(),
            json_schema: None,
        }
    }
}

impl ChatRequest {
    pub fn new(system: impl Into<String>, user: impl Into<String>) -> Self {
        Self {
            system: system.into(),
            user: user.into(),
            ..Self::default()
        }
    }

    pub fn with_schema(mut self, schema: serde_json::Value) -> Self {
        self.json_schema = Some(schema);
        self
    }

    pub fn with_max_tokens(mut self, max_tokens: u32) -> Self {
        self.max_tokens = max_tokens;
        self
    }

    pub fn with_temperature(mut self, temperature: f32) -> Self {
        self.temperature = temperature;
        self
    }

    /// The conversation as role/content pairs; an empty system message is left out.
    pub fn messages(&self) -> Vec<Message> {
        let mut messages = Vec::with_capacity(2);
        if !self.system.trim().is_empty() {
            messages.push(Message {
                role: "system",
                content: self.system.clone(),
            });
        }
        messages.push(Message {
            role: "user",
            content: self.user.clone(),
        });
        messages
    }
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Message {
    pub role: &'static str,
    pub content: String,
}

/// A finished completion with the counts a progress display needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub text: String,
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    /// Time to process the prompt (embedded backend; zero when unknown).
    pub prompt_duration: Duration,
    /// Time spent generating.
    pub generation_duration: Duration,
}

impl Completion {
    /// Generated tokens per second of generation time.
    pub fn tokens_per_second(&self) -> f64 {
        let seconds = self.generation_duration.as_secs_f64();
        if seconds > 0.0 {
            f64::from(self.completion_tokens) / seconds
        } else {
            0.0
        }
    }

    /// The answer parsed as JSON (for schema-constrained requests).
    pub fn json(&self) -> Result<serde_json::Value, crate::LlmError> {
        serde_json::from_str(self.text.trim())
            .map_err(|error| crate::LlmError::Schema(format!("not JSON ({error}): {}", self.text)))
    }
}

/// Cuts `text` at the first stop string, if any.
pub(crate) fn cut_at_stop(text: &mut String, stop: &[String]) -> bool {
    let earliest = stop
        .iter()
        .filter(|s| !s.is_empty())
        .filter_map(|s| text.find(s.as_str()))
        .min();
    if let Some(index) = earliest {
        text.truncate(index);
        true
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_system_message_is_left_out() {
        let request = ChatRequest::new("  ", "hi");
        assert_eq!(request.messages().len(), 1);
        assert_eq!(request.messages()[0].role, "user");
        assert_eq!(ChatRequest::new("sys", "hi").messages().len(), 2);
    }

    #[test]
    fn stop_strings_cut_at_the_earliest() {
        let mut text = "abc END def STOP".to_owned();
        assert!(cut_at_stop(&mut text, &["STOP".into(), "END".into()]));
        assert_eq!(text, "abc ");
    }
}

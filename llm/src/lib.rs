//! Chat completions for aucoder's agents.
//!
//! One trait, [`Llm`], with two backends: [`EmbeddedLlm`] runs a GGUF model in-process with
//! llama.cpp (the default: works on a laptop with no server), and [`OpenAiLlm`] talks to any
//! server speaking the OpenAI chat-completions API (vLLM, Ollama, llama-server). The
//! [`store`] module finds or fetches the default model.
//!
//! Judges and other structured steps pass a JSON schema: the embedded backend constrains
//! decoding with a grammar so the answer always parses; the server backend asks for
//! `response_format` and validates (retrying once with the error shown to the model).

mod embedded;
mod error;
mod openai;
mod request;
mod schema;
pub mod store;

pub use embedded::{EmbeddedConfig, EmbeddedLlm, MAX_SEQUENCES};
pub use error::LlmError;
pub use openai::{OpenAiConfig, OpenAiLlm};
pub use request::{ChatRequest, Completion, Message, TokenCallback};
pub use schema::validate_json;

use async_trait::async_trait;

/// A chat-completion backend.
#[async_trait]
pub trait Llm: Send + Sync {
    /// A short description for logs and `--json` output, e.g. `embedded:qwen2.5-coder…`.
    fn describe(&self) -> String;

    /// Runs one completion. `on_token` sees the text as it is generated.
    async fn complete(
        &self,
        request: &ChatRequest,
        on_token: Option<TokenCallback>,
    ) -> Result<Completion, LlmError>;

    /// One answer per temperature to the same request, each seeded differently
    /// (`seed + index`). Backends that decode several sequences at once do so (the embedded
    /// one); this default asks for them one after another.
    async fn complete_many(
        &self,
        request: &ChatRequest,
        temperatures: &[f32],
        on_token: Option<TokenCallback>,
    ) -> Result<Vec<Completion>, LlmError> {
        let mut answers = Vec::with_capacity(temperatures.len());
        for (index, temperature) in temperatures.iter().enumerate() {
            let mut one = request.clone();
            one.temperature = *temperature;
            one.seed = request.seed.wrapping_add(index as u32);
            answers.push(self.complete(&one, on_token.clone()).await?);
        }
        Ok(answers)
    }
}

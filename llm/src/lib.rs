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

pub use embedded::{EmbeddedConfig, EmbeddedLlm};
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
}

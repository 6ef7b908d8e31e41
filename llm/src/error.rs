//! What can go wrong getting a completion, phrased for the person who must fix it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("model file {path}: {reason}")]
    BadModel { path: PathBuf, reason: String },

    #[error("the model could not be found or fetched. Tried:\n{tried}\nTo provide it by hand, download a GGUF (e.g. Qwen2.5-Coder-0.5B-Instruct) and pass --model-path FILE, or place it at {expected}")]
    ModelUnavailable { tried: String, expected: PathBuf },

    #[error("the model failed while generating: {0}")]
    Generation(String),

    #[error("the LLM server at {url} is unreachable: {reason}")]
    Unreachable { url: String, reason: String },

    #[error(
        "the LLM server at {url} does not serve a model named {model:?}; it serves: {available}"
    )]
    UnknownModel {
        url: String,
        model: String,
        available: String,
    },

    #[error("the LLM server answered HTTP {status}: {body}")]
    Http { status: u16, body: String },

    #[error("the LLM server sent a response that is not what the API promises: {0}")]
    BadResponse(String),

    #[error("the LLM server did not answer within {0:.0} s")]
    Timeout(f64),

    #[error("the answer does not satisfy the JSON schema: {0}")]
    Schema(String),

    #[error("{0}")]
    Config(String),
}

//! Turns the LLM flags into a ready [`Llm`]: an OpenAI-compatible server when `--llm-url` is
//! given, otherwise the embedded model from `--model-path` or the model store.

use crate::cli::args::LlmArgs;
use anyhow::Context;
use aucoder_llm::store::ModelStore;
use aucoder_llm::{EmbeddedConfig, EmbeddedLlm, Llm, OpenAiConfig, OpenAiLlm};
use std::sync::Arc;
use std::time::Duration;

/// The API key for an LLM server, from the environment only (never a flag: flags leak into
/// shell history and process lists).
fn api_key() -> Option<String> {
    ["AUCODER_API_KEY", "OPENAI_API_KEY"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
}

/// Builds the configured backend. Loading the embedded model shows a progress bar.
pub async fn build_llm(args: &LlmArgs) -> anyhow::Result<Arc<dyn Llm>> {
    if let Some(url) = &args.llm_url {
        let mut config = OpenAiConfig::new(url);
        config.model = args.model.clone();
        config.api_key = api_key();
        config.request_timeout = Duration::from_secs_f64(args.llm_timeout);
        // A server still loading its model is waited for as long as one request may take.
        config.loading_wait = config.request_timeout;
        let llm = OpenAiLlm::connect(config).await?;
        return Ok(Arc::new(llm));
    }
    let path = model_path(args)?;
    let mut config = EmbeddedConfig::new(path);
    config.threads = args.threads;
    config.context_tokens = args.context;
    config.chat_template = args.chat_template.clone();
    config.show_progress = true;
    let llm = tokio::task::spawn_blocking(move || EmbeddedLlm::load(config))
        .await
        .context("the model loading thread failed")??;
    tracing::info!(
        "loaded {} in {:.1} s",
        llm.model_name(),
        llm.load_time().as_secs_f64()
    );
    Ok(Arc::new(llm))
}

/// The GGUF the embedded backend would load, fetching the default model if needed.
pub fn model_path(args: &LlmArgs) -> anyhow::Result<std::path::PathBuf> {
    let store = ModelStore::default();
    let explicit = args.model_path.as_deref();
    let spec = if explicit.is_some() {
        ModelStore::spec(None)?
    } else {
        ModelStore::spec(args.model.as_deref())?
    };
    Ok(store.resolve(explicit, spec, !args.offline)?)
}

//! `aucoder ask "question"`: one completion from the configured LLM, streamed to stdout,
//! with token counts and speed on stderr.

use crate::cli::args::AskArgs;
use crate::cli::llm::build_llm;
use anyhow::Context;
use aucoder_llm::{ChatRequest, TokenCallback};
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

pub fn run(args: AskArgs) -> anyhow::Result<ExitCode> {
    crate::cli::async_runtime()?.block_on(ask(args))
}

async fn ask(args: AskArgs) -> anyhow::Result<ExitCode> {
    let schema = args.json_schema.as_deref().map(read_schema).transpose()?;
    let llm = build_llm(&args.llm).await?;
    let mut request = ChatRequest::new(&args.system, &args.question)
        .with_max_tokens(args.max_tokens)
        .with_temperature(args.temperature);
    request.seed = args.seed;
    request.json_schema = schema.clone();
    // With a schema the answer is printed once it is validated, not streamed.
    let on_token: Option<TokenCallback> = if schema.is_none() {
        Some(Arc::new(|text: &str| {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
            std::ops::ControlFlow::Continue(())
        }))
    } else {
        None
    };
    let completion = llm.complete(&request, on_token).await?;
    if schema.is_some() {
        println!("{}", completion.text);
    } else if !completion.text.ends_with('\n') {
        println!();
    }
    eprintln!(
        "[{}: {} prompt tokens, {} generated, {:.1} tokens/s]",
        llm.describe(),
        completion.prompt_tokens,
        completion.completion_tokens,
        completion.tokens_per_second()
    );
    Ok(ExitCode::SUCCESS)
}

fn read_schema(text: &str) -> anyhow::Result<serde_json::Value> {
    let trimmed = text.trim_start();
    let source = if trimmed.starts_with('{') {
        text.to_owned()
    } else {
        std::fs::read_to_string(text).with_context(|| format!("reading the schema file {text}"))?
    };
    serde_json::from_str(&source).context("the JSON schema is not valid JSON")
}

//! `aucoder models pull|list|path [NAME]`: the model store from the command line.

use crate::cli::args::ModelsCommand;
use crate::cli::llm::model_path;
use aucoder_llm::store::{ModelStore, DEFAULT_MODEL, KNOWN_MODELS};
use std::process::ExitCode;

pub fn run(command: ModelsCommand) -> anyhow::Result<ExitCode> {
    let store = ModelStore::default();
    match command {
        ModelsCommand::Pull { name, model } => {
            let spec = ModelStore::spec(name.or(model).as_deref())?;
            let path = store.pull(spec)?;
            println!("{} {}", spec.name, path.display());
        }
        ModelsCommand::List => {
            let cached = store.list();
            println!("known models (fetched into {}):", store.dir().display());
            for spec in KNOWN_MODELS {
                let state = match cached.iter().find(|model| model.name == spec.name) {
                    Some(model) if model.verified => "fetched, verified",
                    Some(_) => "fetched, NOT VERIFIED",
                    None => "not fetched (`aucoder models pull NAME`)",
                };
                println!(
                    "  {:<32} {:>8.1} MiB  {}{}",
                    spec.name,
                    spec.size as f64 / (1024.0 * 1024.0),
                    state,
                    if spec.name == DEFAULT_MODEL.name {
                        "  [default]"
                    } else {
                        ""
                    }
                );
            }
            let others: Vec<_> = cached
                .into_iter()
                .filter(|model| KNOWN_MODELS.iter().all(|spec| spec.name != model.name))
                .collect();
            if !others.is_empty() {
                println!("other GGUF files in the cache (use with --model-path):");
            }
            for model in others {
                println!(
                    "  {:<32} {:>8.1} MiB  {}  {}",
                    model.name,
                    model.size as f64 / (1024.0 * 1024.0),
                    if model.verified {
                        "verified"
                    } else {
                        "NOT VERIFIED"
                    },
                    model.path.display()
                );
            }
        }
        ModelsCommand::Path { name, mut llm } => {
            if name.is_some() {
                llm.model = name;
            }
            println!("{}", model_path(&llm)?.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

//! `aucoder models pull|list|path`: the model cache from the command line.

use crate::cli::ModelsCommand;
use crate::llm_setup::model_path;
use aucoder_llm::store::ModelStore;
use std::process::ExitCode;

pub fn run(command: ModelsCommand) -> anyhow::Result<ExitCode> {
    let store = ModelStore::default();
    match command {
        ModelsCommand::Pull { model } => {
            let spec = ModelStore::spec(model.as_deref())?;
            let path = store.pull(spec)?;
            println!("{} {}", spec.name, path.display());
        }
        ModelsCommand::List => {
            let models = store.list();
            if models.is_empty() {
                println!(
                    "no models in {} (run `aucoder models pull`)",
                    store.dir().display()
                );
            }
            for model in models {
                println!(
                    "{:<32} {:>8.1} MiB  {}  {}",
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
        ModelsCommand::Path { llm } => println!("{}", model_path(&llm)?.display()),
    }
    Ok(ExitCode::SUCCESS)
}

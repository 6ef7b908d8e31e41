//! `aucoder index` and `aucoder search`: the retrieval corpus from the command line.

use crate::cli::args::{CorpusArgs, SearchArgs};
use anyhow::Context;
use aucoder_llm::store::ModelStore;
use aucoder_rag::Rag;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The repository's `utils/`, built in: the corpus of runs outside a folder that has one.
const BUILTIN_CORPUS: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/corpus.rs"));

/// Opens (indexes) the corpus the flags name, with a progress bar for new chunks.
pub fn open_corpus(corpus: &CorpusArgs, progress: bool) -> anyhow::Result<Rag> {
    open_corpus_dir(corpus.utils.as_deref(), corpus.offline, progress)
}

/// Opens `dir`, or without one `./utils` when it exists, else the built-in corpus.
pub fn open_corpus_dir(dir: Option<&Path>, offline: bool, progress: bool) -> anyhow::Result<Rag> {
    let dir = match dir {
        Some(dir) => dir.to_owned(),
        None if Path::new("utils").is_dir() => PathBuf::from("utils"),
        None => builtin_corpus_dir()?,
    };
    Ok(Rag::open(&dir, ModelStore::default(), !offline, progress)?)
}

/// The built-in corpus, written once per version to `<cache>/corpus/<hash>`.
fn builtin_corpus_dir() -> anyhow::Result<PathBuf> {
    let mut hasher = Sha256::new();
    for (name, bytes) in BUILTIN_CORPUS {
        hasher.update(name.as_bytes());
        hasher.update(bytes);
    }
    let digest = hex::encode(hasher.finalize());
    let dir = aucoder_paths::cache_root()
        .join("corpus")
        .join(&digest[..16]);
    if !dir.join(".complete").is_file() {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        // Atomic writes: two first runs at once each write whole files, never half ones.
        for (name, bytes) in BUILTIN_CORPUS {
            aucoder_paths::write_atomically(&dir.join(name), bytes)
                .with_context(|| format!("writing the built-in corpus to {}", dir.display()))?;
        }
        aucoder_paths::write_atomically(&dir.join(".complete"), b"")
            .with_context(|| format!("writing the built-in corpus to {}", dir.display()))?;
    }
    Ok(dir)
}

pub fn index(corpus: CorpusArgs) -> anyhow::Result<ExitCode> {
    let rag = open_corpus(&corpus, true)?;
    let stats = rag.stats();
    println!(
        "indexed {} files, {} chunks ({} files from the cache, {} chunks embedded) in {:.2} s",
        stats.files,
        stats.chunks,
        stats.cached_files,
        stats.embedded_chunks,
        stats.duration.as_secs_f64()
    );
    for skipped in &stats.skipped {
        println!("skipped (unreadable): {skipped}");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn search(args: SearchArgs) -> anyhow::Result<ExitCode> {
    let rag = open_corpus(&args.corpus, true)?;
    let hits = rag.search(&args.query, args.k)?;
    for (rank, hit) in hits.iter().enumerate() {
        if rank > 0 {
            println!();
        }
        println!("{}", hit.text);
        eprintln!("  (score {:.3}, {})", hit.score, hit.file);
    }
    Ok(ExitCode::SUCCESS)
}

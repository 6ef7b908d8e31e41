//! `aucoder index` and `aucoder search`: the retrieval corpus from the command line.

use crate::cli::{CorpusArgs, SearchArgs};
use aucoder_llm::store::ModelStore;
use aucoder_rag::Rag;
use std::process::ExitCode;

/// Opens (indexes) the corpus the flags name, with a progress bar for new chunks.
pub fn open_corpus(corpus: &CorpusArgs, progress: bool) -> anyhow::Result<Rag> {
    Ok(Rag::open(
        &corpus.utils,
        ModelStore::default(),
        !corpus.offline,
        progress,
    )?)
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

//! Retrieval over a folder of documents (aucoder's `utils/` by default).
//!
//! The original re-embedded its whole corpus at every start. Here each file is extracted,
//! chunked and embedded once per content hash and cached; an unchanged corpus loads from the
//! cache without even starting the embedding model, and a changed file re-embeds only itself.
//! Search is exact (dot products over normalised vectors): measured here, it beats HNSW up to
//! at least 100k vectors, with perfect recall.

mod cache;
mod chunk;
mod embed;
mod extract;
mod index;

pub use chunk::{chunk_text, CHUNK_CHARS};
pub use embed::Embedder;
pub use extract::{extract_text, is_supported};
pub use index::{default_cache_dir, Hit, Index, IndexStats, Rag};

/// Errors of indexing and search.
#[derive(Debug, thiserror::Error)]
pub enum RagError {
    #[error("the corpus folder {0} does not exist or is not a folder")]
    NoCorpus(std::path::PathBuf),
    #[error("the embedding model is unavailable: {0}")]
    Model(String),
    #[error("embedding failed: {0}")]
    Embedding(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

//! Building the index of a corpus (from the cache where possible) and searching it.

use crate::cache::{self, CachedFile};
use crate::chunk::chunk_text;
use crate::embed::{Embedder, DIMENSIONS};
use crate::extract::{extract_text, is_supported};
use crate::RagError;
use aucoder_llm::store::ModelStore;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The chunk, beginning with `[file name] `.
    pub text: String,
    pub file: String,
    /// Cosine similarity to the query.
    pub score: f32,
}

/// What building the index did.
#[derive(Debug, Clone, Default)]
pub struct IndexStats {
    pub files: usize,
    pub chunks: usize,
    /// Files whose chunks came from the cache.
    pub cached_files: usize,
    /// Chunks embedded in this build.
    pub embedded_chunks: usize,
    /// Files skipped because they could not be read or extracted.
    pub skipped: Vec<String>,
    pub duration: Duration,
}

/// Chunks and their unit vectors, searched exactly.
#[derive(Default)]
pub struct Index {
    chunks: Vec<String>,
    files: Vec<String>,
    vectors: Vec<f32>,
}

impl Index {
    pub fn len(&self) -> usize {
        self.chunks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// The `k` chunks most similar to `query` (a unit vector), best first.
    pub fn search(&self, query: &[f32], k: usize) -> Vec<Hit> {
        let mut best: Vec<(f32, usize)> = Vec::with_capacity(k + 1);
        for (index, vector) in self.vectors.chunks_exact(DIMENSIONS).enumerate() {
            let score: f32 = vector.iter().zip(query).map(|(a, b)| a * b).sum();
            if best.len() < k || best.last().is_some_and(|(worst, _)| score > *worst) {
                let at = best.partition_point(|(s, _)| *s >= score);
                best.insert(at, (score, index));
                best.truncate(k);
            }
        }
        best.into_iter()
            .map(|(score, index)| Hit {
                text: self.chunks[index].clone(),
                file: self.files[index].clone(),
                score,
            })
            .collect()
    }

    fn push(&mut self, file: &str, chunk: String, vector: &[f32], seen: &mut HashSet<String>) {
        // Identical chunks (copied boilerplate) would only crowd the top-k with ties.
        if seen.insert(chunk.clone()) {
            self.chunks.push(chunk);
            self.files.push(file.to_owned());
            self.vectors.extend_from_slice(vector);
        }
    }
}

/// A corpus ready to search: the index, and the embedding model loaded on first query.
pub struct Rag {
    index: Index,
    stats: IndexStats,
    store: ModelStore,
    fetch: bool,
    embedder: OnceLock<Embedder>,
}

/// `$AUCODER_CACHE_DIR/rag/…` or `~/.cache/aucoder/rag/…`, per embedding model.
pub fn default_cache_dir() -> PathBuf {
    aucoder_paths::cache_root()
        .join("rag")
        .join("minilm-l6-v2-int8")
}

impl Rag {
    /// Indexes `corpus` (every supported file below it), reusing cached chunks and vectors.
    /// The embedding model is fetched (if `fetch`) and loaded only when something is new.
    pub fn open(
        corpus: &Path,
        store: ModelStore,
        fetch: bool,
        progress: bool,
    ) -> Result<Self, RagError> {
        Self::open_with_cache(corpus, &default_cache_dir(), store, fetch, progress)
    }

    /// [`Rag::open`] with an explicit cache folder.
    pub fn open_with_cache(
        corpus: &Path,
        cache_dir: &Path,
        store: ModelStore,
        fetch: bool,
        progress: bool,
    ) -> Result<Self, RagError> {
        let started = Instant::now();
        if !corpus.is_dir() {
            return Err(RagError::NoCorpus(corpus.to_path_buf()));
        }
        let mut files = Vec::new();
        collect_files(corpus, &mut files);
        files.sort();

        let mut stats = IndexStats::default();
        let mut ready: Vec<(String, CachedFile)> = Vec::new();
        let mut pending: Vec<(String, String, Vec<String>)> = Vec::new(); // name, key, chunks
        for path in &files {
            let name = path
                .strip_prefix(corpus)
                .unwrap_or(path)
                .to_string_lossy()
                .into_owned();
            let Ok(bytes) = std::fs::read(path) else {
                stats.skipped.push(name);
                continue;
            };
            let key = cache::key(&name, &bytes);
            if let Some(cached) = cache::load(&cache::path(cache_dir, &key)) {
                stats.cached_files += 1;
                ready.push((name, cached));
                continue;
            }
            let display_name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| name.clone());
            match extract_text(path, &bytes) {
                Ok(text) => pending.push((name, key, chunk_text(&display_name, &text))),
                Err(reason) => {
                    tracing::warn!("skipping {}: {reason}", path.display());
                    stats.skipped.push(name);
                }
            }
        }
        stats.files = files.len() - stats.skipped.len();

        let rag = Self {
            index: Index::default(),
            stats: IndexStats::default(),
            store,
            fetch,
            embedder: OnceLock::new(),
        };
        let new_chunks: Vec<String> = pending
            .iter()
            .flat_map(|(_, _, chunks)| chunks.clone())
            .collect();
        if !new_chunks.is_empty() {
            let embedder = rag.embedder()?;
            let bar = progress_bar(progress, new_chunks.len());
            let mut vectors = Vec::with_capacity(new_chunks.len());
            // Slices of a few hundred keep the bar moving; each slice is length-sorted inside.
            for slice in new_chunks.chunks(128) {
                vectors.extend(embedder.embed(slice)?);
                bar.inc(slice.len() as u64);
            }
            bar.finish_and_clear();
            stats.embedded_chunks = new_chunks.len();
            let mut vectors = vectors.into_iter();
            for (name, key, chunks) in pending {
                let flat: Vec<f32> = vectors.by_ref().take(chunks.len()).flatten().collect();
                let file = CachedFile {
                    chunks,
                    vectors: flat,
                };
                if let Err(error) = cache::store(&cache::path(cache_dir, &key), &file) {
                    tracing::warn!("could not cache the vectors of {name}: {error}");
                }
                ready.push((name, file));
            }
        }
        ready.sort_by(|a, b| a.0.cmp(&b.0));
        let mut index = Index::default();
        let mut seen = HashSet::new();
        for (name, file) in ready {
            for (chunk, vector) in file
                .chunks
                .into_iter()
                .zip(file.vectors.chunks_exact(DIMENSIONS))
            {
                index.push(&name, chunk, vector, &mut seen);
            }
        }
        stats.chunks = index.len();
        stats.duration = started.elapsed();
        Ok(Self {
            index,
            stats,
            ..rag
        })
    }

    pub fn stats(&self) -> &IndexStats {
        &self.stats
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The top `k` chunks for `query`.
    pub fn search(&self, query: &str, k: usize) -> Result<Vec<Hit>, RagError> {
        if self.index.is_empty() || k == 0 {
            return Ok(Vec::new());
        }
        let vector = self.embedder()?.embed_one(query)?;
        Ok(self.index.search(&vector, k))
    }

    /// Loads the embedding model on first use (a second caller waits for the first).
    pub fn embedder(&self) -> Result<&Embedder, RagError> {
        if let Some(embedder) = self.embedder.get() {
            return Ok(embedder);
        }
        let files = self
            .store
            .embedding_model(self.fetch)
            .map_err(|error| RagError::Model(error.to_string()))?;
        let embedder = Embedder::load(&files)?;
        Ok(self.embedder.get_or_init(|| embedder))
    }
}

fn progress_bar(show: bool, total: usize) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    indicatif::ProgressBar::new(total as u64).with_style(
        indicatif::ProgressStyle::with_template(
            "embedding [{bar:30}] {pos}/{len} chunks ({per_sec})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    )
}

/// Supported files below `dir`, skipping hidden entries and not following links out.
fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            collect_files(&path, out);
        } else if kind.is_file() && is_supported(&path) {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(values: &[f32]) -> Vec<f32> {
        let mut v = vec![0.0; DIMENSIONS];
        v[..values.len()].copy_from_slice(values);
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / norm).collect()
    }

    #[test]
    fn exact_search_orders_by_similarity_and_drops_duplicates() {
        let mut index = Index::default();
        let mut seen = HashSet::new();
        index.push("a", "[a] x".into(), &unit(&[1.0, 0.0]), &mut seen);
        index.push("b", "[b] y".into(), &unit(&[0.6, 0.8]), &mut seen);
        index.push("c", "[c] z".into(), &unit(&[0.0, 1.0]), &mut seen);
        index.push("a", "[a] x".into(), &unit(&[1.0, 0.0]), &mut seen);
        assert_eq!(index.len(), 3);
        let hits = index.search(&unit(&[1.0, 0.1]), 2);
        assert_eq!(
            hits.iter().map(|h| h.file.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert!(hits[0].score > hits[1].score);
    }
}

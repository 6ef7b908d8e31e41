//! Sentence embeddings with all-MiniLM-L6-v2 (int8 ONNX) through fastembed and a dynamically
//! loaded onnxruntime — everything offline, from files the model store assembled.

use crate::RagError;
use aucoder_llm::store::EmbeddingFiles;
use fastembed::{
    InitOptionsUserDefined, Pooling, TextEmbedding, TokenizerFiles, UserDefinedEmbeddingModel,
};
use std::sync::{Mutex, OnceLock, PoisonError};

/// Tokens per input; sentence-transformers uses 256 for this model (the packaged tokenizer
/// says 128, which would cut most 400-character chunks).
const MAX_TOKENS: usize = 256;
/// Inputs per ONNX run. One: padding costs more than batching saves for a model this small
/// (measured: 594 chunks in 8.8 s at 1, 15.6 s at 16 sorted by length, on 2 cores).
const BATCH: usize = 1;
/// Vector width of all-MiniLM-L6-v2.
pub const DIMENSIONS: usize = 384;

/// A loaded embedding model: one single-threaded ONNX session per core. Many inputs are
/// spread over the sessions (measured faster than one session using every core, whose
/// intra-op threads mostly wait on each other for a model this small); one input uses one.
pub struct Embedder {
    sessions: Vec<Mutex<TextEmbedding>>,
}

/// onnxruntime may be loaded once per process; `ort` panics when no library is found, so the
/// file is checked first.
fn ort_environment(files: &EmbeddingFiles) -> Result<ort::environment::Environment, RagError> {
    static ENVIRONMENT: OnceLock<Result<ort::environment::Environment, String>> = OnceLock::new();
    ENVIRONMENT
        .get_or_init(|| {
            if !files.onnxruntime.is_file() {
                return Err(format!(
                    "onnxruntime library {} is missing",
                    files.onnxruntime.display()
                ));
            }
            ort::init_from(&files.onnxruntime)
                .map_err(|error| format!("loading {}: {error}", files.onnxruntime.display()))?
                .with_name("aucoder")
                .build()
                .map_err(|error| format!("starting onnxruntime: {error}"))
        })
        .clone()
        .map_err(RagError::Model)
}

impl Embedder {
    pub fn load(files: &EmbeddingFiles) -> Result<Self, RagError> {
        let read = |path: &std::path::Path| {
            std::fs::read(path).map_err(|source| RagError::Io {
                context: format!("reading {}", path.display()),
                source,
            })
        };
        let environment = ort_environment(files)?;
        let onnx = read(&files.onnx)?;
        let tokenizer = TokenizerFiles {
            tokenizer_file: read(&files.tokenizer)?,
            config_file: read(&files.config)?,
            special_tokens_map_file: read(&files.special_tokens_map)?,
            tokenizer_config_file: read(&files.tokenizer_config)?,
        };
        let cores = std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(2);
        let sessions = (0..cores.clamp(1, 8))
            .map(|_| {
                let model = UserDefinedEmbeddingModel::new(onnx.clone(), tokenizer.clone())
                    // Without this a user-defined model silently uses CLS pooling: wrong here.
                    .with_pooling(Pooling::Mean);
                let options = InitOptionsUserDefined::new()
                    .with_environment(environment.clone())
                    .with_max_length(MAX_TOKENS)
                    .with_intra_threads(1);
                TextEmbedding::try_new_from_user_defined(model, options)
                    .map(Mutex::new)
                    .map_err(|error| RagError::Model(error.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { sessions })
    }

    /// Unit-length vectors for `texts`, in order.
    pub fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, RagError> {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&index| texts[index].len());
        // Deal the length-sorted inputs round-robin, so every session gets similar lengths.
        let workers = self.sessions.len().min(texts.len().div_ceil(BATCH)).max(1);
        let groups: Vec<Vec<usize>> = (0..workers)
            .map(|worker| {
                order
                    .iter()
                    .copied()
                    .skip(worker)
                    .step_by(workers)
                    .collect()
            })
            .collect();
        let embedded: Vec<Result<Vec<Vec<f32>>, RagError>> = if workers == 1 {
            // One input (every query) runs here: no thread to start on the query path.
            vec![embed_group(&self.sessions[0], texts, &groups[0])]
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = groups
                    .iter()
                    .zip(&self.sessions)
                    .map(|(group, session)| scope.spawn(move || embed_group(session, texts, group)))
                    .collect();
                handles
                    .into_iter()
                    .map(|handle| {
                        handle.join().unwrap_or_else(|_| {
                            Err(RagError::Embedding(
                                "an embedding thread panicked".to_owned(),
                            ))
                        })
                    })
                    .collect()
            })
        };
        let mut result = vec![Vec::new(); texts.len()];
        for (group, vectors) in groups.iter().zip(embedded) {
            for (&index, vector) in group.iter().zip(vectors?) {
                result[index] = normalise(vector);
            }
        }
        Ok(result)
    }

    pub fn embed_one(&self, text: &str) -> Result<Vec<f32>, RagError> {
        self.embed(&[text.to_owned()])?
            .pop()
            .ok_or_else(|| RagError::Embedding("no vector returned".to_owned()))
    }
}

/// Raw vectors for `texts[group]` from one session.
fn embed_group(
    session: &Mutex<TextEmbedding>,
    texts: &[String],
    group: &[usize],
) -> Result<Vec<Vec<f32>>, RagError> {
    let inputs: Vec<&str> = group.iter().map(|&i| texts[i].as_str()).collect();
    session
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .embed(&inputs, Some(BATCH))
        .map_err(|error| RagError::Embedding(error.to_string()))
}

fn normalise(mut vector: Vec<f32>) -> Vec<f32> {
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        vector.iter_mut().for_each(|x| *x /= norm);
    }
    vector
}

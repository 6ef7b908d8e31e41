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
/// Inputs per ONNX run; inputs are sorted by length first so padding stays small.
const BATCH: usize = 16;
/// Vector width of all-MiniLM-L6-v2.
pub const DIMENSIONS: usize = 384;

/// A loaded embedding model. Calls take turns (the ONNX session uses every core).
pub struct Embedder {
    model: Mutex<TextEmbedding>,
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
        let model = UserDefinedEmbeddingModel::new(
            read(&files.onnx)?,
            TokenizerFiles {
                tokenizer_file: read(&files.tokenizer)?,
                config_file: read(&files.config)?,
                special_tokens_map_file: read(&files.special_tokens_map)?,
                tokenizer_config_file: read(&files.tokenizer_config)?,
            },
        )
        // Without this a user-defined model silently uses CLS pooling: wrong for MiniLM.
        .with_pooling(Pooling::Mean);
        let threads = std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(2);
        let options = InitOptionsUserDefined::new()
            .with_environment(environment)
            .with_max_length(MAX_TOKENS)
            .with_intra_threads(threads);
        let model = TextEmbedding::try_new_from_user_defined(model, options)
            .map_err(|error| RagError::Model(error.to_string()))?;
        Ok(Self {
            model: Mutex::new(model),
        })
    }

    /// Unit-length vectors for `texts`, in order.
    pub fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, RagError> {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&index| texts[index].len());
        let sorted: Vec<&str> = order.iter().map(|&index| texts[index].as_str()).collect();
        let vectors = self
            .model
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .embed(&sorted, Some(BATCH))
            .map_err(|error| RagError::Embedding(error.to_string()))?;
        let mut result = vec![Vec::new(); texts.len()];
        for (vector, index) in vectors.into_iter().zip(order) {
            result[index] = normalise(vector);
        }
        Ok(result)
    }

    pub fn embed_one(&self, text: &str) -> Result<Vec<f32>, RagError> {
        self.embed(&[text.to_owned()])?
            .pop()
            .ok_or_else(|| RagError::Embedding("no vector returned".to_owned()))
    }
}

fn normalise(mut vector: Vec<f32>) -> Vec<f32> {
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        vector.iter_mut().for_each(|x| *x /= norm);
    }
    vector
}

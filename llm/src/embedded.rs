//! The default backend: a GGUF model run in-process by llama.cpp (`llama-cpp-2`).
//!
//! The model is loaded once per process and shared; completions run one at a time on a
//! blocking thread (llama.cpp already uses every core, so two at once only thrash); several
//! answers to one prompt are decoded side by side in one context ([`Llm::complete_many`]). Prompts go
//! through the chat template stored in the GGUF. A JSON schema becomes a GBNF grammar that
//! constrains sampling, so schema-bound answers always parse.

use crate::request::cut_at_stop;
use crate::request::TokenSink;
use crate::{ChatRequest, Completion, Llm, LlmError, TokenCallback};
use async_trait::async_trait;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaChatTemplate, LlamaModel};
use llama_cpp_2::sampling::LlamaSampler;
use std::io::Read;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// Tokens fed to llama.cpp per decode call while reading the prompt.
const PROMPT_BATCH: usize = 512;
const GGUF_MAGIC: &[u8; 4] = b"GGUF";
/// Most answers decoded side by side in one call.
pub const MAX_SEQUENCES: usize = 8;

/// How to load and run an embedded model.
#[derive(Debug, Clone)]
pub struct EmbeddedConfig {
    pub model_path: PathBuf,
    /// CPU threads; `None` = every core.
    pub threads: Option<usize>,
    /// Context window in tokens (prompt + answer), capped at the model's training length.
    pub context_tokens: u32,
    /// A llama.cpp template name (e.g. `chatml`) to use instead of the GGUF's own.
    pub chat_template: Option<String>,
    /// Show a progress bar on stderr while loading.
    pub show_progress: bool,
}

impl EmbeddedConfig {
    pub fn new(model_path: impl Into<PathBuf>) -> Self {
        Self {
            model_path: model_path.into(),
            threads: None,
            context_tokens: 8192,
            chat_template: None,
            show_progress: false,
        }
    }
}

/// A loaded GGUF model.
pub struct EmbeddedLlm {
    model: Arc<LlamaModel>,
    template: Arc<LlamaChatTemplate>,
    config: EmbeddedConfig,
    name: String,
    load_time: Duration,
    /// One generation at a time.
    busy: Arc<Mutex<()>>,
}

/// llama.cpp's backend may be initialised once per process.
fn backend() -> Result<&'static LlamaBackend, LlmError> {
    static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();
    BACKEND
        .get_or_init(|| {
            // llama.cpp is chatty (every tensor, vocabulary quirks); its own log goes to
            // tracing only when asked for with AUCODER_LLAMA_LOG=1. Errors reach the user as
            // aucoder's own messages either way.
            let wanted = std::env::var_os("AUCODER_LLAMA_LOG").is_some_and(|v| v != "0");
            llama_cpp_2::send_logs_to_tracing(
                llama_cpp_2::LogOptions::default().with_logs_enabled(wanted),
            );
            LlamaBackend::init().map_err(|error| error.to_string())
        })
        .as_ref()
        .map_err(|error| LlmError::Generation(format!("llama.cpp did not start: {error}")))
}

/// Checks the file before llama.cpp sees it, so a wrong file gets a precise message.
fn check_gguf(path: &Path) -> Result<(), LlmError> {
    let bad = |reason: String| LlmError::BadModel {
        path: path.to_path_buf(),
        reason,
    };
    let mut file =
        std::fs::File::open(path).map_err(|error| bad(format!("cannot open it: {error}")))?;
    let mut magic = [0u8; 4];
    file.read_exact(&mut magic)
        .map_err(|_| bad("it is too short to be a GGUF model".to_owned()))?;
    if &magic != GGUF_MAGIC {
        return Err(bad(format!(
            "it is not a GGUF model (the file starts with {magic:02x?}, not \"GGUF\")"
        )));
    }
    Ok(())
}

impl EmbeddedLlm {
    /// Loads the model (blocking; seconds for a 0.5B model).
    pub fn load(config: EmbeddedConfig) -> Result<Self, LlmError> {
        let started = Instant::now();
        check_gguf(&config.model_path)?;
        let backend = backend()?;
        let mut params = LlamaModelParams::default();
        if config.show_progress {
            let bar = indicatif::ProgressBar::new(100).with_style(
                indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {percent}%")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_message("loading model");
            let done = bar.clone();
            params = params.with_progress_callback(move |progress| {
                bar.set_position((progress * 100.0) as u64);
                true
            });
            let model = LlamaModel::load_from_file(backend, &config.model_path, &params);
            done.finish_and_clear();
            return Self::finish_load(config, model, started);
        }
        let model = LlamaModel::load_from_file(backend, &config.model_path, &params);
        Self::finish_load(config, model, started)
    }

    fn finish_load(
        config: EmbeddedConfig,
        model: Result<LlamaModel, llama_cpp_2::LlamaModelLoadError>,
        started: Instant,
    ) -> Result<Self, LlmError> {
        let model = model.map_err(|error| LlmError::BadModel {
            path: config.model_path.clone(),
            reason: format!(
                "llama.cpp could not load it ({error}); the file may be truncated or corrupt"
            ),
        })?;
        let template = match &config.chat_template {
            Some(name) => LlamaChatTemplate::new(name)
                .map_err(|error| LlmError::Config(format!("chat template {name:?}: {error}")))?,
            None => model.chat_template(None).map_err(|_| LlmError::BadModel {
                path: config.model_path.clone(),
                reason: "it has no chat template (a base model?); use an instruction-tuned \
                         model or name a template"
                    .to_owned(),
            })?,
        };
        let name = model.meta_val_str("general.name").unwrap_or_else(|_| {
            config
                .model_path
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        Ok(Self {
            model: Arc::new(model),
            template: Arc::new(template),
            name,
            config,
            load_time: started.elapsed(),
            busy: Arc::default(),
        })
    }

    pub fn load_time(&self) -> Duration {
        self.load_time
    }

    pub fn model_name(&self) -> &str {
        &self.name
    }

    /// The prompt exactly as the model sees it, built with its chat template.
    pub fn render_prompt(&self, request: &ChatRequest) -> Result<String, LlmError> {
        render_prompt(&self.model, &self.template, request)
    }
}

fn render_prompt(
    model: &LlamaModel,
    template: &LlamaChatTemplate,
    request: &ChatRequest,
) -> Result<String, LlmError> {
    let messages = request
        .messages()
        .into_iter()
        .map(|message| LlamaChatMessage::new(message.role.to_owned(), message.content))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| LlmError::Config(format!("message contains a NUL byte: {error}")))?;
    model
        .apply_chat_template(template, &messages, true)
        .map_err(|error| LlmError::Generation(format!("applying the chat template: {error}")))
}

#[async_trait]
impl Llm for EmbeddedLlm {
    fn describe(&self) -> String {
        format!(
            "embedded:{} ({})",
            self.name,
            self.config.model_path.display()
        )
    }

    async fn complete(
        &self,
        request: &ChatRequest,
        on_token: Option<TokenCallback>,
    ) -> Result<Completion, LlmError> {
        self.complete_many(request, &[request.temperature], on_token)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| LlmError::Generation("the model gave no answer".to_owned()))
    }

    async fn complete_many(
        &self,
        request: &ChatRequest,
        temperatures: &[f32],
        on_token: Option<TokenCallback>,
    ) -> Result<Vec<Completion>, LlmError> {
        let model = self.model.clone();
        let template = self.template.clone();
        let busy = self.busy.clone();
        let config = self.config.clone();
        let request = request.clone();
        let temperatures = temperatures.to_vec();
        tokio::task::spawn_blocking(move || {
            let _turn = busy.lock().unwrap_or_else(PoisonError::into_inner);
            generate(
                &model,
                &template,
                &config,
                &request,
                &temperatures,
                on_token.as_deref(),
            )
        })
        .await
        .map_err(|error| LlmError::Generation(format!("the generation thread failed: {error}")))?
    }
}

/// Decodes one answer per temperature for one prompt. The prompt is read once into sequence
/// 0 and its cache shared with the others; then every live sequence advances by one token per
/// decode call, so N answers cost about one answer's prompt time and much less than N times
/// its generation time on a CPU. One temperature is the plain single completion.
fn generate(
    model: &LlamaModel,
    template: &LlamaChatTemplate,
    config: &EmbeddedConfig,
    request: &ChatRequest,
    temperatures: &[f32],
    on_token: Option<&TokenSink>,
) -> Result<Vec<Completion>, LlmError> {
    let backend = backend()?;
    let sequences = temperatures.len();
    if sequences == 0 || sequences > MAX_SEQUENCES {
        return Err(LlmError::Config(format!(
            "asked for {sequences} answers at once; 1 to {MAX_SEQUENCES} are possible"
        )));
    }
    let prompt = render_prompt(model, template, request)?;
    let vocab = model.vocab();
    let tokens = vocab.tokenize(prompt.as_bytes(), true, true);
    if tokens.is_empty() {
        return Err(LlmError::Generation(
            "the prompt produced no tokens".to_owned(),
        ));
    }
    let window = config.context_tokens.min(model.n_ctx_train().max(512));
    if tokens.len() as u64 >= u64::from(window) {
        return Err(LlmError::Generation(format!(
            "the prompt is {} tokens, more than the {window}-token context window",
            tokens.len()
        )));
    }
    // Every sequence's answer shares one unified cache with the prompt, which is stored once;
    // the answers' room is capped so the whole fits the window (and its memory) whatever N is.
    let room_per_answer = (u64::from(window) - tokens.len() as u64) / sequences as u64;
    let max_tokens = u64::from(request.max_tokens).min(room_per_answer.max(1)) as u32;
    let needed = tokens.len() as u64 + sequences as u64 * u64::from(max_tokens);
    let context_size = u32::try_from(needed.min(u64::from(window))).unwrap_or(window);
    let threads = config.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(2)
    }) as i32;
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(context_size))
        .with_n_batch(PROMPT_BATCH as u32)
        .with_n_seq_max(sequences as u32)
        .with_kv_unified(true)
        .with_n_threads(threads)
        .with_n_threads_batch(threads);
    let mut context = model
        .new_context(backend, params)
        .map_err(|error| LlmError::Generation(format!("creating a context: {error}")))?;

    let prompt_started = Instant::now();
    let mut batch = LlamaBatch::new(PROMPT_BATCH.max(sequences), 1);
    let last_index = tokens.len() - 1;
    for (chunk_index, chunk) in tokens.chunks(PROMPT_BATCH).enumerate() {
        batch.clear();
        for (offset, token) in chunk.iter().enumerate() {
            let position = chunk_index * PROMPT_BATCH + offset;
            batch
                .add(*token, position as i32, &[0], position == last_index)
                .map_err(|error| LlmError::Generation(error.to_string()))?;
        }
        context
            .decode(&mut batch)
            .map_err(|error| LlmError::Generation(format!("reading the prompt: {error}")))?;
    }
    for sequence in 1..sequences {
        context
            .copy_kv_cache_seq(0, sequence as i32, None, None)
            .map_err(|error| LlmError::Generation(format!("sharing the prompt: {error}")))?;
    }
    let prompt_duration = prompt_started.elapsed();

    let generation_started = Instant::now();
    let mut answers = temperatures
        .iter()
        .enumerate()
        .map(|(index, temperature)| {
            let mut sequence_request = request.clone();
            sequence_request.temperature = *temperature;
            sequence_request.seed = request.seed.wrapping_add(index as u32);
            Ok(Sequence {
                sampler: build_sampler(model, &sequence_request)?,
                decoder: encoding_rs::UTF_8.new_decoder(),
                text: String::new(),
                generated: 0,
                // All sequences sample their first token from the prompt's last logits.
                logits_index: batch.n_tokens() - 1,
                done: false,
            })
        })
        .collect::<Result<Vec<_>, LlmError>>()?;
    let mut position = tokens.len() as i32;
    loop {
        batch.clear();
        for (index, answer) in answers.iter_mut().enumerate() {
            if answer.done {
                continue;
            }
            if answer.generated >= max_tokens || position as u32 >= context_size {
                answer.done = true;
                continue;
            }
            let token = answer.sampler.sample(&context, answer.logits_index);
            if vocab.is_eog(token) {
                answer.done = true;
                continue;
            }
            answer.generated += 1;
            let piece = vocab.token_to_piece(token, false, None);
            // A token may end inside a multi-byte character: decode across token boundaries.
            let mut piece_text = String::with_capacity(piece.len() + 4);
            let _ = answer
                .decoder
                .decode_to_string(&piece, &mut piece_text, false);
            answer.text.push_str(&piece_text);
            if cut_at_stop(&mut answer.text, &request.stop) {
                answer.done = true;
                continue;
            }
            if let (Some(callback), false) = (on_token, piece_text.is_empty()) {
                if callback(&piece_text).is_break() {
                    // The caller gave up on every answer: stop them all now.
                    answers.iter_mut().for_each(|answer| answer.done = true);
                    break;
                }
            }
            answer.logits_index = batch.n_tokens();
            batch
                .add(token, position, &[index as i32], true)
                .map_err(|error| LlmError::Generation(error.to_string()))?;
        }
        if batch.n_tokens() == 0 {
            break;
        }
        position += 1;
        context
            .decode(&mut batch)
            .map_err(|error| LlmError::Generation(format!("generating: {error}")))?;
    }
    let generation_duration = generation_started.elapsed();
    Ok(answers
        .drain(..)
        .enumerate()
        .map(|(index, answer)| Completion {
            text: answer.text,
            // The prompt was read once: count it once.
            prompt_tokens: if index == 0 { tokens.len() as u32 } else { 0 },
            completion_tokens: answer.generated,
            prompt_duration: if index == 0 {
                prompt_duration
            } else {
                Duration::ZERO
            },
            generation_duration,
        })
        .collect())
}

/// One answer being decoded.
struct Sequence {
    sampler: LlamaSampler,
    decoder: encoding_rs::Decoder,
    text: String,
    generated: u32,
    /// Where this sequence's logits are in the last decoded batch.
    logits_index: i32,
    done: bool,
}

/// Grammar (when a schema is given) → top-k → top-p → temperature → seeded draw; greedy at
/// temperature 0. The grammar goes first so every candidate the later stages see is valid.
fn build_sampler(model: &LlamaModel, request: &ChatRequest) -> Result<LlamaSampler, LlmError> {
    let mut stages = Vec::new();
    if let Some(schema) = &request.json_schema {
        let grammar = llama_cpp_2::json_schema_to_grammar(&schema.to_string())
            .map_err(|error| LlmError::Config(format!("JSON schema → grammar: {error}")))?;
        stages.push(
            LlamaSampler::grammar(model, &grammar, "root")
                .map_err(|error| LlmError::Config(format!("grammar: {error}")))?,
        );
    }
    if request.temperature <= 0.0 {
        stages.push(LlamaSampler::greedy());
    } else {
        stages.push(LlamaSampler::top_k(40));
        stages.push(LlamaSampler::top_p(0.95, 1));
        stages.push(LlamaSampler::temp(request.temperature));
        stages.push(LlamaSampler::dist(request.seed));
    }
    Ok(LlamaSampler::chain_simple(stages))
}

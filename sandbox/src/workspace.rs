//! The one host folder a program may see: a fresh temporary folder per run, or a folder the
//! user names. File names given to it are checked so nothing lands outside.

use crate::SandboxError;
use std::path::{Component, Path, PathBuf};

/// A workspace folder. A temporary one is removed when the value is dropped.
#[derive(Debug)]
pub struct Workspace {
    path: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

impl Workspace {
    /// A new empty folder under the system's temporary folder, removed on drop.
    pub fn temporary() -> Result<Self, SandboxError> {
        let temp = tempfile::Builder::new()
            .prefix("aucoder-run-")
            .tempdir()
            .map_err(|source| SandboxError::Workspace {
                path: std::env::temp_dir(),
                source,
            })?;
        Ok(Self {
            path: temp.path().to_path_buf(),
            _temp: Some(temp),
        })
    }

    /// An existing folder (created if missing), kept after the run.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, SandboxError> {
        let path = path.into();
        std::fs::create_dir_all(&path).map_err(|source| SandboxError::Workspace {
            path: path.clone(),
            source,
        })?;
        let path = path
            .canonicalize()
            .map_err(|source| SandboxError::Workspace {
                path: path.clone(),
                source,
            })?;
        Ok(Self { path, _temp: None })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Resolves a relative file name inside the workspace, refusing absolute paths and `..`.
    pub fn resolve(&self, name: &str) -> Result<PathBuf, SandboxError> {
        let relative = Path::new(name);
        let plain = !name.is_empty()
            && relative
                .components()
                .all(|component| matches!(component, Component::Normal(_)));
        if !plain {
            return Err(SandboxError::BadScriptName(name.to_owned()));
        }
        Ok(self.path.join(relative))
    }

    /// Writes (or replaces) a file in the workspace.
    pub fn write_file(&self, name: &str, contents: &[u8]) -> Result<PathBuf, SandboxError> {
        let path = self.resolve(name)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| {
                SandboxError::io(format!("creating {}", parent.display()), source)
            })?;
        }
        std::fs::write(&path, contents)
            .map_err(|source| SandboxError::io(format!("writing {}", path.display()), source))?;
        Ok(path)
    }

    /// Bytes held by regular files in the workspace (apparent sizes; links are not followed).
    pub fn disk_usage(&self) -> u64 {
        disk_usage(&self.path)
    }
}

/// Sum of the apparent sizes of the regular files under `root`, not following links.
pub(crate) fn disk_usage(root: &Path) -> u64 {
    let mut total = 0u64;
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                pending.push(entry.path());
            } else if meta.is_file() {
                total = total.saturating_add(meta.len());
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_outside_the_workspace_are_refused() {
        let ws = Workspace::temporary().unwrap();
        for bad in ["", "/etc/passwd", "../x.py", "a/../../x.py", "./"] {
            assert!(ws.resolve(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(ws.resolve("a/b.py").unwrap(), ws.path().join("a/b.py"));
    }

    #[test]
    fn disk_usage_counts_file_bytes() {
        let ws = Workspace::temporary().unwrap();
        ws.write_file("a.txt", &[0; 1000]).unwrap();
        ws.write_file("d/b.txt", &[0; 24]).unwrap();
        assert_eq!(ws.disk_usage(), 1024);
    }
}

//! The one host folder a program may see: a fresh temporary folder per run, or a folder the
//! user names. File names given to it are checked so nothing lands outside, the host's own
//! writes never follow a link that is already there, and no file aucoder would take
//! configuration or plugins from is ever written into one (docs/security.md).

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

    /// Writes (or replaces) a file in the workspace. Folders on the way are resolved inside
    /// the workspace only (a link leading out is an error), and the file is written under a
    /// fresh name and renamed into place, so a symbolic or hard link already at `name` is
    /// replaced, never written through.
    pub fn write_file(&self, name: &str, contents: &[u8]) -> Result<PathBuf, SandboxError> {
        let path = self.resolve(name)?;
        if is_control_name(name) {
            return Err(SandboxError::ControlFile(name.to_owned()));
        }
        let failed = |source| SandboxError::io(format!("writing {}", path.display()), source);
        let root = cap_std::fs::Dir::open_ambient_dir(&self.path, cap_std::ambient_authority())
            .map_err(failed)?;
        let relative = Path::new(name);
        let (dir, file_name) = match (relative.parent(), relative.file_name()) {
            (Some(parent), Some(file_name)) if !parent.as_os_str().is_empty() => {
                root.create_dir_all(parent).map_err(failed)?;
                (root.open_dir(parent).map_err(failed)?, file_name)
            }
            (_, Some(file_name)) => (root, file_name),
            _ => return Err(SandboxError::BadScriptName(name.to_owned())),
        };
        let temp_name = format!(".aucoder-write-{}-{}", std::process::id(), unique());
        let mut options = cap_std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        let written = dir.open_with(&temp_name, &options).and_then(|mut file| {
            std::io::Write::write_all(&mut file, contents)?;
            dir.rename(&temp_name, &dir, file_name)
        });
        if let Err(source) = written {
            let _ = dir.remove_file(&temp_name);
            return Err(failed(source));
        }
        Ok(path)
    }

    /// Whether `name` is a regular file in the workspace, without following a link.
    pub fn holds_file(&self, name: &str) -> bool {
        self.resolve(name).is_ok_and(|path| {
            std::fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_file())
        })
    }

    /// What the workspace holds, charged as the disk quota charges it: every entry at least
    /// a block, files by the larger of length and allocated blocks.
    pub fn disk_usage(&self) -> u64 {
        crate::quota::measure(&self.path, u64::MAX).bytes
    }
}

/// A number no other write of this process uses at the same time.
fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Names aucoder takes configuration or plugins from (`aucoder.toml`, `*.wasm`): neither a
/// sandboxed program nor a tool may create them in a workspace, which would otherwise
/// configure the next run started there. Any component counts, in any letter case.
pub fn is_control_name(name: &str) -> bool {
    name.split(['/', '\\']).any(|component| {
        let lower = component.trim_end_matches(['.', ' ']).to_ascii_lowercase();
        lower == "aucoder.toml" || lower.ends_with(".wasm") || lower.ends_with(".cwasm")
    })
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
    fn disk_usage_counts_every_entry() {
        let ws = Workspace::temporary().unwrap();
        ws.write_file("a.txt", &[0; 1000]).unwrap();
        ws.write_file("d/b.txt", &[0; 24]).unwrap();
        assert_eq!(ws.disk_usage(), 3 * crate::quota::ENTRY_BYTES);
    }

    #[test]
    fn host_writes_replace_links_instead_of_following_them() {
        let ws = Workspace::temporary().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("victim.txt");
        std::fs::write(&target, "keep").unwrap();
        std::os::unix::fs::symlink(&target, ws.path().join("temp.py")).unwrap();
        std::fs::hard_link(&target, ws.path().join("temp.log")).unwrap();
        std::os::unix::fs::symlink(outside.path(), ws.path().join("out")).unwrap();
        assert!(!ws.holds_file("temp.py"), "a link is not a file");
        ws.write_file("temp.py", b"print(1)").unwrap();
        ws.write_file("temp.log", b"log").unwrap();
        assert!(ws.write_file("out/x.py", b"x").is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
        assert!(!outside.path().join("x.py").exists());
        assert_eq!(
            std::fs::read_to_string(ws.path().join("temp.py")).unwrap(),
            "print(1)"
        );
        assert!(ws.holds_file("temp.py"));
    }

    #[test]
    fn control_files_are_never_written() {
        let ws = Workspace::temporary().unwrap();
        for name in [
            "aucoder.toml",
            "sub/AUCODER.TOML",
            "plugins/x.wasm",
            "a.wasm/b.py",
        ] {
            assert!(is_control_name(name), "{name}");
            assert!(ws.write_file(name, b"x").is_err(), "{name}");
        }
        assert!(!is_control_name("temp.py"));
    }
}

//! Files in and out of a workspace, for MCP clients: write, read and list, by relative name.
//!
//! The workspace is hostile ground (a program ran there): reads go through a capability
//! handle on the workspace folder, so a link leading out of it is refused, not followed;
//! writes use [`Workspace::write_file`], which replaces links instead of writing through
//! them and never creates a file aucoder takes configuration from. Every file is capped in
//! size both ways, writes are charged against the workspace's disk quota, and a listing
//! stops at a fixed number of entries.

use crate::tools::ToolError;
use aucoder_sandbox::Workspace;
use std::io::Read;
use std::path::Path;

/// The largest file written or read in one call.
pub const MAX_FILE_BYTES: u64 = 4 << 20;
/// The most entries a listing reports.
pub const MAX_LISTED: usize = 1000;

/// One file of a listing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ListedFile {
    /// Relative to the workspace, with `/` between folders.
    pub path: String,
    pub bytes: u64,
}

/// A workspace's regular files (links are not followed) in name order, up to
/// [`MAX_LISTED`]; the flag says whether more were left out.
pub fn list(workspace: &Workspace) -> (Vec<ListedFile>, bool) {
    let mut files = Vec::new();
    let mut truncated = false;
    let mut pending = vec![String::new()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(workspace.path().join(&folder)) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            // The host's own in-flight writes are not the client's files.
            if name.starts_with(".aucoder-write-") {
                continue;
            }
            let path = if folder.is_empty() {
                name
            } else {
                format!("{folder}/{name}")
            };
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                pending.push(path);
            } else if meta.is_file() {
                if files.len() == MAX_LISTED {
                    truncated = true;
                    break;
                }
                files.push(ListedFile {
                    path,
                    bytes: meta.len(),
                });
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    (files, truncated)
}

/// Reads one file, refusing names outside the workspace, links leading out, folders and
/// files over [`MAX_FILE_BYTES`].
pub fn read(workspace: &Workspace, name: &str) -> Result<Vec<u8>, ToolError> {
    workspace.resolve(name)?;
    let failed = |error: std::io::Error| match error.kind() {
        std::io::ErrorKind::NotFound => {
            ToolError::BadArgument(format!("the workspace has no file {name:?}"))
        }
        _ => ToolError::BadArgument(format!("reading {name:?}: {error}")),
    };
    let root = cap_std::fs::Dir::open_ambient_dir(workspace.path(), cap_std::ambient_authority())
        .map_err(failed)?;
    let file = root.open(Path::new(name)).map_err(failed)?;
    let meta = file.metadata().map_err(failed)?;
    if !meta.is_file() {
        return Err(ToolError::BadArgument(format!("{name:?} is not a file")));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big(name, meta.len()));
    }
    let mut contents = Vec::new();
    // The file may grow while it is read: never more than the cap and one byte.
    file.into_std()
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut contents)
        .map_err(failed)?;
    if contents.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(name, contents.len() as u64));
    }
    Ok(contents)
}

/// Writes one file, within [`MAX_FILE_BYTES`] and the workspace's disk quota.
pub fn write(
    workspace: &Workspace,
    name: &str,
    contents: &[u8],
    disk_bytes: u64,
) -> Result<(), ToolError> {
    if contents.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(name, contents.len() as u64));
    }
    let replaced = std::fs::symlink_metadata(workspace.resolve(name)?)
        .map(|meta| meta.len())
        .unwrap_or(0);
    let after = workspace.disk_usage().saturating_sub(replaced) + contents.len() as u64;
    if after > disk_bytes {
        return Err(ToolError::BadArgument(format!(
            "writing {name:?} would bring the workspace to {after} bytes; its disk quota is \
             {disk_bytes} bytes (--disk)"
        )));
    }
    workspace.write_file(name, contents)?;
    Ok(())
}

fn too_big(name: &str, bytes: u64) -> ToolError {
    ToolError::BadArgument(format!(
        "{name:?} is {bytes} bytes; files in and out are limited to {MAX_FILE_BYTES} bytes"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_go_in_and_out_and_are_listed() {
        let ws = Workspace::temporary().unwrap();
        write(&ws, "data/in.bin", &[0, 255, 7], 1 << 20).unwrap();
        write(&ws, "a.txt", b"hello", 1 << 20).unwrap();
        assert_eq!(read(&ws, "data/in.bin").unwrap(), vec![0, 255, 7]);
        let (files, truncated) = list(&ws);
        let names: Vec<_> = files.iter().map(|file| file.path.as_str()).collect();
        assert_eq!(names, ["a.txt", "data/in.bin"]);
        assert_eq!(files[1].bytes, 3);
        assert!(!truncated);
    }

    #[test]
    fn links_out_names_out_oversized_files_and_a_full_quota_are_refused() {
        let ws = Workspace::temporary().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "host secret").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), ws.path().join("link")).unwrap();
        std::os::unix::fs::symlink(outside.path(), ws.path().join("out")).unwrap();
        for name in ["link", "out/secret", "../secret", "/etc/passwd", "missing"] {
            assert!(read(&ws, name).is_err(), "{name}");
        }
        assert!(list(&ws).0.is_empty(), "links are not listed");
        let big = vec![b'x'; MAX_FILE_BYTES as usize + 1];
        assert!(write(&ws, "big", &big, u64::MAX).is_err());
        std::fs::write(ws.path().join("grown"), &big).unwrap();
        assert!(read(&ws, "grown").is_err());
        assert!(write(&ws, "fits", &[1; 100], 50).is_err(), "over the quota");
        assert!(write(&ws, "aucoder.toml", b"x", 1 << 20).is_err());
    }
}

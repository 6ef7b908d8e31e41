//! What the final program makes, the user gets: the files it writes in its workspace (a
//! plot, a CSV) are copied next to `final_code.py`.
//!
//! The workspace is the program's, so everything in it is hostile until checked: only
//! regular files are taken (never a link), no hidden names (`.git/…`, `.bashrc`) and no
//! names aucoder reads configuration or plugins from, at most [`MAX_FILES`] files and
//! [`MAX_DEPTH`] folders deep; each is written atomically, so a link planted where it lands
//! is replaced, never followed.

use aucoder_sandbox::{is_control_name, Workspace};
use std::path::{Path, PathBuf};

/// The most files taken from one run.
pub const MAX_FILES: usize = 64;
/// The deepest folder a taken file may sit in, below the workspace.
pub const MAX_DEPTH: usize = 4;
/// The host's own files in a workspace, and the interpreter's scratch folders.
const SKIPPED: &[&str] = &["temp.py", "temp.log", "tmp", "__pycache__"];

/// Copies the program's files from `workspace` into `dest_dir`, except `skip` (the program
/// itself, under the name it was saved as); returns the paths written, sorted.
pub fn copy_outputs(
    workspace: &Workspace,
    dest_dir: &Path,
    skip: &[&Path],
) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    collect(workspace.path(), Path::new(""), 0, &mut found)?;
    found.sort();
    let mut written = Vec::new();
    for relative in found.into_iter().take(MAX_FILES) {
        let target = dest_dir.join(&relative);
        if skip.iter().any(|skipped| *skipped == target) {
            continue;
        }
        let bytes = std::fs::read(workspace.path().join(&relative))?;
        aucoder_paths::write_atomically(&target, &bytes)?;
        written.push(target);
    }
    Ok(written)
}

fn collect(
    root: &Path,
    relative: &Path,
    depth: usize,
    found: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(root.join(relative))? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with('.') || SKIPPED.contains(&name) || is_control_name(name) {
            continue;
        }
        let path = relative.join(name);
        // The entry's own type, never what a link points at.
        let kind = entry.file_type()?;
        if kind.is_file() {
            found.push(path);
        } else if kind.is_dir() && depth < MAX_DEPTH {
            collect(root, &path, depth + 1, found)?;
        }
        if found.len() > MAX_FILES {
            return Ok(());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_programs_files_are_copied_and_nothing_hostile_is() {
        let workspace = Workspace::temporary().unwrap();
        let root = workspace.path();
        std::fs::write(root.join("plot.png"), b"\x89PNG").unwrap();
        std::fs::create_dir_all(root.join("data/deep")).unwrap();
        std::fs::write(root.join("data/deep/table.csv"), b"a,b\n").unwrap();
        std::fs::write(root.join("temp.py"), b"print(1)").unwrap();
        std::fs::write(root.join("final_code.py"), b"print(2)").unwrap();
        std::fs::create_dir_all(root.join(".git/hooks")).unwrap();
        std::fs::write(root.join(".git/hooks/pre-commit"), b"rm -rf ~").unwrap();
        std::fs::create_dir_all(root.join("tmp/.matplotlib")).unwrap();
        std::fs::write(root.join("tmp/.matplotlib/fontlist.json"), b"{}").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.join("passwd")).unwrap();

        let dest = tempfile::tempdir().unwrap();
        let out = dest.path().join("final_code.py");
        std::fs::write(&out, b"the user's program").unwrap();
        let written = copy_outputs(&workspace, dest.path(), &[&out]).unwrap();
        assert_eq!(
            written,
            vec![
                dest.path().join("data/deep/table.csv"),
                dest.path().join("plot.png")
            ]
        );
        assert_eq!(
            std::fs::read(dest.path().join("plot.png")).unwrap(),
            b"\x89PNG"
        );
        assert_eq!(std::fs::read(&out).unwrap(), b"the user's program");
        assert!(!dest.path().join(".git").exists());
        assert!(!dest.path().join("passwd").exists());
        assert!(!dest.path().join("temp.py").exists());
    }

    #[test]
    fn a_flood_of_files_is_cut_at_the_cap() {
        let workspace = Workspace::temporary().unwrap();
        for index in 0..MAX_FILES + 10 {
            std::fs::write(workspace.path().join(format!("f{index:03}.txt")), b"x").unwrap();
        }
        let dest = tempfile::tempdir().unwrap();
        assert_eq!(
            copy_outputs(&workspace, dest.path(), &[]).unwrap().len(),
            MAX_FILES
        );
    }
}

//! Builds a wasm guest workspace from a build script with a nested `cargo build`.
//!
//! The sandbox embeds the Python interpreter and the host embeds the default agents; both
//! are guest crates for a wasm target that cannot be ordinary dependencies. This is the one
//! place that knows how to build them from a build script: into their own target folder
//! next to the outer one (the outer build holds its folder's lock, so building there would
//! deadlock), shared by every profile so a guest is compiled once and rebuilt only when its
//! sources change, and with the outer build's `CARGO_*` and flag variables removed from the
//! child's environment (they describe the host build and break the wasm link).

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One nested build: where the guest workspace is, for which target, with which flags.
pub struct GuestBuild<'a> {
    /// The folder holding the guest's `Cargo.toml`.
    pub manifest_dir: &'a Path,
    /// A rustc target such as `wasm32-wasip1`.
    pub target: &'a str,
    /// The build script's `OUT_DIR` (the guest target folder is derived from it).
    pub out_dir: &'a Path,
    /// The guest target folder's name, next to the outer target folder's profiles.
    pub folder: &'a str,
    /// Extra `cargo build` arguments (`--workspace`, `--ignore-rust-version`, ...).
    pub extra_args: &'a [&'a str],
}

impl GuestBuild<'_> {
    /// `<outer target>/<folder>`, whatever the profile: `OUT_DIR` is
    /// `<target>/<profile>/build/<crate>-<hash>/out`.
    pub fn target_dir(&self) -> PathBuf {
        self.out_dir
            .ancestors()
            .nth(4)
            .unwrap_or(self.out_dir)
            .join(self.folder)
    }

    /// The folder the release artifacts land in.
    pub fn artifact_dir(&self) -> PathBuf {
        self.target_dir().join(self.target).join("release")
    }

    /// Runs the build and returns the artifact folder; the error says what to install when
    /// the target is missing.
    pub fn run(&self) -> Result<PathBuf, String> {
        let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        command
            .current_dir(self.manifest_dir)
            .args(["build", "--release", "--locked", "--target", self.target])
            .args(self.extra_args)
            .arg("--target-dir")
            .arg(self.target_dir());
        for (key, _) in env::vars_os() {
            let Some(key) = key.to_str() else { continue };
            if is_outer_build_variable(key) {
                command.env_remove(key);
            }
        }
        let status = command
            .status()
            .map_err(|error| format!("starting the nested cargo build: {error}"))?;
        if !status.success() {
            return Err(format!(
                "the nested build of {} failed ({status}); is the {target} target installed? \
                 (`rustup target add {target}`)",
                self.manifest_dir.display(),
                target = self.target
            ));
        }
        Ok(self.artifact_dir())
    }

    /// Tells cargo to rebuild when the guest's sources change.
    pub fn watch(&self, paths: &[&str]) {
        for watched in paths {
            println!(
                "cargo:rerun-if-changed={}",
                self.manifest_dir.join(watched).display()
            );
        }
    }
}

fn is_outer_build_variable(key: &str) -> bool {
    (key.starts_with("CARGO_") && key != "CARGO_HOME" && key != "CARGO_MAKEFLAGS")
        || matches!(
            key,
            "RUSTFLAGS"
                | "RUSTC"
                | "RUSTC_WRAPPER"
                | "RUSTC_WORKSPACE_WRAPPER"
                | "RUSTDOC"
                | "TARGET"
                | "HOST"
                | "PROFILE"
                | "OPT_LEVEL"
                | "DEBUG"
                | "OUT_DIR"
                | "NUM_JOBS"
                | "RUSTC_LINKER"
        )
}

/// Copies `bytes` to `path` only when they differ, so an identical artifact does not make
/// the embedding crate recompile.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if std::fs::read(path).ok().as_deref() != Some(bytes) {
        std::fs::write(path, bytes)?;
    }
    Ok(())
}

//! Builds the Python interpreter guest (`python-wasm/`, RustPython for wasm32-wasip1) with a
//! nested cargo and hands the module to `src/wasm.rs` through `OUT_DIR`.
//!
//! The guest builds into its own target folder next to the outer one (never the outer folder
//! itself: the outer build holds its lock), shared by every profile, so it is compiled once and
//! rebuilt only when its sources change. The outer build's `CARGO_*` and flag variables are
//! removed from the child's environment: they describe the host build and break the wasm link.
//!
//! `AUCODER_PYTHON_WASM=/path/python.wasm` skips the nested build and embeds that module.

use sha2::{Digest, Sha256};
use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const GUEST_TARGET: &str = "wasm32-wasip1";

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    let guest_dir = manifest_dir.join("python-wasm");
    for watched in ["src", "Cargo.toml", "Cargo.lock"] {
        println!(
            "cargo:rerun-if-changed={}",
            guest_dir.join(watched).display()
        );
    }
    println!("cargo:rerun-if-env-changed=AUCODER_PYTHON_WASM");

    let module = match env::var_os("AUCODER_PYTHON_WASM") {
        Some(prebuilt) => PathBuf::from(prebuilt),
        None => build_guest(&guest_dir, &guest_target_dir(&out_dir)),
    };
    let bytes = std::fs::read(&module).unwrap_or_else(|error| {
        panic!(
            "reading the interpreter module {}: {error}",
            module.display()
        )
    });
    let embedded = out_dir.join("python.wasm");
    // Rewrite only on change so the crate is not recompiled for an identical module.
    if std::fs::read(&embedded).ok().as_deref() != Some(&bytes[..]) {
        std::fs::write(&embedded, &bytes)
            .unwrap_or_else(|error| panic!("writing {}: {error}", embedded.display()));
    }
    println!(
        "cargo:rustc-env=AUCODER_PYTHON_WASM_SHA256={}",
        hex::encode(Sha256::digest(&bytes))
    );
}

/// `<outer target>/wasm-guests`, whatever the profile: OUT_DIR is
/// `<target>/<profile>/build/<crate>-<hash>/out`.
fn guest_target_dir(out_dir: &Path) -> PathBuf {
    out_dir
        .ancestors()
        .nth(4)
        .unwrap_or(out_dir)
        .join("wasm-guests")
}

fn build_guest(guest_dir: &Path, target_dir: &Path) -> PathBuf {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(guest_dir)
        .args(["build", "--release", "--locked", "--target", GUEST_TARGET])
        // rustpython's pinned ruff crates declare a newer MSRV than they need.
        .arg("--ignore-rust-version")
        .arg("--target-dir")
        .arg(target_dir);
    for (key, _) in env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        let outer_build_variable =
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
                );
        if outer_build_variable {
            command.env_remove(key);
        }
    }
    let status = command.status().unwrap_or_else(|error| {
        panic!("starting the nested cargo build of the interpreter: {error}")
    });
    if !status.success() {
        panic!(
            "building the Python interpreter guest failed ({status}); is the {GUEST_TARGET} \
             target installed? (`rustup target add {GUEST_TARGET}`)"
        );
    }
    target_dir
        .join(GUEST_TARGET)
        .join("release")
        .join("python.wasm")
}

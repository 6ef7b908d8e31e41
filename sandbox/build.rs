//! Builds the Python interpreter guest (`python-wasm/`, RustPython for wasm32-wasip1) with a
//! nested cargo and hands the module to `src/wasm.rs` through `OUT_DIR`.
//!
//! The guest builds into its own target folder next to the outer one (never the outer folder
//! itself: the outer build holds its lock), shared by every profile, so it is compiled once and
//! rebuilt only when its sources change. The outer build's `CARGO_*` and flag variables are
//! removed from the child's environment: they describe the host build and break the wasm link.
//!
//! `AUCODER_PYTHON_WASM=/path/python.wasm` skips the nested build and embeds that module.

use aucoder_guest_build::{write_if_changed, GuestBuild};
use sha2::{Digest, Sha256};
use std::env;
use std::path::PathBuf;

const GUEST_TARGET: &str = "wasm32-wasip1";

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    let guest_dir = manifest_dir.join("python-wasm");
    let build = GuestBuild {
        manifest_dir: &guest_dir,
        target: GUEST_TARGET,
        out_dir: &out_dir,
        folder: "wasm-guests",
        // rustpython's pinned ruff crates declare a newer MSRV than they need.
        extra_args: &["--ignore-rust-version"],
    };
    build.watch(&["src", "Cargo.toml", "Cargo.lock"]);
    println!("cargo:rerun-if-env-changed=AUCODER_PYTHON_WASM");

    let module = match env::var_os("AUCODER_PYTHON_WASM") {
        Some(prebuilt) => PathBuf::from(prebuilt),
        None => build
            .run()
            .unwrap_or_else(|error| panic!("building the Python interpreter guest: {error}"))
            .join("python.wasm"),
    };
    let bytes = std::fs::read(&module).unwrap_or_else(|error| {
        panic!(
            "reading the interpreter module {}: {error}",
            module.display()
        )
    });
    let embedded = out_dir.join("python.wasm");
    write_if_changed(&embedded, &bytes)
        .unwrap_or_else(|error| panic!("writing {}: {error}", embedded.display()));
    println!(
        "cargo:rustc-env=AUCODER_PYTHON_WASM_SHA256={}",
        hex::encode(Sha256::digest(&bytes))
    );
}

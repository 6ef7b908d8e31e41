//! Builds the agent plugins (`plugins/`, wasm32-wasip2 components) with a nested cargo and
//! hands the five default agents to `src/plugins/builtin.rs` through `OUT_DIR`.
//!
//! It also embeds the default retrieval corpus (`utils/`) for runs outside the repository.
//!
//! The folder of all built plugins, including the example and test plugins that are not
//! embedded, is exported as `AUCODER_PLUGIN_BUILD_DIR` for the tests.

use aucoder_guest_build::{write_if_changed, GuestBuild};
use std::env;
use std::path::PathBuf;

/// The default agents, by role, and their component files.
const DEFAULT_AGENTS: [(&str, &str); 5] = [
    ("retriever", "agent_retriever.wasm"),
    ("planner", "agent_planner.wasm"),
    ("coder", "agent_coder.wasm"),
    ("executor", "agent_executor.wasm"),
    ("debugger", "agent_debugger.wasm"),
];

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    let plugins_dir = manifest_dir.join("..").join("plugins");
    let build = GuestBuild {
        manifest_dir: &plugins_dir,
        target: "wasm32-wasip2",
        out_dir: &out_dir,
        folder: "agent-plugins",
        extra_args: &["--workspace"],
    };
    build.watch(&[
        "Cargo.toml",
        "Cargo.lock",
        "wit",
        "sdk",
        "retriever",
        "planner",
        "coder",
        "executor",
        "debugger",
        "examples",
        "testing",
    ]);
    let artifacts = build
        .run()
        .unwrap_or_else(|error| panic!("building the agent plugins: {error}"));
    for (role, file) in DEFAULT_AGENTS {
        let source = artifacts.join(file);
        let bytes = std::fs::read(&source)
            .unwrap_or_else(|error| panic!("reading {}: {error}", source.display()));
        let embedded = out_dir.join(format!("{role}.wasm"));
        write_if_changed(&embedded, &bytes)
            .unwrap_or_else(|error| panic!("writing {}: {error}", embedded.display()));
    }
    println!(
        "cargo:rustc-env=AUCODER_PLUGIN_BUILD_DIR={}",
        artifacts.display()
    );
    embed_corpus(&manifest_dir.join("..").join("utils"), &out_dir);
}

/// Writes `corpus.rs`: `(file name, contents)` of every file in `utils/`.
fn embed_corpus(utils: &std::path::Path, out_dir: &std::path::Path) {
    println!("cargo:rerun-if-changed={}", utils.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(utils)
        .unwrap_or_else(|error| panic!("reading {}: {error}", utils.display()))
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    let mut source = String::from("&[\n");
    for file in files {
        let name = file
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_else(|| panic!("{} has a name that is not UTF-8", file.display()));
        let absolute = file
            .canonicalize()
            .unwrap_or_else(|error| panic!("resolving {}: {error}", file.display()));
        source.push_str(&format!(
            "    ({name:?}, include_bytes!({:?}) as &[u8]),\n",
            absolute.display().to_string()
        ));
    }
    source.push_str("]\n");
    write_if_changed(&out_dir.join("corpus.rs"), source.as_bytes())
        .unwrap_or_else(|error| panic!("writing corpus.rs: {error}"));
}

//! End-to-end tests of `aucoder index` and `aucoder search` on a small corpus of mixed files.

use std::process::Command;

fn aucoder(args: &[&str], cache: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_aucoder"))
        .args(args)
        // A private index cache; the models stay where the test setup put them.
        .env("AUCODER_MODEL_DIR", aucoder_llm_models())
        .env("AUCODER_CACHE_DIR", cache)
        .output()
        .expect("aucoder starts")
}

/// Where the shared model store is, before AUCODER_CACHE_DIR is pointed elsewhere.
fn aucoder_llm_models() -> std::path::PathBuf {
    if let Some(dir) = std::env::var_os("AUCODER_MODEL_DIR") {
        return dir.into();
    }
    if let Some(dir) = std::env::var_os("AUCODER_CACHE_DIR") {
        return std::path::PathBuf::from(dir).join("models");
    }
    std::path::PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/aucoder/models")
}

#[test]
fn index_then_search_prints_chunks_with_their_file_names() {
    let corpus = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    std::fs::write(
        corpus.path().join("sorting.md"),
        "# Sorting\n\nUse sorted(items) to get a new sorted list; list.sort() sorts in place.\n\nQuick sort partitions around a pivot.",
    )
    .unwrap();
    std::fs::write(
        corpus.path().join("dates.py"),
        "# Parse dates with datetime.strptime(text, '%Y-%m-%d') and format them with strftime.\n",
    )
    .unwrap();
    std::fs::create_dir(corpus.path().join("nested")).unwrap();
    std::fs::write(
        corpus.path().join("nested/regex.txt"),
        "Regular expressions: re.findall returns all matches of a pattern in a string.",
    )
    .unwrap();
    let dir = corpus.path().to_str().unwrap();

    let output = aucoder(&["index", "--utils", dir], cache.path());
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("indexed 3 files"), "{stdout}");

    let output = aucoder(&["index", "--utils", dir], cache.path());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("3 files from the cache, 0 chunks embedded"),
        "{stdout}"
    );

    let output = aucoder(
        &[
            "search",
            "--utils",
            dir,
            "-k",
            "1",
            "how do I parse a date string",
        ],
        cache.path(),
    );
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("[dates.py] "), "{stdout}");

    let output = aucoder(
        &["search", "--utils", "/no/such/folder", "anything"],
        cache.path(),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("does not exist"));
}

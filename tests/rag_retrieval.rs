//! Retrieval on real documentation: the docstrings of 30 standard-library modules, written
//! out by `tests/support/make_stdlib_corpus.py`. Queries about specific functions must find a
//! chunk of the right module in the top 3. Also: the cache makes an unchanged corpus free to
//! re-open and a changed file re-embeds only itself.

use aucoder_llm::store::ModelStore;
use aucoder_rag::Rag;
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

/// Tests here share the cache folder and the embedding model: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn make_corpus(dir: &Path) {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/support/make_stdlib_corpus.py"
    );
    let status = Command::new("python3")
        .arg(script)
        .arg(dir)
        .status()
        .unwrap();
    assert!(status.success());
}

fn open(corpus: &Path, cache: &Path) -> Rag {
    Rag::open_with_cache(corpus, cache, ModelStore::default(), true, false).unwrap()
}

#[test]
fn queries_about_functions_find_the_right_module() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let corpus = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    make_corpus(corpus.path());
    let rag = open(corpus.path(), cache.path());
    assert!(rag.stats().chunks > 300, "{:?}", rag.stats());
    let queries = [
        (
            "merge several sorted inputs into a single sorted output",
            "heapq.txt",
        ),
        (
            "insert an item into a sorted list and keep it sorted",
            "bisect.txt",
        ),
        ("serialize an object to a JSON formatted string", "json.txt"),
        ("median of numeric data", "statistics.txt"),
        (
            "wrap a paragraph so every line is at most width characters long",
            "textwrap.txt",
        ),
        ("shuffle a list in place", "random.txt"),
        ("greatest common divisor of integers", "math.txt"),
        ("encode bytes using Base64", "base64.txt"),
        (
            "return a list of paths matching a pathname pattern with wildcards",
            "glob.txt",
        ),
        (
            "cache function results with a least-recently-used cache",
            "functools.txt",
        ),
    ];
    let mut found = 0;
    let mut report = Vec::new();
    for (query, expected) in queries {
        let hits = rag.search(query, 3).unwrap();
        assert_eq!(hits.len(), 3);
        assert!(hits.iter().all(|hit| hit.text.starts_with('[')), "{hits:?}");
        let files: Vec<&str> = hits.iter().map(|hit| hit.file.as_str()).collect();
        if files.contains(&expected) {
            found += 1;
        }
        report.push(format!("{query:?} -> {files:?} (want {expected})"));
    }
    assert!(found >= 8, "only {found}/10:\n{}", report.join("\n"));
}

#[test]
fn unchanged_corpus_is_not_re_embedded_and_a_changed_file_only_itself() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let corpus = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    std::fs::write(
        corpus.path().join("a.md"),
        "Alpha paragraph about sorting.\n\nMore on quicksort.",
    )
    .unwrap();
    std::fs::write(
        corpus.path().join("b.txt"),
        "Beta text about dates and times.",
    )
    .unwrap();
    std::fs::write(corpus.path().join("skip.bin"), [0u8, 1, 2]).unwrap();
    {
        let first = open(corpus.path(), cache.path());
        assert_eq!(first.stats().files, 2);
        assert_eq!(first.stats().cached_files, 0);
        assert!(first.stats().embedded_chunks >= 2);

        let again = open(corpus.path(), cache.path());
        assert_eq!(again.stats().cached_files, 2);
        assert_eq!(again.stats().embedded_chunks, 0);
        assert_eq!(again.stats().chunks, first.stats().chunks);

        std::fs::write(
            corpus.path().join("b.txt"),
            "Beta text, now about regular expressions.",
        )
        .unwrap();
        let changed = open(corpus.path(), cache.path());
        assert_eq!(changed.stats().cached_files, 1);
        assert_eq!(changed.stats().embedded_chunks, 1);
        let hits = changed.search("regular expressions", 1).unwrap();
        assert_eq!(hits[0].file, "b.txt");
        assert!(hits[0].text.starts_with("[b.txt] "));
    }
}

#[test]
fn a_missing_corpus_is_a_clear_error() {
    let error = Rag::open(
        Path::new("/no/such/corpus"),
        ModelStore::default(),
        false,
        false,
    )
    .err()
    .unwrap();
    assert!(error.to_string().contains("does not exist"), "{error}");
}

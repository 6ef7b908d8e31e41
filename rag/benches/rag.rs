//! Retrieval benchmarks (`cargo bench -p aucoder-rag --bench rag`): a cold index build of a
//! ~700-chunk corpus made from standard-library documentation, an unchanged re-index, and
//! query latency (embedding the query + exact search).

use aucoder_llm::store::ModelStore;
use aucoder_rag::Rag;
use std::process::Command;
use std::time::Instant;

fn main() {
    let corpus = tempfile::tempdir().expect("temp");
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/support/make_stdlib_corpus.py"
    );
    let status = Command::new("python3")
        .arg(script)
        .arg(corpus.path())
        .arg("large")
        .status()
        .expect("python3");
    assert!(status.success());
    // Load the embedding model once first so the build measures embedding, not start-up.
    let warm = tempfile::tempdir().expect("temp");
    let empty = tempfile::tempdir().expect("temp");
    std::fs::write(empty.path().join("x.txt"), "warm up").expect("write");
    Rag::open_with_cache(
        empty.path(),
        warm.path(),
        ModelStore::default(),
        true,
        false,
    )
    .expect("warm");

    let cache = tempfile::tempdir().expect("temp");
    let started = Instant::now();
    let rag = Rag::open_with_cache(
        corpus.path(),
        cache.path(),
        ModelStore::default(),
        true,
        false,
    )
    .expect("index");
    let build = started.elapsed();
    let stats = rag.stats().clone();
    println!(
        "index build (cold cache): {} files, {} chunks embedded in {:.2} s ({:.1} chunks/s; includes loading the model: {:.2} s total)",
        stats.files,
        stats.embedded_chunks,
        stats.duration.as_secs_f64(),
        stats.embedded_chunks as f64 / stats.duration.as_secs_f64(),
        build.as_secs_f64()
    );

    let mut reopen = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let again = Rag::open_with_cache(
            corpus.path(),
            cache.path(),
            ModelStore::default(),
            true,
            false,
        )
        .expect("reindex");
        reopen.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(again.stats().embedded_chunks, 0);
    }
    reopen.sort_by(|a, b| a.total_cmp(b));
    println!("unchanged re-index: median {:.1} ms (5 runs)", reopen[2]);

    let queries = [
        "merge sorted inputs",
        "parse a date string",
        "random sample without replacement",
        "split a string with a regular expression",
        "greatest common divisor",
        "copy a directory tree",
        "read rows from a CSV file",
        "hash a password securely",
        "compare two sequences and show differences",
        "format a number with thousands separators",
    ];
    rag.search("warm up", 3).expect("search");
    let mut latencies = Vec::new();
    let mut search_only = Vec::new();
    for round in 0..20 {
        for query in queries {
            let started = Instant::now();
            let hits = rag.search(query, 3).expect("search");
            latencies.push(started.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(hits.len(), 3);
            if round == 0 {
                let vector = rag
                    .embedder()
                    .expect("model")
                    .embed_one(query)
                    .expect("embed");
                let started = Instant::now();
                let _ = rag.index().search(&vector, 3);
                search_only.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
    latencies.sort_by(|a, b| a.total_cmp(b));
    search_only.sort_by(|a, b| a.total_cmp(b));
    println!(
        "query: p50 {:.2} ms, p99 {:.2} ms (embed + search, {} queries over {} chunks); exact search alone p50 {:.3} ms",
        latencies[latencies.len() / 2],
        latencies[latencies.len() * 99 / 100],
        latencies.len(),
        stats.chunks,
        search_only[search_only.len() / 2]
    );
}

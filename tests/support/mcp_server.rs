//! `aucoder mcp` over HTTP on a free port, for the tests that speak to it.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub fn aucoder() -> &'static str {
    env!("CARGO_BIN_EXE_aucoder")
}

/// A small corpus so RAG_Search has something to find.
pub fn corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sorting.md"),
        "Sorting a list in Python: use sorted(items) or items.sort().\n\nQuick sort picks a pivot and partitions the list.",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("dates.md"),
        "Dates: datetime.strptime parses text into a datetime.",
    )
    .unwrap();
    dir
}

/// `aucoder mcp` over HTTP on a free port; killed when dropped.
pub struct Server {
    pub child: Child,
    pub url: String,
    _corpus: tempfile::TempDir,
}

impl Server {
    pub fn start(extra: &[&str]) -> Self {
        Self::start_with(extra, &[])
    }

    /// Starts the server with extra arguments and environment variables.
    pub fn start_with(extra: &[&str], env: &[(&str, &Path)]) -> Self {
        let corpus = corpus();
        let mut child = Command::new(aucoder())
            .args([
                "mcp",
                "--transport",
                "http",
                "--bind",
                "127.0.0.1:0",
                "--utils",
            ])
            .arg(corpus.path())
            .args(extra)
            .env("AUCODER_MCP_NOOP", "1")
            .envs(env.iter().map(|(key, value)| (*key, *value)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut url = None;
        for _ in 0..50 {
            let mut line = String::new();
            if stderr.read_line(&mut line).unwrap() == 0 {
                break;
            }
            if let Some(at) = line.find("http://") {
                url = Some(line[at..].split_whitespace().next().unwrap().to_owned());
                break;
            }
        }
        let url = url.expect("the server printed its address");
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in stderr.lines() {});
        Self {
            child,
            url,
            _corpus: corpus,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

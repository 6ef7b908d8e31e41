//! Captured program output with a hard cap: the program may write as much as it likes, the
//! host keeps the first `cap` bytes per stream, drops the rest and says so in the text.
//!
//! Failing the write instead (what a plain memory pipe does) turns a chatty program into an
//! `OSError` inside the program, which is a worse report than a truncated log.

use bytes::Bytes;
use std::sync::{Arc, Mutex, PoisonError};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};

/// Which stream a chunk of live output belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    Stdout,
    Stderr,
}

/// A callback that sees output as the program writes it (only the part that is kept).
pub type LiveOutput = Arc<dyn Fn(StreamKind, &[u8]) + Send + Sync>;

#[derive(Default)]
struct Buffer {
    kept: Vec<u8>,
    dropped: u64,
}

/// One captured stream. Clones share the buffer.
#[derive(Clone)]
pub(crate) struct CappedOutput {
    kind: StreamKind,
    cap: usize,
    buffer: Arc<Mutex<Buffer>>,
    live: Option<LiveOutput>,
}

impl CappedOutput {
    pub(crate) fn new(kind: StreamKind, cap: usize, live: Option<LiveOutput>) -> Self {
        Self {
            kind,
            cap,
            buffer: Arc::default(),
            live,
        }
    }

    /// Keeps what fits under the cap and counts the rest.
    pub(crate) fn push(&self, bytes: &[u8]) {
        let kept = {
            let mut buffer = self.buffer.lock().unwrap_or_else(PoisonError::into_inner);
            let room = self.cap.saturating_sub(buffer.kept.len());
            let keep = bytes.len().min(room);
            buffer.kept.extend_from_slice(&bytes[..keep]);
            buffer.dropped += (bytes.len() - keep) as u64;
            keep
        };
        if kept > 0 {
            if let Some(live) = &self.live {
                live(self.kind, &bytes[..kept]);
            }
        }
    }

    /// The text kept so far (invalid UTF-8 replaced), with a marker line if bytes were dropped.
    pub(crate) fn text(&self) -> (String, bool) {
        let buffer = self.buffer.lock().unwrap_or_else(PoisonError::into_inner);
        let mut text = String::from_utf8_lossy(&buffer.kept).into_owned();
        let truncated = buffer.dropped > 0;
        if truncated {
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&truncation_marker(buffer.dropped, self.cap));
        }
        (text, truncated)
    }

    /// The text kept since the last take, emptying the buffer (sessions read each turn's).
    pub(crate) fn take(&self) -> String {
        let mut buffer = self.buffer.lock().unwrap_or_else(PoisonError::into_inner);
        let kept = std::mem::take(&mut buffer.kept);
        buffer.dropped = 0;
        String::from_utf8_lossy(&kept).into_owned()
    }

    /// Tells the live sink about the truncation, once, at the end of a run.
    pub(crate) fn finish_live(&self) {
        let dropped = self
            .buffer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .dropped;
        if let (Some(live), true) = (&self.live, dropped > 0) {
            live(
                self.kind,
                format!("\n{}", truncation_marker(dropped, self.cap)).as_bytes(),
            );
        }
    }
}

/// A run's stdout and stderr, capped alike.
pub(crate) struct Captured {
    pub stdout: CappedOutput,
    pub stderr: CappedOutput,
}

impl Captured {
    pub(crate) fn new(cap: usize, live: Option<LiveOutput>) -> Self {
        Self {
            stdout: CappedOutput::new(StreamKind::Stdout, cap, live.clone()),
            stderr: CappedOutput::new(StreamKind::Stderr, cap, live),
        }
    }

    /// The run's [`Execution`], once the program is gone and its output complete.
    pub(crate) fn finish(
        &self,
        exit: crate::Exit,
        duration: std::time::Duration,
        ran_on: crate::BackendKind,
    ) -> crate::Execution {
        self.stdout.finish_live();
        self.stderr.finish_live();
        let (stdout, stdout_cut) = self.stdout.text();
        let (stderr, stderr_cut) = self.stderr.text();
        crate::Execution {
            exit,
            stdout,
            stderr,
            output_truncated: stdout_cut || stderr_cut,
            duration,
            ran_on,
        }
    }
}

fn truncation_marker(dropped: u64, cap: usize) -> String {
    format!("[aucoder: output truncated at {cap} bytes; {dropped} more bytes dropped]\n")
}

impl IsTerminal for CappedOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CappedOutput {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl OutputStream for CappedOutput {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.push(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        // Always accept: excess output is dropped, not refused.
        Ok(64 * 1024)
    }
}

#[async_trait::async_trait]
impl Pollable for CappedOutput {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncWrite for CappedOutput {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        self.push(buf);
        std::task::Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_up_to_the_cap_and_marks_the_rest() {
        let out = CappedOutput::new(StreamKind::Stdout, 4, None);
        out.push(b"abc");
        out.push(b"defgh");
        let (text, truncated) = out.text();
        assert!(truncated);
        assert!(text.starts_with("abcd\n[aucoder: output truncated at 4 bytes; 4 more"));
    }

    #[test]
    fn under_the_cap_nothing_is_marked() {
        let out = CappedOutput::new(StreamKind::Stderr, 10, None);
        out.push(b"hi\n");
        assert_eq!(out.text(), ("hi\n".to_owned(), false));
    }
}

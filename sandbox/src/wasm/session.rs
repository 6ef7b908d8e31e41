//! Python sessions: one interpreter kept across calls, like a notebook kernel, so imports and
//! variables carry over from one turn to the next.
//!
//! A session is a wasm guest that never ends between turns: it runs a small driver
//! (`session_driver.py`) that reads one request per line from its stdin and answers one JSON
//! line on its stdout. The guest gets the same store as a one-shot run ([`super::new_store`]):
//! the same workspace, memory cap and disk quota, for the session's whole life. Each turn has
//! its own time limit, checked at every epoch tick while the guest computes and around host
//! calls it blocks in; a turn that passes it ends the session (an interpreter stopped
//! mid-bytecode cannot be trusted to go on), and the caller is told so. Dropping the session
//! stops its guest.

use super::{classify_error, enter, new_store, GuestLayout, GuestStdio, RunState};
use super::{BLOCKED_CALL_GRACE, EPOCH_TICK};
use crate::output::{CappedOutput, StreamKind};
use crate::{BackendKind, Exit, Limits, StopReason, Workspace};
use bytes::Bytes;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use wasmtime::{Engine, InstancePre, UpdateDeadline};
use wasmtime_wasi::cli::{AsyncStdinStream, IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};

/// The driver the guest runs with `-c`.
pub(crate) const DRIVER: &str = include_str!("session_driver.py");

/// Room in the pipe that carries requests to the guest.
const REQUEST_PIPE_BYTES: usize = 64 << 10;
/// The deadline value that means "between turns": the guest is then blocked reading.
const IDLE: u64 = u64::MAX;

/// What one turn did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionTurn {
    pub stdout: String,
    pub stderr: String,
    /// The repr of the turn's final expression, when it had one whose value is not `None`.
    pub result: Option<String>,
    /// The traceback, when the turn raised (the session goes on).
    pub error: Option<String>,
    /// Whether output past the cap was dropped.
    pub output_truncated: bool,
    pub duration: Duration,
}

/// Why a session cannot run turns any more.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionEnded {
    #[error("the turn passed its time limit of {:.1} s and the session was stopped", .0.as_secs_f64())]
    Timeout(Duration),
    #[error("the session ran out of memory (limit {} MiB) and was stopped", .0 >> 20)]
    OutOfMemory(u64),
    #[error("the session's interpreter exited with code {0}")]
    Exited(i32),
    #[error("the session's interpreter stopped: {0}")]
    Failed(String),
    #[error(
        "the turn wrote more than the output limit outside print() and the session was stopped"
    )]
    OutputFlood,
}

/// A running session. Turns run one at a time (`&mut self`).
pub struct PythonSession {
    requests: tokio::io::DuplexStream,
    answers: AnswerSink,
    stray_stderr: CappedOutput,
    guest: JoinHandle<GuestEnd>,
    /// Milliseconds after `origin` at which the running turn must stop, or [`IDLE`].
    deadline: Arc<AtomicU64>,
    origin: Instant,
    limits: Limits,
    turns: u64,
    ended: Option<SessionEnded>,
    ran_on: BackendKind,
}

/// How the guest task ended.
struct GuestEnd {
    exit: Exit,
    note: Option<String>,
    memory_hit: bool,
}

impl PythonSession {
    /// Starts the driver in a fresh store and waits (within `limits.timeout`) until it is
    /// ready for its first turn.
    pub(crate) async fn start(
        engine: &Engine,
        pre: &InstancePre<RunState>,
        workspace: Arc<Workspace>,
        limits: &Limits,
        layout: GuestLayout<'_>,
    ) -> Result<Self, crate::SandboxError> {
        let (requests, guest_stdin) = tokio::io::duplex(REQUEST_PIPE_BYTES);
        // Answers carry both streams, JSON-escaped: room for that, never unbounded.
        let answers = AnswerSink::new(limits.output_bytes.saturating_mul(16) + (64 << 10));
        let stray_stderr = CappedOutput::new(StreamKind::Stderr, limits.output_bytes, None);
        let mut store = new_store(
            engine,
            &workspace,
            limits,
            &layout,
            GuestStdio {
                stdin: AsyncStdinStream::new(guest_stdin),
                stdout: answers.clone(),
                stderr: stray_stderr.clone(),
            },
        )?;
        let origin = Instant::now();
        let deadline = Arc::new(AtomicU64::new(start_deadline(limits.timeout)));
        let watched = deadline.clone();
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            let now = u64::try_from(origin.elapsed().as_millis()).unwrap_or(IDLE);
            if now > watched.load(Ordering::Relaxed) {
                return Ok(UpdateDeadline::Interrupt);
            }
            // Yielding lets other calls use this worker thread while a turn computes.
            Ok(UpdateDeadline::Yield(1))
        });
        let pre = pre.clone();
        let entry = layout.entry;
        let guest = tokio::spawn(async move {
            // The workspace must outlive the guest that has it open.
            let _workspace = workspace;
            let (exit, note) = match enter(&mut store, &pre, entry).await {
                Ok(code) => (Exit::Code(code), None),
                Err(error) => classify_error(&error),
            };
            GuestEnd {
                exit,
                note,
                memory_hit: store.data().memory.was_hit(),
            }
        });
        let mut session = Self {
            requests,
            answers,
            stray_stderr,
            guest,
            deadline,
            origin,
            limits: limits.clone(),
            turns: 0,
            ended: None,
            ran_on: layout.ran_on,
        };
        let started = Instant::now();
        match session.next_answer(limits.timeout, started, None).await {
            Ok(_) => {
                session.deadline.store(IDLE, Ordering::Relaxed);
                Ok(session)
            }
            Err(ended) => Err(crate::SandboxError::SessionStart(ended.to_string())),
        }
    }

    /// The interpreter that runs this session.
    pub fn ran_on(&self) -> BackendKind {
        self.ran_on
    }

    /// Why the session ended, if it has.
    pub fn ended(&self) -> Option<&SessionEnded> {
        self.ended.as_ref()
    }

    /// Runs `code` in the session's namespace, stopping it after `timeout` (at most the
    /// session's own time limit). An error means the session is over; a Python exception is
    /// not an error but the turn's `error`.
    pub async fn run(
        &mut self,
        code: &str,
        timeout: Duration,
    ) -> Result<SessionTurn, SessionEnded> {
        if let Some(ended) = &self.ended {
            return Err(ended.clone());
        }
        let timeout = timeout.min(self.limits.timeout);
        self.turns += 1;
        let nonce = format!("{}-{}", self.turns, random_hex());
        let mut request = serde_json::to_vec(&serde_json::json!({
            "turn": self.turns,
            "nonce": nonce,
            "code": code,
            "cap": self.limits.output_bytes,
        }))
        .map_err(|error| SessionEnded::Failed(error.to_string()))?;
        request.push(b'\n');
        let started = Instant::now();
        let since_origin = started.duration_since(self.origin) + timeout;
        self.deadline.store(
            u64::try_from(since_origin.as_millis()).unwrap_or(IDLE),
            Ordering::Relaxed,
        );
        let sent = tokio::time::timeout(timeout, self.requests.write_all(&request)).await;
        let answer = match sent {
            Ok(Ok(())) => self.next_answer(timeout, started, Some(&nonce)).await,
            Ok(Err(_closed)) => Err(self.end(timeout).await),
            Err(_elapsed) => Err(self.stop(SessionEnded::Timeout(timeout))),
        };
        self.deadline.store(IDLE, Ordering::Relaxed);
        let mut turn = answer?;
        turn.duration = started.elapsed();
        let stray = self.stray_stderr.take();
        if !stray.is_empty() {
            turn.stderr.push_str(&stray);
        }
        Ok(turn)
    }

    /// Waits for the driver's next answer (with `nonce`, or its ready line), or for the
    /// guest to end, or for `timeout` (plus the grace for blocked host calls) to pass.
    async fn next_answer(
        &mut self,
        timeout: Duration,
        started: Instant,
        nonce: Option<&str>,
    ) -> Result<SessionTurn, SessionEnded> {
        let mut stray_stdout = String::new();
        let give_up = started + timeout + BLOCKED_CALL_GRACE + EPOCH_TICK;
        loop {
            for line in self.answers.take_lines() {
                match parse_answer(&line, nonce) {
                    Some(mut turn) => {
                        turn.stdout.insert_str(0, &stray_stdout);
                        return Ok(turn);
                    }
                    None => stray_stdout.push_str(&String::from_utf8_lossy(&line)),
                }
            }
            if self.answers.overflowed() {
                return Err(self.stop(SessionEnded::OutputFlood));
            }
            let wake = {
                let woken = self.answers.woken();
                tokio::select! {
                    () = woken => Wake::Output,
                    end = &mut self.guest => Wake::Ended(end),
                    () = tokio::time::sleep_until(give_up.into()) => Wake::TimedOut,
                }
            };
            match wake {
                Wake::Output => {}
                Wake::Ended(end) => return Err(self.ended_with(end, timeout)),
                Wake::TimedOut => return Err(self.stop(SessionEnded::Timeout(timeout))),
            }
        }
    }

    /// Records that the session is over and stops its guest.
    fn stop(&mut self, why: SessionEnded) -> SessionEnded {
        self.guest.abort();
        self.ended = Some(why.clone());
        why
    }

    /// The guest has ended (its stdin closed): why, as the session's end.
    async fn end(&mut self, timeout: Duration) -> SessionEnded {
        let end = (&mut self.guest).await;
        self.ended_with(end, timeout)
    }

    /// The session's end, from how its guest task ended.
    fn ended_with(
        &mut self,
        end: Result<GuestEnd, tokio::task::JoinError>,
        timeout: Duration,
    ) -> SessionEnded {
        let why = match end {
            Ok(end) if end.memory_hit => SessionEnded::OutOfMemory(self.limits.memory_bytes),
            Ok(GuestEnd {
                exit: Exit::Stopped(StopReason::Timeout),
                ..
            }) => SessionEnded::Timeout(timeout),
            Ok(GuestEnd {
                exit: Exit::Code(code),
                ..
            }) => SessionEnded::Exited(code),
            Ok(GuestEnd { note, exit, .. }) => {
                SessionEnded::Failed(note.unwrap_or_else(|| format!("{exit:?}")))
            }
            Err(error) => SessionEnded::Failed(error.to_string()),
        };
        self.stop(why)
    }
}

/// What woke a turn waiting for its answer.
enum Wake {
    Output,
    Ended(Result<GuestEnd, tokio::task::JoinError>),
    TimedOut,
}

impl Drop for PythonSession {
    fn drop(&mut self) {
        self.guest.abort();
    }
}

/// The guest's allowance for start-up, as a deadline after the session's origin.
fn start_deadline(timeout: Duration) -> u64 {
    u64::try_from(timeout.as_millis()).unwrap_or(IDLE)
}

/// The turn an answer line reports, when it is the driver's answer to `nonce` (or, with no
/// nonce, its ready line); anything else is output a program wrote to the real stdout.
fn parse_answer(line: &[u8], nonce: Option<&str>) -> Option<SessionTurn> {
    let value: serde_json::Value = serde_json::from_slice(line).ok()?;
    let Some(nonce) = nonce else {
        return (value.get("ready") == Some(&serde_json::Value::Bool(true))).then(|| SessionTurn {
            stdout: String::new(),
            stderr: String::new(),
            result: None,
            error: None,
            output_truncated: false,
            duration: Duration::ZERO,
        });
    };
    if value.get("nonce").and_then(|n| n.as_str()) != Some(nonce) {
        return None;
    }
    let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    Some(SessionTurn {
        stdout: text("stdout").unwrap_or_default(),
        stderr: text("stderr").unwrap_or_default(),
        result: text("result"),
        error: text("error"),
        output_truncated: value.get("dropped").and_then(|d| d.as_u64()).unwrap_or(0) > 0,
        duration: Duration::ZERO,
    })
}

/// Sixteen random bytes in hex: a nonce a program cannot guess before it reads it.
pub fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // Only a session's own program could exploit a weak nonce, to confuse itself.
        let fallback = std::collections::hash_map::RandomState::new();
        let seed = std::hash::BuildHasher::hash_one(&fallback, Instant::now());
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
    }
    hex::encode(bytes)
}

/// The guest's stdout: split into lines for the host, each line capped, and a wake-up for
/// the turn waiting on them.
#[derive(Clone)]
struct AnswerSink {
    state: Arc<Mutex<SinkState>>,
    wake: Arc<Notify>,
    cap: usize,
}

#[derive(Default)]
struct SinkState {
    partial: Vec<u8>,
    lines: Vec<Vec<u8>>,
    overflowed: bool,
}

impl AnswerSink {
    fn new(cap: usize) -> Self {
        Self {
            state: Arc::default(),
            wake: Arc::new(Notify::new()),
            cap,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SinkState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, mut bytes: &[u8]) {
        {
            let mut state = self.lock();
            while let Some(end) = bytes.iter().position(|&b| b == b'\n') {
                let mut line = std::mem::take(&mut state.partial);
                line.extend_from_slice(&bytes[..end]);
                if line.len() > self.cap {
                    state.overflowed = true;
                } else {
                    state.lines.push(line);
                }
                bytes = &bytes[end + 1..];
            }
            state.partial.extend_from_slice(bytes);
            if state.partial.len() > self.cap {
                state.overflowed = true;
                state.partial.clear();
            }
            let pending = state.lines.iter().map(Vec::len).sum::<usize>();
            if pending > self.cap {
                state.overflowed = true;
                state.lines.clear();
            }
        }
        self.wake.notify_one();
    }

    fn take_lines(&self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.lock().lines)
    }

    fn overflowed(&self) -> bool {
        self.lock().overflowed
    }

    fn woken(&self) -> impl std::future::Future<Output = ()> + '_ {
        self.wake.notified()
    }
}

impl IsTerminal for AnswerSink {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for AnswerSink {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl OutputStream for AnswerSink {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.push(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(64 * 1024)
    }
}

#[async_trait::async_trait]
impl Pollable for AnswerSink {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncWrite for AnswerSink {
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
    fn answers_are_told_from_what_a_program_prints() {
        let answer = br#"{"nonce":"1-ab","stdout":"hi\n","stderr":"","result":"42","error":null,"dropped":0}"#;
        let turn = parse_answer(answer, Some("1-ab")).expect("the answer");
        assert_eq!(turn.result.as_deref(), Some("42"));
        assert_eq!(turn.stdout, "hi\n");
        assert!(
            parse_answer(answer, Some("2-cd")).is_none(),
            "another turn's nonce"
        );
        assert!(parse_answer(b"print output", Some("1-ab")).is_none());
        assert!(parse_answer(br#"{"ready":true}"#, None).is_some());
    }

    #[test]
    fn the_sink_splits_lines_and_refuses_a_flood() {
        let sink = AnswerSink::new(8);
        sink.push(b"abc\nde");
        sink.push(b"f\n");
        assert_eq!(sink.take_lines(), vec![b"abc".to_vec(), b"def".to_vec()]);
        assert!(!sink.overflowed());
        sink.push(&[b'x'; 20]);
        assert!(sink.overflowed());
    }
}

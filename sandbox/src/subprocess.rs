//! Backends that run a real CPython as a subprocess: `conda run -n ENV python` (what the
//! original project did) and a plain interpreter.
//!
//! These are NOT sandboxes: the program runs as the user, with the user's files, network and
//! environment. They exist for trusted code that needs native packages. What they do bound:
//! wall-clock time (the whole process group is killed), captured output, and the working
//! folder (the run's workspace).

use crate::output::{CappedOutput, Captured};
use crate::{Backend, BackendKind, Execution, Exit, RunRequest, SandboxError, StopReason};
use async_trait::async_trait;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tokio::process::Command;

/// How long to wait for the output pipes to drain once the process is gone.
const DRAIN_GRACE: Duration = Duration::from_secs(2);

/// `conda run -n ENV --no-capture-output python FILE`.
#[derive(Debug, Clone)]
pub struct CondaBackend {
    conda: String,
    env: String,
}

impl CondaBackend {
    pub fn new(conda: &str, env: &str) -> Self {
        Self {
            conda: conda.to_owned(),
            env: env.to_owned(),
        }
    }
}

#[async_trait]
impl Backend for CondaBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Conda
    }

    async fn run(&self, request: RunRequest<'_>) -> Result<Execution, SandboxError> {
        let args = [
            "run",
            "-n",
            &self.env,
            "--no-capture-output",
            "python",
            "-u",
            request.script,
        ];
        run_subprocess(
            BackendKind::Conda,
            &self.conda,
            &args,
            "install Miniconda or Anaconda so that `conda` is on PATH and create the \
             environment (`conda create -n autocoder python=3.11`), or use `--sandbox wasm`",
            request,
        )
        .await
    }
}

/// A plain CPython interpreter (default `python3`).
#[derive(Debug, Clone)]
pub struct PythonBackend {
    interpreter: String,
}

impl PythonBackend {
    pub fn new(interpreter: &str) -> Self {
        Self {
            interpreter: interpreter.to_owned(),
        }
    }
}

#[async_trait]
impl Backend for PythonBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Python
    }

    async fn run(&self, request: RunRequest<'_>) -> Result<Execution, SandboxError> {
        run_subprocess(
            BackendKind::Python,
            &self.interpreter,
            &["-u", request.script],
            "install Python 3 (or pass the interpreter's path), or use `--sandbox wasm`",
            request,
        )
        .await
    }
}

async fn run_subprocess(
    kind: BackendKind,
    program: &str,
    args: &[&str],
    hint: &'static str,
    request: RunRequest<'_>,
) -> Result<Execution, SandboxError> {
    let limits = request.limits;
    request.script_path()?;
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(request.workspace.path())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group, so a timeout kills the children it started too.
        .process_group(0)
        .kill_on_drop(true);
    let started = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|source| SandboxError::MissingProgram {
            backend: kind.as_str(),
            program: program.to_owned(),
            hint,
            source,
        })?;
    let group = child.id().and_then(|pid| i32::try_from(pid).ok());

    let output = Captured::new(limits.output_bytes, request.live.clone());
    let (stdout, stderr) = (&output.stdout, &output.stderr);
    let readers = [
        child.stdout.take().map(|pipe| drain(pipe, stdout.clone())),
        child.stderr.take().map(|pipe| drain(pipe, stderr.clone())),
    ];

    let exit = match tokio::time::timeout(limits.timeout, child.wait()).await {
        Ok(Ok(status)) => Exit::Code(exit_code_of(status)),
        Ok(Err(source)) => return Err(SandboxError::io(format!("waiting for {program}"), source)),
        Err(_elapsed) => Exit::Stopped(StopReason::Timeout),
    };
    // Whatever is left of the group (a timed-out program, or children it left behind) goes.
    if let Some(group) = group {
        // SAFETY: killpg has no memory-safety preconditions; the group is the child's own.
        unsafe {
            libc::killpg(group, libc::SIGKILL);
        }
    }
    let _ = child.wait().await;
    let duration = started.elapsed();
    for reader in readers.into_iter().flatten() {
        let _ = tokio::time::timeout(DRAIN_GRACE, reader).await;
    }
    if exit == Exit::Stopped(StopReason::Timeout) {
        stderr.push(
            format!(
                "\n[aucoder: the program was stopped after the time limit of {:.1} s]\n",
                limits.timeout.as_secs_f64()
            )
            .as_bytes(),
        );
    }
    Ok(output.finish(exit, duration, kind))
}

fn drain(
    mut pipe: impl tokio::io::AsyncRead + Unpin + Send + 'static,
    sink: CappedOutput,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut buffer = vec![0u8; 64 * 1024];
        while let Ok(read) = pipe.read(&mut buffer).await {
            if read == 0 {
                break;
            }
            sink.push(&buffer[..read]);
        }
    })
}

/// The exit code, or 128 + signal number for a program killed by a signal (as shells do).
fn exit_code_of(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .or_else(|| status.signal().map(|signal| 128 + signal))
        .unwrap_or(1)
}

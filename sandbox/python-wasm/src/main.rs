//! The Python interpreter that aucoder's wasm sandbox runs: RustPython with its standard
//! library frozen into the module, so a run needs no `Lib` folder and sees no host files.
//!
//! The host preopens one workspace folder at [`WORKSPACE`] and passes an ordinary Python
//! command line (`python -I main.py`); everything else is RustPython's own CLI, so exit codes,
//! `sys.exit`, tracebacks and `atexit` behave like CPython's.

use rustpython::vm::py_freeze;
use rustpython::{InterpreterBuilder, InterpreterBuilderExt};
use std::process::ExitCode;

/// Where the host mounts the run's workspace; relative paths in user code resolve here.
const WORKSPACE: &str = "/workspace";

fn main() -> ExitCode {
    // WASI has no inherited working directory: start where the program's files are.
    if std::env::set_current_dir(WORKSPACE).is_err() {
        eprintln!("aucoder sandbox: the workspace {WORKSPACE} is not mounted");
        return ExitCode::from(70);
    }
    let builder = InterpreterBuilder::new()
        .init_stdlib()
        .add_frozen_modules(py_freeze!(
            source = r#"
# WASI has no time zones; RustPython then leaves time.tzname & co. undefined, which breaks
# datetime.strptime. The sandbox's clock is UTC, so say so.
import time as _time
if not hasattr(_time, "tzname"):
    _time.tzname = ("UTC", "UTC")
    _time.timezone = 0
    _time.altzone = 0
    _time.daylight = 0
del _time
"#,
            module_name = "sitecustomize"
        ));
    rustpython::run(builder)
}

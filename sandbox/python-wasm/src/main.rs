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
# Adjustments for WASI, applied before the program runs.
import sys as _sys

# WASI has no time zones; RustPython then leaves time.tzname & co. undefined, which breaks
# datetime.strptime. The sandbox's clock is UTC, so say so.
import time as _time
if not hasattr(_time, "tzname"):
    _time.tzname = ("UTC", "UTC")
    _time.timezone = 0
    _time.altzone = 0
    _time.daylight = 0
del _time


class _PatchingLoader:
    """Runs a module's own loader, then adjusts the module."""

    def __init__(self, inner, patch):
        self._inner = inner
        self._patch = patch

    def create_module(self, spec):
        return self._inner.create_module(spec)

    def exec_module(self, module):
        self._inner.exec_module(module)
        self._patch(module)


def _no_self_pipe(module):
    # asyncio's selector loop makes a socketpair to wake itself from other threads and
    # signal handlers; WASI has neither sockets nor signals, and the loop works without it.
    loop = module.BaseSelectorEventLoop
    loop._make_self_pipe = lambda self: None
    loop._close_self_pipe = lambda self: None
    loop._write_to_self = lambda self: None


def _sigint(module):
    # There are no signals here, but asyncio.run() looks up the SIGINT handler.
    if not hasattr(module, "SIGINT"):
        module.SIGINT = 2


class _PatchAfterImport:
    """Patches a few modules when (and only if) a program imports them, so programs that do
    not use them pay nothing at start-up."""

    patches = {"asyncio.selector_events": _no_self_pipe, "signal": _sigint}

    def find_spec(self, name, path=None, target=None):
        patch = self.patches.pop(name, None)
        if patch is None:
            return None
        import importlib.util
        # Find the real module with this finder out of the way; stay only while needed.
        _sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            if self.patches:
                _sys.meta_path.insert(0, self)
        if spec is not None and spec.loader is not None:
            spec.loader = _PatchingLoader(spec.loader, patch)
        return spec


_sys.meta_path.insert(0, _PatchAfterImport())
"#,
            module_name = "sitecustomize"
        ));
    rustpython::run(builder)
}

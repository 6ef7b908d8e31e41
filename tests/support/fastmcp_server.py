"""Reference MCP server built with FastMCP (fastmcp 4.x), mirroring the Rust server's tools.

It exists for two reasons:
  * as the baseline of the latency comparison (`mcp_client.py bench` / `load` against it and
    against the Rust server), and
  * as a known-good server to exercise `mcp_client.py` itself.

Tools (names and result shapes match the Rust server):
  RAG_Search(query: str)            -> list[str]  (3 fixed chunks, each "[file name] text")
  WriteTemp(code: str)              -> {"ok": True}
  ExecTemp(payload: dict | None)    -> {"success": bool, "log": stdout+stderr}
  run_python(code: str, timeout_secs: float | None)
                                    -> {"success", "exit_code", "stdout", "stderr",
                                        "timed_out", "duration_ms"}
  noop()                            -> {"ok": True}

Workspaces are PER MCP SESSION. Over streamable HTTP a session is keyed on FastMCP's
`ctx.session_id` (the `mcp-session-id` header); over stdio one process serves exactly one
client, so the session's workspace is simply one per-process folder. All folders live under
one per-process temp root, removed at exit (also on SIGTERM). `ExecTemp` runs the folder's
temp.py with `sys.executable` (10 s timeout); a `payload`, if given, is passed as JSON on
stdin.

Protocol era. `fastmcp.Client` (default mode="auto") first probes `server/discover` at the
2026-07-28 "modern" revision and only falls back to the `initialize` handshake if that fails.
On the modern revision every HTTP request is its own stateless connection with a fresh
session id, so WriteTemp -> ExecTemp would land in different workspaces. So in http mode
this server is LEGACY-ONLY: it answers `server/discover` with "method not found" and the
client falls back to `initialize` (pass `--modern` to keep FastMCP's dual-era default and
see the stateless behaviour). Over stdio this trick does not work -- the SDK server commits
the whole connection to the modern era on the first enveloped request, even a failed one,
and then refuses `initialize` with -32022 -- so stdio stays dual-era; the per-process
workspace keeps WriteTemp -> ExecTemp working there anyway.

Usage:
  python3 fastmcp_server.py http PORT [--token T] [--modern]   # http://127.0.0.1:PORT/mcp
  python3 fastmcp_server.py stdio                              # MCP over stdin/stdout

With `--token T` every HTTP request must carry `Authorization: Bearer T` (else 401), like
the Rust server's optional token.

In http mode the socket is bound and listening before `READY http://127.0.0.1:PORT/mcp` is
printed (and flushed), so a client may connect immediately: connections wait in the listen
backlog until uvicorn starts accepting. PORT 0 picks a free port (the printed URL has it).
"""

from __future__ import annotations

import asyncio
import atexit
import hashlib
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# No update check / banner network traffic, and keep the console quiet.
os.environ.setdefault("FASTMCP_CHECK_FOR_UPDATES", "off")
os.environ.setdefault("FASTMCP_SHOW_SERVER_BANNER", "false")
os.environ.setdefault("FASTMCP_LOG_LEVEL", "WARNING")

from fastmcp import Context, FastMCP  # noqa: E402
from mcp.shared.exceptions import MCPError  # noqa: E402
from mcp_types import METHOD_NOT_FOUND, RequestParams  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402
from starlette.responses import JSONResponse  # noqa: E402

EXEC_TIMEOUT_SECS = 10.0

mcp = FastMCP("rag-sandbox-reference")

# One temp root per process; one sub-folder per MCP session.
_ROOT = Path(tempfile.mkdtemp(prefix="fastmcp-ref-"))
atexit.register(shutil.rmtree, _ROOT, ignore_errors=True)
# Make SIGTERM a normal exit so the atexit cleanup runs (uvicorn re-raises the signal it
# caught after its graceful shutdown, which reaches this handler).
signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))


_STDIO = False  # set by main(): over stdio the process is the session


def _workspace(ctx: Context) -> Path:
    """The calling session's private folder (created on first use)."""
    key = "stdio" if _STDIO else hashlib.sha256(ctx.session_id.encode()).hexdigest()[:16]
    path = _ROOT / key
    path.mkdir(exist_ok=True)
    return path


async def _run(argv: list[str], cwd: Path, stdin: bytes | None, timeout: float) -> dict[str, Any]:
    """Run a child process, capturing stdout/stderr, killing it after `timeout` seconds."""
    start = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        *argv,
        cwd=cwd,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    timed_out = False
    try:
        out, err = await asyncio.wait_for(proc.communicate(stdin), timeout)
    except asyncio.TimeoutError:
        timed_out = True
        proc.kill()
        out, err = await proc.communicate()
    return {
        "exit_code": proc.returncode,
        "stdout": out.decode(errors="replace"),
        "stderr": err.decode(errors="replace"),
        "timed_out": timed_out,
        "duration_ms": round((time.perf_counter() - start) * 1000, 3),
    }


@mcp.tool(name="RAG_Search")
def rag_search(query: str) -> list[str]:
    """Search the corpus; returns the top 3 chunks, each prefixed with its file name."""
    return [
        "[sorting.md] Use sorted(xs) to get a new sorted list, or xs.sort() in place.",
        "[lists.md] Lists are mutable sequences; append() adds an item at the end.",
        f"[search.md] Query was: {query}",
    ]


@mcp.tool(name="WriteTemp")
def write_temp(code: str, ctx: Context) -> dict:
    """Write `code` to this session's temp.py."""
    (_workspace(ctx) / "temp.py").write_text(code)
    return {"ok": True}


@mcp.tool(name="ExecTemp")
async def exec_temp(ctx: Context, payload: dict | None = None) -> dict:
    """Run this session's temp.py; `log` is its stdout followed by its stderr."""
    ws = _workspace(ctx)
    if not (ws / "temp.py").exists():
        return {"success": False, "log": "temp.py does not exist; call WriteTemp first"}
    stdin = json.dumps(payload).encode() if payload is not None else None
    r = await _run([sys.executable, "temp.py"], ws, stdin, EXEC_TIMEOUT_SECS)
    log = r["stdout"] + r["stderr"] + ("\n[timed out]" if r["timed_out"] else "")
    return {"success": r["exit_code"] == 0 and not r["timed_out"], "log": log}


@mcp.tool(name="run_python")
async def run_python(code: str, ctx: Context, timeout_secs: float | None = None) -> dict:
    """Write `code` to a file in this session's workspace and run it."""
    ws = _workspace(ctx)
    script = ws / f"run_{time.monotonic_ns()}.py"
    script.write_text(code)
    try:
        r = await _run([sys.executable, script.name], ws, None, timeout_secs or EXEC_TIMEOUT_SECS)
    finally:
        script.unlink(missing_ok=True)
    return {"success": r["exit_code"] == 0 and not r["timed_out"], **r}


@mcp.tool(name="noop")
def noop() -> dict:
    """Do nothing (for latency benchmarks)."""
    return {"ok": True}


class _BearerAuth:
    """Pure-ASGI middleware (so SSE streaming is untouched): 401 unless the bearer token matches."""

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and dict(scope["headers"]).get(b"authorization") != self.expected:
            response = JSONResponse({"error": "unauthorized"}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _refuse_discover(ctx: Any, params: Any) -> Any:
    raise MCPError(METHOD_NOT_FOUND, "Method not found: server/discover")


def main() -> None:
    global _STDIO
    args = [a for a in sys.argv[1:] if a != "--modern"]
    token = None
    if "--token" in args:
        i = args.index("--token")
        token = args[i + 1]
        del args[i : i + 2]
    if args[:1] == ["stdio"]:
        _STDIO = True
        mcp.run(transport="stdio", show_banner=False)
    elif args[:1] == ["http"] and len(args) == 2:
        if "--modern" not in sys.argv:
            # See module docstring: force the initialize handshake (stable session ids).
            mcp._mcp_server.add_request_handler("server/discover", RequestParams, _refuse_discover)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", int(args[1])))
        sock.listen(512)
        port = sock.getsockname()[1]
        print(f"READY http://127.0.0.1:{port}/mcp", flush=True)
        mcp.run(
            transport="http",
            show_banner=False,
            host="127.0.0.1",
            port=port,
            path="/mcp",
            log_level="WARNING",
            sockets=[sock],
            middleware=[Middleware(_BearerAuth, token=token)] if token else None,
        )
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

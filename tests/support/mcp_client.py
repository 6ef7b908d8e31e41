"""MCP test client used by the Rust integration tests (and by hand) to check the MCP server.

It drives a server with the two Python client libraries people actually use -- the official
SDK (`mcp` 2.x, `mcp.ClientSession`) and `fastmcp.Client` (fastmcp 4.x) -- and prints what
they see, so the Rust tests can assert on real-client behaviour.

Every subcommand prints ONE JSON object on the LAST line of stdout and exits 0, also when calls
failed (errors are reported inside the JSON, per call). A non-zero exit means a usage error
(2) or a crash of this script itself.

Target (give one; options may stand before or after the subcommand):
  --http URL [--token T]      streamable HTTP, e.g. http://127.0.0.1:8080/mcp, with an
                              optional `Authorization: Bearer T` header
  --stdio -- CMD ARGS...      spawn CMD ARGS... and speak MCP over its stdin/stdout
                              (the child inherits this process's whole environment).
                              Either `SUBCOMMAND ... --stdio -- CMD ARGS...` or
                              `--stdio -- CMD ARGS... SUBCOMMAND ...` (then the last word
                              after `--` that names a subcommand starts this script's args)

Subcommands:
  probe --client sdk|fastmcp [--fastmcp-mode auto|legacy]
      list tools; call RAG_Search, WriteTemp, ExecTemp, run_python; report what the client
      library hands back (fastmcp: `.data` and its type; SDK: structuredContent + text block).
  isolation
      two sessions at once: A writes print('A'), B writes print('B'), both ExecTemp; do they
      see only their own temp.py?
  bad-input
      malformed tool calls (missing arg, wrong type, unknown tool, 20 MB argument), then a
      valid call; over HTTP also raw malformed JSON-RPC bodies and (with --token) requests
      without / with a wrong token.
  python-session
      python_session_start, turns that keep state (an import, a variable, a final expression's
      value, an exception that leaves the session usable), python_session_close, then the
      closed id and a made-up id: are both refused as tool errors?
  workspace-flow --client sdk|fastmcp [--fastmcp-mode auto|legacy]
      the whole flow by explicit ids: workspace_create, file_write (text and binary),
      run_python reading the input and writing an output file, file_read, file_list,
      WriteTemp/ExecTemp and a Python session with three turns in that workspace, the
      closes, then calls naming the closed and made-up ids (each should be a tool error).
  progress
      a run_python call of about 2.5 s with a progress callback: the notes the SDK passed
      to it (progress, message) and the call's own result.
  bench --calls N [--warmup W]
      N sequential `noop` calls on one SDK session: median / p99 latency in ms.
  load --sessions S --calls C
      S concurrent SDK sessions x C `run_python` calls: failures, p50 / p99 ms, total seconds.

Library behaviour worth knowing when reading the output (mcp 2.3.0, fastmcp 4.2.3):
  * The SDK's `ClientSession.initialize()` is the classic handshake (2025-11-25). The SDK
    re-validates structuredContent against the tool's outputSchema and raises if it does not
    match (reported here as `<step>_error`).
  * SDK errors: `MCPError` = JSON-RPC error. Codes -32000 (connection closed) and -32001
    (timeout) are made up client-side (`client_side` says so; bad-input reports them as
    outcome "client_error", not "jsonrpc_error"); an HTTP 4xx/5xx without a
    JSON-RPC body becomes -32603 "Server returned an error response" (404 before a session:
    -32601), so bad-input also lists the HTTP statuses seen (`http_statuses`).
  * `fastmcp.Client` (mode="auto", its default) first sends `server/discover` at protocol
    2026-07-28 and uses that stateless protocol if the server answers it; only an error makes
    it fall back to `initialize`. On 2026-07-28 there is no MCP session, so per-session
    state (WriteTemp -> ExecTemp) can break: check `protocol_version` in the probe output
    and compare with `--fastmcp-mode legacy`.
  * fastmcp `.data`: unwrapped list when the outputSchema has "x-fastmcp-wrap-result";
    a plain dict for {"type": "object", "additionalProperties": true}; a generated
    dataclass (NOT subscriptable) for an object schema with `properties`; None if the
    structured content failed to parse against the schema (logged on stderr only).

Examples:
  python3 mcp_client.py probe --client fastmcp --http http://127.0.0.1:8080/mcp --token s3cret
  python3 mcp_client.py bench --calls 200 --stdio -- ./target/debug/server --stdio
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import math
import os
import statistics
import sys
import time
import traceback
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Awaitable, Callable

# fastmcp: no update check over the network, quiet logs. Must be set before importing it.
os.environ.setdefault("FASTMCP_CHECK_FOR_UPDATES", "off")
os.environ.setdefault("FASTMCP_LOG_LEVEL", "WARNING")

import httpx2  # noqa: E402  (the SDK 2.x HTTP stack; plain `httpx` is not installed)
import mcp_types  # noqa: E402
from mcp import ClientSession, StdioServerParameters, stdio_client  # noqa: E402
from mcp.client.streamable_http import streamable_http_client  # noqa: E402
from mcp.shared.exceptions import MCPError  # noqa: E402
from mcp_types.version import LATEST_HANDSHAKE_VERSION  # noqa: E402  ("2025-11-25")

# Error codes the SDK synthesizes on the CLIENT side (they never came from the server).
LOCAL_ERROR_CODES = {mcp_types.CONNECTION_CLOSED: "connection closed", mcp_types.REQUEST_TIMEOUT: "client timeout"}

MAX_STR = 2000  # strings in the report are clipped to this many characters


# --------------------------------------------------------------------------------------------
# Target / connections
# --------------------------------------------------------------------------------------------


@dataclass
class Target:
    """Where the server is: an HTTP URL (+ optional bearer token) or a stdio command."""

    http: str | None = None
    token: str | None = None
    stdio: list[str] = field(default_factory=list)
    call_timeout: float = 60.0

    @property
    def kind(self) -> str:
        return "http" if self.http else "stdio"

    def auth_headers(self, token: str | None = None) -> dict[str, str]:
        """`Authorization: Bearer ...` for `token` (default: the target's own), if any."""
        tok = token or self.token
        return {"Authorization": f"Bearer {tok}"} if tok else {}


class HttpStatusLog:
    """httpx response hook recording the status of every HTTP response the SDK receives, so
    a tool-call outcome can be matched with the HTTP status it came back with."""

    def __init__(self) -> None:
        self.statuses: list[int] = []

    async def __call__(self, response: httpx2.Response) -> None:
        # 202 answers a notification (e.g. notifications/initialized, sent asynchronously),
        # not the tool call being watched, so it is left out.
        if response.request.method == "POST" and response.status_code != 202:
            self.statuses.append(response.status_code)


@asynccontextmanager
async def sdk_session(t: Target, status_log: HttpStatusLog | None = None) -> AsyncIterator[ClientSession]:
    """An initialized official-SDK `ClientSession` (plain `initialize` handshake)."""
    async with AsyncExitStack() as stack:
        if t.http:
            hooks = {"response": [status_log]} if status_log else {}
            http = await stack.enter_async_context(
                httpx2.AsyncClient(
                    headers=t.auth_headers(),
                    timeout=httpx2.Timeout(30.0, read=300.0),
                    event_hooks=hooks,
                )
            )
            read, write = await stack.enter_async_context(streamable_http_client(t.http, http_client=http))
        else:
            params = StdioServerParameters(command=t.stdio[0], args=t.stdio[1:], env=dict(os.environ))
            read, write = await stack.enter_async_context(stdio_client(params))
        session = await stack.enter_async_context(ClientSession(read, write, read_timeout_seconds=t.call_timeout))
        await session.initialize()
        yield session


def fastmcp_client(t: Target, mode: str = "auto") -> Any:
    """A (not yet entered) `fastmcp.Client`. mode "auto" is fastmcp's default: it first probes
    `server/discover` (protocol 2026-07-28) and falls back to `initialize` on an error."""
    from fastmcp import Client
    from fastmcp.client.transports import StdioTransport, StreamableHttpTransport

    if t.http:
        transport = StreamableHttpTransport(t.http, headers=t.auth_headers())
    else:
        transport = StdioTransport(t.stdio[0], t.stdio[1:], env=dict(os.environ), keep_alive=False)
    return Client(transport, timeout=t.call_timeout, mode=mode)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def clip(value: Any) -> Any:
    """Make `value` JSON-friendly and clip long strings (error texts may echo a 20 MB input)."""
    if isinstance(value, str):
        return value if len(value) <= MAX_STR else value[:MAX_STR] + f"...[{len(value)} chars]"
    if isinstance(value, dict):
        return {str(k): clip(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clip(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return clip(repr(value))


def err_info(e: BaseException) -> dict[str, Any]:
    """Describe an exception. `MCPError` is a JSON-RPC error (code/message/data); codes -32000
    and -32001 are made up by the SDK itself (connection closed / timed out)."""
    if isinstance(e, BaseExceptionGroup) and len(e.exceptions) == 1:
        return err_info(e.exceptions[0])
    if isinstance(e, MCPError):
        info: dict[str, Any] = {"kind": "jsonrpc_error", "code": e.code, "message": e.message}
        if e.data is not None:
            info["data"] = e.data
        if e.code in LOCAL_ERROR_CODES:
            info["client_side"] = LOCAL_ERROR_CODES[e.code]
        return info
    return {"kind": "exception", "type": type(e).__name__, "message": str(e)}


def text_of(content: list[Any]) -> str | None:
    """Concatenated text of a result's text content blocks (None if there are none)."""
    texts = [c.text for c in content if getattr(c, "type", None) == "text"]
    return "".join(texts) if texts else None


def parse_json(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def sdk_view(r: mcp_types.CallToolResult) -> dict[str, Any]:
    """What the official SDK hands back: structuredContent and the (JSON-parsed) text block."""
    return {"is_error": r.is_error, "structured_content": r.structured_content, "text": parse_json(text_of(r.content))}


def sdk_value(r: mcp_types.CallToolResult) -> Any:
    """The tool's value from an SDK result: structuredContent, else the parsed text block."""
    return r.structured_content if r.structured_content is not None else parse_json(text_of(r.content))


async def attempt(fn: Callable[[], Awaitable[Any]]) -> tuple[Any, dict[str, Any] | None]:
    """Run one call; return (value, None) or (None, error info) -- never raise."""
    try:
        return await fn(), None
    except Exception as e:  # noqa: BLE001 - every failure is reported, not raised
        return None, err_info(e)


def percentile(sorted_ms: list[float], p: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_ms:
        return None
    return sorted_ms[max(0, math.ceil(p / 100 * len(sorted_ms)) - 1)]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


# --------------------------------------------------------------------------------------------
# probe
# --------------------------------------------------------------------------------------------

PROBE_CALLS = [
    ("rag", "RAG_Search", {"query": "sorting a list"}),
    ("write", "WriteTemp", {"code": "print('hello from temp')"}),
    ("exec", "ExecTemp", {}),
    ("run", "run_python", {"code": "print(6*7)"}),
]


async def probe_sdk(t: Target) -> dict[str, Any]:
    out: dict[str, Any] = {"client": "sdk"}
    async with sdk_session(t) as s:
        out["protocol_version"] = s.protocol_version
        out["server_info"] = s.server_info.model_dump(mode="json", by_alias=True, exclude_none=True) if s.server_info else None
        tools, err = await attempt(s.list_tools)
        if err:
            out["tools_error"] = err
        else:
            out["tools"] = sorted(x.name for x in tools.tools)
            out["output_schemas"] = {x.name: x.output_schema for x in tools.tools}
        for key, name, args in PROBE_CALLS:
            r, err = await attempt(lambda: s.call_tool(name, args))
            if err:
                out[f"{key}_error"] = err
                continue
            out[key] = sdk_view(r)
            value = sdk_value(r)
            if key == "rag":
                text = out[key]["text"]
                sc = r.structured_content
                out["rag_text_is_list"] = isinstance(text, list)
                out["rag_structured_result_is_list"] = isinstance(sc, dict) and isinstance(sc.get("result"), list)
                out["rag_is_list"] = out["rag_text_is_list"] and out["rag_structured_result_is_list"]
            elif key == "exec":
                log = value.get("log") if isinstance(value, dict) else None
                out["exec_log_has_hello"] = isinstance(log, str) and "hello from temp" in log
            elif key == "run":
                out["run_stdout"] = value.get("stdout") if isinstance(value, dict) else None
    return out


async def probe_fastmcp(t: Target, mode: str) -> dict[str, Any]:
    out: dict[str, Any] = {"client": "fastmcp", "fastmcp_mode": mode}
    async with fastmcp_client(t, mode) as c:
        out["protocol_version"] = c.protocol_version
        tools, err = await attempt(c.list_tools)
        if err:
            out["tools_error"] = err
        else:
            out["tools"] = sorted(x.name for x in tools)
            out["output_schemas"] = {x.name: x.output_schema for x in tools}
        for key, name, args in PROBE_CALLS:
            r, err = await attempt(lambda: c.call_tool(name, args, raise_on_error=False))
            if err:
                out[f"{key}_error"] = err
                continue
            data = r.data
            out[key] = data if not r.is_error else {"is_error": True, "text": text_of(r.content)}
            out[f"{key}_data_type"] = type(data).__name__
            if key == "rag":
                out["rag_is_list"] = isinstance(data, list)
            elif key == "exec":
                # Tests write `res["log"]`: .data must be a dict, not a generated dataclass.
                try:
                    log = data["log"]
                    out["exec_data_subscriptable"] = True
                except Exception as e:  # noqa: BLE001
                    log = getattr(data, "log", None)
                    out["exec_data_subscriptable"] = False
                    out["exec_subscript_error"] = f"{type(e).__name__}: {e}"
                out["exec_log_has_hello"] = isinstance(log, str) and "hello from temp" in log
            elif key == "run":
                try:
                    out["run_stdout"] = data["stdout"]
                except Exception:  # noqa: BLE001
                    out["run_stdout"] = getattr(data, "stdout", None)
    return out


# --------------------------------------------------------------------------------------------
# isolation
# --------------------------------------------------------------------------------------------


async def isolation(t: Target) -> dict[str, Any]:
    out: dict[str, Any] = {}
    # Both sessions are opened (sequentially, in this task, as anyio scopes require) and then
    # used concurrently: both writes race, then both execs race.
    async with sdk_session(t) as a, sdk_session(t) as b:

        async def write(s: ClientSession, code: str) -> Any:
            return sdk_value(await s.call_tool("WriteTemp", {"code": code}))

        async def exec_(s: ClientSession) -> Any:
            return sdk_value(await s.call_tool("ExecTemp", {}))

        (wa, wa_err), (wb, wb_err) = await asyncio.gather(
            attempt(lambda: write(a, "print('A')")), attempt(lambda: write(b, "print('B')"))
        )
        out["write_a"], out["write_b"] = wa_err or wa, wb_err or wb
        (xa, xa_err), (xb, xb_err) = await asyncio.gather(attempt(lambda: exec_(a)), attempt(lambda: exec_(b)))
        out["exec_a"], out["exec_b"] = xa_err or xa, xb_err or xb
    log_a = xa.get("log") if isinstance(xa, dict) else None
    log_b = xb.get("log") if isinstance(xb, dict) else None
    out["log_a"], out["log_b"] = log_a, log_b
    out["isolated"] = isinstance(log_a, str) and isinstance(log_b, str) and log_a.strip() == "A" and log_b.strip() == "B"
    return out


# --------------------------------------------------------------------------------------------
# bad-input
# --------------------------------------------------------------------------------------------

BIG = 20 * 1024 * 1024  # 20 MiB


async def bad_input(t: Target) -> dict[str, Any]:
    """Each case key maps to one of
         {"outcome": "tool_error", "is_error": true, "text": ...}            result with isError
         {"outcome": "jsonrpc_error", "jsonrpc_error": {"code", "message"}}  server rejected it
         {"outcome": "client_error", "client_error": {...}}  SDK-made -32000/-32001 (closed /
                                                             timed out): NOT a server answer
         {"outcome": "exception", "exception": {"type", "message"}}
         {"outcome": "ok", "is_error": false, "value": ...}                  accepted
    plus "seconds" and, over HTTP, "http_statuses" (non-202 POST statuses seen meanwhile)."""
    out: dict[str, Any] = {}
    statuses = HttpStatusLog()
    cases = [
        ("missing_argument", "RAG_Search", {}),
        ("wrong_type", "WriteTemp", {"code": 123}),
        ("unknown_tool", "NoSuchTool", {}),
        ("huge_argument", "WriteTemp", {"code": "#" + "x" * (BIG - 1)}),
    ]
    try:
        async with sdk_session(t, statuses) as s:
            for key, name, args in cases:
                seen = len(statuses.statuses)
                start = time.perf_counter()
                r, err = await attempt(lambda: s.call_tool(name, args))
                if err:
                    kind = err.pop("kind")
                    if kind == "jsonrpc_error" and "client_side" in err:
                        kind = "client_error"
                    case = {"outcome": kind, kind: err}
                elif r.is_error:
                    case = {"outcome": "tool_error", "is_error": True, "text": text_of(r.content)}
                else:
                    case = {"outcome": "ok", "is_error": False, "value": sdk_value(r)}
                case["seconds"] = round(time.perf_counter() - start, 3)
                if t.http:
                    case["http_statuses"] = statuses.statuses[seen:]
                out[key] = case
            r, err = await attempt(lambda: s.call_tool("RAG_Search", {"query": "still there?"}))
            out["valid_after"] = err if err else sdk_view(r)
            out["still_serving"] = err is None and not r.is_error and sdk_value(r) is not None
    except Exception as e:  # noqa: BLE001 - e.g. the session itself could not be opened
        out["session_error"] = err_info(e)
        out.setdefault("still_serving", False)
    if t.http:
        out.update(await raw_http_checks(t))
    return out


def _init_body(req_id: int = 1) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": req_id,
        "method": "initialize",
        "params": {
            "protocolVersion": LATEST_HANDSHAKE_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "mcp_client.py-raw", "version": "0"},
        },
    }


def _resp(r: httpx2.Response) -> dict[str, Any]:
    body = r.text
    return {"status": r.status_code, "content_type": r.headers.get("content-type"), "body": parse_json(body) if body else body}


async def raw_http_checks(t: Target) -> dict[str, Any]:
    """Hand-made HTTP requests: malformed JSON-RPC inside a real session, and auth failures.

    Keys: raw_initialize_status, raw_session_id_header, malformed_not_json,
    malformed_not_jsonrpc, ping_after_malformed ({status, content_type, body} each) and, with
    --token, no_token / wrong_token ({status, ...}) plus no_token_status / wrong_token_status.
    """
    base = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    out: dict[str, Any] = {}
    async with httpx2.AsyncClient(timeout=httpx2.Timeout(30.0)) as http:
        # A raw session: initialize, then notifications/initialized, with the session id header.
        headers = {**base, **t.auth_headers()}
        r, err = await attempt(lambda: http.post(t.http, json=_init_body(), headers=headers))
        if err:
            out["raw_initialize_error"] = err
            return out
        out["raw_initialize_status"] = r.status_code
        sid = r.headers.get("mcp-session-id")
        out["raw_session_id_header"] = sid is not None
        if sid:
            headers["Mcp-Session-Id"] = sid
        headers["MCP-Protocol-Version"] = LATEST_HANDSHAKE_VERSION
        await attempt(lambda: http.post(t.http, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers))

        bodies = {
            "malformed_not_json": b"{this is not json",
            "malformed_not_jsonrpc": json.dumps({"hello": "world", "id": 7}).encode(),
        }
        for key, body in bodies.items():
            r, err = await attempt(lambda: http.post(t.http, content=body, headers=headers))
            out[key] = err if err else _resp(r)

        # Is the raw session still usable after the garbage?
        ping = {"jsonrpc": "2.0", "id": 99, "method": "ping"}
        r, err = await attempt(lambda: http.post(t.http, json=ping, headers=headers))
        out["ping_after_malformed"] = err if err else _resp(r)
        if sid:
            await attempt(lambda: http.delete(t.http, headers=headers))

        if t.token:
            # A fresh `initialize` without a token and with a wrong one.
            for key, auth in (("no_token", {}), ("wrong_token", t.auth_headers(t.token + "-wrong"))):
                r, err = await attempt(lambda: http.post(t.http, json=_init_body(), headers={**base, **auth}))
                out[key] = err if err else _resp(r)
                out[f"{key}_status"] = None if err else r.status_code
                if not err and r.headers.get("mcp-session-id"):  # it got in anyway: clean up
                    out[key]["session_created"] = True
                    h = {**base, **auth, "Mcp-Session-Id": r.headers["mcp-session-id"]}
                    await attempt(lambda: http.delete(t.http, headers=h))
    return out


# --------------------------------------------------------------------------------------------
# python-session
# --------------------------------------------------------------------------------------------

SESSION_TURNS = [
    ("define", "import math\nx = 41"),
    ("expression", "x + 1"),
    ("print", "print(math.isqrt(x + 8))"),
    ("raises", "1 / 0"),
    ("after_raise", "x"),
]


async def python_session(t: Target) -> dict[str, Any]:
    out: dict[str, Any] = {}
    async with sdk_session(t) as s:
        r, err = await attempt(lambda: s.call_tool("python_session_start", {}))
        if err or r.is_error:
            out["start_error"] = err or text_of(r.content)
            return out
        started = sdk_value(r)
        out["start"] = started
        sid = started.get("session_id") if isinstance(started, dict) else None
        for key, code in SESSION_TURNS:
            r, err = await attempt(lambda: s.call_tool("python_session_run", {"session_id": sid, "code": code}))
            out[key] = err if err else (sdk_value(r) if not r.is_error else {"is_error": True, "text": text_of(r.content)})
        r, err = await attempt(lambda: s.call_tool("python_session_close", {"session_id": sid}))
        out["close"] = err if err else sdk_view(r)
        for key, which in (("after_close", sid), ("made_up", "py-" + "0" * 32)):
            r, err = await attempt(lambda: s.call_tool("python_session_run", {"session_id": which, "code": "x"}))
            out[key] = err if err else {"is_error": r.is_error, "text": text_of(r.content)}
    return out


# --------------------------------------------------------------------------------------------
# workspace-flow
# --------------------------------------------------------------------------------------------

BINARY = bytes(range(256))
FLOW_PROGRAM = (
    "data = open('in/numbers.txt').read().split()\n"
    "total = sum(int(x) for x in data)\n"
    "open('out/total.txt', 'w').write(str(total))\n"
    "print(total, len(open('blob.bin', 'rb').read()))\n"
)


async def workspace_flow(t: Target, client: str, mode: str) -> dict[str, Any]:
    """One dict per step: the tool's value, or {"is_error", "text"}, or a client error."""
    out: dict[str, Any] = {"client": client}
    async with AsyncExitStack() as stack:
        if client == "sdk":
            s = await stack.enter_async_context(sdk_session(t))
            out["protocol_version"] = s.protocol_version

            async def call(name: str, args: dict[str, Any]) -> Any:
                r = await s.call_tool(name, args)
                return {"is_error": True, "text": text_of(r.content)} if r.is_error else sdk_value(r)

        else:
            c = await stack.enter_async_context(fastmcp_client(t, mode))
            out["protocol_version"] = c.protocol_version

            async def call(name: str, args: dict[str, Any]) -> Any:
                r = await c.call_tool(name, args, raise_on_error=False)
                if r.is_error:
                    return {"is_error": True, "text": text_of(r.content)}
                return r.structured_content if r.structured_content is not None else r.data

        async def step(key: str, name: str, args: dict[str, Any]) -> Any:
            value, err = await attempt(lambda: call(name, args))
            out[key] = err if err else value
            return value

        created = await step("create", "workspace_create", {})
        ws = created.get("workspace_id") if isinstance(created, dict) else None
        await step("write_text", "file_write", {"workspace_id": ws, "path": "in/numbers.txt", "content": "1 2 3 36"})
        blob = base64.b64encode(BINARY).decode()
        await step("write_binary", "file_write", {"workspace_id": ws, "path": "blob.bin", "content": blob, "base64": True})
        await step("run", "run_python", {"workspace_id": ws, "code": "import os\nos.makedirs('out', exist_ok=True)\n" + FLOW_PROGRAM})
        await step("read_text", "file_read", {"workspace_id": ws, "path": "out/total.txt"})
        read = await step("read_binary", "file_read", {"workspace_id": ws, "path": "blob.bin"})
        if isinstance(read, dict) and isinstance(read.get("content"), str):
            out["binary_round_trip"] = base64.b64decode(read["content"]) == BINARY
        await step("list", "file_list", {"workspace_id": ws})
        await step("write_temp", "WriteTemp", {"workspace_id": ws, "code": "print('temp ran')"})
        await step("exec_temp", "ExecTemp", {"workspace_id": ws})
        started = await step("session_start", "python_session_start", {"workspace_id": ws})
        sid = started.get("session_id") if isinstance(started, dict) else None
        turns = ["n = int(open('out/total.txt').read())", "n += 1", "n"]
        for i, code in enumerate(turns):
            await step(f"turn_{i + 1}", "python_session_run", {"session_id": sid, "code": code})
        await step("session_close", "python_session_close", {"session_id": sid})
        await step("workspace_close", "workspace_close", {"workspace_id": ws})
        await step("read_after_close", "file_read", {"workspace_id": ws, "path": "out/total.txt"})
        await step("run_after_close", "run_python", {"workspace_id": ws, "code": "print(1)"})
        await step("made_up", "file_list", {"workspace_id": "ws-" + "0" * 32})
        await step("escape", "file_read", {"workspace_id": ws, "path": "../../etc/passwd"})
    return out


# --------------------------------------------------------------------------------------------
# progress
# --------------------------------------------------------------------------------------------


async def progress(t: Target) -> dict[str, Any]:
    notes: list[dict[str, Any]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        notes.append({"progress": value, "total": total, "message": message})

    async with sdk_session(t) as s:
        code = "import time\ntime.sleep(2.5)\nprint('slept')"
        r, err = await attempt(lambda: s.call_tool("run_python", {"code": code}, progress_callback=on_progress))
    return {"notes": notes, "result": err if err else sdk_view(r)}


# --------------------------------------------------------------------------------------------
# bench / load
# --------------------------------------------------------------------------------------------


async def bench(t: Target, calls: int, warmup: int) -> dict[str, Any]:
    lat: list[float] = []
    errors: list[Any] = []
    async with sdk_session(t) as s:
        await s.list_tools()  # the SDK lists tools before the first call anyway (schema cache)
        for _ in range(warmup):
            await attempt(lambda: s.call_tool("noop", {}))
        for _ in range(calls):
            start = time.perf_counter()
            r, err = await attempt(lambda: s.call_tool("noop", {}))
            elapsed = time.perf_counter() - start
            if err or r.is_error:
                errors.append(err or text_of(r.content))
            else:
                lat.append(ms(elapsed))
    lat.sort()
    return {
        "tool": "noop",
        "calls": calls,
        "warmup": warmup,
        "failures": len(errors),
        "errors": errors[:5],
        "median_ms": statistics.median(lat) if lat else None,
        "p99_ms": percentile(lat, 99),
        "mean_ms": round(statistics.fmean(lat), 3) if lat else None,
        "min_ms": lat[0] if lat else None,
        "max_ms": lat[-1] if lat else None,
    }


async def load(t: Target, sessions: int, calls: int) -> dict[str, Any]:
    code = "print(sum(range(1000)))"
    lat: list[float] = []
    errors: list[Any] = []

    async def one_session(i: int) -> None:
        made = 0
        try:
            async with sdk_session(t) as s:
                for _ in range(calls):
                    made += 1
                    start = time.perf_counter()
                    r, err = await attempt(lambda: s.call_tool("run_python", {"code": code}))
                    elapsed = time.perf_counter() - start
                    value = sdk_value(r) if r is not None else None
                    ok = (
                        err is None
                        and not r.is_error
                        and isinstance(value, dict)
                        and value.get("success") is True
                        and value.get("stdout", "").strip() == "499500"
                    )
                    if ok:
                        lat.append(ms(elapsed))
                    else:
                        errors.append({"session": i, "error": err or value or text_of(r.content)})
        except Exception as e:  # noqa: BLE001 - e.g. the session could not be opened
            errors.append({"session": i, "error": err_info(e), "calls_not_made": calls - made})

    start = time.perf_counter()
    await asyncio.gather(*(one_session(i) for i in range(sessions)))
    total = time.perf_counter() - start
    lat.sort()
    return {
        "tool": "run_python",
        "sessions": sessions,
        "calls_per_session": calls,
        "total_calls": sessions * calls,
        "ok": len(lat),
        "failures": sessions * calls - len(lat),
        "errors": errors[:5],
        "p50_ms": percentile(lat, 50),
        "p99_ms": percentile(lat, 99),
        "max_ms": lat[-1] if lat else None,
        "total_seconds": round(total, 3),
        "calls_per_second": round(len(lat) / total, 2) if total else None,
    }


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------


SUBCOMMANDS = {"probe", "isolation", "bad-input", "python-session", "workspace-flow", "progress", "bench", "load"}


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, Target]:
    # Everything after the first "--" is the stdio server command -- unless no subcommand
    # came before "--": then the LAST subcommand name after it starts this script's own
    # arguments again (`--stdio -- CMD ARGS... probe --client sdk`).
    stdio_cmd: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, stdio_cmd = argv[:i], argv[i + 1 :]
        if not SUBCOMMANDS.intersection(argv):
            at = [k for k, a in enumerate(stdio_cmd) if a in SUBCOMMANDS]
            if at:
                argv, stdio_cmd = argv + stdio_cmd[at[-1] :], stdio_cmd[: at[-1]]

    def add_target(p: argparse.ArgumentParser, sub: bool) -> None:
        # On subparsers the defaults are SUPPRESSed so they don't clobber values given
        # before the subcommand name.
        d = {"default": argparse.SUPPRESS} if sub else {}
        p.add_argument("--http", metavar="URL", help="streamable HTTP endpoint", **d)
        p.add_argument("--token", help="bearer token for --http", **d)
        p.add_argument("--stdio", action="store_true", help="server command follows `--`", **d)
        p.add_argument("--call-timeout", type=float, help="seconds per request (default 60)", **d)

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_target(ap, sub=False)
    sp = ap.add_subparsers(dest="command", required=True)
    p = sp.add_parser("probe")
    p.add_argument("--client", choices=["sdk", "fastmcp"], default="sdk")
    p.add_argument("--fastmcp-mode", choices=["auto", "legacy"], default="auto", help="fastmcp.Client(mode=...)")
    sp.add_parser("isolation")
    sp.add_parser("bad-input")
    sp.add_parser("python-session")
    sp.add_parser("progress")
    p = sp.add_parser("workspace-flow")
    p.add_argument("--client", choices=["sdk", "fastmcp"], default="sdk")
    p.add_argument("--fastmcp-mode", choices=["auto", "legacy"], default="auto", help="fastmcp.Client(mode=...)")
    p = sp.add_parser("bench")
    p.add_argument("--calls", type=int, default=200)
    p.add_argument("--warmup", type=int, default=5)
    p = sp.add_parser("load")
    p.add_argument("--sessions", type=int, default=10)
    p.add_argument("--calls", type=int, default=5)
    for p in sp.choices.values():
        add_target(p, sub=True)
    args = ap.parse_args(argv)

    if bool(args.http) == bool(args.stdio):
        ap.error("give exactly one of --http URL or --stdio -- CMD ARGS...")
    if args.stdio and not stdio_cmd:
        ap.error("--stdio needs the server command after `--`")
    if args.token and not args.http:
        ap.error("--token only applies to --http")
    return args, Target(http=args.http, token=args.token, stdio=stdio_cmd, call_timeout=args.call_timeout or 60.0)


async def run(args: argparse.Namespace, t: Target) -> dict[str, Any]:
    if args.command == "probe":
        return await (probe_sdk(t) if args.client == "sdk" else probe_fastmcp(t, args.fastmcp_mode))
    if args.command == "isolation":
        return await isolation(t)
    if args.command == "bad-input":
        return await bad_input(t)
    if args.command == "python-session":
        return await python_session(t)
    if args.command == "progress":
        return await progress(t)
    if args.command == "workspace-flow":
        return await workspace_flow(t, args.client, args.fastmcp_mode)
    if args.command == "bench":
        return await bench(t, args.calls, args.warmup)
    if args.command == "load":
        return await load(t, args.sessions, args.calls)
    raise AssertionError(args.command)


def main() -> None:
    args, t = parse_args(sys.argv[1:])
    header = {"command": args.command, "transport": t.kind}
    try:
        result = {**header, **asyncio.run(run(args, t))}
    except Exception as e:  # noqa: BLE001 - e.g. could not connect at all: still one JSON line
        traceback.print_exc()
        result = {**header, "error": err_info(e)}
    sys.stdout.flush()
    print(json.dumps(clip(result), sort_keys=True), flush=True)


if __name__ == "__main__":
    main()

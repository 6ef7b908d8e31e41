//! The MCP server's HTTP edge: what a request must pass before rmcp parses it.
//!
//! rmcp turns a body into a `serde_json::Value`, which for a body of many tiny values costs
//! a hundred times the body's size. So in front of it a gate checks, in order: the bearer
//! token (compared as SHA-256 digests, so neither content nor length leaks through timing),
//! a cap on requests in flight (429), a cap on sessions before a new one is made (503), the
//! body's size (413) against a shared budget of buffered bytes that later requests wait for,
//! the time it takes to arrive (408), and the number of JSON values in it (413). The response body carries the request's
//! permits and a token that is cancelled when it is dropped: a client that disconnects
//! cancels its call, which [`super::AucoderMcp`] watches for.

use super::McpSettings;
use super::{shutdown_signal, sweep_idle, AucoderMcp, Sessions};
use crate::tools::Tools;
use anyhow::Context;
use axum::body::Body;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http_body_util::BodyExt;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use sha2::{Digest, Sha256};
use std::future::IntoFuture;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::{CancellationToken, DropGuard};

/// Most JSON values (objects, arrays, scalars) in one request; a tool call has a handful.
pub const MAX_JSON_VALUES: usize = 65_536;
/// Bytes of request bodies buffered at once across all requests, at least one full body.
const BODY_BUDGET_BYTES: usize = 64 << 20;
/// Most bytes of an oversized body read and dropped before answering 413.
const DRAIN_BYTES: usize = 256 << 20;
/// How long a request body may take to arrive.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long in-flight requests get to finish after SIGTERM or SIGINT.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Put in a request's extensions: cancelled when its response is dropped (sent, or the
/// client went away).
#[derive(Clone)]
pub struct ClientGone(pub CancellationToken);

/// The checks in front of rmcp, shared by every request.
struct Gate {
    token_digest: Option<[u8; 32]>,
    in_flight: Arc<Semaphore>,
    /// In KiB, so that permits fit a u32.
    body_budget: Arc<Semaphore>,
    body_budget_kib: u32,
    max_body: usize,
    max_sessions: usize,
    manager: Arc<LocalSessionManager>,
}

/// Serves until SIGTERM or SIGINT; returns how serving ended and the sessions to clean up.
pub async fn serve(
    args: &McpSettings,
    tools: Arc<Tools>,
) -> anyhow::Result<(anyhow::Result<()>, Arc<Sessions>)> {
    let idle = args.session_idle;
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("binding {}", args.bind))?;
    let address = listener.local_addr().context("reading the bound address")?;

    let mut session_manager = LocalSessionManager::default();
    session_manager.session_config.keep_alive = Some(idle);
    let manager = Arc::new(session_manager);
    let sessions = Arc::new(
        Sessions::new(idle, args.max_sessions, Some(manager.clone()))
            .with_python_sessions(args.max_python_sessions),
    );
    let sweeper = tokio::spawn(sweep_idle(sessions.clone()));

    let stop = CancellationToken::new();
    let max_body = args.max_body_bytes;
    let mut config = StreamableHttpServerConfig::default()
        .with_max_request_body_bytes(max_body)
        .with_cancellation_token(stop.child_token())
        .with_allowed_origins([
            format!("http://localhost:{}", address.port()),
            format!("http://127.0.0.1:{}", address.port()),
            "http://localhost:6274".to_owned(),
            "http://127.0.0.1:6274".to_owned(),
        ])
        .enforce_origin_validation();
    if !address.ip().is_loopback() {
        // Reached by name or address from other machines; the token is the guard then.
        config = config.disable_allowed_hosts();
    }
    let factory_tools = tools.clone();
    let factory_sessions = sessions.clone();
    let newest = args.newest_protocol;
    let service = StreamableHttpService::new(
        move || {
            Ok(AucoderMcp::new(
                factory_tools.clone(),
                factory_sessions.clone(),
                newest,
            ))
        },
        manager.clone(),
        config,
    );
    let budget = BODY_BUDGET_BYTES.max(max_body);
    let body_budget_kib = u32::try_from(budget >> 10).unwrap_or(u32::MAX);
    let gate = Arc::new(Gate {
        token_digest: args
            .token
            .as_ref()
            .map(|token| digest(format!("Bearer {token}").as_bytes())),
        in_flight: Arc::new(Semaphore::new(args.max_requests)),
        body_budget: Arc::new(Semaphore::new(body_budget_kib as usize)),
        body_budget_kib,
        max_body,
        max_sessions: args.max_sessions,
        manager,
    });
    let app = axum::Router::new()
        .nest_service("/mcp", service)
        .layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                guard(gate.clone(), request, next)
            },
        ));
    eprintln!(
        "aucoder mcp: serving RAG_Search, WriteTemp, ExecTemp, run_python at http://{address}/mcp{}",
        if args.token.is_some() { " (bearer token required)" } else { "" }
    );
    // Streamed (SSE) answers are written in small pieces; without TCP_NODELAY each call can
    // stall 40 ms on delayed ACKs.
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY: {error}");
        }
    });
    let graceful = stop.clone();
    let server = axum::serve(listener, app)
        .with_graceful_shutdown(async move { graceful.cancelled().await })
        .into_future();
    let mut server = std::pin::pin!(server);
    let served = tokio::select! {
        served = &mut server => served.context("serving HTTP"),
        signal = shutdown_signal() => {
            let name = signal?;
            eprintln!("aucoder mcp: {name}: stopping, removing session workspaces");
            // Ends sessions and their streams too, so the graceful wait has an end.
            stop.cancel();
            match tokio::time::timeout(SHUTDOWN_GRACE, server).await {
                Ok(served) => served.context("serving HTTP"),
                Err(_) => {
                    tracing::warn!("requests still open after {SHUTDOWN_GRACE:?}; leaving them");
                    Ok(())
                }
            }
        }
    };
    sweeper.abort();
    Ok((served, sessions))
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Compares without an early exit, so timing does not reveal how much of a digest matched.
fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn refuse(status: http::StatusCode, why: String) -> Response {
    let mut response = (status, format!("{why}\n")).into_response();
    if status == http::StatusCode::TOO_MANY_REQUESTS
        || status == http::StatusCode::SERVICE_UNAVAILABLE
    {
        response.headers_mut().insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static("1"),
        );
    }
    response
}

async fn guard(
    gate: Arc<Gate>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if let Some(expected) = &gate.token_digest {
        let presented = request
            .headers()
            .get(http::header::AUTHORIZATION)
            .map(|value| digest(value.as_bytes()));
        if !presented.is_some_and(|presented| constant_time_eq(&presented, expected)) {
            return (
                http::StatusCode::UNAUTHORIZED,
                [(http::header::WWW_AUTHENTICATE, "Bearer realm=\"aucoder\"")],
                "missing or wrong bearer token\n",
            )
                .into_response();
        }
    }
    // GET streams need a session rmcp holds, and sessions are capped; the rest is counted.
    if request.method() == http::Method::GET {
        return next.run(request).await;
    }
    let Ok(in_flight) = gate.in_flight.clone().try_acquire_owned() else {
        return refuse(
            http::StatusCode::TOO_MANY_REQUESTS,
            "too many requests in flight (--max-requests); try again".to_owned(),
        );
    };
    let mut held = vec![in_flight];
    let request = if request.method() == http::Method::POST {
        match admit_post(&gate, request, &mut held).await {
            Ok(request) => request,
            Err(refusal) => return refusal,
        }
    } else {
        request
    };
    let gone = CancellationToken::new();
    let mut request = request;
    request.extensions_mut().insert(ClientGone(gone.clone()));
    let closing = request.method() == http::Method::DELETE;
    let response = next.run(request).await;
    let (mut parts, body) = response.into_parts();
    // rmcp accepts a closed session with 202; clients expect 200 or 204 and warn otherwise
    // (the Python SDK: "Session termination failed: 202").
    if closing && parts.status == http::StatusCode::ACCEPTED {
        parts.status = http::StatusCode::OK;
    }
    let body = Body::new(Guarded {
        inner: body,
        _held: held,
        _gone: gone.drop_guard(),
    });
    Response::from_parts(parts, body)
}

/// The POST checks: session cap for a new session, body size and budget, JSON value count.
async fn admit_post(
    gate: &Gate,
    request: axum::extract::Request,
    held: &mut Vec<OwnedSemaphorePermit>,
) -> Result<axum::extract::Request, Response> {
    if !request.headers().contains_key("mcp-session-id") {
        let open = gate.manager.sessions.read().await.len();
        if open >= gate.max_sessions {
            return Err(refuse(
                http::StatusCode::SERVICE_UNAVAILABLE,
                format!("{open} sessions are open, the server's limit (--max-sessions)"),
            ));
        }
    }
    let too_big = || {
        refuse(
            http::StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the request body is over {} MiB (--max-body-mib)",
                gate.max_body >> 20
            ),
        )
    };
    let declared = request
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|length| length > gate.max_body) {
        // Read (and drop) what the client sends first: answering before its body is in
        // resets the connection, and its other requests with it.
        drain(request.into_body(), DRAIN_BYTES).await;
        return Err(too_big());
    }
    // Wait (not fail) for room in the budget: memory stays bounded, well-formed calls pass.
    let kib = declared.unwrap_or(gate.max_body).div_ceil(1024).max(1);
    let kib = u32::try_from(kib)
        .unwrap_or(u32::MAX)
        .min(gate.body_budget_kib);
    let permit = gate
        .body_budget
        .clone()
        .acquire_many_owned(kib)
        .await
        .map_err(|_| refuse(http::StatusCode::SERVICE_UNAVAILABLE, "stopping".to_owned()))?;
    held.push(permit);
    let (parts, body) = request.into_parts();
    // A client trickling its body holds a request slot: it gets a deadline.
    let reading = http_body_util::Limited::new(body, gate.max_body).collect();
    let Ok(read) = tokio::time::timeout(BODY_READ_TIMEOUT, reading).await else {
        return Err(refuse(
            http::StatusCode::REQUEST_TIMEOUT,
            format!("the request body took over {BODY_READ_TIMEOUT:?} to arrive"),
        ));
    };
    let bytes: Bytes = match read {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => return Err(too_big()),
        Err(error) => {
            return Err(refuse(
                http::StatusCode::BAD_REQUEST,
                format!("reading the request body: {error}"),
            ))
        }
    };
    // A body sent without a length was charged the most; keep only what it took.
    let used = u32::try_from(bytes.len().div_ceil(1024).max(1)).unwrap_or(u32::MAX);
    if let Some(permit) = held.last_mut() {
        if let Some(excess) = permit.num_permits().checked_sub(used as usize) {
            drop(permit.split(excess));
        }
    }
    let values = count_json_values(&bytes);
    if values > MAX_JSON_VALUES {
        return Err(refuse(
            http::StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the request holds over {MAX_JSON_VALUES} JSON values; a tool call needs a few"
            ),
        ));
    }
    Ok(axum::extract::Request::from_parts(parts, Body::from(bytes)))
}

/// Reads and drops up to `limit` bytes of `body`, holding none of them.
async fn drain(mut body: Body, limit: usize) {
    let mut seen = 0usize;
    while seen < limit {
        match body.frame().await {
            Some(Ok(frame)) => seen += frame.data_ref().map_or(0, Bytes::len),
            _ => break,
        }
    }
}

/// Roughly how many JSON values `body` holds: containers plus separators, outside strings.
/// Only an upper bound matters, so malformed input just counts what it has.
fn count_json_values(body: &[u8]) -> usize {
    let mut count = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in body {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else {
            match byte {
                b'"' => in_string = true,
                b'{' | b'[' | b',' | b':' => count += 1,
                _ => {}
            }
        }
    }
    count + 1
}

/// A response body that holds its request's permits until it is finished or dropped, and
/// cancels the request's [`ClientGone`] token then.
struct Guarded {
    inner: Body,
    _held: Vec<OwnedSemaphorePermit>,
    _gone: DropGuard,
}

impl http_body::Body for Guarded {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_compare_as_digests() {
        let expected = digest(b"Bearer abc");
        assert!(constant_time_eq(&digest(b"Bearer abc"), &expected));
        assert!(!constant_time_eq(&digest(b"Bearer abd"), &expected));
        assert!(!constant_time_eq(&digest(b"Bearer ab"), &expected));
    }

    #[test]
    fn json_values_are_counted_outside_strings_only() {
        let call = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"run_python","arguments":{"code":"print([1,2,3], {'a': 1})\n\"x,y\""}}}"#;
        assert!(count_json_values(call) < 20);
        let flood = format!("[{}0]", "0,".repeat(100_000));
        assert!(count_json_values(flood.as_bytes()) > MAX_JSON_VALUES);
    }
}

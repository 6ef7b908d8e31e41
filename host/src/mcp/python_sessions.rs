//! The MCP server's Python sessions, by the id the server issued.
//!
//! A session id is 128 random bits, named in every call that uses the session, so it works
//! the same for clients with a transport session and for those without (the 2026 protocol
//! has none). An id the server did not issue, or one already closed or expired, reaches
//! nothing. The number of sessions is capped (each holds an interpreter and up to the memory
//! limit), idle ones are closed by the sweeper, and a session ended by a limit is dropped at
//! once: its id then answers that it is gone.

use super::sessions::SessionKey;
use crate::tools::ToolError;
use aucoder_sandbox::{PythonSession, Workspace};
use rmcp::schemars;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// One open session: its interpreter (one turn at a time), its workspace and the transport
/// session that started it, whose end closes it too.
pub struct OpenSession {
    pub interpreter: tokio::sync::Mutex<PythonSession>,
    pub workspace: Arc<Workspace>,
    pub owner: Option<SessionKey>,
}

struct Entry {
    session: Arc<OpenSession>,
    used: Instant,
}

/// Open Python sessions by id.
pub struct PythonSessions {
    open: Mutex<HashMap<String, Entry>>,
    idle: Duration,
    max: usize,
}

impl PythonSessions {
    pub fn new(idle: Duration, max: usize) -> Self {
        Self {
            open: Mutex::default(),
            idle,
            max: max.max(1),
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Refuses a new session when the cap is reached (checked before one is started).
    pub fn check_room(&self) -> Result<(), ToolError> {
        let open = self.map().len();
        if open >= self.max {
            return Err(ToolError::Busy(format!(
                "{open} Python sessions are open, the server's limit (--max-python-sessions); \
                 close one with python_session_close or try again later"
            )));
        }
        Ok(())
    }

    /// Files a started session and issues its id.
    pub fn insert(&self, session: OpenSession) -> Result<String, ToolError> {
        self.check_room()?;
        let id = format!("py-{}", aucoder_sandbox::random_hex());
        self.map().insert(
            id.clone(),
            Entry {
                session: Arc::new(session),
                used: Instant::now(),
            },
        );
        Ok(id)
    }

    /// The session `id` names.
    pub fn get(&self, id: &str) -> Result<Arc<OpenSession>, ToolError> {
        let mut map = self.map();
        let entry = map.get_mut(id).ok_or_else(|| unknown(id))?;
        entry.used = Instant::now();
        Ok(entry.session.clone())
    }

    /// Closes `id`; its interpreter stops when the last call using it returns.
    pub fn close(&self, id: &str) -> Result<(), ToolError> {
        self.map().remove(id).map(drop).ok_or_else(|| unknown(id))
    }

    /// Closes sessions idle past the limit; a session in a turn is not idle.
    pub fn sweep(&self) -> usize {
        let mut map = self.map();
        let before = map.len();
        map.retain(|_, entry| {
            entry.used.elapsed() < self.idle || entry.session.interpreter.try_lock().is_err()
        });
        before - map.len()
    }

    /// Closes the sessions started by a transport session that `ended` says is over.
    pub fn close_owned_by(&self, ended: impl Fn(&SessionKey) -> bool) -> usize {
        let mut map = self.map();
        let before = map.len();
        map.retain(|_, entry| !entry.session.owner.as_ref().is_some_and(&ended));
        before - map.len()
    }

    /// The transport sessions that own an open Python session.
    pub fn owners(&self) -> Vec<SessionKey> {
        self.map()
            .values()
            .filter_map(|entry| entry.session.owner.clone())
            .collect()
    }

    /// Closes every session (shutdown).
    pub fn close_all(&self) -> usize {
        self.map().drain().count()
    }
}

fn unknown(id: &str) -> ToolError {
    // The id is the caller's, of any length: only its start is echoed.
    let id: String = id.chars().take(64).collect();
    ToolError::BadArgument(format!(
        "no open Python session has the id {id:?}: it was never issued, or it was closed, \
         expired or ended by a limit; start one with python_session_start"
    ))
}

/// `python_session_start`'s arguments.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionStartArgs {
    /// The workspace workspace_create issued (default: this MCP session's).
    #[serde(default)]
    pub workspace_id: Option<String>,
}

/// `python_session_run`'s arguments.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionRunArgs {
    /// The id python_session_start returned.
    pub session_id: String,
    /// Python to run in the session; a final expression's value is returned as `result`.
    pub code: String,
    /// A shorter time limit for this turn, in seconds (the server's limit is the maximum);
    /// a turn that passes it ends the session.
    #[serde(default)]
    pub timeout_secs: Option<f64>,
}

/// `python_session_close`'s arguments.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionCloseArgs {
    /// The id python_session_start returned.
    pub session_id: String,
}

/// A turn as the tool answers it.
pub fn turn_to_json(id: &str, turn: &aucoder_sandbox::SessionTurn) -> serde_json::Value {
    serde_json::json!({
        "session_id": id,
        "success": turn.error.is_none(),
        "stdout": turn.stdout,
        "stderr": turn.stderr,
        "result": turn.result,
        "error": turn.error,
        "output_truncated": turn.output_truncated,
        "duration_ms": u64::try_from(turn.duration.as_millis()).unwrap_or(u64::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn ids_are_issued_capped_and_dead_once_closed() {
        let backend = aucoder_sandbox::WasmBackend::shared().unwrap();
        let sessions = PythonSessions::new(Duration::from_secs(60), 1);
        let start = || async {
            let workspace = Arc::new(Workspace::temporary().unwrap());
            let interpreter = aucoder_sandbox::Backend::start_session(
                &backend,
                workspace.clone(),
                &aucoder_sandbox::Limits::default(),
            )
            .await
            .unwrap();
            OpenSession {
                interpreter: tokio::sync::Mutex::new(interpreter),
                workspace,
                owner: Some(SessionKey::Connection(7)),
            }
        };
        let id = sessions.insert(start().await).unwrap();
        assert!(id.starts_with("py-") && id.len() == 35, "{id}");
        assert!(sessions.get("py-made-up").is_err());
        assert!(matches!(sessions.check_room(), Err(ToolError::Busy(_))));
        assert!(sessions.get(&id).is_ok());
        sessions.close(&id).unwrap();
        assert!(sessions.get(&id).is_err(), "closed");
        assert!(sessions.close(&id).is_err(), "closed twice");
        let idle = PythonSessions::new(Duration::ZERO, 4);
        idle.insert(start().await).unwrap();
        assert_eq!(idle.sweep(), 1);
        let owned = PythonSessions::new(Duration::from_secs(60), 4);
        let id = owned.insert(start().await).unwrap();
        assert_eq!(owned.close_owned_by(|key| *key == SessionKey::Ephemeral), 0);
        assert_eq!(
            owned.close_owned_by(|key| *key == SessionKey::Connection(7)),
            1
        );
        assert!(owned.get(&id).is_err(), "closed with its owner");
    }
}

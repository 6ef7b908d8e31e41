//! Session workspaces of the MCP server, bound to the sessions the server itself issued.
//!
//! A workspace is keyed on what the transport proves, never on a header alone: on HTTP the
//! `mcp-session-id` must name a session rmcp's session manager created and still holds (so a
//! made-up id, or one whose session closed, reaches nothing); on stdio the connection is the
//! session. A request with no session at all (the per-request form) gets a workspace of its
//! own that lives for that call only. A client without a transport session (the 2026
//! protocol has none) asks for a workspace by id instead: `workspace_create` issues one of 128
//! random bits, and only an id issued and not yet closed or expired reaches it. The number of
//! stored workspaces is capped, which with the per-workspace disk quota bounds the disk all
//! sessions can hold.

use super::python_sessions::PythonSessions;
use crate::tools::ToolError;
use aucoder_sandbox::Workspace;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::session::SessionManager;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Who is asking, as far as the transport can tell.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SessionKey {
    /// One stdio connection (its own numbering).
    Connection(u64),
    /// An HTTP session id, to be checked against the issued ones.
    Http(String),
    /// An HTTP request without a session: a workspace for this call only.
    Ephemeral,
    /// A workspace `workspace_create` issued, named in the call.
    Issued(String),
}

/// A workspace handed to one tool call.
pub struct SessionWorkspace {
    pub workspace: Arc<Workspace>,
    /// False for [`SessionKey::Ephemeral`]: nothing written survives the call.
    pub kept: bool,
}

/// Workspaces by session, with their last use, removed after the idle time, when their
/// session closes, and all at once on shutdown.
pub struct Sessions {
    workspaces: Mutex<HashMap<SessionKey, (Arc<Workspace>, Instant)>>,
    idle: Duration,
    max: usize,
    /// On HTTP, the session manager whose sessions are the only valid ids.
    issued: Option<Arc<LocalSessionManager>>,
    /// Python sessions, under the same idle time and their own cap.
    pub python: PythonSessions,
}

impl Sessions {
    pub fn new(idle: Duration, max: usize, issued: Option<Arc<LocalSessionManager>>) -> Self {
        Self {
            workspaces: Mutex::default(),
            idle,
            max: max.max(1),
            issued,
            python: PythonSessions::new(idle, max),
        }
    }

    /// Caps the Python sessions open at once (by default as many as workspaces).
    pub fn with_python_sessions(mut self, max: usize) -> Self {
        self.python = PythonSessions::new(self.idle, max);
        self
    }

    pub fn idle(&self) -> Duration {
        self.idle
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<SessionKey, (Arc<Workspace>, Instant)>> {
        self.workspaces
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the session manager still holds `id` (always false without one).
    async fn is_issued(&self, id: &str) -> bool {
        match &self.issued {
            Some(manager) => manager
                .has_session(&id.to_owned().into())
                .await
                .unwrap_or(false),
            None => false,
        }
    }

    /// Whether the transport session `owner` has ended (a closed HTTP session); a Python
    /// session it started goes with it at once, not at the next sweep.
    pub async fn owner_ended(&self, owner: &SessionKey) -> bool {
        match owner {
            SessionKey::Http(id) => !self.is_issued(id).await,
            _ => false,
        }
    }

    /// The session's workspace, created on first use, or why it cannot have one.
    pub async fn workspace(&self, key: &SessionKey) -> Result<SessionWorkspace, ToolError> {
        match key {
            SessionKey::Ephemeral => {
                return Ok(SessionWorkspace {
                    workspace: Arc::new(Workspace::temporary()?),
                    kept: false,
                })
            }
            SessionKey::Http(id) if !self.is_issued(id).await => {
                // Closed sessions lose their workspace at once, not at the next sweep.
                self.map().remove(key);
                self.python.close_owned_by(|owner| owner == key);
                return Err(ToolError::UnknownSession);
            }
            SessionKey::Issued(id) => {
                let mut workspaces = self.map();
                let (workspace, used) = workspaces.get_mut(key).ok_or_else(|| unknown(id))?;
                *used = Instant::now();
                return Ok(SessionWorkspace {
                    workspace: workspace.clone(),
                    kept: true,
                });
            }
            _ => {}
        }
        let mut workspaces = self.map();
        if let Some((workspace, used)) = workspaces.get_mut(key) {
            *used = Instant::now();
            return Ok(SessionWorkspace {
                workspace: workspace.clone(),
                kept: true,
            });
        }
        if workspaces.len() >= self.max {
            return Err(ToolError::Busy(format!(
                "{} sessions hold a workspace, the server's limit (--max-sessions); \
                 close a session or try again later",
                workspaces.len()
            )));
        }
        let workspace = Arc::new(Workspace::temporary()?);
        workspaces.insert(key.clone(), (workspace.clone(), Instant::now()));
        Ok(SessionWorkspace {
            workspace,
            kept: true,
        })
    }

    /// Issues a new workspace and its id (`ws-` and 128 random bits).
    pub fn create_workspace(&self) -> Result<String, ToolError> {
        let mut workspaces = self.map();
        if workspaces.len() >= self.max {
            return Err(ToolError::Busy(format!(
                "{} workspaces are open, the server's limit (--max-sessions); close one with \
                 workspace_close or try again later",
                workspaces.len()
            )));
        }
        let id = format!("ws-{}", aucoder_sandbox::random_hex());
        let workspace = Arc::new(Workspace::temporary()?);
        workspaces.insert(SessionKey::Issued(id.clone()), (workspace, Instant::now()));
        Ok(id)
    }

    /// Closes an issued workspace: its folder goes now, with the Python sessions in it.
    pub fn close_workspace(&self, id: &str) -> Result<(), ToolError> {
        let key = SessionKey::Issued(id.to_owned());
        let (workspace, _) = self.map().remove(&key).ok_or_else(|| unknown(id))?;
        self.python.close_owned_by(|owner| *owner == key);
        remove_folder(&workspace);
        Ok(())
    }

    /// Drops idle sessions and those whose HTTP session closed; their temporary folders
    /// go with the last reference.
    pub async fn sweep(&self) -> usize {
        let mut open = Vec::new();
        if let Some(manager) = &self.issued {
            open = manager.sessions.read().await.keys().cloned().collect();
        }
        let alive = |key: &SessionKey| match key {
            SessionKey::Http(id) => open.iter().any(|open| open.as_ref() == id.as_str()),
            _ => true,
        };
        // A Python session ends with the transport session that started it; a live one keeps
        // its owner's workspace from counting as idle.
        let closed_python = self.python.close_owned_by(|owner| !alive(owner)) + self.python.sweep();
        let owners = self.python.owners();
        let mut workspaces = self.map();
        let before = workspaces.len();
        workspaces.retain(|key, (_, used)| {
            alive(key) && (used.elapsed() < self.idle || owners.contains(key))
        });
        before - workspaces.len() + closed_python
    }

    /// Removes every workspace folder now, even one a call still holds (shutdown).
    pub fn remove_all(&self) -> usize {
        self.python.close_all();
        let drained: Vec<_> = self.map().drain().collect();
        for (_, (workspace, _)) in &drained {
            remove_folder(workspace);
        }
        drained.len()
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map().len()
    }
}

/// Removes a workspace's folder now, even while a call still holds it.
fn remove_folder(workspace: &Workspace) {
    if let Err(error) = std::fs::remove_dir_all(workspace.path()) {
        if error.kind() != std::io::ErrorKind::NotFound {
            tracing::warn!("removing {}: {error}", workspace.path().display());
        }
    }
}

fn unknown(id: &str) -> ToolError {
    // The id is the caller's, of any length: only its start is echoed.
    let id: String = id.chars().take(64).collect();
    ToolError::BadArgument(format!(
        "no open workspace has the id {id:?}: it was never issued, or it was closed or \
         expired; create one with workspace_create"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sessions_get_their_own_workspace_and_idle_ones_are_removed() {
        let sessions = Sessions::new(Duration::from_millis(0), 8, None);
        let a = sessions
            .workspace(&SessionKey::Connection(1))
            .await
            .unwrap();
        let b = sessions
            .workspace(&SessionKey::Connection(2))
            .await
            .unwrap();
        assert_ne!(a.workspace.path(), b.workspace.path());
        let a_path = a.workspace.path().to_path_buf();
        assert!(a_path.is_dir());
        drop((a, b));
        assert_eq!(sessions.sweep().await, 2);
        assert!(!a_path.exists(), "the idle session's workspace was removed");
    }

    #[tokio::test]
    async fn ids_the_server_did_not_issue_reach_nothing() {
        let manager = Arc::new(LocalSessionManager::default());
        let sessions = Sessions::new(Duration::from_secs(60), 8, Some(manager.clone()));
        let made_up = SessionKey::Http("made-up".to_owned());
        assert!(matches!(
            sessions.workspace(&made_up).await,
            Err(ToolError::UnknownSession)
        ));
        let (id, _transport) = manager.create_session().await.unwrap();
        let key = SessionKey::Http(id.to_string());
        let first = sessions.workspace(&key).await.unwrap();
        assert!(first.kept);
        let path = first.workspace.path().to_path_buf();
        drop(first);
        manager.close_session(&id).await.unwrap();
        assert!(matches!(
            sessions.workspace(&key).await,
            Err(ToolError::UnknownSession)
        ));
        assert!(!path.exists(), "a closed session's workspace goes at once");
        assert_eq!(sessions.len(), 0);
    }

    #[tokio::test]
    async fn the_number_of_workspaces_is_capped_and_shutdown_removes_them() {
        let sessions = Sessions::new(Duration::from_secs(60), 2, None);
        let a = sessions
            .workspace(&SessionKey::Connection(1))
            .await
            .unwrap();
        sessions
            .workspace(&SessionKey::Connection(2))
            .await
            .unwrap();
        assert!(matches!(
            sessions.workspace(&SessionKey::Connection(3)).await,
            Err(ToolError::Busy(_))
        ));
        // A session that has one keeps getting it; a call without a session gets its own.
        assert!(sessions.workspace(&SessionKey::Connection(1)).await.is_ok());
        let ephemeral = sessions.workspace(&SessionKey::Ephemeral).await.unwrap();
        assert!(!ephemeral.kept);
        assert_eq!(sessions.remove_all(), 2);
        assert!(!a.workspace.path().exists(), "removed even while held");
    }

    #[tokio::test]
    async fn issued_workspaces_are_reached_by_their_id_only_until_closed() {
        let sessions = Sessions::new(Duration::from_secs(60), 2, None);
        let id = sessions.create_workspace().unwrap();
        assert!(id.starts_with("ws-") && id.len() == 35, "{id}");
        let key = SessionKey::Issued(id.clone());
        let path = sessions
            .workspace(&key)
            .await
            .unwrap()
            .workspace
            .path()
            .to_path_buf();
        assert!(path.is_dir());
        let made_up = SessionKey::Issued("ws-made-up".to_owned());
        assert!(
            sessions.workspace(&made_up).await.is_err(),
            "not created on use"
        );
        sessions.create_workspace().unwrap();
        assert!(matches!(
            sessions.create_workspace(),
            Err(ToolError::Busy(_))
        ));
        sessions.close_workspace(&id).unwrap();
        assert!(!path.exists(), "closing removes the folder");
        assert!(sessions.workspace(&key).await.is_err());
        assert!(sessions.close_workspace(&id).is_err(), "closed twice");
    }
}

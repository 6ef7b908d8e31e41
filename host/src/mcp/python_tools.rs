//! The MCP tools of Python sessions: start one, run turns in it, close it.

use super::python_sessions::{
    turn_to_json, OpenSession, SessionCloseArgs, SessionRunArgs, SessionStartArgs,
};
use super::{object_output_schema, object_result, tool_error, AucoderMcp};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{tool, tool_router, RoleServer};
use serde_json::json;

#[tool_router(router = python_tools, vis = "pub(super)")]
impl AucoderMcp {
    #[tool(
        name = "python_session_start",
        description = "Start a Python session: one interpreter kept across calls, like a notebook kernel (imports and variables carry over). Returns {session_id, interpreter}; pass session_id to python_session_run and python_session_close. Its files live in the workspace workspace_id names, or else in this MCP session's.",
        output_schema = object_output_schema()
    )]
    async fn python_session_start(
        &self,
        Parameters(args): Parameters<SessionStartArgs>,
        context: RequestContext<RoleServer>,
    ) -> CallToolResult {
        Self::unless_abandoned(&context, async {
            if let Err(error) = self.sessions.python.check_room() {
                return tool_error(error);
            }
            let workspace_id = args.workspace_id.as_deref();
            let (workspace, owner) = match self.prepare(&context, workspace_id, None).await {
                // A kept workspace belongs to the transport session; an ephemeral one lives
                // as long as the Python session alone.
                Ok(session) => (
                    session.workspace,
                    session
                        .kept
                        .then(|| self.workspace_key(&context, workspace_id)),
                ),
                Err(error) => return error,
            };
            let started = self.tools.start_python_session(workspace.clone()).await;
            let opened = started.and_then(|interpreter| {
                let ran_on = interpreter.ran_on();
                let id = self.sessions.python.insert(OpenSession {
                    interpreter: tokio::sync::Mutex::new(interpreter),
                    workspace,
                    owner,
                })?;
                Ok((id, ran_on))
            });
            match opened {
                Ok((id, ran_on)) => object_result(json!({
                    "session_id": id,
                    "interpreter": ran_on.interpreter(),
                })),
                Err(error) => tool_error(error),
            }
        })
        .await
    }

    #[tool(
        name = "python_session_run",
        description = "Run code in a Python session; returns {session_id, success, stdout, stderr, result, error, output_truncated, duration_ms}: result is the repr of a final expression, error the traceback. A turn past its time limit ends the session.",
        output_schema = object_output_schema()
    )]
    async fn python_session_run(
        &self,
        Parameters(args): Parameters<SessionRunArgs>,
        context: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let session = match self.sessions.python.get(&args.session_id) {
            Ok(session) => session,
            Err(error) => return tool_error(error),
        };
        if let Some(owner) = &session.owner {
            if self.sessions.owner_ended(owner).await {
                self.sessions.python.close_owned_by(|key| key == owner);
                return tool_error(format!(
                    "no open Python session has the id {:?}: the MCP session that started it \
                     has closed",
                    args.session_id
                ));
            }
        }
        Self::unless_abandoned(&context, async {
            let mut interpreter = session.interpreter.lock().await;
            match self
                .tools
                .python_session_turn(&mut interpreter, &args.code, args.timeout_secs)
                .await
            {
                Ok(Ok(turn)) => object_result(turn_to_json(&args.session_id, &turn)),
                Ok(Err(ended)) => {
                    // The id dies with its interpreter.
                    let _ = self.sessions.python.close(&args.session_id);
                    tool_error(format!(
                        "{ended}; the session {} is closed: start a new one",
                        args.session_id
                    ))
                }
                Err(error) => tool_error(error),
            }
        })
        .await
    }

    #[tool(
        name = "python_session_close",
        description = "Close a Python session and stop its interpreter.",
        output_schema = object_output_schema()
    )]
    async fn python_session_close(
        &self,
        Parameters(args): Parameters<SessionCloseArgs>,
    ) -> CallToolResult {
        match self.sessions.python.close(&args.session_id) {
            Ok(()) => object_result(json!({"session_id": args.session_id, "closed": true})),
            Err(error) => tool_error(error),
        }
    }
}

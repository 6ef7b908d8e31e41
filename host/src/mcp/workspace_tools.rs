//! The MCP tools of workspaces by id and of the files in them: `workspace_create` /
//! `workspace_close` for clients without a transport session (the 2026 protocol has none),
//! and `file_write` / `file_read` / `file_list` to move files in and out of a workspace (the
//! one a call names, or else its session's).

use super::{object_output_schema, object_result, tool_error, AucoderMcp};
use crate::workspace_files;
use aucoder_sandbox::Workspace;
use base64::Engine;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{schemars, tool, tool_router, RoleServer};
use serde_json::json;
use std::sync::Arc;

/// Names the workspace of `workspace_close`.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceArgs {
    /// The id workspace_create returned.
    pub workspace_id: String,
}

/// `file_write`'s arguments.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileWriteArgs {
    /// The workspace workspace_create issued (default: this MCP session's).
    #[serde(default)]
    pub workspace_id: Option<String>,
    /// A relative name inside the workspace, such as `data/input.csv`.
    pub path: String,
    /// The file's contents: text, or base64 when `base64` is true.
    pub content: String,
    /// Whether `content` is base64 (for binary files).
    #[serde(default)]
    pub base64: bool,
}

/// `file_read`'s arguments.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileReadArgs {
    /// The workspace workspace_create issued (default: this MCP session's).
    #[serde(default)]
    pub workspace_id: Option<String>,
    /// A relative name inside the workspace.
    pub path: String,
    /// Return the contents as base64 (the default for a file that is not UTF-8 text).
    #[serde(default)]
    pub base64: bool,
}

/// `file_list`'s arguments.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileListArgs {
    /// The workspace workspace_create issued (default: this MCP session's).
    #[serde(default)]
    pub workspace_id: Option<String>,
}

const NO_WORKSPACE: &str = "this call has no workspace to keep files in: initialize a session, \
                            or pass the workspace_id of workspace_create";

impl AucoderMcp {
    /// The workspace a file tool works in: the one named, or else the session's; a call
    /// with neither is refused, as its folder would be gone after it.
    async fn kept_workspace(
        &self,
        context: &RequestContext<RoleServer>,
        workspace_id: Option<&str>,
    ) -> Result<Arc<Workspace>, CallToolResult> {
        match self.prepare(context, workspace_id, None).await {
            Ok(session) if session.kept => Ok(session.workspace),
            Ok(_) => Err(tool_error(NO_WORKSPACE)),
            Err(error) => Err(error),
        }
    }
}

#[tool_router(router = workspace_tools, vis = "pub(super)")]
impl AucoderMcp {
    #[tool(
        name = "workspace_create",
        description = "Create a workspace (a folder the sandbox sees) and return {workspace_id}; pass it to the tools that touch files. For clients without an MCP session; close it with workspace_close (idle ones expire).",
        output_schema = object_output_schema()
    )]
    async fn workspace_create(&self) -> CallToolResult {
        match self.sessions.create_workspace() {
            Ok(id) => object_result(json!({"workspace_id": id})),
            Err(error) => tool_error(error),
        }
    }

    #[tool(
        name = "workspace_close",
        description = "Close a workspace made by workspace_create: its files and the Python sessions in it go now.",
        output_schema = object_output_schema()
    )]
    async fn workspace_close(&self, Parameters(args): Parameters<WorkspaceArgs>) -> CallToolResult {
        match self.sessions.close_workspace(&args.workspace_id) {
            Ok(()) => object_result(json!({"workspace_id": args.workspace_id, "closed": true})),
            Err(error) => tool_error(error),
        }
    }

    #[tool(
        name = "file_write",
        description = "Write a file into the workspace (text, or base64 with base64: true; up to 4 MiB, within the disk quota); returns {path, bytes}.",
        output_schema = object_output_schema()
    )]
    async fn file_write(
        &self,
        Parameters(args): Parameters<FileWriteArgs>,
        context: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let workspace = match self
            .kept_workspace(&context, args.workspace_id.as_deref())
            .await
        {
            Ok(workspace) => workspace,
            Err(error) => return error,
        };
        let contents = if args.base64 {
            match base64::engine::general_purpose::STANDARD.decode(args.content.as_bytes()) {
                Ok(bytes) => bytes,
                Err(error) => return tool_error(format!("content is not base64: {error}")),
            }
        } else {
            args.content.into_bytes()
        };
        let disk = self.tools.limits().disk_bytes;
        match workspace_files::write(&workspace, &args.path, &contents, disk) {
            Ok(()) => object_result(json!({"path": args.path, "bytes": contents.len()})),
            Err(error) => tool_error(error),
        }
    }

    #[tool(
        name = "file_read",
        description = "Read a file of the workspace (up to 4 MiB); returns {path, bytes, content, base64}: content is text, or base64 when asked or when the file is not UTF-8.",
        output_schema = object_output_schema()
    )]
    async fn file_read(
        &self,
        Parameters(args): Parameters<FileReadArgs>,
        context: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let workspace = match self
            .kept_workspace(&context, args.workspace_id.as_deref())
            .await
        {
            Ok(workspace) => workspace,
            Err(error) => return error,
        };
        let bytes = match workspace_files::read(&workspace, &args.path) {
            Ok(bytes) => bytes,
            Err(error) => return tool_error(error),
        };
        let size = bytes.len();
        let (content, base64) = match (args.base64, String::from_utf8(bytes)) {
            (false, Ok(text)) => (text, false),
            (true, Ok(text)) => (
                base64::engine::general_purpose::STANDARD.encode(text.as_bytes()),
                true,
            ),
            (_, Err(error)) => (
                base64::engine::general_purpose::STANDARD.encode(error.as_bytes()),
                true,
            ),
        };
        object_result(json!({
            "path": args.path, "bytes": size, "content": content, "base64": base64,
        }))
    }

    #[tool(
        name = "file_list",
        description = "List the workspace's files: {files: [{path, bytes}], truncated} (links are not followed; at most 1000).",
        output_schema = object_output_schema()
    )]
    async fn file_list(
        &self,
        Parameters(args): Parameters<FileListArgs>,
        context: RequestContext<RoleServer>,
    ) -> CallToolResult {
        match self
            .kept_workspace(&context, args.workspace_id.as_deref())
            .await
        {
            Ok(workspace) => {
                let (files, truncated) = workspace_files::list(&workspace);
                object_result(json!({"files": files, "truncated": truncated}))
            }
            Err(error) => error,
        }
    }
}

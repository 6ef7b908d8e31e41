//! Config files: every flag's default, per user and per project.
//!
//! `~/.config/aucoder/config.toml` is read first, then the nearest `aucoder.toml` found
//! walking up from the working folder. A top-level key is a long flag name (`max-rounds = 3`,
//! `sandbox = "python"`, `agent = ["coder=my.wasm"]`); it applies to every command that has
//! that flag. The settings become arguments placed before the user's own, and every command
//! lets a later occurrence of an argument override an earlier one, so the precedence is:
//! command line, then the project file, then the user file, then environment variables, then
//! built-in defaults (repeatable flags such as `agent` add up instead). Paths in a file are
//! relative to the file's folder. A project file may have come with someone else's
//! repository, so it may set only harmless preferences ([`trust`]); the rest of what it says
//! is refused with a warning. The `[tools]` table says which tools each agent role may
//! call, and `[mcp_servers.NAME]` tables (the user's file only) name external MCP servers
//! whose tools the agents may be allowed (`NAME.tool`).

pub mod trust;

use crate::mcp_client::McpServer;
use anyhow::{bail, Context};
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The project config file's name.
pub const PROJECT_FILE: &str = "aucoder.toml";

/// Whose file it is: the user's own, or one found in (a parent of) the working folder,
/// which may have come with a cloned repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    User,
    Project,
}

/// Larger than any config file a person writes.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// Settings holding paths, which a file gives relative to its own folder.
const PATH_SETTINGS: [&str; 7] = [
    "utils",
    "out",
    "log",
    "plugins",
    "model-path",
    "workspace",
    "agent",
];

/// A path setting made absolute against the folder of the file that holds it (`agent`'s
/// `ROLE=FILE` keeps its role).
fn relative_to(base: &Path, key: &str, value: toml::Value) -> toml::Value {
    let absolute = |text: &str| -> String {
        if key == "agent" {
            if let Some((role, path)) = text.split_once('=') {
                return format!("{role}={}", base.join(path).display());
            }
        }
        base.join(text).display().to_string()
    };
    match value {
        toml::Value::String(text) => toml::Value::String(absolute(&text)),
        toml::Value::Array(items) => toml::Value::Array(
            items
                .into_iter()
                .map(|item| match item {
                    toml::Value::String(text) => toml::Value::String(absolute(&text)),
                    other => other,
                })
                .collect(),
        ),
        other => other,
    }
}

/// One flag default from a file: a long flag name and its value.
#[derive(Debug, Clone)]
pub struct Setting {
    pub key: String,
    pub value: toml::Value,
    pub file: PathBuf,
    pub trust: Trust,
    /// Why a project file may not set this, when it may not.
    pub refused: Option<String>,
}

/// What the config files say.
#[derive(Debug, Default)]
pub struct Config {
    /// The files read, in order.
    pub files: Vec<PathBuf>,
    settings: Vec<Setting>,
    /// Tools each role may call (`[tools]`), by role name.
    pub allowed_tools: HashMap<String, Vec<String>>,
    /// External MCP servers (`[mcp_servers.NAME]`), whose tools are `NAME.tool`.
    pub mcp_servers: BTreeMap<String, McpServer>,
}

impl Config {
    /// Reads the user's and the project's config files (either may be missing).
    pub fn load() -> anyhow::Result<Self> {
        let mut config = Self::default();
        if let Some(dir) = dirs::config_dir() {
            config.read_if_present(&dir.join("aucoder").join("config.toml"), Trust::User)?;
        }
        if let Ok(cwd) = std::env::current_dir() {
            if let Some(project) = cwd
                .ancestors()
                .map(|dir| dir.join(PROJECT_FILE))
                .find(|file| file.is_file())
            {
                config.read_if_present(&project, Trust::Project)?;
            }
        }
        Ok(config)
    }

    fn read_if_present(&mut self, file: &Path, trust: Trust) -> anyhow::Result<()> {
        let opened = match std::fs::File::open(file) {
            Ok(opened) => opened,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(error).with_context(|| format!("reading {}", file.display())),
        };
        // The checks look at the file that was opened, not at a path that could be swapped.
        let meta = opened
            .metadata()
            .with_context(|| format!("reading {}", file.display()))?;
        if !meta.is_file() {
            return Ok(());
        }
        if let Err(refusal) = trust::check_owner(file, &meta) {
            tracing::warn!("{refusal}");
            return Ok(());
        }
        let mut text = String::new();
        opened
            .take(MAX_CONFIG_BYTES + 1)
            .read_to_string(&mut text)
            .with_context(|| format!("reading {}", file.display()))?;
        if text.len() as u64 > MAX_CONFIG_BYTES {
            bail!(
                "{} is over {} KiB: not a config file",
                file.display(),
                MAX_CONFIG_BYTES >> 10
            );
        }
        let table: toml::Table = text
            .parse()
            .with_context(|| format!("{} is not valid TOML", file.display()))?;
        for (key, value) in table {
            if key == "tools" {
                self.read_tools(file, value, trust)?;
            } else if key == "mcp_servers" || key == "mcp-servers" {
                if trust == Trust::Project {
                    tracing::warn!(
                        "{}: ignoring [mcp_servers]: servers are programs to start, so only \
                         your own config file (~/.config/aucoder/config.toml) may name them",
                        file.display()
                    );
                    continue;
                }
                self.read_mcp_servers(file, value)?;
            } else if value.is_table() {
                bail!(
                    "{}: unknown section [{key}] (known: [tools], [mcp_servers.NAME])",
                    file.display()
                );
            } else {
                let key = key.replace('_', "-");
                let base = file.parent().unwrap_or(Path::new("."));
                // Judged here, reported when applied: an unknown key is an error first.
                let refused = match trust {
                    Trust::Project => trust::project_refuses(&key, &value, base),
                    Trust::User => None,
                };
                let value = match (PATH_SETTINGS.contains(&key.as_str()), file.parent()) {
                    (true, Some(base)) => relative_to(base, &key, value),
                    _ => value,
                };
                self.settings.push(Setting {
                    key,
                    value,
                    file: file.to_owned(),
                    trust,
                    refused,
                });
            }
        }
        self.files.push(file.to_owned());
        Ok(())
    }

    fn read_tools(&mut self, file: &Path, value: toml::Value, trust: Trust) -> anyhow::Result<()> {
        let bad = || {
            format!(
                "{}: [tools] maps a role to a list of tool names, e.g. coder = [\"RAG_Search\"]",
                file.display()
            )
        };
        let table = value.as_table().with_context(bad)?;
        for (role, tools) in table {
            let tools = tools
                .as_array()
                .with_context(bad)?
                .iter()
                .map(|tool| tool.as_str().map(str::to_owned))
                .collect::<Option<Vec<String>>>()
                .with_context(bad)?;
            if trust == Trust::Project {
                if let Some(reason) = trust::project_refuses_tools(&tools) {
                    tracing::warn!("{}: ignoring [tools] {role}: {reason}", file.display());
                    continue;
                }
            }
            self.allowed_tools.insert(role.to_ascii_lowercase(), tools);
        }
        Ok(())
    }

    fn read_mcp_servers(&mut self, file: &Path, value: toml::Value) -> anyhow::Result<()> {
        let bad = |name: &str| {
            format!(
                "{}: [mcp_servers.{name}] needs command = [\"program\", \"arg\", ...] or \
                 url = \"http://host:port/mcp\"",
                file.display()
            )
        };
        let table = value.as_table().with_context(|| bad("NAME"))?;
        for (name, server) in table {
            if name.is_empty() || name.contains('.') {
                bail!(
                    "{}: an MCP server name may not be empty or contain '.': {name:?}",
                    file.display()
                );
            }
            let server = server.as_table().with_context(|| bad(name))?;
            let entry = match (server.get("command"), server.get("url")) {
                (Some(command), None) => McpServer::Command(
                    command
                        .as_array()
                        .and_then(|items| {
                            items
                                .iter()
                                .map(|item| item.as_str().map(str::to_owned))
                                .collect::<Option<Vec<String>>>()
                        })
                        .filter(|argv| !argv.is_empty())
                        .with_context(|| bad(name))?,
                ),
                (None, Some(url)) => {
                    McpServer::Url(url.as_str().with_context(|| bad(name))?.to_owned())
                }
                _ => bail!(bad(name)),
            };
            self.mcp_servers.insert(name.clone(), entry);
        }
        Ok(())
    }

    /// The flag defaults the files set, in the order read (the user's file first).
    pub fn settings(&self) -> &[Setting] {
        &self.settings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    const FILE: &str = r#"
max-rounds = 2
sandbox = "python"
out = "../outside.py"
utils = "docs"
plugins = "plugins"

[tools]
coder = ["RAG_Search"]
executor = ["run_python", "other.tool"]

[mcp_servers.other]
command = ["sh", "-c", "true"]
"#;

    fn read(text: &str, trust: Trust) -> (tempfile::TempDir, anyhow::Result<Config>) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let file = dir.path().join(PROJECT_FILE);
        std::fs::write(&file, text).expect("written");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("mode");
        let mut config = Config::default();
        let read = config.read_if_present(&file, trust).map(|()| config);
        (dir, read)
    }

    fn refusal<'a>(config: &'a Config, key: &str) -> Option<&'a str> {
        let setting = config
            .settings()
            .iter()
            .find(|setting| setting.key == key)
            .unwrap_or_else(|| panic!("{key} was read"));
        setting.refused.as_deref()
    }

    #[test]
    fn a_project_file_sets_preferences_and_is_refused_the_rest() {
        let (_dir, config) = read(FILE, Trust::Project);
        let config = config.expect("read");
        assert_eq!(refusal(&config, "max-rounds"), None);
        assert_eq!(refusal(&config, "utils"), None);
        for key in ["sandbox", "out", "plugins"] {
            assert!(refusal(&config, key).is_some(), "{key} is refused");
        }
        assert!(config.mcp_servers.is_empty(), "a project names no servers");
        assert_eq!(config.allowed_tools["coder"], ["RAG_Search"]);
        assert!(
            !config.allowed_tools.contains_key("executor"),
            "a project may only narrow to built-in tools"
        );
    }

    #[test]
    fn the_users_own_file_may_set_all_of_it() {
        let (dir, config) = read(FILE, Trust::User);
        let config = config.expect("read");
        for key in ["max-rounds", "sandbox", "out", "plugins"] {
            assert_eq!(refusal(&config, key), None, "{key}");
        }
        assert!(config.mcp_servers.contains_key("other"));
        assert_eq!(config.allowed_tools["executor"].len(), 2);
        let utils = config
            .settings()
            .iter()
            .find(|setting| setting.key == "utils")
            .expect("utils was read");
        assert_eq!(
            utils.value.as_str(),
            Some(dir.path().join("docs").to_str().expect("UTF-8")),
            "paths are relative to the file's folder"
        );
    }

    #[test]
    fn a_file_others_may_write_is_not_read_and_a_huge_one_is_an_error() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let file = dir.path().join(PROJECT_FILE);
        std::fs::write(&file, "max-rounds = 1\n").expect("written");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).expect("mode");
        let mut config = Config::default();
        config
            .read_if_present(&file, Trust::User)
            .expect("ignored, not an error");
        assert!(config.settings().is_empty() && config.files.is_empty());

        let huge = format!("# {}\n", "x".repeat(MAX_CONFIG_BYTES as usize));
        let (_dir, read) = read(&huge, Trust::User);
        let error = read.expect_err("too large").to_string();
        assert!(error.contains("not a config file"), "{error}");
    }
}

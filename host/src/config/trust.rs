//! Whose config file may set what.
//!
//! A project's `aucoder.toml` may have come with a cloned repository, or have been written by
//! a program aucoder ran, so it is a stranger's preferences: it may set only what cannot
//! weaken isolation, name a program, server or URL, or write outside the project. Anything
//! else a project file says is refused with a warning and the run goes on without it. Files
//! another user owns, or that others may write, are not read at all. The rules are written
//! out for users in `docs/security.md`.

use std::path::{Component, Path};

/// Settings a project file may set freely: they shape the work, not where it runs.
const PROJECT_FREE: [&str; 7] = [
    "max-rounds",
    "candidates",
    "seed",
    "json",
    "no-checks",
    "judge-only",
    "k",
];

/// Numeric limits a project file may only tighten: a value above the built-in default is
/// refused.
const PROJECT_TIGHTER: [&str; 15] = [
    "timeout",
    "memory",
    "output-limit",
    "disk",
    "plugin-fuel",
    "plugin-memory",
    "plugin-timeout",
    "llm-timeout",
    "context",
    "max-executions",
    "session-idle-secs",
    "max-body-mib",
    "max-sessions",
    "max-queue",
    "max-requests",
];

/// Output names a project file may set, inside the project's folder.
const PROJECT_PATHS: [&str; 3] = ["out", "log", "utils"];

/// Why a project file may not set `key` to `value` before its default is known (paths,
/// choices and unknown kinds of setting), or `None` when it may, so far.
pub(super) fn project_refuses(key: &str, value: &toml::Value, base: &Path) -> Option<String> {
    if PROJECT_FREE.contains(&key) || PROJECT_TIGHTER.contains(&key) {
        return None;
    }
    if key == "offline" {
        return None;
    }
    if key == "sandbox" {
        return match value.as_str() {
            Some("wasm") => None,
            _ => Some(
                "it would run generated code outside the sandbox; only the command line or \
                 your own config file may choose another backend"
                    .to_owned(),
            ),
        };
    }
    if PROJECT_PATHS.contains(&key) {
        let Some(text) = value.as_str() else {
            return Some("it must be a path inside the project".to_owned());
        };
        return inside_project(base, Path::new(text)).err();
    }
    Some(
        "it can weaken isolation, name a program, server or URL, or reach outside the \
         project; only the command line or your own config file may set it"
            .to_owned(),
    )
}

/// Why a project file may not set a numeric limit above `default`, if it may not.
pub fn project_refuses_limit(
    key: &str,
    value: &toml::Value,
    default: Option<&str>,
) -> Option<String> {
    if !PROJECT_TIGHTER.contains(&key) {
        return None;
    }
    let asked = match value {
        toml::Value::Integer(number) => *number as f64,
        toml::Value::Float(number) => *number,
        toml::Value::String(text) => text.parse::<f64>().unwrap_or(f64::NAN),
        _ => f64::NAN,
    };
    let Some(default) = default.and_then(|text| text.parse::<f64>().ok()) else {
        return Some("a project file may only tighten limits, and this one has no default".into());
    };
    // NaN compares false both ways: a value that is not a plain number is refused too.
    (asked.is_nan() || asked > default).then(|| {
        format!(
            "a project file may only tighten this limit (the default is {default}, asked {asked})"
        )
    })
}

/// A `[tools]` list from a project file may only narrow the built-in tools; granting an
/// external server's tool (`NAME.tool`) is for the user's own file.
pub(super) fn project_refuses_tools(tools: &[String]) -> Option<String> {
    let external: Vec<&str> = tools
        .iter()
        .map(String::as_str)
        .filter(|tool| tool.contains('.'))
        .collect();
    (!external.is_empty()).then(|| {
        format!(
            "it grants tools of MCP servers ({}); only your own config file may",
            external.join(", ")
        )
    })
}

/// `relative` names a place inside `base`: no absolute path, no `..`, and no symbolic link
/// on the way that leads out of it.
fn inside_project(base: &Path, relative: &Path) -> Result<(), String> {
    let plain = relative
        .components()
        .all(|component| matches!(component, Component::Normal(_) | Component::CurDir));
    if !plain || relative.as_os_str().is_empty() {
        return Err(format!(
            "{} is not a path inside the project (no absolute paths or `..`)",
            relative.display()
        ));
    }
    let Ok(root) = base.canonicalize() else {
        return Err(format!(
            "the project folder {} cannot be read",
            base.display()
        ));
    };
    // The deepest part that exists must resolve inside the project; a link at the end itself
    // is refused too, as writing through it would land elsewhere.
    let full = base.join(relative);
    if std::fs::symlink_metadata(&full).is_ok_and(|meta| meta.file_type().is_symlink()) {
        return Err(format!("{} is a symbolic link", relative.display()));
    }
    let existing = full.ancestors().find(|path| path.exists()).unwrap_or(base);
    match existing.canonicalize() {
        Ok(resolved) if resolved.starts_with(&root) => Ok(()),
        _ => Err(format!(
            "{} leads outside the project through a symbolic link",
            relative.display()
        )),
    }
}

/// Refuses a config file that another user owns or that others may write: its settings
/// would be theirs, not the user's.
#[cfg(unix)]
pub(super) fn check_owner(file: &Path, meta: &std::fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me && meta.uid() != 0 {
        return Err(format!(
            "ignoring {}: it belongs to another user (uid {}), so its settings are not yours",
            file.display(),
            meta.uid()
        ));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(format!(
            "ignoring {}: other users may write it (mode {:o}); run chmod go-w on it",
            file.display(),
            meta.mode() & 0o777
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
pub(super) fn check_owner(_file: &Path, _meta: &std::fs::Metadata) -> Result<(), String> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_may_set_preferences_but_not_isolation_programs_or_urls() {
        let base = tempfile::tempdir().unwrap();
        let ok = |key: &str, value: toml::Value| project_refuses(key, &value, base.path());
        assert!(ok("max-rounds", 3.into()).is_none());
        assert!(ok("sandbox", "wasm".into()).is_none());
        assert!(ok("out", "result/x.py".into()).is_none());
        for (key, value) in [
            ("sandbox", toml::Value::from("python")),
            ("allow-unsandboxed", true.into()),
            ("llm-url", "http://evil".into()),
            ("bind", "0.0.0.0:1".into()),
            ("token", "x".into()),
            ("plugins", "p".into()),
            ("agent", "coder=x.wasm".into()),
            ("model-path", "m.gguf".into()),
            ("workspace", ".".into()),
            ("python", "/bin/sh".into()),
            ("out", "/etc/x".into()),
            ("log", "../x.jsonl".into()),
            ("utils", "a/../../b".into()),
        ] {
            assert!(ok(key, value.clone()).is_some(), "{key} = {value}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn paths_through_links_out_of_the_project_are_refused() {
        let base = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), base.path().join("out")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", base.path().join("log.jsonl")).unwrap();
        assert!(inside_project(base.path(), Path::new("out/final.py")).is_err());
        assert!(inside_project(base.path(), Path::new("log.jsonl")).is_err());
        assert!(inside_project(base.path(), Path::new("new/final.py")).is_ok());
    }

    #[test]
    fn limits_may_only_tighten() {
        assert!(project_refuses_limit("timeout", &5.into(), Some("10")).is_none());
        assert!(project_refuses_limit("timeout", &11.into(), Some("10")).is_some());
        assert!(project_refuses_limit("disk", &1e9.into(), Some("64")).is_some());
        assert!(project_refuses_limit("max-rounds", &50.into(), Some("5")).is_none());
    }

    #[test]
    fn project_tools_may_only_narrow_the_built_in_ones() {
        assert!(project_refuses_tools(&["RAG_Search".to_owned()]).is_none());
        assert!(project_refuses_tools(&["mine.delete_all".to_owned()]).is_some());
    }
}

//! Config files turned into arguments: the settings the files hold ([`Config`]) that apply
//! to the chosen command go before the user's own arguments, and every command lets a later
//! occurrence of an argument override an earlier one. A project file's numeric limits are
//! checked here against the flag's default (which only clap knows).

use anyhow::bail;
use aucoder_agents::config::{Config, Trust};
use std::ffi::OsString;

/// The command line with the config settings that apply to the chosen command inserted
/// before the user's own arguments. A key no command knows is an error naming the file.
pub fn apply(
    config: &Config,
    root: &clap::Command,
    args: Vec<OsString>,
) -> anyhow::Result<Vec<OsString>> {
    let settings = config.settings();
    if settings.is_empty() {
        return Ok(args);
    }
    // `aucoder help ...` is clap's own subcommand: nothing to set.
    if args.get(1).and_then(|arg| arg.to_str()) == Some("help") {
        return Ok(args);
    }
    // The command the user chose: subcommand names come first on the line.
    let mut target = root;
    let mut insert_at = 1;
    while let Some(name) = args.get(insert_at).and_then(|arg| arg.to_str()) {
        match target.find_subcommand(name) {
            Some(sub) => {
                target = sub;
                insert_at += 1;
            }
            None => break,
        }
    }
    let mut injected = Vec::new();
    for (index, setting) in settings.iter().enumerate() {
        let Some(arg) = target
            .get_arguments()
            .find(|arg| arg.get_long() == Some(setting.key.as_str()))
        else {
            if !knows_flag(root, &setting.key) {
                bail!(
                    "{}: unknown setting `{}` (settings are long flag names, e.g. \
                     max-rounds = 3; see aucoder --help)",
                    setting.file.display(),
                    setting.key
                );
            }
            continue;
        };
        if setting.trust == Trust::Project {
            let default = arg
                .get_default_values()
                .first()
                .and_then(|text| text.to_str());
            let refused = setting.refused.clone().or_else(|| {
                aucoder_agents::config::trust::project_refuses_limit(
                    &setting.key,
                    &setting.value,
                    default,
                )
            });
            if let Some(reason) = refused {
                tracing::warn!(
                    "{}: ignoring `{}`: {reason} (see docs/security.md)",
                    setting.file.display(),
                    setting.key
                );
                continue;
            }
        }
        // A single-valued setting given again by a later file (the project's after the
        // user's) is replaced, not passed twice: so `json = false` in a project file
        // turns off the user file's `json = true`. Repeatable flags add up.
        let repeatable = matches!(arg.get_action(), clap::ArgAction::Append);
        let replaced_later = settings[index + 1..]
            .iter()
            .any(|later| later.key == setting.key && later.refused.is_none());
        if replaced_later && !repeatable {
            continue;
        }
        let takes_value = arg.get_action().takes_values();
        let values = match &setting.value {
            toml::Value::Array(items) => items.clone(),
            single => vec![single.clone()],
        };
        for value in values {
            match value {
                toml::Value::Boolean(enabled) if !takes_value => {
                    if enabled {
                        injected.push(OsString::from(format!("--{}", setting.key)));
                    }
                }
                toml::Value::String(text) => {
                    injected.push(OsString::from(format!("--{}={text}", setting.key)))
                }
                toml::Value::Integer(_) | toml::Value::Float(_) | toml::Value::Boolean(_) => {
                    injected.push(OsString::from(format!("--{}={value}", setting.key)))
                }
                other => bail!(
                    "{}: `{}` must be a string, number or boolean, not {}",
                    setting.file.display(),
                    setting.key,
                    other.type_str()
                ),
            }
        }
    }
    let mut applied = args;
    let at = insert_at.min(applied.len());
    applied.splice(at..at, injected);
    Ok(applied)
}

fn knows_flag(command: &clap::Command, long: &str) -> bool {
    command
        .get_arguments()
        .any(|arg| arg.get_long() == Some(long))
        || command.get_subcommands().any(|sub| knows_flag(sub, long))
}

/// Lets a later occurrence of an argument replace an earlier one in every command, so
/// arguments from config files can be overridden on the command line.
pub fn later_arguments_win(command: clap::Command) -> clap::Command {
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .collect();
    names
        .iter()
        .fold(command.args_override_self(true), |command, name| {
            command.mut_subcommand(name, later_arguments_win)
        })
}

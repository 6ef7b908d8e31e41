//! Which plugin fills each role.
//!
//! The built-in agent first; then each plugin folder in order (the user's
//! `~/.config/aucoder/plugins`, then `--plugins DIR`; never the working folder's own), where
//! a plugin replaces the current agent of the role its `describe()` names;
//! then `--agent ROLE=FILE`, which places a file in a role whatever it describes. Every file
//! is compiled and checked at start-up, so a broken plugin is an error naming the file before
//! any model time is spent.

use super::runtime::{LoadedPlugin, PluginRuntime, StepOutcome};
use super::{builtin, role_name, Role, ROLES};
use super::{Services, Task};
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A folder of `.wasm` plugins.
#[derive(Debug, Clone)]
pub struct PluginDir {
    pub path: PathBuf,
    /// Whether a missing folder is an error (it is when the user named it).
    pub required: bool,
}

/// Where plugins come from, in increasing precedence.
#[derive(Debug, Default, Clone)]
pub struct PluginSources {
    /// Plugin folders; later folders win.
    pub dirs: Vec<PluginDir>,
    /// `--agent ROLE=FILE` assignments; later ones win.
    pub explicit: Vec<(Role, PathBuf)>,
}

impl PluginSources {
    /// The user's plugin folder, then `--plugins DIR`.
    pub fn standard(plugins_dir: Option<&Path>, explicit: Vec<(Role, PathBuf)>) -> Self {
        let mut sources = Self {
            explicit,
            ..Self::default()
        };
        if let Some(config) = dirs::config_dir() {
            sources.dirs.push(PluginDir {
                path: config.join("aucoder").join("plugins"),
                required: false,
            });
        }
        // Never the working folder's own `plugins`: it may have come with a cloned
        // repository or been written by a program aucoder ran (docs/security.md).
        if let Some(dir) = plugins_dir {
            sources.dirs.push(PluginDir {
                path: dir.to_owned(),
                required: true,
            });
        }
        sources
    }
}

/// One plugin the catalog knows, and whether it is the one used for its role.
pub struct PluginChoice {
    pub role: Role,
    pub plugin: Arc<LoadedPlugin>,
    pub active: bool,
}

/// The agents of a run, one per role, and every plugin that was considered.
pub struct Catalog {
    runtime: Arc<PluginRuntime>,
    choices: Vec<PluginChoice>,
    /// Index into `choices` of the active plugin of each role, in [`ROLES`] order.
    active: [usize; ROLES.len()],
}

impl Catalog {
    pub fn load(runtime: Arc<PluginRuntime>, sources: &PluginSources) -> anyhow::Result<Self> {
        let mut choices = Vec::new();
        let cache_dir = aucoder_paths::cache_root().join("plugins");
        for role in ROLES {
            let origin = format!("built-in {}", role_name(role));
            let plugin = runtime
                .load_cached(builtin::component(role), &origin, &cache_dir)
                .with_context(|| format!("loading the {origin} agent"))?;
            choices.push(PluginChoice {
                role,
                plugin: Arc::new(plugin),
                active: true,
            });
        }
        prune_stale_artifacts(&cache_dir, &runtime);
        // The built-ins were pushed in ROLES order, so each is at its role's index.
        let mut catalog = Self {
            runtime,
            choices,
            active: ROLES.map(role_index),
        };
        for PluginDir {
            path: dir,
            required,
        } in &sources.dirs
        {
            let files = match wasm_files(dir) {
                Ok(files) => files,
                Err(error) if !required && error.kind() == std::io::ErrorKind::NotFound => continue,
                Err(error) => {
                    return Err(error)
                        .with_context(|| format!("reading the plugin folder {}", dir.display()))
                }
            };
            let mut seen: Vec<(Role, PathBuf)> = Vec::new();
            for file in files {
                let plugin = catalog.load_file(&file)?;
                let role = plugin.info.role;
                if let Some((_, other)) = seen.iter().find(|(seen_role, _)| *seen_role == role) {
                    bail!(
                        "two plugins in {} claim the {} role: {} and {}; remove one or choose \
                         with --agent {}=FILE",
                        dir.display(),
                        role_name(role),
                        other.display(),
                        file.display(),
                        role_name(role)
                    );
                }
                seen.push((role, file));
                catalog.activate(role, plugin);
            }
        }
        for (role, file) in &sources.explicit {
            let plugin = catalog.load_file(file)?;
            if plugin.info.role != *role {
                tracing::warn!(
                    "{} describes itself as a {} agent; using it as the {} as --agent asks",
                    file.display(),
                    role_name(plugin.info.role),
                    role_name(*role)
                );
            }
            catalog.activate(*role, plugin);
        }
        Ok(catalog)
    }

    fn load_file(&self, file: &Path) -> anyhow::Result<LoadedPlugin> {
        let bytes = std::fs::read(file)
            .with_context(|| format!("reading the plugin {}", file.display()))?;
        self.runtime.load(&bytes, &file.display().to_string())
    }

    fn activate(&mut self, role: Role, plugin: LoadedPlugin) {
        for choice in self.choices.iter_mut().filter(|choice| choice.role == role) {
            choice.active = false;
        }
        self.active[role_index(role)] = self.choices.len();
        self.choices.push(PluginChoice {
            role,
            plugin: Arc::new(plugin),
            active: true,
        });
    }

    /// The plugin that fills `role`.
    pub fn agent(&self, role: Role) -> Arc<LoadedPlugin> {
        self.choices[self.active[role_index(role)]].plugin.clone()
    }

    pub fn runtime(&self) -> &Arc<PluginRuntime> {
        &self.runtime
    }

    /// Every plugin considered, by role, the active one of each role marked.
    pub fn choices(&self) -> Vec<&PluginChoice> {
        let mut choices: Vec<&PluginChoice> = self.choices.iter().collect();
        choices.sort_by_key(|choice| role_index(choice.role));
        choices
    }
}

/// Compiled built-ins of other aucoder builds are of no further use.
fn prune_stale_artifacts(cache_dir: &Path, runtime: &PluginRuntime) {
    let current: Vec<_> = ROLES
        .iter()
        .map(|role| runtime.artifact(builtin::component(*role), cache_dir))
        .collect();
    let keep: Vec<_> = current.iter().collect();
    aucoder_paths::prune_compiled(cache_dir, "", &keep);
}

/// The role's place in [`ROLES`].
fn role_index(role: Role) -> usize {
    match role {
        Role::Retriever => 0,
        Role::Planner => 1,
        Role::Coder => 2,
        Role::Executor => 3,
        Role::Debugger => 4,
    }
}

/// The `.wasm` files directly in `dir`, sorted by name.
fn wasm_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "wasm"))
        .collect();
    files.sort();
    Ok(files)
}

/// Who fills each role of a run: the orchestrator asks only this of the catalog, so its loop
/// can be tested on scripted steps.
pub trait Agents: Send + Sync {
    /// The role's agent as the run log names it, e.g. `coder 0.1.0 (built-in coder)`.
    fn describe(&self, role: Role) -> String;
    /// Runs the role's step to its end, reaching the host only through `services`. Called
    /// on a blocking thread.
    fn run_step(&self, role: Role, task: &Task, services: Arc<dyn Services>) -> StepOutcome;
}

impl Agents for Catalog {
    fn describe(&self, role: Role) -> String {
        let plugin = self.agent(role);
        format!("{} ({})", plugin.label(), plugin.origin)
    }

    fn run_step(&self, role: Role, task: &Task, services: Arc<dyn Services>) -> StepOutcome {
        self.runtime.run(&self.agent(role), task, services)
    }
}

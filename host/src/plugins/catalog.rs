//! Which plugin fills each role.
//!
//! The built-in agent first; then each plugin folder in order (the user's
//! `~/.config/aucoder/plugins`, then `--plugins DIR`, or `./plugins` when it holds `.wasm`
//! files), where a plugin replaces the current agent of the role its `describe()` names;
//! then `--agent ROLE=FILE`, which places a file in a role whatever it describes. Every file
//! is compiled and checked at start-up, so a broken plugin is an error naming the file before
//! any model time is spent.

use super::runtime::{LoadedPlugin, PluginRuntime};
use super::{builtin, role_name, Role, ROLES};
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where plugins come from, in increasing precedence.
#[derive(Debug, Default, Clone)]
pub struct PluginSources {
    /// Folders of `.wasm` plugins; later folders win.
    pub dirs: Vec<PathBuf>,
    /// Whether a missing folder is an error (it is when the user named it).
    pub dirs_required: Vec<bool>,
    /// `--agent ROLE=FILE` assignments; later ones win.
    pub explicit: Vec<(Role, PathBuf)>,
}

impl PluginSources {
    /// The user's plugin folder, then `--plugins DIR` or, without it, `./plugins` when it
    /// holds `.wasm` files.
    pub fn standard(plugins_dir: Option<&Path>, explicit: Vec<(Role, PathBuf)>) -> Self {
        let mut sources = Self {
            explicit,
            ..Self::default()
        };
        if let Some(config) = dirs::config_dir() {
            sources.dirs.push(config.join("aucoder").join("plugins"));
            sources.dirs_required.push(false);
        }
        match plugins_dir {
            Some(dir) => {
                sources.dirs.push(dir.to_owned());
                sources.dirs_required.push(true);
            }
            None => {
                let local = PathBuf::from("plugins");
                if !wasm_files(&local).unwrap_or_default().is_empty() {
                    sources.dirs.push(local);
                    sources.dirs_required.push(false);
                }
            }
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
        for role in ROLES {
            let origin = format!("built-in {}", role_name(role));
            let plugin = runtime
                .load(builtin::component(role), &origin)
                .with_context(|| format!("loading the {origin} agent"))?;
            choices.push(PluginChoice {
                role,
                plugin: Arc::new(plugin),
                active: true,
            });
        }
        let mut catalog = Self {
            runtime,
            choices,
            active: [0, 1, 2, 3, 4],
        };
        for (index, dir) in sources.dirs.iter().enumerate() {
            let required = sources.dirs_required.get(index).copied().unwrap_or(true);
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

fn role_index(role: Role) -> usize {
    ROLES.iter().position(|known| *known == role).unwrap_or(0)
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

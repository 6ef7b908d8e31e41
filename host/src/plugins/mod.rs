//! Agent plugins: WebAssembly components implementing `plugins/wit/agent.wit`.
//!
//! [`runtime`] compiles, limits and calls one plugin; [`catalog`] decides which plugin fills
//! each role (built-in defaults, plugin folders, `--agent ROLE=FILE`). The orchestrator only
//! sees [`Catalog`] and [`Services`], the door through which a plugin reaches the LLM and the
//! tools.

mod bindings;
mod builtin;
pub mod catalog;
mod limits;
pub mod runtime;
pub mod services;

pub use bindings::{
    AgentInfo, Check, CheckOrigin, CheckStatus, Completion, Execution, Role, Task, Trial, Verdict,
};
pub use catalog::{Agents, Catalog};
pub use limits::{StepLimits, StepLimitsBuilder};
pub use runtime::{PluginRuntime, StepError, StepOutcome};
pub use services::{Services, ToolDenied};

/// Every role, in the order the orchestrator runs them.
pub const ROLES: [Role; 5] = [
    Role::Retriever,
    Role::Planner,
    Role::Coder,
    Role::Executor,
    Role::Debugger,
];

// The generated enum derives neither `Hash` nor `Ord`; roles key the per-role settings and
// tallies, in the order they run.
impl PartialOrd for Role {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Role {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let place = |role: &Role| ROLES.iter().position(|known| known == role);
        place(self).cmp(&place(other))
    }
}

impl std::hash::Hash for Role {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        role_name(*self).hash(state);
    }
}

/// The role's name as users write it (`--agent coder=...`, the run log, config files).
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Retriever => "retriever",
        Role::Planner => "planner",
        Role::Coder => "coder",
        Role::Executor => "executor",
        Role::Debugger => "debugger",
    }
}

/// The role a name means, if any.
pub fn parse_role(name: &str) -> Option<Role> {
    ROLES
        .into_iter()
        .find(|role| role_name(*role).eq_ignore_ascii_case(name.trim()))
}

//! The five default agents, built from `plugins/` by the build script and embedded.

use super::Role;

/// The embedded component of the default agent for `role`.
pub fn component(role: Role) -> &'static [u8] {
    match role {
        Role::Retriever => include_bytes!(concat!(env!("OUT_DIR"), "/retriever.wasm")),
        Role::Planner => include_bytes!(concat!(env!("OUT_DIR"), "/planner.wasm")),
        Role::Coder => include_bytes!(concat!(env!("OUT_DIR"), "/coder.wasm")),
        Role::Executor => include_bytes!(concat!(env!("OUT_DIR"), "/executor.wasm")),
        Role::Debugger => include_bytes!(concat!(env!("OUT_DIR"), "/debugger.wasm")),
    }
}

//! A coder built against the previous contract, `aucoder:agent@0.1.0` (its WIT is kept in
//! `wit/`): loading it must fail with a message naming the version it was built for and the
//! one this aucoder runs.

wit_bindgen::generate!({
    world: "agent-plugin",
    path: "wit",
});

use aucoder::agent::types::{AgentInfo, Role, Task};
use exports::aucoder::agent::agent::Guest;

struct OldCoder;

impl Guest for OldCoder {
    fn describe() -> AgentInfo {
        AgentInfo {
            name: "old-coder".to_owned(),
            role: Role::Coder,
            version: "0.1.0".to_owned(),
            description: "a coder of the 0.1.0 contract".to_owned(),
        }
    }

    fn run(mut task: Task) -> Result<Task, String> {
        task.code = "print('old')".to_owned();
        Ok(task)
    }
}

export!(OldCoder);

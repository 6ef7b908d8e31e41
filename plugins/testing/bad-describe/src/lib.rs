//! A plugin whose `describe()` panics (printing to stderr on the way): loading it must be a
//! clear error naming the file, and must not take the host down.

use aucoder_agent_sdk::{Agent, AgentInfo, Task};

struct BadDescribe;

impl Agent for BadDescribe {
    fn describe() -> AgentInfo {
        panic!("describe() refuses to say who it is");
    }

    fn run(task: Task) -> Result<Task, String> {
        Ok(task)
    }
}

aucoder_agent_sdk::export_agent!(BadDescribe);

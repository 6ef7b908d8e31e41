//! A plugin that misbehaves on request, for the containment tests: the requirement names
//! what it does (`trap`, `loop`, `memory`, `forbidden-tool`, `panic`, `sleep`, `late`: keep
//! computing, logging and calling tools past any deadline, `flood`: answer with millions of
//! tiny strings, or `external`: call `peer.run_python` on an external MCP server); otherwise
//! it passes the task through.

use aucoder_agent_sdk::serde_json::json;
use aucoder_agent_sdk::{call_tool, log, Agent, AgentInfo, Role, Task};

struct Misbehaving;

impl Agent for Misbehaving {
    fn describe() -> AgentInfo {
        AgentInfo {
            name: "misbehaving".to_owned(),
            role: Role::Planner,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            description: "misbehaves as the requirement says (tests only)".to_owned(),
        }
    }

    fn run(task: Task) -> Result<Task, String> {
        let wish = task.requirement.as_str();
        if wish.contains("trap") {
            core::arch::wasm32::unreachable();
        }
        if wish.contains("loop") {
            let mut counter: u64 = 0;
            loop {
                counter = std::hint::black_box(counter.wrapping_add(1));
            }
        }
        if wish.contains("memory") {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![1u8; 16 << 20]);
                std::hint::black_box(&hoard);
            }
        }
        if wish.contains("forbidden-tool") {
            call_tool("WriteTemp", &json!({"code": "print(1)"}))?;
            return Ok(task);
        }
        if wish.contains("sleep") {
            // Blocks in the host (a WASI clock subscription), where fuel is not spent.
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
        if wish.contains("late") {
            // Fuel-hungry work between host calls, for as long as the host lets it.
            for beat in 0u64.. {
                let mut counter: u64 = 0;
                for _ in 0..20_000_000u64 {
                    counter = std::hint::black_box(counter.wrapping_add(1));
                }
                log(&format!("late beat {beat}"));
                let _ = call_tool("RAG_Search", &json!({"query": "sorting"}));
            }
        }
        if wish.contains("flood") {
            // Each string is empty in the plugin's memory but a String in the host's.
            let mut task = task;
            task.context = vec![String::new(); 5_000_000];
            return Ok(task);
        }
        if wish.contains("external") {
            // A tool of the external MCP server the test configures as `peer`.
            let answer = call_tool("peer.run_python", &json!({"code": "print(6 * 7)"}))?;
            let mut task = task;
            task.plan = format!(
                "external answer: {}",
                answer["stdout"].as_str().unwrap_or("")
            );
            return Ok(task);
        }
        if wish.contains("panic") {
            panic!("the misbehaving plugin panicked on purpose");
        }
        Ok(task)
    }
}

aucoder_agent_sdk::export_agent!(Misbehaving);

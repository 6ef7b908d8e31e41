//! The default retriever: asks `RAG_Search` for the corpus chunks nearest the requirement.
//!
//! Only chunks close to the requirement are kept (cosine similarity 0.5 and up): a small
//! model that is handed an unrelated example tends to copy it into the program.
//! Retrieval is a help, not a must: with no corpus (or a failing search) the run goes on
//! with no context, and the reason is logged.

use aucoder_agent_sdk::{call_tool, log, Agent, AgentInfo, Role, Task};
use serde_json::json;

/// Cosine similarity below which a chunk is more likely to mislead than to help.
const MIN_SCORE: f32 = 0.5;

struct Retriever;

impl Agent for Retriever {
    fn describe() -> AgentInfo {
        AgentInfo {
            name: "retriever".to_owned(),
            role: Role::Retriever,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            description: "RAG_Search over the corpus for the requirement".to_owned(),
        }
    }

    fn run(mut task: Task) -> Result<Task, String> {
        let query = json!({ "query": task.requirement, "min_score": MIN_SCORE });
        match call_tool("RAG_Search", &query) {
            Ok(found) => {
                task.context = found
                    .as_array()
                    .map(|chunks| {
                        chunks
                            .iter()
                            .filter_map(|chunk| chunk.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                log(&format!("retrieved {} chunks", task.context.len()));
            }
            Err(reason) => log(&format!("no retrieval context: {reason}")),
        }
        Ok(task)
    }
}

aucoder_agent_sdk::export_agent!(Retriever);

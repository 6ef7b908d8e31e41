//! The door's caps and its closing, on a counting fake LLM and the real tools.

use super::*;
use crate::mcp_client::ExternalTools;
use crate::orchestrator::testing::Recorder;
use crate::orchestrator::{lock, Observed};
use crate::plugins::{Role, StepLimits};
use crate::tools::Tools;
use aucoder_llm::{ChatRequest, Llm, LlmError, TokenCallback};
use aucoder_sandbox::Workspace;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

/// Answers "hi" and counts the calls that reached it; with `hold`, never answers but says
/// it has started.
#[derive(Default)]
struct FakeLlm {
    calls: AtomicU64,
    hold: Option<Arc<Notify>>,
}

#[async_trait::async_trait]
impl Llm for FakeLlm {
    fn describe(&self) -> String {
        "fake".to_owned()
    }

    async fn complete(
        &self,
        _request: &ChatRequest,
        _on_token: Option<TokenCallback>,
    ) -> Result<aucoder_llm::Completion, LlmError> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        if let Some(started) = &self.hold {
            started.notify_one();
            std::future::pending::<()>().await;
        }
        Ok(aucoder_llm::Completion {
            text: "hi".to_owned(),
            prompt_tokens: 3,
            completion_tokens: 2,
            prompt_duration: Duration::ZERO,
            generation_duration: Duration::ZERO,
        })
    }
}

struct Door {
    services: Arc<AgentServices>,
    llm: Arc<FakeLlm>,
    logged: Arc<Recorder>,
}

fn door(limits: StepLimits, allowed: &[&str], llm: FakeLlm) -> Door {
    let llm = Arc::new(llm);
    let logged = Arc::new(Recorder::default());
    let backend = Arc::new(aucoder_sandbox::WasmBackend::shared().expect("the sandbox loads"));
    let tools = Arc::new(Tools::new(
        Err("no corpus here".to_owned()),
        backend,
        aucoder_sandbox::Limits::DEFAULT,
        1,
        4,
    ));
    let role = Role::Coder;
    let services = Arc::new(AgentServices {
        end: StepEnd::new(),
        llm: LlmDoor::new(llm.clone(), logged.clone(), limits, 7, 1),
        tools: ToolDoor::new(
            role,
            allowed.iter().map(|tool| (*tool).to_owned()).collect(),
            limits.tool_calls,
            ToolReach {
                tools,
                external: Arc::new(ExternalTools::default()),
                workspace: Arc::new(Workspace::temporary().expect("a workspace")),
                observed: Arc::new(Mutex::new(Observed::default())),
            },
        ),
        log: LogDoor::new(logged.clone(), role, 1, &limits),
    });
    Door {
        services,
        llm,
        logged,
    }
}

fn ask(prompt: &str) -> Completion {
    Completion {
        system: "system".to_owned(),
        prompt: prompt.to_owned(),
        max_tokens: 16,
        temperature: 0.0,
        json_schema: None,
    }
}

/// The plugin's side runs on a blocking thread, as a step does.
async fn as_plugin<T: Send + 'static>(
    services: &Arc<AgentServices>,
    call: impl FnOnce(&AgentServices) -> T + Send + 'static,
) -> T {
    let services = services.clone();
    tokio::task::spawn_blocking(move || call(&services))
        .await
        .expect("the plugin thread")
}

#[tokio::test(flavor = "multi_thread")]
async fn llm_calls_are_capped_per_step_and_counted() {
    let limits = StepLimits::builder().llm_calls(2).build();
    let door = door(limits, &[], FakeLlm::default());
    let answers = as_plugin(&door.services, |services| {
        (0..3)
            .map(|_| services.complete(ask("hello")))
            .collect::<Vec<_>>()
    })
    .await;
    assert_eq!(answers[..2], [Ok("hi".to_owned()), Ok("hi".to_owned())]);
    assert_eq!(
        answers[2],
        Err(Denial::Exhausted {
            what: "LLM calls",
            limit: 2
        }
        .to_string())
    );
    assert_eq!(door.llm.calls.load(Ordering::Relaxed), 2);
    let used = &door.services.llm.used;
    assert_eq!(used.calls.load(Ordering::Relaxed), 2);
    assert_eq!(used.prompt_tokens.load(Ordering::Relaxed), 6);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversized_prompt_or_a_bad_schema_never_reaches_the_llm() {
    let limits = StepLimits::DEFAULT;
    let door = door(limits, &[], FakeLlm::default());
    let too_long = "x".repeat(limits.prompt_bytes);
    let answers = as_plugin(&door.services, move |services| {
        let mut bad_schema = ask("hello");
        bad_schema.json_schema = Some("{not json".to_owned());
        [
            services.complete(ask(&too_long)),
            services.complete(bad_schema),
            services
                .complete_many(ask("hello"), Vec::new())
                .map(|_| String::new()),
        ]
    })
    .await;
    assert!(
        answers[0]
            .as_ref()
            .is_err_and(|error| error.starts_with("the prompt is")),
        "{answers:?}"
    );
    assert!(
        answers[1]
            .as_ref()
            .is_err_and(|error| error.contains("json-schema")),
        "{answers:?}"
    );
    assert!(
        answers[2]
            .as_ref()
            .is_err_and(|error| error.contains("answers")),
        "{answers:?}"
    );
    assert_eq!(door.llm.calls.load(Ordering::Relaxed), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tool_outside_the_roles_list_is_denied_and_allowed_ones_are_capped() {
    let limits = StepLimits::builder().tool_calls(1).build();
    let door = door(limits, &["WriteTemp"], FakeLlm::default());
    let (denied, first, second) = as_plugin(&door.services, |services| {
        let code = r#"{"code": "print(1)"}"#;
        (
            services.call_tool("run_python", code),
            services.call_tool("WriteTemp", code),
            services.call_tool("WriteTemp", code),
        )
    })
    .await;
    let denied = denied.expect_err("run_python is not the coder's");
    assert!(
        denied
            .0
            .contains("the coder agent may not call \"run_python\""),
        "{denied:?}"
    );
    assert_eq!(first.expect("allowed"), Ok(r#"{"ok":true}"#.to_owned()));
    assert_eq!(
        second.expect("allowed"),
        Err("this step has used its 1 tool calls".to_owned())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ended_step_is_refused_at_every_door() {
    let door = door(StepLimits::DEFAULT, &["WriteTemp"], FakeLlm::default());
    door.services.end.end();
    let (completion, tool, revoked) = as_plugin(&door.services, |services| {
        services.log("after the end");
        (
            services.complete(ask("hello")),
            services.call_tool("WriteTemp", r#"{"code": "print(1)"}"#),
            services.revoked(),
        )
    })
    .await;
    let ended = Denial::StepEnded.to_string();
    assert_eq!(completion, Err(ended.clone()));
    assert_eq!(tool.expect_err("denied").0, ended);
    assert!(revoked);
    assert!(lock(&door.logged.logs).is_empty());
    assert_eq!(door.llm.calls.load(Ordering::Relaxed), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_completion_in_progress_returns_when_the_step_ends() {
    let started = Arc::new(Notify::new());
    let llm = FakeLlm {
        hold: Some(started.clone()),
        ..FakeLlm::default()
    };
    let door = door(StepLimits::DEFAULT, &[], llm);
    let services = door.services.clone();
    let call = tokio::task::spawn_blocking(move || services.complete(ask("hello")));
    started.notified().await;
    door.services.end.end();
    let answer = call.await.expect("the plugin thread");
    assert_eq!(answer, Err(Denial::StepEnded.to_string()));
}

#[tokio::test(flavor = "multi_thread")]
async fn log_messages_are_capped_with_one_note_and_cut_to_length() {
    let limits = StepLimits::builder().log_messages(2).build();
    let door = door(limits, &[], FakeLlm::default());
    let long = "é".repeat(limits.log_message_bytes);
    as_plugin(&door.services, move |services| {
        services.log(&long);
        for index in 0..4 {
            services.log(&format!("message {index}"));
        }
    })
    .await;
    let logged = lock(&door.logged.logs).clone();
    assert_eq!(logged.len(), 3, "{logged:?}");
    assert!(logged[0].len() <= limits.log_message_bytes);
    assert!(logged[0].starts_with('é'));
    assert_eq!(logged[1], "message 0");
    assert!(logged[2].contains("at most 2"), "{logged:?}");
}

//! The loop on scripted steps and a fake LLM, with the real sandbox and checks: which
//! program wins, when a round succeeds, what a plugin may not change, when the run stops.

use super::*;
use crate::orchestrator::testing::Recorder;
use crate::plugins::{role_name, Check, CheckOrigin, Services, StepError, StepOutcome, Verdict};
use aucoder_llm::{ChatRequest, Completion, LlmError, TokenCallback};
use serde_json::json;

/// One role's scripted step: the task in, the changed task (or an error) out.
type Script = Box<dyn Fn(&Task, &dyn Services) -> Result<Task, StepError> + Send + Sync>;

/// Agents whose steps are Rust closures; a role without a script hands the task back.
#[derive(Default)]
struct Scripted {
    scripts: HashMap<Role, Script>,
    steps: Mutex<Vec<(Role, u32)>>,
}

impl Scripted {
    fn with(
        mut self,
        role: Role,
        script: impl Fn(&Task, &dyn Services) -> Result<Task, StepError> + Send + Sync + 'static,
    ) -> Self {
        self.scripts.insert(role, Box::new(script));
        self
    }

    fn steps(&self) -> Vec<(Role, u32)> {
        lock(&self.steps).clone()
    }
}

impl Agents for Scripted {
    fn describe(&self, role: Role) -> String {
        format!("scripted {}", role_name(role))
    }

    fn run_step(&self, role: Role, task: &Task, services: Arc<dyn Services>) -> StepOutcome {
        lock(&self.steps).push((role, task.round));
        let result = match self.scripts.get(&role) {
            Some(script) => script(task, services.as_ref()),
            None => Ok(task.clone()),
        };
        StepOutcome {
            result,
            elapsed: Duration::ZERO,
            in_host: Duration::ZERO,
        }
    }
}

/// An LLM no scripted step should need: every call is an error.
struct NoLlm;

#[async_trait::async_trait]
impl Llm for NoLlm {
    fn describe(&self) -> String {
        "none".to_owned()
    }

    async fn complete(
        &self,
        _request: &ChatRequest,
        _on_token: Option<TokenCallback>,
    ) -> Result<Completion, LlmError> {
        Err(LlmError::Generation("no LLM in this test".to_owned()))
    }
}

fn options(max_rounds: u32) -> RunOptions {
    RunOptions {
        max_rounds,
        seed: 1,
        allowed_tools: HashMap::new(),
        step_limits: StepLimits::builder()
            .timeout(Duration::from_secs(60))
            .build(),
        candidates: 3,
        checks: true,
    }
}

const REQUEST: &str = "define square(x) and print square(3)";
/// The same, with an example of its own: a check the host trusts.
const REQUEST_WITH_EXAMPLE: &str = "define square(x) and print square(3)\n>>> square(3)\n9\n";

async fn run(
    agents: Arc<Scripted>,
    requirement: &str,
    max_rounds: u32,
) -> (RunReport, Vec<(Role, String)>) {
    let backend = Arc::new(aucoder_sandbox::WasmBackend::shared().expect("the sandbox loads")) as _;
    let tools = Arc::new(Tools::new(
        Err("no corpus in this test".to_owned()),
        backend,
        aucoder_sandbox::Limits::DEFAULT,
        2,
        8,
    ));
    let recorder = Arc::new(Recorder::default());
    let orchestrator = Orchestrator {
        agents,
        llm: Arc::new(NoLlm),
        tools,
        external: Arc::new(ExternalTools::default()),
        observer: recorder.clone(),
        options: options(max_rounds),
    };
    let report = orchestrator
        .run(requirement)
        .await
        .expect("the run completes");
    let skipped = lock(&recorder.skips).clone();
    (report, skipped)
}

/// A planner that adds one generated check.
fn planner_with_check(task: &Task, _services: &dyn Services) -> Result<Task, StepError> {
    let mut task = task.clone();
    task.plan = "square it".to_owned();
    task.checks = vec![Check {
        code: "assert square(3) == 9".to_owned(),
        // A plugin claiming the user's authority; the host demotes it.
        origin: CheckOrigin::Requirement,
    }];
    Ok(task)
}

/// A coder that hands over these candidates every round.
fn coder(
    candidates: &'static [&'static str],
) -> impl Fn(&Task, &dyn Services) -> Result<Task, StepError> {
    move |task, _services| {
        let mut task = task.clone();
        task.candidates = candidates.iter().map(|code| (*code).to_owned()).collect();
        task.code = candidates[0].to_owned();
        Ok(task)
    }
}

/// An executor that runs the chosen program through WriteTemp + ExecTemp and says "ok".
fn executor(task: &Task, services: &dyn Services) -> Result<Task, StepError> {
    let written = services
        .call_tool("WriteTemp", &json!({"code": task.code}).to_string())
        .map_err(|denied| StepError::Failed(denied.0))?;
    written.map_err(StepError::Failed)?;
    services
        .call_tool("ExecTemp", "{}")
        .map_err(|denied| StepError::Failed(denied.0))?
        .map_err(StepError::Failed)?;
    let mut task = task.clone();
    task.verdict = Some(Verdict {
        ok: true,
        reason: "looks right".to_owned(),
    });
    Ok(task)
}

const RIGHT: &str = "def square(x):\n    return x * x\nprint(square(3))\n";
const WRONG: &str = "def square(x):\n    return x + x\nprint(square(3))\n";

#[tokio::test(flavor = "multi_thread")]
async fn the_candidate_that_passes_the_checks_wins_and_the_debugger_is_skipped() {
    let agents = Arc::new(
        Scripted::default()
            .with(Role::Planner, planner_with_check)
            .with(Role::Coder, coder(&[WRONG, RIGHT, WRONG]))
            .with(Role::Executor, executor),
    );
    let (report, skipped) = run(agents.clone(), REQUEST, 3).await;
    assert!(report.success, "{report:?}");
    assert_eq!(report.rounds, 1);
    assert_eq!(report.code.as_deref(), Some(RIGHT));
    assert_eq!(report.output.as_deref(), Some("9\n"));
    assert_eq!(
        (report.checks.generated, report.checks.from_requirement),
        (1, 0),
        "a plugin's check is never the user's"
    );
    assert_eq!(report.checks.passed, 1);
    assert!(skipped.iter().any(|(role, _)| *role == Role::Debugger));
    let roles: Vec<Role> = agents.steps().into_iter().map(|(role, _)| role).collect();
    assert_eq!(
        roles,
        [Role::Retriever, Role::Planner, Role::Coder, Role::Executor]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_verdict_without_a_run_the_host_saw_is_no_success() {
    let agents = Arc::new(
        Scripted::default()
            .with(Role::Planner, planner_with_check)
            .with(Role::Coder, coder(&[RIGHT]))
            // Says ok without running anything.
            .with(Role::Executor, |task: &Task, _services: &dyn Services| {
                let mut task = task.clone();
                task.verdict = Some(Verdict {
                    ok: true,
                    reason: "trust me".to_owned(),
                });
                Ok(task)
            }),
    );
    let (report, _) = run(agents, REQUEST, 1).await;
    assert!(!report.success, "{report:?}");
    assert!(
        report
            .summary
            .contains("the executor did not run the program"),
        "{}",
        report.summary
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plugin_cannot_change_the_requirement_the_round_or_the_checks() {
    let agents = Arc::new(
        Scripted::default()
            .with(Role::Planner, planner_with_check)
            .with(Role::Coder, |task: &Task, _services: &dyn Services| {
                let mut task = coder(&[RIGHT])(task, _services)?;
                task.requirement = "print 1".to_owned();
                task.round = 99;
                task.checks.clear();
                task.wanted_candidates = 8;
                Ok(task)
            })
            .with(Role::Executor, |task: &Task, services: &dyn Services| {
                assert_eq!(task.requirement, REQUEST);
                assert_eq!((task.round, task.wanted_candidates), (1, 3));
                assert_eq!(task.checks.len(), 1, "the checks are the host's");
                executor(task, services)
            }),
    );
    let (report, _) = run(agents, REQUEST, 1).await;
    assert!(report.success, "{report:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_round_that_improves_on_none_before_it_ends_the_run() {
    let agents = Arc::new(
        Scripted::default()
            .with(Role::Coder, coder(&[WRONG]))
            .with(Role::Executor, executor),
    );
    let (report, skipped) = run(agents.clone(), REQUEST_WITH_EXAMPLE, 5).await;
    assert!(!report.success, "{report:?}");
    assert_eq!(report.rounds, 2, "{}", report.summary);
    assert!(
        report.summary.starts_with("stopped early"),
        "{}",
        report.summary
    );
    assert!(
        report.summary.contains("got 6, expected 9"),
        "the failed check is named: {}",
        report.summary
    );
    assert_eq!(report.checks.from_requirement, 1);
    assert!(skipped
        .iter()
        .any(|(role, reason)| *role == Role::Debugger && reason.contains("no improvement")));
    let debugger_rounds: Vec<u32> = agents
        .steps()
        .into_iter()
        .filter(|(role, _)| *role == Role::Debugger)
        .map(|(_, round)| round)
        .collect();
    assert_eq!(debugger_rounds, [1]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_coder_is_recorded_and_the_rounds_run_out() {
    let agents = Arc::new(
        Scripted::default()
            .with(Role::Coder, |_task: &Task, _services: &dyn Services| {
                Err(StepError::Failed("no idea".to_owned()))
            })
            .with(Role::Executor, executor),
    );
    let (report, _) = run(agents.clone(), REQUEST, 2).await;
    assert!(!report.success);
    assert!(
        report.summary.contains("the coder failed"),
        "{}",
        report.summary
    );
    assert_eq!(report.agents["coder"].failed_steps, 2);
    assert!(
        !agents
            .steps()
            .iter()
            .any(|(role, _)| *role == Role::Executor),
        "no program, nothing to execute"
    );
}

//! The main job's live display (a spinner with the current agent, round and speed, and one
//! line per finished step) and its JSON-lines run log: the [`Observer`] of a run.

/// The live display (a spinner with the current agent, round and speed, and one line per
use crate::cli::args::JobArgs;
use crate::cli::printable;
use anyhow::Context;
use aucoder_agents::orchestrator::{Observer, RunReport, StepRecord, TrialsRecord};
use aucoder_agents::plugins::{role_name, Catalog, Role, ROLES};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// finished step) and the JSON-lines run log.
pub struct LiveDisplay {
    bar: ProgressBar,
    quiet: bool,
    max_rounds: u32,
    log: Mutex<Option<std::fs::File>>,
    log_path: std::path::PathBuf,
    run_id: String,
    current: Mutex<(Role, u32)>,
}

impl LiveDisplay {
    pub fn new(args: &JobArgs, llm: &str, catalog: &Catalog) -> anyhow::Result<Self> {
        // Never through a link: a planted `aucoder-log.jsonl -> ~/.bashrc` would otherwise
        // have the run append to whatever it points at. Only regular files are appended to.
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(&args.log)
            .with_context(|| {
                format!(
                    "opening the run log {} (a symbolic link there is refused)",
                    args.log.display()
                )
            })?;
        let meta = log
            .metadata()
            .with_context(|| format!("reading the run log {}", args.log.display()))?;
        if !meta.is_file() {
            anyhow::bail!("the run log {} is not a regular file", args.log.display());
        }
        let bar = if args.json {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        };
        let display = Self {
            bar,
            quiet: args.json,
            max_rounds: args.max_rounds,
            log: Mutex::new(Some(log)),
            log_path: args.log.clone(),
            run_id: format!(
                "{}-{}",
                chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"),
                std::process::id()
            ),
            current: Mutex::new((Role::Retriever, 0)),
        };
        display.append(json!({
            "event": "start",
            "request": args.prompt,
            "llm": llm,
            "sandbox": format!("{:?}", args.sandbox.sandbox).to_lowercase(),
            "max_rounds": args.max_rounds,
            "candidates": if args.selection.judge_only { 1 } else { args.selection.candidates },
            "checks": !(args.selection.no_checks || args.selection.judge_only),
        }));
        for role in ROLES {
            let plugin = catalog.agent(role);
            display.append(json!({
                "event": "agent",
                "agent": role_name(role),
                "plugin": plugin.label(),
                "origin": plugin.origin,
                "description": plugin.info.description,
            }));
        }
        Ok(display)
    }

    fn append(&self, mut entry: serde_json::Value) {
        entry["time"] =
            json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
        entry["run"] = json!(self.run_id);
        // One write per line, so that runs sharing a log never interleave within a line.
        let mut line = entry.to_string();
        line.push('\n');
        let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(file) = log.as_mut() {
            let written = file.write_all(line.as_bytes());
            if let Err(error) = written {
                tracing::warn!(
                    "the run log {} is not being written: {error}",
                    self.log_path.display()
                );
                *log = None;
            }
        }
    }

    fn stage(&self, role: Role, round: u32) -> String {
        if round == 0 {
            role_name(role).to_owned()
        } else {
            format!("round {round}/{} · {}", self.max_rounds, role_name(role))
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    pub fn log_summary(&self, report: &RunReport, out: &Path) {
        let mut entry = serde_json::to_value(report).unwrap_or_default();
        entry["event"] = json!("summary");
        entry["out"] = json!(report.code.as_ref().map(|_| out.display().to_string()));
        self.append(entry);
    }
}

impl Observer for LiveDisplay {
    fn step_started(&self, role: Role, round: u32) {
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = (role, round);
        self.bar.set_message(self.stage(role, round));
    }

    fn tokens(&self, tokens_per_second: f64) {
        let (role, round) = *self.current.lock().unwrap_or_else(PoisonError::into_inner);
        self.bar.set_message(format!(
            "{} · {tokens_per_second:.1} tokens/s",
            self.stage(role, round)
        ));
    }

    fn step_finished(&self, record: &StepRecord) {
        self.append(serde_json::to_value(record).unwrap_or_default());
        if self.quiet {
            return;
        }
        let mark = if record.ok { "✓" } else { "✗" };
        let mut line = format!(
            "{mark} {:<9} {}{:>6.1} s",
            role_name(record.role),
            if record.round > 0 {
                format!("round {} ", record.round)
            } else {
                "        ".to_owned()
            },
            record.duration_ms as f64 / 1000.0
        );
        if let Some(error) = &record.error {
            line.push_str(&format!("  {error}"));
        } else if let Some(detail) = step_detail(record) {
            line.push_str(&format!("  {detail}"));
        }
        self.bar.println(printable(&line));
    }

    fn trials(&self, record: &TrialsRecord) {
        self.append(serde_json::to_value(record).unwrap_or_default());
        if self.quiet {
            return;
        }
        let chosen = &record.candidates[record.chosen];
        let trusted = record.checks.iter().filter(|check| check.trusted).count();
        let mark = if record.decision == "failed" || record.decision == "no clean run" {
            "✗"
        } else {
            "✓"
        };
        let line = format!(
            "{mark} {:<9} round {} {:>6.1} s  {} candidate(s), chose #{} ({} agree) · {} of {} \
             check(s) trusted · {}{}",
            "checks",
            record.round,
            record.duration_ms as f64 / 1000.0,
            record.candidates.len(),
            record.chosen + 1,
            chosen.agreement,
            trusted,
            record.checks.len(),
            record.decision,
            record
                .reason
                .as_ref()
                .map(|reason| format!(": {reason}"))
                .unwrap_or_default()
        );
        self.bar.println(printable(&line));
    }

    fn step_skipped(&self, role: Role, round: u32, reason: &str) {
        self.append(json!({
            "event": "skipped",
            "agent": role_name(role),
            "round": round,
            "reason": reason,
        }));
    }

    fn plugin_log(&self, role: Role, round: u32, message: &str) {
        tracing::info!(
            "{} (round {round}): {}",
            role_name(role),
            printable(message)
        );
        self.append(json!({
            "event": "log",
            "agent": role_name(role),
            "round": round,
            "message": message,
        }));
    }
}

/// A few words on what a step produced, for the display.
fn step_detail(record: &StepRecord) -> Option<String> {
    let fields = &record.fields;
    match record.role {
        Role::Retriever => Some(format!(
            "{} chunks",
            fields.get("context")?.as_array()?.len()
        )),
        Role::Planner | Role::Debugger => Some(format!(
            "plan of {} lines",
            fields.get("plan")?.as_str()?.lines().count()
        )),
        Role::Coder => Some(format!(
            "{} candidate(s), the first {} lines of Python",
            fields.get("candidates")?.as_u64()?,
            fields.get("code")?.as_str()?.lines().count()
        )),
        Role::Executor => {
            let exit = fields.get("exit_code")?.as_i64()?;
            let verdict = fields.get("verdict")?;
            let ok = verdict.get("ok")?.as_bool()?;
            let reason = verdict.get("reason")?.as_str().unwrap_or_default();
            Some(format!(
                "exit {exit} · {} {reason}",
                if ok { "ok:" } else { "not ok:" }
            ))
        }
    }
}

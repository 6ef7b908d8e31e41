//! The main job's tests' scripted world: a scripted OpenAI-compatible LLM
//! (`scripted_llm.py`) and an empty working folder per run, the binary and the built plugins.
#![allow(dead_code)]

pub use serde_json::{json, Value};
pub use std::io::{BufRead, BufReader};
pub use std::path::{Path, PathBuf};
pub use std::process::{Child, Command, Output, Stdio};

pub const AUCODER: &str = env!("CARGO_BIN_EXE_aucoder");
/// Every built plugin, including the example and test plugins that are not embedded.
pub const PLUGIN_DIR: &str = env!("AUCODER_PLUGIN_BUILD_DIR");

pub const PLAN: &str = "1. Print hello.";
pub const GOOD_CODE: &str =
    "```python\ndef main():\n    print('hello')\n\n\nif __name__ == \"__main__\":\n    main()\n```";
pub const JUDGE_OK: &str = r#"{"ok": true, "reason": "it prints hello"}"#;
pub const JUDGE_NOT_OK: &str = r#"{"ok": false, "reason": "it should print hello twice"}"#;
/// The planner's request for generated checks, and an answer with none.
pub const CHECKS_KEY: &str = "test engineer";
pub const NO_CHECKS: &str = "```python\n```";

pub fn plugin(file: &str) -> PathBuf {
    Path::new(PLUGIN_DIR).join(file)
}

/// Whether a run prints the `--json` summary or the live display.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Printed {
    Json,
    Display,
}

/// A scripted LLM server and an empty working folder for one run.
pub struct Scripted {
    server: Child,
    pub url: String,
    pub requests: PathBuf,
    pub dir: tempfile::TempDir,
}

impl Drop for Scripted {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// A script with no answer for the planner's checks gets none: most tests are not about them.
pub fn scripted(mut script: Value) -> Scripted {
    if script.get(CHECKS_KEY).is_none() {
        script[CHECKS_KEY] = json!([NO_CHECKS]);
    }
    let dir = tempfile::tempdir().unwrap();
    let script_file = dir.path().join("script.json");
    std::fs::write(&script_file, script.to_string()).unwrap();
    let requests = dir.path().join("requests.jsonl");
    let mut server = Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/support/scripted_llm.py"
        ))
        .arg(&script_file)
        .arg(&requests)
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs the scripted LLM");
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("READY ")
        .unwrap_or_else(|| panic!("the scripted LLM did not start: {line:?}"))
        .to_owned();
    std::fs::create_dir(dir.path().join("corpus")).unwrap();
    Scripted {
        server,
        url,
        requests,
        dir,
    }
}

/// The usual script: a plan, good code, and the judge's answers in order.
pub fn script(coder: &[&str], judge: &[&str]) -> Value {
    json!({
        "software architect": [PLAN],
        "Python engineer": coder,
        "review the output": judge,
        "debugger": ["1. Print hello twice."],
    })
}

impl Scripted {
    /// `aucoder --json ARGS` in the run's folder, on the scripted LLM.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = self.command_in(self.dir.path(), Printed::Json);
        command.args(args);
        command
    }

    /// aucoder on the scripted LLM, working in `dir` (which holds a `corpus` folder), with
    /// this test's user config folder. One candidate per round, so that scripted answers map
    /// to rounds; tests of the choice among candidates pass `--candidates N` after this.
    pub fn command_in(&self, dir: &Path, printed: Printed) -> Command {
        let mut command = Command::new(AUCODER);
        command
            .current_dir(dir)
            .env_remove("AUCODER_LLM_URL")
            .env("XDG_CONFIG_HOME", self.user_config_home())
            .args([
                "--llm-url",
                &self.url,
                "--utils",
                "corpus",
                "--candidates",
                "1",
            ]);
        if printed == Printed::Json {
            command.arg("--json");
        }
        command
    }

    /// The user's config folder for this test: the machine's own must not leak in.
    pub fn user_config_home(&self) -> PathBuf {
        self.dir.path().join("user-config")
    }

    /// Writes the user's own `config.toml` (the trusted one).
    pub fn write_user_config(&self, text: &str) {
        let dir = self.user_config_home().join("aucoder");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.toml"), text).unwrap();
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    pub fn summary(output: &Output) -> Value {
        let stdout = String::from_utf8_lossy(&output.stdout);
        serde_json::from_str(stdout.trim()).unwrap_or_else(|error| {
            panic!(
                "--json prints one summary object ({error}); stdout {stdout:?}, stderr {}",
                String::from_utf8_lossy(&output.stderr)
            )
        })
    }

    pub fn log(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.path().join("aucoder-log.jsonl"))
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).expect("every log line is JSON"))
            .collect()
    }

    /// The run-log entries of finished steps (not plugin logs or start/summary lines).
    pub fn steps(&self) -> Vec<Value> {
        self.log()
            .into_iter()
            .filter(|entry| entry.get("event").is_none())
            .collect()
    }

    pub fn requests(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.requests)
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    pub fn final_code(&self) -> Option<String> {
        std::fs::read_to_string(self.dir.path().join("final_code.py")).ok()
    }
}

pub fn step<'a>(steps: &'a [Value], agent: &str, round: u64) -> &'a Value {
    steps
        .iter()
        .find(|entry| entry["agent"] == agent && entry["round"] == round)
        .unwrap_or_else(|| panic!("no {agent} step in round {round}: {steps:#?}"))
}

pub fn aucoder_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(AUCODER)
        .current_dir(dir)
        .env("XDG_CONFIG_HOME", dir.join("user-config"))
        .args(args)
        .output()
        .unwrap()
}

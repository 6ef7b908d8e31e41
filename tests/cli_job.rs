//! The main job's orchestration through the real binary, the real plugins and the real wasm
//! sandbox, with a scripted OpenAI-compatible LLM (`support/scripted_llm.py`) so that every
//! path (rejected rounds, exhausted rounds, unparseable answers) is reached on purpose and
//! fast. The real model runs the same paths end to end in `job_e2e.rs`; plugin containment
//! is in `cli_plugins.rs`, config files in `cli_config.rs`.

#[path = "support/scripted_job.rs"]
mod scripted_job;

use scripted_job::*;

#[test]
fn a_rejected_round_runs_the_debugger_then_a_new_round_that_sees_the_failure() {
    let run = scripted(script(&[GOOD_CODE], &[JUDGE_NOT_OK, JUDGE_OK]));
    let output = run.run(&["say hello"]);
    let summary = Scripted::summary(&output);
    assert!(output.status.success(), "{summary}");
    assert_eq!(summary["success"], true);
    assert_eq!(summary["rounds"], 2);

    let steps = run.steps();
    assert_eq!(step(&steps, "executor", 1)["verdict"]["ok"], false);
    assert!(step(&steps, "debugger", 1)["ok"].as_bool().unwrap());
    assert_eq!(step(&steps, "debugger", 1)["plan"], "1. Print hello twice.");
    assert_eq!(step(&steps, "executor", 2)["verdict"]["ok"], true);
    assert_eq!(step(&steps, "executor", 2)["stdout"], "hello\n");

    // The second coder prompt carries the revised plan and why the first program failed.
    let coder_prompts: Vec<String> = run
        .requests()
        .into_iter()
        .filter(|request| request["key"] == "Python engineer")
        .map(|request| request["user"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(coder_prompts.len(), 2);
    assert!(!coder_prompts[0].contains("The problem:"));
    assert!(coder_prompts[1].contains("Print hello twice"));
    assert!(coder_prompts[1].contains("The problem: it should print hello twice"));
    // The repair sees the program it repairs and what it printed.
    assert!(coder_prompts[1].contains("print('hello')"));
    assert!(coder_prompts[1].contains("Its output (end):\nhello"));

    let code = run
        .final_code()
        .expect("final_code.py is written on success");
    assert!(code.contains("print('hello')"));
}

/// A program defining `f`, returning `body`.
fn function_code(body: &str) -> String {
    format!("```python\ndef f(n):\n    return {body}\n\n\ndef main():\n    print(f(3))\n\n\nif __name__ == \"__main__\":\n    main()\n```")
}

const SQUARES: &str = "Write f(n). f(1) should be 1, f(2) should be 4 and f(3) should be 9.";

#[test]
fn running_out_of_rounds_exits_non_zero_with_a_clear_summary() {
    // Each round passes more of the requirement's examples, so none stops early.
    let codes = [
        function_code("n"),
        function_code("n * n if n < 3 else 0"),
        function_code("n + 5"),
    ];
    let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
    let run = scripted(script(&codes, &[JUDGE_OK]));
    let output = run.run(&["--max-rounds", "3", SQUARES]);
    let summary = Scripted::summary(&output);
    assert_eq!(output.status.code(), Some(1), "{summary}");
    assert_eq!(summary["success"], false);
    assert_eq!(summary["rounds"], 3);
    assert_eq!(summary["checks"]["from_requirement"], 3);
    let text = summary["summary"].as_str().unwrap();
    assert!(
        text.contains("no working program after 3 round(s)"),
        "{text}"
    );
    assert!(
        text.contains("the check `_aucoder_expect(lambda: (f("),
        "{text}"
    );
    assert!(
        run.final_code().is_none(),
        "no final_code.py without success"
    );
    // The debugger runs between rounds, not after the last one.
    let debugger_steps = run
        .steps()
        .iter()
        .filter(|entry| entry["agent"] == "debugger")
        .count();
    assert_eq!(debugger_steps, 2);
    // The judge is never asked: the checks decided every round.
    assert!(run
        .requests()
        .iter()
        .all(|request| request["key"] != "review the output"));

    // Without --json the summary goes to stderr in words.
    let plain = run
        .command_in(run.dir.path(), Printed::Display)
        .args(["--max-rounds", "1", SQUARES])
        .output()
        .unwrap();
    assert_eq!(plain.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&plain.stderr);
    assert!(stderr.contains("failed after"), "{stderr}");
    assert!(
        stderr.contains("no working program after 1 round(s)"),
        "{stderr}"
    );
}

/// The run log's trials line of `round`.
fn trials(run: &Scripted, round: u64) -> Value {
    run.log()
        .into_iter()
        .find(|entry| entry["event"] == "trials" && entry["round"] == round)
        .unwrap_or_else(|| panic!("no trials in round {round}"))
}

#[test]
fn a_wrong_candidate_the_judge_would_pass_is_rejected_by_the_requirements_examples() {
    let wrong = function_code("n * 3");
    let right = function_code("n * n");
    let run = scripted(script(&[&wrong, &right], &[JUDGE_OK]));
    let output = run.run(&["--candidates", "2", SQUARES]);
    let summary = Scripted::summary(&output);
    assert!(output.status.success(), "{summary}");
    assert!(run.final_code().unwrap().contains("return n * n"));
    let record = trials(&run, 1);
    assert_eq!(record["candidates"].as_array().unwrap().len(), 2);
    assert_eq!(record["chosen"], 1);
    assert_eq!(record["decision"], "passed");
    assert_eq!(record["candidates"][0]["checks"][1], "failed");
    assert!(record["candidates"][0]["messages"][1]
        .as_str()
        .unwrap()
        .contains("got 6, expected 4"));
    assert!(run
        .requests()
        .iter()
        .all(|request| request["key"] != "review the output"));

    // Alone, the wrong program fails the round although the judge would have said ok.
    let alone = scripted(script(&[&wrong], &[JUDGE_OK]));
    let output = alone.run(&["--max-rounds", "1", SQUARES]);
    assert_eq!(output.status.code(), Some(1));
    let text = Scripted::summary(&output)["summary"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        text.contains("got 3, expected 1") || text.contains("got 6, expected 4"),
        "{text}"
    );
    assert!(alone.final_code().is_none());
}

/// A program printing `value` (written out differently each time, so candidates differ).
fn printing(value: &str, style: usize) -> String {
    match style {
        0 => format!("```python\nprint({value})\n```"),
        1 => format!("```python\nresult = {value}\nprint(result)\n```"),
        _ => format!("```python\ndef main():\n    print({value})\n\n\nmain()\n```"),
    }
}

#[test]
fn agreement_picks_the_majority_program_over_a_lone_outlier() {
    let outlier = printing("25", 0);
    let right_a = printing("30", 1);
    let right_b = printing("30", 2);
    let run = scripted(script(&[&outlier, &right_a, &right_b], &[JUDGE_OK]));
    let output = run.run(&[
        "--candidates",
        "3",
        "print the sum of the even numbers from 1 to 10",
    ]);
    let summary = Scripted::summary(&output);
    assert!(output.status.success(), "{summary}");
    assert_eq!(summary["output"], "30\n");
    let record = trials(&run, 1);
    assert_eq!(record["decision"], "judge decides");
    assert_eq!(
        record["candidates"][record["chosen"].as_u64().unwrap() as usize]["agreement"],
        2
    );
    assert_eq!(record["candidates"][0]["agreement"], 1);
}

#[test]
fn a_wrong_generated_check_does_not_reject_what_the_candidates_and_other_checks_agree_on() {
    // The second is true of any program: it becomes "the output shows 4", which no candidate
    // passes, so it is unconfirmed. The fourth is wrong.
    let checks = "```python\nassert '30' in OUTPUT\nassert 2 + 2 == 4\nassert OUTPUT.strip().isdigit()\nassert '31' in OUTPUT\n```";
    let mut answers = script(&[&printing("30", 0), &printing("30", 1)], &[JUDGE_NOT_OK]);
    answers[CHECKS_KEY] = json!([checks]);
    let run = scripted(answers);
    let output = run.run(&[
        "--candidates",
        "2",
        "print the sum of the even numbers from 1 to 10",
    ]);
    let summary = Scripted::summary(&output);
    assert!(output.status.success(), "{summary}");
    let record = trials(&run, 1);
    let trusted: Vec<bool> = record["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|check| check["trusted"].as_bool().unwrap())
        .collect();
    assert_eq!(trusted, vec![true, false, true, false]);
    assert_eq!(
        record["checks"][1]["code"],
        "_aucoder_printed(lambda: (2 + 2))"
    );
    assert_eq!(record["decision"], "passed");
    // Passing checks decided it: the judge (which would have said no) was not asked.
    assert!(run
        .requests()
        .iter()
        .all(|request| request["key"] != "review the output"));
    // ... and a wrong check alone is unconfirmed: the judge decides.
    let mut lone = script(&[&printing("30", 0)], &[JUDGE_OK]);
    lone[CHECKS_KEY] = json!(["```python\nassert '31' in OUTPUT\n```"]);
    let lone = scripted(lone);
    let output = lone.run(&["print the sum of the even numbers from 1 to 10"]);
    assert!(output.status.success());
    assert_eq!(trials(&lone, 1)["decision"], "judge decides");
}

#[test]
fn a_round_without_improvement_stops_the_run() {
    let wrong = function_code("n * 3");
    let also_wrong = function_code("n * 3 + 0");
    let run = scripted(script(&[&wrong, &also_wrong], &[JUDGE_OK]));
    let output = run.run(&["--max-rounds", "5", SQUARES]);
    let summary = Scripted::summary(&output);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(summary["rounds"], 2, "{summary}");
    let text = summary["summary"].as_str().unwrap();
    assert!(
        text.contains("stopped early: round 2 brought no improvement"),
        "{text}"
    );
    // The repair round saw the failing check and what the program returned.
    let coder_prompts: Vec<String> = run
        .requests()
        .into_iter()
        .filter(|request| request["key"] == "Python engineer")
        .map(|request| request["user"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        coder_prompts[1].contains("This check of the requirement failed"),
        "{}",
        coder_prompts[1]
    );
    assert!(
        coder_prompts[1].contains("got 3, expected 1"),
        "{}",
        coder_prompts[1]
    );
}

#[test]
fn unparseable_model_output_never_crashes_a_run() {
    let run = scripted(json!({
        "software architect": [""],
        "Python engineer": ["I am sorry, I cannot write that.", GOOD_CODE],
        "review the output": ["this is not JSON at all"],
        "debugger": ["{{{{"],
    }));
    let output = run.run(&["--max-rounds", "3", "say hello"]);
    let summary = Scripted::summary(&output);
    let steps = run.steps();
    let coder = step(&steps, "coder", 1);
    assert_eq!(coder["ok"], false);
    assert!(
        coder["error"]
            .as_str()
            .unwrap()
            .contains("holds no Python program"),
        "{coder}"
    );
    // An unreadable verdict on a clean run is logged and the run still ends cleanly.
    let executor = step(&steps, "executor", 2);
    assert_eq!(executor["exit_code"], 0);
    assert!(output.status.code() == Some(0) || output.status.code() == Some(1));
    assert!(summary["summary"]
        .as_str()
        .is_some_and(|text| !text.is_empty()));
    assert!(
        run.log().iter().any(|entry| entry["event"] == "log"
            && entry["agent"] == "executor"
            && entry["message"]
                .as_str()
                .unwrap_or_default()
                .contains("judge")),
        "the executor logs why it had no verdict"
    );
}

#[test]
fn a_program_that_fails_the_same_way_twice_stops_early() {
    let crash = "```python\nraise SystemExit('broken')\n```";
    let run = scripted(script(&[crash], &[JUDGE_OK]));
    let output = run.run(&["--max-rounds", "5", "say hello"]);
    let summary = Scripted::summary(&output);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(summary["rounds"], 2, "{summary}");
    let text = summary["summary"].as_str().unwrap();
    assert!(text.contains("stopped early"), "{text}");
    assert!(text.contains("broken"), "{text}");
    // The judge is never asked about a program that crashed.
    assert!(run
        .requests()
        .iter()
        .all(|request| request["key"] != "review the output"));
}

#[test]
fn success_logs_every_agent_and_the_skipped_debugger() {
    let run = scripted(script(&[GOOD_CODE], &[JUDGE_OK]));
    let output = run.run(&["say hello"]);
    assert!(output.status.success());
    let log = run.log();
    for agent in ["retriever", "planner", "coder", "executor", "debugger"] {
        assert!(
            log.iter().any(|entry| entry["agent"] == agent),
            "no log entry for the {agent}"
        );
    }
    assert!(log
        .iter()
        .any(|entry| entry["agent"] == "debugger" && entry["event"] == "skipped"));
    for entry in &log {
        assert!(entry["time"]
            .as_str()
            .is_some_and(|time| time.contains('T')));
    }
    let summary = Scripted::summary(&output);
    for agent in ["retriever", "planner", "coder", "executor"] {
        assert!(
            summary["agents"][agent]["steps"].as_u64() == Some(1),
            "{summary}"
        );
    }
}

#[test]
fn the_files_the_final_program_writes_land_next_to_it() {
    let code = "```python\nimport csv\nwith open('squares.csv', 'w', newline='') as f:\n    csv.writer(f).writerows([(n, n * n) for n in range(4)])\nopen('.hidden', 'w').write('no')\nprint('wrote squares.csv')\n```";
    let run = scripted(script(&[code], &[JUDGE_OK]));
    let output = run.run(&[
        "--out",
        "results/final_code.py",
        "write the squares to a CSV",
    ]);
    let summary = Scripted::summary(&output);
    assert!(output.status.success(), "{summary}");
    let results = run.dir.path().join("results");
    assert_eq!(
        std::fs::read_to_string(results.join("squares.csv")).unwrap(),
        "0,0\r\n1,1\r\n2,4\r\n3,9\r\n"
    );
    assert!(!results.join(".hidden").exists());
    assert!(!results.join("temp.py").exists());
    let files: Vec<&str> = summary["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file.as_str().unwrap())
        .collect();
    assert_eq!(files, ["results/squares.csv"], "{summary}");
}

//! Agent plugins through the real binary: misbehaving plugins are contained (traps, panics,
//! endless loops, memory sprees, blocking, floods, forbidden tools), plugin folders and
//! `--agent` choose who fills a role, and bad plugin files are clear errors.

#[path = "support/scripted_job.rs"]
mod scripted_job;

use scripted_job::*;

fn assert_contained(wish: &str, expected: &str) {
    let run = scripted(script(&[GOOD_CODE], &[JUDGE_OK]));
    let misbehaving = plugin("misbehaving_agent.wasm");
    let agent = format!("planner={}", misbehaving.display());
    let output = run.run(&["--agent", &agent, &format!("{wish}: say hello")]);
    let summary = Scripted::summary(&output);
    // The failed step is recorded and the run goes on to a working program.
    assert!(output.status.success(), "{summary}");
    let steps = run.steps();
    let planner = step(&steps, "planner", 0);
    assert_eq!(planner["ok"], false);
    let error = planner["error"].as_str().unwrap();
    assert!(error.contains(expected), "{wish}: {error}");
    assert!(planner["plugin"]
        .as_str()
        .unwrap()
        .contains("misbehaving_agent.wasm"));
}

#[test]
fn a_plugin_that_traps_is_contained() {
    assert_contained(
        "trap",
        "the plugin crashed: wasm trap: wasm `unreachable` instruction executed",
    );
}

#[test]
fn a_plugin_that_panics_is_contained_and_its_message_shown() {
    assert_contained("panic", "the misbehaving plugin panicked on purpose");
}

#[test]
fn a_plugin_that_loops_forever_is_stopped_by_its_fuel() {
    assert_contained("loop", "used up its fuel");
}

#[test]
fn a_plugin_that_allocates_without_bound_is_stopped_by_its_memory_cap() {
    assert_contained("memory", "memory limit of 256 MiB");
}

#[test]
fn a_plugin_that_blocks_in_the_host_is_stopped_at_its_step_timeout() {
    let run = scripted(script(&[GOOD_CODE], &[JUDGE_OK]));
    let agent = format!("planner={}", plugin("misbehaving_agent.wasm").display());
    let output = run.run(&[
        "--agent",
        &agent,
        "--plugin-timeout",
        "2",
        "sleep: say hello",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let steps = run.steps();
    let error = step(&steps, "planner", 0)["error"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(error.contains("ran past 2 s and was stopped"), "{error}");
}

#[test]
fn a_step_past_its_deadline_makes_no_more_tool_calls_or_log_lines() {
    let run = scripted(script(&[GOOD_CODE], &[JUDGE_OK]));
    let agent = format!("planner={}", plugin("misbehaving_agent.wasm").display());
    let output = run.run(&[
        "--agent",
        &agent,
        "--plugin-timeout",
        "1",
        "--plugin-fuel",
        "1000000000000",
        "late: say hello",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let log = run.log();
    let planner_done = log
        .iter()
        .position(|entry| entry["agent"] == "planner" && entry.get("event").is_none())
        .expect("the planner's step is recorded");
    assert!(
        log[planner_done]["error"]
            .as_str()
            .is_some_and(|error| error.contains("ran past 1 s")),
        "{}",
        log[planner_done]
    );
    // Its beats stop with the step: none is logged after the step's record.
    let late: Vec<&Value> = log[planner_done..]
        .iter()
        .filter(|entry| entry["event"] == "log" && entry["agent"] == "planner")
        .collect();
    assert!(late.is_empty(), "logged after its step ended: {late:?}");
    assert!(
        log[..planner_done]
            .iter()
            .any(|entry| entry["event"] == "log" && entry["agent"] == "planner"),
        "the plugin did run and log before its deadline"
    );
}

#[test]
fn a_plugin_that_answers_millions_of_tiny_strings_is_refused_not_copied() {
    assert_contained("flood", "too much data");
}

#[test]
fn a_plugin_whose_describe_panics_is_a_clear_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let file = plugin("bad_describe.wasm");
    let agent = format!("coder={}", file.display());
    for args in [
        vec!["--agent", &agent, "say hello"],
        vec!["plugins", "list", "--agent", &agent],
    ] {
        let output = aucoder_in(dir.path(), &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("{}: describe() failed", file.display())),
            "{stderr}"
        );
        assert!(stderr.contains("refuses to say who it is"), "{stderr}");
        assert!(
            !stderr.contains("panicked at host"),
            "the host itself must not panic: {stderr}"
        );
    }
}

#[test]
fn a_plugin_that_calls_a_forbidden_tool_is_stopped() {
    let run = scripted(script(&[GOOD_CODE], &[JUDGE_OK]));
    std::fs::write(
        run.dir.path().join("aucoder.toml"),
        "[tools]\nplanner = [\"RAG_Search\"]\n",
    )
    .unwrap();
    let agent = format!("planner={}", plugin("misbehaving_agent.wasm").display());
    let output = run.run(&["--agent", &agent, "forbidden-tool: say hello"]);
    assert!(output.status.success());
    let steps = run.steps();
    let error = step(&steps, "planner", 0)["error"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        error.contains("may not call \"WriteTemp\" (allowed: RAG_Search)"),
        "{error}"
    );
}

#[test]
fn a_plugin_calls_an_allowed_tool_of_an_external_mcp_server() {
    let run = scripted(script(&[GOOD_CODE], &[JUDGE_OK]));
    // The external server is aucoder's own MCP server on stdio, driven by rmcp's client.
    // Servers are programs to start, so they come from the user's own config file.
    run.write_user_config(
        &format!(
            "[mcp_servers.peer]\ncommand = [{AUCODER:?}, \"mcp\", \"--transport\", \"stdio\", \"--utils\", \"corpus\"]\n\n\
             [tools]\nplanner = [\"peer.run_python\"]\n"
        ),
    );
    let agent = format!("planner={}", plugin("misbehaving_agent.wasm").display());
    let output = run.run(&["--agent", &agent, "external: say hello"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let steps = run.steps();
    let planner = step(&steps, "planner", 0);
    assert_eq!(planner["ok"], true, "{planner}");
    assert_eq!(planner["plan"], "external answer: 42\n");

    // A tool list naming an unknown server is refused before the run starts.
    run.write_user_config("[tools]\nplanner = [\"nowhere.run_python\"]\n");
    let output = run.run(&["say hello"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("\"nowhere.run_python\""));
}

#[test]
fn the_example_doctest_coder_changes_the_code_produced() {
    let with_doctests = "```python\ndef double(x):\n    \"\"\"\n    >>> double(2)\n    4\n    \"\"\"\n    return 2 * x\n\n\ndef main():\n    print(double(21))\n\n\nif __name__ == \"__main__\":\n    main()\n```";
    let default_run = scripted(script(&[with_doctests], &[JUDGE_OK]));
    assert!(default_run.run(&["double 21"]).status.success());
    let default_code = default_run.final_code().unwrap();
    assert!(!default_code.contains("doctest"));

    let example_run = scripted(json!({
        "software architect": [PLAN],
        "writes doctests": [with_doctests],
        "review the output": [JUDGE_OK],
        "debugger": [PLAN],
    }));
    let agent = format!("coder={}", plugin("doctest_coder.wasm").display());
    let output = example_run.run(&["--agent", &agent, "double 21"]);
    assert!(output.status.success(), "{}", Scripted::summary(&output));
    let code = example_run.final_code().unwrap();
    assert_ne!(code, default_code);
    assert!(code.contains("doctest.testmod()"), "{code}");
    assert!(code.contains("    _run_doctests()\n    main()"), "{code}");
    let steps = example_run.steps();
    assert!(step(&steps, "coder", 1)["plugin"]
        .as_str()
        .unwrap()
        .starts_with("doctest-coder@"));
}

#[test]
fn a_failing_doctest_fails_the_round() {
    let wrong_example = "```python\ndef double(x):\n    \"\"\"\n    >>> double(2)\n    5\n    \"\"\"\n    return 2 * x\n\n\ndef main():\n    print(double(21))\n\n\nif __name__ == \"__main__\":\n    main()\n```";
    let run = scripted(json!({
        "software architect": [PLAN],
        "writes doctests": [wrong_example],
        "review the output": [JUDGE_OK],
        "debugger": [PLAN],
    }));
    let agent = format!("coder={}", plugin("doctest_coder.wasm").display());
    let output = run.run(&["--agent", &agent, "--max-rounds", "1", "double 21"]);
    assert_eq!(output.status.code(), Some(1));
    let steps = run.steps();
    let executor = step(&steps, "executor", 1);
    assert_ne!(executor["exit_code"], 0);
    assert!(executor["stderr"]
        .as_str()
        .unwrap()
        .contains("doctest: 1 example(s) failed"));
}

#[test]
fn a_file_that_is_not_an_agent_plugin_is_a_clear_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.wasm");
    std::fs::write(&garbage, b"this is not wasm").unwrap();
    let core_module = dir.path().join("core.wasm");
    // The smallest core module: a valid module, but not a component.
    std::fs::write(&core_module, b"\0asm\x01\0\0\0").unwrap();
    let wrong_world = plugin("wrong_world.wasm");
    for file in [&garbage, &core_module, &wrong_world] {
        let agent = format!("coder={}", file.display());
        let output = aucoder_in(dir.path(), &["--agent", &agent, "say hello"]);
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(&file.display().to_string()), "{stderr}");
        assert!(
            stderr.contains("is not an aucoder agent plugin"),
            "{stderr}"
        );
    }
    let stderr = String::from_utf8_lossy(
        &aucoder_in(
            dir.path(),
            &[
                "--agent",
                &format!("coder={}", plugin("wrong_world.wasm").display()),
                "x",
            ],
        )
        .stderr,
    )
    .to_string();
    assert!(
        stderr.contains("no exported instance named `aucoder:agent/agent"),
        "{stderr}"
    );

    let missing = aucoder_in(
        dir.path(),
        &["--agent", "coder=/nonexistent/plugin.wasm", "x"],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/plugin.wasm"));

    let bad_role = aucoder_in(dir.path(), &["--agent", "painter=x.wasm", "x"]);
    assert_eq!(bad_role.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("unknown role \"painter\""));
}

#[test]
fn a_plugin_built_for_the_previous_contract_is_refused_naming_both_versions() {
    let dir = tempfile::tempdir().unwrap();
    let old = plugin("old_contract.wasm");
    let agent = format!("coder={}", old.display());
    let output = aucoder_in(dir.path(), &["--agent", &agent, "say hello"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&old.display().to_string()), "{stderr}");
    assert!(
        stderr.contains("built for aucoder:agent@0.1.0")
            && stderr.contains("runs plugins of aucoder:agent@0.2.0"),
        "{stderr}"
    );
}

#[test]
fn a_plugin_folder_replaces_the_role_its_plugin_describes_and_list_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("my-plugins");
    std::fs::create_dir(&plugins).unwrap();
    std::fs::copy(
        plugin("doctest_coder.wasm"),
        plugins.join("doctest_coder.wasm"),
    )
    .unwrap();
    let output = aucoder_in(dir.path(), &["plugins", "list", "--plugins", "my-plugins"]);
    assert!(output.status.success());
    let listing = String::from_utf8_lossy(&output.stdout);
    let coder_lines: Vec<&str> = listing
        .lines()
        .filter(|line| line.starts_with("coder "))
        .collect();
    assert_eq!(coder_lines.len(), 2, "{listing}");
    assert!(coder_lines[0].contains("built-in coder") && coder_lines[0].contains(" no "));
    assert!(coder_lines[1].contains("doctest-coder") && coder_lines[1].contains(" yes "));
    assert!(coder_lines[1].contains("my-plugins/doctest_coder.wasm"));
    for role in ["retriever", "planner", "executor", "debugger"] {
        assert!(
            listing
                .lines()
                .any(|line| line.starts_with(role) && line.contains("built-in")),
            "{listing}"
        );
    }

    // A ./plugins folder is not read unless named (a workspace or a cloned project could
    // hold one); two plugins of one role in a named folder are an error naming both.
    let local = dir.path().join("plugins");
    std::fs::create_dir(&local).unwrap();
    std::fs::copy(plugin("doctest_coder.wasm"), local.join("a.wasm")).unwrap();
    let listing = aucoder_in(dir.path(), &["plugins", "list"]);
    assert!(!String::from_utf8_lossy(&listing.stdout).contains("plugins/a.wasm"));
    let listing = aucoder_in(dir.path(), &["plugins", "list", "--plugins", "plugins"]);
    assert!(String::from_utf8_lossy(&listing.stdout).contains("plugins/a.wasm"));
    std::fs::copy(plugin("doctest_coder.wasm"), local.join("b.wasm")).unwrap();
    let clash = aucoder_in(dir.path(), &["plugins", "list", "--plugins", "plugins"]);
    assert_eq!(clash.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&clash.stderr);
    assert!(
        stderr.contains("a.wasm") && stderr.contains("b.wasm") && stderr.contains("coder role"),
        "{stderr}"
    );
}

//! LLM benchmarks (`cargo bench -p aucoder-llm --bench llm`): model load time, prompt and
//! generation speed of the embedded backend, and llama.cpp's own server on the same GGUF and
//! prompt for comparison (its `timings` block). Prints the lines recorded in
//! docs/benchmarks.md.

use aucoder_llm::store::{ModelStore, SMALL_MODEL};
use aucoder_llm::{ChatRequest, EmbeddedConfig, EmbeddedLlm, Llm};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

fn prompt() -> ChatRequest {
    let mut user = String::from(
        "Here is a description of a program. Summarise it and then write it in Python.\n",
    );
    for index in 0..12 {
        user.push_str(&format!(
            "Step {index}: read the list of numbers, keep those divisible by {index} plus one, \
             square them, and keep a running total that is printed at the end.\n"
        ));
    }
    ChatRequest::new("You are a careful Python engineer.", user)
        .with_max_tokens(128)
        .with_temperature(0.0)
}

fn main() {
    let threads = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(2);
    let path = ModelStore::default().pull(&SMALL_MODEL).expect("model");

    let mut loads = Vec::new();
    let mut model = None;
    for _ in 0..3 {
        let mut config = EmbeddedConfig::new(&path);
        config.threads = Some(threads);
        let loaded = EmbeddedLlm::load(config).expect("load");
        loads.push(loaded.load_time().as_secs_f64() * 1000.0);
        model = Some(loaded);
    }
    let model = model.expect("loaded");
    println!(
        "load: first in process {:.0} ms (file in page cache), then {:.0} ms / {:.0} ms",
        loads[0], loads[1], loads[2]
    );

    let runtime = tokio::runtime::Runtime::new().expect("tokio");
    let request = prompt();
    let mut prompt_speeds = Vec::new();
    let mut generation_speeds = Vec::new();
    let mut prompt_tokens = 0;
    for _ in 0..3 {
        let completion = runtime
            .block_on(model.complete(&request, None))
            .expect("complete");
        prompt_tokens = completion.prompt_tokens;
        prompt_speeds
            .push(f64::from(completion.prompt_tokens) / completion.prompt_duration.as_secs_f64());
        generation_speeds.push(completion.tokens_per_second());
    }
    println!(
        "embedded ({threads} threads): prompt {prompt_tokens} tokens at {:.1} tok/s, generation {:.1} tok/s (median of 3)",
        median(prompt_speeds.clone()),
        median(generation_speeds.clone())
    );
    drop(model);

    // llama.cpp's own server on the same GGUF, prompt and thread count.
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/support/llm_server.py"
    );
    let mut child = Command::new("python3")
        .arg(script)
        .arg(&path)
        .arg("bench")
        .arg(threads.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 with xllamacpp");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("ready line");
    let url = line
        .trim()
        .strip_prefix("READY ")
        .expect("server ready")
        .to_owned();
    let messages: Vec<_> = request.messages();
    let mut server_prompt = Vec::new();
    let mut server_generation = Vec::new();
    let client = reqwest::blocking_client();
    for _ in 0..3 {
        let body = serde_json::json!({
            "model": "bench", "messages": messages, "max_tokens": 128, "temperature": 0.0,
            "cache_prompt": false
        });
        let response: serde_json::Value = client(&format!("{url}/v1/chat/completions"), &body);
        server_prompt.push(
            response["timings"]["prompt_per_second"]
                .as_f64()
                .unwrap_or(0.0),
        );
        server_generation.push(
            response["timings"]["predicted_per_second"]
                .as_f64()
                .unwrap_or(0.0),
        );
    }
    drop(child.stdin.take());
    let _ = child.kill();
    let _ = child.wait();
    let (ours_prompt, ours_generation) = (median(prompt_speeds), median(generation_speeds));
    let (their_prompt, their_generation) = (median(server_prompt), median(server_generation));
    println!(
        "llama.cpp server (xllamacpp, {threads} threads): prompt {:.1} tok/s, generation {:.1} tok/s; ratio embedded/llama.cpp: prompt {:.2}x, generation {:.2}x",
        their_prompt,
        their_generation,
        ours_prompt / their_prompt,
        ours_generation / their_generation
    );
}

mod reqwest {
    /// A blocking POST of JSON, enough for a benchmark.
    pub fn blocking_client() -> impl Fn(&str, &serde_json::Value) -> serde_json::Value {
        |url, body| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("tokio");
            runtime.block_on(async {
                ::reqwest::Client::new()
                    .post(url)
                    .json(body)
                    .send()
                    .await
                    .expect("request")
                    .json()
                    .await
                    .expect("json")
            })
        }
    }
}

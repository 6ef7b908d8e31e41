"""Serve a GGUF with llama.cpp's own OpenAI-compatible HTTP server (the `xllamacpp` wheel).

Usage: python3 llm_server.py MODEL.gguf ALIAS [THREADS]
Prints `READY http://127.0.0.1:PORT` once the model is loaded, then serves until stdin closes
(the test that started it exits or drops the pipe).
"""

import sys

import xllamacpp


def main() -> None:
    model_path, alias = sys.argv[1], sys.argv[2]
    params = xllamacpp.CommonParams()
    params.model.path = model_path
    params.model_alias = {alias}
    params.hostnames = ["127.0.0.1"]
    params.port = 0
    params.n_ctx = 4096
    params.n_parallel = 1
    if len(sys.argv) > 3:
        params.cpuparams.n_threads = int(sys.argv[3])
        params.cpuparams_batch.n_threads = int(sys.argv[3])
    server = xllamacpp.Server(params)
    print("READY", server.listening_address, flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()

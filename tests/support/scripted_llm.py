"""A scripted OpenAI-compatible chat server for aucoder's orchestration tests.

    python3 scripted_llm.py SCRIPT.json REQUESTS.jsonl

SCRIPT.json maps a piece of the system message to the answers for requests whose system
message contains it, in order (the last answer repeats):

    {"software architect": ["1. Print hello."],
     "Python engineer":    ["```python\\nprint('hello')\\n```"],
     "review the output":  ["{\\"ok\\": false, \\"reason\\": \\"no\\"}", "{\\"ok\\": true, \\"reason\\": \\"yes\\"}"],
     "debugger":           ["Print hello twice."]}

A request no key matches gets an HTTP 500 (so a test sees an unexpected call). Every
request is appended to REQUESTS.jsonl as {"key", "system", "user"}. Prints
`READY http://127.0.0.1:PORT` once listening; serves until killed. This is a test double for
orchestration logic only: the real model is tested end to end elsewhere.
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SCRIPT = json.load(open(sys.argv[1]))
REQUESTS = sys.argv[2]
COUNTS = {key: 0 for key in SCRIPT}
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.startswith("/v1/models"):
            self.reply(200, {"object": "list", "data": [{"id": "scripted"}]})
        else:
            self.reply(404, {"error": "not found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length) or b"{}")
        messages = request.get("messages", [])
        system = next((m["content"] for m in messages if m["role"] == "system"), "")
        user = next((m["content"] for m in messages if m["role"] == "user"), "")
        key = next((key for key in SCRIPT if key in system), None)
        with LOCK:
            with open(REQUESTS, "a") as log:
                log.write(json.dumps({"key": key, "system": system, "user": user}) + "\n")
            if key is None:
                self.reply(500, {"error": {"message": "no scripted answer for this system message"}})
                return
            answers = SCRIPT[key]
            text = answers[min(COUNTS[key], len(answers) - 1)]
            COUNTS[key] += 1
        self.reply(200, {
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(system + user) // 4,
                      "completion_tokens": max(1, len(text) // 4)},
        })


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"READY http://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()

"""aucoder's Python session driver: runs inside the wasm sandbox and keeps one interpreter
across turns, like a notebook kernel.

Requests arrive on stdin, one JSON line each: {"turn", "nonce", "code", "cap"}. Each turn runs
in the same namespace, with sys.stdout and sys.stderr swapped for capped buffers and an empty
stdin (the real one carries the requests); a final expression is echoed as its repr. The answer
is one JSON line on the real stdout that repeats the request's nonce, so the host can tell it
from anything a program writes there itself. The host, not this file, enforces every limit:
what is capped here only keeps answers small.
"""
import sys


def _aucoder_session():
    import ast
    import io
    import json
    import linecache
    import traceback

    requests = sys.stdin.buffer
    answers = sys.stdout
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}

    class Capped(io.TextIOBase):
        def __init__(self, cap):
            self.cap, self.parts, self.size, self.dropped = cap, [], 0, 0

        def writable(self):
            return True

        def write(self, text):
            if not isinstance(text, str):
                raise TypeError("write() argument must be str, not " + type(text).__name__)
            room = self.cap - self.size
            if room > 0:
                self.parts.append(text[:room])
                self.size += min(len(text), room)
            self.dropped += max(0, len(text) - max(room, 0))
            return len(text)

        def value(self):
            return "".join(self.parts)

    def own_frames(error, name):
        tb = error.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != name:
            tb = tb.tb_next
        return tb

    answers.write(json.dumps({"ready": True}) + "\n")
    answers.flush()
    while True:
        line = requests.readline()
        if not line:
            return
        request = json.loads(line)
        name = "<turn %d>" % request["turn"]
        code, cap = request["code"], request["cap"]
        linecache.cache[name] = (len(code), None, code.splitlines(True), name)
        out, err = Capped(cap), Capped(cap)
        sys.stdout, sys.stderr, sys.stdin = out, err, io.StringIO()
        result = error = None
        try:
            tree = ast.parse(code, name, "exec")
            last = None
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                last = ast.Expression(tree.body.pop().value)
            exec(compile(tree, name, "exec"), namespace)
            if last is not None:
                value = eval(compile(last, name, "eval"), namespace)
                if value is not None:
                    namespace["_"] = value
                    result = repr(value)[:cap]
        except BaseException as caught:
            error = "".join(
                traceback.format_exception(type(caught), caught, own_frames(caught, name))
            )[:cap]
        finally:
            sys.stdout, sys.stderr, sys.stdin = sys.__stdout__, sys.__stderr__, sys.__stdin__
        answer = {
            "nonce": request["nonce"],
            "stdout": out.value(),
            "stderr": err.value(),
            "result": result,
            "error": error,
            "dropped": out.dropped + err.dropped,
        }
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


_aucoder_session()

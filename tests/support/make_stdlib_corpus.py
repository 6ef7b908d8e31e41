"""Write a retrieval corpus from real documentation: the docstrings of 30 Python
standard-library modules, one text file per module (module docstring, then each public
function's signature and docstring, separated by blank lines).

Usage: python3 make_stdlib_corpus.py OUT_DIR [large]
(`large` adds 25 more modules, for the ~700-chunk indexing benchmark.)
"""

import importlib
import inspect
import os
import sys

MODULES = [
    "json", "re", "heapq", "bisect", "itertools", "functools", "collections", "datetime",
    "statistics", "textwrap", "string", "random", "math", "posixpath", "shutil", "csv",
    "base64", "hashlib", "fractions", "difflib", "calendar", "copy", "pprint", "uuid",
    "zlib", "struct", "operator", "glob", "fnmatch", "secrets",
]

MORE_MODULES = [
    "queue", "sched", "shlex", "gzip", "bz2", "netrc", "html", "abc", "contextlib", "enum",
    "dataclasses", "tempfile", "weakref", "array", "configparser", "locale", "types",
    "ipaddress", "binascii", "colorsys", "timeit", "getopt", "codecs",
]


def describe(module_name: str) -> str:
    module = importlib.import_module(module_name)
    parts = [f"Module {module_name}", inspect.getdoc(module) or ""]
    for name, value in sorted(vars(module).items()):
        if name.startswith("_") or not callable(value):
            continue
        if getattr(value, "__module__", module_name) not in (module_name, None) and not inspect.isbuiltin(value):
            continue
        doc = inspect.getdoc(value)
        if not doc:
            continue
        try:
            signature = str(inspect.signature(value))
        except (TypeError, ValueError):
            signature = "(...)"
        parts.append(f"{module_name}.{name}{signature}\n{doc}")
    return "\n\n".join(parts) + "\n"


def main() -> None:
    out = sys.argv[1]
    modules = MODULES + (MORE_MODULES if sys.argv[2:] == ["large"] else [])
    os.makedirs(out, exist_ok=True)
    for module_name in modules:
        with open(os.path.join(out, f"{module_name}.txt"), "w", encoding="utf-8") as handle:
            handle.write(describe(module_name))


if __name__ == "__main__":
    main()

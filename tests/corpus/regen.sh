#!/usr/bin/env bash
# Regenerate every NN_name.out from NN_name.py using CPython 3.11.
# Usable from any directory: it always works inside the folder holding this script.
# Each program is run twice (PYTHONHASHSEED=1 and 2); the run must exit 0, write
# nothing to stderr, and produce identical stdout both times.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

PY="${PYTHON:-python3}"
ver="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [[ "$ver" != "3.11" ]]; then
    echo "error: $PY is Python $ver, expected 3.11" >&2
    exit 1
fi

export PYTHONIOENCODING=utf-8 PYTHONUTF8=1 PYTHONDONTWRITEBYTECODE=1
unset PYTHONSTARTUP PYTHONPATH

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

shopt -s nullglob
files=([0-9][0-9]_*.py)
if (( ${#files[@]} == 0 )); then
    echo "error: no NN_*.py programs found in $(pwd)" >&2
    exit 1
fi

status=0
for py in "${files[@]}"; do
    base="${py%.py}"
    for seed in 1 2; do
        rc=0
        PYTHONHASHSEED=$seed "$PY" "$py" >"$tmp/out$seed" 2>"$tmp/err$seed" </dev/null || rc=$?
        if (( rc != 0 )); then
            echo "FAIL $py: exit status $rc (PYTHONHASHSEED=$seed)" >&2
            sed 's/^/    /' "$tmp/err$seed" >&2
            status=1
            continue 2
        fi
        if [[ -s "$tmp/err$seed" ]]; then
            echo "FAIL $py: wrote to stderr (PYTHONHASHSEED=$seed)" >&2
            sed 's/^/    /' "$tmp/err$seed" >&2
            status=1
            continue 2
        fi
    done
    if ! cmp -s "$tmp/out1" "$tmp/out2"; then
        echo "FAIL $py: output differs between PYTHONHASHSEED=1 and 2" >&2
        diff "$tmp/out1" "$tmp/out2" | head -20 >&2 || true
        status=1
        continue
    fi
    cp "$tmp/out1" "$base.out"
    echo "ok   $base.out ($(wc -l <"$base.out") lines)"
done

if (( status != 0 )); then
    echo "some programs failed; their .out files were not updated" >&2
fi
exit $status

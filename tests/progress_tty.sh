#!/usr/bin/env bash
# The progress bar appears on a terminal for an input over 50 MB (run under
# `script`, which gives the command a pseudo-terminal), is erased at the end,
# and stays away with --quiet and when stderr is not a terminal.
set -u
bin=$(realpath "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v script >/dev/null; then
  echo "skip: script(1) (bsdutils) not installed"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$root/samples/usage/openrouter-activity.csv" "$tmp/big.csv" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines(keepends=True)
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write(lines[0])
    body = "".join(lines[1:])
    size = 0
    while size <= 52_000_000:
        out.write(body)
        size += len(body)
PY
fail=0
COLUMNS=100 LC_ALL=C script -qfec "$bin estimate $tmp/big.csv --provider moonshot >/dev/null" "$tmp/tty.log" >/dev/null
grep -qE "B / 5[0-9.]* MB" "$tmp/tty.log" || { echo "FAIL: no progress bar on a terminal"; fail=1; }
grep -q $'\r\x1b\\[K' "$tmp/tty.log" || { echo "FAIL: the bar is not erased"; fail=1; }
COLUMNS=100 LC_ALL=C script -qfec "$bin estimate $tmp/big.csv --provider moonshot --quiet >/dev/null" "$tmp/quiet.log" >/dev/null
if grep -qE "B / [0-9.]+ MB" "$tmp/quiet.log"; then echo "FAIL: progress bar despite --quiet"; fail=1; fi
"$bin" estimate "$tmp/big.csv" --provider moonshot >/dev/null 2>"$tmp/pipe.log"
if grep -qE "B / [0-9.]+ MB" "$tmp/pipe.log"; then echo "FAIL: progress bar into a pipe"; fail=1; fi
[ $fail = 0 ] && echo "progress bar: ok"
exit $fail

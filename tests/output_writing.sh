#!/usr/bin/env bash
# Output writing: a full device, a missing directory, a file size limit and
# a failed run each end with a message and exit 2, and never leave a partial
# or clobbered --output FILE behind. A closed pipe (`| head`) changes
# nothing: the exit code stays the verdict, and nothing is said.
set -u
bin=$(realpath "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
export NO_COLOR=1 LC_ALL=C
unset LLMCOST_PRICING_PATH
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # name, condition result (0 = ok), detail
  if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1: $3"; fail=1; fi
}

# Closed pipe: the reader is gone before llmcost writes. The exit code is
# what the run decided (0 here; 1 for a reconcile that found differences),
# the same every time, and stderr says nothing of the pipe.
{ sleep 0.5; "$bin" models --format json 2>"$tmp/err"; echo $? >"$tmp/code"; } | true
[ "$(cat "$tmp/code")" = 0 ] && [ ! -s "$tmp/err" ]
check "closed pipe: exit 0, nothing said" $? "exit $(cat "$tmp/code"), stderr: $(cat "$tmp/err")"
{ sleep 0.5; "$bin" reconcile tests/data/usage-bad-rows.csv --allow-rejects --format json 2>"$tmp/err"; echo $? >"$tmp/code"; } | true
[ "$(cat "$tmp/code")" = 1 ] && ! grep -q 'write error' "$tmp/err"
check "closed pipe: a failed check is still exit 1" $? "exit $(cat "$tmp/code"), stderr: $(cat "$tmp/err")"

# A full device is written in place (never renamed over) and reports ENOSPC.
"$bin" models --format json -o /dev/full 2>"$tmp/err"
code=$?
[ $code = 2 ] && grep -qx 'llmcost: error: /dev/full: write error: No space left on device; output is incomplete' "$tmp/err" &&
  [ -c /dev/full ]
check "--output /dev/full" $? "exit $code, stderr: $(cat "$tmp/err")"

# A missing directory.
"$bin" models -o "$tmp/missing/out.txt" 2>"$tmp/err"
code=$?
[ $code = 2 ] && grep -qx "llmcost: error: $tmp/missing/out.txt: cannot write: No such file or directory (expected a writable directory)" "$tmp/err"
check "--output into a missing directory" $? "exit $code, stderr: $(cat "$tmp/err")"

# A full disk while writing the temporary file (simulated with a 1 kB file size limit):
# the existing file keeps its content and no temporary file is left.
echo "previous content" >"$tmp/out.json"
(ulimit -f 1 && "$bin" models --format json -o "$tmp/out.json") 2>"$tmp/err"
code=$?
[ $code = 2 ] && grep -qx "llmcost: error: $tmp/out.json: write error: File too large; nothing written" "$tmp/err" &&
  [ "$(cat "$tmp/out.json")" = "previous content" ] && [ "$(ls "$tmp" | grep -c '^out\.json')" = 1 ]
check "full disk keeps the old file" $? "exit $code, stderr: $(cat "$tmp/err"), files: $(ls "$tmp")"

# A run that fails on bad input (rejected records) leaves an existing file untouched.
"$bin" estimate tests/data/usage-bad-rows.csv --format json -o "$tmp/out.json" >/dev/null 2>"$tmp/err"
code=$?
[ $code = 2 ] && [ "$(cat "$tmp/out.json")" = "previous content" ] &&
  grep -qxF "llmcost: error: tests/data/usage-bad-rows.csv:3:45: field input_tokens: \"-5\" is negative (expected a whole number of zero or more); 12 records rejected (use --allow-rejects to accept a partial total); $tmp/out.json not written" "$tmp/err"
check "failed run keeps the old file" $? "exit $code, content: $(head -c 200 "$tmp/out.json"), stderr: $(tail -1 "$tmp/err")"

# A successful run replaces the file whole, keeps its mode, and leaves no temporary file.
chmod 640 "$tmp/out.json"
"$bin" models --format json -o "$tmp/out.json" 2>"$tmp/err"
code=$?
"$bin" models --format json >"$tmp/expected.json"
[ $code = 0 ] && cmp -s "$tmp/out.json" "$tmp/expected.json" && [ "$(stat -c %a "$tmp/out.json")" = 640 ] &&
  [ "$(ls "$tmp" | grep -c '^out\.json')" = 1 ]
check "successful run replaces the file" $? "exit $code, stderr: $(cat "$tmp/err")"

# --output naming a directory.
"$bin" models -o "$tmp" 2>"$tmp/err"
code=$?
[ $code = 2 ] && grep -qx "llmcost: error: $tmp: is a directory (expected a file to write)" "$tmp/err"
check "--output naming a directory" $? "exit $code, stderr: $(cat "$tmp/err")"

exit $fail

#!/usr/bin/env bash
# The bad-input suite: each directory under tests/bad/ (but pending/) is one
# bad input and the exact answer llmcost must give to it.
#   cmd              one shell line, run in a copy of the case directory; "llmcost" is
#                    the binary under test, and inputs sit next to cmd
#   expected_stderr  exact standard error
#   expected_exit    exit code (2 for every case: bad input or bad usage)
#   expected_stdout  (optional) exact standard output; without it, none is allowed
#   max_rss_mb       (optional) peak memory allowed to the llmcost process, in MB;
#                    not checked when LLMCOST_BAD_NO_RSS=1 (sanitizer builds)
# Each case must finish within LLMCOST_BAD_TIMEOUT seconds (default 120).
# UPDATE_GOLDEN=1 rewrites the expectations from the current binary (review the diff!).
set -u
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
export NO_COLOR=1 COLUMNS=200 LC_ALL=C
unset LLMCOST_PRICING_PATH
timeout_s=${LLMCOST_BAD_TIMEOUT:-120}
export BAD_DIR=$here # for generators shared by cases (gen_long_line.py)
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for dir in "$here"/*/; do
  name=$(basename "$dir")
  [ -f "$dir/cmd" ] || continue
  rm -f "$tmp/rss"
  cmd=$(cat "$dir/cmd")
  # GNU time is not always installed: python measures the child's peak memory.
  # A copy of the case directory: messages name inputs by their relative
  # paths, and whatever a case writes stays out of the source tree.
  rm -rf "$tmp/case" && cp -R "$dir" "$tmp/case"
  (set -o pipefail && cd "$tmp/case" && llmcost() { python3 "$here/peak_rss.py" "$tmp/rss" timeout "$timeout_s" "$bin" "$@"; } && eval "$cmd") \
    </dev/null >"$tmp/out" 2>"$tmp/err"
  code=$?
  if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    if [ -s "$tmp/out" ]; then cp "$tmp/out" "$dir/expected_stdout"; else rm -f "$dir/expected_stdout"; fi
    cp "$tmp/err" "$dir/expected_stderr"
    echo "$code" >"$dir/expected_exit"
    echo "updated $name (exit $code, peak $(cat "$tmp/rss" 2>/dev/null) MB)"
    continue
  fi
  ok=1
  expected_out=/dev/null
  [ -f "$dir/expected_stdout" ] && expected_out="$dir/expected_stdout"
  diff -u "$expected_out" "$tmp/out" >"$tmp/diff_out" || ok=0
  diff -u "$dir/expected_stderr" "$tmp/err" >"$tmp/diff_err" || ok=0
  want=$(cat "$dir/expected_exit")
  [ "$code" = "$want" ] || ok=0
  rss=$(cat "$tmp/rss" 2>/dev/null || echo 0)
  if [ -f "$dir/max_rss_mb" ] && [ "${LLMCOST_BAD_NO_RSS:-0}" != 1 ] && [ "$rss" -gt "$(cat "$dir/max_rss_mb")" ]; then
    ok=0
    echo "peak memory $rss MB > $(cat "$dir/max_rss_mb") MB" >>"$tmp/diff_err"
  fi
  if [ $ok = 1 ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name (exit $code, expected $want): $cmd"
    head -c 4000 "$tmp/diff_out"
    head -c 4000 "$tmp/diff_err"
  fi
done
echo "bad-input tests: $pass passed, $fail failed"
[ $fail = 0 ]

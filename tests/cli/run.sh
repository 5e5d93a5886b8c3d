#!/usr/bin/env bash
# Golden CLI tests: each directory under tests/cli/ is one case.
#   cmd              the arguments, one shell line; "llmcost" is the binary under test
#   stdin            (optional) fed to standard input
#   expected_stdout  exact standard output
#   expected_stderr  exact standard error
#   expected_exit    exit code
# Commands run from the repository root, so paths like samples/... work.
# UPDATE_GOLDEN=1 rewrites the expectations from the current binary (review the diff!).
set -u
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 2
export NO_COLOR=1 COLUMNS=200 LC_ALL=C
# LLMCOST_BLOCK_SIZE may be set by the caller: results must not depend on how inputs are cut.
unset LLMCOST_PRICING_PATH XDG_CONFIG_HOME
# No user config unless a case sets one.
export LLMCOST_CONFIG=/nonexistent/llmcost-config.json
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for dir in "$here"/*/; do
  name=$(basename "$dir")
  [ -f "$dir/cmd" ] || continue
  cmd=$(cat "$dir/cmd")
  stdin_file=/dev/null
  [ -f "$dir/stdin" ] && stdin_file="$dir/stdin"
  (llmcost() { "$bin" "$@"; }; eval "$cmd") <"$stdin_file" >"$tmp/out" 2>"$tmp/err"
  code=$?
  if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$tmp/out" "$dir/expected_stdout"
    cp "$tmp/err" "$dir/expected_stderr"
    echo "$code" >"$dir/expected_exit"
    echo "updated $name"
    continue
  fi
  ok=1
  if ! diff -u "$dir/expected_stdout" "$tmp/out" >"$tmp/diff_out"; then ok=0; fi
  if ! diff -u "$dir/expected_stderr" "$tmp/err" >"$tmp/diff_err"; then ok=0; fi
  want=$(cat "$dir/expected_exit")
  [ "$code" = "$want" ] || ok=0
  if [ $ok = 1 ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name (exit $code, expected $want): $cmd"
    head -40 "$tmp/diff_out" "$tmp/diff_err"
  fi
done
echo "cli golden tests: $pass passed, $fail failed"
[ $fail = 0 ]

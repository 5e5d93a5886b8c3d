#!/usr/bin/env bash
# Every option that `--help` lists for a command must be documented in man/llmcost.1.
set -u
bin=$1
man=$(dirname "$0")/../man/llmcost.1
text=$(sed 's/\\-/-/g' "$man")
missing=0
for cmd in "" "estimate" "compare" "reconcile" "budget" "models" "rates show" "rates validate" "rates diff" "rates export" "completions" "config show"; do
  # shellcheck disable=SC2086
  for opt in $("$bin" $cmd --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
    if ! grep -qF -- "$opt" <<<"$text"; then
      echo "man/llmcost.1 does not document '${cmd:-llmcost} $opt'"
      missing=1
    fi
  done
done
[ $missing = 0 ] && echo "man page documents every option"
exit $missing

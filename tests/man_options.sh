#!/usr/bin/env bash
# Every option that `--help` lists for a command must be documented in man/llmcost.1.
set -u
bin=$1
man=$(dirname "$0")/../man/llmcost.1
text=$(sed 's/\\-/-/g' "$man")
missing=0
for cmd in "" "estimate" "compare" "reconcile" "budget" "watch" "models" "rates show" "rates validate" "rates diff" "rates export" "completions" "config show"; do
  # shellcheck disable=SC2086
  for opt in $("$bin" $cmd --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
    if ! grep -qF -- "$opt" <<<"$text"; then
      echo "man/llmcost.1 does not document '${cmd:-llmcost} $opt'"
      missing=1
    fi
  done
done
# And the reverse: every option a section of options documents (each .TP
# entry) is accepted by the command it is listed under.
sections=("COMMON OPTIONS:estimate" "ESTIMATE OPTIONS:estimate" "COMPARE OPTIONS:compare"
  "RECONCILE OPTIONS:reconcile" "BUDGET OPTIONS:budget" "WATCH OPTIONS:watch" "MODELS OPTIONS:models" "RATES EXPORT OPTIONS:rates export")
for entry in "${sections[@]}"; do
  section=${entry%%:*}
  cmd=${entry#*:}
  # shellcheck disable=SC2086
  accepted=$("$bin" --help; "$bin" $cmd --help)
  for opt in $(awk -v s=".SH $section" '$0 == s {on = 1; next} /^\.SH / {on = 0} on && prev == ".TP" {print} {prev = $0}' "$man" |
    grep -oE -- '\\-\\-[a-z][a-z-]+' | sed 's/\\-/-/g' | sort -u); do
    if ! grep -qE -- "(^|[ ,])$opt([ ,=]|$)" <<<"$accepted"; then
      echo "man/llmcost.1 ($section) documents '$cmd $opt', which '$cmd --help' does not offer"
      missing=1
    fi
  done
done
[ $missing = 0 ] && echo "man page documents every option, and every option it documents is accepted"
exit $missing

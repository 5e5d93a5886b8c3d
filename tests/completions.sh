#!/usr/bin/env bash
# The completion scripts parse in their shell (bash -n, zsh -n, fish
# --no-execute; a shell that is not installed is skipped, saying so), name
# every subcommand and option that --help lists, and complete a model id.
set -u
bin=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # message, then a command that must succeed
  local message=$1
  shift
  if ! "$@"; then
    echo "FAIL: $message"
    fail=1
  fi
}
for shell in bash zsh fish; do
  "$bin" completions "$shell" >"$tmp/$shell" || { echo "FAIL: llmcost completions $shell"; fail=1; continue; }
  case $shell in
  bash) check "bash -n" bash -n "$tmp/bash" ;;
  zsh) if command -v zsh >/dev/null; then check "zsh -n" zsh -n "$tmp/zsh"; else echo "skip: zsh not installed"; fi ;;
  fish) if command -v fish >/dev/null; then check "fish --no-execute" fish --no-execute "$tmp/fish"; else echo "skip: fish not installed"; fi ;;
  esac
  for cmd in estimate compare reconcile budget models rates completions show validate diff; do
    check "$shell script lacks subcommand $cmd" grep -qw -- "$cmd" "$tmp/$shell"
  done
  for cmd in "" estimate compare reconcile budget models "rates show" "rates validate" "rates diff" completions "config show"; do
    # shellcheck disable=SC2086
    for opt in $("$bin" $cmd --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
      if [ "$shell" = fish ]; then pattern="-l ${opt#--}( |$)"; else pattern="(^|[ '|])$opt([ ':]|$)"; fi
      check "$shell script lacks '${cmd:-llmcost} $opt'" grep -qE -- "$pattern" "$tmp/$shell"
    done
  done
  check "$shell script lacks model id moonshot/kimi-k2.6" grep -qF "moonshot/kimi-k2.6" "$tmp/$shell"
done

# Behaviour, not only syntax: what bash and fish offer at a few cursor positions.
complete_bash() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _llmcost; echo "${COMPREPLY[*]}"' _ "$tmp/bash" "$@"
}
expect() { # what, got, wanted
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1: got '$2', wanted '$3'"
    fail=1
  fi
}
expect "bash: llmcost est" "$(complete_bash llmcost est)" "estimate"
expect "bash: llmcost rates s" "$(complete_bash llmcost rates s)" "show"
expect "bash: --model moonshot/kimi-k2.6" "$(complete_bash llmcost estimate --model moonshot/kimi-k2.6)" "moonshot/kimi-k2.6"
expect "bash: compare --format" "$(complete_bash llmcost compare --format m)" "markdown"
if command -v fish >/dev/null; then
  got=$(fish -c "source $tmp/fish; complete -C 'llmcost estimate --model moonshot/kimi-k2.6'" | cut -f1)
  expect "fish: --model moonshot/kimi-k2.6" "$got" "moonshot/kimi-k2.6"
fi
[ $fail = 0 ] && echo "completion scripts: ok"
exit $fail

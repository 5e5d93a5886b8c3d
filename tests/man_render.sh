#!/usr/bin/env bash
# The manual renders without a groff warning: a line that begins with ' or .
# is a control line (its text disappears), a stray backslash is an escape.
set -u
man=$(dirname "$0")/../man/llmcost.1
if ! command -v groff >/dev/null; then
  echo "man_render: groff is not installed (scripts/test.sh installs groff-base)" >&2
  exit 1
fi
warnings=$(groff -man -ww -Tutf8 "$man" 2>&1 >/dev/null)
if [ -n "$warnings" ]; then
  echo "$warnings"
  exit 1
fi
echo "man page renders without warnings"

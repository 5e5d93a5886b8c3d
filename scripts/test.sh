#!/usr/bin/env bash
# README command 2 (and CI): install what is missing, build with -Werror, and
# run the whole suite: unit tests, golden CLI tests, the contract check, and
# the readers over the shared real samples when they are present.
set -euo pipefail
cd "$(dirname "$0")/.."
WERROR=1 scripts/setup.sh
# Test-only tools: the completion scripts are checked by their shells, and the
# HTML report is rendered by headless Chromium (tests skip, saying so, if absent).
test_tools=(zsh fish chromium)
missing=()
for p in "${test_tools[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  { "${sudo_cmd[@]}" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
    echo "test: could not install ${missing[*]}; the tests that need them will say they skipped" >&2
fi
ctest --test-dir build --output-on-failure

shared=""
for candidate in "${LLMCOST_SHARED:-}" ../shared /work/shared; do
  if [ -n "$candidate" ] && [ -f "$candidate/contract/check.py" ]; then shared=$candidate; break; fi
done
if [ -n "$shared" ]; then
  echo "== contract check (SPEC.md)"
  python3 "$shared/contract/check.py" build/llmcost
else
  echo "== contract check skipped: shared/contract/check.py not found (set LLMCOST_SHARED)"
fi
echo "all tests passed"

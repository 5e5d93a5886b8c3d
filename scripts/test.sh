#!/usr/bin/env bash
# README command 2 (and CI): install what is missing, build with -Werror, and
# run the whole suite: unit tests, golden CLI tests, the contract check, and
# the readers over the shared real samples when they are present.
set -euo pipefail
cd "$(dirname "$0")/.."
WERROR=1 scripts/setup.sh
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

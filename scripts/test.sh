#!/usr/bin/env bash
# README command 2 (and CI): install what is missing, build with -Werror, and
# run the whole suite: unit tests, golden CLI tests, the bad-input suite, the
# property tests, the contract check, and the readers over the shared real
# samples when they are present. Then the same unit, golden, bad-input,
# output and property tests again in an ASan + UBSan build (build-asan/).
#   SANITIZE=0 skips the sanitizer pass (for a quick local run).
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache keyed on paths relative to the checkout: a fresh clone reuses the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
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

if [ "${SANITIZE:-1}" != 0 ]; then
  echo "== sanitizer build (ASan + UBSan, Debug at -O1) in build-asan"
  # Debug keeps assertions on; the CMake option adds -O1 so the suites run fast enough.
  BUILD_DIR=build-asan BUILD_TYPE=Debug SANITIZE=1 WERROR=1 scripts/setup.sh
  # The 1M-row and 20k-row throughput tests add minutes under ASan and no coverage
  # the other tests lack; everything else runs.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -E '^(bulk_csv_1m_rows|reconcile_truth_.*|real_samples)$'
fi
echo "all tests passed"

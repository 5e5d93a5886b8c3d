#!/usr/bin/env bash
# README command 2 (and CI): install what is missing, build with -Werror, and
# run the whole suite: unit tests, golden CLI tests, the bad-input suite, the
# property tests, the contract check, the readers over the shared real samples
# when they are present, and the SQL export run in PostgreSQL and DuckDB. Then
# the unit, golden and bad-input tests in a build without SIMD (build-scalar/),
# and the same plus the output and property tests in an ASan + UBSan build
# (build-asan/).
#   SCALAR=0 skips the scalar pass, SANITIZE=0 the sanitizer pass (for a quick
#   local run); each says so.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache keyed on paths relative to the checkout: a fresh clone reuses the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
WERROR=1 scripts/setup.sh

# The warehouse test runs the SQL export in a real PostgreSQL: install it when
# missing (the server is started by the test on a loopback port and stopped).
if ! command -v psql >/dev/null || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "test: installing postgresql for the warehouse test" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq postgresql >/dev/null
  # The package may start the cluster it just created; the test starts its own.
  if command -v pg_lsclusters >/dev/null; then
    pg_lsclusters --no-header | awk '$4 == "online" {print $1, $2}' | while read -r version cluster; do
      "${sudo_cmd[@]}" pg_ctlcluster "$version" "$cluster" stop || true
    done
  fi
fi
# Test-only tools: the completion scripts are checked by their shells, and the
# HTML report is rendered by headless Chromium and its PDF read by poppler-utils
# (tests skip, saying so, if absent); groff renders the manual (its test fails
# without it).
test_tools=(zsh fish chromium poppler-utils groff-base)
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
LLMCOST_REQUIRE_POSTGRES=1 ctest --test-dir build --output-on-failure

shared=""
for candidate in "${LLMCOST_SHARED:-}" ../shared; do
  if [ -n "$candidate" ] && [ -f "$candidate/contract/check.py" ]; then shared=$candidate; break; fi
done
if [ -n "$shared" ]; then
  echo "== contract check (SPEC.md)"
  python3 "$shared/contract/check.py" build/llmcost
else
  echo "== SKIPPED: contract check: shared/contract/check.py not found (set LLMCOST_SHARED, or put shared/ beside the checkout)" >&2
  # CI has shared/ beside its clone: there a missing contract check is a check that checked nothing.
  if [ "${CI:-}" = true ]; then exit 1; fi
fi

if [ "${SCALAR:-1}" != 0 ]; then
  echo "== scalar build (no SIMD) in build-scalar"
  # The byte scanners' scalar paths, what targets without SSE2 run. Only the
  # files that include simd.hpp compile again: ccache has the rest from build/.
  cmake -S . -B build-scalar -G Ninja -DCMAKE_BUILD_TYPE=Release -DLLMCOST_WERROR=ON -DLLMCOST_NO_SIMD=ON >/dev/null
  cmake --build build-scalar -j "$(nproc)" --target llmcost llmcost_unit_tests
  ctest --test-dir build-scalar --output-on-failure -j "$(nproc)" -R '^(unit|cli|cli_tiny_blocks|cli_threads|bad_inputs)$'
else
  echo "== scalar build skipped (SCALAR=0)"
fi

if [ "${SANITIZE:-1}" != 0 ]; then
  echo "== sanitizer build (ASan + UBSan, Debug at -O1) in build-asan"
  # Debug keeps assertions on; the CMake option adds -O1 so the suites run fast enough.
  BUILD_DIR=build-asan BUILD_TYPE=Debug SANITIZE=1 WERROR=1 scripts/setup.sh
  # Left out: the 1M-row and 20k-row throughput tests (minutes under ASan, no
  # coverage the others lack) and the tests of what other programs do with our
  # output (SQL engines, Chromium, shells, dpkg).
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -E '^(bulk_csv_1m_rows|reconcile_truth_.*|real_samples|warehouse_.*|html_report|deb_package|completions)$'
else
  echo "== sanitizer build skipped (SANITIZE=0)"
fi
echo "all tests passed"

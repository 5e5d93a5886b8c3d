#!/usr/bin/env bash
# Instructions per record of the reading hot path (valgrind --tool=callgrind):
# unlike seconds, the count is the same on a busy machine, so it shows what a
# change did. One thread, the shared generator's data (seed 1).
#   bench/callgrind.sh [PATH/TO/llmcost]     (default: build-bench/llmcost)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build-bench/llmcost}
[ -x "$bin" ] || { echo "bench/callgrind.sh: build $bin first (bench/run or BUILD_DIR=build-bench scripts/setup.sh)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "bench/callgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
shared=""
for candidate in "${LLMCOST_SHARED:-}" ../shared; do
  if [ -n "$candidate" ] && [ -f "$candidate/bench/gen.py" ]; then shared=$candidate; break; fi
done
[ -n "$shared" ] || { echo "bench/callgrind.sh: shared/bench/gen.py not found (set LLMCOST_SHARED)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$shared/bench/gen.py" csv --seed 1 --rows 100000 --out "$work/usage.csv" >/dev/null
python3 "$shared/bench/gen.py" openai --seed 1 --rows 50000 --out "$work/trace.jsonl" >/dev/null
python3 "$shared/bench/gen.py" claude --seed 1 --mb 4 --out "$work/claude" >/dev/null

# instructions RECORDS NAME ARGS... -> "NAME  instructions  per record"
instructions() {
  local records=$1 name=$2
  shift 2
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$bin" "$@" --threads 1 --format json \
    >/dev/null 2>"$work/cg.err" || true
  local total
  total=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/cg.err")
  python3 -c "print('%-28s %14s instructions %8.0f per line or row' % ('$name', '{:,}'.format($total), $total / $records))"
}
startup=$(valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$bin" estimate \
  --model moonshot/kimi-k2.6 --requests 100k --input-tokens 1000 --output-tokens 300 2>&1 >/dev/null |
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
python3 -c "print('%-28s %14s instructions (start-up: cards, one inline workload)' % ('start-up', '{:,}'.format($startup)))"
instructions 100000 "CSV 100k rows" estimate "$work/usage.csv" --by provider,model
# The finance team's commands on the same rows: every row re-priced and its
# request id checked (reconcile), every row priced on each route (compare).
instructions 100000 "CSV 100k rows, reconcile" reconcile "$work/usage.csv" --allow-rejects
instructions 100000 "CSV 100k rows, compare" compare "$work/usage.csv" --routes kyma,moonshot
instructions 50000 "JSONL 50k lines" estimate "$work/trace.jsonl" --by model
records=$(find "$work/claude" -name '*.jsonl' -exec cat {} + | wc -l)
instructions "$records" "Claude tree ($records lines)" estimate "$work/claude" --by day

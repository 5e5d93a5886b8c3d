#!/usr/bin/env bash
# Runs one fuzz target with the project's settings (see fuzz/README.md).
#   fuzz/run.sh TARGET [SECONDS] [BUILD_DIR]
# TARGET: decimal | card | workload | csv | jsonl | json_scan. SECONDS defaults to 480.
# BUILD_DIR defaults to build-fuzz (the standalone build, fuzz/README.md).
# The seed corpus fuzz/corpus/TARGET is read, never written: new inputs go
# to BUILD_DIR/fuzz-work/corpus/TARGET, crashes to BUILD_DIR/fuzz-work/artifacts/TARGET/.
# One fuzzing process at a time (-fork=1); a crash is recorded and fuzzing goes on.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${1:?usage: fuzz/run.sh decimal|card|workload|csv|jsonl|json_scan [seconds] [build dir]}"
seconds="${2:-480}"
build="${3:-$here/../build-fuzz}"
case "$target" in
  decimal) dict="$here/dict/decimal.dict" ;;
  csv) dict="$here/dict/csv.dict" ;;
  card | workload | jsonl | json_scan) dict="$here/dict/json.dict" ;;
  *) echo "unknown target $target" >&2; exit 2 ;;
esac
binary="$build/fuzz/fuzz_$target"
[ -x "$binary" ] || { echo "no $binary: build it first (fuzz/README.md)" >&2; exit 2; }
work="$build/fuzz-work"
mkdir -p "$work/corpus/$target" "$work/artifacts/$target"
exec "$binary" \
  -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
  -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
  -dict="$dict" -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/$target/" \
  "$work/corpus/$target" "$here/corpus/$target"

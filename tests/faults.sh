#!/usr/bin/env bash
# Faults and hostile input (issue 20): an endless line is one rejected
# record read in bounded memory; an absurd amount is one rejected row; a
# directory's broken links and unreadable subdirectories are each reported
# under their own path; help and version into a full disk fail; a signal
# during an --output write leaves no temporary file. Never an "internal error".
set -u
bin=$(realpath "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
export NO_COLOR=1 LC_ALL=C
unset LLMCOST_PRICING_PATH LLMCOST_BLOCK_SIZE LLMCOST_PIECE_SIZE
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
check() { # name, condition result (0 = ok), detail
  if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1: $3"; fail=1; fi
}
no_internal() { ! grep -q 'internal error' "$1"; }
peak_kib() { sed -n 's/^\tMaximum resident set size (kbytes): //p' "$1"; }
# Under ASan (LLMCOST_FAULTS_NO_MEMORY=1) the address space and the peak are
# the sanitizer's: no limit, no peak checked; the plain build checks memory.
no_memory=${LLMCOST_FAULTS_NO_MEMORY:-0}
limit_memory() { [ "$no_memory" = 1 ] || ulimit -v 393216; }
small_peak() { [ "$no_memory" = 1 ] || { [ -n "$1" ] && [ "$1" -lt 262144 ]; }; }

# 1. A valid CSV followed by a 300 MB hole (a crashed writer; sparse, so no
# disk is used): its rows are read, the hole is one rejected line, under a
# 384 MiB address-space limit and with a peak under 256 MiB.
cp tests/data/usage-small.csv "$tmp/hole.csv"
truncate -s +300M "$tmp/hole.csv"
(limit_memory && /usr/bin/time -v -o "$tmp/time" "$bin" estimate "$tmp/hole.csv" --threads 2 --allow-rejects \
  >"$tmp/out" 2>"$tmp/err")
code=$?
peak=$(peak_kib "$tmp/time")
[ $code = 0 ] && grep -qxF "  $tmp/hole.csv:13:1: line longer than 67108864 bytes (read past; --max-line-bytes raises the limit)" "$tmp/err" &&
  grep -q '^records: 11 read, 10 priced, 1 rejected' "$tmp/err" && small_peak "$peak" && no_internal "$tmp/err"
check "a 300 MB hole after the rows: one rejected line, peak ${peak:-?} KiB" $? "exit $code, stderr: $(tail -3 "$tmp/err")"
"$bin" estimate "$tmp/hole.csv" >/dev/null 2>"$tmp/err"
code=$?
[ $code = 2 ] && grep -qF "llmcost: error: $tmp/hole.csv:13:1: line longer than 67108864 bytes" "$tmp/err"
check "the hole without --allow-rejects: exit 2 at its line" $? "exit $code, stderr: $(tail -1 "$tmp/err")"

# An endless line on standard input (no newline ever): an error at line 1,
# in bounded memory.
(limit_memory && head -c 300M /dev/zero | /usr/bin/time -v -o "$tmp/time" "$bin" estimate - --threads 2 \
  >/dev/null 2>"$tmp/err")
code=$?
peak=$(peak_kib "$tmp/time")
[ $code = 2 ] && grep -qxF 'llmcost: error: <stdin>:1:1: line longer than 67108864 bytes (expected shorter lines, or a larger --max-line-bytes)' "$tmp/err" &&
  small_peak "$peak"
check "an endless line on stdin: exit 2 at line 1, peak ${peak:-?} KiB" $? "exit $code, stderr: $(tail -1 "$tmp/err")"

# Memory running out while reading is a located error, not an internal one.
if [ "$no_memory" != 1 ]; then
  (limit_memory && "$bin" estimate "$tmp/hole.csv" --threads 2 --max-line-bytes 1000000000 >/dev/null 2>"$tmp/err")
  code=$?
  [ $code = 2 ] && grep -qxF "llmcost: error: $tmp/hole.csv:13:1: out of memory reading this input (expected a smaller --max-line-bytes, or fewer --threads)" "$tmp/err"
  check "out of memory: a located error" $? "exit $code, stderr: $(tail -1 "$tmp/err")"
fi

"$bin" estimate "$tmp/hole.csv" --max-line-bytes 1000 >/dev/null 2>"$tmp/err"
code=$?
[ $code = 2 ] && grep -qF 'llmcost: error: --max-line-bytes: "1000" is not a byte count from 1048576 (1 MiB)' "$tmp/err"
check "--max-line-bytes below 1 MiB: a usage error" $? "exit $code, stderr: $(head -1 "$tmp/err")"

# 3. One absurd billed amount on a cheap row is that row's problem.
{ cat tests/data/reconcile-export.csv
  echo "2026-01-06T10:00:00Z,req_big,moonshot,kimi-k2.6,eval-harness,key_f,1,0,0,false,0,1E+24,absurd"; } >"$tmp/absurd.csv"
"$bin" reconcile "$tmp/absurd.csv" --allow-rejects >"$tmp/out" 2>"$tmp/err"
code=$?
cat "$tmp/out" >>"$tmp/err"
[ $code = 1 ] && grep -qxF "  $tmp/absurd.csv:13:1: amount out of range: billed 1000000000000000000000000.00 (decimal overflow in multiplication)" "$tmp/err" &&
  grep -q '^rows: 12 read, 3 matched, 8 discrepant, 1 rejected' "$tmp/err" && no_internal "$tmp/err"
check "billed 1E+24: one rejected row, the run goes on" $? "exit $code, stderr: $(tail -3 "$tmp/err")"
"$bin" reconcile "$tmp/absurd.csv" >/dev/null 2>"$tmp/err"
code=$?
[ $code = 2 ] && grep -qF "llmcost: error: $tmp/absurd.csv:13:1: amount out of range" "$tmp/err"
check "billed 1E+24 without --allow-rejects: exit 2 at its line" $? "exit $code, stderr: $(tail -1 "$tmp/err")"
{ echo "timestamp,provider,model,input_tokens,output_tokens"
  echo "2026-01-01T00:00:00Z,moonshot,kimi-k2.6,99999999999999999,99999999999999999"; } >"$tmp/huge.csv"
"$bin" budget "$tmp/huge.csv" --limit 0.000000000001 >/dev/null 2>"$tmp/err"
code=$?
[ $code = 2 ] && grep -qxF 'llmcost: error: --limit 0.000000000001: amount out of range against the spend (expected a value within a factor of about 10^12 of the spend)' "$tmp/err"
check "budget --limit 1e-12: a usage error naming --limit" $? "exit $code, stderr: $(tail -1 "$tmp/err")"

# 4, 5. A directory with a self-looping link, a dangling link and an
# unreadable subdirectory: each reported under its own path.
mkdir -p "$tmp/logs/sub" "$tmp/logs/locked"
cp tests/data/usage-small.csv "$tmp/logs/a.csv"
cp tests/data/usage-small.csv "$tmp/logs/sub/b.csv"
cp tests/data/usage-small.csv "$tmp/logs/locked/c.csv"
ln -s loop.csv "$tmp/logs/loop.csv"
ln -s missing.csv "$tmp/logs/dangling.csv"
chmod 000 "$tmp/logs/locked"
as_user=()
if [ "$(id -u)" = 0 ]; then # root reads any directory: run as nobody
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
"${as_user[@]}" "$bin" estimate "$tmp/logs" --allow-rejects >/dev/null 2>"$tmp/err"
code=$?
[ $code = 0 ] && grep -q '^records: 23 read, 20 priced, 3 rejected' "$tmp/err" &&
  grep -qxF "  $tmp/logs/dangling.csv: dangling symbolic link (its target does not exist)" "$tmp/err" &&
  grep -qxF "  $tmp/logs/locked: cannot read directory: Permission denied" "$tmp/err" &&
  grep -qxF "  $tmp/logs/loop.csv: cannot read: Too many levels of symbolic links" "$tmp/err" && no_internal "$tmp/err"
check "directory walk: loop, dangling link, unreadable subdirectory" $? "exit $code, stderr: $(cat "$tmp/err")"
"${as_user[@]}" "$bin" estimate "$tmp/logs" >/dev/null 2>"$tmp/err"
code=$?
[ $code = 2 ] && grep -qxF "llmcost: error: $tmp/logs/dangling.csv: dangling symbolic link (its target does not exist); 3 records rejected (use --allow-rejects to accept a partial total)" "$tmp/err"
check "directory walk without --allow-rejects: exit 2" $? "exit $code, stderr: $(tail -1 "$tmp/err")"
chmod 755 "$tmp/logs/locked"

# 6. Help and version are output: a full disk is exit 2, a closed pipe is not.
for args in "--help" "--version" "help estimate" "estimate --help"; do
  # shellcheck disable=SC2086 # the words are the arguments
  "$bin" $args >/dev/full 2>"$tmp/err"
  code=$?
  [ $code = 2 ] && grep -qxF 'llmcost: error: <stdout>: write error: No space left on device; output is incomplete' "$tmp/err"
  check "$args into a full disk: exit 2" $? "exit $code, stderr: $(cat "$tmp/err")"
done
{ sleep 0.5; "$bin" --help 2>"$tmp/err"; echo $? >"$tmp/code"; } | true
[ "$(cat "$tmp/code")" = 0 ] && [ ! -s "$tmp/err" ]
check "--help into a closed pipe: exit 0, nothing said" $? "exit $(cat "$tmp/code"), stderr: $(cat "$tmp/err")"

# 2. A signal while --output is written: the temporary file is removed, the
# old file is kept, the exit status is 128+signal. The run is stopped
# (SIGSTOP) as soon as its temporary file appears, signalled, and resumed.
python3 - "$tmp/many.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("timestamp,provider,model,project,input_tokens,output_tokens\n")
    for i in range(300000):
        f.write("2026-01-05T00:00:00Z,moonshot,kimi-k2.6,project-with-a-long-name-%07d,1000,300\n" % i)
PY
mkdir "$tmp/sig"
set -m # job control: a background run gets SIGINT like any process
exec 3>&2 2>/dev/null # and the shell's notes of how each ended are not wanted
for signal in INT TERM HUP; do
  number=$(kill -l "$signal")
  caught=0
  for _attempt in 1 2 3 4 5 6 7 8; do
    echo "previous content" >"$tmp/sig/out.csv"
    "$bin" estimate "$tmp/many.csv" --by project --format csv -q -o "$tmp/sig/out.csv" 2>/dev/null &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
      temps=("$tmp"/sig/out.csv.??????)
      if [ -e "${temps[0]}" ]; then
        kill -STOP "$pid"
        temps=("$tmp"/sig/out.csv.??????)
        if [ -e "${temps[0]}" ]; then # stopped mid-write
          caught=1
          kill -"$signal" "$pid"
        fi
        kill -CONT "$pid"
        break
      fi
    done
    wait "$pid"
    code=$?
    # Under job control, wait can return when the run is stopped (128+STOP)
    # and before it goes on: wait again for its end.
    while [ "$code" = $((128 + $(kill -l STOP))) ] && kill -0 "$pid" 2>/dev/null; do
      wait "$pid"
      code=$?
    done
    [ $caught = 1 ] && break
  done
  left=$(find "$tmp/sig" -name 'out.csv.*' | wc -l)
  [ $caught = 1 ] && [ $code = $((128 + number)) ] && [ "$left" = 0 ] &&
    [ "$(cat "$tmp/sig/out.csv")" = "previous content" ]
  check "SIG$signal during the --output write: no temporary file, exit $((128 + number))" $? \
    "caught $caught, exit $code, temporary files left: $left"
  rm -f "$tmp"/sig/out.csv.*
done
exec 2>&3

exit $fail

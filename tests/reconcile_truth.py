#!/usr/bin/env python3
"""reconcile must flag exactly the rows the generator mis-billed, with the right cause.
usage: reconcile_truth.py PATH/TO/llmcost [ROWS] [csv|openai]
Generates usage with --anomaly-rate 0.005 and --truth, runs `llmcost reconcile`,
and prints precision and recall per cause; exit 1 unless both are 100%."""
import csv, json, os, subprocess, sys, tempfile
from decimal import Decimal as D

bin_path = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
kind = sys.argv[3] if len(sys.argv) > 3 else "csv"
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from shared_dir import require_shared

shared = require_shared(os.path.join("bench", "gen.py"), "reconcile truth test")
CAUSE = {"overbilled": "unexplained (overbilled)", "no_cache_discount": "cache discount not applied",
         "wrong_model": "billed at another model's price", "missing_batch_discount": "batch discount missing",
         "duplicate": "duplicate request id"}
tmp = tempfile.mkdtemp()
export = os.path.join(tmp, "export." + ("csv" if kind == "csv" else "jsonl"))
truth = os.path.join(tmp, "truth.csv")
subprocess.run([sys.executable, os.path.join(shared, "bench", "gen.py"), kind, "--seed", "3", "--rows", str(rows),
                "--anomaly-rate", "0.005", "--truth", truth, "--out", export], check=True, capture_output=True)
p = subprocess.run([bin_path, "reconcile", export, "--format", "json"], capture_output=True, text=True)
if p.returncode != 1:
    print(f"FAIL: expected exit 1 (discrepancies found), got {p.returncode}: {p.stderr[:300]}")
    sys.exit(1)
result = json.loads(p.stdout)
# In the generator's JSONL only Kyma rows carry a billed amount (usage.cost);
# Moonshot responses report no cost, so there is nothing to reconcile on them.
expected = {r["request_id"]: r["anomaly"] for r in csv.DictReader(open(truth))
            if kind == "csv" or r["provider"] == "kyma"}
found = {}
for d in result["discrepancies"]:
    found.setdefault(d["request_id"], d["cause"])
true_pos = [rid for rid in found if rid in expected]
false_pos = [rid for rid in found if rid not in expected]
missed = [rid for rid in expected if rid not in found]
wrong_cause = [(rid, expected[rid], found[rid]) for rid in true_pos if CAUSE[expected[rid]] != found[rid]]
precision = len(true_pos) / len(found) if found else 1.0
recall = len(true_pos) / len(expected) if expected else 1.0
by_kind = {}
for rid, k in expected.items():
    hit = rid in found and CAUSE[k] == found[rid]
    n, ok = by_kind.get(k, (0, 0))
    by_kind[k] = (n + 1, ok + (1 if hit else 0))
print(f"reconcile {kind} {rows} rows: {len(expected)} injected, {len(found)} flagged; "
      f"precision {precision:.4f}, recall {recall:.4f}, wrong cause {len(wrong_cause)}")
for k, (n, ok) in sorted(by_kind.items()):
    print(f"  {k:24} {ok}/{n} flagged with the right cause")
for rid in false_pos[:5]:
    print("  false positive", rid, found[rid])
for rid in missed[:5]:
    print("  missed", rid, expected[rid])
for w in wrong_cause[:5]:
    print("  wrong cause", w)
# FOCUS: BilledCost sums exactly to the export's billed total.
f = subprocess.run([bin_path, "reconcile", export, "--format", "focus"], capture_output=True, text=True)
focus_total = sum((D(r["BilledCost"]) for r in csv.DictReader(f.stdout.splitlines())), D(0))
focus_ok = focus_total == D(result["billed_total"])
print(f"  FOCUS BilledCost sum {focus_total} vs billed total {result['billed_total']}: {'ok' if focus_ok else 'MISMATCH'}")
# The groups' expected amounts add up to the expected total exactly.
rows_expected = sum((D(r["expected"]) for r in result["rows"]), D(0))
sums_ok = rows_expected == D(result["expected_total"])
print(f"  rows' expected sum {rows_expected} vs expected total {result['expected_total']}: {'ok' if sums_ok else 'MISMATCH'}")
# Threads and pieces change nothing: at 1, 2 and 8 threads, with the file cut
# into 64 KiB pieces, every format is byte-identical. A copy of the export
# with its first rows billed again at the end (a duplicate far from its
# first, in another piece) goes to one pass, and finds them to the line.
with open(export) as f:
    lines = f.readlines()
head = 1 if kind == "csv" else 0
again = lines[head:head + 50]
export2 = os.path.join(tmp, "again." + ("csv" if kind == "csv" else "jsonl"))
with open(export2, "w") as f:
    f.writelines(lines + again)
same = True
for path in (export, export2):
    for fmt in ("json", "csv", "table", "focus"):
        outputs = []
        for threads in ("1", "2", "8"):
            env = dict(os.environ, LLMCOST_PIECE_SIZE="65536")
            q = subprocess.run([bin_path, "reconcile", path, "--format", fmt, "--threads", threads],
                               capture_output=True, text=True, env=env)
            outputs.append((q.returncode, q.stdout, q.stderr))
        if any(o != outputs[0] for o in outputs):
            print(f"  MISMATCH across threads: {os.path.basename(path)} --format {fmt}")
            same = False
print(f"  1, 2 and 8 threads, 64 KiB pieces: {'identical' if same else 'DIFFERENT'}")
p2 = subprocess.run([bin_path, "reconcile", export2, "--format", "json", "--threads", "2"], capture_output=True,
                    text=True, env=dict(os.environ, LLMCOST_PIECE_SIZE="65536"))
later = {d["line"]: d["cause"] for d in json.loads(p2.stdout)["discrepancies"]}
billed_again = [len(lines) + 1 + i for i in range(len(again))
                if kind == "csv" or '"cost"' in again[i]]
again_ok = all(later.get(line) == "duplicate request id" for line in billed_again)
print(f"  {len(billed_again)} rows billed again at the end: {'flagged to the line' if again_ok else 'NOT FLAGGED'}")
ok = not false_pos and not missed and not wrong_cause and focus_ok and sums_ok and same and again_ok
sys.exit(0 if ok else 1)

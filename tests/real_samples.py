#!/usr/bin/env python3
"""Runs the readers over ../shared/real-samples (real logs from public projects):
nothing may crash, every record must be accounted for:
read = priced + rejected + duplicates + filtered, and no record of these known
shapes may be refused as an unknown shape (their models may be unknown: the
cards sell Kimi and Kyma models, these logs are of others).
usage: real_samples.py PATH/TO/llmcost"""
import json, os, subprocess, sys

bin_path = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from shared_dir import require_shared

shared = require_shared("real-samples", "real-samples check")
folder = os.path.join(shared, "real-samples")
failures = 0
for name in sorted(os.listdir(folder)):
    if not name.endswith(".jsonl"):
        continue
    p = subprocess.run([bin_path, "estimate", os.path.join(folder, name), "--format", "json", "--allow-rejects"],
                       capture_output=True, text=True)
    try:
        rec = json.loads(p.stdout)["records"]
    except ValueError:
        print(f"FAIL {name}: exit {p.returncode}, no JSON report: {p.stderr.strip()[:300]}")
        failures += 1
        continue
    # --allow-rejects accepts a partial total, never an empty one: a file whose
    # every record is rejected (these logs are of models the cards do not sell)
    # exits 2, and says so.
    want = 2 if rec["priced"] == 0 and rec["rejected"] > 0 else 0
    if p.returncode != want:
        print(f"FAIL {name}: exit {p.returncode}, expected {want}: {p.stderr.strip()[:300]}")
        failures += 1
        continue
    ok = rec["read"] == rec["priced"] + rec["rejected"] + rec["duplicates"] + rec["filtered"]
    ok = ok and "unknown usage shape" not in rec["rejected_by_reason"]
    print(f"{'ok  ' if ok else 'FAIL'} {name}: read {rec['read']}, priced {rec['priced']}, rejected {rec['rejected']}"
          f" {dict(rec['rejected_by_reason'])}, duplicates {rec['duplicates']}, skipped lines {rec['skipped_lines']}")
    failures += 0 if ok else 1
sys.exit(1 if failures else 0)

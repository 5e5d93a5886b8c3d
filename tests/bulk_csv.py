#!/usr/bin/env python3
"""A 1M-row generated usage CSV priced by llmcost, checked against an independent
exact sum (Python Decimal over the generator's own price table), and grouped by
day: the day rows must add up to the ungrouped total exactly.
usage: bulk_csv.py PATH/TO/llmcost [ROWS]"""
import csv, importlib.util, json, os, subprocess, sys, tempfile
from decimal import Decimal as D

bin_path = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from shared_dir import require_shared

shared = require_shared(os.path.join("bench", "gen.py"), "bulk CSV test")
gen_path = os.path.join(shared, "bench", "gen.py")
spec = importlib.util.spec_from_file_location("gen", gen_path)
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)

tmp = tempfile.mkdtemp()
path = os.path.join(tmp, "usage.csv")
subprocess.run([sys.executable, gen_path, "csv", "--seed", "7", "--rows", str(rows), "--out", path],
               check=True, capture_output=True)

# Independent exact sum: the generator's prices, not llmcost's cards.
expected = D(0)
with open(path, newline="") as f:
    for r in csv.DictReader(f):
        std, batch = gen.PRICES[(r["provider"], r["model"])]
        p = batch if r["batch"] == "true" else std
        pi, pc, po = (None if x is None else D(x) for x in p)
        pc = pi if pc is None else pc
        i, c, o = int(r["input_tokens"]), int(r["cached_input_tokens"]), int(r["output_tokens"])
        expected += ((i - c) * pi + c * pc + o * po) / D(1_000_000)
        if r["model"] == "sonar":
            expected += D("0.00675")
        if r["provider"] == "moonshot":
            expected += int(r["web_search_calls"]) * D("0.005")


def run(*args):
    p = subprocess.run([bin_path, "estimate", path, "--format", "json", *args], capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stderr)
        sys.exit(1)
    return json.loads(p.stdout, parse_float=str)


whole = run("--by", "provider,model")
by_day = run("--by", "day")
failures = 0
total = D(whole["total"])
if total != expected:
    print(f"FAIL total {total} != independent sum {expected}")
    failures += 1
if whole["records"]["read"] != rows or whole["records"]["priced"] != rows or whole["records"]["rejected"] != 0:
    print(f"FAIL records {whole['records']}")
    failures += 1
day_sum = sum((D(r["total"]) for r in by_day["rows"]), D(0))
if day_sum != total or D(by_day["total"]) != total:
    print(f"FAIL --by day rows sum to {day_sum}, total {by_day['total']}, ungrouped {total}")
    failures += 1
print(f"bulk csv: {rows} rows, total {total} (independent {expected}), {len(by_day['rows'])} days: "
      + ("ok" if failures == 0 else f"{failures} failures"))
sys.exit(1 if failures else 0)

#!/usr/bin/env python3
"""compare on usage reads in parallel like estimate: the output must not depend on threads or pieces.
usage: compare_threads.py PATH/TO/llmcost
On generated usage (a CSV export, OpenAI-style responses with repeats, Claude
Code logs whose lines repeat a response), `compare` at 1, 2 and 8 threads with
the files cut into 64 KiB pieces must print byte-identical output in every
format and grouping; its record counts must add up (read = priced + rejected +
duplicates + filtered) and its "as is" total must equal estimate's, which prices
the same records by another path. A copy of the responses with its first lines
logged again at the end (repeats in another piece) must count them as duplicates."""
import json, os, subprocess, sys, tempfile

bin_path = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from shared_dir import require_shared

shared = require_shared(os.path.join("bench", "gen.py"), "compare threads test")
gen = os.path.join(shared, "bench", "gen.py")
tmp = tempfile.mkdtemp()


def generate(kind, out, *extra):
    subprocess.run([sys.executable, gen, kind, "--seed", "5", *extra, "--out", out], check=True, capture_output=True)
    return out


usage_csv = generate("csv", os.path.join(tmp, "usage.csv"), "--rows", "20000")
responses = generate("openai", os.path.join(tmp, "responses.jsonl"), "--rows", "20000", "--dup-rate", "0.02")
claude = generate("claude", os.path.join(tmp, "claude"), "--mb", "2")
with open(responses) as f:
    lines = f.readlines()
again = os.path.join(tmp, "again.jsonl")
with open(again, "w") as f:
    f.writelines(lines + lines[:40])

failures = []


def run(*args, threads="1"):
    env = dict(os.environ, LLMCOST_PIECE_SIZE="65536", NO_COLOR="1")
    p = subprocess.run([bin_path, *args, "--threads", threads], capture_output=True, text=True, env=env)
    return p.returncode, p.stdout, p.stderr


levers = ["--routes", "kyma,moonshot", "--models", "kimi-*", "--batch-share", "0.3", "--cache-hit-rate", "0.5",
          "--max-output", "400"]
cases = []
for path in (usage_csv, responses, again, claude):
    for by in ([], ["--by", "model"], ["--by", "project"]):
        for fmt in ("json", "csv", "table"):
            cases.append([path, *levers, *by, "--format", fmt])
for case in cases:
    outputs = [run("compare", *case, threads=t) for t in ("1", "2", "8")]
    if outputs[0][0] != 0:
        failures.append(f"exit {outputs[0][0]}: compare {' '.join(case)}: {outputs[0][2][:300]}")
    elif any(o != outputs[0] for o in outputs):
        failures.append(f"different across threads: compare {' '.join(case)}")
print(f"compare at 1, 2 and 8 threads, 64 KiB pieces: {len(cases)} runs, "
      f"{'identical' if not failures else f'{len(failures)} DIFFERENT'}")

duplicates = {}
for path in (usage_csv, responses, again, claude):
    for threads in ("1", "2"):
        code, out, err = run("compare", path, "--routes", "kyma", "--format", "json", threads=threads)
        c = json.loads(out)["records"]
        if c["read"] != c["priced"] + c["rejected"] + c["duplicates"] + c["filtered"]:
            failures.append(f"{os.path.basename(path)}: records do not add up: {c}")
        duplicates[os.path.basename(path)] = c["duplicates"]
        compare_total = json.loads(out)["total"]
        code, out, err = run("estimate", path, "--format", "json", threads=threads)
        estimate_total = json.loads(out)["total"]
        if compare_total != estimate_total:
            failures.append(f"{os.path.basename(path)}: compare's as-is total {compare_total}, estimate's {estimate_total}")
print(f"records add up; as-is totals equal estimate's; duplicates {duplicates}")
if duplicates["again.jsonl"] != duplicates["responses.jsonl"] + 40:
    failures.append(f"40 responses logged again: {duplicates['again.jsonl'] - duplicates['responses.jsonl']} more duplicates")
if duplicates["claude"] == 0:
    failures.append("the Claude Code logs repeat responses, yet no duplicate was counted")
for f in failures:
    print("FAIL", f)
sys.exit(1 if failures else 0)

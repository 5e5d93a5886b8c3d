#!/usr/bin/env python3
"""Property tests over generated usage, seeded and deterministic.

  properties.py LLMCOST nothing-lost   random corruption of CSV and JSONL: never a
                                       crash, and read = priced + rejected +
                                       duplicates + filtered
  properties.py LLMCOST grouping       the total of every --by grouping (each
                                       dimension and each pair) is the ungrouped
                                       total, and the rows add up to it, exactly
  properties.py LLMCOST linearity      token pricing is linear: pricing the union
                                       of two files is the sum of pricing each
  properties.py LLMCOST chunking       byte-identical JSON for every block size
                                       (LLMCOST_BLOCK_SIZE) and thread count
                                       (LLMCOST_THREADS 1, 2, 3)
Money is compared as decimal.Decimal parsed from the JSON strings: no float.
"""
import decimal
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile

BIN = os.path.realpath(sys.argv[1])
MODE = sys.argv[2]
SEED = int(os.environ.get("LLMCOST_PROPERTY_SEED", "20261124"))
D = decimal.Decimal

# Token-priced models and their routes (no media, no per-request minimums).
MODELS = [("moonshot", "kimi-k2.6"), ("moonshot", "kimi-k2.5"), ("kyma", "kimi-k2.6"), ("kyma", "glm-4.7-flash")]
PROJECTS = ["support", "search", "batch-jobs"]
KEYS = ["key_a", "key_b"]
SESSIONS = ["s1", "s2", "s3"]
DIMENSIONS = ["model", "provider", "project", "key", "session", "day", "week", "month"]


def env(**extra):
    e = dict(os.environ, NO_COLOR="1", LC_ALL="C")
    e.pop("LLMCOST_PRICING_PATH", None)
    e.pop("LLMCOST_BLOCK_SIZE", None)
    e.pop("LLMCOST_THREADS", None)
    e.update(extra)
    return e


def run(args, **extra):
    p = subprocess.run([BIN] + args, capture_output=True, env=env(**extra), timeout=120)
    if p.returncode < 0 or p.returncode not in (0, 1, 2):
        sys.exit(f"FAIL: llmcost {' '.join(args)} ended with status {p.returncode}\n{p.stderr.decode(errors='replace')[:2000]}")
    return p


def report(args, **extra):
    p = run(args + ["--format", "json"], **extra)
    if p.returncode != 0:
        sys.exit(f"FAIL: llmcost {' '.join(args)} exit {p.returncode}\n{p.stderr.decode(errors='replace')[:2000]}")
    return json.loads(p.stdout)


def records(rng, n, start_id=0):
    out = []
    for i in range(n):
        provider, model = rng.choice(MODELS)
        inp = rng.randrange(0, 200_000)
        out.append({
            "ts": f"2026-0{rng.randrange(1, 4)}-{rng.randrange(1, 29):02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z",
            "id": f"req_{start_id + i}",
            "provider": provider,
            "model": model,
            "project": rng.choice(PROJECTS),
            "key": rng.choice(KEYS),
            "session": rng.choice(SESSIONS),
            "input": inp,
            "cached": rng.randrange(0, inp + 1) if rng.random() < 0.5 else 0,
            "output": rng.randrange(0, 20_000),
        })
    return out


def to_csv(recs):
    lines = ["timestamp,request_id,provider,model,project,api_key_id,session_id,input_tokens,cached_input_tokens,output_tokens"]
    for r in recs:
        lines.append(f"{r['ts']},{r['id']},{r['provider']},{r['model']},{r['project']},{r['key']},{r['session']},"
                     f"{r['input']},{r['cached']},{r['output']}")
    return "\r\n".join(lines) + "\r\n"


def to_jsonl(recs):
    lines = []
    for r in recs:
        lines.append(json.dumps({
            "id": r["id"], "created": r["ts"], "model": f"{r['provider']}/{r['model']}",
            "usage": {"prompt_tokens": r["input"], "completion_tokens": r["output"],
                      "prompt_tokens_details": {"cached_tokens": r["cached"]}}}))
    return "\n".join(lines) + "\n"


def write(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.write(text if isinstance(text, bytes) else text.encode())
    return path


NASTY = [b'"', b",", b"\n", b"\r", b"\x00", b"\xff", b"\xef\xbb\xbf", b"{", b"}", b"[", b"-", b".", b"e5", b"99999999999999999999", b";", b"\t", b" "]


def corrupt(rng, data):
    data = bytearray(data)
    for _ in range(rng.randrange(1, 8)):
        if not data:
            break
        i = rng.randrange(len(data))
        action = rng.randrange(4)
        if action == 0:
            del data[i:i + rng.randrange(1, 20)]
        elif action == 1:
            data[i:i] = rng.choice(NASTY)
        elif action == 2:
            data[i] = rng.randrange(256)
        else:
            data = data[:i]  # truncated file
    return bytes(data)


def check_counts(where, rec):
    total = rec["priced"] + rec["rejected"] + rec["duplicates"] + rec["filtered"]
    if rec["read"] != total:
        sys.exit(f"FAIL: {where}: read {rec['read']} != priced {rec['priced']} + rejected {rec['rejected']} + "
                 f"duplicates {rec['duplicates']} + filtered {rec['filtered']}")


def nothing_lost(tmp):
    rng = random.Random(SEED)
    runs = 0
    for kind, make in (("csv", to_csv), ("jsonl", to_jsonl)):
        base = make(records(rng, 40)).encode()
        for i in range(int(os.environ.get("LLMCOST_PROPERTY_CASES", "60"))):
            data = corrupt(rng, base)
            path = write(tmp, f"case.{kind}", data)
            for extra in ({}, {"LLMCOST_BLOCK_SIZE": str(rng.choice([1, 7, 64]))}):
                p = run(["estimate", path, "--input-format", kind, "--format", "json", "--allow-rejects"], **extra)
                runs += 1
                if p.returncode == 0:
                    check_counts(f"{kind} case {i} {extra}", json.loads(p.stdout)["records"])
                elif p.returncode != 2 or not p.stderr.startswith(b"llmcost: error: "):
                    keep = write(tempfile.gettempdir(), f"llmcost-property-{kind}-{i}", data)
                    sys.exit(f"FAIL: {kind} case {i}: exit {p.returncode} (input kept in {keep})\n{p.stderr[:2000]!r}")
    print(f"nothing-lost: {runs} runs over corrupted inputs, counts add up")


def money(value):
    return D(value)


def grouping(tmp):
    rng = random.Random(SEED + 1)
    path = write(tmp, "usage.csv", to_csv(records(rng, 500)))
    whole = report(["estimate", path, "--by", "model"])
    expected = money(whole["total"])
    checked = 0
    for by in DIMENSIONS + [",".join(p) for p in itertools.combinations(DIMENSIONS, 2)]:
        r = report(["estimate", path, "--by", by])
        if money(r["total"]) != expected:
            sys.exit(f"FAIL: --by {by}: total {r['total']} != {whole['total']}")
        rows = sum((money(row["total"]) for row in r["rows"]), D(0))
        if rows != expected:
            sys.exit(f"FAIL: --by {by}: rows add up to {rows}, total is {expected}")
        check_counts(f"--by {by}", r["records"])
        checked += 1
    print(f"grouping: {checked} groupings, each total {expected} exactly")


def linearity(tmp):
    rng = random.Random(SEED + 2)
    for kind, make in (("csv", to_csv), ("jsonl", to_jsonl)):
        for trial in range(3):
            a = records(rng, rng.randrange(1, 200), 0)
            b = records(rng, rng.randrange(1, 200), 10_000)
            pa = write(tmp, f"a.{kind}", make(a))
            pb = write(tmp, f"b.{kind}", make(b))
            pab = write(tmp, f"ab.{kind}", make(a + b))
            ta = money(report(["estimate", pa])["total"])
            tb = money(report(["estimate", pb])["total"])
            tab = money(report(["estimate", pab])["total"])
            # Two files in one run are one stream too.
            t_two = money(report(["estimate", pa, pb])["total"])
            if ta + tb != tab or tab != t_two:
                sys.exit(f"FAIL: {kind} trial {trial}: price(A) {ta} + price(B) {tb} != price(A+B) {tab} / {t_two}")
    print("linearity: price(A) + price(B) = price(A + B) exactly")


def chunking(tmp):
    rng = random.Random(SEED + 3)
    for kind, make in (("csv", to_csv), ("jsonl", to_jsonl)):
        path = write(tmp, f"usage.{kind}", make(records(rng, 300)))
        args = ["estimate", path, "--by", "day,model", "--format", "json"]
        reference = run(args).stdout
        if not reference:
            sys.exit(f"FAIL: {kind}: no output")
        for threads in ("1", "2", "3"):
            for block in ("1", "7", "64", "1000", "65536"):
                out = run(args, LLMCOST_THREADS=threads, LLMCOST_BLOCK_SIZE=block).stdout
                if out != reference:
                    sys.exit(f"FAIL: {kind}: output differs with LLMCOST_THREADS={threads} LLMCOST_BLOCK_SIZE={block}")
    print("chunking: identical output for 15 block size / thread count pairs")


with tempfile.TemporaryDirectory() as tmp:
    {"nothing-lost": nothing_lost, "grouping": grouping, "linearity": linearity, "chunking": chunking}[MODE](tmp)

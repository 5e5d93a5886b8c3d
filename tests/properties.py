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
  properties.py LLMCOST csv-columns    a usage CSV with its columns permuted and each
                                       renamed to another alias of its field (from
                                       k_aliases in src/llmcost/usage_csv.cpp) prices
                                       to the same total, exactly; with an unknown
                                       quantity-looking column, or two columns of one
                                       field, it exits 2; never another total
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


CSV_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "llmcost", "usage_csv.cpp")


def csv_vocabulary():
    """k_aliases (field -> header names), k_known_unpriced and k_quantity_words, read from the source."""
    import re
    with open(CSV_SOURCE, encoding="utf-8") as f:
        text = f.read()

    def block(name):
        m = re.search(r"\b" + name + r"\b[^=]*=\s*\{(.*?)\};", text, re.S)
        if not m:
            sys.exit(f"FAIL: {name} not found in {CSV_SOURCE}")
        return m.group(1)

    aliases = {}
    for header, field in re.findall(r'Alias\{"([^"]+)",\s*UsageField::(\w+)\}', block("k_aliases")):
        aliases.setdefault(field, []).append(header)
    unpriced = re.findall(r'"([^"]+)"', block("k_known_unpriced"))
    words = re.findall(r'"([^"]+)"', block("k_quantity_words"))
    if len(aliases) < 15 or not unpriced or len(words) < 10:
        sys.exit(f"FAIL: could not read the alias table from {CSV_SOURCE}")
    return aliases, set(unpriced), words


def normalise_header(name):
    out = name.strip().lower()
    for c in " -.":
        out = out.replace(c, "_")
    return out


def spell(rng, header):
    """The same header as an export might write it: case, and '_' as ' ', '-' or '.'."""
    sep = rng.choice(["_", "_", " ", "-", "."])
    words = header.split("_")
    style = rng.randrange(3)
    if style == 1:
        words = [w.upper() for w in words]
    elif style == 2:
        words = [w[:1].upper() + w[1:] for w in words]
    return sep.join(words)


def csv_columns(tmp):
    rng = random.Random(SEED + 4)
    aliases, unpriced, words = csv_vocabulary()
    known = {normalise_header(h) for names in aliases.values() for h in names} | unpriced
    # Base rows: token counts that keep every field meaningful (batch and web search only on
    # Moonshot, which prices both; reasoning within output; cached within input).
    rows = []
    for r in records(rng, 120):
        moonshot = r["provider"] == "moonshot"
        rows.append(dict(r, requests=rng.randrange(1, 6), reasoning=rng.randrange(0, r["output"] + 1),
                         batch=moonshot and rng.random() < 0.3,
                         searches=rng.randrange(0, 3) if moonshot else 0,
                         billed=f"{rng.randrange(0, 10**7)}e-8" if rng.random() < 0.2 else f"0.{rng.randrange(10**6):06d}"))
    # (field, value of a row): the field names are UsageField enumerators, as in k_aliases.
    columns = [
        ("timestamp", lambda r: r["ts"]),
        ("request_id", lambda r: r["id"]),
        ("provider", lambda r: r["provider"]),
        ("model", lambda r: r["model"]),
        ("project", lambda r: r["project"]),
        ("key", lambda r: r["key"]),
        ("session", lambda r: r["session"]),
        ("requests", lambda r: r["requests"]),
        ("cached_input", lambda r: r["cached"]),
        ("output", lambda r: r["output"]),
        ("reasoning", lambda r: r["reasoning"]),
        ("batch", lambda r: "true" if r["batch"] else "false"),
        ("web_search_calls", lambda r: r["searches"]),
        ("billed", lambda r: r["billed"]),
        ("currency", lambda r: "USD"),
    ]
    total_input = ("input_total", lambda r: r["input"])
    uncached_input = ("input_uncached", lambda r: r["input"] - r["cached"])
    for field, _ in columns + [total_input, uncached_input]:
        if field not in aliases:
            sys.exit(f"FAIL: no alias for field {field} in {CSV_SOURCE}")
    counts = {"requests", "cached_input", "output", "reasoning", "web_search_calls", "input_total", "input_uncached"}

    def render(cols, names, delimiter, floats, extra=None):
        header = list(names)
        body = [[str(get(r)) for _, get in cols] for r in rows]
        if floats:  # counts as a float-minded exporter writes them: 12.0
            for line in body:
                for i, (field, _) in enumerate(cols):
                    if field in counts:
                        line[i] += ".0"
        if extra:
            at, name, values = extra
            header.insert(at, name)
            for line, value in zip(body, values):
                line.insert(at, value)
        return "\r\n".join(delimiter.join(line) for line in [header] + body) + "\r\n"

    def price(text, label):
        path = write(tmp, "columns.csv", text)
        p = run(["estimate", path, "--format", "json"])
        return p, (json.loads(p.stdout) if p.returncode == 0 else None)

    base_cols = columns + [total_input]
    p, reference = price(render(base_cols, [aliases[f][0] for f, _ in base_cols], ",", False), "base")
    if reference is None:
        sys.exit(f"FAIL: the base CSV did not price: {p.stderr.decode(errors='replace')[:2000]}")
    want_total, want_requests = money(reference["total"]), reference["totals"]["requests"]
    if reference["records"]["priced"] != len(rows) or want_total <= 0:
        sys.exit(f"FAIL: the base CSV priced {reference['records']['priced']} of {len(rows)} rows, total {want_total}")
    cases = int(os.environ.get("LLMCOST_PROPERTY_CASES", "400"))
    same = refused = 0
    for case in range(cases):
        cols = columns + [rng.choice([total_input, uncached_input])]
        rng.shuffle(cols)
        names = [spell(rng, rng.choice(aliases[field])) for field, _ in cols]
        kind = rng.choice(["rename", "rename", "rename", "unknown-quantity", "unknown-label", "duplicate"])
        extra = None
        if kind == "unknown-quantity":
            while True:
                name = spell(rng, f"{rng.choice(words)}_{rng.choice(['x', 'extra', 'eur', 'units', 'v2'])}")
                if normalise_header(name) not in known:
                    break
            extra = (rng.randrange(len(cols) + 1), name, [str(rng.randrange(0, 5000)) for _ in rows])
        elif kind == "unknown-label":
            name = rng.choice(["region", "note", "user_agent", "status", "latency_ms", "team"])
            extra = (rng.randrange(len(cols) + 1), name, [rng.choice(["a", "b", ""]) for _ in rows])
        elif kind == "duplicate":
            # A second column for a field that is read once: ambiguous, so refused.
            i = rng.choice([i for i, (field, _) in enumerate(cols) if field not in ("timestamp",)])
            field, get = cols[i]
            extra = (rng.randrange(len(cols) + 1), spell(rng, rng.choice(aliases[field])), [str(get(r)) for r in rows])
        delimiter = rng.choice([",", ";", "\t"])
        text = render(cols, names, delimiter, rng.random() < 0.3, extra)
        p, got = price(text, kind)
        where = f"case {case} ({kind}; header: {text.split(chr(13))[0]!r})"
        if got is not None:
            if money(got["total"]) != want_total or got["totals"]["requests"] != want_requests:
                keep = write(tempfile.gettempdir(), f"llmcost-property-csv-columns-{case}.csv", text)
                sys.exit(f"FAIL: {where}: total {got['total']} ({got['totals']['requests']} requests) with exit 0, "
                         f"expected {want_total} ({want_requests}); input kept in {keep}")
            if kind in ("unknown-quantity", "duplicate"):
                keep = write(tempfile.gettempdir(), f"llmcost-property-csv-columns-{case}.csv", text)
                sys.exit(f"FAIL: {where}: priced although a column is not understood; input kept in {keep}")
            same += 1
        else:
            if p.returncode != 2 or not p.stderr.startswith(b"llmcost: error: "):
                sys.exit(f"FAIL: {where}: exit {p.returncode}\n{p.stderr.decode(errors='replace')[:2000]}")
            if kind in ("rename", "unknown-label"):
                keep = write(tempfile.gettempdir(), f"llmcost-property-csv-columns-{case}.csv", text)
                sys.exit(f"FAIL: {where}: refused a CSV whose every column is known: "
                         f"{p.stderr.decode(errors='replace')[:2000]}; input kept in {keep}")
            if kind == "unknown-quantity" and extra[1].strip().encode() not in p.stderr:
                sys.exit(f"FAIL: {where}: the refusal does not name the column {extra[1]!r}: {p.stderr[:2000]!r}")
            refused += 1
    print(f"csv-columns: {same} permuted/renamed CSVs priced to {want_total} exactly, {refused} refused (exit 2)")


with tempfile.TemporaryDirectory() as tmp:
    {"nothing-lost": nothing_lost, "grouping": grouping, "linearity": linearity, "chunking": chunking,
     "csv-columns": csv_columns}[MODE](tmp)

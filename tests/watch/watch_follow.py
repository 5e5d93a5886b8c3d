#!/usr/bin/env python3
"""`llmcost watch --format json` follows growing files: every JSON line it
writes after a change carries the totals `llmcost estimate` gives on the same
files at that moment. Appends (one line at a time, for each usage format),
a partial last line, truncation, rotation (renamed away, renamed to another
usage file), new files and directories, the polling fallback, --exit-on-limit,
SIGINT and the CPU time of an idle watch.

Usage: watch_follow.py LLMCOST_BINARY
Waits are for conditions, with timeouts (a loaded machine is slow, not wrong).
"""

import calendar
import decimal
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

BIN = os.path.realpath(sys.argv[1])
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
SAMPLES = os.path.join(ROOT, "samples", "usage")
SHAPES = os.path.join(ROOT, "tests", "data", "real-shapes")
TIMEOUT = 20.0  # seconds for any one condition
D = decimal.Decimal
decimal.getcontext().prec = 60  # exact for these amounts
failures = []


def fail(message):
    failures.append(message)
    print("FAIL:", message, flush=True)


def lines_of(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines(keepends=True)


def figures(report):
    """What must be equal: the totals, the rows and the record accounting."""
    return {k: report.get(k) for k in ("total", "rows", "totals", "records")}


def estimate(paths, extra):
    run = subprocess.run([BIN, "estimate", *paths, "--format", "json", "--allow-empty", "--allow-rejects", *extra],
                         capture_output=True, text=True)
    if run.returncode not in (0, 2) or not run.stdout.strip():
        return None
    return json.loads(run.stdout)


class Watch:
    def __init__(self, paths, extra=(), env=None):
        self.proc = subprocess.Popen([BIN, "watch", *paths, "--format", "json", *extra], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
        self.lines = queue.Queue()
        self.raw = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.raw.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def next(self, timeout=TIMEOUT):
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            return None
        return None if line is None else json.loads(line)

    def until(self, wanted, timeout=TIMEOUT):
        """Reads lines until one's figures equal `wanted`; returns it, or the last seen."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            got = self.next(max(0.05, deadline - time.monotonic()))
            if got is None:
                break
            last = got
            if figures(got) == wanted:
                return got, True
        return last, False

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None


def follow_case(name, tmp, source_lines, file_name, shared=(), env=None, header_lines=0, watch_only=()):
    """Appends `source_lines` one at a time to tmp/dir/file_name; after each,
    the watch must reach the estimate of the directory."""
    d = os.path.join(tmp, name)
    os.makedirs(d)
    target = os.path.join(d, file_name)
    w = Watch([d], [*shared, *watch_only], env)
    first = w.next()
    if first is None:
        fail(f"{name}: no first line ({w.proc.stderr.read() if w.proc.poll() is not None else 'running'})")
        w.stop()
        return
    if first["total"] != "0.00" and first["total"] != "0":
        fail(f"{name}: empty directory totals {first['total']}")
    with open(target, "a", encoding="utf-8") as f:
        f.writelines(source_lines[:header_lines])
    checked = 0
    last_seen = figures(first)
    for i, line in enumerate(source_lines[header_lines:], start=header_lines + 1):
        with open(target, "a", encoding="utf-8") as f:
            f.write(line)
        truth = estimate([d], shared)
        if truth is None or figures(truth) == last_seen:
            continue  # nothing to price yet, or nothing changed
        got, ok = w.until(figures(truth))
        if not ok:
            fail(f"{name}: after line {i}: watch {got and got.get('total')} != estimate {truth['total']}")
            break
        if "as_of" not in got:
            fail(f"{name}: no as_of")
        last_seen = figures(truth)
        checked += 1
    code = w.stop()
    if code != 0:
        fail(f"{name}: SIGINT ended with {code}, not 0")
    if w.raw and not w.raw[-1].endswith("\n"):
        fail(f"{name}: the last line is not whole")
    if checked == 0:
        fail(f"{name}: no total was checked")
    print(f"{name}: {checked} totals equal estimate's", flush=True)


def edit_cases(tmp, poll_env=None, label=""):
    """Partial line, truncation, rotation, new files and directories."""
    d = os.path.join(tmp, "edits" + label)
    os.makedirs(d)
    chat = lines_of(os.path.join(SAMPLES, "moonshot-chat.jsonl"))
    a = os.path.join(d, "a.jsonl")
    with open(a, "w", encoding="utf-8") as f:
        f.writelines(chat[:2])
    extra = ["--interval", "0.2"] if poll_env else []
    w = Watch([d], extra, poll_env)

    def expect(what):
        truth = estimate([d], [])
        got, ok = w.until(figures(truth))
        if not ok:
            fail(f"edits{label}: {what}: watch {got and got.get('total')} != estimate {truth and truth['total']}")
        return got

    expect("start")
    # A partial line waits for its newline; another file's line still shows.
    with open(a, "a", encoding="utf-8") as f:
        f.write(chat[2][:40])
    with open(os.path.join(d, "b.jsonl"), "w", encoding="utf-8") as f:
        f.write(chat[3])
    truth_without_partial = None
    # The estimate would read the partial line as a rejected record: the
    # watch's truth is the directory without it.
    with tempfile.TemporaryDirectory() as copy:
        with open(os.path.join(copy, "a.jsonl"), "w", encoding="utf-8") as f:
            f.writelines(chat[:2])
        shutil.copy(os.path.join(d, "b.jsonl"), copy)
        truth_without_partial = estimate([copy], [])
    want = figures(truth_without_partial)
    got, ok = w.until(want)
    if not ok:
        fail(f"partial line{label}: watch {got and got.get('total')} != {truth_without_partial['total']}")
    elif got["live"]["waiting_for_newline"] != [a]:
        fail(f"partial line{label}: waiting_for_newline is {got['live']['waiting_for_newline']}")
    with open(a, "a", encoding="utf-8") as f:
        f.write(chat[2][40:])
    got = expect("partial line completed")
    if got and got["live"]["waiting_for_newline"]:
        fail(f"partial line{label}: still waiting after its newline")
    # Truncated, then longer than before in one write: read again from the start.
    with open(a, "w", encoding="utf-8") as f:
        f.writelines(chat[4:8])
    expect("rewritten in place")
    with open(a, "w", encoding="utf-8") as f:
        f.write(chat[5])
    expect("truncated")
    # Rotated: renamed to a name that is not read, a new file under the old name.
    os.rename(a, a + ".1")
    with open(a, "w", encoding="utf-8") as f:
        f.write(chat[6])
    expect("rotated away")
    # Renamed to another usage file: the same lines, counted once.
    os.rename(a, os.path.join(d, "a-old.jsonl"))
    with open(a, "w", encoding="utf-8") as f:
        f.write(chat[7])
    expect("rotated to a usage name")
    # A new directory with a file.
    os.makedirs(os.path.join(d, "sub", "deeper"))
    with open(os.path.join(d, "sub", "deeper", "c.jsonl"), "w", encoding="utf-8") as f:
        f.writelines(chat[0:3])
    expect("new directory")
    os.remove(os.path.join(d, "b.jsonl"))
    expect("removed file")
    code = w.stop()
    if code != 0:
        fail(f"edits{label}: SIGINT ended with {code}")
    print(f"edits{label}: partial line, truncation, rotation, new and removed files: done", flush=True)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_case(tmp, env, extra, label, seconds=5.0):
    d = os.path.join(tmp, "idle" + label)
    shutil.copytree(os.path.join(SAMPLES, "claude-code"), d)
    w = Watch([d], extra, env)
    if w.next() is None:
        fail(f"idle{label}: no first line")
        w.stop()
        return
    before = cpu_seconds(w.proc.pid)
    time.sleep(seconds)  # the measurement itself: an idle watch for this long
    used = cpu_seconds(w.proc.pid) - before
    w.stop()
    per_minute = used * 60 / seconds
    print(f"idle{label}: {used:.3f} s CPU in {seconds:.0f} s (about {per_minute:.2f} s a minute)", flush=True)
    if per_minute > 1.0:
        fail(f"idle{label}: {per_minute:.2f} s CPU a minute while nothing changes")


def limit_case(tmp):
    d = os.path.join(tmp, "limit")
    os.makedirs(d)
    chat = lines_of(os.path.join(SAMPLES, "moonshot-chat.jsonl"))
    w = Watch([d], ["--limit", "0.01", "--exit-on-limit"])
    w.next()
    with open(os.path.join(d, "a.jsonl"), "w", encoding="utf-8") as f:
        f.writelines(chat)
    try:
        code = w.proc.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        w.proc.kill()
        code = None
    err = w.proc.stderr.read()
    if code != 1 or "limit reached" not in err:
        fail(f"--exit-on-limit: exit {code}, stderr {err!r}")
    last = json.loads(w.raw[-1]) if w.raw else {}
    if last.get("live", {}).get("limit_state") != "alert":
        fail(f"--exit-on-limit: last line's limit_state {last.get('live')}")
    print("exit-on-limit: exit 1 with the alert written", flush=True)


def burn_case(tmp):
    """The burn rate is the spend of the last hour; with --period day the
    spend is today's and the projection adds the burn rate for the hours
    left (one rounding, half to even at 1e-12, as the Decimal type does)."""
    d = os.path.join(tmp, "burn")
    os.makedirs(d)
    now = int(time.time())
    chat = [json.loads(line) for line in lines_of(os.path.join(SAMPLES, "moonshot-chat.jsonl"))]
    for i, record in enumerate(chat):
        # Two lines 2 hours ago (today or yesterday), the rest 10 minutes ago.
        record["created"] = now - 7200 if i < 2 else now - 600
    recent = os.path.join(tmp, "burn-recent.jsonl")
    with open(recent, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in chat[2:])
    w = Watch([d], ["--period", "day", "--limit", "1000"])
    w.next()
    with open(os.path.join(d, "a.jsonl"), "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in chat)
    today = time.strftime("%Y-%m-%d", time.gmtime(now))
    truth = estimate([d], ["--since", today])
    got, ok = w.until(figures(truth))
    w.stop()
    if time.strftime("%Y-%m-%d", time.gmtime()) != today:
        print("burn rate: skipped (the run crossed midnight UTC)", flush=True)
        return
    if not ok:
        fail(f"burn: --period day total {got and got.get('total')} != estimate --since {today} {truth['total']}")
        return
    live = got["live"]
    burn = D(estimate([recent], [])["total"])
    if D(live["burn_rate_per_hour"]) != burn:
        fail(f"burn: burn_rate_per_hour {live['burn_rate_per_hour']} != the last hour's spend {burn}")
    as_of = calendar.timegm(time.strptime(got["as_of"], "%Y-%m-%dT%H:%M:%SZ"))
    left = (as_of // 86400 + 1) * 86400 - as_of
    projected = D(got["total"]) + (burn * left / 3600).quantize(D("1e-12"), rounding=decimal.ROUND_HALF_EVEN)
    if D(live["projected"]) != projected or live["period_start"] != today or live["period"] != "day":
        fail(f"burn: live {live}, expected projected {projected} from {today}")
    if live.get("limit_state") != "ok" or D(live["limit"]) != D(1000):
        fail(f"burn: limit in live {live}")
    print(f"burn rate: {burn}/h, projected {projected} by the end of {today}", flush=True)


def main():
    tmp = tempfile.mkdtemp(prefix="llmcost-watch-")
    try:
        follow_case("jsonl traces", tmp, lines_of(os.path.join(SAMPLES, "moonshot-chat.jsonl")), "chat.jsonl")
        claude = os.path.join(SAMPLES, "claude-code", "projects", "-home-dev-app")
        session = next(f for f in sorted(os.listdir(claude)) if f.endswith(".jsonl"))
        follow_case("claude code", tmp, lines_of(os.path.join(claude, session)), "session.jsonl")
        follow_case("csv export", tmp, lines_of(os.path.join(SAMPLES, "openrouter-activity.csv")), "activity.csv",
                    ["--provider", "moonshot"], header_lines=1)
        kimi = os.path.join(SHAPES, "kimi-cli", "share", "sessions", "3f2c6a1e9b0d4c7a8e5f1b2d6c9a0e47",
                            "7c1e2b9a-4d3f-4a8e-9b6c-1f0e2d3c4b5a", "wire.jsonl")
        follow_case("kimi cli", tmp, lines_of(kimi), "wire.jsonl", ["--assume-model", "moonshot/kimi-k2.6"])
        kimi_code = os.path.join(SHAPES, "kimi-code", "sessions", "wd-7f3a9c21", "ses_01J9ZK4M2Q", "agents", "main",
                                 "wire.jsonl")
        follow_case("kimi code", tmp, lines_of(kimi_code), "wire.jsonl",
                    ["--model-alias", "kimi-code/kimi-for-coding=moonshot/kimi-k2.7-code"])
        burn_case(tmp)
        follow_case("jsonl traces, polling", tmp, lines_of(os.path.join(SAMPLES, "moonshot-chat.jsonl")),
                    "chat.jsonl", env={"LLMCOST_WATCH_POLL": "1"}, watch_only=["--interval", "0.2"])
        edit_cases(tmp)
        edit_cases(tmp, {"LLMCOST_WATCH_POLL": "1"}, " (polling)")
        limit_case(tmp)
        idle_case(tmp, None, [], " (inotify)")
        idle_case(tmp, {"LLMCOST_WATCH_POLL": "1"}, ["--interval", "0.2"], " (polling every 0.2 s)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print(f"0 passed, {len(failures)} failed")
        return 1
    print("watch: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""`llmcost watch` on a terminal, under tmux: a full-screen view on the
alternate screen, redrawn in place (one table, never a scrolled copy) with the
total `estimate` gives after each append, the limit bar turning to a warning
and an alert, colour only without NO_COLOR, `q` or Ctrl-C ending it with
exit 0 and the shell's screen given back, and Ctrl-Z / fg in a shell with
job control.

Usage: watch_terminal.py LLMCOST_BINARY (skips when tmux is not installed).
"""

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

BIN = os.path.realpath(sys.argv[1])
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
CHAT = os.path.join(ROOT, "samples", "usage", "moonshot-chat.jsonl")
TIMEOUT = 20.0
failures = []


def fail(message):
    failures.append(message)
    print("FAIL:", message, flush=True)


class Tmux:
    def __init__(self, tmp, command, env):
        self.socket = os.path.join(tmp, "tmux.sock")
        self.rc = os.path.join(tmp, "rc")  # the command's exit code
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        # The shell ignores the Ctrl-C sent to the pane; the watch installs its own handler.
        script = f"trap '' INT; {exports} {command}; echo $? > {shlex.quote(self.rc)}; sleep 30"
        started = self.tmux("new-session", "-d", "-x", "100", "-y", "30", "sh", "-c", script)
        if started.returncode != 0:
            fail(f"tmux new-session: {started.stderr}")

    def tmux(self, *args):
        return subprocess.run(["tmux", "-S", self.socket, "-f", "/dev/null", *args], capture_output=True, text=True)

    def screen(self, escapes=False):
        return self.tmux("capture-pane", "-p", *(["-e"] if escapes else []), "-t", "0").stdout

    def until(self, test, what):
        deadline = time.monotonic() + TIMEOUT
        text = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if test(text):
                return text
            time.sleep(0.05)
        fail(f"{what}; the screen:\n{text}")
        return text

    def exit_code(self):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if os.path.exists(self.rc) and open(self.rc, encoding="utf-8").read().strip():
                return int(open(self.rc, encoding="utf-8").read())
            time.sleep(0.05)
        return None

    def close(self):
        self.tmux("kill-server")


def estimate_total(path):
    run = subprocess.run([BIN, "estimate", path, "--format", "json"], capture_output=True, text=True, check=True)
    return json.loads(run.stdout)["total"]


def view_case(tmp, env, key, label):
    d = os.path.join(tmp, "view" + label)
    os.makedirs(d)
    chat = open(CHAT, encoding="utf-8").read().splitlines(keepends=True)
    target = os.path.join(d, "chat.jsonl")
    with open(target, "w", encoding="utf-8") as f:
        f.write(chat[0])
    # The limit sits between the totals after 6 and 7 lines: the bar must
    # reach the warning, then the alert.
    t = Tmux(d, f"{shlex.quote(BIN)} watch {shlex.quote(d)} --precision 8 --limit 0.024",
             {"LC_ALL": "C.UTF-8", "TERM": "xterm-256color", **env})
    try:
        first = t.until(lambda s: "llmcost watch:" in s and "burn rate" in s, f"{label}: no view")
        total = estimate_total(target)
        if total not in first:
            fail(f"{label}: the first view lacks estimate's total {total}")
        states = set()
        for n, line in enumerate(chat[1:], start=2):
            with open(target, "a", encoding="utf-8") as f:
                f.write(line)
            total = estimate_total(target)
            screen = t.until(lambda s, total=total: total in s, f"{label}: after {n} lines no total {total}")
            if screen.count("llmcost watch:") != 1 or screen.count("records:") != 1:
                fail(f"{label}: not a single view after {n} lines:\n{screen}")
            if not screen.startswith("llmcost watch:"):
                fail(f"{label}: the view does not start at the top of the screen:\n{screen}")
            joined = t.tmux("capture-pane", "-p", "-J", "-t", "0").stdout
            if any(len(row) > 100 for row in joined.splitlines()):
                fail(f"{label}: a line wider than the terminal's 100 columns wrapped:\n{joined}")
            states.update(word for word in ("WARNING", "ALERT") if word in screen)
        if states != {"WARNING", "ALERT"}:
            fail(f"{label}: the limit bar showed {sorted(states)}, not both the warning and the alert")
        painted = "\x1b[" in t.screen(escapes=True).replace("\x1b[0m", "").replace("\x1b[39m", "")
        if painted == ("NO_COLOR" in env):
            fail(f"{label}: colour {'shown' if painted else 'missing'} with env {env}")
        t.tmux("send-keys", "-t", "0", *key)
        code = t.exit_code()
        if code != 0:
            fail(f"{label}: {key} ended it with exit {code}, not 0")
        after = t.screen()
        if "llmcost watch:" in after:
            fail(f"{label}: the view is still on the screen after it ended:\n{after}")
    finally:
        t.close()
    print(f"terminal{label}: view redrawn in place, limit bar, {' '.join(key)} exits 0", flush=True)


def suspend_case(tmp):
    """Ctrl-Z in an interactive shell: the shell's screen comes back with
    the job stopped; fg brings the view back; q ends it with exit 0."""
    if shutil.which("bash") is None:
        print("skip: Ctrl-Z needs bash for job control")
        return
    d = os.path.join(tmp, "suspend")
    os.makedirs(d)
    shutil.copy(CHAT, d)
    socket = os.path.join(d, "tmux.sock")

    def tmux(*args):
        return subprocess.run(["tmux", "-S", socket, "-f", "/dev/null", *args], capture_output=True, text=True)

    def until(test, what):
        deadline = time.monotonic() + TIMEOUT
        text = ""
        while time.monotonic() < deadline:
            text = tmux("capture-pane", "-p", "-t", "0").stdout
            if test(text):
                return True
            time.sleep(0.05)
        fail(f"Ctrl-Z: {what}; the screen:\n{text}")
        return False

    shell = "env -i PATH=/usr/bin:/bin TERM=xterm-256color LC_ALL=C.UTF-8 HOME=/tmp PS1='$ ' bash --norc --noprofile -i"
    tmux("new-session", "-d", "-x", "100", "-y", "30", shell)
    try:
        tmux("send-keys", "-t", "0", f"{shlex.quote(BIN)} watch {shlex.quote(d)}", "Enter")
        if not until(lambda s: s.startswith("llmcost watch:"), "no view"):
            return
        tmux("send-keys", "-t", "0", "C-z")
        if not until(lambda s: "Stopped" in s and "llmcost watch:" not in s, "the shell's screen did not come back"):
            return
        tmux("send-keys", "-t", "0", "fg", "Enter")
        if not until(lambda s: s.startswith("llmcost watch:"), "fg did not bring the view back"):
            return
        tmux("send-keys", "-t", "0", "q")
        if not until(lambda s: "llmcost watch:" not in s and "$" in s, "q did not end it"):
            return
        tmux("send-keys", "-t", "0", "echo rc=$?", "Enter")
        until(lambda s: "rc=0" in s, "q did not exit 0")
    finally:
        tmux("kill-server")
    print("terminal: Ctrl-Z gives the shell its screen, fg brings the view back", flush=True)


def default_homes_case(tmp):
    """No PATH on a terminal: the agents' log homes that exist, named on screen."""
    home = os.path.join(tmp, "home")
    shutil.copytree(os.path.join(ROOT, "samples", "usage", "claude-code", "projects"),
                    os.path.join(home, ".claude", "projects"))
    open(os.path.join(home, ".claude", "settings.json"), "w", encoding="utf-8").write("{}\n")
    total = estimate_total(os.path.join(home, ".claude"))
    t = Tmux(home, f"{shlex.quote(BIN)} watch --precision 8",
             {"HOME": home, "LC_ALL": "C.UTF-8", "TERM": "xterm-256color", "CLAUDE_CONFIG_DIR": "",
              "KIMI_SHARE_DIR": "", "KIMI_CODE_HOME": ""})
    try:
        t.until(lambda s: "Claude Code" in s and total in s, f"default homes: no Claude Code logs with total {total}")
        t.tmux("send-keys", "-t", "0", "q")
        if t.exit_code() != 0:
            fail("default homes: q did not exit 0")
    finally:
        t.close()
    print("terminal: no PATH watches ~/.claude and says so", flush=True)


def main():
    if shutil.which("tmux") is None:
        print("skip: tmux not installed")
        return 0
    tmp = tempfile.mkdtemp(prefix="llmcost-watch-tty-")
    try:
        view_case(tmp, {}, ["q"], "")
        view_case(tmp, {"NO_COLOR": "1"}, ["C-c"], " (NO_COLOR, Ctrl-C)")
        suspend_case(tmp)
        default_homes_case(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print(f"0 passed, {len(failures)} failed")
        return 1
    print("watch terminal: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())

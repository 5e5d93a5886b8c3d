#!/usr/bin/env bash
# Regenerates docs/table.png, docs/chart.png, docs/html-report.png,
# docs/reconcile-report.png and docs/watch.png from the current build:
# terminal output is put in a page with a monospace font (bold
# kept from --color always) and shot with headless Chromium, as is the
# --format html report. Data: shared/bench/gen.py (seed 7), else samples/.
#   scripts/screenshots.sh [build/llmcost]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-build/llmcost}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gen=""
for candidate in "${LLMCOST_SHARED:-}" ../shared; do
  if [ -n "$candidate" ] && [ -f "$candidate/bench/gen.py" ]; then gen=$candidate/bench/gen.py; break; fi
done
if [ -n "$gen" ]; then
  python3 "$gen" csv --seed 7 --rows 20000 --out "$tmp/usage.csv" >/dev/null 2>&1
  data=$tmp/usage.csv
else
  data=samples/usage/moonshot-chat.jsonl
fi

shoot() { # page.html, out.png, width, height
  local profile
  profile=$(mktemp -d)
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile" \
    --window-size="$3,$4" --screenshot="$2" "file://$1" >/dev/null 2>&1
  rm -rf "$profile"
  python3 tests/png_check.py "$2"
}

terminal_page() { # title, text file, out.html
  python3 - "$1" "$2" "$3" <<'PY'
import html, re, sys
title, text_path, out = sys.argv[1:]
text = html.escape(open(text_path, encoding="utf-8").read())
text = re.sub(r"\x1b\[1m", "<b>", text)
text = re.sub(r"\x1b\[0m", "</b>", text)
page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>
body{{margin:0;background:#1e1e2e;color:#cdd6f4;font:14px/1.35 'DejaVu Sans Mono',monospace}}
.bar{{background:#313244;color:#a6adc8;padding:6px 14px;font-family:sans-serif;font-size:13px}}
pre{{margin:0;padding:14px 16px;font:inherit}} b{{color:#f9e2af}}</style></head>
<body><div class="bar">{html.escape(title)}</div><pre>{text}</pre></body></html>"""
open(out, "w", encoding="utf-8").write(page)
PY
}

export LC_ALL=C.UTF-8
COLUMNS=140 "$bin" estimate "$data" --by provider,model --color always >"$tmp/table.txt" 2>&1
terminal_page "$ llmcost estimate usage.csv --by provider,model" "$tmp/table.txt" "$tmp/table.html"
shoot "$tmp/table.html" docs/table.png 1240 560

COLUMNS=100 "$bin" estimate "$data" --by day --since 2026-01-01 --until 2026-01-31 --chart --color always >"$tmp/chart.txt" 2>&1
# Only the chart: from its title to the line before the notes.
awk '/^cost per day/{on=1} /^notes:/{on=0} on' "$tmp/chart.txt" >"$tmp/chart-only.txt"
terminal_page "$ llmcost estimate usage.csv --by day --since 2026-01-01 --until 2026-01-31 --chart" "$tmp/chart-only.txt" "$tmp/chart.html"
shoot "$tmp/chart.html" docs/chart.png 900 720

# watch's full-screen view as tmux shows it: the Claude Code sample logs, a
# limit past its warning. Plain text (the bar's colours are not kept).
if command -v tmux >/dev/null; then
  cp -r samples/usage/claude-code "$tmp/claude"
  sock=$tmp/tmux.sock
  tmux -S "$sock" -f /dev/null new-session -d -x 100 -y 24 \
    "cd '$tmp/claude' && LC_ALL=C.UTF-8 '$bin' watch projects --by model --limit 0.40; sleep 30"
  for _ in $(seq 100); do
    tmux -S "$sock" capture-pane -p -t 0 | grep -q "^limit" && break
    sleep 0.1
  done
  tmux -S "$sock" capture-pane -p -t 0 | sed 's/[[:space:]]*$//' >"$tmp/watch.txt"
  tmux -S "$sock" kill-server
  terminal_page "$ llmcost watch projects --by model --limit 0.40" "$tmp/watch.txt" "$tmp/watch.html"
  shoot "$tmp/watch.html" docs/watch.png 940 560
fi

"$bin" estimate "$data" --by provider,model,week --format html -o "$tmp/report.html" 2>/dev/null
shoot "$tmp/report.html" docs/html-report.png 1200 1500

# The reconcile page of the suite's export (eight kinds of discrepancy); exit 1 is its verdict.
"$bin" reconcile tests/data/reconcile-export.csv --precision 4 --format html -o "$tmp/reconcile.html" || [ $? = 1 ]
shoot "$tmp/reconcile.html" docs/reconcile-report.png 1200 1700
echo "wrote docs/table.png docs/chart.png docs/html-report.png docs/reconcile-report.png docs/watch.png"

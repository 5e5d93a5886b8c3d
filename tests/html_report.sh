#!/usr/bin/env bash
# --format html of estimate, compare, reconcile and budget: self-contained
# pages (no scripts, nothing fetched), content HTML-escaped, the same bytes
# on every run; then headless Chromium renders each on screen and in print
# and tests/html_render.py checks what they show. Chromium missing: the
# render part is skipped, saying so (scripts/test.sh installs it).
set -u
bin=$(realpath "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
need() { # what, pattern, file
  grep -qF -- "$2" "$3" || { echo "FAIL: $1: '$2' not in $(basename "$3")"; fail=1; }
}
never() {
  if grep -qiE -- "$2" "$3"; then
    echo "FAIL: $1: /$2/ in $(basename "$3")"
    fail=1
  fi
}
"$bin" estimate tests/data/usage-small.csv --by provider,model,day --precision 4 --format html \
  -o "$tmp/estimate.html" 2>/dev/null || { echo "FAIL: estimate --format html"; fail=1; }
"$bin" compare --model moonshot/kimi-k2.6 --requests 100k --input-tokens 1000 --output-tokens 300 \
  --name '<b>chat & "co"</b>' --models 'moonshot/kimi-*' --format html -o "$tmp/compare.html" ||
  { echo "FAIL: compare --format html"; fail=1; }
# Differences found: exit 1, and the page is written.
"$bin" reconcile tests/data/reconcile-export.csv --precision 4 --format html -o "$tmp/reconcile.html"
[ $? = 1 ] || { echo "FAIL: reconcile --format html: expected exit 1"; fail=1; }
"$bin" budget tests/data/budget/tiers.json --provider kyma --balance 0.05 --include-signup-bonus \
  --as-of 2026-11-01 --limit 20 --format html -o "$tmp/budget.html"
[ $? = 1 ] || { echo "FAIL: budget --format html: expected exit 1 (over the limit)"; fail=1; }
for page in estimate compare reconcile budget; do
  f=$tmp/$page.html
  need "$page" "<!DOCTYPE html>" "$f"
  need "$page" "<table>" "$f"
  need "$page" "<svg xmlns=\"http://www.w3.org/2000/svg\"" "$f"
  need "$page" "@media print{" "$f"
  need "$page" "</html>" "$f"
  never "$page: no scripts" "<script" "$f"
  never "$page: nothing fetched" "(src|href)=|@import|url\\(" "$f"
  # Card sources are named by address as text, never in an attribute.
  if grep -oE "=[\"']?https?://[^\"' >]*" "$f" | grep -qv '^="http://www.w3.org/2000/svg$'; then
    echo "FAIL: $page: an address in an attribute other than the SVG namespace"
    fail=1
  fi
done
# Deterministic: the same input, the same bytes.
"$bin" reconcile tests/data/reconcile-export.csv --precision 4 --format html -o "$tmp/again.html"
cmp -s "$tmp/reconcile.html" "$tmp/again.html" || { echo "FAIL: reconcile page differs between runs"; fail=1; }
need "estimate total row" '<tr class="total"><td>total</td>' "$tmp/estimate.html"
need "estimate stacked by model" "cost per day by model (USD)" "$tmp/estimate.html"
need "estimate cost by model" "cost by model (USD)" "$tmp/estimate.html"
need "estimate exact amount" '<td class="num" title="0.06318">0.0632</td>' "$tmp/estimate.html"
need "escaped workload name" "&lt;b&gt;chat &amp; &quot;co&quot;&lt;/b&gt;" "$tmp/compare.html"
never "raw workload name" "<b>chat" "$tmp/compare.html"
need "reconcile verdict" '<p class="verdict fail">FAIL: 8 rows differ' "$tmp/reconcile.html"
need "reconcile exact variance" '<dd title="0.016747577">+0.0167 (77.27%)</dd>' "$tmp/reconcile.html"
need "reconcile palette" 'fill="#D55E00"' "$tmp/reconcile.html"
need "budget limit marked" '<line class="limit"' "$tmp/budget.html"

chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "skip: chromium is not installed (apt-get install chromium); the pages were not rendered"
else
  python3 tests/html_render.py "$chromium" "$tmp" || fail=1
  # The screenshot check itself must fail on a blank page.
  printf '<!DOCTYPE html><html><body></body></html>' >"$tmp/blank.html"
  profile=$(mktemp -d)
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
    --user-data-dir="$profile" --window-size=400,300 --screenshot="$tmp/blank.png" "file://$tmp/blank.html" \
    >/dev/null 2>&1
  rm -rf "$profile"
  if python3 tests/png_check.py "$tmp/blank.png" 16 0.03 >/dev/null 2>&1; then
    echo "FAIL: png_check.py accepted a blank page"
    fail=1
  fi
fi
[ $fail = 0 ] && echo "html report: ok"
exit $fail

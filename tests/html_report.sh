#!/usr/bin/env bash
# --format html: a self-contained page (no scripts, nothing fetched) with the
# tables and inline SVG charts, content HTML-escaped; then headless Chromium
# renders it and the screenshot must not be blank. Chromium missing: the
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
"$bin" estimate samples/usage/moonshot-chat.jsonl --by provider,model,day --format html -o "$tmp/estimate.html" 2>/dev/null ||
  { echo "FAIL: estimate --format html"; fail=1; }
"$bin" compare --model moonshot/kimi-k2.6 --requests 100k --input-tokens 1000 --output-tokens 300 \
  --name '<b>chat & "co"</b>' --models 'moonshot/kimi-*' --format html -o "$tmp/compare.html" ||
  { echo "FAIL: compare --format html"; fail=1; }
for page in estimate compare; do
  f=$tmp/$page.html
  need "$page" "<!DOCTYPE html>" "$f"
  need "$page" "<table>" "$f"
  need "$page" "<svg xmlns=\"http://www.w3.org/2000/svg\"" "$f"
  need "$page" "</html>" "$f"
  never "$page: no scripts" "<script" "$f"
  never "$page: nothing fetched" "(src|href)=|@import|url\\(" "$f"
  if grep -oE 'https?://[^" ]*' "$f" | grep -qv '^http://www.w3.org/2000/svg$'; then
    echo "FAIL: $page: an address other than the SVG namespace"
    fail=1
  fi
done
need "estimate total row" '<tr class="total"><td>total</td>' "$tmp/estimate.html"
need "estimate cost over time" "cost per day (USD)" "$tmp/estimate.html"
need "estimate cost by model" "cost by model (USD)" "$tmp/estimate.html"
need "estimate amounts" '<td class="num">0.03</td>' "$tmp/estimate.html"
need "escaped workload name" "&lt;b&gt;chat &amp; &quot;co&quot;&lt;/b&gt;" "$tmp/compare.html"
never "raw workload name" "<b>chat" "$tmp/compare.html"

chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "skip: chromium is not installed (apt-get install chromium); the pages were not rendered"
else
  for page in estimate compare; do
    profile=$(mktemp -d)
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
      --user-data-dir="$profile" --window-size=1100,900 --screenshot="$tmp/$page.png" "file://$tmp/$page.html" \
      >"$tmp/chromium.log" 2>&1
    rm -rf "$profile"
    if [ ! -s "$tmp/$page.png" ]; then
      echo "FAIL: chromium wrote no screenshot of $page.html"
      tail -5 "$tmp/chromium.log"
      fail=1
    elif ! python3 tests/png_check.py "$tmp/$page.png" 16 0.03; then
      fail=1
    fi
  done
  # The check itself must fail on a blank page.
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

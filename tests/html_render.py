#!/usr/bin/env python3
"""Renders llmcost's HTML pages in headless Chromium and checks what a reader
gets, not only that something was drawn:
  - on screen (a harness page loads each report in a 1200-px frame and reads
    the rendered DOM): the visible text holds the expected sections and
    figures, the page never scrolls sideways (tables scroll in their own
    box), figures are right-aligned, money cells carry their exact value in a
    title, every chart colour is from the fixed palette, no script ran;
  - a screenshot that is not blank (png_check.py);
  - printed (--print-to-pdf): A4 pages, everything the screen shows also in
    the printed text (pdftotext, from poppler-utils); for reconcile, the
    verdict on the first page, the discrepancies starting a landscape page,
    and the table's last column printed, so no table was cut.
usage: html_render.py CHROMIUM DIR  (DIR holds NAME.html for the pages below)
Standard library only; exits 1 on a failed check."""
import html, json, os, re, shutil, subprocess, sys, tempfile

chromium, pages_dir = sys.argv[1], os.path.abspath(sys.argv[2])
here = os.path.dirname(os.path.abspath(__file__))
# The Okabe-Ito palette, "other" grey, the limit bar's track (html.hpp).
palette = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"}

# Text each page must show, in this order.
expected = {
    "reconcile": ["llmcost reconcile (USD)", "FAIL: 8 rows differ", "billed", "0.0384", "variance",
                  "+0.0167 (77.27%)", "Variance by cause", "variance by cause (USD)", "unknown model",
                  "Variance by model", "moonshot/kimi-k2.5", "Discrepancies, largest first", "req_009", "req_006",
                  "req_004", "req_010", "req_005", "req_002", "req_003", "req_007", "Rows not checked",
                  "Inputs read", "tests/data/reconcile-export.csv", "Kyma API"],
    "budget": ["llmcost budget per month (USD)", "FAIL: projected spend 27.42 per month is over the limit of 20.00",
               "over the limit by", "7.42", "Spend against the limit", "limit 20.00", "spend 27.42",
               "Rate-limit tier", "kyma credit runway", "2027-10-22", "Inputs read"],
    "estimate": ["llmcost estimate (USD)", "total", "0.0984", "a month (30.4167 days) at this rate", "0.7484",
                 "Cost over time", "cost per day by model (USD)", "other", "Cost by model", "Rows", "total $", "total"],
    "compare": ["llmcost compare (USD)", "as is per month", "cheapest:", "<b>chat & \"co\"</b>, per month"],
}

harness = """<!DOCTYPE html><html><body>
<iframe id="f" src="PAGE" style="width:1200px;height:900px;border:0"></iframe>
<pre id="result">not run</pre>
<script>
window.addEventListener('load', () => {
  const out = {};
  try {
    const w = document.getElementById('f').contentWindow, d = w.document, css = e => w.getComputedStyle(e);
    out.text = d.body.innerText;
    out.sideways = d.documentElement.scrollWidth - d.documentElement.clientWidth;
    out.scripts = d.querySelectorAll('script').length;
    out.tables = d.querySelectorAll('table').length;
    out.unboxed = [...d.querySelectorAll('table')].filter(t =>
      !t.parentElement.classList.contains('scroll') || css(t.parentElement).overflowX !== 'auto').length;
    out.figures = d.querySelectorAll('td.num').length;
    out.left = [...d.querySelectorAll('td.num, th.num')].filter(e => css(e).textAlign !== 'right').length;
    out.exact = d.querySelectorAll('td.num[title]').length;
    out.fills = [...new Set([...d.querySelectorAll('svg rect[fill]')].map(r => r.getAttribute('fill')))];
    out.svgs = d.querySelectorAll('svg').length;
  } catch (e) { out.error = String(e); }
  document.getElementById('result').textContent = JSON.stringify(out);
});
</script></body></html>"""

failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message)


def run_chromium(work, *args):
    profile = tempfile.mkdtemp(dir=work)
    try:
        return subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                               "--no-first-run", "--disable-background-networking", "--disable-component-update",
                               "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile, *args],
                              capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def in_order(text, wanted, what):
    at = 0
    for item in wanted:
        found = text.find(item, at)
        if found < 0:
            where = "anywhere" if item not in text else "after the previous item"
            fail(f"{what}: '{item}' not shown {where}")
            return
        at = found + len(item)


work = tempfile.mkdtemp()
try:
    for name, wanted in expected.items():
        page = os.path.join(pages_dir, name + ".html")
        shutil.copy(page, os.path.join(work, name + ".html"))
        with open(os.path.join(work, name + "-harness.html"), "w") as f:
            f.write(harness.replace("PAGE", name + ".html"))
        dom = run_chromium(work, "--allow-file-access-from-files", "--virtual-time-budget=5000", "--dump-dom",
                           "file://" + os.path.join(work, name + "-harness.html")).stdout
        found = re.search(r'<pre id="result">(.*?)</pre>', dom, re.S)
        if not found or not found.group(1).startswith("{"):
            fail(f"{name}: the harness read nothing from the rendered page")
            continue
        got = json.loads(html.unescape(found.group(1)))
        if "error" in got:
            fail(f"{name}: {got['error']}")
            continue
        in_order(got["text"], wanted, name)
        if got["sideways"] > 0:
            fail(f"{name}: the page scrolls sideways by {got['sideways']} px at 1200 px")
        if got["scripts"]:
            fail(f"{name}: {got['scripts']} script elements")
        if got["unboxed"]:
            fail(f"{name}: {got['unboxed']} tables not in a box that scrolls on its own")
        if got["left"]:
            fail(f"{name}: {got['left']} figures not right-aligned")
        # Compare's figures are whole cents: their exact value is what is shown, no title.
        if got["figures"] == 0 or (got["exact"] == 0 and name != "compare"):
            fail(f"{name}: no figures with their exact value as a title ({got['figures']} figures)")
        if got["svgs"] == 0:
            fail(f"{name}: no chart drawn")
        strays = set(got["fills"]) - palette
        if strays:
            fail(f"{name}: chart colours outside the palette: {sorted(strays)}")
        shot = os.path.join(work, name + ".png")
        run_chromium(work, "--window-size=1200,1500", "--screenshot=" + shot, "file://" + page)
        if not os.path.exists(shot):
            fail(f"{name}: chromium wrote no screenshot")
        elif subprocess.run([sys.executable, os.path.join(here, "png_check.py"), shot, "16", "0.03"]).returncode:
            fail(f"{name}: the screenshot looks blank")

    # Printed: every page on A4 (landscape only where a section asks for it),
    # all it shows on screen also on paper; the reconcile page, the one that
    # is forwarded, in detail.
    poppler = shutil.which("pdftotext") and shutil.which("pdfinfo")
    if not poppler:
        print("skip: pdftotext/pdfinfo (poppler-utils) not installed; the PDFs' pages and text were not checked")
    for name, wanted in expected.items():
        pdf = os.path.join(work, name + ".pdf")
        run_chromium(work, "--no-pdf-header-footer", "--print-to-pdf=" + pdf,
                     "file://" + os.path.join(work, name + ".html"))
        if not os.path.exists(pdf) or not open(pdf, "rb").read(5) == b"%PDF-":
            fail(f"{name}: chromium printed no PDF")
            continue
        if not poppler:
            continue
        info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", pdf], capture_output=True, text=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        # Each page's (width, height) rounded to points: A4 is 595 x 842.
        sizes = {int(n): (round(float(w)), round(float(h)))
                 for n, w, h in re.findall(r"Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+)", info)}
        if sizes.get(1) != (595, 842):
            fail(f"{name}.pdf: page 1 is not A4 portrait: {sizes.get(1)}")
        if any(size not in ((595, 842), (842, 595)) for size in sizes.values()):
            fail(f"{name}.pdf: a page that is not A4: {sorted(set(sizes.values()))}")

        def text_of(first, last=None):
            return subprocess.run(["pdftotext", "-f", str(first), "-l", str(last or first), pdf, "-"],
                                  capture_output=True, text=True).stdout

        everything = re.sub(r"\s+", " ", text_of(1, pages))
        for item in wanted:
            if re.sub(r"\s+", " ", item) not in everything:
                fail(f"{name}.pdf: '{item}' shown on screen but not printed")
        if name != "reconcile":
            continue
        if pages < 2 or pages > 6:
            fail(f"reconcile.pdf: {pages} pages (expected the summary, then the discrepancies on their own)")
        in_order(text_of(1), ["llmcost reconcile (USD)", "FAIL: 8 rows differ", "Variance by cause"],
                 "reconcile.pdf page 1")
        starts = [p for p in range(1, pages + 1) if text_of(p).lstrip().startswith("Discrepancies, largest first")]
        if not starts:
            fail("reconcile.pdf: no page starts with the discrepancies")
        elif sizes.get(starts[0]) != (842, 595):
            fail(f"reconcile.pdf: the discrepancies' page is not A4 landscape: {sizes.get(starts[0])}")
        # The table's last column (a table cut on the right would lose it).
        for item in ["cause", "web-search fee missing", "unexplained (overbilled)", "export.csv:11"]:
            if item not in everything:
                fail(f"reconcile.pdf: '{item}' not printed")
finally:
    shutil.rmtree(work, ignore_errors=True)

if failures:
    sys.exit(1)
print("html pages in chromium: screen, screenshot and print ok")

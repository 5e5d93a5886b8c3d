#!/usr/bin/env python3
"""The warehouse export, run for real: `llmcost rates export --format sql` loaded into
PostgreSQL (a temporary server on a loopback port) or DuckDB (npm @duckdb/node-api),
a generated usage CSV priced through the llmcost_price view, and every per-(provider,
model) sum, the grand total and the unpriced reasons compared with `llmcost estimate`
on the same file: identical to the last digit (compared as exact decimals).

usage: warehouse_sql.py PATH/TO/llmcost postgres|duckdb|dbt-duckdb [ROWS]
dbt-duckdb: `rates export --format dbt`, its seeds and models run in DuckDB with
ref() and source() replaced by the table names (dbt itself is not needed).
Skips (exit 0, with a message) when shared/bench/gen.py, PostgreSQL or npm is missing,
unless LLMCOST_REQUIRE_POSTGRES=1 (set by scripts/test.sh, which installs PostgreSQL)."""
import csv, glob, io, json, os, pwd, re, shutil, signal, socket, subprocess, sys, tempfile, time
from decimal import Decimal as D

bin_path = os.path.abspath(sys.argv[1])
engine = sys.argv[2]
rows = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(os.path.dirname(here))
build_dir = os.path.dirname(bin_path)


sys.path.insert(0, os.path.dirname(here))
import shared_dir


def skip(why):
    shared_dir.skip(f"warehouse {engine} test: {why}")


def fail(why):
    print(f"FAIL: {why}")
    sys.exit(1)


shared = shared_dir.require_shared(os.path.join("bench", "gen.py"), f"warehouse {engine} test")

# Rows the generator never writes, one per resolution rule and per reason a
# row cannot be priced (header: the generator's provider-export columns).
EDGE_ROWS = r'''2026-02-01T10:00:00Z,edge_prefix,,kyma/kimi-k2.6,edge,k,1000,0,100,false,0,,route from the prefix
2026-02-01T10:00:00Z,edge_alias,openai,Kimi K2.6,edge,k,1000,200,100,false,0,,alias; provider not a route
,edge_undated,moonshot,kimi-k2.7-code,edge,k,5000,1000,300,true,1,,undated; batch with no batch price
2026-02-01T10:00:00Z,edge_batch,,moonshot/kimi-k2.6,edge,k,7000,3000,900,true,2,,published batch prices
2025-12-31T23:30:00-01:00,edge_zone,moonshot,kimi-k2.5,edge,k,100,0,10,false,0,,UTC day 2026-01-01
2026-02-01T10:00:00Z,edge_whole_alias,moonshot,moonshotai/kimi-k2.5,edge,k,100,0,10,false,0,,whole name is an alias
2026-02-01T10:00:00Z,edge_sonar,kyma,SONAR,edge,k,100,0,10,false,3,,request fee replaces search calls
2026-02-01T10:00:00Z,edge_huge,kyma,claude-opus-4-7,edge,k,999999999999999,0,999999999999999,false,0,,exact at 37 digits
2026-02-01T10:00:00Z,edge_ambiguous,,kimi-k2.6,edge,k,100,0,10,false,0,,
2026-02-01T10:00:00Z,edge_conflict,kyma,moonshot/kimi-k2.6,edge,k,100,0,10,false,0,,
2026-02-01T10:00:00Z,edge_unknown,kyma,no-such-model,edge,k,100,0,10,false,0,,
2026-02-01T10:00:00Z,edge_not_sold,kyma,kimi-k2-thinking,edge,k,100,0,10,false,0,,
2026-02-01T10:00:00Z,edge_batch_route,kyma,glm-4.7-flash,edge,k,100,0,10,true,0,,
2025-12-31T23:59:59Z,edge_too_early,moonshot,kimi-k2.5,edge,k,100,0,10,false,0,,
2026-02-01T10:00:00Z,edge_no_search,kyma,glm-4.7-flash,edge,k,100,0,10,false,2,,
2026-02-01T10:00:00Z,edge_media,kyma,imagen-4,edge,k,100,0,10,false,0,,
2026-02-01T10:00:00Z,edge_no_model,kyma,,edge,k,100,0,10,false,0,,
2026-02-15T12:00:00Z,acme_history,acme,acme-chat,edge,k,1000000,0,1000,false,0,,launch prices
2026-02-28T23:59:59Z,acme_history_batch,,acme-chat,edge,k,3000,1000,7,true,1,,batch at 0.5 of launch prices
2026-03-01T00:00:00Z,acme_current,acme,"Acme's ""Chat""",edge,k,999,333,77,false,0,,alias with quotes
2026-02-28T23:30:00-02:00,acme_zone,acme,acme\chat,edge,k,12345,6789,1011,true,4,,UTC day 2026-03-01
2025-05-31T23:59:59Z,acme_too_early,acme,acme-chat,edge,k,1,0,1,false,0,,
2026-02-01T10:00:00Z,acme_media,acme,acme-image,edge,k,10,0,0,false,0,,
2026-02-01T10:00:00Z,zeta_batch_no_price,zeta,zeta-chat,edge,k,100,0,10,true,0,,batch; no batch price
2026-02-01T10:00:00Z,zeta_batch_priced,zeta,zeta-batch,edge,k,100,0,10,true,0,,published batch prices
2026-02-01T10:00:00Z,zeta_search_before_fee,zeta,zeta-chat,edge,k,100,0,10,false,2,,no search price in that period
2026-03-02T10:00:00Z,zeta_search_with_fee,zeta,zeta-chat,edge,k,100,0,10,false,2,,the request fee covers search
2026-02-01T10:00:00Z,zeta_search_and_batch,zeta,zeta-chat,edge,k,100,0,10,true,2,,search reason first
2026-02-01T10:00:00Z,too_large,kyma,kimi-k2.6,edge,k,100000000000000000,0,10,false,0,,10^17 tokens
2026-02-01T10:00:00Z,too_large_unknown,kyma,no-such-model,edge,k,100,0,100000000000000000,false,0,,size before model
2026-02-01T10:00:00Z,largest,moonshot,kimi-k2.6,edge,k,99999999999999999,0,99999999999999999,false,0,,
2026-02-01T10:00:00Z,huge_search,moonshot,kimi-k2.6,edge,k,1,0,1,false,20000000000000000,,$10^14 of search
2026-02-01T10:00:00Z,cached_exceeds,moonshot,kimi-k2.6,edge,k,10,20,5,false,0,,
2026-02-01T10:00:00Z,empty_cells,moonshot,kimi-k2.6,edge,k,,,7,,,,empty counts and batch
2026-02-01T10:00:00Z,pg_true,moonshot,kimi-k2.6,edge,k,100,0,10,t,0,,PostgreSQL's t
2026-02-01T10:00:00Z,pg_false,moonshot,kimi-k2.5,edge,k,100,0,10,f,0,,PostgreSQL's f
2026-02-28T23:30:00,acme_no_offset,acme,acme-chat,edge,k,1000,0,100,false,0,,no offset: UTC; launch prices
2026-03-01 00:00:00,acme_no_offset_space,acme,acme-chat,edge,k,1000,0,100,false,0,,no offset: UTC; new prices
'''
# A card with a price history, batch prices in each period, a search fee, and names
# that need quoting, added to the bundled ones for both the CLI and the export.
TEST_CARD = os.path.join(repo, "tests", "data", "warehouse-history.json")
# A route with batch but a model without a batch price, no search fee, and a request fee added later (issue 21, defect 1).
EDGE_CARD = os.path.join(here, "edge-card.json")
# The usage table's own columns, read by the CLI as they are and loaded as they are (empty cells: NULL).
TABLE_EDGES = os.path.join(here, "usage-table-edges.csv")
TABLE_COLUMNS = ("usage_time, provider, model, request_id, project, api_key, session_id, requests, "
                 "uncached_input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, "
                 "web_search_calls, batch, billed_usd")
# A session time zone far from UTC: the load must read offset-less times as UTC, as the CLI does.
SESSION_TZ = "Pacific/Kiritimati"

# The generator's columns -> the normalised record: docs/warehouse.md's
# recipe, verbatim (empty cells, the CLI's booleans, times read as UTC).
def doc_recipe(name):
    with open(os.path.join(repo, "docs", "warehouse.md")) as f:
        text = f.read()
    start = text.index(f"<!-- recipe: {name} -->")
    block = text[text.index("```sql\n", start) + 7:]
    return block[:block.index("```")]


LOAD_SQL = doc_recipe("load")
SET_UTC = {"postgres": "SET TIME ZONE 'UTC';\n", "duckdb": "SET TimeZone = 'UTC';\n"}
# A report built on the view: the script must run again under it.
DEPENDENT_VIEW = ("CREATE VIEW llmcost_report AS SELECT resolved_provider, SUM(cost_total) AS cost "
                  "FROM llmcost_price GROUP BY resolved_provider;")

SUMS = ("requests", "uncached_input_tokens", "cached_input_tokens", "output_tokens", "web_search_calls",
        "cost_input", "cost_cached_input", "cost_output", "cost_fees", "cost_total")
GROUP_QUERY = ("SELECT resolved_provider, resolved_model, "
               + ", ".join(f"CAST(SUM({c}) AS VARCHAR)" for c in SUMS)
               + " FROM llmcost_price WHERE unpriced_reason IS NULL GROUP BY 1, 2 ORDER BY 1, 2")
REASON_QUERY = ("SELECT unpriced_reason, CAST(COUNT(*) AS VARCHAR) FROM llmcost_price "
                "WHERE unpriced_reason IS NOT NULL GROUP BY 1 ORDER BY 1")
TOTAL_QUERY = ("SELECT CAST(COUNT(*) AS VARCHAR), CAST(SUM(cost_total) AS VARCHAR), "
               "CAST(COUNT(cost_total) AS VARCHAR) FROM llmcost_price")
REPORT_QUERY = "SELECT CAST(SUM(cost) AS VARCHAR) FROM llmcost_report"


def cli_text(value):
    """A decimal as `llmcost ... --format json` prints money: exact, at least 2 places."""
    d = D(value)
    if d == d.to_integral_value():
        return f"{d.quantize(D('0.01')):f}"
    text = f"{d.normalize():f}"
    return text if len(text.split(".")[1]) >= 2 else f"{d.quantize(D('0.01')):f}"


QUERY_MS = {}  # the GROUP BY query on the view, in milliseconds (printed for docs/warehouse.md)


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        fail(f"{' '.join(cmd[:4])}... exited {p.returncode}: {p.stderr[-2000:]}")
    m = re.search(r"query ms: (\d+)", p.stderr)
    if m and cmd[2] == GROUP_QUERY:
        QUERY_MS["group"] = int(m.group(1))
    return p.stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_postgres(tmp, sql_file, usage_file):
    bins = [os.path.dirname(p) for p in [shutil.which("pg_ctl") or ""] if p]
    bins += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    bin_dir = next((b for b in bins if os.path.exists(os.path.join(b, "initdb"))), None)
    if bin_dir is None or shutil.which("psql") is None:
        if os.environ.get("LLMCOST_REQUIRE_POSTGRES") == "1":
            fail("PostgreSQL is not installed (apt-get install postgresql)")
        skip("PostgreSQL is not installed (apt-get install postgresql; scripts/test.sh does)")
    # initdb refuses to run as root: the server runs as the postgres user.
    as_user = []
    if os.getuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            fail("running as root and there is no postgres user to run the server")
        os.chown(tmp, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data = os.path.join(tmp, "pgdata")
    port = free_port()
    run(as_user + [os.path.join(bin_dir, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                   "--locale=C", "--no-sync"])
    log = os.path.join(tmp, "server.log")
    pg_ctl = as_user + [os.path.join(bin_dir, "pg_ctl"), "-D", data]
    run(pg_ctl + ["-l", log, "-w", "-o", f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off", "start"])
    try:
        psql = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                "-d", "postgres"]
        # Every session starts far from UTC (PGTZ): the load sets UTC itself.
        env = dict(os.environ, PGTZ=SESSION_TZ)
        run(psql + ["-f", sql_file], env=env)
        staging = ("CREATE TABLE usage_csv (\"timestamp\" TEXT, request_id TEXT, provider TEXT, model TEXT, "
                   "project TEXT, api_key_id TEXT, input_tokens TEXT, cached_input_tokens TEXT, "
                   "output_tokens TEXT, batch TEXT, web_search_calls TEXT, cost_usd TEXT, note TEXT);")
        run(psql + ["-c", staging, "-c", f"\\copy usage_csv FROM '{usage_file}' WITH (FORMAT csv, HEADER true)",
                    "-c", SET_UTC["postgres"] + LOAD_SQL,
                    "-c", f"\\copy llmcost_usage ({TABLE_COLUMNS}) FROM '{TABLE_EDGES}' WITH (FORMAT csv, HEADER true)"],
            env=env)
        # Re-run over a view built on llmcost_price (issue 21, defect 4).
        run(psql + ["-c", DEPENDENT_VIEW], env=env)
        run(psql + ["-f", sql_file], env=env)

        def query(q):
            started = time.monotonic()
            rows = list(csv.reader(io.StringIO(run(psql + ["--csv", "-t", "-c", q.replace("VARCHAR", "TEXT")],
                                                   env=env))))
            if q == GROUP_QUERY:  # psql's start included
                QUERY_MS["group"] = round((time.monotonic() - started) * 1000)
            return rows
        return query(GROUP_QUERY), query(REASON_QUERY), query(TOTAL_QUERY), query(REPORT_QUERY)
    finally:
        subprocess.run(pg_ctl + ["-m", "fast", "-w", "stop"], capture_output=True)


USAGE_TABLE_TYPES = {"usage_time": "TIMESTAMPTZ", "requests": "BIGINT", "batch": "BOOLEAN",
                     "billed_usd": "DECIMAL(38,12)"}


def usage_type(column):
    return USAGE_TABLE_TYPES.get(column, "BIGINT" if column.endswith(("_tokens", "_calls")) else "VARCHAR")


def dbt_model(project, name):
    """A model's SQL as dbt would compile it here: config() dropped, ref() and
    source() as plain table names, the incremental block out (first run)."""
    with open(os.path.join(project, "models", name + ".sql")) as f:
        text = f.read()
    text = re.sub(r"\{\{ config\(.*?\) \}\}\n", "", text)
    text = re.sub(r"\{% if is_incremental\(\) %\}.*?\{% endif %\}\n", "", text, flags=re.S)
    text = re.sub(r"\{\{ ref\('(\w+)'\) \}\}", r"\1", text)
    text = re.sub(r"\{\{ source\('llmcost', '(\w+)'\) \}\}", r"\1", text)
    if "{{" in text or "{%" in text:
        fail(f"dbt model {name}: Jinja left after substitution:\n{text[:500]}")
    return text.strip()


def dbt_as_sql(project, sql_file, materialise_file):
    """The dbt project as two DuckDB scripts: the seeds (tables with the column
    types of dbt_project.yml, loaded from their CSV), the usage table and the
    view; then the incremental model built and extended once."""
    types, table = {}, None
    with open(os.path.join(project, "dbt_project.yml")) as f:
        for line in f:
            if line.startswith("models:"):
                break
            m = re.match(r"^    (llmcost_\w+):$", line)
            if m:
                table = m.group(1)
                types[table] = []
            m = re.match(r"^        (\w+): (.+)$", line)
            if m and table:
                types[table].append((m.group(1), m.group(2).strip()))
    out = []
    for table, columns in types.items():
        out.append(f"CREATE TABLE {table} ({', '.join(f'{c} {t}' for c, t in columns)});")
        seed = os.path.join(project, "seeds", table + ".csv").replace("'", "''")
        spec = ", ".join(f"'{c}': '{t}'" for c, t in columns)
        out.append(f"INSERT INTO {table} SELECT * FROM read_csv('{seed}', header = true, columns = {{{spec}}});")
    columns = [c.strip() for c in TABLE_COLUMNS.split(",")]
    out.append(f"CREATE TABLE llmcost_usage ({', '.join(f'{c} {usage_type(c)}' for c in columns)});")
    out.append("CREATE VIEW llmcost_price AS\n" + dbt_model(project, "llmcost_price") + ";")
    with open(sql_file, "w") as f:
        f.write("\n".join(out) + "\n")
    with open(os.path.join(project, "models", "llmcost_price_incremental.sql")) as f:
        increment = re.search(r"\{% if is_incremental\(\) %\}\n(.*?)\{% endif %\}", f.read(), re.S).group(1)
    increment = increment.replace("{{ this }}", "llmcost_price_incremental")
    with open(materialise_file, "w") as f:
        f.write("CREATE TABLE llmcost_price_incremental AS\n" + dbt_model(project, "llmcost_price_incremental")
                + ";\n")
        # A second run: is_incremental() true, nothing newer to add.
        f.write("INSERT INTO llmcost_price_incremental SELECT * FROM llmcost_price\n" + increment + ";\n")
        f.write("CREATE VIEW llmcost_report AS SELECT resolved_provider, SUM(cost_total) AS cost "
                "FROM llmcost_price_incremental GROUP BY resolved_provider;\n")


def with_duckdb(tmp, sql_file, usage_file, after_load=None):
    npm_dir = os.environ.get("LLMCOST_NPM_DIR", os.path.join(build_dir, "npm"))
    if shutil.which("node") is None or shutil.which("npm") is None:
        skip("node/npm not installed")
    os.makedirs(npm_dir, exist_ok=True)
    if not os.path.isdir(os.path.join(npm_dir, "node_modules", "@duckdb", "node-api")):
        env = dict(os.environ, npm_config_loglevel="error", npm_config_fund="false", npm_config_audit="false")
        if not os.path.exists(os.path.join(npm_dir, "package.json")):
            with open(os.path.join(npm_dir, "package.json"), "w") as f:
                f.write('{"name": "llmcost-test-deps", "private": true}\n')
        try:
            p = subprocess.run(["npm", "install", "--no-save", "--prefer-offline", "@duckdb/node-api@1.5.6-r.1"],
                               cwd=npm_dir, env=env, capture_output=True, text=True, timeout=240)
        except subprocess.TimeoutExpired:
            skip("npm install @duckdb/node-api timed out (offline?)")
        if p.returncode != 0:
            skip(f"npm could not install @duckdb/node-api (offline?): {p.stderr.strip()[-300:]}")
    runner = os.path.join(npm_dir, "duckdb_run.mjs")  # next to node_modules, so the import resolves
    shutil.copyfile(os.path.join(here, "duckdb_run.mjs"), runner)
    def sql(name, text):
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    quoted = usage_file.replace("'", "''")
    columns = [c.strip() for c in TABLE_COLUMNS.split(",")]
    casts = ", ".join(f"CAST(NULLIF({c}, '') AS {usage_type(c)})" for c in columns)
    edges = TABLE_EDGES.replace("'", "''")
    # A session far from UTC first (DuckDB's ICU time zones): the load sets UTC itself.
    zone = sql("zone.sql", f"SET TimeZone = '{SESSION_TZ}';\n")
    load = sql("load.sql",
               f"CREATE TABLE usage_csv AS SELECT * FROM read_csv('{quoted}', header = true, all_varchar = true);\n"
               + SET_UTC["duckdb"] + LOAD_SQL
               + f"INSERT INTO llmcost_usage ({TABLE_COLUMNS}) SELECT {casts} "
               f"FROM read_csv('{edges}', header = true, all_varchar = true);\n")
    # Re-run over a view built on llmcost_price (issue 21, defect 4).
    dependent = sql("dependent.sql", DEPENDENT_VIEW + "\n")
    after = after_load if after_load else [dependent, sql_file]

    def query(q):
        return list(csv.reader(io.StringIO(run(["node", runner, q, zone, sql_file, load] + after))))
    return query(GROUP_QUERY), query(REASON_QUERY), query(TOTAL_QUERY), query(REPORT_QUERY)


def main():
    # A stop from ctest's timeout still runs the finally blocks (server stop).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    tmp = tempfile.mkdtemp(prefix="llmcost-warehouse-")
    os.chmod(tmp, 0o755)
    try:
        usage_file = os.path.join(tmp, "usage.csv")
        run([sys.executable, os.path.join(shared, "bench", "gen.py"), "csv", "--rows", str(rows), "--seed", "7",
             "--out", usage_file])
        with open(usage_file, "a") as f:
            f.write(EDGE_ROWS)
        os.chmod(usage_file, 0o644)
        cards = ["--pricing", TEST_CARD, "--pricing", EDGE_CARD]
        report = json.loads(run([bin_path, "estimate", usage_file, TABLE_EDGES, "--by", "provider,model", "--format",
                                 "json", "--allow-rejects"] + cards))
        sql_file = os.path.join(tmp, "rates.sql")
        dialect = "postgres" if engine == "postgres" else "duckdb"
        if engine == "dbt-duckdb":
            project = os.path.join(tmp, "dbt")
            run([bin_path, "rates", "export", "--format", "dbt", "--dialect", dialect, "-o", project] + cards)
            materialise = os.path.join(tmp, "materialise.sql")
            dbt_as_sql(project, sql_file, materialise)
            groups, reasons, totals, report_total = with_duckdb(tmp, sql_file, usage_file, [materialise])
        else:
            run([bin_path, "rates", "export", "--format", "sql", "--dialect", dialect, "-o", sql_file] + cards)
            os.chmod(sql_file, 0o644)
            groups, reasons, totals, report_total = (with_postgres if engine == "postgres" else with_duckdb)(
                tmp, sql_file, usage_file)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    problems = []
    cli_rows = {}
    for r in report["rows"]:
        cli_rows[(r["provider"], r["model"])] = {
            "requests": r["requests"], "uncached_input_tokens": r["tokens"]["input"],
            "cached_input_tokens": r["tokens"]["cached_input"], "output_tokens": r["tokens"]["output"],
            "web_search_calls": r["web_search_calls"], "cost_input": r["cost"]["input"],
            "cost_cached_input": r["cost"]["cached_input"], "cost_output": r["cost"]["output"],
            "cost_fees": r["cost"]["fees"], "cost_total": r["total"]}
    sql_rows = {}
    for g in groups:
        values = dict(zip(SUMS, g[2:]))
        sql_rows[(g[0], g[1])] = {k: (cli_text(v) if k.startswith("cost_") else str(int(D(v))))
                                  for k, v in values.items()}
    for key in sorted(set(cli_rows) | set(sql_rows)):
        if cli_rows.get(key) != sql_rows.get(key):
            problems.append(f"{key[0]}/{key[1]}: CLI {cli_rows.get(key)} != SQL {sql_rows.get(key)}")
    count, sql_total, priced = totals[0]
    if cli_text(sql_total) != report["total"]:
        problems.append(f"grand total: CLI {report['total']} != SQL {sql_total}")
    if cli_text(report_total[0][0]) != report["total"]:
        problems.append(f"the view built on llmcost_price, after the script ran again: {report_total[0][0]}")
    cli_reasons = {k: str(v) for k, v in report["records"]["rejected_by_reason"].items()}
    sql_reasons = {r[0]: r[1] for r in reasons}
    if cli_reasons != sql_reasons:
        problems.append(f"unpriced rows: CLI {cli_reasons} != SQL {sql_reasons}")
    if int(count) != report["records"]["read"] or int(priced) != report["records"]["priced"]:
        problems.append(f"rows: CLI read {report['records']['read']}, priced {report['records']['priced']}; "
                        f"SQL {count} rows, {priced} priced")
    with open(TABLE_EDGES) as f:
        table_edges = len(f.read().splitlines()) - 1
    print(f"warehouse {engine}: {count} rows ({rows} generated + {len(EDGE_ROWS.splitlines())} + {table_edges} "
          f"edge cases), "
          f"{len(sql_rows)} (provider, model) groups, {priced} priced, "
          f"{sum(int(v) for v in sql_reasons.values())} unpriced in {len(sql_reasons)} reasons; "
          f"GROUP BY on the view {QUERY_MS.get('group', '?')} ms; "
          f"total {cli_text(sql_total)} (CLI {report['total']})")
    for p in problems:
        print("  MISMATCH", p)
    if problems:
        sys.exit(1)
    print(f"  {engine} totals == CLI totals, to the last digit; " + (
        "the incremental model built, extended and summed" if engine == "dbt-duckdb"
        else "the script ran twice under a dependent view"))


main()

#!/usr/bin/env python3
"""Benchmarks for the Jumpseller ODBC driver, measured side by side in one run.

1. Local (always): the sandbox without latency or limits, the driver's limits
   raised. Per query (a 4-column projection and SELECT *), through pyodbc with
   fetchmany(1000), each run in a child process of its own: wall, rows/s,
   CPU seconds and peak RSS of the client process (and the peak above the
   RSS of the idle connection), against
   - libsqliteodbc (Debian's SQLite ODBC driver) on the sandbox's export of
     the same data: what the API layer costs over reading a local file;
   - the transport floor (examples/transport_floor.rs): the same pages
     downloaded and parsed by a minimal client with the driver's HTTP and
     JSON crates, values skipped.
2. Limited (--limited): the sandbox with Jumpseller's limits (20 requests/s,
   800/min) and latency; a projection scan with prefetch, and with
   --connections K, K connections of one process scanning at once (sharing
   the store's budget). Ratios to the per-second ceiling (20 pages/s), the
   sustained one (800 pages/min) and the exact ceiling of that many requests
   under both (sliding windows: 800 in the first 40 s, then a pause to the
   minute). 429 answers are counted by the sandbox.
3. Replica (--replica): `jumpseller-odbc sync` of Orders and the children in
   each order's JSON on the sandbox with Jumpseller's limits and latency:
   the full sync (wall, requests, the request rate past the first 800
   against 800/min, peak RSS of the sync process, and that RSS for a store a
   tenth the size); an incremental sync after 100 new orders and 50 status
   changes in a 30-day recheck window (requests against the minimum: the
   window's pages, the new ids' pages, the count); then a cached GROUP BY
   status_enum and a cached SELECT * through pyodbc Offline against
   libsqliteodbc on the sandbox's export of the same data.

Usage: python3 bench/run.py [--orders N] [--repeat K] [--limited [--latency MS]
       [--jitter MS] [--connections K]] [--replica] [--no-local] [--no-sqlite]
Needs: a release build (cargo build --release -p jumpseller-odbc -p
jumpseller-sandbox --example transport_floor), unixODBC, pyodbc,
libsqliteodbc. Prints tables; paste them into bench/README.md.
"""
import argparse, json, os, resource, shutil, subprocess, sys, tempfile, threading, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# BENCH_PROFILE=debug runs the script on a debug build (to try it; figures come from release).
REL = os.path.join(ROOT, "target", os.environ.get("BENCH_PROFILE", "release"))
SQLITE_ODBC = "/usr/lib/x86_64-linux-gnu/odbc/libsqlite3odbc.so"
CREDS = "Login=sandbox;AuthToken=sandbox-authtoken"
RAISED = "MaxRequestsPerSecond=10000;MaxRequestsPerMinute=600000"
PROJECTION = "SELECT id, total, status_enum, created_at FROM Orders"
ALL = "SELECT * FROM Orders"
PAGE = 100


def rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def child(conn_str, sql, connections):
    """Runs in its own process: connect, then scan with fetchmany(1000) on
    `connections` connections at once; prints the figures as JSON."""
    import pyodbc

    cns = [pyodbc.connect(conn_str, autocommit=True) for _ in range(connections)]
    idle = rss_kb()
    counts = [0] * connections
    errors = []

    def scan(i):
        try:
            cur = cns[i].cursor().execute(sql)
            while True:
                rows = cur.fetchmany(1000)
                if not rows:
                    break
                counts[i] += len(rows)
        except Exception as e:  # reported, not hidden
            errors.append(str(e))

    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t = time.perf_counter()
    threads = [threading.Thread(target=scan, args=(i,)) for i in range(connections)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    print(json.dumps({"rows": sum(counts), "wall": wall, "cpu": cpu, "peak_kb": r1.ru_maxrss,
                      "idle_kb": idle, "errors": errors}))


def measure(conn_str, sql, repeat=1, connections=1):
    """Best wall of `repeat` child runs (with that run's other figures)."""
    best = None
    for _ in range(repeat):
        out = subprocess.run([sys.executable, __file__, "--child", conn_str, sql, str(connections)],
                             check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        if r["errors"]:
            sys.exit(f"{sql}: {r['errors'][0]}")
        best = r if best is None or r["wall"] < best["wall"] else best
    return best


def floor(url, orders, repeat):
    best = None
    for _ in range(repeat):
        out = subprocess.run([os.path.join(REL, "examples", "transport_floor"), url, str(orders)],
                             check=True, capture_output=True, text=True).stdout.split()
        r = {"rows": int(out[0]), "wall": float(out[1]), "cpu": float(out[2])}
        best = r if best is None or r["wall"] < best["wall"] else best
    return best


def paired_ratio(url, orders, conn_str, repeat):
    """The median of `repeat` ratios of a projection scan's wall to the
    floor's, the two run back to back: on a virtual machine whose speed
    drifts from minute to minute, each pair sees the same machine, where
    the best of each side may come from different minutes."""
    ratios = sorted(measure(conn_str, PROJECTION)["wall"] / floor(url, orders, 1)["wall"]
                    for _ in range(max(repeat, 1)))
    return ratios[len(ratios) // 2], ratios


def start_sandbox(orders, *flags):
    p = subprocess.Popen([os.path.join(REL, "jumpseller-sandbox"), "serve", "--port", "0",
                          "--orders", str(orders), *flags],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline().strip()
    assert line.startswith("JUMPSELLER_SANDBOX_URL="), line
    return p, line.split("=", 1)[1]


def stats(url):
    return json.load(urllib.request.urlopen(url.rsplit("/v1", 1)[0] + "/__sandbox/stats"))


def mb(kb):
    return f"{kb / 1024:,.0f}"


def local(a, tmp, table):
    db = os.path.join(tmp, "store.sqlite")
    if not a.no_sqlite:
        subprocess.run([os.path.join(REL, "jumpseller-sandbox"), "export", "--sqlite", db, "--orders", str(a.orders)],
                       check=True, stdout=subprocess.DEVNULL)
    sb, url = start_sandbox(a.orders, "--per-second", "0", "--per-minute", "0")
    try:
        ours = f"Driver={{Jumpseller ODBC Driver}};URL={url};{CREDS};{RAISED}"
        theirs = f"Driver={{SQLite3}};Database={db}"
        fl = floor(url, a.orders, a.repeat)
        table.append(("transport floor (reqwest + serde_json, values skipped)", fl["rows"], fl["wall"], fl["cpu"],
                      "", "", "baseline of the projection"))
        for sql in (PROJECTION, ALL):
            r1 = measure(ours, sql, a.repeat)
            r2 = None if a.no_sqlite else measure(theirs, sql, a.repeat)
            ratio = "" if r2 is None else f"{r1['wall'] / r2['wall']:.2f}x libsqliteodbc"
            if sql == PROJECTION:
                median, ratios = paired_ratio(url, a.orders, ours, a.repeat)
                ratio += (f"{', ' if ratio else ''}{r1['wall'] / fl['wall']:.2f}x the floor "
                          f"(paired runs: median {median:.2f}x of {', '.join(f'{x:.2f}' for x in ratios)})")
            runs = (("jumpseller-odbc", r1, ratio), ("libsqliteodbc", r2, ""))
            for name, r, what in (run for run in runs if run[1] is not None):
                table.append((f"`{sql}` - {name}", r["rows"], r["wall"], r["cpu"], mb(r["peak_kb"]),
                              mb(r["peak_kb"] - r["idle_kb"]), what))
    finally:
        sb.kill()


def ceiling_seconds(requests, per_second=20, per_minute=800):
    """Least time for `requests` starts under both sliding windows: bursts of
    per_minute at per_second, each followed by a pause to the minute."""
    if requests <= 0:
        return 0.0
    full, rest = divmod(requests - 1, per_minute)
    return 60.0 * full + (rest + 1) / per_second


def limited(a, table):
    sb, url = start_sandbox(a.orders, "--latency", str(a.latency), "--jitter", str(a.jitter))
    try:
        base = f"Driver={{Jumpseller ODBC Driver}};URL={url};{CREDS}"
        for k in sorted({1, a.connections}):
            before = stats(url)
            r = measure(base, PROJECTION, 1, k)
            after = stats(url)
            sent = after["total"] - before["total"] - k  # minus the connect checks
            throttled = after["rate_limited"] - before["rate_limited"]
            rps = r["rows"] / r["wall"]
            exact = r["rows"] / ceiling_seconds(sent)
            table.append((f"{k} connection(s), projection, {a.latency}±{a.jitter} ms, 20/s + 800/min "
                          f"({sent} requests, {throttled} answered 429)", r["rows"], r["wall"], r["cpu"],
                          mb(r["peak_kb"]), mb(r["peak_kb"] - r["idle_kb"]),
                          f"{rps / 2000:.2f} of 20/s, {rps / (800 * PAGE / 60):.2f} of 800/min, "
                          f"{rps / exact:.2f} of both for {sent} requests"))
    finally:
        sb.kill()


FAMILY = "Orders,OrderProducts,OrderAdditionalFields,OrderShippingTaxes,OrderPromotions"
GROUP_BY = "SELECT status_enum, COUNT(*), SUM(total) FROM Orders GROUP BY status_enum"
ORDERS_END = 1_767_225_600  # 2026-01-01: the sandbox's orders span the two years before


def run_sync(conn_str, tables, sample=None):
    """`jumpseller-odbc sync` in a process of its own: (summary lines, wall,
    peak RSS in kB); `sample(t)` is called about every 0.2 s meanwhile."""
    t = time.perf_counter()
    p = subprocess.Popen([os.path.join(REL, "jumpseller-odbc"), "sync", "--connection-string", conn_str,
                          "--tables", tables], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while True:
        # wait4: the child's own rusage (its peak RSS), not the children's max.
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if sample:
            sample(time.perf_counter() - t)
        time.sleep(0.2)
    wall = time.perf_counter() - t
    out, err = p.stdout.read(), p.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"sync failed: {out}{err}")
    return out.splitlines(), wall, usage.ru_maxrss


def sync_requests(lines):
    """Requests per table from the summary lines."""
    return {l.split(":")[0]: int(l.rsplit(",", 1)[1].split()[0]) for l in lines}


def control(url, what, body):
    base = url.rsplit("/v1", 1)[0]
    req = urllib.request.Request(f"{base}/__sandbox/{what}", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))


def put_status(url, order_id, status):
    import base64
    auth = base64.b64encode(b"sandbox:sandbox-authtoken").decode()
    req = urllib.request.Request(f"{url}/orders/{order_id}.json", method="PUT",
                                 data=json.dumps({"order": {"status": status}}).encode(),
                                 headers={"Content-Type": "application/json", "Authorization": f"Basic {auth}"})
    urllib.request.urlopen(req).read()


def limited_sync(url, conn):
    """A full sync of the Orders family, sampling the sandbox's request count:
    (lines, wall, peak kB, requests, the sustained rate as text). Sustained:
    between the 800th request and the last whole multiple of 800 (whole
    minutes of budget), against 800/min; a sync of fewer than 1,600 has none."""
    samples = []
    lines, wall, peak = run_sync(conn, FAMILY, lambda t: samples.append((t, stats(url)["total"])))
    sent = stats(url)["total"] - 1  # minus the sign-in check
    top = sent // 800 * 800
    rate = ""
    if top >= 1600:
        a = next((t, n) for t, n in samples if n >= 800)
        b = next(((t, n) for t, n in samples if n >= top), samples[-1])
        if b[0] > a[0]:
            per_min = (b[1] - a[1]) / (b[0] - a[0]) * 60
            rate = f"; sustained {per_min:,.0f} requests/min = {per_min / 800:.2f} of 800/min"
    return lines, wall, peak, sent, rate


def sustained(a, tmp, table):
    sb, url = start_sandbox(a.sustained, "--latency", str(a.latency), "--jitter", str(a.jitter))
    try:
        conn = f"URL={url};{CREDS};CacheLocation={tmp}/sustained.db"
        lines, wall, peak, sent, rate = limited_sync(url, conn)
        table.append((f"full sync, {a.sustained:,} orders + embedded children, {a.latency}±{a.jitter} ms, "
                      f"20/s + 800/min ({sent} requests)", a.sustained, wall, 0, mb(peak), "",
                      f"{ceiling_seconds(sent) / wall:.2f} of both limits for {sent} requests{rate}"))
    finally:
        sb.kill()


def replica(a, tmp, table):
    # Peak RSS flat in store size: a tenth of the store first, limits off.
    small, small_url = start_sandbox(a.orders // 10, "--per-second", "0", "--per-minute", "0")
    try:
        conn = f"URL={small_url};{CREDS};{RAISED};CacheLocation={tmp}/small.db"
        _, wall, small_peak = run_sync(conn, FAMILY)
        table.append((f"full sync, {a.orders // 10:,} orders, limits off", a.orders // 10, wall, 0, mb(small_peak),
                      "", "peak RSS of the sync process"))
    finally:
        small.kill()
    sb, url = start_sandbox(a.orders, "--latency", str(a.latency), "--jitter", str(a.jitter))
    try:
        db = os.path.join(tmp, "replica.db")
        # The recheck window: the last 30 days of the sandbox's orders, and now.
        days = (int(time.time()) - (ORDERS_END - 30 * 86400)) // 86400
        conn = f"URL={url};{CREDS};CacheLocation={db};CacheRecheckDays={days}"
        lines, wall, peak, sent, rate = limited_sync(url, conn)
        table.append((f"full sync, {a.orders:,} orders + embedded children, {a.latency}±{a.jitter} ms, "
                      f"20/s + 800/min ({sent} requests: {sync_requests(lines)})", a.orders, wall, 0, mb(peak), "",
                      f"{ceiling_seconds(sent) / wall:.2f} of both limits for {sent} requests{rate}"))
        # 100 new orders (created now) and 50 status changes in the window,
        # a minute after the full sync (its budget, shared by the machine's
        # processes through the driver's rate file, is then free again).
        time.sleep(60)
        control(url, "reset-rate-limits", {})
        control(url, "mutate", {"create_orders": 100})
        import pyodbc
        live = pyodbc.connect(f"Driver={{Jumpseller ODBC Driver}};URL={url};{CREDS};{RAISED}", autocommit=True)
        since = time.strftime("%Y-%m-%d", time.gmtime(ORDERS_END - 29 * 86400))
        ids = [r[0] for r in live.cursor().execute(
            f"SELECT id FROM Orders WHERE created_at >= '{since}' AND status <> 'Canceled' ORDER BY id LIMIT 50")]
        before_window = live.cursor().execute(
            "SELECT COUNT(*) FROM Orders WHERE created_at >= ?",
            time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - days * 86400 - 86400))).fetchone()[0]
        live.close()
        for i in ids:
            put_status(url, i, "Canceled")
            time.sleep(0.1)  # under 20/s
        control(url, "reset-rate-limits", {})
        control(url, "reset", {})
        lines, wall, _ = run_sync(conn, FAMILY)
        used = stats(url)["total"] - 1
        routes = stats(url)["by_route"]
        window_pages = routes.get("GET /orders.json", 0)
        # The least the API allows: the window's pages (its rows, widened a
        # day each way, 100 a page), the new ids' pages (100 new: a full page
        # and the empty one that ends the list) and the count.
        new_pages = routes.get("GET /orders/after/{id}.json", 0)
        least = -(-before_window // PAGE) + 2 + 1
        table.append((f"incremental sync after 100 new orders + {len(ids)} status changes, {days}-day window "
                      f"({sync_requests(lines)})", 150, wall, 0, "", "",
                      f"{used} requests: {window_pages} window pages + {new_pages} new-id pages + "
                      f"{used - window_pages - new_pages} count; least about {least} "
                      f"({before_window} rows in the widened window); target window pages + 3 = {window_pages + 3}"))
    finally:
        sb.kill()
    # Cached answers: Offline through pyodbc against libsqliteodbc on the export.
    export = os.path.join(tmp, "store.sqlite")
    subprocess.run([os.path.join(REL, "jumpseller-sandbox"), "export", "--sqlite", export, "--orders",
                    str(a.orders)], check=True, stdout=subprocess.DEVNULL)
    full = os.path.join(tmp, "replica-full.db")
    fsb, furl = start_sandbox(a.orders, "--per-second", "0", "--per-minute", "0")
    try:
        run_sync(f"URL={furl};{CREDS};{RAISED};CacheLocation={full}", "Orders")
    finally:
        fsb.kill()
    ours = f"Driver={{Jumpseller ODBC Driver}};URL=http://127.0.0.1:9;{CREDS};CacheLocation={full};Offline=true"
    theirs = f"Driver={{SQLite3}};Database={export}"
    for sql in (GROUP_BY, ALL):
        r1 = measure(ours, sql, a.repeat)
        r2 = measure(theirs, sql, a.repeat)
        for name, r, what in (("Offline replica", r1, f"{r1['wall'] / r2['wall']:.2f}x libsqliteodbc"),
                              ("libsqliteodbc", r2, "")):
            table.append((f"`{sql}` - {name}", r["rows"], r["wall"], r["cpu"], mb(r["peak_kb"]),
                          mb(r["peak_kb"] - r["idle_kb"]), what))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--limited", action="store_true", help="also scan under the default limits (slow)")
    ap.add_argument("--no-local", action="store_true", help="skip the local comparison")
    ap.add_argument("--no-sqlite", action="store_true",
                    help="local runs without libsqliteodbc (the export needs ~28 KB of memory an order)")
    ap.add_argument("--latency", type=int, default=150)
    ap.add_argument("--jitter", type=int, default=50)
    ap.add_argument("--connections", type=int, default=1)
    ap.add_argument("--replica", action="store_true", help="sync a replica under the limits, then query it")
    ap.add_argument("--sustained", type=int, default=0,
                    help="also a full sync of this many orders under the limits (the sustained rate)")
    a = ap.parse_args()
    needed = ["libjumpseller_odbc.so", "jumpseller-sandbox"]
    needed += ["jumpseller-odbc"] if a.replica or a.sustained else []
    needed += [] if a.no_local else ["examples/transport_floor"]
    for f in needed:
        if not os.path.exists(os.path.join(REL, f)):
            sys.exit(f"missing target/release/{f}: cargo build --release -p jumpseller-odbc "
                     "-p jumpseller-sandbox --example transport_floor")
    tmp = tempfile.mkdtemp(prefix="js-bench-")
    with open(os.path.join(tmp, "odbcinst.ini"), "w") as f:
        f.write(f"[Jumpseller ODBC Driver]\nDriver={REL}/libjumpseller_odbc.so\n\n[SQLite3]\nDriver={SQLITE_ODBC}\n")
    os.environ["ODBCSYSINI"] = tmp
    table = []
    try:
        if not a.no_local:
            local(a, tmp, table)
        if a.limited:
            limited(a, table)
        if a.replica:
            replica(a, tmp, table)
        if a.sustained:
            sustained(a, tmp, table)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # the export is 325 MB at 100,000 orders
    print(f"orders={a.orders}, best of {a.repeat} for local runs, fetchmany(1000)\n")
    print("| measurement | rows | wall s | rows/s | CPU s | peak RSS MB | above idle MB | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, rows, wall, cpu, peak, above, ratio in table:
        print(f"| {name} | {rows} | {wall:.2f} | {rows / wall:,.0f} | {cpu:.2f} | {peak} | {above} | {ratio} |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Benchmarks for the Jumpseller ODBC driver, measured side by side in one run.

1. Scan throughput against the rate-limit ceiling: the sandbox with real
   latency and Jumpseller's limits (20 req/s, 800 req/min); the driver with
   prefetch (default) and without (Prefetch=0). Ceiling = 20 pages/s x 100 rows.
2. The driver against libsqliteodbc (Debian's SQLite ODBC driver) on the same
   data: the sandbox without latency or limits versus its export to SQLite.
   This shows what the API layer costs over reading a local file.

Usage: python3 bench/run.py [--orders N] [--latency MS] [--jitter MS] [--repeat K]
Needs: a release build (cargo build --release -p jumpseller-odbc -p jumpseller-sandbox),
unixODBC, pyodbc, libsqliteodbc. Prints a table; paste it into bench/README.md.
"""
import argparse, json, os, subprocess, sys, tempfile, time, urllib.request

import pyodbc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REL = os.path.join(ROOT, "target", "release")
SQLITE_ODBC = "/usr/lib/x86_64-linux-gnu/odbc/libsqlite3odbc.so"


def start_sandbox(*flags):
    p = subprocess.Popen([os.path.join(REL, "jumpseller-sandbox"), "serve", "--port", "0", *flags],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline().strip()
    assert line.startswith("JUMPSELLER_SANDBOX_URL="), line
    return p, line.split("=", 1)[1]


def timed(conn_str, sql, repeat):
    """Best of `repeat` runs of sql through pyodbc with every row fetched."""
    best, rows = None, 0
    for _ in range(repeat):
        cn = pyodbc.connect(conn_str, autocommit=True)
        t = time.perf_counter()
        rows = len(cn.cursor().execute(sql).fetchall())
        dt = time.perf_counter() - t
        cn.close()
        best = dt if best is None else min(best, dt)
    return rows, best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=10000)
    ap.add_argument("--latency", type=int, default=150)
    ap.add_argument("--jitter", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    for f in ("libjumpseller_odbc.so", "jumpseller-sandbox"):
        if not os.path.exists(os.path.join(REL, f)):
            sys.exit(f"missing target/release/{f}: cargo build --release -p jumpseller-odbc -p jumpseller-sandbox")
    tmp = tempfile.mkdtemp(prefix="js-bench-")
    with open(os.path.join(tmp, "odbcinst.ini"), "w") as f:
        f.write(f"[Jumpseller ODBC Driver]\nDriver={REL}/libjumpseller_odbc.so\n\n[SQLite3]\nDriver={SQLITE_ODBC}\n")
    os.environ["ODBCSYSINI"] = tmp
    creds = "Login=sandbox;AuthToken=sandbox-authtoken"
    out = []

    # 1. Throughput against the rate-limit ceiling.
    sb, url = start_sandbox("--orders", str(a.orders), "--latency", str(a.latency), "--jitter", str(a.jitter))
    try:
        ceiling = 20 * 100
        base = f"Driver={{Jumpseller ODBC Driver}};URL={url};{creds}"
        stats = url.rsplit("/v1", 1)[0] + "/__sandbox/stats"
        for label, extra in (("prefetch (default)", ""), ("sequential (Prefetch=0)", ";Prefetch=0")):
            before = json.load(urllib.request.urlopen(stats))["total"]
            rows, dt = timed(base + extra, "SELECT * FROM Orders", 1)
            sent = json.load(urllib.request.urlopen(stats))["total"] - before - 1  # minus the connect check
            out.append((f"scan Orders, {label} ({sent} requests for {rows // 100 + 1} pages)", rows, dt, rows / dt, f"{rows / dt / ceiling:.2f} of the ceiling ({ceiling} rows/s)"))
    finally:
        sb.kill()

    # 2. Against libsqliteodbc on the same data.
    db = os.path.join(tmp, "store.sqlite")
    subprocess.run([os.path.join(REL, "jumpseller-sandbox"), "export", "--sqlite", db, "--orders", str(a.orders)], check=True, stdout=subprocess.DEVNULL)
    sb, url = start_sandbox("--orders", str(a.orders), "--per-second", "0", "--per-minute", "0")
    try:
        ours = f"Driver={{Jumpseller ODBC Driver}};URL={url};{creds};MaxRequestsPerSecond=10000;MaxRequestsPerMinute=600000"
        theirs = f"Driver={{SQLite3}};Database={db}"
        for q in ("SELECT * FROM Orders", "SELECT status_enum, COUNT(*), SUM(total) FROM Orders GROUP BY status_enum"):
            r1, t1 = timed(ours, q, a.repeat)
            r2, t2 = timed(theirs, q, a.repeat)
            out.append((f"{q} - jumpseller-odbc", r1, t1, r1 / t1, f"{t1 / t2:.1f}x the time of libsqliteodbc"))
            out.append((f"{q} - libsqliteodbc", r2, t2, r2 / t2, "baseline"))
    finally:
        sb.kill()

    print(f"orders={a.orders} latency={a.latency}±{a.jitter} ms, best of {a.repeat} for local runs\n")
    print("| measurement | rows | seconds | rows/s | ratio |")
    print("|---|---:|---:|---:|---|")
    for name, rows, dt, rps, ratio in out:
        print(f"| {name} | {rows} | {dt:.3f} | {rps:,.0f} | {ratio} |")


if __name__ == "__main__":
    main()

"""The local replica through unixODBC: `jumpseller-odbc sync` fills it from the
module's sandbox, then an Offline connection (pyodbc) answers statements of the
differential corpus (differential.py) exactly as the oracle built from live
scans does. Every test runs on both replicas: an SQLite file (CacheLocation)
and a private PostgreSQL server (CacheConnection, replica_backend.py), which psql
then reads directly. REPLICA_DIFF_COUNT overrides how many statements run."""

import os
import re
from decimal import Decimal
import subprocess
from pathlib import Path

import pyodbc
import pytest

from conftest import LOGIN, SANDBOX_BIN
import differential as D
from replica_backend import backend, fresh_replica  # noqa: F401 (a fixture)

SYNC_BIN = Path(os.environ.get("JUMPSELLER_ODBC_BIN", Path(SANDBOX_BIN).parent / "jumpseller-odbc"))
SEED = int(os.environ.get("DIFF_SEED", "20261207"))
COUNT = int(os.environ.get("REPLICA_DIFF_COUNT", "300"))
SUMMARY = re.compile(r"^(\w+): (full|incremental|incremental\+reconciled), (\d+) rows read, (\d+) rows, (\d+) requests$")


@pytest.fixture(scope="module")
def replica(module_sandbox, backend):
    """Every table synced into a fresh replica; (its key, summary lines)."""
    key, _ = backend
    conn = module_sandbox.conn_str(**key)
    out = subprocess.run([str(SYNC_BIN), "sync", "--connection-string", conn],
                         capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stdout + out.stderr
    return key, out.stdout.splitlines()


@pytest.fixture(scope="module")
def offline(module_sandbox, replica):
    conn = pyodbc.connect(module_sandbox.conn_str(**replica[0], Offline="true"), autocommit=True)
    yield conn
    conn.close()


def test_sync_prints_one_summary_line_per_table(replica):
    _, lines = replica
    assert len(lines) == len(D.TABLES), lines
    parsed = {m.group(1): m for m in map(SUMMARY.match, lines) if m}
    assert set(parsed) == set(D.TABLES), [line for line in lines if not SUMMARY.match(line)]
    assert parsed["Orders"].group(2) == "full"
    assert int(parsed["Orders"].group(4)) == 400


def test_offline_answers_the_corpus_like_the_oracle(module_conn, offline, replica):
    oracle = D.build_oracle(module_conn.cursor())
    wrong, kinds = D.wrong_answers(offline.cursor(), oracle, SEED, COUNT)
    print(f"\nreplica corpus (seed {SEED}): {COUNT} statements {sorted(kinds.items())}, {len(wrong)} wrong")
    assert not wrong, f"{len(wrong)} wrong answers from the replica; first ones:\n" + "\n".join(wrong[:8])


def test_cache_status_lists_every_synced_table(offline):
    rows = offline.cursor().execute(
        "SELECT table_name, rows, stale FROM CacheStatus ORDER BY table_name").fetchall()
    assert sorted(r.table_name for r in rows) == sorted(D.TABLES)
    assert all(r.stale is False or r.stale == 0 for r in rows)


def test_offline_refuses_writes(offline):
    with pytest.raises(pyodbc.Error) as e:
        offline.cursor().execute("DELETE FROM Products WHERE id = 1")
    assert "HYC00" in str(e.value) and "Offline" in str(e.value)


def test_psql_reads_the_postgresql_replica_directly(backend, replica, module_conn):
    """Any tool sees the store's schema, typed columns and the exact amounts."""
    _, pg = backend
    if pg is None:
        pytest.skip("the SQLite replica is a file, read by the SQLite tests")
    tables = set(pg.psql(f"SELECT tablename FROM pg_tables WHERE schemaname = '{LOGIN}'").split())
    assert tables == set(D.TABLES) | {"_replica_sync"}
    types = dict(line.split("|") for line in pg.psql(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
        f"WHERE attrelid = '\"{LOGIN}\".\"Orders\"'::regclass AND attnum > 0").split("\n") if line)
    assert types["id"] == "bigint" and types["total"].startswith("numeric(")
    assert types["created_at"] == "timestamp with time zone"
    live = {r.id: r.total for r in module_conn.cursor().execute("SELECT id, total FROM Orders")}
    got = {int(i): Decimal(t) for i, t in (line.split("|") for line in pg.psql(
        f'SELECT id, total FROM "{LOGIN}"."Orders"').split("\n") if line)}
    assert got == {i: Decimal(str(t)) for i, t in live.items()}


def test_sync_cache_procedure_through_pyodbc(module_sandbox, workdir, backend):
    """{call SyncCache(?)} with a bound argument: one row per table, described
    by SQLProcedureColumns; then the Offline connection answers from it."""
    key = fresh_replica(backend, workdir, "replica_proc")
    conn = pyodbc.connect(module_sandbox.conn_str(**key), autocommit=True)
    cur = conn.cursor()
    names = [(c.column_name, c.column_type) for c in cur.procedureColumns(procedure="SyncCache")]
    assert names == [("Tables", 1), ("table_name", 3), ("mode", 3), ("rows_read", 3), ("rows", 3),
                     ("requests", 3), ("error", 3)]
    rows = cur.execute("{call SyncCache(?)}", "Categories,Products").fetchall()
    assert [tuple(r)[:2] for r in rows] == [("Categories", "full"), ("Products", "full")]
    assert [r.rows for r in rows] == [12, 120] and all(r.error is None for r in rows)
    assert [d[0] for d in cur.description] == ["table_name", "mode", "rows_read", "rows", "requests", "error"]
    offline = pyodbc.connect(module_sandbox.conn_str(**key, Offline="true"), autocommit=True)
    assert offline.cursor().execute("SELECT COUNT(*) FROM Products").fetchone()[0] == 120
    offline.close()
    conn.close()

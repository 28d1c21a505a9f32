"""AutoCache=true through unixODBC (pyodbc): the first statements sync the
tables they read into a fresh replica and answer from it; within
CacheTolerance a statement sends no request; answers equal the oracle built
from live scans for a subset of the differential corpus (differential.py);
a write goes to the API and a read after it sees it without a sync. Every
test runs on both replicas (SQLite file and PostgreSQL: replica_backend.py).
AUTOCACHE_DIFF_COUNT overrides how many corpus statements run."""

import os

import pyodbc
import pytest

import differential as D
from replica_backend import backend, fresh_replica  # noqa: F401 (a fixture)

SEED = int(os.environ.get("DIFF_SEED", "20261207"))
COUNT = int(os.environ.get("AUTOCACHE_DIFF_COUNT", "150"))


@pytest.fixture(scope="module")
def auto(module_sandbox, backend):
    key, _ = backend
    conn = pyodbc.connect(module_sandbox.conn_str(**key, AutoCache="true"), autocommit=True)
    yield conn
    conn.close()


def test_first_query_syncs_and_the_second_sends_nothing(module_sandbox, module_conn, auto):
    sql = "SELECT status, COUNT(*), SUM(total) FROM Orders GROUP BY status ORDER BY status"
    want = module_conn.cursor().execute(sql).fetchall()
    module_sandbox.reset()
    assert auto.cursor().execute(sql).fetchall() == want
    assert module_sandbox.stats()["total"] > 0
    module_sandbox.reset()
    assert auto.cursor().execute(sql).fetchall() == want
    assert module_sandbox.stats()["total"] == 0


def test_auto_cache_answers_the_corpus_like_the_oracle(module_conn, auto):
    oracle = D.build_oracle(module_conn.cursor())
    wrong, kinds = D.wrong_answers(auto.cursor(), oracle, SEED, COUNT)
    print(f"\nautocache corpus (seed {SEED}): {COUNT} statements {sorted(kinds.items())}, {len(wrong)} wrong")
    assert not wrong, f"{len(wrong)} wrong answers under AutoCache; first ones:\n" + "\n".join(wrong[:8])


def test_a_read_after_a_write_sees_it_without_a_sync(module_sandbox, auto):
    cursor = auto.cursor()
    before = cursor.execute("SELECT COUNT(*) FROM Customers").fetchone()[0]
    module_sandbox.reset()
    cursor.execute("UPDATE Customers SET phone = '+56 2 2345 6789' WHERE id = 3")
    assert cursor.rowcount == 1
    writes = module_sandbox.stats()["total"]
    assert writes >= 1
    assert cursor.execute("SELECT phone FROM Customers WHERE id = 3").fetchone()[0] == "+56 2 2345 6789"
    assert cursor.execute("SELECT COUNT(*) FROM Customers").fetchone()[0] == before
    assert module_sandbox.stats()["total"] == writes


def test_a_table_a_describing_pragma_names_by_a_parameter_is_synced_first(
        module_sandbox, module_conn, backend, workdir):
    """pragma_table_info(?) names its table only when it runs: a table the
    replica never held is synced then, and the pragma answers its columns as
    live does (not an empty list); the statement run again with another
    table does the same."""
    key = fresh_replica(backend, workdir, "describe_by_parameter")
    conn = pyodbc.connect(module_sandbox.conn_str(**key, AutoCache="true"), autocommit=True)
    sql = "SELECT name FROM pragma_table_info(?) ORDER BY cid"
    live = module_conn.cursor()
    cur = conn.cursor()
    for table in ["Customers", "Products", "Customers"]:
        want = live.execute(sql, table).fetchall()
        assert len(want) > 5, table
        assert cur.execute(sql, table).fetchall() == want, table
    assert cur.execute(sql, "NoSuchTable").fetchall() == []
    conn.close()

"""Parameters through pyodbc and unixODBC (issue 9): SQLDescribeParam,
long values sent at execution time (SQLParamData / SQLPutData), and
parameter arrays (fast_executemany)."""

import pyodbc
import pytest

SQL_BIGINT, SQL_WVARCHAR = -5, -9


@pytest.fixture
def conn(start_sandbox):
    # A private sandbox: these tests write, the shared one must stay as it is.
    sb = start_sandbox()
    c = pyodbc.connect(sb.conn_str(), autocommit=True)
    yield c
    c.close()


def test_setinputsizes_and_none_use_the_described_types(conn):
    cur = conn.cursor()
    # A None parameter makes pyodbc ask SQLDescribeParam for its type.
    rows = cur.execute("SELECT id FROM Categories WHERE parent_id = ? OR id = ?", None, 1).fetchall()
    assert all(r[0] == 1 for r in rows)
    # Explicit sizes, NULLs in a BIGINT column, through a parameter array.
    cur.fast_executemany = True
    cur.setinputsizes([(SQL_WVARCHAR, 100, 0), (SQL_BIGINT, 0, 0)])
    cur.executemany("INSERT INTO Categories (name, parent_id) VALUES (?, ?)",
                    [("inputsizes a", None), ("inputsizes b", 1)])
    got = cur.execute("SELECT name, parent_id FROM Categories WHERE name LIKE 'inputsizes %' ORDER BY name").fetchall()
    assert [tuple(r) for r in got] == [("inputsizes a", None), ("inputsizes b", 1)]


def test_describe_param_answers_the_column_types(conn):
    # pyodbc has no direct SQLDescribeParam call; fast_executemany asks it
    # for every marker and binds accordingly.
    cur = conn.cursor()
    cur.fast_executemany = True
    cur.executemany("SELECT id FROM Categories WHERE id = ? AND name = ?", [(1, "x")])


@pytest.mark.parametrize("n", [32_768, 100_000])
def test_a_long_parameter_arrives_at_execution(conn, n):
    cur = conn.cursor()
    value = "é" * (n - 1) + "☕"
    assert cur.execute("SELECT LENGTH(?)", value).fetchone()[0] == n
    assert cur.execute("SELECT ? = ?", value, value).fetchone()[0] == 1
    # Bytes too.
    assert cur.execute("SELECT LENGTH(?)", b"\x01" * n).fetchone()[0] == n
    # And in a WHERE over a table: no category has that name.
    assert cur.execute("SELECT COUNT(*) FROM Categories WHERE name = ?", value).fetchone()[0] == 0


def test_fast_executemany_inserts_every_row(conn):
    cur = conn.cursor()
    cur.fast_executemany = True
    names = [f"fast executemany {i:02}" for i in range(50)]
    cur.executemany("INSERT INTO Categories (name) VALUES (?)", [(n,) for n in names])
    got = sorted(r[0] for r in cur.execute(
        "SELECT name FROM Categories WHERE name LIKE 'fast executemany %'").fetchall())
    assert got == names
    # Row-count: pyodbc reports the sum over the array.
    cur.executemany("UPDATE Categories SET permalink = ? WHERE name = ?",
                    [(f"fem-{i}", n) for i, n in enumerate(names[:3])])
    assert sorted(r[0] for r in cur.execute(
        "SELECT permalink FROM Categories WHERE permalink LIKE 'fem-%'").fetchall()) == ["fem-0", "fem-1", "fem-2"]

"""Upserts through pyodbc (issue 8.4): REPLACE updates the row whose key
exists, INSERT OR IGNORE / ON CONFLICT DO NOTHING skip it, a plain INSERT of
an existing id is 23000, and what cannot be done exactly (DO UPDATE, a key
the API would not use) is refused before anything is written."""

import pyodbc
import pytest


@pytest.fixture
def box(start_sandbox):
    """A private sandbox (these tests write) and an autocommit connection."""
    sb = start_sandbox()
    conn = pyodbc.connect(sb.conn_str(), autocommit=True)
    yield sb, conn
    conn.close()


def writes(sb):
    """Write requests since the last reset, by route."""
    return {k: v for k, v in sb.stats()["by_route"].items() if k.split(" ")[0] in ("POST", "PUT", "DELETE")}


def scalar(cur, sql, *params):
    return cur.execute(sql, *params).fetchone()[0]


def refused(sb, cur, sql, state, *params):
    sb.reset()
    with pytest.raises(pyodbc.Error) as e:
        cur.execute(sql, *params)
    assert e.value.args[0] == state, e.value.args
    assert writes(sb) == {}, f"{sql} wrote something"
    return " ".join(str(a) for a in e.value.args)


def test_replace_updates_the_existing_row(box):
    sb, conn = box
    cur = conn.cursor()
    before = scalar(cur, "SELECT COUNT(*) FROM Categories")
    sb.reset()
    cur.execute("REPLACE INTO Categories (id, name) VALUES (?, ?)", 2, "Reemplazada ñ")
    assert cur.rowcount == 1
    assert writes(sb) == {"PUT /categories/{id}.json": 1}
    assert scalar(cur, "SELECT COUNT(*) FROM Categories") == before
    assert scalar(cur, "SELECT name FROM Categories WHERE id = 2") == "Reemplazada ñ"
    # Parameters, several executions: each row its own PUT.
    sb.reset()
    cur.executemany("INSERT OR REPLACE INTO Categories (id, name) VALUES (?, ?)", [(2, "Dos"), (3, "Tres")])
    assert writes(sb) == {"PUT /categories/{id}.json": 2}
    rows = cur.execute("SELECT id, name FROM Categories WHERE id IN (2, 3) ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [(2, "Dos"), (3, "Tres")]
    assert scalar(cur, "SELECT COUNT(*) FROM Categories") == before
    # Without a key: created.
    sb.reset()
    cur.execute("REPLACE INTO Categories (name) VALUES (?)", "Nueva")
    assert writes(sb) == {"POST /categories.json": 1}
    assert scalar(cur, "SELECT COUNT(*) FROM Categories") == before + 1
    # A key that does not exist would be created under another id: refused.
    msg = refused(sb, cur, "REPLACE INTO Categories (id, name) VALUES (?, ?)", "23000", 987654, "x")
    assert "assigns keys" in msg
    assert scalar(cur, "SELECT COUNT(*) FROM Categories") == before + 1


def test_ignore_and_do_nothing_skip_the_existing_row(box):
    sb, conn = box
    cur = conn.cursor()
    before = scalar(cur, "SELECT COUNT(*) FROM Categories")
    name = scalar(cur, "SELECT name FROM Categories WHERE id = 2")
    for sql in ["INSERT OR IGNORE INTO Categories (id, name) VALUES (?, ?)",
                "INSERT INTO Categories (id, name) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
                "INSERT INTO Categories (id, name) VALUES (?, ?) ON CONFLICT DO NOTHING"]:
        sb.reset()
        cur.execute(sql, 2, "ignorada")
        assert cur.rowcount == 0, sql
        assert writes(sb) == {}, sql
    assert scalar(cur, "SELECT name FROM Categories WHERE id = 2") == name
    assert scalar(cur, "SELECT COUNT(*) FROM Categories") == before
    sb.reset()
    cur.execute("INSERT OR IGNORE INTO Categories (name) VALUES (?)", "sin clave")
    assert cur.rowcount == 1
    assert writes(sb) == {"POST /categories.json": 1}
    refused(sb, cur, "INSERT OR IGNORE INTO Categories (id, name) VALUES (987654, 'x')", "23000")
    assert scalar(cur, "SELECT COUNT(*) FROM Categories") == before + 1


def test_plain_insert_of_an_existing_id_is_23000(box):
    sb, conn = box
    cur = conn.cursor()
    before = scalar(cur, "SELECT COUNT(*) FROM Categories")
    msg = refused(sb, cur, "INSERT INTO Categories (id, name) VALUES (?, ?)", "23000", 2, "duplicada")
    assert "already has a row with id = 2" in msg
    refused(sb, cur, "INSERT INTO Categories (id, name) VALUES (?, ?)", "23000", 987654, "elegida")
    assert scalar(cur, "SELECT COUNT(*) FROM Categories") == before


def test_do_update_is_refused_naming_the_supported_forms(box):
    sb, conn = box
    cur = conn.cursor()
    before = scalar(cur, "SELECT COUNT(*) FROM Categories")
    msg = refused(sb, cur, "INSERT INTO Categories (id, name) VALUES (2, 'x') "
                           "ON CONFLICT (id) DO UPDATE SET name = excluded.name", "HYC00")
    assert "REPLACE INTO" in msg and "INSERT OR IGNORE" in msg
    refused(sb, cur, "INSERT INTO Categories (id, name) VALUES (2, 'x') ON CONFLICT (name) DO NOTHING", "42000")
    assert scalar(cur, "SELECT COUNT(*) FROM Categories") == before


def test_child_rows(box):
    sb, conn = box
    cur = conn.cursor()
    pid, vid = cur.execute("SELECT product_id, id FROM ProductVariants WHERE product_id = 2 LIMIT 1").fetchone()
    n = lambda: scalar(cur, "SELECT COUNT(*) FROM ProductVariants WHERE product_id = ?", pid)
    before = n()
    sb.reset()
    cur.execute("REPLACE INTO ProductVariants (product_id, id, stock) VALUES (?, ?, ?)", pid, vid, 17)
    assert writes(sb) == {"PUT /products/{id}/variants/{id}.json": 1}
    assert scalar(cur, "SELECT stock FROM ProductVariants WHERE product_id = ? AND id = ?", pid, vid) == 17
    refused(sb, cur, "INSERT INTO ProductVariants (product_id, id, stock) VALUES (?, ?, 1)", "23000", pid, vid)
    refused(sb, cur, "REPLACE INTO ProductVariants (product_id, id, stock) VALUES (?, 987654, 1)", "23000", pid)
    assert n() == before

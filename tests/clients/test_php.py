"""PHP through unixODBC (issue 9: a real client that binds parameters by
describing them first). Both of PHP's ODBC APIs describe every marker:
ext/odbc's odbc_prepare calls SQLDescribeParam for each one and
odbc_execute binds with the described SQL type; PDO_ODBC's bindValue calls
SQLDescribeParam and then SQLBindParameter with that type, sending the value
at execution (SQLParamData/SQLPutData). A unixODBC trace proves the order.

tests/clients/php/params.php runs the same prepared statements (int,
decimal, text, date, NULL, non-ASCII and 40,000-character parameters,
INSERT and UPDATE) through odbc_* and through PDO; pyodbc runs them too,
each on a fresh sandbox, and every answer must be the same."""

import datetime
import json
import os
import re
import shutil
import subprocess
from decimal import Decimal

import pyodbc
import pytest

from conftest import CLIENTS, DRIVER_LIB, DRIVER_NAME, FAST_FLAGS, Sandbox, _ensure_built, run


def have_php_odbc():
    if not shutil.which("php"):
        return False
    mods = subprocess.run(["php", "-m"], capture_output=True, text=True).stdout.split()
    return "odbc" in mods and "PDO_ODBC" in mods


pytestmark = pytest.mark.skipif(not have_php_odbc(), reason="php-cli/php-odbc not installed (apt-get install php-cli php-odbc)")

SQL_BIGINT, SQL_DECIMAL, SQL_WVARCHAR, SQL_WLONGVARCHAR = -5, 3, -9, -10
SQL_TYPE_TIMESTAMP, SQL_TIMESTAMP_ODBC2 = 93, 11
LONG = "é" * 39_999 + "☕"
NAME = "Café ☕ 日本 Ñandú"

# (name, SQL, [(kind, value)]): kinds int, dec, str, date, null. PHP sends
# every value as text with the described SQL type; pyodbc sends Python types.
CASES = [
    ("int", "SELECT id, name, price, created_at FROM Products WHERE id = ?", [("int", 4)]),
    ("decimal", "SELECT id, price FROM Products WHERE price > ? ORDER BY id LIMIT 5", [("dec", "300.5")]),
    ("text", "SELECT id, name FROM Products WHERE name LIKE ? ORDER BY id", [("str", "%Mate%")]),
    ("date", "SELECT COUNT(*), MIN(created_at), MAX(created_at) FROM Orders WHERE created_at >= ? AND created_at < ?",
     [("date", "2024-06-01"), ("date", "2024-07-01")]),
    ("mixed", "SELECT COUNT(*), SUM(total) FROM Orders WHERE customer_id > ? AND total > ? AND status_enum <> ?",
     [("int", 3), ("dec", "10.25"), ("str", "canceled")]),
    ("insert", "INSERT INTO Categories (name, parent_id) VALUES (?, ?)", [("str", NAME), ("null", None)]),
    ("read insert", "SELECT id, name, parent_id FROM Categories WHERE name = ?", [("str", NAME)]),
    ("update", "UPDATE Categories SET name = ?, parent_id = ? WHERE name = ?",
     [("str", NAME + " ü"), ("int", 1), ("str", NAME)]),
    ("read update", "SELECT name, parent_id FROM Categories WHERE name = ?", [("str", NAME + " ü")]),
    ("update to null", "UPDATE Categories SET parent_id = ? WHERE name = ?", [("null", None), ("str", NAME + " ü")]),
    ("read null", "SELECT name, parent_id, ? IS NULL FROM Categories WHERE name = ?",
     [("null", None), ("str", NAME + " ü")]),
    ("long select", "SELECT LENGTH(?), SUBSTR(?, 39990), ? = ?", [("str", LONG)] * 4),
    ("long insert", "INSERT INTO Products (name, price, description) VALUES (?, ?, ?)",
     [("str", "Long description"), ("dec", "12.5"), ("str", LONG)]),
    ("long read", "SELECT LENGTH(description), description = ?, price, description FROM Products WHERE name = ?",
     [("str", LONG), ("str", "Long description")]),
]


def canonical(v):
    """One text form for both clients: PHP has strings, pyodbc typed values."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool):
        return str(int(v))
    if isinstance(v, Decimal):
        # Trailing zeros are the column's scale (pyodbc reads DECIMAL as
        # SQL_C_NUMERIC at the described scale); PHP has the API's text.
        return format(v.normalize(), "f")
    if isinstance(v, datetime.datetime):
        return v.isoformat(" ", "seconds") if not v.microsecond else v.isoformat(" ")
    return str(v)


def php_canonical(v):
    # PHP returns DECIMAL text as the driver sends it: compare as numbers
    # only when pyodbc would have made a Decimal of it.
    if isinstance(v, str) and re.fullmatch(r"-?\d+\.\d+", v):
        return canonical(Decimal(v))
    return v


def pyodbc_value(kind, value):
    return {"int": int, "dec": Decimal, "str": str, "null": lambda v: None,
            "date": datetime.date.fromisoformat}[kind](value)


def fresh_sandbox(workdir):
    _ensure_built()
    return Sandbox(*FAST_FLAGS, workdir=workdir)


@pytest.fixture(scope="module")
def pyodbc_answers(workdir):
    sb = fresh_sandbox(workdir)
    try:
        conn = pyodbc.connect(sb.conn_str(), autocommit=True)
        out = {}
        for name, sql, params in CASES:
            cur = conn.cursor()
            cur.execute(sql, *[pyodbc_value(k, v) for k, v in params])
            if cur.description is None:
                out[name] = {"count": cur.rowcount}
            else:
                out[name] = {"rows": [[canonical(v) for v in r] for r in cur.fetchall()]}
        conn.close()
        return out
    finally:
        sb.stop()


def traced_odbcsysini(where):
    """A private ODBCSYSINI whose [ODBC] section turns unixODBC's trace on."""
    where.mkdir(parents=True, exist_ok=True)
    trace = where / "trace.log"
    (where / "odbcinst.ini").write_text(
        f"[ODBC]\nTrace=Yes\nTraceFile={trace}\n\n[{DRIVER_NAME}]\nDriver={DRIVER_LIB}\n")
    return trace


def trace_calls(text):
    """(function, statement, parameter number, SQL type code) of each
    SQLDescribeParam and SQLBindParameter entry in a unixODBC trace."""
    calls = []
    for block in re.split(r"\n(?=\[ODBC\])", text):
        m = re.match(r"\[ODBC\]\[\d+\]\[[\d.]+\]\[(SQLDescribeParam|SQLBindParameter)\.c\]\[\d+\]\s*\n\s*Entry:", block)
        if not m:
            continue
        stmt = re.search(r"Statement = (\S+)", block).group(1)
        number = int(re.search(r"Param(?:eter)? Number = (\d+)", block).group(1))
        sql_type = re.search(r"SQL Type = (-?\d+)\s", block)  # not the 0x... of an out-argument
        calls.append((m.group(1), stmt, number, int(sql_type.group(1)) if sql_type else None))
    return calls


@pytest.mark.parametrize("api", ["odbc", "pdo"])
def test_php_binds_described_parameters_like_pyodbc(api, workdir, pyodbc_answers):
    sb = fresh_sandbox(workdir)
    try:
        where = workdir / f"php-{api}"
        trace = traced_odbcsysini(where)
        cases = where / "cases.json"
        cases.write_text(json.dumps([{"name": n, "sql": s, "params": p} for n, s, p in CASES], ensure_ascii=False),
                         encoding="utf-8")
        conn_str = f"Driver={{{DRIVER_NAME}}};URL={sb.url};UID=sandbox;PWD=sandbox-authtoken"
        env = {**os.environ, "ODBCSYSINI": str(where), "ODBCINSTINI": "odbcinst.ini"}
        p = run(["php", str(CLIENTS / "php" / "params.php"), api, conn_str, str(cases)], env=env, timeout=120)
        assert p.returncode == 0, p.stdout + p.stderr
        got = json.loads(p.stdout)
    finally:
        sb.stop()

    for name, _, _ in CASES:
        answer = got[name]
        assert "error" not in answer, f"{api} {name}: {answer['error']}"
        if "rows" in answer:
            answer = {"rows": [[php_canonical(v) for v in r] for r in answer["rows"]]}
        assert answer == pyodbc_answers[name], f"{api} {name}"
    # The answers are not trivially equal: rows were found and written.
    assert pyodbc_answers["int"]["rows"][0][0] == "4"
    assert pyodbc_answers["read insert"]["rows"][0][1:] == [NAME, None]
    assert pyodbc_answers["read update"]["rows"] == [[NAME + " ü", "1"]]
    assert pyodbc_answers["read null"]["rows"] == [[NAME + " ü", None, "1"]]
    assert pyodbc_answers["long read"]["rows"] == [["40000", "1", "12.5", LONG]]
    assert int(pyodbc_answers["date"]["rows"][0][0]) > 0

    calls = trace_calls(trace.read_text(errors="replace"))
    binds = [c for c in calls if c[0] == "SQLBindParameter"]
    assert len(binds) >= sum(len(p) for _, _, p in CASES), calls[:10]
    for i, (fn, stmt, n, _) in enumerate(calls):
        if fn == "SQLBindParameter":
            assert ("SQLDescribeParam", stmt, n, None) in calls[:i], f"marker {n} bound before it was described"
    # The described types are the ones bound: the column each marker meets
    # (BIGINT id, DECIMAL price, TIMESTAMP created_at -- 93, or 11 to an
    # ODBC 2 application --, WVARCHAR name, WLONGVARCHAR description).
    bound = {t for *_, t in binds}
    assert {SQL_BIGINT, SQL_DECIMAL, SQL_WVARCHAR, SQL_WLONGVARCHAR} <= bound, bound
    assert bound & {SQL_TYPE_TIMESTAMP, SQL_TIMESTAMP_ODBC2}, bound

"""unixODBC's own clients: isql (ANSI, SQLConnect, ODBC 2 app) and iusql
(Unicode W functions, SQLDriverConnect), in batch mode."""

import shutil
from decimal import Decimal

import pytest

from conftest import DSN, LOGIN, AUTHTOKEN, run

pytestmark = pytest.mark.skipif(not shutil.which("isql") or not shutil.which("iusql"),
                                reason="isql/iusql not installed (apt-get install unixodbc)")


def isql(sql, *args, prog="isql", delim=True):
    cmd = [prog, "-b", "-v"]
    if delim:
        cmd += ["-d|", "-c"]
    cmd += [*args] if args else [DSN]
    return run(cmd, input=sql if sql.endswith("\n") else sql + "\n", timeout=120)


def rows_of(out):
    return [line.split("|") for line in out.splitlines() if line.strip()]


def test_isql_rows_match_api(sandbox):
    want = [sandbox.api_get(f"/products/{i}.json")["product"] for i in (4, 10, 8)]
    p = isql("SELECT id, name, price, sku FROM Products WHERE id IN (4, 8, 10) ORDER BY id")
    assert p.returncode == 0, p.stdout + p.stderr
    rows = rows_of(p.stdout)
    assert rows[0] == ["id", "name", "price", "sku"]
    got = rows[1:]
    assert len(got) == 3
    for r, w in zip(got, sorted(want, key=lambda w: w["id"])):
        assert int(r[0]) == w["id"]
        assert r[1] == w["name"]  # UTF-8 in a UTF-8 locale: Chinese and emoji intact
        assert Decimal(r[2]) == Decimal(str(w["price"]))
        assert r[3] == (w["sku"] or "")  # isql prints NULL as nothing


def test_isql_several_statements(sandbox):
    count = sandbox.api_get("/orders/count.json")["count"]
    store = sandbox.api_get("/store/info.json")["store"]
    p = isql("SELECT COUNT(*) FROM Orders\nSELECT code, currency FROM Store\n"
             "SELECT status_enum, COUNT(*) FROM Orders GROUP BY status_enum ORDER BY 1\n")
    assert p.returncode == 0, p.stdout + p.stderr
    rows = rows_of(p.stdout)
    assert rows[0] == ["COUNT(*)"] and rows[1] == [str(count)]
    assert rows[2] == ["code", "currency"] and rows[3] == [store["code"], store["currency"]]
    groups = rows[5:]
    assert len(groups) == 4 and sum(int(n) for _, n in groups) == count
    assert [g for g, _ in groups] == sorted(g for g, _ in groups)


def test_isql_table_format_and_row_count():
    p = isql("SELECT id FROM Products LIMIT 3", delim=False)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "3 rows fetched" in p.stdout
    body = [l.strip("| ").strip() for l in p.stdout.splitlines() if l.startswith("| ")]
    assert body == ["id", "1", "2", "3"]


def test_isql_uid_pwd_arguments():
    p = isql("SELECT id FROM Customers WHERE id = 12", DSN, LOGIN, AUTHTOKEN)
    assert p.returncode == 0, p.stdout + p.stderr
    assert rows_of(p.stdout) == [["id"], ["12"]]


def test_isql_errors_show_sqlstate():
    # isql is an ODBC 2 application: the DM maps 42S02 -> S0002, 42S22 -> S0022, 42000 -> 37000
    p = isql("SELECT * FROM NoSuchTable\nSELECT no_such_col FROM Products\nSELEC 1\nSELECT 41 + 1\n")
    out = p.stdout
    assert "[S0002]" in out or "[42S02]" in out, out
    assert "no such table" in out.lower() and "NoSuchTable" in out
    assert "[S0022]" in out or "[42S22]" in out, out
    assert "[37000]" in out or "[42000]" in out, out
    assert "42" in rows_of(out)[-1] or ["42"] in rows_of(out), out  # still usable afterwards


def test_isql_bad_credentials_28000():
    p = isql("SELECT 1", DSN, LOGIN, "wrong-token")
    assert p.returncode != 0
    assert "[28000]" in p.stdout, p.stdout + p.stderr
    assert "wrong-token" not in p.stdout + p.stderr


def test_isql_bad_token_dsn_28000():
    p = isql("SELECT 1", "JS_BADTOKEN")
    assert p.returncode != 0
    assert "[28000]" in p.stdout, p.stdout + p.stderr


def test_iusql_rows_match_api(sandbox):
    # iusql narrows each UTF-16 unit to a byte when printing, so compare ASCII columns
    want = [sandbox.api_get(f"/products/{i}.json")["product"] for i in (1, 2, 3)]
    p = isql("SELECT id, sku, price, status FROM Products WHERE id <= 3 ORDER BY id", prog="iusql")
    assert p.returncode == 0, p.stdout + p.stderr
    rows = rows_of(p.stdout)
    assert rows[0] == ["id", "sku", "price", "status"]
    assert [(int(r[0]), r[1], Decimal(r[2]), r[3]) for r in rows[1:]] == \
        [(w["id"], w["sku"], Decimal(str(w["price"])), w["status"]) for w in want]


def test_iusql_count_and_join(sandbox):
    n = sandbox.api_get("/products/count.json")["count"]
    p = isql("SELECT COUNT(*) FROM Products\n"
             "SELECT COUNT(*) FROM OrderProducts op JOIN Orders o ON o.id = op.order_id WHERE o.id = 5\n",
             prog="iusql")
    assert p.returncode == 0, p.stdout + p.stderr
    rows = rows_of(p.stdout)
    o5 = sandbox.api_get("/orders/5.json")["order"]
    assert rows == [["COUNT(*)"], [str(n)], ["COUNT(*)"], [str(len(o5["products"]))]]


def test_iusql_error_message():
    p = isql("SELECT * FROM NoSuchTable\nSELECT 7\n", prog="iusql")
    assert "no such table" in p.stdout.lower() and "NoSuchTable" in p.stdout, p.stdout
    assert ["7"] in rows_of(p.stdout)


def test_iusql_unknown_key_warning():
    # iusql connects with SQLDriverConnect and prints SQL_SUCCESS_WITH_INFO records with -v
    p = isql("SELECT 5", "JS_UNKNOWNKEY", prog="iusql")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "NoSuchOption" in p.stdout, p.stdout
    assert ["5"] in rows_of(p.stdout)

"""pyodbc through the unixODBC driver manager against the sandbox."""

import datetime
from collections import Counter
from decimal import Decimal

import pyodbc
import pytest

from conftest import DRIVER_NAME, DSN, LOGIN, AUTHTOKEN, TABLES_JSON as TABLES
CORE = ["Store", "StoreLanguages", "Products", "ProductVariants", "ProductImages",
        "ProductCategories", "Categories", "Orders", "OrderProducts", "Customers"]

SQL_BIGINT, SQL_DECIMAL, SQL_WVARCHAR, SQL_WLONGVARCHAR = -5, 3, -9, -10
SQL_TYPE_TIMESTAMP, SQL_BIT, SQL_DOUBLE, SQL_INTEGER = 93, -7, 8, 4

SQLCOLUMNS_NAMES = ["TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME",
                    "COLUMN_SIZE", "BUFFER_LENGTH", "DECIMAL_DIGITS", "NUM_PREC_RADIX", "NULLABLE",
                    "REMARKS", "COLUMN_DEF", "SQL_DATA_TYPE", "SQL_DATETIME_SUB", "CHAR_OCTET_LENGTH",
                    "ORDINAL_POSITION", "IS_NULLABLE"]


def ts(s):
    """'2022-01-01 01:44:47 UTC' -> naive datetime (UTC)."""
    return datetime.datetime.strptime(s.replace(" UTC", ""), "%Y-%m-%d %H:%M:%S")


def sqlstate(excinfo):
    return excinfo.value.args[0]


def message(excinfo):
    return " ".join(str(a) for a in excinfo.value.args)


@pytest.fixture(scope="module")
def conn(sandbox):
    c = pyodbc.connect(f"DSN={DSN}")
    yield c
    c.close()


@pytest.fixture
def cur(conn):
    c = conn.cursor()
    yield c
    c.close()


def cost(sandbox, cursor, sql, *params):
    """Runs sql, fetches every row; returns (rows, by_route of the requests it cost)."""
    sandbox.reset()
    rows = cursor.execute(sql, *params).fetchall()
    return rows, sandbox.stats()["by_route"]


# ---------------------------------------------------------------- connecting

def test_connect_by_dsn_autocommit_off_and_close(sandbox):
    c = pyodbc.connect(f"DSN={DSN}")
    assert c.autocommit is False  # pyodbc's default: SQL_AUTOCOMMIT_OFF was accepted
    assert c.getinfo(pyodbc.SQL_DRIVER_NAME) == "libjumpseller_odbc.so"
    cr = c.cursor()
    assert cr.execute("SELECT id FROM Products WHERE id = 3").fetchall()[0][0] == 3
    c.commit()
    c.rollback()
    c.close()
    with pytest.raises(pyodbc.ProgrammingError):
        c.cursor()
    with pytest.raises(pyodbc.ProgrammingError):
        cr.execute("SELECT 1")


def test_connect_by_connection_string(sandbox):
    # (every connection to the shared sandbox keeps the fast budget: the limiter
    # is shared per store in the process and takes the lowest budget asked for)
    cs = f"DRIVER={{{DRIVER_NAME}}};URL={sandbox.url};UID={LOGIN};PWD={AUTHTOKEN};MaxRequestsPerSecond=1000"
    with pyodbc.connect(cs, autocommit=True) as c:
        assert c.autocommit is True
        assert c.execute("SELECT name FROM Products WHERE id = 1").fetchone()[0] == \
            sandbox.api_get("/products/1.json")["product"]["name"]


def test_connection_string_long_key_names_and_braces(sandbox):
    cs = (f"Driver={{{DRIVER_NAME}}};url={{{sandbox.url}}};LOGIN={LOGIN};authtoken={{{AUTHTOKEN}}};"
          "Timeout=30;Pagesize=50;MaxRows=0;maxrequestspersecond=1000")
    with pyodbc.connect(cs) as c:
        assert c.execute("SELECT COUNT(*) FROM Categories").fetchone()[0] == \
            sandbox.api_get("/categories/count.json")["count"]


def test_connection_string_overrides_dsn(sandbox):
    # the DSN holds the right token; an explicit wrong one must win
    with pytest.raises(pyodbc.Error) as e:
        pyodbc.connect(f"DSN={DSN};AuthToken=definitely-wrong")
    assert sqlstate(e) == "28000"


# ---------------------------------------------------------------- data

@pytest.mark.parametrize("table", CORE)
def test_select_each_core_table(cur, sandbox, table):
    rows = cur.execute(f"SELECT * FROM {table}").fetchall()
    names = [d[0] for d in cur.description]
    assert names == [c["name"] for c in TABLES[table]["columns"]]
    assert len(rows) > 0
    # qualified name and case-insensitive names work too
    n = cur.execute(f"SELECT COUNT(*) FROM jumpseller.{table.lower()}").fetchone()[0]
    assert n == len(rows)


def test_row_counts_match_api(cur, sandbox, api_products, api_orders):
    assert cur.execute("SELECT COUNT(*) FROM Products").fetchone()[0] == len(api_products) == 120
    assert len(cur.execute("SELECT id FROM Products").fetchall()) == len(api_products)
    assert cur.execute("SELECT COUNT(*) FROM ProductVariants").fetchone()[0] == \
        sum(len(p["variants"]) for p in api_products)
    assert cur.execute("SELECT COUNT(*) FROM OrderProducts").fetchone()[0] == \
        sum(len(o["products"]) for o in api_orders)
    langs = sandbox.api_get("/store/languages.json")
    assert cur.execute("SELECT COUNT(*) FROM StoreLanguages").fetchone()[0] == len(langs)


def test_types_and_exact_values_products(cur, api_products):
    rows = cur.execute("SELECT id, name, price, created_at, updated_at, weight, stock, stock_unlimited, "
                       "description, cost_per_item FROM Products ORDER BY id").fetchall()
    assert len(rows) == len(api_products)
    types = {d[0]: d[1] for d in cur.description}
    assert types["id"] is int and types["price"] is Decimal and types["created_at"] is datetime.datetime
    assert types["weight"] is float and types["stock_unlimited"] is bool and types["name"] is str
    for r, p in zip(rows, sorted(api_products, key=lambda p: p["id"])):
        assert type(r.id) is int and r.id == p["id"]
        assert isinstance(r.price, Decimal) and r.price == Decimal(str(p["price"])), (r.id, r.price, p["price"])
        assert r.created_at == ts(p["created_at"]) and r.updated_at == ts(p["updated_at"])
        assert r.name == p["name"]
        assert r.description == p["description"]
        assert r.stock_unlimited is p["stock_unlimited"]
        assert (r.stock is None and p["stock"] is None) or r.stock == p["stock"]
        if p["cost_per_item"] is None:
            assert r.cost_per_item is None
        else:
            assert r.cost_per_item == Decimal(str(p["cost_per_item"]))
        if p["weight"] is None:
            assert r.weight is None
        else:
            assert r.weight == pytest.approx(float(p["weight"]))


def test_money_is_exact_decimal_not_float(cur, api_orders):
    rows = {r.id: r for r in cur.execute("SELECT id, subtotal, tax, total FROM Orders").fetchall()}
    for o in api_orders:
        r = rows[o["id"]]
        for k in ("subtotal", "tax", "total"):
            v = getattr(r, k)
            assert isinstance(v, Decimal)
            # exact: the decimal text as the API sent it, not via a binary double
            assert v == Decimal(str(o[k])), (o["id"], k, v, o[k])
    # a sum over exact decimals is exact too
    s = cur.execute("SELECT SUM(total) FROM Orders").fetchone()[0]
    assert Decimal(str(s)) == sum(Decimal(str(o["total"])) for o in api_orders)


def test_unicode_names_identical(cur, api_products):
    want = {p["id"]: p["name"] for p in api_products}
    got = {r[0]: r[1] for r in cur.execute("SELECT id, name FROM Products").fetchall()}
    assert got == want
    assert any("经典" in n or "茶杯" in n for n in got.values())           # Chinese
    assert any("\U0001F389" in n for n in got.values())                    # non-BMP emoji
    assert any("á" in n or "ñ" in n.lower() for n in got.values())         # Spanish


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


def test_unicode_literals_in_where(cur, api_products):
    tea = next(p for p in api_products if p["name"].startswith("茶杯"))
    assert [tuple(r) for r in cur.execute(f"SELECT id, name FROM Products WHERE name = {sql_str(tea['name'])}")] == \
        [(tea["id"], tea["name"])]
    emoji = next(p for p in api_products if "\U0001F389" in p["name"])
    assert [r[0] for r in cur.execute(f"SELECT id FROM Products WHERE name = {sql_str(emoji['name'])}")] == [emoji["id"]]
    # SQLite's length() counts code points: the emoji is one character, as in Python
    assert cur.execute(f"SELECT length(name) FROM Products WHERE id = {emoji['id']}").fetchone()[0] == len(emoji["name"])


def test_store_row_matches_api(cur, sandbox):
    s = sandbox.api_get("/store/info.json")["store"]
    r = cur.execute("SELECT code, name, currency, address_city FROM Store").fetchall()
    assert len(r) == 1
    assert tuple(r[0]) == (s["code"], s["name"], s["currency"], s["address"]["city"])


def test_order_flattened_and_child_rows(cur, sandbox):
    o = sandbox.api_get("/orders/5.json")["order"]
    r = cur.execute("SELECT id, customer_id, status_enum, created_at, total FROM Orders WHERE id = 5").fetchone()
    assert (r.id, r.customer_id, r.status_enum) == (5, o["customer"]["id"], o["status_enum"])
    assert r.total == Decimal(str(o["total"])) and r.created_at == ts(o["created_at"])
    lines = cur.execute("SELECT order_id, product_id, qty, price, name FROM OrderProducts "
                        "WHERE order_id = 5 ORDER BY line").fetchall()
    assert [(l.order_id, l.product_id, l.qty, l.price, l.name) for l in lines] == \
        [(5, p["id"], p["qty"], Decimal(str(p["price"])), p["name"]) for p in o["products"]]


# ---------------------------------------------------------------- SQL features

def test_join(cur, api_products):
    rows = cur.execute("SELECT p.id, p.name, v.id, v.price FROM Products p "
                       "JOIN ProductVariants v ON v.product_id = p.id ORDER BY v.id").fetchall()
    want = sorted((p["id"], p["name"], v["id"], Decimal(str(v["price"])) if v["price"] is not None else None)
                  for p in api_products for v in p["variants"])
    want.sort(key=lambda t: t[2])
    assert [tuple(r) for r in rows] == want
    assert len(rows) > 50


def test_left_join_and_group_by(cur, api_products):
    rows = cur.execute("SELECT p.id, COUNT(i.id) FROM Products p LEFT JOIN ProductImages i "
                       "ON i.product_id = p.id GROUP BY p.id ORDER BY p.id").fetchall()
    assert [tuple(r) for r in rows] == sorted((p["id"], len(p["images"])) for p in api_products)


def test_group_by_status(cur, api_orders):
    rows = cur.execute("SELECT status_enum, COUNT(*) AS n, SUM(total) FROM Orders "
                       "GROUP BY status_enum ORDER BY status_enum").fetchall()
    c = Counter(o["status_enum"] for o in api_orders)
    assert [(r[0], r[1]) for r in rows] == sorted(c.items())
    assert len(rows) == 4


def test_subquery(cur, api_products):
    avg = sum(Decimal(str(p["price"])) for p in api_products) / len(api_products)
    rows = cur.execute("SELECT id FROM Products WHERE price > (SELECT AVG(price) FROM Products) ORDER BY id").fetchall()
    want = [p["id"] for p in sorted(api_products, key=lambda p: p["id"]) if Decimal(str(p["price"])) > avg]
    assert [r[0] for r in rows] == want
    assert 0 < len(want) < len(api_products)


def test_in_subquery_across_tables(cur, api_orders):
    rows = cur.execute("SELECT COUNT(*) FROM Orders WHERE id IN "
                       "(SELECT order_id FROM OrderProducts WHERE qty >= 5)").fetchone()[0]
    assert rows == sum(1 for o in api_orders if any(p["qty"] >= 5 for p in o["products"]))


def test_cte(cur, api_orders):
    rows = cur.execute("""
        WITH big AS (SELECT id, total FROM Orders WHERE total > 1000)
        SELECT COUNT(*), MIN(id), MAX(id) FROM big""").fetchone()
    big = [o for o in api_orders if Decimal(str(o["total"])) > 1000]
    assert tuple(rows) == (len(big), min(o["id"] for o in big), max(o["id"] for o in big))


def test_window_function(cur, api_products):
    rows = cur.execute("""
        SELECT id, category_id, ROW_NUMBER() OVER (PARTITION BY category_id ORDER BY product_id) AS rn
        FROM (SELECT product_id AS id, product_id, category_id FROM ProductCategories)
        ORDER BY category_id, rn""").fetchall()
    want = []
    bycat = {}
    for p in sorted(api_products, key=lambda p: p["id"]):
        for c in p["categories"]:
            bycat.setdefault(c["id"], []).append(p["id"])
    for cat in sorted(bycat):
        want.extend((pid, cat, i + 1) for i, pid in enumerate(bycat[cat]))
    assert [tuple(r) for r in rows] == want


def test_parameters_bound(cur, api_products):
    p = api_products[41]
    r = cur.execute("SELECT id, name, price FROM Products WHERE id = ?", p["id"]).fetchone()
    assert (r.id, r.name, r.price) == (p["id"], p["name"], Decimal(str(p["price"])))
    r = cur.execute("SELECT COUNT(*) FROM Products WHERE price > ?", Decimal("100.5")).fetchone()[0]
    assert r == sum(1 for p in api_products if Decimal(str(p["price"])) > Decimal("100.5"))


def test_parameters_unicode_and_types(cur, api_products, api_orders):
    for p in (next(p for p in api_products if p["name"].startswith("茶杯")),
              next(p for p in api_products if "\U0001F389" in p["name"])):
        assert [tuple(r) for r in cur.execute("SELECT id, name FROM Products WHERE name = ?", p["name"])] == \
            [(p["id"], p["name"])]
    cut = datetime.datetime(2025, 1, 1)
    n = cur.execute("SELECT COUNT(*) FROM Orders WHERE created_at >= ?", cut).fetchone()[0]
    assert n == sum(1 for o in api_orders if ts(o["created_at"]) >= cut)
    assert 0 < n < len(api_orders)
    r = cur.execute("SELECT ? + 1, ?, ?", 41, "ñ🎉", Decimal("12.3400")).fetchone()
    assert r[0] == 42 and r[1] == "ñ🎉" and Decimal(str(r[2])) == Decimal("12.34")


def test_parameter_email_pushdown_is_one_request(cur, sandbox):
    c = sandbox.api_get("/customers/21.json")["customer"]
    rows, routes = cost(sandbox, cur, "SELECT id, fullname FROM Customers WHERE email = ?", c["email"])
    assert [(r.id, r.fullname) for r in rows] == [(21, c["fullname"])]
    assert sum(routes.values()) == 1 and "email" in next(iter(routes)), routes


def test_odbc_escapes(cur):
    r = cur.execute("SELECT {fn UCASE('abc')}, {d '2024-02-29'}, {fn CONCAT('a', 'b')}").fetchone()
    assert r[0] == "ABC" and r[2] == "ab"
    assert str(r[1]).startswith("2024-02-29")


# ---------------------------------------------------------------- request cost

def test_id_equals_is_one_get(cur, sandbox):
    rows, routes = cost(sandbox, cur, "SELECT * FROM Products WHERE id = 5")
    assert len(rows) == 1 and rows[0].id == 5
    assert routes == {"GET /products/{id}.json": 1}


def test_id_parameter_is_one_get(cur, sandbox):
    rows, routes = cost(sandbox, cur, "SELECT id, status FROM Orders WHERE id = ?", 17)
    assert [r.id for r in rows] == [17]
    assert routes == {"GET /orders/{id}.json": 1}


def test_id_in_list_is_one_get_each(cur, sandbox):
    rows, routes = cost(sandbox, cur, "SELECT id FROM Customers WHERE id IN (3, 7, 11) ORDER BY id")
    assert [r.id for r in rows] == [3, 7, 11]
    assert routes == {"GET /customers/{id}.json": 3}


def test_missing_id_is_empty_not_error(cur, sandbox):
    rows, routes = cost(sandbox, cur, "SELECT id FROM Products WHERE id = 999999")
    assert rows == []
    assert routes == {"GET /products/{id}.json": 1}


def test_limit_is_one_list_request(cur, sandbox):
    rows, routes = cost(sandbox, cur, "SELECT id, name FROM Products LIMIT 5")
    assert [r.id for r in rows] == [1, 2, 3, 4, 5]
    assert routes == {"GET /products.json": 1}


def test_count_uses_count_endpoint(cur, sandbox):
    rows, routes = cost(sandbox, cur, "SELECT COUNT(*) FROM Orders")
    assert rows[0][0] == sandbox.api_get("/orders/count.json")["count"]
    assert routes == {"GET /orders/count.json": 1}


def test_status_pushdown(cur, sandbox, api_products):
    rows, routes = cost(sandbox, cur, "SELECT id FROM Products WHERE status = 'available' ORDER BY id")
    assert [r.id for r in rows] == sorted(p["id"] for p in api_products if p["status"] == "available")
    assert set(routes) == {"GET /products/status/{status}.json"} or \
        all("status" in k for k in routes), routes


def test_customer_email_pushdown(cur, sandbox):
    c = sandbox.api_get("/customers/9.json")["customer"]
    rows, routes = cost(sandbox, cur, f"SELECT id, fullname FROM Customers WHERE email = {sql_str(c['email'])}")
    assert [(r.id, r.fullname) for r in rows] == [(9, c["fullname"])]
    assert sum(routes.values()) == 1 and "email" in next(iter(routes)), routes


def test_child_by_parent_key_is_one_request(cur, sandbox):
    p = sandbox.api_get("/products/10.json")["product"]
    rows, routes = cost(sandbox, cur, "SELECT id FROM ProductVariants WHERE product_id = 10 ORDER BY id")
    assert [r.id for r in rows] == sorted(v["id"] for v in p["variants"])
    assert routes == {"GET /products/{id}.json": 1}


# Joins must not call the inner table once per outer row (the Steampipe case of
# DESIGN.md: 120 products -> 120 GET /products/{id}.json). A few keyed lookups
# before the engine switches to one read of the table are tolerated.
def test_join_parent_child_no_per_row_fanout(cur, sandbox):
    rows, routes = cost(sandbox, cur, "SELECT p.id, v.id FROM Products p JOIN ProductVariants v ON v.product_id = p.id")
    assert len(rows) > 50
    assert routes.get("GET /products/{id}.json", 0) <= 10, routes
    assert sum(routes.values()) <= 15, routes


def test_join_lookup_no_per_row_fanout(cur, sandbox):
    rows, routes = cost(sandbox, cur, "SELECT o.id, c.email FROM Orders o JOIN Customers c ON c.id = o.customer_id")
    assert len(rows) == 400
    assert routes.get("GET /customers/{id}.json", 0) <= 10, routes
    assert sum(routes.values()) <= 20, routes


def test_every_order_row_returned(cur, sandbox):
    n = sandbox.api_get("/orders/count.json")["count"]
    rows, routes = cost(sandbox, cur, "SELECT id FROM Orders")
    ids = [r.id for r in rows]
    assert len(ids) == n == 400
    assert sorted(ids) == list(range(1, n + 1))
    # read by id (issue 14.3): /orders/after/{last id}
    assert routes.get("GET /orders/after/{id}.json", 0) == (n + 99) // 100 or \
        routes.get("GET /orders/after/{id}.json", 0) == (n + 99) // 100 + 1, routes


def test_small_pagesize_still_every_row(sandbox):
    with pyodbc.connect(sandbox.conn_str(Pagesize=7)) as c:
        sandbox.reset()
        ids = [r[0] for r in c.execute("SELECT id FROM Orders").fetchall()]
        assert sorted(ids) == list(range(1, 401))
        pages = sandbox.stats()["by_route"].get("GET /orders/after/{id}.json", 0)
        assert 58 <= pages <= 60, pages  # ceil(400/7) = 58 (+ one empty page at most)


def test_maxrows_caps_result(sandbox):
    with pyodbc.connect(sandbox.conn_str(MaxRows=10)) as c:
        ids = [r[0] for r in c.execute("SELECT id FROM Orders").fetchall()]
        assert ids == list(range(1, 11))  # whole-table scans read by id, oldest first (issue 14.3)
        assert len(c.execute("SELECT id FROM Products ORDER BY id DESC").fetchall()) == 10


def test_maxrows_stops_paging(start_sandbox):
    # Page 1 is full, so page 2 goes out with the count that bounds read-ahead;
    # nothing further is requested once MaxRows rows have been read.
    sb = start_sandbox("--orders", "5000")
    with pyodbc.connect(sb.conn_str(MaxRows=10)) as c:
        sb.reset()
        rows = c.execute("SELECT id FROM Orders").fetchall()
    assert [r[0] for r in rows] == list(range(1, 11))  # read by id (issue 14.3)
    routes = settled_stats(sb)["by_route"]
    assert routes.get("GET /orders/after/{id}.json", 0) <= 2, routes


def settled_stats(sb, quiet=0.3, within=5.0):
    """The request counts once no request has arrived for `quiet` seconds."""
    import time
    last, deadline = sb.stats(), time.monotonic() + within
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = sb.stats()
        if now["total"] == last["total"]:
            return now
        last = now
    return last


def test_limit_stops_paging_on_a_big_table(start_sandbox):
    sb = start_sandbox("--orders", "5000")
    with pyodbc.connect(sb.conn_str()) as c:
        sb.reset()
        rows = c.execute("SELECT id FROM Orders LIMIT 10").fetchall()
        assert [r[0] for r in rows] == list(range(5000, 4990, -1))
        # reading a few rows of a big scan and closing the cursor must not read the whole table
        cr = c.execute("SELECT id FROM Orders")
        assert cr.fetchone()[0] == 1  # a whole-table scan reads by id (issue 14.3)
        cr.close()
    routes = settled_stats(sb)["by_route"]
    assert routes.get("GET /orders.json", 0) == 1, routes  # the LIMIT
    assert routes.get("GET /orders/after/{id}.json", 0) <= 12, routes  # the read-ahead window


# ---------------------------------------------------------------- catalog

def test_catalog_needs_no_network(cur, sandbox):
    sandbox.reset()
    cur.tables().fetchall()
    cur.columns(table="Products").fetchall()
    cur.primaryKeys("Products").fetchall()
    cur.foreignKeys(foreignTable="OrderProducts").fetchall()
    cur.getTypeInfo().fetchall()
    assert sandbox.stats()["total"] == 0


def test_tables(cur):
    rows = cur.tables().fetchall()
    names = {r.table_name for r in rows}
    assert set(CORE) <= names, set(CORE) - names
    for r in rows:
        # The store's tables, and the sys_ tables the driver adds.
        expected = "SYSTEM TABLE" if r.table_name.startswith("sys_") else "TABLE"
        assert r.table_schem == "Jumpseller" and r.table_type == expected
        assert r.table_cat in (None, "")
    assert [r.table_name for r in cur.tables(table="Products").fetchall()] == ["Products"]
    assert cur.tables(table="NoSuchTable").fetchall() == []


def test_columns_products(cur):
    rows = cur.columns(table="Products").fetchall()
    assert [d[0].upper() for d in cur.description] == SQLCOLUMNS_NAMES
    assert len(cur.description) == 18
    spec = TABLES["Products"]["columns"]
    assert [r.column_name for r in rows] == [c["name"] for c in spec]
    assert [r.ordinal_position for r in rows] == list(range(1, len(spec) + 1))
    by = {r.column_name: r for r in rows}
    assert all(r.table_name == "Products" and r.table_schem == "Jumpseller" for r in rows)
    assert by["id"].data_type == SQL_BIGINT
    assert (by["price"].data_type, by["price"].column_size, by["price"].decimal_digits) == (SQL_DECIMAL, 19, 4)
    assert (by["name"].data_type, by["name"].column_size) == (SQL_WVARCHAR, 255)
    assert by["description"].data_type == SQL_WLONGVARCHAR
    assert by["created_at"].data_type == SQL_TYPE_TIMESTAMP
    assert by["stock_unlimited"].data_type == SQL_BIT
    assert by["weight"].data_type == SQL_DOUBLE
    assert by["stock"].data_type == SQL_INTEGER


def test_columns_pattern(cur):
    rows = cur.columns(table="Orders", column="shipping%").fetchall()
    assert rows and all(r.column_name.startswith("shipping") for r in rows)
    assert "shipping_address_city" in {r.column_name for r in rows}


def test_primary_keys(cur):
    assert [(r.column_name, r.key_seq) for r in cur.primaryKeys("Products").fetchall()] == [("id", 1)]
    assert [(r.column_name, r.key_seq) for r in cur.primaryKeys("ProductVariants").fetchall()] == \
        [("product_id", 1), ("id", 2)]
    assert [(r.column_name, r.key_seq) for r in cur.primaryKeys("OrderProducts").fetchall()] == \
        [("order_id", 1), ("line", 2)]


def test_foreign_keys(cur):
    fks = {(r.pktable_name, r.pkcolumn_name, r.fktable_name, r.fkcolumn_name)
           for r in cur.foreignKeys(foreignTable="ProductCategories").fetchall()}
    assert fks == {("Products", "id", "ProductCategories", "product_id"),
                   ("Categories", "id", "ProductCategories", "category_id")}
    refs = {(r.fktable_name, r.fkcolumn_name) for r in cur.foreignKeys(table="Products").fetchall()}
    assert {("ProductVariants", "product_id"), ("ProductImages", "product_id"),
            ("ProductCategories", "product_id"), ("OrderProducts", "product_id")} <= refs


def test_get_type_info(cur):
    rows = cur.getTypeInfo().fetchall()
    types = {r.data_type for r in rows}
    assert {SQL_BIGINT, SQL_DECIMAL, SQL_WVARCHAR, SQL_WLONGVARCHAR, SQL_TYPE_TIMESTAMP, SQL_BIT,
            SQL_DOUBLE, SQL_INTEGER} <= types
    only = cur.getTypeInfo(pyodbc.SQL_DECIMAL).fetchall()
    assert only and all(r.data_type == SQL_DECIMAL for r in only)
    assert only[0].type_name.upper() in ("DECIMAL", "NUMERIC")


def test_description_of_prepared_statement(cur):
    cur.execute("SELECT id, price, created_at, name FROM Products WHERE id = 1")
    d = {x[0]: x for x in cur.description}
    assert d["id"][1] is int and d["price"][1] is Decimal and d["created_at"][1] is datetime.datetime
    assert (d["price"][4], d["price"][5]) == (19, 4)  # precision, scale


# ---------------------------------------------------------------- errors

def test_wrong_auth_token_is_28000(sandbox):
    with pytest.raises(pyodbc.Error) as e:
        pyodbc.connect(sandbox.conn_str(PWD="wrong-token"))
    assert sqlstate(e) == "28000"
    assert "wrong-token" not in message(e)  # no secrets in messages


def test_wrong_auth_token_dsn_is_28000():
    with pytest.raises(pyodbc.Error) as e:
        pyodbc.connect("DSN=JS_BADTOKEN")
    assert sqlstate(e) == "28000"


def test_unreachable_url_is_08001():
    cs = f"DRIVER={{{DRIVER_NAME}}};URL=http://127.0.0.1:1/v1;UID={LOGIN};PWD={AUTHTOKEN};Timeout=5"
    with pytest.raises(pyodbc.Error) as e:
        pyodbc.connect(cs)
    assert sqlstate(e) == "08001"
    assert "127.0.0.1:1" in message(e)


def test_plain_http_non_loopback_refused():
    cs = f"DRIVER={{{DRIVER_NAME}}};URL=http://example.com/v1;UID={LOGIN};PWD={AUTHTOKEN};Timeout=5"
    with pytest.raises(pyodbc.Error) as e:
        pyodbc.connect(cs)
    m = message(e).lower()
    assert "http" in m and ("loopback" in m or "https" in m), m
    assert sqlstate(e) in ("08001", "HY024", "HY000"), sqlstate(e)


def test_unknown_table_is_42S02(cur):
    with pytest.raises(pyodbc.Error) as e:
        cur.execute("SELECT * FROM NoSuchTable")
    assert sqlstate(e) == "42S02"
    assert "NoSuchTable".lower() in message(e).lower()


def test_unknown_column_is_42S22(cur):
    with pytest.raises(pyodbc.Error) as e:
        cur.execute("SELECT no_such_column FROM Products")
    assert sqlstate(e) == "42S22"
    assert "no_such_column" in message(e)


def test_syntax_error_is_42000(cur):
    with pytest.raises(pyodbc.Error) as e:
        cur.execute("SELEC id FRM Products")
    assert sqlstate(e) == "42000"


def test_connection_usable_after_errors(cur):
    with pytest.raises(pyodbc.Error):
        cur.execute("SELECT * FROM NoSuchTable")
    assert cur.execute("SELECT id FROM Products WHERE id = 2").fetchone()[0] == 2


def test_bad_pagesize_names_key(sandbox):
    with pytest.raises(pyodbc.Error) as e:
        pyodbc.connect(sandbox.conn_str(Pagesize=500))
    m = message(e)
    assert "Pagesize" in m and "500" in m and "100" in m, m


def test_bad_timeout_names_key(sandbox):
    with pytest.raises(pyodbc.Error) as e:
        pyodbc.connect(sandbox.conn_str(Timeout="soon"))
    m = message(e)
    assert "Timeout" in m and "soon" in m, m


def test_unknown_key_still_connects(sandbox):
    # the 01S00 warning itself is checked by the C client (pyodbc drops warnings)
    with pyodbc.connect(sandbox.conn_str(NoSuchOption="1")) as c:
        assert c.execute("SELECT id FROM Products WHERE id = 4").fetchone()[0] == 4


# ---------------------------------------------------------------- faults

def test_5xx_within_retry_budget_is_retried(cur, sandbox, faults):
    faults({"route": "/v1/products*", "kind": "status", "status": 503, "count": 2})
    sandbox.reset()
    rows = cur.execute("SELECT id FROM Products").fetchall()
    assert sorted(r.id for r in rows) == list(range(1, 121))
    assert sandbox.get_faults()[0]["applied"] == 2


def test_500_everywhere_is_HY000_with_status(cur, faults):
    faults({"route": "*", "kind": "status", "status": 500})
    with pytest.raises(pyodbc.Error) as e:
        cur.execute("SELECT id FROM Orders").fetchall()
    assert sqlstate(e) == "HY000"
    assert "500" in message(e)


def test_truncated_body_mid_scan_fails_never_fewer_rows(sandbox, faults):
    with pyodbc.connect(sandbox.conn_str(Pagesize=10, Prefetch=0)) as c:
        cr = c.execute("SELECT id FROM Orders")
        got = [cr.fetchone()[0] for _ in range(15)]  # pages 1-2 are in
        faults({"route": "/v1/orders*", "kind": "truncate"})
        with pytest.raises(pyodbc.Error) as e:
            while True:
                r = cr.fetchone()
                if r is None:
                    break
                got.append(r[0])
        assert sqlstate(e) in ("08S01", "HY000"), message(e)
        assert len(got) < 400


def test_truncated_bodies_sometimes_all_rows_or_error(sandbox, faults):
    with pyodbc.connect(sandbox.conn_str(Pagesize=20)) as c:
        faults({"route": "/v1/orders*", "kind": "truncate", "probability": 0.3})
        try:
            ids = [r[0] for r in c.execute("SELECT id FROM Orders").fetchall()]
        except pyodbc.Error:
            return
        assert sorted(ids) == list(range(1, 401))  # a result, if any, is complete


def test_malformed_json_everywhere_is_error(cur, faults):
    faults({"route": "/v1/customers*", "kind": "malformed_json"})
    with pytest.raises(pyodbc.Error) as e:
        cur.execute("SELECT id FROM Customers").fetchall()
    assert "json" in message(e).lower()


def test_huge_description_fetch(start_sandbox):
    sb = start_sandbox("--huge-description-product", "3")
    want = sb.api_get("/products/3.json")["product"]["description"]
    assert len(want.encode()) >= 10_000_000
    with pyodbc.connect(sb.conn_str()) as c:
        got = c.execute("SELECT description FROM Products WHERE id = 3").fetchone()[0]
    assert len(got) == len(want) and got == want


# ---------------------------------------------------------------- rate limits, threads

def test_server_rate_limit_429_is_waited_out_not_partial(start_sandbox):
    # the store allows 4 requests/s; the driver is told 20/s (its default), so it
    # meets 429s and must honour them: every row, no error
    sb = start_sandbox("--per-second", "4", "--per-minute", "1000")
    cs = sb.conn_str(Pagesize=25, MaxRequestsPerSecond=None, MaxRequestsPerMinute=None)
    with pyodbc.connect(cs) as c:
        ids = [r[0] for r in c.execute("SELECT id FROM Orders").fetchall()]
    assert sorted(ids) == list(range(1, 401))
    routes = sb.stats()["by_route"]
    assert routes.get("GET /orders/after/{id}.json", 0) >= 16


def test_connections_in_parallel_threads(sandbox, api_products, api_orders):
    import threading
    want_products = sorted((p["id"], p["name"]) for p in api_products)
    want_orders = sorted((o["id"], Decimal(str(o["total"]))) for o in api_orders)
    results, errors = {}, []

    def work(i):
        try:
            with pyodbc.connect(sandbox.conn_str()) as c:
                if i % 2:
                    results[i] = sorted(tuple(r) for r in c.execute("SELECT id, name FROM Products").fetchall())
                else:
                    results[i] = sorted(tuple(r) for r in c.execute("SELECT id, total FROM Orders").fetchall())
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append((i, repr(e)))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    for i in range(6):
        assert results[i] == (want_products if i % 2 else want_orders), i


# ---------------------------------------------------------------- more pushdown / correctness

def test_order_by_then_limit_is_not_the_api_order(cur, sandbox):
    # the API lists orders newest first: a LIMIT taken before ORDER BY would give 400..396
    rows, routes = cost(sandbox, cur, "SELECT id FROM Orders ORDER BY id LIMIT 5")
    assert [r.id for r in rows] == [1, 2, 3, 4, 5]
    rows, routes = cost(sandbox, cur, "SELECT id FROM Orders LIMIT 3")
    assert [r.id for r in rows] == [400, 399, 398]
    assert routes == {"GET /orders.json": 1}


def test_limit_offset(cur):
    assert [r[0] for r in cur.execute("SELECT id FROM Products LIMIT 5 OFFSET 100")] == [101, 102, 103, 104, 105]
    assert [r[0] for r in cur.execute("SELECT id FROM Products ORDER BY id DESC LIMIT 2 OFFSET 1")] == [119, 118]


def test_order_status_pushdown(cur, sandbox, api_orders):
    rows, routes = cost(sandbox, cur, "SELECT id FROM Orders WHERE status_enum = 'paid'")
    assert sorted(r.id for r in rows) == sorted(o["id"] for o in api_orders if o["status_enum"] == "paid")
    assert set(routes) == {"GET /orders/status/{status}.json"}, routes


def test_id_greater_pushdown(cur, sandbox):
    rows, routes = cost(sandbox, cur, "SELECT id FROM Products WHERE id > 110")
    assert sorted(r.id for r in rows) == list(range(111, 121))
    assert sum(routes.values()) <= 2 and "GET /products.json" not in routes, routes


def test_category_pushdown(cur, sandbox, api_products):
    rows, routes = cost(sandbox, cur, "SELECT product_id FROM ProductCategories WHERE category_id = 3")
    want = sorted(p["id"] for p in api_products if any(c["id"] == 3 for c in p["categories"]))
    assert sorted(r.product_id for r in rows) == want and want
    assert "GET /products.json" not in routes and sum(routes.values()) <= 2, routes


def test_created_at_range(cur, sandbox, api_orders):
    lo, hi = datetime.datetime(2024, 6, 1), datetime.datetime(2024, 6, 30, 23, 59, 59)
    rows, routes = cost(sandbox, cur, "SELECT id, created_at FROM Orders WHERE created_at BETWEEN "
                                      "'2024-06-01 00:00:00' AND '2024-06-30 23:59:59'")
    want = sorted(o["id"] for o in api_orders if lo <= ts(o["created_at"]) <= hi)
    assert sorted(r.id for r in rows) == want and want
    assert all(lo <= r.created_at <= hi for r in rows)
    assert sum(routes.values()) <= 2, routes  # one date-filtered page, not the 4 pages of all orders


def test_quoted_identifiers(cur):
    assert cur.execute('SELECT "id", [name] FROM "Jumpseller"."Products" WHERE "id" = 1').fetchone()[0] == 1


def test_getinfo(conn):
    assert conn.getinfo(pyodbc.SQL_IDENTIFIER_QUOTE_CHAR) == '"'
    assert conn.getinfo(pyodbc.SQL_DRIVER_ODBC_VER) == "03.80"
    assert conn.getinfo(pyodbc.SQL_DATA_SOURCE_NAME) == DSN


def test_fetchmany_and_rowcount(cur):
    cur.execute("SELECT id FROM Orders")
    assert cur.rowcount == -1
    first = cur.fetchmany(150)
    rest = cur.fetchall()
    assert len(first) == 150 and len(first) + len(rest) == 400
    assert cur.fetchone() is None


def test_stalled_server_times_out(sandbox, faults):
    with pyodbc.connect(sandbox.conn_str(Timeout=1)) as c:
        faults({"route": "/v1/customers*", "kind": "stall", "ms": 4000})
        t = __import__("time").monotonic()
        with pytest.raises(pyodbc.Error) as e:
            c.execute("SELECT id FROM Customers").fetchall()
        took = __import__("time").monotonic() - t
    assert sqlstate(e) in ("HYT00", "08S01"), message(e)
    assert took < 15, took


def test_connection_resets_are_retried(cur, sandbox, faults):
    faults({"route": "/v1/categories*", "kind": "reset", "count": 2})
    rows = cur.execute("SELECT id FROM Categories").fetchall()
    assert sorted(r.id for r in rows) == list(range(1, 13))
    assert sandbox.get_faults()[0]["applied"] == 2


def test_connection_reset_everywhere_is_08S01(cur, faults):
    faults({"route": "/v1/categories*", "kind": "reset"})
    with pytest.raises(pyodbc.Error) as e:
        cur.execute("SELECT id FROM Categories").fetchall()
    assert sqlstate(e) in ("08S01", "HY000"), message(e)

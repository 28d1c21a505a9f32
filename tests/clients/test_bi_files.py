"""bi/tableau/jumpseller.tdc against the driver, through unixODBC.

Each customization the file states is derived again here from the live driver
(SQLGetInfo through pyodbc, a query, a catalog call, or a prepared statement
described through libodbc with ctypes) and must agree with the file. A CAP_ or
SQL_ entry with no derivation here fails the test, so the file cannot claim
what nothing checks."""

import ctypes
import xml.etree.ElementTree as ET

import pyodbc
import pytest

from conftest import AUTHTOKEN, DRIVER_NAME, DSN, LOGIN, REPO

TDC = REPO / "bi" / "tableau" / "jumpseller.tdc"
OAUTH_PROCEDURES = {"GetOAuthAccessToken", "GetOAuthAuthorizationURL", "RefreshOAuthAccessToken"}


@pytest.fixture(scope="module")
def tdc():
    root = ET.parse(TDC).getroot()
    assert root.tag == "connection-customization"
    assert root.get("class") == "genericodbc" and root.get("enabled") == "true"
    entries = [(c.get("name"), c.get("value")) for c in root.find("customizations")]
    names = [n for n, _ in entries]
    assert len(names) == len(set(names)), "a customization is stated twice"
    return {"vendor": root.find("vendor").get("name"), "driver": root.find("driver").get("name"),
            "customizations": dict(entries)}


@pytest.fixture(scope="module")
def cnxn():
    c = pyodbc.connect(f"DSN={DSN}", autocommit=True)
    yield c
    c.close()


def yes_no(flag):
    return "yes" if flag else "no"


def runs(cnxn, sql):
    """'yes' if the statement runs; 'no' if the driver refuses it as SQL (42000),
    any other failure is a test error, not an answer."""
    try:
        cnxn.cursor().execute(sql).fetchall()
        return "yes"
    except pyodbc.Error as e:
        assert e.args[0] == "42000", e
        return "no"


def requests_made(sandbox, action):
    sandbox.reset()
    action()
    return sandbox.stats()["total"]


# ---- the prepared-statement path, as Tableau takes it (SQLPrepare, never SQLExecute) ----

class Odbc:
    """The few libodbc calls pyodbc cannot make: describe a prepared statement
    without executing it."""

    def __init__(self):
        self.lib = ctypes.CDLL("libodbc.so.2")
        self.env, self.dbc, self.stmt = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
        self.ok(self.lib.SQLAllocHandle(1, None, ctypes.byref(self.env)))  # SQL_HANDLE_ENV
        self.ok(self.lib.SQLSetEnvAttr(self.env, 200, ctypes.c_void_p(3), 0))  # ODBC 3
        self.ok(self.lib.SQLAllocHandle(2, self.env, ctypes.byref(self.dbc)))
        conn = f"DSN={DSN}".encode()
        self.ok(self.lib.SQLDriverConnect(self.dbc, None, conn, len(conn), None, 0, None, 0))
        self.ok(self.lib.SQLAllocHandle(3, self.dbc, ctypes.byref(self.stmt)))

    @staticmethod
    def ok(rc):
        assert rc in (0, 1), f"ODBC call returned {rc}"

    def describe_prepared(self, sql):
        """Column names of a prepared, never executed statement."""
        self.ok(self.lib.SQLPrepare(self.stmt, sql.encode(), len(sql.encode())))
        n = ctypes.c_short()
        self.ok(self.lib.SQLNumResultCols(self.stmt, ctypes.byref(n)))
        names = []
        for i in range(1, n.value + 1):
            buf = ctypes.create_string_buffer(256)
            ln, ty, nullable = ctypes.c_short(), ctypes.c_short(), ctypes.c_short()
            size, digits = ctypes.c_size_t(), ctypes.c_short()
            self.ok(self.lib.SQLDescribeCol(self.stmt, i, buf, 256, ctypes.byref(ln), ctypes.byref(ty),
                                            ctypes.byref(size), ctypes.byref(digits), ctypes.byref(nullable)))
            names.append(buf.value.decode())
        self.ok(self.lib.SQLFreeStmt(self.stmt, 0))  # SQL_CLOSE
        return names

    def close(self):
        self.lib.SQLFreeHandle(3, self.stmt)
        self.lib.SQLDisconnect(self.dbc)
        self.lib.SQLFreeHandle(2, self.dbc)
        self.lib.SQLFreeHandle(1, self.env)


# ---- how each CAP_ value follows from the driver ----

def cap_fast_metadata(cnxn, sandbox):
    tables = []
    n = requests_made(sandbox, lambda: tables.extend(cnxn.cursor().tables().fetchall()))
    return yes_no(n == 0 and len(tables) >= 51)


def cap_suppress_sqlcolumns(cnxn, sandbox):
    """'no' (do not suppress) when SQLColumns describes what SELECT * returns."""
    cur = cnxn.cursor()
    for table in ("Products", "Orders", "OrderProducts", "Customers"):
        catalog = []
        n = requests_made(sandbox, lambda: catalog.extend((c.column_name, c.column_size) for c in cur.columns(table=table)))
        cur.execute(f"SELECT * FROM {table} WHERE 1=0")
        if n != 0 or catalog != [(d[0], d[3]) for d in cur.description]:
            return "yes"
    return "no"


def cap_suppress_primary_keys(cnxn, sandbox):
    keys = []
    n = requests_made(sandbox, lambda: keys.extend(cnxn.cursor().primaryKeys("Products").fetchall()))
    return yes_no(not (n == 0 and [k.column_name for k in keys] == ["id"]))


def cap_suppress_foreign_keys(cnxn, sandbox):
    fks = []
    n = requests_made(sandbox, lambda: fks.extend(cnxn.cursor().foreignKeys(foreignTable="OrderProducts").fetchall()))
    return yes_no(not (n == 0 and any(f.pktable_name == "Orders" and f.fkcolumn_name == "order_id" for f in fks)))


def cap_suppress_prepared_query(cnxn, sandbox):
    odbc = Odbc()
    try:
        names = []
        n = requests_made(sandbox, lambda: names.extend(odbc.describe_prepared("SELECT * FROM Orders")))
    finally:
        odbc.close()
    want = [d[0] for d in cnxn.cursor().execute("SELECT * FROM Orders WHERE 1=0").description]
    return yes_no(not (n == 0 and names == want))


def cap_where_false_metadata(cnxn, sandbox):
    cur = cnxn.cursor()
    rows = []
    n = requests_made(sandbox, lambda: rows.extend(cur.execute("SELECT * FROM Orders WHERE 1=0").fetchall()))
    return yes_no(n == 0 and rows == [] and len(cur.description) > 10)


def cap_top_n(cnxn, sandbox):
    rows = cnxn.cursor().execute("SELECT id FROM Products ORDER BY id LIMIT 3").fetchall()
    return yes_no(len(rows) == 3)


def cap_subqueries_with_top(cnxn, sandbox):
    sql = "SELECT COUNT(*) FROM (SELECT id FROM Products ORDER BY id LIMIT 3) t"
    return yes_no(cnxn.cursor().execute(sql).fetchone()[0] == 3)


def cap_group_by_alias(cnxn, sandbox):
    a = cnxn.cursor().execute("SELECT status AS s, COUNT(*) FROM Products GROUP BY s ORDER BY s").fetchall()
    b = cnxn.cursor().execute("SELECT status, COUNT(*) FROM Products GROUP BY status ORDER BY status").fetchall()
    return yes_no(len(a) > 1 and [tuple(r) for r in a] == [tuple(r) for r in b])


def cap_group_by_degree(cnxn, sandbox):
    a = cnxn.cursor().execute("SELECT status, COUNT(*) FROM Products GROUP BY 1 ORDER BY status").fetchall()
    b = cnxn.cursor().execute("SELECT status, COUNT(*) FROM Products GROUP BY status ORDER BY status").fetchall()
    return yes_no(len(a) > 1 and [tuple(r) for r in a] == [tuple(r) for r in b])


def cap_sort_by_degree(cnxn, sandbox):
    rows = [r[0] for r in cnxn.cursor().execute("SELECT name, id FROM Products ORDER BY 2 DESC LIMIT 5").fetchall()]
    want = [r[0] for r in cnxn.cursor().execute("SELECT name FROM Products ORDER BY id DESC LIMIT 5").fetchall()]
    return yes_no(rows == want)


def cap_having_requires_group_by(cnxn, sandbox):
    return "no" if runs(cnxn, "SELECT COUNT(*) FROM Products HAVING COUNT(*) > 0") == "yes" else "yes"


def cap_connect_stored_procedure(cnxn, sandbox):
    names = {p.procedure_name for p in cnxn.cursor().procedures()}
    return yes_no(names != OAUTH_PROCEDURES)


def getinfo(name):
    return lambda cnxn, sandbox: cnxn.getinfo(getattr(pyodbc, name))


def cap_forward_only(cnxn, sandbox):
    scroll = cnxn.getinfo(pyodbc.SQL_SCROLL_OPTIONS)
    fwd = cnxn.getinfo(pyodbc.SQL_FORWARD_ONLY_CURSOR_ATTRIBUTES1)
    return yes_no(scroll & 0x1 and fwd & 0x1)  # SQL_SO_FORWARD_ONLY, SQL_CA1_NEXT


def no_isolation_levels(cnxn, sandbox):
    none = cnxn.getinfo(pyodbc.SQL_TXN_ISOLATION_OPTION) == 0 and cnxn.getinfo(pyodbc.SQL_DEFAULT_TXN_ISOLATION) == 0
    return "no" if none else "yes"


CAPS = {
    "CAP_FAST_METADATA": cap_fast_metadata,
    "CAP_ODBC_METADATA_SUPPRESS_SQLCOLUMNS_API": cap_suppress_sqlcolumns,
    "CAP_ODBC_METADATA_SUPPRESS_SQLPRIMARYKEYS_API": cap_suppress_primary_keys,
    "CAP_ODBC_METADATA_SUPPRESS_SQLFOREIGNKEYS_API": cap_suppress_foreign_keys,
    "CAP_ODBC_METADATA_SUPPRESS_PREPARED_QUERY": cap_suppress_prepared_query,
    "CAP_QUERY_WHERE_FALSE_METADATA": cap_where_false_metadata,
    "CAP_QUERY_TOP_0_METADATA": lambda c, s: runs(c, "SELECT TOP 0 * FROM Products"),
    "CAP_QUERY_TOP_N": cap_top_n,
    "CAP_QUERY_SUBQUERIES": lambda c, s: runs(c, "SELECT id FROM Products WHERE id IN (SELECT product_id FROM ProductVariants)"),
    "CAP_QUERY_SUBQUERIES_WITH_TOP": cap_subqueries_with_top,
    "CAP_QUERY_GROUP_BY_ALIAS": cap_group_by_alias,
    "CAP_QUERY_GROUP_BY_DEGREE": cap_group_by_degree,
    "CAP_QUERY_SORT_BY_DEGREE": cap_sort_by_degree,
    "CAP_QUERY_HAVING_REQUIRES_GROUP_BY": cap_having_requires_group_by,
    "CAP_SUPPORTS_UNION": lambda c, s: runs(c, "SELECT id FROM Products UNION SELECT id FROM Categories"),
    "CAP_SELECT_INTO": lambda c, s: runs(c, "SELECT id INTO t_into FROM Products"),
    "CAP_ODBC_CURSOR_FORWARD_ONLY": cap_forward_only,
    "CAP_ODBC_TRANSACTIONS_SUPPRESS_EXPLICIT_COMMIT":
        lambda c, s: yes_no(c.getinfo(pyodbc.SQL_TXN_CAPABLE) == 0),  # SQL_TC_NONE
    "CAP_SET_ISOLATION_LEVEL_VIA_ODBC_API": no_isolation_levels,
    "CAP_SET_ISOLATION_LEVEL_VIA_SQL": no_isolation_levels,
    "CAP_CONNECT_STORED_PROCEDURE": cap_connect_stored_procedure,
}


def test_vendor_and_driver_are_the_drivers_names(tdc, cnxn):
    assert tdc["vendor"] == cnxn.getinfo(pyodbc.SQL_DBMS_NAME)
    assert tdc["driver"] == DRIVER_NAME  # the name conftest (and installer/, the .deb) register


def test_every_customization_is_derived_here(tdc):
    for name in tdc["customizations"]:
        assert name in CAPS or (name.startswith("SQL_") and hasattr(pyodbc, name)), name


@pytest.mark.parametrize("name", sorted(CAPS))
def test_capability_matches_the_driver(tdc, cnxn, sandbox, name):
    stated = tdc["customizations"].get(name)
    if stated is None:
        pytest.skip(f"{name} not stated in the file")
    assert stated == CAPS[name](cnxn, sandbox), f"{name}: the file says {stated!r}"


def test_sqlgetinfo_overrides_equal_the_drivers_answers(tdc, cnxn):
    sql = {n: v for n, v in tdc["customizations"].items() if n.startswith("SQL_")}
    assert len(sql) >= 10
    for name, value in sql.items():
        assert int(value) == cnxn.getinfo(getattr(pyodbc, name)), name


# ---- docs/bi-tools.md ----

DOC = REPO / "docs" / "bi-tools.md"


def doc_connection_strings():
    """The connection strings the guide gives, from its code blocks."""
    lines, in_code = [], False
    for line in DOC.read_text().splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif in_code and (line.startswith("Driver={") or line.startswith("DSN=")):
            lines.append(line.strip())
    return lines


def test_the_guides_connection_strings_connect(sandbox):
    strings = doc_connection_strings()
    assert len(strings) >= 4
    for s in strings:
        # The guide's DSN is the installer's "Jumpseller"; here it is the test DSN.
        live = (s.replace("DSN=Jumpseller", f"DSN={DSN}").replace("<login>", LOGIN)
                .replace("<authtoken>", AUTHTOKEN))
        assert "<" not in live, s
        if live.startswith("Driver="):
            live += f";URL={sandbox.url}"
            assert live.startswith("Driver={%s}" % DRIVER_NAME)
        c = pyodbc.connect(live, autocommit=True)
        try:
            assert c.execute("SELECT COUNT(*) FROM Products").fetchone()[0] > 0, s
            # Without ReadOnly this DELETE deletes nothing and succeeds.
            if "ReadOnly=true" in s:
                with pytest.raises(pyodbc.Error, match="read-only"):
                    c.execute("DELETE FROM Categories WHERE id = -1")
        finally:
            c.close()


def test_the_guides_statements_about_the_driver(cnxn):
    text = DOC.read_text()
    # "no transactions": SQL_TXN_CAPABLE is SQL_TC_NONE.
    assert "SQL_TC_NONE" in text
    assert cnxn.getinfo(pyodbc.SQL_TXN_CAPABLE) == 0
    # The sample query of the LibreOffice steps runs as written.
    assert "ORDER BY o.id LIMIT 10" in text
    rows = cnxn.execute("SELECT o.id, o.total, c.email FROM Orders o JOIN Customers c ON c.id = o.customer_id "
                        "WHERE o.status_enum = 'paid' ORDER BY o.id LIMIT 10").fetchall()
    assert len(rows) == 10
    # The 51 tables of the built-in profile; types as the guide lists them.
    assert len(cnxn.cursor().tables(tableType="TABLE").fetchall()) == 51
    types = {c.column_name: c.type_name for c in cnxn.cursor().columns(table="Products")}
    assert (types["id"], types["price"], types["weight"], types["featured"], types["created_at"]) == \
        ("BIGINT", "DECIMAL", "DOUBLE", "BIT", "TIMESTAMP")
    assert {types["name"], types["description"]} == {"WVARCHAR", "WLONGVARCHAR"}


def test_the_checks_can_fail(cnxn, sandbox):
    # A statement the driver refuses reads as 'no', one it runs as 'yes'.
    assert runs(cnxn, "SELECT id INTO t_into FROM Products") == "no"
    assert runs(cnxn, "SELECT 1") == "yes"

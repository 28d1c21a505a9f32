"""Saved views (UserDefinedViews) and the sys_ tables, through unixODBC with pyodbc
(README: "Saved views and system tables")."""

import json

import pyodbc
import pytest

VIEWS = {
    "PaidOrders": {"query": "SELECT id, total, created_at FROM Orders WHERE status_enum = 'paid'"},
    "StatusNames": {"query": "SELECT DISTINCT status_enum, {fn UCASE(status_enum)} AS upper_status FROM Orders"},
    "ProductStock": {"query": "SELECT p.id, p.name, v.sku, v.stock FROM Products p "
                              "JOIN ProductVariants v ON v.product_id = p.id"},
}
SYS_TABLES = ["sys_foreignkeys", "sys_identity", "sys_keycolumns", "sys_procedureparameters",
              "sys_procedures", "sys_sqlinfo", "sys_tablecolumns", "sys_tables"]


@pytest.fixture(scope="module")
def views_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("views") / "views.json"
    path.write_text(json.dumps(VIEWS))
    return path


@pytest.fixture(scope="module")
def cnxn(sandbox, views_file):
    c = pyodbc.connect(sandbox.conn_str(UserDefinedViews=str(views_file)), autocommit=True)
    yield c
    c.close()


def rows(cur, sql, *params):
    return [tuple(r) for r in cur.execute(sql, *params).fetchall()]


def test_views_answer_like_their_query(cnxn):
    cur = cnxn.cursor()
    for name, v in VIEWS.items():
        assert sorted(rows(cur, f"SELECT * FROM {name}")) == sorted(rows(cur, v["query"]))
        assert rows(cur, f"SELECT COUNT(*) FROM Jumpseller.{name}") == rows(cur, f"SELECT COUNT(*) FROM {name}")
    assert ("paid", "PAID") in rows(cur, "SELECT * FROM StatusNames")


def test_views_are_listed_and_described_as_they_answer(cnxn):
    cur = cnxn.cursor()
    listed = {t.table_name: t.table_type for t in cur.tables(tableType="VIEW")}
    assert listed == {name: "VIEW" for name in VIEWS}
    for name in VIEWS:
        catalog = [(c.column_name, c.data_type, c.column_size) for c in cur.columns(table=name)]
        cur.execute(f"SELECT * FROM {name} LIMIT 1")
        described = [(d[0], d[3]) for d in cur.description]
        assert [(n, size) for n, _, size in catalog] == described, name
    # A view's columns come from its tables: same types as the table's columns.
    orders = {c.column_name: c.type_name for c in cur.columns(table="Orders")}
    paid = {c.column_name: c.type_name for c in cur.columns(table="PaidOrders")}
    assert paid == {k: orders[k] for k in ("id", "total", "created_at")}


def test_filters_on_a_view_reach_the_api(cnxn, sandbox):
    cur = cnxn.cursor()
    paid_id = rows(cur, "SELECT MIN(id) FROM Orders WHERE status_enum = 'paid'")[0][0]
    sandbox.reset()
    direct = rows(cur, "SELECT id, total, created_at FROM Orders WHERE status_enum = 'paid' AND id = ?", paid_id)
    by_direct = sandbox.stats()["total"]
    sandbox.reset()
    through_view = rows(cur, "SELECT * FROM PaidOrders WHERE id = ?", paid_id)
    assert through_view == direct and len(direct) == 1
    assert sandbox.stats()["total"] == by_direct <= 2


def test_views_are_read_only(cnxn):
    with pytest.raises(pyodbc.Error):
        cnxn.cursor().execute("DELETE FROM PaidOrders WHERE id = -1")


BAD_FILES = [
    ("{", "not valid JSON at line 1"),
    ('["SELECT 1"]', "one JSON object"),
    ('{"V": {"sql": "SELECT 1"}}', "view 'V' has the key \"sql\""),
    ('{"V": {}}', "view 'V' has no \"query\""),
    ('{"V": {"query": "SELECT nope FROM Orders"}}', "view 'V' cannot be created: no such column: nope"),
    ('{"V": {"query": "SELECT * FROM NoSuchTable"}}', "view 'V' cannot be created: no such table"),
    ('{"V": {"query": "DELETE FROM Orders"}}', "view 'V' cannot be created"),
    ('{"V": {"query": "SELECT 1; DROP VIEW V"}}', "Only one SQL statement"),
    ('{"Orders": {"query": "SELECT 1"}}', "view 'Orders' has the name of a table"),
    ('{"V": {"query": "SELECT 1"}, "v": {"query": "SELECT 2"}}', "view 'v' has the name of a table or of another view"),
]


@pytest.mark.parametrize("text,message", BAD_FILES)
def test_a_bad_file_fails_the_connection_naming_view_and_problem(sandbox, tmp_path, text, message):
    path = tmp_path / "views.json"
    path.write_text(text)
    with pytest.raises(pyodbc.Error) as e:
        pyodbc.connect(sandbox.conn_str(UserDefinedViews=str(path)))
    assert e.value.args[0] == "08001", e.value
    assert message in e.value.args[1], e.value
    assert str(path) in e.value.args[1]


def test_a_missing_file_fails_the_connection(sandbox, tmp_path):
    with pytest.raises(pyodbc.Error) as e:
        pyodbc.connect(sandbox.conn_str(UserDefinedViews=str(tmp_path / "nope.json")))
    assert e.value.args[0] == "08001" and "cannot be read" in str(e.value)


def test_system_tables_are_listed_and_need_no_request(cnxn, sandbox):
    cur = cnxn.cursor()
    assert sorted(t.table_name for t in cur.tables(tableType="SYSTEM TABLE")) == SYS_TABLES
    sandbox.reset()
    for t in SYS_TABLES:
        cur.execute(f"SELECT * FROM {t}").fetchall()
        cur.execute(f"SELECT * FROM Jumpseller.{t}").fetchall()
    assert sandbox.stats()["total"] == 0


def test_sys_tables_and_columns_match_the_catalog_functions(cnxn):
    cur = cnxn.cursor()
    catalog = sorted((t.table_name, t.table_type) for t in cur.tables() if t.table_type in ("TABLE", "VIEW"))
    assert sorted(rows(cur, "SELECT TableName, TableType FROM sys_tables")) == catalog
    updatable = dict(rows(cur, "SELECT TableName, IsUpdateable FROM sys_tables"))
    assert updatable["Orders"] is True and updatable["PaidOrders"] is False
    cols = sorted((c.table_name, c.column_name, c.type_name, c.data_type, c.column_size, c.ordinal_position,
                   c.nullable == 1) for c in cur.columns() if not c.table_name.startswith("sys_"))
    sys_cols = sorted(rows(cur, "SELECT TableName, ColumnName, DataTypeName, DataType, Length, Ordinal, "
                                "IsNullable FROM sys_tablecolumns"))
    assert sys_cols == cols
    keys = {(c.table_name, c.column_name) for t in ("Orders", "Countries") for c in cur.primaryKeys(t)}
    sys_keys = set(rows(cur, "SELECT TableName, ColumnName FROM sys_tablecolumns WHERE IsKey = 1 "
                             "AND TableName IN ('Orders', 'Countries')"))
    assert keys == sys_keys == {("Orders", "id"), ("Countries", "code")}


def test_sys_keys_match_sqlprimarykeys_and_sqlforeignkeys(cnxn):
    cur = cnxn.cursor()
    tables = [t.table_name for t in cur.tables(tableType="TABLE")]
    fks = sorted((f.fktable_name, f.fkcolumn_name, f.pktable_name, f.pkcolumn_name, f.fk_name)
                 for t in tables for f in cur.foreignKeys(foreignTable=t))
    assert fks, "the profile declares foreign keys"
    assert sorted(rows(cur, "SELECT TableName, ColumnName, ReferencedTableName, ReferencedColumnName, "
                            "ForeignKeyName FROM sys_foreignkeys")) == fks
    assert sorted(rows(cur, "SELECT TableName, ColumnName, ReferencedTableName, ReferencedColumnName, "
                            "ForeignKeyName FROM sys_keycolumns WHERE IsForeignKey = 1")) == fks
    pks = sorted((k.table_name, k.column_name, k.pk_name) for t in tables for k in cur.primaryKeys(t))
    assert sorted(rows(cur, "SELECT TableName, ColumnName, PrimaryKeyName FROM sys_keycolumns "
                            "WHERE IsKey = 1")) == pks


def test_sys_procedures_match_sqlprocedures(cnxn):
    cur = cnxn.cursor()
    procs = sorted((p.procedure_name, p.remarks) for p in cur.procedures())
    assert procs and sorted(rows(cur, "SELECT ProcedureName, Description FROM sys_procedures")) == procs
    params = sorted((c.procedure_name, c.column_name, c.type_name, 1 if c.column_type == 1 else 4)
                    for c in cur.procedureColumns())
    assert sorted(rows(cur, "SELECT ProcedureName, ColumnName, DataTypeName, Direction "
                            "FROM sys_procedureparameters")) == params


def test_sys_sqlinfo_agrees_with_sqlgetinfo(cnxn):
    info = dict(rows(cnxn.cursor(), "SELECT NAME, VALUE FROM sys_sqlinfo"))
    assert info["IDENTIFIER_QUOTE_OPEN_CHAR"] == cnxn.getinfo(pyodbc.SQL_IDENTIFIER_QUOTE_CHAR)
    assert info["DBMS_NAME"] == cnxn.getinfo(pyodbc.SQL_DBMS_NAME)
    assert info["MAX_IDENTIFIER_LENGTH"] == str(cnxn.getinfo(pyodbc.SQL_MAX_IDENTIFIER_LEN))
    assert info["DIALECT"] == "SQLite"


@pytest.mark.parametrize("sql", ["DELETE FROM sys_tables", "UPDATE sys_tablecolumns SET IsKey = 1",
                                 "INSERT INTO sys_sqlinfo VALUES ('A', 'B')", "DROP TABLE sys_tables",
                                 "DELETE FROM sys_identity"])
def test_system_tables_are_read_only(cnxn, sql):
    with pytest.raises(pyodbc.Error) as e:
        cnxn.cursor().execute(sql)
    assert e.value.args[0] in ("42000", "HYC00"), e.value
    assert len(rows(cnxn.cursor(), "SELECT * FROM sys_tables")) > 40


def test_sys_identity_lists_what_the_last_writing_execution_created(cnxn, sandbox):
    cur = cnxn.cursor()
    cur.execute("INSERT INTO Categories (name) VALUES (?)", "identity-one")
    ident = rows(cur, "SELECT Id, Batch, Operation, Message, TableName FROM sys_identity")
    assert len(ident) == 1 and ident[0][1:] == ("1", "INSERT", "SUCCESS", "Categories")
    created = sandbox.api_get(f"/categories/{ident[0][0]}.json")["category"]
    assert created["name"] == "identity-one"
    # A query leaves it as it is.
    rows(cur, "SELECT COUNT(*) FROM Categories")
    assert rows(cur, "SELECT Id FROM sys_identity") == [(ident[0][0],)]
    # A parameter array: one batch per parameter set.
    cur.fast_executemany = True
    cur.executemany("INSERT INTO Categories (name) VALUES (?)", [("identity-a",), ("identity-b",), ("identity-c",)])
    many = rows(cur, "SELECT Id, Batch FROM sys_identity")
    assert [b for _, b in many] == ["1", "2", "3"]
    names = [sandbox.api_get(f"/categories/{i}.json")["category"]["name"] for i, _ in many]
    assert names == ["identity-a", "identity-b", "identity-c"]
    # A write that creates nothing starts it afresh.
    cur.execute("UPDATE Categories SET name = 'identity-z' WHERE id = ?", int(many[0][0]))
    assert rows(cur, "SELECT * FROM sys_identity") == []
    for i in [m[0] for m in many] + [ident[0][0]]:
        cur.execute("DELETE FROM Categories WHERE id = ?", int(i))

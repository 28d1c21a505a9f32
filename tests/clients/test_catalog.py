"""Catalog result sets through pyodbc and unixODBC, compared with the
layouts the ODBC specification gives each function (names and order)."""

import pyodbc
import pytest

from conftest import DSN

SPEC = {
    "tables": ["table_cat", "table_schem", "table_name", "table_type", "remarks"],
    "columns": ["table_cat", "table_schem", "table_name", "column_name", "data_type", "type_name",
                "column_size", "buffer_length", "decimal_digits", "num_prec_radix", "nullable", "remarks",
                "column_def", "sql_data_type", "sql_datetime_sub", "char_octet_length", "ordinal_position",
                "is_nullable"],
    "primaryKeys": ["table_cat", "table_schem", "table_name", "column_name", "key_seq", "pk_name"],
    "foreignKeys": ["pktable_cat", "pktable_schem", "pktable_name", "pkcolumn_name", "fktable_cat",
                    "fktable_schem", "fktable_name", "fkcolumn_name", "key_seq", "update_rule", "delete_rule",
                    "fk_name", "pk_name", "deferrability"],
    "statistics": ["table_cat", "table_schem", "table_name", "non_unique", "index_qualifier", "index_name",
                   "type", "ordinal_position", "column_name", "asc_or_desc", "cardinality", "pages",
                   "filter_condition"],
    "getTypeInfo": ["type_name", "data_type", "column_size", "literal_prefix", "literal_suffix", "create_params",
                    "nullable", "case_sensitive", "searchable", "unsigned_attribute", "fixed_prec_scale",
                    "auto_unique_value", "local_type_name", "minimum_scale", "maximum_scale", "sql_data_type",
                    "sql_datetime_sub", "num_prec_radix", "interval_precision"],
    "procedures": ["procedure_cat", "procedure_schem", "procedure_name", "num_input_params",
                   "num_output_params", "num_result_sets", "remarks", "procedure_type"],
}


@pytest.fixture(scope="module")
def cur(sandbox):
    cn = pyodbc.connect(f"DSN={DSN}", autocommit=True)
    yield cn.cursor()
    cn.close()


def names(c):
    return [d[0].lower() for d in c.description]


@pytest.mark.parametrize("call,args", [
    ("tables", {}),
    ("columns", {"table": "Orders"}),
    ("primaryKeys", {"table": "Orders"}),
    ("foreignKeys", {"foreignTable": "OrderProducts"}),
    ("statistics", {"table": "Orders"}),
    ("getTypeInfo", {}),
    ("procedures", {}),
])
def test_layouts_match_the_spec(cur, call, args):
    c = getattr(cur, call)(**args)
    assert names(c) == SPEC[call]
    assert c.fetchall(), f"{call} returned no rows"


def test_foreign_keys_both_directions(cur):
    held = {(r.pktable_name, r.fkcolumn_name) for r in cur.foreignKeys(foreignTable="OrderProducts").fetchall()}
    assert ("Orders", "order_id") in held and ("Products", "product_id") in held
    pointing = {(r.fktable_name, r.fkcolumn_name) for r in cur.foreignKeys(table="Orders").fetchall()}
    assert ("OrderProducts", "order_id") in pointing and ("Fulfillments", "order_id") in pointing


def test_statistics_is_the_primary_key(cur):
    rows = cur.statistics("OrderProducts").fetchall()
    assert [(r.column_name, r.ordinal_position, r.non_unique) for r in rows] == [("order_id", 1, 0), ("line", 2, 0)]


def test_type_info_sorted_by_data_type(cur):
    codes = [r.data_type for r in cur.getTypeInfo().fetchall()]
    assert codes == sorted(codes) and len(codes) >= 10


def test_columns_types_agree_with_a_prepared_select(cur):
    cols = {r.column_name: (r.data_type, r.column_size) for r in cur.columns(table="Customers").fetchall()}
    cur.execute("SELECT * FROM Customers WHERE 1 = 0")
    for d in cur.description:
        assert d[0] in cols
    assert cols["id"][0] == pyodbc.SQL_BIGINT

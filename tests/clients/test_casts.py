"""Standard CASTs through pyodbc (issue 8.3): Python gets the type the CAST
names, with the exact value, whether or not rows come back; a cast that
cannot be exact is an error with its SQLSTATE."""

import datetime
from decimal import Decimal

import pyodbc
import pytest

from conftest import DSN

# Product 2 of the sandbox store: created 2022-01-01 02:01:31 UTC, price 320.55.
PRODUCT = "FROM Products WHERE id = 2"


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


CASES = [
    ("CAST(created_at AS DATE)", datetime.date(2022, 1, 1), datetime.date),
    ("CAST(created_at AS TIMESTAMP)", datetime.datetime(2022, 1, 1, 2, 1, 31), datetime.datetime),
    ("CAST(created_at AS TIME)", datetime.time(2, 1, 31), datetime.time),
    ("CAST(price AS DECIMAL(10,1))", Decimal("320.6"), Decimal),
    # pyodbc reads DECIMAL through the ARD (SQL_C_NUMERIC at the column's
    # precision and scale, then SQL_ARD_TYPE): the column's three places.
    ("CAST(price AS NUMERIC(12,3))", Decimal("320.550"), Decimal),
    ("CAST(price AS DECIMAL(5,0))", Decimal("321"), Decimal),
    ("CAST(price AS INTEGER)", 320, int),
    ("CAST(price AS BIGINT)", 320, int),
    ("CAST(price AS SMALLINT)", 320, int),
    ("CAST(price AS DOUBLE)", 320.55, float),
    ("CAST(id AS VARCHAR(10))", "2", str),
    ("CAST(created_at AS CHAR(19))", "2022-01-01 02:01:31", str),
]


def test_cast_values_and_python_types(cur):
    for expr, want, pytype in CASES:
        row = cur.execute(f"SELECT {expr} AS c {PRODUCT}").fetchone()
        assert (type(row[0]), row[0]) == (pytype, want), expr
        if pytype is Decimal:
            # The digits, not just the number: 320.6, never 320.55 or 320.600000001.
            assert str(row[0]) == str(want), expr


def test_cast_types_without_rows(cur):
    """The description does not depend on the first row."""
    for expr, _, pytype in CASES:
        cur.execute(f"SELECT {expr} AS c FROM Products WHERE 1 = 0")
        assert cur.description[0][1] is pytype, expr
        assert cur.fetchall() == []


def test_decimal_precision_and_scale_are_reported(cur):
    cur.execute(f"SELECT CAST(price AS DECIMAL(10,1)) AS a, CAST(price AS NUMERIC(12,3)) AS b {PRODUCT}")
    # (name, type, display size, internal size, precision, scale, nullable)
    assert cur.description[0][4:6] == (10, 1)
    assert cur.description[1][4:6] == (12, 3)


def test_null_stays_null_and_keeps_its_type(cur):
    row = cur.execute("SELECT CAST(NULL AS DATE), CAST(NULL AS DECIMAL(5,2)), CAST(NULL AS INTEGER), "
                      "CAST(NULL AS VARCHAR(3))").fetchone()
    assert list(row) == [None, None, None, None]
    assert [d[1] for d in cur.description] == [datetime.date, Decimal, int, str]
    assert [d[4:6] for d in cur.description][:2] == [(10, 0), (5, 2)]


def test_inexact_casts_fail_with_their_sqlstate(cur):
    for sql, state in [
        (f"SELECT CAST(price AS DECIMAL(3,1)) {PRODUCT}", "22003"),
        ("SELECT CAST(100000 AS SMALLINT)", "22003"),
        (f"SELECT CAST(created_at AS VARCHAR(10)) {PRODUCT}", "22001"),
        ("SELECT CAST('12abc' AS INTEGER)", "22018"),
        (f"SELECT CAST(created_at AS INTEGER) {PRODUCT}", "22018"),
        ("SELECT CAST('not a date' AS DATE)", "22007"),
    ]:
        with pytest.raises(pyodbc.Error) as e:
            cur.execute(sql).fetchall()
        assert e.value.args[0] == state, (sql, e.value.args)


def test_cast_in_where_with_a_date_parameter(cur):
    rows = cur.execute("SELECT id FROM Products WHERE CAST(created_at AS DATE) = ? ORDER BY id",
                       datetime.date(2022, 1, 1)).fetchall()
    ids = [r[0] for r in rows]
    assert 2 in ids
    every = cur.execute("SELECT id, created_at FROM Products").fetchall()
    assert ids == sorted(i for i, c in every if c.date() == datetime.date(2022, 1, 1))

"""ODBC scalar function escapes and SQLGetInfo claims through unixODBC and
pyodbc (issue 9.2, 9.4): the values on sandbox rows, the types pyodbc gets,
and the capability bitmaps a BI tool reads agreeing with what runs."""

import datetime
from decimal import Decimal

import pyodbc
import pytest

from conftest import DSN

# Product 1: 'Lámpara Clásico Nº1', price 305.5, stock 200, created
# 2022-01-01 01:44:47 UTC (a Saturday).
PRODUCT = "FROM Products WHERE id = 1"

# sqlext.h
SQL_STRING_FUNCTIONS = 50
SQL_NUMERIC_FUNCTIONS = 49
SQL_TIMEDATE_FUNCTIONS = 52
SQL_TIMEDATE_ADD_INTERVALS = 109
SQL_SQL92_PREDICATES = 160
SQL_SQL92_RELATIONAL_JOIN_OPERATORS = 161
SQL_DATABASE_NAME = 16
SQL_PROCEDURES = 21
SQL_FN_STR_SOUNDEX = 0x20000
SQL_FN_NUM_TRUNCATE = 0x800000
SQL_FN_TD_TIMESTAMPDIFF = 0x4000
SQL_FN_TSI_FRAC_SECOND = 0x1
SQL_SP_QUANTIFIED_COMPARISON = 0x2000
SQL_SP_OVERLAPS = 0x80
SQL_SRJO_FULL_OUTER_JOIN = 0x8
SQL_SRJO_UNION_JOIN = 0x200


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


def one(cur, expr):
    return cur.execute(f"SELECT {expr} {PRODUCT}").fetchone()[0]


def test_string_functions(cur):
    assert one(cur, "{fn LEFT(name, 7)}") == "Lámpara"
    assert one(cur, "{fn OCTET_LENGTH(name)}") == 22
    assert one(cur, "{fn CHAR_LENGTH(name)}") == 19
    assert one(cur, "{fn LOCATE('a', name, 6)}") == 7
    assert one(cur, "{fn POSITION('Clásico' IN name)}") == 9
    assert one(cur, "{fn SOUNDEX(name)}") == "L516"
    assert one(cur, "{fn INSERT(name, 1, 7, 'Foco')}") == "Foco Clásico Nº1"
    assert one(cur, "{fn UCASE(name)}") == "LÁMPARA CLÁSICO Nº1"


def test_numeric_functions(cur):
    assert one(cur, "{fn CEILING(price)}") == 306
    assert one(cur, "{fn FLOOR(price)}") == 305
    assert one(cur, "{fn MOD(stock, 7)}") == 4
    assert one(cur, "{fn ROUND(price, 0)}") == 306
    assert one(cur, "{fn TRUNCATE(-price, 0)}") == -305
    assert one(cur, "{fn SQRT(stock * 2)}") == 20
    assert one(cur, "{fn PI()}") == pytest.approx(3.141592653589793)


def test_date_functions(cur):
    assert one(cur, "{fn DAYNAME(created_at)}") == "Saturday"
    assert one(cur, "{fn DAYOFWEEK(created_at)}") == 7
    assert one(cur, "{fn EXTRACT(MINUTE FROM created_at)}") == 44
    assert str(one(cur, "{fn TIMESTAMPADD(SQL_TSI_MONTH, 13, created_at)}")).startswith("2023-02-01 01:44:47")
    assert one(cur, "{fn TIMESTAMPDIFF(SQL_TSI_HOUR, created_at, {ts '2022-01-02 00:00:00'})}") == 22


def test_convert_gives_the_type(cur):
    assert one(cur, "{fn CONVERT(created_at, SQL_DATE)}") == datetime.date(2022, 1, 1)
    assert one(cur, "{fn CONVERT(price, SQL_INTEGER)}") == 305
    assert Decimal(str(one(cur, "{fn CONVERT(price, SQL_DECIMAL)}"))) == Decimal("305.5")


def test_literals(cur):
    assert str(one(cur, "datetime(created_at, {INTERVAL '3' DAY})")).startswith("2022-01-04 01:44:47")
    assert one(cur, "{guid '6F9619FF-8B86-D011-B42D-00C04FC964FF'}") == "6F9619FF-8B86-D011-B42D-00C04FC964FF"
    assert one(cur, "created_at > DATE '2021-12-31'") == 1


def test_getinfo_claims_what_runs(conn, cur):
    assert conn.getinfo(SQL_STRING_FUNCTIONS) & SQL_FN_STR_SOUNDEX
    assert conn.getinfo(SQL_NUMERIC_FUNCTIONS) & SQL_FN_NUM_TRUNCATE
    assert conn.getinfo(SQL_TIMEDATE_FUNCTIONS) & SQL_FN_TD_TIMESTAMPDIFF
    assert conn.getinfo(SQL_TIMEDATE_ADD_INTERVALS) & SQL_FN_TSI_FRAC_SECOND
    predicates = conn.getinfo(SQL_SQL92_PREDICATES)
    assert not predicates & (SQL_SP_QUANTIFIED_COMPARISON | SQL_SP_OVERLAPS)
    joins = conn.getinfo(SQL_SQL92_RELATIONAL_JOIN_OPERATORS)
    assert joins & SQL_SRJO_FULL_OUTER_JOIN and not joins & SQL_SRJO_UNION_JOIN
    assert conn.getinfo(SQL_PROCEDURES) is True  # pyodbc reads "Y" as True
    assert one(cur, "{fn DATABASE()}") == conn.getinfo(SQL_DATABASE_NAME)
    with pytest.raises(pyodbc.Error):
        cur.execute(f"SELECT 1 {PRODUCT} AND stock > ALL (SELECT 1)").fetchall()

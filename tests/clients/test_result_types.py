"""Stable, correct result metadata through pyodbc (issue 9.3): an
expression's cursor.description type is the same with and without rows, and
the Python values have that type (SUM of money a Decimal, COUNT an int,
MAX of a timestamp a datetime)."""

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


# (expression, Python type, value at product 2, (precision, scale) or None)
CASES = [
    ("SUM(price)", Decimal, Decimal("320.55"), (38, 4)),
    ("COUNT(*)", int, 1, None),
    ("MAX(created_at)", datetime.datetime, datetime.datetime(2022, 1, 1, 2, 1, 31), None),
    ("price*2", Decimal, Decimal("641.1"), (29, 4)),
    ("AVG(price)", float, 320.55, None),
    ("id * 2", int, 4, None),
]


def test_values_have_the_described_types(cur):
    for expr, pytype, want, _ in CASES:
        row = cur.execute(f"SELECT {expr} AS c {PRODUCT}").fetchone()
        assert cur.description[0][1] is pytype, expr
        assert (type(row[0]), row[0]) == (pytype, want), expr


def test_types_without_rows_are_the_same(cur):
    for expr, pytype, _, size in CASES:
        cur.execute(f"SELECT {expr} AS c FROM Products WHERE 1 = 0")
        assert cur.description[0][1] is pytype, expr
        if size:
            assert cur.description[0][4:6] == size, expr
        cur.fetchall()


def test_count_is_not_nullable_and_sums_are_exact(cur):
    cur.execute("SELECT COUNT(*), SUM(price) FROM Products")
    assert cur.description[0][6] is False
    count, total = cur.fetchone()
    prices = [r[0] for r in cur.execute("SELECT price FROM Products").fetchall() if r[0] is not None]
    assert total == sum(prices, Decimal(0))
    assert count >= len(prices)

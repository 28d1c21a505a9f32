"""Issue 9 conformance: each item checked against what the ODBC spec says,
through unixODBC with pyodbc AND with a C program (c/probe.c, a scriptable
client), side by side.

Items: 1 parameters, 2 escapes, 3 result metadata, 4 SQLGetInfo, 5
scrollable cursors. Every case names the spec section it holds the driver
to, with a short paraphrase, and what a spec-conforming driver answers; both
clients must observe exactly that. Where a client cannot reach the call
(pyodbc has no SQLDescribeParam or SQLFetchScroll), its column says so and
the C program carries the check. Existing suites that check the same items
in depth are named in `see` (they are not repeated here).

The side-by-side table (item · spec says · expected · pyodbc · C) is written
to <pytest tmp>/conformance/conformance.md and printed by the last test
(visible with -rA)."""

import datetime
import subprocess
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Optional

import pyodbc
import pytest

from conftest import CLIENTS

# sql.h / sqlext.h
SQL_INTEGER, SQL_BIGINT, SQL_DECIMAL, SQL_WVARCHAR, SQL_WLONGVARCHAR = 4, -5, 3, -9, -10
SQL_TYPE_DATE, SQL_TYPE_TIMESTAMP = 91, 93
SQL_ATTR_CURSOR_TYPE, SQL_CURSOR_KEYSET_DRIVEN, SQL_CURSOR_STATIC = 6, 1, 3
SQL_FETCH_NEXT, SQL_FETCH_FIRST, SQL_FETCH_LAST, SQL_FETCH_PRIOR = 1, 2, 3, 4
SQL_FETCH_ABSOLUTE, SQL_FETCH_RELATIVE = 5, 6
SQL_TXN_CAPABLE, SQL_SCROLL_OPTIONS, SQL_CURSOR_COMMIT_BEHAVIOR = 46, 44, 23
SQL_GETDATA_EXTENSIONS, SQL_STRING_FUNCTIONS = 81, 50
SQL_SO_FORWARD_ONLY, SQL_SO_KEYSET_DRIVEN, SQL_SO_DYNAMIC, SQL_SO_STATIC = 0x1, 0x2, 0x4, 0x10
SQL_GD_ANY_COLUMN, SQL_GD_ANY_ORDER = 0x1, 0x2
SQL_FN_STR_LOCATE = 0x20

NOT_REACHABLE = "n/a"

ORDERS = "SELECT id FROM Orders WHERE id <= 10 ORDER BY id"


# ---- the C program ------------------------------------------------------------

@dataclass
class Answer:
    command: str
    rc: str
    states: list
    fields: dict
    rows: list = field(default_factory=list)

    def __str__(self):
        return f"{self.rc} {','.join(self.states) or '-'}"


def unescape(v):
    if v == "\\N":
        return None
    out, i = [], 0
    while i < len(v):
        if v[i] == "\\" and i + 1 < len(v):
            out.append({"t": "\t", "n": "\n", "\\": "\\"}[v[i + 1]])
            i += 2
        else:
            out.append(v[i])
            i += 1
    return "".join(out)


def parse_answers(text):
    answers = []
    for line in text.splitlines():
        if line.startswith("  row"):
            answers[-1].rows.append([unescape(v) for v in line.split("\t")[1:]])
            continue
        head, _, rest = line.partition(" ")
        fields = {}
        for part in rest.split(" "):
            k, eq, v = part.partition("=")
            if eq and k not in fields:
                fields[k] = v
            elif not eq and fields:  # a value=... with spaces in it
                last = list(fields)[-1]
                fields[last] += " " + part
        states = [] if fields.get("states", "-") == "-" else fields["states"].split(",")
        if "value" in fields:
            fields["value"] = unescape(fields["value"])
        answers.append(Answer(head, fields.get("rc", "?"), states, fields))
    return answers


class Probe:
    def __init__(self, exe, conn_str):
        self.exe, self.conn_str = exe, conn_str

    def run(self, *commands):
        """Runs commands on a fresh connection and statement; the answers
        after those two."""
        script = "\n".join(["connect\t" + self.conn_str, "stmt", *("\t".join(map(str, c)) for c in commands)])
        p = subprocess.run([str(self.exe)], input=script + "\n", capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stdout + p.stderr
        answers = parse_answers(p.stdout)
        assert [a.rc for a in answers[:2]] == ["SUCCESS", "SUCCESS"], p.stdout
        assert len(answers) == len(commands) + 2, p.stdout
        return answers[2:]


# ---- the cases ----------------------------------------------------------------

@dataclass
class Case:
    item: str          # "1 parameters", ...
    name: str          # test id
    spec: str          # section: paraphrase of what it says
    expected: str      # what a conforming driver shows, as both observations put it
    py: Optional[Callable]  # (conn) -> observed text, or None when pyodbc cannot reach it
    c: Callable        # (probe) -> observed text
    see: str = ""      # existing tests that go deeper
    py_expected: Optional[str] = None  # when pyodbc can see only part of it
    known: str = ""    # a deviation found and not fixed yet: the case is xfail(strict) until it is

    def expected_of(self, client):
        return self.py_expected if client == "py" and self.py_expected else self.expected


def cell(v):
    if v is None:
        return "NULL"
    return str(int(v)) if isinstance(v, bool) else str(v)


def rows_text(rows):
    return "; ".join(",".join(cell(v) for v in r) for r in rows)


def py_rows(conn, sql, *params):
    return rows_text(conn.cursor().execute(sql, *params).fetchall())


def py_error_state(conn, sql, *params, sizes=None):
    cur = conn.cursor()
    if sizes:
        cur.setinputsizes(sizes)
    try:
        rows = cur.execute(sql, *params).fetchall()
    except pyodbc.Error as e:
        return e.args[0]
    return f"no error, {rows_text(rows)}"


def c_rows(probe, sql, *binds):
    out = probe.run(("prepare", sql), *binds, ("execute",), ("fetchall",))
    bad = [a for a in out if a.rc not in ("SUCCESS",)]
    return f"{bad[0].command} {bad[0]}" if bad else rows_text(out[-1].rows)


def c_value(probe, sql):
    return c_rows(probe, sql)


def py_description(conn, sql):
    d = conn.cursor().execute(sql).description[0]
    return f"{d[1].__name__} size={d[3]} digits={d[5]} null_ok={d[6]}"


def c_describe(probe, sql):
    a = probe.run(("prepare", sql), ("describecol", 1))[1]
    f = a.fields
    return f"type={f['type']} size={f['size']} digits={f['digits']} nullable={f['nullable']}"


def py_value(sql, pytype, label):
    """Column 1's value through pyodbc, its Python type as `label`."""
    def observe(conn):
        v = conn.cursor().execute(sql).fetchone()[0]
        return f"{label if type(v) is pytype else type(v).__name__} {v}"
    return observe


def c_typed_value(sql, code, label):
    """Column 1's SQLDescribeCol type (as `label`) and its value as text."""
    def observe(probe):
        out = probe.run(("execdirect", sql), ("describecol", 1), ("fetch",), ("getdata", 1))
        t = out[1].fields["type"]
        return f"{label if t == str(code) else t} {out[3].fields.get('value')}"
    return observe


def py_desc(sql, pytype, label, nullability=False):
    """pyodbc's description of column 1: its type as `label` when it is
    `pytype`, then size and digits, or whether it may be NULL."""
    def observe(conn):
        d = conn.cursor().execute(sql).description[0]
        name = label if d[1] is pytype else d[1].__name__
        return f"{name} {'nullable' if d[6] else 'not nullable'}" if nullability else f"{name} {d[3]} {d[5]}"
    return observe


def c_desc(sql, code, label, nullability=False):
    """The same from SQLDescribeCol after SQLPrepare."""
    def observe(probe):
        f = probe.run(("prepare", sql), ("describecol", 1))[1].fields
        name = label if f["type"] == str(code) else f["type"]
        if nullability:
            return f"{name} {'nullable' if f['nullable'] != '0' else 'not nullable'}"
        return f"{name} {f['size']} {f['digits']}"
    return observe


def c_scroll(probe, moves, cursor_type=SQL_CURSOR_STATIC):
    out = probe.run(("setattr", SQL_ATTR_CURSOR_TYPE, cursor_type), ("execdirect", ORDERS),
                    *(("scroll", o, n) for o, n in moves))
    return " | ".join(f"{a.rc}:{a.fields.get('value', ','.join(a.states) or '-')}" for a in out[2:])


def py_getinfo(info):
    return lambda conn: str(conn.getinfo(info))


def c_getinfo(info, width=16):
    return lambda probe: probe.run((f"getinfo{width}", info))[0].fields["value"]


def py_param_array(conn):
    # fast_executemany binds the rows as one parameter array; pyodbc shows
    # neither the status array nor the processed count, only the effect.
    cur = conn.cursor()
    cur.fast_executemany = True
    cur.executemany("INSERT INTO Categories (name) VALUES (?)", [("py array a",), ("py array b",), ("py array c",)])
    written = conn.cursor().execute("SELECT COUNT(*) FROM Categories WHERE name LIKE 'py array %'").fetchone()[0]
    return f"written={written}"  # pyodbc's rowcount after executemany is always -1


def c_param_array(probe):
    out = probe.run(("prepare", "INSERT INTO Categories (name) VALUES (?)"),
                    ("bindarray", SQL_WVARCHAR, "c array a", "c array b", "c array c"), ("execute",), ("rowcount",))
    run = out[2].fields
    return f"processed={run.get('processed')} statuses={run.get('statuses')} rowcount={out[3].fields.get('value')}"


def py_any_order(conn):
    claimed = conn.getinfo(SQL_GETDATA_EXTENSIONS) & SQL_GD_ANY_ORDER
    # pyodbc reads columns left to right; it can only show the claim and the row.
    row = conn.cursor().execute("SELECT 1, 'x'").fetchone()
    return ("claimed" if claimed else "not claimed") + (" and 2 then 1 works" if tuple(row) == (1, "x") else "")


def c_any_order(probe):
    claimed = int(probe.run(("getinfo32", SQL_GETDATA_EXTENSIONS))[0].fields["value"]) & SQL_GD_ANY_ORDER
    out = probe.run(("execdirect", "SELECT 1, 'x'"), ("fetch",), ("getdata", 2), ("getdata", 1))
    works = (out[2].fields.get("value"), out[3].fields.get("value")) == ("x", "1")
    return ("claimed" if claimed else "not claimed") + (" and 2 then 1 works" if works else f" but {out[2]} / {out[3]}")


LONG = 100_000

CASES = [
    # ---- 1. parameters ----
    Case("1 parameters", "describeparam-column-type",
         "SQLDescribeParam: returns the SQL type, size, digits and nullability of the marker "
         "(here those of the BIGINT key it is compared with, which allows no NULLs)",
         "type=-5 size=19 digits=0 nullable=0",
         None,
         lambda p: (lambda a: f"type={a.fields['type']} size={a.fields['size']} digits={a.fields['digits']} "
                              f"nullable={a.fields['nullable']}")(
             p.run(("prepare", "SELECT name FROM Products WHERE id = ?"), ("describeparam", 1))[1]),
         see="tests/parameters.rs, test_php.py (PHP binds what is described)"),
    Case("1 parameters", "numparams-counts-markers",
         "SQLNumParams: the number of parameter markers in the prepared statement",
         "2",
         lambda conn: "2" if "2 parameter markers" in py_error_state(
             conn, "SELECT id FROM Products WHERE id = ? OR id = ?", 1) else "pyodbc saw no 2",
         lambda p: p.run(("prepare", "SELECT id FROM Products WHERE id = ? OR id = ?"), ("numparams",))[1]
         .fields["value"]),
    Case("1 parameters", "null-indicator",
         "SQLBindParameter: *StrLen_or_IndPtr = SQL_NULL_DATA makes the parameter value NULL",
         "1,NULL",
         lambda conn: py_rows(conn, "SELECT ? IS NULL, ?", None, None),
         lambda p: c_rows(p, "SELECT ? IS NULL, ?", ("bind", 1, "null", SQL_WVARCHAR),
                          ("bind", 2, "null", SQL_WVARCHAR))),
    Case("1 parameters", "data-at-execution",
         "Sending Long Data: SQL_LEN_DATA_AT_EXEC; SQLExecute returns SQL_NEED_DATA, "
         "SQLParamData names the parameter, SQLPutData sends it in pieces",
         f"{LONG},1",
         lambda conn: py_rows(conn, "SELECT LENGTH(?), ? = ?", "x" * LONG, "x" * LONG, "x" * LONG),
         lambda p: c_rows(p, "SELECT LENGTH(?), ? = ?", ("bind", 1, "long", SQL_WLONGVARCHAR, LONG, "x"),
                          ("bind", 2, "long", SQL_WLONGVARCHAR, LONG, "x"),
                          ("bind", 3, "long", SQL_WLONGVARCHAR, LONG, "x")),
         see="test_parameters.py::test_a_long_parameter_arrives_at_execution"),
    Case("1 parameters", "bad-character-value",
         "SQLExecute, 22018: a character parameter bound to a numeric SQL type is not a number "
         "(invalid character value for cast specification)",
         "22018",
         lambda conn: py_error_state(conn, "SELECT ? + 1", "abc", sizes=[(SQL_INTEGER, 0, 0)]),
         lambda p: (lambda out: ",".join(out[2].states) or f"no error, {rows_text(out[3].rows)}")(
             p.run(("prepare", "SELECT ? + 1"), ("bind", 1, "char", SQL_INTEGER, "abc"), ("execute",),
                   ("fetchall",)))),
    Case("1 parameters", "parameter-array",
         "Arrays of Parameter Values: SQL_ATTR_PARAMSET_SIZE sets run at one SQLExecute; "
         "SQL_ATTR_PARAMS_PROCESSED_PTR counts them, the status array says SQL_PARAM_SUCCESS (0) per set, "
         "SQLRowCount sums the rows",
         "processed=3 statuses=0,0,0 rowcount=3",
         py_param_array, c_param_array, py_expected="written=3",
         see="test_parameters.py::test_fast_executemany_inserts_every_row"),
    # ---- 2. escapes ----
    Case("2 escapes", "fn-locate",
         "Appendix E, String Functions: LOCATE(s1, s2, start) is the 1-based position of the first s1 in s2 "
         "at or after start",
         "4",
         lambda conn: py_rows(conn, "SELECT {fn LOCATE('b', 'abcb', 3)}"),
         lambda p: c_value(p, "SELECT {fn LOCATE('b', 'abcb', 3)}"),
         see="tests/getinfo_claims.rs (every claimed function), test_escapes.py"),
    Case("2 escapes", "fn-dayofweek",
         "Appendix E, Time and Date Functions: DAYOFWEEK is 1..7, 1 = Sunday (2024-06-02 was a Sunday)",
         "1",
         lambda conn: py_rows(conn, "SELECT {fn DAYOFWEEK({d '2024-06-02'})}"),
         lambda p: c_value(p, "SELECT {fn DAYOFWEEK({d '2024-06-02'})}")),
    Case("2 escapes", "fn-timestampadd",
         "Appendix E: TIMESTAMPADD(interval, n, ts) adds n intervals to ts (a leap day here)",
         "2024-02-29 23:59:59",
         lambda conn: py_rows(conn, "SELECT {fn TIMESTAMPADD(SQL_TSI_DAY, 1, {ts '2024-02-28 23:59:59'})}"),
         lambda p: c_value(p, "SELECT {fn TIMESTAMPADD(SQL_TSI_DAY, 1, {ts '2024-02-28 23:59:59'})}")),
    Case("2 escapes", "fn-timestampdiff",
         "Appendix E: TIMESTAMPDIFF(interval, ts1, ts2) is the number of whole intervals from ts1 to ts2",
         "60",
         lambda conn: py_rows(conn, "SELECT {fn TIMESTAMPDIFF(SQL_TSI_DAY, {d '2024-01-01'}, {d '2024-03-01'})}"),
         lambda p: c_value(p, "SELECT {fn TIMESTAMPDIFF(SQL_TSI_DAY, {d '2024-01-01'}, {d '2024-03-01'})}")),
    Case("2 escapes", "fn-round",
         "Appendix E, Numeric Functions: ROUND(x, n) rounds x to n places right of the decimal point",
         "3",
         lambda conn: py_rows(conn, "SELECT {fn ROUND(2.5, 0)}").replace(".0", ""),
         lambda p: c_value(p, "SELECT {fn ROUND(2.5, 0)}").replace(".0", "")),
    Case("2 escapes", "date-literal-type",
         "Date, Time, and Timestamp Escape Sequences: {d 'yyyy-mm-dd'} is a DATE value (SQL_TYPE_DATE)",
         "DATE 2024-02-29",
         py_value("SELECT {d '2024-02-29'}", datetime.date, "DATE"),
         c_typed_value("SELECT {d '2024-02-29'}", SQL_TYPE_DATE, "DATE"),
         see="tests/escapes.rs::datetime_literals_have_their_types"),
    Case("2 escapes", "fn-convert",
         "Explicit Data Type Conversion: {fn CONVERT(value, SQL_INTEGER)} is value as an INTEGER",
         "INTEGER 42",
         py_value("SELECT {fn CONVERT('42', SQL_INTEGER)}", int, "INTEGER"),
         c_typed_value("SELECT {fn CONVERT('42', SQL_INTEGER)}", SQL_INTEGER, "INTEGER"),
         see="tests/casts.rs, test_casts.py"),
    Case("2 escapes", "outer-join-escape",
         "Outer Join Escape Sequence: {oj A LEFT OUTER JOIN B ON ...} is the LEFT OUTER JOIN",
         "same rows",
         lambda conn: "same rows" if py_rows(
             conn, "SELECT c.id, p.id FROM {oj Categories c LEFT OUTER JOIN Categories p ON p.id = c.parent_id} "
                   "ORDER BY 1") == py_rows(
             conn, "SELECT c.id, p.id FROM Categories c LEFT JOIN Categories p ON p.id = c.parent_id ORDER BY 1")
         else "different rows",
         lambda p: "same rows" if c_value(
             p, "SELECT c.id, p.id FROM {oj Categories c LEFT OUTER JOIN Categories p ON p.id = c.parent_id} "
                "ORDER BY 1") == c_value(
             p, "SELECT c.id, p.id FROM Categories c LEFT JOIN Categories p ON p.id = c.parent_id ORDER BY 1")
         else "different rows"),
    # ---- 3. result metadata ----
    Case("3 metadata", "decimal-column",
         "SQLDescribeCol, Column Size / Decimal Digits: a DECIMAL(p,s) column is SQL_DECIMAL, size p, digits s",
         "DECIMAL 19 4",
         py_desc("SELECT price FROM Products WHERE id = 1", Decimal, "DECIMAL"),
         c_desc("SELECT price FROM Products WHERE id = 1", SQL_DECIMAL, "DECIMAL"),
         see="test_result_types.py, tests/result_types.rs"),
    Case("3 metadata", "timestamp-column",
         "Column Size: SQL_TYPE_TIMESTAMP is 19 + fraction digits ('yyyy-mm-dd hh:mm:ss'); Decimal Digits 0",
         "TIMESTAMP 19 0",
         py_desc("SELECT created_at FROM Orders WHERE id = 1", datetime.datetime, "TIMESTAMP"),
         c_desc("SELECT created_at FROM Orders WHERE id = 1", SQL_TYPE_TIMESTAMP, "TIMESTAMP")),
    Case("3 metadata", "count-not-nullable",
         "SQLDescribeCol, NullablePtr: SQL_NO_NULLS when the column cannot be NULL (COUNT(*) is a "
         "non-nullable integer, BIGINT here)",
         "BIGINT not nullable",
         py_desc("SELECT COUNT(*) FROM Categories", int, "BIGINT", nullability=True),
         c_desc("SELECT COUNT(*) FROM Categories", SQL_BIGINT, "BIGINT", nullability=True)),
    Case("3 metadata", "described-before-execute",
         "SQLDescribeCol after SQLPrepare, before SQLExecute: the same description as after execution "
         "(SUM of a DECIMAL over no rows and over rows)",
         "same description",
         lambda conn: "same description" if py_description(
             conn, "SELECT SUM(price) FROM Products WHERE id < 0") == py_description(
             conn, "SELECT SUM(price) FROM Products") else "different",
         lambda p: (lambda out: "same description" if
                    [out[1].fields[k] for k in ("type", "size", "digits")] ==
                    [out[3].fields[k] for k in ("type", "size", "digits")] else "different")(
             p.run(("prepare", "SELECT SUM(price) FROM Products"), ("describecol", 1), ("execute",),
                   ("describecol", 1))),
         see="test_result_types.py"),
    # ---- 4. SQLGetInfo ----
    Case("4 getinfo", "txn-capable-none",
         "SQLGetInfo SQL_TXN_CAPABLE: SQL_TC_NONE (0) when transactions are not supported",
         "0",
         py_getinfo(SQL_TXN_CAPABLE), c_getinfo(SQL_TXN_CAPABLE),
         see="tests/odbc_transactions.rs, test_transactions.py"),
    Case("4 getinfo", "cursor-commit-preserve",
         "SQLGetInfo SQL_CURSOR_COMMIT_BEHAVIOR: SQL_CB_PRESERVE (2), cursors stay as they were",
         "2",
         py_getinfo(SQL_CURSOR_COMMIT_BEHAVIOR), c_getinfo(SQL_CURSOR_COMMIT_BEHAVIOR)),
    Case("4 getinfo", "scroll-options",
         "SQLGetInfo SQL_SCROLL_OPTIONS: the cursor types supported -- forward-only and static, "
         "not keyset-driven or dynamic",
         str(SQL_SO_FORWARD_ONLY | SQL_SO_STATIC),
         py_getinfo(SQL_SCROLL_OPTIONS), c_getinfo(SQL_SCROLL_OPTIONS, 32),
         see="test_scroll.py"),
    Case("4 getinfo", "getdata-any-order",
         "SQLGetInfo SQL_GETDATA_EXTENSIONS: SQL_GD_ANY_ORDER claimed means SQLGetData may read columns "
         "in any order (column 2 then column 1 works)",
         "claimed and 2 then 1 works",
         py_any_order, c_any_order),
    Case("4 getinfo", "claimed-function-runs",
         "SQLGetInfo SQL_STRING_FUNCTIONS: a claimed bit (SQL_FN_STR_LOCATE) is a function that runs",
         "claimed and runs",
         lambda conn: ("claimed" if conn.getinfo(SQL_STRING_FUNCTIONS) & SQL_FN_STR_LOCATE else "not claimed")
         + (" and runs" if py_rows(conn, "SELECT {fn LOCATE('c', 'abc')}") == "3" else ""),
         lambda p: ("claimed" if int(p.run(("getinfo32", SQL_STRING_FUNCTIONS))[0].fields["value"])
                    & SQL_FN_STR_LOCATE else "not claimed")
         + (" and runs" if c_value(p, "SELECT {fn LOCATE('c', 'abc')}") == "3" else ""),
         see="tests/getinfo_claims.rs (every claimed bit is run)"),
    # ---- 5. scrollable cursors ----
    Case("5 scroll", "forward-only-refuses-prior",
         "SQLFetchScroll, HY106: a forward-only cursor accepts only SQL_FETCH_NEXT",
         "ERROR:HY106 | SUCCESS:1",
         None,
         lambda p: c_scroll(p, [(SQL_FETCH_PRIOR, 0), (SQL_FETCH_NEXT, 0)], cursor_type=0),
         see="tests/scroll.rs"),
    Case("5 scroll", "static-orientations",
         "SQLFetchScroll, Cursor Positioning Rules: LAST, PRIOR, FIRST, ABSOLUTE n, RELATIVE n move as "
         "the rules say over ids 1..10",
         "SUCCESS:10 | SUCCESS:9 | SUCCESS:1 | SUCCESS:5 | SUCCESS:7 | SUCCESS:4",
         None,
         lambda p: c_scroll(p, [(SQL_FETCH_LAST, 0), (SQL_FETCH_PRIOR, 0), (SQL_FETCH_FIRST, 0),
                                (SQL_FETCH_ABSOLUTE, 5), (SQL_FETCH_RELATIVE, 2), (SQL_FETCH_RELATIVE, -3)]),
         see="tests/scroll.rs, test_scroll.py"),
    Case("5 scroll", "absolute-past-the-ends",
         "Cursor Positioning Rules: ABSOLUTE 0 is before the start (SQL_NO_DATA); ABSOLUTE past the end "
         "is after the end (SQL_NO_DATA), from where PRIOR is the last row; ABSOLUTE -1 is the last row",
         "NO_DATA:- | NO_DATA:- | SUCCESS:10 | SUCCESS:10",
         None,
         lambda p: c_scroll(p, [(SQL_FETCH_ABSOLUTE, 0), (SQL_FETCH_ABSOLUTE, 11), (SQL_FETCH_PRIOR, 0),
                                (SQL_FETCH_ABSOLUTE, -1)])),
    Case("5 scroll", "relative-back-from-the-first-row",
         "SQLFetchScroll, SQL_FETCH_RELATIVE rules: CurrRowsetStart = 1 AND FetchOffset < 0 is before the start "
         "(SQL_NO_DATA); NEXT from there is row 1",
         "SUCCESS:1 | NO_DATA:- | SUCCESS:1",
         None,
         lambda p: c_scroll(p, [(SQL_FETCH_FIRST, 0), (SQL_FETCH_RELATIVE, -1), (SQL_FETCH_NEXT, 0)]),
         see="tests/scroll.rs::relative_back_from_the_first_row_set_is_before_the_start"),
    Case("5 scroll", "keyset-becomes-static",
         "SQLSetStmtAttr SQL_ATTR_CURSOR_TYPE: an unsupported type is substituted, with 01S02 "
         "(option value changed); SQLGetStmtAttr tells the type in force",
         "SUCCESS_WITH_INFO 01S02 -> 3",
         None,
         lambda p: (lambda out: f"{out[0]} -> {out[1].fields['value']}")(
             p.run(("setattr", SQL_ATTR_CURSOR_TYPE, SQL_CURSOR_KEYSET_DRIVEN), ("getattr", SQL_ATTR_CURSOR_TYPE))),
         see="tests/docs.rs (README's cursor sentences), tests/scroll.rs"),
]


# ---- running them ----------------------------------------------------------

@pytest.fixture(scope="module")
def probe(workdir, module_sandbox):
    exe = workdir / "probe"
    p = subprocess.run(["gcc", "-Wall", "-Wextra", "-Werror", "-O1", "-o", str(exe), str(CLIENTS / "c" / "probe.c"),
                        "-lodbc"], capture_output=True, text=True)
    assert p.returncode == 0, "gcc failed (is unixodbc-dev installed?)\n" + p.stderr
    return Probe(exe, module_sandbox.conn_str())


@pytest.fixture(scope="module")
def observed(probe, module_conn):
    """Each case's observations, run once whichever test asks first."""
    cache = {}

    def get(case):
        if case.name not in cache:
            py = NOT_REACHABLE if case.py is None else observe(case.py, module_conn)
            cache[case.name] = (py, observe(case.c, probe))
        return cache[case.name]
    return get


def observe(f, arg):
    try:
        return str(f(arg))
    except Exception as e:  # the table shows it; the test fails on it
        return f"raised {type(e).__name__}: {e}"


def params_of(cases):
    out = []
    for c in cases:
        marks = [pytest.mark.xfail(strict=True, reason=c.known)] if c.known else []
        out.append(pytest.param(c, marks=marks, id=f"{c.item.split()[0]}-{c.name}"))
    return out


def passed(case, py, c):
    return c == case.expected_of("c") and (py == case.expected_of("py") or (case.py is None and py == NOT_REACHABLE))


@pytest.mark.parametrize("case", params_of(CASES))
def test_conformance(case, observed):
    py, c = observed(case)
    assert c == case.expected_of("c"), f"C program: {c!r}, the spec: {case.expected!r} ({case.spec})"
    if case.py is not None:
        assert py == case.expected_of("py"), f"pyodbc: {py!r}, the spec: {case.expected_of('py')!r} ({case.spec})"


def test_conformance_table(observed, tmp_path_factory):
    """Writes and prints the side-by-side table of every case; fails on a
    deviation that is not a known one."""
    lines = ["| item | case | spec says | expected | pyodbc did | C did | as the spec says | see also |",
             "|---|---|---|---|---|---|---|---|"]
    by_item, known, unknown = {}, [], []
    for case in CASES:
        py, c = observed(case)
        ok = passed(case, py, c)
        by_item.setdefault(case.item, []).append(ok)
        if not ok:
            (known if case.known else unknown).append(case.name)
        expected = case.expected + (f" (pyodbc: {case.py_expected})" if case.py_expected else "")
        verdict = "yes" if ok else (f"NO, known: {case.known}" if case.known else "NO")
        cells = [case.item, case.name, case.spec, expected, py, c, verdict, case.see]
        lines.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
    per_item = ", ".join(f"{item}: {sum(v)}/{len(v)}" for item, v in by_item.items())
    ok_count = sum(sum(v) for v in by_item.values())
    lines += ["", f"conformance: {ok_count}/{len(CASES)} cases as the spec says ({per_item}); "
                  f"known deviations: {', '.join(known) or 'none'}; unknown: {', '.join(unknown) or 'none'}"]
    table = tmp_path_factory.mktemp("conformance") / "conformance.md"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"table written to {table}")
    assert not unknown, unknown

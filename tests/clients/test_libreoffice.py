"""LibreOffice Base over the driver, headless, following docs/bi-tools.md's steps:
an ODBC data source sdbc:odbc:<DSN> over the test DSN, saved as .odb and
registered, its Tables pane, a query with a filter and a table opened with a
filter; then the saved .odb opened again in a fresh profile. Every value is
compared with pyodbc's answer to the same SQL.

tests/clients/uno/lo_base.py does the UNO part; it runs under Debian's /usr/bin/python3
(python3-uno), starts its own soffice and kills it. tests/run.sh installs
libreoffice-base-nogui, libreoffice-base-drivers (the sdbc:odbc: driver) and
python3-uno."""

import json
import os
import signal
import subprocess
import zipfile
from datetime import datetime
from decimal import Decimal

import pyodbc
import pytest

from conftest import AUTHTOKEN, CLIENTS, DRIVER_NAME, DSN, LOGIN

SYSTEM_PYTHON = "/usr/bin/python3"
SOFFICE = "/usr/lib/libreoffice/program/soffice"
SCRIPT = CLIENTS / "uno" / "lo_base.py"
RUN_TIMEOUT = 180  # soffice starts in ~3 s here; a hang must not stall the suite


def have_libreoffice():
    if not (os.path.exists(SOFFICE) and os.path.exists(SYSTEM_PYTHON)):
        return False
    if not os.path.exists("/usr/lib/libreoffice/program/libodbclo.so"):
        return False
    r = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True)
    return r.returncode == 0


pytestmark = pytest.mark.skipif(not have_libreoffice(), reason="LibreOffice Base + python3-uno not installed "
                                "(apt-get install libreoffice-base-nogui libreoffice-base-drivers python3-uno)")

QUERY = ("SELECT id, name, price, created_at FROM Products "
         "WHERE price > 300 AND id <= 40 ORDER BY id")
TABLE, TABLE_FILTER = "Jumpseller.Products", "id <= 3"


def lo_base(workdir, odb, *args, env=None):
    """Runs the UNO script; kills its whole process group (soffice too) on a timeout."""
    cmd = [SYSTEM_PYTHON, str(SCRIPT), "--odb", str(odb), "--profile", str(workdir / "profile"), *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8", start_new_session=True, env=env)
    try:
        out, err = proc.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"LibreOffice did not finish in {RUN_TIMEOUT}s; stderr: {err[-2000:]}")
    lines = [l for l in out.splitlines() if l.startswith("{")]
    assert lines, f"no JSON from {SCRIPT.name} (exit {proc.returncode}); stdout: {out[-2000:]} stderr: {err[-2000:]}"
    result = json.loads(lines[-1])
    assert "error" not in result, result
    assert proc.returncode == 0, err
    return result


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two sessions: the first creates, saves and registers the .odb; the
    second opens the saved file in a fresh profile."""
    base = tmp_path_factory.mktemp("libreoffice")
    odb = base / "jumpseller.odb"
    read = ["--query", QUERY, "--table", TABLE, "--filter", TABLE_FILTER]
    first = lo_base(base / "first", odb, "--create", "--dsn", DSN, *read)
    again = lo_base(base / "again", odb, *read)
    return {"odb": odb, "first": first, "again": again}


@pytest.fixture(scope="module")
def cnxn():
    c = pyodbc.connect(f"DSN={DSN}", autocommit=True)
    yield c
    c.close()


def as_lo(v):
    """pyodbc's value in the form lo_base.py prints LibreOffice's."""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.") + "%09d" % (v.microsecond * 1000)
    return v


def assert_same_rows(lo, py_rows):
    assert len(lo) == len(py_rows) > 0
    for lo_row, py_row in zip(lo, py_rows):
        assert len(lo_row) == len(py_row)
        for got, want in zip(lo_row, py_row):
            if isinstance(want, Decimal):
                assert Decimal(got) == want  # exact, compared as decimals
            else:
                assert got == as_lo(want)


def test_the_odb_file_is_saved_with_the_odbc_url(runs):
    odb = runs["odb"]
    assert odb.exists()
    with zipfile.ZipFile(odb) as z:
        content = z.read("content.xml").decode("utf-8")
    assert f'xlink:href="sdbc:odbc:{DSN}"' in content
    assert runs["first"]["registered"] == "JumpsellerTest"
    assert runs["first"]["url"] == runs["again"]["url"] == f"sdbc:odbc:{DSN}"


def test_tables_pane_lists_the_drivers_tables(runs, cnxn):
    want = sorted(f"{t.table_schem}.{t.table_name}" for t in cnxn.cursor().tables(tableType="TABLE,VIEW"))
    assert "Jumpseller.Products" in want and len(want) >= 50
    assert runs["first"]["tables"] == want
    assert runs["again"]["tables"] == want


def test_query_with_filter_reads_what_pyodbc_reads(runs, cnxn):
    py_rows = [tuple(r) for r in cnxn.cursor().execute(QUERY).fetchall()]
    for run in ("first", "again"):
        q = runs[run]["query"]
        assert q["columns"] == [["id", "BIGINT"], ["name", "VARCHAR"], ["price", "DECIMAL"],
                                ["created_at", "TIMESTAMP"]]
        assert_same_rows(q["rows"], py_rows)
    # The data has what the comparison is about: non-ASCII text, fractions.
    names = [r[1] for r in py_rows]
    assert any(not n.isascii() for n in names)
    assert any(r[2] != r[2].to_integral_value() for r in py_rows)


def test_table_opened_with_a_filter_reads_every_column(runs, cnxn):
    cur = cnxn.cursor().execute(f"SELECT * FROM {TABLE} WHERE {TABLE_FILTER} ORDER BY id")
    names = [d[0] for d in cur.description]
    py_rows = [tuple(r) for r in cur.fetchall()]
    t = runs["again"]["filtered_table"]
    assert [c[0] for c in t["columns"]] == names
    lo_rows = sorted(t["rows"], key=lambda r: r[0])
    assert_same_rows(lo_rows, py_rows)
    types = {c[1] for c in t["columns"]}
    assert {"BIGINT", "VARCHAR", "LONGVARCHAR", "DECIMAL", "DOUBLE", "BIT", "TIMESTAMP"} <= types


def test_saved_views_and_editing_a_row(tmp_path, start_sandbox, odbc_ini):
    """On a private sandbox with a saved view in the DSN: Base lists the view
    with the tables, and its table view is editable: a typed value is an
    UPDATE, sent to the API at once (docs/bi-tools.md says both)."""
    sb = start_sandbox()
    views = tmp_path / "views.json"
    views.write_text(json.dumps({"PaidOrders": {"query": "SELECT id, total FROM Orders WHERE status_enum = 'paid'"}}))
    ini = tmp_path / "odbc.ini"
    ini.write_text(f"[JS_EDIT]\nDriver={DRIVER_NAME}\nURL={sb.url}\nLogin={LOGIN}\nAuthToken={AUTHTOKEN}\n"
                   f"UserDefinedViews={views}\n")
    env = {**os.environ, "ODBCINI": str(ini)}
    before = sb.api_get("/categories/2.json")["category"]["name"]
    value = "Editada en Base ñ"
    assert before != value
    out = lo_base(tmp_path, tmp_path / "edit.odb", "--create", "--dsn", "JS_EDIT",
                  "--query", "SELECT id, name FROM Categories WHERE id = 2",
                  "--edit", "Jumpseller.Categories", "id = 2", "name", value, env=env)
    assert "Jumpseller.PaidOrders" in out["tables"] and "Jumpseller.Categories" in out["tables"]
    # Base lists tables and views; it leaves SYSTEM TABLEs (the sys_ tables) out itself.
    assert not any(".sys_" in t for t in out["tables"])
    assert out["query"]["rows"] == [[2, before]]
    assert out["edited"] == value
    assert sb.api_get("/categories/2.json")["category"]["name"] == value


def test_no_soffice_left_running(runs):
    # lo_base.py kills its soffice; the pipe names carry its pid.
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert "jsodbc_lo_" not in ps

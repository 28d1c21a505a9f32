"""Non-ASCII SQL text through unixODBC, every way an application can send it
(docs/unicode.md): A or W connect x A or W statement text x C or UTF-8
locale x a Latin-1, a non-Latin-1 BMP and a non-BMP character, by a C
program (tests/clients/c/textmatrix.c) and by pyodbc (default, and
setencoding(..., SQL_CHAR)). Each cell must find the one row whose name is
the literal and read the name back exactly, as SQL_C_CHAR and SQL_C_WCHAR.

The driver does not export SQLConnectW/SQLDriverConnectW, so unixODBC
never marks the connection "Unicode" and hands ANSI text over untouched;
before, a W connect followed by ANSI text found nothing (the DM widened the
UTF-8 bytes one by one)."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import AUTHTOKEN, CLIENTS, DRIVER_NAME, LOGIN, run

pytestmark = pytest.mark.skipif(not shutil.which("gcc"), reason="gcc not installed")

# One row per character class; the prefix keeps them apart from other tests' rows.
VALUES = {"latin1": "matrix é", "bmp": "matrix 日本", "astral": "matrix 😀"}


def utf8_locale():
    out = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.split()
    return next((loc for loc in ("C.UTF-8", "C.utf8", "en_US.UTF-8", "en_US.utf8") if loc in out), None)


LOCALES = ["C", utf8_locale()]


def locale_env(loc):
    env = dict(os.environ)
    for k in ("LANG", "LANGUAGE", "LC_CTYPE", "LC_ALL"):
        env.pop(k, None)
    env["LC_ALL"] = loc
    env["PYTHONCOERCECLOCALE"] = "0"  # python: keep the C locale when asked for it
    env["PYTHONIOENCODING"] = "utf-8"
    return env


@pytest.fixture(scope="module")
def matrix_bin(workdir):
    exe = workdir / "textmatrix"
    p = subprocess.run(["gcc", "-Wall", "-Wextra", "-Werror", "-O1", "-o", str(exe),
                        str(CLIENTS / "c" / "textmatrix.c"), "-lodbc"], capture_output=True, text=True)
    assert p.returncode == 0, "gcc failed (is unixodbc-dev installed?)\n" + p.stderr
    return exe


@pytest.fixture(scope="module")
def cs(module_sandbox):
    return module_sandbox.conn_str()


@pytest.fixture(scope="module")
def rows(cs):
    """Inserts the rows (bound parameters: the DM never converts data)."""
    import pyodbc
    with pyodbc.connect(cs, autocommit=True) as c:
        for v in VALUES.values():
            if not c.cursor().execute("SELECT 1 FROM Categories WHERE name = ?", v).fetchall():
                c.cursor().execute("INSERT INTO Categories (name) VALUES (?)", v)
        n = c.cursor().execute("SELECT COUNT(*) FROM Categories WHERE name LIKE 'matrix %'").fetchone()[0]
    assert n == len(VALUES)
    return VALUES


def select(value):
    return f"SELECT name, name FROM Categories WHERE name = '{value}'"


def cell_facts(out):
    """(rows, [(column, kind, hex)], diags) from textmatrix's output."""
    got, diags, n = [], [], None
    for line in out.splitlines():
        if line.startswith("row "):
            _, _, col, val, rc = line.split(" ")
            kind, hexval = val.split("=", 1)
            assert rc == "rc=SUCCESS", line
            got.append((int(col), kind, hexval))
        elif line.startswith("diag "):
            diags.append(line)
        elif line.startswith("rows="):
            n = int(line[5:])
    return n, got, diags


@pytest.mark.parametrize("loc", LOCALES)
@pytest.mark.parametrize("connect", ["A", "W"])
@pytest.mark.parametrize("text", ["A", "W"])
@pytest.mark.parametrize("kind", list(VALUES))
def test_c_cell_finds_the_row_and_reads_it_back(matrix_bin, rows, cs, loc, connect, text, kind):
    if loc is None:
        pytest.skip("no UTF-8 locale installed (locale -a)")
    value = rows[kind]
    p = run([str(matrix_bin), connect, text, cs, select(value)], env=locale_env(loc))
    assert p.returncode == 0, p.stdout + p.stderr
    n, got, diags = cell_facts(p.stdout)
    assert n == 1, p.stdout  # the literal matched: never a silent non-match
    want = value.encode("utf-8").hex()
    assert got == [(1, "char", want), (2, "wchar", want)], p.stdout
    assert not diags, diags


# pyodbc in a child process, so that the locale is the one asked for.
PYODBC_CELL = r"""
import json, sys, pyodbc
cs, value, mode = sys.argv[1], sys.argv[2], sys.argv[3]
c = pyodbc.connect(cs, autocommit=True, ansi=(mode == "ansi-connect"))
if mode in ("sql_char", "ansi-connect"):
    c.setencoding(encoding="utf-8", ctype=pyodbc.SQL_CHAR)
rows = c.cursor().execute("SELECT name FROM Categories WHERE name = '%s'" % value).fetchall()
print(json.dumps([r[0] for r in rows]))
"""


@pytest.mark.parametrize("loc", LOCALES)
@pytest.mark.parametrize("mode", ["default", "sql_char", "ansi-connect"])
@pytest.mark.parametrize("kind", list(VALUES))
def test_pyodbc_cell_finds_the_row(rows, cs, loc, mode, kind):
    """default: SQLDriverConnectW + SQLExecDirectW; sql_char: setencoding
    (utf-8, SQL_CHAR), so SQLDriverConnectW + SQLExecDirect (the cell that
    used to find nothing); ansi-connect: SQLDriverConnect + SQLExecDirect."""
    if loc is None:
        pytest.skip("no UTF-8 locale installed (locale -a)")
    value = rows[kind]
    p = run([sys.executable, "-c", PYODBC_CELL, cs, value, mode], env=locale_env(loc))
    assert p.returncode == 0, p.stdout + p.stderr
    assert json.loads(p.stdout) == [value]


def test_wide_connect_is_not_exported(matrix_bin):
    """What the fix rests on: unixODBC marks a connection Unicode (and then
    converts every ANSI call's text) only when the driver has these."""
    from conftest import DRIVER_LIB
    out = subprocess.run(["nm", "-D", "--defined-only", str(DRIVER_LIB)], capture_output=True, text=True).stdout
    names = {line.split()[-1] for line in out.splitlines() if line.strip()}
    assert {"SQLDriverConnect", "SQLConnect", "SQLExecDirectW", "SQLPrepareW", "SQLGetDiagRecW"} <= names
    assert not {"SQLDriverConnectW", "SQLConnectW", "SQLBrowseConnectW"} & names


def test_non_ascii_connection_string_of_a_wide_app_is_an_error(matrix_bin, module_sandbox, cs, workdir):
    """A wide application's connection string reaches SQLDriverConnect through
    unixODBC's own conversion, which cuts non-ASCII characters to a byte: the
    driver refuses the result (22018) rather than use an altered value. The
    same text through the ANSI connect, or in the DSN, is exact."""
    logdir = workdir / "textmatrix-logs"
    logdir.mkdir(exist_ok=True)
    for loc in [x for x in LOCALES if x]:
        wide_log = logdir / f"w-{loc}-é日本😀.log"
        p = run([str(matrix_bin), "W", "A", f"{cs};Logfile={wide_log}", "SELECT 1"], env=locale_env(loc))
        assert "connect rc=ERROR" in p.stdout and "state=22018" in p.stdout, p.stdout
        ansi_log = logdir / f"a-{loc}-é日本😀.log"
        p = run([str(matrix_bin), "A", "A", f"{cs};Logfile={ansi_log}", "SELECT 1"], env=locale_env(loc))
        assert "rows=1" in p.stdout, p.stdout
        assert ansi_log.exists()
    # The DSN route: the driver reads odbc.ini's bytes itself.
    ini = workdir / "textmatrix-odbc.ini"
    dsn_log = logdir / "dsn-é日本😀.log"
    ini.write_text(f"[JS_LOG]\nDriver={DRIVER_NAME}\nURL={module_sandbox.url}\nLogin={LOGIN}\n"
                   f"AuthToken={AUTHTOKEN}\nLogfile={dsn_log}\n", encoding="utf-8")
    env = locale_env(LOCALES[-1] or "C")
    env["ODBCINI"] = str(ini)
    p = run([str(matrix_bin), "W", "A", "DSN=JS_LOG", "SELECT 1"], env=env)
    assert "rows=1" in p.stdout, p.stdout
    assert sorted(f.name for f in logdir.iterdir()) == sorted(
        [f"a-{x}-é日本😀.log" for x in LOCALES if x] + [dsn_log.name])

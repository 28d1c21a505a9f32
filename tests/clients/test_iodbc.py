"""The driver under iODBC (libiodbc2), whose SQLWCHAR is a 4-byte wchar_t
holding UCS-4, as on macOS: the build with `--features iodbc`
(target/iodbc/, see docs/unicode.md), registered in a private
odbcinst.ini/odbc.ini (iODBC reads the ODBCINSTINI and ODBCINI paths), and
reached by iodbctest and by tests/clients/c/textmatrix.c compiled with a
wchar_t SQLWCHAR and linked to libiodbc.so.2.

libiodbc2-dev is not needed (and not installed: it conflicts with
unixodbc-dev): the C program takes unixODBC's headers with
SQL_WCHART_CONVERT, which makes their SQLWCHAR wchar_t like iODBC's."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import AUTHTOKEN, CLIENTS, DRIVER_NAME, DSN, LOGIN, REPO, run

IODBC_LIB = next((p for p in (Path("/usr/lib/x86_64-linux-gnu/libiodbc.so.2"), Path("/usr/lib/libiodbc.so.2"),
                              Path("/usr/local/lib/libiodbc.so.2")) if p.exists()), None)
DRIVER = Path(os.environ.get("JUMPSELLER_ODBC_DRIVER_IODBC",
                             REPO / "target" / "iodbc" / "debug" / "libjumpseller_odbc.so"))

pytestmark = [
    pytest.mark.skipif(IODBC_LIB is None, reason="libiodbc2 not installed"),
    pytest.mark.skipif(not shutil.which("gcc"), reason="gcc not installed"),
]

VALUES = {"latin1": "iodbc é", "bmp": "iodbc 日本", "astral": "iodbc 😀"}
UTF8 = "C.UTF-8"


@pytest.fixture(scope="module")
def driver():
    """The iODBC build, brought up to date (a no-op when it is) unless
    JUMPSELLER_ODBC_DRIVER_IODBC names one."""
    if "JUMPSELLER_ODBC_DRIVER_IODBC" not in os.environ:
        subprocess.run(["cargo", "build", "-p", "jumpseller-odbc", "--lib", "--features", "iodbc",
                        "--target-dir", str(REPO / "target" / "iodbc")], cwd=REPO, check=True)
    if not DRIVER.exists():
        pytest.fail(f"missing: {DRIVER}")
    return DRIVER


@pytest.fixture(scope="module")
def iodbc_env(driver, module_sandbox, workdir):
    """The environment of an iODBC client: its own ini files, nothing of
    unixODBC's (ODBCSYSINI is unixODBC's alone)."""
    inst = workdir / "iodbcinst.ini"
    ini = workdir / "iodbc.ini"
    inst.write_text(f"[ODBC Drivers]\n{DRIVER_NAME} = Installed\n\n[{DRIVER_NAME}]\nDriver = {driver}\n")
    ini.write_text(f"[ODBC Data Sources]\n{DSN} = {DRIVER_NAME}\n\n[{DSN}]\nDriver = {DRIVER_NAME}\n"
                   f"URL = {module_sandbox.url}\nLogin = {LOGIN}\nAuthToken = {AUTHTOKEN}\n"
                   "MaxRequestsPerSecond = 1000\nMaxRequestsPerMinute = 100000\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if k not in ("ODBCSYSINI", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE")}
    env.update(ODBCINI=str(ini), ODBCINSTINI=str(inst))
    return env


def with_locale(env, loc):
    return {**env, "LC_ALL": loc}


@pytest.fixture(scope="module")
def matrix_bin(workdir):
    exe = workdir / "textmatrix-iodbc"
    p = subprocess.run(["gcc", "-Wall", "-Wextra", "-Werror", "-O1", "-DSQL_WCHART_CONVERT", "-o", str(exe),
                        str(CLIENTS / "c" / "textmatrix.c"), str(IODBC_LIB)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return exe


@pytest.fixture(scope="module")
def rows(module_sandbox):
    import pyodbc  # through unixODBC; the data is the sandbox's either way
    with pyodbc.connect(module_sandbox.conn_str(), autocommit=True) as c:
        for v in VALUES.values():
            if not c.cursor().execute("SELECT 1 FROM Categories WHERE name = ?", v).fetchall():
                c.cursor().execute("INSERT INTO Categories (name) VALUES (?)", v)
    return VALUES


def hexs(s):
    return s.encode("utf-8").hex()


def whole_chars_within(s, nbytes):
    out = ""
    for ch in s:
        if len((out + ch).encode("utf-8")) > nbytes:
            break
        out += ch
    return out


def facts(out, prefix):
    return [line[len(prefix):] for line in out.splitlines() if line.startswith(prefix)]


def test_iodbc_build_exports_the_wide_connect_functions(driver):
    """iODBC treats a driver as Unicode (and passes wide calls through) only
    when it has SQLConnectW."""
    out = subprocess.run(["nm", "-D", "--defined-only", str(driver)], capture_output=True, text=True).stdout
    names = {line.split()[-1] for line in out.splitlines() if line.strip()}
    assert {"SQLConnectW", "SQLDriverConnectW", "SQLExecDirectW", "SQLGetDiagRecW"} <= names


@pytest.mark.parametrize("connect", ["A", "W"])
@pytest.mark.parametrize("text", ["A", "W"])
@pytest.mark.parametrize("kind", list(VALUES))
def test_iodbc_cell_utf8_locale(matrix_bin, iodbc_env, rows, connect, text, kind):
    """Every cell exact in a UTF-8 locale: the row found, the name read back as
    SQL_C_CHAR and as 4-byte SQL_C_WCHAR, the alias from SQLDescribeCol[W] and
    SQLColAttribute[W], the driver name from SQLGetInfo[W]."""
    value = rows[kind]
    sql = f'SELECT name AS "{value}", name FROM Categories WHERE name = \'{value}\''
    p = run([str(matrix_bin), connect, text, f"DSN={DSN}", sql], env=with_locale(iodbc_env, UTF8))
    assert p.returncode == 0, p.stdout + p.stderr
    assert facts(p.stdout, "rows=") == ["1"], p.stdout
    assert facts(p.stdout, "row 1 1 ") == [f"char={hexs(value)} rc=SUCCESS"]
    assert facts(p.stdout, "row 1 2 ") == [f"wchar={hexs(value)} rc=SUCCESS"]
    assert facts(p.stdout, "info driver_name=") == [hexs("libjumpseller_odbc.so")]
    col = facts(p.stdout, "col 1 ")[0].split()
    if text == "W":
        # Wide metadata: exact, lengths in SQLWCHARs (UCS-4: one per character).
        assert col == [f"describe={hexs(value)}", f"label={hexs(value)}", f"len={len(value)}",
                       f"llen={len(value)}"], p.stdout
    else:
        # iODBC 3.52.9 converts a Unicode driver's names back for an ANSI
        # application into as many bytes as there are characters
        # (dm_StrCopyOut2_W2A): an ASCII-only name survives, this one keeps
        # the whole characters that fit. A driver manager limitation
        # (docs/unicode.md); the driver's SQLDescribeColW answered exactly.
        assert col[0] == f"describe={hexs(whole_chars_within(value, len(value)))}", p.stdout


def test_iodbc_wide_diagnostics_are_exact(matrix_bin, iodbc_env, rows):
    p = run([str(matrix_bin), "W", "W", f"DSN={DSN}", 'SELECT * FROM "日本😀"'], env=with_locale(iodbc_env, "C"))
    wd = facts(p.stdout, "wdiag exec ")
    assert wd and wd[0].startswith(f"state={hexs('42S02')} "), p.stdout
    assert hexs("no such table: 日本😀.") in wd[0]


@pytest.mark.parametrize("connect", ["A", "W"])
@pytest.mark.parametrize("kind", list(VALUES))
def test_iodbc_c_locale(matrix_bin, iodbc_env, rows, connect, kind):
    """In the C locale wide text still arrives exact (no conversion on the
    way); ANSI text is converted by iODBC with mbstowcs, which fails on any
    non-ASCII byte there: the statement then fails, never matches nothing."""
    value = rows[kind]
    sql = f"SELECT name, name FROM Categories WHERE name = '{value}'"
    env = with_locale(iodbc_env, "C")
    p = run([str(matrix_bin), connect, "W", f"DSN={DSN}", sql], env=env)
    assert facts(p.stdout, "rows=") == ["1"] and facts(p.stdout, "row 1 2 ") == [f"wchar={hexs(value)} rc=SUCCESS"]
    p = run([str(matrix_bin), connect, "A", f"DSN={DSN}", sql], env=env)
    assert facts(p.stdout, "exec rc=") == ["ERROR"], p.stdout
    assert not facts(p.stdout, "rows=")


def test_iodbctest_finds_non_ascii_text(iodbc_env, rows):
    """iODBC's own sample client (ANSI), UTF-8 locale."""
    if not shutil.which("iodbctest"):
        pytest.skip("iodbctest not installed (Debian package iodbc)")
    value = rows["astral"]
    script = f"SELECT id, name FROM Categories WHERE name = '{value}'\nquit\n"
    p = run(["iodbctest", f"DSN={DSN}"], input=script, env=with_locale(iodbc_env, UTF8), timeout=60)
    assert "result set 1 returned 1 rows" in p.stdout, p.stdout + p.stderr
    assert value in p.stdout

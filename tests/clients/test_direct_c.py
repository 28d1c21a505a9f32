"""examples/query.c compiled against include/jumpseller_odbc.h and linked straight
to libjumpseller_odbc.so (no driver manager in the loop), run against a sandbox
this module starts itself.

Self-contained (needs nothing from conftest.py). Environment overrides, the same
as the other client tests:
  JUMPSELLER_ODBC_DRIVER   path of libjumpseller_odbc.so   (default target/debug/)
  JUMPSELLER_SANDBOX_BIN   path of jumpseller-sandbox      (default target/debug/)
"""

import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LIB = Path(os.environ.get("JUMPSELLER_ODBC_DRIVER", REPO / "target" / "debug" / "libjumpseller_odbc.so"))
SANDBOX_BIN = Path(os.environ.get("JUMPSELLER_SANDBOX_BIN", REPO / "target" / "debug" / "jumpseller-sandbox"))
SOURCE = REPO / "examples" / "query.c"
INCLUDE = REPO / "include"
CC = os.environ.get("CC", "gcc")


def _built():
    missing = [p for p in (LIB, SANDBOX_BIN) if not p.exists()]
    if missing and not ("JUMPSELLER_ODBC_DRIVER" in os.environ or "JUMPSELLER_SANDBOX_BIN" in os.environ):
        subprocess.run(["cargo", "build", "-p", "jumpseller-odbc", "-p", "jumpseller-sandbox"], cwd=REPO, check=True)
        missing = [p for p in (LIB, SANDBOX_BIN) if not p.exists()]
    if missing:
        pytest.fail(f"missing build outputs: {', '.join(map(str, missing))}")


@pytest.fixture(scope="module")
def tmp():
    d = Path(tempfile.mkdtemp(prefix="jsodbc-direct-c-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def sandbox_url(tmp):
    _built()
    err = open(tmp / "sandbox.err", "w")
    proc = subprocess.Popen(
        [str(SANDBOX_BIN), "serve", "--port", "0", "--per-second", "0", "--per-minute", "0"],
        stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL, text=True,
    )
    box = []
    t = threading.Thread(target=lambda: box.append(proc.stdout.readline()), daemon=True)
    t.start()
    t.join(30)
    try:
        line = box[0] if box else ""
        prefix = "JUMPSELLER_SANDBOX_URL="
        assert line.startswith(prefix), f"sandbox printed {line!r}: {(tmp / 'sandbox.err').read_text()[-2000:]}"
        yield line[len(prefix):].strip()
    finally:
        proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()
        err.close()


@pytest.fixture(scope="module")
def query_bin(tmp):
    if shutil.which(CC) is None:
        pytest.fail(f"no C compiler ({CC}); install gcc")
    _built()
    out = tmp / "query"
    libdir = str(LIB.parent)
    cmd = [CC, "-std=c99", "-Wall", "-Wextra", "-Werror", "-I", str(INCLUDE), str(SOURCE), "-o", str(out),
           "-L", libdir, "-ljumpseller_odbc", f"-Wl,-rpath,{libdir}"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, f"{' '.join(cmd)}\n{r.stdout}{r.stderr}"
    return out


def run(query_bin, url, sql=None, **env):
    args = [str(query_bin), url] + ([sql] if sql is not None else [])
    full_env = {k: v for k, v in os.environ.items() if k not in ("JUMPSELLER_LOGIN", "JUMPSELLER_AUTHTOKEN")}
    full_env.update(env)
    return subprocess.run(args, capture_output=True, text=True, timeout=120, env=full_env)


def rows(stdout):
    lines = stdout.rstrip("\n").split("\n")
    return lines[0].split("\t"), [l.split("\t") for l in lines[1:]]


def test_links_without_a_driver_manager(query_bin):
    """The example depends on the driver library, not on libodbc."""
    r = subprocess.run(["ldd", str(query_bin)], capture_output=True, text=True)
    assert "libjumpseller_odbc.so" in r.stdout, r.stdout
    assert "libodbc.so" not in r.stdout, r.stdout


def test_default_query_prints_products(query_bin, sandbox_url):
    r = run(query_bin, sandbox_url)
    assert r.returncode == 0, r.stderr
    header, body = rows(r.stdout)
    assert header == ["id", "name", "price"]
    assert [row[0] for row in body] == ["1", "2", "3", "4", "5"]
    assert all(len(row) == 3 and row[1] for row in body)
    assert "5 row(s)" in r.stderr


def test_group_by_over_orders(query_bin, sandbox_url):
    r = run(query_bin, sandbox_url, "SELECT status_enum, COUNT(*) AS n FROM Orders GROUP BY 1 ORDER BY 1")
    assert r.returncode == 0, r.stderr
    header, body = rows(r.stdout)
    assert header == ["status_enum", "n"]
    statuses = [row[0] for row in body]
    assert statuses == sorted(statuses) and len(statuses) >= 2
    assert sum(int(row[1]) for row in body) == 400  # the sandbox's default order count


def test_long_values_arrive_whole(query_bin, sandbox_url):
    """Descriptions of several KB come through SQLGetData in 512-byte pieces."""
    r = run(query_bin, sandbox_url, "SELECT length(description), description FROM Products WHERE length(description) > 2000 LIMIT 1")
    assert r.returncode == 0, r.stderr
    out = r.stdout.split("\n", 1)[1]
    n, text = out.split("\t", 1)
    # length() counts characters; the C program prints UTF-8 bytes.
    assert len(text.rstrip("\n")) == int(n)


def test_bad_credentials_give_28000(query_bin, sandbox_url):
    r = run(query_bin, sandbox_url, JUMPSELLER_AUTHTOKEN="wrong")
    assert r.returncode == 1
    assert "SQLDriverConnect" in r.stderr and "[28000]" in r.stderr, r.stderr
    assert "wrong" not in r.stderr  # secrets never appear in messages


def test_unknown_column_gives_42S22(query_bin, sandbox_url):
    r = run(query_bin, sandbox_url, "SELECT no_such_column FROM Products")
    assert r.returncode == 1
    assert "[42S22]" in r.stderr and "no_such_column" in r.stderr, r.stderr


def test_unreachable_url_gives_08001(query_bin):
    # A loopback port nobody listens on (port 9 = discard, closed here).
    r = run(query_bin, "http://127.0.0.1:9/v1")
    assert r.returncode == 1
    assert "[08001]" in r.stderr, r.stderr


def test_header_compiles_as_cplusplus(tmp):
    cxx = shutil.which("g++") or shutil.which("c++")
    if cxx is None:
        pytest.skip("no C++ compiler")
    src = tmp / "h.cc"
    src.write_text('#include "jumpseller_odbc.h"\n#include "jumpseller_odbc.h"\nint main() { return SQLCancel(nullptr) == -2 ? 0 : 1; }\n')
    r = subprocess.run([cxx, "-Wall", "-Werror", "-I", str(INCLUDE), str(src), "-o", str(tmp / "h"),
                        "-L", str(LIB.parent), "-ljumpseller_odbc", f"-Wl,-rpath,{LIB.parent}"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    # A null handle is SQL_INVALID_HANDLE, through the C++ declaration too.
    assert subprocess.run([str(tmp / "h")]).returncode == 0

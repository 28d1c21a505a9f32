"""A C program built with gcc against unixODBC (-lodbc): SQLDriverConnect,
SQLBindCol, SQLGetData in chunks (01004 then SQL_NO_DATA), SQLGetDiagRec."""

import math
import re
import shutil
import subprocess
from decimal import Decimal

import pytest

from conftest import CLIENTS, DRIVER_NAME, DSN, run

SQL_BIGINT, SQL_DECIMAL, SQL_WVARCHAR, SQL_WLONGVARCHAR, SQL_TYPE_TIMESTAMP, SQL_INTEGER = -5, 3, -9, -10, 93, 4

pytestmark = pytest.mark.skipif(not shutil.which("gcc"), reason="gcc not installed")


def fnv1a(data: bytes) -> str:
    h = 14695981039346656037
    for b in data:
        h ^= b
        h = (h * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


@pytest.fixture(scope="module")
def query_bin(workdir):
    exe = workdir / "query"
    p = subprocess.run(["gcc", "-Wall", "-Wextra", "-Werror", "-O1", "-o", str(exe), str(CLIENTS / "c" / "query.c"), "-lodbc"],
                       capture_output=True, text=True)
    assert p.returncode == 0, "gcc failed (is unixodbc-dev installed?)\n" + p.stderr
    return exe


def facts(out, prefix):
    return [line[len(prefix):].strip() for line in out.splitlines() if line.startswith(prefix)]


def kv(s):
    return dict(re.findall(r"(\w+)=(\S*)", s))


@pytest.fixture(scope="module")
def full_run(query_bin, sandbox):
    p = run([str(query_bin), f"DSN={DSN}"], timeout=120)
    assert p.returncode == 0 and "\ndone" in p.stdout, p.stdout + p.stderr
    return p.stdout


def test_c_connect_and_describe(full_run):
    assert facts(full_run, "connect rc=") == ["SUCCESS"]
    assert facts(full_run, "numcols=") == ["6"]
    cols = [kv(c) for c in facts(full_run, "col ")]
    assert [c["name"] for c in cols] == ["id", "name", "price", "created_at", "stock", "description"]
    assert [int(c["type"]) for c in cols] == [SQL_BIGINT, SQL_WVARCHAR, SQL_DECIMAL, SQL_TYPE_TIMESTAMP,
                                              SQL_INTEGER, SQL_WLONGVARCHAR]
    assert (cols[2]["size"], cols[2]["digits"]) == ("19", "4")
    assert cols[1]["size"] == "255"


def test_c_bound_rows_match_api(full_run, api_products):
    want = sorted((p for p in api_products if p["id"] <= 3 or len(p["description"] or "") > 8000),
                  key=lambda p: p["id"])
    rows = facts(full_run, "row ")
    assert len(rows) == len(want) >= 4
    assert facts(full_run, "fetch1 end=") == [f"NO_DATA rows={len(want)}"]
    assert facts(full_run, "fetch1 again=") == ["NO_DATA"]
    for line, p in zip(rows, want):
        m = re.match(r"id=(\d+) name=(.*) price=(\S+) created=(\S+ \S+) stock=(\S+)$", line)
        assert m, line
        assert int(m[1]) == p["id"]
        assert m[2] == p["name"]
        assert Decimal(m[3]) == Decimal(str(p["price"]))
        assert m[4] == p["created_at"].replace(" UTC", "") + ".0"
        assert m[5] == ("NULL" if p["stock"] is None else str(p["stock"]))


def test_c_getdata_chunks_01004_then_no_data(full_run, api_products):
    by_id = {p["id"]: p for p in api_products}
    descs = facts(full_run, "desc ")
    summaries = [d for d in descs if "bytes=" in d]
    enders = [d for d in descs if "after_last=" in d]
    assert len(summaries) == len(facts(full_run, "row ")) == len(enders)
    for e in enders:
        assert e.endswith("after_last=NO_DATA"), e
    long_seen = 0
    for s in summaries:
        pid = int(s.split()[0])
        f = kv(s)
        want = (by_id[pid]["description"] or "").encode("utf-8")
        assert int(f["bytes"]) == len(want), (pid, f)
        assert f["fnv"] == fnv1a(want), pid  # the pieces put together are the exact text
        calls = int(f["calls"])
        assert calls >= math.ceil(len(want) / 63)
        assert int(f["truncations"]) == calls - 1  # every piece but the last says 01004
        assert f["other_states"] == "0"
        assert int(f["first_ind"]) in (len(want), -4)  # total length or SQL_NO_TOTAL
        if len(want) > 8000:
            long_seen += 1
    assert long_seen >= 1


def test_c_bound_buffer_too_small(full_run, api_products):
    name = next(p for p in api_products if p["id"] == 10)["name"]
    f = kv(facts(full_run, "bound_small ")[0])
    assert f["rc"] == "SUCCESS_WITH_INFO"
    assert int(f["ind"]) == len(name.encode("utf-8"))
    assert f["value_len"] == "7"
    diag = facts(full_run, "diag bound_small ")
    assert diag and "state=01004" in diag[0]


def test_c_wchar_chunks_keep_surrogate_pairs(full_run, api_products):
    name = next(p for p in api_products if p["id"] == 10)["name"]
    assert "\U0001F389" in name
    line = facts(full_run, "wname 10 ")[0]
    f = kv(line)
    assert f["hex"] == name.encode("utf-16-le").hex()
    assert int(f["truncations"]) == int(f["calls"]) - 1 >= 3


def test_c_diag_after_error(full_run):
    assert facts(full_run, "error_exec rc=") == ["ERROR"]
    assert facts(full_run, "error_exec diag_number=") == ["1"]
    d = facts(full_run, "diag error_exec ")
    assert len(d) == 1 and d[0].startswith("1 state=42S02 ") and "NoSuchTable" in d[0]
    assert facts(full_run, "syntax_exec rc=") == ["ERROR"]
    d = facts(full_run, "diag syntax_exec ")
    assert len(d) == 1 and "state=42000" in d[0]
    assert facts(full_run, "orders_count=") == ["400"]


def test_c_unknown_key_warns_01S00(query_bin, sandbox):
    cs = f"DRIVER={{{DRIVER_NAME}}};URL={sandbox.url};UID=sandbox;PWD=sandbox-authtoken;MaxRequestsPerSecond=1000;Bogus=1"
    p = run([str(query_bin), "--connect", cs])
    assert p.returncode == 0, p.stdout
    assert facts(p.stdout, "connect rc=") == ["SUCCESS_WITH_INFO"]
    d = facts(p.stdout, "diag connect ")
    assert any("state=01S00" in x and "Bogus" in x for x in d), d


def test_c_unknown_key_from_dsn_warns_01S00(query_bin):
    p = run([str(query_bin), "--connect", "DSN=JS_UNKNOWNKEY"])
    assert p.returncode == 0, p.stdout
    assert facts(p.stdout, "connect rc=") == ["SUCCESS_WITH_INFO"]
    assert any("state=01S00" in x and "NoSuchOption" in x for x in facts(p.stdout, "diag connect "))


def test_c_known_keys_no_warning(query_bin, sandbox):
    p = run([str(query_bin), "--connect", f"DSN={DSN};Timeout=30;Pagesize=20;MaxRows=0;Verbosity=1"])
    assert facts(p.stdout, "connect rc=") == ["SUCCESS"], p.stdout


def test_c_connect_errors(query_bin, sandbox):
    p = run([str(query_bin), "--connect", f"DSN={DSN};PWD=nope"])
    assert p.returncode == 3
    assert facts(p.stdout, "connect rc=") == ["ERROR"]
    assert any("state=28000" in x for x in facts(p.stdout, "diag connect ")), p.stdout
    p = run([str(query_bin), "--connect", f"DSN={DSN};Pagesize=0"])
    assert p.returncode == 3
    d = " ".join(facts(p.stdout, "diag connect "))
    assert "Pagesize" in d and "0" in d, p.stdout


def test_c_getdata_huge_text_in_chunks(query_bin, start_sandbox):
    sb = start_sandbox("--huge-description-product", "3")
    want = sb.api_get("/products/3.json")["product"]["description"].encode("utf-8")
    assert len(want) >= 10_000_000
    cs = sb.conn_str()
    p = run([str(query_bin), "--getdata", cs, "SELECT description FROM Products WHERE id = 3", "8192"], timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    f = kv(next(line for line in p.stdout.splitlines() if line.startswith("getdata bytes=")))
    assert int(f["bytes"]) == len(want)
    assert f["fnv"] == fnv1a(want)
    assert int(f["truncations"]) == int(f["calls"]) - 1 >= len(want) // 8192
    assert facts(p.stdout, "getdata after_last=") == ["NO_DATA"]

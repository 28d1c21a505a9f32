"""Descriptors through unixODBC with a C program (pyodbc does not expose
them): SQL_C_NUMERIC precision and scale set through the ARD that
SQLGetStmtAttr returns, the IRD read (A and W) and refusing changes,
SQLCopyDesc, an explicitly allocated descriptor as the ARD, SQL_C_GUID."""

import re
import shutil
import subprocess
from decimal import Decimal

import pytest

from conftest import CLIENTS, DSN, run

pytestmark = pytest.mark.skipif(not shutil.which("gcc"), reason="gcc not installed")


@pytest.fixture(scope="module")
def output(workdir, sandbox):
    exe = workdir / "descriptors"
    p = subprocess.run(["gcc", "-Wall", "-Wextra", "-Werror", "-O1", "-o", str(exe),
                        str(CLIENTS / "c" / "descriptors.c"), "-lodbc"], capture_output=True, text=True)
    assert p.returncode == 0, "gcc failed (is unixodbc-dev installed?)\n" + p.stderr
    p = run([str(exe), f"DSN={DSN}"], timeout=120)
    assert p.returncode == 0 and "\ndone" in p.stdout, p.stdout + p.stderr
    return p.stdout


def facts(out, prefix):
    return [line[len(prefix):].strip() for line in out.splitlines() if line.startswith(prefix)]


def test_numeric_precision_and_scale_through_the_ard(output, api_products):
    rows = [{"id": r.split()[0], **dict(re.findall(r"(\w+)=(\S+)", r))} for r in facts(output, "numeric id=")]
    want = sorted(api_products, key=lambda p: p["id"])
    assert len(rows) == len(want) > 0
    assert facts(output, "numeric end=") == ["NO_DATA"]
    for r, p in zip(rows, want):
        assert int(r["id"]) == p["id"]
        assert (r["precision"], r["scale"]) == ("19", "4")
        assert Decimal(r["value"]) == Decimal(str(p["price"]))
        assert len(r["value"].split(".")[1]) == 4


def test_the_ird_reads_and_refuses_changes(output):
    assert facts(output, "ird name=") == ["price len=5"]
    assert facts(output, "ird wname=") == ["price len=10"]
    assert facts(output, "ird rec ") == ["name=price type=3 precision=19 scale=4"]
    assert facts(output, "ird set ") == ["rc=ERROR state=HY016"]
    assert facts(output, "copy ") == ["rc=SUCCESS ard_count=2"]


def test_an_explicit_descriptor_is_the_ard(output, api_products):
    ids = sorted(p["id"] for p in api_products)[:2]
    assert facts(output, "explicit fetch=") == [f"SUCCESS fetched=2 ids={ids[0]},{ids[1]}"]
    assert facts(output, "explicit free=") == ["SUCCESS reverted=1"]


def test_guid(output):
    assert facts(output, "guid 6") == ["f9619ff-8b86-d011-b42d-00c04fc964ff"]
    assert facts(output, "guid bad ") == ["rc=ERROR state=22018"]

"""Perl DBI + DBD::ODBC through unixODBC (tests/clients/perl/query.pl)."""

import json
import shutil
import subprocess
from collections import Counter

import pytest

from conftest import CLIENTS, DSN, TABLES_JSON, run


def have_dbd_odbc():
    if not shutil.which("perl"):
        return False
    return subprocess.run(["perl", "-MDBD::ODBC", "-MJSON::PP", "-e1"], capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(not have_dbd_odbc(), reason="DBD::ODBC not installed (apt-get install libdbd-odbc-perl)")


def test_perl_dbi(sandbox, api_products, api_orders, workdir):
    by_id = {p["id"]: p for p in api_products}
    long_p = max(api_products, key=lambda p: len(p["description"] or ""))
    assert len(long_p["description"]) > 5000
    expected = {
        "products": [{"id": i, "name": by_id[i]["name"], "price": str(by_id[i]["price"]),
                      "created_at": by_id[i]["created_at"].replace(" UTC", ""), "sku": by_id[i]["sku"]}
                     for i in (1, 4, 10)],
        "orders_by_status": dict(Counter(o["status_enum"] for o in api_orders)),
        "orders_count": sandbox.api_get("/orders/count.json")["count"],
        "long_id": long_p["id"],
        "long_description": long_p["description"],
        "categories_columns": [c["name"] for c in TABLES_JSON["Categories"]["columns"]],
    }
    f = workdir / "perl-expected.json"
    f.write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")
    p = run(["perl", str(CLIENTS / "perl" / "query.pl"), DSN, str(f)], timeout=120)
    failures = [l for l in p.stdout.splitlines() if l.startswith("not ok")]
    assert not failures, "\n".join(failures) + "\n" + p.stderr
    assert p.returncode == 0, p.stdout + p.stderr
    oks = [l for l in p.stdout.splitlines() if l.startswith("ok ")]
    assert len(oks) >= 30, p.stdout
    assert p.stdout.rstrip().endswith(f"1..{len(oks)}")

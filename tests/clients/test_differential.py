"""Differential tests: the driver's answers equal plain SQLite's on the same rows
(see differential.py). DIFF_SEED and DIFF_COUNT override the corpus' seed and size."""

import os
import subprocess
import sys

import pyodbc
import pytest

from conftest import SANDBOX_BIN
import differential as D
import differential_scroll as S

SEED = int(os.environ.get("DIFF_SEED", "20261207"))
COUNT = int(os.environ.get("DIFF_COUNT", "1000"))
SCROLLS = int(os.environ.get("DIFF_SCROLLS", "40"))


@pytest.fixture(scope="module")
def exported(workdir):
    """`jumpseller-sandbox export --sqlite` of the default store (the served data)."""
    path = workdir / "differential-export.db"
    subprocess.run([str(SANDBOX_BIN), "export", "--sqlite", str(path)], check=True, capture_output=True)
    yield D.export_rows(str(path))
    path.unlink()


def live_export(sandbox, workdir):
    """The store as it is after writes, exported by the running sandbox."""
    path = workdir / "differential-live.db"
    sandbox.export_sqlite(path)
    rows = D.export_rows(str(path))
    path.unlink()
    return rows


def scan_costs(sandbox, cursor):
    """Requests a plain SELECT * of each table takes: the yardstick for pushdown."""
    costs = {}
    for t in D.TABLES:
        sandbox.reset()
        cursor.execute(f"SELECT * FROM {t}").fetchall()
        costs[t] = sandbox.stats()["total"]
    return costs


def run_corpus(sandbox, conn, oracle, seed, count, costs):
    gen = D.Generator(oracle, seed)
    cursor = conn.cursor()
    mismatches, refused, kinds = [], 0, {}
    sandbox.reset()
    plain = 0
    for _ in range(count):
        stmt = gen.statement()
        kinds[stmt.kind] = kinds.get(stmt.kind, 0) + 1
        plain += costs.get(stmt.table, 1) + sum(costs.get(t, 0) for t in D.TABLES if f"JOIN {t} " in stmt.extra_from
                                                or f"FROM {t} c" in str(stmt.preds))
        outcome, sql, params = D.run_one(cursor, oracle, stmt)
        if outcome.detail.startswith("oracle refused"):
            refused += 1
        if not outcome.ok:
            mismatches.append((stmt, outcome, sql, params))
    used = sandbox.stats()["total"]
    print(f"\ndifferential corpus (seed {seed}): {count} statements {sorted(kinds.items())}, "
          f"{len(mismatches)} mismatches, {refused} refused by the oracle too; "
          f"{used} requests where plain scans would take {plain} ({used / max(plain, 1):.2f})")
    reports = []
    for stmt, outcome, sql, params in mismatches[:8]:
        small = D.shrink(cursor, oracle, stmt)
        o2, sql2, params2 = D.run_one(cursor, oracle, small)
        reports.append(f"  {sql!r} {params!r}\n    -> {outcome.detail}\n"
                       f"    minimal: {sql2!r} {params2!r}\n    -> {o2.detail}")
    return mismatches, reports


def test_plain_scans_equal_the_export(module_conn, exported):
    """Anchors the scan-based part of the oracle: where the export has a table,
    the driver's plain SELECT * holds the same rows on the columns both have."""
    cursor = module_conn.cursor()
    problems = []
    for table, (ecols, erows) in sorted(exported.items()):
        dcols, drows = D.scan_rows(cursor, table)
        kinds = {c["name"]: D.kind_of(c["type"]) for c in D.TABLES[table]["columns"]}
        common = [c for c in ecols if c in dcols and c in kinds]
        assert common, table
        key = lambda r: tuple(D.norm(D.stored(r.get(c), kinds[c])) for c in common)  # noqa: E731
        e = sorted((key(r) for r in erows), key=D.multiset_key)
        d = sorted((key(r) for r in drows), key=D.multiset_key)
        if e != d:
            problems.append(f"{table}: {D.diff(d, e)}")
    assert not problems, "\n".join(problems)


def test_differential_corpus(module_sandbox, module_conn, exported):
    cursor = module_conn.cursor()
    costs = scan_costs(module_sandbox, cursor)
    oracle = D.build_oracle(cursor, exported)
    mismatches, reports = run_corpus(module_sandbox, module_conn, oracle, SEED, COUNT, costs)
    assert not mismatches, f"{len(mismatches)} wrong answers; first ones:\n" + "\n".join(reports)


def test_static_cursors_scroll_like_the_forward_rows(module_sandbox, module_conn, exported):
    """Ordered statements of the corpus read by a static cursor in a random
    orientation sequence: each move lands on the forward-only result's row
    the positioning rules name (differential_scroll.py)."""
    import random
    oracle = D.build_oracle(module_conn.cursor(), exported)
    gen = D.Generator(oracle, SEED + 7)
    rnd = random.Random(SEED + 7)
    conn = S.Connection(module_sandbox.conn_str())
    wrong, moved = [], 0
    try:
        for _ in range(SCROLLS):
            stmt = gen._ordered()
            while stmt.order is None or D.driver_sql(stmt)[1]:  # no ORDER BY, or ? markers
                stmt = gen._ordered()
            sql = D.driver_sql(stmt)[0]
            rows = conn.forward_rows(sql)
            moves = S.random_moves(rnd, len(rows), rnd.randint(6, 14))
            want = [None if p is None else rows[p - 1] for p in S.expected_positions(len(rows), moves)]
            got = conn.scrolled_rows(sql, moves)
            moved += len(moves)
            for i, (m, w, g) in enumerate(zip(moves, want, got)):
                if w != g:
                    steps = ", ".join(f"{S.NAMES[o]} {k}" for o, k in moves[: i + 1])
                    wrong.append(f"{sql!r} ({len(rows)} rows) after {steps}: got {g!r}, want {w!r}")
                    break
    finally:
        conn.close()
    print(f"\nstatic cursors (seed {SEED + 7}): {SCROLLS} statements, {moved} moves, {len(wrong)} wrong")
    assert not wrong, "\n".join(wrong[:5])


def random_writes(conn, oracle, seed, n=40):
    """Creates, changes and deletes records through the driver, upserts
    included (REPLACE and INSERT OR IGNORE of keys that exist update or skip
    the record: checked here, since the corpus only compares reads)."""
    import random
    rnd = random.Random(seed)
    cur = conn.cursor()
    done = []
    for i in range(n):
        op = rnd.choice(["cat+", "cat~", "cat-", "cust+", "cust~", "prod~", "cat=", "cat?", "cust=", "cat[]",
                         "cust[]", "img~", "stock~", "grp+"])
        try:
            if op == "cat+":
                cur.execute("INSERT INTO Categories (name) VALUES (?)", f"Diff {seed}-{i} ñ 😀")
            elif op == "cat~":
                ids = [r["id"] for r in oracle.rows["Categories"]]
                cur.execute("UPDATE Categories SET name = ? WHERE id = ?", f"Renamed {i} Ça", rnd.choice(ids))
            elif op == "cat-":
                cur.execute("DELETE FROM Categories WHERE id = (SELECT MAX(id) FROM Categories)")
            elif op == "cust+":
                cur.execute("INSERT INTO Customers (email, phone, shipping_address_name) VALUES (?, ?, ?)",
                            f"diff{seed}.{i}@Example.COM", "+56 9 1234", "Zoë Ñúñez")
            elif op == "cust~":
                ids = [r["id"] for r in oracle.rows["Customers"]]
                cur.execute("UPDATE Customers SET phone = ? WHERE id = ?", f"+56 {i}", rnd.choice(ids))
            elif op in ("cat[]", "cust[]"):
                array_writes(cur, oracle, rnd, op, f"{seed}-{i}")
            elif op == "prod~":
                ids = [r["id"] for r in oracle.rows["Products"]]
                cur.execute("UPDATE Products SET stock = ? WHERE id = ?", rnd.randint(0, 50), rnd.choice(ids))
            elif op in ("cat=", "cat?", "cust="):
                table, column = ("Customers", "phone") if op == "cust=" else ("Categories", "name")
                ids = [r[0] for r in cur.execute(f"SELECT id FROM {table}").fetchall()]
                key, value = rnd.choice(ids), f"Upsert {seed}-{i} ñ"
                old = cur.execute(f"SELECT {column} FROM {table} WHERE id = ?", key).fetchone()[0]
                verb = "INSERT OR IGNORE" if op == "cat?" else rnd.choice(["REPLACE", "INSERT OR REPLACE"])
                cur.execute(f"{verb} INTO {table} (id, {column}) VALUES (?, ?)", key, value)
                assert cur.rowcount == (0 if op == "cat?" else 1), (op, cur.rowcount)
                now = [tuple(r) for r in cur.execute(f"SELECT id, {column} FROM {table}").fetchall()]
                assert len(now) == len(ids), f"{verb} of {table} id {key} changed the count"
                assert dict(now)[key] == (old if op == "cat?" else value), (op, key, dict(now)[key])
                if op == "cat?":
                    # Without a key nothing conflicts: a new record.
                    cur.execute("INSERT OR IGNORE INTO Categories (name) VALUES (?)", value)
                    assert cur.rowcount == 1
            elif op in ("img~", "stock~", "grp+"):
                gap_write(cur, rnd, oracle, op)
            done.append(op)
        except pyodbc.Error as e:
            pytest.fail(f"write {op} failed: {e}")
    return done


def gap_write(cur, rnd, oracle, op):
    """The writes that fill the API's former gaps, each checked by reading back:
    an image's position (the others close up), stock at a location, a group
    membership."""
    if op == "img~":
        product = rnd.randint(1, 8)
        ids = [r[0] for r in cur.execute("SELECT id FROM ProductImages WHERE product_id = ?", product).fetchall()]
        if not ids:
            return
        image, position = rnd.choice(ids), rnd.randint(1, len(ids))
        cur.execute("UPDATE ProductImages SET position = ? WHERE product_id = ? AND id = ?", position, product, image)
        now = dict(cur.execute("SELECT id, position FROM ProductImages WHERE product_id = ?", product).fetchall())
        assert now[image] == position and sorted(now.values()) == list(range(1, len(ids) + 1)), now
    elif op == "stock~":
        product, location, stock = rnd.randint(1, 12), rnd.randint(1, 2), rnd.randint(0, 500)
        cur.execute("UPDATE ProductLocations SET stock = ? WHERE product_id = ? AND location_id = ?",
                    stock, product, location)
        now = {r[0] for r in cur.execute("SELECT stock FROM ProductLocations WHERE product_id = ? AND location_id = ?",
                                         product, location).fetchall()}
        assert now == {stock}, (product, location, now)
    else:
        group = rnd.choice([r["id"] for r in oracle.rows["CustomerCategories"]])
        customer = rnd.choice([r["id"] for r in oracle.rows["Customers"]])
        cur.execute("INSERT INTO CustomerCategoryCustomers (customer_category_id, customer_id) VALUES (?, ?)",
                    group, customer)
        found = cur.execute("SELECT COUNT(*) FROM CustomerCategoryCustomers WHERE customer_category_id = ? "
                            "AND customer_id = ?", group, customer).fetchone()[0]
        assert found == 1, (group, customer, found)


def array_writes(cur, oracle, rnd, op, tag):
    """Writes through a parameter array (fast_executemany: one SQLExecute of
    SQL_ATTR_PARAMSET_SIZE rows), checked here and then by the corpus that
    runs over the export taken after them."""
    cur.fast_executemany = True
    try:
        if op == "cat[]":
            names = [f"Array {tag}.{k} ñ" for k in range(rnd.randint(2, 6))]
            cur.executemany("INSERT INTO Categories (name) VALUES (?)", [(x,) for x in names])
            got = sorted(r[0] for r in cur.execute(
                "SELECT name FROM Categories WHERE name LIKE ?", f"Array {tag}.%").fetchall())
            assert got == sorted(names), (names, got)
        else:
            ids = rnd.sample([r["id"] for r in oracle.rows["Customers"]], rnd.randint(2, 5))
            phones = {i: f"+56 {tag} {i}" for i in ids}
            cur.executemany("UPDATE Customers SET phone = ? WHERE id = ?", [(p, i) for i, p in phones.items()])
            got = {r[0]: r[1] for r in cur.execute(
                f"SELECT id, phone FROM Customers WHERE id IN ({', '.join('?' * len(ids))})", *ids).fetchall()}
            assert got == phones, (phones, got)
    finally:
        cur.fast_executemany = False


def test_differential_corpus_after_writes(module_sandbox, module_conn, workdir):
    cursor = module_conn.cursor()
    before = D.build_oracle(cursor, live_export(module_sandbox, workdir))
    random_writes(module_conn, before, SEED)
    costs = scan_costs(module_sandbox, cursor)
    oracle = D.build_oracle(cursor, live_export(module_sandbox, workdir))
    mismatches, reports = run_corpus(module_sandbox, module_conn, oracle, SEED + 1, max(COUNT // 3, 100), costs)
    assert not mismatches, f"{len(mismatches)} wrong answers after writes; first ones:\n" + "\n".join(reports)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-s"]))

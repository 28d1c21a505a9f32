"""The differential corpus: seeded SELECT statements run through the driver
(pyodbc -> unixODBC -> driver -> sandbox) and, as the oracle, through plain
SQLite over the same rows. Pushdown, page caching and join lookups may change
what a query costs, never what it answers: any difference is a wrong answer.

The oracle's rows come from `jumpseller-sandbox export --sqlite` (independent
of the driver) for the tables and columns the export has, and from one plain
`SELECT *` per table through the driver for the rest (and after writes, which
the export does not see). `test_differential.py` checks that the plain scans
equal the export where both exist, so the scan-based part is anchored too.

Every statement is built from parts (table, predicates, shape), so a
mismatch shrinks to a minimal reproduction by dropping parts.
"""

import copy
import datetime as dt
import json
import random
import sqlite3
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path

import differential_fns as F

PROFILE = json.loads((Path(__file__).resolve().parents[2] / "src" / "schema" / "jumpseller.json").read_text())
TABLES = {t["name"]: t for t in PROFILE["tables"]}


# ---------------------------------------------------------------- values

def kind_of(sql_type):
    """The comparison family of a profile type."""
    t = sql_type.upper()
    if t in ("BIGINT", "INTEGER"):
        return "int"
    if t.startswith("DECIMAL") or t == "DOUBLE":
        return "num"
    if t == "BIT":
        return "bit"
    if t == "TIMESTAMP":
        return "ts"
    if t == "DATE":
        return "date"
    return "text"


def canonical_ts(v):
    """A timestamp in the one stored form, 'YYYY-MM-DD HH:MM:SS[.ffffff]'."""
    if isinstance(v, dt.datetime):
        s = v.strftime("%Y-%m-%d %H:%M:%S")
        return s + (f".{v.microsecond:06d}" if v.microsecond else "")
    if isinstance(v, str) and v.endswith(" UTC"):
        return v[:-4]
    return v


def stored(v, kind):
    """A value as the oracle stores it (the driver's SQLite storage classes)."""
    if v is None:
        return None
    if kind == "int":
        return int(v)
    if kind == "num":
        return float(Decimal(str(v)))
    if kind == "bit":
        return int(bool(v)) if not isinstance(v, str) else int(v not in ("0", "false", ""))
    if kind == "ts":
        return canonical_ts(v)
    if kind == "date":
        return v.isoformat() if isinstance(v, dt.date) else v
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(v)  # a number in a text column compares as its text
    return v


def norm(v):
    """A result value in the form both sides are compared in."""
    if v is None:
        return None
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float, Decimal)):
        f = float(v)
        if f.is_integer() and abs(f) < 2**53:
            return int(f)
        return round(f, 6)
    if isinstance(v, dt.datetime):
        return canonical_ts(v)
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return v


def norm_rows(rows):
    return [tuple(norm(v) for v in r) for r in rows]


def multiset_key(row):
    return tuple((x is None, type(x).__name__, x) if not isinstance(x, (int, float)) else (False, "n", x) for x in row)


# ---------------------------------------------------------------- the oracle

def unicode_case(conn):
    """The driver's upper()/lower() are Unicode-aware; so are the oracle's."""
    conn.create_function("upper", 1, lambda s: None if s is None else str(s).upper(), deterministic=True)
    conn.create_function("lower", 1, lambda s: None if s is None else str(s).lower(), deterministic=True)


def exact_decimal(x, p, s):
    """CAST(x AS DECIMAL(p,s)) as the driver defines it: the value's shortest
    decimal text rounded half away from zero to s digits (decimal, not binary,
    arithmetic); more than p - s digits before the point is an error."""
    if x is None:
        return None
    d = Decimal(repr(x) if isinstance(x, float) else str(x).strip())
    r = d.quantize(Decimal(1).scaleb(-s), rounding=ROUND_HALF_UP)
    if len(str(abs(r.to_integral_value(rounding=ROUND_DOWN)))) > p - s and abs(r) >= 1:
        raise ValueError("numeric value out of range")
    return float(r)


def cast_functions(conn):
    """What the oracle computes CASTs with where SQLite's own are not exact."""
    conn.create_function("js_decimal", 3, exact_decimal, deterministic=True)


class Oracle:
    """Plain SQLite holding every table's rows in the driver's storage forms."""

    def __init__(self):
        self.db = sqlite3.connect(":memory:")
        unicode_case(self.db)
        cast_functions(self.db)
        F.register(self.db)
        self.db.execute('ATTACH DATABASE ":memory:" AS Jumpseller')
        self.columns = {}  # table -> [(name, kind)]
        self.rows = {}  # table -> [dict]
        self.source = {}  # table -> "export" | "scan"

    def load(self, table, columns, rows, source):
        kinds = {c["name"]: kind_of(c["type"]) for c in TABLES[table]["columns"]}
        cols = [(c, kinds[c]) for c in columns if c in kinds]
        decl = {"int": "INTEGER", "num": "REAL", "bit": "INTEGER", "ts": "TEXT", "date": "TEXT", "text": "TEXT"}
        self.db.execute(f'DROP TABLE IF EXISTS Jumpseller."{table}"')
        self.db.execute(f'CREATE TABLE Jumpseller."{table}" ({", ".join(f"{q(c)} {decl[k]}" for c, k in cols)})')
        stored_rows = [{c: stored(r.get(c), k) for c, k in cols} for r in rows]
        if cols:
            marks = ", ".join("?" for _ in cols)
            self.db.executemany(f'INSERT INTO Jumpseller."{table}" VALUES ({marks})',
                                [tuple(r[c] for c, _ in cols) for r in stored_rows])
        self.columns[table] = cols
        self.rows[table] = stored_rows
        self.source[table] = source

    def query(self, sql, params=()):
        return self.db.execute(sql, params).fetchall()


def q(name):
    return '"' + name.replace('"', '""') + '"'


def scan_rows(cursor, table):
    """Every row of a table through the driver by one plain SELECT *."""
    cursor.execute(f"SELECT * FROM {table}")
    names = [d[0] for d in cursor.description]
    return names, [dict(zip(names, r)) for r in cursor.fetchall()]


def export_rows(path):
    """{table: (columns, [row dict])} from a `jumpseller-sandbox export --sqlite` file."""
    db = sqlite3.connect(path)
    out = {}
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'"):
        if name not in TABLES:
            continue
        cur = db.execute(f'SELECT * FROM "{name}"')
        names = [d[0] for d in cur.description]
        out[name] = (names, [dict(zip(names, r)) for r in cur.fetchall()])
    db.close()
    return out


def build_oracle(cursor, export=None):
    """The oracle: export rows where the export has the table, else scans."""
    oracle = Oracle()
    export = export or {}
    for table in TABLES:
        if table in export:
            names, rows = export[table]
            oracle.load(table, names, rows, "export")
        else:
            names, rows = scan_rows(cursor, table)
            oracle.load(table, names, rows, "scan")
    return oracle


# ---------------------------------------------------------------- literals

def ts_literals(canon, rnd):
    """A canonical timestamp in one of the forms a client may write it:
    (SQL text for the driver, the value as a bound parameter or None)."""
    d = dt.datetime.strptime(canon[:19], "%Y-%m-%d %H:%M:%S")
    forms = [
        (f"'{canon}'", None),
        (f"{{ts '{canon}'}}", None),
        (f"{{ts '{canon}.000'}}", None),
        (f"'{d.strftime('%Y-%m-%dT%H:%M:%S')}'", None),
        (f"'{d.strftime('%Y-%m-%dT%H:%M:%S')}Z'", None),
        (f"'{d.strftime('%Y-%m-%dT%H:%M:%S')}.000+00:00'", None),
        (f"'{(d - dt.timedelta(hours=3)).strftime('%Y-%m-%dT%H:%M:%S')}-03:00'", None),
        ("?", d),
    ]
    return rnd.choice(forms)


def text_variants(value, rnd):
    """An existing text, or a near miss a lenient API lookup might still match."""
    choices = [value, value, value.upper(), value.lower(), value + " ", " " + value, value[:-1] if value else "x",
               value.swapcase()]
    return rnd.choice(choices)


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


# ---------------------------------------------------------------- statements

class Pred:
    """One predicate: SQL for the driver and for the oracle, with parameters;
    `marked` is the driver's same predicate with its literals as ? markers
    (the twin shape runs both)."""

    def __init__(self, driver, oracle, dparams=(), oparams=(), marked=None):
        self.driver, self.oracle = driver, oracle
        self.dparams, self.oparams = list(dparams), list(oparams)
        self.marked = marked  # (driver sql with ?, its parameters)

    def with_markers(self):
        if self.marked is None:
            return self
        return Pred(self.marked[0], self.oracle, self.marked[1], self.oparams)

    def __repr__(self):
        return self.driver


class Stmt:
    """A statement from parts; `render` gives (driver sql, params, oracle sql, params)."""

    def __init__(self, kind, table, alias, select, preds, joiner="AND", order=None, limit=None, offset=None,
                 group=None, extra_from="", union=None, note=""):
        self.kind, self.table, self.alias, self.select = kind, table, alias, select
        self.preds, self.joiner, self.order = preds, joiner, order
        self.limit, self.offset, self.group = limit, offset, group
        self.extra_from, self.union, self.note = extra_from, union, note

    def parts(self):
        """The droppable parts, for shrinking."""
        return ["preds", "order", "limit", "offset", "union"]

    def render(self):
        def one(side):
            where, params = [], []
            for p in self.preds:
                where.append(getattr(p, side))
                params += p.dparams if side == "driver" else p.oparams
            sel = self.select[0] if side == "driver" else self.select[1]
            sql = f"SELECT {sel} FROM {self.table} {self.alias}{self.extra_from}"
            if where:
                sql += " WHERE " + f" {self.joiner} ".join(f"({w})" for w in where)
            if self.group:
                sql += f" GROUP BY {self.group}"
            if self.union is not None:
                u = self.union.render()
                sql += (" UNION ALL " if self.note == "all" else " UNION ") + (u[0] if side == "driver" else u[2])
                params += u[1] if side == "driver" else u[3]
            if self.order:
                sql += f" ORDER BY {self.order}"
            if self.limit is not None:
                sql += f" LIMIT {self.limit}"
                if self.offset is not None:
                    sql += f" OFFSET {self.offset}"
            return sql, params
        d, dp = one("driver")
        o, op = one("oracle")
        return d, dp, o, op

    def fully_ordered(self):
        """ORDER BY the primary key: the order of the answer is determined."""
        return bool(self.order)

    def copy(self, **kw):
        s = copy.copy(self)
        s.preds = list(self.preds)
        for k, v in kw.items():
            setattr(s, k, v)
        return s


class Generator:
    """Seeded statements over every table of the oracle."""

    def __init__(self, oracle, seed):
        self.o = oracle
        self.rnd = random.Random(seed)
        # The cast shape draws from a stream of its own, so adding it left
        # every other statement of a seed's corpus as it was; so do the
        # escape-function and literal/marker twin shapes.
        self.cast_rnd = random.Random(f"cast-{seed}")
        self.feature_rnd = random.Random(f"features-{seed}")
        self.tables = [t for t in TABLES if self.o.columns.get(t)]

    # -- values
    def values(self, table, col):
        return [r[col] for r in self.o.rows[table] if r.get(col) is not None]

    def pick_value(self, table, col, kind):
        vals = self.values(table, col)
        rnd = self.rnd
        if not vals or rnd.random() < 0.08:
            return {"int": rnd.choice([0, -1, 2**40, 1]), "num": rnd.choice([0.0, -1.5, 1e9]),
                    "bit": rnd.choice([0, 1]), "ts": "2024-05-10 09:43:45", "date": "2024-05-10",
                    "text": rnd.choice(["", "zzz-no-such", "ñandú", "😀 emoji", "O'Brien"])}[kind]
        v = rnd.choice(vals)
        if kind == "int" and rnd.random() < 0.2:
            v += rnd.choice([-1, 1])
        return v

    # -- predicates
    def pred(self, table, alias, cols):
        col, kind = self.rnd.choice(cols)
        c = f"{alias}.{q(col)}" if alias else q(col)
        rnd = self.rnd
        if rnd.random() < 0.07:
            return self._null(c)
        if kind in ("int", "num"):
            return self._number(table, col, c, kind)
        if kind == "bit":
            v = rnd.choice([0, 1])
            return Pred(f"{c} = {v}", f"{c} = {v}")
        if kind == "ts":
            return self._timestamp(table, col, c)
        return self._text(table, col, c)

    def _null(self, c):
        neg = self.rnd.random() < 0.5
        s = f"{c} IS {'NOT ' if neg else ''}NULL"
        return Pred(s, s)

    def _literal_or_param(self, v):
        if self.rnd.random() < 0.3:
            return "?", [v], [v]
        return (sql_str(v) if isinstance(v, str) else repr(v)), [], []

    def _number(self, table, col, c, kind):
        rnd = self.rnd
        op = rnd.choice(["=", "=", "<>", "<", "<=", ">", ">=", "between", "in", "in"])
        if op == "between":
            a, b = sorted([self.pick_value(table, col, kind), self.pick_value(table, col, kind)])
            return Pred(f"{c} BETWEEN {a!r} AND {b!r}", f"{c} BETWEEN {a!r} AND {b!r}")
        if op == "in":
            vs = [self.pick_value(table, col, kind) for _ in range(rnd.randint(1, 5))]
            if rnd.random() < 0.3:
                marks = ", ".join("?" for _ in vs)
                return Pred(f"{c} IN ({marks})", f"{c} IN ({marks})", vs, vs)
            lst = ", ".join(repr(v) for v in vs)
            return Pred(f"{c} IN ({lst})", f"{c} IN ({lst})")
        v = self.pick_value(table, col, kind)
        lit, dp, op_ = self._literal_or_param(v)
        return Pred(f"{c} {op} {lit}", f"{c} {op} {lit}", dp, op_)

    def _text(self, table, col, c):
        rnd = self.rnd
        v = self.pick_value(table, col, "text")
        if not isinstance(v, str):
            v = str(v)
        op = rnd.choice(["=", "=", "=", "<>", "like", "in", ">", "upper"])
        if op == "like":
            pre = v[: rnd.randint(0, min(4, len(v)))].replace("%", "").replace("_", "")
            s = f"{c} LIKE {sql_str(pre + '%')}"
            return Pred(s, s)
        if op == "in":
            vs = [text_variants(str(self.pick_value(table, col, "text")), rnd) for _ in range(rnd.randint(1, 4))]
            lst = ", ".join(sql_str(x) for x in vs)
            return Pred(f"{c} IN ({lst})", f"{c} IN ({lst})")
        if op == "upper":
            s = f"{{fn UCASE({c})}} = {{fn UCASE({sql_str(v)})}}"
            return Pred(s, f"upper({c}) = upper({sql_str(v)})")
        v = text_variants(v, rnd) if op == "=" else v
        lit, dp, op_ = self._literal_or_param(v)
        return Pred(f"{c} {op} {lit}", f"{c} {op} {lit}", dp, op_)

    def _timestamp(self, table, col, c):
        rnd = self.rnd
        canon = self.pick_value(table, col, "ts")
        op = rnd.choice(["=", ">=", "<", "<=", ">", "between"])
        if op == "between":
            a, b = sorted([canon, self.pick_value(table, col, "ts")])
            la, pa = ts_literals(a, rnd)
            lb, pb = ts_literals(b, rnd)
            dp = [x for x in (pa, pb) if x is not None]
            return Pred(f"{c} BETWEEN {la} AND {lb}", f"{c} BETWEEN {sql_str(a)} AND {sql_str(b)}", dp, [])
        lit, p = ts_literals(canon, rnd)
        return Pred(f"{c} {op} {lit}", f"{c} {op} {sql_str(canon)}", [p] if p is not None else [], [])

    # -- shapes
    def statement(self):
        shape = self.rnd.choices(
            ["filter", "ordered", "limit", "aggregate", "group", "join", "exists", "in_sub", "union", "pk"],
            weights=[24, 12, 6, 8, 8, 12, 8, 6, 6, 10])[0]
        stmt = getattr(self, "_" + shape)()
        if self.cast_rnd.random() < 0.1:
            stmt = self._drawing_from(self.cast_rnd, self._cast)
        if self.feature_rnd.random() < 0.15:
            shape = self.feature_rnd.choice([self._fn, self._fn, self._twin])
            stmt = self._drawing_from(self.feature_rnd, shape)
        return stmt

    def _drawing_from(self, rnd, shape):
        main, self.rnd = self.rnd, rnd
        try:
            return shape()
        finally:
            self.rnd = main

    def _fn(self):
        """{fn ...} escapes over real columns in the select list (and on one
        in WHERE), against the oracle's Python definitions (differential_fns)."""
        rnd = self.rnd
        tables = [t for t in self.tables if any(k in F.TEMPLATES for _, k in self._cols(t))]
        t = rnd.choice(tables)
        cols = [(c, k) for c, k in self._cols(t) if k in F.TEMPLATES]
        dsel, osel = [], []
        for col, kind in rnd.sample(cols, min(len(cols), rnd.randint(1, 3))):
            for _ in range(rnd.randint(1, 2)):
                d, o = rnd.choice(F.TEMPLATES[kind])
                dsel.append(d.replace("{c}", q(col)))
                osel.append(o.replace("{c}", q(col)))
        preds = self._preds(t, "", 0, 1)
        filterable = [(c, k) for c, k in cols if k in F.PREDICATES]
        if filterable and rnd.random() < 0.5:
            col, kind = rnd.choice(filterable)
            d, o, fn = rnd.choice(F.PREDICATES[kind])
            v = F.VALUE_OF[fn](self.pick_value(t, col, kind))
            if v is not None:
                lit = sql_str(v) if isinstance(v, str) else repr(v)
                preds.append(Pred(d.replace("{c}", q(col)).replace("{v}", lit),
                                  o.replace("{c}", q(col)).replace("{v}", lit)))
        pk = self._pk_order(t)
        order = pk if pk and rnd.random() < 0.5 else None
        return Stmt("fn", t, "", (", ".join(dsel), ", ".join(osel)), preds, order=order)

    def _twin(self):
        """The same filter with literals and with ? markers bound to the same
        values: both must give the oracle's rows."""
        rnd = self.rnd
        t = rnd.choice(self.tables)
        cols = [(c, k) for c, k in self._cols(t) if k in ("int", "num", "text", "ts")]
        if not cols:
            return self._filter()
        preds = []
        for _ in range(rnd.randint(1, 3)):
            col, kind = rnd.choice(cols)
            preds.append(self._twin_pred(t, col, kind))
        pk = self._pk_order(t)
        return Stmt("twin", t, "", self._select_list(t, ""), preds,
                    joiner=rnd.choice(["AND", "AND", "OR"]), order=pk if rnd.random() < 0.5 else None)

    def _twin_pred(self, table, col, kind):
        rnd = self.rnd
        c = q(col)
        v = self.pick_value(table, col, kind)
        if kind == "ts":
            op = rnd.choice(["=", ">=", "<", "<=", ">"])
            bound = dt.datetime.strptime(v[:19], "%Y-%m-%d %H:%M:%S") if rnd.random() < 0.7 else v
            return Pred(f"{c} {op} {{ts '{v[:19]}'}}", f"{c} {op} {sql_str(v[:19])}", marked=(f"{c} {op} ?", [bound]))
        op = rnd.choice(["=", "<>", "<", ">=", "in"] if kind != "text" else ["=", "<>", ">", "in", "like"])
        if op == "in":
            vs = [self.pick_value(table, col, kind) for _ in range(rnd.randint(1, 4))]
            if kind == "text":
                vs = [str(x) for x in vs]
            lits = ", ".join(sql_str(x) if isinstance(x, str) else repr(x) for x in vs)
            marks = ", ".join("?" for _ in vs)
            return Pred(f"{c} IN ({lits})", f"{c} IN ({lits})", marked=(f"{c} IN ({marks})", [self._bound(x, kind) for x in vs]))
        if op == "like":
            pat = str(v)[: rnd.randint(0, 3)].replace("%", "").replace("_", "") + "%"
            return Pred(f"{c} LIKE {sql_str(pat)}", f"{c} LIKE {sql_str(pat)}", marked=(f"{c} LIKE ?", [pat]))
        if kind == "text":
            v = str(v)
        lit = sql_str(v) if isinstance(v, str) else repr(v)
        return Pred(f"{c} {op} {lit}", f"{c} {op} {lit}", marked=(f"{c} {op} ?", [self._bound(v, kind)]))

    def _bound(self, v, kind):
        """A value as an application would bind it: ints, floats or Decimals, text."""
        if kind == "num" and self.rnd.random() < 0.5:
            return Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
        return v

    def _cols(self, table):
        return self.o.columns[table]

    def _select_list(self, table, alias, n=None):
        cols = self._cols(table)
        pick = self.rnd.sample(cols, min(len(cols), n or self.rnd.randint(1, 4)))
        pre = f"{alias}." if alias else ""
        s = ", ".join(pre + q(c) for c, _ in pick)
        return s, s

    def _pk_order(self, table, alias=""):
        pk = TABLES[table].get("primary_key") or []
        cols = dict(self._cols(table))
        if not pk or any(p not in cols for p in pk):
            return None
        pre = f"{alias}." if alias else ""
        return ", ".join(pre + q(p) for p in pk)

    def _preds(self, table, alias, lo=1, hi=3):
        cols = self._cols(table)
        return [self.pred(table, alias, cols) for _ in range(self.rnd.randint(lo, hi))]

    def _filter(self):
        t = self.rnd.choice(self.tables)
        return Stmt("filter", t, "", self._select_list(t, ""), self._preds(t, ""),
                    joiner=self.rnd.choice(["AND", "AND", "OR"]))

    def _pk(self):
        """Key lookups: id = / IN / > and pushdown routes, the cheap paths."""
        t = self.rnd.choice([x for x in self.tables if any(c == "id" for c, _ in self._cols(x))] or self.tables)
        cols = [x for x in self._cols(t) if x[0] in ("id",) or any(
            pd.get("column") == x[0] for pd in TABLES[t].get("pushdown", []))] or self._cols(t)
        preds = [self.pred(t, "", cols) for _ in range(self.rnd.randint(1, 2))]
        return Stmt("pk", t, "", self._select_list(t, ""), preds)

    def _ordered(self):
        t = self.rnd.choice(self.tables)
        order = self._pk_order(t)
        if order is None:
            return self._filter()
        lim = self.rnd.choice([None, 0, 1, 5, 50, 101, 1000])
        off = self.rnd.choice([None, 0, 3, 99]) if lim is not None else None
        return Stmt("ordered", t, "", self._select_list(t, ""), self._preds(t, "", 0, 2), order=order, limit=lim,
                    offset=off)

    def _limit(self):
        t = self.rnd.choice(self.tables)
        return Stmt("limit", t, "", self._select_list(t, ""), self._preds(t, "", 0, 1),
                    limit=self.rnd.choice([0, 1, 7, 100, 250]))

    def _aggregate(self):
        t = self.rnd.choice(self.tables)
        cols = self._cols(t)
        nums = [c for c, k in cols if k in ("int", "num")]
        parts = ["COUNT(*)"]
        c, k = self.rnd.choice(cols)
        parts += [f"MIN({q(c)})", f"MAX({q(c)})", f"COUNT({q(c)})"]
        if nums:
            n = self.rnd.choice(nums)
            parts += [f"SUM({q(n)})", f"AVG({q(n)})"]
        s = ", ".join(parts)
        return Stmt("aggregate", t, "", (s, s), self._preds(t, "", 0, 2))

    def _group(self):
        t = self.rnd.choice(self.tables)
        cols = self._cols(t)
        g, _ = self.rnd.choice(cols)
        s = f"{q(g)}, COUNT(*)"
        return Stmt("group", t, "", (s, s), self._preds(t, "", 0, 1), group=q(g))

    def _fk_pairs(self):
        pairs = []
        for t in self.tables:
            for fk in TABLES[t].get("foreign_keys", []):
                ref = fk["references"]
                if ref in self.o.columns and len(fk["columns"]) == 1:
                    cc, rc = fk["columns"][0], fk["ref_columns"][0]
                    if cc in dict(self._cols(t)) and rc in dict(self._cols(ref)):
                        pairs.append((t, cc, ref, rc))
        return pairs

    def _join(self):
        pairs = self._fk_pairs()
        if not pairs:
            return self._filter()
        child, cc, parent, pc = self.rnd.choice(pairs)
        left = self.rnd.random() < 0.3
        oj = left and self.rnd.random() < 0.5
        jtxt = f" {'LEFT ' if left else ''}JOIN {parent} p ON p.{q(pc)} = c.{q(cc)}"
        s1, _ = self._select_list(child, "c", 2)
        s2, _ = self._select_list(parent, "p", 2)
        sel = f"{s1}, {s2}"
        preds = self._preds(child, "c", 0, 1) + self._preds(parent, "p", 0, 1)
        st = Stmt("join", child, "c", (sel, sel), preds, extra_from=jtxt)
        if oj:
            # the driver sees the ODBC outer-join escape; the oracle plain SQL
            st.kind = "join-oj"
            st.extra_from = jtxt
            st.oj = True
        return st

    def _exists(self):
        pairs = self._fk_pairs()
        if not pairs:
            return self._filter()
        child, cc, parent, pc = self.rnd.choice(pairs)
        inner = self._preds(child, "c", 0, 1)
        cond = " AND ".join([f"c.{q(cc)} = p.{q(pc)}"] + [p.driver for p in inner])
        ocond = " AND ".join([f"c.{q(cc)} = p.{q(pc)}"] + [p.oracle for p in inner])
        neg = "NOT " if self.rnd.random() < 0.4 else ""
        dparams = [x for p in inner for x in p.dparams]
        oparams = [x for p in inner for x in p.oparams]
        pred = Pred(f"{neg}EXISTS (SELECT 1 FROM {child} c WHERE {cond})",
                    f"{neg}EXISTS (SELECT 1 FROM {child} c WHERE {ocond})", dparams, oparams)
        sel = self._select_list(parent, "p", 2)
        return Stmt("exists", parent, "p", sel, [pred] + self._preds(parent, "p", 0, 1))

    def _in_sub(self):
        pairs = self._fk_pairs()
        if not pairs:
            return self._filter()
        child, cc, parent, pc = self.rnd.choice(pairs)
        inner = self._preds(child, "", 1, 1)
        pred = Pred(f"p.{q(pc)} IN (SELECT {q(cc)} FROM {child} WHERE {inner[0].driver})",
                    f"p.{q(pc)} IN (SELECT {q(cc)} FROM {child} WHERE {inner[0].oracle})",
                    inner[0].dparams, inner[0].oparams)
        return Stmt("in_sub", parent, "p", self._select_list(parent, "p", 2), [pred])

    # (driver type, oracle expression over {c}) by column kind: exact casts only,
    # so the oracle's plain SQLite (or js_decimal) computes the same value.
    CASTS = {
        "ts": [("DATE", "date({c})"), ("TIMESTAMP", "{c}"), ("TIME", "time({c})"), ("VARCHAR(40)", "{c}")],
        "date": [("DATE", "{c}"), ("TIMESTAMP", "{c} || ' 00:00:00'")],
        "num": [("DECIMAL(19,1)", "js_decimal({c}, 19, 1)"), ("NUMERIC(12,2)", "js_decimal({c}, 12, 2)"),
                ("DECIMAL(20,0)", "js_decimal({c}, 20, 0)"), ("DECIMAL(10,3)", "js_decimal({c}, 10, 3)"),
                ("BIGINT", "CAST({c} AS INTEGER)"), ("DOUBLE", "{c}")],
        "int": [("BIGINT", "{c}"), ("DECIMAL(20,2)", "js_decimal({c}, 20, 2)"), ("DOUBLE", "CAST({c} AS REAL)"),
                ("VARCHAR(30)", "CAST({c} AS TEXT)")],
        "bit": [("INTEGER", "{c}"), ("SMALLINT", "{c}"), ("VARCHAR(5)", "CAST({c} AS TEXT)")],
        "text": [("VARCHAR(4000)", "{c}")],
    }

    def _cast(self):
        """CASTs in the select list (1st item, ORDER BY it), sometimes in WHERE."""
        rnd = self.rnd
        t = rnd.choice(self.tables)
        cols = self._cols(t)
        picks = rnd.sample(cols, min(len(cols), rnd.randint(1, 3)))
        dsel, osel = [], []
        for col, kind in picks:
            target, oexpr = rnd.choice(self.CASTS[kind])
            dsel.append(f"CAST({q(col)} AS {target})")
            osel.append(oexpr.format(c=q(col)))
        preds = self._preds(t, "", 0, 1)
        castable = [(c, k) for c, k in cols if k in ("ts", "num")]
        if castable and rnd.random() < 0.4:
            col, kind = rnd.choice(castable)
            v = self.pick_value(t, col, kind)
            if kind == "ts":
                day, op = str(v)[:10], rnd.choice(["=", ">=", "<"])
                preds.append(Pred(f"CAST({q(col)} AS DATE) {op} {{d '{day}'}}",
                                  f"date({q(col)}) {op} {sql_str(day)}"))
            else:
                op = rnd.choice(["=", ">=", "<"])
                rounded = exact_decimal(v, 30, 1)
                preds.append(Pred(f"CAST({q(col)} AS DECIMAL(30,1)) {op} {rounded!r}",
                                  f"js_decimal({q(col)}, 30, 1) {op} {rounded!r}"))
        pk = self._pk_order(t)
        order = f"1, {pk}" if pk and rnd.random() < 0.5 else None
        return Stmt("cast", t, "", (", ".join(dsel), ", ".join(osel)), preds, order=order)

    def _union(self):
        t = self.rnd.choice(self.tables)
        sel = self._select_list(t, "")
        a = Stmt("union", t, "", sel, self._preds(t, "", 1, 1))
        b = Stmt("union", t, "", sel, self._preds(t, "", 1, 1))
        a.union = b
        a.note = "all" if self.rnd.random() < 0.5 else ""
        return a


def driver_sql(stmt):
    d, dp, o, op = stmt.render()
    if getattr(stmt, "oj", False):
        # {oj T1 LEFT OUTER JOIN T2 ON ...}: only the FROM clause is escaped.
        head, _, rest = d.partition(" FROM ")
        tbl, _, tail = rest.partition(" LEFT JOIN ")
        on, _, after = tail.partition(" WHERE ") if " WHERE " in tail else (tail, "", "")
        d = f"{head} FROM {{oj {tbl} LEFT OUTER JOIN {on}}}" + (f" WHERE {after}" if after else "")
    return d, dp, o, op


# ---------------------------------------------------------------- comparing

class Outcome:
    def __init__(self, ok, detail=""):
        self.ok, self.detail = ok, detail


def compare(stmt, drows, orows, ounlimited=None):
    """Equal as multisets; in order when the ORDER BY orders fully; for LIMIT
    without a total order, the right count and a sub-multiset of the whole."""
    d, o = norm_rows(drows), norm_rows(orows)
    if stmt.order and stmt.fully_ordered() and stmt.union is None:
        return Outcome(d == o, "" if d == o else diff(d, o))
    if stmt.limit is not None and not stmt.fully_ordered():
        whole = norm_rows(ounlimited)
        if len(d) != len(o):
            return Outcome(False, f"{len(d)} rows where {len(o)} were due")
        pool = sorted(whole, key=multiset_key)
        for r in d:
            if r in pool:
                pool.remove(r)
            else:
                return Outcome(False, f"row {r!r} is not in the answer without LIMIT")
        return Outcome(True)
    ds, os_ = sorted(d, key=multiset_key), sorted(o, key=multiset_key)
    return Outcome(ds == os_, "" if ds == os_ else diff(ds, os_))


def diff(d, o):
    from collections import Counter
    cd, co = Counter(d), Counter(o)
    extra = list((cd - co).elements())[:3]
    missing = list((co - cd).elements())[:3]
    return f"driver {len(d)} rows, oracle {len(o)}; only in driver: {extra}; only in oracle: {missing}"


def run_one(cursor, oracle, stmt):
    """(Outcome, driver sql, params) for one statement; a driver error is a mismatch
    unless the oracle fails too. A twin runs twice: with literals and with
    the same values bound to ? markers."""
    if stmt.kind == "twin":
        literal = run_one(cursor, oracle, stmt.copy(kind="twin-literals"))
        marked = run_one(cursor, oracle, stmt.copy(kind="twin-markers", preds=[p.with_markers() for p in stmt.preds]))
        if literal[0].ok and not marked[0].ok:
            return Outcome(False, "with ? markers: " + marked[0].detail), marked[1], marked[2]
        return literal
    d, dp, o, op = driver_sql(stmt)
    try:
        orows = oracle.query(o, op)
        ounl = None
        if stmt.limit is not None and not stmt.fully_ordered():
            s2 = stmt.copy(limit=None, offset=None)
            ounl = oracle.query(*driver_sql(s2)[2:])
    except sqlite3.Error as e:
        return Outcome(True, f"oracle refused: {e}"), d, dp
    try:
        cursor.execute(d, *dp) if dp else cursor.execute(d)
        drows = cursor.fetchall()
    except Exception as e:  # pyodbc.Error; any error where the oracle answers is a finding
        return Outcome(False, f"driver error: {e}"), d, dp
    return compare(stmt, drows, orows, ounl), d, dp


def wrong_answers(cursor, oracle, seed, count):
    """Runs `count` statements of the corpus seeded `seed` on `cursor`:
    (the mismatches as lines, the statements run by kind)."""
    gen = Generator(oracle, seed)
    wrong, kinds = [], {}
    for _ in range(count):
        stmt = gen.statement()
        kinds[stmt.kind] = kinds.get(stmt.kind, 0) + 1
        outcome, sql, params = run_one(cursor, oracle, stmt)
        if not outcome.ok:
            wrong.append(f"{sql!r} {params!r} -> {outcome.detail}")
    return wrong, kinds


def shrink(cursor, oracle, stmt):
    """Drops parts while the mismatch stays: a minimal reproduction."""
    cur = stmt
    changed = True
    while changed:
        changed = False
        candidates = []
        for i in range(len(cur.preds)):
            candidates.append(cur.copy(preds=cur.preds[:i] + cur.preds[i + 1:]))
        for attr in ("union", "offset", "limit", "order", "group"):
            if getattr(cur, attr) is not None and not (attr == "group" and cur.kind == "group"):
                candidates.append(cur.copy(**{attr: None}))
        for c in candidates:
            try:
                outcome, _, _ = run_one(cursor, oracle, c)
            except Exception:
                continue
            if not outcome.ok:
                cur, changed = c, True
                break
    return cur

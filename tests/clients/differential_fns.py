"""The differential oracle's ODBC scalar functions: each `{fn NAME(...)}`
the corpus uses, computed here in Python from the ODBC spec's definition
(and the driver's documented choices where the spec leaves one, see
src/engine/functions.rs's table) -- never by the driver's code. Registered
on the oracle's SQLite connection as `py_<name>`; where plain SQLite already
computes the same value (substr, instr, replace, abs, ||) the templates use
it.

TEMPLATES: per column kind, (driver expression, oracle expression) with
`{c}` for the column.
"""

import datetime as dt
import math
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def instant(v):
    """A stored TIMESTAMP/DATE text as a datetime (UTC), or None."""
    if v is None:
        return None
    s = str(v)
    for fmt in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(s, fmt)
        except ValueError:
            pass
    raise ValueError(f"not an instant: {s!r}")


def ts_text(d):
    s = d.strftime("%Y-%m-%d %H:%M:%S")
    return s + (f".{d.microsecond:06d}".rstrip("0") if d.microsecond else "")


def on_instant(f):
    return lambda v: None if v is None else f(instant(v))


def sunday_weekday(d):
    """0 = Sunday."""
    return (d.weekday() + 1) % 7


def week(d):
    """Week 1 holds 1 January; weeks start on Sunday."""
    jan1 = d.replace(month=1, day=1)
    return (d.timetuple().tm_yday - 1 + sunday_weekday(jan1)) // 7 + 1


def add_months(d, n):
    m = d.year * 12 + d.month - 1 + n
    year, month = divmod(m, 12)
    month += 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return d.replace(year=year, month=month, day=min(d.day, last))


UNIT = {"SECOND": dt.timedelta(seconds=1), "MINUTE": dt.timedelta(minutes=1), "HOUR": dt.timedelta(hours=1),
        "DAY": dt.timedelta(days=1), "WEEK": dt.timedelta(weeks=1)}
MONTHS_PER = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}


def timestampadd(unit, n, v):
    if v is None or n is None:
        return None
    d = instant(v)
    r = add_months(d, n * MONTHS_PER[unit]) if unit in MONTHS_PER else d + n * UNIT[unit]
    return ts_text(r)


def timestampdiff(unit, a, b):
    """Whole intervals from a to b, truncated toward zero."""
    if a is None or b is None:
        return None
    x, y = instant(a), instant(b)
    if unit in MONTHS_PER:
        months = (y.year * 12 + y.month) - (x.year * 12 + x.month)
        rest = lambda t: (t.day, t.hour, t.minute, t.second, t.microsecond)  # noqa: E731
        if months > 0 and rest(y) < rest(x):
            months -= 1
        elif months < 0 and rest(y) > rest(x):
            months += 1
        return int(months / MONTHS_PER[unit])
    micro = (y - x) // dt.timedelta(microseconds=1)
    per = UNIT[unit] // dt.timedelta(microseconds=1)
    return int(micro / per) if abs(micro) < 2**52 else (abs(micro) // per) * (1 if micro >= 0 else -1)


def decimal_round(x, n, mode):
    """ROUND (half away from zero) / TRUNCATE on the value's shortest decimal
    text; integers stay integers."""
    if x is None:
        return None
    if isinstance(x, int):
        if n >= 0:
            return x
        q = Decimal(x).scaleb(n).quantize(Decimal(1), rounding=mode).scaleb(-n)
        return int(q)
    r = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-n), rounding=mode)
    return float(r)


def text_fn(f):
    return lambda s, *a: None if s is None or any(x is None for x in a) else f(str(s), *a)


def number_fn(f):
    return lambda x, *a: None if x is None else f(x, *a)


FUNCTIONS = {
    # string
    "length": (1, text_fn(lambda s: len(s.rstrip(" ")))),
    "octet_length": (1, text_fn(lambda s: len(s.encode("utf-8")))),
    "bit_length": (1, text_fn(lambda s: 8 * len(s.encode("utf-8")))),
    "ascii": (1, text_fn(lambda s: ord(s[0]) if s else None)),
    "left": (2, text_fn(lambda s, n: s[:max(n, 0)])),
    "right": (2, text_fn(lambda s, n: s[len(s) - n:] if 0 < n <= len(s) else (s if n > 0 else ""))),
    "locate3": (3, lambda needle, hay, start: None if hay is None else
                (str(hay).find(needle, start - 1) + 1 if start >= 1 else 0)),
    "insert": (4, text_fn(lambda s, start, n, t: s[:start - 1] + t + s[start - 1 + n:])),
    "repeat": (2, text_fn(lambda s, n: s * max(n, 0))),
    # numeric
    "floor": (1, number_fn(lambda x: math.floor(x))),
    "ceiling": (1, number_fn(lambda x: math.ceil(x))),
    "sign": (1, number_fn(lambda x: (x > 0) - (x < 0))),
    "round": (2, lambda x, n: decimal_round(x, n, ROUND_HALF_UP)),
    "truncate": (2, lambda x, n: decimal_round(x, n, ROUND_DOWN)),
    "mod": (2, lambda x, y: None if x is None else int(math.fmod(x, y))),
    "sqrt": (1, number_fn(lambda x: math.sqrt(x) if x >= 0 else None)),
    "sin": (1, number_fn(math.sin)),
    "cos": (1, number_fn(math.cos)),
    "atan": (1, number_fn(math.atan)),
    "log1p_abs": (1, number_fn(lambda x: math.log(abs(x) + 1))),
    "log10_1p_abs": (1, number_fn(lambda x: math.log10(abs(x) + 1))),
    "degrees": (1, number_fn(math.degrees)),
    "radians": (1, number_fn(math.radians)),
    "power2": (1, number_fn(lambda x: x * x)),
    # date and time
    "year": (1, on_instant(lambda d: d.year)),
    "month": (1, on_instant(lambda d: d.month)),
    "quarter": (1, on_instant(lambda d: (d.month - 1) // 3 + 1)),
    "dayofmonth": (1, on_instant(lambda d: d.day)),
    "dayofweek": (1, on_instant(lambda d: sunday_weekday(d) + 1)),
    "dayofyear": (1, on_instant(lambda d: d.timetuple().tm_yday)),
    "week": (1, on_instant(week)),
    "hour": (1, on_instant(lambda d: d.hour)),
    "minute": (1, on_instant(lambda d: d.minute)),
    "second": (1, on_instant(lambda d: d.second)),
    "dayname": (1, on_instant(lambda d: DAYS[sunday_weekday(d)])),
    "monthname": (1, on_instant(lambda d: MONTHS[d.month - 1])),
    "timestampadd": (3, timestampadd),
    "timestampdiff": (3, timestampdiff),
}


def register(conn):
    for name, (n, f) in FUNCTIONS.items():
        conn.create_function("py_" + name, n, f, deterministic=True)


REF_TS = "2024-03-31 12:30:45"

TEMPLATES = {
    "text": [
        ("{fn UCASE({c})}", "upper({c})"),
        ("{fn LCASE({c})}", "lower({c})"),
        ("{fn LENGTH({c})}", "py_length({c})"),
        ("{fn CHAR_LENGTH({c})}", "length({c})"),
        ("{fn OCTET_LENGTH({c})}", "py_octet_length({c})"),
        ("{fn BIT_LENGTH({c})}", "py_bit_length({c})"),
        ("{fn ASCII({c})}", "py_ascii({c})"),
        ("{fn LEFT({c}, 3)}", "py_left({c}, 3)"),
        ("{fn RIGHT({c}, 4)}", "py_right({c}, 4)"),
        ("{fn SUBSTRING({c}, 2, 5)}", "substr({c}, 2, 5)"),
        ("{fn LTRIM({c})}", "ltrim({c}, ' ')"),
        ("{fn RTRIM({c})}", "rtrim({c}, ' ')"),
        ("{fn CONCAT({c}, '·x')}", "({c} || '·x')"),
        ("{fn LOCATE('a', {c})}", "instr({c}, 'a')"),
        ("{fn LOCATE('e', {c}, 3)}", "py_locate3('e', {c}, 3)"),
        ("{fn POSITION('o' IN {c})}", "instr({c}, 'o')"),
        ("{fn REPLACE({c}, 'a', 'ä')}", "replace({c}, 'a', 'ä')"),
        ("{fn INSERT({c}, 2, 3, 'XY')}", "py_insert({c}, 2, 3, 'XY')"),
        ("{fn REPEAT({c}, 2)}", "py_repeat({c}, 2)"),
    ],
    "num": [
        ("{fn ABS({c})}", "abs({c})"),
        ("{fn SIGN({c})}", "py_sign({c})"),
        ("{fn FLOOR({c})}", "py_floor({c})"),
        ("{fn CEILING({c})}", "py_ceiling({c})"),
        ("{fn ROUND({c}, 1)}", "py_round({c}, 1)"),
        ("{fn ROUND({c}, -1)}", "py_round({c}, -1)"),
        ("{fn TRUNCATE({c}, 1)}", "py_truncate({c}, 1)"),
        ("{fn SQRT({fn ABS({c})})}", "py_sqrt(abs({c}))"),
        ("{fn SIN({c})}", "py_sin({c})"),
        ("{fn COS({c})}", "py_cos({c})"),
        ("{fn ATAN({c})}", "py_atan({c})"),
        ("{fn LOG({fn ABS({c})} + 1)}", "py_log1p_abs({c})"),
        ("{fn LOG10({fn ABS({c})} + 1)}", "py_log10_1p_abs({c})"),
        ("{fn DEGREES({c})}", "py_degrees({c})"),
        ("{fn RADIANS({c})}", "py_radians({c})"),
        ("{fn POWER({c}, 2)}", "py_power2({c})"),
        ("{fn CONVERT({c}, SQL_INTEGER)}", "CAST({c} AS INTEGER)"),
        ("{fn CONVERT({c}, SQL_DOUBLE)}", "CAST({c} AS REAL)"),
    ],
    "int": [
        ("{fn MOD({c}, 7)}", "py_mod({c}, 7)"),
        ("{fn CONVERT({c}, SQL_VARCHAR)}", "CAST({c} AS TEXT)"),
        ("{fn CONVERT({c}, SQL_BIGINT)}", "{c}"),
    ],
    "ts": [
        ("{fn YEAR({c})}", "py_year({c})"),
        ("{fn MONTH({c})}", "py_month({c})"),
        ("{fn QUARTER({c})}", "py_quarter({c})"),
        ("{fn DAYOFMONTH({c})}", "py_dayofmonth({c})"),
        ("{fn DAYOFWEEK({c})}", "py_dayofweek({c})"),
        ("{fn DAYOFYEAR({c})}", "py_dayofyear({c})"),
        ("{fn WEEK({c})}", "py_week({c})"),
        ("{fn HOUR({c})}", "py_hour({c})"),
        ("{fn MINUTE({c})}", "py_minute({c})"),
        ("{fn SECOND({c})}", "py_second({c})"),
        ("{fn DAYNAME({c})}", "py_dayname({c})"),
        ("{fn MONTHNAME({c})}", "py_monthname({c})"),
        ("{fn EXTRACT(YEAR FROM {c})}", "py_year({c})"),
        ("{fn EXTRACT(DAY FROM {c})}", "py_dayofmonth({c})"),
        ("{fn CONVERT({c}, SQL_DATE)}", "date({c})"),
        ("{fn CONVERT({c}, SQL_VARCHAR)}", "{c}"),
    ] + [
        (f"{{fn TIMESTAMPADD(SQL_TSI_{u}, {n}, {{c}})}}", f"py_timestampadd('{u}', {n}, {{c}})")
        for u, n in [("SECOND", 90), ("MINUTE", -45), ("HOUR", 30), ("DAY", -3), ("WEEK", 2), ("MONTH", 1),
                     ("MONTH", -13), ("QUARTER", 1), ("YEAR", 1)]
    ] + [
        (f"{{fn TIMESTAMPDIFF(SQL_TSI_{u}, {{c}}, {{ts '{REF_TS}'}})}}", f"py_timestampdiff('{u}', {{c}}, '{REF_TS}')")
        for u in ["SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR"]
    ],
}
# int columns take the numeric templates too
TEMPLATES["int"] = TEMPLATES["num"] + TEMPLATES["int"]

# Predicates on a function of a column: (driver, oracle) with {c} and {v}
# (the function's value on some row), so they select real rows.
PREDICATES = {
    "ts": [("{fn YEAR({c})} = {v}", "py_year({c}) = {v}", "py_year"),
           ("{fn MONTH({c})} >= {v}", "py_month({c}) >= {v}", "py_month"),
           ("{fn DAYOFWEEK({c})} = {v}", "py_dayofweek({c}) = {v}", "py_dayofweek")],
    "text": [("{fn LENGTH({c})} <= {v}", "py_length({c}) <= {v}", "py_length"),
             ("{fn LEFT({c}, 1)} = {v}", "py_left({c}, 1) = {v}", "py_left1")],
    "num": [("{fn FLOOR({c})} >= {v}", "py_floor({c}) >= {v}", "py_floor")],
}
PREDICATES["int"] = PREDICATES["num"]

# the Python value behind a predicate's {v}
VALUE_OF = {
    "py_year": lambda v: FUNCTIONS["year"][1](v),
    "py_month": lambda v: FUNCTIONS["month"][1](v),
    "py_dayofweek": lambda v: FUNCTIONS["dayofweek"][1](v),
    "py_length": lambda v: FUNCTIONS["length"][1](v),
    "py_left1": lambda v: FUNCTIONS["left"][1](v, 1),
    "py_floor": lambda v: FUNCTIONS["floor"][1](v),
}

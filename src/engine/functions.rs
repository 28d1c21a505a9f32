//! The ODBC scalar functions (`{fn NAME(...)}`) SQLite lacks or computes
//! differently, registered on each connection as `js_fn_<name>`; the escape
//! rewriter (`escapes.rs`) calls them. SQLite's bundled build has no math
//! functions, so those are here too.
//!
//! NULL in gives NULL out. Date and time arguments are text in any instant
//! form `crate::timefmt` reads (`YYYY-MM-DD[ HH:MM:SS[.f]]`, `T`, zones),
//! and HOUR/MINUTE/SECOND also take a time of day; anything else is 22007.
//! A number argument that is not a number is 22018.
//!
//! | function | value |
//! |---|---|
//! | ASCII(s) | code point of the first character |
//! | BIT_LENGTH(s), OCTET_LENGTH(s) | bits / bytes of the UTF-8 text |
//! | DIFFERENCE(a, b) | 0..4, SOUNDEX codes' agreeing characters |
//! | INSERT(s, start, len, t) | `len` characters from `start` (1-based) replaced by `t` |
//! | LEFT(s, n), RIGHT(s, n) | the first / last `n` characters |
//! | LENGTH(s) | characters without trailing blanks |
//! | LOCATE(needle, hay[, start]), POSITION(needle IN hay) | 1-based position, 0 if absent |
//! | REPEAT(s, n), SPACE(n) | `s` / a blank `n` times |
//! | SOUNDEX(s) | the American Soundex code (4 characters) |
//! | ATAN2(x, y) | the angle of the point (x, y): `atan2(y, x)` as the ODBC spec orders them |
//! | CEILING, FLOOR, ROUND(x, n), TRUNCATE(x, n), SIGN, MOD | integers stay integers; ROUND is half away from zero, `n` may be negative |
//! | LOG(x), LOG10(x), SQRT(x), ACOS, ASIN | NULL outside the domain |
//! | RAND([seed]) | in [0, 1); with a seed, the same sequence start every time |
//! | DAYOFWEEK(d) | 1 = Sunday .. 7 = Saturday |
//! | WEEK(d) | 1..54: week 1 holds 1 January, weeks start on Sunday |
//! | EXTRACT(f FROM d) | YEAR, MONTH, DAY, HOUR, MINUTE, SECOND (SECOND with its fraction) |
//! | TIMESTAMPADD(i, n, d) | `d` plus `n` intervals; months clamp the day to the month's end |
//! | TIMESTAMPDIFF(i, a, b) | whole intervals from `a` to `b` (truncated toward zero) |
//!
//! Intervals are SQL_TSI_FRAC_SECOND (nanoseconds), SECOND, MINUTE, HOUR,
//! DAY, WEEK, MONTH, QUARTER and YEAR.

use super::Value;
use crate::error::{Error, Kind, Result};
use crate::timefmt::{days_in_month, parse_timestamp, Timestamp};
use rusqlite::functions::{Context, FunctionFlags};

/// Registers the `js_fn_*` functions on `conn`; `fail` receives the
/// structured error of a failed call (as in `casts::register`).
pub fn register(
    conn: &rusqlite::Connection,
    fail: impl Fn(Error) + Send + Sync + Clone + 'static,
) -> rusqlite::Result<()> {
    type Impl = fn(&[Value]) -> Result<Value>;
    let fixed: &[(&str, i32, Impl)] = &[
        ("ascii", 1, ascii),
        ("bit_length", 1, |a| {
            Ok(octets(&a[0]).map_or(Value::Null, |n| Value::Int(n * 8)))
        }),
        ("octet_length", 1, |a| {
            Ok(octets(&a[0]).map_or(Value::Null, Value::Int))
        }),
        ("difference", 2, difference),
        ("insert", 4, insert),
        ("left", 2, |a| side(a, true)),
        ("right", 2, |a| side(a, false)),
        ("length", 1, |a| {
            Ok(text(&a[0]).map_or(Value::Null, |s| {
                Value::Int(s.trim_end_matches(' ').chars().count() as i64)
            }))
        }),
        ("locate", 2, locate),
        ("locate", 3, locate),
        ("repeat", 2, repeat),
        ("soundex", 1, |a| {
            Ok(text(&a[0]).map_or(Value::Null, |s| Value::Text(soundex(&s))))
        }),
        ("acos", 1, |a| real(a, f64::acos)),
        ("asin", 1, |a| real(a, f64::asin)),
        ("atan", 1, |a| real(a, f64::atan)),
        ("atan2", 2, |a| real2(a, |x, y| y.atan2(x))),
        ("cos", 1, |a| real(a, f64::cos)),
        ("cot", 1, |a| real(a, |x| 1.0 / x.tan())),
        ("sin", 1, |a| real(a, f64::sin)),
        ("tan", 1, |a| real(a, f64::tan)),
        ("degrees", 1, |a| real(a, f64::to_degrees)),
        ("radians", 1, |a| real(a, f64::to_radians)),
        ("exp", 1, |a| real(a, f64::exp)),
        ("log", 1, |a| real(a, f64::ln)),
        ("log10", 1, |a| real(a, f64::log10)),
        ("sqrt", 1, |a| real(a, f64::sqrt)),
        ("power", 2, |a| real2(a, f64::powf)),
        ("pi", 0, |_| Ok(Value::Real(std::f64::consts::PI))),
        ("ceiling", 1, |a| whole(a, f64::ceil)),
        ("floor", 1, |a| whole(a, f64::floor)),
        ("sign", 1, sign),
        ("mod", 2, modulo),
        ("round", 1, |a| round(a, false)),
        ("round", 2, |a| round(a, false)),
        ("truncate", 1, |a| round(a, true)),
        ("truncate", 2, |a| round(a, true)),
        ("dayname", 1, |a| {
            part(a, |t| Value::Text(DAYS[weekday(t)].into()))
        }),
        ("dayofmonth", 1, |a| part(a, |t| Value::Int(t.day as i64))),
        ("dayofweek", 1, |a| {
            part(a, |t| Value::Int(weekday(t) as i64 + 1))
        }),
        ("dayofyear", 1, |a| part(a, |t| Value::Int(day_of_year(t)))),
        ("month", 1, |a| part(a, |t| Value::Int(t.month as i64))),
        ("monthname", 1, |a| {
            part(a, |t| Value::Text(MONTHS[t.month as usize - 1].into()))
        }),
        ("quarter", 1, |a| {
            part(a, |t| Value::Int((t.month as i64 - 1) / 3 + 1))
        }),
        ("week", 1, |a| part(a, |t| Value::Int(week(t)))),
        ("year", 1, |a| part(a, |t| Value::Int(t.year as i64))),
        ("hour", 1, |a| clock(a, |t| Value::Int(t.hour as i64))),
        ("minute", 1, |a| clock(a, |t| Value::Int(t.minute as i64))),
        ("second", 1, |a| clock(a, |t| Value::Int(t.second as i64))),
        ("extract", 2, extract),
        ("timestampadd", 3, timestampadd),
        ("timestampdiff", 3, timestampdiff),
    ];
    let det = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    for &(name, n, f) in fixed {
        let fail = fail.clone();
        conn.create_scalar_function(format!("js_fn_{name}").as_str(), n, det, move |ctx| {
            answer(&fail, f(&args(ctx)))
        })?;
    }
    for n in [0, 1] {
        conn.create_scalar_function("js_fn_rand", n, FunctionFlags::SQLITE_UTF8, move |ctx| {
            Ok(rusqlite::types::Value::from(rand(&args(ctx))))
        })?;
    }
    Ok(())
}

fn args(ctx: &Context) -> Vec<Value> {
    (0..ctx.len())
        .map(|i| Value::from(ctx.get_raw(i)))
        .collect()
}

fn answer(fail: &dyn Fn(Error), r: Result<Value>) -> rusqlite::Result<rusqlite::types::Value> {
    match r {
        Ok(v) => Ok(v.into()),
        Err(e) => {
            let text = e.message.clone();
            fail(e);
            Err(rusqlite::Error::UserFunctionError(text.into()))
        }
    }
}

// ---------------------------------------------------------------- strings

fn text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Int(i) => Some(i.to_string()),
        Value::Real(f) => Some(format!("{f}")),
        Value::Text(s) => Some(s.clone()),
        Value::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
    }
}

fn octets(v: &Value) -> Option<i64> {
    match v {
        Value::Blob(b) => Some(b.len() as i64),
        v => text(v).map(|s| s.len() as i64),
    }
}

fn ascii(a: &[Value]) -> Result<Value> {
    Ok(match text(&a[0]) {
        None => Value::Null,
        Some(s) => s
            .chars()
            .next()
            .map_or(Value::Null, |c| Value::Int(c as i64)),
    })
}

/// An integer argument (a whole number in any form), or 22018.
fn int(v: &Value, f: &str) -> Result<Option<i64>> {
    match number(v, f)? {
        None => Ok(None),
        Some(Num::Int(i)) => Ok(Some(i)),
        Some(Num::Real(x)) => Ok(Some(x.trunc() as i64)),
    }
}

fn side(a: &[Value], left: bool) -> Result<Value> {
    let (Some(s), Some(n)) = (
        text(&a[0]),
        int(&a[1], if left { "LEFT" } else { "RIGHT" })?,
    ) else {
        return Ok(Value::Null);
    };
    let n = n.max(0) as usize;
    let chars: Vec<char> = s.chars().collect();
    let n = n.min(chars.len());
    Ok(Value::Text(if left {
        chars[..n].iter().collect()
    } else {
        chars[chars.len() - n..].iter().collect()
    }))
}

fn insert(a: &[Value]) -> Result<Value> {
    let (Some(s), Some(start), Some(len), Some(t)) = (
        text(&a[0]),
        int(&a[1], "INSERT")?,
        int(&a[2], "INSERT")?,
        text(&a[3]),
    ) else {
        return Ok(Value::Null);
    };
    let chars: Vec<char> = s.chars().collect();
    let from = ((start.max(1) - 1) as usize).min(chars.len());
    let to = (from + len.max(0) as usize).min(chars.len());
    let mut out: String = chars[..from].iter().collect();
    out.push_str(&t);
    out.extend(&chars[to..]);
    Ok(Value::Text(out))
}

fn locate(a: &[Value]) -> Result<Value> {
    let (Some(needle), Some(hay)) = (text(&a[0]), text(&a[1])) else {
        return Ok(Value::Null);
    };
    let start = match a.get(2) {
        None => 1,
        Some(v) => match int(v, "LOCATE")? {
            None => return Ok(Value::Null),
            Some(n) => n.max(1),
        },
    };
    let chars: Vec<char> = hay.chars().collect();
    let from = (start - 1) as usize;
    if from > chars.len() {
        return Ok(Value::Int(0));
    }
    let rest: String = chars[from..].iter().collect();
    Ok(Value::Int(match rest.find(&needle) {
        Some(byte) => rest[..byte].chars().count() as i64 + start,
        None => 0,
    }))
}

fn repeat(a: &[Value]) -> Result<Value> {
    let (Some(s), Some(n)) = (text(&a[0]), int(&a[1], "REPEAT")?) else {
        return Ok(Value::Null);
    };
    let n = n.max(0) as usize;
    if s.len().saturating_mul(n) > 1_000_000_000 {
        return Err(Error::new(
            Kind::OutOfRange,
            "REPEAT: the result would be longer than 1,000,000,000 bytes.",
        ));
    }
    Ok(Value::Text(s.repeat(n)))
}

/// American Soundex: the first letter and three digits; H and W do not
/// separate letters of one code, vowels do. No letters: empty.
pub fn soundex(s: &str) -> String {
    fn code(c: char) -> u8 {
        match c {
            'B' | 'F' | 'P' | 'V' => b'1',
            'C' | 'G' | 'J' | 'K' | 'Q' | 'S' | 'X' | 'Z' => b'2',
            'D' | 'T' => b'3',
            'L' => b'4',
            'M' | 'N' => b'5',
            'R' => b'6',
            'H' | 'W' => b'h',
            _ => b'0',
        }
    }
    let letters: Vec<char> = s
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let Some(&first) = letters.first() else {
        return String::new();
    };
    let mut out = String::from(first);
    let mut last = code(first);
    for &c in &letters[1..] {
        let k = code(c);
        if k == b'h' {
            continue;
        }
        if k != b'0' && k != last {
            out.push(k as char);
            if out.len() == 4 {
                break;
            }
        }
        last = k;
    }
    while out.len() < 4 {
        out.push('0');
    }
    out
}

fn difference(a: &[Value]) -> Result<Value> {
    let (Some(x), Some(y)) = (text(&a[0]), text(&a[1])) else {
        return Ok(Value::Null);
    };
    let (x, y) = (soundex(&x), soundex(&y));
    Ok(Value::Int(
        x.bytes().zip(y.bytes()).filter(|(p, q)| p == q).count() as i64,
    ))
}

// ---------------------------------------------------------------- numbers

#[derive(Clone, Copy)]
enum Num {
    Int(i64),
    Real(f64),
}

impl Num {
    fn f(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Real(x) => x,
        }
    }
}

fn number(v: &Value, f: &str) -> Result<Option<Num>> {
    let bad = || {
        Error::new(
            Kind::Data,
            format!(
                "{f}: {} is not a number (invalid character value for cast specification).",
                text(v).unwrap_or_default()
            ),
        )
    };
    Ok(Some(match v {
        Value::Null => return Ok(None),
        Value::Int(i) => Num::Int(*i),
        Value::Real(x) => Num::Real(*x),
        Value::Text(_) | Value::Blob(_) => {
            let t = text(v).unwrap_or_default();
            let t = t.trim();
            if let Ok(i) = t.parse::<i64>() {
                Num::Int(i)
            } else {
                match t.parse::<f64>() {
                    Ok(x) if x.is_finite() => Num::Real(x),
                    _ => return Err(bad()),
                }
            }
        }
    }))
}

fn finite(x: f64) -> Value {
    if x.is_finite() {
        Value::Real(x)
    } else {
        Value::Null
    }
}

fn real(a: &[Value], f: fn(f64) -> f64) -> Result<Value> {
    Ok(number(&a[0], "numeric function")?.map_or(Value::Null, |n| finite(f(n.f()))))
}

fn real2(a: &[Value], f: fn(f64, f64) -> f64) -> Result<Value> {
    Ok(
        match (
            number(&a[0], "numeric function")?,
            number(&a[1], "numeric function")?,
        ) {
            (Some(x), Some(y)) => finite(f(x.f(), y.f())),
            _ => Value::Null,
        },
    )
}

/// A real that is a whole number in i64's range as an integer.
fn to_int(x: f64) -> Value {
    if x.is_finite() && x.abs() < 9.2e18 {
        Value::Int(x as i64)
    } else {
        finite(x)
    }
}

fn whole(a: &[Value], f: fn(f64) -> f64) -> Result<Value> {
    Ok(match number(&a[0], "CEILING/FLOOR")? {
        None => Value::Null,
        Some(Num::Int(i)) => Value::Int(i),
        Some(Num::Real(x)) => to_int(f(x)),
    })
}

fn sign(a: &[Value]) -> Result<Value> {
    Ok(match number(&a[0], "SIGN")? {
        None => Value::Null,
        Some(Num::Int(i)) => Value::Int(i.signum()),
        Some(Num::Real(x)) => Value::Int(if x > 0.0 {
            1
        } else if x < 0.0 {
            -1
        } else {
            0
        }),
    })
}

fn modulo(a: &[Value]) -> Result<Value> {
    Ok(match (number(&a[0], "MOD")?, number(&a[1], "MOD")?) {
        (Some(Num::Int(x)), Some(Num::Int(y))) => {
            if y == 0 {
                Value::Null
            } else {
                Value::Int(x.wrapping_rem(y))
            }
        }
        (Some(x), Some(y)) if y.f() != 0.0 => finite(x.f() % y.f()),
        _ => Value::Null,
    })
}

/// ROUND (half away from zero) or TRUNCATE to `n` decimal places (`n` < 0
/// rounds to tens, hundreds, ...). Integers stay integers.
fn round(a: &[Value], truncate: bool) -> Result<Value> {
    let name = if truncate { "TRUNCATE" } else { "ROUND" };
    let Some(x) = number(&a[0], name)? else {
        return Ok(Value::Null);
    };
    let n = match a.get(1) {
        None => 0,
        Some(v) => match int(v, name)? {
            None => return Ok(Value::Null),
            Some(n) => n.clamp(-30, 30),
        },
    };
    Ok(match x {
        Num::Int(i) if n >= 0 => Value::Int(i),
        Num::Int(i) => {
            let p = 10i128.pow((-n) as u32);
            let i = i as i128;
            let q = if truncate {
                i / p
            } else {
                (i.abs() + p / 2) / p * i.signum()
            };
            i64::try_from(q * p).map_or(Value::Null, Value::Int)
        }
        Num::Real(x) => {
            // On the value's shortest decimal text, so 2.675 rounds to 2.68.
            let p = 10f64.powi(n as i32);
            let scaled: f64 = format!("{x}")
                .parse::<f64>()
                .map(|x| x * p)
                .unwrap_or(x * p);
            let scaled = (scaled * 1e9).round() / 1e9;
            let r = if truncate {
                scaled.trunc()
            } else {
                (scaled.abs() + 0.5).floor() * x.signum()
            };
            finite(r / p)
        }
    })
}

fn rand(a: &[Value]) -> Value {
    use std::sync::atomic::{AtomicU64, Ordering};
    static STATE: AtomicU64 = AtomicU64::new(0);
    let seeded = match a.first() {
        Some(Value::Int(i)) => Some(*i as u64),
        Some(Value::Real(x)) => Some(*x as i64 as u64),
        _ => None,
    };
    let mut s = match seeded {
        Some(s) => s ^ 0x9E37_79B9_7F4A_7C15,
        None => {
            let mut s = STATE.load(Ordering::Relaxed);
            if s == 0 {
                s = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
                    | 1;
            }
            s
        }
    };
    // splitmix64
    s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = s;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    if seeded.is_none() {
        STATE.store(s, Ordering::Relaxed);
    }
    Value::Real((z >> 11) as f64 / (1u64 << 53) as f64)
}

// ---------------------------------------------------------------- dates

const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn bad_datetime(v: &Value) -> Error {
    Error::new(
        Kind::DatetimeFormat,
        format!(
            "'{}' is not a date or timestamp (invalid datetime format).",
            text(v).unwrap_or_default()
        ),
    )
}

fn instant(v: &Value) -> Result<Option<Timestamp>> {
    match v {
        Value::Null => Ok(None),
        Value::Text(s) => parse_timestamp(s).map(Some).ok_or_else(|| bad_datetime(v)),
        _ => Err(bad_datetime(v)),
    }
}

fn part(a: &[Value], f: fn(&Timestamp) -> Value) -> Result<Value> {
    Ok(instant(&a[0])?.map_or(Value::Null, |t| f(&t)))
}

/// An instant or a time of day (on 2000-01-01).
fn instant_or_time(v: &Value) -> Result<Option<Timestamp>> {
    if let Value::Text(s) = v {
        if let Some(t) =
            parse_timestamp(s).or_else(|| parse_timestamp(&format!("2000-01-01 {}", s.trim())))
        {
            return Ok(Some(t));
        }
    }
    instant(v)
}

/// HOUR, MINUTE, SECOND: an instant or a time of day.
fn clock(a: &[Value], f: fn(&Timestamp) -> Value) -> Result<Value> {
    Ok(instant_or_time(&a[0])?.map_or(Value::Null, |t| f(&t)))
}

fn days(t: &Timestamp) -> i64 {
    t.unix_seconds().div_euclid(86_400)
}

/// 0 = Sunday.
fn weekday(t: &Timestamp) -> usize {
    // 1970-01-01 was a Thursday.
    (days(t) + 4).rem_euclid(7) as usize
}

fn day_of_year(t: &Timestamp) -> i64 {
    let jan1 = Timestamp {
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 0,
        nanos: 0,
        ..*t
    };
    days(t) - days(&jan1) + 1
}

fn week(t: &Timestamp) -> i64 {
    let doy = day_of_year(t);
    let jan1_weekday = (weekday(t) as i64 - (doy - 1)).rem_euclid(7);
    (doy - 1 + jan1_weekday) / 7 + 1
}

fn extract(a: &[Value]) -> Result<Value> {
    let field = text(&a[0]).unwrap_or_default().to_ascii_uppercase();
    let t = if matches!(field.as_str(), "HOUR" | "MINUTE" | "SECOND") {
        instant_or_time(&a[1])?
    } else {
        instant(&a[1])?
    };
    let Some(t) = t else {
        return Ok(Value::Null);
    };
    Ok(match field.as_str() {
        "YEAR" => Value::Int(t.year as i64),
        "MONTH" => Value::Int(t.month as i64),
        "DAY" => Value::Int(t.day as i64),
        "HOUR" => Value::Int(t.hour as i64),
        "MINUTE" => Value::Int(t.minute as i64),
        "SECOND" if t.nanos == 0 => Value::Int(t.second as i64),
        "SECOND" => Value::Real(t.second as f64 + t.nanos as f64 / 1e9),
        other => {
            return Err(Error::new(
                Kind::Syntax,
                format!(
                    "EXTRACT: '{other}' is not a field (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND)."
                ),
            ))
        }
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Interval {
    Frac,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

fn interval(v: &Value) -> Result<Interval> {
    let name = text(v).unwrap_or_default().to_ascii_uppercase();
    let bare = name.strip_prefix("SQL_TSI_").unwrap_or(&name);
    Ok(match bare {
        "FRAC_SECOND" => Interval::Frac,
        "SECOND" => Interval::Second,
        "MINUTE" => Interval::Minute,
        "HOUR" => Interval::Hour,
        "DAY" => Interval::Day,
        "WEEK" => Interval::Week,
        "MONTH" => Interval::Month,
        "QUARTER" => Interval::Quarter,
        "YEAR" => Interval::Year,
        _ => {
            return Err(Error::new(
                Kind::Syntax,
                format!("'{name}' is not an interval (SQL_TSI_FRAC_SECOND, SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER, YEAR)."),
            ))
        }
    })
}

fn nanos_per(i: Interval) -> i128 {
    let s: i128 = 1_000_000_000;
    match i {
        Interval::Frac => 1,
        Interval::Second => s,
        Interval::Minute => 60 * s,
        Interval::Hour => 3600 * s,
        Interval::Day => 86_400 * s,
        Interval::Week => 7 * 86_400 * s,
        _ => 0,
    }
}

fn months_per(i: Interval) -> i64 {
    match i {
        Interval::Month => 1,
        Interval::Quarter => 3,
        _ => 12,
    }
}

fn total_nanos(t: &Timestamp) -> i128 {
    t.unix_seconds() as i128 * 1_000_000_000 + t.nanos as i128
}

fn out_of_range(what: &str) -> Error {
    Error::new(
        Kind::OutOfRange,
        format!("{what}: the result is out of range (datetime field overflow)."),
    )
}

fn timestampadd(a: &[Value]) -> Result<Value> {
    let i = interval(&a[0])?;
    let (Some(n), Some(t)) = (int(&a[1], "TIMESTAMPADD")?, instant(&a[2])?) else {
        return Ok(Value::Null);
    };
    let t = match i {
        Interval::Month | Interval::Quarter | Interval::Year => {
            let m = (t.year as i64 * 12 + t.month as i64 - 1)
                .checked_add(
                    n.checked_mul(months_per(i))
                        .ok_or_else(|| out_of_range("TIMESTAMPADD"))?,
                )
                .ok_or_else(|| out_of_range("TIMESTAMPADD"))?;
            let year = m.div_euclid(12);
            if !(0..=9999).contains(&year) {
                return Err(out_of_range("TIMESTAMPADD"));
            }
            let month = (m.rem_euclid(12) + 1) as u32;
            Timestamp {
                year: year as i32,
                month,
                day: t.day.min(days_in_month(year as i32, month)),
                ..t
            }
        }
        _ => {
            let total = total_nanos(&t) + n as i128 * nanos_per(i);
            let secs = total.div_euclid(1_000_000_000);
            let r = Timestamp::from_unix(
                i64::try_from(secs).map_err(|_| out_of_range("TIMESTAMPADD"))?,
                total.rem_euclid(1_000_000_000) as u32,
            );
            if !(0..=9999).contains(&r.year) {
                return Err(out_of_range("TIMESTAMPADD"));
            }
            r
        }
    };
    Ok(Value::Text(t.to_sql_text()))
}

fn timestampdiff(a: &[Value]) -> Result<Value> {
    let i = interval(&a[0])?;
    let (Some(x), Some(y)) = (instant(&a[1])?, instant(&a[2])?) else {
        return Ok(Value::Null);
    };
    let n: i128 = match i {
        Interval::Month | Interval::Quarter | Interval::Year => {
            let months =
                (y.year as i64 * 12 + y.month as i64) - (x.year as i64 * 12 + x.month as i64);
            // Whole months only: the rest of `y`'s month must reach `x`'s.
            let rest = |t: &Timestamp| (t.day, t.hour, t.minute, t.second, t.nanos);
            let months = if months > 0 && rest(&y) < rest(&x) {
                months - 1
            } else if months < 0 && rest(&y) > rest(&x) {
                months + 1
            } else {
                months
            };
            (months / months_per(i)) as i128
        }
        _ => (total_nanos(&y) - total_nanos(&x)) / nanos_per(i),
    };
    i64::try_from(n)
        .map(Value::Int)
        .map_err(|_| out_of_range("TIMESTAMPDIFF"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn soundex_codes() {
        assert_eq!(soundex("Robert"), "R163");
        assert_eq!(soundex("Rupert"), "R163");
        assert_eq!(soundex("Ashcraft"), "A261");
        assert_eq!(soundex("Tymczak"), "T522");
        assert_eq!(soundex("Pfister"), "P236");
        assert_eq!(soundex("Lee"), "L000");
    }

    #[test]
    fn dates() {
        let d = t("2024-03-01 10:20:30");
        assert_eq!(
            part(std::slice::from_ref(&d), |x| Value::Int(
                weekday(x) as i64 + 1
            ))
            .unwrap(),
            Value::Int(6)
        );
        assert_eq!(
            part(std::slice::from_ref(&d), |x| Value::Int(day_of_year(x))).unwrap(),
            Value::Int(61)
        );
        assert_eq!(
            part(&[t("2024-01-06")], |x| Value::Int(week(x))).unwrap(),
            Value::Int(1)
        );
        assert_eq!(
            part(&[t("2024-01-07")], |x| Value::Int(week(x))).unwrap(),
            Value::Int(2)
        );
        assert_eq!(
            timestampadd(&[t("SQL_TSI_MONTH"), Value::Int(1), t("2024-01-31 00:00:00")]).unwrap(),
            t("2024-02-29 00:00:00")
        );
        assert_eq!(
            timestampdiff(&[t("SQL_TSI_MONTH"), t("2024-01-31"), t("2024-02-29")]).unwrap(),
            Value::Int(0)
        );
        assert_eq!(
            timestampdiff(&[t("SQL_TSI_DAY"), t("2024-01-31 12:00"), t("2024-01-30")]).unwrap(),
            Value::Int(-1)
        );
    }

    #[test]
    fn rounding() {
        assert_eq!(
            round(&[Value::Real(2.675), Value::Int(2)], false).unwrap(),
            Value::Real(2.68)
        );
        assert_eq!(
            round(&[Value::Real(-2.5)], false).unwrap(),
            Value::Real(-3.0)
        );
        assert_eq!(
            round(&[Value::Int(1250), Value::Int(-2)], false).unwrap(),
            Value::Int(1300)
        );
        assert_eq!(
            round(&[Value::Real(-2.79), Value::Int(1)], true).unwrap(),
            Value::Real(-2.7)
        );
    }
}

//! Values as the engine hands them to SQLite and to the ODBC layer, with the
//! engine's one conversion each way between them and SQLite's values, its
//! one rule for a value as text (request paths, keys), and the decoding of
//! one JSON field into the column's declared type.

use crate::schema::SqlType;
use crate::timefmt::parse_timestamp;
use rusqlite::types::{FromSql, FromSqlResult, ValueRef};
use serde_json::Value as Json;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// SQLite's value as the engine's: the one conversion from SQLite, for
/// xFilter arguments, IN lists, xUpdate rows and result columns.
impl From<ValueRef<'_>> for Value {
    fn from(v: ValueRef<'_>) -> Value {
        match v {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Int(i),
            ValueRef::Real(f) => Value::Real(f),
            // Checked with `from_utf8` first: much faster than the lossy
            // walk on valid text, which is all SQLite ever hands us here.
            ValueRef::Text(t) => Value::Text(match std::str::from_utf8(t) {
                Ok(s) => s.to_owned(),
                Err(_) => String::from_utf8_lossy(t).into_owned(),
            }),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        }
    }
}

impl Value {
    /// `*self = Value::from(v)`, reusing this value's text buffer when both
    /// are text (a fetched row's buffers serve the next row).
    pub fn set_from(&mut self, v: ValueRef<'_>) {
        if let (Value::Text(s), ValueRef::Text(t)) = (&mut *self, v) {
            if let Ok(t) = std::str::from_utf8(t) {
                s.clear();
                s.push_str(t);
                return;
            }
        }
        *self = Value::from(v);
    }
}

/// `args.get::<Value>(i)` on SQLite's argument lists.
impl FromSql for Value {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Value> {
        Ok(Value::from(v))
    }
}

impl Value {
    /// The value as SQLite's: the one conversion to SQLite, for result
    /// columns and bound parameters.
    pub fn as_sqlite(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }
    }

    /// The value as text: the one rule for a value put into a request path
    /// or compared as a key. Integers in digits; a whole real in digits too
    /// (`5.0` names the row `5`), any other real in the shortest decimal
    /// that reads back the same; text as it is. NULL and blobs have none.
    /// Callers refuse what cannot name a row for them (empty text, a real
    /// with a fraction where an id is wanted).
    pub fn text(&self) -> Option<String> {
        match self {
            Value::Null | Value::Blob(_) => None,
            Value::Int(i) => Some(i.to_string()),
            Value::Real(f) if f.fract() == 0.0 && f.abs() < I64_LIMIT => {
                Some((*f as i64).to_string())
            }
            Value::Real(f) => Some(f.to_string()),
            Value::Text(s) => Some(s.clone()),
        }
    }

    /// The value as JSON, by its own type: numbers as numbers, text as
    /// strings (a blob as text; a real JSON cannot hold is null).
    pub fn to_json(&self) -> Json {
        match self {
            Value::Null => Json::Null,
            Value::Int(i) => Json::from(*i),
            Value::Real(f) => serde_json::Number::from_f64(*f)
                .map(Json::Number)
                .unwrap_or(Json::Null),
            Value::Text(t) => Json::String(t.clone()),
            Value::Blob(b) => Json::String(String::from_utf8_lossy(b).into_owned()),
        }
    }
}

/// 2^63: reals at or beyond it do not fit an i64.
const I64_LIMIT: f64 = 9_223_372_036_854_775_808.0;

/// Decodes a JSON field into what SQLite should see for a column of `ty`.
/// Nothing here fails: a field of an unexpected shape is passed on as text,
/// so the user sees what the API sent rather than a silent NULL (a list or
/// an object as its JSON text, whatever the column's type).
pub fn decode(json: &Json, ty: SqlType) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => decode_scalar(Scalar::Bool(*b), ty),
        Json::Number(n) => decode_scalar(Scalar::Number(n.as_str()), ty),
        Json::String(s) => decode_scalar(Scalar::Str(s), ty),
        other => Value::Text(other.to_string()),
    }
}

/// A JSON scalar other than null, borrowed: a number as serde_json keeps
/// its text (`arbitrary_precision`), a string without its quotes and
/// escapes. `decode` and the typed page decoding (`keep.rs`) both decode
/// through `decode_scalar`, so a value is the same whichever way it came.
#[derive(Debug, Clone, Copy)]
pub enum Scalar<'a> {
    Bool(bool),
    Number(&'a str),
    Str(&'a str),
}

/// `decode` of a scalar.
pub fn decode_scalar(s: Scalar<'_>, ty: SqlType) -> Value {
    match (s, ty) {
        (_, SqlType::BigInt | SqlType::Integer) => integer(s),
        (_, SqlType::Decimal(..)) => match s {
            Scalar::Bool(b) => Value::Int(b as i64),
            Scalar::Number(n) => decimal_text(n),
            Scalar::Str(t) => decimal_text(t.trim()),
        },
        (Scalar::Number(n), SqlType::Double) => finite(n).map(Value::Real).unwrap_or(Value::Null),
        (Scalar::Str(s), SqlType::Double) => s
            .trim()
            .parse::<f64>()
            .map(Value::Real)
            .unwrap_or_else(|_| Value::Text(s.to_string())),
        (Scalar::Bool(b), _) if !ty.is_char() => Value::Int(b as i64),
        (Scalar::Number(n), SqlType::Bit) => Value::Int((finite(n).unwrap_or(0.0) != 0.0) as i64),
        (Scalar::Str(s), SqlType::Bit) => match s.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Value::Int(1),
            "false" | "0" | "no" | "" => Value::Int(0),
            _ => Value::Text(s.to_string()),
        },
        (Scalar::Str(s), SqlType::Timestamp) => match parse_timestamp(s) {
            Some(t) => Value::Text(t.to_sql_text()),
            None if s.is_empty() => Value::Null,
            None => Value::Text(s.to_string()),
        },
        (Scalar::Str(s), SqlType::Date) => match parse_timestamp(s) {
            Some(t) => Value::Text(t.to_sql_text()[..10].to_string()),
            None if s.is_empty() => Value::Null,
            None => Value::Text(s.to_string()),
        },
        // A time of day, or an instant's time of day in UTC; else as sent.
        (Scalar::Str(s), SqlType::Time) => {
            match super::casts::cast(&Value::Text(s.to_string()), ty) {
                Ok(t) => t,
                Err(_) if s.is_empty() => Value::Null,
                Err(_) => Value::Text(s.to_string()),
            }
        }
        (Scalar::Str(s) | Scalar::Number(s), _) => Value::Text(s.to_string()),
        (Scalar::Bool(b), _) => Value::Text(b.to_string()),
    }
}

/// A number's text as a finite double (serde_json's `as_f64`).
fn finite(n: &str) -> Option<f64> {
    n.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// `decode`'s value handed to `f` as SQLite's, borrowed where the field
/// is the value as it is (a text column's string, an integer column's
/// number): xColumn runs this for every value of every row read, and SQLite
/// copies what it keeps anyway.
pub fn with_decoded<R>(json: &Json, ty: SqlType, f: impl FnOnce(ValueRef<'_>) -> R) -> R {
    match json {
        Json::String(s) if ty.is_char() => f(ValueRef::Text(s.as_bytes())),
        Json::Number(n) if matches!(ty, SqlType::BigInt | SqlType::Integer) => match n.as_i64() {
            Some(i) => f(ValueRef::Integer(i)),
            None => f(decode(json, ty).as_sqlite()),
        },
        _ => f(decode(json, ty).as_sqlite()),
    }
}

fn integer(s: Scalar<'_>) -> Value {
    match s {
        Scalar::Number(n) => n
            .parse::<i64>()
            .map(Value::Int)
            .unwrap_or_else(|_| Value::Text(n.to_string())),
        Scalar::Str(s) => s
            .trim()
            .parse::<i64>()
            .map(Value::Int)
            .unwrap_or_else(|_| Value::Text(s.to_string())),
        Scalar::Bool(b) => Value::Int(b as i64),
    }
}

/// Money. The JSON text is the truth (serde_json keeps it with
/// `arbitrary_precision`). Amounts go to SQLite as REAL when the double
/// prints back to exactly the same decimal (any amount with at most 15
/// significant digits), so arithmetic and comparisons in SQL work and the
/// value read back is the API's value; anything longer stays TEXT rather
/// than lose digits. Always REAL, whole amounts too: an expression over
/// money (`price * 2`) then has one type in every row, and a column typed
/// from its first row cannot truncate a later 6.5 to 6.
/// (`text` is borrowed: this runs for every amount of every row read.)
fn decimal_text(text: &str) -> Value {
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() && (few_digits(text) || prints_as(f, normalize_decimal(text))) => {
            Value::Real(f)
        }
        _ => Value::Text(text.to_string()),
    }
}

/// Whether `text` is a plain decimal (`-?(0|[1-9][0-9]*)(.[0-9]+)?`, not
/// zero) of at most 15 significant digits: every such decimal comes back
/// from the nearest double rounded to 15 digits (DBL_DIG), so no other
/// decimal of as few digits has that double, and its shortest print is the
/// text without its trailing fractional zeros: `prints_as` holds without
/// printing. Zero is left to it (`-0.0` prints `-0`).
fn few_digits(text: &str) -> bool {
    let b = text.as_bytes();
    let unsigned = b.strip_prefix(b"-").unwrap_or(b);
    let (int, frac) = match unsigned.iter().position(|&c| c == b'.') {
        Some(dot) => (&unsigned[..dot], Some(&unsigned[dot + 1..])),
        None => (unsigned, None),
    };
    let all_digits = |d: &[u8]| !d.is_empty() && d.iter().all(u8::is_ascii_digit);
    if text.len() > 40 || !all_digits(int) || (int.len() > 1 && int[0] == b'0') {
        return false;
    }
    let frac = match frac {
        Some(f) if !all_digits(f) => return false,
        Some(f) => &f[..f.iter().rposition(|&c| c != b'0').map_or(0, |i| i + 1)],
        None => &[],
    };
    let leading = int.iter().chain(frac).take_while(|&&c| c == b'0').count();
    let significant = int.len() + frac.len() - leading;
    (1..=15).contains(&significant)
}

/// Text formatted on the stack, at most `N` bytes (a longer write fails):
/// numbers written for a comparison or a conversion without a String, on
/// paths that run for every value read.
pub struct StackText<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Default for StackText<N> {
    fn default() -> Self {
        StackText {
            bytes: [0; N],
            len: 0,
        }
    }
}

impl<const N: usize> StackText<N> {
    pub fn as_str(&self) -> &str {
        // Only whole `&str`s are ever written into `bytes`.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl<const N: usize> std::fmt::Write for StackText<N> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let dst = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Whether `f` prints (shortest round trip, `{f}`) as exactly `text`
/// (every f64 prints in under 400 characters).
fn prints_as(f: f64, text: &str) -> bool {
    use std::fmt::Write;
    let mut buf = StackText::<400>::default();
    write!(buf, "{f}").is_ok() && buf.as_str() == text
}

/// `12.50` -> `12.5`, `3.0` -> `3`, `-0.10` -> `-0.1`; exponent forms untouched.
fn normalize_decimal(t: &str) -> &str {
    if t.contains(['e', 'E']) || !t.contains('.') {
        return t;
    }
    let trimmed = t.trim_end_matches('0').trim_end_matches('.');
    if trimmed == "-0" {
        "0"
    } else {
        trimmed
    }
}

/// Reads a dotted path in an object. An array met on the way stands for its
/// first element (the API sometimes sends a list where the document has one
/// object, e.g. customer addresses).
pub fn lookup<'a>(obj: &'a Json, path: &str) -> &'a Json {
    let mut cur = obj;
    for part in path.split('.') {
        if let Json::Array(a) = cur {
            cur = a.first().unwrap_or(&Json::Null);
        }
        cur = match cur.get(part) {
            Some(v) => v,
            None => return &Json::Null,
        };
    }
    cur
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(t: &str) -> Json {
        serde_json::from_str(t).unwrap()
    }

    /// Where `few_digits` spares the print, the print would have agreed:
    /// random plain decimals of every length, and the forms it refuses.
    #[test]
    fn a_decimal_of_few_digits_prints_as_its_text() {
        let mut next = crate::testing::below(0x2545_F491_4F6C_DD1D);
        let mut spared = 0;
        for _ in 0..200_000 {
            let mut t = String::new();
            if next(2) == 0 {
                t.push('-');
            }
            let int_len = next(19);
            match int_len {
                0 => t.push('0'),
                n => {
                    t.push((b'1' + next(9) as u8) as char);
                    (1..n).for_each(|_| t.push((b'0' + next(10) as u8) as char));
                }
            }
            if next(3) > 0 {
                t.push('.');
                let zeros = if next(4) == 0 { next(12) } else { 0 };
                (0..zeros).for_each(|_| t.push('0'));
                (0..1 + next(18)).for_each(|_| t.push((b'0' + next(10) as u8) as char));
                (0..next(3)).for_each(|_| t.push('0'));
            }
            if few_digits(&t) {
                spared += 1;
                let f: f64 = t.parse().unwrap();
                assert!(prints_as(f, normalize_decimal(&t)), "{t}");
            }
        }
        assert!(spared > 50_000, "{spared}");
        for t in [
            "2489.48",
            "0.1",
            "-0.5",
            "123456789012345",
            "0.000000000000001",
            "7",
        ] {
            assert!(few_digits(t), "{t}");
        }
        for t in [
            "0",
            "-0.0",
            "0.000",
            "1234567890123456",
            "1.234567890123456",
            "5.",
            ".5",
            "+1",
            "1e3",
            "00.5",
            "-",
            "",
            "1.2.3",
            "1,5",
            " 1",
        ] {
            assert!(!few_digits(t), "{t}");
        }
    }

    fn decimal(json: &Json) -> Value {
        decode(json, SqlType::Decimal(19, 4))
    }

    #[test]
    fn money_is_exact() {
        assert_eq!(decimal(&num("12.10")), Value::Real(12.1));
        assert_eq!(decimal(&num("2877")), Value::Real(2877.0));
        assert_eq!(decimal(&num("2877.0")), Value::Real(2877.0));
        assert_eq!(decimal(&num("\"0.0\"")), Value::Real(0.0));
        assert_eq!(
            decimal(&num("12345678901234567.25")),
            Value::Text("12345678901234567.25".into())
        );
        assert_eq!(decimal(&num("-0.10")), Value::Real(-0.1));
        assert_eq!(decimal(&num("\" 7.50 \"")), Value::Real(7.5));
        assert_eq!(
            decimal(&num("1e400")),
            Value::Text(num("1e400").to_string())
        );
        // The longest a double prints is still compared, not cut.
        let tiny = format!("{}", f64::from_bits(1));
        assert_eq!(decimal(&num(&tiny)), Value::Real(f64::from_bits(1)));
    }

    #[test]
    fn the_borrowed_decoding_is_the_decoding() {
        let types = [
            SqlType::BigInt,
            SqlType::Integer,
            SqlType::Decimal(12, 2),
            SqlType::Double,
            SqlType::Bit,
            SqlType::Timestamp,
            SqlType::Date,
            SqlType::Time,
            SqlType::WVarchar(10),
            SqlType::WLongVarchar,
        ];
        let fields = [
            "null",
            "12",
            "-7",
            "12.50",
            "1e400",
            "99999999999999999999",
            "\"x\"",
            "\"12\"",
            "\"2026-07-23 17:48:38 UTC\"",
            "\"\"",
            "true",
            "[1]",
            "{\"a\": 1}",
        ];
        for ty in types {
            for f in fields {
                let json = num(f);
                let borrowed = with_decoded(&json, ty, |v| Value::from(v));
                assert_eq!(borrowed, decode(&json, ty), "{f} as {ty:?}");
            }
        }
    }

    #[test]
    fn a_value_set_in_place_is_the_value() {
        let mut v = Value::Text("a longer text".into());
        for sqlite in [
            ValueRef::Text(b"short"),
            ValueRef::Text(b"bad \xff"),
            ValueRef::Integer(3),
            ValueRef::Text(b""),
            ValueRef::Null,
            ValueRef::Blob(b"b"),
            ValueRef::Real(1.5),
        ] {
            v.set_from(sqlite);
            assert_eq!(v, Value::from(sqlite));
        }
    }

    #[test]
    fn lookup_paths() {
        let v = num(r#"{"a": {"b": [{"c": 3}]}}"#);
        assert_eq!(lookup(&v, "a.b.c"), &num("3"));
        assert_eq!(lookup(&v, "a.x"), &Json::Null);
    }

    #[test]
    fn timestamps_normalised() {
        assert_eq!(
            decode(&num("\"2026-07-23 17:48:38 UTC\""), SqlType::Timestamp),
            Value::Text("2026-07-23 17:48:38".into())
        );
    }

    #[test]
    fn one_text_rule() {
        assert_eq!(Value::Int(-12).text().as_deref(), Some("-12"));
        assert_eq!(Value::Real(5.0).text().as_deref(), Some("5"));
        assert_eq!(Value::Real(4.5).text().as_deref(), Some("4.5"));
        assert_eq!(
            Value::Real(1e20).text().as_deref(),
            Some("100000000000000000000")
        );
        assert_eq!(Value::Text("a b".into()).text().as_deref(), Some("a b"));
        assert_eq!(Value::Text(String::new()).text().as_deref(), Some(""));
        assert_eq!(Value::Null.text(), None);
        assert_eq!(Value::Blob(vec![1]).text(), None);
    }

    #[test]
    fn sqlite_values_round_trip() {
        for v in [
            Value::Null,
            Value::Int(7),
            Value::Real(2.5),
            Value::Text("ñ".into()),
            Value::Blob(vec![0, 255]),
        ] {
            assert_eq!(Value::from(v.as_sqlite()), v);
        }
    }
}

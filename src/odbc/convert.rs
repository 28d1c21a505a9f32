//! Converting a result value to the C type an application asked for, and
//! handing it out in pieces (SQLGetData) with the spec's length rules.

pub use super::numeric::NumericSpec;
use super::{guid, numeric};
use crate::engine::{StackText, Value};
use crate::error::{Error, Kind, Result};
use crate::ffi::strings::{wide_cut, wide_extend, wide_from_bytes, WIDE_NAME, WIDE_SIZE};
use crate::schema::SqlType;
use crate::timefmt::{days_in_month, parse_timestamp, Timestamp};
use odbc_sys::{CDataType, SqlDataType};
use std::borrow::Cow;

// The C data types, named as in sqlext.h without the SQL_ prefix, as the
// i16 the exports receive. The values come from odbc-sys's `CDataType`.
pub const C_CHAR: i16 = CDataType::Char as i16;
pub const C_WCHAR: i16 = CDataType::WChar as i16;
pub const C_NUMERIC: i16 = CDataType::Numeric as i16;
pub const C_GUID: i16 = CDataType::Guid as i16;
pub const C_FLOAT: i16 = CDataType::Float as i16;
pub const C_DOUBLE: i16 = CDataType::Double as i16;
pub const C_DATE: i16 = CDataType::Date as i16;
pub const C_TIME: i16 = CDataType::Time as i16;
pub const C_TIMESTAMP: i16 = CDataType::TimeStamp as i16;
pub const C_TYPE_DATE: i16 = CDataType::TypeDate as i16;
pub const C_TYPE_TIME: i16 = CDataType::TypeTime as i16;
pub const C_TYPE_TIMESTAMP: i16 = CDataType::TypeTimestamp as i16;
pub const C_BIT: i16 = CDataType::Bit as i16;
pub const C_BINARY: i16 = CDataType::Binary as i16;
pub const C_SLONG: i16 = CDataType::SLong as i16;
pub const C_SSHORT: i16 = CDataType::SShort as i16;
pub const C_ULONG: i16 = CDataType::ULong as i16;
pub const C_USHORT: i16 = CDataType::UShort as i16;
pub const C_SBIGINT: i16 = CDataType::SBigInt as i16;
pub const C_UBIGINT: i16 = CDataType::UBigInt as i16;
pub const C_STINYINT: i16 = CDataType::STinyInt as i16;
pub const C_UTINYINT: i16 = CDataType::UTinyInt as i16;
pub const C_DEFAULT: i16 = CDataType::Default as i16;
pub const C_ARD_TYPE: i16 = CDataType::Ard as i16;
/// SQL_C_LONG, SQL_C_SHORT and SQL_C_TINYINT (sqlext.h): the ODBC 2 names
/// of the signed types, which odbc-sys leaves out; applications still
/// send them.
pub const C_LONG: i16 = 4;
pub const C_SHORT: i16 = 5;
pub const C_TINYINT: i16 = -6;

pub use odbc_sys::NULL_DATA;

/// A value encoded for the application.
#[derive(Debug, Clone, PartialEq)]
pub enum Encoded {
    /// Fixed-size types: the bytes of the C struct or number.
    Fixed(Vec<u8>),
    /// Character or binary data; `unit` is 1 (char/binary) or the size of
    /// an SQLWCHAR (SQL_C_WCHAR: 2, UTF-16; 4, UCS-4 under iODBC),
    /// `terminated` whether a NUL terminator is appended.
    Var {
        data: Vec<u8>,
        unit: usize,
        terminated: bool,
    },
    Null,
}

pub fn default_c_type(t: SqlType) -> i16 {
    match t {
        SqlType::BigInt => C_SBIGINT,
        SqlType::Integer => C_SLONG,
        SqlType::SmallInt => C_SSHORT,
        SqlType::Decimal(..) => C_CHAR,
        SqlType::Double => C_DOUBLE,
        SqlType::Bit => C_BIT,
        SqlType::Timestamp => C_TYPE_TIMESTAMP,
        SqlType::Date => C_TYPE_DATE,
        SqlType::Time => C_TYPE_TIME,
        SqlType::WVarchar(_) | SqlType::WLongVarchar => C_WCHAR,
    }
}

/// The value as text, the way SQL_C_CHAR shows it: the engine's one text
/// rule (`Value::text`), except where SQL_C_CHAR has its own: binary data
/// in hex, and an integer held by a DOUBLE column shown as that double.
/// Text values are borrowed: this runs for every text value fetched.
pub fn as_text(v: &Value, t: SqlType) -> Option<Cow<'_, str>> {
    match (v, t) {
        (Value::Text(s), _) => Some(Cow::Borrowed(s)),
        (Value::Blob(b), _) => Some(Cow::Owned(b.iter().map(|x| format!("{x:02X}")).collect())),
        (Value::Int(i), SqlType::Double) => Some(Cow::Owned(format!("{}", *i as f64))),
        _ => v.text().map(Cow::Owned),
    }
}

/// A number's digits fit in this many bytes, or take `as_text`'s String.
const DIGITS: usize = 64;

/// `as_text` of a number, written into `stack` instead of a new String:
/// SQL_C_NUMERIC reads every DECIMAL value pyodbc fetches this way. None
/// where `as_text` has a rule of its own (text, blobs, an integer of a
/// DOUBLE column) or the digits do not fit; `as_text` answers those.
fn number_text<'a>(v: &Value, t: SqlType, stack: &'a mut StackText<DIGITS>) -> Option<&'a str> {
    use std::fmt::Write;
    // Value::text's rule: a real with no fraction below 2^63 prints as
    // the integer.
    const I64_LIMIT: f64 = 9_223_372_036_854_775_808.0;
    match (v, t) {
        (Value::Int(_), SqlType::Double) => return None,
        (Value::Int(i), _) => write!(stack, "{i}"),
        (Value::Real(f), _) if f.fract() == 0.0 && f.abs() < I64_LIMIT => {
            write!(stack, "{}", *f as i64)
        }
        (Value::Real(f), _) => write!(stack, "{f}"),
        _ => return None,
    }
    .ok()?;
    Some(stack.as_str())
}

fn as_f64(v: &Value) -> Result<f64> {
    match v {
        Value::Int(i) => Ok(*i as f64),
        Value::Real(f) => Ok(*f),
        Value::Text(s) => s.trim().parse::<f64>().map_err(|_| bad_number(s)),
        _ => Err(Error::new(
            Kind::Data,
            "Binary data cannot be converted to a number.",
        )),
    }
}

fn as_i64(v: &Value) -> Result<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Real(f) => {
            if f.is_finite() && *f >= i64::MIN as f64 && *f <= i64::MAX as f64 {
                Ok(f.trunc() as i64)
            } else {
                Err(out_of_range())
            }
        }
        Value::Text(s) => {
            let t = s.trim();
            t.parse::<i64>().or_else(|_| {
                t.parse::<f64>()
                    .map_err(|_| bad_number(s))
                    .and_then(|f| as_i64(&Value::Real(f)))
            })
        }
        _ => Err(Error::new(
            Kind::Data,
            "Binary data cannot be converted to a number.",
        )),
    }
}

fn bad_number(s: &str) -> Error {
    let shown: String = s.chars().take(40).collect();
    Error::new(
        Kind::Data,
        format!("'{shown}' is not a number (invalid character value for cast specification)."),
    )
}

fn out_of_range() -> Error {
    Error::new(
        Kind::OutOfRange,
        "The numeric value is out of range for the requested C type.",
    )
}

fn timestamp_of(v: &Value) -> Result<Timestamp> {
    match v {
        Value::Text(s) => canonical_timestamp(s)
            .or_else(|| parse_timestamp(s))
            .ok_or_else(|| {
                let shown: String = s.chars().take(40).collect();
                Error::new(Kind::Data, format!("'{shown}' is not a date or timestamp."))
            }),
        Value::Int(i) => Ok(Timestamp::from_unix(*i, 0)),
        _ => Err(Error::new(
            Kind::Data,
            "The value is not a date or timestamp.",
        )),
    }
}

/// `parse_timestamp` of the one form the engine gives timestamps in,
/// `YYYY-MM-DD HH:MM:SS`, read by position: every timestamp a scan fetches
/// comes this way. None for any other text, which `parse_timestamp` reads.
fn canonical_timestamp(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    let separators = [(4, b'-'), (7, b'-'), (10, b' '), (13, b':'), (16, b':')];
    if b.len() != 19 || separators.iter().any(|&(at, c)| b[at] != c) {
        return None;
    }
    let n = |from: usize, to: usize| {
        b[from..to].iter().try_fold(0u32, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    let ts = Timestamp {
        year: n(0, 4)? as i32,
        month: n(5, 7)?,
        day: n(8, 10)?,
        hour: n(11, 13)?,
        minute: n(14, 16)?,
        second: n(17, 19)?,
        nanos: 0,
    };
    let valid = (1..=12).contains(&ts.month)
        && (1..=days_in_month(ts.year, ts.month)).contains(&ts.day)
        && ts.hour <= 23
        && ts.minute <= 59
        && ts.second <= 60;
    valid.then_some(ts)
}

/// A time of day `HH:MM[:SS[.f]]` (on an arbitrary date), or None.
fn time_of_day(v: &Value) -> Option<Timestamp> {
    match v {
        Value::Text(s) if s.trim().len() < 10 && !s.trim().is_empty() => {
            parse_timestamp(&format!("2000-01-01 {}", s.trim()))
        }
        _ => None,
    }
}

/// Today (UTC) at the time of `tod`.
fn today_at(tod: Timestamp) -> Timestamp {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Timestamp {
        hour: tod.hour,
        minute: tod.minute,
        second: tod.second,
        nanos: tod.nanos,
        ..Timestamp::from_unix(now, 0)
    }
}

/// `num` is SQL_C_NUMERIC's precision and scale (the ARD's, or the
/// default for SQLGetData).
pub fn encode(v: &Value, t: SqlType, c_type: i16, num: NumericSpec) -> Result<Encoded> {
    encode_cut(v, t, c_type, num).map(|(e, _)| e)
}

/// `encode`, and whether SQL_C_NUMERIC cut nonzero fractional digits
/// (01S07): one conversion gives both (the fetch path asked twice).
pub fn encode_cut(v: &Value, t: SqlType, c_type: i16, num: NumericSpec) -> Result<(Encoded, bool)> {
    let mut data = Vec::new();
    let (shape, cut) = encode_into(v, t, c_type, num, &mut data)?;
    Ok((Encoded::from_parts(shape, data), cut))
}

/// How the bytes `encode_into` wrote are laid out: the `Encoded` variant
/// without its bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    Fixed,
    Var { unit: usize, terminated: bool },
    Null,
}

impl Encoded {
    pub fn from_parts(shape: Shape, data: Vec<u8>) -> Encoded {
        match shape {
            Shape::Fixed => Encoded::Fixed(data),
            Shape::Var { unit, terminated } => Encoded::Var {
                data,
                unit,
                terminated,
            },
            Shape::Null => Encoded::Null,
        }
    }
}

/// `encode_cut` into `out` (cleared first), for a caller that reuses one
/// buffer from value to value (SQLGetData: no allocation per value). The
/// one conversion of every path: `encode_cut` is this into a new buffer.
pub fn encode_into(
    v: &Value,
    t: SqlType,
    c_type: i16,
    num: NumericSpec,
    out: &mut Vec<u8>,
) -> Result<(Shape, bool)> {
    out.clear();
    if c_type == C_NUMERIC && *v != Value::Null {
        let mut stack = StackText::<DIGITS>::default();
        let (bytes, cut) = match number_text(v, t, &mut stack) {
            Some(text) => numeric::to_struct(text, num)?,
            None => numeric::to_struct(&as_text(v, t).unwrap_or_default(), num)?,
        };
        out.extend_from_slice(&bytes);
        return Ok((Shape::Fixed, cut));
    }
    encode_other(v, t, c_type, out).map(|shape| (shape, false))
}

/// An integer narrowed to a C type, 22003 when it does not fit.
fn narrow<T: TryFrom<i64>>(i: i64) -> Result<T> {
    T::try_from(i).map_err(|_| out_of_range())
}

/// Writes fixed-size bytes.
fn fixed(out: &mut Vec<u8>, bytes: &[u8]) -> Result<Shape> {
    out.extend_from_slice(bytes);
    Ok(Shape::Fixed)
}

/// Every C type but SQL_C_NUMERIC (`encode_into`).
fn encode_other(v: &Value, t: SqlType, c_type: i16, out: &mut Vec<u8>) -> Result<Shape> {
    if *v == Value::Null {
        return Ok(Shape::Null);
    }
    let c_type = if c_type == C_DEFAULT || c_type == C_ARD_TYPE {
        default_c_type(t)
    } else {
        c_type
    };
    let text = Shape::Var {
        unit: 1,
        terminated: true,
    };
    match c_type {
        C_CHAR => {
            out.extend_from_slice(as_text(v, t).unwrap_or_default().as_bytes());
            Ok(text)
        }
        C_WCHAR => {
            wide_extend(out, &as_text(v, t).unwrap_or_default());
            Ok(Shape::Var {
                unit: WIDE_SIZE,
                terminated: true,
            })
        }
        C_BINARY => {
            match v {
                Value::Blob(b) => out.extend_from_slice(b),
                other => out.extend_from_slice(as_text(other, t).unwrap_or_default().as_bytes()),
            }
            Ok(Shape::Var {
                unit: 1,
                terminated: false,
            })
        }
        C_SBIGINT => fixed(out, &as_i64(v)?.to_ne_bytes()),
        C_UBIGINT => fixed(out, &narrow::<u64>(as_i64(v)?)?.to_ne_bytes()),
        C_SLONG | C_LONG => fixed(out, &narrow::<i32>(as_i64(v)?)?.to_ne_bytes()),
        C_ULONG => fixed(out, &narrow::<u32>(as_i64(v)?)?.to_ne_bytes()),
        C_SSHORT | C_SHORT => fixed(out, &narrow::<i16>(as_i64(v)?)?.to_ne_bytes()),
        C_USHORT => fixed(out, &narrow::<u16>(as_i64(v)?)?.to_ne_bytes()),
        C_STINYINT | C_TINYINT => fixed(out, &narrow::<i8>(as_i64(v)?)?.to_ne_bytes()),
        C_UTINYINT => fixed(out, &narrow::<u8>(as_i64(v)?)?.to_ne_bytes()),
        C_BIT => {
            let f = as_f64(v)?;
            if f == 0.0 || f == 1.0 {
                fixed(out, &[f as u8])
            } else {
                Err(out_of_range())
            }
        }
        C_DOUBLE => fixed(out, &as_f64(v)?.to_ne_bytes()),
        C_FLOAT => fixed(out, &(as_f64(v)? as f32).to_ne_bytes()),
        C_TYPE_TIMESTAMP | C_TIMESTAMP => {
            // A time of day gets today's date (the ODBC rule for TIME).
            let ts = match (t, time_of_day(v)) {
                (SqlType::Time, Some(tod)) => today_at(tod),
                _ => timestamp_of(v)?,
            };
            out.extend((ts.year as i16).to_ne_bytes());
            for part in [ts.month, ts.day, ts.hour, ts.minute, ts.second] {
                out.extend((part as u16).to_ne_bytes());
            }
            fixed(out, &ts.nanos.to_ne_bytes())
        }
        C_TYPE_DATE | C_DATE => {
            let ts = timestamp_of(v)?;
            out.extend((ts.year as i16).to_ne_bytes());
            out.extend((ts.month as u16).to_ne_bytes());
            fixed(out, &(ts.day as u16).to_ne_bytes())
        }
        C_TYPE_TIME | C_TIME => {
            let ts = match time_of_day(v) {
                Some(ts) => ts,
                None => timestamp_of(v)?,
            };
            out.extend((ts.hour as u16).to_ne_bytes());
            out.extend((ts.minute as u16).to_ne_bytes());
            fixed(out, &(ts.second as u16).to_ne_bytes())
        }
        C_GUID => fixed(out, &guid::to_struct(&as_text(v, t).unwrap_or_default())?),
        other => Err(Error::new(
            Kind::BadConversion,
            format!("Conversion to C type {other} is not supported for this column."),
        )),
    }
}

/// Whether SQL_C_NUMERIC at `num` cuts nonzero fractional digits of `v`
/// (01S07); false when the value does not convert at all.
pub fn numeric_cut(v: &Value, t: SqlType, num: NumericSpec) -> bool {
    encode_cut(v, t, C_NUMERIC, num).is_ok_and(|(_, cut)| cut)
}

/// Bytes of a fixed-size C type (whose BufferLength the spec says to
/// ignore); None for character and binary data.
pub fn fixed_size(c_type: i16) -> Option<usize> {
    Some(match c_type {
        C_SBIGINT | C_UBIGINT | C_DOUBLE => 8,
        C_SLONG | C_LONG | C_ULONG | C_FLOAT => 4,
        C_SSHORT | C_SHORT | C_USHORT => 2,
        C_STINYINT | C_TINYINT | C_UTINYINT | C_BIT => 1,
        C_TYPE_DATE | C_DATE | C_TYPE_TIME | C_TIME => 6,
        C_TYPE_TIMESTAMP | C_TIMESTAMP => 16,
        C_NUMERIC => numeric::STRUCT_SIZE,
        C_GUID => guid::STRUCT_SIZE,
        _ => return None,
    })
}

/// 22018 for a character parameter whose bytes are not valid in its encoding
/// (the offset of the first bad byte; the text itself is not shown).
fn bad_text(encoding: &str, at: &str) -> Error {
    Error::new(
        Kind::Data,
        format!("A character parameter is not valid {encoding} ({at}); it was not sent. Bind text in the encoding of its C type (SQL_C_CHAR: UTF-8, SQL_C_WCHAR: {WIDE_NAME})."),
    )
}

/// A parameter value from the bytes of an application buffer of `c_type`
/// (NULL when `bytes` is None). `sql_type` is the parameter's declared SQL
/// type: numeric text becomes a number so comparisons with numeric columns
/// behave.
/// `num` is the APD's precision and scale for SQL_C_NUMERIC.
pub fn from_c(c_type: i16, sql_type: i16, bytes: Option<&[u8]>, num: NumericSpec) -> Result<Value> {
    let Some(b) = bytes else {
        return Ok(Value::Null);
    };
    let ne16 = |i: usize| i16::from_ne_bytes([b[i], b[i + 1]]);
    let ne_u16 = |i: usize| u16::from_ne_bytes([b[i], b[i + 1]]);
    let need = |n: usize| {
        if b.len() < n {
            Err(Error::new(
                Kind::Data,
                format!("A parameter buffer of C type {c_type} is too short."),
            ))
        } else {
            Ok(())
        }
    };
    let v = match c_type {
        // Text that is not valid UTF-8 / UTF-16 is refused, never replaced
        // with U+FFFD: it would be written to the store altered.
        C_CHAR | C_DEFAULT => Value::Text(String::from_utf8(b.to_vec()).map_err(|e| {
            bad_text(
                "UTF-8",
                &format!("at byte {}", e.utf8_error().valid_up_to()),
            )
        })?),
        C_WCHAR => Value::Text(
            wide_from_bytes(b)
                .map_err(|at| bad_text(WIDE_NAME, &format!("at SQLWCHAR {}", at + 1)))?,
        ),
        C_BINARY => Value::Blob(b.to_vec()),
        C_SBIGINT | C_UBIGINT => {
            need(8)?;
            Value::Int(i64::from_ne_bytes(b[..8].try_into().unwrap_or_default()))
        }
        C_SLONG | C_LONG => {
            need(4)?;
            Value::Int(i32::from_ne_bytes(b[..4].try_into().unwrap_or_default()) as i64)
        }
        C_ULONG => {
            need(4)?;
            Value::Int(u32::from_ne_bytes(b[..4].try_into().unwrap_or_default()) as i64)
        }
        C_SSHORT | C_SHORT => {
            need(2)?;
            Value::Int(ne16(0) as i64)
        }
        C_USHORT => {
            need(2)?;
            Value::Int(ne_u16(0) as i64)
        }
        C_STINYINT | C_TINYINT => Value::Int(b.first().map(|x| *x as i8 as i64).unwrap_or(0)),
        C_UTINYINT | C_BIT => Value::Int(b.first().map(|x| *x as i64).unwrap_or(0)),
        C_DOUBLE => {
            need(8)?;
            Value::Real(f64::from_ne_bytes(b[..8].try_into().unwrap_or_default()))
        }
        C_FLOAT => {
            need(4)?;
            Value::Real(f32::from_ne_bytes(b[..4].try_into().unwrap_or_default()) as f64)
        }
        C_TYPE_DATE | C_DATE => {
            need(6)?;
            Value::Text(format!("{:04}-{:02}-{:02}", ne16(0), ne_u16(2), ne_u16(4)))
        }
        C_TYPE_TIME | C_TIME => {
            need(6)?;
            Value::Text(format!(
                "{:02}:{:02}:{:02}",
                ne_u16(0),
                ne_u16(2),
                ne_u16(4)
            ))
        }
        C_TYPE_TIMESTAMP | C_TIMESTAMP => {
            need(16)?;
            let frac = u32::from_ne_bytes(b[12..16].try_into().unwrap_or_default());
            let ts = Timestamp {
                year: ne16(0) as i32,
                month: ne_u16(2) as u32,
                day: ne_u16(4) as u32,
                hour: ne_u16(6) as u32,
                minute: ne_u16(8) as u32,
                second: ne_u16(10) as u32,
                nanos: frac,
            };
            Value::Text(ts.to_sql_text())
        }
        C_NUMERIC => Value::Text(numeric::from_struct(b, num)?),
        C_GUID => Value::Text(guid::from_struct(b)?),
        other => {
            return Err(Error::new(
                Kind::BadConversion,
                format!("Parameters of C type {other} are not supported."),
            ))
        }
    };
    // Numeric SQL types: numbers, so `price > ?` compares as numbers; a
    // DECIMAL stays text unless the double is exactly the same decimal.
    const NUMERIC_SQL: &[SqlDataType] = &[
        SqlDataType::NUMERIC,
        SqlDataType::DECIMAL,
        SqlDataType::INTEGER,
        SqlDataType::SMALLINT,
        SqlDataType::FLOAT,
        SqlDataType::REAL,
        SqlDataType::DOUBLE,
        SqlDataType::EXT_BIG_INT,
        SqlDataType::EXT_TINY_INT,
        SqlDataType::EXT_BIT,
    ];
    const EXACT_SQL: &[SqlDataType] = &[SqlDataType::NUMERIC, SqlDataType::DECIMAL];
    let sql_type = SqlDataType(sql_type);
    if let (Value::Text(t), true) = (&v, NUMERIC_SQL.contains(&sql_type)) {
        let t = t.trim();
        if let Ok(i) = t.parse::<i64>() {
            return Ok(Value::Int(i));
        }
        // Text that is no number would be compared and written as text:
        // `? + 1` with 'abc' answering 1. The spec's answer is 22018.
        if !is_number(t) {
            return Err(Error::new(
                Kind::Data,
                format!(
                    "A character parameter bound as a numeric SQL type ({}) is not a number; it was not sent. Bind numbers as digits with an optional sign, '.' and exponent, or bind the parameter as a character SQL type.",
                    sql_type.0
                ),
            ));
        }
        if let Ok(f) = t.parse::<f64>() {
            let exact = !EXACT_SQL.contains(&sql_type)
                || format!("{f}") == t.trim_end_matches('0').trim_end_matches('.');
            if exact {
                return Ok(Value::Real(f));
            }
        }
    }
    Ok(v)
}

/// Whether text is a numeric literal: a sign, digits with at most one '.',
/// and an exponent (`-12`, `3.50`, `.5`, `1e-3`); not `inf`, `NaN` or ''.
fn is_number(t: &str) -> bool {
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(at) => (&t[..at], Some(&t[at + 1..])),
        None => (t, None),
    };
    let digits = mantissa.bytes().filter(u8::is_ascii_digit).count();
    let dots = mantissa.bytes().filter(|b| *b == b'.').count();
    let mantissa_ok = digits > 0 && dots <= 1 && digits + dots == mantissa.len();
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

/// One SQLGetData/SQLFetch delivery: bytes to copy into the buffer, the
/// indicator to report and whether data was truncated.
#[derive(Debug, PartialEq)]
pub struct Piece {
    pub bytes: Vec<u8>,
    pub indicator: isize,
    pub truncated: bool,
    /// Bytes of `data` consumed by this piece (for the next call's offset).
    pub consumed: usize,
}

/// The first piece of a value for a buffer of `buf_len` bytes, taking the
/// value's bytes when they all fit (the common case: no copy); the value
/// comes back when pieces are left for later calls.
pub fn first_piece(enc: Encoded, buf_len: usize) -> (Piece, Option<Encoded>) {
    let whole = |bytes: Vec<u8>, len: usize| Piece {
        indicator: len as isize,
        consumed: len,
        truncated: false,
        bytes,
    };
    match enc {
        Encoded::Fixed(bytes) => {
            let len = bytes.len();
            (whole(bytes, len), None)
        }
        Encoded::Var {
            mut data,
            unit,
            terminated,
        } if data.len() + if terminated { unit } else { 0 } <= buf_len => {
            let len = data.len();
            if terminated {
                data.extend(std::iter::repeat_n(0u8, unit));
            }
            (whole(data, len), None)
        }
        other => (piece(&other, 0, buf_len), Some(other)),
    }
}

/// Cuts the next piece of a variable-length value, starting at `offset`,
/// for a buffer of `buf_len` bytes. The indicator is the length remaining
/// before this call (never SQL_NO_TOTAL: we always know it).
pub fn piece(enc: &Encoded, offset: usize, buf_len: usize) -> Piece {
    match enc {
        Encoded::Null => Piece {
            bytes: vec![],
            indicator: NULL_DATA,
            truncated: false,
            consumed: 0,
        },
        Encoded::Fixed(b) => Piece {
            bytes: b.clone(),
            indicator: b.len() as isize,
            truncated: false,
            consumed: b.len(),
        },
        Encoded::Var {
            data,
            unit,
            terminated,
        } => {
            let rest = &data[offset.min(data.len())..];
            let term = if *terminated { *unit } else { 0 };
            if rest.len() + term <= buf_len {
                let mut bytes = rest.to_vec();
                bytes.extend(std::iter::repeat_n(0u8, term));
                return Piece {
                    bytes,
                    indicator: rest.len() as isize,
                    truncated: false,
                    consumed: rest.len(),
                };
            }
            // Room for whole units only, and never half a surrogate pair.
            let mut take = buf_len.saturating_sub(term) / unit * unit;
            if *unit == WIDE_SIZE {
                take = wide_cut(rest, take);
            }
            let mut bytes = rest[..take].to_vec();
            if buf_len >= term && term > 0 {
                bytes.extend(std::iter::repeat_n(0u8, term));
            }
            Piece {
                bytes,
                indicator: rest.len() as isize,
                truncated: true,
                consumed: take,
            }
        }
    }
}

/// SQL_ATTR_MAX_LENGTH: character and binary data beyond this many bytes
/// is cut off, silently (the spec gives no warning for it).
pub fn max_length(enc: Encoded, max: u64) -> Encoded {
    match enc {
        Encoded::Var {
            mut data,
            unit,
            terminated,
        } => {
            data.truncate(max_length_kept(&data, unit, terminated, max));
            Encoded::Var {
                data,
                unit,
                terminated,
            }
        }
        other => other,
    }
}

/// `max_length` in place, on bytes `encode_into` wrote.
pub fn max_length_in_place(shape: Shape, data: &mut Vec<u8>, max: u64) {
    if let Shape::Var { unit, terminated } = shape {
        data.truncate(max_length_kept(data, unit, terminated, max));
    }
}

/// How many bytes of character or binary data SQL_ATTR_MAX_LENGTH keeps:
/// whole units, and whole UTF-8 characters for SQL_C_CHAR.
fn max_length_kept(data: &[u8], unit: usize, terminated: bool, max: u64) -> usize {
    if max == 0 || data.len() as u64 <= max {
        return data.len();
    }
    let mut keep = (max as usize / unit) * unit;
    if unit == 1 && terminated {
        while keep > 0 && keep < data.len() && (data[keep] & 0xC0) == 0x80 {
            keep -= 1;
        }
    }
    keep
}

/// HY003 for a C type this driver does not know. A `match` (SQLGetData
/// asks for every value).
pub fn check_c_type(c_type: i16) -> Result<()> {
    let known = matches!(
        c_type,
        C_CHAR
            | C_WCHAR
            | C_NUMERIC
            | C_GUID
            | C_LONG
            | C_SHORT
            | C_FLOAT
            | C_DOUBLE
            | C_DATE
            | C_TIME
            | C_TIMESTAMP
            | C_TYPE_DATE
            | C_TYPE_TIME
            | C_TYPE_TIMESTAMP
            | C_BIT
            | C_TINYINT
            | C_BINARY
            | C_SLONG
            | C_SSHORT
            | C_ULONG
            | C_USHORT
            | C_SBIGINT
            | C_UBIGINT
            | C_STINYINT
            | C_UTINYINT
            | C_DEFAULT
            | C_ARD_TYPE
    );
    if known {
        Ok(())
    } else {
        Err(Error::odbc(
            "HY003",
            format!("C data type {c_type} is not valid."),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_piece_that_fits_takes_the_bytes_else_keeps_the_value() {
        let text = |t: &str| Encoded::Var {
            data: t.as_bytes().to_vec(),
            unit: 1,
            terminated: true,
        };
        for (value, room) in [("abc", 4), ("abc", 100), ("abcdef", 4), ("", 1), ("ab", 0)] {
            let (p, rest) = first_piece(text(value), room);
            assert_eq!(p, piece(&text(value), 0, room), "{value} in {room}");
            assert_eq!(rest.is_some(), p.truncated, "{value} in {room}");
        }
        let fixed = Encoded::Fixed(vec![1, 2, 3]);
        let (p, rest) = first_piece(fixed.clone(), 0);
        assert_eq!((p, rest), (piece(&fixed, 0, usize::MAX), None));
        let (p, _) = first_piece(Encoded::Null, 10);
        assert_eq!(p, piece(&Encoded::Null, 0, 10));
    }

    #[test]
    fn char_pieces_with_exact_remaining_lengths() {
        let e = encode(
            &Value::Text("abcdef".into()),
            SqlType::WVarchar(10),
            C_CHAR,
            NumericSpec::DEFAULT,
        )
        .unwrap();
        let p = piece(&e, 0, 4);
        assert_eq!(
            (p.bytes.as_slice(), p.indicator, p.truncated),
            (&b"abc\0"[..], 6, true)
        );
        let p = piece(&e, 3, 4);
        assert_eq!(
            (p.bytes.as_slice(), p.indicator, p.truncated),
            (&b"def\0"[..], 3, false)
        );
    }

    #[test]
    fn text_bound_as_a_number_must_be_one() {
        for good in ["12", "-3.50", "+.5", "1e-3", " 7 ", "2.E5"] {
            assert!(
                from_c(
                    C_CHAR,
                    SqlDataType::DECIMAL.0,
                    Some(good.as_bytes()),
                    NumericSpec::DEFAULT
                )
                .is_ok(),
                "{good}"
            );
        }
        for bad in [
            "abc", "", "1.2.3", "inf", "NaN", "1e", "--1", "12abc", "0x10",
        ] {
            let e = from_c(
                C_CHAR,
                SqlDataType::INTEGER.0,
                Some(bad.as_bytes()),
                NumericSpec::DEFAULT,
            )
            .unwrap_err();
            assert_eq!(e.kind, Kind::Data, "{bad}");
        }
        // As a character SQL type the same text is text.
        assert_eq!(
            from_c(
                C_CHAR,
                SqlDataType::VARCHAR.0,
                Some(b"abc"),
                NumericSpec::DEFAULT
            )
            .unwrap(),
            Value::Text("abc".into())
        );
    }

    #[test]
    fn wchar_never_splits_a_surrogate_pair() {
        let e = encode(
            &Value::Text("a😀".into()),
            SqlType::WVarchar(10),
            C_WCHAR,
            NumericSpec::DEFAULT,
        )
        .unwrap();
        // UTF-16: 'a' + pair = 6 bytes, and a buffer one unit short of
        // that plus the terminator holds 'a' + terminator only.
        // UCS-4: 'a' + emoji = 8 bytes; the emoji is one unit, cut whole.
        let whole = 3 * WIDE_SIZE; // the data's units + terminator, UTF-16
        let p = piece(&e, 0, whole);
        if WIDE_SIZE == 2 {
            assert_eq!((p.consumed, p.indicator, p.truncated), (2, 6, true));
        } else {
            assert_eq!((p.consumed, p.indicator, p.truncated), (8, 8, false));
            let p = piece(&e, 0, 2 * WIDE_SIZE);
            assert_eq!((p.consumed, p.indicator, p.truncated), (4, 8, true));
        }
    }

    #[test]
    fn numbers_and_ranges() {
        assert_eq!(
            encode(
                &Value::Int(300),
                SqlType::BigInt,
                C_SLONG,
                NumericSpec::DEFAULT
            )
            .unwrap(),
            Encoded::Fixed(300i32.to_ne_bytes().to_vec())
        );
        assert!(encode(
            &Value::Int(300),
            SqlType::BigInt,
            C_STINYINT,
            NumericSpec::DEFAULT
        )
        .is_err());
        assert!(encode(
            &Value::Text("abc".into()),
            SqlType::WVarchar(3),
            C_SLONG,
            NumericSpec::DEFAULT
        )
        .is_err());
        let four = NumericSpec {
            precision: 19,
            scale: 4,
        };
        let n = encode(&Value::Real(12.5), SqlType::Decimal(19, 4), C_NUMERIC, four).unwrap();
        let Encoded::Fixed(b) = n else { panic!() };
        assert_eq!((b[1], b[2]), (4, 1));
        assert_eq!(u128::from_le_bytes(b[3..19].try_into().unwrap()), 125000);
        let v = Value::Text("12.345".into());
        assert!(numeric_cut(
            &v,
            SqlType::Decimal(19, 4),
            NumericSpec::DEFAULT
        ));
        assert!(!numeric_cut(&v, SqlType::Decimal(19, 4), four));
    }

    #[test]
    fn numbers_written_on_the_stack_read_as_as_text() {
        let reals = [
            0.0,
            -0.0,
            0.1,
            -12.5,
            305.5,
            1e15,
            123456.789,
            9.2e18,
            9.3e18,
            -9.3e18,
            1e-7,
            1e300,
            2.5e-300,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
        ];
        let mut values: Vec<Value> = reals.iter().map(|f| Value::Real(*f)).collect();
        values.extend([0, -1, 42, i64::MAX, i64::MIN].map(Value::Int));
        values.push(Value::Text("12.50".into()));
        let mut written = 0;
        for v in &values {
            for t in [SqlType::Decimal(19, 4), SqlType::Double, SqlType::BigInt] {
                let mut stack = StackText::<DIGITS>::default();
                if let Some(text) = number_text(v, t, &mut stack) {
                    written += 1;
                    assert_eq!(Some(text), as_text(v, t).as_deref(), "{v:?} {t:?}");
                }
            }
        }
        // All but the text, an integer of a DOUBLE column and the reals
        // too long for the stack.
        assert!(written >= 40, "{written}");
    }

    #[test]
    fn c_types_known_and_not() {
        for t in [
            C_CHAR, C_WCHAR, C_NUMERIC, C_LONG, C_TINYINT, C_UTINYINT, C_ARD_TYPE,
        ] {
            assert!(check_c_type(t).is_ok(), "{t}");
        }
        for t in [0, 1000, -1000, 17] {
            assert_eq!(check_c_type(t).unwrap_err().state, Some("HY003"), "{t}");
        }
    }

    #[test]
    fn canonical_timestamps_read_as_parse_timestamp_reads_them() {
        let mut texts = vec![
            "2026-07-23 17:48:38".to_string(),
            "2024-02-29 00:00:00".into(),
            "2023-02-29 00:00:00".into(),
            "2026-13-01 00:00:00".into(),
            "2026-00-10 00:00:00".into(),
            "2026-04-31 12:00:00".into(),
            "2026-01-01 24:00:00".into(),
            "2026-01-01 23:60:00".into(),
            "2026-01-01 23:59:60".into(),
            "2026-01-01 23:59:61".into(),
            "0000-01-01 00:00:00".into(),
            "2026-01-01T10:00:00".into(),
            "2026-01-01 10:00:0a".into(),
            "2026-01-01 +1:00:00".into(),
            "2026-1-01 10:00:00Z".into(),
            " 2026-01-01 10:00:0".into(),
        ];
        // Every day of two years, at a few times.
        for day in 0..731 {
            let ts = Timestamp::from_unix(1_704_067_200 + day * 86_400 + day * 3_607 % 86_400, 0);
            texts.push(ts.to_sql_text());
        }
        let mut fast = 0;
        for t in &texts {
            if let Some(ts) = canonical_timestamp(t) {
                fast += 1;
                assert_eq!(Some(ts), parse_timestamp(t), "{t}");
            }
        }
        // The generated ones and the four valid ones above.
        assert_eq!(fast, 731 + 4);
    }

    #[test]
    fn timestamps() {
        let e = encode(
            &Value::Text("2026-07-23 17:48:38".into()),
            SqlType::Timestamp,
            C_TYPE_TIMESTAMP,
            NumericSpec::DEFAULT,
        )
        .unwrap();
        let Encoded::Fixed(b) = e else { panic!() };
        assert_eq!(i16::from_ne_bytes([b[0], b[1]]), 2026);
        assert_eq!(u16::from_ne_bytes([b[10], b[11]]), 38);
    }
}

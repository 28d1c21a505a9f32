//! The PostgreSQL replica's column types, and the engine's values to and
//! from PostgreSQL's text form. The rule is exact or an error: a value a
//! column cannot hold exactly (money with more places than its scale, a
//! timestamp finer than microseconds, text in a number column) fails the
//! table's sync with a message instead of being rounded or coerced, and
//! what is read back is the value the live engine answers (`decode`).

use crate::engine::{decode, Value};
use crate::schema::SqlType;
use crate::timefmt::parse_timestamp;
use serde_json::Value as Json;

/// The PostgreSQL type a column of `ty` gets. Every integer kind is
/// BIGINT (the engine answers all of them as 64-bit integers), money is
/// NUMERIC with the profile's precision and scale, instants are
/// TIMESTAMPTZ (the engine's times are UTC), text is TEXT.
pub fn pg_type(ty: SqlType) -> String {
    match ty {
        SqlType::BigInt | SqlType::Integer | SqlType::SmallInt => "BIGINT".into(),
        SqlType::Decimal(p, s) => format!("NUMERIC({p},{s})"),
        SqlType::Double => "DOUBLE PRECISION".into(),
        SqlType::Bit => "BOOLEAN".into(),
        SqlType::Timestamp => "TIMESTAMPTZ".into(),
        SqlType::Date => "DATE".into(),
        SqlType::Time => "TIME".into(),
        SqlType::WVarchar(_) | SqlType::WLongVarchar => "TEXT".into(),
    }
}

/// How PostgreSQL's `format_type` names `pg_type(ty)`.
pub fn pg_format_type(ty: SqlType) -> String {
    match ty {
        SqlType::Timestamp => "timestamp with time zone".into(),
        SqlType::Time => "time without time zone".into(),
        other => pg_type(other).to_lowercase(),
    }
}

/// The expression a reader selects for a column: instants in UTC, so the
/// text is the engine's form whatever the session's TimeZone.
pub fn select_expr(quoted_column: &str, ty: SqlType) -> String {
    match ty {
        SqlType::Timestamp => format!("({quoted_column} AT TIME ZONE 'UTC')"),
        _ => quoted_column.to_string(),
    }
}

/// A value as PostgreSQL's text input for a column of `ty` (None: NULL),
/// or why the column cannot hold it exactly.
pub fn to_pg_text(v: &Value, ty: SqlType) -> Result<Option<String>, String> {
    let refused = || {
        Err(format!(
            "{} cannot be stored exactly as {}",
            shown(v),
            pg_type(ty)
        ))
    };
    let fit = |t: &str, p: u8, s: u8| fitting(t, p, s).map_or_else(refused, |t| Ok(Some(t)));
    Ok(Some(match (v, ty) {
        (Value::Null, _) => return Ok(None),
        (Value::Int(i), SqlType::BigInt | SqlType::Integer | SqlType::SmallInt) => i.to_string(),
        (Value::Real(f), SqlType::Decimal(p, s)) if f.is_finite() => {
            return fit(&f.to_string(), p, s)
        }
        (Value::Text(t), SqlType::Decimal(p, s)) if is_canonical_decimal(t) => return fit(t, p, s),
        (Value::Real(f), SqlType::Double) if f.is_finite() => format!("{f}"),
        (Value::Int(0), SqlType::Bit) => "f".into(),
        (Value::Int(1), SqlType::Bit) => "t".into(),
        (Value::Text(t), SqlType::Timestamp) => match parse_timestamp(t) {
            Some(ts) if ts.to_sql_text() == *t && ts.nanos % 1000 == 0 => format!("{t}+00"),
            _ => return refused(),
        },
        (Value::Text(t), SqlType::Date | SqlType::Time) if decode_text(t, ty) == *v => t.clone(),
        (Value::Text(t), SqlType::WVarchar(_) | SqlType::WLongVarchar) if !t.contains('\0') => {
            t.clone()
        }
        _ => return refused(),
    }))
}

/// A value as PostgreSQL gave it (text protocol) for a column of `ty`, as
/// the live engine answers it.
pub fn from_pg_text(text: Option<&str>, ty: SqlType) -> Value {
    match (text, ty) {
        (None, _) => Value::Null,
        (Some("t"), SqlType::Bit) => Value::Int(1),
        (Some("f"), SqlType::Bit) => Value::Int(0),
        // NUMERIC(p,s) pads to its scale: 12.50 was stored as 12.5, and
        // only canonical decimals are stored (to_pg_text).
        (Some(t), SqlType::Decimal(..)) => decode_text(unpadded(t), ty),
        (Some(t), _) => decode_text(t, ty),
    }
}

fn decode_text(t: &str, ty: SqlType) -> Value {
    decode(&Json::String(t.to_string()), ty)
}

fn shown(v: &Value) -> String {
    match v {
        Value::Text(t) => format!("the text '{t}'"),
        Value::Blob(_) => "a binary value".into(),
        other => format!("the value {}", other.text().unwrap_or_default()),
    }
}

/// `-?digits(.digits)?` with no leading zero in the whole part (but `0`)
/// and no trailing zero in the fraction: the decimals PostgreSQL gives
/// back unchanged once the padding to the scale is removed.
fn is_canonical_decimal(t: &str) -> bool {
    let body = t.strip_prefix('-').unwrap_or(t);
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let whole_ok = digits(whole) && (whole == "0" || !whole.starts_with('0'));
    let frac_ok = !body.contains('.') || (digits(frac) && !frac.ends_with('0'));
    whole_ok && frac_ok && t != "-0"
}

/// `t` when NUMERIC(p,s) holds it without rounding.
fn fitting(t: &str, p: u8, s: u8) -> Option<String> {
    let body = t.strip_prefix('-').unwrap_or(t);
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    let whole_digits = whole.trim_start_matches('0').len();
    let fits = frac.len() <= s as usize && whole_digits <= (p as usize).saturating_sub(s as usize);
    fits.then(|| t.to_string())
}

/// `12.50` -> `12.5`, `3.00` -> `3`; text without a point as it is.
fn unpadded(t: &str) -> &str {
    if !t.contains('.') {
        return t;
    }
    t.trim_end_matches('0').trim_end_matches('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(v: Value, ty: SqlType, pg_out: &str) {
        let text = to_pg_text(&v, ty).unwrap();
        assert!(text.is_some(), "{v:?}");
        assert_eq!(from_pg_text(Some(pg_out), ty), v, "{pg_out}");
    }

    #[test]
    fn values_come_back_as_the_engine_answers_them() {
        let money = SqlType::Decimal(12, 2);
        round_trip(Value::Real(12.5), money, "12.50");
        round_trip(Value::Real(3.0), money, "3.00");
        round_trip(Value::Real(-0.1), money, "-0.10");
        let long = SqlType::Decimal(30, 2);
        round_trip(
            Value::Text("1234567890123456789.5".into()),
            long,
            "1234567890123456789.50",
        );
        round_trip(Value::Int(1), SqlType::Bit, "t");
        round_trip(Value::Int(0), SqlType::Bit, "f");
        round_trip(Value::Int(-7), SqlType::BigInt, "-7");
        round_trip(Value::Real(0.1), SqlType::Double, "0.1");
        round_trip(
            Value::Text("2024-03-01 10:00:00".into()),
            SqlType::Timestamp,
            "2024-03-01 10:00:00",
        );
        round_trip(
            Value::Text("2024-03-01 10:00:00.25".into()),
            SqlType::Timestamp,
            "2024-03-01 10:00:00.25",
        );
        round_trip(
            Value::Text("2024-03-01".into()),
            SqlType::Date,
            "2024-03-01",
        );
        round_trip(Value::Text("héllo".into()), SqlType::WLongVarchar, "héllo");
        assert_eq!(from_pg_text(None, money), Value::Null);
        assert_eq!(to_pg_text(&Value::Null, money), Ok(None));
    }

    #[test]
    fn what_a_column_cannot_hold_exactly_is_refused() {
        let money = SqlType::Decimal(12, 2);
        for (v, ty) in [
            (Value::Real(12.345), money),
            (Value::Real(1e11), money),
            (Value::Text("12.50".into()), SqlType::Decimal(30, 2)),
            (Value::Text("1e5".into()), SqlType::Decimal(30, 2)),
            (Value::Text("abc".into()), SqlType::BigInt),
            (Value::Int(2), SqlType::Bit),
            (Value::Text("soon".into()), SqlType::Timestamp),
            (
                Value::Text("2024-03-01 10:00:00.0000001".into()),
                SqlType::Timestamp,
            ),
            (Value::Int(5), SqlType::WVarchar(10)),
            (Value::Text("a\0b".into()), SqlType::WVarchar(10)),
            (Value::Real(f64::NAN), SqlType::Double),
        ] {
            let e = to_pg_text(&v, ty).unwrap_err();
            assert!(e.contains("cannot be stored exactly"), "{v:?}: {e}");
        }
    }

    #[test]
    fn canonical_decimals() {
        for t in ["0", "12", "-3.5", "0.01"] {
            assert!(is_canonical_decimal(t), "{t}");
        }
        for t in ["012", "1.50", "1.", ".5", "-0", "1e3", "+1", ""] {
            assert!(!is_canonical_decimal(t), "{t}");
        }
    }
}

//! Which values an SQLite replica column keeps exactly as the live virtual
//! table handed them over. A replica column has the same affinity class as
//! the live column (so `total > '10'` compares as numbers in both), and an
//! affinity converts some values on the way in: a numeric-looking text in
//! a numeric column becomes a number (rounded to 15 significant digits
//! when it is long), an integer in a REAL column a real, a whole real in an
//! INTEGER or NUMERIC column an integer, a number in a TEXT column text.
//! Such a value would read back other than live, so the sync refuses it
//! with its table, column and value rather than store it changed.

use crate::engine::Value;
use crate::error::{Error, Kind, Result};
use crate::schema::{SqlType, Table};

/// Every value of `rows` (in `table`'s column order) is stored unchanged,
/// or the first one that would not is named.
pub fn check(table: &Table, rows: &[Vec<Value>]) -> Result<()> {
    let affinities: Vec<Affinity> = table.columns.iter().map(|c| of(c.sql_type())).collect();
    for row in rows {
        for ((v, aff), column) in row.iter().zip(&affinities).zip(&table.columns) {
            if !keeps(*aff, v) {
                return Err(Error::new(
                    Kind::Data,
                    format!(
                        "{}.{}: the API sent {v:?}, which the replica's SQLite column ({aff:?} affinity) would store as another value; the replica keeps its previous copy of {} rather than hold a changed one.",
                        table.name, column.name, table.name
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// SQLite's affinities, as the replica declares its columns (layout.rs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Affinity {
    Integer,
    Real,
    Numeric,
    Text,
}

/// The affinity of a replica column of `ty`: the live declaration's
/// (`SqlType::decl`), except DECIMAL, REAL instead of NUMERIC (NUMERIC would
/// turn the REAL 12.0 live hands over into the integer 12).
pub fn of(ty: SqlType) -> Affinity {
    match ty {
        SqlType::BigInt | SqlType::Integer | SqlType::SmallInt => Affinity::Integer,
        SqlType::Decimal(..) | SqlType::Double => Affinity::Real,
        SqlType::Bit | SqlType::Timestamp | SqlType::Date | SqlType::Time => Affinity::Numeric,
        SqlType::WVarchar(_) | SqlType::WLongVarchar => Affinity::Text,
    }
}

/// Whether a column of `affinity` stores `v` unchanged.
pub fn keeps(affinity: Affinity, v: &Value) -> bool {
    match (affinity, v) {
        (_, Value::Null | Value::Blob(_)) => true,
        (Affinity::Text, Value::Text(_)) => true,
        (Affinity::Text, Value::Int(_) | Value::Real(_)) => false,
        (_, Value::Text(s)) => !is_numeric_literal(s),
        (Affinity::Real, Value::Int(_)) => false,
        (Affinity::Real, Value::Real(_)) => true,
        (Affinity::Integer | Affinity::Numeric, Value::Int(_)) => true,
        (Affinity::Integer | Affinity::Numeric, Value::Real(f)) => !whole_in_i64(*f),
    }
}

/// A whole real an INTEGER or NUMERIC column would store as an integer
/// (SQLite converts when the integer reads back as the same real).
fn whole_in_i64(f: f64) -> bool {
    f.fract() == 0.0 && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f)
}

/// SQLite's whitespace (`sqlite3Isspace`).
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Whether SQLite's numeric affinity converts the text: after optional
/// white space, `[+-]digits[.digits][(e|E)[+-]digits]` with at least one
/// mantissa digit, then nothing but white space. Anything that might be
/// one counts as one, so a doubt refuses rather than stores a changed value.
pub fn is_numeric_literal(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let skip_space = |i: &mut usize| {
        while *i < b.len() && is_space(b[*i]) {
            *i += 1;
        }
    };
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    skip_space(&mut i);
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let mut mantissa = digits(&mut i);
    if i < b.len() && b[i] == b'.' {
        i += 1;
        mantissa += digits(&mut i);
    }
    if mantissa == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        if digits(&mut j) > 0 {
            i = j;
        }
    }
    skip_space(&mut i);
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    /// The rule asked of SQLite itself: what a column of each affinity
    /// stores for each value.
    #[test]
    fn keeps_agrees_with_sqlite() {
        let db = Connection::open_in_memory().unwrap();
        db.execute_batch(
            "CREATE TABLE t(i BIGINT, r DECIMAL REAL(19,4), n TIMESTAMP, x WVARCHAR(9))",
        )
        .unwrap();
        let texts = [
            "12",
            " 12 ",
            "12.50",
            "-0.1",
            "+3",
            ".5",
            "5.",
            "1e3",
            "1E+3",
            "1e",
            "1e+",
            "12abc",
            "0x10",
            "inf",
            "NaN",
            "",
            " ",
            "-",
            ".",
            "2024-01-01 00:00:00",
            "12345678901234567.25",
            "\t7\n",
            "1 2",
        ];
        let mut values: Vec<Value> = texts.iter().map(|t| Value::Text(t.to_string())).collect();
        values.extend([
            Value::Int(12),
            Value::Real(12.0),
            Value::Real(12.5),
            Value::Real(1e300),
            Value::Null,
        ]);
        for (col, aff) in [
            ("i", Affinity::Integer),
            ("r", Affinity::Real),
            ("n", Affinity::Numeric),
            ("x", Affinity::Text),
        ] {
            for v in &values {
                db.execute("DELETE FROM t", []).unwrap();
                let sql = format!("INSERT INTO t({col}) VALUES (?1)");
                db.execute(&sql, [to_sql(v)]).unwrap();
                let back: Value = db
                    .query_row(&format!("SELECT {col} FROM t"), [], |r| r.get(0))
                    .unwrap();
                assert_eq!(keeps(aff, v), &back == v, "{col} {v:?} read back {back:?}");
            }
        }
    }

    fn to_sql(v: &Value) -> rusqlite::types::Value {
        use rusqlite::types::Value as V;
        match v {
            Value::Null => V::Null,
            Value::Int(i) => V::Integer(*i),
            Value::Real(f) => V::Real(*f),
            Value::Text(t) => V::Text(t.clone()),
            Value::Blob(b) => V::Blob(b.clone()),
        }
    }

    #[test]
    fn replica_decimals_have_real_affinity_and_read_back_as_decimal() {
        assert_eq!(of(SqlType::Decimal(19, 4)), Affinity::Real);
        assert_eq!(of(SqlType::Timestamp), Affinity::Numeric);
    }
}

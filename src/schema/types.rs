//! The SQL types a profile may declare, with their ODBC facts (type code,
//! size, digits) kept in one place so SQLDescribeCol, SQLColAttribute,
//! SQLColumns and SQLGetTypeInfo agree.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    BigInt,
    Integer,
    SmallInt,
    /// DECIMAL(precision, scale); money is DECIMAL(19,4).
    Decimal(u8, u8),
    Double,
    Bit,
    Timestamp,
    Date,
    /// A time of day (`HH:MM:SS`, UTC like every time here).
    Time,
    WVarchar(u32),
    WLongVarchar,
}

impl SqlType {
    pub fn parse(name: &str, size: Option<u32>) -> Result<SqlType, String> {
        let upper = name.trim().to_ascii_uppercase();
        let (base, args) = match upper.split_once('(') {
            Some((b, rest)) => (
                b.trim().to_string(),
                rest.trim_end_matches(')')
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .collect::<Vec<_>>(),
            ),
            None => (upper.clone(), vec![]),
        };
        let num = |i: usize, d: u32| args.get(i).and_then(|a| a.parse::<u32>().ok()).unwrap_or(d);
        Ok(match base.as_str() {
            "BIGINT" => SqlType::BigInt,
            "INTEGER" | "INT" => SqlType::Integer,
            "SMALLINT" => SqlType::SmallInt,
            "DECIMAL" | "NUMERIC" | "DECIMAL REAL" => SqlType::Decimal(num(0, 19).min(38) as u8, num(1, 4).min(38) as u8),
            "DOUBLE" | "FLOAT" | "REAL" => SqlType::Double,
            "BIT" | "BOOLEAN" => SqlType::Bit,
            "TIMESTAMP" | "DATETIME" => SqlType::Timestamp,
            "DATE" => SqlType::Date,
            "TIME" => SqlType::Time,
            "WVARCHAR" | "VARCHAR" | "NVARCHAR" => SqlType::WVarchar(size.unwrap_or_else(|| num(0, 255)).max(1)),
            "WLONGVARCHAR" | "LONGVARCHAR" | "TEXT" => SqlType::WLongVarchar,
            _ => {
                return Err(format!(
                    "type '{name}' is not one of BIGINT, INTEGER, DECIMAL(p,s), DOUBLE, BIT, TIMESTAMP, DATE, TIME, WVARCHAR(n), WLONGVARCHAR"
                ))
            }
        })
    }

    /// The declaration SQLite sees in CREATE TABLE; `SqlType::parse` reads it
    /// back from `sqlite3_column_decltype`.
    pub fn decl(&self) -> String {
        match self {
            SqlType::BigInt => "BIGINT".into(),
            SqlType::Integer => "INTEGER".into(),
            SqlType::SmallInt => "SMALLINT".into(),
            SqlType::Decimal(p, s) => format!("DECIMAL({p},{s})"),
            SqlType::Double => "DOUBLE".into(),
            SqlType::Bit => "BIT".into(),
            SqlType::Timestamp => "TIMESTAMP".into(),
            SqlType::Date => "DATE".into(),
            SqlType::Time => "TIME".into(),
            SqlType::WVarchar(n) => format!("WVARCHAR({n})"),
            SqlType::WLongVarchar => "WLONGVARCHAR".into(),
        }
    }

    /// The name shown in TYPE_NAME columns.
    pub fn type_name(&self) -> &'static str {
        match self {
            SqlType::BigInt => "BIGINT",
            SqlType::Integer => "INTEGER",
            SqlType::SmallInt => "SMALLINT",
            SqlType::Decimal(..) => "DECIMAL",
            SqlType::Double => "DOUBLE",
            SqlType::Bit => "BIT",
            SqlType::Timestamp => "TIMESTAMP",
            SqlType::Date => "DATE",
            SqlType::Time => "TIME",
            SqlType::WVarchar(_) => "WVARCHAR",
            SqlType::WLongVarchar => "WLONGVARCHAR",
        }
    }

    /// ODBC 3 concise type code.
    pub fn odbc_code(&self) -> i16 {
        match self {
            SqlType::BigInt => -5,
            SqlType::Integer => 4,
            SqlType::SmallInt => 5,
            SqlType::Decimal(..) => 3,
            SqlType::Double => 8,
            SqlType::Bit => -7,
            SqlType::Timestamp => 93,
            SqlType::Date => 91,
            SqlType::Time => 92,
            SqlType::WVarchar(_) => -9,
            SqlType::WLongVarchar => -10,
        }
    }

    /// COLUMN_SIZE per the ODBC appendix D rules.
    pub fn column_size(&self) -> i64 {
        match self {
            SqlType::BigInt => 19,
            SqlType::Integer => 10,
            SqlType::SmallInt => 5,
            SqlType::Decimal(p, _) => *p as i64,
            SqlType::Double => 15,
            SqlType::Bit => 1,
            SqlType::Timestamp => 19,
            SqlType::Date => 10,
            SqlType::Time => 8,
            SqlType::WVarchar(n) => *n as i64,
            SqlType::WLongVarchar => 1_073_741_823,
        }
    }

    /// DECIMAL_DIGITS: scale, or seconds precision for timestamps.
    pub fn decimal_digits(&self) -> Option<i16> {
        match self {
            SqlType::BigInt
            | SqlType::Integer
            | SqlType::SmallInt
            | SqlType::Bit
            | SqlType::Timestamp
            | SqlType::Time => Some(0),
            SqlType::Decimal(_, s) => Some(*s as i16),
            _ => None,
        }
    }

    /// Bytes a client needs for the value in its default C type.
    pub fn octet_length(&self) -> i64 {
        match self {
            SqlType::BigInt | SqlType::Double => 8,
            SqlType::Integer => 4,
            SqlType::SmallInt => 2,
            SqlType::Bit => 1,
            SqlType::Decimal(p, _) => *p as i64 + 2,
            SqlType::Timestamp => 16,
            SqlType::Date | SqlType::Time => 6,
            SqlType::WVarchar(n) => *n as i64 * crate::ffi::strings::WIDE_SIZE as i64,
            SqlType::WLongVarchar => 2_147_483_646,
        }
    }

    /// Characters needed to display the value.
    pub fn display_size(&self) -> i64 {
        match self {
            SqlType::BigInt => 20,
            SqlType::Integer => 11,
            SqlType::SmallInt => 6,
            SqlType::Decimal(p, _) => *p as i64 + 2,
            SqlType::Double => 24,
            SqlType::Bit => 1,
            SqlType::Timestamp => 19,
            SqlType::Date => 10,
            SqlType::Time => 8,
            SqlType::WVarchar(n) => *n as i64,
            SqlType::WLongVarchar => 1_073_741_823,
        }
    }

    pub fn num_prec_radix(&self) -> Option<i16> {
        match self {
            SqlType::BigInt
            | SqlType::Integer
            | SqlType::SmallInt
            | SqlType::Decimal(..)
            | SqlType::Bit => Some(10),
            SqlType::Double => Some(2),
            _ => None,
        }
    }

    /// Whole numbers: a route keyed by one matches exactly or not at all.
    pub fn is_integer(&self) -> bool {
        matches!(self, SqlType::BigInt | SqlType::Integer | SqlType::SmallInt)
    }

    pub fn is_char(&self) -> bool {
        matches!(self, SqlType::WVarchar(_) | SqlType::WLongVarchar)
    }

    pub fn is_unsigned(&self) -> bool {
        matches!(
            self,
            SqlType::Bit
                | SqlType::Timestamp
                | SqlType::Date
                | SqlType::Time
                | SqlType::WVarchar(_)
                | SqlType::WLongVarchar
        )
    }
}

#[cfg(test)]
mod tests {
    use super::SqlType;

    #[test]
    fn decl_round_trips() {
        for t in [
            SqlType::BigInt,
            SqlType::Decimal(19, 4),
            SqlType::WVarchar(80),
            SqlType::WLongVarchar,
            SqlType::Timestamp,
            SqlType::Date,
            SqlType::Time,
        ] {
            assert_eq!(SqlType::parse(&t.decl(), None).unwrap(), t);
        }
    }
}

//! SQLColAttribute and SQLDescribeCol from one place, so the two always
//! agree (ODBC 3 SQL_DESC_* ids and the ODBC 2 SQL_COLUMN_* ids).

use super::stmt::ColDesc;
use crate::error::{Error, Result};
use crate::schema::SqlType;

#[derive(Debug, Clone, PartialEq)]
pub enum Attr {
    Str(String),
    Num(i64),
}

/// The type code a column reports: ODBC 2 applications get the old
/// date/time codes.
pub fn concise_type(t: SqlType, odbc2: bool) -> i16 {
    match (t, odbc2) {
        (SqlType::Timestamp, true) => 11,
        (SqlType::Date, true) => 9,
        (t, _) => t.odbc_code(),
    }
}

pub fn col_attribute(c: &ColDesc, field: u16, col_count: usize, odbc2: bool) -> Result<Attr> {
    use Attr::*;
    let t = c.sql_type;
    Ok(match field {
        0 | 1001 => Num(col_count as i64),       // COUNT
        1 | 1011 => Str(c.name.clone()),         // NAME
        18 => Str(c.name.clone()),               // LABEL
        2 => Num(concise_type(t, odbc2) as i64), // CONCISE_TYPE / COLUMN_TYPE
        1002 => Num(match t {
            // TYPE (verbose)
            SqlType::Timestamp | SqlType::Date => 9,
            other => other.odbc_code() as i64,
        }),
        1007 => Num(match t {
            // DATETIME_INTERVAL_CODE
            SqlType::Timestamp => 3,
            SqlType::Date => 1,
            _ => 0,
        }),
        3 => Num(t.octet_length()),    // COLUMN_LENGTH (ODBC 2: bytes)
        1003 => Num(t.column_size()),  // LENGTH (characters)
        1013 => Num(t.octet_length()), // OCTET_LENGTH
        4 | 1005 => Num(match t {
            // PRECISION
            SqlType::Timestamp => {
                if field == 4 {
                    19
                } else {
                    0
                }
            }
            other => other.column_size(),
        }),
        5 | 1006 => Num(t.decimal_digits().unwrap_or(0) as i64), // SCALE
        6 => Num(t.display_size()),                              // DISPLAY_SIZE
        7 | 1008 => Num(c.nullable as i64),                      // NULLABLE
        8 => Num(t.is_unsigned() as i64),                        // UNSIGNED
        9 => Num(0),                   // FIXED_PREC_SCALE: no fixed-scale money type
        10 => Num(0),                  // UPDATABLE: read only
        11 => Num(0),                  // AUTO_UNIQUE_VALUE
        12 => Num(t.is_char() as i64), // CASE_SENSITIVE
        13 => Num(if t.is_char() { 3 } else { 2 }), // SEARCHABLE
        14 => Str(t.type_name().to_string()), // TYPE_NAME
        29 => Str(t.type_name().to_string()), // LOCAL_TYPE_NAME
        15 | 23 => Str(c.table.clone()), // TABLE_NAME / BASE_TABLE_NAME
        22 => Str(if c.base_column.is_empty() {
            c.name.clone()
        } else {
            c.base_column.clone()
        }), // BASE_COLUMN_NAME
        16 => Str(c.schema.clone()),   // SCHEMA_NAME
        17 => Str(String::new()),      // CATALOG_NAME
        27 | 28 => Str(
            if t.is_char() || matches!(t, SqlType::Timestamp | SqlType::Date) {
                "'".into()
            } else {
                String::new()
            },
        ), // LITERAL_PREFIX/SUFFIX
        32 => Num(t.num_prec_radix().unwrap_or(0) as i64), // NUM_PREC_RADIX
        1012 => Num(if c.name.is_empty() { 1 } else { 0 }), // UNNAMED
        _ => {
            return Err(Error::odbc(
                "HY091",
                format!("Column attribute {field} is not valid."),
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odbc2_and_odbc3_agree_where_they_should() {
        let c = ColDesc::new("created_at", SqlType::Timestamp, true);
        assert_eq!(col_attribute(&c, 2, 1, false).unwrap(), Attr::Num(93));
        assert_eq!(col_attribute(&c, 2, 1, true).unwrap(), Attr::Num(11));
        assert_eq!(col_attribute(&c, 1002, 1, false).unwrap(), Attr::Num(9));
        assert_eq!(
            col_attribute(&c, 14, 1, false).unwrap(),
            Attr::Str("TIMESTAMP".into())
        );
        assert!(col_attribute(&c, 4242, 1, false).is_err());
    }
}

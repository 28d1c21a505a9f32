//! SQLColAttribute and SQLDescribeCol from one place, so the two always
//! agree (ODBC 3 SQL_DESC_* ids and the ODBC 2 SQL_COLUMN_* ids).

use super::stmt::ColDesc;
use crate::error::{Error, Result};
use crate::schema::SqlType;
use odbc_sys::{Desc, SqlDataType};

// The fields, as the u16 SQLColAttribute receives: odbc-sys's `Desc`
// (SQL_DESC_*; the extended ones share their ids with SQL_COLUMN_*)...
const DESC_COUNT: u16 = Desc::Count as u16;
const DESC_NAME: u16 = Desc::Name as u16;
const DESC_LABEL: u16 = Desc::Label as u16;
const DESC_CONCISE_TYPE: u16 = Desc::ConciseType as u16;
const DESC_TYPE: u16 = Desc::Type as u16;
const DESC_DATETIME_INTERVAL_CODE: u16 = Desc::DatetimeIntervalCode as u16;
const DESC_LENGTH: u16 = Desc::Length as u16;
const DESC_OCTET_LENGTH: u16 = Desc::OctetLength as u16;
const DESC_PRECISION: u16 = Desc::Precision as u16;
const DESC_SCALE: u16 = Desc::Scale as u16;
const DESC_DISPLAY_SIZE: u16 = Desc::DisplaySize as u16;
const DESC_NULLABLE: u16 = Desc::Nullable as u16;
const DESC_UNSIGNED: u16 = Desc::Unsigned as u16;
const DESC_FIXED_PREC_SCALE: u16 = Desc::FixedPrecScale as u16;
const DESC_UPDATABLE: u16 = Desc::Updatable as u16;
const DESC_AUTO_UNIQUE_VALUE: u16 = Desc::AutoUniqueValue as u16;
const DESC_CASE_SENSITIVE: u16 = Desc::CaseSensitive as u16;
const DESC_SEARCHABLE: u16 = Desc::Searchable as u16;
const DESC_TYPE_NAME: u16 = Desc::TypeName as u16;
const DESC_LOCAL_TYPE_NAME: u16 = Desc::LocalTypeName as u16;
const DESC_TABLE_NAME: u16 = Desc::TableName as u16;
const DESC_BASE_TABLE_NAME: u16 = Desc::BaseTableName as u16;
const DESC_BASE_COLUMN_NAME: u16 = Desc::BaseColumnName as u16;
const DESC_SCHEMA_NAME: u16 = Desc::SchemaName as u16;
const DESC_CATALOG_NAME: u16 = Desc::CatalogName as u16;
const DESC_LITERAL_PREFIX: u16 = Desc::LiteralPrefix as u16;
const DESC_LITERAL_SUFFIX: u16 = Desc::LiteralSuffix as u16;
const DESC_NUM_PREC_RADIX: u16 = Desc::NumPrecRadix as u16;
const DESC_UNNAMED: u16 = Desc::Unnamed as u16;
// ...and the ODBC 2 SQL_COLUMN_* ids odbc-sys leaves out.
use super::sqlext::{
    SQL_CODE_DATE, SQL_CODE_TIMESTAMP, SQL_COLUMN_COUNT, SQL_COLUMN_LENGTH, SQL_COLUMN_NAME,
    SQL_COLUMN_NULLABLE, SQL_COLUMN_PRECISION, SQL_COLUMN_SCALE, SQL_NAMED, SQL_PRED_BASIC,
    SQL_PRED_SEARCHABLE, SQL_UNNAMED,
};

/// SQL_DATE and SQL_TIMESTAMP, the ODBC 2 type codes (sqlext.h) odbc-sys
/// calls DATETIME and EXT_TIMESTAMP.
const SQL_DATE: i16 = SqlDataType::DATETIME.0;
const SQL_TIMESTAMP: i16 = SqlDataType::EXT_TIMESTAMP.0;
/// SQL_DATETIME, the verbose type of dates and timestamps (sqlext.h).
pub const SQL_DATETIME: i64 = SqlDataType::DATETIME.0 as i64;

/// Whether a field is the column count, which needs no column.
pub fn is_count(field: u16) -> bool {
    field == DESC_COUNT || field == SQL_COLUMN_COUNT
}

#[derive(Debug, Clone, PartialEq)]
pub enum Attr {
    Str(String),
    Num(i64),
}

/// The type code a column reports: ODBC 2 applications get the old
/// date/time codes.
pub fn concise_type(t: SqlType, odbc2: bool) -> i16 {
    match (t, odbc2) {
        (SqlType::Timestamp, true) => SQL_TIMESTAMP,
        (SqlType::Date, true) => SQL_DATE,
        // SQL_TIME (sqlext.h), ODBC 2's code for times.
        (SqlType::Time, true) => 10,
        (t, _) => t.odbc_code(),
    }
}

pub fn col_attribute(c: &ColDesc, field: u16, col_count: usize, odbc2: bool) -> Result<Attr> {
    use Attr::*;
    let t = c.sql_type;
    Ok(match field {
        SQL_COLUMN_COUNT | DESC_COUNT => Num(col_count as i64),
        SQL_COLUMN_NAME | DESC_NAME | DESC_LABEL => Str(c.name.clone()),
        DESC_CONCISE_TYPE => Num(concise_type(t, odbc2) as i64),
        DESC_TYPE => Num(match t {
            SqlType::Timestamp | SqlType::Date | SqlType::Time => SQL_DATETIME,
            other => other.odbc_code() as i64,
        }),
        DESC_DATETIME_INTERVAL_CODE => Num(match t {
            SqlType::Timestamp => SQL_CODE_TIMESTAMP,
            // SQL_CODE_TIME (sqlext.h).
            SqlType::Time => 2,
            SqlType::Date => SQL_CODE_DATE,
            _ => 0,
        }),
        // ODBC 2's length is in bytes, ODBC 3's in characters.
        SQL_COLUMN_LENGTH => Num(t.octet_length()),
        DESC_LENGTH => Num(t.column_size()),
        DESC_OCTET_LENGTH => Num(t.octet_length()),
        // A timestamp's ODBC 2 precision is its display width; its ODBC 3
        // precision is that of the fractional seconds.
        SQL_COLUMN_PRECISION | DESC_PRECISION => Num(match t {
            SqlType::Timestamp if field == SQL_COLUMN_PRECISION => 19,
            SqlType::Time if field == SQL_COLUMN_PRECISION => 8,
            SqlType::Timestamp | SqlType::Time => 0,
            other => other.column_size(),
        }),
        SQL_COLUMN_SCALE | DESC_SCALE => Num(t.decimal_digits().unwrap_or(0) as i64),
        DESC_DISPLAY_SIZE => Num(t.display_size()),
        SQL_COLUMN_NULLABLE | DESC_NULLABLE => Num(c.nullable as i64),
        DESC_UNSIGNED => Num(t.is_unsigned() as i64),
        // No fixed-scale money type.
        DESC_FIXED_PREC_SCALE => Num(0),
        // Read only.
        DESC_UPDATABLE => Num(0),
        DESC_AUTO_UNIQUE_VALUE => Num(0),
        DESC_CASE_SENSITIVE => Num(t.is_char() as i64),
        DESC_SEARCHABLE => Num(if t.is_char() {
            SQL_PRED_SEARCHABLE
        } else {
            SQL_PRED_BASIC
        }),
        DESC_TYPE_NAME | DESC_LOCAL_TYPE_NAME => Str(t.type_name().to_string()),
        DESC_TABLE_NAME | DESC_BASE_TABLE_NAME => Str(c.table.clone()),
        // Empty for an expression (no base column).
        DESC_BASE_COLUMN_NAME => Str(c.base_column.clone()),
        DESC_SCHEMA_NAME => Str(c.schema.clone()),
        DESC_CATALOG_NAME => Str(String::new()),
        DESC_LITERAL_PREFIX | DESC_LITERAL_SUFFIX => Str(
            if t.is_char() || matches!(t, SqlType::Timestamp | SqlType::Date | SqlType::Time) {
                "'".into()
            } else {
                String::new()
            },
        ),
        DESC_NUM_PREC_RADIX => Num(t.num_prec_radix().unwrap_or(0) as i64),
        DESC_UNNAMED => Num(if c.name.is_empty() {
            SQL_UNNAMED
        } else {
            SQL_NAMED
        }),
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

//! The result's columns: what SQLNumResultCols, SQLDescribeCol and
//! SQLColAttribute tell, and the buffers SQLBindCol attaches to them.

use super::{bad_column, Stmt};
use crate::engine::{result_types, Query, Value};
use crate::error::{Error, Result};
use crate::odbc::{convert, lock, SUCCESS};
use crate::schema::SqlType;
use odbc_sys::RetCode;

/// A column of a result set, as SQLDescribeCol and SQLColAttribute tell it.
#[derive(Debug, Clone)]
pub struct ColDesc {
    pub name: String,
    pub sql_type: SqlType,
    pub nullable: bool,
    pub table: String,
    pub schema: String,
    pub base_column: String,
    /// Whether the type comes from a declaration (profile, catalog layout)
    /// rather than from the values seen.
    pub declared: bool,
}

impl ColDesc {
    pub fn new(name: &str, sql_type: SqlType, nullable: bool) -> ColDesc {
        ColDesc {
            name: name.into(),
            sql_type,
            nullable,
            table: String::new(),
            schema: String::new(),
            // Catalog result sets: the column is its own base column.
            base_column: name.into(),
            declared: true,
        }
    }
}

/// A column bound with SQLBindCol. The addresses are opaque here; the FFI
/// layer writes through them after a fetch.
#[derive(Debug, Clone, Copy)]
pub struct ColumnBinding {
    pub c_type: i16,
    pub ptr: usize,
    pub len: isize,
    pub ind: usize,
}

/// The columns of a compiled query, as far as the engine knows them. Every
/// column's type is fixed at prepare: declared, cast, inferred from the
/// expression, or the fixed fallback; never guessed from a row, so it is
/// the same after SQLPrepare, after an execution without rows and with rows.
pub(super) fn describe_query(q: &Query) -> Vec<ColDesc> {
    q.columns()
        .iter()
        .map(|c| ColDesc {
            name: c.name.clone(),
            sql_type: c.declared.unwrap_or(result_types::FALLBACK),
            nullable: c.nullable,
            table: c.table.clone().unwrap_or_default(),
            schema: c.schema.clone().unwrap_or_default(),
            base_column: c.base_column.clone().unwrap_or_default(),
            declared: true,
        })
        .collect()
}

/// The type a computed column reports, from its first value.
pub(super) fn inferred_type(v: &Value) -> SqlType {
    match v {
        Value::Int(_) => SqlType::BigInt,
        Value::Real(_) => SqlType::Double,
        Value::Text(s) if s.chars().count() > 4000 => SqlType::WLongVarchar,
        Value::Text(_) | Value::Null => SqlType::WVarchar(4000),
        Value::Blob(_) => SqlType::WLongVarchar,
    }
}

impl Stmt {
    pub fn num_result_cols(&self) -> Result<i16> {
        Ok(lock(&self.state).columns.len() as i16)
    }

    pub fn describe(&self, column: u16) -> Result<ColDesc> {
        let st = lock(&self.state);
        if column == 0 || column as usize > st.columns.len() {
            return Err(bad_column(column, st.columns.len()));
        }
        Ok(st.columns[column as usize - 1].clone())
    }

    /// SQLColAttribute: one field of `column` (SQL_DESC_COUNT needs no column).
    pub fn col_attribute(&self, column: u16, field: u16) -> Result<crate::odbc::Attr> {
        let count = lock(&self.state).columns.len();
        let desc = if crate::odbc::colattr::is_count(field) {
            ColDesc::new("", SqlType::Integer, false)
        } else {
            self.describe(column)?
        };
        crate::odbc::col_attribute(&desc, field, count, self.conn.env.is_odbc2())
    }

    pub fn bind_col(
        &self,
        column: u16,
        c_type: i16,
        ptr: usize,
        len: isize,
        ind: usize,
    ) -> Result<RetCode> {
        let _run = self.begin()?;
        let mut st = lock(&self.state);
        if column == 0 {
            return Err(Error::odbc("07009", "Bookmark columns are not supported."));
        }
        if ptr == 0 && ind == 0 {
            st.bindings.remove(&column);
        } else {
            convert::check_c_type(c_type)?;
            st.bindings.insert(
                column,
                ColumnBinding {
                    c_type,
                    ptr,
                    len,
                    ind,
                },
            );
        }
        Ok(SUCCESS)
    }
}

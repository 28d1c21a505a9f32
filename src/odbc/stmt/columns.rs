//! The result's columns: what SQLNumResultCols, SQLDescribeCol and
//! SQLColAttribute tell, and the buffers SQLBindCol attaches to them.

use super::{bad_column, Stmt};
use crate::engine::{result_types, Query, Value};
use crate::error::{Error, Result};
use crate::odbc::convert::{self, NumericSpec};
use crate::odbc::descriptor::{DescData, DescKind, Record};
use crate::odbc::{lock, SUCCESS};
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

/// A bound column, as the ARD's record says (SQLBindCol sets the record).
/// The addresses are opaque here; the FFI layer writes through them after
/// a fetch.
#[derive(Debug, Clone, Copy)]
pub struct ColumnBinding {
    /// SQL_DESC_CONCISE_TYPE.
    pub c_type: i16,
    /// SQL_DESC_DATA_PTR.
    pub ptr: usize,
    /// SQL_DESC_OCTET_LENGTH: the buffer's size.
    pub len: isize,
    /// SQL_DESC_INDICATOR_PTR: where SQL_NULL_DATA goes.
    pub ind: usize,
    /// SQL_DESC_OCTET_LENGTH_PTR: where the length goes (SQLBindCol makes
    /// it the indicator's address).
    pub len_ptr: usize,
    /// SQL_C_NUMERIC's SQL_DESC_PRECISION and SQL_DESC_SCALE.
    pub num: NumericSpec,
}

impl ColumnBinding {
    pub fn of(r: &Record) -> ColumnBinding {
        ColumnBinding {
            c_type: r.concise_type,
            ptr: r.data_ptr,
            len: r.octet_length as isize,
            ind: r.indicator_ptr,
            len_ptr: r.octet_length_ptr,
            num: NumericSpec {
                precision: r.precision,
                scale: r.scale,
            },
        }
    }

    /// The (address, value) writes that report a value's length, or
    /// SQL_NULL_DATA, `offset` bytes into the buffers: NULL goes to the
    /// indicator; a length to the length buffer, and 0 to an indicator of
    /// its own.
    pub fn length_writes(&self, offset: usize, indicator: isize) -> Vec<(usize, isize)> {
        let mut out = Vec::new();
        if indicator == convert::NULL_DATA {
            if self.ind != 0 {
                out.push((self.ind + offset, indicator));
            }
            return out;
        }
        if self.len_ptr != 0 {
            out.push((self.len_ptr + offset, indicator));
        }
        if self.ind != 0 && self.ind != self.len_ptr {
            out.push((self.ind + offset, 0));
        }
        out
    }
}

/// SQLBindCol / SQLBindParameter on an application record: the C type,
/// the buffer and its length, one address for the length and indicator.
pub(crate) fn bind_record(r: &mut Record, c_type: i16, ptr: usize, len: isize, ind: usize) {
    r.set_concise(c_type);
    r.octet_length = len as i64;
    r.data_ptr = ptr;
    r.indicator_ptr = ind;
    r.octet_length_ptr = ind;
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
        if column == 0 {
            return Err(Error::odbc("07009", "Bookmark columns are not supported."));
        }
        if ptr != 0 || ind != 0 {
            convert::check_c_type(c_type)?;
        }
        let st = lock(&self.state);
        let ard = st.descs.ard.clone();
        drop(st);
        let mut ard_data = ard.lock();
        bind_or_unbind(
            &mut ard_data,
            ard.kind,
            column as usize,
            c_type,
            ptr,
            len,
            ind,
        );
        Ok(SUCCESS)
    }

    /// The result's columns for the IRD; HY007 before a prepare.
    pub fn described_columns(&self) -> Result<Vec<ColDesc>> {
        let st = lock(&self.state);
        if st.query.is_none() && st.call.is_none() && !st.cursor_open() {
            return Err(Error::odbc(
                "HY007",
                "The statement is not prepared: the IRD describes a prepared or executed statement's result (associated statement is not prepared).",
            ));
        }
        Ok(st.columns.clone())
    }
}

/// SQLBindCol's effect on record `n` of an ARD: bound, or (both
/// addresses null) unbound, SQL_DESC_COUNT following.
pub(crate) fn bind_or_unbind(
    data: &mut DescData,
    kind: DescKind,
    n: usize,
    c_type: i16,
    ptr: usize,
    len: isize,
    ind: usize,
) {
    if ptr == 0 && ind == 0 {
        if let Some(r) = data.records.get_mut(n) {
            (r.data_ptr, r.indicator_ptr, r.octet_length_ptr) = (0, 0, 0);
        }
        data.shrink_after_unbind(n);
        return;
    }
    if n as i16 > data.header.count {
        data.header.count = n as i16;
    }
    bind_record(data.record_mut(kind, n), c_type, ptr, len, ind);
}

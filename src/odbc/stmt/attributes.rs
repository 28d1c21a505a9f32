//! Statement attributes: SQLSetStmtAttr and SQLGetStmtAttr. Those a
//! forward-only, read-only cursor cannot honour keep their defaults, with a
//! 01S02 warning when set to something else.

use super::{Stmt, StmtState};
use crate::error::{Error, Result};
use crate::odbc::{lock, SUCCESS};
use odbc_sys::{RetCode, StatementAttribute};

/// SQL_ATTR_APP_ROW_DESC and SQL_ATTR_IMP_PARAM_DESC, the ends of the
/// range of implicit descriptors, kept under their old names for the
/// exports.
pub const ATTR_APP_ROW_DESC: i32 = StatementAttribute::AppRowDesc as i32;
pub const ATTR_APP_PARAM_DESC: i32 = StatementAttribute::AppParamDesc as i32;
pub const ATTR_IMP_PARAM_DESC: i32 = StatementAttribute::ImpParamDesc as i32;

use crate::odbc::sqlext::{
    SQL_ASYNC_ENABLE_OFF, SQL_CONCUR_READ_ONLY, SQL_CURSOR_DYNAMIC, SQL_CURSOR_FORWARD_ONLY,
    SQL_CURSOR_KEYSET_DRIVEN, SQL_CURSOR_STATIC, SQL_NONSCROLLABLE, SQL_ROWSET_SIZE,
    SQL_SCROLLABLE, SQL_UB_FIXED, SQL_UB_OFF, SQL_UB_VARIABLE,
};

/// The most rows one fetch fills, or parameter rows one execution runs.
use crate::odbc::descriptor::MAX_ARRAY_SIZE as MAX_ROW_ARRAY_SIZE;
use crate::odbc::descriptor::{DescData, Header};
use std::sync::MutexGuard;

/// The statement attribute an SQLINTEGER names, if odbc-sys knows it.
fn statement_attribute(attr: i32) -> Option<StatementAttribute> {
    use StatementAttribute::*;
    [
        AppRowDesc,
        AppParamDesc,
        ImpRowDesc,
        ImpParamDesc,
        CursorScrollable,
        CursorSensitivity,
        AsyncEnable,
        Concurrency,
        CursorType,
        EnableAutoIpd,
        FetchBookmarkPtr,
        KeysetSize,
        MaxLength,
        MaxRows,
        NoScan,
        ParamBindOffsetPtr,
        ParamBindType,
        ParamOpterationPtr,
        ParamStatusPtr,
        ParamsProcessedPtr,
        ParamsetSize,
        QueryTimeout,
        RetrieveData,
        RowBindOffsetPtr,
        RowBindType,
        RowNumber,
        RowOperationPtr,
        RowStatusPtr,
        RowsFetchedPtr,
        RowArraySize,
        SimulateCursor,
        UseBookmarks,
        AsyncStmtEvent,
        MetadataId,
    ]
    .into_iter()
    .find(|a| *a as i32 == attr)
}

fn not_supported(attr: i32) -> Error {
    Error::odbc(
        "HY092",
        format!("Statement attribute {attr} is not supported."),
    )
}

/// The attributes a statement keeps (the rest read back as their fixed
/// defaults, and those of arrays, binding and statuses are the
/// descriptors' header fields). Addresses are the application's, opaque
/// here.
pub(super) struct Attributes {
    pub max_rows: u64,
    pub query_timeout: u64,
    pub max_length: u64,
    pub noscan: u64,
    pub retrieve_data: u64,
    /// SQL_ATTR_CURSOR_TYPE: SQL_CURSOR_FORWARD_ONLY or SQL_CURSOR_STATIC.
    pub cursor_type: u64,
    /// SQL_ATTR_USE_BOOKMARKS: SQL_UB_OFF, SQL_UB_FIXED or SQL_UB_VARIABLE.
    pub use_bookmarks: u64,
    /// SQL_ATTR_FETCH_BOOKMARK_PTR.
    pub fetch_bookmark_ptr: usize,
    /// SQL_ROWSET_SIZE: SQLExtendedFetch's row set.
    pub rowset_size: u64,
}

impl Default for Attributes {
    fn default() -> Attributes {
        Attributes {
            max_rows: 0,
            query_timeout: 0,
            max_length: 0,
            noscan: 0,
            retrieve_data: 1,
            cursor_type: SQL_CURSOR_FORWARD_ONLY,
            use_bookmarks: SQL_UB_OFF,
            fetch_bookmark_ptr: 0,
            rowset_size: 1,
        }
    }
}

/// The cursor's type and bookmarks are fixed while a cursor is open.
fn cursor_attr_settable(st: &StmtState) -> Result<()> {
    if st.cursor_open() {
        return Err(Error::odbc(
            "24000",
            "Close the cursor before changing the cursor type, scrollability or bookmarks (invalid cursor state).",
        ));
    }
    Ok(())
}

impl Stmt {
    /// SQL_ATTR_MAX_ROWS combined with the connection's MaxRows property:
    /// the smaller limit wins, 0 is no limit.
    pub(super) fn max_rows(&self, st: &StmtState) -> u64 {
        let cfg = lock(&self.conn.state)
            .connected
            .as_ref()
            .map(|c| c.config.max_rows)
            .unwrap_or(0);
        match (st.attrs.max_rows, cfg) {
            (0, c) => c,
            (s, 0) => s,
            (s, c) => s.min(c),
        }
    }

    pub fn set_attr(&self, attr: i32, value: u64) -> Result<RetCode> {
        let _run = self.begin()?;
        if attr == ATTR_APP_ROW_DESC || attr == ATTR_APP_PARAM_DESC {
            self.set_app_desc(attr, value as usize)?;
            return Ok(SUCCESS);
        }
        let mut st = lock(&self.state);
        if let Some((which, field)) = header_field(attr) {
            return self.set_header_attr(&st, which, field, value);
        }
        if attr == SQL_ROWSET_SIZE {
            if value == 0 {
                return Err(Error::odbc("HY024", "SQL_ROWSET_SIZE must be at least 1."));
            }
            st.attrs.rowset_size = value.min(MAX_ROW_ARRAY_SIZE);
            self.keep_default(
                value <= MAX_ROW_ARRAY_SIZE,
                format!("The row set size was capped at {MAX_ROW_ARRAY_SIZE}."),
            );
            return Ok(SUCCESS);
        }
        use StatementAttribute::*;
        match statement_attribute(attr).ok_or_else(|| not_supported(attr))? {
            MaxRows => st.attrs.max_rows = value,
            QueryTimeout => st.attrs.query_timeout = value,
            MaxLength => st.attrs.max_length = value,
            NoScan => st.attrs.noscan = value,
            MetadataId => st.metadata_id = value != 0,
            ImpRowDesc | ImpParamDesc => {
                return Err(Error::odbc(
                    "HY017",
                    "The implementation descriptors cannot be replaced (invalid use of an automatically allocated descriptor handle).",
                ))
            }
            RetrieveData => st.attrs.retrieve_data = value,
            CursorType => {
                cursor_attr_settable(&st)?;
                if !matches!(
                    value,
                    SQL_CURSOR_FORWARD_ONLY
                        | SQL_CURSOR_KEYSET_DRIVEN
                        | SQL_CURSOR_DYNAMIC
                        | SQL_CURSOR_STATIC
                ) {
                    return Err(Error::odbc(
                        "HY024",
                        format!("SQL_ATTR_CURSOR_TYPE {value} is not a cursor type (SQL_CURSOR_FORWARD_ONLY, _KEYSET_DRIVEN, _DYNAMIC or _STATIC)."),
                    ));
                }
                st.attrs.cursor_type = if value == SQL_CURSOR_FORWARD_ONLY {
                    SQL_CURSOR_FORWARD_ONLY
                } else {
                    SQL_CURSOR_STATIC
                };
                // KEYSET_DRIVEN and DYNAMIC become STATIC, as the spec allows.
                self.keep_default(
                    value == SQL_CURSOR_FORWARD_ONLY || value == SQL_CURSOR_STATIC,
                    "Only forward-only and static cursors are supported; the cursor type is SQL_CURSOR_STATIC.",
                );
            }
            FetchBookmarkPtr => st.attrs.fetch_bookmark_ptr = value as usize,
            UseBookmarks => {
                cursor_attr_settable(&st)?;
                if ![SQL_UB_OFF, SQL_UB_FIXED, SQL_UB_VARIABLE].contains(&value) {
                    return Err(Error::odbc(
                        "HY024",
                        format!("SQL_ATTR_USE_BOOKMARKS {value} is not SQL_UB_OFF, SQL_UB_FIXED or SQL_UB_VARIABLE."),
                    ));
                }
                st.attrs.use_bookmarks = value;
            }
            Concurrency => self.keep_default(
                value == SQL_CONCUR_READ_ONLY,
                "Only read-only concurrency is supported.",
            ),
            CursorScrollable => {
                cursor_attr_settable(&st)?;
                st.attrs.cursor_type = match value {
                    SQL_NONSCROLLABLE => SQL_CURSOR_FORWARD_ONLY,
                    SQL_SCROLLABLE => SQL_CURSOR_STATIC,
                    _ => {
                        return Err(Error::odbc(
                            "HY024",
                            format!("SQL_ATTR_CURSOR_SCROLLABLE {value} is not SQL_NONSCROLLABLE or SQL_SCROLLABLE."),
                        ))
                    }
                };
            }
            AsyncEnable => {
                if value != SQL_ASYNC_ENABLE_OFF {
                    return Err(Error::odbc(
                        "HYC00",
                        "Asynchronous execution is not supported.",
                    ));
                }
            }
            CursorSensitivity | SimulateCursor | KeysetSize | EnableAutoIpd => self.keep_default(
                value == 0,
                format!("Statement attribute {attr} is not supported; its default stays in force."),
            ),
            _ => return Err(not_supported(attr)),
        }
        Ok(SUCCESS)
    }

    /// 01S02 (option value changed) unless the value asked for is the one
    /// in force.
    fn keep_default(&self, same: bool, message: impl Into<String>) {
        if !same {
            lock(&self.diags).push("01S02", message);
        }
    }

    pub fn get_attr(&self, attr: i32) -> Result<u64> {
        let st = lock(&self.state);
        if attr == SQL_ROWSET_SIZE {
            return Ok(st.attrs.rowset_size);
        }
        if let Some((which, field)) = header_field(attr) {
            return Ok(header_attr(&which.of(&st).lock().header, field));
        }
        use StatementAttribute::*;
        Ok(
            match statement_attribute(attr).ok_or_else(|| not_supported(attr))? {
                MaxRows => st.attrs.max_rows,
                QueryTimeout => st.attrs.query_timeout,
                MaxLength => st.attrs.max_length,
                NoScan => st.attrs.noscan,
                MetadataId => st.metadata_id as u64,
                AppRowDesc => st.descs.ard.handle(),
                AppParamDesc => st.descs.apd.handle(),
                ImpRowDesc => st.descs.ird.handle(),
                ImpParamDesc => st.descs.ipd.handle(),
                RetrieveData => st.attrs.retrieve_data,
                CursorType => st.attrs.cursor_type,
                Concurrency => SQL_CONCUR_READ_ONLY,
                CursorScrollable => (st.attrs.cursor_type != SQL_CURSOR_FORWARD_ONLY) as u64,
                UseBookmarks => st.attrs.use_bookmarks,
                FetchBookmarkPtr => st.attrs.fetch_bookmark_ptr as u64,
                CursorSensitivity | AsyncEnable | KeysetSize | EnableAutoIpd | SimulateCursor => 0,
                RowNumber => st.row_number(),
                _ => return Err(not_supported(attr)),
            },
        )
    }
}

/// Which of the statement's descriptors a header attribute lives in.
#[derive(Clone, Copy)]
enum Which {
    Ard,
    Apd,
    Ird,
    Ipd,
}

impl Which {
    fn of(self, st: &StmtState) -> &std::sync::Arc<crate::odbc::descriptor::Desc> {
        match self {
            Which::Ard => &st.descs.ard,
            Which::Apd => &st.descs.apd,
            Which::Ird => &st.descs.ird,
            Which::Ipd => &st.descs.ipd,
        }
    }
}

/// A header field of a descriptor, as a statement attribute names it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum HeaderField {
    ArraySize,
    ArrayStatusPtr,
    BindOffsetPtr,
    BindType,
    RowsProcessedPtr,
}

/// The statement attributes that ARE descriptor header fields (ODBC 3.8,
/// "Descriptors": set through either, read through either).
fn header_field(attr: i32) -> Option<(Which, HeaderField)> {
    use HeaderField as F;
    use StatementAttribute::*;
    let table = [
        (RowArraySize, Which::Ard, F::ArraySize),
        (RowBindType, Which::Ard, F::BindType),
        (RowBindOffsetPtr, Which::Ard, F::BindOffsetPtr),
        (RowOperationPtr, Which::Ard, F::ArrayStatusPtr),
        (RowStatusPtr, Which::Ird, F::ArrayStatusPtr),
        (RowsFetchedPtr, Which::Ird, F::RowsProcessedPtr),
        (ParamsetSize, Which::Apd, F::ArraySize),
        (ParamBindType, Which::Apd, F::BindType),
        (ParamBindOffsetPtr, Which::Apd, F::BindOffsetPtr),
        (ParamOpterationPtr, Which::Apd, F::ArrayStatusPtr),
        (ParamStatusPtr, Which::Ipd, F::ArrayStatusPtr),
        (ParamsProcessedPtr, Which::Ipd, F::RowsProcessedPtr),
    ];
    table
        .into_iter()
        .find(|(a, _, _)| *a as i32 == attr)
        .map(|(_, w, f)| (w, f))
}

fn header_attr(h: &Header, field: HeaderField) -> u64 {
    match field {
        HeaderField::ArraySize => h.array_size,
        HeaderField::ArrayStatusPtr => h.array_status_ptr as u64,
        HeaderField::BindOffsetPtr => h.bind_offset_ptr as u64,
        HeaderField::BindType => h.bind_type,
        HeaderField::RowsProcessedPtr => h.rows_processed_ptr as u64,
    }
}

impl Stmt {
    fn set_header_attr(
        &self,
        st: &StmtState,
        which: Which,
        field: HeaderField,
        value: u64,
    ) -> Result<RetCode> {
        let desc = which.of(st);
        let mut data: MutexGuard<'_, DescData> = desc.lock();
        let h = &mut data.header;
        match field {
            HeaderField::ArraySize => {
                if value == 0 {
                    return Err(Error::odbc(
                        "HY024",
                        "SQL_ATTR_ROW_ARRAY_SIZE and SQL_ATTR_PARAMSET_SIZE must be at least 1.",
                    ));
                }
                h.array_size = value.min(MAX_ROW_ARRAY_SIZE);
                self.keep_default(
                    value <= MAX_ROW_ARRAY_SIZE,
                    format!("The array size was capped at {MAX_ROW_ARRAY_SIZE}."),
                );
            }
            HeaderField::ArrayStatusPtr => h.array_status_ptr = value as usize,
            HeaderField::BindOffsetPtr => h.bind_offset_ptr = value as usize,
            HeaderField::BindType => h.bind_type = value,
            HeaderField::RowsProcessedPtr => h.rows_processed_ptr = value as usize,
        }
        Ok(SUCCESS)
    }
}

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
pub const ATTR_IMP_PARAM_DESC: i32 = StatementAttribute::ImpParamDesc as i32;

use crate::odbc::sqlext::{
    SQL_ASYNC_ENABLE_OFF, SQL_CONCUR_READ_ONLY, SQL_CURSOR_FORWARD_ONLY, SQL_CURSOR_STATIC,
    SQL_NONSCROLLABLE, SQL_ROWSET_SIZE, SQL_SCROLLABLE, SQL_UB_FIXED, SQL_UB_OFF, SQL_UB_VARIABLE,
};

/// The most rows one fetch fills: a bigger array is an application's
/// mistake more often than a wish, and each row is converted in memory.
const MAX_ROW_ARRAY_SIZE: u64 = 100_000;

/// The most parameter rows one execution runs (each may be an API call).
const MAX_PARAMSET_SIZE: u64 = 100_000;

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
/// defaults). Addresses are the application's, opaque here.
pub(super) struct Attributes {
    pub max_rows: u64,
    pub query_timeout: u64,
    pub max_length: u64,
    pub noscan: u64,
    pub rows_fetched_ptr: usize,
    pub row_status_ptr: usize,
    pub row_bind_offset_ptr: usize,
    pub row_bind_type: u64,
    pub row_array_size: u64,
    pub retrieve_data: u64,
    pub params_processed_ptr: usize,
    /// SQL_ATTR_PARAMSET_SIZE: rows of parameters each execution runs.
    pub paramset_size: u64,
    /// SQL_ATTR_PARAM_BIND_TYPE: 0 column-wise, else the row's size.
    pub param_bind_type: u64,
    pub param_bind_offset_ptr: usize,
    pub param_status_ptr: usize,
    pub param_operation_ptr: usize,
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
            rows_fetched_ptr: 0,
            row_status_ptr: 0,
            row_bind_offset_ptr: 0,
            row_bind_type: 0,
            row_array_size: 1,
            retrieve_data: 1,
            params_processed_ptr: 0,
            paramset_size: 1,
            param_bind_type: 0,
            param_bind_offset_ptr: 0,
            param_status_ptr: 0,
            param_operation_ptr: 0,
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
        let mut st = lock(&self.state);
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
            RowsFetchedPtr => st.attrs.rows_fetched_ptr = value as usize,
            RowStatusPtr => st.attrs.row_status_ptr = value as usize,
            RowBindOffsetPtr => st.attrs.row_bind_offset_ptr = value as usize,
            RowBindType => st.attrs.row_bind_type = value,
            RetrieveData => st.attrs.retrieve_data = value,
            ParamsProcessedPtr => st.attrs.params_processed_ptr = value as usize,
            RowArraySize => {
                if value == 0 {
                    return Err(Error::odbc(
                        "HY024",
                        "SQL_ATTR_ROW_ARRAY_SIZE must be at least 1.",
                    ));
                }
                st.attrs.row_array_size = value.min(MAX_ROW_ARRAY_SIZE);
                self.keep_default(
                    value <= MAX_ROW_ARRAY_SIZE,
                    format!("The row array size was capped at {MAX_ROW_ARRAY_SIZE}."),
                );
            }
            ParamsetSize => {
                if value == 0 {
                    return Err(Error::odbc(
                        "HY024",
                        "SQL_ATTR_PARAMSET_SIZE must be at least 1.",
                    ));
                }
                st.attrs.paramset_size = value.min(MAX_PARAMSET_SIZE);
                self.keep_default(
                    value <= MAX_PARAMSET_SIZE,
                    format!("The parameter set size was capped at {MAX_PARAMSET_SIZE}."),
                );
            }
            ParamBindType => st.attrs.param_bind_type = value,
            ParamBindOffsetPtr => st.attrs.param_bind_offset_ptr = value as usize,
            ParamStatusPtr => st.attrs.param_status_ptr = value as usize,
            ParamOpterationPtr => st.attrs.param_operation_ptr = value as usize,
            CursorType => {
                cursor_attr_settable(&st)?;
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
        use StatementAttribute::*;
        Ok(
            match statement_attribute(attr).ok_or_else(|| not_supported(attr))? {
                MaxRows => st.attrs.max_rows,
                QueryTimeout => st.attrs.query_timeout,
                MaxLength => st.attrs.max_length,
                NoScan => st.attrs.noscan,
                MetadataId => st.metadata_id as u64,
                RowsFetchedPtr => st.attrs.rows_fetched_ptr as u64,
                RowStatusPtr => st.attrs.row_status_ptr as u64,
                RowBindOffsetPtr => st.attrs.row_bind_offset_ptr as u64,
                RowBindType => st.attrs.row_bind_type,
                RetrieveData => st.attrs.retrieve_data,
                RowArraySize => st.attrs.row_array_size,
                ParamsetSize => st.attrs.paramset_size,
                CursorType => st.attrs.cursor_type,
                Concurrency => SQL_CONCUR_READ_ONLY,
                CursorScrollable => (st.attrs.cursor_type != SQL_CURSOR_FORWARD_ONLY) as u64,
                UseBookmarks => st.attrs.use_bookmarks,
                FetchBookmarkPtr => st.attrs.fetch_bookmark_ptr as u64,
                CursorSensitivity | AsyncEnable | KeysetSize | EnableAutoIpd | SimulateCursor => 0,
                RowNumber => st.row_number(),
                ParamsProcessedPtr => st.attrs.params_processed_ptr as u64,
                ParamBindType => st.attrs.param_bind_type,
                ParamBindOffsetPtr => st.attrs.param_bind_offset_ptr as u64,
                ParamStatusPtr => st.attrs.param_status_ptr as u64,
                ParamOpterationPtr => st.attrs.param_operation_ptr as u64,
                _ => return Err(not_supported(attr)),
            },
        )
    }
}

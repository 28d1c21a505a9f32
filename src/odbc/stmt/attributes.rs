//! Statement attributes: SQLSetStmtAttr and SQLGetStmtAttr. Those a
//! forward-only, read-only cursor cannot honour keep their defaults, with a
//! 01S02 warning when set to something else.

use super::{Stmt, StmtState};
use crate::error::{Error, Result};
use crate::odbc::{lock, SUCCESS};

// Statement attributes (sqlext.h).
pub const ATTR_QUERY_TIMEOUT: i32 = 0;
pub const ATTR_MAX_ROWS: i32 = 1;
pub const ATTR_NOSCAN: i32 = 2;
pub const ATTR_MAX_LENGTH: i32 = 3;
pub const ATTR_ASYNC_ENABLE: i32 = 4;
pub const ATTR_ROW_BIND_TYPE: i32 = 5;
pub const ATTR_CURSOR_TYPE: i32 = 6;
pub const ATTR_CONCURRENCY: i32 = 7;
pub const ATTR_KEYSET_SIZE: i32 = 8;
pub const ATTR_ROWSET_SIZE: i32 = 9;
pub const ATTR_SIMULATE_CURSOR: i32 = 10;
pub const ATTR_RETRIEVE_DATA: i32 = 11;
pub const ATTR_USE_BOOKMARKS: i32 = 12;
pub const ATTR_ROW_NUMBER: i32 = 14;
pub const ATTR_ENABLE_AUTO_IPD: i32 = 15;
pub const ATTR_ROW_BIND_OFFSET_PTR: i32 = 23;
pub const ATTR_ROW_STATUS_PTR: i32 = 25;
pub const ATTR_ROWS_FETCHED_PTR: i32 = 26;
pub const ATTR_ROW_ARRAY_SIZE: i32 = 27;
pub const ATTR_APP_ROW_DESC: i32 = 10010;
pub const ATTR_IMP_PARAM_DESC: i32 = 10013;
pub const ATTR_METADATA_ID: i32 = 10014;
pub const ATTR_CURSOR_SCROLLABLE: i32 = -1;
pub const ATTR_CURSOR_SENSITIVITY: i32 = -2;
pub const ATTR_PARAMSET_SIZE: i32 = 22;
pub const ATTR_PARAMS_PROCESSED_PTR: i32 = 21;
pub const ATTR_PARAM_BIND_TYPE: i32 = 18;
pub const ATTR_PARAM_STATUS_PTR: i32 = 20;

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
        }
    }
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

    pub fn set_attr(&self, attr: i32, value: u64) -> Result<i16> {
        let _run = self.begin()?;
        let mut st = lock(&self.state);
        match attr {
            ATTR_MAX_ROWS => st.attrs.max_rows = value,
            ATTR_QUERY_TIMEOUT => st.attrs.query_timeout = value,
            ATTR_MAX_LENGTH => st.attrs.max_length = value,
            ATTR_NOSCAN => st.attrs.noscan = value,
            ATTR_METADATA_ID => st.metadata_id = value != 0,
            ATTR_ROWS_FETCHED_PTR => st.attrs.rows_fetched_ptr = value as usize,
            ATTR_ROW_STATUS_PTR => st.attrs.row_status_ptr = value as usize,
            ATTR_ROW_BIND_OFFSET_PTR => st.attrs.row_bind_offset_ptr = value as usize,
            ATTR_ROW_BIND_TYPE => st.attrs.row_bind_type = value,
            ATTR_RETRIEVE_DATA => st.attrs.retrieve_data = value,
            ATTR_PARAMS_PROCESSED_PTR => st.attrs.params_processed_ptr = value as usize,
            ATTR_ROW_ARRAY_SIZE => {
                if value == 0 {
                    return Err(Error::odbc(
                        "HY024",
                        "SQL_ATTR_ROW_ARRAY_SIZE must be at least 1.",
                    ));
                }
                st.attrs.row_array_size = value.min(100_000);
                if value > 100_000 {
                    lock(&self.diags).push("01S02", "The row array size was capped at 100000.");
                }
            }
            ATTR_ROWSET_SIZE | ATTR_PARAMSET_SIZE => {
                if value != 1 {
                    lock(&self.diags).push("01S02", "SQLExtendedFetch row sets and parameter arrays are not supported; the size stays 1.");
                }
            }
            ATTR_CURSOR_TYPE => {
                if value != 0 {
                    lock(&self.diags).push("01S02", "Only forward-only cursors are supported; the cursor type stays SQL_CURSOR_FORWARD_ONLY.");
                }
            }
            ATTR_CONCURRENCY => {
                if value != 1 {
                    lock(&self.diags).push("01S02", "Only read-only concurrency is supported.");
                }
            }
            ATTR_CURSOR_SCROLLABLE => {
                if value != 0 {
                    return Err(Error::odbc(
                        "HYC00",
                        "Scrollable cursors are not supported.",
                    ));
                }
            }
            ATTR_ASYNC_ENABLE => {
                if value != 0 {
                    return Err(Error::odbc(
                        "HYC00",
                        "Asynchronous execution is not supported.",
                    ));
                }
            }
            ATTR_CURSOR_SENSITIVITY
            | ATTR_SIMULATE_CURSOR
            | ATTR_USE_BOOKMARKS
            | ATTR_KEYSET_SIZE
            | ATTR_ENABLE_AUTO_IPD
            | ATTR_PARAM_BIND_TYPE
            | ATTR_PARAM_STATUS_PTR => {
                if value != 0 {
                    lock(&self.diags).push("01S02", format!("Statement attribute {attr} is not supported; its default stays in force."));
                }
            }
            _ => {
                return Err(Error::odbc(
                    "HY092",
                    format!("Statement attribute {attr} is not supported."),
                ))
            }
        }
        Ok(SUCCESS)
    }

    pub fn get_attr(&self, attr: i32) -> Result<u64> {
        let st = lock(&self.state);
        Ok(match attr {
            ATTR_MAX_ROWS => st.attrs.max_rows,
            ATTR_QUERY_TIMEOUT => st.attrs.query_timeout,
            ATTR_MAX_LENGTH => st.attrs.max_length,
            ATTR_NOSCAN => st.attrs.noscan,
            ATTR_METADATA_ID => st.metadata_id as u64,
            ATTR_ROWS_FETCHED_PTR => st.attrs.rows_fetched_ptr as u64,
            ATTR_ROW_STATUS_PTR => st.attrs.row_status_ptr as u64,
            ATTR_ROW_BIND_OFFSET_PTR => st.attrs.row_bind_offset_ptr as u64,
            ATTR_ROW_BIND_TYPE => st.attrs.row_bind_type,
            ATTR_RETRIEVE_DATA => st.attrs.retrieve_data,
            ATTR_ROW_ARRAY_SIZE => st.attrs.row_array_size,
            ATTR_ROWSET_SIZE | ATTR_PARAMSET_SIZE => 1,
            ATTR_CURSOR_TYPE => 0,
            ATTR_CONCURRENCY => 1,
            ATTR_CURSOR_SCROLLABLE
            | ATTR_CURSOR_SENSITIVITY
            | ATTR_ASYNC_ENABLE
            | ATTR_USE_BOOKMARKS
            | ATTR_KEYSET_SIZE
            | ATTR_ENABLE_AUTO_IPD => 0,
            ATTR_SIMULATE_CURSOR => 0,
            ATTR_ROW_NUMBER => st.fetched,
            ATTR_PARAMS_PROCESSED_PTR => st.attrs.params_processed_ptr as u64,
            ATTR_PARAM_BIND_TYPE | ATTR_PARAM_STATUS_PTR => 0,
            _ => {
                return Err(Error::odbc(
                    "HY092",
                    format!("Statement attribute {attr} is not supported."),
                ))
            }
        })
    }
}

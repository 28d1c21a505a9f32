//! ODBC semantics in safe Rust: environments, connections, statements,
//! diagnostics, attributes, SQLGetInfo answers, conversions and catalog
//! result sets. Nothing here touches a raw pointer; `ffi/` marshals.

pub mod arg_errors;
pub mod call_rules;
pub mod catalog;
mod catalog_args;
mod colattr;
mod connect;
pub mod convert;
pub mod descriptor;
pub mod diag;
pub mod diag_fields;
mod env;
pub mod functions;
mod guid;
pub mod handles;
pub mod info;
mod numeric;
pub mod connect_attrs {
    pub use super::connect::is_string_attr;
}
pub mod param_input;
mod procedure_api;
mod procedure_sync;
pub mod procedures;
pub mod sqlext;
mod stmt;
mod system_tables;
mod transactions;
mod views;
pub mod stmt_attrs {
    pub use super::stmt::{ATTR_APP_ROW_DESC, ATTR_IMP_PARAM_DESC};
}

pub use colattr::{col_attribute, concise_type, Attr};
pub use connect::{AttrValue, Conn, ConnState};
pub use env::{Env, EnvState, ENV_CONNECTION_POOLING};
pub use stmt::{is_busy, ColDesc, FetchOut, ParamBinding, Stmt, StmtState, Write};

use crate::error::Error;
use diag::Diags;
use odbc_sys::{RetCode, SqlReturn};
use std::sync::{Mutex, MutexGuard};

// SQLRETURN values, as the safe layer returns them. odbc-sys's `SqlReturn`
// wraps the SQLRETURN (`RetCode`, an i16); these are its `.0`, so that they
// can be matched on and handed to the exports as they are.
pub const SUCCESS: RetCode = SqlReturn::SUCCESS.0;
pub const SUCCESS_WITH_INFO: RetCode = SqlReturn::SUCCESS_WITH_INFO.0;
pub const NO_DATA: RetCode = SqlReturn::NO_DATA.0;
pub const ERROR: RetCode = SqlReturn::ERROR.0;
pub const INVALID_HANDLE: RetCode = SqlReturn::INVALID_HANDLE.0;

pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Ends a call: an error becomes a record and SQL_ERROR; success with
/// records waiting becomes SQL_SUCCESS_WITH_INFO. Records interjected by
/// calls refused meanwhile (`finish_interjected`) go: they were never this
/// call's.
pub fn finish(diags: &Mutex<Diags>, r: Result<RetCode, Error>) -> RetCode {
    let mut d = lock(diags);
    d.records.retain(|r| !r.interjected);
    let code = match r {
        Ok(SUCCESS) if d.has_own_records() => SUCCESS_WITH_INFO,
        Ok(c) => c,
        Err(e) => {
            d.push_error(&e);
            ERROR
        }
    };
    d.return_code = code;
    code
}

/// Ends a call that came while another function ran on the same handle
/// (an application calling from two threads): the running function's
/// records stay as they are and its return code is not affected. A
/// success is plain; an error (HY010 for a function that would change the
/// statement) becomes an interjected record, first in the list.
pub fn finish_interjected(diags: &Mutex<Diags>, r: Result<RetCode, Error>) -> RetCode {
    match r {
        Ok(code) => code,
        Err(e) => {
            lock(diags).push_interjected(&e);
            ERROR
        }
    }
}

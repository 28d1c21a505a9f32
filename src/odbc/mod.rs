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
pub mod functions;
pub mod handles;
pub mod info;
pub mod connect_attrs {
    pub use super::connect::is_string_attr;
}
mod oauth;
pub mod param_input;
pub mod procedures;
mod stmt;
pub mod stmt_attrs {
    pub use super::stmt::{ATTR_APP_ROW_DESC, ATTR_IMP_PARAM_DESC};
}

pub use colattr::{col_attribute, concise_type, Attr};
pub use connect::{AttrValue, ConnState};
pub use stmt::{ColDesc, FetchOut, ParamBinding, StmtState, Write};

use crate::error::Error;
use diag::Diags;
use std::sync::{Arc, Mutex, MutexGuard};

pub const SUCCESS: i16 = 0;
pub const SUCCESS_WITH_INFO: i16 = 1;
pub const NO_DATA: i16 = 100;
pub const ERROR: i16 = -1;
pub const INVALID_HANDLE: i16 = -2;

pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Ends a call: an error becomes a record and SQL_ERROR; success with
/// records waiting becomes SQL_SUCCESS_WITH_INFO.
pub fn finish(diags: &Mutex<Diags>, r: Result<i16, Error>) -> i16 {
    let mut d = lock(diags);
    let code = match r {
        Ok(SUCCESS) if !d.records.is_empty() => SUCCESS_WITH_INFO,
        Ok(c) => c,
        Err(e) => {
            d.push_error(&e);
            ERROR
        }
    };
    d.return_code = code;
    code
}

pub struct EnvState {
    pub odbc_version: i32,
    pub connection_pooling: u32,
    pub cp_match: u32,
    pub output_nts: i32,
}

pub struct Env {
    pub state: Mutex<EnvState>,
    pub diags: Mutex<Diags>,
}

impl Env {
    pub fn new() -> Arc<Env> {
        Arc::new(Env {
            state: Mutex::new(EnvState {
                odbc_version: 3,
                connection_pooling: 0,
                cp_match: 0,
                output_nts: 1,
            }),
            diags: Mutex::new(Diags::default()),
        })
    }

    pub fn is_odbc2(&self) -> bool {
        lock(&self.state).odbc_version == 2
    }
}

pub struct Conn {
    pub env: Arc<Env>,
    pub state: Mutex<ConnState>,
    pub diags: Mutex<Diags>,
}

pub struct Stmt {
    pub conn: Arc<Conn>,
    pub state: Mutex<StmtState>,
    pub diags: Mutex<Diags>,
    /// This statement's cancel flag and deadline, handed to the engine with
    /// every execution (SQLCancel raises it from any thread).
    pub interrupt: crate::engine::Interrupt,
}

// Environment attributes (sqlext.h).
pub const ENV_ODBC_VERSION: i32 = 200;
pub const ENV_CONNECTION_POOLING: i32 = 201;
pub const ENV_CP_MATCH: i32 = 202;
pub const ENV_OUTPUT_NTS: i32 = 10001;

impl Env {
    pub fn set_attr(&self, attr: i32, value: usize) -> crate::error::Result<i16> {
        let mut st = lock(&self.state);
        match attr {
            ENV_ODBC_VERSION => match value {
                2 | 3 | 380 => st.odbc_version = value as i32,
                _ => {
                    return Err(Error::odbc(
                        "HY024",
                        format!("SQL_ATTR_ODBC_VERSION {value} is not valid; use 2, 3 or 380."),
                    ))
                }
            },
            ENV_CONNECTION_POOLING => st.connection_pooling = value as u32,
            ENV_CP_MATCH => st.cp_match = value as u32,
            ENV_OUTPUT_NTS => {
                if value != 1 {
                    return Err(Error::odbc(
                        "HYC00",
                        "SQL_ATTR_OUTPUT_NTS can only be SQL_TRUE.",
                    ));
                }
            }
            _ => {
                return Err(Error::odbc(
                    "HY092",
                    format!("Environment attribute {attr} is not valid."),
                ))
            }
        }
        Ok(SUCCESS)
    }

    pub fn get_attr(&self, attr: i32) -> crate::error::Result<u32> {
        let st = lock(&self.state);
        Ok(match attr {
            ENV_ODBC_VERSION => st.odbc_version as u32,
            ENV_CONNECTION_POOLING => st.connection_pooling,
            ENV_CP_MATCH => st.cp_match,
            ENV_OUTPUT_NTS => 1,
            _ => {
                return Err(Error::odbc(
                    "HY092",
                    format!("Environment attribute {attr} is not valid."),
                ))
            }
        })
    }
}

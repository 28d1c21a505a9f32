//! Descriptors. A statement's four implicit descriptors (ARD, APD, IRD,
//! IPD) are answered to SQLGetStmtAttr as opaque non-null tokens: driver
//! managers ask for them when a statement is allocated, and no descriptor
//! function is exported to use them. Explicit descriptors are refused.

use super::Stmt;
use crate::error::{Error, Result};
use odbc_sys::StatementAttribute;
use std::sync::Arc;

/// The token for one of the implicit descriptor attributes
/// (SQL_ATTR_APP_ROW_DESC ..= SQL_ATTR_IMP_PARAM_DESC), distinct per
/// statement and per descriptor; `None` for any other attribute.
pub fn implicit_token(stmt: &Arc<Stmt>, attr: i32) -> Option<u64> {
    let first = StatementAttribute::AppRowDesc as i32;
    let last = StatementAttribute::ImpParamDesc as i32;
    (first..=last)
        .contains(&attr)
        .then(|| Arc::as_ptr(stmt) as u64 + 1 + (attr - first) as u64)
}

/// SQLAllocHandle(SQL_HANDLE_DESC).
pub fn explicit_unsupported() -> Error {
    Error::odbc("HYC00", "Explicit descriptors are not supported.")
}

impl Stmt {
    /// SQLGetStmtAttr: the descriptor tokens, else the attribute's value.
    pub fn attr_or_descriptor(self: &Arc<Self>, attr: i32) -> Result<u64> {
        match implicit_token(self, attr) {
            Some(token) => Ok(token),
            None => self.get_attr(attr),
        }
    }
}

//! Rules of single calls that need nothing but the handle: SQLFetchScroll's
//! orientation, freeing a connection that is still connected, SQLSetEnvAttr
//! without an environment.

use super::{lock, Conn, Env};
use crate::error::{Error, Result};
use odbc_sys::EnvironmentAttribute;

/// SQLSetEnvAttr with a null environment: the process-level pooling
/// setting is accepted (there is nothing to pool here); `false` for any
/// other attribute, which then needs a valid handle.
pub fn accepted_without_env(attr: i32) -> bool {
    attr == EnvironmentAttribute::ConnectionPooling as i32
}

impl Conn {
    /// SQLFreeHandle(SQL_HANDLE_DBC): HY010 while still connected.
    pub fn check_can_free(&self) -> Result<()> {
        if lock(&self.state).connected.is_some() {
            return Err(Error::odbc(
                "HY010",
                "Disconnect before freeing the connection handle (function sequence error).",
            ));
        }
        Ok(())
    }
}

impl Env {
    /// SQLFreeHandle(SQL_HANDLE_ENV): HY010 while connections are still
    /// allocated on it.
    pub fn check_can_free(&self) -> Result<()> {
        let n = super::handles::connections_of(self).len();
        if n > 0 {
            return Err(Error::odbc(
                "HY010",
                format!("Free the environment's {n} connection handle(s) before the environment (function sequence error)."),
            ));
        }
        Ok(())
    }
}

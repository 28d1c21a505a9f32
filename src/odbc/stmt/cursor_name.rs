//! SQLSetCursorName / SQLGetCursorName. A statement without a name set
//! answers a generated `SQL_CUR…` one; names are unique per connection
//! (3C000 otherwise) and the `SQL_CUR`/`SQLCUR` prefixes are reserved
//! (34000). The names in use live in one table keyed by connection,
//! released when the statement goes.

use super::{Stmt, StmtState};
use crate::error::{Error, Result};
use crate::odbc::{lock, SUCCESS};
use odbc_sys::RetCode;
use once_cell::sync::Lazy;
use std::collections::HashMap;
use std::sync::Mutex;

/// (connection address, name) -> statement address.
static NAMES: Lazy<Mutex<HashMap<(usize, String), usize>>> = Lazy::new(Default::default);

fn names() -> std::sync::MutexGuard<'static, HashMap<(usize, String), usize>> {
    NAMES.lock().unwrap_or_else(|e| e.into_inner())
}

impl Stmt {
    fn conn_key(&self) -> usize {
        std::sync::Arc::as_ptr(&self.conn) as usize
    }

    fn key(&self) -> usize {
        self as *const Stmt as usize
    }

    /// SQLGetCursorName: the name set, or the generated one.
    pub fn cursor_name(&self) -> Result<String> {
        let st = lock(&self.state);
        Ok(self.name_of(&st))
    }

    fn name_of(&self, st: &StmtState) -> String {
        st.cursor_name
            .clone()
            .unwrap_or_else(|| format!("SQL_CUR{:X}", self.key()))
    }

    /// SQLSetCursorName.
    pub fn set_cursor_name(&self, name: &str) -> Result<RetCode> {
        let _run = self.begin()?;
        let mut st = lock(&self.state);
        if st.cursor_open() {
            return Err(Error::odbc(
                "24000",
                "Close the cursor before naming it (invalid cursor state).",
            ));
        }
        let upper = name.to_ascii_uppercase();
        if name.trim().is_empty() || upper.starts_with("SQL_CUR") || upper.starts_with("SQLCUR") {
            return Err(Error::odbc(
                "34000",
                format!("Cursor name '{name}' is not valid: it is empty or starts with a reserved prefix (SQL_CUR, SQLCUR)."),
            ));
        }
        let mut table = names();
        let key = (self.conn_key(), upper);
        if let Some(&owner) = table.get(&key) {
            if owner != self.key() {
                return Err(Error::odbc(
                    "3C000",
                    format!("Cursor name '{name}' is already used by another statement of this connection."),
                ));
            }
        }
        table.retain(|_, s| *s != self.key());
        table.insert(key, self.key());
        st.cursor_name = Some(name.to_string());
        Ok(SUCCESS)
    }
}

impl Drop for Stmt {
    fn drop(&mut self) {
        let me = self.key();
        names().retain(|_, s| *s != me);
    }
}

//! The diagnostics for argument problems `ffi/` finds while it marshals
//! (a null pointer, a negative buffer length, an output cut short, a handle
//! type that is not one): the SQLSTATE and the message are chosen here.

use super::diag::Diags;
use super::handles::Handle;
use super::lock;
use crate::error::Error;
use std::sync::Mutex;

/// HY009: a pointer argument the call cannot do without is null.
pub fn null_pointer(name: &str) -> Error {
    Error::odbc(
        "HY009",
        format!("{name} is a null pointer (invalid use of null pointer)."),
    )
}

/// HY090: BufferLength is negative.
pub fn negative_buffer_length() -> Error {
    Error::odbc("HY090", "BufferLength must not be negative.")
}

/// 22002: a NULL value, but no indicator buffer to say so.
pub fn null_without_indicator(column: u16) -> Error {
    Error::odbc(
        "22002",
        format!("Column {column} is NULL and StrLen_or_IndPtr is a null pointer."),
    )
}

/// 01004: pushed when an output string was cut short.
pub fn report_truncation(diags: &Mutex<Diags>, truncated: bool) {
    if truncated {
        lock(diags).push(
            "01004",
            "String data, right truncated: the buffer was too small; the full length was returned.",
        );
    }
}

/// HY092 on whatever live handle came with a handle type that is not one
/// (never SQL_ERROR without a record).
pub fn report_invalid_handle_type(handle: &Handle, handle_type: i16) {
    let msg = format!("Handle type {handle_type} is not valid.");
    match handle {
        Handle::Env(e) => lock(&e.diags).push("HY092", msg),
        Handle::Conn(c) => lock(&c.diags).push("HY092", msg),
        Handle::Stmt(s) => lock(&s.diags).push("HY092", msg),
        Handle::Desc(d) => lock(&d.diags).push("HY092", msg),
    }
}

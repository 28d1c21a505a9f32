//! Scrolling and cursor calls: SQLExtendedFetch (ODBC 2), SQLSetPos,
//! SQLGetCursorName / SQLSetCursorName. Only marshalling; the cursor lives
//! in `odbc::stmt::scroll`.

use super::statement::write_fetch;
use super::strings::WChar;
use super::strings::{input_text, out_chars_i16, Enc, A, W};
use super::{with_stmt, Handle, SQL_SUCCESS};
use crate::odbc::arg_errors::report_truncation;
use odbc_sys::{Char, Len, RetCode, ULen};
use std::os::raw::c_void;

/// # Safety
/// As `SQLFetch` (the bound buffers valid); `rows_fetched` NULL or a
/// writable SQLULEN; `row_status` NULL or SQL_ROWSET_SIZE writable
/// SQLUSMALLINTs.
#[no_mangle]
pub unsafe extern "C" fn SQLExtendedFetch(
    hstmt: Handle,
    orientation: u16,
    offset: Len,
    rows_fetched: *mut ULen,
    row_status: *mut u16,
) -> RetCode {
    with_stmt(hstmt, |stmt| {
        let out = stmt.extended_fetch(
            orientation as i16,
            offset as i64,
            rows_fetched as usize,
            row_status as usize,
        )?;
        // SAFETY: the bound buffers and these two arguments are valid by the
        // caller's promise.
        unsafe { write_fetch(out) }
    })
}

/// # Safety
/// As `SQLFetch`: SQL_REFRESH writes the bound buffers again.
#[no_mangle]
pub unsafe extern "C" fn SQLSetPos(
    hstmt: Handle,
    row_number: ULen,
    operation: u16,
    lock_type: u16,
) -> RetCode {
    with_stmt(hstmt, |stmt| {
        let out = stmt.set_pos(row_number as u64, operation, lock_type)?;
        // SAFETY: the bound buffers are valid by the caller's promise.
        unsafe { write_fetch(out) }
    })
}

/// # Safety
/// `name` NULL or writable for `buf_len` units; `name_len` NULL or writable.
unsafe fn get_cursor_name<E: Enc>(
    hstmt: Handle,
    name: *mut c_void,
    buf_len: i16,
    name_len: *mut i16,
) -> RetCode {
    with_stmt(hstmt, |stmt| {
        let n = stmt.cursor_name()?;
        // SAFETY: the caller's promise above.
        let cut = unsafe { out_chars_i16::<E>(&n, name, buf_len, name_len) };
        report_truncation(&stmt.diags, cut);
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// `name` NULL or writable for `buf_len` bytes; `name_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLGetCursorName(
    hstmt: Handle,
    name: *mut Char,
    buf_len: i16,
    name_len: *mut i16,
) -> RetCode {
    // SAFETY: the caller's duties above are `get_cursor_name`'s.
    unsafe { get_cursor_name::<A>(hstmt, name.cast(), buf_len, name_len) }
}

/// # Safety
/// `name` NULL or writable for `buf_len` characters; `name_len` NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn SQLGetCursorNameW(
    hstmt: Handle,
    name: *mut WChar,
    buf_len: i16,
    name_len: *mut i16,
) -> RetCode {
    // SAFETY: the caller's duties above are `get_cursor_name`'s.
    unsafe { get_cursor_name::<W>(hstmt, name.cast(), buf_len, name_len) }
}

/// # Safety
/// `name` NULL, `len` units long or NUL-terminated (negative `len`).
unsafe fn set_cursor_name<E: Enc>(hstmt: Handle, name: *const E::Unit, len: i16) -> RetCode {
    with_stmt(hstmt, |stmt| {
        // SAFETY: the caller's promise above.
        let Some(n) = (unsafe { input_text::<E>(name, len as Len, "CursorName") })? else {
            return Err(crate::odbc::arg_errors::null_pointer("CursorName"));
        };
        stmt.set_cursor_name(&n)
    })
}

/// # Safety
/// `name` NULL, `len` bytes long or NUL-terminated (SQL_NTS).
#[no_mangle]
pub unsafe extern "C" fn SQLSetCursorName(hstmt: Handle, name: *const Char, len: i16) -> RetCode {
    // SAFETY: the caller's duties above are `set_cursor_name`'s.
    unsafe { set_cursor_name::<A>(hstmt, name, len) }
}

/// # Safety
/// `name` NULL, `len` characters long or NUL-terminated (SQL_NTS).
#[no_mangle]
pub unsafe extern "C" fn SQLSetCursorNameW(hstmt: Handle, name: *const WChar, len: i16) -> RetCode {
    // SAFETY: the caller's duties above are `set_cursor_name`'s.
    unsafe { set_cursor_name::<W>(hstmt, name, len) }
}

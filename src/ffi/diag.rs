//! SQLGetDiagRec and SQLGetDiagField. They read a handle's records and
//! never clear them.

use super::strings::WChar;
use super::strings::{out_bytes, out_chars_i16, output, Enc, A, W};
use super::{guard, handle_kind, Handle};
use super::{SQL_ERROR, SQL_INVALID_HANDLE, SQL_NO_DATA, SQL_SUCCESS, SQL_SUCCESS_WITH_INFO};
use crate::odbc::diag::Diags;
use crate::odbc::diag_fields::{self, Answer, DiagValue};
use crate::odbc::handles::{self as reg, Handle as H};
use crate::odbc::lock;
use odbc_sys::{Char, HandleType, Len, RetCode, SQLSTATE_SIZE};
use std::os::raw::c_void;

/// The diagnostics of any live handle, and whether its environment is ODBC 2.
fn diags_of(handle_type: i16, handle: Handle) -> Option<(Diags, bool)> {
    let found = reg::any(handle as usize)?;
    let (diags, odbc2) = match (handle_kind(handle_type)?, &found) {
        (HandleType::Env, H::Env(env)) => (lock(&env.diags).clone(), env.is_odbc2()),
        (HandleType::Dbc, H::Conn(conn)) => (lock(&conn.diags).clone(), conn.env.is_odbc2()),
        (HandleType::Stmt, H::Stmt(stmt)) => (lock(&stmt.diags).clone(), stmt.conn.env.is_odbc2()),
        (HandleType::Desc, H::Desc(desc)) => (lock(&desc.diags).clone(), desc.conn.env.is_odbc2()),
        _ => return None,
    };
    Some((diags, odbc2))
}

/// # Safety
/// `state` NULL or writable for 6 units; `native` and `msg_len` NULL or
/// writable; `msg` NULL or writable for `buf_len` units.
#[allow(clippy::too_many_arguments)]
unsafe fn get_diag_rec<E: Enc>(
    handle_type: i16,
    handle: Handle,
    rec: i16,
    state: *mut E::Unit,
    native: *mut i32,
    msg: *mut E::Unit,
    buf_len: i16,
    msg_len: *mut i16,
) -> RetCode {
    let Some((diags, odbc2)) = diags_of(handle_type, handle) else {
        return SQL_INVALID_HANDLE;
    };
    if buf_len < 0 {
        return SQL_ERROR;
    }
    let record = match diag_fields::record(&diags, odbc2, rec) {
        Answer::Found(record) => record,
        Answer::NoData => return SQL_NO_DATA,
        Answer::Error => return SQL_ERROR,
    };
    if !state.is_null() {
        // SAFETY: non-null, and the caller's SQLSTATE buffer holds the 5
        // characters and the NUL (SQL_SQLSTATE_SIZE + 1 units).
        unsafe { output::<E>(&record.sqlstate, state.cast(), SQLSTATE_SIZE + 1) };
    }
    if !native.is_null() {
        // SAFETY: non-null and writable by the caller's promise.
        unsafe { *native = record.native };
    }
    // SAFETY: `msg` holds `buf_len` units and `msg_len` is NULL or writable.
    if unsafe { out_chars_i16::<E>(&record.message, msg.cast(), buf_len, msg_len) } {
        SQL_SUCCESS_WITH_INFO
    } else {
        SQL_SUCCESS
    }
}

/// # Safety
/// `state` is NULL or writable for 6 bytes (5 characters and a NUL);
/// `native` and `msg_len` are NULL or writable; `msg` is NULL or writable
/// for `buf_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn SQLGetDiagRec(
    handle_type: i16,
    handle: Handle,
    rec: i16,
    state: *mut Char,
    native: *mut i32,
    msg: *mut Char,
    buf_len: i16,
    msg_len: *mut i16,
) -> RetCode {
    // SAFETY: the caller's duties above are `get_diag_rec`'s.
    guard(|| unsafe {
        get_diag_rec::<A>(
            handle_type,
            handle,
            rec,
            state,
            native,
            msg,
            buf_len,
            msg_len,
        )
    })
}

/// # Safety
/// As [`SQLGetDiagRec`], with `state` and `msg` in SQLWCHARs (`state` 6
/// units, `buf_len` in units).
#[no_mangle]
pub unsafe extern "C" fn SQLGetDiagRecW(
    handle_type: i16,
    handle: Handle,
    rec: i16,
    state: *mut WChar,
    native: *mut i32,
    msg: *mut WChar,
    buf_len: i16,
    msg_len: *mut i16,
) -> RetCode {
    // SAFETY: the caller's duties above are `get_diag_rec`'s.
    guard(|| unsafe {
        get_diag_rec::<W>(
            handle_type,
            handle,
            rec,
            state,
            native,
            msg,
            buf_len,
            msg_len,
        )
    })
}

/// # Safety
/// `value` NULL or writable for the field's type (`buf_len` bytes for
/// text); `len` NULL or writable.
unsafe fn get_diag_field<E: Enc>(
    handle_type: i16,
    handle: Handle,
    rec: i16,
    field: i16,
    value: *mut c_void,
    buf_len: i16,
    len: *mut i16,
) -> RetCode {
    let Some((diags, odbc2)) = diags_of(handle_type, handle) else {
        return SQL_INVALID_HANDLE;
    };
    let put = |bytes: &[u8]| -> RetCode {
        if !value.is_null() {
            // SAFETY: non-null, and the caller's buffer holds a value of the
            // field's type, whose size `bytes` has; `bytes` is our own.
            unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), value.cast(), bytes.len()) };
        }
        SQL_SUCCESS
    };
    match diag_fields::field(&diags, odbc2, rec, field) {
        Answer::Found(DiagValue::Text(text)) => {
            // SAFETY: `value` is NULL or holds `buf_len` bytes.
            let (full, cut) = unsafe { out_bytes::<E>(&text, value, buf_len as Len) };
            if !len.is_null() {
                // SAFETY: non-null and writable by the caller's promise.
                unsafe { *len = full as i16 };
            }
            if cut {
                SQL_SUCCESS_WITH_INFO
            } else {
                SQL_SUCCESS
            }
        }
        Answer::Found(DiagValue::ReturnCode(v)) => put(&v.to_ne_bytes()),
        Answer::Found(DiagValue::Integer(v)) => put(&v.to_ne_bytes()),
        Answer::Found(DiagValue::Len(v)) => put(&(v as Len).to_ne_bytes()),
        Answer::NoData => SQL_NO_DATA,
        Answer::Error => SQL_ERROR,
    }
}

/// # Safety
/// `value` is NULL or writable for the field's type: `buf_len` bytes for a
/// text field, else the SQLSMALLINT / SQLINTEGER / SQLLEN the ODBC
/// reference gives the field; `len` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLGetDiagField(
    handle_type: i16,
    handle: Handle,
    rec: i16,
    field: i16,
    value: *mut c_void,
    buf_len: i16,
    len: *mut i16,
) -> RetCode {
    // SAFETY: the caller's duties above are `get_diag_field`'s.
    guard(|| unsafe { get_diag_field::<A>(handle_type, handle, rec, field, value, buf_len, len) })
}

/// # Safety
/// As [`SQLGetDiagField`] (`buf_len` in bytes).
#[no_mangle]
pub unsafe extern "C" fn SQLGetDiagFieldW(
    handle_type: i16,
    handle: Handle,
    rec: i16,
    field: i16,
    value: *mut c_void,
    buf_len: i16,
    len: *mut i16,
) -> RetCode {
    // SAFETY: the caller's duties above are `get_diag_field`'s.
    guard(|| unsafe { get_diag_field::<W>(handle_type, handle, rec, field, value, buf_len, len) })
}

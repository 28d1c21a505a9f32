//! SQLGetDiagRec and SQLGetDiagField. They read a handle's records and
//! never clear them.

use super::strings::{out_bytes, out_chars_i16, output, Enc, A, W};
use super::{guard, handle_kind, Handle};
use super::{SQL_ERROR, SQL_INVALID_HANDLE, SQL_NO_DATA, SQL_SUCCESS, SQL_SUCCESS_WITH_INFO};
use crate::odbc::diag::Diags;
use crate::odbc::diag_fields::{self, Answer, DiagValue};
use crate::odbc::handles::{self as reg, Handle as H};
use crate::odbc::lock;
use odbc_sys::{Char, HandleType, Len, RetCode, WChar, SQLSTATE_SIZE};
use std::os::raw::c_void;

/// The diagnostics of any live handle, and whether its environment is ODBC 2.
fn diags_of(handle_type: i16, h: Handle) -> Option<(Diags, bool)> {
    let found = reg::any(h as usize)?;
    let (d, odbc2) = match (handle_kind(handle_type)?, &found) {
        (HandleType::Env, H::Env(e)) => (lock(&e.diags).clone(), e.is_odbc2()),
        (HandleType::Dbc, H::Conn(c)) => (lock(&c.diags).clone(), c.env.is_odbc2()),
        (HandleType::Stmt, H::Stmt(s)) => (lock(&s.diags).clone(), s.conn.env.is_odbc2()),
        _ => return None,
    };
    Some((d, odbc2))
}

#[allow(clippy::too_many_arguments)]
unsafe fn get_diag_rec<E: Enc>(
    handle_type: i16,
    h: Handle,
    rec: i16,
    state: *mut E::Unit,
    native: *mut i32,
    msg: *mut E::Unit,
    buf_len: i16,
    msg_len: *mut i16,
) -> RetCode {
    let Some((d, odbc2)) = diags_of(handle_type, h) else {
        return SQL_INVALID_HANDLE;
    };
    if buf_len < 0 {
        return SQL_ERROR;
    }
    let r = match diag_fields::record(&d, odbc2, rec) {
        Answer::Found(r) => r,
        Answer::NoData => return SQL_NO_DATA,
        Answer::Error => return SQL_ERROR,
    };
    if !state.is_null() {
        output::<E>(&r.sqlstate, state as *mut c_void, SQLSTATE_SIZE + 1);
    }
    if !native.is_null() {
        *native = r.native;
    }
    if out_chars_i16::<E>(&r.message, msg as *mut c_void, buf_len, msg_len) {
        SQL_SUCCESS_WITH_INFO
    } else {
        SQL_SUCCESS
    }
}

/// # Safety
/// Output pointers NULL or writable (SQLState for 6 units).
#[no_mangle]
pub unsafe extern "C" fn SQLGetDiagRec(
    handle_type: i16,
    h: Handle,
    rec: i16,
    state: *mut Char,
    native: *mut i32,
    msg: *mut Char,
    buf_len: i16,
    msg_len: *mut i16,
) -> RetCode {
    guard(|| get_diag_rec::<A>(handle_type, h, rec, state, native, msg, buf_len, msg_len))
}

/// # Safety
/// Output pointers NULL or writable (SQLState for 6 units).
#[no_mangle]
pub unsafe extern "C" fn SQLGetDiagRecW(
    handle_type: i16,
    h: Handle,
    rec: i16,
    state: *mut WChar,
    native: *mut i32,
    msg: *mut WChar,
    buf_len: i16,
    msg_len: *mut i16,
) -> RetCode {
    guard(|| get_diag_rec::<W>(handle_type, h, rec, state, native, msg, buf_len, msg_len))
}

unsafe fn get_diag_field<E: Enc>(
    handle_type: i16,
    h: Handle,
    rec: i16,
    id: i16,
    value: *mut c_void,
    buf_len: i16,
    len: *mut i16,
) -> RetCode {
    let Some((d, odbc2)) = diags_of(handle_type, h) else {
        return SQL_INVALID_HANDLE;
    };
    let put = |bytes: &[u8]| -> RetCode {
        if !value.is_null() {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), value as *mut u8, bytes.len());
        }
        SQL_SUCCESS
    };
    match diag_fields::field(&d, odbc2, rec, id) {
        Answer::Found(DiagValue::Text(s)) => {
            let (full, trunc) = out_bytes::<E>(&s, value, buf_len as Len);
            if !len.is_null() {
                *len = full as i16;
            }
            if trunc {
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
/// `value` NULL or writable for the field's type (`buf_len` bytes for text).
#[no_mangle]
pub unsafe extern "C" fn SQLGetDiagField(
    handle_type: i16,
    h: Handle,
    rec: i16,
    id: i16,
    value: *mut c_void,
    buf_len: i16,
    len: *mut i16,
) -> RetCode {
    guard(|| get_diag_field::<A>(handle_type, h, rec, id, value, buf_len, len))
}

/// # Safety
/// `value` NULL or writable for the field's type (`buf_len` bytes for text).
#[no_mangle]
pub unsafe extern "C" fn SQLGetDiagFieldW(
    handle_type: i16,
    h: Handle,
    rec: i16,
    id: i16,
    value: *mut c_void,
    buf_len: i16,
    len: *mut i16,
) -> RetCode {
    guard(|| get_diag_field::<W>(handle_type, h, rec, id, value, buf_len, len))
}

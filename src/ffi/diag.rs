//! SQLGetDiagRec and SQLGetDiagField. They read a handle's records and
//! never clear them.

use super::strings::{out_bytes, out_chars_i16, output, Enc, A, W};
use super::Handle;
use crate::odbc::diag::{odbc2_state, Diags};
use crate::odbc::handles::{self as reg, Handle as H};
use crate::odbc::{lock, ERROR, INVALID_HANDLE, NO_DATA, SUCCESS, SUCCESS_WITH_INFO};
use std::os::raw::c_void;

/// The diagnostics of any live handle, and whether its environment is ODBC 2.
fn diags_of(handle_type: i16, h: Handle) -> Option<(Diags, bool)> {
    let found = reg::any(h as usize)?;
    let (d, odbc2) = match (handle_type, &found) {
        (1, H::Env(e)) => (lock(&e.diags).clone(), e.is_odbc2()),
        (2, H::Conn(c)) => (lock(&c.diags).clone(), c.env.is_odbc2()),
        (3, H::Stmt(s)) => (lock(&s.diags).clone(), s.conn.env.is_odbc2()),
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
) -> i16 {
    let r = std::panic::catch_unwind(|| diags_of(handle_type, h));
    let Ok(Some((d, odbc2))) = r else {
        return INVALID_HANDLE;
    };
    if rec <= 0 {
        return ERROR;
    }
    if buf_len < 0 {
        return ERROR;
    }
    let Some(r) = d.records.get(rec as usize - 1) else {
        return NO_DATA;
    };
    let code = if odbc2 {
        odbc2_state(&r.sqlstate)
    } else {
        r.sqlstate.clone()
    };
    if !state.is_null() {
        output::<E>(&code, state as *mut c_void, 6);
    }
    if !native.is_null() {
        *native = r.native;
    }
    if out_chars_i16::<E>(&r.message, msg as *mut c_void, buf_len, msg_len) {
        SUCCESS_WITH_INFO
    } else {
        SUCCESS
    }
}

/// # Safety
/// Output pointers NULL or writable (SQLState for 6 units).
#[no_mangle]
pub unsafe extern "C" fn SQLGetDiagRec(
    handle_type: i16,
    h: Handle,
    rec: i16,
    state: *mut u8,
    native: *mut i32,
    msg: *mut u8,
    buf_len: i16,
    msg_len: *mut i16,
) -> i16 {
    get_diag_rec::<A>(handle_type, h, rec, state, native, msg, buf_len, msg_len)
}

/// # Safety
/// Output pointers NULL or writable (SQLState for 6 units).
#[no_mangle]
pub unsafe extern "C" fn SQLGetDiagRecW(
    handle_type: i16,
    h: Handle,
    rec: i16,
    state: *mut u16,
    native: *mut i32,
    msg: *mut u16,
    buf_len: i16,
    msg_len: *mut i16,
) -> i16 {
    get_diag_rec::<W>(handle_type, h, rec, state, native, msg, buf_len, msg_len)
}

unsafe fn get_diag_field<E: Enc>(
    handle_type: i16,
    h: Handle,
    rec: i16,
    id: i16,
    value: *mut c_void,
    buf_len: i16,
    len: *mut i16,
) -> i16 {
    let r = std::panic::catch_unwind(|| diags_of(handle_type, h));
    let Ok(Some((d, odbc2))) = r else {
        return INVALID_HANDLE;
    };
    let text = |s: &str| -> i16 {
        let (full, trunc) = out_bytes::<E>(s, value, buf_len as isize);
        if !len.is_null() {
            *len = full as i16;
        }
        if trunc {
            SUCCESS_WITH_INFO
        } else {
            SUCCESS
        }
    };
    let put = |bytes: &[u8]| -> i16 {
        if !value.is_null() {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), value as *mut u8, bytes.len());
        }
        SUCCESS
    };
    // Header fields (record number ignored).
    match id {
        1 => return put(&d.return_code.to_ne_bytes()), // SQL_DIAG_RETURNCODE
        2 => return put(&(d.records.len() as i32).to_ne_bytes()), // SQL_DIAG_NUMBER
        3 | -1249 => return put(&(d.row_count as isize).to_ne_bytes()), // ROW_COUNT / CURSOR_ROW_COUNT
        7 => return text(""),                                           // DYNAMIC_FUNCTION
        12 => return put(&0i32.to_ne_bytes()),                          // DYNAMIC_FUNCTION_CODE
        _ => {}
    }
    if rec <= 0 {
        return ERROR;
    }
    let Some(r) = d.records.get(rec as usize - 1) else {
        return NO_DATA;
    };
    match id {
        4 => text(&if odbc2 {
            odbc2_state(&r.sqlstate)
        } else {
            r.sqlstate.clone()
        }), // SQLSTATE
        5 => put(&r.native.to_ne_bytes()), // NATIVE
        6 => text(&r.message),             // MESSAGE_TEXT
        8 | 9 => text(
            if r.sqlstate.starts_with("IM")
                || r.sqlstate.starts_with("HY")
                || r.sqlstate.starts_with("01S")
            {
                "ODBC 3.0"
            } else {
                "ISO 9075"
            },
        ), // CLASS/SUBCLASS_ORIGIN
        10 => text(""),                    // CONNECTION_NAME
        11 => text("Jumpseller"),          // SERVER_NAME
        -1248 => put(&(-1isize).to_ne_bytes()), // ROW_NUMBER: unknown
        -1247 => put(&(-1i32).to_ne_bytes()), // COLUMN_NUMBER: unknown
        _ => ERROR,
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
) -> i16 {
    get_diag_field::<A>(handle_type, h, rec, id, value, buf_len, len)
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
) -> i16 {
    get_diag_field::<W>(handle_type, h, rec, id, value, buf_len, len)
}

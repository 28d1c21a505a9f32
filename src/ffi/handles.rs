//! SQLAllocHandle, SQLFreeHandle, SQLFreeStmt, environment attributes,
//! SQLEndTran.

use super::{guard, handle_kind, with_conn, with_desc, with_env, with_stmt, Handle};
use super::{SQL_ERROR, SQL_INVALID_HANDLE, SQL_SUCCESS};
use crate::odbc::arg_errors::{null_pointer, report_invalid_handle_type};
use crate::odbc::handles::{self as reg, Handle as H};
use crate::odbc::{call_rules, descriptor, Conn, Env, Stmt};
use odbc_sys::{HandleType, RetCode};
use std::os::raw::c_void;

use crate::odbc::sqlext::SQL_DROP;

/// # Safety
/// `out` must be NULL or valid for writing one handle. `input` may be
/// anything: it is looked up before use.
#[no_mangle]
pub unsafe extern "C" fn SQLAllocHandle(
    handle_type: i16,
    input: Handle,
    out: *mut Handle,
) -> RetCode {
    guard(|| match handle_kind(handle_type) {
        Some(HandleType::Env) => {
            if out.is_null() {
                return SQL_ERROR;
            }
            // SAFETY: non-null and writable by the caller's promise.
            unsafe { *out = reg::register(H::Env(Env::new())) as Handle };
            SQL_SUCCESS
        }
        Some(HandleType::Dbc) => with_env(input, |env| {
            if out.is_null() {
                return Err(null_pointer("OutputHandlePtr"));
            }
            let addr = reg::register(H::Conn(Conn::new(env.clone())));
            // SAFETY: non-null and writable by the caller's promise.
            unsafe { *out = addr as Handle };
            Ok(SQL_SUCCESS)
        }),
        Some(HandleType::Stmt) => with_conn(input, |conn| {
            if out.is_null() {
                return Err(null_pointer("OutputHandlePtr"));
            }
            conn.session()?;
            let addr = reg::register(H::Stmt(Stmt::new(conn.clone())));
            // SAFETY: non-null and writable by the caller's promise.
            unsafe { *out = addr as Handle };
            Ok(SQL_SUCCESS)
        }),
        Some(HandleType::Desc) => with_conn(input, |conn| {
            if out.is_null() {
                return Err(null_pointer("OutputHandlePtr"));
            }
            let addr = descriptor::alloc_explicit(conn)?;
            // SAFETY: non-null and writable by the caller's promise.
            unsafe { *out = addr as Handle };
            Ok(SQL_SUCCESS)
        }),
        _ => match reg::any(input as usize) {
            Some(live) => {
                report_invalid_handle_type(&live, handle_type);
                SQL_ERROR
            }
            None => SQL_INVALID_HANDLE,
        },
    })
}

#[no_mangle]
pub extern "C" fn SQLFreeHandle(handle_type: i16, handle: Handle) -> RetCode {
    free_handle(handle_type, handle)
}

/// SQLFreeHandle's body, shared with SQLFreeStmt(SQL_DROP). The handle
/// leaves the registry and is dropped inside the guard.
fn free_handle(handle_type: i16, handle: Handle) -> RetCode {
    let addr = handle as usize;
    guard(|| match handle_kind(handle_type) {
        Some(HandleType::Env) => with_env(handle, |env| {
            env.check_can_free()?;
            reg::unregister(addr);
            Ok(SQL_SUCCESS)
        }),
        Some(HandleType::Dbc) => with_conn(handle, |conn| {
            conn.check_can_free()?;
            reg::unregister(addr);
            Ok(SQL_SUCCESS)
        }),
        Some(HandleType::Stmt) => {
            if reg::stmt(addr).is_none() {
                return SQL_INVALID_HANDLE;
            }
            drop(reg::unregister(addr));
            SQL_SUCCESS
        }
        // An implicit descriptor is HY017; an explicit one's statements go
        // back to their own.
        Some(HandleType::Desc) => with_desc(handle, descriptor::free_desc),
        // A handle type that is not one cannot be freed: SQLFreeHandle has
        // no HY092 (unlike SQLAllocHandle), and the spec's answer for a
        // HandleType it cannot interpret is SQL_INVALID_HANDLE, whatever
        // the handle.
        _ => SQL_INVALID_HANDLE,
    })
}

#[no_mangle]
pub extern "C" fn SQLFreeStmt(hstmt: Handle, option: u16) -> RetCode {
    if option == SQL_DROP {
        // ODBC 2: the same as SQLFreeHandle.
        return free_handle(HandleType::Stmt as i16, hstmt);
    }
    with_stmt(hstmt, |stmt| stmt.free_stmt(option))
}

/// Every environment attribute is an integer passed in `value` itself,
/// which is never dereferenced.
#[no_mangle]
pub extern "C" fn SQLSetEnvAttr(henv: Handle, attr: i32, value: *mut c_void, _len: i32) -> RetCode {
    if henv.is_null() {
        // No environment to carry a record.
        return guard(|| {
            if call_rules::accepted_without_env(attr) {
                SQL_SUCCESS
            } else {
                SQL_INVALID_HANDLE
            }
        });
    }
    with_env(henv, |env| env.set_attr(attr, value as usize))
}

/// # Safety
/// `value` is NULL or writable for an SQLUINTEGER (every environment
/// attribute is one); `len` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLGetEnvAttr(
    henv: Handle,
    attr: i32,
    value: *mut c_void,
    _buf_len: i32,
    len: *mut i32,
) -> RetCode {
    with_env(henv, |env| {
        let v = env.get_attr(attr)?;
        if !value.is_null() {
            // SAFETY: non-null, and writable for an SQLUINTEGER by the
            // caller's promise.
            unsafe { *value.cast::<u32>() = v };
        }
        if !len.is_null() {
            // SAFETY: non-null and writable by the caller's promise.
            unsafe { *len = size_of::<u32>() as i32 };
        }
        Ok(SQL_SUCCESS)
    })
}

#[no_mangle]
pub extern "C" fn SQLEndTran(handle_type: i16, handle: Handle, completion: i16) -> RetCode {
    guard(|| match handle_kind(handle_type) {
        Some(HandleType::Env) => with_env(handle, |env| env.end_tran(completion)),
        Some(HandleType::Dbc) => with_conn(handle, |conn| conn.end_tran(completion)),
        _ => SQL_INVALID_HANDLE,
    })
}

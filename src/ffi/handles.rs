//! SQLAllocHandle, SQLFreeHandle, SQLFreeStmt, environment attributes,
//! SQLEndTran.

use super::{null_arg, with_conn, with_env, with_stmt, Handle};
use crate::error::Error;
use crate::odbc::handles::{self as reg, Handle as H};
use crate::odbc::{lock, Conn, Env, Stmt, ERROR, INVALID_HANDLE, SUCCESS};
use std::os::raw::c_void;

const HANDLE_ENV: i16 = 1;
const HANDLE_DBC: i16 = 2;
const HANDLE_STMT: i16 = 3;
const HANDLE_DESC: i16 = 4;

/// # Safety
/// `out` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLAllocHandle(handle_type: i16, input: Handle, out: *mut Handle) -> i16 {
    match handle_type {
        HANDLE_ENV => {
            if out.is_null() {
                return ERROR;
            }
            let r = std::panic::catch_unwind(|| reg::register(H::Env(Env::new())));
            match r {
                Ok(addr) => {
                    *out = addr as Handle;
                    SUCCESS
                }
                Err(_) => ERROR,
            }
        }
        HANDLE_DBC => with_env(input, |env| {
            if out.is_null() {
                return Err(null_arg("OutputHandlePtr"));
            }
            let addr = reg::register(H::Conn(Conn::new(env.clone())));
            *out = addr as Handle;
            Ok(SUCCESS)
        }),
        HANDLE_STMT => with_conn(input, |conn| {
            if out.is_null() {
                return Err(null_arg("OutputHandlePtr"));
            }
            conn.session()?;
            let addr = reg::register(H::Stmt(Stmt::new(conn.clone())));
            *out = addr as Handle;
            Ok(SUCCESS)
        }),
        HANDLE_DESC => with_conn(input, |_| {
            Err(Error::odbc(
                "HYC00",
                "Explicit descriptors are not supported.",
            ))
        }),
        _ => match reg::any(input as usize) {
            Some(h) => {
                // Never SQL_ERROR without a record: on whatever was passed.
                let msg = format!("Handle type {handle_type} is not valid.");
                match h {
                    H::Env(e) => lock(&e.diags).push("HY092", msg),
                    H::Conn(c) => lock(&c.diags).push("HY092", msg),
                    H::Stmt(s) => lock(&s.diags).push("HY092", msg),
                }
                ERROR
            }
            None => INVALID_HANDLE,
        },
    }
}

#[no_mangle]
pub extern "C" fn SQLFreeHandle(handle_type: i16, handle: Handle) -> i16 {
    free_handle(handle_type, handle)
}

fn free_handle(handle_type: i16, handle: Handle) -> i16 {
    let addr = handle as usize;
    match handle_type {
        HANDLE_ENV => {
            if reg::env(addr).is_none() {
                return INVALID_HANDLE;
            }
            reg::unregister(addr);
            SUCCESS
        }
        HANDLE_DBC => {
            with_conn(handle, |conn| {
                if lock(&conn.state).connected.is_some() {
                    return Err(Error::odbc("HY010", "Disconnect before freeing the connection handle (function sequence error)."));
                }
                reg::unregister(addr);
                Ok(SUCCESS)
            })
        }
        HANDLE_STMT => {
            if reg::stmt(addr).is_none() {
                return INVALID_HANDLE;
            }
            reg::unregister(addr);
            SUCCESS
        }
        HANDLE_DESC => INVALID_HANDLE,
        _ => match reg::any(addr) {
            Some(_) => ERROR,
            None => INVALID_HANDLE,
        },
    }
}

#[no_mangle]
pub extern "C" fn SQLFreeStmt(stmt: Handle, option: u16) -> i16 {
    if option == 1 {
        // SQL_DROP (ODBC 2): the same as SQLFreeHandle.
        return free_handle(HANDLE_STMT, stmt);
    }
    with_stmt(stmt, |s| s.free_stmt(option))
}

/// # Safety
/// `value` is an integer passed as a pointer, per the ODBC spec.
#[no_mangle]
pub unsafe extern "C" fn SQLSetEnvAttr(
    env: Handle,
    attr: i32,
    value: *mut c_void,
    _len: i32,
) -> i16 {
    if env.is_null() && attr == crate::odbc::ENV_CONNECTION_POOLING {
        // Process-level pooling setting: nothing to pool here, accept it.
        return SUCCESS;
    }
    with_env(env, |e| e.set_attr(attr, value as usize))
}

/// # Safety
/// `value` NULL or writable for 4 bytes; `len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLGetEnvAttr(
    env: Handle,
    attr: i32,
    value: *mut c_void,
    _buf_len: i32,
    len: *mut i32,
) -> i16 {
    with_env(env, |e| {
        let v = e.get_attr(attr)?;
        if !value.is_null() {
            *(value as *mut u32) = v;
        }
        if !len.is_null() {
            *len = 4;
        }
        Ok(SUCCESS)
    })
}

/// Reads never open a transaction; commit and rollback succeed as no-ops.
#[no_mangle]
pub extern "C" fn SQLEndTran(handle_type: i16, handle: Handle, completion: i16) -> i16 {
    let check = |c: i16| {
        if c == 0 || c == 1 {
            Ok(SUCCESS)
        } else {
            Err(Error::odbc(
                "HY012",
                format!("Completion type {c} is not valid."),
            ))
        }
    };
    match handle_type {
        HANDLE_ENV => with_env(handle, |_| check(completion)),
        HANDLE_DBC => with_conn(handle, |_| check(completion)),
        _ => INVALID_HANDLE,
    }
}

//! Helpers for tests that call the driver's C entry points directly (no
//! driver manager): a sandbox, handles, and small wrappers that return
//! Rust values and the SQLSTATEs of failures.
#![allow(dead_code, unused_unsafe)]

use jumpseller_odbc::ffi::*;
use jumpseller_sandbox::{Sandbox, SandboxConfig};
use std::os::raw::c_void;
use std::ptr::{null, null_mut};

pub const SQL_SUCCESS: i16 = 0;
pub const SQL_SUCCESS_WITH_INFO: i16 = 1;
pub const SQL_NO_DATA: i16 = 100;
pub const SQL_ERROR: i16 = -1;
pub const SQL_INVALID_HANDLE: i16 = -2;
pub const SQL_NTS: i32 = -3;
pub const SQL_C_CHAR: i16 = 1;
pub const SQL_C_WCHAR: i16 = -8;
pub const SQL_C_SBIGINT: i16 = -25;
pub const SQL_C_SLONG: i16 = -16;
pub const SQL_C_DOUBLE: i16 = 8;
pub const SQL_C_TYPE_TIMESTAMP: i16 = 93;

pub fn sandbox() -> Sandbox {
    sandbox_with(|_| {})
}

/// A sandbox without rate limits (tests measure requests, not time).
pub fn sandbox_with(f: impl FnOnce(&mut SandboxConfig)) -> Sandbox {
    let mut cfg = SandboxConfig {
        per_second: 0,
        per_minute: 0,
        ..Default::default()
    };
    f(&mut cfg);
    Sandbox::start(cfg).expect("sandbox starts")
}

pub fn conn_str(sb: &Sandbox) -> String {
    format!("URL={};Login=sandbox;AuthToken=sandbox-authtoken;MaxRequestsPerSecond=10000;MaxRequestsPerMinute=600000", sb.url())
}

pub fn env() -> *mut c_void {
    let mut h = null_mut();
    assert_eq!(
        unsafe { SQLAllocHandle(1, null_mut(), &mut h) },
        SQL_SUCCESS
    );
    assert_eq!(
        unsafe { SQLSetEnvAttr(h, 200, 3 as *mut c_void, 0) },
        SQL_SUCCESS
    );
    h
}

pub fn dbc(env: *mut c_void) -> *mut c_void {
    let mut h = null_mut();
    assert_eq!(unsafe { SQLAllocHandle(2, env, &mut h) }, SQL_SUCCESS);
    h
}

/// (return code, completed connection string)
pub fn driver_connect(dbc: *mut c_void, s: &str) -> (i16, String) {
    let mut out = vec![0u8; 4096];
    let mut len = 0i16;
    let rc = unsafe {
        SQLDriverConnect(
            dbc,
            null_mut(),
            s.as_ptr(),
            s.len() as i16,
            out.as_mut_ptr(),
            out.len() as i16,
            &mut len,
            0,
        )
    };
    let n = (len.max(0) as usize).min(out.len());
    (rc, String::from_utf8_lossy(&out[..n]).into_owned())
}

/// A connected (env, dbc) pair.
pub fn connect(sb: &Sandbox) -> (*mut c_void, *mut c_void) {
    let e = env();
    let d = dbc(e);
    let (rc, _) = driver_connect(d, &conn_str(sb));
    assert!(
        rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO,
        "connect failed: {:?}",
        diag(2, d)
    );
    (e, d)
}

/// A connected (env, dbc) pair with extra connection properties.
pub fn connect_with(sb: &Sandbox, extra: &str) -> (*mut c_void, *mut c_void) {
    let e = env();
    let d = dbc(e);
    let (rc, _) = driver_connect(d, &format!("{};{extra}", conn_str(sb)));
    assert_eq!(
        rc,
        SQL_SUCCESS,
        "connect with {extra} failed: {:?}",
        diag(2, d)
    );
    (e, d)
}

pub fn stmt(dbc: *mut c_void) -> *mut c_void {
    let mut h = null_mut();
    assert_eq!(unsafe { SQLAllocHandle(3, dbc, &mut h) }, SQL_SUCCESS);
    h
}

/// All diagnostic records of a handle: (SQLSTATE, message).
pub fn diag(handle_type: i16, h: *mut c_void) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for rec in 1.. {
        let mut state = [0u8; 6];
        let mut native = 0i32;
        let mut msg = vec![0u8; 2048];
        let mut len = 0i16;
        let rc = unsafe {
            SQLGetDiagRec(
                handle_type,
                h,
                rec,
                state.as_mut_ptr(),
                &mut native,
                msg.as_mut_ptr(),
                msg.len() as i16,
                &mut len,
            )
        };
        if rc != SQL_SUCCESS && rc != SQL_SUCCESS_WITH_INFO {
            break;
        }
        out.push((
            String::from_utf8_lossy(&state[..5]).into_owned(),
            String::from_utf8_lossy(&msg[..len as usize]).into_owned(),
        ));
    }
    out
}

pub fn states(handle_type: i16, h: *mut c_void) -> Vec<String> {
    diag(handle_type, h).into_iter().map(|(s, _)| s).collect()
}

pub fn exec(st: *mut c_void, sql: &str) -> i16 {
    unsafe { SQLExecDirect(st, sql.as_ptr(), sql.len() as i32) }
}

/// Column `n` of the current row as text (SQL_C_CHAR, whole value).
pub fn get_text(st: *mut c_void, n: u16) -> Option<String> {
    let mut all = Vec::new();
    loop {
        let mut buf = vec![0u8; 1024];
        let mut ind = 0isize;
        let rc = unsafe {
            SQLGetData(
                st,
                n,
                SQL_C_CHAR,
                buf.as_mut_ptr() as *mut c_void,
                buf.len() as isize,
                &mut ind,
            )
        };
        match rc {
            SQL_NO_DATA => break,
            SQL_SUCCESS | SQL_SUCCESS_WITH_INFO => {
                if ind == -1 {
                    return None;
                }
                let got = if rc == SQL_SUCCESS {
                    ind as usize
                } else {
                    buf.len() - 1
                };
                all.extend_from_slice(&buf[..got]);
                if rc == SQL_SUCCESS {
                    break;
                }
            }
            other => panic!("SQLGetData -> {other}: {:?}", diag(3, st)),
        }
    }
    Some(String::from_utf8(all).expect("UTF-8"))
}

/// Runs a query and returns every row as text.
pub fn query(dbc: *mut c_void, sql: &str) -> Vec<Vec<Option<String>>> {
    let st = stmt(dbc);
    let rc = exec(st, sql);
    assert!(
        rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO,
        "{sql}: {:?}",
        diag(3, st)
    );
    let mut ncols = 0i16;
    unsafe { SQLNumResultCols(st, &mut ncols) };
    let mut rows = Vec::new();
    loop {
        let rc = unsafe { SQLFetch(st) };
        if rc == SQL_NO_DATA {
            break;
        }
        assert!(
            rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO,
            "fetch: {:?}",
            diag(3, st)
        );
        rows.push((1..=ncols as u16).map(|i| get_text(st, i)).collect());
    }
    unsafe { SQLFreeHandle(3, st) };
    rows
}

/// The error states of a query that must fail (prepare, execute or fetch).
pub fn query_error(dbc: *mut c_void, sql: &str) -> Vec<(String, String)> {
    let st = stmt(dbc);
    let mut rc = exec(st, sql);
    while rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO {
        rc = unsafe { SQLFetch(st) };
    }
    assert_eq!(rc, SQL_ERROR, "{sql} was expected to fail");
    let d = diag(3, st);
    unsafe { SQLFreeHandle(3, st) };
    d
}

pub fn disconnect(env: *mut c_void, dbc: *mut c_void) {
    unsafe {
        SQLDisconnect(dbc);
        SQLFreeHandle(2, dbc);
        SQLFreeHandle(1, env);
    }
}

pub fn nul() -> *const u8 {
    null()
}

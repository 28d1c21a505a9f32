//! Helpers for tests that call the driver's C entry points directly (no
//! driver manager): a sandbox, handles, and small wrappers that return
//! Rust values and the SQLSTATEs of failures.
//!
//! # Calling the exports
//!
//! The tests' `unsafe` blocks rely on three things, which every call keeps:
//! - handles are ones the driver gave out, or deliberately bad ones (null,
//!   freed, of another type, random memory): the driver looks every handle
//!   up in its registry, so a bad one is SQL_INVALID_HANDLE, never a
//!   dereference;
//! - every pointer argument is NULL or a live local (array, Vec, string,
//!   variable) at least as long as the length passed with it, and strings
//!   passed with SQL_NTS end with a NUL;
//! - buffers bound with SQLBindCol / SQLBindParameter or set as row-set
//!   attributes are locals that outlive the fetches and executions that use
//!   them; integer attributes travel in the pointer and are never read
//!   through it.
#![allow(dead_code, unused_imports, unused_unsafe)]

use jumpseller_odbc::ffi::*;
use jumpseller_sandbox::{Sandbox, SandboxConfig};
use std::os::raw::c_void;
use std::path::{Path, PathBuf};
use std::ptr::{null, null_mut};
use std::sync::atomic::{AtomicUsize, Ordering};

pub mod backend;
pub mod pg;

// The ODBC vocabulary comes from odbc-sys; the tests see it through `common::*`.
pub use odbc_sys::{
    AttrConnectionPooling, AttrOdbcVersion, CDataType, CompletionType, ConnectionAttribute, Desc,
    DriverConnectOption, EnvironmentAttribute, FetchOrientation, FreeStmtOption, HandleType,
    HeaderDiagnosticIdentifier, InfoType, Len, Nullability, ParamType, SqlDataType, SqlReturn,
    StatementAttribute, ULen, NTS, NULL_DATA,
};

// sqlext.h names odbc-sys does not define: the driver's own definitions
// (src/odbc/sqlext.rs), and two only the tests need.
pub use jumpseller_odbc::odbc::sqlext::{SQL_API_ODBC3_ALL_FUNCTIONS, SQL_BEST_ROWID, SQL_DROP};
/// SQL_API_ODBC3_ALL_FUNCTIONS_SIZE: the bitmap's length in SQLUSMALLINTs.
pub const SQL_API_ODBC3_ALL_FUNCTIONS_SIZE: usize = 250;
/// SQL_SCOPE_CURROW: SQLSpecialColumns' narrowest Scope.
pub const SQL_SCOPE_CURROW: u16 = 0;

// SQLRETURN values as the exports return them: odbc-sys's `SqlReturn` wraps
// the SQLRETURN, these are its `.0`.
pub const SQL_SUCCESS: i16 = SqlReturn::SUCCESS.0;
pub const SQL_SUCCESS_WITH_INFO: i16 = SqlReturn::SUCCESS_WITH_INFO.0;
pub const SQL_NO_DATA: i16 = SqlReturn::NO_DATA.0;
pub const SQL_ERROR: i16 = SqlReturn::ERROR.0;
pub const SQL_INVALID_HANDLE: i16 = SqlReturn::INVALID_HANDLE.0;

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
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { SQLAllocHandle(HandleType::Env as i16, null_mut(), &mut h) },
        SQL_SUCCESS
    );
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe {
            SQLSetEnvAttr(
                h,
                EnvironmentAttribute::OdbcVersion as i32,
                AttrOdbcVersion::Odbc3.into(),
                0,
            )
        },
        SQL_SUCCESS
    );
    h
}

pub fn dbc(env: *mut c_void) -> *mut c_void {
    let mut h = null_mut();
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { SQLAllocHandle(HandleType::Dbc as i16, env, &mut h) },
        SQL_SUCCESS
    );
    h
}

/// (return code, completed connection string)
pub fn driver_connect(dbc: *mut c_void, s: &str) -> (i16, String) {
    let mut out = vec![0u8; 4096];
    let mut len = 0i16;
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    let rc = unsafe {
        SQLDriverConnect(
            dbc,
            null_mut(),
            s.as_ptr(),
            s.len() as i16,
            out.as_mut_ptr(),
            out.len() as i16,
            &mut len,
            DriverConnectOption::NoPrompt as u16,
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
        diag(HandleType::Dbc, d)
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
        diag(HandleType::Dbc, d)
    );
    (e, d)
}

pub fn stmt(dbc: *mut c_void) -> *mut c_void {
    let mut h = null_mut();
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { SQLAllocHandle(HandleType::Stmt as i16, dbc, &mut h) },
        SQL_SUCCESS
    );
    h
}

/// All diagnostic records of a handle: (SQLSTATE, message).
pub fn diag(handle_type: HandleType, h: *mut c_void) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for rec in 1.. {
        let mut state = [0u8; odbc_sys::SQLSTATE_SIZE + 1];
        let mut native = 0i32;
        let mut msg = vec![0u8; 2048];
        let mut len = 0i16;
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        let rc = unsafe {
            SQLGetDiagRec(
                handle_type as i16,
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
            String::from_utf8_lossy(&state[..odbc_sys::SQLSTATE_SIZE]).into_owned(),
            String::from_utf8_lossy(&msg[..len as usize]).into_owned(),
        ));
    }
    out
}

pub fn states(handle_type: HandleType, h: *mut c_void) -> Vec<String> {
    diag(handle_type, h).into_iter().map(|(s, _)| s).collect()
}

/// What SQLDescribeCol tells of a result column.
#[derive(Debug)]
pub struct ColumnDescription {
    pub name: String,
    pub sql_type: i16,
    pub size: u64,
    pub digits: i16,
    pub nullable: i16,
}

/// SQLDescribeCol of column `n` (asserting success).
pub fn describe_column(st: *mut c_void, n: u16) -> ColumnDescription {
    let mut name = [0u8; 256];
    let (mut len, mut sql_type, mut size, mut digits, mut nullable) =
        (0i16, 0i16, 0 as ULen, 0i16, 0i16);
    // SAFETY: see "Calling the exports" above (handles, buffer lengths).
    let rc = unsafe {
        SQLDescribeCol(
            st,
            n,
            name.as_mut_ptr(),
            name.len() as i16,
            &mut len,
            &mut sql_type,
            &mut size,
            &mut digits,
            &mut nullable,
        )
    };
    assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Stmt, st));
    ColumnDescription {
        name: String::from_utf8_lossy(&name[..len as usize]).into_owned(),
        sql_type,
        size: size as u64,
        digits,
        nullable,
    }
}

/// SQLGetStmtAttr of an integer (or handle) attribute, asserting success.
pub fn stmt_attr(st: *mut c_void, attr: StatementAttribute) -> usize {
    let mut v: ULen = 0;
    // SAFETY: see "Calling the exports" above (an SQLULEN-sized local).
    let rc = unsafe {
        SQLGetStmtAttr(
            st,
            attr as i32,
            &mut v as *mut ULen as *mut c_void,
            0,
            null_mut(),
        )
    };
    assert_eq!(
        rc,
        SQL_SUCCESS,
        "{attr:?}: {:?}",
        diag(HandleType::Stmt, st)
    );
    v as usize
}

pub fn exec(st: *mut c_void, sql: &str) -> i16 {
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLExecDirect(st, sql.as_ptr(), sql.len() as i32) }
}

/// Column `n` of the current row as text (CDataType::Char as i16, whole value).
pub fn get_text(st: *mut c_void, n: u16) -> Option<String> {
    let mut all = Vec::new();
    loop {
        let mut buf = vec![0u8; 1024];
        let mut ind: Len = 0;
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        let rc = unsafe {
            SQLGetData(
                st,
                n,
                CDataType::Char as i16,
                buf.as_mut_ptr() as *mut c_void,
                buf.len() as Len,
                &mut ind,
            )
        };
        match rc {
            SQL_NO_DATA => break,
            SQL_SUCCESS | SQL_SUCCESS_WITH_INFO => {
                if ind == NULL_DATA {
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
            other => panic!("SQLGetData -> {other}: {:?}", diag(HandleType::Stmt, st)),
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
        diag(HandleType::Stmt, st)
    );
    let mut ncols = 0i16;
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLNumResultCols(st, &mut ncols) };
    let mut rows = Vec::new();
    loop {
        // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
        let rc = unsafe { SQLFetch(st) };
        if rc == SQL_NO_DATA {
            break;
        }
        assert!(
            rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO,
            "fetch: {:?}",
            diag(HandleType::Stmt, st)
        );
        rows.push((1..=ncols as u16).map(|i| get_text(st, i)).collect());
    }
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLFreeHandle(HandleType::Stmt as i16, st) };
    rows
}

/// The error states of a query that must fail (prepare, execute or fetch).
pub fn query_error(dbc: *mut c_void, sql: &str) -> Vec<(String, String)> {
    let st = stmt(dbc);
    let mut rc = exec(st, sql);
    while rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO {
        // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
        rc = unsafe { SQLFetch(st) };
    }
    assert_eq!(rc, SQL_ERROR, "{sql} was expected to fail");
    let d = diag(HandleType::Stmt, st);
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLFreeHandle(HandleType::Stmt as i16, st) };
    d
}

/// Runs one statement that must succeed with SQL_SUCCESS (a write), on a
/// statement of its own.
pub fn run_ok(d: *mut c_void, sql: &str) {
    let st = stmt(d);
    assert_eq!(
        exec(st, sql),
        SQL_SUCCESS,
        "{sql}: {:?}",
        diag(HandleType::Stmt, st)
    );
    SQLFreeHandle(HandleType::Stmt as i16, st);
}

/// The rows of `sql` answered by an Offline connection to the replica
/// `file` (no network: what the file holds).
pub fn replica_query(file: &Path, sql: &str) -> Vec<Vec<Option<String>>> {
    let e = env();
    let d = dbc(e);
    let s = format!(
        "URL=http://127.0.0.1:9;Login=nobody;AuthToken=none;CacheLocation={};Offline=true",
        file.display()
    );
    let (rc, _) = driver_connect(d, &s);
    assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Dbc, d));
    let rows = query(d, sql);
    disconnect(e, d);
    rows
}

pub fn disconnect(env: *mut c_void, dbc: *mut c_void) {
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe {
        SQLDisconnect(dbc);
        SQLFreeHandle(HandleType::Dbc as i16, dbc);
        SQLFreeHandle(HandleType::Env as i16, env);
    }
}

pub fn nul() -> *const u8 {
    null()
}

/// A fresh, empty directory under the system temp dir, removed with all it
/// holds when the guard is dropped (at the end of the test, or when it
/// panics). Derefs to its `Path`.
pub struct TempDir(PathBuf);

impl TempDir {
    /// `name` says which test made it; the process id and a counter keep
    /// tests running in parallel apart.
    pub fn new(name: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("jumpseller-odbc-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create a temp dir");
        TempDir(path)
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

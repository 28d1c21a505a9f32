#![deny(unsafe_op_in_unsafe_fn)]
//! The C ABI. Every export: look the handle up -> clear its diagnostics ->
//! catch_unwind around the safe layer -> write outputs -> return code. The
//! only module with raw pointers; no ODBC logic lives here.

mod catalog;
mod connect;
mod descriptor;
mod diag;
mod handles;
mod params;
mod scroll;
mod statement;
pub mod strings;

// Re-exported so tests and the header generator see every entry point.
pub use catalog::*;
pub use connect::*;
pub use descriptor::*;
pub use diag::*;
pub use handles::*;
pub use params::*;
pub use scroll::*;
pub use statement::*;

use crate::error::{Error, Kind};
use crate::odbc::descriptor::Desc;
use crate::odbc::diag::Diags;
use crate::odbc::{finish, finish_interjected, handles as reg, is_busy, lock, Conn, Env, Stmt};
use odbc_sys::{HandleType, RetCode, SqlReturn};
use std::os::raw::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

/// Any ODBC handle as the exports take it (SQLHANDLE / SQLHENV / SQLHDBC /
/// SQLHSTMT): an opaque pointer, looked up in the registry before any use.
pub type Handle = *mut c_void;

// SQLRETURN values as the exports return them. odbc-sys's `SqlReturn` is a
// struct (not plain C for the header); its `.0` is the SQLRETURN itself.
const SQL_SUCCESS: RetCode = SqlReturn::SUCCESS.0;
const SQL_SUCCESS_WITH_INFO: RetCode = SqlReturn::SUCCESS_WITH_INFO.0;
const SQL_NO_DATA: RetCode = SqlReturn::NO_DATA.0;
const SQL_ERROR: RetCode = SqlReturn::ERROR.0;
const SQL_INVALID_HANDLE: RetCode = SqlReturn::INVALID_HANDLE.0;

/// The handle type an SQLSMALLINT names, if it is one of ours.
fn handle_kind(raw: i16) -> Option<HandleType> {
    [
        HandleType::Env,
        HandleType::Dbc,
        HandleType::Stmt,
        HandleType::Desc,
    ]
    .into_iter()
    .find(|t| *t as i16 == raw)
}

fn panic_error() -> Error {
    Error::new(Kind::General, "Internal error in the driver (a panic was caught); the operation did not complete. Please report it with the log file.")
}

/// Runs `f` for a live handle of the right kind: diagnostics cleared first,
/// a panic in `f` turned into an error record, the return code computed by
/// `finish`. The lookup, `finish` and the last drop of the handle (after a
/// free) sit inside `guard` too, so nothing unwinds into the caller.
fn run<T, G, F>(h: Handle, get: G, diags: impl Fn(&T) -> &Mutex<Diags>, f: F) -> RetCode
where
    G: Fn(usize) -> Option<Arc<T>>,
    F: FnOnce(&Arc<T>) -> Result<RetCode, Error>,
{
    guard(|| {
        let Some(obj) = get(h as usize) else {
            return SQL_INVALID_HANDLE;
        };
        let d = diags(&obj);
        lock(d).clear();
        let r = catch_unwind(AssertUnwindSafe(|| f(&obj))).unwrap_or_else(|_| Err(panic_error()));
        finish(d, r)
    })
}

/// The handle-free sibling of `run`, for calls and branches that have no
/// live handle to carry a record (allocating an environment, freeing,
/// the diagnostic getters, an invalid handle type): a panic becomes a bare
/// SQL_ERROR instead of unwinding into the caller.
fn guard(f: impl FnOnce() -> RetCode) -> RetCode {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(SQL_ERROR)
}

fn with_env(h: Handle, f: impl FnOnce(&Arc<Env>) -> Result<RetCode, Error>) -> RetCode {
    run(h, reg::env, |e: &Env| &e.diags, f)
}

fn with_conn(h: Handle, f: impl FnOnce(&Arc<Conn>) -> Result<RetCode, Error>) -> RetCode {
    run(h, reg::conn, |c: &Conn| &c.diags, f)
}

fn with_desc(h: Handle, f: impl FnOnce(&Arc<Desc>) -> Result<RetCode, Error>) -> RetCode {
    run(h, reg::desc, |d: &Desc| &d.diags, f)
}

/// `with_conn` for SQLGetInfo: a plain success leaves the connection's
/// diagnostics as they were. Driver managers ask questions of their own
/// between an application's call and its SQLGetDiagRec (unixODBC asks for
/// the cursor behaviours after the first SQLEndTran of a connection, then
/// reads the driver's records), and those must not wipe that call's
/// warnings. A SQLGetInfo that warns or fails has its own records only.
fn with_conn_keeping_diags(
    h: Handle,
    f: impl FnOnce(&Arc<Conn>) -> Result<RetCode, Error>,
) -> RetCode {
    guard(|| {
        let Some(conn) = reg::conn(h as usize) else {
            return SQL_INVALID_HANDLE;
        };
        let before = std::mem::take(&mut *lock(&conn.diags));
        let r = catch_unwind(AssertUnwindSafe(|| f(&conn))).unwrap_or_else(|_| Err(panic_error()));
        let code = finish(&conn.diags, r);
        if code == SQL_SUCCESS {
            *lock(&conn.diags) = before;
        }
        code
    })
}

/// `run` for statements. A call that finds another function running on
/// the statement (an application using it from two threads) must not touch
/// that function's records: it neither clears them nor adds to them, so the
/// running function returns what it would have. Its own error (HY010, when
/// it would change the statement) is interjected instead, first in the list
/// where its caller looks; the running function's `finish` drops it. The
/// statement may also become busy between the check and the call's own
/// (HY010) refusal: that refusal is interjected too.
fn with_stmt(h: Handle, f: impl FnOnce(&Arc<Stmt>) -> Result<RetCode, Error>) -> RetCode {
    guard(|| {
        let Some(stmt) = reg::stmt(h as usize) else {
            return SQL_INVALID_HANDLE;
        };
        let busy = stmt.is_running();
        if busy {
            // Only the previous interjected call's record goes.
            lock(&stmt.diags).records.retain(|r| !r.interjected);
        } else {
            lock(&stmt.diags).clear();
        }
        let r = catch_unwind(AssertUnwindSafe(|| f(&stmt))).unwrap_or_else(|_| Err(panic_error()));
        match r {
            Err(e) if is_busy(&e) => finish_interjected(&stmt.diags, Err(e)),
            r if busy => finish_interjected(&stmt.diags, r),
            r => finish(&stmt.diags, r),
        }
    })
}

//! Bugs found in review of the C entry points: a call refused because the
//! statement is busy leaves the running call's diagnostics alone;
//! SQLFreeHandle with a handle type that is not one, and on an environment
//! that still has connections.

#![warn(clippy::undocumented_unsafe_blocks)]

mod common;
use common::*;
use jumpseller_odbc::ffi::*;
use jumpseller_odbc::odbc::sqlext::SQL_OV_ODBC2;
use jumpseller_sandbox::{Fault, FaultKind};
use std::os::raw::c_void;
use std::ptr::null_mut;
use std::time::{Duration, Instant};

#[test]
fn a_call_refused_on_a_busy_statement_leaves_the_running_calls_records_alone() {
    let sb = sandbox();
    let (e, d) = connect_with(&sb, "Prefetch=0");
    let st = stmt(d);
    sb.set_faults(vec![Fault {
        route: "/v1/orders*".into(),
        kind: FaultKind::Latency {
            ms: 1_500,
            jitter_ms: 0,
        },
        probability: 1.0,
        count: None,
    }]);
    sb.reset_counts();
    let addr = st as usize;
    // A computed column: the execution reads the first (slow) row.
    let runner =
        std::thread::spawn(move || exec(addr as *mut c_void, "SELECT id + 0 AS n FROM Orders"));
    let started = Instant::now();
    while sb.request_count() == 0 {
        assert!(started.elapsed() < Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(10));
    }

    // Refused twice: the caller sees its HY010 (once, the latest).
    assert_eq!(exec(st, "SELECT id FROM Products"), SQL_ERROR);
    // SAFETY: see "Calling the exports" in tests/common (handles).
    assert_eq!(unsafe { SQLFetch(st) }, SQL_ERROR);
    let records = diag(HandleType::Stmt, st);
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].0, "HY010");
    // A call allowed meanwhile answers plainly, whatever the handle holds.
    let mut columns = 0i16;
    // SAFETY: see "Calling the exports" in tests/common (a live local).
    assert_eq!(unsafe { SQLNumResultCols(st, &mut columns) }, SQL_SUCCESS);

    // The running execution returns what it would have alone: plain
    // success, with no record of the refused calls.
    assert_eq!(runner.join().unwrap(), SQL_SUCCESS);
    assert!(diag(HandleType::Stmt, st).is_empty());
    sb.set_faults(vec![]);
    // SAFETY: see "Calling the exports" in tests/common (handles).
    assert_eq!(unsafe { SQLFetch(st) }, SQL_SUCCESS);
    disconnect(e, d);
}

#[test]
fn freeing_with_a_handle_type_that_is_not_one_is_an_invalid_handle() {
    let e = env();
    let d = dbc(e);
    for bad in [0i16, 5, 99, -1] {
        for h in [e, d] {
            assert_eq!(SQLFreeHandle(bad, h), SQL_INVALID_HANDLE, "type {bad}");
        }
    }
    // Both handles are still alive.
    let mut version = 0u32;
    // SAFETY: see "Calling the exports" in tests/common (a live local).
    let rc = unsafe {
        SQLGetEnvAttr(
            e,
            EnvironmentAttribute::OdbcVersion as i32,
            (&mut version as *mut u32).cast(),
            0,
            null_mut(),
        )
    };
    assert_eq!(rc, SQL_SUCCESS);
    assert_eq!(SQLFreeHandle(HandleType::Dbc as i16, d), SQL_SUCCESS);
    assert_eq!(SQLFreeHandle(HandleType::Env as i16, e), SQL_SUCCESS);
}

#[test]
fn an_environment_with_connections_is_not_freed() {
    let e = env();
    let (d1, d2) = (dbc(e), dbc(e));
    assert_eq!(SQLFreeHandle(HandleType::Env as i16, e), SQL_ERROR);
    assert_eq!(states(HandleType::Env, e), ["HY010"]);
    assert_eq!(SQLFreeHandle(HandleType::Dbc as i16, d1), SQL_SUCCESS);
    assert_eq!(SQLFreeHandle(HandleType::Env as i16, e), SQL_ERROR);
    // The connection left is still usable.
    assert_eq!(SQLFreeHandle(HandleType::Dbc as i16, d2), SQL_SUCCESS);
    assert_eq!(SQLFreeHandle(HandleType::Env as i16, e), SQL_SUCCESS);
    assert_eq!(SQLFreeHandle(HandleType::Env as i16, e), SQL_INVALID_HANDLE);
}

/// An environment that declares itself an ODBC 2 application.
fn odbc2_env() -> *mut c_void {
    let mut e = null_mut();
    // SAFETY: see "Calling the exports" in tests/common (handles; an
    // integer attribute travels in the pointer).
    unsafe {
        assert_eq!(
            SQLAllocHandle(HandleType::Env as i16, null_mut(), &mut e),
            SQL_SUCCESS
        );
        assert_eq!(
            SQLSetEnvAttr(
                e,
                EnvironmentAttribute::OdbcVersion as i32,
                SQL_OV_ODBC2 as usize as *mut c_void,
                0
            ),
            SQL_SUCCESS
        );
    }
    e
}

/// Appendix A, "SQLSTATE Mappings": with SQL_ATTR_ODBC_VERSION =
/// SQL_OV_ODBC2 the driver posts ODBC 2 SQLSTATEs — 22005 for 22018,
/// 22008 for 22007, 37000 for 42000, S1xxx for HYxxx; ODBC 3 applications
/// keep the ODBC 3 codes.
#[test]
fn odbc2_applications_get_odbc2_sqlstates() {
    let sb = sandbox();
    let cases = [
        ("SELECT {fn CONVERT('abc', SQL_INTEGER)}", "22018", "22005"),
        ("SELECT CAST('not a date' AS DATE)", "22007", "22008"),
        ("SELEC 1", "42000", "37000"),
        ("SELECT * FROM NoSuchTable", "42S02", "S0002"),
    ];
    for version in [3, 2] {
        let e = if version == 2 { odbc2_env() } else { env() };
        let d = dbc(e);
        assert_eq!(driver_connect(d, &conn_str(&sb)).0, SQL_SUCCESS);
        for (sql, v3, v2) in cases {
            let st = stmt(d);
            assert_eq!(exec(st, sql), SQL_ERROR, "{sql}");
            let expected = if version == 2 { v2 } else { v3 };
            assert_eq!(
                states(HandleType::Stmt, st),
                [expected],
                "{sql} (ODBC {version})"
            );
            SQLFreeHandle(HandleType::Stmt as i16, st);
        }
        disconnect(e, d);
    }
}

//! Statement-scoped state: a cancel or a query timeout belongs to one
//! statement; the other statements of the same connection go on untouched.
//! These call the driver's exports directly (no driver manager). SQLCancel
//! only reaches a function that is running (ODBC 3.5), so the cancels here
//! are sent while a fetch waits for a slowed-down page.
#![warn(clippy::undocumented_unsafe_blocks)]
// The exports that take only handles may or may not be declared unsafe.
#![allow(unused_unsafe)]

mod common;
use common::*;
use jumpseller_odbc::ffi::*;
use jumpseller_sandbox::{Fault, FaultKind, Sandbox};
use std::os::raw::c_void;
use std::time::{Duration, Instant};

/// Executes `sql` and fetches one row; the cursor stays open.
fn open_cursor(st: *mut c_void, sql: &str) {
    assert_eq!(
        exec(st, sql),
        SQL_SUCCESS,
        "{:?}",
        diag(HandleType::Stmt, st)
    );
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
        unsafe { SQLFetch(st) },
        SQL_SUCCESS,
        "{:?}",
        diag(HandleType::Stmt, st)
    );
}

/// Fetches to the end: (rows fetched, the final return code).
fn drain(st: *mut c_void) -> (usize, i16) {
    let mut rows = 0;
    loop {
        // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
        let rc = unsafe { SQLFetch(st) };
        if rc != SQL_SUCCESS && rc != SQL_SUCCESS_WITH_INFO {
            return (rows, rc);
        }
        rows += 1;
    }
}

/// Drains `st` in another thread with the orders pages slowed down, and
/// calls SQLCancel on it once a page request is under way, so the cancel
/// reaches a running SQLFetch. Returns what the drain came to.
fn drain_and_cancel_midway(sb: &Sandbox, st: *mut c_void) -> (usize, i16) {
    sb.set_faults(vec![Fault {
        route: "/v1/orders/after/*".into(),
        kind: FaultKind::Latency {
            ms: 1_000,
            jitter_ms: 0,
        },
        probability: 1.0,
        count: None,
    }]);
    sb.reset_counts();
    let addr = st as usize;
    let reader = std::thread::spawn(move || drain(addr as *mut c_void));
    let started = Instant::now();
    while sb.request_count() == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no page request"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    assert_eq!(unsafe { SQLCancel(st) }, SQL_SUCCESS);
    let drained = reader.join().unwrap();
    sb.set_faults(vec![]);
    drained
}

#[test]
fn cancelling_one_statement_leaves_the_others_of_its_connection_running() {
    // 400 orders: four pages each, so both scans still have requests to make.
    let sb = sandbox();
    let (e, d) = connect_with(&sb, "Prefetch=0");
    let (a, b) = (stmt(d), stmt(d));
    open_cursor(a, "SELECT id FROM Orders");
    open_cursor(b, "SELECT id FROM Orders");
    let (_, rc) = drain_and_cancel_midway(&sb, a);
    assert_eq!(rc, SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, a)[0], "HY008");

    let (rows, rc) = drain(b);
    assert_eq!(
        rc,
        SQL_NO_DATA,
        "the other statement fails: {:?}",
        diag(HandleType::Stmt, b)
    );
    assert_eq!(rows, 399, "the other statement reads every remaining row");
    disconnect(e, d);
}

#[test]
fn executing_a_statement_does_not_clear_another_ones_cancel() {
    let sb = sandbox();
    let (e, d) = connect_with(&sb, "Prefetch=0");
    let (a, b) = (stmt(d), stmt(d));
    open_cursor(a, "SELECT id FROM Orders");
    // Before statements had their own tokens, an execute lowered the
    // connection-wide flag and statement a read on as if never cancelled.
    let addr = b as usize;
    let other = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        open_cursor(addr as *mut c_void, "SELECT id FROM Products");
    });
    let (_, rc) = drain_and_cancel_midway(&sb, a);
    other.join().unwrap();
    assert_eq!(rc, SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, a)[0], "HY008");
    let (_, rc) = drain(b);
    assert_eq!(rc, SQL_NO_DATA, "{:?}", diag(HandleType::Stmt, b));
    disconnect(e, d);
}

#[test]
fn a_cancelled_statement_runs_again_when_executed_again() {
    let sb = sandbox();
    let (e, d) = connect_with(&sb, "Prefetch=0");
    let a = stmt(d);
    open_cursor(a, "SELECT id FROM Orders");
    let (_, rc) = drain_and_cancel_midway(&sb, a);
    assert_eq!(rc, SQL_ERROR);
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLFreeStmt(a, FreeStmtOption::Close as u16) };
    open_cursor(a, "SELECT id FROM Orders");
    let (rows, rc) = drain(a);
    assert_eq!(
        (rows, rc),
        (399, SQL_NO_DATA),
        "{:?}",
        diag(HandleType::Stmt, a)
    );
    disconnect(e, d);
}

#[test]
fn two_threads_read_two_statements_of_one_connection_at_once() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let (a, b) = (stmt(d) as usize, stmt(d) as usize);
    let read = |h: usize, sql: &'static str| {
        std::thread::spawn(move || {
            let st = h as *mut c_void;
            assert_eq!(
                exec(st, sql),
                SQL_SUCCESS,
                "{:?}",
                diag(HandleType::Stmt, st)
            );
            drain(st)
        })
    };
    let ta = read(a, "SELECT id FROM Orders");
    let tb = read(
        b,
        "SELECT o.id FROM Orders o JOIN Customers c ON c.id = o.customer_id",
    );
    assert_eq!(ta.join().unwrap(), (400, SQL_NO_DATA));
    let (rows, rc) = tb.join().unwrap();
    assert_eq!(rc, SQL_NO_DATA);
    assert!(rows > 0);
    disconnect(e, d);
}

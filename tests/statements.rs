//! Statement-scoped state: a cancel or a query timeout belongs to one
//! statement; the other statements of the same connection go on untouched.
//! These call the driver's exports directly (no driver manager).
// The exports that take only handles may or may not be declared unsafe.
#![allow(unused_unsafe)]

mod common;
use common::*;
use jumpseller_odbc::ffi::*;
use std::os::raw::c_void;

/// Executes `sql` and fetches one row; the cursor stays open.
fn open_cursor(st: *mut c_void, sql: &str) {
    assert_eq!(
        exec(st, sql),
        SQL_SUCCESS,
        "{:?}",
        diag(HandleType::Stmt, st)
    );
    assert_eq!(
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
        let rc = unsafe { SQLFetch(st) };
        if rc != SQL_SUCCESS && rc != SQL_SUCCESS_WITH_INFO {
            return (rows, rc);
        }
        rows += 1;
    }
}

#[test]
fn cancelling_one_statement_leaves_the_others_of_its_connection_running() {
    // 400 orders: four pages each, so both scans still have requests to make.
    let sb = sandbox();
    let (e, d) = connect_with(&sb, "Prefetch=0");
    let (a, b) = (stmt(d), stmt(d));
    open_cursor(a, "SELECT id FROM Orders");
    open_cursor(b, "SELECT id FROM Orders");
    assert_eq!(unsafe { SQLCancel(a) }, SQL_SUCCESS);

    let (rows, rc) = drain(b);
    assert_eq!(
        rc,
        SQL_NO_DATA,
        "the other statement fails: {:?}",
        diag(HandleType::Stmt, b)
    );
    assert_eq!(rows, 399, "the other statement reads every remaining row");

    let (_, rc) = drain(a);
    assert_eq!(rc, SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, a)[0], "HY008");
    disconnect(e, d);
}

#[test]
fn executing_a_statement_does_not_clear_another_ones_cancel() {
    let sb = sandbox();
    let (e, d) = connect_with(&sb, "Prefetch=0");
    let (a, b) = (stmt(d), stmt(d));
    open_cursor(a, "SELECT id FROM Orders");
    assert_eq!(unsafe { SQLCancel(a) }, SQL_SUCCESS);
    // Before statements had their own tokens, this execute lowered the
    // connection-wide flag and statement a read on as if never cancelled.
    open_cursor(b, "SELECT id FROM Products");
    let (_, rc) = drain(a);
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
    assert_eq!(unsafe { SQLCancel(a) }, SQL_SUCCESS);
    let (_, rc) = drain(a);
    assert_eq!(rc, SQL_ERROR);
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

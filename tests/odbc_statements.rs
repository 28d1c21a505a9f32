//! A statement while one of its functions runs: the other functions answer
//! at once (attributes, diagnostics) or refuse with HY010 instead of
//! waiting for the network; SQLCancel reaches only a running function.
#![warn(clippy::undocumented_unsafe_blocks)]
#![allow(unused_unsafe)]

mod common;
use common::*;
use jumpseller_odbc::ffi::*;
use jumpseller_sandbox::{Fault, FaultKind, Sandbox};
use odbc_sys::StatementAttribute;
use std::os::raw::c_void;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Every request for orders takes this long, so a query on Orders is
/// still running while the test looks at its statement.
const SLOW_MS: u64 = 2_000;

fn slow_orders(sb: &Sandbox) {
    sb.set_faults(vec![Fault {
        route: "/v1/orders/after/*".into(),
        kind: FaultKind::Latency {
            ms: SLOW_MS,
            jitter_ms: 0,
        },
        probability: 1.0,
        count: None,
    }]);
}

/// Runs `call` on `st` in another thread and returns once its first
/// request has reached the sandbox: the call is under way and stays so for
/// about SLOW_MS.
fn in_background(
    sb: &Sandbox,
    st: *mut c_void,
    call: impl FnOnce(*mut c_void) -> i16 + Send + 'static,
) -> JoinHandle<i16> {
    sb.reset_counts();
    let addr = st as usize;
    let runner = std::thread::spawn(move || call(addr as *mut c_void));
    let started = Instant::now();
    while sb.request_count() == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the query never sent a request"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    runner
}

/// Runs `f` and asserts it answered without waiting for the running
/// request (which takes SLOW_MS).
fn promptly<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let answer = f();
    assert!(
        started.elapsed() < Duration::from_millis(SLOW_MS / 2),
        "{what} waited {:?} for the running function",
        started.elapsed()
    );
    answer
}

// A computed column has no declared type, so SQLExecDirect reads the first
// row (one slow request) to learn it: the execution itself is slow.
const SLOW_QUERY: &str = "SELECT id + 0 AS n FROM Orders";

#[test]
fn attributes_and_diagnostics_answer_while_execute_runs() {
    let sb = sandbox();
    let (e, d) = connect_with(&sb, "Prefetch=0");
    let st = stmt(d);
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { SQLSetStmtAttr(st, StatementAttribute::MaxRows as i32, 7 as *mut c_void, 0) },
        SQL_SUCCESS
    );
    slow_orders(&sb);
    let runner = in_background(&sb, st, |st| exec(st, SLOW_QUERY));

    let mut max_rows = 0u64;
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    let rc = promptly("SQLGetStmtAttr", || unsafe {
        SQLGetStmtAttr(
            st,
            StatementAttribute::MaxRows as i32,
            &mut max_rows as *mut u64 as *mut c_void,
            0,
            std::ptr::null_mut(),
        )
    });
    assert_eq!((rc, max_rows), (SQL_SUCCESS, 7));
    // No diagnostics yet, and asking does not wait either.
    assert!(promptly("SQLGetDiagRec", || diag(HandleType::Stmt, st)).is_empty());
    let mut columns = 0i16;
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    let rc = promptly("SQLNumResultCols", || unsafe {
        SQLNumResultCols(st, &mut columns)
    });
    assert_eq!((rc, columns), (SQL_SUCCESS, 1));

    assert_eq!(runner.join().unwrap(), SQL_SUCCESS);
    sb.set_faults(vec![]);
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    assert_eq!(unsafe { SQLFetch(st) }, SQL_SUCCESS);
    disconnect(e, d);
}

#[test]
fn a_second_function_on_a_busy_statement_is_a_sequence_error() {
    let sb = sandbox();
    let (e, d) = connect_with(&sb, "Prefetch=0");
    let st = stmt(d);
    slow_orders(&sb);
    let runner = in_background(&sb, st, |st| exec(st, SLOW_QUERY));

    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    assert_eq!(promptly("SQLFetch", || unsafe { SQLFetch(st) }), SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, st), vec!["HY010"]);
    let rc = promptly("SQLExecDirect", || exec(st, "SELECT id FROM Products"));
    assert_eq!(rc, SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, st), vec!["HY010"]);

    // The running execution is not disturbed: it completes (the refused
    // calls' records are not its own) and its cursor delivers rows.
    assert_eq!(runner.join().unwrap(), SQL_SUCCESS);
    sb.set_faults(vec![]);
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    assert_eq!(unsafe { SQLFetch(st) }, SQL_SUCCESS);
    assert!(get_text(st, 1).is_some());
    disconnect(e, d);
}

#[test]
fn a_cancel_between_fetches_has_no_effect() {
    let sb = sandbox();
    // One row per page and no read-ahead: every fetch sends a request, the
    // place where a raised cancel flag would be seen.
    let (e, d) = connect_with(&sb, "Pagesize=1;Prefetch=0");
    let st = stmt(d);
    // (No ORDER BY: sorting would read every page during the first fetch.)
    assert_eq!(exec(st, "SELECT id FROM Products"), SQL_SUCCESS);
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    assert_eq!(unsafe { SQLFetch(st) }, SQL_SUCCESS);
    // Nothing runs on the statement: per ODBC 3.5, SQLCancel does nothing.
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    assert_eq!(unsafe { SQLCancel(st) }, SQL_SUCCESS);
    sb.reset_counts();
    for _ in 0..3 {
        assert_eq!(
            // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
            unsafe { SQLFetch(st) },
            SQL_SUCCESS,
            "{:?}",
            diag(HandleType::Stmt, st)
        );
    }
    assert_eq!(sb.request_count(), 3, "each fetch should have read a page");
    disconnect(e, d);
}

#[test]
fn attributes_answer_while_fetch_runs() {
    let sb = sandbox();
    // One row a page: executing reads the first row, the second fetch the
    // next page, slowly.
    let (e, d) = connect_with(&sb, "Prefetch=0;Pagesize=1");
    let st = stmt(d);
    slow_orders(&sb);
    assert_eq!(exec(st, "SELECT id FROM Orders"), SQL_SUCCESS);
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    assert_eq!(unsafe { SQLFetch(st) }, SQL_SUCCESS);
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    let runner = in_background(&sb, st, |st| unsafe { SQLFetch(st) });

    let mut array_size = 0u64;
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    let rc = promptly("SQLGetStmtAttr", || unsafe {
        SQLGetStmtAttr(
            st,
            StatementAttribute::RowArraySize as i32,
            &mut array_size as *mut u64 as *mut c_void,
            0,
            std::ptr::null_mut(),
        )
    });
    assert_eq!((rc, array_size), (SQL_SUCCESS, 1));
    let rc = promptly("SQLGetData", || {
        let mut buf = [0u8; 32];
        let mut ind = 0isize;
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe {
            SQLGetData(
                st,
                1,
                CDataType::Char as i16,
                buf.as_mut_ptr() as *mut c_void,
                32,
                &mut ind,
            )
        }
    });
    assert_eq!(rc, SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, st), vec!["HY010"]);

    let rc = runner.join().unwrap();
    assert!(rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO, "{rc}");
    assert!(get_text(st, 1).is_some());
    disconnect(e, d);
}

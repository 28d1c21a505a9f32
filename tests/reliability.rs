//! Waits that give way and failures with the right SQLSTATE (issue 14.4, 14.10):
//! a cancel during a rate-limit ban or a stalled answer is obeyed within a
//! second and sends nothing more; a query timeout ends a stall; a server
//! that disappears mid-session is 08S01; a body that stalls past `Timeout` is
//! HYT00. Direct calls into the driver against the sandbox.

#![warn(clippy::undocumented_unsafe_blocks)]

mod common;
use common::*;
use jumpseller_odbc::ffi::*;
use jumpseller_sandbox::{Fault, FaultKind, Sandbox};
use std::os::raw::c_void;
use std::time::{Duration, Instant};

/// Executes `sql` and fetches to the end on `st`: the final return code.
fn run_to_end(st: *mut c_void, sql: &str) -> i16 {
    let mut rc = exec(st, sql);
    while rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO {
        // SAFETY: see "Calling the exports" in tests/common; nothing is bound.
        rc = unsafe { SQLFetch(st) };
    }
    rc
}

/// Runs `sql` on a thread, cancels it after `after`: (rc, time from the
/// cancel to the return, requests the sandbox got after the cancel returned).
fn cancel_after(
    sb: &Sandbox,
    d: *mut c_void,
    sql: &'static str,
    after: Duration,
) -> (i16, Duration, u64) {
    let st = stmt(d);
    let addr = st as usize;
    let runner = std::thread::spawn(move || {
        let rc = run_to_end(addr as *mut c_void, sql);
        (rc, Instant::now())
    });
    std::thread::sleep(after);
    let cancelled_at = Instant::now();
    assert_eq!(SQLCancel(st), SQL_SUCCESS);
    let (rc, returned_at) = runner.join().unwrap();
    let seen = sb.requests_by_route().values().sum::<u64>();
    std::thread::sleep(Duration::from_millis(600));
    let after_cancel = sb.requests_by_route().values().sum::<u64>() - seen;
    assert_eq!(
        states(HandleType::Stmt, st).first().map(String::as_str),
        Some("HY008")
    );
    (
        rc,
        returned_at.saturating_duration_since(cancelled_at),
        after_cancel,
    )
}

#[test]
fn a_cancel_during_a_rate_limit_ban_is_obeyed_within_a_second() {
    // One request a second, banned for an hour at the first excess.
    let sb = sandbox_with(|c| {
        c.per_second = 1;
        c.per_minute = 0;
        c.ban_after = 1;
        c.ban_secs = 3600;
    });
    let (e, d) = connect_with(&sb, "Prefetch=0");
    std::thread::sleep(Duration::from_millis(1100));
    sb.reset_counts();
    let (rc, latency, after) =
        cancel_after(&sb, d, "SELECT id FROM Orders", Duration::from_millis(1500));
    assert_eq!(rc, SQL_ERROR);
    assert!(
        latency < Duration::from_secs(1),
        "the cancel took {latency:?}"
    );
    assert_eq!(after, 0, "requests were sent after the cancel");
    disconnect(e, d);
}

/// A sandbox whose answers on `route` stall for `ms` milliseconds, and a
/// connection to it with `options`.
fn stalled(route: &str, ms: u64, options: &str) -> (Sandbox, *mut c_void, *mut c_void) {
    let sb = sandbox();
    let (e, d) = connect_with(&sb, options);
    sb.set_faults(vec![Fault {
        route: route.into(),
        kind: FaultKind::Stall(ms),
        probability: 1.0,
        count: None,
    }]);
    (sb, e, d)
}

/// A scan of Orders whose pages on `route` stall (without a Timeout),
/// cancelled `after` it starts: it ends in error within a second of the
/// cancel. Returns the sandbox (its counts) and the requests after the
/// cancel returned.
fn cancel_a_stalled_scan(route: &str, options: &str, after: Duration) -> (Sandbox, u64) {
    let (sb, e, d) = stalled(route, 60_000, options);
    sb.reset_counts();
    let (rc, latency, requests_after) = cancel_after(&sb, d, "SELECT id FROM Orders", after);
    assert_eq!(rc, SQL_ERROR);
    assert!(
        latency < Duration::from_secs(1),
        "the cancel took {latency:?}"
    );
    sb.set_faults(vec![]);
    disconnect(e, d);
    (sb, requests_after)
}

#[test]
fn a_cancel_ends_a_stalled_answer_even_without_a_timeout() {
    let (_, after) = cancel_a_stalled_scan(
        "/v1/orders/after/*",
        "Timeout=0",
        Duration::from_millis(500),
    );
    assert_eq!(after, 0);
}

/// The first page answers; the next one, asked ahead by a request thread
/// (which waits for its answer where it is), stalls: the reader, waiting
/// for that thread, still gives up at the cancel.
#[test]
fn a_cancel_ends_the_wait_for_a_stalled_page_asked_ahead() {
    let (sb, _) = cancel_a_stalled_scan(
        "/v1/orders/after/1*",
        "Timeout=0;Prefetch=4",
        Duration::from_millis(800),
    );
    let asked = sb.requests_by_route();
    let pages = asked.get("GET /orders/after/{id}.json").copied();
    assert!(
        pages.unwrap_or(0) >= 2,
        "no page was asked ahead: {asked:?}"
    );
}

/// A page asked ahead stalls past the request Timeout; the statement is
/// cancelled and executed again (a statement that asks the API nothing)
/// before that request times out. Its request thread, still waiting where
/// it is, belongs to a run that ended: it sends no retry for it, though
/// the new run lowered the cancel flag.
#[test]
fn a_request_thread_of_a_cancelled_run_sends_no_retry_in_the_next_run() {
    let (sb, e, d) = stalled("/v1/orders/after/1*", 60_000, "Timeout=1;Prefetch=4");
    let st = stmt(d);
    let addr = st as usize;
    let runner =
        std::thread::spawn(move || run_to_end(addr as *mut c_void, "SELECT id FROM Orders"));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(SQLCancel(st), SQL_SUCCESS);
    assert_eq!(runner.join().unwrap(), SQL_ERROR);
    let pages = || {
        sb.requests_by_route()
            .get("GET /orders/after/{id}.json")
            .copied()
    };
    let before = pages();
    assert_eq!(run_to_end(st, "SELECT 1"), SQL_NO_DATA);
    // Past the stalled request's Timeout and a retry's pause.
    std::thread::sleep(Duration::from_millis(3500));
    assert_eq!(
        pages(),
        before,
        "a request was sent again for the ended run"
    );
    sb.set_faults(vec![]);
    disconnect(e, d);
}

#[test]
fn a_query_timeout_ends_a_stalled_answer() {
    let (sb, e, d) = stalled("/v1/orders/after/*", 60_000, "Timeout=0");
    let st = stmt(d);
    // An integer attribute travels in the pointer argument.
    let rc = SQLSetStmtAttr(
        st,
        StatementAttribute::QueryTimeout as i32,
        std::ptr::without_provenance_mut::<c_void>(1),
        0,
    );
    assert_eq!(rc, SQL_SUCCESS);
    let started = Instant::now();
    assert_eq!(run_to_end(st, "SELECT id FROM Orders"), SQL_ERROR);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(states(HandleType::Stmt, st)[0], "HYT00");
    sb.set_faults(vec![]);
    disconnect(e, d);
}

#[test]
fn a_server_that_disappears_mid_session_is_08s01() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    drop(sb);
    let errors = query_error(d, "SELECT id FROM Orders");
    assert_eq!(errors[0].0, "08S01", "{errors:?}");
    disconnect(e, d);
}

#[test]
fn a_body_that_stalls_past_the_timeout_is_hyt00() {
    let (sb, e, d) = stalled("/v1/orders/after/*", 10_000, "Timeout=1");
    let errors = query_error(d, "SELECT id FROM Orders");
    assert_eq!(errors[0].0, "HYT00", "{errors:?}");
    sb.set_faults(vec![]);
    disconnect(e, d);
}

#[test]
fn disconnect_while_a_statement_runs_is_hy010_and_works_after_it() {
    let sb = sandbox();
    let (e, d) = connect_with(&sb, "Prefetch=0");
    sb.set_faults(vec![Fault {
        route: "/v1/orders*".into(),
        kind: FaultKind::Latency {
            ms: 400,
            jitter_ms: 0,
        },
        probability: 1.0,
        count: None,
    }]);
    let st = stmt(d);
    let addr = st as usize;
    let runner =
        std::thread::spawn(move || run_to_end(addr as *mut c_void, "SELECT id FROM Orders"));
    std::thread::sleep(Duration::from_millis(200));
    let rc = SQLDisconnect(d);
    assert_eq!(rc, SQL_ERROR, "disconnected under a running statement");
    assert_eq!(states(HandleType::Dbc, d)[0], "HY010");
    assert_eq!(SQLCancel(st), SQL_SUCCESS);
    runner.join().unwrap();
    sb.set_faults(vec![]);
    disconnect(e, d);
}

/// (SQLSTATE, message) of the first error of `sql`, or None when it works.
fn outcome(d: *mut c_void, sql: &str) -> Option<(String, String)> {
    let st = stmt(d);
    let rc = exec(st, sql);
    if rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO || rc == SQL_NO_DATA {
        return None;
    }
    diag(HandleType::Stmt, st).into_iter().next()
}

#[test]
fn a_delete_whose_answer_was_lost_is_a_success() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let name = query(d, "SELECT name FROM Categories WHERE id = 12")[0][0]
        .clone()
        .unwrap();
    // The DELETE is applied, then its answer is cut short: the retry finds 404.
    sb.set_faults(vec![Fault {
        route: "/v1/categories/12.json".into(),
        kind: FaultKind::Truncate,
        probability: 1.0,
        count: Some(1),
    }]);
    let sql = format!(
        "DELETE FROM Categories WHERE name = '{}'",
        name.replace('\'', "''")
    );
    assert_eq!(outcome(d, &sql), None);
    assert!(query(d, "SELECT id FROM Categories WHERE id = 12").is_empty());
    sb.set_faults(vec![]);
    disconnect(e, d);
}

#[test]
fn a_post_whose_answer_was_lost_says_the_outcome_is_unknown() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    sb.set_faults(vec![Fault {
        route: "/v1/categories.json".into(),
        kind: FaultKind::Truncate,
        probability: 1.0,
        count: Some(1),
    }]);
    let (state, message) =
        outcome(d, "INSERT INTO Categories (name) VALUES ('Lost answer')").unwrap();
    assert_eq!(state, "08S01", "{message}");
    assert!(
        message.contains("outcome") && message.contains("unknown"),
        "{message}"
    );
    sb.set_faults(vec![]);
    // It was in fact created: running it again would have made a duplicate.
    let made = query(
        d,
        "SELECT COUNT(*) FROM Categories WHERE name = 'Lost answer'",
    );
    assert_eq!(made[0][0].as_deref(), Some("1"));
    disconnect(e, d);
}

#[test]
fn a_multi_row_insert_failing_midway_names_the_rows_already_written() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    // The third row has no name: the API refuses it after two were created.
    let sql = "INSERT INTO Categories (name) SELECT 'First' UNION ALL SELECT 'Second' UNION ALL SELECT NULL";
    let (state, message) = outcome(d, sql).unwrap();
    assert_eq!(state, "23000", "{message}");
    assert!(
        message.contains("Already written by this statement: 2 write(s)"),
        "{message}"
    );
    assert!(message.contains("(id "), "{message}");
    disconnect(e, d);
}

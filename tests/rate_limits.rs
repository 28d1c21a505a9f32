//! Rate limits (issue 14.5): a `Retry-After` on a 429 or 503 is honoured
//! (one request, not 61, in the three seconds after `Retry-After: 30`), and
//! the processes of one machine share a store's budget: four processes each
//! configured for the store's full 20/s, against a sandbox enforcing 20/s,
//! draw under 5 % 429s and no ban. Direct calls into the driver; the four
//! processes are children of this test binary running `child_scan`.
//! A scan against a sandbox whose answers come after a jittered delay (it
//! counts each request at a different point between its arrival and its
//! answer) draws no 429 at all.
//!
//! The tests print their figures (`cargo test --test rate_limits -- --nocapture`);
//! docs/reliability.md quotes them.

#![warn(clippy::undocumented_unsafe_blocks)]

mod common;
use common::*;
use jumpseller_odbc::ffi::*;
use jumpseller_sandbox::{Fault, FaultKind, Sandbox};
use std::os::raw::c_void;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Set in a child process: the sandbox URL its scan reads.
const CHILD_URL: &str = "JUMPSELLER_RATE_LIMITS_CHILD_URL";
/// Processes in the shared-budget test.
const PROCESSES: usize = 4;
/// Orders in the sandbox of that test, read 10 a page: 40 pages a process.
const ORDERS: u64 = 400;

/// The store's real budget (20/s, 800/min) and pages of 10 rows.
fn real_budget_conn_str(url: &str) -> String {
    format!(
        "URL={url};Login=sandbox;AuthToken=sandbox-authtoken;MaxRequestsPerSecond=20;MaxRequestsPerMinute=800;Pagesize=10"
    )
}

/// Executes `sql` and fetches to the end on `st`: (final return code, rows).
fn run_to_end(st: *mut c_void, sql: &str) -> (i16, u64) {
    let mut rc = exec(st, sql);
    let mut rows = 0;
    while rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO {
        // SAFETY: see "Calling the exports" in tests/common; nothing is bound.
        rc = unsafe { SQLFetch(st) };
        if rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO {
            rows += 1;
        }
    }
    (rc, rows)
}

fn fault(kind: FaultKind, count: Option<u64>) -> Vec<Fault> {
    vec![Fault {
        route: "/v1/*".into(),
        kind,
        probability: 1.0,
        count,
    }]
}

#[test]
fn a_retry_after_of_30_seconds_is_honoured() {
    let sb = sandbox();
    let (e, d) = connect_with(&sb, "Prefetch=0");
    sb.set_faults(fault(
        FaultKind::RetryAfter {
            secs: 30,
            status: 429,
        },
        None,
    ));
    sb.reset_counts();
    let st = stmt(d);
    let addr = st as usize;
    let runner =
        std::thread::spawn(move || run_to_end(addr as *mut c_void, "SELECT id FROM Orders"));
    std::thread::sleep(Duration::from_secs(3));
    let sent = sb.request_count();
    assert_eq!(SQLCancel(st), SQL_SUCCESS);
    let (rc, _) = runner.join().unwrap();
    println!("requests in the 3 s after a 429 with Retry-After: 30: {sent}");
    assert_eq!(rc, SQL_ERROR);
    assert_eq!(
        states(HandleType::Stmt, st).first().map(String::as_str),
        Some("HY008")
    );
    // Before the fix: 61 (a 50 ms hold each), then the query failed.
    assert_eq!(sent, 1, "requests were sent during the Retry-After");
    sb.set_faults(vec![]);
    disconnect(e, d);
}

#[test]
fn a_429_with_retry_after_waits_and_then_completes() {
    let sb = sandbox();
    let (e, d) = connect_with(&sb, "Prefetch=0");
    sb.set_faults(fault(
        FaultKind::RetryAfter {
            secs: 1,
            status: 429,
        },
        Some(2),
    ));
    sb.reset_counts();
    let started = Instant::now();
    let (rc, rows) = run_to_end(stmt(d), "SELECT id FROM Orders");
    let took = started.elapsed();
    assert_eq!(rc, SQL_NO_DATA);
    assert_eq!(rows, 400);
    // Two throttles, each held a second (plus up to 10 % spread).
    assert!(took >= Duration::from_millis(1_950), "{took:?}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    disconnect(e, d);
}

#[test]
fn a_503_with_retry_after_waits_that_long() {
    let sb = sandbox();
    let (e, d) = connect_with(&sb, "Prefetch=0");
    sb.set_faults(fault(
        FaultKind::RetryAfter {
            secs: 2,
            status: 503,
        },
        Some(1),
    ));
    sb.reset_counts();
    let started = Instant::now();
    let (rc, rows) = run_to_end(stmt(d), "SELECT id FROM Orders");
    let took = started.elapsed();
    assert_eq!(rc, SQL_NO_DATA);
    assert_eq!(rows, 400);
    // The backoff alone would have been 0.1-0.2 s.
    assert!(took >= Duration::from_millis(1_950), "{took:?}");
    disconnect(e, d);
}

/// Not a test of its own: the body of one child process of
/// `four_processes_share_the_store_budget` (does nothing unless started by it).
#[test]
fn child_scan() {
    let Ok(url) = std::env::var(CHILD_URL) else {
        return;
    };
    let e = env();
    let d = dbc(e);
    let (rc, _) = driver_connect(d, &real_budget_conn_str(&url));
    assert!(
        rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO,
        "connect: {:?}",
        diag(HandleType::Dbc, d)
    );
    let st = stmt(d);
    let (rc, rows) = run_to_end(st, "SELECT * FROM Orders");
    assert_eq!(rc, SQL_NO_DATA, "{:?}", diag(HandleType::Stmt, st));
    println!("child rows={rows}");
    disconnect(e, d);
}

#[test]
fn four_processes_share_the_store_budget() {
    let sb = Sandbox::start(jumpseller_sandbox::SandboxConfig {
        orders: ORDERS,
        per_second: 20,
        per_minute: 800,
        ban_after: 300,
        ban_secs: 10,
        ..Default::default()
    })
    .expect("sandbox starts");
    let exe = std::env::current_exe().unwrap();
    let started = Instant::now();
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            Command::new(&exe)
                .args(["--exact", "child_scan", "--nocapture", "--test-threads=1"])
                .env(CHILD_URL, sb.url())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("child starts")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains(&format!("child rows={ORDERS}")),
            "a child failed: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let took = started.elapsed();
    let total = sb.request_count();
    let limited = sb.rate_limited_count();
    let share = limited as f64 * 100.0 / total as f64;
    println!(
        "{PROCESSES} processes at 20/s each against 20/s: {total} requests, {limited} answered 429 ({share:.1} %), {} ban(s), {:.1} s",
        sb.ban_count(),
        took.as_secs_f64()
    );
    assert_eq!(sb.ban_count(), 0, "the store's ban was set off");
    assert!(
        share < 5.0,
        "{share:.1} % of the requests were answered 429"
    );
}

/// The server counts a request somewhere between its arrival and its
/// answer: the sandbox's latency comes before its rate check, so with 0 to
/// 200 ms of jitter requests sent 50 ms apart are counted out of order and
/// bunched. The limiter counts each one from its departure until a second
/// after its answer: no 429 however the server bunches them. (With the
/// earlier 25 ms margin on departures, 4 to 6 of these ~107 requests were
/// answered 429.)
#[test]
fn a_scan_under_latency_jitter_draws_no_429() {
    let sb = Sandbox::start(jumpseller_sandbox::SandboxConfig {
        orders: 1_000,
        per_second: 20,
        per_minute: 800,
        jitter_ms: 200,
        ..Default::default()
    })
    .expect("sandbox starts");
    let e = env();
    let d = dbc(e);
    // A store key of its own: no other test's departures in the budget file.
    let conn = format!("{};Prefetch=8", real_budget_conn_str(&sb.url()));
    let (rc, _) = driver_connect(d, &conn);
    assert!(
        rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO,
        "connect: {:?}",
        diag(HandleType::Dbc, d)
    );
    let st = stmt(d);
    let started = Instant::now();
    let (rc, rows) = run_to_end(st, "SELECT id FROM Orders");
    assert_eq!(rc, SQL_NO_DATA, "{:?}", diag(HandleType::Stmt, st));
    assert_eq!(rows, 1_000);
    let total = sb.request_count();
    let limited = sb.rate_limited_count();
    println!(
        "jittered scan: {total} requests, {limited} answered 429, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        total >= 100,
        "{total} requests: the per-second window never filled"
    );
    assert_eq!(
        limited, 0,
        "{limited} of {total} requests were answered 429"
    );
    disconnect(e, d);
}

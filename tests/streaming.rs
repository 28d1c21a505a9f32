//! Scans of big tables hold bounded memory: the statement's page memo never
//! holds more than `MemoBytes`, a scan keeps only the fields of the columns
//! it reads, and a join whose index would pass the bound answers by
//! requests, with the same rows. Checked on the engine's own counter, never
//! by timing.

mod common;

use common::sandbox_with;
use jumpseller_odbc::engine::{Interrupt, Session, Setup, Value};
use jumpseller_odbc::jumpseller::{Auth, Client, ClientOptions};
use jumpseller_odbc::logging::Logger;
use jumpseller_odbc::schema::Profile;
use jumpseller_sandbox::Sandbox;
use std::sync::Arc;

fn session(sb: &Sandbox) -> Session {
    let client = Client::new(ClientOptions {
        base_url: sb.url(),
        auth: Auth::Basic {
            login: "sandbox".into(),
            token: "sandbox-authtoken".into(),
        },
        timeout_secs: 60,
        per_second: 10_000,
        per_minute: 600_000,
        store_key: sb.url(),
        logger: Logger::default(),
        attempts: 4,
        proxy: None,
        proxy_auth: None,
        proxy_auto_detect: false,
        proxy_exceptions: None,
        extra_root_pem: None,
    })
    .expect("client");
    Session::open(
        Profile::builtin(),
        Arc::new(client),
        100,
        8,
        "sandbox".into(),
        &Setup::default(),
    )
    .expect("session")
}

/// Every row of `sql`, and the page memo's most bytes at once, checking
/// after each row that it holds no more than `bound`.
fn scan(s: &Session, sql: &str, bound: usize) -> (Vec<Vec<Value>>, usize) {
    let mut q = s.prepare(sql).expect("prepare");
    q.execute(&[], &Interrupt::none()).expect("execute");
    let mut rows = Vec::new();
    while let Some(row) = q.next_row().expect("row") {
        assert!(
            q.memo_bytes().0 <= bound,
            "{sql}: {} bytes held",
            q.memo_bytes().0
        );
        rows.push(row);
    }
    (rows, q.memo_bytes().1)
}

#[test]
fn a_long_scan_never_holds_more_than_the_memo_bound() {
    let sb = sandbox_with(|c| c.orders = 5000);
    let s = session(&sb);
    let bound = 2 << 20;
    s.set_memo_bytes(bound);
    let (rows, peak) = scan(&s, "SELECT * FROM Orders", bound);
    assert_eq!(rows.len(), 5000);
    assert!(peak <= bound, "peak {peak}");
    // The memo was in use, up to near its bound (50 pages would pass it).
    assert!(peak > bound / 2, "peak {peak}");
}

#[test]
fn a_scan_keeps_only_the_fields_it_reads_with_the_same_values() {
    let sb = sandbox_with(|c| c.orders = 1000);
    let s = session(&sb);
    let bound = 256 << 20;
    s.set_memo_bytes(bound);
    let (few, few_bytes) = scan(
        &s,
        "SELECT id, total, status_enum, created_at FROM Orders",
        bound,
    );
    let (all, all_bytes) = scan(&s, "SELECT * FROM Orders", bound);
    assert_eq!(few.len(), 1000);
    assert!(
        few_bytes * 10 < all_bytes,
        "4 columns kept {few_bytes} bytes, all {all_bytes}"
    );
    let (names, _) = {
        let q = s.prepare("SELECT * FROM Orders").unwrap();
        let names: Vec<String> = q.columns().iter().map(|c| c.name.clone()).collect();
        (names, ())
    };
    let at = |n: &str| names.iter().position(|c| c == n).unwrap();
    let picked: Vec<Vec<Value>> = all
        .iter()
        .map(|r| {
            ["id", "total", "status_enum", "created_at"]
                .map(|n| r[at(n)].clone())
                .to_vec()
        })
        .collect();
    assert_eq!(few, picked, "the same values, decoded from fewer fields");
}

#[test]
fn a_join_index_past_the_bound_answers_by_requests_with_the_same_rows() {
    let sb = sandbox_with(|c| c.orders = 300);
    let s = session(&sb);
    let sql = "SELECT a.id, b.total FROM Orders a JOIN Orders b ON b.id = a.id ORDER BY a.id";
    let (indexed, _) = scan(&s, sql, 16 << 20);
    sb.reset_counts();
    s.set_memo_bytes(0);
    let (by_requests, peak) = scan(&s, sql, 0);
    assert_eq!(peak, 0, "nothing kept");
    assert_eq!(indexed.len(), 300);
    assert_eq!(indexed, by_requests);
    assert!(
        sb.requests_by_route()
            .get("GET /orders/{id}.json")
            .is_some_and(|&n| n >= 290),
        "{:?}",
        sb.requests_by_route()
    );
}

#[test]
fn a_scan_page_that_does_not_decode_is_asked_again() {
    use jumpseller_sandbox::{Fault, FaultKind};
    let sb = sandbox_with(|c| c.orders = 1500);
    let s = session(&sb);
    let sql = "SELECT id, total FROM Orders";
    let (clean, _) = scan(&s, sql, 16 << 20);
    // Pages requested ahead come back as text and are decoded by the
    // reader: three bad bodies there are asked again, never rows lost.
    sb.set_faults(vec![Fault {
        route: "/v1/orders/after*".into(),
        kind: FaultKind::MalformedJson,
        probability: 1.0,
        count: Some(3),
    }]);
    sb.reset_counts();
    let (faulty, _) = scan(&s, sql, 16 << 20);
    assert_eq!(clean.len(), 1500);
    assert_eq!(faulty, clean);
    let asked: u64 = sb.requests_by_route().values().sum();
    assert!(asked >= 16 + 3, "{:?}", sb.requests_by_route());
}

//! AutoCache=true (src/engine/autocache.rs, src/replica/auto.rs) and writes
//! reaching the replica (src/engine/replicate.rs): the first query of a
//! table syncs it and answers from the replica; within CacheTolerance no
//! request is sent; past it, an incremental sync; a failed sync answers a
//! held table stale with 01000, a table never held with the error; two
//! connections take turns; writes go to the API and then to the replica.
//! Each runs on both replicas (CacheLocation, CacheConnection: `on_both!`).

mod common;
use common::backend::{on_both, Backend};
use common::*;
use jumpseller_sandbox::{Fault, FaultKind, Mutation, Sandbox};
use std::os::raw::c_void;
use std::time::Duration;

fn auto(sb: &Sandbox, b: &Backend, extra: &str) -> (*mut c_void, *mut c_void) {
    let e = env();
    let d = dbc(e);
    let conn = format!("{};{};AutoCache=true{extra}", conn_str(sb), b.key());
    let (rc, _) = driver_connect(d, &conn);
    assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Dbc, d));
    (e, d)
}

fn one(rows: &[Vec<Option<String>>]) -> String {
    rows[0][0].clone().unwrap_or_default()
}

/// Statements whose answers must be the same live and under AutoCache.
const SAME: &[&str] = &[
    "SELECT * FROM Orders ORDER BY id",
    "SELECT status, COUNT(*), SUM(total), MAX(created_at) FROM Orders GROUP BY status ORDER BY status",
    "SELECT o.status, SUM(l.qty * l.price) FROM Orders o JOIN OrderProducts l ON l.order_id = o.id GROUP BY o.status ORDER BY 1",
    "SELECT p.id, p.name, v.id, v.price FROM Products p JOIN ProductVariants v ON v.product_id = p.id ORDER BY 1, 3",
    "SELECT id, name FROM Categories WHERE id IN (SELECT category_id FROM ProductCategories) ORDER BY id",
];

on_both!(the_first_query_syncs_and_the_next_ones_send_nothing);
fn the_first_query_syncs_and_the_next_ones_send_nothing(b: &Backend) {
    let sb = sandbox();
    let (e1, live) = connect(&sb);
    let (e2, cached) = auto(&sb, b, "");
    sb.reset_counts();
    let want = query(live, SAME[0]);
    let live_requests = sb.request_count();
    sb.reset_counts();
    assert_eq!(query(cached, SAME[0]), want);
    assert!(
        sb.request_count() >= live_requests,
        "a full sync of Orders: {:?}",
        sb.requests_by_route()
    );
    for sql in SAME {
        let want = query(live, sql);
        assert!(!want.is_empty(), "{sql}");
        assert_eq!(query(cached, sql), want, "{sql}");
    }
    // Every table is held now, and fresh: the same statements send nothing.
    sb.reset_counts();
    for sql in SAME {
        query(cached, sql);
    }
    assert_eq!(sb.request_count(), 0, "{:?}", sb.requests_by_route());
    disconnect(e1, live);
    disconnect(e2, cached);
}

on_both!(past_the_tolerance_a_query_syncs_incrementally);
fn past_the_tolerance_a_query_syncs_incrementally(b: &Backend) {
    let sb = sandbox();
    let (e, cached) = auto(&sb, b, ";CacheTolerance=1");
    assert_eq!(one(&query(cached, "SELECT COUNT(*) FROM Orders")), "400");
    assert!(sb.mutate(&Mutation::CreateOrders(2)));
    std::thread::sleep(Duration::from_millis(2100));
    sb.reset_counts();
    assert_eq!(one(&query(cached, "SELECT COUNT(*) FROM Orders")), "402");
    // New orders after the high water, the recent window, the count.
    let requests = sb.request_count();
    assert!((1..=6).contains(&requests), "{:?}", sb.requests_by_route());
    let state = b.query(
        "SELECT rows, last_incremental_sync IS NOT NULL, incremental_sync_requests FROM CacheStatus WHERE table_name = 'Orders'",
    );
    assert_eq!(
        state,
        vec![vec![
            Some("402".into()),
            Some("1".into()),
            Some(requests.to_string())
        ]]
    );
    disconnect(e, cached);
}

on_both!(a_failed_sync_answers_a_held_table_stale_and_a_missing_one_with_the_error);
fn a_failed_sync_answers_a_held_table_stale_and_a_missing_one_with_the_error(b: &Backend) {
    let sb = sandbox();
    let (e, cached) = auto(&sb, b, ";CacheTolerance=1");
    assert_eq!(one(&query(cached, "SELECT COUNT(*) FROM Categories")), "12");
    std::thread::sleep(Duration::from_millis(2100));
    sb.set_faults(vec![Fault {
        route: "*".into(),
        kind: FaultKind::Status(503),
        probability: 1.0,
        count: None,
    }]);
    let st = stmt(cached);
    assert_eq!(
        exec(st, "SELECT COUNT(*) FROM Categories"),
        SQL_SUCCESS_WITH_INFO
    );
    let warning = diag(HandleType::Stmt, st);
    assert_eq!(warning[0].0, "01000", "{warning:?}");
    assert!(
        warning[0]
            .1
            .contains("Categories is answered from the replica as last synced")
            && warning[0].1.contains("CacheTolerance"),
        "{warning:?}"
    );
    // SAFETY: see "Calling the exports" in tests/common.
    assert_eq!(unsafe { jumpseller_odbc::ffi::SQLFetch(st) }, SQL_SUCCESS);
    assert_eq!(get_text(st, 1).as_deref(), Some("12"));
    let missing = query_error(cached, "SELECT COUNT(*) FROM Customers");
    assert_eq!(missing[0].0, "HY000", "{missing:?}");
    assert!(
        missing[0]
            .1
            .contains("AutoCache could not sync Customers, which the replica"),
        "{missing:?}"
    );
    disconnect(e, cached);
}

on_both!(two_connections_on_one_replica_take_turns_and_sync_once);
fn two_connections_on_one_replica_take_turns_and_sync_once(b: &Backend) {
    let sb = sandbox();
    let (e1, a) = auto(&sb, b, "");
    let (e2, d2) = auto(&sb, b, "");
    let (a, d2) = (a as usize, d2 as usize);
    sb.reset_counts();
    let sql = "SELECT COUNT(*), SUM(total) FROM Orders";
    let ta = std::thread::spawn(move || query(a as *mut c_void, sql));
    let tb = std::thread::spawn(move || query(d2 as *mut c_void, sql));
    let (ra, rb) = (ta.join().unwrap(), tb.join().unwrap());
    assert_eq!(ra, rb);
    assert_eq!(ra[0][0].as_deref(), Some("400"));
    let both = sb.request_count();
    // One full sync of Orders (its pages and a count); the second waited
    // for the lock and found the table fresh.
    let other = b.like("auto-turns-one");
    let (e3, c) = auto(&sb, &other, "");
    sb.reset_counts();
    query(c, sql);
    assert_eq!(both, sb.request_count(), "{:?}", sb.requests_by_route());
    disconnect(e1, a as *mut c_void);
    disconnect(e2, d2 as *mut c_void);
    disconnect(e3, c);
}

/// Every row of a catalog result set, as text.
fn catalog_rows(st: *mut c_void) -> Vec<Vec<Option<String>>> {
    let mut n = 0i16;
    // SAFETY: see "Calling the exports" in tests/common.
    unsafe { jumpseller_odbc::ffi::SQLNumResultCols(st, &mut n) };
    let mut rows = Vec::new();
    // SAFETY: as above.
    while unsafe { jumpseller_odbc::ffi::SQLFetch(st) } == SQL_SUCCESS {
        rows.push((1..=n as u16).map(|i| get_text(st, i)).collect());
    }
    rows
}

fn tables_of(d: *mut c_void) -> Vec<Vec<Option<String>>> {
    let st = stmt(d);
    // SAFETY: see "Calling the exports" in tests/common (null filters).
    let rc = unsafe { jumpseller_odbc::ffi::SQLTables(st, nul(), 0, nul(), 0, nul(), 0, nul(), 0) };
    assert_eq!(rc, SQL_SUCCESS);
    catalog_rows(st)
}

fn columns_of(d: *mut c_void, table: &str) -> Vec<Vec<Option<String>>> {
    let st = stmt(d);
    // SAFETY: see "Calling the exports" in tests/common (the name's length passed).
    let rc = unsafe {
        jumpseller_odbc::ffi::SQLColumns(
            st,
            nul(),
            0,
            nul(),
            0,
            table.as_ptr(),
            table.len() as i16,
            nul(),
            0,
        )
    };
    assert_eq!(rc, SQL_SUCCESS);
    catalog_rows(st)
}

on_both!(catalog_functions_list_what_a_live_connection_lists);
fn catalog_functions_list_what_a_live_connection_lists(b: &Backend) {
    let sb = sandbox();
    let (e1, live) = connect(&sb);
    let (e2, cached) = auto(&sb, b, "");
    // Before any sync, and after one.
    for round in 0..2 {
        let live_tables = tables_of(live);
        let cached_tables: Vec<_> = tables_of(cached)
            .into_iter()
            .filter(|r| r[2].as_deref() != Some("CacheStatus"))
            .collect();
        assert_eq!(cached_tables, live_tables, "round {round}");
        assert!(live_tables.len() > 40);
        for table in ["Orders", "OrderProducts", "Customers"] {
            let want = columns_of(live, table);
            assert!(!want.is_empty());
            assert_eq!(columns_of(cached, table), want, "{table} round {round}");
        }
        // A pragma of a table never synced (as a statement, or its
        // table-valued function with a quoted argument) syncs it, and answers as live
        // (the SQLite file declares money `DECIMAL REAL(p,s)`, for its
        // affinity: README, "Answers from the replica").
        for sql in [
            "PRAGMA table_info(Customers)",
            "PRAGMA table_xinfo('ProductVariants')",
            "SELECT * FROM pragma_table_info('Orders')",
            "SELECT * FROM pragma_table_xinfo(\"Products\") ORDER BY cid",
        ] {
            let want = query(live, sql);
            assert!(want.len() > 5, "{sql}");
            let mut got = query(cached, sql);
            if let Backend::Sqlite { .. } = b {
                for row in &mut got {
                    row[2] = row[2]
                        .as_ref()
                        .map(|t| t.replace("DECIMAL REAL(", "DECIMAL("));
                }
            }
            assert_eq!(got, want, "{sql} round {round}");
        }
        query(
            cached,
            "SELECT COUNT(*) FROM Orders JOIN OrderProducts ON order_id = id",
        );
    }
    disconnect(e1, live);
    disconnect(e2, cached);
}

on_both!(a_table_read_through_a_view_is_synced_too);
fn a_table_read_through_a_view_is_synced_too(b: &Backend) {
    let sb = sandbox();
    let (e, cached) = auto(&sb, b, ";CacheTolerance=1");
    let st = stmt(cached);
    assert_eq!(
        exec(
            st,
            "CREATE TEMP VIEW paid AS SELECT id FROM Orders WHERE status = 'Paid'"
        ),
        SQL_SUCCESS,
        "{:?}",
        diag(HandleType::Stmt, st)
    );
    let count = "SELECT COUNT(*) FROM paid";
    let before: u64 = one(&query(cached, count)).parse().unwrap();
    // New orders are paid (Mutation::CreateOrders).
    assert!(sb.mutate(&Mutation::CreateOrders(2)));
    assert_eq!(
        one(&query(cached, count)),
        before.to_string(),
        "within the tolerance"
    );
    std::thread::sleep(Duration::from_millis(2100));
    sb.reset_counts();
    let after: u64 = one(&query(cached, count)).parse().unwrap();
    assert!(sb.request_count() > 0);
    let (e2, live) = connect(&sb);
    assert_eq!(
        one(&query(
            live,
            "SELECT COUNT(*) FROM Orders WHERE status = 'Paid'"
        )),
        after.to_string()
    );
    assert_eq!(after, before + 2);
    disconnect(e2, live);
    disconnect(e, cached);
}

#[test]
fn auto_cache_needs_a_replica_and_is_not_offline() {
    let sb = sandbox();
    for (extra, words) in [
        (
            ";AutoCache=true",
            "give its file as CacheLocation, or its PostgreSQL database as CacheConnection",
        ),
        (
            ";AutoCache=true;CacheLocation=/tmp/x.db;Offline=true",
            "choose one",
        ),
    ] {
        let e = env();
        let d = dbc(e);
        let (rc, _) = driver_connect(d, &format!("{}{extra}", conn_str(&sb)));
        assert_eq!(rc, SQL_ERROR);
        let found = diag(HandleType::Dbc, d);
        assert_eq!(found[0].0, "08001", "{found:?}");
        assert!(found[0].1.contains(words), "{found:?}");
        jumpseller_odbc::ffi::SQLFreeHandle(HandleType::Dbc as i16, d);
        jumpseller_odbc::ffi::SQLFreeHandle(HandleType::Env as i16, e);
    }
}

on_both!(cache_status_shows_the_syncs_made_since_connecting);
fn cache_status_shows_the_syncs_made_since_connecting(b: &Backend) {
    let sb = sandbox();
    let (e, cached) = auto(&sb, b, "");
    let status = "SELECT table_name, rows, stale, full_sync_requests > 0 FROM CacheStatus";
    assert_eq!(query(cached, status), Vec::<Vec<Option<String>>>::new());
    query(cached, "SELECT COUNT(*) FROM Orders");
    let some = |s: &str| Some(s.to_string());
    assert_eq!(
        query(cached, status),
        vec![vec![some("Orders"), some("400"), some("0"), some("1")]]
    );
    // It stays the driver's to write.
    for sql in ["DELETE FROM CacheStatus", "UPDATE CacheStatus SET rows = 1"] {
        let refused = query_error(cached, sql);
        assert_eq!(refused[0].0, "42000", "{sql}: {refused:?}");
    }
    disconnect(e, cached);
}

on_both!(the_query_timeout_ends_a_sync_and_its_statement);
fn the_query_timeout_ends_a_sync_and_its_statement(b: &Backend) {
    let sb = sandbox();
    let (e, cached) = auto(&sb, b, ";CacheTolerance=1;Timeout=0");
    assert_eq!(one(&query(cached, "SELECT COUNT(*) FROM Orders")), "400");
    std::thread::sleep(Duration::from_millis(2100));
    sb.set_faults(vec![Fault {
        route: "/v1/orders*".into(),
        kind: FaultKind::Stall(60_000),
        probability: 1.0,
        count: None,
    }]);
    let st = stmt(cached);
    // An integer attribute travels in the pointer argument.
    let rc = jumpseller_odbc::ffi::SQLSetStmtAttr(
        st,
        StatementAttribute::QueryTimeout as i32,
        std::ptr::without_provenance_mut::<c_void>(1),
        0,
    );
    assert_eq!(rc, SQL_SUCCESS);
    let started = std::time::Instant::now();
    assert_eq!(exec(st, "SELECT COUNT(*) FROM Orders"), SQL_ERROR);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(states(HandleType::Stmt, st)[0], "HYT00");
    sb.set_faults(vec![]);
    disconnect(e, cached);
}

// A replica row's rowid is not the live rowid a write would use: reading it
// under AutoCache is an error (42000), never a number that names another row.
on_both!(a_replica_rowid_is_refused_not_guessed);
fn a_replica_rowid_is_refused_not_guessed(b: &Backend) {
    let sb = sandbox();
    let (e, d) = auto(&sb, b, "");
    // The key columns answer; the table is synced and held.
    assert!(!query(d, "SELECT id FROM Orders ORDER BY id").is_empty());
    for sql in [
        "SELECT rowid FROM Orders",
        "SELECT _rowid_, id FROM Orders",
        "SELECT oid FROM OrderProducts",
        "SELECT id FROM Orders WHERE rowid = 1",
    ] {
        let errors = query_error(d, sql);
        assert_eq!(errors[0].0, "42000", "{sql}: {errors:?}");
        assert!(errors[0].1.contains("rowid"), "{sql}: {errors:?}");
    }
    disconnect(e, d);
}

// A result set left open holds the replica's state as it was when it
// started; a statement that syncs a table meanwhile is an error that says
// so, never an answer from the older state (a table never synced would
// read as empty); once the other result set is closed it answers.
on_both!(an_open_result_set_does_not_hide_a_sync_from_the_next_statement);
fn an_open_result_set_does_not_hide_a_sync_from_the_next_statement(b: &Backend) {
    let sb = sandbox();
    let (e, cached) = auto(&sb, b, "");
    let open = stmt(cached);
    assert_eq!(exec(open, "SELECT id FROM Orders ORDER BY id"), SQL_SUCCESS);
    // SAFETY: see "Calling the exports" in tests/common.
    assert_eq!(unsafe { jumpseller_odbc::ffi::SQLFetch(open) }, SQL_SUCCESS);
    let count = "SELECT COUNT(*) FROM Customers";
    let refused = query_error(cached, count);
    assert_eq!(refused[0].0, "HY000", "{refused:?}");
    assert!(
        refused[0]
            .1
            .contains("Another result set of this connection is still open"),
        "{refused:?}"
    );
    // Orders is fresh and this connection changed nothing it reads since
    // the open result set began: answered.
    assert_eq!(one(&query(cached, "SELECT COUNT(*) FROM Orders")), "400");
    jumpseller_odbc::ffi::SQLFreeHandle(HandleType::Stmt as i16, open);
    let (e2, live) = connect(&sb);
    assert_eq!(query(cached, count), query(live, count));
    disconnect(e2, live);
    disconnect(e, cached);
}

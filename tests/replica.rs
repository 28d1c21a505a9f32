//! The local replica (src/replica): a sync through the live engine, then
//! Offline answers equal to live ones; incremental syncs that find new and
//! changed orders with few requests; deletions reconciled by counts; a sync
//! killed with SIGKILL resumed to the same end state; Offline without any
//! network; two syncs taking turns.

mod common;
use common::*;
use jumpseller_odbc::config::Config;
use jumpseller_odbc::ffi::{SQLNumResultCols, SQLSetStmtAttr};
use jumpseller_odbc::replica::reader::Reader;
use jumpseller_odbc::replica::sync::{self, Mode, Options, Progress, TableReport};
use jumpseller_odbc::replica::{lock, SqliteStore};
use jumpseller_sandbox::{Mutation, Sandbox};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

struct Quiet;
impl Progress for Quiet {
    fn rows(&mut self, _: &str, _: u64) {}
    fn done(&mut self, _: &TableReport) {}
}

fn cache_str(sb: &Sandbox, file: &Path) -> String {
    format!("{};CacheLocation={}", conn_str(sb), file.display())
}

/// Syncs `tables` through the library, as `jumpseller-odbc sync` does.
fn sync_tables(sb: &Sandbox, file: &Path, tables: &[&str], full: bool) -> Vec<TableReport> {
    sync_with(sb, file, tables, full, "")
}

/// As `sync_tables`, with more connection keys (`;Key=value...`).
fn sync_with(
    sb: &Sandbox,
    file: &Path,
    tables: &[&str],
    full: bool,
    keys: &str,
) -> Vec<TableReport> {
    let conn = format!("{}{keys}", cache_str(sb, file));
    let (config, _) = Config::from_connection_string(&conn).unwrap();
    let reader = Reader::open(&config).unwrap();
    let mut replica = SqliteStore::open(file).unwrap();
    let opts = Options {
        tables: Some(tables.iter().map(|t| t.to_string()).collect()),
        full,
        recheck_days: config.cache_recheck_days,
    };
    let reports = sync::run(&mut replica, &reader, &opts, &mut Quiet).unwrap();
    for r in &reports {
        assert!(r.error.is_none(), "{r:?}");
    }
    reports
}

fn report<'a>(reports: &'a [TableReport], table: &str) -> &'a TableReport {
    reports.iter().find(|r| r.table == table).unwrap()
}

/// An Offline connection to the replica (no sandbox needed).
fn offline(file: &Path) -> (*mut std::os::raw::c_void, *mut std::os::raw::c_void) {
    let e = env();
    let d = dbc(e);
    let (rc, _) = driver_connect(
        d,
        &format!(
            "URL=http://127.0.0.1:9;Login=nobody;AuthToken=none;CacheLocation={};Offline=true",
            file.display()
        ),
    );
    assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Dbc, d));
    (e, d)
}

/// Queries whose answers must be the same live and from the replica:
/// whole rows, aggregates over money, integer-looking money divided,
/// dates compared as instants, a join of a child table.
const QUERIES: &[&str] = &[
    "SELECT * FROM Orders ORDER BY id",
    "SELECT status, COUNT(*), SUM(total), MIN(created_at), MAX(total) FROM Orders GROUP BY status ORDER BY status",
    "SELECT id, total / 3, total * 2, subtotal + tax FROM Orders ORDER BY id",
    // Storage classes too: a whole amount stays REAL.
    "SELECT id, typeof(total), typeof(subtotal), typeof(price) FROM Orders JOIN OrderProducts ON order_id = id ORDER BY id, line",
    // Money compared as live compares it: the column's numeric affinity
    // makes a text operand a number ('10' is ten, not text after every
    // number); equality with whole numbers, text columns, IN lists.
    "SELECT id, total FROM Orders WHERE total > '100' ORDER BY total DESC, id",
    "SELECT COUNT(*) FROM Orders WHERE total BETWEEN '10' AND '50.5'",
    "SELECT COUNT(*), SUM(total = 12), SUM(total = '12'), SUM(total < status), SUM(total IN ('12', 37.9, '40')) FROM Orders",
    "SELECT id, total, total || '', printf('%s|%.2f', total, total), total + 0 FROM Orders ORDER BY total, id",
    "SELECT total, COUNT(*), SUM(total), AVG(total) FROM Orders GROUP BY total ORDER BY total",
    "SELECT id, price FROM Products WHERE price > '50' AND price <= 1000 ORDER BY price, id",
    "SELECT id FROM Orders WHERE created_at >= {ts '2024-03-01 00:00:00.000'} AND created_at < '2024-06-01T00:00:00Z' ORDER BY id",
    "SELECT * FROM Products ORDER BY id",
    "SELECT p.id, p.name, v.id, v.price FROM Products p JOIN ProductVariants v ON v.product_id = p.id ORDER BY 1, 3",
    "SELECT o.status, SUM(l.qty * l.price) FROM Orders o JOIN OrderProducts l ON l.order_id = o.id GROUP BY o.status ORDER BY 1",
    "SELECT COUNT(*), SUM(price), AVG(weight) FROM Products WHERE status = 'available'",
];

fn assert_same_answers(live: *mut std::os::raw::c_void, cached: *mut std::os::raw::c_void) {
    for sql in QUERIES {
        let want = query(live, sql);
        assert!(!want.is_empty(), "{sql} answers no rows live");
        assert_eq!(query(cached, sql), want, "{sql}");
    }
}

#[test]
fn offline_answers_equal_live_answers() {
    let sb = sandbox();
    let dir = TempDir::new("replica-equal");
    let file = dir.join("store.db");
    let reports = sync_tables(
        &sb,
        &file,
        &["Orders", "OrderProducts", "Products", "ProductVariants"],
        false,
    );
    assert_eq!(report(&reports, "Orders").mode, Mode::Full);
    assert_eq!(report(&reports, "Orders").rows, 400);
    assert!(report(&reports, "Orders").requests >= 4);
    let (e1, live) = connect(&sb);
    let (e2, cached) = offline(&file);
    // The data hold the amounts the money queries are about: whole ones
    // (12, which NUMERIC affinity would make an integer), one-decimal ones
    // (12.5, sent as "12.5") and totals above and below 100.
    let shapes = "SELECT SUM(total = round(total)), SUM(total * 10 = round(total * 10) AND total != round(total)), SUM(total > 100), SUM(total < 100) FROM Orders";
    for n in &query(live, shapes)[0] {
        assert!(n.as_deref().unwrap_or("0") != "0", "{shapes}: {n:?}");
    }
    assert_same_answers(live, cached);
    // The result columns describe the same.
    for sql in ["SELECT * FROM Orders", "SELECT total / 3 AS t FROM Orders"] {
        let (s1, s2) = (stmt(live), stmt(cached));
        assert_eq!(exec(s1, sql), SQL_SUCCESS);
        assert_eq!(exec(s2, sql), SQL_SUCCESS);
        let mut n = 0i16;
        // SAFETY: see "Calling the exports" in tests/common.
        unsafe { SQLNumResultCols(s1, &mut n) };
        for i in 1..=n as u16 {
            let (a, b) = (describe_column(s1, i), describe_column(s2, i));
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "{sql} column {i}");
        }
    }
    disconnect(e1, live);
    disconnect(e2, cached);
}

#[test]
fn incremental_sync_finds_new_and_changed_orders_with_few_requests() {
    let sb = sandbox_with(|c| c.orders = 3000);
    let dir = TempDir::new("replica-incremental");
    let file = dir.join("store.db");
    let full = sync_tables(&sb, &file, &["Orders"], false);
    let full_requests = report(&full, "Orders").requests;
    // New orders (created now, so inside the recent window) ...
    assert!(sb.mutate(&Mutation::CreateOrders(3)));
    let (e1, live) = connect(&sb);
    let new_ids = query(live, "SELECT id FROM Orders WHERE id > 3000 ORDER BY id");
    assert_eq!(new_ids.len(), 3);
    let first = sync_tables(&sb, &file, &["Orders"], false);
    let r = report(&first, "Orders");
    assert_eq!(r.mode, Mode::Incremental, "{r:?}");
    assert_eq!(r.rows, 3003);
    // ... and a status changed on one of them since.
    let id = new_ids[0][0].clone().unwrap();
    let st = stmt(live);
    assert_eq!(
        exec(
            st,
            &format!("UPDATE Orders SET status = 'Canceled' WHERE id = {id}")
        ),
        SQL_SUCCESS,
        "{:?}",
        diag(HandleType::Stmt, st)
    );
    sb.reset_counts();
    let second = sync_tables(&sb, &file, &["Orders"], false);
    let r = report(&second, "Orders");
    assert_eq!(r.mode, Mode::Incremental, "{r:?}");
    // What the store served: the sync's requests and the connect's check.
    assert_eq!(
        r.requests + 1,
        sb.request_count(),
        "{:?}",
        sb.requests_by_route()
    );
    // New ids (one page), the recent window (one page), the count.
    assert!(
        r.requests <= 4 && full_requests >= 30,
        "incremental {} vs full {full_requests}: {:?}",
        r.requests,
        sb.requests_by_route()
    );
    let (e2, cached) = offline(&file);
    let sql = format!("SELECT status FROM Orders WHERE id = {id}");
    assert_eq!(
        query(cached, &sql),
        vec![vec![Some("Canceled".to_string())]]
    );
    assert_eq!(
        query(cached, "SELECT * FROM Orders ORDER BY id"),
        query(live, "SELECT * FROM Orders ORDER BY id")
    );
    disconnect(e1, live);
    disconnect(e2, cached);
}

/// `CacheRecheckDays` decides which rows an incremental sync reads again:
/// 0 none (new rows and the count only), N the orders created in the last
/// N days, through the date route, a page per Pagesize rows.
#[test]
fn the_recheck_window_is_the_connections() {
    let sb = sandbox_with(|c| c.orders = 3000);
    let dir = TempDir::new("replica-recheck");
    let file = dir.join("store.db");
    sync_tables(&sb, &file, &["Orders"], false);
    sb.reset_counts();
    let none = sync_with(&sb, &file, &["Orders"], false, ";CacheRecheckDays=0");
    let r = report(&none, "Orders");
    assert_eq!((r.mode.clone(), r.read), (Mode::Incremental, 0), "{r:?}");
    let routes = sb.requests_by_route();
    assert_eq!(r.requests, 2, "new ids and the count: {routes:?}");
    assert!(!routes.contains_key("GET /orders.json"), "{routes:?}");
    // The sandbox's orders were created in 2024 and 2025: a window reaching
    // back to 2025-06-01 holds the last seven months of them.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let days = (now - 1_748_736_000) / 86_400; // 2025-06-01
    sb.reset_counts();
    let some = sync_with(
        &sb,
        &file,
        &["Orders"],
        false,
        &format!(";CacheRecheckDays={days};Pagesize=50"),
    );
    let r = report(&some, "Orders");
    let routes = sb.requests_by_route();
    let (e, live) = connect(&sb);
    let since = now - days * 86_400;
    let count = |from: u64| -> u64 {
        let sql = format!(
            "SELECT COUNT(*) FROM Orders WHERE created_at >= datetime({from}, 'unixepoch')"
        );
        query(live, &sql)[0][0].as_ref().unwrap().parse().unwrap()
    };
    // The window's rows, give or take the seconds between here and the sync.
    assert!(
        (count(since + 60)..=count(since - 60)).contains(&r.read) && r.read > 500,
        "{r:?}"
    );
    let window_pages = routes.get("GET /orders.json").copied().unwrap_or(0);
    assert_eq!(r.requests, 2 + window_pages, "{routes:?}");
    // The route answers whole days, widened by one each way.
    let widened = count(since - 2 * 86_400);
    assert!(
        window_pages * 50 >= r.read && window_pages <= widened.div_ceil(50) + 1,
        "{window_pages} pages for {} rows: {routes:?}",
        r.read
    );
    disconnect(e, live);
}

/// The tables of Orders' family: children in each order's JSON, and the
/// history read by a request per order.
const ORDER_FAMILY: &[&str] = &[
    "Orders",
    "OrderProducts",
    "OrderAdditionalFields",
    "OrderShippingTaxes",
    "OrderPromotions",
    "OrderHistory",
];

fn whole(table: &str) -> String {
    format!("SELECT * FROM {table} ORDER BY 1, 2, 3")
}

/// Children move with their parents: the embedded ones cost no request of
/// their own, the history costs one request per order on a full sync and
/// one per new or changed order on an incremental one; the Orders family's
/// incremental sync after N creates and M status changes costs the
/// recheck window's pages + 2 (new ids, the count) + N + M history reads;
/// afterwards every table of the family answers as live.
#[test]
fn children_move_with_their_parents() {
    let sb = sandbox_with(|c| c.orders = 1000);
    let dir = TempDir::new("replica-children");
    let file = dir.join("store.db");
    // A window reaching back to 2025-11-01: the last two months of the
    // sandbox's orders, and every order created now.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let keys = format!(
        ";Pagesize=50;CacheRecheckDays={}",
        (now - 1_761_955_200) / 86_400
    );
    sb.reset_counts();
    let full = sync_with(&sb, &file, ORDER_FAMILY, false, &keys);
    let routes = sb.requests_by_route();
    for r in &full {
        assert_eq!(r.mode, Mode::Full, "{r:?}");
    }
    // The orders' pages by id (20 of 50 and the empty one) and the scan's
    // count, for the orders and their embedded children; the pages again
    // for the history's scan, which adds one request per order.
    let order_pages = routes["GET /orders/after/{id}.json"] / 2;
    let counts = routes["GET /orders/count.json"];
    assert_eq!(
        report(&full, "Orders").requests,
        order_pages + counts,
        "{routes:?}"
    );
    assert!(order_pages <= 21, "{routes:?}");
    assert_eq!(routes["GET /orders/{id}/history.json"], 1000);
    let history = report(&full, "OrderHistory");
    assert_eq!(history.requests, 1000 + order_pages, "{routes:?}");
    for t in &ORDER_FAMILY[1..5] {
        assert_eq!(report(&full, t).requests, 0, "{t} is in the orders' JSON");
        assert!(report(&full, t).rows > 0, "{t}");
    }
    let (e, live) = connect(&sb);
    let recent = query(
        live,
        "SELECT id FROM Orders WHERE created_at >= '2025-11-15' ORDER BY id LIMIT 5",
    );
    assert_eq!(recent.len(), 5);
    let st = stmt(live);
    for row in &recent {
        let id = row[0].as_deref().unwrap();
        let sql = format!("UPDATE Orders SET status = 'Canceled' WHERE id = {id}");
        assert_eq!(
            exec(st, &sql),
            SQL_SUCCESS,
            "{:?}",
            diag(HandleType::Stmt, st)
        );
    }
    assert!(sb.mutate(&Mutation::CreateOrders(7)));
    sb.reset_counts();
    let inc = sync_with(&sb, &file, ORDER_FAMILY, false, &keys);
    let routes = sb.requests_by_route();
    for r in &inc {
        assert_eq!(r.mode, Mode::Incremental, "{r:?}");
    }
    let window_pages = routes["GET /orders.json"];
    assert_eq!(
        report(&inc, "Orders").requests,
        window_pages + 2,
        "{routes:?}"
    );
    assert_eq!(report(&inc, "OrderHistory").requests, 7 + 5, "{routes:?}");
    for t in &ORDER_FAMILY[1..5] {
        assert_eq!(report(&inc, t).requests, 0, "{t}: {routes:?}");
    }
    // Everything the store served: the sync's requests and the connect's check.
    let sum: u64 = inc.iter().map(|r| r.requests).sum();
    assert_eq!(sum + 1, sb.request_count(), "{routes:?}");
    let (e2, cached) = offline(&file);
    for t in ORDER_FAMILY {
        let sql = whole(t);
        let want = query(live, &sql);
        assert!(!want.is_empty(), "{sql}");
        assert_eq!(query(cached, &sql), want, "{sql}");
    }
    disconnect(e, live);
    disconnect(e2, cached);
}

/// A deleted parent takes its children along: the counts differ, the
/// family is read whole again.
#[test]
fn children_of_a_deleted_parent_go_with_it() {
    let sb = sandbox();
    let dir = TempDir::new("replica-orphans");
    let file = dir.join("store.db");
    let family = [
        "Products",
        "ProductVariants",
        "ProductOptions",
        "ProductOptionValues",
    ];
    sync_tables(&sb, &file, &family, false);
    // A new product: its options are read (one request), its variants come
    // in its own JSON; the other products' options are not read again.
    let (e, live) = connect(&sb);
    let st = stmt(live);
    let sql = "INSERT INTO Products (name, price) VALUES ('Replica lamp', 12.5)";
    assert_eq!(
        exec(st, sql),
        SQL_SUCCESS,
        "{:?}",
        diag(HandleType::Stmt, st)
    );
    disconnect(e, live);
    let reports = sync_tables(&sb, &file, &family, false);
    for r in &reports {
        assert_eq!(r.mode, Mode::Incremental, "{r:?}");
    }
    assert_eq!(
        report(&reports, "ProductOptions").requests,
        1,
        "{reports:?}"
    );
    assert_eq!(
        report(&reports, "ProductVariants").requests,
        0,
        "{reports:?}"
    );
    assert_eq!(
        report(&reports, "ProductOptionValues").requests,
        0,
        "{reports:?}"
    );
    let (e, cached) = offline(&file);
    let of_5 = "SELECT (SELECT COUNT(*) FROM ProductVariants WHERE product_id = 5) + (SELECT COUNT(*) FROM ProductOptions WHERE product_id = 5) + (SELECT COUNT(*) FROM ProductOptionValues WHERE product_id = 5)";
    assert_ne!(query(cached, of_5), vec![vec![Some("0".to_string())]]);
    disconnect(e, cached);
    assert!(sb.mutate(&Mutation::Delete("products/5.json".into())));
    let reports = sync_tables(&sb, &file, &family, false);
    assert_eq!(report(&reports, "Products").mode, Mode::Reconciled);
    let (e, cached) = offline(&file);
    assert_eq!(query(cached, of_5), vec![vec![Some("0".to_string())]]);
    let (e2, live) = connect(&sb);
    for t in family {
        assert_eq!(query(cached, &whole(t)), query(live, &whole(t)), "{t}");
    }
    disconnect(e, cached);
    disconnect(e2, live);
}

#[test]
fn a_deleted_row_is_reconciled_by_counts() {
    let sb = sandbox();
    let dir = TempDir::new("replica-deleted");
    let file = dir.join("store.db");
    sync_tables(&sb, &file, &["Products"], false);
    assert!(sb.mutate(&Mutation::Delete("products/5.json".into())));
    let reports = sync_tables(&sb, &file, &["Products"], false);
    let r = report(&reports, "Products");
    assert_eq!(r.mode, Mode::Reconciled, "{r:?}");
    assert_eq!(r.rows, 119);
    let (e, cached) = offline(&file);
    assert!(query(cached, "SELECT id FROM Products WHERE id = 5").is_empty());
    disconnect(e, cached);
    // --full reads a table whole even where an incremental sync would do.
    let reports = sync_tables(&sb, &file, &["Products"], true);
    assert_eq!(report(&reports, "Products").mode, Mode::Full);
    assert_eq!(report(&reports, "Products").rows, 119);
}

#[test]
fn offline_needs_no_network_and_names_what_to_sync() {
    let dir = TempDir::new("replica-offline");
    let file = dir.join("store.db");
    let orders = {
        let sb = sandbox();
        sync_tables(&sb, &file, &["Orders"], false);
        let (e, live) = connect(&sb);
        let rows = query(live, "SELECT id, total FROM Orders ORDER BY id");
        disconnect(e, live);
        rows
    };
    // The sandbox is gone: nothing answers on its port any more.
    let (e, cached) = offline(&file);
    assert_eq!(
        query(cached, "SELECT id, total FROM Orders ORDER BY id"),
        orders
    );
    let d = query_error(cached, "SELECT * FROM Customers");
    assert_eq!(d[0].0, "42S02");
    assert!(
        d[0].1.contains("jumpseller-odbc sync") && d[0].1.contains("--tables Customers"),
        "{}",
        d[0].1
    );
    let d = query_error(cached, "SELECT * FROM Jumpseller.Customers WHERE id = 1");
    assert!(d[0].1.contains("--tables Customers"), "{}", d[0].1);
    let d = query_error(cached, "UPDATE Orders SET status = 'Paid' WHERE id = 1");
    assert_eq!(d[0].0, "HYC00");
    assert!(d[0].1.contains("Offline"), "{}", d[0].1);
    // CacheStatus: the synced table, fresh; stale with a tolerance of 0.
    let rows = query(cached, "SELECT table_name, rows, full_sync_requests > 0, last_full_sync IS NOT NULL, stale FROM CacheStatus");
    assert_eq!(
        rows,
        vec![vec![
            Some("Orders".into()),
            Some("400".into()),
            Some("1".into()),
            Some("1".into()),
            Some("0".into())
        ]]
    );
    disconnect(e, cached);
    // CacheStatus is read when the connection opens.
    std::thread::sleep(Duration::from_millis(1100));
    let e = env();
    let d = dbc(e);
    let (rc, _) = driver_connect(d, &format!("URL=http://127.0.0.1:9;Login=a;AuthToken=b;CacheLocation={};Offline=true;CacheTolerance=0", file.display()));
    assert_eq!(rc, SQL_SUCCESS);
    assert_eq!(
        query(d, "SELECT stale FROM CacheStatus"),
        vec![vec![Some("1".into())]]
    );
    disconnect(e, d);
}

#[test]
fn offline_without_a_replica_or_location_is_a_clear_error() {
    let dir = TempDir::new("replica-missing");
    let e = env();
    let d = dbc(e);
    let (rc, _) = driver_connect(
        d,
        &format!(
            "URL=http://127.0.0.1:9;Login=a;AuthToken=b;CacheLocation={};Offline=true",
            dir.join("none.db").display()
        ),
    );
    assert_eq!(rc, SQL_ERROR);
    let msg = diag(HandleType::Dbc, d)[0].1.clone();
    assert!(
        msg.contains("does not exist") && msg.contains("jumpseller-odbc sync"),
        "{msg}"
    );
    let (rc, _) = driver_connect(d, "URL=http://127.0.0.1:9;Login=a;AuthToken=b;Offline=true");
    assert_eq!(rc, SQL_ERROR);
    assert!(diag(HandleType::Dbc, d)[0].1.contains("CacheLocation"));
    disconnect(e, d);
}

#[test]
fn cache_status_is_readable_live() {
    let sb = sandbox();
    let dir = TempDir::new("replica-status-live");
    let file = dir.join("store.db");
    sync_tables(&sb, &file, &["Categories"], false);
    let (e, live) = connect_with(&sb, &format!("CacheLocation={}", file.display()));
    assert_eq!(
        query(live, "SELECT table_name, rows FROM CacheStatus"),
        vec![vec![Some("Categories".into()), Some("12".into())]]
    );
    disconnect(e, live);
}

/// `jumpseller-odbc sync` in a process of its own; small pages (and the
/// sandbox's latency) make it slow enough to be killed or waited for.
fn sync_command(sb: &Sandbox, file: &Path, tables: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jumpseller-odbc"));
    let conn = format!("{};Pagesize=20", cache_str(sb, file));
    c.args(["sync", "--connection-string", &conn, "--tables", tables]);
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    c
}

#[test]
fn a_killed_sync_resumes_to_the_same_end_state() {
    let sb = sandbox_with(|c| c.latency_ms = 100);
    let dir = TempDir::new("replica-kill");
    let file = dir.join("store.db");
    // First a complete sync, then new orders, then an incremental sync
    // killed part way, then resumed.
    let out = sync_command(&sb, &file, "Orders").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("Orders: full, 400 rows read, 400 rows")
    );
    assert!(sb.mutate(&Mutation::CreateOrders(1000)));
    let mut child = sync_command(&sb, &file, "Orders,Products").spawn().unwrap();
    std::thread::sleep(Duration::from_millis(600));
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        status.signal(),
        Some(9),
        "the sync ended before it was killed"
    );
    // Whatever was written is a consistent state readers can use.
    let (e, cached) = offline(&file);
    let n: usize = query(cached, "SELECT COUNT(*) FROM Orders")[0][0]
        .as_ref()
        .unwrap()
        .parse()
        .unwrap();
    assert!((400..=1400).contains(&n), "{n}");
    disconnect(e, cached);
    let out = sync_command(&sb, &file, "Orders,Products")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (e1, live) = connect(&sb);
    let (e2, cached) = offline(&file);
    for sql in [
        "SELECT * FROM Orders ORDER BY id",
        "SELECT * FROM Products ORDER BY id",
    ] {
        assert_eq!(query(cached, sql), query(live, sql), "{sql}");
    }
    disconnect(e1, live);
    disconnect(e2, cached);
}

#[test]
fn two_syncs_take_turns() {
    let sb = sandbox_with(|c| c.latency_ms = 150);
    let dir = TempDir::new("replica-turns");
    let file = dir.join("store.db");
    let first = sync_command(&sb, &file, "Orders").spawn().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let second = sync_command(&sb, &file, "Orders").spawn().unwrap();
    let (a, b) = (
        first.wait_with_output().unwrap(),
        second.wait_with_output().unwrap(),
    );
    assert!(a.status.success() && b.status.success());
    assert!(
        String::from_utf8_lossy(&b.stderr).contains("Another sync"),
        "{}",
        String::from_utf8_lossy(&b.stderr)
    );
    // The second one found the first one's complete state and went on from it.
    assert!(
        String::from_utf8_lossy(&b.stdout).starts_with("Orders: incremental"),
        "{}",
        String::from_utf8_lossy(&b.stdout)
    );
    // In one process too: a held lock makes a second taker wait, then give up.
    let held = lock::take(&file, Duration::ZERO, &mut || {}).unwrap();
    let mut told = false;
    let refused = lock::take(&file, Duration::from_millis(200), &mut || told = true);
    assert!(refused.is_err() && told);
    drop(held);
    assert!(lock::take(&file, Duration::ZERO, &mut || {}).is_ok());
}

#[test]
fn keys_not_built_yet_are_named_in_a_warning() {
    let sb = sandbox();
    let key = "CacheConnection={host=127.0.0.1 dbname=x}";
    let e = env();
    let d = dbc(e);
    let (rc, _) = driver_connect(d, &format!("{};{key}", conn_str(&sb)));
    assert_eq!(rc, SQL_SUCCESS_WITH_INFO, "{key}");
    let d01 = diag(HandleType::Dbc, d);
    assert!(
        d01.iter()
            .any(|(s, m)| s == "01S00" && m.contains("not built yet")),
        "{key}: {d01:?}"
    );
    disconnect(e, d);
}

#[test]
fn the_command_fails_on_a_table_it_cannot_sync() {
    let sb = sandbox();
    let dir = TempDir::new("replica-bad-table");
    let file = dir.join("store.db");
    let out = sync_command(&sb, &file, "Nonesuch").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no table Nonesuch"));
}

#[test]
fn a_table_that_fails_keeps_its_previous_copy() {
    let dir = TempDir::new("replica-failed");
    let file = dir.join("store.db");
    let sb = sandbox();
    let out = sync_command(&sb, &file, "Categories").output().unwrap();
    assert!(out.status.success());
    drop(sb);
    let broken = sandbox_with(|c| {
        c.faults = vec![jumpseller_sandbox::Fault::parse("/v1/categories*=status:400").unwrap()]
    });
    let out = sync_command(&broken, &file, "Categories,Store")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Categories: FAILED") && stdout.contains("Store: full, 1 rows read"),
        "{stdout}"
    );
    let (e, cached) = offline(&file);
    assert_eq!(
        query(cached, "SELECT COUNT(*) FROM Categories"),
        vec![vec![Some("12".into())]]
    );
    disconnect(e, cached);
}

/// `{call SyncCache(...)}` on a live connection with CacheLocation: the
/// command's sync, one row per table (table, mode, rows read, rows,
/// requests, error); `SyncCache()` syncs every table.
#[test]
fn sync_cache_procedure_syncs_on_a_live_connection() {
    let sb = sandbox();
    let dir = TempDir::new("replica-proc");
    let file = dir.join("store.db");
    let (e, live) = connect_with(&sb, &format!("CacheLocation={}", file.display()));
    let rows = query(live, "{call SyncCache('Orders,Products')}");
    let firsts: Vec<_> = rows
        .iter()
        .map(|r| (r[0].clone().unwrap(), r[1].clone().unwrap(), r[5].clone()))
        .collect();
    assert_eq!(
        firsts,
        [
            ("Orders".to_string(), "full".to_string(), None),
            ("Products".to_string(), "full".to_string(), None)
        ]
    );
    assert_eq!(rows[0][2].as_deref(), Some("400"), "rows read: {rows:?}");
    assert_eq!(rows[0][3].as_deref(), Some("400"), "rows: {rows:?}");
    assert!(rows[0][4].as_deref().unwrap().parse::<u64>().unwrap() >= 4);
    // Again: incremental, and the replica answers as live.
    let again = query(live, "EXEC SyncCache @Tables = 'Orders'");
    assert_eq!(again.len(), 1);
    assert_eq!(again[0][1].as_deref(), Some("incremental"), "{again:?}");
    let (e2, cached) = offline(&file);
    let sql = "SELECT * FROM Orders ORDER BY id";
    assert_eq!(query(cached, sql), query(live, sql));
    disconnect(e2, cached);
    // Every table.
    let all = query(live, "{call SyncCache()}");
    let profile = jumpseller_odbc::schema::Profile::builtin();
    assert_eq!(all.len(), profile.tables.len(), "{all:?}");
    assert!(all.iter().all(|r| r[5].is_none()), "{all:?}");
    // An unknown table is named, before anything is read.
    let d = query_error(live, "{call SyncCache('Nonesuch')}");
    assert_eq!(d[0].0, "42S02", "{d:?}");
    assert!(d[0].1.contains("Nonesuch"), "{d:?}");
    disconnect(e, live);
}

#[test]
fn sync_cache_needs_a_live_connection_with_a_replica() {
    let sb = sandbox();
    let (e, live) = connect(&sb);
    let d = query_error(live, "{call SyncCache('Orders')}");
    assert_eq!(d[0].0, "HY000", "{d:?}");
    assert!(d[0].1.contains("CacheLocation"), "{d:?}");
    disconnect(e, live);
    let dir = TempDir::new("replica-proc-offline");
    let file = dir.join("store.db");
    sync_tables(&sb, &file, &["Categories"], false);
    let (e, cached) = offline(&file);
    let d = query_error(cached, "{call SyncCache('Categories')}");
    assert_eq!(d[0].0, "HY000", "{d:?}");
    assert!(d[0].1.contains("Offline"), "{d:?}");
    disconnect(e, cached);
}

/// The procedure takes the replica's lock like the command: while another
/// sync holds it, the call waits, and the statement's query timeout ends
/// the wait (HYT00) with nothing read.
#[test]
fn sync_cache_waits_for_the_lock_within_the_query_timeout() {
    let sb = sandbox();
    let dir = TempDir::new("replica-proc-lock");
    let file = dir.join("store.db");
    let (e, live) = connect_with(&sb, &format!("CacheLocation={}", file.display()));
    let held = lock::take(&file, Duration::ZERO, &mut || {}).unwrap();
    let st = stmt(live);
    assert_eq!(
        SQLSetStmtAttr(
            st,
            StatementAttribute::QueryTimeout as i32,
            std::ptr::dangling_mut::<std::os::raw::c_void>(),
            0,
        ),
        SQL_SUCCESS
    ); // 1 s
    sb.reset_counts();
    let started = std::time::Instant::now();
    assert_eq!(exec(st, "{call SyncCache('Categories')}"), SQL_ERROR);
    assert_eq!(diag(HandleType::Stmt, st)[0].0, "HYT00");
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(sb.request_count(), 0, "{:?}", sb.requests_by_route());
    drop(held);
    assert_eq!(exec(st, "{call SyncCache('Categories')}"), SQL_SUCCESS);
    disconnect(e, live);
}

/// A seeded sequence of writes (new orders, status changes, new and
/// deleted products), a sync after each round, and every table of the two
/// families and the money queries answer from the replica as live. The
/// recheck window reaches back to the sandbox's first order, so every
/// status change is inside it.
#[test]
fn seeded_writes_then_syncs_answer_as_live() {
    let sb = sandbox();
    let dir = TempDir::new("replica-seeded");
    let file = dir.join("store.db");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let keys = format!(";CacheRecheckDays={}", (now - 1_704_067_200) / 86_400 + 2);
    let tables = [
        ORDER_FAMILY,
        &[
            "Products",
            "ProductVariants",
            "ProductImages",
            "ProductOptions",
            "ProductOptionValues",
        ],
    ]
    .concat();
    sync_with(&sb, &file, &tables, false, &keys);
    let mut seed: u64 = 20_261_207;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let (e, live) = connect(&sb);
    let st = stmt(live);
    let mut orders = 400;
    let mut deleted = Vec::new();
    for round in 0..3 {
        let created = 1 + next(4);
        assert!(sb.mutate(&Mutation::CreateOrders(created as u32)));
        orders += created;
        for _ in 0..1 + next(4) {
            let status = ["Canceled", "Paid", "Pending Payment"][next(3) as usize];
            let sql = format!(
                "UPDATE Orders SET status = '{status}' WHERE id = {}",
                1 + next(orders)
            );
            assert_eq!(
                exec(st, &sql),
                SQL_SUCCESS,
                "{sql}: {:?}",
                diag(HandleType::Stmt, st)
            );
        }
        let sql = format!(
            "INSERT INTO Products (name, price) VALUES ('Round {round}', {}.25)",
            next(90)
        );
        assert_eq!(
            exec(st, &sql),
            SQL_SUCCESS,
            "{:?}",
            diag(HandleType::Stmt, st)
        );
        // A product deleted in every round but the first: the counts
        // differ and the products' family is read whole again.
        let id = 1 + next(120);
        let delete = round > 0 && !deleted.contains(&id);
        if delete {
            assert!(sb.mutate(&Mutation::Delete(format!("products/{id}.json"))));
            deleted.push(id);
        }
        let reports = sync_with(&sb, &file, &tables, false, &keys);
        let products = if delete {
            Mode::Reconciled
        } else {
            Mode::Incremental
        };
        assert_eq!(
            report(&reports, "Orders").mode,
            Mode::Incremental,
            "round {round}"
        );
        assert_eq!(report(&reports, "Products").mode, products, "round {round}");
        let (e2, cached) = offline(&file);
        for t in &tables {
            let sql = whole(t);
            assert_eq!(
                query(cached, &sql),
                query(live, &sql),
                "round {round}: {sql}"
            );
        }
        for sql in QUERIES {
            assert_eq!(query(cached, sql), query(live, sql), "round {round}: {sql}");
        }
        disconnect(e2, cached);
    }
    disconnect(e, live);
}

//! The local replica (src/replica): a sync through the live engine, then
//! Offline answers equal to live ones; incremental syncs that find new and
//! changed orders with few requests; deletions reconciled by counts; a sync
//! killed with SIGKILL resumed to the same end state; Offline without any
//! network; two syncs taking turns. Each of these runs twice: with the
//! replica in an SQLite file (CacheLocation) and in a private PostgreSQL
//! server (CacheConnection, tests/common/pg.rs).

mod common;
use common::backend::{on_both, Backend, SCHEMA};
use common::*;
use jumpseller_odbc::config::Config;
use jumpseller_odbc::engine::Interrupt;
use jumpseller_odbc::ffi::{SQLNumResultCols, SQLSetStmtAttr};
use jumpseller_odbc::replica::lock;
use jumpseller_odbc::replica::pg::PgStore;
use jumpseller_odbc::replica::reader::Reader;
use jumpseller_odbc::replica::sync::{self, Mode, Options, Progress, TableReport};
use jumpseller_sandbox::{Mutation, Sandbox};
use std::process::{Command, Stdio};
use std::time::Duration;

struct Quiet;
impl Progress for Quiet {
    fn rows(&mut self, _: &str, _: u64) {}
    fn done(&mut self, _: &TableReport) {}
}

fn cache_str(sb: &Sandbox, b: &Backend) -> String {
    format!("{};{}", conn_str(sb), b.key())
}

/// Syncs `tables` through the library, as `jumpseller-odbc sync` does.
fn sync_tables(sb: &Sandbox, b: &Backend, tables: &[&str], full: bool) -> Vec<TableReport> {
    sync_with(sb, b, tables, full, "")
}

/// As `sync_tables`, with more connection keys (`;Key=value...`).
fn sync_with(
    sb: &Sandbox,
    b: &Backend,
    tables: &[&str],
    full: bool,
    keys: &str,
) -> Vec<TableReport> {
    let conn = format!("{}{keys}", cache_str(sb, b));
    let (config, _) = Config::from_connection_string(&conn).unwrap();
    let reader = Reader::open(&config).unwrap();
    let mut store = b.store(Duration::ZERO).unwrap();
    let opts = Options {
        tables: Some(tables.iter().map(|t| t.to_string()).collect()),
        full,
        recheck_days: config.cache_recheck_days,
    };
    let reports = sync::run(store.as_mut(), &reader, &opts, &mut Quiet).unwrap();
    for r in &reports {
        assert!(r.error.is_none(), "{r:?}");
    }
    reports
}

fn report<'a>(reports: &'a [TableReport], table: &str) -> &'a TableReport {
    reports.iter().find(|r| r.table == table).unwrap()
}

/// An Offline connection to the replica (no sandbox needed).
fn offline(b: &Backend) -> (*mut std::os::raw::c_void, *mut std::os::raw::c_void) {
    b.offline_with("")
}

fn offline_with(
    b: &Backend,
    extra: &str,
) -> (*mut std::os::raw::c_void, *mut std::os::raw::c_void) {
    b.offline_with(extra)
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

on_both!(offline_answers_equal_live_answers);
fn offline_answers_equal_live_answers(b: &Backend) {
    let sb = sandbox();
    let reports = sync_tables(
        &sb,
        b,
        &["Orders", "OrderProducts", "Products", "ProductVariants"],
        false,
    );
    assert_eq!(report(&reports, "Orders").mode, Mode::Full);
    assert_eq!(report(&reports, "Orders").rows, 400);
    assert!(report(&reports, "Orders").requests >= 4);
    let (e1, live) = connect(&sb);
    let (e2, cached) = offline(b);
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

on_both!(incremental_sync_finds_new_and_changed_orders_with_few_requests);
fn incremental_sync_finds_new_and_changed_orders_with_few_requests(b: &Backend) {
    let sb = sandbox_with(|c| c.orders = 3000);
    let full = sync_tables(&sb, b, &["Orders"], false);
    let full_requests = report(&full, "Orders").requests;
    // New orders (created now, so inside the recent window) ...
    assert!(sb.mutate(&Mutation::CreateOrders(3)));
    let (e1, live) = connect(&sb);
    let new_ids = query(live, "SELECT id FROM Orders WHERE id > 3000 ORDER BY id");
    assert_eq!(new_ids.len(), 3);
    let first = sync_tables(&sb, b, &["Orders"], false);
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
    let second = sync_tables(&sb, b, &["Orders"], false);
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
    let (e2, cached) = offline(b);
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

on_both!(the_recheck_window_is_the_connections);
/// `CacheRecheckDays` decides which rows an incremental sync reads again:
/// 0 none (new rows and the count only), N the orders created in the last
/// N days, through the date route, a page per Pagesize rows.
fn the_recheck_window_is_the_connections(b: &Backend) {
    let sb = sandbox_with(|c| c.orders = 3000);
    sync_tables(&sb, b, &["Orders"], false);
    sb.reset_counts();
    let none = sync_with(&sb, b, &["Orders"], false, ";CacheRecheckDays=0");
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
        b,
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

on_both!(children_move_with_their_parents);
/// Children move with their parents: the embedded ones cost no request of
/// their own, the history costs one request per order on a full sync and
/// one per new or changed order on an incremental one; the Orders family's
/// incremental sync after N creates and M status changes costs the
/// recheck window's pages + 2 (new ids, the count) + N + M history reads;
/// afterwards every table of the family answers as live.
fn children_move_with_their_parents(b: &Backend) {
    let sb = sandbox_with(|c| c.orders = 1000);
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
    let full = sync_with(&sb, b, ORDER_FAMILY, false, &keys);
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
    let inc = sync_with(&sb, b, ORDER_FAMILY, false, &keys);
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
    let (e2, cached) = offline(b);
    for t in ORDER_FAMILY {
        let sql = whole(t);
        let want = query(live, &sql);
        assert!(!want.is_empty(), "{sql}");
        assert_eq!(query(cached, &sql), want, "{sql}");
    }
    disconnect(e, live);
    disconnect(e2, cached);
}

on_both!(children_of_a_deleted_parent_go_with_it);
/// A deleted parent takes its children along: the counts differ, the
/// family is read whole again.
fn children_of_a_deleted_parent_go_with_it(b: &Backend) {
    let sb = sandbox();
    let family = [
        "Products",
        "ProductVariants",
        "ProductOptions",
        "ProductOptionValues",
    ];
    sync_tables(&sb, b, &family, false);
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
    let reports = sync_tables(&sb, b, &family, false);
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
    let (e, cached) = offline(b);
    let of_5 = "SELECT (SELECT COUNT(*) FROM ProductVariants WHERE product_id = 5) + (SELECT COUNT(*) FROM ProductOptions WHERE product_id = 5) + (SELECT COUNT(*) FROM ProductOptionValues WHERE product_id = 5)";
    assert_ne!(query(cached, of_5), vec![vec![Some("0".to_string())]]);
    disconnect(e, cached);
    assert!(sb.mutate(&Mutation::Delete("products/5.json".into())));
    let reports = sync_tables(&sb, b, &family, false);
    assert_eq!(report(&reports, "Products").mode, Mode::Reconciled);
    let (e, cached) = offline(b);
    assert_eq!(query(cached, of_5), vec![vec![Some("0".to_string())]]);
    let (e2, live) = connect(&sb);
    for t in family {
        assert_eq!(query(cached, &whole(t)), query(live, &whole(t)), "{t}");
    }
    disconnect(e, cached);
    disconnect(e2, live);
}

on_both!(a_deleted_row_is_reconciled_by_counts);
fn a_deleted_row_is_reconciled_by_counts(b: &Backend) {
    let sb = sandbox();
    sync_tables(&sb, b, &["Products"], false);
    assert!(sb.mutate(&Mutation::Delete("products/5.json".into())));
    let reports = sync_tables(&sb, b, &["Products"], false);
    let r = report(&reports, "Products");
    assert_eq!(r.mode, Mode::Reconciled, "{r:?}");
    assert_eq!(r.rows, 119);
    let (e, cached) = offline(b);
    assert!(query(cached, "SELECT id FROM Products WHERE id = 5").is_empty());
    disconnect(e, cached);
    // --full reads a table whole even where an incremental sync would do.
    let reports = sync_tables(&sb, b, &["Products"], true);
    assert_eq!(report(&reports, "Products").mode, Mode::Full);
    assert_eq!(report(&reports, "Products").rows, 119);
}

on_both!(offline_needs_no_network_and_names_what_to_sync);
fn offline_needs_no_network_and_names_what_to_sync(b: &Backend) {
    let orders = {
        let sb = sandbox();
        sync_tables(&sb, b, &["Orders"], false);
        let (e, live) = connect(&sb);
        let rows = query(live, "SELECT id, total FROM Orders ORDER BY id");
        disconnect(e, live);
        rows
    };
    // The sandbox is gone: nothing answers on its port any more.
    let (e, cached) = offline(b);
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
    let (e, d) = offline_with(b, ";CacheTolerance=0");
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
    let msg = diag(HandleType::Dbc, d)[0].1.clone();
    assert!(
        msg.contains("CacheLocation") && msg.contains("CacheConnection"),
        "{msg}"
    );
    // Two replicas named: which one is meant is not guessed.
    let (rc, _) = driver_connect(
        d,
        "URL=http://127.0.0.1:9;Login=a;AuthToken=b;CacheLocation=x.db;CacheConnection={host=127.0.0.1}",
    );
    assert_eq!(rc, SQL_ERROR);
    assert!(diag(HandleType::Dbc, d)[0].1.contains("give one"));
    // A PostgreSQL server that does not answer: the connection fails and says where.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (rc, _) = driver_connect(
        d,
        &format!("URL=http://127.0.0.1:9;Login=a;AuthToken=b;Offline=true;CacheConnection={{host=127.0.0.1 port={port} user=postgres connect_timeout=5}}"),
    );
    assert_eq!(rc, SQL_ERROR);
    let (state, msg) = diag(HandleType::Dbc, d)[0].clone();
    assert_eq!(state, "08001", "{msg}");
    assert!(
        msg.contains("PostgreSQL replica") && msg.contains("CacheConnection"),
        "{msg}"
    );
    disconnect(e, d);
}

on_both!(cache_status_is_readable_live);
fn cache_status_is_readable_live(b: &Backend) {
    let sb = sandbox();
    sync_tables(&sb, b, &["Categories"], false);
    let (e, live) = connect_with(&sb, &b.key());
    assert_eq!(
        query(live, "SELECT table_name, rows FROM CacheStatus"),
        vec![vec![Some("Categories".into()), Some("12".into())]]
    );
    disconnect(e, live);
}

/// `jumpseller-odbc sync` in a process of its own; small pages (and the
/// sandbox's latency) make it slow enough to be killed or waited for.
fn sync_command(sb: &Sandbox, b: &Backend, tables: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jumpseller-odbc"));
    let conn = format!("{};Pagesize=20", cache_str(sb, b));
    c.args(["sync", "--connection-string", &conn, "--tables", tables]);
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    c
}

on_both!(a_killed_sync_resumes_to_the_same_end_state);
fn a_killed_sync_resumes_to_the_same_end_state(b: &Backend) {
    let sb = sandbox_with(|c| c.latency_ms = 100);
    // First a complete sync, then new orders, then an incremental sync
    // killed part way, then resumed.
    let out = sync_command(&sb, b, "Orders").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("Orders: full, 400 rows read, 400 rows")
    );
    assert!(sb.mutate(&Mutation::CreateOrders(1000)));
    let mut child = sync_command(&sb, b, "Orders,Products").spawn().unwrap();
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
    let (e, cached) = offline(b);
    let n: usize = query(cached, "SELECT COUNT(*) FROM Orders")[0][0]
        .as_ref()
        .unwrap()
        .parse()
        .unwrap();
    assert!((400..=1400).contains(&n), "{n}");
    disconnect(e, cached);
    let out = sync_command(&sb, b, "Orders,Products").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (e1, live) = connect(&sb);
    let (e2, cached) = offline(b);
    for sql in [
        "SELECT * FROM Orders ORDER BY id",
        "SELECT * FROM Products ORDER BY id",
    ] {
        assert_eq!(query(cached, sql), query(live, sql), "{sql}");
    }
    disconnect(e1, live);
    disconnect(e2, cached);
}

on_both!(two_syncs_take_turns);
fn two_syncs_take_turns(b: &Backend) {
    let sb = sandbox_with(|c| c.latency_ms = 150);
    let first = sync_command(&sb, b, "Orders").spawn().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let second = sync_command(&sb, b, "Orders").spawn().unwrap();
    let (a, c) = (
        first.wait_with_output().unwrap(),
        second.wait_with_output().unwrap(),
    );
    assert!(a.status.success() && c.status.success());
    assert!(
        String::from_utf8_lossy(&c.stderr).contains("Another sync"),
        "{}",
        String::from_utf8_lossy(&c.stderr)
    );
    // The second one found the first one's complete state and went on from it.
    assert!(
        String::from_utf8_lossy(&c.stdout).starts_with("Orders: incremental"),
        "{}",
        String::from_utf8_lossy(&c.stdout)
    );
    // In one process too: a held lock makes a second taker wait, then give up.
    match b {
        Backend::Sqlite { file, .. } => {
            let held = lock::take(file, Duration::ZERO, &mut || {}).unwrap();
            let mut told = false;
            let refused = lock::take(file, Duration::from_millis(200), &mut || told = true);
            assert!(refused.is_err() && told);
            drop(held);
            assert!(lock::take(file, Duration::ZERO, &mut || {}).is_ok());
        }
        Backend::Pg(server) => {
            let held = b.store(Duration::ZERO).unwrap();
            let mut told = false;
            let refused = PgStore::open(
                &server.conn(),
                SCHEMA,
                Duration::from_millis(200),
                &Interrupt::none(),
                &mut || told = true,
            );
            let msg = refused.err().expect("refused while held").message;
            assert!(told && msg.contains("Another sync"), "{msg}");
            // Another store's schema has a lock of its own.
            assert!(PgStore::open(
                &server.conn(),
                "other",
                Duration::ZERO,
                &Interrupt::none(),
                &mut || {}
            )
            .is_ok());
            drop(held);
            assert!(b.store(Duration::ZERO).is_ok());
        }
    }
}

#[test]
fn the_command_fails_on_a_table_it_cannot_sync() {
    let sb = sandbox();
    let b = Backend::sqlite("replica-bad-table");
    let out = sync_command(&sb, &b, "Nonesuch").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no table Nonesuch"));
}

on_both!(a_table_that_fails_keeps_its_previous_copy);
fn a_table_that_fails_keeps_its_previous_copy(b: &Backend) {
    let sb = sandbox();
    let out = sync_command(&sb, b, "Categories").output().unwrap();
    assert!(out.status.success());
    drop(sb);
    let broken = sandbox_with(|c| {
        c.faults = vec![jumpseller_sandbox::Fault::parse("/v1/categories*=status:400").unwrap()]
    });
    let out = sync_command(&broken, b, "Categories,Store")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Categories: FAILED") && stdout.contains("Store: full, 1 rows read"),
        "{stdout}"
    );
    let (e, cached) = offline(b);
    assert_eq!(
        query(cached, "SELECT COUNT(*) FROM Categories"),
        vec![vec![Some("12".into())]]
    );
    disconnect(e, cached);
}

/// What a tool querying PostgreSQL directly sees: the store's schema, the
/// profile's columns in PostgreSQL's types (NUMERIC(p,s) for money), and
/// the amounts exactly as the driver answers them live.
#[test]
fn a_tool_reading_postgresql_sees_the_schema_and_exact_numerics() {
    let sb = sandbox();
    let b = Backend::pg("direct");
    sync_tables(&sb, &b, &["Orders"], false);
    let Backend::Pg(server) = &b else {
        unreachable!()
    };
    let mut pg = postgres::Client::connect(&server.conn(), postgres::NoTls).unwrap();
    let profile = jumpseller_odbc::schema::Profile::load(None).unwrap();
    let orders = profile.table("Orders").unwrap();
    let described = pg
        .query(
            "SELECT column_name, format_type(atttypid, atttypmod)
             FROM information_schema.columns c
             JOIN pg_attribute a ON a.attrelid = '\"sandbox\".\"Orders\"'::regclass AND a.attname = c.column_name
             WHERE table_schema = 'sandbox' AND table_name = 'Orders' ORDER BY ordinal_position",
            &[],
        )
        .unwrap();
    let want = jumpseller_odbc::replica::pg::declared_columns(orders);
    let got: Vec<(String, String)> = described.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(got, want);
    assert!(
        got.iter().any(|(_, t)| t.starts_with("numeric(")),
        "money is NUMERIC: {got:?}"
    );
    // Amounts: PostgreSQL's text is the live answer padded to the scale.
    let (e, live) = connect(&sb);
    let live_rows = query(live, "SELECT id, total, subtotal FROM Orders ORDER BY id");
    disconnect(e, live);
    let pg_rows: Vec<Vec<Option<String>>> = pg
        .query(
            // (ORDER BY o.id: a bare `id` would sort by the text column)
            "SELECT o.id::text, o.total::text, o.subtotal::text FROM sandbox.\"Orders\" o ORDER BY o.id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (0..3).map(|i| r.get::<_, Option<String>>(i)).collect())
        .collect();
    let unpadded = |t: &Option<String>| {
        t.as_ref().map(|t| {
            if t.contains('.') {
                t.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                t.clone()
            }
        })
    };
    assert_eq!(pg_rows.len(), 400);
    for (p, l) in pg_rows.iter().zip(&live_rows) {
        let p: Vec<Option<String>> = p.iter().map(unpadded).collect();
        assert_eq!(&p, l);
    }
    // The sync state, typed too.
    let state = pg
        .query_one(
            "SELECT row_count, pg_typeof(last_full_sync)::text FROM sandbox._replica_sync WHERE table_name = 'Orders'",
            &[],
        )
        .unwrap();
    assert_eq!(state.get::<_, i64>(0), 400);
    assert_eq!(state.get::<_, String>(1), "timestamp with time zone");
    // CacheConnection as a URL reads the same replica.
    let e = env();
    let d = dbc(e);
    let (rc, _) = driver_connect(
        d,
        &format!(
            "URL=http://127.0.0.1:9;Login=sandbox;AuthToken=x;Offline=true;CacheConnection={{postgresql://postgres@127.0.0.1:{}/postgres}}",
            server.port
        ),
    );
    assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Dbc, d));
    assert_eq!(
        query(d, "SELECT COUNT(*), SUM(total) FROM Orders"),
        query(d, "SELECT COUNT(*), SUM(total) FROM Orders WHERE id > 0")
    );
    assert_eq!(
        query(d, "SELECT COUNT(*) FROM Orders")[0][0].as_deref(),
        Some("400")
    );
    disconnect(e, d);
}

/// Offline from PostgreSQL, equality on integer and text columns and
/// integer ranges reach the server's WHERE (its log shows them); a text
/// comparison under another collation than SQLite's BINARY does not. The
/// answers stay the live ones.
#[test]
fn offline_sends_simple_constraints_to_postgresql() {
    let sb = sandbox();
    let b = Backend::pg("pushdown");
    sync_tables(&sb, &b, &["Orders", "OrderProducts"], false);
    let (e1, live) = connect(&sb);
    let status = query(live, "SELECT status FROM Orders WHERE id = 7")[0][0]
        .clone()
        .unwrap();
    let lower = status.to_lowercase();
    let (e2, cached) = offline(&b);
    for sql in [
        "SELECT * FROM Orders WHERE id = 7".to_string(),
        "SELECT id FROM Orders WHERE id >= 10 AND id < 20 ORDER BY id".to_string(),
        format!("SELECT id FROM Orders WHERE status = '{status}' ORDER BY id"),
        format!("SELECT id FROM Orders WHERE status = '{lower}' COLLATE NOCASE ORDER BY id"),
        "SELECT o.id, l.line FROM Orders o JOIN OrderProducts l ON l.order_id = o.id WHERE o.id < 5 ORDER BY 1, 2".to_string(),
    ] {
        let want = query(live, &sql);
        assert!(!want.is_empty(), "{sql}");
        assert_eq!(query(cached, &sql), want, "{sql}");
    }
    disconnect(e1, live);
    disconnect(e2, cached);
    let Backend::Pg(server) = &b else {
        unreachable!()
    };
    let log = server.log();
    for sent in [
        "FROM \"sandbox\".\"Orders\" WHERE \"id\" = 7",
        "\"id\" >= 10",
        "\"id\" < 20",
        &format!("WHERE \"status\" = '{status}'"),
        "FROM \"sandbox\".\"OrderProducts\" WHERE \"order_id\" = ",
    ] {
        assert!(log.contains(sent), "{sent} not sent:\n{log}");
    }
    if lower != status {
        assert!(!log.contains(&format!("'{lower}'")), "{log}");
    }
    // Rows come through server-side cursors, a batch at a time.
    assert!(log.contains("NO SCROLL CURSOR FOR SELECT") && log.contains("FETCH 500 FROM"));
}

/// A PostgreSQL copy whose columns are not the layout's (an older driver
/// or profile made it) is synced whole again, not appended to.
#[test]
fn a_postgresql_copy_with_other_columns_is_synced_whole_again() {
    let sb = sandbox();
    let b = Backend::pg("layout");
    sync_tables(&sb, &b, &["Products"], false);
    let again = sync_tables(&sb, &b, &["Products"], false);
    assert_eq!(report(&again, "Products").mode, Mode::Incremental);
    let Backend::Pg(server) = &b else {
        unreachable!()
    };
    let mut pg = postgres::Client::connect(&server.conn(), postgres::NoTls).unwrap();
    pg.batch_execute("ALTER TABLE sandbox.\"Products\" ALTER COLUMN price TYPE NUMERIC")
        .unwrap();
    let whole = sync_tables(&sb, &b, &["Products"], false);
    assert_eq!(report(&whole, "Products").mode, Mode::Full);
    let price: String = pg
        .query_one(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'sandbox.\"Products\"'::regclass AND attname = 'price'",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(price.starts_with("numeric("), "{price}");
}

/// Many stores in one PostgreSQL database: each in the schema its Login
/// names (quoted: case and spaces kept), synced and read apart.
#[test]
fn many_stores_share_one_postgresql_database() {
    let stores = [("shop-a", 50u64), ("Shop B", 120)];
    let sandboxes: Vec<Sandbox> = stores
        .iter()
        .map(|(login, orders)| {
            sandbox_with(|c| {
                c.login = login.to_string();
                c.orders = *orders;
            })
        })
        .collect();
    let b = Backend::pg("many");
    let conn = |sb: &Sandbox, login: &str| {
        format!(
            "URL={};Login={login};AuthToken=sandbox-authtoken;MaxRequestsPerSecond=10000;MaxRequestsPerMinute=600000;{}",
            sb.url(),
            b.key()
        )
    };
    for (sb, (login, _)) in sandboxes.iter().zip(stores) {
        let out = Command::new(env!("CARGO_BIN_EXE_jumpseller-odbc"))
            .args([
                "sync",
                "--connection-string",
                &conn(sb, login),
                "--tables",
                "Orders",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for (sb, (login, orders)) in sandboxes.iter().zip(stores) {
        let e = env();
        let d = dbc(e);
        let offline = format!(
            "URL=http://127.0.0.1:9;Login={login};AuthToken=x;{};Offline=true",
            b.key()
        );
        let (rc, _) = driver_connect(d, &offline);
        assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Dbc, d));
        let (e1, live) = {
            let e1 = env();
            let l = dbc(e1);
            assert_eq!(driver_connect(l, &conn(sb, login)).0, SQL_SUCCESS);
            (e1, l)
        };
        let sql = "SELECT COUNT(*), SUM(total), MAX(id) FROM Orders";
        assert_eq!(query(d, sql), query(live, sql), "{login}");
        assert_eq!(
            query(d, "SELECT COUNT(*) FROM Orders")[0][0],
            Some(orders.to_string())
        );
        disconnect(e1, live);
        disconnect(e, d);
    }
    let Backend::Pg(server) = &b else {
        unreachable!()
    };
    let mut pg = postgres::Client::connect(&server.conn(), postgres::NoTls).unwrap();
    let schemas: Vec<String> = pg
        .query(
            "SELECT DISTINCT schemaname FROM pg_tables WHERE tablename = 'Orders' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(schemas, vec!["Shop B".to_string(), "shop-a".to_string()]);
}

on_both!(sync_cache_procedure_syncs_on_a_live_connection);
/// `{call SyncCache(...)}` on a live connection with CacheLocation: the
/// command's sync, one row per table (table, mode, rows read, rows,
/// requests, error); `SyncCache()` syncs every table.
fn sync_cache_procedure_syncs_on_a_live_connection(b: &Backend) {
    let sb = sandbox();
    let (e, live) = connect_with(&sb, &b.key());
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
    let (e2, cached) = offline(b);
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
    let b = Backend::sqlite("replica-proc-offline");
    sync_tables(&sb, &b, &["Categories"], false);
    let (e, cached) = offline(&b);
    let d = query_error(cached, "{call SyncCache('Categories')}");
    assert_eq!(d[0].0, "HY000", "{d:?}");
    assert!(d[0].1.contains("Offline"), "{d:?}");
    disconnect(e, cached);
}

on_both!(sync_cache_waits_for_the_lock_within_the_query_timeout);
/// The procedure takes the replica's lock like the command: while another
/// sync holds it, the call waits, and the statement's query timeout ends
/// the wait (HYT00) with nothing read.
fn sync_cache_waits_for_the_lock_within_the_query_timeout(b: &Backend) {
    let sb = sandbox();
    let (e, live) = connect_with(&sb, &b.key());
    let held = b.hold_lock();
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

on_both!(seeded_writes_then_syncs_answer_as_live);
/// A seeded sequence of writes (new orders, status changes, new and
/// deleted products), a sync after each round, and every table of the two
/// families and the money queries answer from the replica as live. The
/// recheck window reaches back to the sandbox's first order, so every
/// status change is inside it.
fn seeded_writes_then_syncs_answer_as_live(b: &Backend) {
    let sb = sandbox();
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
    sync_with(&sb, b, &tables, false, &keys);
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
        let reports = sync_with(&sb, b, &tables, false, &keys);
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
        let (e2, cached) = offline(b);
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

// A 429 storm and lost connections in the middle of a sync lose nothing:
// the client's retries carry every page through, and the replica answers
// as live. The faulted sync sends more requests than a clean one of the
// same tables (the retries), so the faults did fire.
on_both!(a_429_storm_and_lost_connections_mid_sync_lose_nothing);
fn a_429_storm_and_lost_connections_mid_sync_lose_nothing(b: &Backend) {
    let sb = sandbox();
    let tables = ["Orders", "OrderProducts", "Products", "ProductVariants"];
    sb.set_faults(
        [
            "/v1/orders*=status:429@0.4#8",
            "/v1/orders*=reset@0.2#3",
            "/v1/products*=status:429@0.4#4",
            "/v1/products*=reset@0.3#2",
        ]
        .iter()
        .map(|f| jumpseller_sandbox::Fault::parse(f).unwrap())
        .collect(),
    );
    sb.reset_counts();
    let reports = sync_with(&sb, b, &tables, false, ";Pagesize=20");
    let faulted = sb.request_count();
    assert_eq!(report(&reports, "Orders").rows, 400);
    sb.set_faults(Vec::new());
    let (e1, live) = connect(&sb);
    let (e2, cached) = offline(b);
    assert_same_answers(live, cached);
    disconnect(e1, live);
    disconnect(e2, cached);
    sb.reset_counts();
    sync_with(&sb, b, &tables, true, ";Pagesize=20");
    let clean = sb.request_count();
    assert!(
        faulted > clean,
        "faulted {faulted} vs clean {clean}: no fault fired"
    );
}

// A replica whose state table was made before the write generation (no
// `dirty` column) keeps working: a sync adds the column, and a write that
// cannot take the lock marks a table stale in it.
on_both!(an_old_state_table_gains_the_write_generation);
fn an_old_state_table_gains_the_write_generation(b: &Backend) {
    let sb = sandbox();
    b.execute(
        "CREATE TABLE _replica_sync(table_name TEXT PRIMARY KEY, row_count BIGINT NOT NULL,
            last_full_sync TIMESTAMPTZ, last_incremental_sync TIMESTAMPTZ, full_requests BIGINT,
            incremental_requests BIGINT, high_water BIGINT);
         INSERT INTO _replica_sync(table_name, row_count) VALUES ('Customers', 0)",
    );
    sync_tables(&sb, b, &["Categories"], false);
    let mut store = b.store(Duration::ZERO).unwrap();
    assert_eq!(store.generation("Customers").unwrap(), 0);
    assert_eq!(store.generation("Categories").unwrap(), 0);
    store.mark_stale("Categories").unwrap();
    assert_eq!(store.generation("Categories").unwrap(), 1);
    drop(store);
    assert_eq!(
        b.query("SELECT table_name, rows, stale FROM CacheStatus"),
        vec![vec![
            Some("Categories".into()),
            Some("12".into()),
            Some("1".into())
        ]]
    );
}

//! What queries cost in API requests (pushdown), and what happens when the
//! API fails: never a silent partial result.
#![allow(unused_unsafe)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod common;

use common::*;
use jumpseller_odbc::ffi::*;
use jumpseller_sandbox::{Fault, FaultKind};
use std::collections::BTreeMap;
use std::os::raw::c_void;

/// Runs `sql` and returns (rows, requests by route) for just that query.
fn costed(
    sb: &jumpseller_sandbox::Sandbox,
    d: *mut c_void,
    sql: &str,
) -> (Vec<Vec<Option<String>>>, BTreeMap<String, u64>) {
    sb.reset_counts();
    let rows = query(d, sql);
    (rows, sb.requests_by_route())
}

fn one(route: &str, n: u64) -> BTreeMap<String, u64> {
    BTreeMap::from([(route.to_string(), n)])
}

#[test]
fn pushdown_costs_what_it_should() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let (rows, cost) = costed(&sb, d, "SELECT id, name FROM Products WHERE id = 5");
    assert_eq!((rows.len(), cost), (1, one("GET /products/{id}.json", 1)));
    let (rows, cost) = costed(&sb, d, "SELECT id FROM Products WHERE id IN (3, 4, 9999)");
    assert_eq!((rows.len(), cost), (2, one("GET /products/{id}.json", 3)));
    let (rows, cost) = costed(&sb, d, "SELECT id FROM Products LIMIT 5");
    assert_eq!((rows.len(), cost), (5, one("GET /products.json", 1)));
    let (rows, cost) = costed(&sb, d, "SELECT COUNT(*) FROM Orders");
    assert_eq!(
        (rows[0][0].clone().unwrap(), cost),
        ("400".into(), one("GET /orders/count.json", 1))
    );
    let (rows, cost) = costed(
        &sb,
        d,
        "SELECT COUNT(*) FROM Products WHERE status = 'available'",
    );
    assert_eq!(cost, one("GET /products/status/{status}/count.json", 1));
    let n: u64 = rows[0][0].clone().unwrap().parse().unwrap();
    let (rows, _) = costed(&sb, d, "SELECT id FROM Products WHERE status = 'available'");
    assert_eq!(rows.len() as u64, n);
    let (rows, cost) = costed(
        &sb,
        d,
        "SELECT id, status_enum FROM Orders WHERE status_enum = 'paid'",
    );
    assert!(rows.iter().all(|r| r[1].as_deref() == Some("paid")) && !rows.is_empty());
    assert_eq!(
        cost.keys().collect::<Vec<_>>(),
        vec!["GET /orders/status/{status}.json"]
    );
    let (rows, cost) = costed(
        &sb,
        d,
        "SELECT id FROM Orders WHERE status_enum = 'no-such-status'",
    );
    assert_eq!(
        (rows.len(), cost.len()),
        (0, 0),
        "a value outside the enumeration costs nothing"
    );
    let (rows, cost) = costed(
        &sb,
        d,
        "SELECT product_id, id FROM ProductVariants WHERE product_id = 3",
    );
    assert!(rows.iter().all(|r| r[0].as_deref() == Some("3")));
    assert_eq!(cost, one("GET /products/{id}.json", 1));
    let (rows, cost) = costed(&sb, d, "SELECT id FROM Orders WHERE id > 390");
    assert_eq!(rows.len(), 10);
    assert_eq!(
        cost.keys().collect::<Vec<_>>(),
        vec!["GET /orders/after/{id}.json"]
    );
    let email = query(d, "SELECT email FROM Customers WHERE id = 2")[0][0]
        .clone()
        .unwrap();
    let (rows, cost) = costed(
        &sb,
        d,
        &format!("SELECT id FROM Customers WHERE email = '{email}'"),
    );
    assert_eq!(
        (rows.len(), cost),
        (1, one("GET /customers/email/{email}.json", 1))
    );
    disconnect(e, d);
}

#[test]
fn a_full_scan_returns_every_row_once() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let (rows, cost) = costed(&sb, d, "SELECT id FROM Orders");
    assert_eq!(rows.len(), 400);
    let mut ids: Vec<i64> = rows
        .iter()
        .map(|r| r[0].clone().unwrap().parse().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 400);
    // 400 rows at 100 a page: four full pages and the empty fifth that ends
    // it; one count request bounds how far ahead pages are requested.
    assert_eq!(
        cost,
        BTreeMap::from([
            ("GET /orders/after/{id}.json".to_string(), 5),
            ("GET /orders/count.json".to_string(), 1)
        ])
    );
    // Child table: lines of every order, each with its order's key.
    let lines = query(
        d,
        "SELECT order_id, line, product_id, qty FROM OrderProducts",
    );
    assert!(lines.len() >= 400);
    let total: i64 = query(d, "SELECT SUM(qty) FROM OrderProducts")[0][0]
        .clone()
        .unwrap()
        .parse()
        .unwrap();
    assert!(total >= lines.len() as i64);
    disconnect(e, d);
}

#[test]
fn sql_features_work_over_api_tables() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let q = |s: &str| query(d, s);
    assert_eq!(q("SELECT 1")[0][0].as_deref(), Some("1"));
    let joined = q("SELECT o.id, c.email FROM Orders o JOIN Customers c ON c.id = o.customer_id WHERE o.id = 10");
    assert!(joined.len() <= 1);
    let win = q("SELECT id, ROW_NUMBER() OVER (ORDER BY price DESC) FROM Products LIMIT 3");
    assert_eq!(win.len(), 3);
    let cte = q(
        "WITH big AS (SELECT id, total FROM Orders WHERE total > 1000) SELECT COUNT(*) FROM big",
    );
    assert_eq!(cte.len(), 1);
    let sub =
        q("SELECT COUNT(*) FROM Products WHERE id IN (SELECT product_id FROM ProductVariants)");
    assert_eq!(sub.len(), 1);
    let esc = q("SELECT {fn UCASE(name)} FROM Products WHERE id = 1");
    assert_eq!(
        esc[0][0].clone().unwrap(),
        esc[0][0].clone().unwrap().to_uppercase()
    );
    disconnect(e, d);
}

#[test]
fn money_is_exact() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    // Compare every price the driver returns with the JSON text the API sent.
    let http = reqwest::blocking::Client::new();
    let body = http
        .get(format!("{}/products.json?limit=100", sb.url()))
        .basic_auth("sandbox", Some("sandbox-authtoken"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    let rows = query(d, "SELECT id, price FROM Products LIMIT 100");
    for (row, item) in rows.iter().zip(json.as_array().unwrap()) {
        let api = item["product"]["price"].to_string();
        let want = api.trim_end_matches('0').trim_end_matches('.');
        let want = if api.contains('.') {
            want.to_string()
        } else {
            api.clone()
        };
        assert_eq!(row[1].clone().unwrap(), want, "product {:?}", row[0]);
    }
    disconnect(e, d);
}

#[test]
fn server_errors_beyond_the_retry_budget_fail_the_query() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    sb.set_faults(vec![Fault {
        route: "/v1/products*".into(),
        kind: FaultKind::Status(500),
        probability: 1.0,
        count: None,
    }]);
    let err = query_error(d, "SELECT id FROM Products");
    assert_eq!(err[0].0, "HY000");
    assert!(err[0].1.contains("500"), "{err:?}");
    // A blip within the budget is invisible: every row arrives.
    sb.set_faults(vec![Fault {
        route: "/v1/products/after/*".into(),
        kind: FaultKind::Status(503),
        probability: 1.0,
        count: Some(2),
    }]);
    assert_eq!(query(d, "SELECT id FROM Products").len(), 120);
    disconnect(e, d);
}

#[test]
fn a_broken_page_mid_scan_is_an_error_not_fewer_rows() {
    let sb = sandbox();
    // Sequential paging, so page 2 is requested only after the fault is set.
    let (e, d) = connect_with(&sb, "Prefetch=0");
    let st = stmt(d);
    assert_eq!(exec(st, "SELECT id FROM Orders"), SQL_SUCCESS);
    let mut got = 0;
    for _ in 0..50 {
        // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
        assert_eq!(unsafe { SQLFetch(st) }, SQL_SUCCESS);
        got += 1;
    }
    // From now on every orders page is cut short or is not JSON.
    sb.set_faults(vec![Fault {
        route: "/v1/orders/after/*".into(),
        kind: FaultKind::Truncate,
        probability: 1.0,
        count: None,
    }]);
    let mut rc = SQL_SUCCESS;
    while rc == SQL_SUCCESS {
        // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
        rc = unsafe { SQLFetch(st) };
        got += 1;
    }
    assert_eq!(rc, SQL_ERROR, "the scan ended quietly after {got} rows");
    assert!(got <= 101, "only the first page could be delivered");
    let dg = diag(HandleType::Stmt, st);
    assert!(["08S01", "HY000"].contains(&dg[0].0.as_str()), "{dg:?}");
    sb.set_faults(vec![Fault {
        route: "/v1/customers.json".into(),
        kind: FaultKind::MalformedJson,
        probability: 1.0,
        count: None,
    }]);
    let err = query_error(d, "SELECT id FROM Customers");
    assert!(err[0].1.contains("not valid JSON"), "{err:?}");
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLFreeHandle(HandleType::Stmt as i16, st) };
    disconnect(e, d);
}

#[test]
fn a_ten_megabyte_description_comes_in_chunks() {
    let sb = sandbox_with(|c| c.huge_description_product = Some(3));
    let (e, d) = connect(&sb);
    let st = stmt(d);
    assert_eq!(
        exec(st, "SELECT description FROM Products WHERE id = 3"),
        SQL_SUCCESS
    );
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    assert_eq!(unsafe { SQLFetch(st) }, SQL_SUCCESS);
    let mut total = 0usize;
    let mut first = None;
    let mut calls = 0;
    loop {
        let mut buf = vec![0u8; 64 * 1024];
        let mut ind: Len = 0;
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        let rc = unsafe {
            SQLGetData(
                st,
                1,
                CDataType::Char as i16,
                buf.as_mut_ptr() as *mut c_void,
                buf.len() as Len,
                &mut ind,
            )
        };
        if rc == SQL_NO_DATA {
            break;
        }
        calls += 1;
        first.get_or_insert(ind);
        total += if rc == SQL_SUCCESS_WITH_INFO {
            buf.len() - 1
        } else {
            ind as usize
        };
    }
    assert!(total >= 10_000_000, "{total}");
    assert_eq!(first, Some(total as Len));
    assert!(calls > 100);
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLFreeHandle(HandleType::Stmt as i16, st) };
    disconnect(e, d);
}

#[test]
fn many_connections_on_many_threads() {
    let sb = sandbox();
    let cs = conn_str(&sb);
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let cs = cs.clone();
            std::thread::spawn(move || {
                let e = env();
                let d = dbc(e);
                let (rc, _) = driver_connect(d, &cs);
                assert_eq!(rc, SQL_SUCCESS);
                let n = query(d, &format!("SELECT COUNT(*) FROM Products WHERE id > {i}"));
                disconnect(e, d);
                n[0][0].clone().unwrap().parse::<i64>().unwrap()
            })
        })
        .collect();
    let counts: Vec<i64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(counts, (0..8).map(|i| 120 - i).collect::<Vec<_>>());
}

#[test]
fn max_rows_caps_a_select() {
    let sb = sandbox();
    let (e, d) = connect_with(&sb, "MaxRows=7");
    assert_eq!(query(d, "SELECT id FROM Orders").len(), 7);
    disconnect(e, d);
}

#[test]
fn prefetch_never_requests_pages_past_the_end() {
    let sb = sandbox_with(|c| c.orders = 1000);
    let (e, d) = connect(&sb);
    // A whole scan reads by id; a LIMIT by pages, newest first.
    for (limit, route, pages) in [
        ("", "GET /orders/after/{id}.json", 11),
        (" LIMIT 250", "GET /orders.json", 3),
    ] {
        let (rows, cost) = costed(&sb, d, &format!("SELECT id FROM Orders{limit}"));
        assert_eq!(rows.len(), if limit.is_empty() { 1000 } else { 250 });
        assert_eq!(cost.get(route), Some(&pages), "{limit}: {cost:?}");
    }
    // A table without a count endpoint ramps up instead; it still ends at
    // the first short page and returns every row once.
    let (rows, _) = costed(&sb, d, "SELECT code, name FROM StoreLanguages");
    assert!(!rows.is_empty());
    disconnect(e, d);
}

#[test]
fn joins_do_not_cost_a_request_per_row() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let custs: std::collections::HashSet<String> = query(d, "SELECT id FROM Customers")
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect();
    let expected = query(d, "SELECT customer_id FROM Orders")
        .into_iter()
        .filter(|r| r[0].as_ref().is_some_and(|c| custs.contains(c)))
        .count();
    let (rows, cost) = costed(
        &sb,
        d,
        "SELECT o.id, c.email FROM Orders o JOIN Customers c ON c.id = o.customer_id",
    );
    assert_eq!(rows.len(), expected);
    let total: u64 = cost.values().sum();
    // Orders: 5 pages + count; Customers: a few lookups, then 2 pages + count.
    assert!(total <= 20, "{total} requests: {cost:?}");
    // A child table joined to its parent by key: same bound.
    let (rows, cost) = costed(
        &sb,
        d,
        "SELECT p.id, v.id FROM Products p JOIN ProductVariants v ON v.product_id = p.id",
    );
    let direct = query(d, "SELECT COUNT(*) FROM ProductVariants")[0][0]
        .clone()
        .unwrap();
    assert_eq!(rows.len().to_string(), direct);
    assert!(cost.values().sum::<u64>() <= 20, "{cost:?}");
    disconnect(e, d);
}

#[test]
fn rate_limited_scans_wait_and_lose_nothing() {
    // The store allows 5 requests a second; this connection thinks 50.
    let sb = sandbox_with(|c| {
        c.per_second = 5;
        c.per_minute = 1000;
        c.orders = 1500;
    });
    let e = env();
    let d = dbc(e);
    let s = format!(
        "URL={};Login=sandbox;AuthToken=sandbox-authtoken;MaxRequestsPerSecond=50;Pagesize=100",
        sb.url()
    );
    assert_eq!(
        driver_connect(d, &s).0,
        SQL_SUCCESS,
        "{:?}",
        diag(HandleType::Dbc, d)
    );
    sb.reset_counts();
    let rows = query(d, "SELECT id FROM Orders");
    // 16 pages and a count would do; more means some were answered 429.
    assert!(
        sb.request_count() > 17,
        "the test did not provoke throttling"
    );
    assert_eq!(rows.len(), 1500);
    let mut ids: Vec<String> = rows.into_iter().map(|r| r[0].clone().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1500);
    disconnect(e, d);
}

#[test]
fn lookups_on_any_key_route_batch_into_one_read() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    // One customer: the route answers it in one request.
    let (rows, cost) = costed(&sb, d, "SELECT id FROM Orders WHERE customer_id = 3");
    assert_eq!(cost, one("GET /customers/{id}/orders.json", 1));
    let direct = query(d, "SELECT COUNT(*) FROM Orders WHERE customer_id + 0 = 3")[0][0]
        .clone()
        .unwrap();
    assert_eq!(rows.len().to_string(), direct);
    // Every customer (a join's inner side): bounded, not one per customer.
    let (rows, cost) = costed(
        &sb,
        d,
        "SELECT c.id, o.id FROM Customers c JOIN Orders o ON o.customer_id = c.id",
    );
    let expected = query(
        d,
        "SELECT COUNT(*) FROM Orders o WHERE o.customer_id IN (SELECT id FROM Customers)",
    )[0][0]
        .clone()
        .unwrap();
    assert_eq!(rows.len().to_string(), expected);
    assert!(cost.values().sum::<u64>() <= 25, "{cost:?}");
    disconnect(e, d);
}

#[test]
fn created_at_ranges_use_the_date_filter() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let all = query(d, "SELECT id, created_at FROM Orders");
    let (lo, hi) = ("2024-06-01", "2024-09-15 12:00:00");
    let mut expected: Vec<String> = all
        .iter()
        .filter(|r| r[1].as_deref().is_some_and(|c| c >= lo && c < hi))
        .map(|r| r[0].clone().unwrap())
        .collect();
    expected.sort();
    assert!(!expected.is_empty() && expected.len() < all.len());
    let (rows, cost) = costed(
        &sb,
        d,
        &format!("SELECT id FROM Orders WHERE created_at >= '{lo}' AND created_at < '{hi}'"),
    );
    let mut got: Vec<String> = rows.into_iter().map(|r| r[0].clone().unwrap()).collect();
    got.sort();
    assert_eq!(got, expected);
    assert_eq!(cost.keys().collect::<Vec<_>>(), vec!["GET /orders.json"]);
    assert!(
        cost["GET /orders.json"] < 5,
        "a date range reads fewer pages than the whole table: {cost:?}"
    );
    // One bound only works too.
    let (rows, _) = costed(
        &sb,
        d,
        &format!("SELECT id FROM Orders WHERE created_at > '{hi}'"),
    );
    assert_eq!(
        rows.len(),
        all.iter()
            .filter(|r| r[1].as_deref().is_some_and(|c| c > hi))
            .count()
    );
    disconnect(e, d);
}

#[test]
fn nested_fan_out_and_batched_key_routes() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    // Municipalities: regions of every country, municipalities of every region.
    let m = query(
        d,
        "SELECT country_code, region_code, code, name FROM Municipalities",
    );
    assert!(!m.is_empty());
    assert!(
        m.iter()
            .all(|r| r[0].is_some() && r[1].is_some() && r[2].is_some()),
        "{:?}",
        &m[..3]
    );
    let regions = query(d, "SELECT country_code, code FROM Regions");
    assert!(m
        .iter()
        .all(|r| regions.contains(&vec![r[0].clone(), r[1].clone()])));
    // Stock per location: one request per 100 products, locations filled in.
    let locations = query(d, "SELECT COUNT(*) FROM Locations")[0][0]
        .clone()
        .unwrap();
    let (rows, cost) = costed(
        &sb,
        d,
        "SELECT product_id, variant_id, location_id, stock FROM ProductLocations",
    );
    assert!(!rows.is_empty());
    assert_eq!(cost.get("GET /products_locations"), Some(&2), "{cost:?}");
    let distinct_locs: std::collections::HashSet<_> = rows.iter().map(|r| r[2].clone()).collect();
    assert_eq!(distinct_locs.len().to_string(), locations);
    let (one, cost) = costed(
        &sb,
        d,
        "SELECT location_id, stock FROM ProductLocations WHERE product_id = 7",
    );
    assert_eq!(cost.get("GET /products_locations"), Some(&1));
    assert_eq!(
        one.len(),
        rows.iter().filter(|r| r[0].as_deref() == Some("7")).count()
    );
    // Option values scanned alone (options are themselves a fan-out), and by product.
    let all = query(
        d,
        "SELECT product_id, option_id, id FROM ProductOptionValues",
    );
    assert!(all.iter().all(|r| r[0].is_some() && r[1].is_some()));
    let some = all.iter().find_map(|r| r[0].clone());
    if let Some(pid) = some {
        let (by, cost) = costed(&sb, d, &format!("SELECT product_id, option_id, id FROM ProductOptionValues WHERE product_id = {pid}"));
        assert!(
            by.iter().all(|r| r[0].as_deref() == Some(pid.as_str())),
            "{by:?}"
        );
        assert_eq!(
            by.len(),
            all.iter()
                .filter(|r| r[0].as_deref() == Some(pid.as_str()))
                .count()
        );
        assert_eq!(cost.values().sum::<u64>(), 1);
    }
    disconnect(e, d);
}

#[test]
fn two_key_routes_answer_with_one_request_for_the_rows() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let m = query(
        d,
        "SELECT country_code, region_code, code FROM Municipalities",
    );
    let (cc, rc) = (m[0][0].clone().unwrap(), m[0][1].clone().unwrap());
    let (rows, cost) = costed(&sb, d, &format!("SELECT country_code, region_code, code FROM Municipalities WHERE country_code = '{cc}' AND region_code = '{rc}'"));
    // One request for the rows; the text keys are first checked against the
    // parents' own values (one read of Regions), since the API matches them
    // loosely and the rows would carry the keys as written.
    assert_eq!(
        cost.get("GET /countries/{country_code}/regions/{region_code}/municipalities.json"),
        Some(&1),
        "{cost:?}"
    );
    let parents = costed(&sb, d, "SELECT country_code, code FROM Regions").1;
    assert_eq!(
        cost.values().sum::<u64>(),
        1 + parents.values().sum::<u64>(),
        "{cost:?}"
    );
    let want: Vec<_> = m
        .iter()
        .filter(|r| r[0].as_deref() == Some(cc.as_str()) && r[1].as_deref() == Some(rc.as_str()))
        .cloned()
        .collect();
    assert_eq!(rows, want);
    let v = query(
        d,
        "SELECT product_id, option_id, id, name FROM ProductOptionValues",
    );
    let (pid, oid) = (v[0][0].clone().unwrap(), v[0][1].clone().unwrap());
    let (rows, cost) = costed(&sb, d, &format!("SELECT product_id, option_id, id, name FROM ProductOptionValues WHERE product_id = {pid} AND option_id = {oid}"));
    assert_eq!(
        cost.keys().collect::<Vec<_>>(),
        vec!["GET /products/{id}/options/{id}/values.json"]
    );
    let want: Vec<_> = v
        .iter()
        .filter(|r| r[0].as_deref() == Some(pid.as_str()) && r[1].as_deref() == Some(oid.as_str()))
        .cloned()
        .collect();
    assert_eq!(rows, want);
    disconnect(e, d);
}

#[test]
fn a_store_without_jsapps_has_an_empty_table_and_info_tells_writability() {
    use jumpseller_sandbox::{Fault, FaultKind};
    let sb = sandbox();
    let (e, d) = connect(&sb);
    // The real API answers 404 when a store has no JsApps.
    sb.set_faults(vec![Fault {
        route: "/v1/jsapps.json".into(),
        kind: FaultKind::Status(404),
        probability: 1.0,
        count: None,
    }]);
    assert!(query(d, "SELECT * FROM JsApps").is_empty());
    // SQL_DATA_SOURCE_READ_ONLY follows ReadOnly / SQL_ATTR_ACCESS_MODE.
    let info = |d| {
        let mut b = [0u8; 4];
        let mut l = 0i16;
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe {
            jumpseller_odbc::ffi::SQLGetInfo(
                d,
                InfoType::DataSourceReadOnly as u16,
                b.as_mut_ptr() as *mut std::os::raw::c_void,
                4,
                &mut l,
            )
        };
        String::from_utf8_lossy(&b[..l as usize]).into_owned()
    };
    assert_eq!(info(d), "N");
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe {
        jumpseller_odbc::ffi::SQLSetConnectAttr(
            d,
            ConnectionAttribute::ACCESS_MODE.0,
            std::ptr::dangling_mut::<std::os::raw::c_void>(),
            0,
        )
    };
    assert_eq!(info(d), "Y");
    let err = query_error(d, "DELETE FROM Categories WHERE id = 1");
    assert!(err[0].1.contains("read-only"), "{err:?}");
    disconnect(e, d);
}

#[test]
fn an_order_placed_during_a_scan_does_not_repeat_a_row() {
    let sb = sandbox();
    let (e, d) = connect_with(&sb, "Prefetch=0");
    let st = stmt(d);
    assert_eq!(exec(st, "SELECT id FROM Orders"), SQL_SUCCESS);
    let mut ids = Vec::new();
    for _ in 0..100 {
        // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
        assert_eq!(unsafe { SQLFetch(st) }, SQL_SUCCESS);
        ids.push(get_text(st, 1).unwrap());
    }
    // A customer orders while page 1 is being read: orders are newest first,
    // so every later page shifts by one.
    let r = reqwest::blocking::Client::new()
        .post(format!("{}/orders.json", sb.url()))
        .basic_auth("sandbox", Some("sandbox-authtoken"))
        .header("Content-Type", "application/json")
        .body(r#"{"order": {"status": "Paid", "products": [{"id": 1, "qty": 1}]}}"#)
        .send()
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().unwrap());
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    while unsafe { SQLFetch(st) } == SQL_SUCCESS {
        ids.push(get_text(st, 1).unwrap());
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "a row was read twice");
    // Every order that existed when the scan began; the new one may be read
    // too (scans read by id: it comes last).
    let old: Vec<String> = unique.into_iter().filter(|i| i != "401").collect();
    assert_eq!(
        old.len(),
        400,
        "every order that existed when the scan began"
    );
    disconnect(e, d);
}

#[test]
fn a_count_only_inner_table_is_counted_once_per_statement() {
    // The inner side of the join is filtered once per outer row: 400 count
    // requests (5,001 on a 5,000-order store) before counts were memoized.
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let (rows, cost) = costed(&sb, d, "SELECT COUNT(*) FROM Orders a, Orders b");
    assert_eq!(rows[0][0].as_deref(), Some("160000"));
    assert_eq!(cost, one("GET /orders/count.json", 1));
    // A new statement asks again: the store may have changed.
    let (_, cost) = costed(&sb, d, "SELECT COUNT(*) FROM Orders");
    assert_eq!(cost, one("GET /orders/count.json", 1));
    disconnect(e, d);
}

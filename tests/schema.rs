//! The built-in profile against the sandbox: every table answers `SELECT *`
//! with values of its declared types, child tables cost one request when the
//! parent key is given, a user's profile file is loaded with `Profile=`, and
//! broken profiles are refused with a message naming the file and the place.
#![allow(unused_unsafe)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod common;

use common::*;
use jumpseller_odbc::ffi::*;
use jumpseller_odbc::schema::{Profile, BUILTIN};
use jumpseller_sandbox::Sandbox;
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::os::raw::c_void;

/// Tables the engine cannot scan alone (the API needs a key the query must
/// give): the WHERE clause used to read them.
const NEEDS_KEY: &[(&str, &str)] = &[];

/// Child tables with no route for one parent (none today).
const SCAN_ONLY: &[&str] = &[];

/// Primary-key columns that are NULL in some rows by the API's design.
const NULLABLE_KEYS: &[(&str, &str)] = &[("ProductLocations", "variant_id")];

/// Tables whose sandbox data is legitimately empty (nothing to check but
/// that the query runs).
const MAY_BE_EMPTY: &[&str] = &[];

/// (column name, ODBC DATA_TYPE, COLUMN_SIZE) of a table, from SQLColumns.
fn sql_columns(d: *mut c_void, table: &str) -> Vec<(String, i16, i64)> {
    let st = stmt(d);
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    let rc = unsafe {
        SQLColumns(
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
    assert!(
        rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO,
        "SQLColumns({table}): {:?}",
        diag(HandleType::Stmt, st)
    );
    let mut out = Vec::new();
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    while unsafe { SQLFetch(st) } != SQL_NO_DATA {
        let name = get_text(st, 4).expect("COLUMN_NAME");
        let ty: i16 = get_text(st, 5)
            .expect("DATA_TYPE")
            .parse()
            .expect("DATA_TYPE is a number");
        let size: i64 = get_text(st, 7)
            .map(|s| s.parse().expect("COLUMN_SIZE"))
            .unwrap_or(0);
        out.push((name, ty, size));
    }
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLFreeHandle(HandleType::Stmt as i16, st) };
    out
}

fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() >= 19
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':'
        && s[..19]
            .chars()
            .enumerate()
            .all(|(i, c)| [4, 7, 10, 13, 16].contains(&i) || c.is_ascii_digit())
        && (s.len() == 19 || (b[19] == b'.' && s[20..].chars().all(|c| c.is_ascii_digit())))
}

fn is_date(s: &str) -> bool {
    s.len() == 10
        && s.chars().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// Why `v` is not a value of ODBC type `ty` (size `size`), if it is not.
fn type_problem(v: &str, ty: i16, size: i64) -> Option<String> {
    let ok = match ty {
        -5 | 4 | 5 => v.parse::<i64>().is_ok(),
        3 | 2 => v.parse::<f64>().is_ok() && !v.contains(['e', 'E']),
        6..=8 => v.parse::<f64>().is_ok(),
        -7 => v == "0" || v == "1",
        93 => is_timestamp(v),
        91 => is_date(v),
        -9 => (v.chars().count() as i64) <= size,
        -10 => true,
        other => return Some(format!("unexpected DATA_TYPE {other}")),
    };
    (!ok).then(|| format!("{v:?} is not a value of DATA_TYPE {ty} (size {size})"))
}

fn where_for(table: &str) -> String {
    NEEDS_KEY
        .iter()
        .find(|(t, _)| *t == table)
        .map(|(_, w)| format!(" WHERE {w}"))
        .unwrap_or_default()
}

/// Runs `sql`, returning (rows, requests by route) for just that query.
fn costed(
    sb: &Sandbox,
    d: *mut c_void,
    sql: &str,
) -> (Vec<Vec<Option<String>>>, BTreeMap<String, u64>) {
    sb.reset_counts();
    let rows = query(d, sql);
    (rows, sb.requests_by_route())
}

#[test]
fn every_core_table_of_the_design_exists() {
    let p = Profile::builtin();
    let core = [
        "Store",
        "StoreLanguages",
        "Products",
        "ProductVariants",
        "ProductImages",
        "ProductCategories",
        "ProductOptions",
        "ProductOptionValues",
        "ProductAttachments",
        "ProductCustomFields",
        "ProductDigitalProducts",
        "ProductReviews",
        "Categories",
        "Orders",
        "OrderProducts",
        "OrderHistory",
        "Fulfillments",
        "Customers",
        "CustomerCategories",
        "CustomerAdditionalFields",
        "Promotions",
        "PaymentMethods",
        "ShippingMethods",
        "Locations",
        "Taxes",
        "CustomFields",
        "CustomFieldSelectOptions",
        "CheckoutCustomFields",
        "Countries",
        "Regions",
        "Pages",
        "Hooks",
        "JsApps",
    ];
    for t in core {
        assert!(
            p.tables.iter().any(|x| x.name == t),
            "core table {t} is missing (names are exact)"
        );
    }
    // Every table: a primary key, remarks on the table and on every column,
    // foreign keys to declared columns, and child tables keyed first by the parent.
    for t in &p.tables {
        assert!(!t.primary_key.is_empty(), "{} has no primary key", t.name);
        assert!(!t.remarks.is_empty(), "{} has no remarks", t.name);
        for c in &t.columns {
            assert!(
                !c.remarks.is_empty(),
                "{}.{} has no remarks",
                t.name,
                c.name
            );
        }
        for fk in &t.foreign_keys {
            for c in &fk.columns {
                assert!(
                    t.columns.iter().any(|x| &x.name == c),
                    "{}: foreign key column {c} is not a column",
                    t.name
                );
            }
            let r = p.table(&fk.references).unwrap();
            for c in &fk.ref_columns {
                assert!(
                    r.columns.iter().any(|x| &x.name == c),
                    "{}: {}.{c} is not a column",
                    t.name,
                    r.name
                );
            }
        }
        if let Some(ps) = &t.source.parent {
            assert!(
                t.foreign_keys.iter().any(|fk| fk.references == ps.table
                    || p.table(&fk.references).is_some_and(|r| r
                        .source
                        .parent
                        .as_ref()
                        .is_some_and(|pp| pp.table == ps.table))),
                "{}: no foreign key to its parent {}",
                t.name,
                ps.table
            );
            assert!(
                t.columns[0].json_path().starts_with("$parent.") || t.columns[0].name == ps.key,
                "{}: the first column is not the parent key",
                t.name
            );
        }
    }
}

/// Enough rows for every table, few enough that reading them all is quick.
fn small_sandbox() -> jumpseller_sandbox::Sandbox {
    sandbox_with(|c| {
        c.products = 30;
        c.orders = 60;
        c.customers = 40;
    })
}

#[test]
fn select_star_from_every_table_has_values_of_the_declared_types() {
    let sb = small_sandbox();
    let (e, d) = connect(&sb);
    let p = Profile::builtin();
    let mut empty = Vec::new();
    let mut problems = Vec::new();
    for t in &p.tables {
        let decl = sql_columns(d, &t.name);
        assert_eq!(
            decl.len(),
            t.columns.len(),
            "SQLColumns({}) lists every column",
            t.name
        );
        let sql = format!("SELECT * FROM {}{}", t.name, where_for(&t.name));
        let rows = query(d, &sql);
        if rows.is_empty() {
            empty.push(t.name.clone());
            continue;
        }
        assert_eq!(rows[0].len(), decl.len(), "{sql}: column count");
        for r in &rows {
            for (i, v) in r.iter().enumerate() {
                let Some(v) = v else { continue };
                let (name, ty, size) = &decl[i];
                if let Some(why) = type_problem(v, *ty, *size) {
                    problems.push(format!("{}.{name}: {why}", t.name));
                }
            }
        }
        // The key columns are always filled (a NULL key means a wrong path),
        // but for the listed ones (a product without variants has stock with
        // no variant).
        for k in &t.primary_key {
            if NULLABLE_KEYS.contains(&(t.name.as_str(), k.as_str())) {
                continue;
            }
            let i = decl.iter().position(|(n, _, _)| n == k).unwrap();
            assert!(
                rows.iter().all(|r| r[i].is_some()),
                "{}: primary key column {k} has NULLs",
                t.name
            );
        }
    }
    problems.dedup();
    assert!(
        problems.is_empty(),
        "values not of their declared type:\n{}",
        problems.join("\n")
    );
    let unexpected: Vec<_> = empty
        .iter()
        .filter(|t| !MAY_BE_EMPTY.contains(&t.as_str()))
        .collect();
    assert!(
        unexpected.is_empty(),
        "tables without rows although the sandbox has data for them: {unexpected:?}"
    );
    disconnect(e, d);
}

/// `value` as an SQL literal.
fn literal(value: &str) -> String {
    if value.parse::<i64>().is_ok() {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', "''"))
    }
}

/// Requests a route spends checking its text keys against the parent table's
/// values (the API matches text loosely, and a route that sets the parent
/// would put the key as written into the rows): one read of the parent table.
fn parent_check_cost(
    sb: &Sandbox,
    d: *mut c_void,
    t: &jumpseller_odbc::schema::Table,
    keys: &[&str],
    sets_parent: bool,
) -> u64 {
    let text_key = keys.iter().any(|k| {
        t.columns
            .iter()
            .any(|c| c.name == *k && !c.sql_type().is_integer())
    });
    if !sets_parent || !text_key {
        return 0;
    }
    let parent = &t.source.parent.as_ref().unwrap().table;
    costed(sb, d, &format!("SELECT * FROM {parent}"))
        .1
        .values()
        .sum()
}

#[test]
fn pushdown_routes_answer_the_scan_rows_in_one_request() {
    let sb = small_sandbox();
    let (e, d) = connect(&sb);
    let p = Profile::builtin();
    let mut children = 0;
    let mut routes = 0;
    for t in &p.tables {
        let needs_key = NEEDS_KEY.iter().find(|(n, _)| *n == t.name);
        let all = if needs_key.is_some() {
            Vec::new()
        } else {
            query(d, &format!("SELECT * FROM {}", t.name))
        };
        // (column, whether it is the parent key) for every `=` route, and `id` for GET.
        let mut cols: Vec<(String, bool)> = t
            .pushdown
            .iter()
            .filter(|pd| pd.op == "=" && pd.also.is_empty())
            .map(|pd| (pd.column.clone(), false))
            .collect();
        // Several-key routes: every key of one row of the full read.
        for pd in t.pushdown.iter().filter(|pd| !pd.also.is_empty()) {
            let row = all.first().unwrap_or_else(|| panic!("{}: no rows", t.name));
            let keys: Vec<&String> = std::iter::once(&pd.column).chain(&pd.also).collect();
            let at = |k: &String| t.columns.iter().position(|x| &x.name == k).unwrap();
            let cond: Vec<String> = keys
                .iter()
                .map(|k| format!("{k} = {}", literal(row[at(k)].as_deref().unwrap())))
                .collect();
            let sql = format!("SELECT * FROM {} WHERE {}", t.name, cond.join(" AND "));
            let (mut rows, cost) = costed(&sb, d, &sql);
            let keys_text: Vec<&str> = keys.iter().map(|k| k.as_str()).collect();
            let parent_read = parent_check_cost(&sb, d, t, &keys_text, pd.sets_parent);
            assert_eq!(
                cost.values().sum::<u64>(),
                1 + parent_read,
                "{sql} cost {cost:?}"
            );
            let mut want: Vec<_> = all
                .iter()
                .filter(|r| keys.iter().all(|k| r[at(k)] == row[at(k)]))
                .cloned()
                .collect();
            rows.sort();
            want.sort();
            assert_eq!(rows, want, "{sql}");
            routes += 1;
        }
        if t.get.is_some() {
            cols.push(("id".into(), false));
        }
        cols.dedup();
        for (c, is_parent) in cols.iter_mut() {
            *is_parent = t.source.parent.is_some() && *c == t.columns[0].name;
        }
        for (c, is_parent) in cols {
            let i = t.columns.iter().position(|x| x.name == c).unwrap();
            let (value, want) = match needs_key {
                Some((_, w)) => (w.rsplit('=').next().unwrap().trim().to_string(), None),
                None => {
                    let Some(v) = all.iter().find_map(|r| r[i].clone()) else {
                        panic!("{}: no value of {c} to query with", t.name)
                    };
                    let mut mine: Vec<_> = all
                        .iter()
                        .filter(|r| r[i].as_deref() == Some(v.as_str()))
                        .cloned()
                        .collect();
                    mine.sort();
                    (v, Some(mine))
                }
            };
            let sql = format!("SELECT * FROM {} WHERE {c} = {}", t.name, literal(&value));
            let (mut rows, cost) = costed(&sb, d, &sql);
            // A route that lists another table's keys ({Locations.id*})
            // reads that table too; the route itself is still one request.
            let reads_other = t
                .pushdown
                .iter()
                .any(|pd| pd.column == c && pd.list.contains("*}"));
            let spent: u64 = if reads_other {
                cost.iter()
                    .filter(|(k, _)| !k.contains("locations.json"))
                    .map(|(_, n)| n)
                    .sum()
            } else {
                cost.values().sum()
            };
            let sets_parent = t.pushdown.iter().any(|pd| pd.column == c && pd.sets_parent);
            let parent_read = parent_check_cost(&sb, d, t, &[c.as_str()], sets_parent);
            assert_eq!(spent, 1 + parent_read, "{sql} cost {cost:?}");
            assert!(!rows.is_empty(), "{sql}: no rows");
            if let Some(want) = want {
                rows.sort();
                assert_eq!(rows, want, "{sql}: not the full read's rows for that value");
            }
            if is_parent {
                children += 1;
            }
            routes += 1;
        }
    }
    // Every child table can be read for one parent (a table without such a
    // route would have to be scanned whole to answer `WHERE <parent key> = ?`).
    for t in p.tables.iter().filter(|t| t.source.parent.is_some()) {
        let key = &t.source.parent.as_ref().unwrap().key;
        assert!(
            t.pushdown
                .iter()
                .any(|pd| pd.op == "=" && (pd.column == t.columns[0].name || &pd.column == key))
                || NEEDS_KEY.iter().any(|(n, _)| *n == t.name)
                || SCAN_ONLY.contains(&t.name.as_str()),
            "{} has no route for one parent",
            t.name
        );
    }
    assert!(
        children >= 25 && routes >= 50,
        "only {children} child tables / {routes} routes checked"
    );
    disconnect(e, d);
}

#[test]
fn a_table_whose_parent_is_itself_a_child_is_scanned_through_it() {
    // Option values live in each option, options under each product.
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let rows = query(
        d,
        "SELECT product_id, option_id, id FROM ProductOptionValues",
    );
    assert!(
        !rows.is_empty() && rows.iter().all(|r| r.iter().all(|v| v.is_some())),
        "{:?}",
        rows.first()
    );
    disconnect(e, d);
}

/// Writes `text` to a fresh temp file and returns its path, with the
/// guard that removes it.
fn temp_profile(name: &str, text: &str) -> (TempDir, String) {
    let dir = TempDir::new(&format!("schema-{name}"));
    let path = dir.join("profile.json");
    std::fs::write(&path, text).unwrap();
    let path = path.to_string_lossy().into_owned();
    (dir, path)
}

/// (SQLSTATE, message) pairs of a handle's diagnostic records.
type Diagnostics = Vec<(String, String)>;

/// Connects with `Profile=<path>`: (env, dbc, Ok or the diagnostics).
fn connect_with_profile(
    sb: &Sandbox,
    path: &str,
) -> (*mut c_void, *mut c_void, Result<(), Diagnostics>) {
    let e = env();
    let d = dbc(e);
    let (rc, _) = driver_connect(d, &format!("{};Profile={{{path}}}", conn_str(sb)));
    if rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO {
        (e, d, Ok(()))
    } else {
        (e, d, Err(diag(HandleType::Dbc, d)))
    }
}

fn free_unconnected(e: *mut c_void, d: *mut c_void) {
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe {
        SQLFreeHandle(HandleType::Dbc as i16, d);
        SQLFreeHandle(HandleType::Env as i16, e);
    }
}

#[test]
fn a_user_profile_with_an_extra_column_and_table_is_queryable() {
    let sb = sandbox();
    let mut p: Json = serde_json::from_str(BUILTIN).unwrap();
    let tables = p["tables"].as_array_mut().unwrap();
    // A custom field column: the first checkout custom field answer of an order.
    let orders = tables.iter_mut().find(|t| t["name"] == "Orders").unwrap();
    orders["columns"].as_array_mut().unwrap().push(json!({
        "name": "first_additional_value", "type": "WVARCHAR(255)", "path": "additional_fields.value",
        "remarks": "Answer to the first checkout custom field"
    }));
    // A new endpoint table: the orders of one customer.
    tables.push(json!({
        "name": "CustomerOrders",
        "remarks": "Orders of each customer, from /customers/{id}/orders.json",
        "source": {"parent": {"table": "Customers", "list": "/customers/{parent}/orders.json", "wrapper": "order", "key": "customer_id"}},
        "primary_key": ["customer_id", "id"],
        "foreign_keys": [{"columns": ["customer_id"], "references": "Customers", "ref_columns": ["id"]}],
        "columns": [
            {"name": "customer_id", "type": "BIGINT", "path": "$parent.id", "remarks": "Customer"},
            {"name": "id", "type": "BIGINT", "remarks": "Order"},
            {"name": "total", "type": "DECIMAL(19,4)", "remarks": "Order total"},
            {"name": "status_enum", "type": "WVARCHAR(40)", "remarks": "Order status"}
        ],
        "pushdown": [{"column": "customer_id", "op": "=", "list": "/customers/{value}/orders.json", "wrapper": "order", "sets_parent": true}]
    }));
    let (_dir, path) = temp_profile("custom", &serde_json::to_string_pretty(&p).unwrap());
    let (e, d, r) = connect_with_profile(&sb, &path);
    r.unwrap_or_else(|diag| panic!("connect with {path}: {diag:?}"));
    let rows = query(
        d,
        "SELECT COUNT(*), COUNT(first_additional_value) FROM Orders",
    );
    let (n, filled): (i64, i64) = (
        rows[0][0].clone().unwrap().parse().unwrap(),
        rows[0][1].clone().unwrap().parse().unwrap(),
    );
    assert!(n == 400 && filled > 0 && filled < n, "{rows:?}");
    let (rows, cost) = costed(
        &sb,
        d,
        "SELECT customer_id, id, total FROM CustomerOrders WHERE customer_id = 3",
    );
    assert!(
        !rows.is_empty() && rows.iter().all(|r| r[0].as_deref() == Some("3")),
        "{rows:?}"
    );
    assert_eq!(
        cost,
        BTreeMap::from([("GET /customers/{id}/orders.json".to_string(), 1)])
    );
    let want = query(
        d,
        "SELECT 3, id, total FROM Orders WHERE customer_id = 3 ORDER BY id",
    );
    let got = query(
        d,
        "SELECT customer_id, id, total FROM CustomerOrders WHERE customer_id = 3 ORDER BY id",
    );
    assert_eq!(got, want);
    disconnect(e, d);
}

/// docs/profile.md lists TIME: a profile column of that type is described
/// as SQL_TYPE_TIME (size 8, no fraction digits) and holds the UTC time of
/// day of the instant the API sent.
#[test]
fn a_profile_column_of_type_time_is_a_sql_type_time() {
    let sb = sandbox();
    let mut p: Json = serde_json::from_str(BUILTIN).unwrap();
    let tables = p["tables"].as_array_mut().unwrap();
    let orders = tables.iter_mut().find(|t| t["name"] == "Orders").unwrap();
    orders["columns"].as_array_mut().unwrap().push(json!({
        "name": "created_time", "type": "time", "path": "created_at"
    }));
    let (_dir, path) = temp_profile("time", &serde_json::to_string_pretty(&p).unwrap());
    let (e, d, r) = connect_with_profile(&sb, &path);
    r.unwrap_or_else(|diag| panic!("connect with {path}: {diag:?}"));
    let listed = sql_columns(d, "Orders");
    assert!(
        listed.contains(&("created_time".to_string(), 92, 8)),
        "SQLColumns: {listed:?}"
    );
    let st = stmt(d);
    assert_eq!(
        exec(st, "SELECT created_time FROM Orders WHERE id = 1"),
        SQL_SUCCESS
    );
    let c = describe_column(st, 1);
    assert_eq!((c.sql_type, c.size, c.digits), (92, 8, 0), "{c:?}");
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLFreeHandle(HandleType::Stmt as i16, st) };
    let rows = query(
        d,
        "SELECT created_time, time(created_at), created_at FROM Orders ORDER BY id LIMIT 20",
    );
    assert!(!rows.is_empty());
    for r in &rows {
        assert!(r[0].as_deref().is_some_and(|t| t.len() == 8), "{r:?}");
        assert_eq!(r[0], r[1], "the time of day of {:?}", r[2]);
    }
    disconnect(e, d);
}

#[test]
fn malformed_profiles_fail_to_connect_naming_the_file_and_the_place() {
    let sb = sandbox();
    let mut bad_type: Json = serde_json::from_str(BUILTIN).unwrap();
    bad_type["tables"][2]["columns"][1]["type"] = json!("BLOB9");
    let mut bad_push: Json = serde_json::from_str(BUILTIN).unwrap();
    bad_push["tables"][2]["pushdown"][0]["column"] = json!("no_such_column");
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "json",
            "{\"name\": \"x\", \"schema\": \"Jumpseller\",\n \"tables\": [ {\"name\": }\n]}".into(),
            vec!["line 2"],
        ),
        (
            "type",
            serde_json::to_string_pretty(&bad_type).unwrap(),
            vec!["'Products'", "'name'", "BLOB9"],
        ),
        (
            "pushdown",
            serde_json::to_string_pretty(&bad_push).unwrap(),
            vec!["'Products'", "no_such_column"],
        ),
    ];
    for (name, text, places) in cases {
        let (_dir, path) = temp_profile(name, &text);
        let (e, d, r) = connect_with_profile(&sb, &path);
        let diag = r
            .err()
            .unwrap_or_else(|| panic!("a {name} error in {path} was accepted"));
        let all: String = diag.iter().map(|(s, m)| format!("{s} {m}\n")).collect();
        assert!(
            all.contains(&path),
            "{name}: the message does not name {path}: {all}"
        );
        for p in places {
            assert!(
                all.contains(p),
                "{name}: the message does not say {p}: {all}"
            );
        }
        assert!(
            diag.iter().any(|(s, _)| s == "08001"),
            "{name}: not SQLSTATE 08001: {all}"
        );
        free_unconnected(e, d);
    }
    // A missing file is named too.
    let (e, d, r) = connect_with_profile(&sb, "/nonexistent/profile.json");
    let diag = r.expect_err("a missing profile file is refused");
    assert!(
        diag.iter()
            .any(|(_, m)| m.contains("/nonexistent/profile.json")),
        "{diag:?}"
    );
    free_unconnected(e, d);
}

#[test]
fn joins_from_a_parent_to_a_listed_child_do_not_cost_a_request_per_row() {
    // A per-parent route on a table that has its own list (Orders.customer_id ->
    // /customers/{id}/orders.json) would make SQLite ask once per parent row.
    let sb = sandbox();
    let (e, d) = connect(&sb);
    query(d, "SELECT COUNT(*) FROM Customers");
    query(d, "SELECT COUNT(*) FROM Orders");
    for sql in [
        "SELECT c.id, o.id FROM Customers c JOIN Orders o ON o.customer_id = c.id",
        "SELECT o.id, c.email FROM Orders o JOIN Customers c ON c.id = o.customer_id",
        "SELECT o.id, f.id FROM Orders o JOIN Fulfillments f ON f.order_id = o.id",
        "SELECT o.id, x.public_id FROM Orders o JOIN Documents x ON x.order_id = o.id",
        "SELECT p.id, r.id FROM Products p JOIN ProductReviews r ON r.product_id = p.id",
    ] {
        let (rows, cost) = costed(&sb, d, sql);
        assert!(!rows.is_empty(), "{sql}");
        // Lookups of the parent by id are the engine's to batch; no other
        // route may be asked once per row.
        let gets: Vec<String> = Profile::builtin()
            .tables
            .iter()
            .filter_map(|t| t.get.as_ref().map(|g| format!("GET {g}")))
            .collect();
        for (route, n) in &cost {
            assert!(
                *n <= 10 || gets.contains(route),
                "{sql}: {route} asked {n} times ({cost:?})"
            );
        }
    }
    disconnect(e, d);
}

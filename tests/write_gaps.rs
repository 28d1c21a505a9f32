//! The write routes no table reached before: an image's position
//! (`UPDATE ProductImages`), stock per location (`UPDATE ProductLocations`),
//! customer-group membership (`INSERT INTO CustomerCategoryCustomers`) and
//! shipping-rate quotes (`{call GetShippingRates(...)}`). Each is checked
//! against the sandbox's own answers afterwards, with the requests it cost.
#![allow(unused_unsafe)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod common;

use common::*;
use jumpseller_sandbox::Sandbox;
use serde_json::Value;

/// The sandbox's answer to a GET, as the API sends it.
fn api(sb: &Sandbox, path: &str) -> Value {
    let body = reqwest::blocking::Client::new()
        .get(format!("{}{path}", sb.url()))
        .basic_auth("sandbox", Some("sandbox-authtoken"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    serde_json::from_str(&body).unwrap()
}

/// Requests of one route (`"PUT /products_locations"`) since the last reset.
fn sent(sb: &Sandbox, route: &str) -> u64 {
    sb.requests_by_route().get(route).copied().unwrap_or(0)
}

fn ok(st: *mut std::ffi::c_void, sql: &str) {
    assert_eq!(
        exec(st, sql),
        SQL_SUCCESS,
        "{sql}: {:?}",
        diag(HandleType::Stmt, st)
    );
}

/// Runs `sql`, expects an error with `state`; returns its message.
fn fails(st: *mut std::ffi::c_void, sql: &str, state: &str) -> String {
    assert_eq!(exec(st, sql), SQL_ERROR, "{sql} should fail");
    let d = diag(HandleType::Stmt, st);
    assert_eq!(d[0].0, state, "{sql}: {d:?}");
    d[0].1.clone()
}

/// (position, id) of a product's images, by position, as the API has them.
fn image_positions(sb: &Sandbox, product: &str) -> Vec<(u64, u64)> {
    let p = api(sb, &format!("/products/{product}.json"));
    let mut v: Vec<(u64, u64)> = p["product"]["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["position"].as_u64().unwrap(), i["id"].as_u64().unwrap()))
        .collect();
    v.sort();
    v
}

#[test]
fn an_images_position_is_an_update_of_product_images() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let st = stmt(d);
    let rows = query(
        d,
        "SELECT product_id, COUNT(*) FROM ProductImages WHERE product_id IN (1,2,3,4,5,6,7,8,9,10) GROUP BY product_id HAVING COUNT(*) >= 3 LIMIT 1",
    );
    let product = rows[0][0].clone().unwrap();
    let before = image_positions(&sb, &product);
    let last = before.last().unwrap().1;
    let key = format!("WHERE product_id = {product} AND id = {last}");
    sb.reset_counts();
    ok(st, &format!("UPDATE ProductImages SET position = 1 {key}"));
    assert_eq!(sent(&sb, "PUT /products/{id}/images/{id}.json"), 1);
    let after = image_positions(&sb, &product);
    assert_eq!(after[0], (1, last), "{after:?}");
    let through_sql = query(d, &format!("SELECT position FROM ProductImages {key}"));
    assert_eq!(through_sql[0][0].as_deref(), Some("1"));

    // Only the position can change: anything else is refused before a request.
    sb.reset_counts();
    let m = fails(
        st,
        &format!("UPDATE ProductImages SET url = 'https://x.example/a.png' {key}"),
        "HYC00",
    );
    assert!(
        m.contains("ProductImages.url") && m.contains("position"),
        "{m}"
    );
    let m = fails(
        st,
        &format!("UPDATE ProductImages SET position = 2, url = 'u' {key}"),
        "HYC00",
    );
    assert!(m.contains("url"), "{m}");
    assert_eq!(sent(&sb, "PUT /products/{id}/images/{id}.json"), 0);
    // No position: the route cannot be filled. Not a number: the API's 400.
    fails(
        st,
        &format!("UPDATE ProductImages SET position = NULL {key}"),
        "23000",
    );
    fails(
        st,
        &format!("UPDATE ProductImages SET position = 'first' {key}"),
        "23000",
    );
    // The key stays the key.
    fails(
        st,
        &format!("UPDATE ProductImages SET id = 1 {key}"),
        "HYC00",
    );
    assert_eq!(image_positions(&sb, &product)[0], (1, last));
    disconnect(e, d);
}

/// A product whose stock rows have variants (or not), from the first 30.
fn stock_product(d: *mut std::ffi::c_void, variants: bool) -> String {
    let test = if variants { "IS NOT NULL" } else { "IS NULL" };
    let rows = query(
        d,
        &format!("SELECT product_id FROM ProductLocations WHERE product_id IN (1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20) AND variant_id {test} LIMIT 1"),
    );
    rows[0][0].clone().unwrap()
}

fn api_stock(sb: &Sandbox, location: u64, product: &str) -> Vec<(Option<u64>, i64)> {
    api(
        sb,
        &format!("/products_locations?location_ids={location}&product_ids={product}"),
    )
    .as_array()
    .unwrap()
    .iter()
    .map(|r| (r["variant_id"].as_u64(), r["stock"].as_i64().unwrap()))
    .collect()
}

#[test]
fn stock_per_location_is_an_update_of_product_locations() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let st = stmt(d);
    let plain = stock_product(d, false);
    sb.reset_counts();
    ok(
        st,
        &format!(
            "UPDATE ProductLocations SET stock = 42 WHERE product_id = {plain} AND location_id = 2"
        ),
    );
    assert_eq!(sent(&sb, "PUT /products_locations"), 1);
    assert_eq!(api_stock(&sb, 2, &plain), vec![(None, 42)]);
    // The other location is untouched.
    assert_ne!(api_stock(&sb, 1, &plain), vec![(None, 42)]);

    // Every variant's row at a location: one PUT per row (the API takes one).
    let varied = stock_product(d, true);
    let n = query(
        d,
        &format!(
            "SELECT COUNT(*) FROM ProductLocations WHERE product_id = {varied} AND location_id = 1"
        ),
    )[0][0]
        .clone()
        .unwrap()
        .parse::<u64>()
        .unwrap();
    sb.reset_counts();
    ok(
        st,
        &format!("UPDATE ProductLocations SET stock = stock + 1000 WHERE product_id = {varied} AND location_id = 1"),
    );
    assert_eq!(sent(&sb, "PUT /products_locations"), n);
    let stock = api_stock(&sb, 1, &varied);
    assert_eq!(stock.len() as u64, n);
    assert!(
        stock.iter().all(|(v, s)| v.is_some() && *s >= 1000),
        "{stock:?}"
    );
    let read = query(
        d,
        &format!("SELECT MIN(stock) FROM ProductLocations WHERE product_id = {varied} AND location_id = 1"),
    );
    assert!(read[0][0].as_deref().unwrap().parse::<i64>().unwrap() >= 1000);

    // Refusals: keys, columns the route does not take, the API's validation.
    sb.reset_counts();
    let key = format!("WHERE product_id = {plain} AND location_id = 2");
    fails(
        st,
        &format!("UPDATE ProductLocations SET location_id = 1 {key}"),
        "HYC00",
    );
    let m = fails(
        st,
        &format!("UPDATE ProductLocations SET stock = -5 {key}"),
        "23000",
    );
    assert!(m.contains("negative"), "{m}");
    fails(
        st,
        &format!("UPDATE ProductLocations SET stock = NULL {key}"),
        "23000",
    );
    fails(
        st,
        "INSERT INTO ProductLocations (product_id, location_id, stock) VALUES (1, 1, 3)",
        "HYC00",
    );
    fails(st, &format!("DELETE FROM ProductLocations {key}"), "HYC00");
    assert_eq!(api_stock(&sb, 2, &plain), vec![(None, 42)]);
    disconnect(e, d);
}

fn members(sb: &Sandbox, group: u64) -> Vec<u64> {
    api(
        sb,
        &format!("/customer_categories/{group}/customers.json?limit=100"),
    )
    .as_array()
    .unwrap()
    .iter()
    .map(|c| c["customer"]["id"].as_u64().unwrap())
    .collect()
}

#[test]
fn customers_join_a_group_by_insert() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let st = stmt(d);
    let before = members(&sb, 4);
    let outsiders: Vec<u64> = (1..=40).filter(|c| !before.contains(c)).take(3).collect();
    sb.reset_counts();
    ok(
        st,
        &format!(
            "INSERT INTO CustomerCategoryCustomers (customer_category_id, customer_id) VALUES (4, {})",
            outsiders[0]
        ),
    );
    assert_eq!(
        sent(&sb, "POST /customer_categories/{id}/customers.json"),
        1
    );
    assert!(members(&sb, 4).contains(&outsiders[0]));
    // Already a member: the API leaves the membership as it is.
    let count = members(&sb, 4).len();
    ok(
        st,
        &format!(
            "INSERT INTO CustomerCategoryCustomers (customer_category_id, customer_id) VALUES (4, {})",
            outsiders[0]
        ),
    );
    assert_eq!(members(&sb, 4).len(), count);
    let read = query(
        d,
        &format!(
            "SELECT customer_id FROM CustomerCategoryCustomers WHERE customer_category_id = 4 AND customer_id = {}",
            outsiders[0]
        ),
    );
    assert_eq!(read.len(), 1);

    // By e-mail, and several rows at once: one request per row.
    let email = api(&sb, &format!("/customers/{}.json", outsiders[1]))["customer"]["email"]
        .as_str()
        .unwrap()
        .to_string();
    sb.reset_counts();
    ok(
        st,
        &format!(
            "INSERT INTO CustomerCategoryCustomers (customer_category_id, email) VALUES (4, '{email}'), (4, NULL)"
        )
        .replace(", (4, NULL)", &format!(", (4, (SELECT email FROM Customers WHERE id = {}))", outsiders[2])),
    );
    assert_eq!(
        sent(&sb, "POST /customer_categories/{id}/customers.json"),
        2
    );
    let now = members(&sb, 4);
    assert!(
        now.contains(&outsiders[1]) && now.contains(&outsiders[2]),
        "{now:?}"
    );

    // Refusals: a column the API does not take, no group, an unknown
    // customer or group (the API's 404).
    sb.reset_counts();
    let m = fails(
        st,
        "INSERT INTO CustomerCategoryCustomers (customer_category_id, customer_id, fullname) VALUES (4, 1, 'X')",
        "HYC00",
    );
    assert!(
        m.contains("fullname") && m.contains("customer_id, email"),
        "{m}"
    );
    fails(
        st,
        "INSERT INTO CustomerCategoryCustomers (customer_id) VALUES (1)",
        "23000",
    );
    assert_eq!(
        sent(&sb, "POST /customer_categories/{id}/customers.json"),
        0
    );
    let m = fails(
        st,
        "INSERT INTO CustomerCategoryCustomers (customer_category_id, customer_id) VALUES (4, 9999999)",
        "HY000",
    );
    assert!(m.contains("404") && m.contains("Customer"), "{m}");
    fails(
        st,
        "INSERT INTO CustomerCategoryCustomers (customer_category_id, customer_id) VALUES (999, 1)",
        "HY000",
    );

    // And out again.
    ok(
        st,
        &format!(
            "DELETE FROM CustomerCategoryCustomers WHERE customer_category_id = 4 AND customer_id = {}",
            outsiders[0]
        ),
    );
    assert!(!members(&sb, 4).contains(&outsiders[0]));
    disconnect(e, d);
}

#[test]
fn shipping_rates_are_a_procedure_with_a_result_set() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    sb.reset_counts();
    let one = query(d, "{call GetShippingRates(1)}");
    assert_eq!(sent(&sb, "POST /fulfillments/rates.json"), 1);
    // The rows are the API's answer, field by field.
    let answer = reqwest::blocking::Client::new()
        .post(format!("{}/fulfillments/rates.json", sb.url()))
        .basic_auth("sandbox", Some("sandbox-authtoken"))
        .header("Content-Type", "application/json")
        .body(r#"{"rates": {"location_id": "1"}}"#)
        .send()
        .unwrap()
        .text()
        .unwrap();
    let answer: Value = serde_json::from_str(&answer).unwrap();
    let want: Vec<Vec<Option<String>>> = answer
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            [
                "fulfillment_company",
                "service_label",
                "service_type",
                "amount",
            ]
            .iter()
            .map(|k| match &r[*k] {
                Value::String(s) => Some(s.clone()),
                v => Some(v.to_string()),
            })
            .collect()
        })
        .collect();
    assert_eq!(one, want);
    // Named arguments, the address and packages reach the quote: 3 kg
    // cost more than the default 1.
    let heavy = query(
        d,
        "EXEC GetShippingRates @LocationId = 1, @OrderId = 2, @ShippingCity = 'Santiago', @ShippingCountry = 'CL', @PackagesDimensions = '[{\"length\": 10, \"width\": 10, \"height\": 10, \"weight\": 2.5}]'",
    );
    let amount = |rows: &Vec<Vec<Option<String>>>| -> f64 {
        rows[0][3].as_deref().unwrap().parse().unwrap()
    };
    assert!(amount(&heavy) > amount(&one), "{heavy:?} vs {one:?}");

    // Bad input: clear errors, no request for what the driver can check.
    sb.reset_counts();
    let err = query_error(d, "{call GetShippingRates()}");
    assert_eq!(err[0].0, "42000", "{err:?}");
    assert!(err[0].1.contains("LocationId"), "{err:?}");
    let err = query_error(d, "{call GetShippingRates('first')}");
    assert_eq!(err[0].0, "22018", "{err:?}");
    let err = query_error(
        d,
        "EXEC GetShippingRates 1, @PackagesDimensions = '{\"weight\": 1}'",
    );
    assert_eq!(err[0].0, "22018", "{err:?}");
    assert!(err[0].1.contains("PackagesDimensions"), "{err:?}");
    let err = query_error(d, "EXEC GetShippingRates @Nope = 1");
    assert_eq!(err[0].0, "42000", "{err:?}");
    assert_eq!(sent(&sb, "POST /fulfillments/rates.json"), 0);
    // What only the API knows: an unknown location (its 404).
    let err = query_error(d, "{call GetShippingRates(99)}");
    assert_eq!(err[0].0, "HY000", "{err:?}");
    assert!(
        err[0].1.contains("404") && err[0].1.contains("Location"),
        "{err:?}"
    );
    disconnect(e, d);
}

#[test]
fn shipping_rates_work_on_a_read_only_connection_and_keep_arguments_out_of_the_log() {
    // A quote writes nothing: ReadOnly does not refuse it. The address is
    // personal data: the log names the request, not the arguments.
    let sb = sandbox();
    let dir = TempDir::new("rates-log");
    let log = dir.join("driver.log");
    let (e, d) = connect_with(
        &sb,
        &format!("ReadOnly=true;Logfile={};Verbosity=5", log.display()),
    );
    let rows = query(
        d,
        "EXEC GetShippingRates @LocationId = 2, @ShippingAddress = 'Calle Secreta 742'",
    );
    assert_eq!(rows.len(), 2);
    disconnect(e, d);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("/fulfillments/rates.json"), "{text}");
    assert!(!text.contains("Secreta"), "{text}");
}

#[test]
fn a_profile_naming_an_unknown_column_in_a_write_route_fails_the_connect() {
    let sb = sandbox();
    let dir = TempDir::new("gap-profile");
    for (route, field) in [
        ("update", "columns"),
        ("update", "send"),
        ("insert", "columns"),
    ] {
        let mut p: Value = serde_json::from_str(jumpseller_odbc::schema::BUILTIN).unwrap();
        let t = p["tables"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|t| t["name"] == "Categories")
            .unwrap();
        t[route][field] = serde_json::json!(["name", "no_such_column"]);
        let path = dir.join("profile.json");
        std::fs::write(&path, p.to_string()).unwrap();
        let h = dbc(env());
        let (rc, _) = driver_connect(h, &format!("{};Profile={}", conn_str(&sb), path.display()));
        assert_eq!(rc, SQL_ERROR, "{route}.{field}");
        let d = diag(HandleType::Dbc, h);
        assert_eq!(d[0].0, "08001", "{d:?}");
        assert!(
            d[0].1.contains("'Categories'")
                && d[0].1.contains("'no_such_column'")
                && d[0].1.contains(route),
            "{d:?}"
        );
    }
}

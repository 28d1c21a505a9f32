//! INSERT, UPDATE and DELETE through the profile's write routes.
#![allow(unused_unsafe)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod common;

use common::*;

/// The built-in profile with write routes on Categories and Products, as a
/// user's profile file would declare them.
/// The built-in profile with write routes for Categories and Products, in a
/// temp file (removed when the returned guard drops).
fn profile_with_writes() -> (TempDir, std::path::PathBuf) {
    let mut p: serde_json::Value = serde_json::from_str(jumpseller_odbc::schema::BUILTIN).unwrap();
    for t in p["tables"].as_array_mut().unwrap() {
        let name = t["name"].as_str().unwrap().to_string();
        let (plural, wrapper) = match name.as_str() {
            "Categories" => ("categories", "category"),
            "Products" => ("products", "product"),
            _ => continue,
        };
        t["insert"] = serde_json::json!({"path": format!("/{plural}.json"), "wrapper": wrapper});
        t["update"] =
            serde_json::json!({"path": format!("/{plural}/{{id}}.json"), "wrapper": wrapper});
        t["delete"] = serde_json::json!({"path": format!("/{plural}/{{id}}.json")});
    }
    let dir = TempDir::new("writes");
    let path = dir.join("profile.json");
    std::fs::write(&path, p.to_string()).unwrap();
    (dir, path)
}

#[test]
fn child_rows_are_written_through_their_parent_routes() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let st = stmt(d);
    // A variant: PUT /products/{product_id}/variants/{id}.json.
    let v = query(
        d,
        "SELECT product_id, id FROM ProductVariants WHERE product_id = 2 LIMIT 1",
    );
    let (pid, vid) = (v[0][0].clone().unwrap(), v[0][1].clone().unwrap());
    assert_eq!(
        exec(
            st,
            &format!(
                "UPDATE ProductVariants SET price = 12.34 WHERE product_id = {pid} AND id = {vid}"
            )
        ),
        SQL_SUCCESS,
        "{:?}",
        diag(HandleType::Stmt, st)
    );
    let price = query(
        d,
        &format!("SELECT price FROM ProductVariants WHERE product_id = {pid} AND id = {vid}"),
    );
    assert_eq!(price[0][0].as_deref(), Some("12.34"));
    // An image: DELETE /products/{product_id}/images/{id}.json.
    let imgs = query(
        d,
        "SELECT product_id, id FROM ProductImages WHERE product_id = 2",
    );
    if let Some(first) = imgs.first() {
        let (p, i) = (first[0].clone().unwrap(), first[1].clone().unwrap());
        assert_eq!(
            exec(
                st,
                &format!("DELETE FROM ProductImages WHERE product_id = {p} AND id = {i}")
            ),
            SQL_SUCCESS,
            "{:?}",
            diag(HandleType::Stmt, st)
        );
        assert_eq!(
            query(d, "SELECT id FROM ProductImages WHERE product_id = 2").len(),
            imgs.len() - 1
        );
    }
    // An insert into a child names its parent in the row.
    assert_eq!(
        exec(
            st,
            "INSERT INTO OrderHistory (order_id, message) VALUES (5, 'Called the customer')"
        ),
        SQL_SUCCESS,
        "{:?}",
        diag(HandleType::Stmt, st)
    );
    let msgs = query(d, "SELECT message FROM OrderHistory WHERE order_id = 5");
    assert!(
        msgs.iter()
            .any(|r| r[0].as_deref() == Some("Called the customer")),
        "{msgs:?}"
    );
    disconnect(e, d);
}

#[test]
fn insert_update_delete_reach_the_api() {
    let sb = sandbox();
    let e = env();
    let d = dbc(e);
    let (_dir, prof) = profile_with_writes();
    assert_eq!(
        driver_connect(d, &format!("{};Profile={}", conn_str(&sb), prof.display())).0,
        SQL_SUCCESS,
        "{:?}",
        diag(HandleType::Dbc, d)
    );
    let before = query(d, "SELECT COUNT(*) FROM Categories")[0][0]
        .clone()
        .unwrap();
    let st = stmt(d);
    assert_eq!(
        exec(st, "INSERT INTO Categories (name) VALUES ('Té y café ☕')"),
        SQL_SUCCESS,
        "{:?}",
        diag(HandleType::Stmt, st)
    );
    let mut n: Len = 0;
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { jumpseller_odbc::ffi::SQLRowCount(st, &mut n) };
    assert_eq!(n, 1);
    let after = query(d, "SELECT COUNT(*) FROM Categories")[0][0]
        .clone()
        .unwrap();
    assert_eq!(
        after.parse::<i64>().unwrap(),
        before.parse::<i64>().unwrap() + 1
    );
    let id = query(d, "SELECT id FROM Categories WHERE name = 'Té y café ☕'")[0][0]
        .clone()
        .unwrap();
    assert_eq!(
        exec(
            st,
            &format!("UPDATE Categories SET name = 'Té' WHERE id = {id}")
        ),
        SQL_SUCCESS,
        "{:?}",
        diag(HandleType::Stmt, st)
    );
    assert_eq!(
        query(d, &format!("SELECT name FROM Categories WHERE id = {id}"))[0][0].as_deref(),
        Some("Té")
    );
    // Only the changed column is sent: the price survives a rename.
    let price = query(d, "SELECT price FROM Products WHERE id = 4")[0][0].clone();
    assert_eq!(
        exec(st, "UPDATE Products SET name = 'Renamed' WHERE id = 4"),
        SQL_SUCCESS,
        "{:?}",
        diag(HandleType::Stmt, st)
    );
    assert_eq!(
        query(d, "SELECT name, price FROM Products WHERE id = 4")[0],
        vec![Some("Renamed".into()), price]
    );
    assert_eq!(
        exec(st, &format!("DELETE FROM Categories WHERE id = {id}")),
        SQL_SUCCESS,
        "{:?}",
        diag(HandleType::Stmt, st)
    );
    assert!(query(d, &format!("SELECT id FROM Categories WHERE id = {id}")).is_empty());
    // A table without write routes refuses with a message.
    let err = query_error(d, "DELETE FROM Orders WHERE id = 1");
    assert!(err[0].1.contains("does not support DELETE"), "{err:?}");
    // An invalid write is the API's validation error: 23000 with its text.
    let err = query_error(
        d,
        "INSERT INTO Products (description) VALUES ('no name, no price')",
    );
    assert_eq!(err[0].0, "23000", "{err:?}");
    disconnect(e, d);
}

#[test]
fn read_only_connections_refuse_writes() {
    let sb = sandbox();
    let e = env();
    let d = dbc(e);
    let (_dir, prof) = profile_with_writes();
    assert_eq!(
        driver_connect(
            d,
            &format!("{};Profile={};ReadOnly=true", conn_str(&sb), prof.display())
        )
        .0,
        SQL_SUCCESS
    );
    let err = query_error(d, "DELETE FROM Categories WHERE id = 1");
    assert!(err[0].1.contains("ReadOnly"), "{err:?}");
    assert_eq!(
        query(d, "SELECT COUNT(*) FROM Categories WHERE id = 1")[0][0].as_deref(),
        Some("1")
    );
    disconnect(e, d);
}

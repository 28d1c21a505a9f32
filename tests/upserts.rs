//! Upserts (REPLACE, INSERT OR REPLACE, INSERT OR IGNORE, ON CONFLICT ...)
//! and INSERTs that name a key: the right API calls, or a refusal before
//! anything is written. Never a silent duplicate (issue 8.4).
#![allow(unused_unsafe)]

mod common;

use common::*;
use jumpseller_sandbox::Sandbox;
use std::os::raw::c_void;

/// Requests that write (POST, PUT, DELETE) since the last reset, by route.
fn writes(sb: &Sandbox) -> Vec<(String, u64)> {
    sb.requests_by_route()
        .into_iter()
        .filter(|(k, _)| k.starts_with("POST") || k.starts_with("PUT") || k.starts_with("DELETE"))
        .collect()
}

/// Runs a write that must succeed; returns its SQLRowCount.
fn write_ok(d: *mut c_void, sql: &str) -> i64 {
    let st = stmt(d);
    let rc = exec(st, sql);
    assert!(
        rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO,
        "{sql}: {:?}",
        diag(HandleType::Stmt, st)
    );
    let mut n: Len = 0;
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { jumpseller_odbc::ffi::SQLRowCount(st, &mut n) };
    // SAFETY: as above.
    unsafe { jumpseller_odbc::ffi::SQLFreeHandle(HandleType::Stmt as i16, st) };
    n as i64
}

fn one(d: *mut c_void, sql: &str) -> Option<String> {
    query(d, sql).first().and_then(|r| r[0].clone())
}

fn count(d: *mut c_void, sql: &str) -> i64 {
    one(d, sql).unwrap().parse().unwrap()
}

/// A refused write: its SQLSTATE and message, and nothing written.
fn refused(sb: &Sandbox, d: *mut c_void, sql: &str, state: &str) -> String {
    sb.reset_counts();
    let err = query_error(d, sql);
    assert_eq!(err[0].0, state, "{sql}: {err:?}");
    assert_eq!(writes(sb), vec![], "{sql} wrote something: {err:?}");
    err[0].1.clone()
}

#[test]
fn replace_updates_an_existing_row_and_creates_a_row_without_a_key() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let before = count(d, "SELECT COUNT(*) FROM Categories");
    let name2 = one(d, "SELECT name FROM Categories WHERE id = 2");
    for (i, form) in ["REPLACE INTO", "INSERT OR REPLACE INTO"]
        .iter()
        .enumerate()
    {
        sb.reset_counts();
        let name = format!("Replaced {i}");
        assert_eq!(
            write_ok(
                d,
                &format!("{form} Categories (id, name) VALUES (2, '{name}')")
            ),
            1
        );
        // One existence check, one PUT; no POST.
        assert_eq!(
            writes(&sb),
            vec![("PUT /categories/{id}.json".to_string(), 1)],
            "{form}"
        );
        assert_eq!(
            sb.requests_by_route().get("GET /categories/{id}.json"),
            Some(&1)
        );
        assert_eq!(count(d, "SELECT COUNT(*) FROM Categories"), before);
        assert_eq!(
            one(d, "SELECT name FROM Categories WHERE id = 2"),
            Some(name.clone())
        );
        assert_eq!(
            count(
                d,
                &format!("SELECT COUNT(*) FROM Categories WHERE name = '{name}'")
            ),
            1
        );
    }
    assert_ne!(name2.as_deref(), Some("Replaced 1"));
    // No key named: nothing can conflict, the row is created.
    sb.reset_counts();
    assert_eq!(
        write_ok(d, "REPLACE INTO Categories (name) VALUES ('Fresh one')"),
        1
    );
    assert_eq!(writes(&sb), vec![("POST /categories.json".to_string(), 1)]);
    assert_eq!(count(d, "SELECT COUNT(*) FROM Categories"), before + 1);
    // A key that does not exist: the API would pick another id. Refused.
    let msg = refused(
        &sb,
        d,
        "REPLACE INTO Categories (id, name) VALUES (987654, 'Nowhere')",
        "23000",
    );
    assert!(msg.contains("assigns keys"), "{msg}");
    assert_eq!(count(d, "SELECT COUNT(*) FROM Categories"), before + 1);
    assert_eq!(
        count(d, "SELECT COUNT(*) FROM Categories WHERE name = 'Nowhere'"),
        0
    );
    // Several rows: each is its own request.
    sb.reset_counts();
    assert_eq!(
        write_ok(
            d,
            "REPLACE INTO Categories (id, name) VALUES (2, 'Two'), (3, 'Three')"
        ),
        2
    );
    assert_eq!(
        writes(&sb),
        vec![("PUT /categories/{id}.json".to_string(), 2)]
    );
    assert_eq!(
        query(
            d,
            "SELECT name FROM Categories WHERE id IN (2, 3) ORDER BY id"
        ),
        vec![vec![Some("Two".into())], vec![Some("Three".into())]]
    );
    disconnect(e, d);
}

#[test]
fn insert_or_ignore_and_do_nothing_skip_an_existing_row() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let before = count(d, "SELECT COUNT(*) FROM Categories");
    let name2 = one(d, "SELECT name FROM Categories WHERE id = 2");
    for sql in [
        "INSERT OR IGNORE INTO Categories (id, name) VALUES (2, 'Ignored')",
        "INSERT INTO Categories (id, name) VALUES (2, 'Ignored') ON CONFLICT (id) DO NOTHING",
        "INSERT INTO Categories (id, name) VALUES (2, 'Ignored') ON CONFLICT DO NOTHING",
    ] {
        sb.reset_counts();
        assert_eq!(write_ok(d, sql), 0, "{sql}");
        assert_eq!(writes(&sb), vec![], "{sql}");
        assert_eq!(one(d, "SELECT name FROM Categories WHERE id = 2"), name2);
        assert_eq!(count(d, "SELECT COUNT(*) FROM Categories"), before);
    }
    // Without a key the row is created; a skipped row is not counted.
    sb.reset_counts();
    assert_eq!(
        write_ok(
            d,
            "INSERT OR IGNORE INTO Categories (id, name) VALUES (2, 'Ignored'), (NULL, 'Kept')"
        ),
        1
    );
    assert_eq!(writes(&sb), vec![("POST /categories.json".to_string(), 1)]);
    assert_eq!(count(d, "SELECT COUNT(*) FROM Categories"), before + 1);
    assert_eq!(
        count(d, "SELECT COUNT(*) FROM Categories WHERE name = 'Kept'"),
        1
    );
    // A key that does not exist cannot be created under that key.
    for sql in [
        "INSERT OR IGNORE INTO Categories (id, name) VALUES (987654, 'Nowhere')",
        "INSERT INTO Categories (id, name) VALUES (987654, 'Nowhere') ON CONFLICT DO NOTHING",
    ] {
        refused(&sb, d, sql, "23000");
    }
    assert_eq!(count(d, "SELECT COUNT(*) FROM Categories"), before + 1);
    disconnect(e, d);
}

#[test]
fn a_plain_insert_naming_a_key_is_an_integrity_error() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let before = count(d, "SELECT COUNT(*) FROM Categories");
    let msg = refused(
        &sb,
        d,
        "INSERT INTO Categories (id, name) VALUES (2, 'Duplicate')",
        "23000",
    );
    assert!(msg.contains("already has a row with id = 2"), "{msg}");
    // The same through the rowid, and for a key that does not exist.
    refused(
        &sb,
        d,
        "INSERT INTO Categories (rowid, name) VALUES (2, 'Duplicate')",
        "23000",
    );
    let msg = refused(
        &sb,
        d,
        "INSERT INTO Categories (id, name) VALUES (987654, 'Chosen id')",
        "23000",
    );
    assert!(msg.contains("no row with id = 987654"), "{msg}");
    assert_eq!(count(d, "SELECT COUNT(*) FROM Categories"), before);
    assert_eq!(
        count(
            d,
            "SELECT COUNT(*) FROM Categories WHERE name IN ('Duplicate', 'Chosen id')"
        ),
        0
    );
    // An id of NULL names no key: a plain create.
    assert_eq!(
        write_ok(d, "INSERT INTO Categories (id, name) VALUES (NULL, 'New')"),
        1
    );
    assert_eq!(count(d, "SELECT COUNT(*) FROM Categories"), before + 1);
    disconnect(e, d);
}

#[test]
fn do_update_and_foreign_targets_are_refused_before_any_request() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let before = count(d, "SELECT COUNT(*) FROM Categories");
    for sql in [
        "INSERT INTO Categories (id, name) VALUES (2, 'x') ON CONFLICT (id) DO UPDATE SET name = excluded.name",
        "INSERT INTO Categories (id, name) VALUES (2, 'x') ON CONFLICT DO UPDATE SET name = 'y'",
        "INSERT INTO Categories (id, name) VALUES (2, 'x') ON CONFLICT (id) WHERE id > 0 DO NOTHING",
    ] {
        sb.reset_counts();
        let msg = refused(&sb, d, sql, "HYC00");
        assert!(msg.contains("INSERT OR IGNORE"), "{msg}");
        // Refused when the statement is prepared: not even a read.
        assert_eq!(sb.request_count(), 0, "{sql}");
    }
    let msg = refused(
        &sb,
        d,
        "INSERT INTO Categories (id, name) VALUES (2, 'x') ON CONFLICT (name) DO NOTHING",
        "42000",
    );
    assert!(msg.contains("key of Categories"), "{msg}");
    assert_eq!(count(d, "SELECT COUNT(*) FROM Categories"), before);
    disconnect(e, d);
}

#[test]
fn an_update_cannot_move_a_row_to_another_key() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let msg = refused(
        &sb,
        d,
        "UPDATE Categories SET id = 987 WHERE id = 2",
        "HYC00",
    );
    assert!(msg.contains("Categories.id cannot be changed"), "{msg}");
    assert_eq!(count(d, "SELECT COUNT(*) FROM Categories WHERE id = 2"), 1);
    // Setting the key to itself changes nothing and is fine.
    assert_eq!(
        write_ok(
            d,
            "UPDATE Categories SET id = 2, name = 'Same' WHERE id = 2"
        ),
        1
    );
    let v = query(
        d,
        "SELECT product_id, id FROM ProductVariants WHERE product_id = 2 LIMIT 1",
    );
    let (pid, vid) = (v[0][0].clone().unwrap(), v[0][1].clone().unwrap());
    refused(
        &sb,
        d,
        &format!(
            "UPDATE ProductVariants SET product_id = 3 WHERE product_id = {pid} AND id = {vid}"
        ),
        "HYC00",
    );
    disconnect(e, d);
}

#[test]
fn child_rows_get_the_same_care() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let v = query(
        d,
        "SELECT product_id, id FROM ProductVariants WHERE product_id = 2 LIMIT 1",
    );
    let (pid, vid) = (v[0][0].clone().unwrap(), v[0][1].clone().unwrap());
    let n = |d| {
        count(
            d,
            &format!("SELECT COUNT(*) FROM ProductVariants WHERE product_id = {pid}"),
        )
    };
    let before = n(d);
    // REPLACE of an existing variant: a PUT to it.
    sb.reset_counts();
    assert_eq!(
        write_ok(
            d,
            &format!(
                "REPLACE INTO ProductVariants (product_id, id, price) VALUES ({pid}, {vid}, 43.21)"
            )
        ),
        1
    );
    assert_eq!(
        writes(&sb),
        vec![("PUT /products/{id}/variants/{id}.json".to_string(), 1)]
    );
    assert_eq!(n(d), before);
    assert_eq!(
        one(
            d,
            &format!("SELECT price FROM ProductVariants WHERE product_id = {pid} AND id = {vid}")
        )
        .as_deref(),
        Some("43.21")
    );
    // INSERT OR IGNORE of it: nothing.
    sb.reset_counts();
    assert_eq!(
        write_ok(
            d,
            &format!(
                "INSERT OR IGNORE INTO ProductVariants (product_id, id, price) VALUES ({pid}, {vid}, 1)"
            )
        ),
        0
    );
    assert_eq!(writes(&sb), vec![]);
    // A plain INSERT of it: 23000; of a key that does not exist: refused.
    refused(
        &sb,
        d,
        &format!("INSERT INTO ProductVariants (product_id, id, price) VALUES ({pid}, {vid}, 1)"),
        "23000",
    );
    for sql in [
        format!("INSERT INTO ProductVariants (product_id, id, price) VALUES ({pid}, 987654, 1)"),
        format!("REPLACE INTO ProductVariants (product_id, id, price) VALUES ({pid}, 987654, 1)"),
        format!(
            "INSERT OR IGNORE INTO ProductVariants (product_id, id, price) VALUES ({pid}, 987654, 1)"
        ),
    ] {
        refused(&sb, d, &sql, "23000");
    }
    assert_eq!(n(d), before);
    assert_eq!(
        one(
            d,
            &format!("SELECT price FROM ProductVariants WHERE product_id = {pid} AND id = {vid}")
        )
        .as_deref(),
        Some("43.21")
    );
    disconnect(e, d);
}

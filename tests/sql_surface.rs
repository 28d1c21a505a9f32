//! User SQL stays inside the store (issue 14.6): no file is attached, created
//! or written, no pragma changes the connection, and the store's tables cannot
//! be dropped or shadowed; TEMP tables and views stay available. Direct calls
//! into the driver against the sandbox.

#![warn(clippy::undocumented_unsafe_blocks)]

mod common;
use common::*;

#[test]
fn sql_that_reaches_the_host_is_refused_with_42000_and_touches_no_file() {
    let sb = sandbox();
    let dir = TempDir::new("sql-surface");
    let file = dir.join("attached.db");
    let (e, d) = connect(&sb);
    let f = file.display();
    for sql in [
        format!("ATTACH DATABASE '{f}' AS other"),
        format!("VACUUM INTO '{f}'"),
        "DETACH DATABASE Jumpseller".to_string(),
        "DROP TABLE Categories".to_string(),
        "DROP TABLE Jumpseller.Categories".to_string(),
        "CREATE TABLE Products(x)".to_string(),
        "CREATE VIEW Orders AS SELECT 1".to_string(),
        "PRAGMA writable_schema = 1".to_string(),
        "PRAGMA journal_mode = WAL".to_string(),
        "SELECT load_extension('/nonexistent/x.so')".to_string(),
    ] {
        let errors = query_error(d, &sql);
        assert_eq!(errors[0].0, "42000", "{sql}: {errors:?}");
        assert!(errors[0].1.contains("not allowed"), "{sql}: {errors:?}");
    }
    assert!(!file.exists(), "a file was created");
    // Read-only connections refuse them too (some already as writes).
    let (e2, d2) = connect_with(&sb, "ReadOnly=true");
    for sql in [
        format!("ATTACH DATABASE '{f}' AS other"),
        format!("VACUUM INTO '{f}'"),
    ] {
        let errors = query_error(d2, &sql);
        assert!(
            ["42000", "HYC00"].contains(&errors[0].0.as_str()),
            "{sql}: {errors:?}"
        );
    }
    assert!(!file.exists(), "a file was created");
    disconnect(e2, d2);
    // The store's tables are all still there, unshadowed.
    assert_eq!(
        query(d, "SELECT COUNT(*) FROM Categories")[0][0].as_deref(),
        Some("12")
    );
    assert_eq!(
        query(d, "SELECT COUNT(*) FROM Products")[0][0].as_deref(),
        Some("120")
    );
    disconnect(e, d);
}

#[test]
fn temp_tables_views_and_schema_pragmas_stay_allowed() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let run = |sql: &str| {
        let st = stmt(d);
        assert_eq!(
            exec(st, sql),
            SQL_SUCCESS,
            "{sql}: {:?}",
            diag(HandleType::Stmt, st)
        );
    };
    run("CREATE TEMP TABLE mine AS SELECT id FROM Categories");
    run("CREATE TEMP VIEW expensive AS SELECT id FROM Products WHERE price > 100");
    assert_eq!(
        query(d, "SELECT COUNT(*) FROM mine")[0][0].as_deref(),
        Some("12")
    );
    assert!(!query(d, "SELECT COUNT(*) FROM expensive").is_empty());
    run("DROP VIEW expensive");
    run("DROP TABLE mine");
    let cols = query(d, "PRAGMA table_info(Products)");
    assert_eq!(cols[0][1].as_deref(), Some("id"));
    disconnect(e, d);
}

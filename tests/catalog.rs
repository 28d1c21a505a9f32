//! Catalog functions at the C ABI: the special enumeration calls, patterns
//! with the escape character, SQL_ATTR_METADATA_ID, foreign keys both ways,
//! type info order, and no network for any of it.
#![allow(unused_unsafe)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod common;

use common::*;
use jumpseller_odbc::ffi::*;
use std::os::raw::c_void;
use std::ptr::null;

fn s(x: &str) -> (*const u8, i16) {
    (x.as_ptr(), x.len() as i16)
}

/// Every row of the statement's current result, as text.
fn rows(st: *mut c_void) -> Vec<Vec<Option<String>>> {
    let mut n = 0i16;
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLNumResultCols(st, &mut n) };
    let mut out = Vec::new();
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    while unsafe { SQLFetch(st) } == SQL_SUCCESS {
        out.push((1..=n as u16).map(|i| get_text(st, i)).collect());
    }
    out
}

fn col_names(st: *mut c_void) -> Vec<String> {
    let mut n = 0i16;
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLNumResultCols(st, &mut n) };
    (1..=n as u16)
        .map(|i| {
            let mut b = [0u8; 64];
            let mut l = 0i16;
            // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
            unsafe {
                SQLDescribeCol(
                    st,
                    i,
                    b.as_mut_ptr(),
                    64,
                    &mut l,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                )
            };
            String::from_utf8_lossy(&b[..l as usize]).into_owned()
        })
        .collect()
}

fn tables(
    st: *mut c_void,
    cat: Option<&str>,
    schema: Option<&str>,
    table: Option<&str>,
    types: Option<&str>,
) -> Vec<Vec<Option<String>>> {
    let a = |x: Option<&str>| x.map(s).unwrap_or((null(), 0));
    let (c, cl) = a(cat);
    let (sc, sl) = a(schema);
    let (t, tl) = a(table);
    let (ty, tyl) = a(types);
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { SQLTables(st, c, cl, sc, sl, t, tl, ty, tyl) },
        SQL_SUCCESS
    );
    rows(st)
}

#[test]
fn tables_special_calls_patterns_and_types() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    sb.reset_counts();
    let st = stmt(d);
    // SQL_ALL_SCHEMAS, SQL_ALL_TABLE_TYPES, SQL_ALL_CATALOGS.
    assert_eq!(
        tables(st, Some(""), Some("%"), Some(""), None),
        vec![vec![None, Some("Jumpseller".into()), None, None, None]]
    );
    let types: Vec<Option<String>> = tables(st, Some(""), Some(""), Some(""), Some("%"))
        .into_iter()
        .map(|r| r[3].clone())
        .collect();
    assert_eq!(
        types,
        ["SYSTEM TABLE", "TABLE", "VIEW"].map(|t| Some(t.to_string()))
    );
    assert!(tables(st, Some("%"), Some(""), Some(""), None).is_empty());
    assert_eq!(
        col_names(st),
        [
            "TABLE_CAT",
            "TABLE_SCHEM",
            "TABLE_NAME",
            "TABLE_TYPE",
            "REMARKS"
        ]
    );
    // Patterns: '_' is a wildcard unless escaped; ordered by TABLE_TYPE,
    // then TABLE_NAME (the sys_ tables are SYSTEM TABLEs).
    let all = tables(st, None, None, Some("%"), None);
    assert!(all.len() >= 33);
    let keys: Vec<(String, String)> = all
        .iter()
        .map(|r| (r[3].clone().unwrap(), r[2].clone().unwrap()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(
        tables(st, None, None, Some("sys%"), Some("TABLE")).len(),
        0,
        "a TABLE filter leaves the system tables out"
    );
    assert_eq!(
        tables(st, None, None, None, Some("VIEW,TABLE,%,")).len(),
        tables(st, None, None, None, None).len(),
        "a '%' in the list of types (LibreOffice) asks for every type"
    );
    let p = tables(st, None, None, Some("Product%"), None);
    assert!(
        p.iter()
            .all(|r| r[2].as_deref().unwrap().starts_with("Product"))
            && p.len() > 5
    );
    assert_eq!(
        tables(st, None, None, Some("Order_"), None).len(),
        1,
        "'_' stands for one character: Orders"
    );
    assert_eq!(
        tables(st, None, None, Some("Order\\_"), None).len(),
        0,
        "an escaped '_' is itself"
    );
    assert_eq!(
        tables(st, None, None, Some("Order%"), Some("'TABLE','VIEW'")).len(),
        tables(st, None, None, Some("Order%"), None).len()
    );
    assert!(tables(st, None, None, Some("%"), Some("VIEW")).is_empty());
    assert!(tables(st, None, Some("Other"), Some("%"), None).is_empty());
    assert_eq!(sb.request_count(), 0, "catalog calls made requests");
    disconnect(e, d);
}

#[test]
fn metadata_id_makes_arguments_identifiers() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let st = stmt(d);
    assert_eq!(
        tables(st, None, None, Some("orders"), None).len(),
        1,
        "names are case-insensitive"
    );
    assert!(tables(st, None, None, Some("Order%"), None).len() > 1);
    // With SQL_ATTR_METADATA_ID a '%' is a character, not a pattern.
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common; bound buffers outlive their use.
        unsafe {
            SQLSetStmtAttr(
                st,
                StatementAttribute::MetadataId as i32,
                std::ptr::dangling_mut::<c_void>(),
                0,
            )
        },
        SQL_SUCCESS
    );
    assert!(tables(st, None, None, Some("Order%"), None).is_empty());
    assert_eq!(tables(st, None, None, Some("\"Orders\""), None).len(), 1);
    disconnect(e, d);
}

#[test]
fn columns_keys_and_foreign_keys_both_ways() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let st = stmt(d);
    let (t, tl) = s("OrderProducts");
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { SQLColumns(st, null(), 0, null(), 0, t, tl, null(), 0) },
        SQL_SUCCESS
    );
    assert_eq!(col_names(st).len(), 18);
    let cols = rows(st);
    assert_eq!(cols[0][3].as_deref(), Some("order_id"));
    assert_eq!(cols[0][16].as_deref(), Some("1"), "ORDINAL_POSITION");
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { SQLPrimaryKeys(st, null(), 0, null(), 0, t, tl) },
        SQL_SUCCESS
    );
    let pk: Vec<_> = rows(st)
        .into_iter()
        .map(|r| (r[3].clone().unwrap(), r[4].clone().unwrap()))
        .collect();
    assert_eq!(
        pk,
        vec![
            ("order_id".to_string(), "1".to_string()),
            ("line".into(), "2".into())
        ]
    );
    // Keys this table holds (FK table given).
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe {
            SQLForeignKeys(
                st,
                null(),
                0,
                null(),
                0,
                null(),
                0,
                null(),
                0,
                null(),
                0,
                t,
                tl,
            )
        },
        SQL_SUCCESS
    );
    assert_eq!(col_names(st).len(), 14);
    let held: Vec<String> = rows(st)
        .into_iter()
        .map(|r| r[2].clone().unwrap())
        .collect();
    assert!(
        held.contains(&"Orders".to_string()) && held.contains(&"Products".to_string()),
        "{held:?}"
    );
    // Keys pointing at Orders (PK table given).
    let (o, ol) = s("Orders");
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe {
            SQLForeignKeys(
                st,
                null(),
                0,
                null(),
                0,
                o,
                ol,
                null(),
                0,
                null(),
                0,
                null(),
                0,
            )
        },
        SQL_SUCCESS
    );
    let referencing: Vec<String> = rows(st)
        .into_iter()
        .map(|r| r[6].clone().unwrap())
        .collect();
    assert!(
        referencing.contains(&"OrderProducts".to_string())
            && referencing.contains(&"Fulfillments".to_string()),
        "{referencing:?}"
    );
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { SQLStatistics(st, null(), 0, null(), 0, o, ol, 0, 0) },
        SQL_SUCCESS
    );
    assert_eq!(col_names(st).len(), 13);
    assert_eq!(rows(st)[0][8].as_deref(), Some("id"));
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe {
            SQLSpecialColumns(
                st,
                SQL_BEST_ROWID,
                null(),
                0,
                null(),
                0,
                o,
                ol,
                SQL_SCOPE_CURROW,
                Nullability::NULLABLE.0 as u16,
            )
        },
        SQL_SUCCESS
    );
    assert_eq!(rows(st)[0][1].as_deref(), Some("id"));
    disconnect(e, d);
}

#[test]
fn type_info_is_sorted_and_filterable() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let st = stmt(d);
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { SQLGetTypeInfo(st, SqlDataType::UNKNOWN_TYPE.0) },
        SQL_SUCCESS
    );
    assert_eq!(col_names(st).len(), 19);
    let codes: Vec<i64> = rows(st)
        .into_iter()
        .map(|r| r[1].clone().unwrap().parse().unwrap())
        .collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(codes, sorted);
    for t in [
        SqlDataType::EXT_W_VARCHAR,
        SqlDataType::VARCHAR,
        SqlDataType::TIMESTAMP,
        SqlDataType::EXT_BIG_INT,
        SqlDataType::DECIMAL,
    ] {
        let t = t.0;
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        assert_eq!(unsafe { SQLGetTypeInfo(st, t) }, SQL_SUCCESS);
        let r = rows(st);
        assert!(
            !r.is_empty()
                && r.iter()
                    .all(|x| x[1].as_deref() == Some(t.to_string().as_str())),
            "{t}"
        );
    }
    disconnect(e, d);
}

#[test]
fn a_cdata_profile_path_means_the_builtin_profile_with_01s00() {
    let sb = sandbox();
    let e = env();
    let d = dbc(e);
    let (rc, _) = driver_connect(
        d,
        &format!("{};Profile=C:\\CData\\Jumpseller.apip", conn_str(&sb)),
    );
    assert_eq!(rc, SQL_SUCCESS_WITH_INFO);
    let dg = diag(HandleType::Dbc, d);
    assert_eq!(dg[0].0, "01S00");
    assert!(dg[0].1.contains("built-in"), "{dg:?}");
    assert_eq!(
        query(d, "SELECT COUNT(*) FROM Products")[0][0].as_deref(),
        Some("120")
    );
    disconnect(e, d);
}

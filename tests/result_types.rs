//! Stable, correct result metadata (issue 9.3): the type, size, scale and
//! nullability SQLDescribeCol reports for a select-list expression are the
//! same after SQLPrepare, after an execution without rows and with rows, and
//! follow the rules of src/engine/result_types.rs; an expression has no base
//! column or table.
#![allow(unused_unsafe)]

mod common;

use common::*;
use jumpseller_odbc::ffi::*;
use std::os::raw::c_void;
use std::ptr::null_mut;

/// (SQL type, column size, decimal digits, nullable), as SQLDescribeCol tells.
type Described = (i16, u64, i16, i16);

fn describe(st: *mut c_void, n: u16) -> Described {
    let c = describe_column(st, n);
    (c.sql_type, c.size, c.digits, c.nullable)
}

/// A text field of SQLColAttribute.
fn attr_text(st: *mut c_void, n: u16, field: u16) -> String {
    let mut buf = [0u8; 256];
    let mut len = 0i16;
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    let rc = unsafe {
        SQLColAttribute(
            st,
            n,
            field,
            buf.as_mut_ptr() as *mut c_void,
            buf.len() as i16,
            &mut len,
            null_mut(),
        )
    };
    assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Stmt, st));
    String::from_utf8_lossy(&buf[..len as usize]).into_owned()
}

fn ok(st: *mut c_void, rc: i16, what: &str) {
    assert_eq!(rc, SQL_SUCCESS, "{what}: {:?}", diag(HandleType::Stmt, st));
}

/// Column 1 of `sql` described after SQLPrepare, SQLExecute and the first
/// fetch, and the value fetched (None at no row).
fn described(d: *mut c_void, sql: &str) -> (Vec<Described>, Option<Option<String>>) {
    let st = stmt(d);
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    ok(
        st,
        unsafe { SQLPrepare(st, sql.as_ptr(), sql.len() as i32) },
        sql,
    );
    let mut seen = vec![describe(st, 1)];
    // SAFETY: as above.
    ok(st, unsafe { SQLExecute(st) }, sql);
    seen.push(describe(st, 1));
    // SAFETY: as above.
    let value = match unsafe { SQLFetch(st) } {
        SQL_SUCCESS => Some(get_text(st, 1)),
        SQL_NO_DATA => None,
        rc => panic!("{sql}: fetch {rc}: {:?}", diag(HandleType::Stmt, st)),
    };
    seen.push(describe(st, 1));
    // SAFETY: as above.
    unsafe { SQLFreeHandle(HandleType::Stmt as i16, st) };
    (seen, value)
}

// Product 2 of the sandbox store: created 2022-01-01 02:01:31 UTC, price 320.55.
const PRODUCT: &str = "FROM Products WHERE id = 2";
const NONE: &str = "FROM Products WHERE 1 = 0";

const DECIMAL: i16 = 3;
const BIGINT: i16 = -5;
const INTEGER: i16 = 4;
const DOUBLE: i16 = 8;
const BIT: i16 = -7;
const TIMESTAMP: i16 = 93;
const WVARCHAR: i16 = -9;

#[test]
fn expressions_have_one_type_before_and_after_rows() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    // (expression, described, the value at product 2)
    let cases: Vec<(&str, Described, Option<&str>)> = vec![
        ("COUNT(*)", (BIGINT, 19, 0, 0), Some("1")),
        ("COUNT(price)", (BIGINT, 19, 0, 0), Some("1")),
        ("SUM(price)", (DECIMAL, 38, 4, 1), Some("320.55")),
        ("SUM(price * 3)", (DECIMAL, 38, 4, 1), Some("961.65")),
        ("SUM(id)", (BIGINT, 19, 0, 1), Some("2")),
        ("SUM(weight)", (DOUBLE, 15, 0, 1), None),
        ("AVG(price)", (DOUBLE, 15, 0, 1), Some("320.55")),
        (
            "MAX(created_at)",
            (TIMESTAMP, 19, 0, 1),
            Some("2022-01-01 02:01:31"),
        ),
        ("MIN(price)", (DECIMAL, 19, 4, 1), Some("320.55")),
        ("price * 2", (DECIMAL, 29, 4, 1), Some("641.1")),
        ("price + price", (DECIMAL, 20, 4, 1), Some("641.1")),
        ("price - 0.05", (DECIMAL, 20, 4, 1), Some("320.5")),
        ("id * 2", (BIGINT, 19, 0, 0), Some("4")),
        ("id / 2", (BIGINT, 19, 0, 1), Some("1")),
        ("price / 2", (DOUBLE, 15, 0, 1), Some("160.275")),
        ("price * 1e0", (DOUBLE, 15, 0, 1), Some("320.55")),
        ("name || '!'", (WVARCHAR, 256, 0, 1), None),
        ("upper(name)", (WVARCHAR, 255, 0, 1), None),
        ("length(name)", (BIGINT, 19, 0, 1), None),
        ("price > 100", (BIT, 1, 0, 1), Some("1")),
        ("7", (INTEGER, 10, 0, 0), Some("7")),
        ("1.50", (DECIMAL, 3, 2, 0), Some("1.5")),
        ("'abc'", (WVARCHAR, 3, 0, 0), Some("abc")),
        (
            "CAST(price AS INTEGER) + 1",
            (BIGINT, 19, 0, 1),
            Some("321"),
        ),
        (
            "CASE WHEN price > 100 THEN price ELSE 0 END",
            (DECIMAL, 19, 4, 1),
            Some("320.55"),
        ),
        ("COALESCE(discount, price)", (DECIMAL, 19, 4, 1), None),
        // Not inferable: the fixed fallback, whatever the value.
        ("(SELECT 1)", (WVARCHAR, 4000, 0, 1), Some("1")),
        ("NULL", (WVARCHAR, 4000, 0, 1), None),
    ];
    for (expr, want, value) in cases {
        for filter in [PRODUCT, NONE] {
            let sql = format!("SELECT {expr} AS c {filter}");
            let (seen, got) = described(d, &sql);
            for (i, s) in seen.iter().enumerate() {
                assert_eq!(
                    *s, want,
                    "{sql}: description {i} (0 prepare, 1 execute, 2 fetch)"
                );
            }
            match (filter, value) {
                (PRODUCT, Some(v)) => assert_eq!(got, Some(Some(v.to_string())), "{sql}"),
                (PRODUCT, None) => assert!(got.is_some(), "{sql}"),
                // Aggregates answer one row even without rows.
                _ => assert!(
                    got.is_none() || expr.contains('(') && !expr.starts_with("(S"),
                    "{sql}: {got:?}"
                ),
            }
        }
    }
    disconnect(e, d);
}

#[test]
fn decimal_sums_are_exact_and_timestamps_convert() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    // The sum of all prices in binary doubles carries float error; the
    // DECIMAL(38,4) column reads back the exact decimal sum.
    let prices = query(d, "SELECT price FROM Products WHERE price IS NOT NULL");
    let cents: i64 = prices
        .iter()
        .map(|r| {
            let p = r[0].clone().unwrap();
            let (i, f) = p.split_once('.').unwrap_or((&p, ""));
            i.parse::<i64>().unwrap() * 10_000 + format!("{f:0<4}")[..4].parse::<i64>().unwrap()
        })
        .sum();
    let sum = query(d, "SELECT SUM(price) FROM Products")[0][0]
        .clone()
        .unwrap();
    let (i, f) = sum.split_once('.').unwrap_or((&sum, ""));
    assert!(f.len() <= 4, "{sum}");
    assert_eq!(
        i.parse::<i64>().unwrap() * 10_000 + format!("{f:0<4}")[..4].parse::<i64>().unwrap(),
        cents,
        "{sum}"
    );
    let max = query(d, "SELECT MAX(created_at) FROM Orders")[0][0]
        .clone()
        .unwrap();
    assert_eq!(max.len(), 19, "{max}");
    disconnect(e, d);
}

#[test]
fn columns_of_ctes_and_subqueries_keep_their_types() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    for sql in [
        "WITH big AS (SELECT id, price FROM Products) SELECT MIN(id) AS c FROM big",
        "SELECT MIN(x.id) AS c FROM (SELECT id FROM Products) x",
        "SELECT MIN(id) AS c FROM (SELECT id FROM Products WHERE 1 = 0)",
    ] {
        let (seen, _) = described(d, sql);
        for (i, s) in seen.iter().enumerate() {
            assert_eq!(*s, (BIGINT, 19, 0, 1), "{sql}: description {i}");
        }
    }
    let (seen, _) = described(
        d,
        "WITH p AS (SELECT price FROM Products) SELECT SUM(price) AS c FROM p",
    );
    assert_eq!(seen, vec![(DECIMAL, 38, 4, 1); 3]);
    disconnect(e, d);
}

#[test]
fn expressions_have_no_base_column() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let st = stmt(d);
    let sql = format!("SELECT price, price * 2, COUNT(*) OVER () AS n {PRODUCT}");
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    ok(
        st,
        unsafe { SQLPrepare(st, sql.as_ptr(), sql.len() as i32) },
        &sql,
    );
    let base_column = Desc::BaseColumnName as u16;
    let base_table = Desc::BaseTableName as u16;
    assert_eq!(attr_text(st, 1, base_column), "price");
    assert_eq!(attr_text(st, 1, base_table), "Products");
    for n in [2, 3] {
        assert_eq!(attr_text(st, n, base_column), "", "column {n}");
        assert_eq!(attr_text(st, n, base_table), "", "column {n}");
    }
    // SAFETY: as above.
    unsafe { SQLFreeHandle(HandleType::Stmt as i16, st) };
    disconnect(e, d);
}

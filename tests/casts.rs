//! Standard CASTs (issue 8.3): the right value and the right result type,
//! the same after SQLPrepare, after an execution without rows and with rows;
//! or an error with the right SQLSTATE, never a silently wrong value.
#![allow(unused_unsafe)]

mod common;

use common::*;
use jumpseller_odbc::ffi::*;
use std::os::raw::c_void;

/// (name, SQL type, column size, decimal digits), as SQLDescribeCol tells.
type Described = (String, i16, u64, i16);

/// SQLDescribeCol of column `n`.
fn describe(st: *mut c_void, n: u16) -> Described {
    let c = describe_column(st, n);
    (c.name, c.sql_type, c.size, c.digits)
}

fn prepare(st: *mut c_void, sql: &str) {
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { SQLPrepare(st, sql.as_ptr(), sql.len() as i32) },
        SQL_SUCCESS,
        "{sql}: {:?}",
        diag(HandleType::Stmt, st)
    );
}

fn execute(st: *mut c_void) {
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { SQLExecute(st) },
        SQL_SUCCESS,
        "{:?}",
        diag(HandleType::Stmt, st)
    );
}

fn fetch(st: *mut c_void) -> i16 {
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLFetch(st) }
}

fn free(st: *mut c_void) {
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLFreeHandle(HandleType::Stmt as i16, st) };
}

/// The description of column 1 of `sql` after SQLPrepare, after SQLExecute
/// and after the first fetch; and the value fetched (None at no row).
fn described(d: *mut c_void, sql: &str) -> (Vec<Described>, Option<Option<String>>) {
    let st = stmt(d);
    prepare(st, sql);
    let mut seen = vec![describe(st, 1)];
    execute(st);
    seen.push(describe(st, 1));
    let value = match fetch(st) {
        SQL_SUCCESS => Some(get_text(st, 1)),
        SQL_NO_DATA => None,
        rc => panic!("{sql}: fetch {rc}: {:?}", diag(HandleType::Stmt, st)),
    };
    seen.push(describe(st, 1));
    free(st);
    (seen, value)
}

// Product 2 of the sandbox store: created 2022-01-01 02:01:31 UTC, price 320.55.
const PRODUCT: &str = "FROM Products WHERE id = 2";

#[test]
fn casts_have_exact_values_and_stable_types() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let raw = query(d, &format!("SELECT created_at, price, name {PRODUCT}"));
    assert_eq!(raw[0][0].as_deref(), Some("2022-01-01 02:01:31"));
    assert_eq!(raw[0][1].as_deref(), Some("320.55"));
    let name = raw[0][2].clone().unwrap();
    // (expression, SQL type, column size, decimal digits, value)
    let cases: Vec<(&str, i16, u64, i16, String)> = vec![
        ("CAST(created_at AS DATE)", 91, 10, 0, "2022-01-01".into()),
        (
            "CAST(created_at AS TIMESTAMP)",
            93,
            19,
            0,
            "2022-01-01 02:01:31".into(),
        ),
        ("CAST(created_at AS TIME)", 92, 8, 0, "02:01:31".into()),
        (
            "CAST('2024-05-10T23:30:00-03:00' AS DATE)",
            91,
            10,
            0,
            "2024-05-11".into(),
        ),
        (
            "CAST({ts '2024-05-10 09:43:45.000'} AS TIMESTAMP)",
            93,
            19,
            0,
            "2024-05-10 09:43:45".into(),
        ),
        ("CAST(price AS DECIMAL(10,1))", 3, 10, 1, "320.6".into()),
        ("CAST(-price AS DECIMAL(10,1))", 3, 10, 1, "-320.6".into()),
        ("CAST(price AS NUMERIC(12,3))", 3, 12, 3, "320.55".into()),
        ("CAST(price AS DECIMAL(5))", 3, 5, 0, "321".into()),
        ("CAST(2.675 AS DECIMAL(4,2))", 3, 4, 2, "2.68".into()),
        ("CAST(price AS INTEGER)", 4, 10, 0, "320".into()),
        ("CAST(-price AS BIGINT)", -5, 19, 0, "-320".into()),
        ("CAST(price AS SMALLINT)", 5, 5, 0, "320".into()),
        ("CAST(' 1e3 ' AS INT)", 4, 10, 0, "1000".into()),
        ("CAST(price AS DOUBLE)", 8, 15, 0, "320.55".into()),
        ("CAST('2.5' AS FLOAT)", 8, 15, 0, "2.5".into()),
        ("CAST(id AS VARCHAR(10))", -9, 10, 0, "2".into()),
        (
            "CAST(created_at AS CHAR(19))",
            -9,
            19,
            0,
            "2022-01-01 02:01:31".into(),
        ),
        ("CAST(name AS VARCHAR(300))", -9, 300, 0, name),
        ("CAST('ab   ' AS VARCHAR(2))", -9, 2, 0, "ab".into()),
    ];
    for (expr, ty, size, digits, want) in cases {
        for filter in [PRODUCT, "FROM Products WHERE 1 = 0"] {
            let sql = format!("SELECT {expr} AS c {filter}");
            let (seen, value) = described(d, &sql);
            for (i, got) in seen.iter().enumerate() {
                assert_eq!(
                    (got.1, got.2, got.3),
                    (ty, size, digits),
                    "{sql}: description {i} (0 prepare, 1 execute, 2 fetch)"
                );
                assert_eq!(got.0, "c", "{sql}");
            }
            if filter == PRODUCT {
                assert_eq!(value, Some(Some(want.clone())), "{sql}");
            } else {
                assert_eq!(value, None, "{sql}");
            }
        }
    }
    disconnect(e, d);
}

#[test]
fn cast_columns_keep_their_names_and_types_around_stars() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let st = stmt(d);
    prepare(
        st,
        &format!("SELECT CAST(created_at AS DATE), *, CAST(price AS DECIMAL(9,2)) p {PRODUCT}"),
    );
    let mut n = 0i16;
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLNumResultCols(st, &mut n) };
    let first = describe(st, 1);
    assert_eq!(first, ("CAST(created_at AS DATE)".to_string(), 91, 10, 0));
    assert_eq!(describe(st, n as u16), ("p".to_string(), 3, 9, 2));
    // A cast inside an expression is not the column: its type comes from the value.
    execute(st);
    assert_eq!(fetch(st), SQL_SUCCESS);
    assert_eq!(get_text(st, 1).as_deref(), Some("2022-01-01"));
    assert_eq!(get_text(st, n as u16).as_deref(), Some("320.55"));
    free(st);
    let rows = query(
        d,
        &format!("SELECT CAST(created_at AS DATE) || 'x', CAST(price AS INT) + 1 {PRODUCT}"),
    );
    assert_eq!(
        rows,
        vec![vec![Some("2022-01-01x".into()), Some("321".into())]]
    );
    disconnect(e, d);
}

#[test]
fn casts_keep_null() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    for t in [
        "DATE",
        "TIME",
        "TIMESTAMP",
        "DECIMAL(5,2)",
        "INTEGER",
        "BIGINT",
        "SMALLINT",
        "DOUBLE",
        "VARCHAR(3)",
        "BIT",
    ] {
        let sql = format!("SELECT CAST(NULL AS {t}) AS c");
        let (seen, value) = described(d, &sql);
        assert_eq!(value, Some(None), "{t}");
        // The type is the CAST's, not a guess from a NULL.
        let want = match t {
            "DATE" => 91,
            "TIME" => 92,
            "TIMESTAMP" => 93,
            "DECIMAL(5,2)" => 3,
            "INTEGER" => 4,
            "BIGINT" => -5,
            "SMALLINT" => 5,
            "DOUBLE" => 8,
            "VARCHAR(3)" => -9,
            _ => -7,
        };
        assert!(seen.iter().all(|x| x.1 == want), "{t}: {seen:?}");
    }
    disconnect(e, d);
}

#[test]
fn casts_that_cannot_be_exact_fail_with_their_sqlstate() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    for (sql, state) in [
        // 320.55 needs three digits before the point; DECIMAL(3,1) has two.
        (
            format!("SELECT CAST(price AS DECIMAL(3,1)) {PRODUCT}"),
            "22003",
        ),
        ("SELECT CAST(100000 AS SMALLINT)".into(), "22003"),
        ("SELECT CAST(3000000000 AS INTEGER)".into(), "22003"),
        ("SELECT CAST('1e30' AS BIGINT)".into(), "22003"),
        (
            format!("SELECT CAST(created_at AS VARCHAR(10)) {PRODUCT}"),
            "22001",
        ),
        ("SELECT CAST('12abc' AS INTEGER)".into(), "22018"),
        ("SELECT CAST('' AS BIGINT)".into(), "22018"),
        (
            format!("SELECT CAST(created_at AS INTEGER) {PRODUCT}"),
            "22018",
        ),
        ("SELECT CAST('abc' AS DOUBLE)".into(), "22018"),
        ("SELECT CAST('abc' AS DECIMAL(10,2))".into(), "22018"),
        ("SELECT CAST('tomorrow' AS DATE)".into(), "22007"),
        ("SELECT CAST('25:00' AS TIME)".into(), "22007"),
        ("SELECT CAST(2024 AS TIMESTAMP)".into(), "22007"),
        ("SELECT CAST(1 AS WIDGET)".into(), "42000"),
        ("SELECT CAST(1 AS DECIMAL(2,3))".into(), "42000"),
    ] {
        let errs = query_error(d, &sql);
        assert_eq!(
            errs.first().map(|x| x.0.as_str()),
            Some(state),
            "{sql}: {errs:?}"
        );
    }
    disconnect(e, d);
}

#[test]
fn casts_work_in_where_and_order_by() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let all = query(d, "SELECT id, created_at, price FROM Products");
    let day = |r: &Vec<Option<String>>| r[1].as_deref().map(|t| t[..10].to_string());
    let whole = |r: &Vec<Option<String>>| {
        r[2].as_deref()
            .map(|p| p.split('.').next().unwrap().parse::<i64>().unwrap())
    };
    let on = day(&all[0]).unwrap();
    let mut want: Vec<_> = all
        .iter()
        .filter(|r| day(r).as_deref() == Some(on.as_str()))
        .map(|r| (whole(r), r[0].clone()))
        .collect();
    want.sort_by(|a, b| {
        b.0.cmp(&a.0).then(
            a.1.as_deref()
                .unwrap()
                .parse::<i64>()
                .unwrap()
                .cmp(&b.1.as_deref().unwrap().parse::<i64>().unwrap()),
        )
    });
    let got = query(
        d,
        &format!(
            "SELECT CAST(price AS INTEGER), id FROM Products \
             WHERE CAST(created_at AS DATE) = {{d '{on}'}} \
             ORDER BY CAST(price AS INTEGER) DESC, id"
        ),
    );
    let got: Vec<_> = got
        .into_iter()
        .map(|r| {
            (
                r[0].as_deref().map(|x| x.parse::<i64>().unwrap()),
                r[1].clone(),
            )
        })
        .collect();
    assert!(!got.is_empty());
    assert_eq!(got, want);
    let rows = query(
        d,
        "SELECT id FROM Products WHERE CAST(price AS DECIMAL(10,1)) = 320.6 AND id <= 3",
    );
    assert!(rows.contains(&vec![Some("2".into())]), "{rows:?}");
    disconnect(e, d);
}

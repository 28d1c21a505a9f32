//! Every ODBC scalar function escape (`{fn …}`), `{fn CONVERT}`, `{INTERVAL}`
//! and `{guid}` on real sandbox columns, against values computed by hand.
//! Direct calls into the driver against the sandbox.
//!
//! The rows: Products 1 is `Lámpara Clásico Nº1` (19 characters, 22 UTF-8
//! bytes), price 305.5, stock 200, created 2022-01-01 01:44:47 (a Saturday);
//! Orders 72 was created 2024-05-10 09:43:45 (a Friday), Orders 1
//! 2024-01-01 20:27:38.

#![warn(clippy::undocumented_unsafe_blocks)]

mod common;
use common::*;
use odbc_sys::SqlDataType;
use std::os::raw::c_void;

/// Each expression evaluated over `from`; every mismatch is reported at once.
fn check(d: *mut c_void, from: &str, cases: &[(&str, &str)]) {
    let mut wrong = Vec::new();
    for (expr, want) in cases {
        let sql = format!("SELECT {expr} FROM {from}");
        let st = stmt(d);
        let rc = exec(st, &sql);
        let got = if rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO {
            // SAFETY: see "Calling the exports" in tests/common.
            let rc = unsafe { jumpseller_odbc::ffi::SQLFetch(st) };
            if rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO {
                get_text(st, 1).unwrap_or_else(|| "NULL".into())
            } else {
                format!("fetch error {:?}", diag(HandleType::Stmt, st))
            }
        } else {
            format!("error {:?}", diag(HandleType::Stmt, st))
        };
        jumpseller_odbc::ffi::SQLFreeHandle(HandleType::Stmt as i16, st);
        if got != *want {
            wrong.push(format!("{expr}: got {got:?}, want {want:?}"));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

const PRODUCT: &str = "Products WHERE id = 1";
const ORDER: &str = "Orders WHERE id = 72";

#[test]
fn string_functions() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    check(
        d,
        PRODUCT,
        &[
            ("{fn ASCII(name)}", "76"),
            ("{fn BIT_LENGTH(name)}", "176"),
            ("{fn CHAR(stock - 135)}", "A"),
            ("{fn CHAR_LENGTH(name)}", "19"),
            ("{fn CHARACTER_LENGTH(name)}", "19"),
            ("{fn CONCAT(name, '!')}", "Lámpara Clásico Nº1!"),
            ("{fn CONCAT(name, NULL)}", "NULL"),
            ("{fn DIFFERENCE(name, 'Lampara')}", "4"),
            ("{fn DIFFERENCE(name, 'Xyz')}", "0"),
            ("{fn INSERT(name, 1, 7, 'Foco')}", "Foco Clásico Nº1"),
            ("{fn LCASE(name)}", "lámpara clásico nº1"),
            ("{fn LEFT(name, 7)}", "Lámpara"),
            ("{fn LENGTH({fn CONCAT(name, '   ')})}", "19"),
            ("{fn LOCATE('a', name)}", "5"),
            ("{fn LOCATE('a', name, 6)}", "7"),
            ("{fn LOCATE('zz', name)}", "0"),
            ("{fn LTRIM({fn CONCAT('  ', name)})}", "Lámpara Clásico Nº1"),
            ("{fn OCTET_LENGTH(name)}", "22"),
            ("{fn POSITION('Clásico' IN name)}", "9"),
            ("{fn REPEAT({fn LEFT(name, 2)}, 3)}", "LáLáLá"),
            ("{fn REPLACE(name, 'Nº1', 'No 1')}", "Lámpara Clásico No 1"),
            ("{fn RIGHT(name, 3)}", "Nº1"),
            ("{fn RTRIM({fn CONCAT(name, '  ')})}", "Lámpara Clásico Nº1"),
            ("{fn SOUNDEX(name)}", "L516"),
            (
                "{fn CONCAT({fn CONCAT('[', {fn SPACE(stock - 197)})}, ']')}",
                "[   ]",
            ),
            ("{fn SUBSTRING(name, 9, 7)}", "Clásico"),
            ("{fn UCASE(name)}", "LÁMPARA CLÁSICO Nº1"),
        ],
    );
    disconnect(e, d);
}

#[test]
fn numeric_functions() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    check(
        d,
        PRODUCT,
        &[
            ("{fn ABS(-price)}", "305.5"),
            ("{fn ACOS(stock / 200)}", "0"),
            ("{fn ASIN(stock / 200)}", "1.5707963267948966"),
            ("{fn ATAN(stock / 200)}", "0.7853981633974483"),
            ("{fn ATAN2(stock / 200, 0)}", "0"),
            ("{fn ATAN2(0, stock / 200)}", "1.5707963267948966"),
            ("{fn CEILING(price)}", "306"),
            ("{fn CEILING(-price)}", "-305"),
            ("{fn COS(stock - 200)}", "1"),
            ("{fn ROUND({fn COT({fn ATAN(stock / 200)})}, 9)}", "1"),
            ("{fn DEGREES({fn PI()})}", "180"),
            ("{fn EXP(stock - 200)}", "1"),
            ("{fn FLOOR(price)}", "305"),
            ("{fn FLOOR(-price)}", "-306"),
            ("{fn LOG({fn EXP(stock / 100)})}", "2"),
            ("{fn LOG10(stock * 5)}", "3"),
            ("{fn MOD(stock, 7)}", "4"),
            ("{fn MOD(-stock, 7)}", "-4"),
            ("{fn PI()}", "3.141592653589793"),
            ("{fn POWER(stock, 2)}", "40000"),
            ("{fn RADIANS(stock - 20)}", "3.141592653589793"),
            ("{fn RAND(stock)} = {fn RAND(200)}", "1"),
            ("{fn RAND()} >= 0 AND {fn RAND()} < 1", "1"),
            ("{fn ROUND(price, 0)}", "306"),
            ("{fn ROUND(-price, 0)}", "-306"),
            ("{fn ROUND(price, -2)}", "300"),
            ("{fn ROUND(stock + 50, -2)}", "300"),
            ("{fn SIGN(-price)}", "-1"),
            ("{fn SIGN(stock - 200)}", "0"),
            ("{fn SIN(stock - 200)}", "0"),
            ("{fn SQRT(stock * 2)}", "20"),
            ("{fn TAN(stock - 200)}", "0"),
            ("{fn TRUNCATE(price, 0)}", "305"),
            ("{fn TRUNCATE(-price, 0)}", "-305"),
            ("{fn TRUNCATE(stock + 99, -2)}", "200"),
        ],
    );
    disconnect(e, d);
}

#[test]
fn date_time_functions() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    check(
        d,
        ORDER,
        &[
            ("{fn DAYNAME(created_at)}", "Friday"),
            ("{fn DAYOFMONTH(created_at)}", "10"),
            ("{fn DAYOFWEEK(created_at)}", "6"),
            ("{fn DAYOFYEAR(created_at)}", "131"),
            ("{fn EXTRACT(YEAR FROM created_at)}", "2024"),
            ("{fn EXTRACT(MONTH FROM created_at)}", "5"),
            ("{fn EXTRACT(DAY FROM created_at)}", "10"),
            ("{fn EXTRACT(HOUR FROM created_at)}", "9"),
            ("{fn EXTRACT(MINUTE FROM created_at)}", "43"),
            ("{fn EXTRACT(SECOND FROM created_at)}", "45"),
            ("{fn HOUR(created_at)}", "9"),
            ("{fn MINUTE(created_at)}", "43"),
            ("{fn MONTH(created_at)}", "5"),
            ("{fn MONTHNAME(created_at)}", "May"),
            ("{fn QUARTER(created_at)}", "2"),
            ("{fn SECOND(created_at)}", "45"),
            ("{fn WEEK(created_at)}", "19"),
            ("{fn YEAR(created_at)}", "2024"),
            ("{fn HOUR({t '23:05:00'})}", "23"),
            ("{fn CURDATE()} = date('now')", "1"),
            ("{fn CURRENT_DATE()} = date('now')", "1"),
            ("length({fn CURTIME()})", "8"),
            ("length({fn CURRENT_TIME()})", "8"),
            ("length({fn NOW()})", "19"),
            ("length({fn CURRENT_TIMESTAMP()})", "19"),
            ("{fn NOW()} > created_at", "1"),
        ],
    );
    disconnect(e, d);
}

#[test]
fn timestampadd_every_interval() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let add = |i: &str, n: &str| format!("{{fn TIMESTAMPADD(SQL_TSI_{i}, {n}, created_at)}}");
    let cases = [
        (add("FRAC_SECOND", "500000000"), "2024-05-10 09:43:45.5"),
        (add("SECOND", "15"), "2024-05-10 09:44:00"),
        (add("MINUTE", "20"), "2024-05-10 10:03:45"),
        (add("HOUR", "15"), "2024-05-11 00:43:45"),
        (add("DAY", "22"), "2024-06-01 09:43:45"),
        (add("WEEK", "1"), "2024-05-17 09:43:45"),
        (add("MONTH", "9"), "2025-02-10 09:43:45"),
        (add("QUARTER", "-1"), "2024-02-10 09:43:45"),
        (add("YEAR", "-2"), "2022-05-10 09:43:45"),
    ];
    let cases: Vec<(&str, &str)> = cases.iter().map(|(s, w)| (s.as_str(), *w)).collect();
    check(d, ORDER, &cases);
    disconnect(e, d);
}

#[test]
fn timestampdiff_every_interval() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    // From 2024-01-01 20:27:38 to 2024-05-10 09:43:45: 129 days 13:16:07.
    let diff = |i: &str| {
        format!("{{fn TIMESTAMPDIFF(SQL_TSI_{i}, (SELECT created_at FROM Orders WHERE id = 1), created_at)}}")
    };
    let cases = [
        (diff("FRAC_SECOND"), "11193367000000000"),
        (diff("SECOND"), "11193367"),
        (diff("MINUTE"), "186556"),
        (diff("HOUR"), "3109"),
        (diff("DAY"), "129"),
        (diff("WEEK"), "18"),
        (diff("MONTH"), "4"),
        (diff("QUARTER"), "1"),
        (diff("YEAR"), "0"),
    ];
    let cases: Vec<(&str, &str)> = cases.iter().map(|(s, w)| (s.as_str(), *w)).collect();
    check(d, ORDER, &cases);
    disconnect(e, d);
}

#[test]
fn system_functions_agree_with_getinfo() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    check(
        d,
        PRODUCT,
        &[
            ("{fn DATABASE()}", ""),
            // The login, as SQLGetInfo(SQL_USER_NAME) answers.
            ("{fn USER()}", "sandbox"),
            ("{fn IFNULL(NULL, name)}", "Lámpara Clásico Nº1"),
            ("{fn IFNULL(stock, 0)}", "200"),
        ],
    );
    disconnect(e, d);
}

#[test]
fn convert_to_every_type() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    check(
        d,
        PRODUCT,
        &[
            ("{fn CONVERT(price, SQL_BIGINT)}", "305"),
            ("{fn CONVERT(price, SQL_INTEGER)}", "305"),
            ("{fn CONVERT(price, SQL_SMALLINT)}", "305"),
            ("{fn CONVERT(stock - 100, SQL_TINYINT)}", "100"),
            ("{fn CONVERT(stock, SQL_BIT)}", "1"),
            ("{fn CONVERT(price, SQL_DECIMAL)}", "305.5"),
            ("{fn CONVERT(price, SQL_NUMERIC)}", "305.5"),
            ("{fn CONVERT(price, SQL_DOUBLE)}", "305.5"),
            ("{fn CONVERT(price, SQL_FLOAT)}", "305.5"),
            ("{fn CONVERT(price, SQL_REAL)}", "305.5"),
            ("{fn CONVERT(stock, SQL_CHAR)}", "200"),
            ("{fn CONVERT(stock, SQL_VARCHAR)}", "200"),
            ("{fn CONVERT(stock, SQL_LONGVARCHAR)}", "200"),
            ("{fn CONVERT(stock, SQL_WCHAR)}", "200"),
            ("{fn CONVERT(stock, SQL_WVARCHAR)}", "200"),
            ("{fn CONVERT(stock, SQL_WLONGVARCHAR)}", "200"),
            (
                "hex({fn CONVERT(name, SQL_BINARY)})",
                "4CC3A16D7061726120436CC3A17369636F204EC2BA31",
            ),
            ("length({fn CONVERT(name, SQL_VARBINARY)})", "22"),
            ("length({fn CONVERT(name, SQL_LONGVARBINARY)})", "22"),
            ("{fn CONVERT(created_at, SQL_DATE)}", "2022-01-01"),
            ("{fn CONVERT(created_at, SQL_TYPE_DATE)}", "2022-01-01"),
            ("{fn CONVERT(created_at, SQL_TIME)}", "01:44:47"),
            ("{fn CONVERT(created_at, SQL_TYPE_TIME)}", "01:44:47"),
            (
                "{fn CONVERT(created_at, SQL_TIMESTAMP)}",
                "2022-01-01 01:44:47",
            ),
            (
                "{fn CONVERT(created_at, SQL_TYPE_TIMESTAMP)}",
                "2022-01-01 01:44:47",
            ),
            (
                "{fn CONVERT('6F9619FF-8B86-D011-B42D-00C04FC964FF', SQL_GUID)}",
                "6F9619FF-8B86-D011-B42D-00C04FC964FF",
            ),
        ],
    );
    disconnect(e, d);
}

#[test]
fn interval_and_guid_literals() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    check(
        d,
        PRODUCT,
        &[
            (
                "datetime(created_at, {INTERVAL '3' DAY})",
                "2022-01-04 01:44:47",
            ),
            (
                "datetime(created_at, {INTERVAL -'2' HOUR})",
                "2021-12-31 23:44:47",
            ),
            (
                "datetime(created_at, {INTERVAL '1-2' YEAR TO MONTH})",
                "2023-03-01 01:44:47",
            ),
            (
                "datetime(created_at, {INTERVAL '1 02:03:04' DAY TO SECOND})",
                "2022-01-02 03:47:51",
            ),
            (
                "datetime(created_at, {INTERVAL '15' MINUTE})",
                "2022-01-01 01:59:47",
            ),
            (
                "{guid '6F9619FF-8B86-D011-B42D-00C04FC964FF'}",
                "6F9619FF-8B86-D011-B42D-00C04FC964FF",
            ),
            ("created_at > DATE '2021-12-31'", "1"),
            ("TIMESTAMP '2022-01-01 01:44:47' = created_at", "1"),
        ],
    );
    disconnect(e, d);
}

#[test]
fn a_bad_argument_is_an_exact_error() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let err = query_error(d, "SELECT {fn YEAR(name)} FROM Products WHERE id = 1");
    assert_eq!(err[0].0, "22007", "{err:?}");
    let err = query_error(d, "SELECT {fn MOD(name, 2)} FROM Products WHERE id = 1");
    assert_eq!(err[0].0, "22018", "{err:?}");
    disconnect(e, d);
}

#[test]
fn datetime_literals_are_typed_checked_and_still_pushed_down() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    // {d}, {t}, {ts} and SQL-92 DATE '…' are values of their type.
    for (expr, sql_type) in [
        ("{d '2024-05-10'}", SqlDataType::DATE),
        ("{t '09:43:45'}", SqlDataType::TIME),
        ("{ts '2024-05-10 09:43:45'}", SqlDataType::TIMESTAMP),
        ("DATE '2024-05-10'", SqlDataType::DATE),
        ("TIMESTAMP '2024-05-10 09:43:45'", SqlDataType::TIMESTAMP),
    ] {
        let st = stmt(d);
        assert_eq!(exec(st, &format!("SELECT {expr}")), SQL_SUCCESS, "{expr}");
        assert_eq!(describe_column(st, 1).sql_type, sql_type.0, "{expr}");
        jumpseller_odbc::ffi::SQLFreeHandle(HandleType::Stmt as i16, st);
    }
    // A value that is not a date is an error, not a string compared as one.
    let err = query_error(
        d,
        "SELECT id FROM Orders WHERE created_at > {d '2024-13-45'}",
    );
    assert_eq!(err[0].0, "22007", "{err:?}");
    // The filter still reaches the API: one request, the order itself.
    sb.reset_counts();
    let rows = query(
        d,
        "SELECT id FROM Orders WHERE id = 72 AND created_at = {ts '2024-05-10 09:43:45'}",
    );
    assert_eq!(rows, vec![vec![Some("72".to_string())]]);
    assert_eq!(sb.request_count(), 1);
    disconnect(e, d);
}

/// "Date, Time, and Timestamp Escape Sequences": `{d '…'}`, `{t '…'}`,
/// `{ts '…'}` (and SQL-92 `DATE '…'`, …) are values of those types, so
/// SQLDescribeCol gives SQL_TYPE_DATE / TIME / TIMESTAMP, not WVARCHAR; a
/// literal that is not a date is 22007, never text; and comparisons with
/// TIMESTAMP columns still hold (Orders 72: 2024-05-10 09:43:45).
#[test]
fn datetime_literals_have_their_types() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    for (literal, sql_type, text) in [
        ("{d '2024-02-29'}", 91, "2024-02-29"),
        ("{t '09:05:01'}", 92, "09:05:01"),
        ("{ts '2024-02-29 23:59:58'}", 93, "2024-02-29 23:59:58"),
        ("DATE '2024-02-29'", 91, "2024-02-29"),
        ("TIMESTAMP '2024-02-29 23:59:58'", 93, "2024-02-29 23:59:58"),
    ] {
        let st = stmt(d);
        assert_eq!(
            exec(st, &format!("SELECT {literal}")),
            SQL_SUCCESS,
            "{literal}"
        );
        assert_eq!(describe_column(st, 1).sql_type, sql_type, "{literal}");
        jumpseller_odbc::ffi::SQLFreeHandle(HandleType::Stmt as i16, st);
        check(d, "Products WHERE id = 1", &[(literal, text)]);
    }
    for bad in ["{d '2024-02-30'}", "{ts 'yesterday'}", "DATE 'x'"] {
        let st = stmt(d);
        let rc = exec(st, &format!("SELECT {bad}"));
        assert_eq!(rc, SQL_ERROR, "{bad}");
        assert_eq!(states(HandleType::Stmt, st), ["22007"], "{bad}");
        jumpseller_odbc::ffi::SQLFreeHandle(HandleType::Stmt as i16, st);
    }
    check(
        d,
        "Orders WHERE id = 72",
        &[
            ("created_at = {ts '2024-05-10 09:43:45'}", "1"),
            ("created_at > {d '2024-05-10'}", "1"),
            ("created_at < {d '2024-05-11'}", "1"),
            ("created_at = TIMESTAMP '2024-05-10 09:43:45'", "1"),
        ],
    );
    disconnect(e, d);
}

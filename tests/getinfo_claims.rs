//! Every capability bit the driver claims through SQLGetInfo is run. For each
//! bitmask information type below the test reads the driver's answer and,
//! for every bit set, executes the statement the table gives for that bit
//! and compares its one value. A set bit with no entry fails the test, so a
//! new claim cannot go untested; an entry whose bit is not set is run too
//! only if the bit is claimed (what is not claimed may or may not work).
//! Direct calls into the driver against the sandbox.

#![warn(clippy::undocumented_unsafe_blocks)]

mod common;
use common::*;
use jumpseller_odbc::ffi::*;
use jumpseller_odbc::odbc::functions::{
    SQL_API_SQLDESCRIBEPARAM, SQL_API_SQLGETCURSORNAME, SQL_API_SQLPARAMDATA, SQL_API_SQLPUTDATA,
    SQL_API_SQLSETCURSORNAME, SQL_API_SQLSETPOS,
};
use jumpseller_odbc::odbc::sqlext::*;
use std::os::raw::c_void;
use std::ptr::null_mut;

fn info_u32(d: *mut c_void, info: u16) -> u32 {
    let mut v = 0u32;
    // SAFETY: see "Calling the exports" in tests/common (a 4-byte local).
    let rc = unsafe { SQLGetInfo(d, info, (&mut v as *mut u32).cast(), 4, null_mut()) };
    assert_eq!(rc, SQL_SUCCESS, "SQLGetInfo({info})");
    v
}

fn info_text(d: *mut c_void, info: u16) -> String {
    let mut buf = [0u8; 256];
    let mut len = 0i16;
    // SAFETY: see "Calling the exports" in tests/common (a local buffer of its length).
    let rc = unsafe { SQLGetInfo(d, info, buf.as_mut_ptr().cast(), 256, &mut len) };
    assert_eq!(rc, SQL_SUCCESS, "SQLGetInfo({info})");
    String::from_utf8_lossy(&buf[..len as usize]).into_owned()
}

/// The one value of a query, or its error.
fn value(d: *mut c_void, sql: &str) -> String {
    let st = stmt(d);
    let rc = exec(st, sql);
    let got = if rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO {
        // SAFETY: see "Calling the exports" in tests/common.
        let rc = unsafe { SQLFetch(st) };
        if rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO {
            get_text(st, 1).unwrap_or_else(|| "NULL".into())
        } else {
            format!("fetch: {rc} {:?}", diag(HandleType::Stmt, st))
        }
    } else {
        format!("error {:?}", diag(HandleType::Stmt, st))
    };
    SQLFreeHandle(HandleType::Stmt as i16, st);
    got
}

type Claims = &'static [(u32, &'static str, &'static str)];

/// Every statement is `SELECT <entry> FROM Products WHERE id = 1`. Products 1
/// is `Lámpara Clásico Nº1`, price 305.5, stock 200, created 2022-01-01
/// 01:44:47 (a Saturday).
const P1: &str = "Products WHERE id = 1";

const STRING_FUNCTIONS: Claims = &[
    (SQL_FN_STR_ASCII, "{fn ASCII(name)}", "76"),
    (SQL_FN_STR_BIT_LENGTH, "{fn BIT_LENGTH(name)}", "176"),
    (SQL_FN_STR_CHAR, "{fn CHAR(stock - 135)}", "A"),
    (SQL_FN_STR_CHAR_LENGTH, "{fn CHAR_LENGTH(name)}", "19"),
    (
        SQL_FN_STR_CHARACTER_LENGTH,
        "{fn CHARACTER_LENGTH(name)}",
        "19",
    ),
    (
        SQL_FN_STR_CONCAT,
        "{fn CONCAT(name, '!')}",
        "Lámpara Clásico Nº1!",
    ),
    (
        SQL_FN_STR_DIFFERENCE,
        "{fn DIFFERENCE(name, 'Lampara')}",
        "4",
    ),
    (
        SQL_FN_STR_INSERT,
        "{fn INSERT(name, 1, 7, 'Foco')}",
        "Foco Clásico Nº1",
    ),
    (SQL_FN_STR_LCASE, "{fn LCASE(name)}", "lámpara clásico nº1"),
    (SQL_FN_STR_LEFT, "{fn LEFT(name, 7)}", "Lámpara"),
    (
        SQL_FN_STR_LENGTH,
        "{fn LENGTH({fn CONCAT(name, '  ')})}",
        "19",
    ),
    (SQL_FN_STR_LOCATE, "{fn LOCATE('a', name, 6)}", "7"),
    (SQL_FN_STR_LOCATE_2, "{fn LOCATE('a', name)}", "5"),
    (
        SQL_FN_STR_LTRIM,
        "{fn LTRIM({fn CONCAT(' ', name)})}",
        "Lámpara Clásico Nº1",
    ),
    (SQL_FN_STR_OCTET_LENGTH, "{fn OCTET_LENGTH(name)}", "22"),
    (SQL_FN_STR_POSITION, "{fn POSITION('Nº' IN name)}", "17"),
    (SQL_FN_STR_REPEAT, "{fn REPEAT('ab', stock / 100)}", "abab"),
    (
        SQL_FN_STR_REPLACE,
        "{fn REPLACE(name, 'Nº1', '#1')}",
        "Lámpara Clásico #1",
    ),
    (SQL_FN_STR_RIGHT, "{fn RIGHT(name, 3)}", "Nº1"),
    (
        SQL_FN_STR_RTRIM,
        "{fn RTRIM({fn CONCAT(name, ' ')})}",
        "Lámpara Clásico Nº1",
    ),
    (SQL_FN_STR_SOUNDEX, "{fn SOUNDEX(name)}", "L516"),
    (SQL_FN_STR_SPACE, "length({fn SPACE(stock / 40)})", "5"),
    (
        SQL_FN_STR_SUBSTRING,
        "{fn SUBSTRING(name, 9, 7)}",
        "Clásico",
    ),
    (SQL_FN_STR_UCASE, "{fn UCASE(name)}", "LÁMPARA CLÁSICO Nº1"),
];

const NUMERIC_FUNCTIONS: Claims = &[
    (SQL_FN_NUM_ABS, "{fn ABS(-price)}", "305.5"),
    (SQL_FN_NUM_ACOS, "{fn ACOS(stock / 200)}", "0"),
    (
        SQL_FN_NUM_ASIN,
        "{fn ASIN(stock / 200)}",
        "1.5707963267948966",
    ),
    (
        SQL_FN_NUM_ATAN,
        "{fn ATAN(stock / 200)}",
        "0.7853981633974483",
    ),
    (
        SQL_FN_NUM_ATAN2,
        "{fn ATAN2(0, stock)}",
        "1.5707963267948966",
    ),
    (SQL_FN_NUM_CEILING, "{fn CEILING(price)}", "306"),
    (SQL_FN_NUM_COS, "{fn COS(stock - 200)}", "1"),
    (
        SQL_FN_NUM_COT,
        "{fn ROUND({fn COT({fn PI()} / 4)}, 9)}",
        "1",
    ),
    (SQL_FN_NUM_DEGREES, "{fn DEGREES({fn PI()})}", "180"),
    (SQL_FN_NUM_EXP, "{fn EXP(stock - 200)}", "1"),
    (SQL_FN_NUM_FLOOR, "{fn FLOOR(price)}", "305"),
    (SQL_FN_NUM_LOG, "{fn LOG({fn EXP(3)})}", "3"),
    (SQL_FN_NUM_LOG10, "{fn LOG10(stock * 5)}", "3"),
    (SQL_FN_NUM_MOD, "{fn MOD(stock, 7)}", "4"),
    (SQL_FN_NUM_PI, "{fn PI()}", "3.141592653589793"),
    (SQL_FN_NUM_POWER, "{fn POWER(stock, 2)}", "40000"),
    (SQL_FN_NUM_RADIANS, "{fn RADIANS(180)}", "3.141592653589793"),
    (SQL_FN_NUM_RAND, "{fn RAND(stock)} = {fn RAND(200)}", "1"),
    (SQL_FN_NUM_ROUND, "{fn ROUND(price, 0)}", "306"),
    (SQL_FN_NUM_SIGN, "{fn SIGN(-price)}", "-1"),
    (SQL_FN_NUM_SIN, "{fn SIN(stock - 200)}", "0"),
    (SQL_FN_NUM_SQRT, "{fn SQRT(stock * 2)}", "20"),
    (SQL_FN_NUM_TAN, "{fn TAN(stock - 200)}", "0"),
    (SQL_FN_NUM_TRUNCATE, "{fn TRUNCATE(price, 0)}", "305"),
];

const TIMEDATE_FUNCTIONS: Claims = &[
    (SQL_FN_TD_CURDATE, "{fn CURDATE()} = date('now')", "1"),
    (SQL_FN_TD_CURTIME, "length({fn CURTIME()})", "8"),
    (
        SQL_FN_TD_CURRENT_DATE,
        "{fn CURRENT_DATE()} = date('now')",
        "1",
    ),
    (SQL_FN_TD_CURRENT_TIME, "length({fn CURRENT_TIME()})", "8"),
    (
        SQL_FN_TD_CURRENT_TIMESTAMP,
        "{fn CURRENT_TIMESTAMP()} > created_at",
        "1",
    ),
    (SQL_FN_TD_DAYNAME, "{fn DAYNAME(created_at)}", "Saturday"),
    (SQL_FN_TD_DAYOFMONTH, "{fn DAYOFMONTH(created_at)}", "1"),
    (SQL_FN_TD_DAYOFWEEK, "{fn DAYOFWEEK(created_at)}", "7"),
    (SQL_FN_TD_DAYOFYEAR, "{fn DAYOFYEAR(created_at)}", "1"),
    (
        SQL_FN_TD_EXTRACT,
        "{fn EXTRACT(MINUTE FROM created_at)}",
        "44",
    ),
    (SQL_FN_TD_HOUR, "{fn HOUR(created_at)}", "1"),
    (SQL_FN_TD_MINUTE, "{fn MINUTE(created_at)}", "44"),
    (SQL_FN_TD_MONTH, "{fn MONTH(created_at)}", "1"),
    (SQL_FN_TD_MONTHNAME, "{fn MONTHNAME(created_at)}", "January"),
    (SQL_FN_TD_NOW, "{fn NOW()} > created_at", "1"),
    (SQL_FN_TD_QUARTER, "{fn QUARTER(created_at)}", "1"),
    (SQL_FN_TD_SECOND, "{fn SECOND(created_at)}", "47"),
    (
        SQL_FN_TD_TIMESTAMPADD,
        "{fn TIMESTAMPADD(SQL_TSI_DAY, -1, created_at)}",
        "2021-12-31 01:44:47",
    ),
    (
        SQL_FN_TD_TIMESTAMPDIFF,
        "{fn TIMESTAMPDIFF(SQL_TSI_HOUR, created_at, {ts '2022-01-02 00:00:00'})}",
        "22",
    ),
    (SQL_FN_TD_WEEK, "{fn WEEK(created_at)}", "1"),
    (SQL_FN_TD_YEAR, "{fn YEAR(created_at)}", "2022"),
];

const ADD_INTERVALS: Claims = &[
    (
        SQL_FN_TSI_FRAC_SECOND,
        "{fn TIMESTAMPADD(SQL_TSI_FRAC_SECOND, 250000000, created_at)}",
        "2022-01-01 01:44:47.25",
    ),
    (
        SQL_FN_TSI_SECOND,
        "{fn TIMESTAMPADD(SQL_TSI_SECOND, 13, created_at)}",
        "2022-01-01 01:45:00",
    ),
    (
        SQL_FN_TSI_MINUTE,
        "{fn TIMESTAMPADD(SQL_TSI_MINUTE, -45, created_at)}",
        "2022-01-01 00:59:47",
    ),
    (
        SQL_FN_TSI_HOUR,
        "{fn TIMESTAMPADD(SQL_TSI_HOUR, -2, created_at)}",
        "2021-12-31 23:44:47",
    ),
    (
        SQL_FN_TSI_DAY,
        "{fn TIMESTAMPADD(SQL_TSI_DAY, 31, created_at)}",
        "2022-02-01 01:44:47",
    ),
    (
        SQL_FN_TSI_WEEK,
        "{fn TIMESTAMPADD(SQL_TSI_WEEK, 2, created_at)}",
        "2022-01-15 01:44:47",
    ),
    (
        SQL_FN_TSI_MONTH,
        "{fn TIMESTAMPADD(SQL_TSI_MONTH, 13, created_at)}",
        "2023-02-01 01:44:47",
    ),
    (
        SQL_FN_TSI_QUARTER,
        "{fn TIMESTAMPADD(SQL_TSI_QUARTER, 3, created_at)}",
        "2022-10-01 01:44:47",
    ),
    (
        SQL_FN_TSI_YEAR,
        "{fn TIMESTAMPADD(SQL_TSI_YEAR, 2, created_at)}",
        "2024-01-01 01:44:47",
    ),
];

/// From 2022-01-01 01:44:47 to 2023-04-02 01:44:46: 456 days less a second.
const DIFF_INTERVALS: Claims = &[
    (
        SQL_FN_TSI_FRAC_SECOND,
        "{fn TIMESTAMPDIFF(SQL_TSI_FRAC_SECOND, created_at, '2022-01-01 01:44:47.000001')}",
        "1000",
    ),
    (
        SQL_FN_TSI_SECOND,
        "{fn TIMESTAMPDIFF(SQL_TSI_SECOND, created_at, '2023-04-02 01:44:46')}",
        "39398399",
    ),
    (
        SQL_FN_TSI_MINUTE,
        "{fn TIMESTAMPDIFF(SQL_TSI_MINUTE, created_at, '2023-04-02 01:44:46')}",
        "656639",
    ),
    (
        SQL_FN_TSI_HOUR,
        "{fn TIMESTAMPDIFF(SQL_TSI_HOUR, created_at, '2023-04-02 01:44:46')}",
        "10943",
    ),
    (
        SQL_FN_TSI_DAY,
        "{fn TIMESTAMPDIFF(SQL_TSI_DAY, created_at, '2023-04-02 01:44:46')}",
        "455",
    ),
    (
        SQL_FN_TSI_WEEK,
        "{fn TIMESTAMPDIFF(SQL_TSI_WEEK, created_at, '2023-04-02 01:44:46')}",
        "65",
    ),
    (
        SQL_FN_TSI_MONTH,
        "{fn TIMESTAMPDIFF(SQL_TSI_MONTH, created_at, '2023-04-02 01:44:46')}",
        "15",
    ),
    (
        SQL_FN_TSI_QUARTER,
        "{fn TIMESTAMPDIFF(SQL_TSI_QUARTER, created_at, '2023-04-02 01:44:46')}",
        "5",
    ),
    (
        SQL_FN_TSI_YEAR,
        "{fn TIMESTAMPDIFF(SQL_TSI_YEAR, created_at, '2023-04-02 01:44:46')}",
        "1",
    ),
];

const SYSTEM_FUNCTIONS: Claims = &[
    // SQL_DATABASE_NAME and SQL_ATTR_CURRENT_CATALOG: no catalogs.
    (SQL_FN_SYS_DBNAME, "{fn DATABASE()}", ""),
    (SQL_FN_SYS_IFNULL, "{fn IFNULL(NULL, stock)}", "200"),
    (SQL_FN_SYS_USERNAME, "{fn USER()}", "sandbox"),
];

const CONVERT_FUNCTIONS: Claims = &[
    (SQL_FN_CVT_CAST, "CAST(price AS INTEGER)", "305"),
    (
        SQL_FN_CVT_CONVERT,
        "{fn CONVERT(created_at, SQL_DATE)}",
        "2022-01-01",
    ),
];

const PREDICATES: Claims = &[
    (
        SQL_SP_EXISTS,
        "EXISTS (SELECT 1 FROM Products WHERE id = 1)",
        "1",
    ),
    (SQL_SP_ISNOTNULL, "name IS NOT NULL", "1"),
    (SQL_SP_ISNULL, "NULL IS NULL AND name IS NULL", "0"),
    (SQL_SP_LIKE, "name LIKE 'Lámpara%'", "1"),
    (SQL_SP_IN, "stock IN (100, 200)", "1"),
    (SQL_SP_BETWEEN, "price BETWEEN 305 AND 306", "1"),
    (
        SQL_SP_COMPARISON,
        "price > 305 AND stock <= 200 AND stock <> 1",
        "1",
    ),
];

const JOIN_OPERATORS: Claims = &[
    (SQL_SRJO_CROSS_JOIN, "(SELECT count(*) FROM Products a CROSS JOIN (SELECT 1 UNION ALL SELECT 2) b WHERE a.id = 1)", "2"),
    (SQL_SRJO_EXCEPT_JOIN, "(SELECT count(*) FROM (SELECT id FROM Products WHERE id IN (1, 2) EXCEPT SELECT 2))", "1"),
    (SQL_SRJO_FULL_OUTER_JOIN, "(SELECT count(*) FROM (SELECT id FROM Products WHERE id = 1) a FULL OUTER JOIN (SELECT 2 AS id) b ON a.id = b.id)", "2"),
    (SQL_SRJO_INNER_JOIN, "(SELECT count(*) FROM Products a INNER JOIN Products b ON a.id = b.id WHERE a.id = 1)", "1"),
    (SQL_SRJO_INTERSECT_JOIN, "(SELECT count(*) FROM (SELECT id FROM Products WHERE id IN (1, 2) INTERSECT SELECT 2))", "1"),
    (SQL_SRJO_LEFT_OUTER_JOIN, "(SELECT count(*) FROM Products a LEFT OUTER JOIN (SELECT 2 AS id) b ON a.id = b.id WHERE a.id = 1)", "1"),
    (SQL_SRJO_NATURAL_JOIN, "(SELECT count(*) FROM (SELECT id FROM Products WHERE id = 1) NATURAL JOIN (SELECT 1 AS id))", "1"),
    (SQL_SRJO_RIGHT_OUTER_JOIN, "(SELECT count(*) FROM (SELECT 2 AS id) b RIGHT OUTER JOIN Products a ON a.id = b.id WHERE a.id = 1)", "1"),
];

const OJ_CAPABILITIES: Claims = &[
    (SQL_OJ_LEFT, "(SELECT b.id IS NULL FROM {oj Products a LEFT OUTER JOIN (SELECT 2 AS id) b ON a.id = b.id} WHERE a.id = 1)", "1"),
    (SQL_OJ_RIGHT, "(SELECT b.id IS NULL FROM {oj (SELECT 2 AS id) b RIGHT OUTER JOIN Products a ON a.id = b.id} WHERE a.id = 1)", "1"),
    (SQL_OJ_FULL, "(SELECT count(*) FROM {oj (SELECT id FROM Products WHERE id = 1) a FULL OUTER JOIN (SELECT 2 AS id) b ON a.id = b.id})", "2"),
    (SQL_OJ_NESTED, "(SELECT count(c.id) FROM {oj Products a LEFT OUTER JOIN (Products b LEFT OUTER JOIN (SELECT 1 AS id) c ON b.id = c.id) ON a.id = b.id} WHERE a.id = 1)", "1"),
    (SQL_OJ_NOT_ORDERED, "(SELECT count(*) FROM {oj Products a LEFT OUTER JOIN (SELECT 1 AS id) b ON b.id = a.id} WHERE a.id = 1)", "1"),
    (SQL_OJ_INNER, "(SELECT count(*) FROM {oj Products a LEFT OUTER JOIN (SELECT 9 AS id) b ON a.id = b.id INNER JOIN (SELECT 1 AS id) c ON c.id = a.id} WHERE a.id = 1)", "1"),
    (SQL_OJ_ALL_COMPARISON_OPS, "(SELECT count(b.x) FROM {oj Products a LEFT OUTER JOIN (SELECT 300 AS x UNION ALL SELECT 400) b ON a.price > b.x} WHERE a.id = 1)", "1"),
];

const DATETIME_LITERALS: Claims = &[
    (SQL_DL_SQL92_DATE, "created_at > DATE '2021-12-31'", "1"),
    (
        SQL_DL_SQL92_TIME,
        "TIME '01:44:47' = {fn CONVERT(created_at, SQL_TIME)}",
        "1",
    ),
    (
        SQL_DL_SQL92_TIMESTAMP,
        "created_at = TIMESTAMP '2022-01-01 01:44:47'",
        "1",
    ),
];

const SQL92_STRING_FUNCTIONS: Claims = &[
    (SQL_SSF_LOWER, "LOWER(name)", "lámpara clásico nº1"),
    (SQL_SSF_UPPER, "UPPER(name)", "LÁMPARA CLÁSICO Nº1"),
];

const SQL92_DATETIME_FUNCTIONS: Claims = &[
    (SQL_SDF_CURRENT_DATE, "CURRENT_DATE = date('now')", "1"),
    (SQL_SDF_CURRENT_TIME, "length(CURRENT_TIME)", "8"),
    (
        SQL_SDF_CURRENT_TIMESTAMP,
        "CURRENT_TIMESTAMP > created_at",
        "1",
    ),
];

const VALUE_EXPRESSIONS: Claims = &[
    (
        SQL_SVE_CASE,
        "CASE WHEN stock > 100 THEN 'many' ELSE 'few' END",
        "many",
    ),
    (SQL_SVE_CAST, "CAST(created_at AS DATE)", "2022-01-01"),
    (SQL_SVE_COALESCE, "COALESCE(NULL, stock)", "200"),
    (SQL_SVE_NULLIF, "NULLIF(stock, 200) IS NULL", "1"),
];

const SUBQUERIES: Claims = &[
    (
        SQL_SQ_COMPARISON,
        "stock = (SELECT stock FROM Products WHERE id = 1)",
        "1",
    ),
    (
        SQL_SQ_EXISTS,
        "EXISTS (SELECT 1 FROM Products WHERE id = 2)",
        "1",
    ),
    (
        SQL_SQ_IN,
        "id IN (SELECT id FROM Products WHERE id < 3)",
        "1",
    ),
    (
        SQL_SQ_CORRELATED_SUBQUERIES,
        "(SELECT q.stock FROM Products q WHERE q.id = Products.id)",
        "200",
    ),
];

const UNION: Claims = &[
    (
        SQL_U_UNION,
        "(SELECT count(*) FROM (SELECT id FROM Products WHERE id = 1 UNION SELECT 1))",
        "1",
    ),
    (
        SQL_U_UNION_ALL,
        "(SELECT count(*) FROM (SELECT id FROM Products WHERE id = 1 UNION ALL SELECT 1))",
        "2",
    ),
];

const AGGREGATES: Claims = &[
    (
        SQL_AF_AVG,
        "(SELECT AVG(stock) FROM Products WHERE id = 1)",
        "200",
    ),
    (
        SQL_AF_COUNT,
        "(SELECT COUNT(*) FROM Products WHERE id IN (1, 2))",
        "2",
    ),
    (
        SQL_AF_MAX,
        "(SELECT MAX(id) FROM Products WHERE id IN (1, 2))",
        "2",
    ),
    (
        SQL_AF_MIN,
        "(SELECT MIN(id) FROM Products WHERE id IN (1, 2))",
        "1",
    ),
    (
        SQL_AF_SUM,
        "(SELECT SUM(id) FROM Products WHERE id IN (1, 2))",
        "3",
    ),
    (
        SQL_AF_DISTINCT,
        "(SELECT COUNT(DISTINCT 7) FROM Products WHERE id IN (1, 2))",
        "1",
    ),
    (
        SQL_AF_ALL,
        "(SELECT COUNT(ALL id) FROM Products WHERE id IN (1, 2))",
        "2",
    ),
];

const ROW_VALUES: Claims = &[
    (SQL_SRVC_VALUE_EXPRESSION, "(id, stock) = (1, 200)", "1"),
    (SQL_SRVC_NULL, "(id, NULL) IS (1, NULL)", "1"),
];

/// Bitmask information types the driver answers, each with its table.
/// Types claiming nothing have an empty table: any bit they grow fails.
fn claims() -> Vec<(&'static str, u16, Claims)> {
    use odbc_sys::InfoType as I;
    vec![
        (
            "SQL_STRING_FUNCTIONS",
            I::StringFunctions as u16,
            STRING_FUNCTIONS,
        ),
        (
            "SQL_NUMERIC_FUNCTIONS",
            I::NumericFunctions as u16,
            NUMERIC_FUNCTIONS,
        ),
        (
            "SQL_TIMEDATE_FUNCTIONS",
            I::TimedateFunctions as u16,
            TIMEDATE_FUNCTIONS,
        ),
        (
            "SQL_SYSTEM_FUNCTIONS",
            I::SystemFunctions as u16,
            SYSTEM_FUNCTIONS,
        ),
        (
            "SQL_CONVERT_FUNCTIONS",
            I::ConvertFunctions as u16,
            CONVERT_FUNCTIONS,
        ),
        (
            "SQL_TIMEDATE_ADD_INTERVALS",
            I::TimedateAddIntervals as u16,
            ADD_INTERVALS,
        ),
        (
            "SQL_TIMEDATE_DIFF_INTERVALS",
            I::TimedateDiffIntervals as u16,
            DIFF_INTERVALS,
        ),
        (
            "SQL_SQL92_PREDICATES",
            I::Sql92Predicates as u16,
            PREDICATES,
        ),
        (
            "SQL_SQL92_RELATIONAL_JOIN_OPERATORS",
            I::Sql92RelationalJoinOperators as u16,
            JOIN_OPERATORS,
        ),
        (
            "SQL_SQL92_STRING_FUNCTIONS",
            I::Sql92StringFunctions as u16,
            SQL92_STRING_FUNCTIONS,
        ),
        (
            "SQL_SQL92_NUMERIC_VALUE_FUNCTIONS",
            I::Sql92NumericValueFunctions as u16,
            &[],
        ),
        (
            "SQL_SQL92_DATETIME_FUNCTIONS",
            I::Sql92DatetimeFunctions as u16,
            SQL92_DATETIME_FUNCTIONS,
        ),
        (
            "SQL_SQL92_VALUE_EXPRESSIONS",
            I::Sql92ValueExpressions as u16,
            VALUE_EXPRESSIONS,
        ),
        (
            "SQL_SQL92_ROW_VALUE_CONSTRUCTOR",
            I::Sql92RowValueConstructor as u16,
            ROW_VALUES,
        ),
        (
            "SQL_OJ_CAPABILITIES",
            I::OuterJoinCapabilities as u16,
            OJ_CAPABILITIES,
        ),
        (
            "SQL_DATETIME_LITERALS",
            SQL_DATETIME_LITERALS,
            DATETIME_LITERALS,
        ),
        ("SQL_SUBQUERIES", I::Subqueries as u16, SUBQUERIES),
        ("SQL_UNION", I::UnionStatement as u16, UNION),
        (
            "SQL_AGGREGATE_FUNCTIONS",
            I::AggregateFunctions as u16,
            AGGREGATES,
        ),
        // Not claimed at all.
        ("SQL_CONVERT_BIGINT", SQL_CONVERT_BIGINT, &[]),
        ("SQL_CONVERT_CHAR", SQL_CONVERT_CHAR, &[]),
        ("SQL_CONVERT_DATE", SQL_CONVERT_DATE, &[]),
        ("SQL_CONVERT_DECIMAL", SQL_CONVERT_DECIMAL, &[]),
        ("SQL_CONVERT_DOUBLE", SQL_CONVERT_DOUBLE, &[]),
        ("SQL_CONVERT_INTEGER", SQL_CONVERT_INTEGER, &[]),
        ("SQL_CONVERT_TIMESTAMP", SQL_CONVERT_TIMESTAMP, &[]),
        ("SQL_CONVERT_VARCHAR", SQL_CONVERT_VARCHAR, &[]),
        ("SQL_CONVERT_WVARCHAR", SQL_CONVERT_WVARCHAR, &[]),
        ("SQL_ALTER_TABLE", I::AlterTable as u16, &[]),
        ("SQL_CREATE_TABLE", SQL_CREATE_TABLE, &[]),
        ("SQL_CREATE_VIEW", SQL_CREATE_VIEW, &[]),
        (
            "SQL_SQL92_FOREIGN_KEY_DELETE_RULE",
            I::Sql92ForeignKeyDeleteRule as u16,
            &[],
        ),
        ("SQL_SQL92_GRANT", I::Sql92Grant as u16, &[]),
        ("SQL_INSERT_STATEMENT", SQL_INSERT_STATEMENT, &[]),
    ]
}

#[test]
fn every_claimed_bit_is_run() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let mut wrong = Vec::new();
    let mut ran = 0;
    for (name, info, table) in claims() {
        let bits = info_u32(d, info);
        for bit in (0..32).map(|i| 1u32 << i).filter(|b| bits & b != 0) {
            let Some((_, sql, want)) = table.iter().find(|(b, _, _)| *b == bit) else {
                wrong.push(format!(
                    "{name}: bit {bit:#x} is claimed but has no statement in tests/getinfo_claims.rs"
                ));
                continue;
            };
            let sql = format!("SELECT {sql} FROM {P1}");
            let got = value(d, &sql);
            ran += 1;
            if got != *want {
                wrong.push(format!(
                    "{name} bit {bit:#x}: {sql}\n    got {got:?}, want {want:?}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    assert!(ran > 100, "only {ran} claims ran");
    disconnect(e, d);
}

#[test]
fn procedures_are_claimed_and_listed() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    assert_eq!(info_text(d, SQL_PROCEDURES), "Y");
    let st = stmt(d);
    // SAFETY: see "Calling the exports" in tests/common (null patterns).
    let rc = unsafe { SQLProcedures(st, nul(), 0, nul(), 0, nul(), 0) };
    assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Stmt, st));
    let mut n = 0;
    // SAFETY: see "Calling the exports" in tests/common.
    while unsafe { SQLFetch(st) } == SQL_SUCCESS {
        n += 1;
    }
    assert!(n >= 1, "SQL_PROCEDURES is Y but SQLProcedures lists none");
    SQLFreeHandle(HandleType::Stmt as i16, st);
    disconnect(e, d);
}

#[test]
fn database_agrees_with_sql_database_name() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let name = info_text(d, SQL_DATABASE_NAME);
    assert_eq!(
        value(d, &format!("SELECT {{fn DATABASE()}} FROM {P1}")),
        name
    );
    disconnect(e, d);
}

/// The ODBC 3.8 function conformance table ("Function Conformance"): the
/// functions a driver of each interface level must have. SQLDataSources
/// and SQLDrivers (Core) are the driver manager's; SQLExtendedFetch,
/// deprecated, is in no level.
const CORE: &[u16] = &[
    SQL_API_SQLALLOCHANDLE,
    SQL_API_SQLBINDCOL,
    SQL_API_SQLBINDPARAMETER,
    SQL_API_SQLCANCEL,
    SQL_API_SQLCLOSECURSOR,
    SQL_API_SQLCOLATTRIBUTE,
    SQL_API_SQLCOLUMNS,
    SQL_API_SQLCONNECT,
    SQL_API_SQLCOPYDESC,
    SQL_API_SQLDESCRIBECOL,
    SQL_API_SQLDISCONNECT,
    SQL_API_SQLDRIVERCONNECT,
    SQL_API_SQLENDTRAN,
    SQL_API_SQLEXECDIRECT,
    SQL_API_SQLEXECUTE,
    SQL_API_SQLFETCH,
    SQL_API_SQLFETCHSCROLL,
    SQL_API_SQLFREEHANDLE,
    SQL_API_SQLFREESTMT,
    SQL_API_SQLGETCONNECTATTR,
    SQL_API_SQLGETCURSORNAME,
    SQL_API_SQLGETDATA,
    SQL_API_SQLGETDESCFIELD,
    SQL_API_SQLGETDESCREC,
    SQL_API_SQLGETDIAGFIELD,
    SQL_API_SQLGETDIAGREC,
    SQL_API_SQLGETENVATTR,
    SQL_API_SQLGETFUNCTIONS,
    SQL_API_SQLGETINFO,
    SQL_API_SQLGETSTMTATTR,
    SQL_API_SQLGETTYPEINFO,
    SQL_API_SQLNATIVESQL,
    SQL_API_SQLNUMPARAMS,
    SQL_API_SQLNUMRESULTCOLS,
    SQL_API_SQLPARAMDATA,
    SQL_API_SQLPREPARE,
    SQL_API_SQLPUTDATA,
    SQL_API_SQLROWCOUNT,
    SQL_API_SQLSETCONNECTATTR,
    SQL_API_SQLSETCURSORNAME,
    SQL_API_SQLSETDESCFIELD,
    SQL_API_SQLSETDESCREC,
    SQL_API_SQLSETENVATTR,
    SQL_API_SQLSETSTMTATTR,
    SQL_API_SQLSPECIALCOLUMNS,
    SQL_API_SQLSTATISTICS,
    SQL_API_SQLTABLES,
];
const LEVEL_1: &[u16] = &[
    SQL_API_SQLBROWSECONNECT,
    SQL_API_SQLBULKOPERATIONS,
    SQL_API_SQLMORERESULTS,
    SQL_API_SQLPRIMARYKEYS,
    SQL_API_SQLPROCEDURECOLUMNS,
    SQL_API_SQLPROCEDURES,
    SQL_API_SQLSETPOS,
];
const LEVEL_2: &[u16] = &[
    SQL_API_SQLCOLUMNPRIVILEGES,
    SQL_API_SQLDESCRIBEPARAM,
    SQL_API_SQLFOREIGNKEYS,
    SQL_API_SQLTABLEPRIVILEGES,
];

/// SQL_ODBC_INTERFACE_CONFORMANCE is the highest level whose functions
/// (and every lower level's) SQLGetFunctions reports, per the spec's
/// table; and Core is a floor the exports really reach.
#[test]
fn interface_conformance_follows_the_exports() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let mut map = [0u16; SQL_API_ODBC3_ALL_FUNCTIONS_SIZE];
    // SAFETY: see "Calling the exports" in tests/common (a 250-word local).
    let rc = unsafe { SQLGetFunctions(d, SQL_API_ODBC3_ALL_FUNCTIONS, map.as_mut_ptr()) };
    assert_eq!(rc, SQL_SUCCESS);
    let has = |id: &u16| map[(*id >> 4) as usize] & (1 << (id & 15)) != 0;
    let missing =
        |level: &[u16]| -> Vec<u16> { level.iter().filter(|id| !has(id)).copied().collect() };
    assert_eq!(
        missing(CORE),
        Vec::<u16>::new(),
        "Core functions not exported"
    );
    let derived = if !missing(LEVEL_1).is_empty() {
        SQL_OIC_CORE
    } else if !missing(LEVEL_2).is_empty() {
        SQL_OIC_LEVEL1
    } else {
        SQL_OIC_LEVEL2
    };
    let claimed = info_u32(d, odbc_sys::InfoType::OdbcInterfaceConformance as u16);
    assert_eq!(claimed, derived, "Level 1 lacks {:?}", missing(LEVEL_1));
    disconnect(e, d);
}

//! Named regressions for wrong answers the driver once returned silently
//! (issue 8). Each compares the driver's answer with the rows a plain scan
//! holds; the differential corpus (tests/clients/test_differential.py) looks
//! for the next ones. Direct calls into the driver against the sandbox.

#![warn(clippy::undocumented_unsafe_blocks)]

mod common;
use common::*;
use jumpseller_odbc::ffi::*;
use std::os::raw::c_void;
use std::ptr::null_mut;

fn one(d: *mut c_void, sql: &str) -> String {
    query(d, sql)[0][0].clone().unwrap_or_default()
}

#[test]
fn an_email_lookup_in_other_case_or_with_spaces_finds_nothing() {
    // The API matches e-mails case-insensitively and trimmed; SQL's = does not.
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let email = one(d, "SELECT email FROM Customers WHERE id = 1");
    assert_eq!(
        query(
            d,
            &format!("SELECT id FROM Customers WHERE email = '{email}'")
        ),
        vec![vec![Some("1".to_string())]]
    );
    for near in [
        email.to_uppercase(),
        format!("{email} "),
        format!(" {email}"),
    ] {
        let rows = query(
            d,
            &format!("SELECT id FROM Customers WHERE email = '{near}'"),
        );
        assert!(rows.is_empty(), "{near:?} matched {rows:?}");
    }
    disconnect(e, d);
}

#[test]
fn timestamps_compare_as_instants_whatever_the_literal_form() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let (id, at) = {
        let r = query(d, "SELECT id, created_at FROM Orders WHERE id = 72");
        (r[0][0].clone().unwrap(), r[0][1].clone().unwrap())
    };
    let at = &at[..19]; // 'YYYY-MM-DD HH:MM:SS'
    let (date, time) = at.split_at(10);
    let time = time.trim();
    for literal in [
        format!("{{ts '{at}'}}"),
        format!("{{ts '{at}.000'}}"),
        format!("'{date}T{time}'"),
        format!("'{date}T{time}Z'"),
        format!("'{date}T{time}.000+00:00'"),
    ] {
        let eq = query(
            d,
            &format!("SELECT id FROM Orders WHERE created_at = {literal}"),
        );
        assert_eq!(eq, vec![vec![Some(id.clone())]], "= {literal}");
        // The boundary row of a range that starts at it.
        let ge = query(
            d,
            &format!("SELECT id FROM Orders WHERE created_at >= {literal} AND id = {id}"),
        );
        assert_eq!(ge, vec![vec![Some(id.clone())]], ">= {literal}");
        let lt = query(
            d,
            &format!("SELECT id FROM Orders WHERE created_at < {literal} AND id = {id}"),
        );
        assert!(lt.is_empty(), "< {literal}");
    }
    // An offset names the same instant three hours later on the clock.
    let hour: u32 = time[..2].parse().unwrap();
    if hour >= 3 {
        let shifted = format!("'{date}T{:02}{}-03:00'", hour - 3, &time[2..]);
        let eq = query(
            d,
            &format!("SELECT id FROM Orders WHERE created_at = {shifted}"),
        );
        assert_eq!(eq, vec![vec![Some(id.clone())]], "= {shifted}");
    }
    disconnect(e, d);
}

#[test]
fn a_bound_timestamp_parameter_with_a_fraction_compares_as_an_instant() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let at = one(d, "SELECT created_at FROM Orders WHERE id = 72");
    let p = |i: usize| at[i..i + 2].parse::<u16>().unwrap();
    let year: i16 = at[..4].parse().unwrap();
    let count = |fraction: u32, op: &str| -> String {
        let st = stmt(d);
        let sql = format!("SELECT COUNT(*) FROM Orders WHERE id = 72 AND created_at {op} ?");
        let mut ts = odbc_sys::Timestamp {
            year,
            month: p(5),
            day: p(8),
            hour: p(11),
            minute: p(14),
            second: p(17),
            fraction,
        };
        // SAFETY: see "Calling the exports" in tests/common; `ts` outlives the execution.
        unsafe {
            assert_eq!(SQLPrepare(st, sql.as_ptr(), sql.len() as i32), SQL_SUCCESS);
            assert_eq!(
                SQLBindParameter(
                    st,
                    1,
                    ParamType::Input as i16,
                    CDataType::TypeTimestamp as i16,
                    SqlDataType::TIMESTAMP.0,
                    27,
                    7,
                    &mut ts as *mut odbc_sys::Timestamp as *mut c_void,
                    0,
                    null_mut()
                ),
                SQL_SUCCESS
            );
            assert_eq!(
                SQLExecute(st),
                SQL_SUCCESS,
                "{:?}",
                diag(HandleType::Stmt, st)
            );
            assert_eq!(SQLFetch(st), SQL_SUCCESS);
        }
        let n = get_text(st, 1).unwrap();
        SQLFreeHandle(HandleType::Stmt as i16, st);
        n
    };
    assert_eq!(count(0, "="), "1");
    // Half a second later is a different instant: not equal, and after it.
    assert_eq!(count(500_000_000, "="), "0");
    assert_eq!(count(500_000_000, "<"), "1");
    assert_eq!(count(500_000_000, ">="), "0");
    disconnect(e, d);
}

#[test]
fn a_text_parent_key_in_other_case_invents_no_rows() {
    // /countries/cl/regions.json answers Chile's regions; no country is 'cl'.
    let sb = sandbox();
    let (e, d) = connect(&sb);
    assert_ne!(
        one(d, "SELECT COUNT(*) FROM Regions WHERE country_code = 'CL'"),
        "0"
    );
    assert_eq!(
        one(d, "SELECT COUNT(*) FROM Regions WHERE country_code = 'cl'"),
        "0"
    );
    assert_eq!(
        one(
            d,
            "SELECT COUNT(*) FROM Municipalities WHERE country_code = 'CL' AND region_code = 'rm'"
        ),
        "0"
    );
    disconnect(e, d);
}

#[test]
fn limit_on_child_rows_is_not_a_limit_on_parent_pages() {
    // The newest orders have no promotions: LIMIT 7 once read one page of
    // seven orders and answered nothing.
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let all = one(d, "SELECT COUNT(*) FROM OrderPromotions");
    assert!(all.parse::<u32>().unwrap() >= 7, "{all}");
    let rows = query(d, "SELECT order_id FROM OrderPromotions LIMIT 7");
    assert_eq!(rows.len(), 7);
    disconnect(e, d);
}

/// Binds one parameter of C type `c_type` (a struct at `value`) and returns
/// the statement's single count.
fn count_with(
    d: *mut c_void,
    sql: &str,
    c_type: CDataType,
    sql_type: SqlDataType,
    value: *mut c_void,
) -> String {
    let st = stmt(d);
    // SAFETY: see "Calling the exports" in tests/common; `value` outlives the execution.
    unsafe {
        assert_eq!(SQLPrepare(st, sql.as_ptr(), sql.len() as i32), SQL_SUCCESS);
        assert_eq!(
            SQLBindParameter(
                st,
                1,
                ParamType::Input as i16,
                c_type as i16,
                sql_type.0,
                0,
                0,
                value,
                0,
                null_mut()
            ),
            SQL_SUCCESS
        );
        assert_eq!(
            SQLExecute(st),
            SQL_SUCCESS,
            "{sql}: {:?}",
            diag(HandleType::Stmt, st)
        );
        assert_eq!(SQLFetch(st), SQL_SUCCESS);
    }
    let n = get_text(st, 1).unwrap();
    SQLFreeHandle(HandleType::Stmt as i16, st);
    n
}

#[test]
fn bound_date_and_time_parameters_compare_as_instants() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let at = one(d, "SELECT created_at FROM Orders WHERE id = 72");
    let p = |i: usize| at[i..i + 2].parse::<u16>().unwrap();
    let year: i16 = at[..4].parse().unwrap();
    let mut day = odbc_sys::Date {
        year,
        month: p(5),
        day: p(8),
    };
    let date = &mut day as *mut odbc_sys::Date as *mut c_void;
    // A date is its midnight: the row is on or after it, and before the next.
    let on_or_after = "SELECT COUNT(*) FROM Orders WHERE id = 72 AND created_at >= ?";
    assert_eq!(
        count_with(d, on_or_after, CDataType::TypeDate, SqlDataType::DATE, date),
        "1"
    );
    let before = "SELECT COUNT(*) FROM Orders WHERE id = 72 AND created_at < ?";
    assert_eq!(
        count_with(d, before, CDataType::TypeDate, SqlDataType::DATE, date),
        "0"
    );
    let mut time = odbc_sys::Time {
        hour: p(11),
        minute: p(14),
        second: p(17),
    };
    let time_ptr = &mut time as *mut odbc_sys::Time as *mut c_void;
    let same_time = "SELECT COUNT(*) FROM Orders WHERE id = 72 AND CAST(created_at AS TIME) = ?";
    assert_eq!(
        count_with(
            d,
            same_time,
            CDataType::TypeTime,
            SqlDataType::TIME,
            time_ptr
        ),
        "1"
    );
    disconnect(e, d);
}

/// An OR whose branches both find a child row (SQLite runs each branch as
/// its own scan and de-duplicates by rowid): the row comes back once. Child
/// rows had a rowid per scan, so `promotion_id = 3 OR promotion_id IN (3)`
/// gave the one row of promotion 3 twice (found by the differential corpus,
/// seed 42).
#[test]
fn or_branches_that_find_the_same_child_row_return_it_once() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    for (table, key, a, b) in [
        ("PromotionProductsX", "promotion_id", 3, 4),
        ("OrderProducts", "order_id", 5, 6),
        ("ProductVariants", "product_id", 1, 2),
        ("ProductImages", "product_id", 1, 2),
    ] {
        let cols = format!("SELECT * FROM {table}");
        let want = query(d, &format!("{cols} WHERE {key} IN ({a}, {b})"));
        assert!(!want.is_empty(), "{table} has rows for {a} or {b}");
        for cond in [
            format!("{key} = {a} OR {key} IN ({a}, {b})"),
            format!("{key} = {a} OR {key} = {b} OR {key} IN ({b})"),
        ] {
            let mut got = query(d, &format!("{cols} WHERE {cond}"));
            let mut w = want.clone();
            got.sort();
            w.sort();
            assert_eq!(got, w, "{table} WHERE {cond}");
        }
    }
    disconnect(e, d);
}

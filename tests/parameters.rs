//! Parameters (issue 9): SQLDescribeParam, data at execution
//! (SQLParamData / SQLPutData), parameter arrays.
//!
//! Unsafe calls follow "Calling the exports" in tests/common: live locals,
//! lengths that match, buffers that outlive the executions reading them.

mod common;
use common::*;
use jumpseller_odbc::ffi::*;
use std::os::raw::c_void;
use std::ptr::null_mut;

fn prepare(st: *mut c_void, sql: &str) {
    // SAFETY: see the module docs.
    let rc = unsafe { SQLPrepare(st, sql.as_ptr(), sql.len() as i32) };
    assert_eq!(rc, SQL_SUCCESS, "{sql}: {:?}", diag(HandleType::Stmt, st));
}

/// (type, size, digits, nullable) of marker `n`.
fn describe(st: *mut c_void, n: u16) -> (i16, ULen, i16, i16) {
    let (mut t, mut size, mut digits, mut nullable) = (0i16, 0 as ULen, 0i16, 0i16);
    // SAFETY: see the module docs.
    let rc = unsafe { SQLDescribeParam(st, n, &mut t, &mut size, &mut digits, &mut nullable) };
    assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Stmt, st));
    (t, size, digits, nullable)
}

const WVARCHAR: i16 = -9;
const BIGINT: i16 = -5;

#[test]
fn describe_param_reports_the_compared_column() {
    let sb = sandbox();
    let (env, dbc) = connect(&sb);
    let st = stmt(dbc);
    prepare(
        st,
        "SELECT id FROM Categories c WHERE c.id = ? AND name IN (?, ?) AND LENGTH(?) > 0",
    );
    assert_eq!(describe(st, 1), (BIGINT, 19, 0, 0));
    assert_eq!(describe(st, 2), (WVARCHAR, 255, 0, 1));
    assert_eq!(describe(st, 3), (WVARCHAR, 255, 0, 1));
    assert_eq!(describe(st, 4).0, WVARCHAR);
    prepare(st, "INSERT INTO Categories (parent_id, name) VALUES (?, ?)");
    assert_eq!(describe(st, 1), (BIGINT, 19, 0, 1));
    assert_eq!(describe(st, 2), (WVARCHAR, 255, 0, 1));
    prepare(st, "UPDATE Categories SET name = ? WHERE id = ?");
    assert_eq!(describe(st, 1).0, WVARCHAR);
    assert_eq!(describe(st, 2).0, BIGINT);
    // A marker that does not exist is 07009.
    let mut t = 0i16;
    // SAFETY: see the module docs.
    let rc = unsafe { SQLDescribeParam(st, 3, &mut t, null_mut(), null_mut(), null_mut()) };
    assert_eq!(rc, SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, st), ["07009"]);
    disconnect(env, dbc);
}

//! Issue 14 "Hardening", defect 4: input text is never altered silently.
//! Bytes of an ANSI string that are not UTF-8 (and lone surrogates in a
//! wide one) are refused with 22018 naming the argument and the offset,
//! instead of becoming U+FFFD and changing what an INSERT or UPDATE
//! writes. Direct calls into the C ABI.

#![warn(clippy::undocumented_unsafe_blocks)]

mod common;
use common::*;
use jumpseller_odbc::ffi::*;

#[test]
fn non_utf8_sql_is_refused_with_22018() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let st = stmt(d);
    let sql: &[u8] = b"SELECT '\xff'";
    // SAFETY: see "Calling the exports" in tests/common; `sql` has the length passed.
    let rc = unsafe { SQLExecDirect(st, sql.as_ptr(), sql.len() as i32) };
    assert_eq!(rc, SQL_ERROR);
    let records = diag(HandleType::Stmt, st);
    assert_eq!(records[0].0, "22018", "{records:?}");
    assert!(
        records[0].1.contains("StatementText") && records[0].1.contains("offset 8"),
        "{records:?}"
    );
    // The same through SQLPrepare, NUL-terminated, with the bad byte later.
    let sql: &[u8] = b"SELECT 'caf\xe9' AS x\0";
    // SAFETY: as above; `sql` ends with a NUL and is passed with SQL_NTS.
    let rc = unsafe { SQLPrepare(st, sql.as_ptr(), NTS as i32) };
    assert_eq!(rc, SQL_ERROR);
    let records = diag(HandleType::Stmt, st);
    assert_eq!(records[0].0, "22018", "{records:?}");
    assert!(records[0].1.contains("offset 11"), "{records:?}");
    // A half character at the end is refused too.
    let sql: &[u8] = b"SELECT '\xc3";
    // SAFETY: as above.
    let rc = unsafe { SQLExecDirect(st, sql.as_ptr(), sql.len() as i32) };
    assert_eq!(rc, SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, st), ["22018"]);
    // A lone surrogate in the wide form.
    let wide: Vec<u16> = "SELECT '"
        .encode_utf16()
        .chain([0xDC00, b'\'' as u16])
        .collect();
    // SAFETY: as above; `wide` has the length passed, in SQLWCHARs.
    let rc = unsafe { SQLExecDirectW(st, wide.as_ptr(), wide.len() as i32) };
    assert_eq!(rc, SQL_ERROR);
    let records = diag(HandleType::Stmt, st);
    assert_eq!(records[0].0, "22018", "{records:?}");
    assert!(records[0].1.contains("offset 8"), "{records:?}");
    // Valid UTF-8 is taken as it is.
    assert_eq!(
        query(d, "SELECT 'añ😀' AS x"),
        vec![vec![Some("añ😀".to_string())]]
    );
    SQLFreeHandle(HandleType::Stmt as i16, st);
    disconnect(e, d);
}

#[test]
fn a_non_utf8_connection_string_is_refused_without_network() {
    let sb = sandbox();
    let e = env();
    let d = dbc(e);
    let mut s = conn_str(&sb).into_bytes();
    s.extend_from_slice(b";Scope=read_\xff");
    let mut out = [0u8; 64];
    let mut len = 0i16;
    // SAFETY: see "Calling the exports" in tests/common; `s` and `out` have
    // the lengths passed.
    let rc = unsafe {
        SQLDriverConnect(
            d,
            std::ptr::null_mut(),
            s.as_ptr(),
            s.len() as i16,
            out.as_mut_ptr(),
            out.len() as i16,
            &mut len,
            DriverConnectOption::NoPrompt as u16,
        )
    };
    assert_eq!(rc, SQL_ERROR);
    let records = diag(HandleType::Dbc, d);
    assert_eq!(records[0].0, "22018", "{records:?}");
    assert!(
        records[0].1.contains("InConnectionString")
            && records[0].1.contains(&format!("offset {}", s.len() - 1)),
        "{records:?}"
    );
    assert_eq!(sb.request_count(), 0);
    disconnect(e, d);
}

#[test]
fn a_bound_text_parameter_that_is_not_utf8_is_refused_with_22018() {
    // The parameter path of the same defect: an INSERT would have written
    // U+FFFD into the store.
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let st = stmt(d);
    let sql = "SELECT COUNT(*) FROM Categories WHERE name = ?";
    let mut bytes = *b"Ropa\xff\0";
    let mut nts: Len = NTS;
    // SAFETY: see "Calling the exports" in tests/common; `bytes` and `nts` outlive the execution.
    unsafe {
        assert_eq!(SQLPrepare(st, sql.as_ptr(), sql.len() as i32), SQL_SUCCESS);
        assert_eq!(
            SQLBindParameter(
                st,
                1,
                ParamType::Input as i16,
                CDataType::Char as i16,
                SqlDataType::VARCHAR.0,
                255,
                0,
                bytes.as_mut_ptr() as *mut std::os::raw::c_void,
                bytes.len() as Len,
                &mut nts,
            ),
            SQL_SUCCESS
        );
        assert_eq!(SQLExecute(st), SQL_ERROR);
    }
    assert_eq!(states(HandleType::Stmt, st)[0], "22018");
    disconnect(e, d);
}

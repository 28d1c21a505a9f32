//! Descriptors (issue 9 item 6): the ARD, APD, IRD and IPD as real
//! objects, explicit descriptors, SQLCopyDesc, the Rec forms, and the
//! C types that need them: SQL_C_NUMERIC at the ARD's / APD's precision
//! and scale, SQL_C_GUID.
//!
//! Unsafe calls follow "Calling the exports" in tests/common: live locals,
//! lengths that match, buffers that outlive the fetches and executions
//! reading them; integer field values travel in the pointer.

mod common;
use common::*;
use jumpseller_odbc::ffi::*;
use std::os::raw::c_void;
use std::ptr::null_mut;

type H = *mut c_void;

const C_NUMERIC: i16 = CDataType::Numeric as i16;
const C_SBIGINT: i16 = CDataType::SBigInt as i16;
const C_CHAR: i16 = CDataType::Char as i16;
const C_GUID: i16 = CDataType::Guid as i16;
/// SQL_ARD_TYPE for SQLGetData.
const ARD_TYPE: i16 = CDataType::Ard as i16;
const SQL_DECIMAL: i16 = 3;
const SQL_BIGINT: i16 = -5;

fn f(d: Desc) -> i16 {
    d as i16
}

fn set_stmt_attr(st: H, attr: StatementAttribute, v: usize) -> i16 {
    SQLSetStmtAttr(st, attr as i32, v as *mut c_void, 0)
}

fn desc_of(st: H, attr: StatementAttribute) -> H {
    stmt_attr(st, attr) as H
}

/// An integer field read into an SQLLEN-sized buffer (narrower fields
/// fill its first bytes; the buffer starts at 0).
fn get_int(desc: H, rec: i16, field: Desc) -> (i16, i64) {
    let mut v: i64 = 0;
    let mut len = 0i32;
    // SAFETY: see the module docs: 8 writable bytes.
    let rc = unsafe {
        SQLGetDescField(
            desc,
            rec,
            f(field),
            &mut v as *mut i64 as *mut c_void,
            8,
            &mut len,
        )
    };
    let v = match len {
        2 => v as i16 as i64,
        4 => v as i32 as i64,
        _ => v,
    };
    (rc, v)
}

fn int(desc: H, rec: i16, field: Desc) -> i64 {
    let (rc, v) = get_int(desc, rec, field);
    assert_eq!(
        rc,
        SQL_SUCCESS,
        "{field:?}: {:?}",
        diag(HandleType::Desc, desc)
    );
    v
}

fn set(desc: H, rec: i16, field: Desc, v: isize) -> i16 {
    // SAFETY: integers travel in the pointer (module docs).
    unsafe { SQLSetDescField(desc, rec, f(field), v as *mut c_void, 0) }
}

fn set_ok(desc: H, rec: i16, field: Desc, v: isize) {
    assert_eq!(
        set(desc, rec, field, v),
        SQL_SUCCESS,
        "{field:?}: {:?}",
        diag(HandleType::Desc, desc)
    );
}

fn text(desc: H, rec: i16, field: Desc, buf: usize) -> (i16, String, i32) {
    let mut b = vec![0u8; buf];
    let mut len = 0i32;
    // SAFETY: see the module docs.
    let rc = unsafe {
        SQLGetDescField(
            desc,
            rec,
            f(field),
            b.as_mut_ptr() as *mut c_void,
            buf as i32,
            &mut len,
        )
    };
    let end = b.iter().position(|c| *c == 0).unwrap_or(0);
    (rc, String::from_utf8_lossy(&b[..end]).into_owned(), len)
}

fn text_w(desc: H, rec: i16, field: Desc) -> (String, i32) {
    let mut b = vec![0u16; 64];
    let mut len = 0i32;
    // SAFETY: see the module docs (128 bytes).
    let rc = unsafe {
        SQLGetDescFieldW(
            desc,
            rec,
            f(field),
            b.as_mut_ptr() as *mut c_void,
            128,
            &mut len,
        )
    };
    assert_eq!(rc, SQL_SUCCESS);
    let end = b.iter().position(|c| *c == 0).unwrap_or(0);
    (String::from_utf16_lossy(&b[..end]), len)
}

fn desc_states(desc: H) -> Vec<String> {
    states(HandleType::Desc, desc)
}

fn ok(rc: i16, st: H) {
    assert!(
        rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO,
        "{rc}: {:?}",
        diag(HandleType::Stmt, st)
    );
}

fn alloc_desc(dbc: H) -> H {
    let mut h = null_mut();
    // SAFETY: see the module docs.
    let rc = unsafe { SQLAllocHandle(HandleType::Desc as i16, dbc, &mut h) };
    assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Dbc, dbc));
    h
}

/// An SQL_NUMERIC_STRUCT: (precision, scale, sign, magnitude).
fn numeric(b: &[u8; 19]) -> (u8, i8, u8, u128) {
    (
        b[0],
        b[1] as i8,
        b[2],
        u128::from_le_bytes(b[3..].try_into().unwrap()),
    )
}

fn numeric_struct(precision: u8, scale: i8, positive: bool, magnitude: u128) -> [u8; 19] {
    let mut b = [0u8; 19];
    (b[0], b[1], b[2]) = (precision, scale as u8, positive as u8);
    b[3..].copy_from_slice(&magnitude.to_le_bytes());
    b
}

/// `text` (a decimal) as a magnitude at `scale` digits, if it has no more.
fn scaled(text: &str, scale: usize) -> u128 {
    let (i, frac) = text.split_once('.').unwrap_or((text, ""));
    let frac = frac.trim_end_matches('0');
    assert!(frac.len() <= scale, "{text}");
    format!("{i}{frac:0<scale$}").parse().unwrap()
}

#[test]
fn statement_attributes_are_the_header_fields() {
    use StatementAttribute as S;
    let sb = sandbox();
    let (env, dbc) = connect(&sb);
    let st = stmt(dbc);
    let (ard, apd, ird, ipd) = (
        desc_of(st, S::AppRowDesc),
        desc_of(st, S::AppParamDesc),
        desc_of(st, S::ImpRowDesc),
        desc_of(st, S::ImpParamDesc),
    );
    assert!(![ard, apd, ird, ipd].iter().any(|h| h.is_null()));
    let table = [
        (S::RowArraySize, ard, Desc::ArraySize),
        (S::RowBindType, ard, Desc::BindType),
        (S::RowBindOffsetPtr, ard, Desc::BindOffsetPtr),
        (S::RowOperationPtr, ard, Desc::ArrayStatusPtr),
        (S::RowStatusPtr, ird, Desc::ArrayStatusPtr),
        (S::RowsFetchedPtr, ird, Desc::RowsProcessedPtr),
        (S::ParamsetSize, apd, Desc::ArraySize),
        (S::ParamBindType, apd, Desc::BindType),
        (S::ParamBindOffsetPtr, apd, Desc::BindOffsetPtr),
        (S::ParamOpterationPtr, apd, Desc::ArrayStatusPtr),
        (S::ParamStatusPtr, ipd, Desc::ArrayStatusPtr),
        (S::ParamsProcessedPtr, ipd, Desc::RowsProcessedPtr),
    ];
    // Addresses never dereferenced: nothing is fetched or executed.
    for (i, (attr, desc, field)) in table.into_iter().enumerate() {
        let a = 16 + i * 8;
        assert_eq!(set_stmt_attr(st, attr, a), SQL_SUCCESS, "{attr:?}");
        assert_eq!(int(desc, 0, field), a as i64, "{attr:?} read as {field:?}");
        set_ok(desc, 0, field, (a + 4) as isize);
        assert_eq!(stmt_attr(st, attr), a + 4, "{field:?} read as {attr:?}");
    }
    // ARRAY_SIZE 0 is refused either way; the allocation type is AUTO.
    assert_eq!(set(ard, 0, Desc::ArraySize, 0), SQL_ERROR);
    assert_eq!(desc_states(ard), ["HY024"]);
    assert_eq!(int(ard, 0, Desc::AllocType), 1);
    // Read-only and unused fields are HY091.
    assert_eq!(set(ard, 0, Desc::AllocType, 2), SQL_ERROR);
    assert_eq!(desc_states(ard), ["HY091"]);
    assert_eq!(get_int(ard, 0, Desc::RowsProcessedPtr).0, SQL_ERROR);
    assert_eq!(desc_states(ard), ["HY091"]);
    assert_eq!(get_int(ard, 1, Desc::Name).0, SQL_ERROR);
    let mut v = 0i64;
    // SAFETY: see the module docs.
    let rc = unsafe {
        SQLGetDescField(
            ard,
            0,
            9999,
            &mut v as *mut i64 as *mut c_void,
            8,
            null_mut(),
        )
    };
    assert_eq!(rc, SQL_ERROR);
    assert_eq!(desc_states(ard), ["HY091"]);
    disconnect(env, dbc);
}

#[test]
fn bind_col_and_bind_parameter_are_records() {
    use StatementAttribute as S;
    let sb = sandbox();
    let (env, dbc) = connect(&sb);
    let st = stmt(dbc);
    let (ard, apd, ipd) = (
        desc_of(st, S::AppRowDesc),
        desc_of(st, S::AppParamDesc),
        desc_of(st, S::ImpParamDesc),
    );
    let mut buf = [0i64; 1];
    let mut ind: Len = 0;
    // SAFETY: see the module docs.
    let rc = unsafe {
        SQLBindCol(
            st,
            2,
            C_SBIGINT,
            buf.as_mut_ptr() as *mut c_void,
            8,
            &mut ind,
        )
    };
    assert_eq!(rc, SQL_SUCCESS);
    assert_eq!(int(ard, 0, Desc::Count), 2);
    assert_eq!(int(ard, 2, Desc::ConciseType), C_SBIGINT as i64);
    assert_eq!(int(ard, 2, Desc::Type), C_SBIGINT as i64);
    assert_eq!(int(ard, 2, Desc::OctetLength), 8);
    assert_eq!(int(ard, 2, Desc::DataPtr), buf.as_ptr() as i64);
    assert_eq!(int(ard, 2, Desc::IndicatorPtr), &ind as *const Len as i64);
    assert_eq!(int(ard, 2, Desc::OctetLengthPtr), &ind as *const Len as i64);
    // Record 1 exists with its defaults (SQL_C_DEFAULT); 3 is past COUNT.
    assert_eq!(int(ard, 1, Desc::ConciseType), 99);
    assert_eq!(get_int(ard, 3, Desc::Type).0, SQL_NO_DATA);
    // Unbinding the highest column lowers COUNT.
    // SAFETY: see the module docs.
    assert_eq!(
        unsafe { SQLBindCol(st, 2, C_SBIGINT, null_mut(), 0, null_mut()) },
        SQL_SUCCESS
    );
    assert_eq!(int(ard, 0, Desc::Count), 0);

    let mut v = 7i64;
    // SAFETY: see the module docs.
    let rc = unsafe {
        SQLBindParameter(
            st,
            1,
            ParamType::Input as i16,
            C_SBIGINT,
            SQL_DECIMAL,
            12,
            3,
            &mut v as *mut i64 as *mut c_void,
            0,
            null_mut(),
        )
    };
    assert_eq!(rc, SQL_SUCCESS);
    assert_eq!(int(apd, 0, Desc::Count), 1);
    assert_eq!(int(apd, 1, Desc::ConciseType), C_SBIGINT as i64);
    assert_eq!(int(apd, 1, Desc::DataPtr), &v as *const i64 as i64);
    assert_eq!(int(ipd, 0, Desc::Count), 1);
    assert_eq!(int(ipd, 1, Desc::ConciseType), SQL_DECIMAL as i64);
    assert_eq!(
        (int(ipd, 1, Desc::Precision), int(ipd, 1, Desc::Scale)),
        (12, 3)
    );
    assert_eq!(int(ipd, 1, Desc::ParameterType), ParamType::Input as i64);
    assert_eq!(text(ipd, 1, Desc::TypeName, 32).1, "DECIMAL");
    // Parameters have no bookmark record; the IPD keeps no DATA_PTR.
    assert_eq!(get_int(apd, 0, Desc::Type).0, SQL_ERROR);
    assert_eq!(desc_states(apd), ["07009"]);
    assert_eq!(get_int(ipd, 1, Desc::DataPtr).0, SQL_ERROR);
    assert_eq!(desc_states(ipd), ["HY091"]);
    // The IPD's name, set through the W form (UTF-16, length in bytes).
    let name: Vec<u16> = "p1".encode_utf16().collect();
    // SAFETY: see the module docs: 4 readable bytes.
    let rc = unsafe { SQLSetDescFieldW(ipd, 1, f(Desc::Name), name.as_ptr() as *mut c_void, 4) };
    assert_eq!(rc, SQL_SUCCESS);
    assert_eq!(text(ipd, 1, Desc::Name, 16), (SQL_SUCCESS, "p1".into(), 2));
    assert_eq!(int(ipd, 1, Desc::Unnamed), 0);
    // SQL_RESET_PARAMS / SQL_UNBIND empty the APD / ARD.
    assert_eq!(
        SQLFreeStmt(st, FreeStmtOption::ResetParams as u16),
        SQL_SUCCESS
    );
    assert_eq!(int(apd, 0, Desc::Count), 0);
    // SAFETY: see the module docs.
    unsafe {
        SQLBindCol(
            st,
            3,
            C_SBIGINT,
            buf.as_mut_ptr() as *mut c_void,
            8,
            null_mut(),
        )
    };
    assert_eq!(int(ard, 0, Desc::Count), 3);
    assert_eq!(SQLFreeStmt(st, FreeStmtOption::Unbind as u16), SQL_SUCCESS);
    assert_eq!(int(ard, 0, Desc::Count), 0);
    disconnect(env, dbc);
}

#[test]
fn record_fields_follow_the_spec_rules() {
    let sb = sandbox();
    let (env, dbc) = connect(&sb);
    let st = stmt(dbc);
    let ard = desc_of(st, StatementAttribute::AppRowDesc);
    let mut buf = [0u8; 19];
    // SAFETY: see the module docs.
    unsafe {
        SQLBindCol(
            st,
            1,
            C_CHAR,
            buf.as_mut_ptr() as *mut c_void,
            19,
            null_mut(),
        )
    };
    // Any field but the pointers unbinds the record.
    set_ok(ard, 1, Desc::Precision, 5);
    assert_eq!(int(ard, 1, Desc::DataPtr), 0);
    // SQL_DESC_TYPE resets precision and scale to the type's defaults.
    set_ok(ard, 1, Desc::Scale, 3);
    set_ok(ard, 1, Desc::Type, C_NUMERIC as isize);
    assert_eq!(int(ard, 1, Desc::ConciseType), C_NUMERIC as i64);
    assert_eq!(
        (int(ard, 1, Desc::Precision), int(ard, 1, Desc::Scale)),
        (38, 0)
    );
    // The concise datetime type sets the verbose type and the subcode.
    set_ok(ard, 1, Desc::ConciseType, 93);
    assert_eq!(
        (
            int(ard, 1, Desc::Type),
            int(ard, 1, Desc::DatetimeIntervalCode)
        ),
        (9, 3)
    );
    // The consistency check when DATA_PTR is set: SQL_DATETIME needs a
    // subcode; SQL_C_NUMERIC's scale cannot exceed its precision.
    set_ok(ard, 1, Desc::Type, 9);
    set_ok(ard, 1, Desc::DatetimeIntervalCode, 0);
    assert_eq!(
        set(ard, 1, Desc::DataPtr, buf.as_mut_ptr() as isize),
        SQL_ERROR
    );
    assert_eq!(desc_states(ard), ["HY021"]);
    set_ok(ard, 1, Desc::Type, C_NUMERIC as isize);
    set_ok(ard, 1, Desc::Precision, 5);
    set_ok(ard, 1, Desc::Scale, 6);
    assert_eq!(
        set(ard, 1, Desc::DataPtr, buf.as_mut_ptr() as isize),
        SQL_ERROR
    );
    assert_eq!(desc_states(ard), ["HY021"]);
    assert_eq!(int(ard, 1, Desc::DataPtr), 0);
    set_ok(ard, 1, Desc::Scale, 2);
    set_ok(ard, 1, Desc::DataPtr, buf.as_mut_ptr() as isize);
    // Record numbers: negative is 07009; setting past COUNT grows it;
    // COUNT shrinks records away.
    assert_eq!(set(ard, -1, Desc::Precision, 1), SQL_ERROR);
    assert_eq!(desc_states(ard), ["07009"]);
    set_ok(ard, 4, Desc::Type, C_CHAR as isize);
    assert_eq!(int(ard, 0, Desc::Count), 4);
    set_ok(ard, 0, Desc::Count, 1);
    assert_eq!(get_int(ard, 4, Desc::Type).0, SQL_NO_DATA);
    assert_eq!(int(ard, 1, Desc::DataPtr), buf.as_ptr() as i64);
    // SQLSetDescRec then SQLGetDescRec; nothing changes when the check fails.
    let (mut len, mut ind) = (0 as Len, 0 as Len);
    let rc = SQLSetDescRec(
        ard,
        2,
        C_NUMERIC,
        0,
        19,
        10,
        2,
        buf.as_mut_ptr() as *mut c_void,
        &mut len,
        &mut ind,
    );
    assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Desc, ard));
    let (mut t, mut sub, mut l, mut p, mut s, mut n) = (0i16, 0i16, 0 as Len, 0i16, 0i16, 0i16);
    let mut name = [0u8; 8];
    let mut name_len = 0i16;
    // SAFETY: see the module docs.
    let rc = unsafe {
        SQLGetDescRec(
            ard,
            2,
            name.as_mut_ptr(),
            8,
            &mut name_len,
            &mut t,
            &mut sub,
            &mut l,
            &mut p,
            &mut s,
            &mut n,
        )
    };
    assert_eq!(rc, SQL_SUCCESS);
    assert_eq!((t, sub, l, p, s), (C_NUMERIC, 0, 19, 10, 2));
    assert_eq!(int(ard, 2, Desc::OctetLengthPtr), &len as *const Len as i64);
    let rc = SQLSetDescRec(
        ard,
        2,
        C_NUMERIC,
        0,
        19,
        3,
        4,
        buf.as_mut_ptr() as *mut c_void,
        null_mut(),
        null_mut(),
    );
    assert_eq!(rc, SQL_ERROR);
    assert_eq!(desc_states(ard), ["HY021"]);
    assert_eq!(int(ard, 2, Desc::Precision), 10);
    // SAFETY: see the module docs.
    let rc = unsafe {
        SQLGetDescRec(
            ard,
            9,
            null_mut(),
            0,
            null_mut(),
            null_mut(),
            null_mut(),
            null_mut(),
            null_mut(),
            null_mut(),
            null_mut(),
        )
    };
    assert_eq!(rc, SQL_NO_DATA);
    disconnect(env, dbc);
}

#[test]
fn the_ird_describes_the_result_read_only() {
    use StatementAttribute as S;
    let sb = sandbox();
    let (env, dbc) = connect(&sb);
    let st = stmt(dbc);
    let ird = desc_of(st, S::ImpRowDesc);
    // Before a prepare: HY007.
    assert_eq!(get_int(ird, 1, Desc::Type).0, SQL_ERROR);
    assert_eq!(desc_states(ird), ["HY007"]);
    let sql = "SELECT id, name, price FROM Products WHERE id = 1";
    // SAFETY: see the module docs.
    assert_eq!(
        unsafe { SQLPrepare(st, sql.as_ptr(), sql.len() as i32) },
        SQL_SUCCESS
    );
    assert_eq!(int(ird, 0, Desc::Count), 3);
    assert_eq!(text(ird, 2, Desc::Name, 32).1, "name");
    assert_eq!(text_w(ird, 2, Desc::Name), ("name".into(), 8));
    assert_eq!(text(ird, 3, Desc::TypeName, 32).1, "DECIMAL");
    assert_eq!(
        text(ird, 1, Desc::BaseTableName, 32).1,
        text(ird, 1, Desc::TableName, 32).1
    );
    // Cut text: 01004, the full length in bytes.
    assert_eq!(
        text(ird, 2, Desc::Name, 3),
        (SQL_SUCCESS_WITH_INFO, "na".into(), 4)
    );
    assert_eq!(desc_states(ird), ["01004"]);
    assert_eq!(int(ird, 3, Desc::Type), SQL_DECIMAL as i64);
    assert_eq!(
        (int(ird, 3, Desc::Precision), int(ird, 3, Desc::Scale)),
        (19, 4)
    );
    assert_eq!(int(ird, 1, Desc::ConciseType), SQL_BIGINT as i64);
    // The same answers as SQLColAttribute.
    let mut n: Len = 0;
    // SAFETY: see the module docs.
    unsafe {
        SQLColAttribute(
            st,
            3,
            Desc::DisplaySize as u16,
            null_mut(),
            0,
            null_mut(),
            &mut n,
        )
    };
    assert_eq!(int(ird, 3, Desc::DisplaySize), n as i64);
    let (mut t, mut p, mut s, mut nl) = (0i16, 0i16, 0i16, 0i16);
    let mut name = [0u16; 16];
    let mut name_len = 0i16;
    // SAFETY: see the module docs.
    let rc = unsafe {
        SQLGetDescRecW(
            ird,
            3,
            name.as_mut_ptr(),
            16,
            &mut name_len,
            &mut t,
            null_mut(),
            null_mut(),
            &mut p,
            &mut s,
            &mut nl,
        )
    };
    assert_eq!(rc, SQL_SUCCESS);
    assert_eq!(
        (
            String::from_utf16_lossy(&name[..name_len as usize]),
            t,
            p,
            s
        ),
        ("price".into(), SQL_DECIMAL, 19, 4)
    );
    assert_eq!(get_int(ird, 4, Desc::Type).0, SQL_NO_DATA);
    // Record 0 with bookmarks off; no record field can be set.
    assert_eq!(get_int(ird, 0, Desc::Type).0, SQL_ERROR);
    assert_eq!(desc_states(ird), ["07009"]);
    assert_eq!(set(ird, 1, Desc::Precision, 3), SQL_ERROR);
    assert_eq!(desc_states(ird), ["HY016"]);
    let rc = SQLSetDescRec(
        ird,
        1,
        C_CHAR,
        0,
        1,
        0,
        0,
        null_mut(),
        null_mut(),
        null_mut(),
    );
    assert_eq!(rc, SQL_ERROR);
    assert_eq!(desc_states(ird), ["HY016"]);
    // Implicit descriptors cannot be freed or swapped for another's.
    assert_eq!(SQLFreeHandle(HandleType::Desc as i16, ird), SQL_ERROR);
    assert_eq!(desc_states(ird), ["HY017"]);
    assert_eq!(set_stmt_attr(st, S::ImpRowDesc, 0), SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, st), ["HY017"]);
    assert_eq!(set_stmt_attr(st, S::AppRowDesc, ird as usize), SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, st), ["HY017"]);
    disconnect(env, dbc);
}

/// (id, price text) of the products, from SQL_C_CHAR.
fn prices(dbc: H) -> Vec<(i64, String)> {
    query(dbc, "SELECT id, price FROM Products ORDER BY id")
        .into_iter()
        .map(|r| {
            (
                r[0].as_deref().unwrap().parse().unwrap(),
                r[1].clone().unwrap(),
            )
        })
        .collect()
}

fn exec_ok(st: H, sql: &str) {
    ok(exec(st, sql), st);
}

/// Record 1 of `desc` as SQL_C_NUMERIC at `buf`, in the spec's order:
/// the type (which resets precision and scale), precision, scale, and
/// DATA_PTR last (setting any other field unbinds the record).
fn numeric_record(desc: H, precision: isize, scale: isize, buf: &mut [u8; 19]) {
    set_ok(desc, 1, Desc::Type, C_NUMERIC as isize);
    set_ok(desc, 1, Desc::Precision, precision);
    set_ok(desc, 1, Desc::Scale, scale);
    set_ok(desc, 1, Desc::DataPtr, buf.as_mut_ptr() as isize);
}

/// Runs the query of one product's price and fetches its row.
fn fetch_price(st: H, id: i64) -> i16 {
    exec_ok(st, &format!("SELECT price FROM Products WHERE id = {id}"));
    // SAFETY: see the module docs; the bound buffers are alive.
    unsafe { SQLFetch(st) }
}

/// SQLGetData of column 1 as an SQL_NUMERIC_STRUCT (`c_type` SQL_C_NUMERIC
/// or SQL_ARD_TYPE).
fn get_numeric(st: H, c_type: i16) -> (i16, [u8; 19]) {
    let mut g = [0u8; 19];
    // SAFETY: see the module docs: 19 writable bytes.
    let rc = unsafe { SQLGetData(st, 1, c_type, g.as_mut_ptr() as *mut c_void, 19, null_mut()) };
    (rc, g)
}

#[test]
fn numeric_results_take_the_ard_precision_and_scale() {
    let sb = sandbox();
    let (env, dbc) = connect(&sb);
    let all = prices(dbc);
    let (id, price) = all
        .iter()
        .find(|(_, p)| {
            p.split_once('.')
                .is_some_and(|(_, f)| f.trim_end_matches('0').len() == 2)
        })
        .cloned()
        .expect("a price with cents");
    let st = stmt(dbc);
    let ard = desc_of(st, StatementAttribute::AppRowDesc);
    let mut n = [0u8; 19];
    let mut ind: Len = 0;
    // SQLBindCol, then precision and scale through the ARD, DATA_PTR last.
    // SAFETY: see the module docs.
    unsafe {
        SQLBindCol(
            st,
            1,
            C_NUMERIC,
            n.as_mut_ptr() as *mut c_void,
            19,
            &mut ind,
        )
    };
    numeric_record(ard, 19, 4, &mut n);
    assert_eq!(fetch_price(st, id), SQL_SUCCESS);
    assert_eq!(numeric(&n), (19, 4, 1, scaled(&price, 4)));
    assert_eq!(ind, 19);
    // SQLGetData with SQL_ARD_TYPE reads the ARD's fields too; with
    // SQL_C_NUMERIC it is scale 0: the cents are cut (01S07).
    let (rc, g) = get_numeric(st, ARD_TYPE);
    assert_eq!(rc, SQL_SUCCESS);
    assert_eq!(numeric(&g), numeric(&n));
    SQLFreeStmt(st, FreeStmtOption::Close as u16);
    fetch_price(st, id);
    let (rc, g) = get_numeric(st, C_NUMERIC);
    assert_eq!(rc, SQL_SUCCESS_WITH_INFO);
    assert_eq!(states(HandleType::Stmt, st), ["01S07"]);
    assert_eq!(numeric(&g), (38, 0, 1, scaled(&price, 2) / 100));
    SQLFreeStmt(st, FreeStmtOption::Close as u16);

    // Scale 1 on a price with two decimals: cut, with 01S07 from SQLFetch.
    numeric_record(ard, 19, 1, &mut n);
    assert_eq!(fetch_price(st, id), SQL_SUCCESS_WITH_INFO);
    assert_eq!(states(HandleType::Stmt, st), ["01S07"]);
    assert_eq!(numeric(&n), (19, 1, 1, scaled(&price, 2) / 10));
    SQLFreeStmt(st, FreeStmtOption::Close as u16);

    // Too few digits of precision for the whole part: 22003.
    let (big, _) = all
        .iter()
        .find(|(_, p)| p.split('.').next().unwrap().len() >= 3)
        .expect("a price of 100 or more");
    numeric_record(ard, 2, 0, &mut n);
    assert_eq!(fetch_price(st, *big), SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, st), ["22003"]);
    disconnect(env, dbc);
}

#[test]
fn numeric_parameters_take_the_apd_precision_and_scale() {
    let sb = sandbox();
    let (env, dbc) = connect(&sb);
    let (id, price) = prices(dbc)
        .into_iter()
        .find(|(_, p)| p.contains('.') && !p.starts_with('0'))
        .expect("a price of 1 or more");
    let st = stmt(dbc);
    let apd = desc_of(st, StatementAttribute::AppParamDesc);
    let mut value = numeric_struct(19, 4, true, scaled(&price, 4));
    let mut out = 0i64;
    let bind = |value: &mut [u8; 19]| {
        // SAFETY: see the module docs.
        let rc = unsafe {
            SQLBindParameter(
                st,
                1,
                ParamType::Input as i16,
                C_NUMERIC,
                SQL_DECIMAL,
                19,
                4,
                value.as_mut_ptr() as *mut c_void,
                19,
                null_mut(),
            )
        };
        assert_eq!(rc, SQL_SUCCESS);
    };
    bind(&mut value);
    // SQLBindParameter leaves the APD at scale 0: the struct's scale 4
    // disagrees, and the value is refused rather than read as 10^4 times
    // itself.
    let sql = "SELECT id FROM Products WHERE price = ?";
    assert_eq!(exec(st, sql), SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, st), ["HY021"]);
    numeric_record(apd, 19, 4, &mut value);
    exec_ok(st, sql);
    // SAFETY: see the module docs.
    unsafe {
        SQLBindCol(
            st,
            1,
            C_SBIGINT,
            &mut out as *mut i64 as *mut c_void,
            8,
            null_mut(),
        )
    };
    // SAFETY: see the module docs.
    assert_eq!(unsafe { SQLFetch(st) }, SQL_SUCCESS);
    assert_eq!(out, id);
    SQLFreeStmt(st, FreeStmtOption::Close as u16);
    // More digits than the APD's precision: 22003.
    set_ok(apd, 1, Desc::Precision, 4);
    set_ok(apd, 1, Desc::DataPtr, value.as_mut_ptr() as isize);
    assert_eq!(exec(st, sql), SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, st), ["22003"]);
    disconnect(env, dbc);
}

#[test]
fn guids_both_ways() {
    let sb = sandbox();
    let (env, dbc) = connect(&sb);
    let st = stmt(dbc);
    let text = "6f9619ff-8b86-d011-b42d-00c04fc964ff";
    let mut g = [0u8; 16];
    let mut ind: Len = 0;
    // SAFETY: see the module docs.
    unsafe { SQLBindCol(st, 1, C_GUID, g.as_mut_ptr() as *mut c_void, 16, &mut ind) };
    exec_ok(st, &format!("SELECT '{text}'"));
    // SAFETY: see the module docs.
    assert_eq!(unsafe { SQLFetch(st) }, SQL_SUCCESS);
    assert_eq!(u32::from_ne_bytes(g[..4].try_into().unwrap()), 0x6f9619ff);
    assert_eq!(u16::from_ne_bytes(g[4..6].try_into().unwrap()), 0x8b86);
    assert_eq!(g[8..], [0xb4, 0x2d, 0x00, 0xc0, 0x4f, 0xc9, 0x64, 0xff]);
    assert_eq!(ind, 16);
    SQLFreeStmt(st, FreeStmtOption::Close as u16);
    exec_ok(st, "SELECT name FROM Products WHERE id = 1");
    // SAFETY: see the module docs.
    assert_eq!(unsafe { SQLFetch(st) }, SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, st), ["22018"]);
    SQLFreeStmt(st, FreeStmtOption::Close as u16);
    SQLFreeStmt(st, FreeStmtOption::Unbind as u16);
    // A GUID parameter is its text.
    // SAFETY: see the module docs.
    let rc = unsafe {
        SQLBindParameter(
            st,
            1,
            ParamType::Input as i16,
            C_GUID,
            -11,
            16,
            0,
            g.as_mut_ptr() as *mut c_void,
            16,
            null_mut(),
        )
    };
    assert_eq!(rc, SQL_SUCCESS);
    exec_ok(st, "SELECT ?");
    // SAFETY: see the module docs.
    unsafe { SQLFetch(st) };
    assert_eq!(get_text(st, 1).as_deref(), Some(text));
    disconnect(env, dbc);
}

#[test]
fn an_explicit_descriptor_serves_as_ard_and_apd() {
    use StatementAttribute as S;
    let sb = sandbox();
    let (env, dbc) = connect(&sb);
    let ids: Vec<i64> = prices(dbc).iter().map(|(i, _)| *i).take(3).collect();
    let st = stmt(dbc);
    let implicit_ard = desc_of(st, S::AppRowDesc);
    let desc = alloc_desc(dbc);
    assert_eq!(int(desc, 0, Desc::AllocType), 2);
    // A block of 3 ids, column-wise, into an array the explicit ARD names.
    let mut got = [0i64; 3];
    let mut fetched: ULen = 0;
    set_ok(desc, 0, Desc::ArraySize, 3);
    set_ok(desc, 1, Desc::ConciseType, C_SBIGINT as isize);
    set_ok(desc, 1, Desc::DataPtr, got.as_mut_ptr() as isize);
    assert_eq!(set_stmt_attr(st, S::AppRowDesc, desc as usize), SQL_SUCCESS);
    assert_eq!(desc_of(st, S::AppRowDesc), desc);
    // The statement attribute reads the explicit ARD's header.
    assert_eq!(stmt_attr(st, S::RowArraySize), 3);
    assert_eq!(
        set_stmt_attr(st, S::RowsFetchedPtr, &mut fetched as *mut ULen as usize),
        SQL_SUCCESS
    );
    exec_ok(st, "SELECT id FROM Products ORDER BY id");
    // SAFETY: see the module docs.
    assert_eq!(unsafe { SQLFetch(st) }, SQL_SUCCESS);
    assert_eq!((got.to_vec(), fetched), (ids.clone(), 3));
    SQLFreeStmt(st, FreeStmtOption::Close as u16);

    // The same descriptor as the APD of another statement: three parameter
    // sets of one BIGINT.
    let sel = stmt(dbc);
    let mut keys = [ids[2], ids[0], ids[1]];
    set_ok(desc, 1, Desc::DataPtr, keys.as_mut_ptr() as isize);
    assert_eq!(
        set_stmt_attr(sel, S::AppParamDesc, desc as usize),
        SQL_SUCCESS
    );
    assert_eq!(stmt_attr(sel, S::ParamsetSize), 3);
    let ipd = desc_of(sel, S::ImpParamDesc);
    set_ok(ipd, 1, Desc::ConciseType, SQL_BIGINT as isize);
    exec_ok(sel, "SELECT id FROM Products WHERE id = ?");
    let mut seen = Vec::new();
    // SAFETY: see the module docs.
    while unsafe { SQLFetch(sel) } == SQL_SUCCESS {
        seen.push(get_text(sel, 1).unwrap().parse::<i64>().unwrap());
    }
    assert_eq!(seen, keys);

    // Another connection's statement cannot use it (HY024); freeing it
    // returns the statements to their implicit descriptors.
    let (env2, dbc2) = connect(&sb);
    let other = stmt(dbc2);
    assert_eq!(
        set_stmt_attr(other, S::AppRowDesc, desc as usize),
        SQL_ERROR
    );
    assert_eq!(states(HandleType::Stmt, other), ["HY024"]);
    assert_eq!(SQLFreeHandle(HandleType::Desc as i16, desc), SQL_SUCCESS);
    assert_eq!(desc_of(st, S::AppRowDesc), implicit_ard);
    assert_eq!(stmt_attr(st, S::RowArraySize), 1);
    assert_eq!(get_int(desc, 0, Desc::Count).0, SQL_INVALID_HANDLE);
    // SQL_NULL_HDESC goes back to the implicit one too.
    let d2 = alloc_desc(dbc);
    assert_eq!(set_stmt_attr(st, S::AppRowDesc, d2 as usize), SQL_SUCCESS);
    assert_eq!(set_stmt_attr(st, S::AppRowDesc, 0), SQL_SUCCESS);
    assert_eq!(desc_of(st, S::AppRowDesc), implicit_ard);
    // SQLDisconnect frees the explicit descriptors left.
    disconnect(env, dbc);
    assert_eq!(get_int(d2, 0, Desc::Count).0, SQL_INVALID_HANDLE);
    disconnect(env2, dbc2);
    // Not connected: 08003.
    let env3 = common::env();
    let dbc3 = common::dbc(env3);
    let mut h = null_mut();
    // SAFETY: see the module docs.
    assert_eq!(
        unsafe { SQLAllocHandle(HandleType::Desc as i16, dbc3, &mut h) },
        SQL_ERROR
    );
    assert_eq!(states(HandleType::Dbc, dbc3), ["08003"]);
}

#[test]
fn copy_desc_binds_like_the_result() {
    use StatementAttribute as S;
    let sb = sandbox();
    let (env, dbc) = connect(&sb);
    let st = stmt(dbc);
    let (ard, ird) = (desc_of(st, S::AppRowDesc), desc_of(st, S::ImpRowDesc));
    let sql = "SELECT name, price FROM Products WHERE id = 1";
    // SAFETY: see the module docs.
    assert_eq!(
        unsafe { SQLPrepare(st, sql.as_ptr(), sql.len() as i32) },
        SQL_SUCCESS
    );
    assert_eq!(SQLCopyDesc(ird, ard), SQL_SUCCESS);
    assert_eq!(int(ard, 0, Desc::Count), 2);
    assert_eq!(int(ard, 2, Desc::ConciseType), SQL_DECIMAL as i64);
    assert_eq!(
        (int(ard, 2, Desc::Precision), int(ard, 2, Desc::Scale)),
        (19, 4)
    );
    // SQL_DECIMAL is no C type: the check refuses it as a buffer's type.
    let mut n = [0u8; 19];
    assert_eq!(
        set(ard, 2, Desc::DataPtr, n.as_mut_ptr() as isize),
        SQL_ERROR
    );
    assert_eq!(desc_states(ard), ["HY021"]);
    // As SQL_C_NUMERIC at the copied precision and scale it binds.
    let mut name = [0u8; 64];
    let mut name_len: Len = 0;
    set_ok(ard, 1, Desc::ConciseType, C_CHAR as isize);
    set_ok(ard, 1, Desc::OctetLength, 64);
    set_ok(
        ard,
        1,
        Desc::OctetLengthPtr,
        &mut name_len as *mut Len as isize,
    );
    set_ok(ard, 1, Desc::DataPtr, name.as_mut_ptr() as isize);
    // SQLSetDescRec keeps the precision and scale given.
    let rc = SQLSetDescRec(
        ard,
        2,
        C_NUMERIC,
        0,
        19,
        19,
        4,
        n.as_mut_ptr() as *mut c_void,
        null_mut(),
        null_mut(),
    );
    assert_eq!(rc, SQL_SUCCESS);
    // SAFETY: see the module docs.
    ok(unsafe { SQLExecute(st) }, st);
    // SAFETY: see the module docs.
    assert_eq!(unsafe { SQLFetch(st) }, SQL_SUCCESS);
    let expected = query(dbc, sql);
    assert_eq!(
        String::from_utf8_lossy(&name[..name_len as usize]),
        expected[0][0].clone().unwrap()
    );
    assert_eq!(numeric(&n).3, scaled(expected[0][1].as_deref().unwrap(), 4));
    // Nothing copies into an IRD; an explicit copy of the ARD holds the same.
    assert_eq!(SQLCopyDesc(ard, ird), SQL_ERROR);
    assert_eq!(desc_states(ird), ["HY016"]);
    let copy = alloc_desc(dbc);
    assert_eq!(SQLCopyDesc(ard, copy), SQL_SUCCESS);
    assert_eq!(int(copy, 2, Desc::DataPtr), n.as_ptr() as i64);
    assert_eq!(int(copy, 0, Desc::AllocType), 2);
    disconnect(env, dbc);
}

/// SQL_ATTR_ROW_OPERATION_PTR is the ARD's ARRAY_STATUS_PTR; SQLSetPos on
/// the whole row set does not honour it, so it refuses instead of
/// refreshing rows marked SQL_ROW_IGNORE.
#[test]
fn set_pos_refuses_a_row_operation_array() {
    use StatementAttribute as S;
    const SQL_REFRESH: u16 = 1;
    const SQL_LOCK_NO_CHANGE: u16 = 0;
    const SQL_CURSOR_STATIC: usize = 3;
    let sb = sandbox();
    let (env, dbc) = connect(&sb);
    let st = stmt(dbc);
    assert_eq!(
        set_stmt_attr(st, S::CursorType, SQL_CURSOR_STATIC),
        SQL_SUCCESS
    );
    let ops = [1u16; 1];
    assert_eq!(
        set_stmt_attr(st, S::RowOperationPtr, ops.as_ptr() as usize),
        SQL_SUCCESS
    );
    exec_ok(st, "SELECT id FROM Products");
    // SAFETY: see the module docs.
    assert_eq!(unsafe { SQLFetch(st) }, SQL_SUCCESS);
    // SAFETY: see the module docs.
    assert_eq!(
        unsafe { SQLSetPos(st, 0, SQL_REFRESH, SQL_LOCK_NO_CHANGE) },
        SQL_ERROR
    );
    assert_eq!(states(HandleType::Stmt, st), ["HYC00"]);
    // One named row is fine.
    // SAFETY: see the module docs.
    assert_eq!(
        unsafe { SQLSetPos(st, 1, SQL_REFRESH, SQL_LOCK_NO_CHANGE) },
        SQL_SUCCESS
    );
    disconnect(env, dbc);
}

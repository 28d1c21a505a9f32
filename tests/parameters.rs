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

fn bind(
    st: *mut c_void,
    n: u16,
    c_type: CDataType,
    sql_type: SqlDataType,
    value: *mut c_void,
    buf_len: Len,
    ind: *mut Len,
) {
    // SAFETY: see the module docs: the buffers outlive the executions.
    let rc = unsafe {
        SQLBindParameter(
            st,
            n,
            ParamType::Input as i16,
            c_type as i16,
            sql_type.0,
            0,
            0,
            value,
            buf_len,
            ind,
        )
    };
    assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Stmt, st));
}

fn set_attr(st: *mut c_void, attr: StatementAttribute, value: usize) {
    // Pointer attributes point at live locals (see the module docs).
    let rc = SQLSetStmtAttr(st, attr as i32, value as *mut c_void, 0);
    assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Stmt, st));
}

const SQL_NEED_DATA: i16 = 99;

fn param_data(st: *mut c_void) -> (i16, usize) {
    let mut token: *mut c_void = null_mut();
    // SAFETY: see the module docs.
    let rc = unsafe { SQLParamData(st, &mut token) };
    (rc, token as usize)
}

fn put(st: *mut c_void, bytes: &[u8]) {
    // SAFETY: see the module docs.
    let rc = unsafe { SQLPutData(st, bytes.as_ptr() as *mut c_void, bytes.len() as Len) };
    assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Stmt, st));
}

fn fetch_row(st: *mut c_void, cols: u16) -> Vec<Option<String>> {
    // SAFETY: see the module docs.
    let rc = unsafe { SQLFetch(st) };
    assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Stmt, st));
    (1..=cols).map(|c| get_text(st, c)).collect()
}

#[test]
fn data_at_execution_arrives_in_pieces() {
    let sb = sandbox();
    let (env, dbc) = connect(&sb);
    let st = stmt(dbc);
    prepare(st, "SELECT LENGTH(?), LENGTH(?), ? IS NULL, ?");
    // The tokens SQLParamData hands back: any value the application likes.
    let (t1, t2, t3) = (0x1001usize, 0x2002usize, 0x3003usize);
    let mut at_exec: Len = odbc_sys::len_data_at_exec(100_000);
    let mut at_exec2: Len = odbc_sys::DATA_AT_EXEC;
    let mut at_exec3: Len = odbc_sys::DATA_AT_EXEC;
    bind(
        st,
        1,
        CDataType::Char,
        SqlDataType::VARCHAR,
        t1 as *mut c_void,
        0,
        &mut at_exec,
    );
    bind(
        st,
        2,
        CDataType::WChar,
        SqlDataType::EXT_W_VARCHAR,
        t2 as *mut c_void,
        0,
        &mut at_exec2,
    );
    bind(
        st,
        3,
        CDataType::Binary,
        SqlDataType::EXT_VAR_BINARY,
        t3 as *mut c_void,
        0,
        &mut at_exec3,
    );
    let mut plain = *b"plain\0";
    let mut nts: Len = NTS;
    bind(
        st,
        4,
        CDataType::Char,
        SqlDataType::VARCHAR,
        plain.as_mut_ptr() as *mut c_void,
        6,
        &mut nts,
    );
    // SAFETY: see the module docs.
    assert_eq!(unsafe { SQLExecute(st) }, SQL_NEED_DATA);
    // Nothing else may run on the statement meanwhile.
    assert_eq!(exec(st, "SELECT 1"), SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, st), ["HY010"]);
    assert_eq!(param_data(st), (SQL_NEED_DATA, t1));
    let chunk = vec![b'x'; 25_000];
    for _ in 0..4 {
        put(st, &chunk);
    }
    assert_eq!(param_data(st), (SQL_NEED_DATA, t2));
    let wide: Vec<u16> = "ñandú ☕".encode_utf16().collect();
    // SAFETY: see the module docs; the wide piece is NUL-less, length in bytes.
    let bytes = unsafe { std::slice::from_raw_parts(wide.as_ptr() as *const u8, wide.len() * 2) };
    put(st, &bytes[..6]);
    put(st, &bytes[6..]);
    assert_eq!(param_data(st), (SQL_NEED_DATA, t3));
    // SAFETY: see the module docs.
    let rc = unsafe { SQLPutData(st, null_mut(), NULL_DATA) };
    assert_eq!(rc, SQL_SUCCESS);
    assert_eq!(
        param_data(st).0,
        SQL_SUCCESS,
        "{:?}",
        diag(HandleType::Stmt, st)
    );
    assert_eq!(
        fetch_row(st, 4),
        [
            Some("100000".into()),
            Some("7".into()),
            Some("1".into()),
            Some("plain".into())
        ]
    );
    SQLCloseCursor(st);

    // SQLCancel ends a sequence; the statement runs again afterwards.
    // SAFETY: see the module docs.
    assert_eq!(unsafe { SQLExecute(st) }, SQL_NEED_DATA);
    assert_eq!(param_data(st), (SQL_NEED_DATA, t1));
    assert_eq!(SQLCancel(st), SQL_SUCCESS);
    assert_eq!(param_data(st).0, SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, st), ["HY010"]);
    assert_eq!(query(dbc, "SELECT 2"), [[Some("2".to_string())]]);
    disconnect(env, dbc);
}

fn category_names(dbc: *mut c_void, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = query(
        dbc,
        &format!("SELECT name FROM Categories WHERE name LIKE '{prefix}%'"),
    )
    .into_iter()
    .map(|r| r[0].clone().unwrap())
    .collect();
    names.sort();
    names
}

#[test]
fn parameter_arrays_insert_every_row_column_wise() {
    let sb = sandbox();
    let (env, dbc) = connect(&sb);
    let st = stmt(dbc);
    prepare(st, "INSERT INTO Categories (name) VALUES (?)");
    const ROWS: usize = 5;
    const WIDTH: usize = 16;
    let mut names = [0u8; ROWS * WIDTH];
    let mut lens: [Len; ROWS] = [0; ROWS];
    for i in 0..ROWS {
        let s = format!("colwise {i}");
        names[i * WIDTH..i * WIDTH + s.len()].copy_from_slice(s.as_bytes());
        lens[i] = s.len() as Len;
    }
    let mut status = [99u16; ROWS];
    let mut processed: ULen = 0;
    let ops: [u16; ROWS] = [0, 0, 1, 0, 0]; // row 3: SQL_PARAM_IGNORE
    bind(
        st,
        1,
        CDataType::Char,
        SqlDataType::VARCHAR,
        names.as_mut_ptr() as *mut c_void,
        WIDTH as Len,
        lens.as_mut_ptr(),
    );
    set_attr(st, StatementAttribute::ParamsetSize, ROWS);
    set_attr(
        st,
        StatementAttribute::ParamStatusPtr,
        status.as_mut_ptr() as usize,
    );
    set_attr(
        st,
        StatementAttribute::ParamsProcessedPtr,
        &mut processed as *mut ULen as usize,
    );
    set_attr(
        st,
        StatementAttribute::ParamOpterationPtr,
        ops.as_ptr() as usize,
    );
    // SAFETY: see the module docs.
    let rc = unsafe { SQLExecute(st) };
    assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Stmt, st));
    assert_eq!(status, [0, 0, 7, 0, 0]);
    assert_eq!(processed, ROWS as ULen);
    let mut count: Len = 0;
    // SAFETY: see the module docs.
    unsafe { SQLRowCount(st, &mut count) };
    assert_eq!(count, 4);
    assert_eq!(
        category_names(dbc, "colwise"),
        ["colwise 0", "colwise 1", "colwise 3", "colwise 4"]
    );

    // A SELECT runs once per row: one result set of all their rows.
    let sel = stmt(dbc);
    prepare(sel, "SELECT name FROM Categories WHERE name = ?");
    bind(
        sel,
        1,
        CDataType::Char,
        SqlDataType::VARCHAR,
        names.as_mut_ptr() as *mut c_void,
        WIDTH as Len,
        lens.as_mut_ptr(),
    );
    set_attr(sel, StatementAttribute::ParamsetSize, 2);
    // SAFETY: see the module docs.
    assert_eq!(unsafe { SQLExecute(sel) }, SQL_SUCCESS);
    assert_eq!(fetch_row(sel, 1), [Some("colwise 0".to_string())]);
    assert_eq!(fetch_row(sel, 1), [Some("colwise 1".to_string())]);
    // SAFETY: see the module docs.
    assert_eq!(unsafe { SQLFetch(sel) }, SQL_NO_DATA);
    disconnect(env, dbc);
}

#[test]
fn parameter_arrays_row_wise_with_an_offset() {
    #[repr(C)]
    struct Row {
        name: [u8; 24],
        name_ind: Len,
        parent: i64,
        parent_ind: Len,
    }
    let sb = sandbox();
    let (env, dbc) = connect(&sb);
    let st = stmt(dbc);
    prepare(st, "INSERT INTO Categories (name, parent_id) VALUES (?, ?)");
    // Two spare rows in front: the offset skips them.
    let mut rows: Vec<Row> = (0..5)
        .map(|i| {
            let mut name = [0u8; 24];
            let s = format!("rowwise {i}");
            name[..s.len()].copy_from_slice(s.as_bytes());
            Row {
                name,
                name_ind: NTS,
                parent: 0,
                parent_ind: NULL_DATA,
            }
        })
        .collect();
    let mut offset: Len = 2 * size_of::<Row>() as Len;
    let base = rows.as_mut_ptr();
    // SAFETY: see the module docs; the fields of the first row.
    let (name, name_ind, parent, parent_ind) = unsafe {
        (
            std::ptr::addr_of_mut!((*base).name) as *mut c_void,
            std::ptr::addr_of_mut!((*base).name_ind),
            std::ptr::addr_of_mut!((*base).parent) as *mut c_void,
            std::ptr::addr_of_mut!((*base).parent_ind),
        )
    };
    bind(
        st,
        1,
        CDataType::Char,
        SqlDataType::VARCHAR,
        name,
        24,
        name_ind,
    );
    bind(
        st,
        2,
        CDataType::SBigInt,
        SqlDataType::EXT_BIG_INT,
        parent,
        0,
        parent_ind,
    );
    set_attr(st, StatementAttribute::ParamBindType, size_of::<Row>());
    set_attr(
        st,
        StatementAttribute::ParamBindOffsetPtr,
        &mut offset as *mut Len as usize,
    );
    set_attr(st, StatementAttribute::ParamsetSize, 3);
    // SAFETY: see the module docs.
    let rc = unsafe { SQLExecute(st) };
    assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Stmt, st));
    assert_eq!(
        category_names(dbc, "rowwise"),
        ["rowwise 2", "rowwise 3", "rowwise 4"]
    );
    disconnect(env, dbc);
}

#[test]
fn markers_in_a_call_take_the_bound_values() {
    let sb = sandbox();
    let dir = TempDir::new("params-call");
    let store = dir.join("store.json");
    let s = format!(
        "URL={};AuthScheme=OAuth;InitiateOAuth=OFF;OAuthClientId=sandbox-client;OAuthClientSecret=sandbox-secret;CallbackURL=http://localhost:33999/cb;OAuthSettingsLocation={};OAuthAuthorizationURL={b}/oauth/authorize;OAuthAccessTokenURL={b}/oauth/token",
        sb.url(),
        store.display(),
        b = sb.base_url()
    );
    let env = env();
    let dbc = dbc(env);
    let rc = driver_connect(dbc, &s).0;
    assert!(
        rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO,
        "{:?}",
        diag(HandleType::Dbc, dbc)
    );
    let st = stmt(dbc);
    prepare(st, "{call GetOAuthAuthorizationURL(?, ?, @State = ?)}");
    let mut n = 0i16;
    // SAFETY: see the module docs.
    unsafe { SQLNumParams(st, &mut n) };
    assert_eq!(n, 3);
    let mut null: Len = NULL_DATA;
    let mut scope = *b"read_products\0";
    let mut state = *b"bound-state\0";
    let mut nts: Len = NTS;
    let mut nts2: Len = NTS;
    bind(
        st,
        1,
        CDataType::Char,
        SqlDataType::VARCHAR,
        null_mut(),
        0,
        &mut null,
    );
    bind(
        st,
        2,
        CDataType::Char,
        SqlDataType::VARCHAR,
        scope.as_mut_ptr() as *mut c_void,
        14,
        &mut nts,
    );
    bind(
        st,
        3,
        CDataType::Char,
        SqlDataType::VARCHAR,
        state.as_mut_ptr() as *mut c_void,
        12,
        &mut nts2,
    );
    // SAFETY: see the module docs.
    let rc = unsafe { SQLExecute(st) };
    assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Stmt, st));
    let url = fetch_row(st, 1)[0].clone().unwrap();
    assert!(
        url.contains("state=bound-state") && url.contains("scope=read_products"),
        "{url}"
    );
    disconnect(env, dbc);
}

#[test]
fn a_failing_row_of_an_array_is_reported_and_the_others_run() {
    let sb = sandbox();
    let (env, dbc) = connect(&sb);
    let st = stmt(dbc);
    prepare(
        st,
        "INSERT INTO Categories (name, parent_id) VALUES ('arrayrows', ?)",
    );
    const WIDTH: usize = 8;
    let mut values = [0u8; 3 * WIDTH];
    let mut lens: [Len; 3] = [NTS; 3];
    for (i, v) in ["1", "x", "2"].iter().enumerate() {
        values[i * WIDTH..i * WIDTH + v.len()].copy_from_slice(v.as_bytes());
    }
    let mut status = [99u16; 3];
    bind(
        st,
        1,
        CDataType::Char,
        SqlDataType::EXT_BIG_INT,
        values.as_mut_ptr() as *mut c_void,
        WIDTH as Len,
        lens.as_mut_ptr(),
    );
    set_attr(st, StatementAttribute::ParamsetSize, 3);
    set_attr(
        st,
        StatementAttribute::ParamStatusPtr,
        status.as_mut_ptr() as usize,
    );
    // SAFETY: see the module docs.
    let rc = unsafe { SQLExecute(st) };
    assert_eq!(rc, SQL_SUCCESS_WITH_INFO);
    let d = diag(HandleType::Stmt, st);
    assert_eq!(d.len(), 1);
    // Row 2's 'x' is no number: refused before a request (22018).
    assert_eq!(d[0].0, "22018", "{d:?}");
    assert!(d[0].1.contains("Parameter row 2"), "{d:?}");
    assert_eq!(status, [0, 5, 0]);
    let mut count: Len = 0;
    // SAFETY: see the module docs.
    unsafe { SQLRowCount(st, &mut count) };
    assert_eq!(count, 2);
    assert_eq!(category_names(dbc, "arrayrows").len(), 2);
    disconnect(env, dbc);
}

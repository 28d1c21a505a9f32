#![allow(unused_unsafe)]
//! The driver's C entry points called directly (no driver manager):
//! handles, diagnostics, conversions, truncation, and the query paths.
#![warn(clippy::undocumented_unsafe_blocks)]

mod common;

use common::*;
use jumpseller_odbc::ffi::*;
use std::os::raw::c_void;
use std::ptr::null_mut;

#[test]
fn null_freed_and_foreign_handles_are_invalid() {
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    unsafe {
        assert_eq!(
            SQLExecDirect(null_mut(), b"SELECT 1".as_ptr(), 8),
            SQL_INVALID_HANDLE
        );
        assert_eq!(SQLFetch(null_mut()), SQL_INVALID_HANDLE);
        assert_eq!(SQLDisconnect(null_mut()), SQL_INVALID_HANDLE);
        assert_eq!(
            SQLFreeHandle(HandleType::Stmt as i16, null_mut()),
            SQL_INVALID_HANDLE
        );
        // A pointer that was never a handle.
        let mut junk = [0u8; 64];
        assert_eq!(
            SQLFetch(junk.as_mut_ptr() as *mut c_void),
            SQL_INVALID_HANDLE
        );
        // An environment passed where a statement is expected.
        let e = env();
        assert_eq!(SQLFetch(e), SQL_INVALID_HANDLE);
        let d = dbc(e);
        assert_eq!(
            SQLExecDirect(d, b"SELECT 1".as_ptr(), 8),
            SQL_INVALID_HANDLE
        );
        // A freed handle.
        assert_eq!(SQLFreeHandle(HandleType::Dbc as i16, d), SQL_SUCCESS);
        assert_eq!(SQLDisconnect(d), SQL_INVALID_HANDLE);
        assert_eq!(SQLFreeHandle(HandleType::Env as i16, e), SQL_SUCCESS);
        assert_eq!(SQLFreeHandle(HandleType::Env as i16, e), SQL_INVALID_HANDLE);
    }
}

/// Every branch of SQLAllocHandle / SQLFreeHandle / SQLFreeStmt(SQL_DROP) /
/// SQLEndTran answers with the right code, and an error carries a record
/// wherever there is a handle to hold one.
#[test]
fn handle_types_and_freeing_give_the_right_codes() {
    const NOT_A_TYPE: i16 = 99;
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let mut h = null_mut();
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    unsafe {
        // Allocation.
        assert_eq!(SQLAllocHandle(NOT_A_TYPE, e, &mut h), SQL_ERROR);
        assert_eq!(states(HandleType::Env, e), vec!["HY092"]);
        assert_eq!(
            SQLAllocHandle(NOT_A_TYPE, null_mut(), &mut h),
            SQL_INVALID_HANDLE
        );
        // A descriptor is allocated on a connection (tests/descriptors.rs);
        // without somewhere to put it, HY009.
        assert_eq!(
            SQLAllocHandle(HandleType::Desc as i16, d, null_mut()),
            SQL_ERROR
        );
        assert_eq!(states(HandleType::Dbc, d), vec!["HY009"]);
        assert_eq!(
            SQLAllocHandle(HandleType::Dbc as i16, e, null_mut()),
            SQL_ERROR
        );
        assert_eq!(states(HandleType::Env, e), vec!["HY009"]);

        // Freeing: wrong kinds and unknown types.
        // SQLFreeHandle has no HY092: a type it cannot interpret is an
        // invalid handle, and the handle stays.
        assert_eq!(SQLFreeHandle(NOT_A_TYPE, e), SQL_INVALID_HANDLE);
        assert_eq!(SQLFreeHandle(NOT_A_TYPE, null_mut()), SQL_INVALID_HANDLE);
        assert_eq!(
            SQLFreeHandle(HandleType::Desc as i16, e),
            SQL_INVALID_HANDLE
        );
        assert_eq!(
            SQLFreeHandle(HandleType::Stmt as i16, d),
            SQL_INVALID_HANDLE
        );
        assert_eq!(SQLFreeHandle(HandleType::Env as i16, d), SQL_INVALID_HANDLE);
        // A connected connection cannot be freed.
        assert_eq!(SQLFreeHandle(HandleType::Dbc as i16, d), SQL_ERROR);
        assert_eq!(states(HandleType::Dbc, d), vec!["HY010"]);

        // SQLFreeStmt: SQL_CLOSE keeps the handle, SQL_DROP frees it.
        let st = stmt(d);
        assert_eq!(SQLFreeStmt(st, FreeStmtOption::Close as u16), SQL_SUCCESS);
        assert_eq!(SQLFreeStmt(st, SQL_DROP), SQL_SUCCESS);
        assert_eq!(SQLFreeStmt(st, SQL_DROP), SQL_INVALID_HANDLE);
        assert_eq!(SQLFetch(st), SQL_INVALID_HANDLE);

        // SQLEndTran.
        assert_eq!(
            SQLEndTran(HandleType::Dbc as i16, d, CompletionType::Commit as i16),
            SQL_SUCCESS
        );
        assert_eq!(SQLEndTran(HandleType::Dbc as i16, d, 7), SQL_ERROR);
        assert_eq!(states(HandleType::Dbc, d), vec!["HY012"]);
        assert_eq!(
            SQLEndTran(HandleType::Stmt as i16, d, CompletionType::Commit as i16),
            SQL_INVALID_HANDLE
        );

        // The diagnostic getters: a handle of another type is invalid.
        assert_eq!(
            SQLGetDiagRec(
                HandleType::Stmt as i16,
                d,
                1,
                null_mut(),
                null_mut(),
                null_mut(),
                0,
                null_mut()
            ),
            SQL_INVALID_HANDLE
        );
        assert_eq!(
            SQLGetDiagField(
                NOT_A_TYPE,
                d,
                0,
                HeaderDiagnosticIdentifier::Number as i16,
                null_mut(),
                0,
                null_mut()
            ),
            SQL_INVALID_HANDLE
        );

        // Process-level pooling needs no environment; nothing else does.
        assert_eq!(
            SQLSetEnvAttr(
                null_mut(),
                EnvironmentAttribute::ConnectionPooling as i32,
                AttrConnectionPooling::Off.into(),
                0
            ),
            SQL_SUCCESS
        );
        assert_eq!(
            SQLSetEnvAttr(
                null_mut(),
                EnvironmentAttribute::OdbcVersion as i32,
                AttrOdbcVersion::Odbc3.into(),
                0
            ),
            SQL_INVALID_HANDLE
        );
    }
    disconnect(e, d);
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe {
        // Freed: every further free is invalid.
        assert_eq!(SQLFreeHandle(HandleType::Dbc as i16, d), SQL_INVALID_HANDLE);
        assert_eq!(SQLFreeHandle(HandleType::Env as i16, e), SQL_INVALID_HANDLE);
    }
}

#[test]
fn statement_needs_an_open_connection() {
    let e = env();
    let d = dbc(e);
    let mut h = null_mut();
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { SQLAllocHandle(HandleType::Stmt as i16, d, &mut h) },
        SQL_ERROR
    );
    assert_eq!(states(HandleType::Dbc, d), vec!["08003"]);
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLFreeHandle(HandleType::Dbc as i16, d) };
}

#[test]
fn connect_returns_completed_string_and_warns_on_unknown_keys() {
    let sb = sandbox();
    let e = env();
    let d = dbc(e);
    let (rc, out) = driver_connect(d, &format!("{};Colour=blue;Pagesize=50", conn_str(&sb)));
    assert_eq!(rc, SQL_SUCCESS_WITH_INFO);
    assert_eq!(states(HandleType::Dbc, d), vec!["01S00"]);
    assert!(
        out.contains("Pagesize=50") && out.contains(&sb.url()),
        "{out}"
    );
    assert!(!out.contains("Colour"));
    disconnect(e, d);
}

#[test]
fn bad_connections_have_the_right_sqlstate() {
    let sb = sandbox();
    let cases = [
        (
            format!("URL={};Login=sandbox;AuthToken=wrong", sb.url()),
            "28000",
            "refused",
        ),
        (
            "URL=http://127.0.0.1:1/v1;Login=a;AuthToken=b".to_string(),
            "08001",
            "Cannot connect",
        ),
        (
            "URL=http://example.com/v1;Login=a;AuthToken=b".to_string(),
            "08001",
            "loopback",
        ),
        (
            format!("URL={};Login=sandbox;AuthToken=x;Pagesize=500", sb.url()),
            "08001",
            "Pagesize=500",
        ),
        (
            format!("URL={};Login=sandbox", sb.url()),
            "08001",
            "AuthToken",
        ),
        (
            format!("URL={};AuthScheme=NTLM", sb.url()),
            "08001",
            "not offered by Jumpseller",
        ),
    ];
    for (s, state, words) in cases {
        let e = env();
        let d = dbc(e);
        let (rc, _) = driver_connect(d, &s);
        assert_eq!(rc, SQL_ERROR, "{s}");
        let dg = diag(HandleType::Dbc, d);
        assert_eq!(dg[0].0, state, "{s}: {dg:?}");
        assert!(dg[0].1.contains(words), "{s}: {dg:?}");
        assert!(!dg[0].1.contains("sandbox-authtoken"));
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { SQLFreeHandle(HandleType::Dbc as i16, d) };
    }
}

#[test]
fn sql_errors_have_the_right_sqlstate() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    assert_eq!(query_error(d, "SELECT * FROM Nope")[0].0, "42S02");
    assert_eq!(query_error(d, "SELECT nope FROM Products")[0].0, "42S22");
    assert_eq!(query_error(d, "SELEC id FROM Products")[0].0, "42000");
    disconnect(e, d);
}

#[test]
fn prepare_describes_without_network() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    sb.reset_counts();
    let st = stmt(d);
    let sql = "SELECT id, price, created_at, name FROM Jumpseller.Products";
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { SQLPrepare(st, sql.as_ptr(), sql.len() as i32) },
        SQL_SUCCESS
    );
    let mut n = 0i16;
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLNumResultCols(st, &mut n) };
    assert_eq!(n, 4);
    let expect = [
        ("id", SqlDataType::EXT_BIG_INT, 19 as ULen, 0i16),
        ("price", SqlDataType::DECIMAL, 19, 4),
        ("created_at", SqlDataType::TIMESTAMP, 19, 0),
        ("name", SqlDataType::EXT_W_VARCHAR, 255, 0),
    ];
    for (i, (name, ty, size, digits)) in expect.iter().enumerate() {
        let mut buf = [0u8; 64];
        let (mut len, mut t, mut sz, mut dg, mut nl) = (0i16, 0i16, 0 as ULen, 0i16, 0i16);
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe {
            SQLDescribeCol(
                st,
                i as u16 + 1,
                buf.as_mut_ptr(),
                64,
                &mut len,
                &mut t,
                &mut sz,
                &mut dg,
                &mut nl,
            )
        };
        assert_eq!(
            (&buf[..len as usize], t, sz, dg),
            (name.as_bytes(), ty.0, *size, *digits)
        );
    }
    assert_eq!(
        sb.request_count(),
        0,
        "describing a prepared statement made requests"
    );
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLFreeHandle(HandleType::Stmt as i16, st) };
    disconnect(e, d);
}

#[test]
fn short_buffers_truncate_with_01004_and_full_length() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let st = stmt(d);
    assert_eq!(
        exec(
            st,
            "SELECT name AS a_rather_long_column_name FROM Products WHERE id = 1"
        ),
        SQL_SUCCESS
    );
    let mut buf = [0u8; 8];
    let mut len = 0i16;
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    let rc = unsafe {
        SQLDescribeCol(
            st,
            1,
            buf.as_mut_ptr(),
            8,
            &mut len,
            null_mut(),
            null_mut(),
            null_mut(),
            null_mut(),
        )
    };
    assert_eq!(rc, SQL_SUCCESS_WITH_INFO);
    assert_eq!(len, 25);
    assert_eq!(&buf, b"a_rathe\0");
    assert_eq!(states(HandleType::Stmt, st), vec!["01004"]);
    // SQLGetData in pieces: each piece reports the length left before it.
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    assert_eq!(unsafe { SQLFetch(st) }, SQL_SUCCESS);
    let whole = query(d, "SELECT name FROM Products WHERE id = 1")[0][0]
        .clone()
        .unwrap();
    let mut got = Vec::new();
    let mut first_ind = 0;
    loop {
        let mut b = [0u8; 5];
        let mut ind = 0 as Len;
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        let rc = unsafe {
            SQLGetData(
                st,
                1,
                CDataType::Char as i16,
                b.as_mut_ptr() as *mut c_void,
                5,
                &mut ind,
            )
        };
        if rc == SQL_NO_DATA {
            break;
        }
        if first_ind == 0 {
            first_ind = ind;
        }
        let take = if rc == SQL_SUCCESS_WITH_INFO {
            4
        } else {
            ind as usize
        };
        got.extend_from_slice(&b[..take]);
    }
    assert_eq!(first_ind as usize, whole.len());
    assert_eq!(String::from_utf8(got).unwrap(), whole);
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLFreeHandle(HandleType::Stmt as i16, st) };
    disconnect(e, d);
}

#[test]
fn bound_columns_convert_to_c_types() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let st = stmt(d);
    let (mut id, mut price, mut ts) = (0i64, 0f64, [0u8; 16]);
    let (mut i1, mut i2, mut i3) = (0 as Len, 0 as Len, 0 as Len);
    // SAFETY: see "Calling the exports" in tests/common; bound buffers outlive their use.
    unsafe {
        SQLBindCol(
            st,
            1,
            CDataType::SBigInt as i16,
            &mut id as *mut i64 as *mut c_void,
            8,
            &mut i1,
        );
        SQLBindCol(
            st,
            2,
            CDataType::Double as i16,
            &mut price as *mut f64 as *mut c_void,
            8,
            &mut i2,
        );
        SQLBindCol(
            st,
            3,
            CDataType::TypeTimestamp as i16,
            ts.as_mut_ptr() as *mut c_void,
            16,
            &mut i3,
        );
    }
    assert_eq!(
        exec(
            st,
            "SELECT id, price, created_at FROM Products WHERE id = 7"
        ),
        SQL_SUCCESS
    );
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    assert_eq!(unsafe { SQLFetch(st) }, SQL_SUCCESS);
    let text = query(d, "SELECT price, created_at FROM Products WHERE id = 7");
    assert_eq!(id, 7);
    assert_eq!(price.to_string(), text[0][0].clone().unwrap());
    let year = i16::from_ne_bytes([ts[0], ts[1]]);
    assert_eq!(year.to_string(), text[0][1].clone().unwrap()[..4]);
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    assert_eq!(unsafe { SQLFetch(st) }, SQL_NO_DATA);
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLFreeHandle(HandleType::Stmt as i16, st) };
    disconnect(e, d);
}

#[test]
fn wide_functions_round_trip_unicode() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    // Find a name with non-ASCII characters and read it back as UTF-16.
    let rows = query(d, "SELECT id, name FROM Products");
    let (id, name) = rows
        .iter()
        .map(|r| (r[0].clone().unwrap(), r[1].clone().unwrap()))
        .find(|(_, n)| n.chars().any(|c| c as u32 > 0x7ff))
        .expect("the sandbox has non-Latin names");
    let st = stmt(d);
    let sql: Vec<u16> = format!("SELECT name FROM Products WHERE id = {id}")
        .encode_utf16()
        .collect();
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { SQLExecDirectW(st, sql.as_ptr(), sql.len() as i32) },
        SQL_SUCCESS
    );
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    assert_eq!(unsafe { SQLFetch(st) }, SQL_SUCCESS);
    let mut buf = vec![0u16; 512];
    let mut ind = 0 as Len;
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe {
            SQLGetData(
                st,
                1,
                CDataType::WChar as i16,
                buf.as_mut_ptr() as *mut c_void,
                1024,
                &mut ind,
            )
        },
        SQL_SUCCESS
    );
    assert_eq!(String::from_utf16(&buf[..ind as usize / 2]).unwrap(), name);
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLFreeHandle(HandleType::Stmt as i16, st) };
    disconnect(e, d);
}

#[test]
fn getfunctions_matches_the_exports() {
    let e = env();
    let sb = sandbox();
    let d = dbc(e);
    driver_connect(d, &conn_str(&sb));
    let mut map = [0u16; SQL_API_ODBC3_ALL_FUNCTIONS_SIZE];
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { SQLGetFunctions(d, SQL_API_ODBC3_ALL_FUNCTIONS, map.as_mut_ptr()) },
        SQL_SUCCESS
    );
    for (id, _, _) in jumpseller_odbc::odbc::functions::EXPORTED {
        assert!(map[(*id >> 4) as usize] & (1 << (id & 15)) != 0, "{id}");
    }
    // SQLBulkOperations (24) is not exported, so it must not be flagged.
    assert_eq!(map[24 >> 4] & (1 << (24 & 15)), 0);
    // Every SQL* symbol of the shared library is in the list, and back.
    let so = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/target/debug/libjumpseller_odbc.so"
    );
    if let Ok(out) = std::process::Command::new("nm")
        .args(["-D", "--defined-only", so])
        .output()
    {
        let text = String::from_utf8_lossy(&out.stdout);
        let mut syms: Vec<String> = text
            .lines()
            .filter_map(|l| l.split_whitespace().last())
            .filter(|s| s.starts_with("SQL"))
            .map(String::from)
            .collect();
        syms.sort();
        if !syms.is_empty() {
            assert_eq!(syms, jumpseller_odbc::odbc::functions::symbol_names());
        }
    }
    disconnect(e, d);
}

#[test]
fn oauth_access_token_connects_and_an_expired_one_is_28000() {
    let sb = sandbox();
    let (token, _) = sb.issue_token("read_products read_orders read_customers read_store");
    let s = format!("URL={};AuthScheme=OAuth;InitiateOAuth=OFF;OAuthAccessToken={token};MaxRequestsPerSecond=10000", sb.url());
    let e = env();
    let d = dbc(e);
    assert_eq!(
        driver_connect(d, &s).0,
        SQL_SUCCESS,
        "{:?}",
        diag(HandleType::Dbc, d)
    );
    assert_eq!(
        query(d, "SELECT COUNT(*) FROM Products")[0][0].as_deref(),
        Some("120")
    );
    disconnect(e, d);
    sb.expire_access_tokens();
    let d = dbc(env());
    assert_eq!(driver_connect(d, &s).0, SQL_ERROR);
    let dg = diag(HandleType::Dbc, d);
    assert_eq!(dg[0].0, "28000");
    assert!(
        dg[0].1.contains("access token") && dg[0].1.contains("new one"),
        "{dg:?}"
    );
    assert!(!dg[0].1.contains(&token));
}

#[test]
fn a_slow_api_times_out_with_hyt00() {
    use jumpseller_sandbox::{Fault, FaultKind};
    let sb = sandbox();
    let (e, d) = connect_with(&sb, "Timeout=1");
    sb.set_faults(vec![Fault {
        route: "/v1/orders*".into(),
        kind: FaultKind::Latency {
            ms: 2500,
            jitter_ms: 0,
        },
        probability: 1.0,
        count: None,
    }]);
    let err = query_error(d, "SELECT id FROM Orders");
    assert_eq!(err[0].0, "HYT00", "{err:?}");
    disconnect(e, d);
}

#[test]
fn the_log_has_requests_but_no_secrets() {
    let sb = sandbox();
    let (token, _) = sb.issue_token("read_products read_store");
    let dir = TempDir::new("log");
    for (name, auth) in [
        (
            "basic.log",
            "Login=sandbox;AuthToken=sandbox-authtoken".to_string(),
        ),
        (
            "oauth.log",
            format!("AuthScheme=OAuth;OAuthAccessToken={token}"),
        ),
    ] {
        let log = dir.join(name);
        let e = env();
        let d = dbc(e);
        let s = format!(
            "URL={};{auth};Logfile={};Verbosity=5",
            sb.url(),
            log.display()
        );
        assert_eq!(
            driver_connect(d, &s).0,
            SQL_SUCCESS,
            "{:?}",
            diag(HandleType::Dbc, d)
        );
        query(d, "SELECT id, name FROM Products LIMIT 3");
        disconnect(e, d);
        let text = std::fs::read_to_string(&log).unwrap();
        assert!(
            text.contains("GET ") && text.contains("/products.json"),
            "{text}"
        );
        for secret in ["sandbox-authtoken", token.as_str()] {
            assert!(!text.contains(secret), "{name} leaks a secret");
        }
    }
}

#[test]
fn cancel_from_another_thread_stops_a_slow_query() {
    use jumpseller_sandbox::{Fault, FaultKind};
    let sb = sandbox();
    let (e, d) = connect(&sb);
    sb.set_faults(vec![Fault {
        route: "/v1/orders/after/*".into(),
        kind: FaultKind::Latency {
            ms: 300,
            jitter_ms: 0,
        },
        probability: 1.0,
        count: None,
    }]);
    let st = stmt(d);
    let addr = st as usize;
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(100));
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { SQLCancel(addr as *mut c_void) }
    });
    let sql = "SELECT o.id FROM Orders o";
    let mut rc = exec(st, sql);
    while rc == SQL_SUCCESS {
        // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
        rc = unsafe { SQLFetch(st) };
    }
    assert_eq!(canceller.join().unwrap(), SQL_SUCCESS);
    assert_eq!(rc, SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, st)[0], "HY008");
    disconnect(e, d);
}

#[test]
fn parameters_bind_and_push_down() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let st = stmt(d);
    let sql = "SELECT id, name FROM Products WHERE id = ? AND name <> ?";
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { SQLPrepare(st, sql.as_ptr(), sql.len() as i32) },
        SQL_SUCCESS
    );
    let mut n = 0i16;
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    assert_eq!(unsafe { SQLNumParams(st, &mut n) }, SQL_SUCCESS);
    assert_eq!(n, 2);
    // Unbound parameters are 07002.
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    assert_eq!(unsafe { SQLExecute(st) }, SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, st), vec!["07002"]);
    let mut id: i64 = 9;
    let name: Vec<u16> = "zzz ñ".encode_utf16().chain([0]).collect();
    let mut nts: Len = NTS;
    // SAFETY: see "Calling the exports" in tests/common; bound buffers outlive their use.
    unsafe {
        assert_eq!(
            SQLBindParameter(
                st,
                1,
                ParamType::Input as i16,
                CDataType::SBigInt as i16,
                SqlDataType::EXT_BIG_INT.0,
                0,
                0,
                &mut id as *mut i64 as *mut c_void,
                8,
                null_mut()
            ),
            SQL_SUCCESS
        );
        assert_eq!(
            SQLBindParameter(
                st,
                2,
                ParamType::Input as i16,
                CDataType::WChar as i16,
                SqlDataType::EXT_W_VARCHAR.0,
                255,
                0,
                name.as_ptr() as *mut c_void,
                0,
                &mut nts
            ),
            SQL_SUCCESS
        );
    }
    for want in [9i64, 11] {
        // The driver reads `id` through the pointer bound above.
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { std::ptr::write_volatile(&mut id, want) };
        sb.reset_counts();
        assert_eq!(
            // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
            unsafe { SQLExecute(st) },
            SQL_SUCCESS,
            "{:?}",
            diag(HandleType::Stmt, st)
        );
        // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
        assert_eq!(unsafe { SQLFetch(st) }, SQL_SUCCESS);
        assert_eq!(get_text(st, 1).as_deref(), Some(want.to_string().as_str()));
        // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
        assert_eq!(unsafe { SQLFetch(st) }, SQL_NO_DATA);
        // The bound id is pushed down like a literal: one GET.
        assert_eq!(sb.request_count(), 1);
    }
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLFreeHandle(HandleType::Stmt as i16, st) };
    disconnect(e, d);
}

#[test]
fn block_cursors_fill_row_arrays_column_and_row_wise() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    // Column-wise: ten ids and ten names per SQLFetch.
    let st = stmt(d);
    let (mut ids, mut id_ind) = ([0i64; 10], [0 as Len; 10]);
    let (mut names, mut name_ind) = ([0u8; 10 * 32], [0 as Len; 10]);
    let (mut fetched, mut status) = (0 as ULen, [9u16; 10]);
    // SAFETY: see "Calling the exports" in tests/common; bound buffers outlive their use.
    unsafe {
        assert_eq!(
            SQLSetStmtAttr(
                st,
                StatementAttribute::RowArraySize as i32,
                10 as *mut c_void,
                0
            ),
            SQL_SUCCESS
        ); // ROW_ARRAY_SIZE
        assert_eq!(
            SQLSetStmtAttr(
                st,
                StatementAttribute::RowsFetchedPtr as i32,
                &mut fetched as *mut ULen as *mut c_void,
                0
            ),
            SQL_SUCCESS
        ); // ROWS_FETCHED_PTR
        assert_eq!(
            SQLSetStmtAttr(
                st,
                StatementAttribute::RowStatusPtr as i32,
                status.as_mut_ptr() as *mut c_void,
                0
            ),
            SQL_SUCCESS
        ); // ROW_STATUS_PTR
        SQLBindCol(
            st,
            1,
            CDataType::SBigInt as i16,
            ids.as_mut_ptr() as *mut c_void,
            8,
            id_ind.as_mut_ptr(),
        );
        SQLBindCol(
            st,
            2,
            CDataType::Char as i16,
            names.as_mut_ptr() as *mut c_void,
            32,
            name_ind.as_mut_ptr(),
        );
    }
    assert_eq!(
        exec(
            st,
            "SELECT id, substr(name, 1, 20) FROM Products WHERE id <= 25 ORDER BY id"
        ),
        SQL_SUCCESS
    );
    let mut seen = Vec::new();
    loop {
        // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
        let rc = unsafe { SQLFetch(st) };
        if rc == SQL_NO_DATA {
            break;
        }
        assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Stmt, st));
        for i in 0..fetched {
            assert_eq!(status[i], 0);
            let n = &names[i * 32..i * 32 + name_ind[i] as usize];
            seen.push((ids[i], String::from_utf8(n.to_vec()).unwrap()));
        }
        if fetched < 10 {
            assert_eq!(status[fetched], 3, "rows past the end are SQL_ROW_NOROW");
        }
    }
    let want: Vec<(i64, String)> = query(
        d,
        "SELECT id, substr(name, 1, 20) FROM Products WHERE id <= 25 ORDER BY id",
    )
    .into_iter()
    .map(|r| {
        (
            r[0].clone().unwrap().parse().unwrap(),
            r[1].clone().unwrap(),
        )
    })
    .collect();
    assert_eq!(seen, want);
    // Row-wise: an array of structs.
    #[repr(C)]
    #[derive(Clone, Copy)]
    struct Row {
        id: i64,
        id_ind: Len,
        qty: i32,
        qty_ind: Len,
    }
    let st2 = stmt(d);
    let mut rows = [Row {
        id: 0,
        id_ind: 0,
        qty: 0,
        qty_ind: 0,
    }; 4];
    let size = std::mem::size_of::<Row>();
    let mut got = 0 as ULen;
    // SAFETY: see "Calling the exports" in tests/common; bound buffers outlive their use.
    unsafe {
        SQLSetStmtAttr(
            st2,
            StatementAttribute::RowArraySize as i32,
            4 as *mut c_void,
            0,
        );
        SQLSetStmtAttr(
            st2,
            StatementAttribute::RowBindType as i32,
            size as *mut c_void,
            0,
        ); // ROW_BIND_TYPE = struct size
        SQLSetStmtAttr(
            st2,
            StatementAttribute::RowsFetchedPtr as i32,
            &mut got as *mut ULen as *mut c_void,
            0,
        );
        let base = rows.as_mut_ptr() as *mut u8;
        SQLBindCol(
            st2,
            1,
            CDataType::SBigInt as i16,
            base as *mut c_void,
            8,
            base.add(8) as *mut Len,
        );
        SQLBindCol(
            st2,
            2,
            CDataType::SLong as i16,
            base.add(16) as *mut c_void,
            4,
            base.add(24) as *mut Len,
        );
    }
    assert_eq!(
        exec(
            st2,
            "SELECT line, qty FROM OrderProducts WHERE order_id = 3"
        ),
        SQL_SUCCESS
    );
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    assert_eq!(unsafe { SQLFetch(st2) }, SQL_SUCCESS);
    let direct = query(d, "SELECT line, qty FROM OrderProducts WHERE order_id = 3");
    assert_eq!(got as usize, direct.len().min(4));
    for (i, r) in direct.iter().take(got as usize).enumerate() {
        assert_eq!(rows[i].id.to_string(), r[0].clone().unwrap());
        assert_eq!(rows[i].qty.to_string(), r[1].clone().unwrap());
    }
    disconnect(e, d);
}

#[test]
fn disconnect_frees_the_statements() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let st = stmt(d);
    assert_eq!(exec(st, "SELECT id FROM Products"), SQL_SUCCESS);
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    assert_eq!(unsafe { SQLDisconnect(d) }, SQL_SUCCESS);
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    assert_eq!(unsafe { SQLFetch(st) }, SQL_INVALID_HANDLE);
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe {
        SQLFreeHandle(HandleType::Dbc as i16, d);
        SQLFreeHandle(HandleType::Env as i16, e);
    }
}

#[test]
fn odd_values_never_crash_the_process() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    // A date bound whose 10th byte falls inside a character.
    assert!(query(d, "SELECT id FROM Orders WHERE created_at > 'añññññññ'").len() <= 400);
    // A pathological catalog pattern is matched without backtracking.
    let st = stmt(d);
    let p = "%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%b";
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe {
            SQLTables(
                st,
                std::ptr::null(),
                0,
                std::ptr::null(),
                0,
                p.as_ptr(),
                p.len() as i16,
                std::ptr::null(),
                0,
            )
        },
        SQL_SUCCESS
    );
    disconnect(e, d);
}

#[test]
fn or_branches_of_a_child_table_keep_every_row() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let both = query(
        d,
        "SELECT product_id, id FROM ProductVariants WHERE product_id = 1 OR product_id = 2",
    );
    let one = query(
        d,
        "SELECT product_id, id FROM ProductVariants WHERE product_id = 1",
    );
    let two = query(
        d,
        "SELECT product_id, id FROM ProductVariants WHERE product_id = 2",
    );
    assert_eq!(both.len(), one.len() + two.len());
    disconnect(e, d);
}

#[test]
fn block_fetch_of_fixed_types_ignores_buffer_length() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let st = stmt(d);
    let mut ids = [0i64; 5];
    let mut ind = [0 as Len; 5];
    // SAFETY: see "Calling the exports" in tests/common; bound buffers outlive their use.
    unsafe {
        SQLSetStmtAttr(
            st,
            StatementAttribute::RowArraySize as i32,
            5 as *mut c_void,
            0,
        );
        // BufferLength 0: the spec says it is ignored for fixed-size types.
        SQLBindCol(
            st,
            1,
            CDataType::SBigInt as i16,
            ids.as_mut_ptr() as *mut c_void,
            0,
            ind.as_mut_ptr(),
        );
    }
    assert_eq!(
        exec(st, "SELECT id FROM Products WHERE id <= 5 ORDER BY id"),
        SQL_SUCCESS
    );
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    assert_eq!(unsafe { SQLFetch(st) }, SQL_SUCCESS);
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    disconnect(e, d);
}

#[test]
fn query_timeout_bounds_a_whole_query() {
    use jumpseller_sandbox::{Fault, FaultKind};
    let sb = sandbox();
    let (e, d) = connect_with(&sb, "Prefetch=0");
    sb.set_faults(vec![Fault {
        route: "/v1/orders/after/*".into(),
        kind: FaultKind::Latency {
            ms: 400,
            jitter_ms: 0,
        },
        probability: 1.0,
        count: None,
    }]);
    let st = stmt(d);
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common; bound buffers outlive their use.
        unsafe {
            SQLSetStmtAttr(
                st,
                StatementAttribute::QueryTimeout as i32,
                std::ptr::dangling_mut::<c_void>(),
                0,
            )
        },
        SQL_SUCCESS
    ); // QUERY_TIMEOUT = 1 s
    let mut rc = exec(st, "SELECT id FROM Orders");
    while rc == SQL_SUCCESS {
        // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
        rc = unsafe { SQLFetch(st) };
    }
    assert_eq!(rc, SQL_ERROR);
    let dg = diag(HandleType::Stmt, st);
    assert_eq!(dg[0].0, "HYT00", "{dg:?}");
    assert!(dg[0].1.contains("QUERY_TIMEOUT"), "{dg:?}");
    // Without the timeout the same query completes.
    // SAFETY: see "Calling the exports" in tests/common; bound buffers outlive their use.
    unsafe {
        SQLSetStmtAttr(
            st,
            StatementAttribute::QueryTimeout as i32,
            std::ptr::null_mut::<c_void>(),
            0,
        )
    };
    sb.set_faults(vec![]);
    assert_eq!(exec(st, "SELECT COUNT(*) FROM Orders"), SQL_SUCCESS);
    disconnect(e, d);
}

#[test]
fn two_statements_of_one_connection_interleave() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let (a, b) = (stmt(d), stmt(d));
    assert_eq!(
        exec(a, "SELECT id FROM Products WHERE id <= 3 ORDER BY id"),
        SQL_SUCCESS
    );
    let mut seen = Vec::new();
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    while unsafe { SQLFetch(a) } == SQL_SUCCESS {
        let id = get_text(a, 1).unwrap();
        // For each row of A, B runs a lookup on the same connection.
        assert_eq!(
            exec(
                b,
                &format!("SELECT COUNT(*) FROM ProductVariants WHERE product_id = {id}")
            ),
            SQL_SUCCESS
        );
        // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
        assert_eq!(unsafe { SQLFetch(b) }, SQL_SUCCESS);
        seen.push((id, get_text(b, 1).unwrap()));
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { SQLCloseCursor(b) };
    }
    assert_eq!(
        seen.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(),
        ["1", "2", "3"]
    );
    disconnect(e, d);
}

#[test]
fn max_length_and_retrieve_data_are_applied() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let st = stmt(d);
    // SAFETY: see "Calling the exports" in tests/common; bound buffers outlive their use.
    unsafe {
        SQLSetStmtAttr(
            st,
            StatementAttribute::MaxLength as i32,
            4 as *mut c_void,
            0,
        )
    }; // MAX_LENGTH = 4 bytes
    assert_eq!(exec(st, "SELECT 'abcdefgh'"), SQL_SUCCESS);
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    assert_eq!(unsafe { SQLFetch(st) }, SQL_SUCCESS);
    assert_eq!(get_text(st, 1).as_deref(), Some("abcd"));
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLCloseCursor(st) };
    // SAFETY: see "Calling the exports" in tests/common; bound buffers outlive their use.
    unsafe {
        SQLSetStmtAttr(
            st,
            StatementAttribute::MaxLength as i32,
            std::ptr::null_mut::<c_void>(),
            0,
        )
    };
    let mut id = -1i64;
    let mut ind = 0 as Len;
    // SAFETY: see "Calling the exports" in tests/common; bound buffers outlive their use.
    unsafe {
        SQLSetStmtAttr(
            st,
            StatementAttribute::RetrieveData as i32,
            std::ptr::null_mut::<c_void>(),
            0,
        ); // RETRIEVE_DATA = OFF
        SQLBindCol(
            st,
            1,
            CDataType::SBigInt as i16,
            &mut id as *mut i64 as *mut c_void,
            8,
            &mut ind,
        );
    }
    assert_eq!(
        exec(st, "SELECT id FROM Products WHERE id = 5"),
        SQL_SUCCESS
    );
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    assert_eq!(unsafe { SQLFetch(st) }, SQL_SUCCESS);
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { std::ptr::read_volatile(&id) },
        -1,
        "no data with SQL_RD_OFF"
    );
    disconnect(e, d);
}

#[test]
fn null_pointers_everywhere_never_crash() {
    use std::ptr::{null, null_mut};
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let st = stmt(d);
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    unsafe {
        // Inputs that must not be NULL give HY009; optional outputs are skipped.
        assert_eq!(SQLExecDirect(st, null(), 0), SQL_ERROR);
        assert_eq!(states(HandleType::Stmt, st), vec!["HY009"]);
        assert_eq!(SQLPrepare(st, null(), NTS as i32), SQL_ERROR);
        assert_eq!(SQLNumResultCols(st, null_mut()), SQL_ERROR);
        assert_eq!(SQLRowCount(st, null_mut()), SQL_ERROR);
        assert_eq!(
            SQLGetFunctions(d, SQL_API_ODBC3_ALL_FUNCTIONS, null_mut()),
            SQL_ERROR
        );
        assert_eq!(
            exec(st, "SELECT id, name FROM Products WHERE id = 1"),
            SQL_SUCCESS
        );
        assert_eq!(
            SQLDescribeCol(
                st,
                1,
                null_mut(),
                0,
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut()
            ),
            SQL_SUCCESS
        );
        assert_eq!(
            SQLColAttribute(
                st,
                2,
                Desc::TypeName as u16,
                null_mut(),
                0,
                null_mut(),
                null_mut()
            ),
            SQL_SUCCESS
        );
        assert_eq!(SQLFetch(st), SQL_SUCCESS);
        // NULL buffer with an indicator: only the length comes back.
        let mut ind = 0 as Len;
        assert!(matches!(
            SQLGetData(st, 2, CDataType::Char as i16, null_mut(), 0, &mut ind),
            SQL_SUCCESS | SQL_SUCCESS_WITH_INFO
        ));
        assert!(ind > 0);
        assert_eq!(
            SQLGetInfo(d, InfoType::DbmsName as u16, null_mut(), 0, null_mut()),
            SQL_SUCCESS
        );
        assert_eq!(
            SQLGetConnectAttr(
                d,
                ConnectionAttribute::AUTOCOMMIT.0,
                null_mut(),
                0,
                null_mut()
            ),
            SQL_SUCCESS
        );
        assert_eq!(
            SQLGetStmtAttr(
                st,
                StatementAttribute::MaxRows as i32,
                null_mut(),
                0,
                null_mut()
            ),
            SQL_SUCCESS
        );
        assert_eq!(
            SQLTables(st, null(), 0, null(), 0, null(), 0, null(), 0),
            SQL_SUCCESS
        );
        assert_eq!(
            SQLColumns(st, null(), 0, null(), 0, null(), 0, null(), 0),
            SQL_SUCCESS
        );
        assert_eq!(
            SQLGetDiagRec(
                HandleType::Stmt as i16,
                st,
                1,
                null_mut(),
                null_mut(),
                null_mut(),
                0,
                null_mut()
            ),
            SQL_NO_DATA
        );
        assert_eq!(
            SQLGetDiagField(
                HandleType::Stmt as i16,
                st,
                0,
                HeaderDiagnosticIdentifier::Number as i16,
                null_mut(),
                0,
                null_mut()
            ),
            SQL_SUCCESS
        );
        // An empty connection string: OAuth without a token connects only for
        // the OAuth procedures, and says so.
        let d2 = dbc(env());
        let (rc, _) = driver_connect(d2, "");
        assert_eq!(rc, SQL_SUCCESS_WITH_INFO);
        assert!(diag(HandleType::Dbc, d2)
            .iter()
            .any(|(s, m)| s == "01000" && m.contains("OAuthAccessToken")));
        let mut h = null_mut();
        assert_eq!(
            SQLAllocHandle(HandleType::Dbc as i16, null_mut(), &mut h),
            SQL_INVALID_HANDLE
        );
        assert_eq!(
            SQLAllocHandle(HandleType::Env as i16, null_mut(), null_mut()),
            SQL_ERROR
        );
    }
    disconnect(e, d);
}

#[test]
fn a_token_without_the_scope_is_28000_naming_the_scope_problem() {
    let sb = sandbox();
    // Enough to connect (store info), not to read orders.
    let (token, _) = sb.issue_token("read_store read_products");
    let e = env();
    let d = dbc(e);
    let s = format!(
        "URL={};AuthScheme=OAuth;OAuthAccessToken={token};MaxRequestsPerSecond=10000",
        sb.url()
    );
    assert_eq!(
        driver_connect(d, &s).0,
        SQL_SUCCESS,
        "{:?}",
        diag(HandleType::Dbc, d)
    );
    assert_eq!(
        query(d, "SELECT COUNT(*) FROM Products")[0][0].as_deref(),
        Some("120")
    );
    let err = query_error(d, "SELECT id FROM Orders");
    assert_eq!(err[0].0, "28000", "{err:?}");
    assert!(
        err[0].1.contains("403") && err[0].1.contains("scope"),
        "{err:?}"
    );
    disconnect(e, d);
}

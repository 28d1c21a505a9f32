//! OAuth 2 against the sandbox's OAuth server, through the driver's C entry
//! points: the GETANDREFRESH browser flow (a shell script stands in for the
//! browser), state checking, refresh on expiry and on a 401 in the middle of
//! a scan, rotation kept in the token store, two processes refreshing at
//! once, store permissions and corruption, secret-free logs, OFF/NOPROMPT
//! messages and the three stored procedures.

#![warn(clippy::undocumented_unsafe_blocks)]
#![allow(unused_unsafe)]

mod common;

use common::*;
use jumpseller_odbc::ffi::*;
use jumpseller_sandbox::Sandbox;
use std::os::raw::c_void;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::ptr::null_mut;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Tests that set $BROWSER take turns.
static BROWSER: Mutex<()> = Mutex::new(());

fn browser_lock() -> std::sync::MutexGuard<'static, ()> {
    BROWSER.lock().unwrap_or_else(|e| e.into_inner())
}

fn tmpdir(name: &str) -> TempDir {
    TempDir::new(&format!("oauth-{name}"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The OAuth part of a connection string for the sandbox's app.
fn oauth_str(sb: &Sandbox, initiate: &str, store: &str, callback: &str) -> String {
    format!(
        "URL={};AuthScheme=OAuth;InitiateOAuth={initiate};OAuthClientId=sandbox-client;OAuthClientSecret=sandbox-secret;CallbackURL={callback};OAuthSettingsLocation={store};OAuthAuthorizationURL={b}/oauth/authorize;OAuthAccessTokenURL={b}/oauth/token;MaxRequestsPerSecond=10000;MaxRequestsPerMinute=600000",
        sb.url(),
        b = sb.base_url()
    )
}

/// SQLDriverConnect with a completion mode: (rc, completed string).
fn connect_mode(dbc: *mut c_void, s: &str, mode: DriverConnectOption) -> (i16, String) {
    let mut out = vec![0u8; 8192];
    let mut len = 0i16;
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    let rc = unsafe {
        SQLDriverConnect(
            dbc,
            null_mut(),
            s.as_ptr(),
            s.len() as i16,
            out.as_mut_ptr(),
            out.len() as i16,
            &mut len,
            mode as u16,
        )
    };
    let n = (len.max(0) as usize).min(out.len());
    (rc, String::from_utf8_lossy(&out[..n]).into_owned())
}

fn ok(rc: i16) -> bool {
    rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO
}

fn connected(s: &str, mode: DriverConnectOption) -> (*mut c_void, *mut c_void) {
    let e = env();
    let d = dbc(e);
    let (rc, _) = connect_mode(d, s, mode);
    assert!(ok(rc), "connect failed: {:?}", diag(HandleType::Dbc, d));
    (e, d)
}

fn connect_error(s: &str, mode: DriverConnectOption) -> (String, String) {
    let e = env();
    let d = dbc(e);
    let (rc, _) = connect_mode(d, s, mode);
    assert_eq!(rc, SQL_ERROR, "connect was expected to fail");
    let dg = diag(HandleType::Dbc, d);
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe {
        SQLFreeHandle(HandleType::Dbc as i16, d);
        SQLFreeHandle(HandleType::Env as i16, e);
    }
    // The error, not a warning recorded before it.
    dg.into_iter().find(|(s, _)| !s.starts_with("01")).unwrap()
}

fn store_json(p: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn field(v: &serde_json::Value, k: &str) -> String {
    v[k].as_str().unwrap_or_default().to_string()
}

/// A stand-in browser: records the redirect the authorization server
/// answers, then (optionally rewritten by `sed`) requests it.
fn browser_script(dir: &Path, sed: &str) -> PathBuf {
    let p = dir.join("browser.sh");
    let loc = dir.join("location");
    std::fs::write(
        &p,
        format!(
            "#!/bin/sh\nloc=$(curl -s -o /dev/null -w '%{{redirect_url}}' \"$1\")\nprintf '%s' \"$loc\" > '{}'\ncurl -s \"$(printf '%s' \"$loc\" | sed '{sed}')\" > /dev/null\n",
            loc.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

fn query_param(url: &str, k: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    q.split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
        .map(|v| v.to_string())
}

/// Follows an authorization URL like a browser would, without going to
/// the redirect: the `code` in it.
fn code_from(url: &str) -> String {
    let out = std::process::Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{redirect_url}", url])
        .output()
        .unwrap();
    let loc = String::from_utf8(out.stdout).unwrap();
    query_param(&loc, "code").unwrap_or_else(|| panic!("no code in {loc}"))
}

fn count_products(d: *mut c_void) -> String {
    query(d, "SELECT COUNT(*) FROM Products")[0][0]
        .clone()
        .unwrap()
}

#[test]
fn getandrefresh_runs_the_browser_flow_stores_tokens_and_logs_no_secret() {
    let _b = browser_lock();
    let sb = sandbox();
    let dir = tmpdir("flow");
    let store = dir.join("tokens").join("store.json");
    let log = dir.join("driver.log");
    let callback = format!("http://127.0.0.1:{}/callback", free_port());
    let script = browser_script(&dir, "s/x/x/");
    std::env::set_var("BROWSER", &script);
    let s = format!(
        "{};Logfile={};Verbosity=5",
        oauth_str(&sb, "GETANDREFRESH", store.to_str().unwrap(), &callback),
        log.display()
    );
    // SQL_DRIVER_COMPLETE: the driver may prompt (open the browser).
    let (e, d) = connected(&s, DriverConnectOption::Complete);
    assert_eq!(count_products(d), "120");
    disconnect(e, d);
    std::env::remove_var("BROWSER");

    let v = store_json(&store);
    assert_eq!(field(&v, "client_id"), "sandbox-client");
    let (access, refresh) = (field(&v, "access_token"), field(&v, "refresh_token"));
    assert!(!access.is_empty() && !refresh.is_empty());
    assert!(v["expires_at"].as_u64().unwrap() > v["created_at"].as_u64().unwrap());
    assert_eq!(
        std::fs::metadata(&store).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::metadata(store.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o700
    );

    // The redirect went to our CallbackURL with the state the driver made.
    let loc = std::fs::read_to_string(dir.join("location")).unwrap();
    assert!(loc.starts_with(&callback), "{loc}");
    let code = query_param(&loc, "code").unwrap();
    assert_eq!(query_param(&loc, "state").unwrap().len(), 32);

    // Stored tokens are used without a browser (NOPROMPT), then refreshed
    // when the API refuses them; the log shows the refresh but no secret.
    let (e, d) = connected(&s, DriverConnectOption::NoPrompt);
    sb.expire_access_tokens();
    assert_eq!(count_products(d), "120");
    disconnect(e, d);
    let v2 = store_json(&store);
    assert_ne!(field(&v2, "access_token"), access);
    assert_ne!(
        field(&v2, "refresh_token"),
        refresh,
        "the rotated refresh token is stored"
    );
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("refresh"), "{text}");
    for secret in [
        "sandbox-secret",
        &code,
        &access,
        &refresh,
        &field(&v2, "access_token"),
        &field(&v2, "refresh_token"),
    ] {
        assert!(!text.contains(secret), "the log leaks a secret");
    }
}

#[test]
fn a_state_mismatch_is_refused() {
    let _b = browser_lock();
    let sb = sandbox();
    let dir = tmpdir("state");
    let store = dir.join("store.json");
    let callback = format!("http://localhost:{}/cb", free_port());
    let script = browser_script(&dir, "s/state=[^&]*/state=forged/");
    std::env::set_var("BROWSER", &script);
    let (state, msg) = connect_error(
        &oauth_str(&sb, "GETANDREFRESH", store.to_str().unwrap(), &callback),
        DriverConnectOption::Complete,
    );
    std::env::remove_var("BROWSER");
    assert_eq!(state, "28000");
    assert!(msg.contains("state") && msg.contains("refused"), "{msg}");
    assert!(!store.exists(), "nothing is stored");
}

#[test]
fn a_denied_authorization_is_28000() {
    let _b = browser_lock();
    let sb = sandbox_with(|c| c.oauth_deny = true);
    let dir = tmpdir("deny");
    let callback = format!("http://127.0.0.1:{}/cb", free_port());
    std::env::set_var("BROWSER", browser_script(&dir, "s/x/x/"));
    let (state, msg) = connect_error(
        &oauth_str(
            &sb,
            "GETANDREFRESH",
            dir.join("s.json").to_str().unwrap(),
            &callback,
        ),
        DriverConnectOption::Complete,
    );
    std::env::remove_var("BROWSER");
    assert_eq!(state, "28000");
    assert!(msg.contains("access_denied"), "{msg}");
}

#[test]
fn noprompt_without_tokens_gives_the_url_and_the_verifier_way_works() {
    let sb = sandbox();
    let dir = tmpdir("noprompt");
    let store = dir.join("store.json");
    let callback = format!("http://127.0.0.1:{}/cb", free_port());
    let s = oauth_str(&sb, "GETANDREFRESH", store.to_str().unwrap(), &callback);
    let e = env();
    let d = dbc(e);
    assert_eq!(
        connect_mode(d, &s, DriverConnectOption::NoPrompt).0,
        SQL_ERROR
    );
    let dg = diag(HandleType::Dbc, d);
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLFreeHandle(HandleType::Dbc as i16, d) };
    // Two records, each short enough for applications that show 512
    // characters: the URL with what to do, then the whole explanation.
    assert_eq!(
        dg.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["28000", "28000"],
        "{dg:?}"
    );
    let (url_msg, msg) = (&dg[0].1, &dg[1].1);
    assert!(url_msg.contains("OAuthVerifier"), "{url_msg}");
    assert!(
        msg.contains("OAuthVerifier")
            && msg.contains("SQL_DRIVER_NOPROMPT")
            && msg.contains("jumpseller-odbc auth"),
        "{msg}"
    );
    assert!(
        dg.iter()
            .all(|r| r.1.len() < 512 && !r.1.contains("sandbox-secret")),
        "{dg:?}"
    );
    let url = url_msg
        .split_whitespace()
        .find(|w| w.contains("/oauth/authorize?"))
        .unwrap()
        .to_string();
    assert!(
        url.contains("client_id=sandbox-client") && url.contains("redirect_uri="),
        "{url}"
    );

    // The headless way: open the URL elsewhere, copy the code, reconnect.
    let code = code_from(&url);
    let (e, d) = connected(
        &format!("{s};OAuthVerifier={code}"),
        DriverConnectOption::NoPrompt,
    );
    assert_eq!(count_products(d), "120");
    disconnect(e, d);
    assert!(!field(&store_json(&store), "refresh_token").is_empty());
    // The same string again: the code is spent, the stored tokens are used.
    let (e, d) = connected(
        &format!("{s};OAuthVerifier={code}"),
        DriverConnectOption::NoPrompt,
    );
    assert_eq!(count_products(d), "120");
    disconnect(e, d);
}

#[test]
fn refresh_when_the_supplied_token_has_expired() {
    let sb = sandbox();
    let dir = tmpdir("expired");
    let store = dir.join("store.json");
    let (access, refresh) = sb.issue_token("read_products read_store");
    let issued_ms = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 7200)
        * 1000;
    let s = format!(
        "{};OAuthAccessToken={access};OAuthRefreshToken={refresh};OAuthExpiresIn=3600;OAuthTokenTimestamp={issued_ms}",
        oauth_str(&sb, "REFRESH", store.to_str().unwrap(), "http://localhost:33333")
    );
    let (e, d) = connected(&s, DriverConnectOption::NoPrompt);
    assert_eq!(count_products(d), "120");
    disconnect(e, d);
    let v = store_json(&store);
    assert_ne!(field(&v, "access_token"), access, "refreshed at connect");
    assert_ne!(field(&v, "refresh_token"), refresh, "rotation stored");
    // The same connection string again: the store (descending from these
    // tokens) wins over the spent refresh token.
    let (e, d) = connected(&s, DriverConnectOption::NoPrompt);
    assert_eq!(count_products(d), "120");
    disconnect(e, d);
}

#[test]
fn refresh_on_expiry_by_time() {
    let sb = sandbox_with(|c| c.token_ttl_secs = 2);
    let dir = tmpdir("ttl");
    let store = dir.join("store.json");
    let (access, refresh) = sb.issue_token("read_products read_store");
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let s = format!(
        "{};OAuthAccessToken={access};OAuthRefreshToken={refresh};OAuthExpiresIn=2;OAuthTokenTimestamp={now_ms}",
        oauth_str(&sb, "REFRESH", store.to_str().unwrap(), "http://localhost:33333")
    );
    let (e, d) = connected(&s, DriverConnectOption::NoPrompt);
    std::thread::sleep(Duration::from_millis(2500));
    sb.reset_counts();
    assert_eq!(count_products(d), "120");
    // Refreshed before the request: no 401 was needed.
    let by_route = sb.requests_by_route();
    assert_eq!(
        by_route.get("GET /products/count.json"),
        Some(&1),
        "{by_route:?}"
    );
    assert_eq!(by_route.get("POST /oauth/token"), Some(&1), "{by_route:?}");
    disconnect(e, d);
    assert_ne!(field(&store_json(&store), "access_token"), access);
}

#[test]
fn refresh_on_401_in_the_middle_of_a_scan_loses_no_row() {
    let sb = sandbox();
    let dir = tmpdir("midscan");
    let store = dir.join("store.json");
    let (access, refresh) = sb.issue_token("read_products read_store");
    let s = format!(
        "{};OAuthAccessToken={access};OAuthRefreshToken={refresh};Prefetch=0;Pagesize=10",
        oauth_str(
            &sb,
            "REFRESH",
            store.to_str().unwrap(),
            "http://localhost:33333"
        )
    );
    let (e, d) = connected(&s, DriverConnectOption::NoPrompt);
    let st = stmt(d);
    assert!(
        ok(exec(st, "SELECT id FROM Products")),
        "{:?}",
        diag(HandleType::Stmt, st)
    );
    let mut ids = Vec::new();
    loop {
        // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
        let rc = unsafe { SQLFetch(st) };
        if rc == SQL_NO_DATA {
            break;
        }
        assert!(
            ok(rc),
            "fetch after {} rows: {:?}",
            ids.len(),
            diag(HandleType::Stmt, st)
        );
        ids.push(get_text(st, 1).unwrap().parse::<i64>().unwrap());
        if ids.len() == 15 {
            sb.expire_access_tokens();
        }
    }
    assert_eq!(ids, (1..=120).collect::<Vec<_>>());
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLFreeHandle(HandleType::Stmt as i16, st) };
    disconnect(e, d);
    let v = store_json(&store);
    assert_ne!(field(&v, "access_token"), access);
    assert_ne!(field(&v, "refresh_token"), refresh);
}

#[test]
fn off_with_an_expired_token_is_28000_also_mid_session() {
    let sb = sandbox();
    let (token, _) = sb.issue_token("read_products read_store");
    let s = format!("URL={};AuthScheme=OAuth;InitiateOAuth=OFF;OAuthAccessToken={token};MaxRequestsPerSecond=10000", sb.url());
    let (e, d) = connected(&s, DriverConnectOption::NoPrompt);
    sb.expire_access_tokens();
    let err = query_error(d, "SELECT id FROM Products");
    assert_eq!(err[0].0, "28000", "{err:?}");
    assert!(
        err[0].1.contains("refused the OAuth access token") && err[0].1.contains("new one"),
        "{err:?}"
    );
    assert!(!err[0].1.contains(&token));
    disconnect(e, d);
    let (state, msg) = connect_error(&s, DriverConnectOption::NoPrompt);
    assert_eq!(state, "28000");
    assert!(msg.contains("access token"), "{msg}");
}

#[test]
fn refresh_without_tokens_is_28000_and_getandrefresh_needs_the_app() {
    let sb = sandbox();
    let dir = tmpdir("none");
    let (state, msg) = connect_error(
        &oauth_str(
            &sb,
            "REFRESH",
            dir.join("s.json").to_str().unwrap(),
            "http://localhost:33333",
        ),
        DriverConnectOption::Complete,
    );
    assert_eq!(state, "28000");
    assert!(msg.contains("OAuthRefreshToken"), "{msg}");
    let (state, msg) = connect_error(
        &format!(
            "URL={};AuthScheme=OAuth;InitiateOAuth=GETANDREFRESH",
            sb.url()
        ),
        DriverConnectOption::NoPrompt,
    );
    assert_eq!(state, "08001");
    assert!(msg.contains("OAuthClientId"), "{msg}");
}

#[test]
fn a_corrupt_store_is_reported_and_left_alone() {
    let sb = sandbox();
    let dir = tmpdir("corrupt");
    let store = dir.join("store.json");
    std::fs::write(&store, "{\"access_token\": \"abc").unwrap();
    let (state, msg) = connect_error(
        &oauth_str(
            &sb,
            "GETANDREFRESH",
            store.to_str().unwrap(),
            "http://localhost:33333",
        ),
        DriverConnectOption::NoPrompt,
    );
    assert_eq!(state, "08001");
    assert!(
        msg.contains(store.to_str().unwrap()) && msg.contains("corrupt") && msg.contains("delete"),
        "{msg}"
    );
    assert_eq!(
        std::fs::read_to_string(&store).unwrap(),
        "{\"access_token\": \"abc"
    );
}

#[test]
fn memory_stores_share_tokens_within_the_process() {
    let sb = sandbox();
    let (access, refresh) = sb.issue_token("read_products read_store");
    let name = format!("memory://oauth-test-{}", std::process::id());
    let first = format!(
        "{};OAuthAccessToken={access};OAuthRefreshToken={refresh}",
        oauth_str(&sb, "REFRESH", &name, "http://localhost:33333")
    );
    let (e1, d1) = connected(&first, DriverConnectOption::NoPrompt);
    // A second connection with no tokens of its own finds them in memory.
    let (e2, d2) = connected(
        &oauth_str(&sb, "REFRESH", &name, "http://localhost:33333"),
        DriverConnectOption::NoPrompt,
    );
    sb.expire_access_tokens();
    assert_eq!(count_products(d1), "120");
    // d2's token was refused too; it takes the one d1 refreshed (the old
    // refresh token is spent, so refreshing again would fail).
    assert_eq!(count_products(d2), "120");
    disconnect(e1, d1);
    disconnect(e2, d2);
}

/// A child process of `two_processes_refresh_at_once` (does nothing when
/// run as an ordinary test).
#[test]
fn child_refresher() {
    let Ok(conn) = std::env::var("JS_OAUTH_CHILD_CONN") else {
        return;
    };
    let dir = PathBuf::from(std::env::var("JS_OAUTH_CHILD_DIR").unwrap());
    let (e, d) = connected(&conn, DriverConnectOption::NoPrompt);
    std::fs::write(dir.join(format!("ready.{}", std::process::id())), "").unwrap();
    let until = Instant::now() + Duration::from_secs(60);
    while !dir.join("go").exists() {
        assert!(Instant::now() < until, "no go signal");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(count_products(d), "120");
    disconnect(e, d);
}

#[test]
fn two_processes_refresh_at_once_and_the_store_stays_valid() {
    let sb = sandbox();
    let dir = tmpdir("procs");
    let store = dir.join("store.json");
    let (access, refresh) = sb.issue_token("read_products read_store");
    // Seed the store through a connection with the tokens.
    let seed = format!(
        "{};OAuthAccessToken={access};OAuthRefreshToken={refresh}",
        oauth_str(
            &sb,
            "REFRESH",
            store.to_str().unwrap(),
            "http://localhost:33333"
        )
    );
    let (e, d) = connected(&seed, DriverConnectOption::NoPrompt);
    disconnect(e, d);
    // The children take their tokens from the store only.
    let conn = oauth_str(
        &sb,
        "REFRESH",
        store.to_str().unwrap(),
        "http://localhost:33333",
    );
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(&exe)
                .args([
                    "child_refresher",
                    "--exact",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env("JS_OAUTH_CHILD_CONN", &conn)
                .env("JS_OAUTH_CHILD_DIR", dir.as_os_str())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let until = Instant::now() + Duration::from_secs(60);
    while std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("ready.")
        })
        .count()
        < 2
    {
        assert!(Instant::now() < until, "children did not get ready");
        std::thread::sleep(Duration::from_millis(10));
    }
    sb.expire_access_tokens();
    std::fs::write(dir.join("go"), "").unwrap();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a child failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The store holds a working pair: a new connection uses it as is.
    let v = store_json(&store);
    assert_ne!(field(&v, "refresh_token"), refresh);
    let (e, d) = connected(&conn, DriverConnectOption::NoPrompt);
    assert_eq!(count_products(d), "120");
    disconnect(e, d);
    assert_eq!(
        field(&store_json(&store), "access_token"),
        field(&v, "access_token"),
        "no further refresh was needed"
    );
}

fn stmt_rows(st: *mut c_void) -> Vec<Vec<Option<String>>> {
    let mut ncols = 0i16;
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLNumResultCols(st, &mut ncols) };
    let mut rows = Vec::new();
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    while unsafe { SQLFetch(st) } == SQL_SUCCESS {
        rows.push((1..=ncols as u16).map(|i| get_text(st, i)).collect());
    }
    rows
}

#[test]
fn stored_procedures_get_and_refresh_tokens() {
    let sb = sandbox();
    let dir = tmpdir("procs-sp");
    let store = dir.join("store.json");
    let callback = "http://localhost:33999/cb";
    let log = dir.join("sp.log");
    // OFF without a token: connects unverified, with a warning.
    let s = format!(
        "{};Logfile={};Verbosity=5",
        oauth_str(&sb, "OFF", store.to_str().unwrap(), callback),
        log.display()
    );
    let e = env();
    let d = dbc(e);
    assert_eq!(
        connect_mode(d, &s, DriverConnectOption::NoPrompt).0,
        SQL_SUCCESS_WITH_INFO,
        "{:?}",
        diag(HandleType::Dbc, d)
    );
    let w = diag(HandleType::Dbc, d);
    assert!(
        w.iter()
            .any(|(st, m)| st == "01000" && m.contains("GetOAuthAccessToken")),
        "{w:?}"
    );
    let err = query_error(d, "SELECT id FROM Products");
    assert_eq!(err[0].0, "28000", "{err:?}");

    // SQLProcedures / SQLProcedureColumns describe them.
    let st = stmt(d);
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { SQLProcedures(st, nul(), 0, nul(), 0, nul(), 0) },
        SQL_SUCCESS
    );
    let names: Vec<String> = stmt_rows(st)
        .into_iter()
        .map(|r| r[2].clone().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "GetOAuthAccessToken",
            "GetOAuthAuthorizationURL",
            "GetShippingRates",
            "RefreshOAuthAccessToken",
            "SyncCache"
        ]
    );
    let p = "GetOAuthAccessToken";
    assert_eq!(
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe {
            SQLProcedureColumns(st, nul(), 0, nul(), 0, p.as_ptr(), p.len() as i16, nul(), 0)
        },
        SQL_SUCCESS
    );
    let cols: Vec<(String, String)> = stmt_rows(st)
        .into_iter()
        .map(|r| (r[3].clone().unwrap(), r[4].clone().unwrap()))
        .collect();
    let want: Vec<(String, String)> = [
        ("AuthMode", "1"),
        ("Verifier", "1"),
        ("CallbackURL", "1"),
        ("Scope", "1"),
        ("State", "1"),
        ("OAuthAccessToken", "3"),
        ("OAuthRefreshToken", "3"),
        ("ExpiresIn", "3"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(cols, want);
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLFreeHandle(HandleType::Stmt as i16, st) };

    // The URL, with our state; a browser elsewhere gives the code.
    let rows = query(
        d,
        "{call GetOAuthAuthorizationURL(NULL, 'read_products read_store', 'my-state')}",
    );
    let url = rows[0][0].clone().unwrap();
    assert!(
        url.contains("state=my-state")
            && url.contains("scope=read_products+read_store")
            && url.contains("redirect_uri=http%3A%2F%2Flocalhost%3A33999%2Fcb"),
        "{url}"
    );
    let code = code_from(&url);
    let rows = query(
        d,
        &format!("EXEC GetOAuthAccessToken @AuthMode='WEB', @Verifier='{code}'"),
    );
    let (access, refresh) = (rows[0][0].clone().unwrap(), rows[0][1].clone().unwrap());
    assert_eq!(rows[0][2].as_deref(), Some("3600"));
    assert_eq!(field(&store_json(&store), "access_token"), access, "stored");
    // The connection uses the new token at once.
    assert_eq!(count_products(d), "120");

    let rows = query(d, &format!("{{call RefreshOAuthAccessToken('{refresh}')}}"));
    let (access2, refresh2) = (rows[0][0].clone().unwrap(), rows[0][1].clone().unwrap());
    assert!(access2 != access && refresh2 != refresh);
    assert_eq!(field(&store_json(&store), "refresh_token"), refresh2);
    sb.expire_access_tokens();
    let rows = query(d, "EXEC RefreshOAuthAccessToken");
    assert_ne!(
        rows[0][1].clone().unwrap(),
        refresh2,
        "the current refresh token is used by default"
    );

    // A spent code and unknown names are errors with a message.
    let err = query_error(d, &format!("EXEC GetOAuthAccessToken @Verifier='{code}'"));
    assert_eq!(err[0].0, "28000", "{err:?}");
    assert!(!err[0].1.contains(&code));
    let err = query_error(d, "{call NoSuchProcedure()}");
    assert_eq!(err[0].0, "42000");
    assert!(err[0].1.contains("GetOAuthAuthorizationURL"), "{err:?}");
    disconnect(e, d);
    let text = std::fs::read_to_string(&log).unwrap();
    for secret in [
        "sandbox-secret",
        &code,
        &access,
        &refresh,
        &access2,
        &refresh2,
    ] {
        assert!(!text.contains(secret), "the log leaks a secret");
    }
}

#[test]
fn the_auth_command_writes_a_store_the_driver_uses() {
    let sb = sandbox();
    let dir = tmpdir("cli");
    let bin = env!("CARGO_BIN_EXE_jumpseller-odbc");
    let b = sb.base_url();
    let run = |extra: &[&str], store: &Path, callback: &str, browser: Option<&Path>| {
        let mut c = std::process::Command::new(bin);
        c.args([
            "auth",
            "--client-id",
            "sandbox-client",
            "--client-secret",
            "sandbox-secret",
            "--callback-url",
            callback,
            "--url",
            &sb.url(),
        ])
        .args([
            "--authorization-url",
            &format!("{b}/oauth/authorize"),
            "--token-url",
            &format!("{b}/oauth/token"),
        ])
        .args([
            "--settings-location",
            store.to_str().unwrap(),
            "--timeout",
            "30",
        ])
        .args(extra)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
        match browser {
            Some(p) => c.env("BROWSER", p),
            None => c.env_remove("BROWSER"),
        };
        c.output().unwrap()
    };
    // With a code from a browser elsewhere.
    let callback = "http://localhost:33333";
    let mut app_url = format!("{b}/oauth/authorize?client_id=sandbox-client&response_type=code&scope=read_products+read_store&redirect_uri=");
    app_url.push_str("http%3A%2F%2Flocalhost%3A33333");
    let code = code_from(&app_url);
    let store = dir.join("a").join("store.json");
    let out = run(&["--verifier", &code], &store, callback, None);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(store.to_str().unwrap()), "{stdout}");
    let v = store_json(&store);
    assert!(
        !stdout.contains(&field(&v, "access_token"))
            && !stdout.contains(&field(&v, "refresh_token"))
            && !stdout.contains(&code)
    );
    assert_eq!(
        std::fs::metadata(&store).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let (e, d) = connected(
        &oauth_str(&sb, "GETANDREFRESH", store.to_str().unwrap(), callback),
        DriverConnectOption::NoPrompt,
    );
    assert_eq!(count_products(d), "120");
    disconnect(e, d);

    // With a browser: the command listens on the callback.
    let store2 = dir.join("b.json");
    let callback2 = format!("http://127.0.0.1:{}/cb", free_port());
    let script = browser_script(&dir, "s/x/x/");
    let out = run(&[], &store2, &callback2, Some(&script));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("/oauth/authorize?"));
    let (e, d) = connected(
        &oauth_str(&sb, "REFRESH", store2.to_str().unwrap(), &callback2),
        DriverConnectOption::NoPrompt,
    );
    assert_eq!(count_products(d), "120");
    disconnect(e, d);

    // No browser and no verifier: the URL and the --verifier way.
    let out = run(&[], &dir.join("c.json"), "http://example.com/cb", None);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("/oauth/authorize?") && err.contains("--verifier"),
        "{err}"
    );
}

//! Which tokens an OAuth connection starts from, for every combination of
//! what the connection string gives (access token or not, refresh token or
//! not) and what the token store holds (nothing, good tokens, an expired
//! access token, a refresh token alone, tokens another process has already
//! refreshed and rotated), for InitiateOAuth=REFRESH and GETANDREFRESH; and
//! several processes starting at once from one refresh token. Direct calls
//! into the driver against the sandbox's OAuth server.

#![warn(clippy::undocumented_unsafe_blocks)]
#![allow(unused_unsafe)]

mod common;

use common::*;
use jumpseller_odbc::ffi::*;
use jumpseller_sandbox::Sandbox;
use std::os::raw::c_void;
use std::path::{Path, PathBuf};
use std::ptr::null_mut;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A folder of this test's own, removed when dropped.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("js-oauth-matrix-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn store(&self) -> PathBuf {
        self.0.join("store.json")
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn oauth_str(sb: &Sandbox, initiate: &str, store: &Path) -> String {
    format!(
        "URL={};AuthScheme=OAuth;InitiateOAuth={initiate};OAuthClientId=sandbox-client;OAuthClientSecret=sandbox-secret;OAuthSettingsLocation={};OAuthAuthorizationURL={b}/oauth/authorize;OAuthAccessTokenURL={b}/oauth/token;MaxRequestsPerSecond=10000;MaxRequestsPerMinute=600000",
        sb.url(),
        store.display(),
        b = sb.base_url()
    )
}

/// SQLDriverConnect with SQL_DRIVER_NOPROMPT: Ok(products counted) or Err(SQLSTATE, message).
fn try_connect(s: &str) -> Result<String, (String, String)> {
    let e = env();
    let d = dbc(e);
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    let rc = unsafe {
        SQLDriverConnect(
            d,
            null_mut(),
            s.as_ptr(),
            s.len() as i16,
            null_mut(),
            0,
            null_mut(),
            0,
        )
    };
    if rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO {
        let n = query(d, "SELECT COUNT(*) FROM Products")[0][0]
            .clone()
            .unwrap();
        disconnect(e, d);
        return Ok(n);
    }
    let dg = diag(HandleType::Dbc, d);
    free(e, d);
    Err(dg.into_iter().find(|(s, _)| !s.starts_with("01")).unwrap())
}

fn free(e: *mut c_void, d: *mut c_void) {
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe {
        SQLFreeHandle(HandleType::Dbc as i16, d);
        SQLFreeHandle(HandleType::Env as i16, e);
    }
}

fn store_field(p: &Path, k: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    v[k].as_str().unwrap_or_default().to_string()
}

fn two_hours_ago_ms() -> u128 {
    (SystemTime::now().duration_since(UNIX_EPOCH).unwrap() - Duration::from_secs(7200)).as_millis()
}

/// What the connection string gives.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Given {
    Nothing,
    Access,
    ExpiredAccess,
    Refresh,
    AccessAndRefresh,
    ExpiredAccessAndRefresh,
}

/// What the store holds before the connection.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Stored {
    Absent,
    /// Good tokens of another origin (a browser sign-in, say).
    Good,
    /// Tokens whose access token has expired.
    Expired,
    /// A refresh token and no access token.
    RefreshOnly,
    /// The connection string's own tokens, already refreshed (and the
    /// refresh token rotated) by another process.
    RotatedFromGiven,
}

/// Writes a store file as the driver does (version 1).
fn write_store(
    path: &Path,
    access: &str,
    refresh: &str,
    expires_at: Option<u64>,
    origin: Option<&str>,
) {
    let v = serde_json::json!({
        "version": 1, "client_id": "sandbox-client", "access_token": access,
        "refresh_token": refresh, "expires_in": 3600, "created_at": 1,
        "expires_at": expires_at, "origin": origin,
    });
    std::fs::write(path, v.to_string()).unwrap();
}

fn case(
    sb: &Sandbox,
    initiate: &str,
    given: Given,
    stored: Stored,
) -> Result<String, (String, String)> {
    let dir = Dir::new(&format!("{initiate}-{given:?}-{stored:?}"));
    let store = dir.store();
    let scope = "read_products read_store";
    let (access, refresh) = sb.issue_token(scope);
    let mut s = oauth_str(sb, initiate, &store);
    match given {
        Given::Nothing => {}
        Given::Access => s += &format!(";OAuthAccessToken={access}"),
        Given::ExpiredAccess => s += &format!(
            ";OAuthAccessToken={access};OAuthExpiresIn=3600;OAuthTokenTimestamp={}",
            two_hours_ago_ms()
        ),
        Given::Refresh => s += &format!(";OAuthRefreshToken={refresh}"),
        Given::AccessAndRefresh => s += &format!(";OAuthAccessToken={access};OAuthRefreshToken={refresh}"),
        Given::ExpiredAccessAndRefresh => s += &format!(
            ";OAuthAccessToken={access};OAuthRefreshToken={refresh};OAuthExpiresIn=3600;OAuthTokenTimestamp={}",
            two_hours_ago_ms()
        ),
    }
    let (other_access, other_refresh) = sb.issue_token(scope);
    match stored {
        Stored::Absent => {}
        Stored::Good => write_store(&store, &other_access, &other_refresh, None, Some("browser")),
        Stored::Expired => write_store(
            &store,
            &other_access,
            &other_refresh,
            Some(1),
            Some("browser"),
        ),
        Stored::RefreshOnly => write_store(&store, "", &other_refresh, None, Some("browser")),
        Stored::RotatedFromGiven => {
            if matches!(given, Given::Nothing | Given::Access | Given::ExpiredAccess) {
                return Ok("n/a".into()); // nothing to refresh with: no rotation
            }
            // This connection string adopted into the store, then another
            // process refreshed: the given refresh token is now retired.
            try_connect(&s).expect("the first connection works");
            let rotating = oauth_str(sb, "REFRESH", &store);
            sb.expire_access_tokens();
            try_connect(&rotating).expect("the store-only connection refreshes");
            assert_ne!(store_field(&store, "refresh_token"), refresh, "rotated");
        }
    }
    let r = try_connect(&s);
    if r.is_ok() && store.exists() {
        // What the driver left behind is a valid store a later connection can use.
        let later = oauth_str(sb, "REFRESH", &store);
        assert_eq!(
            try_connect(&later).map_err(|e| e.1),
            Ok("120".into()),
            "{given:?} {stored:?}: the store is usable"
        );
    }
    r
}

/// The expected outcome: Ok, or the SQLSTATE of the refusal.
fn expected(initiate: &str, given: Given, stored: Stored) -> Result<(), &'static str> {
    use Given::*;
    match (given, stored) {
        // Nothing usable anywhere: REFRESH refuses; GETANDREFRESH would open a
        // browser, which NOPROMPT forbids.
        (Nothing, Stored::Absent) => Err("28000"),
        // An access token that is known to be expired, with no refresh token
        // given and none in the store descending from it (the store's own
        // tokens belong to another origin and are replaced by the given ones).
        (ExpiredAccess, Stored::Absent | Stored::Good | Stored::Expired | Stored::RefreshOnly) => {
            Err("28000")
        }
        _ => {
            let _ = initiate; // both modes behave alike once tokens exist
            Ok(())
        }
    }
}

#[test]
fn every_combination_of_given_and_stored_tokens_connects_or_is_refused_clearly() {
    let sb = sandbox();
    let mut wrong = Vec::new();
    for initiate in ["REFRESH", "GETANDREFRESH"] {
        for given in [
            Given::Nothing,
            Given::Access,
            Given::ExpiredAccess,
            Given::Refresh,
            Given::AccessAndRefresh,
            Given::ExpiredAccessAndRefresh,
        ] {
            for stored in [
                Stored::Absent,
                Stored::Good,
                Stored::Expired,
                Stored::RefreshOnly,
                Stored::RotatedFromGiven,
            ] {
                let got = case(&sb, initiate, given, stored);
                if matches!(&got, Ok(n) if n == "n/a") {
                    continue;
                }
                let want = expected(initiate, given, stored);
                let ok = match (&got, want) {
                    (Ok(n), Ok(())) => n == "120",
                    (Err((state, _)), Err(w)) => state == w,
                    _ => false,
                };
                if !ok {
                    wrong.push(format!(
                        "{initiate} {given:?} {stored:?}: got {got:?}, want {want:?}"
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn a_refresh_token_alone_with_no_store_yet_connects_and_leaves_a_valid_store() {
    let sb = sandbox();
    let dir = Dir::new("refresh-alone");
    let store = dir.store();
    let (_, refresh) = sb.issue_token("read_products read_store");
    let s = format!(
        "{};OAuthRefreshToken={refresh}",
        oauth_str(&sb, "REFRESH", &store)
    );
    assert_eq!(try_connect(&s), Ok("120".into()));
    assert!(
        !store_field(&store, "access_token").is_empty(),
        "refreshed at connect"
    );
    // The same string again: the store (descending from it) wins over the
    // retired refresh token.
    assert_eq!(try_connect(&s), Ok("120".into()));
}

/// A child of `processes_starting_at_once_from_one_refresh_token_all_connect`
/// (does nothing when run as an ordinary test).
#[test]
fn child_connector() {
    let Ok(conn) = std::env::var("JS_MATRIX_CHILD_CONN") else {
        return;
    };
    let dir = PathBuf::from(std::env::var("JS_MATRIX_CHILD_DIR").unwrap());
    let until = Instant::now() + Duration::from_secs(60);
    while !dir.join("go").exists() {
        assert!(Instant::now() < until, "no go signal");
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(try_connect(&conn).map_err(|e| e.1), Ok("120".into()));
}

#[test]
fn processes_starting_at_once_from_one_refresh_token_all_connect() {
    let sb = sandbox();
    let exe = std::env::current_exe().unwrap();
    for round in 0..3 {
        let dir = Dir::new(&format!("procs-{round}"));
        let store = dir.store();
        let (access, refresh) = sb.issue_token("read_products read_store");
        // An expired access token and an empty store: every process wants to refresh.
        let conn = format!(
            "{};OAuthAccessToken={access};OAuthRefreshToken={refresh};OAuthExpiresIn=3600;OAuthTokenTimestamp={}",
            oauth_str(&sb, "REFRESH", &store),
            two_hours_ago_ms()
        );
        let children: Vec<_> = (0..6)
            .map(|_| {
                std::process::Command::new(&exe)
                    .args([
                        "child_connector",
                        "--exact",
                        "--nocapture",
                        "--test-threads=1",
                    ])
                    .env("JS_MATRIX_CHILD_CONN", &conn)
                    .env("JS_MATRIX_CHILD_DIR", &dir.0)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        std::thread::sleep(Duration::from_millis(300));
        std::fs::write(dir.0.join("go"), "").unwrap();
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: a process failed:\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        // The store is left holding a refresh token the server still honours.
        let later = oauth_str(&sb, "REFRESH", &store);
        sb.expire_access_tokens();
        assert_eq!(
            try_connect(&later).map_err(|e| e.1),
            Ok("120".into()),
            "round {round}"
        );
    }
}

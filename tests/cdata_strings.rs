//! Connection strings as CData documents them for its API driver's
//! Jumpseller profile, pasted into SQLDriverConnect against the sandbox:
//! ProfileSettings, the OAuth GETANDREFRESH example, the keys without
//! effect (one warning), log rotation, and the proxies (SOCKS4, SOCKS5 with
//! a login, an http tunnel, ProxyAuthScheme, ProxyExceptions) through small
//! proxies the tests start on 127.0.0.1, which count what they carry.

#![warn(clippy::undocumented_unsafe_blocks)]
#![allow(unused_unsafe)]

mod common;

use common::*;
use jumpseller_odbc::ffi::*;
use jumpseller_sandbox::Sandbox;
use proxy::{Proxy, ProxyKind};
use std::os::raw::c_void;
use std::os::unix::fs::PermissionsExt;
use std::ptr::null_mut;

/// What CData's profile takes as credentials, for the sandbox's store.
const PROFILE_SETTINGS: &str = "ProfileSettings='Login=sandbox;AuthToken=sandbox-authtoken'";

/// The sandbox's address and a budget that never slows a test down.
fn sandbox_keys(sb: &Sandbox) -> String {
    format!(
        "URL={};MaxRequestsPerSecond=10000;MaxRequestsPerMinute=600000",
        sb.url()
    )
}

/// CData's Basic example, pointed at the sandbox.
fn basic_example(sb: &Sandbox) -> String {
    format!(
        "Profile=C:\\profiles\\Jumpseller.apip;{PROFILE_SETTINGS};{}",
        sandbox_keys(sb)
    )
}

/// A connection attempt: (rc, diagnostic records, env, dbc); the handles
/// stay open for queries (`close` frees them).
fn open(s: &str) -> (i16, Vec<(String, String)>, *mut c_void, *mut c_void) {
    let e = env();
    let d = dbc(e);
    let (rc, _) = driver_connect(d, s);
    let records = diag(HandleType::Dbc, d);
    (rc, records, e, d)
}

fn close(rc: i16, e: *mut c_void, d: *mut c_void) {
    if rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO {
        disconnect(e, d);
    } else {
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe {
            SQLFreeHandle(HandleType::Dbc as i16, d);
            SQLFreeHandle(HandleType::Env as i16, e);
        }
    }
}

/// Connects, checks the store answers, and returns the diagnostics.
fn connects_and_counts(s: &str) -> Vec<(String, String)> {
    let (rc, records, e, d) = open(s);
    assert!(
        rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO,
        "{s}: {records:?}"
    );
    assert_eq!(
        query(d, "SELECT COUNT(*) FROM Products")[0][0].as_deref(),
        Some("120")
    );
    close(rc, e, d);
    records
}

/// The 08001 message of a connection that must fail.
fn refused(s: &str) -> String {
    let (rc, records, e, d) = open(s);
    close(rc, e, d);
    assert_eq!(rc, SQL_ERROR, "{s}: {records:?}");
    let (state, message) = records
        .into_iter()
        .find(|(state, _)| !state.starts_with("01"))
        .unwrap();
    assert_eq!(state, "08001", "{message}");
    message
}

fn warnings(records: &[(String, String)]) -> Vec<&str> {
    records
        .iter()
        .filter(|(s, _)| s == "01S00")
        .map(|(_, m)| m.as_str())
        .collect()
}

#[test]
fn the_basic_example_with_profile_settings_connects() {
    let sb = sandbox();
    let records = connects_and_counts(&basic_example(&sb));
    // Only the note that the .apip path means the built-in profile.
    assert_eq!(warnings(&records).len(), 1, "{records:?}");
    assert!(records[0].1.contains("built-in"), "{records:?}");
    // Double quotes, as CData also writes them.
    let s = basic_example(&sb).replace('\'', "\"");
    connects_and_counts(&s);
}

#[test]
fn a_key_given_directly_wins_over_profile_settings() {
    let sb = sandbox();
    let s = format!(
        "ProfileSettings='Login=sandbox;AuthToken=wrong-token';AuthToken=sandbox-authtoken;{}",
        sandbox_keys(&sb)
    );
    assert!(warnings(&connects_and_counts(&s)).is_empty());
    let s = format!(
        "ProfileSettings='Login=sandbox;AuthToken=sandbox-authtoken';AuthToken=wrong-token;{}",
        sandbox_keys(&sb)
    );
    let (rc, records, e, d) = open(&s);
    close(rc, e, d);
    assert_eq!(rc, SQL_ERROR, "{records:?}");
    assert_eq!(records[0].0, "28000", "{records:?}");
    assert!(
        records
            .iter()
            .all(|(_, m)| !m.contains("sandbox-authtoken")),
        "{records:?}"
    );
}

/// CData's OAuth example (`Authscheme=OAuth;InitiateOAuth=GETANDREFRESH;
/// OAuthClientId;OAuthClientSecret;CallbackUrl`) with the sandbox's
/// endpoints: a script stands in for the browser and follows the
/// authorization server's redirect to the callback.
#[test]
fn the_oauth_getandrefresh_example_connects() {
    let sb = sandbox();
    let dir = TempDir::new("cdata-oauth");
    let browser = dir.join("browser.sh");
    std::fs::write(&browser, "#!/bin/sh\ncurl -s -L -o /dev/null \"$1\"\n").unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    let callback_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let s = format!(
        "Profile=C:\\profiles\\Jumpseller.apip;Authscheme=OAuth;InitiateOAuth=GETANDREFRESH;OAuthClientId=sandbox-client;OAuthClientSecret=sandbox-secret;CallbackUrl=http://127.0.0.1:{callback_port};{};OAuthAuthorizationURL={b}/oauth/authorize;OAuthAccessTokenURL={b}/oauth/token;OAuthSettingsLocation={}",
        sandbox_keys(&sb),
        dir.join("tokens.json").display(),
        b = sb.base_url()
    );
    std::env::set_var("BROWSER", &browser);
    let e = env();
    let d = dbc(e);
    let mut out = vec![0u8; 4096];
    let mut len = 0i16;
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    let rc = unsafe {
        SQLDriverConnect(
            d,
            null_mut(),
            s.as_ptr(),
            s.len() as i16,
            out.as_mut_ptr(),
            out.len() as i16,
            &mut len,
            DriverConnectOption::Complete as u16,
        )
    };
    std::env::remove_var("BROWSER");
    assert_eq!(rc, SQL_SUCCESS_WITH_INFO, "{:?}", diag(HandleType::Dbc, d));
    assert_eq!(
        query(d, "SELECT COUNT(*) FROM Products")[0][0].as_deref(),
        Some("120")
    );
    disconnect(e, d);
    let stored = std::fs::read_to_string(dir.join("tokens.json")).unwrap();
    assert!(stored.contains("refresh_token"), "{stored}");
}

/// A string with every kind of CData key: the ones honoured change what
/// they say, the others are named in one warning, with why.
#[test]
fn cdata_keys_are_honoured_or_named_in_one_warning() {
    let sb = sandbox();
    let s = format!(
        "{};Other='DefaultColumnSize=2000;ConvertDateTimeToGMT=true';UseConnectionPooling=true;PoolMaxSize=10;PoolMinSize=1;PoolIdleTimeout=60;PoolWaitTime=60;LogModules='INFO;EXEC';RTK=5246444F4E;SupportEnhancedSQL=true;Readonly=true;Timeout=30;MaxRows=-1;ConnectOnOpen=true;FirewallType=NONE",
        basic_example(&sb)
    );
    let (rc, records, e, d) = open(&s);
    assert_eq!(rc, SQL_SUCCESS_WITH_INFO, "{records:?}");
    let w = warnings(&records);
    assert_eq!(w.len(), 2, "the .apip note and one list: {records:?}");
    let list = w[1];
    for part in [
        "These connection properties have no effect with this driver",
        "DefaultColumnSize (not a property of this driver), ConvertDateTimeToGMT.",
        "UseConnectionPooling (pooling is done by the driver manager: Pooling=Yes and CPTimeout in odbcinst.ini, or SQL_ATTR_CONNECTION_POOLING), PoolMaxSize, PoolMinSize, PoolIdleTimeout, PoolWaitTime,",
        "LogModules (the log has levels (Verbosity), not modules)",
        "RTK (no licence key is needed)",
        "SupportEnhancedSQL",
    ] {
        assert!(list.contains(part), "{part}\n{list}");
    }
    assert!(!list.contains("5246444F4E"), "{list}");
    // MaxRows=-1 is no limit; Readonly is ReadOnly.
    assert_eq!(query(d, "SELECT id FROM Products").len(), 120);
    let err = query_error(d, "DELETE FROM Products WHERE id = 1");
    assert!(err[0].1.contains("read-only"), "{err:?}");
    close(rc, e, d);
}

#[test]
fn connect_on_open_true_refuses_a_connection_it_cannot_verify() {
    let sb = sandbox();
    let message = refused(&format!(
        "AuthScheme=OAuth;InitiateOAuth=OFF;ConnectOnOpen=true;{}",
        sandbox_keys(&sb)
    ));
    assert!(message.contains("no credential to verify"), "{message}");
    // Without it, the connection opens for the OAuth procedures (a note).
    let (rc, records, e, d) = open(&format!(
        "AuthScheme=OAuth;InitiateOAuth=OFF;ConnectOnOpen=false;{}",
        sandbox_keys(&sb)
    ));
    close(rc, e, d);
    assert_eq!(rc, SQL_SUCCESS_WITH_INFO, "{records:?}");
    assert!(
        warnings(&records)[0].contains("ConnectOnOpen=false (the credentials are verified"),
        "{records:?}"
    );
}

#[test]
fn the_log_rotates_at_max_log_file_size_keeping_max_log_file_count() {
    let sb = sandbox();
    let dir = TempDir::new("cdata-log");
    let log = dir.join("driver.log");
    let s = format!(
        "{};Logfile={};Verbosity=5;MaxLogFileSize='4 KB';MaxLogFileCount=3",
        basic_example(&sb),
        log.display()
    );
    // Enough connections for more than three files' worth of log.
    for _ in 0..8 {
        let records = connects_and_counts(&s);
        assert_eq!(warnings(&records).len(), 1, "{records:?}");
    }
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["driver.log", "driver.log.1", "driver.log.2"]);
    for name in &names {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.len() <= 4096 || text.lines().count() == 1,
            "{name}: {} bytes in {} lines",
            text.len(),
            text.lines().count()
        );
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name}");
        assert!(!text.contains("sandbox-authtoken"), "{name}");
    }
    let message = refused(&format!(
        "{};Logfile={};MaxLogFileSize=10 TB",
        basic_example(&sb),
        log.display()
    ));
    assert!(message.contains("MaxLogFileSize"), "{message}");
}

#[test]
fn socks5_firewall_carries_the_requests_and_sends_the_login() {
    let sb = sandbox();
    let proxy = Proxy::start(ProxyKind::Socks5);
    let s = format!(
        "{};FirewallType=SOCKS5;FirewallServer=127.0.0.1;FirewallPort={};FirewallUser=fw-user;FirewallPassword=fw-S3CR3T",
        basic_example(&sb),
        proxy.port
    );
    let records = connects_and_counts(&s);
    assert!(records.iter().all(|(_, m)| !m.contains("fw-S3CR3T")));
    assert!(proxy.carried() >= 1, "the proxy carried nothing");
    assert_eq!(proxy.logins()[0], "fw-user:fw-S3CR3T");
    // Without a login the proxy is asked for no authentication.
    let quiet = Proxy::start(ProxyKind::Socks5);
    connects_and_counts(&format!(
        "{};FirewallType=SOCKS5;FirewallServer=127.0.0.1:{}",
        basic_example(&sb),
        quiet.port
    ));
    assert!(quiet.carried() >= 1);
    assert!(quiet.logins().is_empty(), "{:?}", quiet.logins());
}

#[test]
fn socks4_firewall_carries_the_requests_and_refuses_a_login() {
    let sb = sandbox();
    let proxy = Proxy::start(ProxyKind::Socks4);
    connects_and_counts(&format!(
        "{};FirewallType=SOCKS4;FirewallServer=127.0.0.1;FirewallPort={}",
        basic_example(&sb),
        proxy.port
    ));
    assert!(proxy.carried() >= 1, "the proxy carried nothing");
    let message = refused(&format!(
        "{};FirewallType=SOCKS4;FirewallServer=127.0.0.1;FirewallPort={};FirewallUser=u",
        basic_example(&sb),
        proxy.port
    ));
    assert!(message.contains("use SOCKS5"), "{message}");
}

#[test]
fn tunnel_firewall_is_an_http_proxy_with_basic_credentials() {
    let sb = sandbox();
    let proxy = Proxy::start(ProxyKind::Http);
    connects_and_counts(&format!(
        "{};FirewallType=TUNNEL;FirewallServer=127.0.0.1;FirewallPort={};FirewallUser=tu;FirewallPassword=tp",
        basic_example(&sb),
        proxy.port
    ));
    assert!(proxy.carried() >= 1, "the proxy carried nothing");
    // Basic base64("tu:tp")
    assert!(
        proxy.logins().iter().all(|l| l == "Basic dHU6dHA="),
        "{:?}",
        proxy.logins()
    );
    assert!(!proxy.logins().is_empty());
    // https goes through CONNECT (here to a host that does not exist).
    let message = refused(&format!(
        "{PROFILE_SETTINGS};URL=https://api.jumpseller.invalid/v1;Timeout=5;FirewallType=TUNNEL;FirewallServer=127.0.0.1:{}",
        proxy.port
    ));
    assert!(!message.is_empty());
    assert!(
        proxy
            .requests()
            .iter()
            .any(|r| r.starts_with("CONNECT api.jumpseller.invalid:443 ")),
        "{:?}",
        proxy.requests()
    );
}

#[test]
fn proxy_auth_scheme_none_sends_no_credentials_and_basic_does() {
    let sb = sandbox();
    let proxy = Proxy::start(ProxyKind::Http);
    let with = |scheme: &str| {
        format!(
            "{};ProxyServer=127.0.0.1;ProxyPort={};ProxyUser=pu;ProxyPassword=pp{scheme}",
            basic_example(&sb),
            proxy.port
        )
    };
    let records = connects_and_counts(&with(";ProxyAuthScheme=NONE"));
    assert!(
        warnings(&records)[1]
            .contains("ProxyUser (ProxyAuthScheme=NONE sends no credentials), ProxyPassword"),
        "{records:?}"
    );
    assert!(proxy.carried() >= 1);
    assert!(proxy.logins().is_empty(), "{:?}", proxy.logins());
    connects_and_counts(&with(";ProxyAuthScheme=BASIC"));
    assert_eq!(proxy.logins()[0], "Basic cHU6cHA=");
    for scheme in ["DIGEST", "NTLM", "NEGOTIATE"] {
        let message = refused(&with(&format!(";ProxyAuthScheme={scheme}")));
        assert!(message.contains("BASIC only"), "{message}");
    }
}

#[test]
fn proxy_exceptions_reach_listed_hosts_directly() {
    let sb = sandbox();
    let http = Proxy::start(ProxyKind::Http);
    connects_and_counts(&format!(
        "{};ProxyServer=http://127.0.0.1:{};ProxyExceptions='api.example.invalid;127.0.0.1'",
        basic_example(&sb),
        http.port
    ));
    assert_eq!(http.carried(), 0);
    let socks = Proxy::start(ProxyKind::Socks5);
    connects_and_counts(&format!(
        "{};FirewallType=SOCKS5;FirewallServer=127.0.0.1;FirewallPort={};ProxyExceptions=127.0.0.1",
        basic_example(&sb),
        socks.port
    ));
    assert_eq!(socks.carried(), 0);
    // A host not listed still goes through the proxy.
    connects_and_counts(&format!(
        "{};ProxyServer=http://127.0.0.1:{};ProxyExceptions=api.example.invalid",
        basic_example(&sb),
        http.port
    ));
    assert!(http.carried() >= 1);
}

#[test]
fn two_proxies_at_once_are_refused() {
    let sb = sandbox();
    let message = refused(&format!(
        "{};ProxyServer=127.0.0.1:3128;FirewallType=SOCKS5;FirewallServer=127.0.0.1",
        basic_example(&sb)
    ));
    assert!(
        message.contains("ProxyServer and FirewallType=SOCKS5 each choose a proxy"),
        "{message}"
    );
    let message = refused(&format!(
        "{};ProxyAutoDetect=true;FirewallType=TUNNEL;FirewallServer=127.0.0.1",
        basic_example(&sb)
    ));
    assert!(message.contains("ProxyAutoDetect=true"), "{message}");
}

/// Mistakes in CData's quoting and bags: connecting fails or warns, and no
/// message shows a secret (the text of a bag, FirewallPassword, a token).
#[test]
fn mistakes_in_cdata_strings_never_show_a_secret() {
    let sb = sandbox();
    let keys = sandbox_keys(&sb);
    for s in [
        // An unclosed quote: the bag is `'Login=me`, the token a key of its own.
        format!("ProfileSettings='Login=me;AuthToken=S3CR3T-a;{keys}"),
        // A missing ';' inside the bag.
        format!("ProfileSettings='Login=me;Pagesize=5 AuthToken=S3CR3T-b';{keys}"),
        // A token glued into an unknown inner key's name.
        format!("{PROFILE_SETTINGS};Other='AuthTokenS3CR3T-c=1;X9S3CR3T-c=2';{keys}"),
        // No '=' in the bag.
        format!("ProfileSettings='S3CR3T-d';{keys}"),
        format!("{PROFILE_SETTINGS};FirewallType=SOCKS4;FirewallServer=127.0.0.1;FirewallUser=u;FirewallPassword=S3CR3T-e;{keys}"),
        format!("{PROFILE_SETTINGS};FirewallType=SOCKS5;FirewallPassword=S3CR3T-f;{keys}"),
        format!("ProfileSettings=\"Login=sandbox;AuthToken=S3CR3T-g\";{keys}"),
    ] {
        let (rc, records, e, d) = open(&s);
        close(rc, e, d);
        assert!(!records.is_empty(), "{s}");
        assert!(
            rc == SQL_ERROR || s.contains("Other="),
            "{s}: {records:?}"
        );
        for (state, message) in &records {
            assert!(!message.contains("S3CR3T"), "{s}: {state} {message}");
        }
    }
}

/// Tiny proxies on 127.0.0.1 that carry connections to the sandbox and
/// record what they were asked: SOCKS4, SOCKS5 (with the username/password
/// method when offered) and http (CONNECT, and absolute-form requests
/// rewritten for the sandbox).
mod proxy {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{Shutdown, TcpListener, TcpStream};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Copy)]
    pub enum ProxyKind {
        Socks4,
        Socks5,
        Http,
    }

    #[derive(Default)]
    struct Seen {
        carried: AtomicUsize,
        /// SOCKS5 `user:password`, or Proxy-Authorization header values.
        logins: Mutex<Vec<String>>,
        /// http request lines.
        requests: Mutex<Vec<String>>,
    }

    pub struct Proxy {
        pub port: u16,
        seen: Arc<Seen>,
    }

    impl Proxy {
        pub fn start(kind: ProxyKind) -> Proxy {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let port = listener.local_addr().unwrap().port();
            let seen = Arc::new(Seen::default());
            let shared = seen.clone();
            std::thread::spawn(move || {
                for client in listener.incoming().flatten() {
                    let seen = shared.clone();
                    std::thread::spawn(move || {
                        let _ = match kind {
                            ProxyKind::Socks4 => socks4(client, &seen),
                            ProxyKind::Socks5 => socks5(client, &seen),
                            ProxyKind::Http => http(client, &seen),
                        };
                    });
                }
            });
            Proxy { port, seen }
        }

        /// Connections carried to a destination.
        pub fn carried(&self) -> usize {
            self.seen.carried.load(Ordering::SeqCst)
        }

        pub fn logins(&self) -> Vec<String> {
            self.seen.logins.lock().unwrap().clone()
        }

        pub fn requests(&self) -> Vec<String> {
            self.seen.requests.lock().unwrap().clone()
        }
    }

    fn bytes(s: &mut TcpStream, n: usize) -> std::io::Result<Vec<u8>> {
        let mut b = vec![0u8; n];
        s.read_exact(&mut b)?;
        Ok(b)
    }

    fn socks5(mut c: TcpStream, seen: &Seen) -> std::io::Result<()> {
        let hello = bytes(&mut c, 2)?;
        let methods = bytes(&mut c, hello[1] as usize)?;
        if methods.contains(&2) {
            // RFC 1929: VER ULEN UNAME PLEN PASSWD
            c.write_all(&[5, 2])?;
            let head = bytes(&mut c, 2)?;
            let user = bytes(&mut c, head[1] as usize)?;
            let plen = bytes(&mut c, 1)?[0] as usize;
            let password = bytes(&mut c, plen)?;
            seen.logins.lock().unwrap().push(format!(
                "{}:{}",
                String::from_utf8_lossy(&user),
                String::from_utf8_lossy(&password)
            ));
            c.write_all(&[1, 0])?;
        } else {
            c.write_all(&[5, 0])?;
        }
        let request = bytes(&mut c, 4)?;
        let host = match request[3] {
            1 => bytes(&mut c, 4)?
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join("."),
            3 => {
                let n = bytes(&mut c, 1)?[0] as usize;
                String::from_utf8_lossy(&bytes(&mut c, n)?).into_owned()
            }
            _ => return Ok(()),
        };
        let port = bytes(&mut c, 2)?;
        let upstream = TcpStream::connect((host.as_str(), u16::from_be_bytes([port[0], port[1]])))?;
        c.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0])?;
        seen.carried.fetch_add(1, Ordering::SeqCst);
        pipe(c, upstream)
    }

    fn socks4(mut c: TcpStream, seen: &Seen) -> std::io::Result<()> {
        // VN CD DSTPORT DSTIP USERID NUL
        let request = bytes(&mut c, 8)?;
        while bytes(&mut c, 1)?[0] != 0 {}
        let port = u16::from_be_bytes([request[2], request[3]]);
        let ip = std::net::Ipv4Addr::new(request[4], request[5], request[6], request[7]);
        let upstream = TcpStream::connect((ip, port))?;
        c.write_all(&[0, 0x5a, 0, 0, 0, 0, 0, 0])?;
        seen.carried.fetch_add(1, Ordering::SeqCst);
        pipe(c, upstream)
    }

    /// One http request head: its lines, without the blank one.
    fn head(r: &mut impl BufRead) -> std::io::Result<Vec<String>> {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            if r.read_line(&mut line)? == 0 {
                return Ok(Vec::new());
            }
            let line = line.trim_end().to_string();
            if line.is_empty() {
                return Ok(lines);
            }
            lines.push(line);
        }
    }

    fn http(c: TcpStream, seen: &Seen) -> std::io::Result<()> {
        let mut reader = BufReader::new(c.try_clone()?);
        let mut upstream: Option<TcpStream> = None;
        loop {
            let lines = head(&mut reader)?;
            let Some(first) = lines.first() else {
                break;
            };
            seen.requests.lock().unwrap().push(first.clone());
            let mut body = 0;
            let mut forwarded = Vec::new();
            for line in &lines[1..] {
                let (name, value) = line.split_once(':').unwrap_or((line, ""));
                if name.eq_ignore_ascii_case("Proxy-Authorization") {
                    seen.logins.lock().unwrap().push(value.trim().to_string());
                } else {
                    if name.eq_ignore_ascii_case("Content-Length") {
                        body = value.trim().parse().unwrap_or(0);
                    }
                    forwarded.push(line.clone());
                }
            }
            let mut parts = first.split(' ');
            let (method, target, version) = (
                parts.next().unwrap_or(""),
                parts.next().unwrap_or(""),
                parts.next().unwrap_or(""),
            );
            if method == "CONNECT" {
                let mut c = c;
                return match TcpStream::connect(target) {
                    Ok(up) => {
                        c.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
                        seen.carried.fetch_add(1, Ordering::SeqCst);
                        pipe(c, up)
                    }
                    Err(_) => c.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"),
                };
            }
            // http://host:port/path -> /path, to the host named.
            let rest = target.strip_prefix("http://").unwrap_or(target);
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            if upstream.is_none() {
                let up = TcpStream::connect(authority)?;
                seen.carried.fetch_add(1, Ordering::SeqCst);
                let (mut from, mut to) = (up.try_clone()?, c.try_clone()?);
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut from, &mut to);
                    let _ = to.shutdown(Shutdown::Both);
                });
                upstream = Some(up);
            }
            let up = upstream.as_mut().unwrap();
            let path = if path.is_empty() { "/" } else { path };
            let mut out = format!("{method} {path} {version}\r\n");
            for line in forwarded {
                out.push_str(&line);
                out.push_str("\r\n");
            }
            out.push_str("\r\n");
            up.write_all(out.as_bytes())?;
            let mut payload = vec![0u8; body];
            reader.read_exact(&mut payload)?;
            up.write_all(&payload)?;
        }
        if let Some(up) = upstream {
            let _ = up.shutdown(Shutdown::Both);
        }
        Ok(())
    }

    /// Copies both ways until either side closes.
    fn pipe(a: TcpStream, b: TcpStream) -> std::io::Result<()> {
        let (mut a_read, mut b_write) = (a.try_clone()?, b.try_clone()?);
        let other = std::thread::spawn(move || {
            let _ = std::io::copy(&mut a_read, &mut b_write);
            let _ = b_write.shutdown(Shutdown::Both);
        });
        let (mut b_read, mut a_write) = (b, a);
        let _ = std::io::copy(&mut b_read, &mut a_write);
        let _ = a_write.shutdown(Shutdown::Both);
        let _ = other.join();
        Ok(())
    }
}

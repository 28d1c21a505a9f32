//! Issue 14 "Hardening", defect 1: plain http goes to loopback hosts only,
//! judged on the URL exactly as the HTTP library parses it, and no URL
//! carries userinfo. Every host that is not loopback here is under
//! `.invalid` (never resolves), and each refusal comes from the
//! connection properties, before any network use.

#![warn(clippy::undocumented_unsafe_blocks)]

mod common;
use common::*;
use jumpseller_odbc::config::{check_url, Config};
use oauth2::url::Host;
use reqwest::Url;

/// Connects with `s`: the return code and the diagnostic records.
fn connect_error(s: &str) -> (i16, Vec<(String, String)>) {
    let e = env();
    let d = dbc(e);
    let (rc, _) = driver_connect(d, s);
    let records = diag(HandleType::Dbc, d);
    disconnect(e, d);
    (rc, records)
}

/// The loopback check the URL library itself would make.
fn loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d == "localhost",
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[test]
fn a_backslash_does_not_smuggle_plain_http_to_a_remote_host() {
    let sneaky = r"http://remote.invalid:18097\@127.0.0.1/v1";
    // What the HTTP library would have connected to.
    let parsed = Url::parse(sneaky).unwrap();
    assert_eq!(parsed.host_str(), Some("remote.invalid"));
    for key in ["URL", "OAuthAccessTokenURL", "OAuthAuthorizationURL"] {
        // Earlier pairs win: the sneaky one comes first.
        let s = format!("{key}={sneaky};URL=http://127.0.0.1:1/v1;Login=me;AuthToken=tok");
        let started = std::time::Instant::now();
        let (rc, records) = connect_error(&s);
        assert_eq!(rc, SQL_ERROR, "{key}: {records:?}");
        let (state, message) = &records[0];
        assert_eq!(state, "08001", "{key}: {message}");
        assert!(
            message.contains(key) && message.contains("plain http"),
            "{key}: {message}"
        );
        assert!(message.contains("remote.invalid:18097"), "{message}");
        // Refused from the properties: nothing was tried (a try at
        // 127.0.0.1:1 would be retried with back-off for over a second).
        assert!(started.elapsed() < std::time::Duration::from_millis(900));
    }
}

/// The driver sends nothing to CallbackURL (the browser follows it), so it
/// may be any http(s) redirect the app registered; but the driver listens
/// only on a loopback host, judged by the same parser.
#[test]
fn the_callback_listener_takes_the_host_the_url_library_sees() {
    let sneaky = r"http://remote.invalid:18097\@127.0.0.1/cb";
    let err = jumpseller_odbc::jumpseller::oauth::loopback_callback(sneaky).unwrap_err();
    assert!(err.contains("not on this machine"), "{err}");
    let (host, port, path) =
        jumpseller_odbc::jumpseller::oauth::loopback_callback("http://127.0.0.1:3/cb").unwrap();
    assert_eq!(
        (host.as_str(), port, path.as_str()),
        ("127.0.0.1", 3, "/cb")
    );
    let (rc, records) =
        connect_error("Login=me;AuthToken=tok;CallbackURL=http://me:S3CR3T-cb@127.0.0.1:3/cb");
    assert_eq!(rc, SQL_ERROR);
    assert!(
        records[0].1.contains("CallbackURL") && !records[0].1.contains("S3CR3T"),
        "{records:?}"
    );
}

#[test]
fn urls_with_userinfo_are_refused_without_echoing_them() {
    for url in [
        "https://me:S3CR3T-url@api.example.invalid/v1",
        "http://me:S3CR3T-url@127.0.0.1:1/v1",
        "https://S3CR3T-url@api.example.invalid/v1",
        "https://:S3CR3T-url@api.example.invalid/v1",
    ] {
        let (rc, records) = connect_error(&format!("Login=me;AuthToken=tok;URL={url}"));
        assert_eq!(rc, SQL_ERROR);
        assert_eq!(records[0].0, "08001");
        assert!(
            records[0].1.contains("user name or password"),
            "{records:?}"
        );
        assert!(!records[0].1.contains("S3CR3T"), "{records:?}");
    }
}

#[test]
fn loopback_and_https_urls_still_pass() {
    for (url, want) in [
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1"),
        ("http://localhost/v1/", "http://localhost/v1"),
        ("HTTP://LOCALHOST:9/v1", "http://localhost:9/v1"),
        ("http://[::1]:8080/v1", "http://[::1]:8080/v1"),
        (
            "https://api.jumpseller.invalid/v1",
            "https://api.jumpseller.invalid/v1",
        ),
    ] {
        assert_eq!(check_url("URL", url).unwrap(), want);
        let (cfg, _) =
            Config::from_connection_string(&format!("Login=a;AuthToken=b;URL={url}")).unwrap();
        assert_eq!(cfg.url, want);
    }
    for url in [
        "http://127.0.0.1.evil.invalid/v1",
        "http://localhost.invalid/v1",
        "ftp://127.0.0.1/v1",
        "http:///v1",
        "127.0.0.1/v1",
        "http://[::ffff:7f00:1]/v1",
    ] {
        assert!(check_url("URL", url).is_err(), "{url}");
    }
}

/// A tiny deterministic generator (xorshift), no crate needed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
}

/// Whatever the check accepts for plain http, the URL library parses to a
/// loopback host: the URL as given, and the base as kept with a request
/// path after it (what the client sends). Fuzzed over mixes of the pieces
/// that confuse hand-written parsers.
#[test]
fn fuzz_the_loopback_check_against_the_url_library() {
    const SCHEMES: &[&str] = &[
        "http://",
        "HTTP://",
        "http:/",
        "http:",
        "http:\\\\",
        "http:\\/",
        " http://",
        "\thttp://",
        "https://",
        "http://\t",
    ];
    const PIECES: &[&str] = &[
        "\\",
        "@",
        ":",
        "/",
        "%40",
        "%2f",
        "%5c",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "127.0.0.1",
        "127.1",
        "0x7f.1",
        "2130706433",
        "localhost",
        "localhost.",
        "LocalHost",
        "evil.invalid",
        "127.0.0.1.invalid",
        "a.invalid",
        ":18097",
        ":1",
        ":80",
        ":",
        "\t",
        "\n",
        "\r",
        " ",
        "#",
        "?",
        "user",
        "user:pw",
        ".",
        "%00",
        "v1",
        "@127.0.0.1",
        "\\@localhost",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut cases, mut accepted_http, mut accepted_https) = (0, 0, 0);
    for _ in 0..40_000 {
        let mut s = rng.pick(SCHEMES).to_string();
        for _ in 0..1 + rng.next() % 7 {
            s.push_str(rng.pick(PIECES));
        }
        cases += 1;
        let Ok(kept) = check_url("URL", &s) else {
            continue;
        };
        let given = Url::parse(s.trim()).unwrap_or_else(|e| panic!("{s:?} accepted, but {e}"));
        assert!(
            given.username().is_empty() && given.password().is_none(),
            "{s:?}"
        );
        let sent = Url::parse(&format!("{kept}/store/info.json"))
            .unwrap_or_else(|e| panic!("{s:?} kept as {kept:?}: {e}"));
        assert_eq!(given.host(), sent.host(), "{s:?} kept as {kept:?}");
        match given.scheme() {
            "http" => {
                accepted_http += 1;
                assert!(loopback(&given), "{s:?} accepted for plain http: {given}");
                assert!(loopback(&sent), "{s:?} kept as {kept:?}");
            }
            "https" => accepted_https += 1,
            other => panic!("{s:?} accepted with scheme {other}"),
        }
    }
    eprintln!("loopback fuzz: {cases} cases, {accepted_http} plain http accepted, {accepted_https} https accepted");
    assert!(accepted_http > 1_000 && accepted_https > 100);
}

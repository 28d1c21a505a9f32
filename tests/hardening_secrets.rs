//! Issue 14 "Hardening", defect 2: no diagnostic and no log line repeats a
//! secret from the connection string, nor a fragment that may hold one (a
//! malformed pair, an unterminated brace, a value that swallowed a pair).
//! Named regressions first, then a fuzz over mutated connection strings
//! through SQLDriverConnect. Connections that get past the properties go to
//! a loopback sandbox only; a case that would reach anything else is not
//! connected (its parse is still checked).

#![warn(clippy::undocumented_unsafe_blocks)]

mod common;
use common::*;
use jumpseller_odbc::config::{is_loopback, Config, InitiateOAuth};

const MARK: &str = "S3CR3T";

/// Connects with `s`: return code and every diagnostic record.
fn connect_records(s: &str) -> (i16, Vec<(String, String)>) {
    let e = env();
    let d = dbc(e);
    let (rc, _) = driver_connect(d, s);
    let records = diag(HandleType::Dbc, d);
    disconnect(e, d);
    (rc, records)
}

fn assert_no_secret(s: &str, records: &[(String, String)]) {
    for (state, message) in records {
        assert!(
            !message.contains(MARK),
            "connection string {s:?} gave {state}: {message}"
        );
    }
}

#[test]
fn named_leaks_are_closed() {
    for s in [
        // A colon for '=': "has no value" quoted the pair.
        "AuthToken:MYS3CR3T123;Login=me",
        "Login=me;PWD : S3CR3T-pwd",
        // An unclosed brace swallowed the rest, secret included.
        "Login=me;Pagesize={50;AuthToken=S3CR3T-brace",
        // A closed brace did too, and validation printed the value.
        "Login=me;Pagesize={50;AuthToken=S3CR3T-brace};URL=http://127.0.0.1:1/v1",
        "Login=me;ReadOnly={yes;OAuthClientSecret=S3CR3T-brace}",
        // A missing ';' glued a pair to a value.
        "Login=me;Timeout=5 AuthToken=S3CR3T-glued",
        "Login=me;AuthScheme=Basic AuthToken=S3CR3T-glued",
        // Glued into a key name: an unknown property's name was quoted.
        "Login=me;AuthTokenS3CR3T-key=1",
        // Userinfo in a URL.
        "Login=me;AuthToken=x;URL=https://me:S3CR3T-url@api.example.invalid/v1",
        "Login=me;AuthToken=x;OAuthAccessTokenURL=https://id:S3CR3T-url@accounts.example.invalid/t",
        "Login=me;AuthToken=x;ProxyServer=http://me:S3CR3T-proxy@proxy.example.invalid:3128",
        // A secret after the braced value of another key.
        "Login=me;Scope={read_products}AuthToken=S3CR3T-after",
    ] {
        let (rc, records) = connect_records(s);
        assert_eq!(rc, SQL_ERROR, "{s}: {records:?}");
        assert_eq!(records[0].0, "08001", "{s}: {records:?}");
        assert_no_secret(s, &records);
    }
    // The messages still say where the problem is.
    let (_, r) = connect_records("AuthToken:MYS3CR3T123;Login=me");
    assert!(
        r[0].1.contains("character 1") && r[0].1.contains("AuthToken=value"),
        "{r:?}"
    );
    let (_, r) = connect_records("Login=me;Pagesize={50;AuthToken=S3CR3T-brace");
    assert!(
        r[0].1.contains("Pagesize") && r[0].1.contains("never closed"),
        "{r:?}"
    );
    let (_, r) = connect_records("Login=me;Pagesize={50;AuthToken=S3CR3T-brace}");
    assert!(
        r[0].1.contains("Pagesize") && r[0].1.contains("missing"),
        "{r:?}"
    );
    // Plain mistakes are still quoted.
    let (_, r) = connect_records("Login=me;AuthToken=x;Pagesize=500");
    assert!(r[0].1.contains("Pagesize=500"), "{r:?}");
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T: ?Sized>(&mut self, from: &[&'a T]) -> &'a T {
        from[self.below(from.len())]
    }
}

const SECRET_KEYS: &[&str] = &[
    "AuthToken",
    "PWD",
    "Password",
    "OAuthClientSecret",
    "OAuthAccessToken",
    "OAuthRefreshToken",
    "OAuthVerifier",
    "ProxyPassword",
    "ProfileSettings",
];

/// One connection string: a secret in one to three secret keys among
/// ordinary pairs, then up to three mutations (none in a quarter of the
/// cases, so that many get past the properties).
fn case(rng: &mut Rng, n: usize, sandbox: &str, oauth: &str) -> String {
    let secret = format!("{MARK}-{n}");
    let mut pairs: Vec<String> = vec![
        format!("URL={sandbox}"),
        "Login=sandbox".into(),
        "OAuthSettingsLocation=memory://fuzz".into(),
        format!("OAuthAccessTokenURL={oauth}/oauth/token"),
        format!("OAuthAuthorizationURL={oauth}/oauth/authorize"),
    ];
    for _ in 0..1 + rng.below(3) {
        let key = rng.pick(SECRET_KEYS);
        let value = match rng.below(7) {
            0 => format!("{{{secret}}}"),
            1 => format!("{{{secret};more;text}}"),
            2 => format!(" {secret} "),
            3 => format!("{secret}=tail"),
            4 => format!("{{Login=sandbox;AuthToken={secret}}}"),
            5 => format!("{{{secret}}}}}x}}"),
            _ => secret.clone(),
        };
        pairs.push(format!("{key}={value}"));
    }
    for extra in [
        "Pagesize=50".to_string(),
        "Timeout=5".into(),
        "ReadOnly=true".into(),
        "Scope=read_products".into(),
        "ProxyUser=pu".into(),
    ] {
        if rng.below(2) == 0 {
            pairs.push(extra);
        }
    }
    // Shuffle.
    for i in (1..pairs.len()).rev() {
        let j = rng.below(i + 1);
        pairs.swap(i, j);
    }
    let mut s = pairs.join(";");
    for _ in 0..rng.below(4) {
        mutate(rng, &mut s, &secret);
    }
    s
}

fn mutate(rng: &mut Rng, s: &mut String, secret: &str) {
    let positions = |s: &str, c: char| -> Vec<usize> {
        s.char_indices()
            .filter(|(_, x)| *x == c)
            .map(|(i, _)| i)
            .collect()
    };
    match rng.below(12) {
        // The '=' after a secret key becomes something else.
        0 | 1 => {
            let key = rng.pick(SECRET_KEYS);
            if let Some(at) = s.find(&format!("{key}=")) {
                let with = rng.pick(&[":", " ", "", "==", " : ", "\t", "=:", "= {", "\n"]);
                s.replace_range(at + key.len()..at + key.len() + 1, with);
            }
        }
        // A ';' goes missing.
        2 => {
            let semis = positions(s, ';');
            if !semis.is_empty() {
                let at = semis[rng.below(semis.len())];
                let with = rng.pick(&["", " ", "\t"]);
                s.replace_range(at..at + 1, with);
            }
        }
        // A brace opens after some '=' and never closes.
        3 => {
            let eqs = positions(s, '=');
            if !eqs.is_empty() {
                s.insert(eqs[rng.below(eqs.len())] + 1, '{');
            }
        }
        // A stray character anywhere.
        4 | 5 => {
            let at = rng.below(s.len() + 1);
            let c = rng.pick(&[";", "=", "{", "}", " ", ":", "\t", "\n", "\\", "@", "}}"]);
            s.insert_str(at, c);
        }
        // Key names in other case.
        6 => *s = s.replace("AuthToken", "AUTHTOKEN").replace("PWD", "pwd"),
        // The secret as userinfo of a URL.
        7 => {
            let key = rng.pick(&[
                "URL",
                "OAuthAccessTokenURL",
                "OAuthAuthorizationURL",
                "CallbackURL",
                "ProxyServer",
            ]);
            let url = rng.pick(&[
                "http://u:{s}@127.0.0.1:1/v1",
                "https://{s}@api.example.invalid/v1",
                "https://u:{s}@api.example.invalid:443/v1",
                "http://u:{s}@proxy.example.invalid:3128",
            ]);
            s.insert_str(0, &format!("{key}={};", url.replace("{s}", secret)));
        }
        // A non-secret key swallows a secret pair.
        8 => {
            let key = rng.pick(&[
                "Pagesize",
                "Timeout",
                "ReadOnly",
                "Scope",
                "AuthScheme",
                "Profile",
                "SSLServerCert",
                "URL",
                "OAuthSettingsLocation",
            ]);
            let skey = rng.pick(SECRET_KEYS);
            let form = rng.pick(&["{x;K=V}", "x K=V", "{x;K=V", "{x}K=V", "x;K V", "{x;K:V}"]);
            let value = form.replace('K', skey).replace('V', secret);
            s.insert_str(0, &format!("{key}={value};"));
        }
        // Cut short anywhere.
        9 => {
            let at = rng.below(s.len() + 1);
            s.truncate(at);
        }
        // A bad value for an ordinary key.
        10 => {
            let bad = rng.pick(&[
                "Pagesize=500",
                "ReadOnly=maybe",
                "Timeout=-1",
                "InitiateOAuth=SOMETIMES",
                "AuthScheme=NTLM",
                "Colour=blue",
                "ProxyPort=x",
            ]);
            let at = if rng.below(2) == 0 { 0 } else { s.len() };
            s.insert_str(at, &format!(";{bad};"));
        }
        // A secret pair twice.
        _ => {
            let key = rng.pick(SECRET_KEYS);
            s.push_str(&format!(";{key}={secret}"));
        }
    }
}

/// Whether connecting with this configuration can only touch the loopback
/// sandbox (no proxy, no OAuth flow, loopback endpoints).
fn stays_local(cfg: &Config) -> bool {
    let host_ok = |u: &str| {
        reqwest::Url::parse(u)
            .ok()
            .and_then(|u| u.host_str().map(|h| h.trim_matches(['[', ']']).to_string()))
            .is_some_and(|h| is_loopback(&h))
    };
    host_ok(&cfg.url)
        && host_ok(&cfg.oauth_access_token_url)
        && host_ok(&cfg.oauth_authorization_url)
        && cfg.proxy_server.is_none()
        && !cfg.proxy_auto_detect
        && cfg.initiate_oauth == InitiateOAuth::Off
        && cfg.profile.is_none()
        && cfg.ssl_server_cert.is_none()
        && cfg.logfile.is_some()
}

#[test]
fn fuzz_connection_strings_never_echo_secrets() {
    let home = TempDir::new("hardening-secrets");
    // Nothing a case does may touch the real home (token stores, DSNs).
    std::env::set_var("HOME", &*home);
    std::env::set_var("XDG_CONFIG_HOME", home.join("config"));
    std::env::set_var("ODBCINI", home.join("odbc.ini"));
    let sb = sandbox();
    let log = home.join("fuzz.log");
    // The log's pair and the request budget (the default 800 a minute
    // would make the fuzz wait) come first (earlier pairs win) and are
    // never mutated.
    let prefix = format!(
        "Logfile={{{}}};Verbosity=5;MaxRequestsPerSecond=10000;MaxRequestsPerMinute=600000;",
        log.display()
    );
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let (mut refused, mut connected, mut failed_later, mut not_connected) = (0, 0, 0, 0);
    let total = 2_000;
    for n in 0..total {
        let body = case(&mut rng, n, &sb.url(), &sb.base_url());
        let s = format!("{prefix}{body}");
        // The properties alone (no network): warnings and errors are clean.
        match Config::from_connection_string(&s) {
            Err(e) => {
                assert!(!e.message.contains(MARK), "{s:?}: {}", e.message);
            }
            Ok((cfg, warnings)) => {
                for w in &warnings.0 {
                    assert!(!w.contains(MARK), "{s:?}: {w}");
                }
                if !stays_local(&cfg) {
                    not_connected += 1;
                    continue;
                }
            }
        }
        let (rc, records) = connect_records(&s);
        assert_no_secret(&s, &records);
        match rc {
            SQL_SUCCESS | SQL_SUCCESS_WITH_INFO => connected += 1,
            _ if records.iter().any(|(st, _)| st == "08001") && sb.request_count() == 0 => {
                refused += 1
            }
            _ => failed_later += 1,
        }
        sb.reset_counts();
    }
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    for line in text.lines() {
        assert!(!line.contains(MARK), "log line: {line}");
    }
    eprintln!(
        "secret fuzz: {total} connection strings; {refused} refused by the properties, {connected} connected, {failed_later} failed after (auth), {not_connected} checked without connecting (would leave loopback); {} log lines checked",
        text.lines().count()
    );
    assert!(
        refused > 500 && connected + failed_later > 100,
        "the fuzz covers both sides"
    );
}

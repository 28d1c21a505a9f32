//! Connection string + DSN parsing into one typed `Config`.
//!
//! The keys are declared once, as data (`KEYS`): canonical name, aliases and the
//! kind of value. Parsing, validation, the completed connection string and the
//! documentation all walk that one table.

mod dsn;
mod parse;

pub use dsn::dsn_pairs;
pub use parse::{parse_pairs, quote_value};

use crate::error::{err, Kind, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Text,
    /// Text that must never be echoed back in messages or logs.
    Secret,
    Int {
        min: i64,
        max: i64,
    },
    Bool,
    Choice(&'static [&'static str]),
}

pub struct KeySpec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub kind: ValueKind,
}

use ValueKind::*;

pub const AUTH_SCHEMES: &[&str] = &["OAuth", "Basic", "None"];
/// Schemes a user of the commercial drivers may try; Jumpseller has none of them.
const FOREIGN_AUTH_SCHEMES: &[&str] = &["NTLM", "APIKEY", "OAUTH_CLIENT"];
pub const INITIATE_OAUTH: &[&str] = &["OFF", "GETANDREFRESH", "REFRESH"];

pub static KEYS: &[KeySpec] = &[
    KeySpec {
        name: "DSN",
        aliases: &[],
        kind: Text,
    },
    KeySpec {
        name: "Driver",
        aliases: &[],
        kind: Text,
    },
    KeySpec {
        name: "Profile",
        aliases: &[],
        kind: Text,
    },
    KeySpec {
        name: "AuthScheme",
        aliases: &[],
        kind: Text,
    },
    KeySpec {
        name: "Login",
        aliases: &["UID", "User"],
        kind: Text,
    },
    KeySpec {
        name: "AuthToken",
        aliases: &["PWD", "Password"],
        kind: Secret,
    },
    KeySpec {
        name: "InitiateOAuth",
        aliases: &[],
        kind: Choice(INITIATE_OAUTH),
    },
    KeySpec {
        name: "OAuthClientId",
        aliases: &[],
        kind: Text,
    },
    KeySpec {
        name: "OAuthClientSecret",
        aliases: &[],
        kind: Secret,
    },
    KeySpec {
        name: "CallbackURL",
        aliases: &[],
        kind: Text,
    },
    KeySpec {
        name: "OAuthAccessToken",
        aliases: &[],
        kind: Secret,
    },
    KeySpec {
        name: "OAuthRefreshToken",
        aliases: &[],
        kind: Secret,
    },
    KeySpec {
        name: "OAuthExpiresIn",
        aliases: &[],
        kind: Int {
            min: 0,
            max: i64::MAX,
        },
    },
    KeySpec {
        name: "OAuthTokenTimestamp",
        aliases: &[],
        kind: Int {
            min: 0,
            max: i64::MAX,
        },
    },
    KeySpec {
        name: "OAuthVerifier",
        aliases: &[],
        kind: Secret,
    },
    KeySpec {
        name: "OAuthSettingsLocation",
        aliases: &[],
        kind: Text,
    },
    KeySpec {
        name: "Scope",
        aliases: &[],
        kind: Text,
    },
    KeySpec {
        name: "URL",
        aliases: &[],
        kind: Text,
    },
    KeySpec {
        name: "OAuthAuthorizationURL",
        aliases: &[],
        kind: Text,
    },
    KeySpec {
        name: "OAuthAccessTokenURL",
        aliases: &[],
        kind: Text,
    },
    KeySpec {
        name: "Timeout",
        aliases: &[],
        kind: Int {
            min: 0,
            max: 86_400,
        },
    },
    KeySpec {
        name: "Pagesize",
        aliases: &[],
        kind: Int { min: 1, max: 100 },
    },
    KeySpec {
        name: "MaxRows",
        aliases: &[],
        kind: Int {
            min: 0,
            max: i64::MAX,
        },
    },
    KeySpec {
        name: "ReadOnly",
        aliases: &[],
        kind: Bool,
    },
    KeySpec {
        name: "MaxRequestsPerSecond",
        aliases: &[],
        kind: Int {
            min: 1,
            max: 10_000,
        },
    },
    KeySpec {
        name: "MaxRequestsPerMinute",
        aliases: &[],
        kind: Int {
            min: 1,
            max: 600_000,
        },
    },
    KeySpec {
        name: "Prefetch",
        aliases: &[],
        kind: Int { min: 0, max: 16 },
    },
    KeySpec {
        name: "MemoBytes",
        aliases: &[],
        kind: Int {
            min: 0,
            max: 1 << 40,
        },
    },
    KeySpec {
        name: "Logfile",
        aliases: &[],
        kind: Text,
    },
    KeySpec {
        name: "Verbosity",
        aliases: &[],
        kind: Int { min: 1, max: 5 },
    },
    KeySpec {
        name: "ProxyServer",
        aliases: &[],
        kind: Text,
    },
    KeySpec {
        name: "ProxyPort",
        aliases: &[],
        kind: Int {
            min: 1,
            max: 65_535,
        },
    },
    KeySpec {
        name: "ProxyUser",
        aliases: &[],
        kind: Text,
    },
    KeySpec {
        name: "ProxyPassword",
        aliases: &[],
        kind: Secret,
    },
    KeySpec {
        name: "ProxyAutoDetect",
        aliases: &[],
        kind: Bool,
    },
    KeySpec {
        name: "SSLServerCert",
        aliases: &[],
        kind: Text,
    },
];

/// Keys the driver manager or common tools put in DSNs that mean nothing to us
/// but are not mistakes (no 01S00 for them).
const IGNORED_KEYS: &[&str] = &[
    "Description",
    "Threading",
    "FileUsage",
    "Trace",
    "TraceFile",
    "Servername",
    "Database",
];

pub fn key_spec(name: &str) -> Option<&'static KeySpec> {
    KEYS.iter().find(|k| {
        k.name.eq_ignore_ascii_case(name) || k.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthScheme {
    OAuth,
    Basic,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitiateOAuth {
    Off,
    GetAndRefresh,
    Refresh,
}

pub const DEFAULT_URL: &str = "https://api.jumpseller.com/v1";
pub const DEFAULT_AUTHORIZE_URL: &str = "https://accounts.jumpseller.com/oauth/authorize";
pub const DEFAULT_TOKEN_URL: &str = "https://accounts.jumpseller.com/oauth/token";
pub const DEFAULT_CALLBACK_URL: &str = "http://localhost:33333";

/// The validated configuration of one connection.
#[derive(Debug, Clone)]
pub struct Config {
    /// Canonical key -> value, in the order first seen; what the completed
    /// connection string is rebuilt from.
    pub pairs: Vec<(&'static str, String)>,
    pub profile: Option<String>,
    pub auth_scheme: AuthScheme,
    pub login: Option<String>,
    pub auth_token: Option<String>,
    pub initiate_oauth: InitiateOAuth,
    pub oauth_client_id: Option<String>,
    pub oauth_client_secret: Option<String>,
    pub callback_url: String,
    pub oauth_access_token: Option<String>,
    pub oauth_refresh_token: Option<String>,
    pub oauth_expires_in: Option<u64>,
    pub oauth_token_timestamp: Option<u64>,
    pub oauth_verifier: Option<String>,
    pub oauth_settings_location: Option<String>,
    pub scope: Option<String>,
    pub url: String,
    pub oauth_authorization_url: String,
    pub oauth_access_token_url: String,
    pub timeout_secs: u64,
    pub pagesize: u32,
    pub max_rows: u64,
    pub read_only: bool,
    pub max_requests_per_second: u32,
    pub max_requests_per_minute: u32,
    pub prefetch: Option<u32>,
    /// Bytes a statement keeps for re-reads (page memo, join indexes).
    pub memo_bytes: Option<u64>,
    pub logfile: Option<String>,
    pub verbosity: u8,
    pub proxy_server: Option<String>,
    pub proxy_port: Option<u16>,
    pub proxy_user: Option<String>,
    pub proxy_password: Option<String>,
    pub proxy_auto_detect: bool,
    pub ssl_server_cert: Option<String>,
}

/// What parsing produced besides the config: warnings for the application.
#[derive(Debug, Default, Clone)]
pub struct Warnings(pub Vec<String>);

impl Config {
    /// Builds a config from the connection string's pairs and, when it names a
    /// DSN, the DSN's pairs (the connection string wins).
    pub fn from_connection_string(conn_str: &str) -> Result<(Config, Warnings)> {
        let candidates = secret_candidates(conn_str);
        let built = (|| {
            let explicit = parse_pairs(conn_str)?;
            let dsn = explicit
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("DSN"))
                .map(|(_, v)| v.clone());
            let mut pairs = explicit;
            if let Some(dsn) = dsn.filter(|d| !d.is_empty()) {
                pairs.extend(dsn_pairs(&dsn));
            }
            Config::from_pairs(&pairs)
        })();
        // Second line of defence: whatever a message says, no text that
        // follows a secret key's name in the string is repeated in it.
        match built {
            Ok((cfg, Warnings(w))) => {
                let w = w.iter().map(|m| scrub(m, &candidates)).collect();
                Ok((cfg, Warnings(w)))
            }
            Err(mut e) => {
                e.message = scrub(&e.message, &candidates);
                Err(e)
            }
        }
    }

    /// Earlier pairs win over later ones with the same key.
    pub fn from_pairs(raw: &[(String, String)]) -> Result<(Config, Warnings)> {
        let mut warnings = Warnings::default();
        let mut pairs: Vec<(&'static str, String)> = Vec::new();
        for (k, v) in raw {
            match key_spec(k) {
                Some(spec) => {
                    if !pairs.iter().any(|(n, _)| *n == spec.name) {
                        if spec.kind != Secret && holds_secret_pair(v) {
                            return err(
                                Kind::Config,
                                format!(
                                    "The value of {} contains another key's secret (a name such as AuthToken followed by '=' or ':'); a ';' or a closing '}}' is probably missing. The value is not shown.",
                                    spec.name
                                ),
                            );
                        }
                        validate(spec, v)?;
                        pairs.push((spec.name, v.clone()));
                    }
                }
                None if IGNORED_KEYS.iter().any(|i| i.eq_ignore_ascii_case(k)) => {}
                None if shows_as_key(k) => warnings.0.push(format!(
                    "Unknown connection property '{}' was ignored; see the README for the list of properties.",
                    k.trim()
                )),
                None => warnings.0.push(
                    "An unknown connection property was ignored; its name is not shown because it looks like it may hold a secret (a missing '=' or ';'?). See the README for the list of properties.".to_string(),
                ),
            }
        }
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        let int = |name: &str| get(name).map(|v| v.trim().parse::<i64>().unwrap_or(0));
        let flag = |name: &str| get(name).map(|v| parse_bool(&v).unwrap_or(false));

        let login = get("Login");
        let auth_scheme = match get("AuthScheme") {
            Some(s) => parse_auth_scheme(&s)?,
            None if login.is_some() => AuthScheme::Basic,
            None => AuthScheme::OAuth,
        };
        let initiate_oauth = match get("InitiateOAuth").map(|s| s.to_ascii_uppercase()) {
            Some(s) if s == "GETANDREFRESH" => InitiateOAuth::GetAndRefresh,
            Some(s) if s == "REFRESH" => InitiateOAuth::Refresh,
            _ => InitiateOAuth::Off,
        };
        let profile = get("Profile");
        if let Some(p) = &profile {
            if p.to_ascii_lowercase().ends_with(".apip") {
                warnings.0.push(format!(
                    "Profile '{p}' is a CData API profile; the built-in Jumpseller profile is used instead."
                ));
            }
        }
        // One parser for the check and the requests: the base URL is kept
        // as the URL library wrote it back.
        let url = match get("URL") {
            Some(u) => check_url("URL", &u)?,
            None => DEFAULT_URL.to_string(),
        };
        // The token endpoints carry the client secret, codes and tokens.
        for key in ["OAuthAuthorizationURL", "OAuthAccessTokenURL"] {
            if let Some(u) = get(key) {
                check_url(key, &u)?;
            }
        }
        // The driver sends nothing to the callback: the browser follows it
        // as the app registered it, so http to another host is allowed
        // there. When the driver listens on it (GETANDREFRESH), the
        // listener takes loopback hosts only, parsed by the same library.
        if let Some(u) = get("CallbackURL") {
            check_url_as("CallbackURL", &u, RemoteHttp::Allowed)?;
        }
        let (proxy_server, proxy_port) =
            proxy_address(get("ProxyServer"), int("ProxyPort").map(|v| v as u16))?;
        let cfg = Config {
            profile,
            auth_scheme,
            login,
            auth_token: get("AuthToken"),
            initiate_oauth,
            oauth_client_id: get("OAuthClientId"),
            oauth_client_secret: get("OAuthClientSecret"),
            callback_url: get("CallbackURL").unwrap_or_else(|| DEFAULT_CALLBACK_URL.to_string()),
            oauth_access_token: get("OAuthAccessToken"),
            oauth_refresh_token: get("OAuthRefreshToken"),
            oauth_expires_in: int("OAuthExpiresIn").map(|v| v as u64),
            oauth_token_timestamp: int("OAuthTokenTimestamp").map(|v| v as u64),
            oauth_verifier: get("OAuthVerifier"),
            oauth_settings_location: get("OAuthSettingsLocation"),
            scope: get("Scope"),
            url: url.trim_end_matches('/').to_string(),
            oauth_authorization_url: get("OAuthAuthorizationURL")
                .unwrap_or_else(|| DEFAULT_AUTHORIZE_URL.to_string()),
            oauth_access_token_url: get("OAuthAccessTokenURL")
                .unwrap_or_else(|| DEFAULT_TOKEN_URL.to_string()),
            timeout_secs: int("Timeout").unwrap_or(60) as u64,
            pagesize: int("Pagesize").unwrap_or(100) as u32,
            max_rows: int("MaxRows").unwrap_or(0) as u64,
            read_only: flag("ReadOnly").unwrap_or(false),
            max_requests_per_second: int("MaxRequestsPerSecond").unwrap_or(20) as u32,
            max_requests_per_minute: int("MaxRequestsPerMinute").unwrap_or(800) as u32,
            prefetch: int("Prefetch").map(|v| v as u32),
            memo_bytes: int("MemoBytes").map(|v| v as u64),
            logfile: get("Logfile"),
            verbosity: int("Verbosity").unwrap_or(1) as u8,
            proxy_server,
            proxy_port,
            proxy_user: get("ProxyUser"),
            proxy_password: get("ProxyPassword"),
            proxy_auto_detect: flag("ProxyAutoDetect").unwrap_or(false),
            ssl_server_cert: get("SSLServerCert"),
            pairs,
        };
        cfg.check_auth()?;
        Ok((cfg, warnings))
    }

    fn check_auth(&self) -> Result<()> {
        match self.auth_scheme {
            AuthScheme::Basic if self.login.is_none() || self.auth_token.is_none() => err(
                Kind::Config,
                "AuthScheme=Basic needs Login (or UID) and AuthToken (or PWD): the store's API login and auth token from the Jumpseller admin (Settings > API).",
            ),
            // OFF without OAuthAccessToken connects without verifying, so the
            // OAuth stored procedures can fetch a token (the connection warns).
            AuthScheme::OAuth
                if self.initiate_oauth != InitiateOAuth::Off
                    && (self.oauth_client_id.is_none() || self.oauth_client_secret.is_none()) =>
            {
                err(
                    Kind::Config,
                    format!(
                        "InitiateOAuth={} needs OAuthClientId and OAuthClientSecret: the credentials of your Jumpseller app (store admin > Apps > Developers).",
                        if self.initiate_oauth == InitiateOAuth::Refresh { "REFRESH" } else { "GETANDREFRESH" }
                    ),
                )
            }
            _ => Ok(()),
        }
    }

    /// The connection string to hand back from SQLDriverConnect: every key we
    /// understood, secrets included (the application gave them to us and needs
    /// them to reconnect), canonical names, braced where needed.
    pub fn completed_connection_string(&self) -> String {
        self.pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", quote_value(v)))
            .collect::<Vec<_>>()
            .join(";")
    }

    /// The value of a key for messages and logs: secrets masked.
    pub fn display_value(&self, name: &str) -> Option<String> {
        let spec = key_spec(name)?;
        let v = self.pairs.iter().find(|(n, _)| *n == spec.name)?.1.clone();
        Some(if spec.kind == Secret {
            "********".into()
        } else {
            v
        })
    }

    /// A key identifying the store and credential, for sharing a rate budget
    /// between connections of this process.
    pub fn store_key(&self) -> String {
        let who = match self.auth_scheme {
            AuthScheme::Basic => self.login.clone().unwrap_or_default(),
            AuthScheme::OAuth => self
                .oauth_client_id
                .clone()
                .unwrap_or_else(|| "oauth".into()),
            AuthScheme::None => String::new(),
        };
        format!("{}|{}", self.url, who)
    }
}

fn validate(spec: &KeySpec, value: &str) -> Result<()> {
    let shown = shown_value(spec, value);
    match spec.kind {
        Int { min, max } => match value.trim().parse::<i64>() {
            Ok(n) if n >= min && n <= max => Ok(()),
            _ if value.trim().is_empty() => Ok(()),
            _ => err(
                Kind::Config,
                format!(
                    "{}={shown} is not valid: expected a whole number from {min} to {max}.",
                    spec.name
                ),
            ),
        },
        Bool => match parse_bool(value) {
            Some(_) => Ok(()),
            None if value.trim().is_empty() => Ok(()),
            None => err(
                Kind::Config,
                format!(
                    "{}={shown} is not valid: expected true or false (also 1/0, yes/no, on/off).",
                    spec.name
                ),
            ),
        },
        Choice(allowed) => {
            if value.trim().is_empty()
                || allowed.iter().any(|a| a.eq_ignore_ascii_case(value.trim()))
            {
                Ok(())
            } else {
                err(
                    Kind::Config,
                    format!(
                        "{}={shown} is not valid: allowed values are {}.",
                        spec.name,
                        allowed.join(", ")
                    ),
                )
            }
        }
        Text if spec.name == "AuthScheme" => parse_auth_scheme(value).map(|_| ()),
        Text | Secret => Ok(()),
    }
}

fn parse_auth_scheme(value: &str) -> Result<AuthScheme> {
    let v = value.trim();
    let shown = shown_value(key_spec("AuthScheme").expect("AuthScheme is a key"), value);
    if let Some(i) = AUTH_SCHEMES.iter().position(|a| a.eq_ignore_ascii_case(v)) {
        return Ok([AuthScheme::OAuth, AuthScheme::Basic, AuthScheme::None][i]);
    }
    if FOREIGN_AUTH_SCHEMES
        .iter()
        .any(|a| a.eq_ignore_ascii_case(v))
    {
        return err(
            Kind::Config,
            format!(
                "AuthScheme={shown} is not offered by Jumpseller; allowed values are {}.",
                AUTH_SCHEMES.join(", ")
            ),
        );
    }
    err(
        Kind::Config,
        format!(
            "AuthScheme={shown} is not valid: allowed values are {}.",
            AUTH_SCHEMES.join(", ")
        ),
    )
}

pub fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" | "y" => Some(true),
        "0" | "false" | "no" | "off" | "n" => Some(false),
        _ => None,
    }
}

/// Plain http is only for loopback: anything else would send credentials in
/// clear text over a network. The URL is judged exactly as the HTTP library
/// will parse it (`reqwest::Url`, the `url` crate: `\` is `/`, tabs and
/// newlines are dropped, `0x7f.1` is 127.0.0.1), and may carry no userinfo.
/// Returns the URL as that parser writes it back, without a final `/`.
/// Messages never quote the URL as given (userinfo or a swallowed pair
/// may be in it), only the scheme, host and port the parser found.
pub fn check_url(key: &str, url: &str) -> Result<String> {
    check_url_as(key, url, RemoteHttp::Refused)
}

/// Whether plain http to a host that is not loopback is acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteHttp {
    Refused,
    /// Only for a URL the driver never sends anything to (CallbackURL).
    Allowed,
}

/// [`check_url`], saying whether plain http may name another host.
pub fn check_url_as(key: &str, url: &str, remote_http: RemoteHttp) -> Result<String> {
    let parsed = reqwest::Url::parse(url.trim()).map_err(|e| {
        crate::error::Error::new(
            Kind::Config,
            format!("{key} is not a valid URL ({e}); expected an https:// URL such as {DEFAULT_URL}. The value is not shown."),
        )
    })?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return err(
            Kind::Config,
            format!("{key} is not allowed: it carries a user name or password (user:password@host); the value is not shown. Put credentials in their own properties (Login/AuthToken, OAuthClientId/OAuthClientSecret, ProxyUser/ProxyPassword)."),
        );
    }
    let host = parsed.host();
    let origin = match (host.as_ref(), parsed.port()) {
        (Some(h), Some(p)) => format!("{}://{h}:{p}", parsed.scheme()),
        (Some(h), None) => format!("{}://{h}", parsed.scheme()),
        (None, _) => format!("{}:", parsed.scheme()),
    };
    match parsed.scheme() {
        "https" if host.is_some() => {}
        "http" if host.as_ref().is_some_and(host_is_loopback) => {}
        "http" if host.is_some() && remote_http == RemoteHttp::Allowed => {}
        "http" => {
            let backslash = if url.contains('\\') {
                " (a '\\' in a URL counts as '/', so the host is the text before it)"
            } else {
                ""
            };
            return err(
                Kind::Config,
                format!("{key} is not allowed: plain http to {origin}{backslash}; plain http is accepted only for loopback hosts (localhost, 127.0.0.1, ::1); use https://."),
            );
        }
        _ => {
            return err(
                Kind::Config,
                format!(
                    "{key} is not valid: {origin} is not an https:// URL such as {DEFAULT_URL}."
                ),
            )
        }
    }
    Ok(parsed.as_str().trim_end_matches('/').to_string())
}

/// Whether a host the URL parser found is this machine.
fn host_is_loopback(host: &oauth2::url::Host<&str>) -> bool {
    match host {
        oauth2::url::Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        oauth2::url::Host::Ipv4(ip) => ip.is_loopback(),
        oauth2::url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// ProxyServer as a URL (`http://proxy:3128`) or a bare host (`proxy`,
/// `proxy:3128`), with ProxyPort: the host and port to reach it at (the
/// connection builds `http://host:port`). Only http proxies (a CONNECT
/// tunnel carries the TLS of https requests end to end).
fn proxy_address(
    server: Option<String>,
    port: Option<u16>,
) -> Result<(Option<String>, Option<u16>)> {
    let Some(server) = server else {
        return Ok((None, port));
    };
    let text = server.trim();
    let with_scheme = if text.contains("://") {
        text.to_string()
    } else {
        format!("http://{text}")
    };
    let bad = |why: &str| {
        err(
            Kind::Config,
            format!("ProxyServer is not usable: {why}. Give a host name (proxy.example.com, with ProxyPort) or an http URL (http://proxy.example.com:3128)."),
        )
    };
    let Ok(parsed) = reqwest::Url::parse(&with_scheme) else {
        return bad("it is neither a host name nor a URL (the value is not shown)");
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return bad("it carries a user name or password (user:password@host; the value is not shown) — use ProxyUser and ProxyPassword");
    }
    if parsed.scheme() != "http" {
        return bad(&format!(
            "{}:// proxies are not supported, only http://",
            parsed.scheme()
        ));
    }
    let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) else {
        return bad("it names no host");
    };
    if !matches!(parsed.path(), "" | "/") || parsed.query().is_some() || parsed.fragment().is_some()
    {
        return bad(&format!(
            "the URL of {host} has a path; a proxy is only a host and a port"
        ));
    }
    let explicit = parsed.port().or_else(|| {
        // `url` drops a port equal to the scheme's default; keep ":80".
        text.rsplit_once(':')
            .and_then(|(_, p)| p.trim_end_matches('/').parse::<u16>().ok())
            .filter(|p| *p == 80)
    });
    match (explicit, port) {
        (Some(a), Some(b)) if a != b => err(
            Kind::Config,
            format!("ProxyServer names port {a} but ProxyPort is {b}; give the port once."),
        ),
        (a, b) => Ok((Some(host.to_string()), b.or(a))),
    }
}

/// Keys we do not read but whose values are credentials all the same
/// (CData's `ProfileSettings='Login=...;AuthToken=...'`).
const FOREIGN_SECRET_KEYS: &[&str] = &["ProfileSettings"];

/// Names and aliases of the keys whose values are secrets.
fn secret_names() -> impl Iterator<Item = &'static str> {
    KEYS.iter()
        .filter(|k| k.kind == Secret)
        .flat_map(|k| std::iter::once(k.name).chain(k.aliases.iter().copied()))
        .chain(FOREIGN_SECRET_KEYS.iter().copied())
}

/// Whether a value holds text like `AuthToken=...` or `PWD: ...`: another
/// pair, with a secret, swallowed by a missing `;` or an unclosed brace.
fn holds_secret_pair(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    secret_names().any(|name| {
        let name = name.to_ascii_lowercase();
        lower.match_indices(&name).any(|(at, _)| {
            lower[at + name.len()..]
                .trim_start()
                .starts_with(['=', ':'])
        })
    })
}

/// Text of the connection string that may be a secret: what follows each
/// secret key's name (after `=`, `:`, spaces or a brace) up to a `;` or `}`.
fn secret_candidates(conn_str: &str) -> Vec<String> {
    let lower = conn_str.to_ascii_lowercase();
    let mut out = Vec::new();
    for name in secret_names() {
        let name = name.to_ascii_lowercase();
        for (at, _) in lower.match_indices(&name) {
            let rest = conn_str[at + name.len()..]
                .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '=' | ':' | '{'));
            let value = rest.split([';', '}']).next().unwrap_or("").trim();
            if value.chars().count() >= 4 {
                out.push(value.to_string());
            }
        }
    }
    // Longest first, so a value is masked whole before any part of it.
    out.sort_by_key(|v| std::cmp::Reverse(v.len()));
    out
}

fn scrub(message: &str, candidates: &[String]) -> String {
    candidates.iter().fold(message.to_string(), |m, c| {
        m.replace(c.as_str(), "********")
    })
}

/// Whether an unknown key's text can be quoted in a warning: a plausible
/// property name (letters, `_`, `.`, `-`, spaces; no digits, which tokens
/// are full of), not starting with a secret key's name.
fn shows_as_key(key: &str) -> bool {
    let key = key.trim();
    let lower = key.to_ascii_lowercase();
    !key.is_empty()
        && key.chars().count() <= 40
        && key
            .chars()
            .all(|c| c.is_ascii_alphabetic() || matches!(c, '_' | '.' | '-' | ' '))
        && !secret_names().any(|n| {
            let n = n.to_ascii_lowercase();
            lower.starts_with(&n) && lower != n
        })
}

/// A bad value as a message may quote it: never a secret's, and only when
/// it looks like a short number or word (`500`, `soon`, `SOMETIMES`), not
/// a swallowed pair (`=`, `:`, `;`, braces) or a pasted token (a long mix
/// of letters and digits).
fn shown_value(spec: &KeySpec, value: &str) -> String {
    let v = value.trim();
    let letters = v.chars().any(|c| c.is_ascii_alphabetic());
    let digits = v.chars().any(|c| c.is_ascii_digit());
    let plausible = spec.kind != Secret
        && v.chars().count() <= 24
        && !(letters && digits && v.chars().count() >= 12)
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.' | ',' | '_' | ' '));
    if plausible {
        v.to_string()
    } else {
        "(value not shown)".to_string()
    }
}

pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(s: &str) -> Result<(Config, Warnings)> {
        Config::from_pairs(&parse_pairs(s).unwrap())
    }

    #[test]
    fn aliases_and_case() {
        let (c, w) = cfg("uid=me;PWD={a;b};url=http://127.0.0.1:9/v1").unwrap();
        assert_eq!(c.auth_scheme, AuthScheme::Basic);
        assert_eq!(c.login.as_deref(), Some("me"));
        assert_eq!(c.auth_token.as_deref(), Some("a;b"));
        assert!(w.0.is_empty());
    }

    #[test]
    fn unknown_key_warns() {
        let (_, w) = cfg("Login=a;AuthToken=b;Colour=blue").unwrap();
        assert_eq!(w.0.len(), 1);
        assert!(w.0[0].contains("Colour"));
    }

    #[test]
    fn bad_values_name_key_value_and_allowed() {
        let e = cfg("Login=a;AuthToken=b;Pagesize=500").unwrap_err();
        assert!(
            e.message.contains("Pagesize=500") && e.message.contains("1 to 100"),
            "{}",
            e.message
        );
        let e = cfg("Login=a;AuthToken=b;InitiateOAuth=SOMETIMES").unwrap_err();
        assert!(e.message.contains("OFF, GETANDREFRESH, REFRESH"));
        let e = cfg("AuthScheme=NTLM").unwrap_err();
        assert!(e.message.contains("not offered by Jumpseller"));
    }

    #[test]
    fn plain_http_only_on_loopback() {
        assert!(cfg("Login=a;AuthToken=b;URL=http://example.com/v1").is_err());
        assert!(cfg("Login=a;AuthToken=b;URL=http://localhost:8080/v1").is_ok());
        assert!(cfg("Login=a;AuthToken=b;URL=http://[::1]:8080/v1").is_ok());
        assert!(cfg("Login=a;AuthToken=b;URL=http://127.0.0.1.evil.com/v1").is_err());
    }

    #[test]
    fn plain_mistakes_are_quoted_but_not_what_may_hold_a_secret() {
        let e = cfg("Login=a;AuthToken=b;Timeout=soon").unwrap_err();
        assert!(e.message.contains("Timeout=soon"), "{}", e.message);
        let e = cfg("Login=a;AuthToken=b;Timeout=a1b2c3d4e5f6a7b8").unwrap_err();
        assert!(!e.message.contains("a1b2c3d4e5f6a7b8"), "{}", e.message);
        let (_, w) = cfg("Login=a;AuthToken=b;Colour=blue;Xa1b2c3d4e5=1").unwrap();
        assert!(w.0[0].contains("'Colour'"), "{:?}", w.0);
        assert!(!w.0[1].contains("a1b2c3d4e5"), "{:?}", w.0);
    }

    #[test]
    fn secrets_are_masked_in_errors() {
        let e = cfg("Login=a;AuthToken=b;ProxyPassword=hunter2;ProxyPort=x").unwrap_err();
        assert!(!e.message.contains("hunter2"));
    }
}

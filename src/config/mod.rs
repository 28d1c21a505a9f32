//! Connection string + DSN parsing into one typed `Config`.
//!
//! The keys are declared once, as data (`KEYS`): canonical name, aliases and the
//! kind of value. Parsing, validation, the completed connection string and the
//! documentation all walk that one table.

mod cdata;
mod dsn;
pub mod live;
pub mod oauth;
mod parse;
mod proxy;

pub use dsn::dsn_pairs;
pub use parse::{parse_pairs, quote_value};
pub use proxy::{Firewall, FirewallKind};

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
    KeySpec {
        name: "UserDefinedViews",
        aliases: &[],
        kind: Text,
    },
    // The local replica (src/replica).
    KeySpec {
        name: "CacheLocation",
        aliases: &[],
        kind: Text,
    },
    KeySpec {
        name: "CacheTolerance",
        aliases: &[],
        kind: Int {
            min: 0,
            max: i64::MAX,
        },
    },
    KeySpec {
        name: "CacheRecheckDays",
        aliases: &[],
        kind: Int { min: 0, max: 36500 },
    },
    KeySpec {
        name: "Offline",
        aliases: &[],
        kind: Bool,
    },
    KeySpec {
        name: "AutoCache",
        aliases: &[],
        kind: Bool,
    },
    KeySpec {
        name: "CacheConnection",
        aliases: &[],
        kind: Secret,
    },
    // CData compatibility (issue #13): keys CData's API driver uses that
    // have a meaning here. Keys with none are in cdata.rs (NO_EFFECT).
    KeySpec {
        name: "ProfileSettings",
        aliases: &[],
        kind: Secret,
    },
    KeySpec {
        name: "Other",
        aliases: &[],
        kind: Secret,
    },
    KeySpec {
        name: "ConnectOnOpen",
        aliases: &[],
        kind: Bool,
    },
    KeySpec {
        name: "MaxLogFileSize",
        aliases: &[],
        kind: Text,
    },
    KeySpec {
        name: "MaxLogFileCount",
        aliases: &[],
        kind: Int {
            min: -1,
            max: 100_000,
        },
    },
    KeySpec {
        name: "FirewallType",
        aliases: &[],
        kind: Choice(proxy::FIREWALL_TYPES),
    },
    KeySpec {
        name: "FirewallServer",
        aliases: &[],
        kind: Text,
    },
    KeySpec {
        name: "FirewallPort",
        aliases: &[],
        kind: Int {
            min: 1,
            max: 65_535,
        },
    },
    KeySpec {
        name: "FirewallUser",
        aliases: &[],
        kind: Text,
    },
    KeySpec {
        name: "FirewallPassword",
        aliases: &[],
        kind: Secret,
    },
    KeySpec {
        name: "ProxyAuthScheme",
        aliases: &[],
        kind: Choice(proxy::PROXY_AUTH_SCHEMES),
    },
    KeySpec {
        name: "ProxyExceptions",
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
    /// A JSON file of named views (odbc/views.rs).
    pub user_defined_views: Option<String>,
    /// The replica file (src/replica).
    pub cache_location: Option<String>,
    /// A PostgreSQL connection string: the replica lives there, in the
    /// store's schema (src/replica/pg.rs).
    pub cache_connection: Option<String>,
    /// Seconds a replica table is trusted (CacheStatus.stale).
    pub cache_tolerance: u64,
    /// Days back an incremental sync re-reads rows that may still change
    /// (the profile's `sync.recheck` column).
    pub cache_recheck_days: u32,
    /// Answer from the replica only, with no network.
    pub offline: bool,
    /// AutoCache=true: reads answered from the replica, synced first when
    /// older than `cache_tolerance`.
    pub auto_cache: bool,
    /// ConnectOnOpen as given (the credentials are verified at connect
    /// either way; `Some(true)` makes a connection that cannot be verified
    /// an error).
    pub connect_on_open: Option<bool>,
    /// Rotate the log past this many bytes.
    pub max_log_file_size: Option<u64>,
    /// Log files kept, the current one included; None keeps all.
    pub max_log_file_count: Option<u32>,
    /// FirewallType/FirewallServer: a tunnel or SOCKS proxy.
    pub firewall: Option<Firewall>,
    /// ProxyAuthScheme BASIC (true) or NONE (false).
    pub proxy_sends_credentials: bool,
    /// ProxyExceptions as a comma-separated no-proxy list.
    pub proxy_exceptions: Option<String>,
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
        let mut unhonoured = cdata::Unhonoured::default();
        let raw = cdata::with_bag_pairs(raw, &mut unhonoured)?;
        let mut pairs: Vec<(&'static str, String)> = Vec::new();
        for (k, v) in &raw {
            match key_spec(k) {
                Some(spec) => {
                    let v = &cdata::normalized(spec.name, v);
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
                None => match cdata::no_effect(k) {
                    Some((name, reason)) => unhonoured.name(name, reason),
                    None if shows_as_key(k) => {
                        unhonoured.name(k.trim(), "not a property of this driver")
                    }
                    None => unhonoured.hide(),
                },
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
        let (proxy_server, proxy_port) = proxy::proxy_address(
            &proxy::PROXY_NAMES,
            get("ProxyServer"),
            int("ProxyPort").map(|v| v as u16),
        )?;
        let firewall = proxy::firewall(
            proxy::FirewallKeys {
                kind: get("FirewallType"),
                server: get("FirewallServer"),
                port: int("FirewallPort").map(|v| v as u16),
                user: get("FirewallUser"),
                password: get("FirewallPassword"),
            },
            &mut unhonoured,
        )?;
        let proxy_auto_detect = flag("ProxyAutoDetect").unwrap_or(false);
        proxy::check_one_proxy(proxy_server.is_some(), firewall.as_ref(), proxy_auto_detect)?;
        let proxy_sends_credentials =
            proxy::proxy_sends_credentials(get("ProxyAuthScheme").as_deref())?;
        let proxy_exceptions = get("ProxyExceptions")
            .map(|e| proxy::exceptions(&e))
            .transpose()?;
        let max_log_file_size = get("MaxLogFileSize").and_then(|v| cdata::log_file_size(&v));
        let max_log_file_count = int("MaxLogFileCount").filter(|n| *n > 0).map(|n| n as u32);
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
            proxy_auto_detect,
            ssl_server_cert: get("SSLServerCert"),
            user_defined_views: get("UserDefinedViews"),
            cache_location: get("CacheLocation").filter(|p| !p.trim().is_empty()),
            cache_connection: get("CacheConnection").filter(|c| !c.trim().is_empty()),
            cache_tolerance: int("CacheTolerance").unwrap_or(600) as u64,
            cache_recheck_days: int("CacheRecheckDays").unwrap_or(30) as u32,
            offline: flag("Offline").unwrap_or(false),
            auto_cache: flag("AutoCache").unwrap_or(false),
            connect_on_open: flag("ConnectOnOpen"),
            max_log_file_size,
            max_log_file_count,
            firewall,
            proxy_sends_credentials,
            proxy_exceptions,
            pairs,
        };
        cfg.check_auth()?;
        cfg.check_replica()?;
        cfg.name_unused_keys(&mut unhonoured);
        warnings.0.extend(unhonoured.message());
        Ok((cfg, warnings))
    }

    /// Keys that were understood but change nothing in this combination.
    fn name_unused_keys(&self, unhonoured: &mut cdata::Unhonoured) {
        let given = |name: &str| self.pairs.iter().any(|(n, v)| *n == name && !v.is_empty());
        if self.connect_on_open == Some(false) {
            unhonoured.name(
                "ConnectOnOpen=false",
                "the credentials are verified when connecting all the same",
            );
        }
        if given("MaxLogFileCount") && self.max_log_file_size.is_none() {
            unhonoured.name(
                "MaxLogFileCount",
                "the log rotates only with MaxLogFileSize",
            );
        }
        let proxy_named = self.proxy_server.is_some() || self.firewall.is_some();
        if given("ProxyExceptions") && !proxy_named {
            unhonoured.name(
                "ProxyExceptions",
                if self.proxy_auto_detect {
                    "with ProxyAutoDetect the NO_PROXY environment variable lists the exceptions"
                } else {
                    "no ProxyServer or FirewallServer is set"
                },
            );
        }
        if !self.proxy_sends_credentials {
            for name in ["ProxyUser", "ProxyPassword"]
                .into_iter()
                .filter(|n| given(n))
            {
                unhonoured.name(name, "ProxyAuthScheme=NONE sends no credentials");
            }
        }
    }

    /// The proxy to go through, as a URL for the HTTP library, and the
    /// credentials to give it.
    pub fn proxy_url(&self) -> Option<String> {
        if let Some(f) = &self.firewall {
            return Some(f.url());
        }
        let server = self.proxy_server.as_ref()?;
        Some(match self.proxy_port {
            Some(p) => format!("http://{server}:{p}"),
            None => format!("http://{server}"),
        })
    }

    pub fn proxy_credentials(&self) -> Option<(String, String)> {
        match &self.firewall {
            Some(f) => f
                .user
                .clone()
                .map(|u| (u, f.password.clone().unwrap_or_default())),
            None if self.proxy_sends_credentials => self
                .proxy_user
                .clone()
                .map(|u| (u, self.proxy_password.clone().unwrap_or_default())),
            None => None,
        }
    }

    /// Offline answers from the replica: it needs one.
    fn check_replica(&self) -> Result<()> {
        if self.cache_location.is_some() && self.cache_connection.is_some() {
            return err(
                Kind::Config,
                "CacheLocation (an SQLite file) and CacheConnection (PostgreSQL) both name a replica: give one.",
            );
        }
        if self.offline && self.cache_location.is_none() && self.cache_connection.is_none() {
            return err(
                Kind::Config,
                "Offline=true answers from the local replica: give its file as CacheLocation, or its PostgreSQL database as CacheConnection (and fill it with `jumpseller-odbc sync`).",
            );
        }
        if self.auto_cache && self.cache_location.is_none() && self.cache_connection.is_none() {
            return err(
                Kind::Config,
                "AutoCache=true keeps the tables a query reads in a local replica: give its file as CacheLocation, or its PostgreSQL database as CacheConnection.",
            );
        }
        if self.auto_cache && self.offline {
            return err(
                Kind::Config,
                "AutoCache=true syncs tables from the store and Offline=true sends nothing to it: choose one.",
            );
        }
        Ok(())
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
            AuthScheme::OAuth
                if self.connect_on_open == Some(true)
                    && self.initiate_oauth == InitiateOAuth::Off
                    && self.oauth_access_token.is_none() =>
            {
                err(
                    Kind::Config,
                    "ConnectOnOpen=true asks to verify the connection when it opens, but with AuthScheme=OAuth, InitiateOAuth=OFF and no OAuthAccessToken there is no credential to verify: give OAuthAccessToken, use InitiateOAuth=GETANDREFRESH, or leave ConnectOnOpen out.",
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
        Text if spec.name == "MaxLogFileSize" => match cdata::log_file_size(value) {
            Some(n) if n >= cdata::MIN_LOG_FILE_SIZE => Ok(()),
            _ if value.trim().is_empty() => Ok(()),
            _ => err(
                Kind::Config,
                format!(
                    "MaxLogFileSize={shown} is not valid: expected a size of at least {} bytes, in bytes or with a unit (KB, MB, GB), such as 10 MB.",
                    cdata::MIN_LOG_FILE_SIZE
                ),
            ),
        },
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

/// Names and aliases of the keys whose values are secrets.
fn secret_names() -> impl Iterator<Item = &'static str> {
    KEYS.iter()
        .filter(|k| k.kind == Secret)
        .flat_map(|k| std::iter::once(k.name).chain(k.aliases.iter().copied()))
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
/// secret key's name (after `=`, `:`, spaces, a brace or a quote) up to a
/// `;` or `}` (a closing quote aside).
fn secret_candidates(conn_str: &str) -> Vec<String> {
    let lower = conn_str.to_ascii_lowercase();
    let mut out = Vec::new();
    for name in secret_names() {
        let name = name.to_ascii_lowercase();
        for (at, _) in lower.match_indices(&name) {
            let rest = conn_str[at + name.len()..].trim_start_matches(|c: char| {
                c.is_whitespace() || matches!(c, '=' | ':' | '{' | '\'' | '"')
            });
            let value = rest
                .split([';', '}'])
                .next()
                .unwrap_or("")
                .trim()
                .trim_end_matches(['\'', '"']);
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
        assert_eq!(w.0.len(), 1, "{:?}", w.0);
        assert!(
            w.0[0]
                .contains("Colour (not a property of this driver), 1 more whose name is not shown"),
            "{:?}",
            w.0
        );
        assert!(!w.0[0].contains("a1b2c3d4e5"), "{:?}", w.0);
    }

    #[test]
    fn profile_settings_and_other_apply_below_direct_keys() {
        let (c, w) =
            cfg("ProfileSettings='Login=inner;AuthToken=tok;Pagesize=20';Pagesize=50").unwrap();
        assert_eq!(c.auth_scheme, AuthScheme::Basic);
        assert_eq!(c.login.as_deref(), Some("inner"));
        assert_eq!(c.auth_token.as_deref(), Some("tok"));
        assert_eq!(c.pagesize, 50, "the direct key wins");
        assert!(w.0.is_empty(), "{:?}", w.0);
        let (c, w) = cfg(
            "Login=direct;AuthToken=b;Other='Login=x;MaxRows=-1;DefaultColumnSize=2000;RTK=abc'",
        )
        .unwrap();
        assert_eq!(c.login.as_deref(), Some("direct"));
        assert_eq!(c.max_rows, 0);
        assert_eq!(w.0.len(), 1, "{:?}", w.0);
        assert!(
            w.0[0]
                .contains("DefaultColumnSize (not a property of this driver), RTK (no licence key"),
            "{:?}",
            w.0
        );
        // The bag's text is a secret: a bad inner pair is never quoted.
        let e = cfg("ProfileSettings='Login=a;Pagesize=5 AuthToken=S3CR3T'").unwrap_err();
        assert!(!e.message.contains("S3CR3T"), "{}", e.message);
    }

    #[test]
    fn cdata_keys_without_effect_share_one_warning() {
        let (c, w) = cfg(
            "Login=a;AuthToken=b;Readonly=true;MaxRows=-1;UseConnectionPooling=true;PoolMaxSize=5;PoolIdleTimeout=60;LogModules='INFO;EXEC';ConnectOnOpen=false;SupportEnhancedSQL=true;Colour=blue",
        )
        .unwrap();
        assert!(c.read_only);
        assert_eq!(c.max_rows, 0);
        assert_eq!(w.0.len(), 1, "{:?}", w.0);
        let m = &w.0[0];
        for part in [
            "UseConnectionPooling (pooling is done by the driver manager: Pooling=Yes and CPTimeout in odbcinst.ini, or SQL_ATTR_CONNECTION_POOLING), PoolMaxSize, PoolIdleTimeout,",
            "LogModules (the log has levels",
            "ConnectOnOpen=false (the credentials are verified",
            "SupportEnhancedSQL",
            "Colour",
        ] {
            assert!(m.contains(part), "{part}: {m}");
        }
        assert!(cfg("Login=a;AuthToken=b;MaxRows=-2").is_err());
    }

    #[test]
    fn connect_on_open_true_needs_a_credential_to_verify() {
        let (c, w) = cfg("Login=a;AuthToken=b;ConnectOnOpen=true").unwrap();
        assert_eq!(c.connect_on_open, Some(true));
        assert!(w.0.is_empty());
        assert!(cfg("AuthScheme=OAuth;ConnectOnOpen=false").is_ok());
        let e = cfg("AuthScheme=OAuth;ConnectOnOpen=true").unwrap_err();
        assert!(
            e.message.contains("no credential to verify"),
            "{}",
            e.message
        );
        assert!(cfg("AuthScheme=OAuth;ConnectOnOpen=true;OAuthAccessToken=t").is_ok());
    }

    #[test]
    fn log_rotation_keys() {
        let (c, w) = cfg("Login=a;AuthToken=b;MaxLogFileSize=10 MB;MaxLogFileCount=3").unwrap();
        assert_eq!(c.max_log_file_size, Some(10 << 20));
        assert_eq!(c.max_log_file_count, Some(3));
        assert!(w.0.is_empty());
        let (c, _) = cfg("Login=a;AuthToken=b;MaxLogFileSize=2048;MaxLogFileCount=-1").unwrap();
        assert_eq!(
            (c.max_log_file_size, c.max_log_file_count),
            (Some(2048), None)
        );
        let e = cfg("Login=a;AuthToken=b;MaxLogFileSize=100").unwrap_err();
        assert!(
            e.message.contains("MaxLogFileSize=100 is not valid"),
            "{}",
            e.message
        );
        assert!(cfg("Login=a;AuthToken=b;MaxLogFileSize=10 TB").is_err());
        let (_, w) = cfg("Login=a;AuthToken=b;MaxLogFileCount=3").unwrap();
        assert!(w.0[0].contains("MaxLogFileCount (the log rotates only with MaxLogFileSize)"));
    }

    #[test]
    fn firewall_and_proxy_keys() {
        let (c, w) = cfg("Login=a;AuthToken=b;FirewallType=SOCKS5;FirewallServer=127.0.0.1;FirewallPort=1081;FirewallUser=u;FirewallPassword=p").unwrap();
        assert!(w.0.is_empty(), "{:?}", w.0);
        assert_eq!(c.proxy_url().as_deref(), Some("socks5h://127.0.0.1:1081"));
        assert_eq!(c.proxy_credentials(), Some(("u".into(), "p".into())));
        let e = cfg("Login=a;AuthToken=b;FirewallType=TUNNEL;FirewallServer=h;ProxyServer=p")
            .unwrap_err();
        assert!(
            e.message.contains("ProxyServer and FirewallType=TUNNEL"),
            "{}",
            e.message
        );
        let (c, w) = cfg("Login=a;AuthToken=b;ProxyServer=p;ProxyUser=u;ProxyPassword=pw;ProxyAuthScheme=NONE;ProxyExceptions='a.invalid;*.b.invalid'").unwrap();
        assert_eq!(c.proxy_credentials(), None);
        assert_eq!(c.proxy_exceptions.as_deref(), Some("a.invalid,.b.invalid"));
        assert!(
            w.0[0].contains("ProxyUser (ProxyAuthScheme=NONE sends no credentials), ProxyPassword"),
            "{:?}",
            w.0
        );
        let e = cfg("Login=a;AuthToken=b;ProxyServer=p;ProxyAuthScheme=NTLM").unwrap_err();
        assert!(
            e.message
                .contains("ProxyAuthScheme=NTLM cannot be honoured"),
            "{}",
            e.message
        );
        let (_, w) = cfg("Login=a;AuthToken=b;ProxyExceptions=a.invalid;FirewallServer=x").unwrap();
        assert!(
            w.0[0].contains("ProxyExceptions (no ProxyServer"),
            "{:?}",
            w.0
        );
        assert!(
            w.0[0].contains("FirewallServer (FirewallType is NONE)"),
            "{:?}",
            w.0
        );
        let e =
            cfg("Login=a;AuthToken=b;FirewallType=SOCKS5;FirewallServer=h;FirewallPassword=S3CR3T")
                .unwrap_err();
        assert!(!e.message.contains("S3CR3T"), "{}", e.message);
    }

    #[test]
    fn secrets_are_masked_in_errors() {
        let e = cfg("Login=a;AuthToken=b;ProxyPassword=hunter2;ProxyPort=x").unwrap_err();
        assert!(!e.message.contains("hunter2"));
    }
}

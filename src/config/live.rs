//! From a `Config` to a signed-in, verified `Client` and an engine
//! `Session` over it: what an ODBC connection (odbc/connect.rs) and the
//! `jumpseller-odbc sync` command (replica/command.rs) both do, so neither
//! calls the other. The ODBC parts (prompt mode, diagnostic records) stay
//! with the caller, as a `SignIn`.

use super::{AuthScheme, Config};
use crate::engine::{Interrupt, Session, Setup};
use crate::error::{err, Error, Kind, Result};
use crate::jumpseller::{Auth, Client, ClientOptions};
use crate::logging::Logger;
use crate::schema::Profile;
use std::sync::Arc;

/// Pages requested ahead when `Prefetch` is not given: enough to keep
/// 20 requests/s busy at a few hundred milliseconds of latency.
pub const DEFAULT_PREFETCH: u32 = 8;

/// How the caller lets a sign-in talk to the person.
pub struct SignIn<'a> {
    /// SQL_ATTR_LOGIN_TIMEOUT (0: none).
    pub login_timeout: u64,
    /// Some(reason): the browser must not be opened, and why.
    pub cannot_prompt: Option<String>,
    /// Told a short message that precedes an error (see oauth::establish).
    pub preface: &'a mut dyn FnMut(String),
}

/// The `Logfile`, rotated as the connection says.
pub fn open_logger(config: &Config) -> Result<Logger> {
    let rotation = crate::logging::Rotation {
        max_size: config.max_log_file_size,
        max_count: config.max_log_file_count,
    };
    Logger::open_rotating(config.logfile.as_deref(), config.verbosity, rotation).map_err(|e| {
        Error::new(
            Kind::Config,
            format!(
                "Logfile {} cannot be opened: {e}",
                config.logfile.as_deref().unwrap_or("")
            ),
        )
    })
}

fn build_client(config: &Config, logger: Logger, login_timeout: u64) -> Result<Client> {
    let auth = match config.auth_scheme {
        AuthScheme::Basic => Auth::Basic {
            login: config.login.clone().unwrap_or_default(),
            token: config.auth_token.clone().unwrap_or_default(),
        },
        AuthScheme::OAuth => Auth::OAuth(super::oauth::manager(config, &logger)?),
        AuthScheme::None => Auth::None,
    };
    let pem = match &config.ssl_server_cert {
        Some(p) => Some(std::fs::read(p).map_err(|e| {
            Error::new(
                Kind::Config,
                format!("SSLServerCert {p} cannot be read: {e}"),
            )
        })?),
        None => None,
    };
    let timeout = match (config.timeout_secs, login_timeout) {
        (0, l) => l,
        (t, 0) => t,
        (t, l) => t.max(l),
    };
    Client::new(ClientOptions {
        base_url: config.url.clone(),
        auth,
        timeout_secs: timeout,
        per_second: config.max_requests_per_second,
        per_minute: config.max_requests_per_minute,
        store_key: config.store_key(),
        logger,
        attempts: 4,
        proxy: config.proxy_url(),
        proxy_auth: config.proxy_credentials(),
        proxy_exceptions: config.proxy_exceptions.clone(),
        proxy_auto_detect: config.proxy_auto_detect,
        extra_root_pem: pem,
    })
}

/// The client, signed in (OAuth) and verified by one request, and the
/// warning of a connection made without verifying (OAuth OFF without a
/// token); Offline, only built: nothing goes to the network.
pub fn signed_in_client(
    config: &Config,
    logger: &Logger,
    sign_in: &mut SignIn,
) -> Result<(Arc<Client>, Option<String>)> {
    let client = Arc::new(build_client(config, logger.clone(), sign_in.login_timeout)?);
    if config.offline {
        return Ok((client, None));
    }
    // OAuth: tokens from the store, a refresh or the authorization flow.
    let warning = super::oauth::establish(config, &client, sign_in)?;
    if warning.is_none() {
        verify(&client)?;
    }
    Ok((client, warning))
}

/// One cheap request proves the URL and the credentials: the store profile.
fn verify(client: &Client) -> Result<()> {
    match client.get("/store/info.json", &Interrupt::none()) {
        Ok(_) => Ok(()),
        // Valid credentials without the read_store scope still connect.
        Err(e) if e.status == Some(403) => Ok(()),
        Err(e) if e.status == Some(404) => err(
            Kind::Connect,
            "The URL does not answer like the Jumpseller API (HTTP 404 for /store/info.json); check the URL property (default https://api.jumpseller.com/v1).",
        ),
        // While connecting, a broken connection is a failure to connect.
        Err(e) if e.kind == Kind::Lost => Err(Error::new(Kind::Connect, e.message)),
        Err(e) => Err(e.into()),
    }
}

/// The engine session over `client` with the connection's page size,
/// prefetch and user name (the profile is loaded first, so that a wrong
/// one is reported before any request).
pub fn open_session(
    config: &Config,
    profile: Arc<Profile>,
    client: Arc<Client>,
    setup: &Setup<'_>,
) -> Result<Session> {
    Session::open(
        profile,
        client,
        config.pagesize,
        config.prefetch.unwrap_or(DEFAULT_PREFETCH),
        config.login.clone().unwrap_or_default(),
        setup,
    )
}

/// A live engine session for a tool (`jumpseller-odbc sync`): signed in
/// and verified as a connection is (never opening a browser), without
/// views or fixed tables, whatever `Offline` says.
pub fn live_session(config: &Config) -> Result<Session> {
    let live = Config {
        offline: false,
        ..config.clone()
    };
    let profile = Profile::load(live.profile.as_deref())?;
    let logger = open_logger(&live)?;
    let mut sign_in = SignIn {
        login_timeout: 0,
        cannot_prompt: Some("a command line tool does not open a browser".into()),
        preface: &mut |_| {},
    };
    let (client, _warning) = signed_in_client(&live, &logger, &mut sign_in)?;
    open_session(&live, profile, client, &Setup::default())
}

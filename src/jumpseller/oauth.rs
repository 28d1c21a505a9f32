//! OAuth 2 for Jumpseller (authorization-code and refresh-token grants) with
//! the `oauth2` crate over our own reqwest client: the authorization URL, the
//! code exchange, refresh, the browser flow with a loopback listener, and the
//! token manager the HTTP client asks for its bearer token.
//!
//! Nothing here knows ODBC. Secrets (client secret, tokens, codes) are never
//! put into log lines or error messages.

use super::tokenstore::{StoredTokens, TokenStore};
use crate::error::{Error, Kind, Result};
use crate::logging::Logger;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, RedirectUrl, RefreshToken, RequestTokenError, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use reqwest::blocking::Client as Http;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Every `read_*` scope an endpoint the driver reads declares
/// (reference §3.1): enough for every table of the built-in profile.
pub const DEFAULT_SCOPE: &str = "read_products read_orders read_customers read_store read_settings read_shipping_methods read_payment_methods read_hooks read_promotions read_taxes read_pages read_apps read_fulfillments";

/// Longest wait for the browser to come back to the CallbackURL.
pub const DEFAULT_FLOW_WAIT: Duration = Duration::from_secs(120);

pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The OAuth application and its endpoints.
#[derive(Clone)]
pub struct OAuthApp {
    pub client_id: String,
    pub client_secret: Option<String>,
    pub authorization_url: String,
    pub token_url: String,
    pub callback_url: String,
    pub scope: String,
}

impl std::fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthApp")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "********"),
            )
            .field("authorization_url", &self.authorization_url)
            .field("token_url", &self.token_url)
            .field("callback_url", &self.callback_url)
            .field("scope", &self.scope)
            .finish()
    }
}

/// A token pair with what is known of its lifetime.
#[derive(Clone, PartialEq, Eq)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: Option<u64>,
    /// Unix seconds of issue.
    pub created_at: Option<u64>,
    /// Unix seconds after which the access token is no longer good.
    pub expires_at: Option<u64>,
    pub scope: Option<String>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"********")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "********"),
            )
            .field("expires_in", &self.expires_in)
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl Tokens {
    /// Tokens the user supplied: `OAuthExpiresIn` seconds from
    /// `OAuthTokenTimestamp` (Unix ms), when both are known.
    pub fn supplied(
        access: Option<String>,
        refresh: Option<String>,
        expires_in: Option<u64>,
        timestamp_ms: Option<u64>,
    ) -> Tokens {
        let created_at = timestamp_ms.map(|ms| ms / 1000);
        let expires_at = match (expires_in, created_at) {
            (Some(e), Some(c)) => Some(c + e),
            _ => None,
        };
        Tokens {
            access_token: access.unwrap_or_default(),
            refresh_token: refresh,
            expires_in,
            created_at,
            expires_at,
            scope: None,
        }
    }

    /// Whether the access token is known to be expired, or about to be:
    /// a tenth of its lifetime (at most a minute) before the end.
    pub fn expired(&self) -> bool {
        if self.access_token.is_empty() {
            return true;
        }
        match self.expires_at {
            None => false,
            Some(at) => {
                let margin = self.expires_in.map(|e| (e / 10).min(60)).unwrap_or(0);
                now_secs() + margin >= at
            }
        }
    }

    /// Seconds the access token has left, when known.
    pub fn remaining(&self) -> Option<u64> {
        self.expires_at.map(|at| at.saturating_sub(now_secs()))
    }
}

// ---------------------------------------------------------------- oauth2 glue

/// Jumpseller's token response adds `created_at` (epoch seconds). Taken as
/// a JSON value: serde_json's arbitrary_precision numbers do not survive
/// `#[serde(flatten)]` as integers.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct JumpsellerExtra {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<serde_json::Value>,
}
impl ExtraTokenFields for JumpsellerExtra {}

type TokenResp = StandardTokenResponse<JumpsellerExtra, BasicTokenType>;
type OClient = oauth2::Client<
    BasicErrorResponse,
    TokenResp,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// A transport failure of a token request (text already free of secrets).
#[derive(Debug)]
pub struct TransportError {
    kind: Kind,
    message: String,
}
impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for TransportError {}

/// Runs one oauth2 request through our reqwest client.
fn send(
    http: &Http,
    req: oauth2::HttpRequest,
) -> std::result::Result<oauth2::HttpResponse, TransportError> {
    let (parts, body) = req.into_parts();
    let url = parts.uri.to_string();
    let mut rb = http.request(parts.method, &url);
    for (k, v) in parts.headers.iter() {
        rb = rb.header(k, v);
    }
    let resp = rb.body(body).send().map_err(|e| {
        let shown = crate::logging::redact(&url);
        let (kind, what) = if e.is_timeout() {
            (Kind::Timeout, "timed out".to_string())
        } else if e.is_connect() {
            (Kind::Connect, "cannot connect".to_string())
        } else {
            (Kind::Lost, "the connection failed".to_string())
        };
        TransportError {
            kind,
            message: format!("The OAuth token request to {shown} failed: {what}."),
        }
    })?;
    let mut out = oauth2::http::Response::builder().status(resp.status());
    for (k, v) in resp.headers().iter() {
        out = out.header(k, v);
    }
    let bytes = resp.bytes().map_err(|_| TransportError {
        kind: Kind::Lost,
        message: format!(
            "The answer of the OAuth token endpoint {} was cut short.",
            crate::logging::redact(&url)
        ),
    })?;
    out.body(bytes.to_vec()).map_err(|_| TransportError {
        kind: Kind::Malformed,
        message: "The OAuth token endpoint answered an unusable HTTP response.".into(),
    })
}

fn oclient(app: &OAuthApp, redirect: &str) -> Result<OClient> {
    let auth = AuthUrl::new(app.authorization_url.clone()).map_err(|_| {
        Error::new(
            Kind::Config,
            format!(
                "OAuthAuthorizationURL={} is not a valid URL.",
                app.authorization_url
            ),
        )
    })?;
    let token = TokenUrl::new(app.token_url.clone()).map_err(|_| {
        Error::new(
            Kind::Config,
            format!("OAuthAccessTokenURL={} is not a valid URL.", app.token_url),
        )
    })?;
    let mut c = oauth2::Client::new(ClientId::new(app.client_id.clone()))
        .set_auth_uri(auth)
        .set_token_uri(token)
        .set_auth_type(AuthType::RequestBody);
    if let Some(s) = &app.client_secret {
        c = c.set_client_secret(ClientSecret::new(s.clone()));
    }
    if !redirect.is_empty() {
        let r = RedirectUrl::new(redirect.to_string()).map_err(|_| {
            Error::new(
                Kind::Config,
                format!("CallbackURL={redirect} is not a valid URL."),
            )
        })?;
        c = c.set_redirect_uri(r);
    }
    Ok(c)
}

fn check_app(app: &OAuthApp) -> Result<()> {
    if app.client_id.is_empty() {
        return Err(Error::new(
            Kind::Config,
            "OAuth needs OAuthClientId (and OAuthClientSecret): the credentials of your Jumpseller app (store admin > Apps > Developers).",
        ));
    }
    Ok(())
}

/// The URL the user opens to approve access.
pub fn authorization_url(app: &OAuthApp, state: &str) -> Result<String> {
    check_app(app)?;
    let c = oclient(app, &app.callback_url)?;
    let st = state.to_string();
    let mut req = c.authorize_url(move || CsrfToken::new(st));
    for s in app.scope.split_whitespace() {
        req = req.add_scope(Scope::new(s.to_string()));
    }
    Ok(req.url().0.to_string())
}

/// 32 hex digits from the kernel's random source.
pub fn random_state() -> String {
    let mut buf = [0u8; 16];
    let mut filled = 0;
    while filled < buf.len() {
        // SAFETY: writes at most the remaining length into our buffer.
        let n = unsafe {
            libc::getrandom(
                buf[filled..].as_mut_ptr() as *mut libc::c_void,
                buf.len() - filled,
                0,
            )
        };
        if n <= 0 {
            break;
        }
        filled += n as usize;
    }
    if filled < buf.len() {
        if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
            let _ = f.read_exact(&mut buf);
        }
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

fn to_tokens(r: TokenResp, old_refresh: Option<&str>) -> Result<Tokens> {
    let access = r.access_token().secret().clone();
    if access.is_empty() {
        return Err(Error::new(
            Kind::Malformed,
            "The OAuth token endpoint answered without an access token.",
        ));
    }
    let expires_in = r.expires_in().map(|d| d.as_secs());
    let created_at = r.extra_fields().created_at.as_ref().and_then(|v| match v {
        serde_json::Value::Number(n) => n.as_u64().or_else(|| n.as_f64().map(|f| f as u64)),
        serde_json::Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    });
    let expires_at = expires_in.map(|e| created_at.unwrap_or_else(now_secs) + e);
    let refresh = r
        .refresh_token()
        .map(|t| t.secret().clone())
        .filter(|t| !t.is_empty())
        .or_else(|| old_refresh.map(str::to_string));
    let scope = r.scopes().map(|v| {
        v.iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    });
    Ok(Tokens {
        access_token: access,
        refresh_token: refresh,
        expires_in,
        created_at,
        expires_at,
        scope,
    })
}

fn request_error(
    e: RequestTokenError<TransportError, BasicErrorResponse>,
    app: &OAuthApp,
    what: &str,
) -> Error {
    match e {
        RequestTokenError::ServerResponse(r) => {
            let code = r.error().as_ref().to_string();
            let desc = r.error_description().map(|d| format!(": {d}")).unwrap_or_default();
            let advice = match code.as_str() {
                "invalid_client" => "Check OAuthClientId and OAuthClientSecret (the app's credentials in the Jumpseller admin).".to_string(),
                "invalid_grant" if what == "refresh" => "The refresh token was already used, revoked or belongs to another app. Authorize again: connect with InitiateOAuth=GETANDREFRESH, or run `jumpseller-odbc auth`.".to_string(),
                "invalid_grant" => format!("Authorization codes are single-use and short-lived, and CallbackURL must be the same redirect URL ({}) the code was issued for. Get a new code and try again.", app.callback_url),
                _ => "See the message of the authorization server.".to_string(),
            };
            let verb = if what == "refresh" { "refreshing the access token" } else { "exchanging the authorization code" };
            Error::new(Kind::Auth, format!("The OAuth server at {} refused {verb} ({code}{desc}). {advice}", app.token_url))
        }
        RequestTokenError::Request(t) => Error::new(t.kind, t.message),
        RequestTokenError::Parse(_, _) => Error::new(
            Kind::Malformed,
            format!("The OAuth token endpoint {} did not answer with a token response; check OAuthAccessTokenURL.", app.token_url),
        ),
        RequestTokenError::Other(m) => {
            Error::new(Kind::Auth, format!("The OAuth token request to {} failed ({}); check OAuthAccessTokenURL.", app.token_url, crate::logging::redact(&m)))
        }
    }
}

/// Exchanges an authorization code, sent with `redirect_uri` (the
/// CallbackURL the code was issued for).
pub fn exchange_code(
    http: &Http,
    app: &OAuthApp,
    code: &str,
    redirect_uri: &str,
    logger: &Logger,
) -> Result<Tokens> {
    check_app(app)?;
    let c = oclient(app, redirect_uri)?;
    logger.log(
        2,
        &format!("POST {} (grant_type=authorization_code)", app.token_url),
    );
    let r = c
        .exchange_code(AuthorizationCode::new(code.trim().to_string()))
        .request(&|req| send(http, req))
        .map_err(|e| request_error(e, app, "code"))?;
    let t = to_tokens(r, None)?;
    logger.log(
        2,
        &format!(
            "  new access token, expires in {} s",
            t.expires_in
                .map(|e| e.to_string())
                .unwrap_or_else(|| "?".into())
        ),
    );
    Ok(t)
}

/// Refreshes; keeps `refresh_token` when the answer carries no new one.
pub fn refresh(
    http: &Http,
    app: &OAuthApp,
    refresh_token: &str,
    logger: &Logger,
) -> Result<Tokens> {
    check_app(app)?;
    let c = oclient(app, "")?;
    logger.log(
        2,
        &format!("POST {} (grant_type=refresh_token)", app.token_url),
    );
    let rt = RefreshToken::new(refresh_token.to_string());
    let r = c
        .exchange_refresh_token(&rt)
        .request(&|req| send(http, req))
        .map_err(|e| request_error(e, app, "refresh"))?;
    let t = to_tokens(r, Some(refresh_token))?;
    logger.log(
        2,
        &format!(
            "  refreshed: new access token, expires in {} s{}",
            t.expires_in
                .map(|e| e.to_string())
                .unwrap_or_else(|| "?".into()),
            if t.refresh_token.as_deref() != Some(refresh_token) {
                ", refresh token rotated"
            } else {
                ""
            }
        ),
    );
    Ok(t)
}

// ----------------------------------------------------------- browser flow

/// Why the browser flow could not run here (the caller explains the
/// headless way), or how it failed.
#[derive(Debug)]
pub enum FlowError {
    /// No browser or no listener possible: the reason, in words.
    CannotPrompt(String),
    Failed(Error),
}

impl From<Error> for FlowError {
    fn from(e: Error) -> Self {
        FlowError::Failed(e)
    }
}

/// Host, port and path the CallbackURL names, when it is a loopback http URL.
pub fn loopback_callback(callback: &str) -> std::result::Result<(String, u16, String), String> {
    let u = oauth2::url::Url::parse(callback)
        .map_err(|_| format!("CallbackURL={callback} is not a valid URL"))?;
    if u.scheme() != "http" {
        return Err(format!("CallbackURL={callback} is not a plain http:// loopback URL, so the driver cannot receive the redirect itself"));
    }
    let host = match u.host() {
        Some(oauth2::url::Host::Domain(d)) => d.to_string(),
        Some(oauth2::url::Host::Ipv4(a)) => a.to_string(),
        Some(oauth2::url::Host::Ipv6(a)) => a.to_string(),
        None => String::new(),
    };
    if !crate::config::is_loopback(&host) {
        return Err(format!(
            "CallbackURL={callback} is not on this machine (only localhost, 127.0.0.1 and [::1] are listened on), so the driver cannot receive the redirect"
        ));
    }
    let port = u.port_or_known_default().unwrap_or(80);
    let path = if u.path().is_empty() {
        "/".to_string()
    } else {
        u.path().to_string()
    };
    Ok((host, port, path))
}

fn bind(host: &str, port: u16) -> std::io::Result<Vec<TcpListener>> {
    let addrs: Vec<String> = if host.eq_ignore_ascii_case("localhost") {
        vec![format!("127.0.0.1:{port}"), format!("[::1]:{port}")]
    } else if host.contains(':') {
        vec![format!("[{host}]:{port}")]
    } else {
        vec![format!("{host}:{port}")]
    };
    let mut out = Vec::new();
    let mut first_err = None;
    for a in addrs {
        match TcpListener::bind(&a) {
            Ok(l) => {
                l.set_nonblocking(true)?;
                out.push(l);
            }
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    if out.is_empty() {
        return Err(first_err.unwrap_or_else(|| std::io::Error::other("no address")));
    }
    Ok(out)
}

/// Opens `url` in the user's browser: `$BROWSER` (a `:`-separated list of
/// commands, `%s` standing for the URL), else the platform opener.
pub fn open_browser(url: &str) -> std::result::Result<(), String> {
    use std::process::{Command, Stdio};
    let started = |mut child: std::process::Child| -> bool {
        // A command that does not exist ends at once with 126/127.
        let until = Instant::now() + Duration::from_millis(300);
        loop {
            match child.try_wait() {
                Ok(Some(s)) => return !matches!(s.code(), Some(126) | Some(127)),
                Ok(None) if Instant::now() >= until => {
                    std::thread::spawn(move || {
                        let _ = child.wait();
                    });
                    return true;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(_) => return false,
            }
        }
    };
    if let Ok(b) = std::env::var("BROWSER") {
        for cmd in b.split(':').map(str::trim).filter(|c| !c.is_empty()) {
            let script = if cmd.contains("%s") {
                cmd.replace("%s", "\"$1\"")
            } else {
                format!("{cmd} \"$1\"")
            };
            let child = Command::new("sh")
                .arg("-c")
                .arg(script)
                .arg("sh")
                .arg(url)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn();
            if let Ok(c) = child {
                if started(c) {
                    return Ok(());
                }
            }
        }
        if !b.trim().is_empty() {
            return Err("the browser command in $BROWSER could not be started".into());
        }
    }
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        let graphical = ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()));
        if !graphical {
            return Err("no web browser can be opened here (no graphical session: DISPLAY is not set, and $BROWSER is not set)".into());
        }
        "xdg-open"
    };
    match Command::new(opener)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(mut c) => {
            let until = Instant::now() + Duration::from_secs(3);
            loop {
                match c.try_wait() {
                    Ok(Some(s)) if s.success() => return Ok(()),
                    Ok(Some(_)) => return Err(format!("{opener} could not open a web browser")),
                    Ok(None) if Instant::now() >= until => {
                        std::thread::spawn(move || {
                            let _ = c.wait();
                        });
                        return Ok(());
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                    Err(_) => return Ok(()),
                }
            }
        }
        Err(_) => Err(format!(
            "no web browser can be opened here ({opener} is not available and $BROWSER is not set)"
        )),
    }
}

/// Reads the request line of one HTTP request: (path, query pairs).
fn read_request(s: &mut TcpStream) -> Option<(String, Vec<(String, String)>)> {
    s.set_nonblocking(false).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 32 * 1024 {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let text = String::from_utf8_lossy(&buf);
    let line = text.lines().next()?;
    let mut parts = line.split_whitespace();
    let _method = parts.next()?;
    let target = parts.next()?;
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let pairs = oauth2::url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    Some((path.to_string(), pairs))
}

fn respond(s: &mut TcpStream, status: &str, title: &str, text: &str) {
    let esc = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{}</title></head><body style=\"font-family:sans-serif\"><h2>{}</h2><p>{}</p></body></html>",
        esc(title),
        esc(title),
        esc(text)
    );
    let _ = write!(s, "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n{body}", body.len());
    let _ = s.flush();
}

/// The authorization-code flow with a browser: listen on the CallbackURL,
/// open the authorization URL, wait (at most `wait`) for the redirect,
/// check `state`, exchange the code.
pub fn browser_flow(
    http: &Http,
    app: &OAuthApp,
    wait: Duration,
    logger: &Logger,
) -> std::result::Result<Tokens, FlowError> {
    browser_flow_with(http, app, wait, logger, true, &|_| {})
}

/// The flow, telling `announce` the authorization URL; with
/// `need_browser` false a browser that cannot be opened is no failure
/// (the person opens the announced URL themselves).
pub fn browser_flow_with(
    http: &Http,
    app: &OAuthApp,
    wait: Duration,
    logger: &Logger,
    need_browser: bool,
    announce: &dyn Fn(&str),
) -> std::result::Result<Tokens, FlowError> {
    check_app(app)?;
    let (host, port, path) =
        loopback_callback(&app.callback_url).map_err(FlowError::CannotPrompt)?;
    let listeners = bind(&host, port).map_err(|e| {
        FlowError::Failed(Error::new(
            Kind::Auth,
            format!(
                "Cannot listen on {host}:{port} (CallbackURL={}) for the OAuth redirect: {e}. Close the program that uses this port, or register another loopback redirect URL with the app and set CallbackURL to it.",
                app.callback_url
            ),
        ))
    })?;
    let state = random_state();
    let url = authorization_url(app, &state)?;
    logger.log(1, &format!("OAuth: opening the browser for authorization; waiting on {host}:{port}{path} for at most {} s", wait.as_secs()));
    announce(&url);
    if let Err(reason) = open_browser(&url) {
        if need_browser {
            return Err(FlowError::CannotPrompt(reason));
        }
    }
    let deadline = Instant::now() + wait;
    loop {
        if Instant::now() >= deadline {
            return Err(FlowError::Failed(Error::new(
                Kind::Auth,
                format!(
                    "No authorization arrived at CallbackURL={} within {} s. Approve the access in the browser sooner, or finish without a browser here: open {url} on any machine, copy the `code` from the address it is sent to, and connect with OAuthVerifier=<code>.",
                    app.callback_url,
                    wait.as_secs()
                ),
            )));
        }
        let mut conn = None;
        for l in &listeners {
            if let Ok((s, _)) = l.accept() {
                conn = Some(s);
                break;
            }
        }
        let Some(mut s) = conn else {
            std::thread::sleep(Duration::from_millis(25));
            continue;
        };
        let Some((req_path, q)) = read_request(&mut s) else {
            continue;
        };
        let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        if req_path != path || (get("code").is_none() && get("error").is_none()) {
            respond(
                &mut s,
                "404 Not Found",
                "Not found",
                "This address only receives the OAuth redirect.",
            );
            continue;
        }
        if get("state").as_deref() != Some(state.as_str()) {
            respond(&mut s, "400 Bad Request", "Authorization refused", "The state parameter does not match the request the driver made. Nothing was stored.");
            return Err(FlowError::Failed(Error::new(
                Kind::Auth,
                "The OAuth redirect carried a state that does not match the one the driver sent (a forged or stale redirect); the authorization was refused and nothing was stored. Connect again to start a new authorization.",
            )));
        }
        if let Some(e) = get("error") {
            let desc = get("error_description")
                .map(|d| format!(": {d}"))
                .unwrap_or_default();
            respond(
                &mut s,
                "200 OK",
                "Authorization not granted",
                &format!("The authorization server answered {e}{desc}. You can close this window."),
            );
            return Err(FlowError::Failed(Error::new(
                Kind::Auth,
                format!("The authorization was not granted ({e}{desc}). Connect again and approve the access in the browser."),
            )));
        }
        let code = get("code").unwrap_or_default();
        return match exchange_code(http, app, &code, &app.callback_url, logger) {
            Ok(t) => {
                respond(&mut s, "200 OK", "Authorization complete", "The Jumpseller ODBC driver received the authorization. You can close this window.");
                Ok(t)
            }
            Err(e) => {
                respond(&mut s, "200 OK", "Authorization failed", &e.message);
                Err(FlowError::Failed(e))
            }
        };
    }
}

/// The authorization URL for the headless way, without `state` (nobody
/// receives that redirect to check it; and the URL stays short).
pub fn headless_url(app: &OAuthApp) -> String {
    let full = match authorization_url(app, "") {
        Ok(u) => u,
        Err(e) => return e.message,
    };
    match oauth2::url::Url::parse(&full) {
        Ok(mut u) => {
            let kept: Vec<(String, String)> = u
                .query_pairs()
                .filter(|(k, _)| k != "state")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            u.query_pairs_mut().clear().extend_pairs(kept);
            u.to_string()
        }
        Err(_) => full,
    }
}

/// The first thing to read when the flow cannot run here: the URL and what
/// to do with it, in one short record (some applications show only the
/// first diagnostic record, and only 512 characters of it).
pub fn headless_short(app: &OAuthApp) -> String {
    format!(
        "Open in a browser, approve, reconnect with OAuthVerifier=<code> from the redirect: {}",
        headless_url(app)
    )
}

/// Why the flow cannot run here and the headless way to finish, without the
/// URL: short enough for one diagnostic record (applications often show 512
/// characters of each).
pub fn headless_explanation(app: &OAuthApp, store: &str, reason: &str) -> String {
    format!(
        "No OAuth tokens stored ({store}) and no browser can be opened: {reason}. \
Open the URL of the previous message on any machine, approve, copy `code` from the address it is sent to \
({}?code=...; the page may not load) and reconnect with OAuthVerifier=<code>. Or run `jumpseller-odbc auth` elsewhere and copy its token store here.",
        app.callback_url
    )
}

/// Explanation and URL in one text.
pub fn headless_message(app: &OAuthApp, store: &str, reason: &str) -> String {
    format!(
        "{} OAuth authorization URL: {}",
        headless_explanation(app, store, reason)
            .replace("the URL of the previous message", "this URL"),
        headless_url(app)
    )
}

// --------------------------------------------------------- token manager

/// How tokens may be renewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// Use the access token as given (InitiateOAuth=OFF).
    Never,
    /// Refresh when expired or refused (REFRESH, GETANDREFRESH).
    Refresh,
}

/// The bearer token of one connection: asked before every request,
/// refreshed under the token store's lock when expired or refused.
pub struct TokenManager {
    pub app: OAuthApp,
    pub renewal: Renewal,
    pub store: Option<TokenStore>,
    /// A fingerprint of the token or code in the connection string the
    /// stored tokens descend from.
    pub origin: Option<String>,
    current: Mutex<Option<Tokens>>,
    /// Serializes refreshes of this connection when there is no store.
    refreshing: Mutex<()>,
    logger: Logger,
}

impl std::fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenManager")
            .field("app", &self.app)
            .field("renewal", &self.renewal)
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl TokenManager {
    pub fn new(
        app: OAuthApp,
        renewal: Renewal,
        store: Option<TokenStore>,
        origin: Option<String>,
        logger: Logger,
    ) -> TokenManager {
        TokenManager {
            app,
            renewal,
            store,
            origin,
            current: Mutex::new(None),
            refreshing: Mutex::new(()),
            logger,
        }
    }

    pub fn logger(&self) -> &Logger {
        &self.logger
    }

    pub fn current(&self) -> Option<Tokens> {
        lock(&self.current).clone()
    }

    pub fn set_current(&self, t: Option<Tokens>) {
        *lock(&self.current) = t;
    }

    pub fn has_token(&self) -> bool {
        lock(&self.current)
            .as_ref()
            .is_some_and(|t| !t.access_token.is_empty())
    }

    fn record(&self, t: &Tokens) -> StoredTokens {
        StoredTokens::new(&self.app.client_id, self.origin.clone(), t)
    }

    /// Writes tokens to the store (if any) and makes them current.
    pub fn adopt(&self, t: Tokens) -> Result<()> {
        if let Some(store) = &self.store {
            let _g = store.lock()?;
            store.save(&self.record(&t))?;
        }
        self.set_current(Some(t));
        Ok(())
    }

    /// The access token to send now; refreshes first when it is known to
    /// have expired and renewal is allowed.
    pub fn bearer(&self, http: &Http) -> Result<Option<String>> {
        let cur = self.current();
        match cur {
            None => Ok(None),
            Some(t) if self.renewal == Renewal::Refresh && t.expired() => {
                self.logger
                    .log(2, "OAuth: the access token has expired; refreshing");
                Ok(Some(self.refresh_from(http, &t.access_token)?.access_token))
            }
            Some(t) => Ok(Some(t.access_token)),
        }
    }

    /// The API refused `used`: renew when allowed. Ok = retry with the
    /// current token.
    pub fn after_refusal(&self, http: &Http, used: &str) -> Result<()> {
        if self.renewal != Renewal::Refresh {
            return Err(Error::new(Kind::Auth, "renewal disabled"));
        }
        self.logger.log(
            2,
            "OAuth: the API refused the access token; refreshing and retrying once",
        );
        self.refresh_from(http, used).map(|_| ())
    }

    /// Refreshes unless someone (a thread of this process or another
    /// process sharing the store) already replaced the `stale` token. Holds
    /// the store's lock from reading to writing, so a rotated refresh token
    /// is never lost.
    pub fn refresh_from(&self, http: &Http, stale: &str) -> Result<Tokens> {
        let _local = lock(&self.refreshing);
        if let Some(t) = self.current() {
            if t.access_token != stale && !t.expired() {
                return Ok(t);
            }
        }
        let _guard = match &self.store {
            Some(s) => Some(s.lock()?),
            None => None,
        };
        let stored = match &self.store {
            Some(s) => s
                .load()?
                .filter(|r| r.client_id == self.app.client_id)
                .map(|r| r.tokens()),
            None => None,
        };
        if let Some(t) = &stored {
            if t.access_token != stale && !t.expired() {
                self.logger.log(
                    2,
                    "OAuth: using the access token another connection refreshed",
                );
                self.set_current(Some(t.clone()));
                return Ok(t.clone());
            }
        }
        let refresh_token = stored
            .as_ref()
            .and_then(|t| t.refresh_token.clone())
            .or_else(|| self.current().and_then(|t| t.refresh_token))
            .ok_or_else(|| {
                Error::new(
                    Kind::Auth,
                    "The OAuth access token has expired or was refused and there is no refresh token to renew it. Give OAuthRefreshToken, or connect with InitiateOAuth=GETANDREFRESH to authorize again.",
                )
            })?;
        let fresh = refresh(http, &self.app, &refresh_token, &self.logger)?;
        if let Some(s) = &self.store {
            s.save(&self.record(&fresh))?;
        }
        self.set_current(Some(fresh.clone()));
        Ok(fresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> OAuthApp {
        OAuthApp {
            client_id: "cid".into(),
            client_secret: Some("sec".into()),
            authorization_url: "http://127.0.0.1:9/oauth/authorize".into(),
            token_url: "http://127.0.0.1:9/oauth/token".into(),
            callback_url: "http://localhost:33333".into(),
            scope: DEFAULT_SCOPE.into(),
        }
    }

    #[test]
    fn authorization_url_has_the_parameters() {
        let u = authorization_url(&app(), "abc").unwrap();
        assert!(u.starts_with("http://127.0.0.1:9/oauth/authorize?"), "{u}");
        for p in [
            "client_id=cid",
            "response_type=code",
            "state=abc",
            "redirect_uri=http%3A%2F%2Flocalhost%3A33333",
            "read_products+read_orders",
        ] {
            assert!(u.contains(p), "{p} in {u}");
        }
        assert!(!u.contains("sec"));
    }

    #[test]
    fn states_are_random() {
        let a = random_state();
        assert_eq!(a.len(), 32);
        assert_ne!(a, random_state());
    }

    #[test]
    fn callback_must_be_loopback() {
        assert_eq!(
            loopback_callback("http://localhost:33333").unwrap(),
            ("localhost".into(), 33333, "/".into())
        );
        assert_eq!(loopback_callback("http://127.0.0.1:8/cb").unwrap().2, "/cb");
        assert!(loopback_callback("http://example.com:8/cb").is_err());
        assert!(loopback_callback("https://localhost:8/cb").is_err());
    }

    #[test]
    fn created_at_survives_arbitrary_precision() {
        let body = br#"{"access_token":"a","token_type":"bearer","expires_in":3600,"refresh_token":"r","created_at":1502473092}"#;
        let r: TokenResp = serde_json::from_slice(body).unwrap();
        let t = to_tokens(r, None).unwrap();
        assert_eq!(t.created_at, Some(1502473092));
        assert_eq!(t.expires_at, Some(1502473092 + 3600));
        assert!(t.expired());
        let body = br#"{"access_token":"a","token_type":"bearer","expires_in":3600}"#;
        let t = to_tokens(serde_json::from_slice(body).unwrap(), Some("old")).unwrap();
        assert_eq!(t.refresh_token.as_deref(), Some("old"));
        assert!(!t.expired());
    }
}

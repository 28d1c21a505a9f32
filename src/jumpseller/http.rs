//! One blocking HTTP client per connection (keep-alive inside reqwest), with
//! the store's rate budget and an honest retry policy: a request either returns
//! the API's answer or an error; it never quietly gives up on part of a scan.

use super::interrupt::Interrupt;
use super::ratelimit::Limiter;
use crate::error::{Error, Kind};
use crate::logging::{redact, Logger};
use reqwest::blocking::{Client as Http, Response};
use reqwest::StatusCode;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone)]
pub enum Auth {
    Basic {
        login: String,
        token: String,
    },
    Bearer(Arc<Mutex<String>>),
    /// OAuth with a token manager: asked for the token before each request,
    /// told when the API refuses it (refresh + one retry when allowed).
    OAuth(Arc<super::oauth::TokenManager>),
    None,
}

pub struct ClientOptions {
    pub base_url: String,
    pub auth: Auth,
    pub timeout_secs: u64,
    pub per_second: u32,
    pub per_minute: u32,
    pub store_key: String,
    pub logger: Logger,
    /// Attempts per request for retryable failures (5xx, resets, timeouts, 429).
    pub attempts: u32,
    pub proxy: Option<String>,
    pub proxy_auth: Option<(String, String)>,
    pub proxy_auto_detect: bool,
    pub extra_root_pem: Option<Vec<u8>>,
}

/// Most 429 answers one request may meet before the query fails; each
/// waits for the rate window, so this bounds the wait to about a minute.
const MAX_THROTTLED: u32 = 60;

/// Whether a failed response is worth sending again.
enum Retry {
    Yes,
    No,
    /// Rate limited: wait for the window, then again.
    Throttled,
}

fn gave_up(mut e: ApiError, tries: u32) -> ApiError {
    e.message = format!("{} (gave up after {tries} attempts)", e.message);
    e
}

/// An API failure with the HTTP status when there was one.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub kind: Kind,
    pub status: Option<u16>,
    pub message: String,
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Error {
        Error::new(e.kind, e.message)
    }
}

pub struct Client {
    http: Http,
    base: String,
    auth: Auth,
    limiter: Arc<Limiter>,
    logger: Logger,
    attempts: u32,
}

/// The HTTP methods the API is called with (callers above this layer name no
/// HTTP library type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        }
    }
}

impl Client {
    pub fn new(opts: ClientOptions) -> Result<Client, Error> {
        let mut b = Http::builder()
            .user_agent(concat!("jumpseller-odbc/", env!("CARGO_PKG_VERSION")))
            .pool_idle_timeout(Duration::from_secs(60))
            .connect_timeout(Duration::from_secs(if opts.timeout_secs == 0 {
                30
            } else {
                opts.timeout_secs.min(30)
            }));
        b = b.timeout(if opts.timeout_secs == 0 {
            None
        } else {
            Some(Duration::from_secs(opts.timeout_secs))
        });
        if !opts.proxy_auto_detect {
            b = b.no_proxy();
        }
        if let Some(p) = &opts.proxy {
            let mut proxy = reqwest::Proxy::all(p).map_err(|e| {
                Error::new(Kind::Config, format!("ProxyServer {p} is not usable: {e}"))
            })?;
            if let Some((u, pw)) = &opts.proxy_auth {
                proxy = proxy.basic_auth(u, pw);
            }
            b = b.proxy(proxy);
        }
        if let Some(pem) = &opts.extra_root_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                Error::new(
                    Kind::Config,
                    format!("SSLServerCert is not a PEM certificate: {e}"),
                )
            })?;
            for c in certs {
                b = b.add_root_certificate(c);
            }
        }
        let http = b
            .build()
            .map_err(|e| Error::new(Kind::Connect, format!("Cannot set up HTTPS: {e}")))?;
        Ok(Client {
            http,
            base: opts.base_url.trim_end_matches('/').to_string(),
            auth: opts.auth,
            limiter: Limiter::for_store(&opts.store_key, opts.per_second, opts.per_minute),
            logger: opts.logger,
            attempts: opts.attempts.max(1),
        })
    }

    /// The underlying HTTP client (OAuth token requests share its proxy and TLS settings).
    pub fn http(&self) -> &Http {
        &self.http
    }

    /// The OAuth token manager, when the connection uses OAuth.
    pub fn oauth(&self) -> Option<&Arc<super::oauth::TokenManager>> {
        match &self.auth {
            Auth::OAuth(m) => Some(m),
            _ => None,
        }
    }

    /// `GET base + path` (path carries its own query), parsed as JSON.
    pub fn get(&self, path: &str, interrupt: &Interrupt) -> Result<Value, ApiError> {
        self.send(Method::Get, path, None, interrupt)
    }

    /// Sends one request (retried within the policy) and parses the answer.
    /// `interrupt` is the statement's: checked before every attempt.
    pub fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        interrupt: &Interrupt,
    ) -> Result<Value, ApiError> {
        let url = format!("{}{}", self.base, path);
        // A POST that reached the server may have been applied: it is only
        // repeated when it provably was not (no connection, or throttled).
        let idempotent = method != Method::Post;
        let method = method.to_reqwest();
        let (mut failures, mut throttles) = (0u32, 0u32);
        // A refused OAuth token is refreshed and the request sent once more.
        let mut renewed = false;
        loop {
            interrupt.check()?;
            self.limiter.acquire();
            self.logger.log(2, &format!("{method} {}", redact(&url)));
            let mut req = self.http.request(method.clone(), &url);
            let mut used_token = String::new();
            req = match &self.auth {
                Auth::Basic { login, token } => req.basic_auth(login, Some(token)),
                Auth::Bearer(t) => req.bearer_auth(t.lock().map(|t| t.clone()).unwrap_or_default()),
                Auth::OAuth(m) => match m.bearer(&self.http).map_err(auth_failure)? {
                    Some(t) => {
                        used_token = t.clone();
                        req.bearer_auth(t)
                    }
                    None => req,
                },
                Auth::None => req,
            };
            if let Some(b) = body {
                req = req
                    .header("Content-Type", "application/json")
                    .body(b.to_string());
            }
            let (err, retry) = match req.send() {
                Err(e) => {
                    let failure = transport_error(&e, &url);
                    self.logger
                        .log(2, &format!("  failed: {}", failure.message));
                    let retry = idempotent || failure.kind == Kind::Connect;
                    (failure, retry)
                }
                Ok(resp) => match self.read(resp, &url) {
                    Ok(v) => return Ok(v),
                    Err((e, Retry::Throttled)) => {
                        throttles += 1;
                        if throttles > MAX_THROTTLED {
                            return Err(gave_up(e, throttles));
                        }
                        // read() set the hold from the headers; acquire() waits.
                        continue;
                    }
                    Err((e, Retry::Yes)) => (e, idempotent),
                    Err((e, Retry::No)) if e.kind == Kind::Auth && !renewed && self.renews() => {
                        renewed = true;
                        if let Auth::OAuth(m) = &self.auth {
                            m.after_refusal(&self.http, &used_token)
                                .map_err(auth_failure)?;
                        }
                        // A 401 was not applied: the same request again, not a failure.
                        continue;
                    }
                    Err((e, Retry::No)) => (e, false),
                },
            };
            failures += 1;
            if !retry || failures >= self.attempts || (err.kind == Kind::Connect && failures >= 2) {
                return Err(if failures > 1 {
                    gave_up(err, failures)
                } else {
                    err
                });
            }
            // 0.2 s, 0.4 s, 0.8 s ...: long enough for a blip to pass, short
            // enough that a dead server fails the query quickly.
            std::thread::sleep(Duration::from_millis(200 << (failures - 1).min(5)));
        }
    }

    /// Whether a refused token is renewed (OAuth with InitiateOAuth REFRESH/GETANDREFRESH).
    fn renews(&self) -> bool {
        matches!(&self.auth, Auth::OAuth(m) if m.renewal == super::oauth::Renewal::Refresh)
    }

    /// Reads a response: Ok(JSON), or Err((error, worth retrying)).
    fn read(&self, resp: Response, url: &str) -> Result<Value, (ApiError, Retry)> {
        let status = resp.status();
        let headers = resp.headers().clone();
        if self.logger.enabled(3) {
            let hs: Vec<String> = headers
                .iter()
                .filter(|(k, _)| {
                    k.as_str().starts_with("jumpseller-") || k.as_str() == "content-type"
                })
                .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("?")))
                .collect();
            self.logger
                .log(3, &format!("  {} {}", status.as_u16(), hs.join("; ")));
        }
        // Other applications may share the store's budget: when the API says
        // none is left this second, nobody here sends until it reopens.
        // A sliding one-second window reopens as soon as its oldest request
        // ages out, typically one request interval later: hold that long,
        // not a whole second (which would halve a scan's throughput).
        let per_second = header_u64(&headers, "Jumpseller-PerSecondRateLimit-Limit")
            .unwrap_or(20)
            .max(1);
        let interval = Duration::from_millis(1000 / per_second);
        if header_u64(&headers, "Jumpseller-PerSecondRateLimit-Remaining") == Some(0) {
            self.limiter.hold_for(interval);
        }
        if let Some(reset) = headers
            .get("Jumpseller-BannedByRateLimit-Reset")
            .and_then(|v| v.to_str().ok())
        {
            let wait = seconds_until(reset).unwrap_or(60);
            self.limiter.hold_for(Duration::from_secs(wait.min(3600)));
        }
        let body = match resp.text() {
            Ok(b) => b,
            Err(e) => {
                // A body cut short: the connection broke under us. Retry; if it
                // keeps happening the query fails rather than returning less.
                return Err((
                    ApiError {
                        kind: Kind::Lost,
                        status: Some(status.as_u16()),
                        message: format!("The response from {} was cut short: {e}", redact(url)),
                    },
                    Retry::Yes,
                ));
            }
        };
        if self.logger.enabled(5) {
            self.logger.log(
                5,
                &format!(
                    "  body: {}",
                    redact(&body.chars().take(2000).collect::<String>())
                ),
            );
        }
        if status.is_success() {
            return serde_json::from_str(&body).map_err(|e| {
                (
                    ApiError {
                        kind: Kind::Malformed,
                        status: Some(status.as_u16()),
                        message: format!(
                            "The API answered {} with a body that is not valid JSON ({e}).",
                            redact(url)
                        ),
                    },
                    Retry::Yes,
                )
            });
        }
        let api_text = api_message(&body);
        let throttled = status == StatusCode::TOO_MANY_REQUESTS
            || (status == StatusCode::FORBIDDEN
                && headers
                    .get("Jumpseller-PerSecondRateLimit-Remaining")
                    .and_then(|v| v.to_str().ok())
                    == Some("0"));
        if throttled {
            // The per-second window reopens within a second; an exhausted
            // per-minute budget takes longer (no reset time is sent).
            let minute_out =
                header_u64(&headers, "Jumpseller-PerMinuteRateLimit-Remaining") == Some(0);
            self.limiter.hold_for(if minute_out {
                Duration::from_secs(5)
            } else {
                interval
            });
            return Err((
                ApiError {
                    kind: Kind::Api,
                    status: Some(status.as_u16()),
                    message: format!(
                        "HTTP {} from the API: {api_text} (rate limit)",
                        status.as_u16()
                    ),
                },
                Retry::Throttled,
            ));
        }
        let (kind, retry) = match status.as_u16() {
            401 => (Kind::Auth, Retry::No),
            // A valid token without the scope this endpoint needs: refused.
            403 => (Kind::Auth, Retry::No),
            500..=599 => (Kind::Api, Retry::Yes),
            400 | 409 | 422 => (Kind::Constraint, Retry::No),
            _ => (Kind::Api, Retry::No),
        };
        let message = match status.as_u16() {
            401 => match self.auth {
                Auth::OAuth(ref m) if m.renewal == super::oauth::Renewal::Refresh => format!(
                    "The Jumpseller API refused the OAuth access token (HTTP 401: {api_text}) even after it was refreshed. The app's authorization may have been revoked or lack a scope: authorize again with InitiateOAuth=GETANDREFRESH (or `jumpseller-odbc auth`)."
                ),
                Auth::OAuth(ref m) if !m.has_token() => format!(
                    "The Jumpseller API refused the request (HTTP 401: {api_text}): the connection has no OAuth access token yet. Get one with the stored procedure GetOAuthAccessToken, or connect with OAuthAccessToken, or with InitiateOAuth=GETANDREFRESH."
                ),
                Auth::Bearer(_) | Auth::OAuth(_) => format!(
                    "The Jumpseller API refused the OAuth access token (HTTP 401: {api_text}); it has expired or was revoked. Get a new one (access tokens live one hour): connect with InitiateOAuth=REFRESH and OAuthRefreshToken, or run the authorization flow again."
                ),
                _ => format!("The Jumpseller API refused the credentials (HTTP 401: {api_text}). Check Login and AuthToken (Jumpseller admin > Settings > API)."),
            },
            403 => format!("HTTP 403 from the API for {}: {api_text}. The credentials lack the permission (OAuth scope) this table needs.", path_of(url)),
            s => format!("HTTP {s} from the API for {}: {api_text}", path_of(url)),
        };
        Err((
            ApiError {
                kind,
                status: Some(status.as_u16()),
                message,
            },
            retry,
        ))
    }
}

fn header_u64(h: &reqwest::header::HeaderMap, name: &str) -> Option<u64> {
    h.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// A failure to get or renew a token, as the request's error.
fn auth_failure(e: Error) -> ApiError {
    ApiError {
        kind: e.kind,
        status: None,
        message: e.message,
    }
}

fn path_of(url: &str) -> String {
    let no_scheme = url.split_once("://").map(|x| x.1).unwrap_or(url);
    let path = no_scheme.find('/').map(|i| &no_scheme[i..]).unwrap_or("/");
    redact(path)
}

/// The API's own words: `{"message": ...}`, `{"error": ...}`, or the text.
fn api_message(body: &str) -> String {
    if let Ok(v) = serde_json::from_str::<Value>(body) {
        for k in ["message", "error_description", "error", "errors"] {
            if let Some(m) = v.get(k) {
                return match m {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
            }
        }
    }
    let t: String = body.chars().take(300).collect();
    if t.trim().is_empty() {
        "(no message)".into()
    } else {
        t
    }
}

fn transport_error(e: &reqwest::Error, url: &str) -> ApiError {
    let shown = redact(url);
    if e.is_timeout() {
        ApiError {
            kind: Kind::Timeout,
            status: None,
            message: format!("The request to {shown} timed out (Timeout property)."),
        }
    } else if e.is_connect() {
        ApiError {
            kind: Kind::Connect,
            status: None,
            message: format!("Cannot connect to {shown}: {}", source_chain(e)),
        }
    } else {
        ApiError {
            kind: Kind::Lost,
            status: None,
            message: format!("The connection to {shown} failed: {}", source_chain(e)),
        }
    }
}

fn source_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    redact(&s)
}

/// Seconds from now until an ISO-8601 UTC time like 2024-05-23T16:13:47+00:00.
fn seconds_until(iso: &str) -> Option<u64> {
    let t = crate::timefmt::parse_timestamp(iso)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs() as i64;
    Some((t.unix_seconds() - now).max(0) as u64)
}

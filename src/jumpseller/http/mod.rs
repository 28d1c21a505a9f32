//! One blocking HTTP client per connection (keep-alive inside reqwest), with
//! the store's rate budget and an honest retry policy: a request either
//! returns the API's answer or an error; it never quietly gives up on part of
//! a scan. This file sends and sequences; the policy (`retry`), the reading
//! of answers (`response`, `throttle`), the errors (`error`) and the client's
//! construction (`setup`) live beside it.

mod error;
mod exchange;
mod response;
mod retry;
mod setup;
pub(crate) use setup::certificates;
mod throttle;

pub use error::ApiError;

use super::interrupt::Interrupt;
use super::oauth::{Renewal, TokenManager};
use super::ratelimit::Limiter;
use crate::error::{Error, Kind};
use crate::logging::{redact, Logger};
use crate::workers::Workers;
use bytes::Bytes;
use error::{auth_failure, transport_error, with_tries};
use exchange::{exchange, exchange_here, utf8_text, Exchanged};
use reqwest::blocking::{Client as Http, RequestBuilder};
use retry::{Failure, Next, RetryPolicy};
use serde_json::Value;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub enum Auth {
    Basic {
        login: String,
        token: String,
    },
    Bearer(Arc<Mutex<String>>),
    /// OAuth with a token manager: asked for the token before each request,
    /// told when the API refuses it (refresh + one retry when allowed).
    OAuth(Arc<TokenManager>),
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
    /// The proxy's URL: http:// (CONNECT for https), socks4:// or socks5h://.
    pub proxy: Option<String>,
    /// Basic credentials for an http proxy, the SOCKS5 login for a SOCKS5 one.
    pub proxy_auth: Option<(String, String)>,
    /// Hosts reached directly, comma-separated (ProxyExceptions).
    pub proxy_exceptions: Option<String>,
    pub proxy_auto_detect: bool,
    pub extra_root_pem: Option<Vec<u8>>,
}

pub struct Client {
    http: Http,
    base: String,
    auth: Auth,
    limiter: Arc<Limiter>,
    logger: Logger,
    attempts: u32,
    /// Whether the server has answered this connection once: a failure to
    /// connect after that is a lost link (08S01), not a bad address (08001).
    reached: AtomicBool,
    /// Requests sent (attempts, retries included).
    sent: AtomicU64,
    /// The threads that carry the requests (see `crate::workers`).
    workers: Workers,
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

    /// A POST that reached the server may have been applied; the others
    /// can be repeated without changing the outcome.
    fn is_idempotent(self) -> bool {
        self != Method::Post
    }
}

impl Client {
    pub fn new(opts: ClientOptions) -> Result<Client, Error> {
        let http = setup::build_http(&opts)?;
        Ok(Client {
            http,
            base: opts.base_url.trim_end_matches('/').to_string(),
            auth: opts.auth,
            limiter: Limiter::for_store(
                &opts.store_key,
                opts.per_second,
                opts.per_minute,
                &opts.logger,
            ),
            logger: opts.logger,
            attempts: opts.attempts.max(1),
            reached: AtomicBool::new(false),
            sent: AtomicU64::new(0),
            workers: Workers::new("jumpseller-io"),
        })
    }

    /// Requests sent so far, retries included (what a replica sync reports
    /// it used).
    pub fn requests_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// The connection's worker threads: its requests' exchanges run on
    /// them, and the engine's pages asked ahead.
    pub fn workers(&self) -> &Workers {
        &self.workers
    }

    /// The underlying HTTP client (OAuth token requests share its proxy and TLS settings).
    pub fn http(&self) -> &Http {
        &self.http
    }

    /// The OAuth token manager, when the connection uses OAuth.
    pub fn oauth(&self) -> Option<&Arc<TokenManager>> {
        match &self.auth {
            Auth::OAuth(manager) => Some(manager),
            _ => None,
        }
    }

    /// `GET base + path` (path carries its own query), parsed as JSON.
    pub fn get(&self, path: &str, interrupt: &Interrupt) -> Result<Value, ApiError> {
        self.send(Method::Get, path, None, interrupt)
    }

    /// `GET base + path`, its body parsed by `parse` (a decoder that keeps
    /// only what the caller needs, straight from the response's bytes,
    /// which it checks as UTF-8). A body `parse` refuses counts as
    /// malformed JSON: retried, then an error.
    pub fn get_with<T>(
        &self,
        path: &str,
        interrupt: &Interrupt,
        parse: &dyn Fn(&[u8]) -> serde_json::Result<T>,
    ) -> Result<T, ApiError> {
        self.send_with(
            Method::Get,
            path,
            None,
            interrupt,
            &|b| parse(&b),
            Via::Worker,
        )
    }

    /// `GET base + path`, its body handed over as the bytes it was read
    /// into: not copied, nor checked as UTF-8 (a scan's pages are decoded,
    /// and so checked, by another thread). Only a successful answer's
    /// body; whether it is JSON is the caller's to find out. For a request
    /// thread: the request is made on the calling thread, which waits for
    /// its answer even past a cancel (`exchange_here`); whoever waits for
    /// that thread gives up by `Interrupt::wait_for`.
    pub fn get_body(&self, path: &str, interrupt: &Interrupt) -> Result<Bytes, ApiError> {
        self.send_with(Method::Get, path, None, interrupt, &Ok, Via::ThisThread)
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
        let parse = |bytes: Bytes| serde_json::from_str(&utf8_text(&bytes));
        self.send_with(method, path, body, interrupt, &parse, Via::Worker)
    }

    fn send_with<T>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        interrupt: &Interrupt,
        parse: &dyn Fn(Bytes) -> serde_json::Result<T>,
        via: Via,
    ) -> Result<T, ApiError> {
        let url = format!("{}{}", self.base, path);
        let idempotent = method.is_idempotent();
        let mut policy = RetryPolicy::new(idempotent, self.attempts);
        let method = method.to_reqwest();
        // A refused OAuth token is refreshed and the request sent once more.
        let mut renewed = false;
        // A request thread may still be here after its run ended (waiting
        // for an answer where it is): no attempt for a later run.
        let run = interrupt.run();
        loop {
            interrupt.check_run(run)?;
            // A ban may hold the limiter for an hour: the wait gives way to
            // a cancel or the query's deadline.
            let permit = self
                .limiter
                .acquire_unless(|| interrupt.check_run(run).err())?;
            self.logger.log(2, &format!("{method} {}", redact(&url)));
            self.sent.fetch_add(1, Ordering::Relaxed);
            let (request, used_token) = self.authorize(self.http.request(method.clone(), &url))?;
            let request = with_body(request, body);
            let outcome = match via {
                Via::Worker => exchange(request, permit, interrupt, &self.workers)
                    .map_err(|stopped| in_flight(stopped, idempotent, &url))?,
                Via::ThisThread => exchange_here(request, permit),
            };
            let (error, failure) = match outcome {
                Exchanged::Failed(transport) => {
                    let (mut error, failure) = transport_error(&transport, &url);
                    if error.kind == Kind::Connect && self.reached.load(Ordering::Relaxed) {
                        error.kind = Kind::Lost;
                        error.message = format!("The connection was lost: {}", error.message);
                    }
                    self.logger.log(2, &format!("  failed: {}", error.message));
                    (error, failure)
                }
                Exchanged::Answered(answer) => match self.read_answer(answer, &url, parse) {
                    Ok(json) => return Ok(json),
                    Err((error, Failure::Final))
                        if error.kind == Kind::Auth && !renewed && self.renews() =>
                    {
                        renewed = true;
                        self.renew_after_refusal(&used_token)?;
                        // A 401 was not applied: the same request again, not a failure.
                        continue;
                    }
                    Err(refusal) => refusal,
                },
            };
            match policy.after(failure) {
                // The limiter's hold, set from the answer's headers, paces it.
                Next::Resend => continue,
                // A pause, then the limiter's hold if it lasts longer.
                Next::ResendAfter(pause) => interrupt.sleep(pause)?,
                Next::GiveUp { tries } => return Err(with_tries(error, tries)),
            }
        }
    }

    /// Reads an answer, noting that the server has been reached.
    fn read_answer<T>(
        &self,
        answer: exchange::Answer,
        url: &str,
        parse: &dyn Fn(Bytes) -> serde_json::Result<T>,
    ) -> Result<T, (ApiError, Failure)> {
        self.reached.store(true, Ordering::Relaxed);
        self.read(answer, url, parse)
    }

    /// Adds the credentials; returns the bearer token sent, if any, so a
    /// refusal can tell the manager which token was refused.
    fn authorize(&self, request: RequestBuilder) -> Result<(RequestBuilder, String), ApiError> {
        Ok(match &self.auth {
            Auth::Basic { login, token } => (request.basic_auth(login, Some(token)), String::new()),
            Auth::Bearer(shared) => {
                // The token is plain data: a poisoned lock still holds a valid one.
                let token = shared.lock().map(|t| t.clone()).unwrap_or_default();
                (request.bearer_auth(token), String::new())
            }
            Auth::OAuth(manager) => match manager.bearer(&self.http).map_err(auth_failure)? {
                Some(token) => (request.bearer_auth(&token), token),
                None => (request, String::new()),
            },
            Auth::None => (request, String::new()),
        })
    }

    /// Whether a refused token is renewed (OAuth with InitiateOAuth REFRESH/GETANDREFRESH).
    fn renews(&self) -> bool {
        matches!(&self.auth, Auth::OAuth(manager) if manager.renewal == Renewal::Refresh)
    }

    fn renew_after_refusal(&self, used_token: &str) -> Result<(), ApiError> {
        if let Auth::OAuth(manager) = &self.auth {
            manager
                .after_refusal(&self.http, used_token)
                .map_err(auth_failure)?;
        }
        Ok(())
    }
}

/// Where a request is made: on one of the connection's workers while the
/// caller waits for it, giving up on a cancel or the deadline
/// (`exchange`), or on the calling thread (`exchange_here`).
#[derive(Clone, Copy)]
enum Via {
    Worker,
    ThisThread,
}

/// A request abandoned in flight by a cancel or the deadline. A write may
/// still reach the server: the message says so rather than imply it did not.
fn in_flight(stopped: ApiError, idempotent: bool, url: &str) -> ApiError {
    if idempotent {
        return stopped;
    }
    ApiError {
        message: format!(
            "{} The request to {} was under way and may have been applied; check before sending it again.",
            stopped.message,
            redact(url)
        ),
        ..stopped
    }
}

fn with_body(request: RequestBuilder, body: Option<&Value>) -> RequestBuilder {
    match body {
        Some(json) => request
            .header("Content-Type", "application/json")
            .body(json.to_string()),
        None => request,
    }
}

//! The authorization-code flow with a browser: listen on the CallbackURL,
//! open the authorization URL, wait for the redirect, check its `state` and
//! exchange the code. The pieces live in `loopback`, `browser` and `flow`;
//! this file only sequences them and decides what each redirect means.

use super::app::{check_app, OAuthApp};
use super::browser::open_browser;
use super::flow::{authorization_url, exchange_code};
use super::loopback::{bind, loopback_callback, read_request, respond};
use super::messages;
use super::state::random_state;
use super::tokens::Tokens;
use crate::error::{Error, Kind};
use crate::logging::Logger;
use reqwest::blocking::Client as Http;
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

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
    // Listen before the browser opens: a fast approval must find us ready.
    let listeners = bind(&host, port)
        .map_err(|error| failed(messages::cannot_listen(app, &host, port, &error)))?;
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
            return Err(failed(messages::no_redirect_in_time(app, wait, &url)));
        }
        let Some(mut stream) = accept_any(&listeners) else {
            std::thread::sleep(POLL);
            continue;
        };
        let Some((request_path, query)) = read_request(&mut stream) else {
            continue;
        };
        let redirect = Redirect(query);
        // Browsers also ask for /favicon.ico and the like: not our answer.
        if request_path != path || !redirect.is_answer() {
            respond(
                &mut stream,
                "404 Not Found",
                "Not found",
                "This address only receives the OAuth redirect.",
            );
            continue;
        }
        return conclude(http, app, logger, &state, &redirect, &mut stream);
    }
}

/// How often the non-blocking listeners are polled while waiting.
const POLL: Duration = Duration::from_millis(25);

fn failed(message: String) -> FlowError {
    FlowError::Failed(Error::new(Kind::Auth, message))
}

/// The first pending connection on any of the listeners (IPv4 and IPv6 for
/// `localhost`, since the browser may pick either).
fn accept_any(listeners: &[TcpListener]) -> Option<TcpStream> {
    listeners
        .iter()
        .find_map(|listener| listener.accept().ok().map(|(stream, _)| stream))
}

/// The query of the redirect the authorization server sent the browser to.
struct Redirect(Vec<(String, String)>);

impl Redirect {
    fn get(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    }

    /// A redirect carries either a code or an error.
    fn is_answer(&self) -> bool {
        self.get("code").is_some() || self.get("error").is_some()
    }
}

/// Settles the flow on the redirect: a forged or stale state is refused
/// before anything else, then a refusal is reported, then the code is
/// exchanged. The browser is told the outcome in each case.
fn conclude(
    http: &Http,
    app: &OAuthApp,
    logger: &Logger,
    state: &str,
    redirect: &Redirect,
    stream: &mut TcpStream,
) -> std::result::Result<Tokens, FlowError> {
    if redirect.get("state").as_deref() != Some(state) {
        respond(
            stream,
            "400 Bad Request",
            "Authorization refused",
            "The state parameter does not match the request the driver made. Nothing was stored.",
        );
        return Err(failed(messages::STATE_MISMATCH.to_string()));
    }
    if let Some(error) = redirect.get("error") {
        let description = redirect
            .get("error_description")
            .map(|text| format!(": {text}"))
            .unwrap_or_default();
        respond(
            stream,
            "200 OK",
            "Authorization not granted",
            &format!(
                "The authorization server answered {error}{description}. You can close this window."
            ),
        );
        return Err(failed(format!("The authorization was not granted ({error}{description}). Connect again and approve the access in the browser.")));
    }
    let code = redirect.get("code").unwrap_or_default();
    match exchange_code(http, app, &code, &app.callback_url, logger) {
        Ok(tokens) => {
            respond(
                stream,
                "200 OK",
                "Authorization complete",
                "The Jumpseller ODBC driver received the authorization. You can close this window.",
            );
            Ok(tokens)
        }
        Err(error) => {
            respond(stream, "200 OK", "Authorization failed", &error.message);
            Err(FlowError::Failed(error))
        }
    }
}

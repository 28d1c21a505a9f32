//! The authorization-code flow with a browser: listen on the CallbackURL,
//! open the authorization URL, wait for the redirect, check its `state` and
//! exchange the code. The pieces live in `loopback`, `browser` and `flow`;
//! this file only sequences them and decides what each redirect means.

use super::app::{check_app, OAuthApp};
use super::browser::open_browser;
use super::flow::{authorization_url, exchange_code};
use super::loopback::{bind, loopback_callback, read_request, respond};
use super::state::random_state;
use super::tokens::Tokens;
use crate::error::{Error, Kind};
use crate::logging::Logger;
use reqwest::blocking::Client as Http;
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

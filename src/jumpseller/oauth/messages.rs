//! What the person is told when OAuth cannot go on by itself: the headless
//! way (the authorization URL and how to finish with it, sized for
//! applications that show only the first 512 characters of a record), and
//! the longer explanations of refusals and failures, each with the remedy.

use super::app::OAuthApp;
use super::flow::{authorization_url, Grant};
use std::time::Duration;

/// The authorization URL for the headless way, without `state` (nobody
/// receives that redirect to check it; and the URL stays short).
pub fn headless_url(app: &OAuthApp) -> String {
    let full = match authorization_url(app, "") {
        Ok(url) => url,
        Err(error) => return error.message,
    };
    match oauth2::url::Url::parse(&full) {
        Ok(mut url) => {
            let kept: Vec<(String, String)> = url
                .query_pairs()
                .filter(|(key, _)| key != "state")
                .map(|(key, value)| (key.into_owned(), value.into_owned()))
                .collect();
            url.query_pairs_mut().clear().extend_pairs(kept);
            url.to_string()
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

/// The token endpoint refused a grant: its error code and words, and what
/// usually causes that refusal for this grant.
pub(super) fn grant_refused(
    app: &OAuthApp,
    grant: Grant,
    code: &str,
    description: Option<&str>,
) -> String {
    let advice = match (code, grant) {
        ("invalid_client", _) => "Check OAuthClientId and OAuthClientSecret (the app's credentials in the Jumpseller admin).".to_string(),
        ("invalid_grant", Grant::RefreshToken) => "The refresh token was already used, revoked or belongs to another app. Authorize again: connect with InitiateOAuth=GETANDREFRESH, or run `jumpseller-odbc auth`.".to_string(),
        ("invalid_grant", Grant::AuthorizationCode) => format!("Authorization codes are single-use and short-lived, and CallbackURL must be the same redirect URL ({}) the code was issued for. Get a new code and try again.", app.callback_url),
        _ => "See the message of the authorization server.".to_string(),
    };
    let verb = match grant {
        Grant::RefreshToken => "refreshing the access token",
        Grant::AuthorizationCode => "exchanging the authorization code",
    };
    let description = description
        .map(|text| format!(": {text}"))
        .unwrap_or_default();
    format!(
        "The OAuth server at {} refused {verb} ({code}{description}). {advice}",
        app.token_url
    )
}

pub(super) fn cannot_listen(
    app: &OAuthApp,
    host: &str,
    port: u16,
    error: &std::io::Error,
) -> String {
    format!(
        "Cannot listen on {host}:{port} (CallbackURL={}) for the OAuth redirect: {error}. Close the program that uses this port, or register another loopback redirect URL with the app and set CallbackURL to it.",
        app.callback_url
    )
}

pub(super) fn no_redirect_in_time(app: &OAuthApp, wait: Duration, url: &str) -> String {
    format!(
        "No authorization arrived at CallbackURL={} within {} s. Approve the access in the browser sooner, or finish without a browser here: open {url} on any machine, copy the `code` from the address it is sent to, and connect with OAuthVerifier=<code>.",
        app.callback_url,
        wait.as_secs()
    )
}

pub(super) const STATE_MISMATCH: &str = "The OAuth redirect carried a state that does not match the one the driver sent (a forged or stale redirect); the authorization was refused and nothing was stored. Connect again to start a new authorization.";

pub(super) const NO_REFRESH_TOKEN: &str = "The OAuth access token has expired or was refused and there is no refresh token to renew it. Give OAuthRefreshToken, or connect with InitiateOAuth=GETANDREFRESH to authorize again.";

//! Reading one answer of the API: log its status and rate headers, let its
//! rate-limit headers set the store's hold, parse a success as JSON, and turn
//! a failure into an error that says what failed, why and what to do, plus
//! what the failure means for a retry.

use super::error::ApiError;
use super::exchange::{utf8_text, Answer};
use super::retry::{random, spread, Failure};
use super::throttle::RateHeaders;
use super::{Auth, Client};
use crate::error::Kind;
use crate::jumpseller::oauth::{now_secs, Renewal};
use crate::logging::redact;
use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::Value;

/// How much of a body the most verbose log shows.
const LOGGED_BODY_CHARS: usize = 2000;
/// How much of a non-JSON error body a message quotes.
const QUOTED_BODY_CHARS: usize = 300;

impl Client {
    /// Reads a response: Ok(the body as `parse` decodes it), or Err((error,
    /// what it means for a retry)).
    pub(super) fn read<T>(
        &self,
        answer: Answer,
        url: &str,
        parse: &dyn Fn(Bytes) -> serde_json::Result<T>,
    ) -> Result<T, (ApiError, Failure)> {
        let Answer {
            status,
            headers,
            body,
        } = answer;
        self.log_headers(status, &headers);
        let rate = RateHeaders::read(&headers);
        // Other applications may share the store's budget: when the API says
        // none is left, nobody here sends until it reopens.
        // Spread a little, so the clients told the same do not all return at once.
        if let Some(hold) = rate.hold(status, now_secs() as i64) {
            self.limiter.hold_for(spread(hold, random()));
        }
        let body = match body {
            Ok(body) => body,
            // A body that stalled past the Timeout property: a timeout.
            Err(error) if error.is_timeout() => {
                let message = format!(
                    "The response from {} stalled past the Timeout property: {error}",
                    redact(url)
                );
                return Err((failure(Kind::Timeout, status, message), Failure::Transient));
            }
            // A body cut short: the connection broke under us. Retry; if it
            // keeps happening the query fails rather than returning less.
            Err(error) => {
                let message = format!("The response from {} was cut short: {error}", redact(url));
                return Err((failure(Kind::Lost, status, message), Failure::Transient));
            }
        };
        if self.logger.enabled(5) {
            let shown: String = String::from_utf8_lossy(&body)
                .chars()
                .take(LOGGED_BODY_CHARS)
                .collect();
            self.logger.log(5, &format!("  body: {}", redact(&shown)));
        }
        if status.is_success() {
            return parse(body).map_err(|error| {
                let message = format!(
                    "The API answered {} with a body that is not valid JSON ({error}).",
                    redact(url)
                );
                (
                    failure(Kind::Malformed, status, message),
                    Failure::Transient,
                )
            });
        }
        let api_text = api_message(&utf8_text(&body));
        if rate.is_throttle(status) {
            let message = format!(
                "HTTP {} from the API: {api_text} (rate limit)",
                status.as_u16()
            );
            return Err((failure(Kind::Api, status, message), Failure::Throttled));
        }
        let (kind, retry) = classify(status.as_u16());
        let message = self.refusal_message(status.as_u16(), &api_text, url);
        Err((failure(kind, status, message), retry))
    }

    /// Level 3 shows the status and the rate headers, which explain pauses.
    fn log_headers(&self, status: StatusCode, headers: &HeaderMap) {
        if !self.logger.enabled(3) {
            return;
        }
        let shown: Vec<String> = headers
            .iter()
            .filter(|(name, _)| {
                name.as_str().starts_with("jumpseller-") || name.as_str() == "content-type"
            })
            .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap_or("?")))
            .collect();
        self.logger
            .log(3, &format!("  {} {}", status.as_u16(), shown.join("; ")));
    }

    /// What a refused request tells the person; a 401 depends on how the
    /// connection authenticates, since the remedy does.
    fn refusal_message(&self, status: u16, api_text: &str, url: &str) -> String {
        match status {
            401 => unauthorized_message(&self.auth, api_text),
            403 => format!("HTTP 403 from the API for {}: {api_text}. The credentials lack the permission (OAuth scope) this table needs.", path_of(url)),
            other => format!("HTTP {other} from the API for {}: {api_text}", path_of(url)),
        }
    }
}

fn failure(kind: Kind, status: StatusCode, message: String) -> ApiError {
    ApiError {
        kind,
        status: Some(status.as_u16()),
        message,
    }
}

/// The error kind of a refusing status, and whether it is worth sending
/// again: a server error may pass, a client error will not.
pub fn classify(status: u16) -> (Kind, Failure) {
    match status {
        401 => (Kind::Auth, Failure::Final),
        // A valid token without the scope this endpoint needs: refused.
        403 => (Kind::Auth, Failure::Final),
        500..=599 => (Kind::Api, Failure::Transient),
        400 | 409 | 422 => (Kind::Constraint, Failure::Final),
        _ => (Kind::Api, Failure::Final),
    }
}

fn unauthorized_message(auth: &Auth, api_text: &str) -> String {
    match auth {
        Auth::OAuth(manager) if manager.renewal == Renewal::Refresh => format!(
            "The Jumpseller API refused the OAuth access token (HTTP 401: {api_text}) even after it was refreshed. The app's authorization may have been revoked or lack a scope: authorize again with InitiateOAuth=GETANDREFRESH (or `jumpseller-odbc auth`)."
        ),
        Auth::OAuth(manager) if !manager.has_token() => format!(
            "The Jumpseller API refused the request (HTTP 401: {api_text}): the connection has no OAuth access token yet. Get one with the stored procedure GetOAuthAccessToken, or connect with OAuthAccessToken, or with InitiateOAuth=GETANDREFRESH."
        ),
        Auth::Bearer(_) | Auth::OAuth(_) => format!(
            "The Jumpseller API refused the OAuth access token (HTTP 401: {api_text}); it has expired or was revoked. Get a new one (access tokens live one hour): connect with InitiateOAuth=REFRESH and OAuthRefreshToken, or run the authorization flow again."
        ),
        Auth::Basic { .. } | Auth::None => format!("The Jumpseller API refused the credentials (HTTP 401: {api_text}). Check Login and AuthToken (Jumpseller admin > Settings > API)."),
    }
}

/// The path of a URL, for messages: the host is the same for every request.
fn path_of(url: &str) -> String {
    let no_scheme = url.split_once("://").map(|x| x.1).unwrap_or(url);
    let path = no_scheme.find('/').map(|i| &no_scheme[i..]).unwrap_or("/");
    redact(path)
}

/// The API's own words: `{"message": ...}`, `{"error": ...}`, or the text.
fn api_message(body: &str) -> String {
    if let Ok(json) = serde_json::from_str::<Value>(body) {
        for key in ["message", "error_description", "error", "errors"] {
            if let Some(found) = json.get(key) {
                return match found {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
            }
        }
    }
    let quoted: String = body.chars().take(QUOTED_BODY_CHARS).collect();
    if quoted.trim().is_empty() {
        "(no message)".into()
    } else {
        quoted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_may_pass_client_errors_will_not() {
        assert_eq!(classify(500), (Kind::Api, Failure::Transient));
        assert_eq!(classify(503), (Kind::Api, Failure::Transient));
        assert_eq!(classify(401), (Kind::Auth, Failure::Final));
        assert_eq!(classify(403), (Kind::Auth, Failure::Final));
        assert_eq!(classify(422), (Kind::Constraint, Failure::Final));
        assert_eq!(classify(404), (Kind::Api, Failure::Final));
    }

    #[test]
    fn the_api_message_is_quoted_from_json_or_text() {
        assert_eq!(api_message(r#"{"message":"Not found"}"#), "Not found");
        assert_eq!(api_message(r#"{"errors":["a"]}"#), r#"["a"]"#);
        assert_eq!(api_message("plain"), "plain");
        assert_eq!(api_message("  "), "(no message)");
    }

    #[test]
    fn paths_in_messages_carry_no_credentials() {
        assert_eq!(
            path_of("https://api.example/v1/orders.json?login=a&authtoken=b"),
            "/v1/orders.json?login=***&authtoken=***"
        );
        assert_eq!(path_of("https://api.example"), "/");
    }
}

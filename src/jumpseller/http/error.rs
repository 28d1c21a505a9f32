//! The client's failures: `ApiError` (kind, HTTP status, a message a person
//! can act on), built from transport errors, token errors and exhausted
//! retries. Every text passes through `redact`, since URLs and library
//! messages may carry credentials.

use super::retry::Failure;
use crate::error::{Error, Kind};
use crate::logging::redact;

/// An API failure with the HTTP status when there was one.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub kind: Kind,
    pub status: Option<u16>,
    pub message: String,
}

impl From<ApiError> for Error {
    fn from(error: ApiError) -> Error {
        Error::new(error.kind, error.message)
    }
}

/// The final error of a request, saying how often it was tried when more
/// than once (so a person can tell a blip from an outage).
pub fn with_tries(mut error: ApiError, tries: u32) -> ApiError {
    if tries > 1 {
        error.message = format!("{} (gave up after {tries} attempts)", error.message);
    }
    error
}

/// A failure to get or renew a token, as the request's error.
pub fn auth_failure(error: Error) -> ApiError {
    ApiError {
        kind: error.kind,
        status: None,
        message: error.message,
    }
}

/// A request that got no answer: the error, and what it means for a retry
/// (no connection at all proves the request was not applied).
pub fn transport_error(error: &reqwest::Error, url: &str) -> (ApiError, Failure) {
    let shown = redact(url);
    let (kind, message, failure) = if error.is_timeout() {
        (
            Kind::Timeout,
            format!("The request to {shown} timed out (Timeout property)."),
            Failure::Transient,
        )
    } else if error.is_connect() {
        (
            Kind::Connect,
            format!("Cannot connect to {shown}: {}", source_chain(error)),
            Failure::NoConnection,
        )
    } else {
        (
            Kind::Lost,
            format!("The connection to {shown} failed: {}", source_chain(error)),
            Failure::Transient,
        )
    };
    let api_error = ApiError {
        kind,
        status: None,
        message,
    };
    (api_error, failure)
}

/// The error with its causes: reqwest's own text rarely names the cause
/// (DNS, TLS, refused) that a person needs to fix it.
fn source_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    redact(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error() -> ApiError {
        ApiError {
            kind: Kind::Api,
            status: Some(503),
            message: "HTTP 503".into(),
        }
    }

    #[test]
    fn the_attempt_count_is_told_only_after_retries() {
        assert_eq!(with_tries(error(), 1).message, "HTTP 503");
        assert_eq!(
            with_tries(error(), 3).message,
            "HTTP 503 (gave up after 3 attempts)"
        );
    }
}

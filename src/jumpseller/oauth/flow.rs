//! The `oauth2` crate's glue over our own reqwest client: the authorization
//! URL, the authorization-code grant and the refresh-token grant, and the
//! translation of their failures into messages a person can act on. Token
//! requests go through the connection's client so they share its proxy and
//! TLS settings; secrets never reach a log line or an error message.

use super::app::{check_app, OAuthApp};
use super::messages;
use super::tokens::{now_secs, Tokens};
use crate::error::{Error, Kind, Result};
use crate::logging::{redact, Logger};
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

/// Jumpseller's token response adds `created_at` (epoch seconds). Taken as
/// a JSON value: serde_json's arbitrary_precision numbers do not survive
/// `#[serde(flatten)]` as integers.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct JumpsellerExtra {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<serde_json::Value>,
}
impl ExtraTokenFields for JumpsellerExtra {}

type JumpsellerTokenResponse = StandardTokenResponse<JumpsellerExtra, BasicTokenType>;
/// The oauth2 client as we configure it: authorization and token endpoints
/// set, the others (device, introspection, revocation) unused.
type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    JumpsellerTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The grant a token request makes; the advice on a refusal depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Grant {
    AuthorizationCode,
    RefreshToken,
}

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

/// Runs one oauth2 request through our reqwest client, so token requests
/// share the connection's proxy and TLS settings. reqwest's own error text
/// is left out: it quotes the URL, which may carry a code.
fn send(
    http: &Http,
    request: oauth2::HttpRequest,
) -> std::result::Result<oauth2::HttpResponse, TransportError> {
    let (parts, body) = request.into_parts();
    let url = parts.uri.to_string();
    let shown = redact(&url);
    let mut outgoing = http.request(parts.method, &url);
    for (name, value) in parts.headers.iter() {
        outgoing = outgoing.header(name, value);
    }
    let response = outgoing.body(body).send().map_err(|error| {
        let (kind, what) = if error.is_timeout() {
            (Kind::Timeout, "timed out")
        } else if error.is_connect() {
            (Kind::Connect, "cannot connect")
        } else {
            (Kind::Lost, "the connection failed")
        };
        TransportError {
            kind,
            message: format!("The OAuth token request to {shown} failed: {what}."),
        }
    })?;
    let mut answer = oauth2::http::Response::builder().status(response.status());
    for (name, value) in response.headers().iter() {
        answer = answer.header(name, value);
    }
    let bytes = response.bytes().map_err(|_| TransportError {
        kind: Kind::Lost,
        message: format!("The answer of the OAuth token endpoint {shown} was cut short."),
    })?;
    answer.body(bytes.to_vec()).map_err(|_| TransportError {
        kind: Kind::Malformed,
        message: "The OAuth token endpoint answered an unusable HTTP response.".into(),
    })
}

/// The oauth2 client for `app`; `redirect` empty for grants that send no
/// redirect_uri (refresh).
fn oauth_client(app: &OAuthApp, redirect: &str) -> Result<OAuthClient> {
    let invalid = |key: &str, value: &str| {
        Error::new(Kind::Config, format!("{key}={value} is not a valid URL."))
    };
    let authorize_endpoint = AuthUrl::new(app.authorization_url.clone())
        .map_err(|_| invalid("OAuthAuthorizationURL", &app.authorization_url))?;
    let token_endpoint = TokenUrl::new(app.token_url.clone())
        .map_err(|_| invalid("OAuthAccessTokenURL", &app.token_url))?;
    let mut client = oauth2::Client::new(ClientId::new(app.client_id.clone()))
        .set_auth_uri(authorize_endpoint)
        .set_token_uri(token_endpoint)
        // Jumpseller reads the client credentials from the form body.
        .set_auth_type(AuthType::RequestBody);
    if let Some(secret) = &app.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.clone()));
    }
    if !redirect.is_empty() {
        let redirect_url =
            RedirectUrl::new(redirect.to_string()).map_err(|_| invalid("CallbackURL", redirect))?;
        client = client.set_redirect_uri(redirect_url);
    }
    Ok(client)
}

/// The URL the user opens to approve access.
pub fn authorization_url(app: &OAuthApp, state: &str) -> Result<String> {
    check_app(app)?;
    let client = oauth_client(app, &app.callback_url)?;
    let state = state.to_string();
    let mut request = client.authorize_url(move || CsrfToken::new(state));
    for scope in app.scope.split_whitespace() {
        request = request.add_scope(Scope::new(scope.to_string()));
    }
    Ok(request.url().0.to_string())
}

/// The tokens of an answer; `old_refresh` is kept when the server does not
/// rotate the refresh token (its answer then carries none).
fn to_tokens(response: JumpsellerTokenResponse, old_refresh: Option<&str>) -> Result<Tokens> {
    let access = response.access_token().secret().clone();
    if access.is_empty() {
        return Err(Error::new(
            Kind::Malformed,
            "The OAuth token endpoint answered without an access token.",
        ));
    }
    let expires_in = response.expires_in().map(|lifetime| lifetime.as_secs());
    let created_at = response
        .extra_fields()
        .created_at
        .as_ref()
        .and_then(|value| match value {
            serde_json::Value::Number(number) => number
                .as_u64()
                .or_else(|| number.as_f64().map(|float| float as u64)),
            serde_json::Value::String(text) => text.trim().parse::<u64>().ok(),
            _ => None,
        });
    // Without the server's issue time, now is the best estimate.
    let expires_at = expires_in.map(|lifetime| created_at.unwrap_or_else(now_secs) + lifetime);
    let refresh = response
        .refresh_token()
        .map(|token| token.secret().clone())
        .filter(|token| !token.is_empty())
        .or_else(|| old_refresh.map(str::to_string));
    let scope = response.scopes().map(|scopes| {
        scopes
            .iter()
            .map(|scope| scope.to_string())
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
    error: RequestTokenError<TransportError, BasicErrorResponse>,
    app: &OAuthApp,
    grant: Grant,
) -> Error {
    match error {
        RequestTokenError::ServerResponse(refusal) => {
            let code = refusal.error().as_ref().to_string();
            let description = refusal.error_description().map(String::as_str);
            Error::new(
                Kind::Auth,
                messages::grant_refused(app, grant, &code, description),
            )
        }
        RequestTokenError::Request(transport) => Error::new(transport.kind, transport.message),
        RequestTokenError::Parse(_, _) => Error::new(
            Kind::Malformed,
            format!("The OAuth token endpoint {} did not answer with a token response; check OAuthAccessTokenURL.", app.token_url),
        ),
        RequestTokenError::Other(text) => Error::new(
            Kind::Auth,
            format!("The OAuth token request to {} failed ({}); check OAuthAccessTokenURL.", app.token_url, redact(&text)),
        ),
    }
}

/// The access token's lifetime for the log ("?" when the server gave none).
fn lifetime_text(tokens: &Tokens) -> String {
    tokens
        .expires_in
        .map(|lifetime| lifetime.to_string())
        .unwrap_or_else(|| "?".into())
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
    let client = oauth_client(app, redirect_uri)?;
    logger.log(
        2,
        &format!("POST {} (grant_type=authorization_code)", app.token_url),
    );
    let response = client
        .exchange_code(AuthorizationCode::new(code.trim().to_string()))
        .request(&|request| send(http, request))
        .map_err(|error| request_error(error, app, Grant::AuthorizationCode))?;
    let tokens = to_tokens(response, None)?;
    logger.log(
        2,
        &format!(
            "  new access token, expires in {} s",
            lifetime_text(&tokens)
        ),
    );
    Ok(tokens)
}

/// Refreshes; keeps `refresh_token` when the answer carries no new one.
pub fn refresh(
    http: &Http,
    app: &OAuthApp,
    refresh_token: &str,
    logger: &Logger,
) -> Result<Tokens> {
    check_app(app)?;
    let client = oauth_client(app, "")?;
    logger.log(
        2,
        &format!("POST {} (grant_type=refresh_token)", app.token_url),
    );
    let response = client
        .exchange_refresh_token(&RefreshToken::new(refresh_token.to_string()))
        .request(&|request| send(http, request))
        .map_err(|error| request_error(error, app, Grant::RefreshToken))?;
    let tokens = to_tokens(response, Some(refresh_token))?;
    let rotated = tokens.refresh_token.as_deref() != Some(refresh_token);
    logger.log(
        2,
        &format!(
            "  refreshed: new access token, expires in {} s{}",
            lifetime_text(&tokens),
            if rotated {
                ", refresh token rotated"
            } else {
                ""
            }
        ),
    );
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jumpseller::oauth::DEFAULT_SCOPE;

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
    fn created_at_survives_arbitrary_precision() {
        let body = br#"{"access_token":"a","token_type":"bearer","expires_in":3600,"refresh_token":"r","created_at":1502473092}"#;
        let r: JumpsellerTokenResponse = serde_json::from_slice(body).unwrap();
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

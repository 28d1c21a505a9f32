//! The `oauth2` crate's glue over our own reqwest client: the authorization
//! URL, the authorization-code grant and the refresh-token grant, and the
//! translation of their failures into messages a person can act on. Token
//! requests go through the connection's client so they share its proxy and
//! TLS settings; secrets never reach a log line or an error message.

use super::app::{check_app, OAuthApp};
use super::tokens::{now_secs, Tokens};
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

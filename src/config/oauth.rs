//! OAuth at connect time: the connection properties turned into a token
//! manager, and InitiateOAuth OFF / REFRESH / GETANDREFRESH carried out
//! (stored tokens, refresh, OAuthVerifier, the browser flow). Whether the
//! browser may be opened, and how a message reaches the application, are
//! the caller's (odbc/: SQL_DRIVER_NOPROMPT and diagnostic records; the
//! sync command: never).

use super::live::SignIn;
use super::{AuthScheme, Config, InitiateOAuth};
use crate::error::{Error, Kind, Result};
use crate::jumpseller::oauth::{
    self, FlowError, OAuthApp, Renewal, TokenManager, Tokens, DEFAULT_FLOW_WAIT, DEFAULT_SCOPE,
};
use crate::jumpseller::tokenstore::{default_location, stable_hash, TokenStore};
use crate::jumpseller::Client;
use crate::logging::Logger;
use std::sync::Arc;
use std::time::Duration;

/// The OAuth app as the connection describes it.
pub fn app(config: &Config) -> OAuthApp {
    OAuthApp {
        client_id: config.oauth_client_id.clone().unwrap_or_default(),
        client_secret: config.oauth_client_secret.clone(),
        authorization_url: config.oauth_authorization_url.clone(),
        token_url: config.oauth_access_token_url.clone(),
        callback_url: config.callback_url.clone(),
        scope: config
            .scope
            .clone()
            .unwrap_or_else(|| DEFAULT_SCOPE.to_string()),
    }
}

/// `OAuthSettingsLocation`, or the default per client id and URL.
pub fn store_location(config: &Config) -> Result<String> {
    match &config.oauth_settings_location {
        Some(l) => Ok(l.clone()),
        None => default_location(config.oauth_client_id.as_deref().unwrap_or(""), &config.url),
    }
}

pub fn store(config: &Config) -> Result<TokenStore> {
    TokenStore::open(&store_location(config)?)
}

/// What the stored tokens descend from: the refresh token, access token or
/// code of the connection string (a fingerprint, not the secret).
fn origin(config: &Config) -> Option<String> {
    let seed = config
        .oauth_refresh_token
        .as_ref()
        .or(config.oauth_access_token.as_ref())
        .or(config.oauth_verifier.as_ref())?;
    Some(stable_hash(&format!("origin\n{seed}")))
}

/// The token manager of an OAuth connection.
pub fn manager(config: &Config, logger: &Logger) -> Result<Arc<TokenManager>> {
    let (renewal, store) = match config.initiate_oauth {
        // OFF never reads the store; the stored procedures may write it.
        InitiateOAuth::Off => (Renewal::Never, store(config).ok()),
        _ => (Renewal::Refresh, Some(store(config)?)),
    };
    Ok(Arc::new(TokenManager::new(
        app(config),
        renewal,
        store,
        origin(config),
        logger.clone(),
    )))
}

/// How long the browser flow waits: two minutes, or less when Timeout
/// (given explicitly) or SQL_ATTR_LOGIN_TIMEOUT is smaller.
fn flow_wait(config: &Config, login_timeout: u64) -> Duration {
    let mut w = DEFAULT_FLOW_WAIT;
    if config.pairs.iter().any(|(k, _)| *k == "Timeout") && config.timeout_secs > 0 {
        w = w.min(Duration::from_secs(config.timeout_secs));
    }
    if login_timeout > 0 {
        w = w.min(Duration::from_secs(login_timeout));
    }
    w
}

/// Gets the connection its tokens. Ok(None): verify the connection as
/// usual; Ok(Some(warning)): connected without verifying (OFF, no token).
/// `sign_in.preface` is told the short form of an error before it is
/// returned (the authorization URL alone, for applications that show only
/// one message).
pub fn establish(config: &Config, client: &Client, sign_in: &mut SignIn) -> Result<Option<String>> {
    let login_timeout = sign_in.login_timeout;
    if config.auth_scheme != AuthScheme::OAuth {
        return Ok(None);
    }
    let Some(m) = client.oauth() else {
        return Ok(None);
    };
    let supplied = || {
        Tokens::supplied(
            config.oauth_access_token.clone(),
            config.oauth_refresh_token.clone(),
            config.oauth_expires_in,
            config.oauth_token_timestamp,
        )
    };
    if config.initiate_oauth == InitiateOAuth::Off {
        if config.oauth_access_token.is_none() {
            return Ok(Some(
                "AuthScheme=OAuth without OAuthAccessToken: connected without checking credentials. Only the OAuth stored procedures (GetOAuthAuthorizationURL, GetOAuthAccessToken, RefreshOAuthAccessToken) work until a token is given.".into(),
            ));
        }
        m.set_current(Some(supplied()));
        return Ok(None);
    }
    let store = m.store.as_ref().ok_or_else(|| {
        Error::new(
            Kind::Config,
            "No OAuth token store; set OAuthSettingsLocation.",
        )
    })?;
    let stored = store.load()?;
    if let Some(s) = &stored {
        if s.client_id != m.app.client_id {
            return Err(Error::new(
                Kind::Config,
                format!(
                    "The OAuth token store {} holds tokens of another OAuth app (client id {}), not of OAuthClientId={}. Give this connection its own OAuthSettingsLocation.",
                    store.describe(),
                    s.client_id,
                    m.app.client_id
                ),
            ));
        }
    }
    let http = client.http();
    let fresh_from_connection =
        m.origin.is_some() && stored.as_ref().and_then(|s| s.origin.clone()) != m.origin;
    if fresh_from_connection {
        // Tokens or a code given in the connection string, new to the store.
        if config.oauth_access_token.is_some() || config.oauth_refresh_token.is_some() {
            m.adopt_supplied(supplied())?;
        } else if let Some(code) = &config.oauth_verifier {
            let t = oauth::exchange_code(http, &m.app, code, &m.app.callback_url, m.logger())?;
            m.adopt(t)?;
        }
    } else if let Some(s) = stored {
        m.set_current(Some(s.tokens()));
    } else if config.initiate_oauth == InitiateOAuth::Refresh {
        return Err(Error::new(
            Kind::Auth,
            format!(
                "InitiateOAuth=REFRESH found no OAuth tokens: give OAuthRefreshToken (and OAuthAccessToken), or point OAuthSettingsLocation at a token store written by InitiateOAuth=GETANDREFRESH or `jumpseller-odbc auth` (looked in {}).",
                store.describe()
            ),
        ));
    } else {
        let reason = sign_in.cannot_prompt.clone();
        let result = match reason {
            Some(r) => Err(FlowError::CannotPrompt(r)),
            None => oauth::browser_flow(http, &m.app, flow_wait(config, login_timeout), m.logger()),
        };
        match result {
            Ok(t) => m.adopt(t)?,
            Err(FlowError::CannotPrompt(r)) => {
                // Two records: the URL with the least to do with it (some
                // applications show only the first record, 512 characters of
                // it), then the whole explanation.
                (sign_in.preface)(oauth::headless_short(&m.app));
                return Err(Error::new(
                    Kind::Auth,
                    oauth::headless_explanation(&m.app, &store.describe(), &r),
                ));
            }
            Err(FlowError::Failed(e)) => return Err(e),
        }
    }
    if let Some(t) = m.current() {
        if t.expired() {
            m.refresh_from(http, &t.access_token)?;
        }
    }
    Ok(None)
}

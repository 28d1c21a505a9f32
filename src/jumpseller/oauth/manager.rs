//! The token manager of one connection: the HTTP client asks it for the
//! bearer token before each request and tells it when the API refused one;
//! it refreshes on expiry or after a refusal, under the token store's lock,
//! so connections and processes sharing a store never lose a rotated token.

use super::app::OAuthApp;
use super::flow::refresh;
use super::tokens::Tokens;
use crate::error::{Error, Kind, Result};
use crate::jumpseller::tokenstore::{StoredTokens, TokenStore};
use crate::logging::Logger;
use reqwest::blocking::Client as Http;
use std::sync::Mutex;

/// How tokens may be renewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// Use the access token as given (InitiateOAuth=OFF).
    Never,
    /// Refresh when expired or refused (REFRESH, GETANDREFRESH).
    Refresh,
}

/// The bearer token of one connection: asked before every request,
/// refreshed under the token store's lock when expired or refused.
pub struct TokenManager {
    pub app: OAuthApp,
    pub renewal: Renewal,
    pub store: Option<TokenStore>,
    /// A fingerprint of the token or code in the connection string the
    /// stored tokens descend from.
    pub origin: Option<String>,
    current: Mutex<Option<Tokens>>,
    /// Serializes refreshes of this connection when there is no store.
    refreshing: Mutex<()>,
    logger: Logger,
}

impl std::fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenManager")
            .field("app", &self.app)
            .field("renewal", &self.renewal)
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl TokenManager {
    pub fn new(
        app: OAuthApp,
        renewal: Renewal,
        store: Option<TokenStore>,
        origin: Option<String>,
        logger: Logger,
    ) -> TokenManager {
        TokenManager {
            app,
            renewal,
            store,
            origin,
            current: Mutex::new(None),
            refreshing: Mutex::new(()),
            logger,
        }
    }

    pub fn logger(&self) -> &Logger {
        &self.logger
    }

    pub fn current(&self) -> Option<Tokens> {
        lock(&self.current).clone()
    }

    pub fn set_current(&self, t: Option<Tokens>) {
        *lock(&self.current) = t;
    }

    pub fn has_token(&self) -> bool {
        lock(&self.current)
            .as_ref()
            .is_some_and(|t| !t.access_token.is_empty())
    }

    fn record(&self, t: &Tokens) -> StoredTokens {
        StoredTokens::new(&self.app.client_id, self.origin.clone(), t)
    }

    /// Writes tokens to the store (if any) and makes them current.
    pub fn adopt(&self, t: Tokens) -> Result<()> {
        if let Some(store) = &self.store {
            let _g = store.lock()?;
            store.save(&self.record(&t))?;
        }
        self.set_current(Some(t));
        Ok(())
    }

    /// The access token to send now; refreshes first when it is known to
    /// have expired and renewal is allowed.
    pub fn bearer(&self, http: &Http) -> Result<Option<String>> {
        let cur = self.current();
        match cur {
            None => Ok(None),
            Some(t) if self.renewal == Renewal::Refresh && t.expired() => {
                self.logger
                    .log(2, "OAuth: the access token has expired; refreshing");
                Ok(Some(self.refresh_from(http, &t.access_token)?.access_token))
            }
            Some(t) => Ok(Some(t.access_token)),
        }
    }

    /// The API refused `used`: renew when allowed. Ok = retry with the
    /// current token.
    pub fn after_refusal(&self, http: &Http, used: &str) -> Result<()> {
        if self.renewal != Renewal::Refresh {
            return Err(Error::new(Kind::Auth, "renewal disabled"));
        }
        self.logger.log(
            2,
            "OAuth: the API refused the access token; refreshing and retrying once",
        );
        self.refresh_from(http, used).map(|_| ())
    }

    /// Refreshes unless someone (a thread of this process or another
    /// process sharing the store) already replaced the `stale` token. Holds
    /// the store's lock from reading to writing, so a rotated refresh token
    /// is never lost.
    pub fn refresh_from(&self, http: &Http, stale: &str) -> Result<Tokens> {
        let _local = lock(&self.refreshing);
        if let Some(t) = self.current() {
            if t.access_token != stale && !t.expired() {
                return Ok(t);
            }
        }
        let _guard = match &self.store {
            Some(s) => Some(s.lock()?),
            None => None,
        };
        let stored = match &self.store {
            Some(s) => s
                .load()?
                .filter(|r| r.client_id == self.app.client_id)
                .map(|r| r.tokens()),
            None => None,
        };
        if let Some(t) = &stored {
            if t.access_token != stale && !t.expired() {
                self.logger.log(
                    2,
                    "OAuth: using the access token another connection refreshed",
                );
                self.set_current(Some(t.clone()));
                return Ok(t.clone());
            }
        }
        let refresh_token = stored
            .as_ref()
            .and_then(|t| t.refresh_token.clone())
            .or_else(|| self.current().and_then(|t| t.refresh_token))
            .ok_or_else(|| {
                Error::new(
                    Kind::Auth,
                    "The OAuth access token has expired or was refused and there is no refresh token to renew it. Give OAuthRefreshToken, or connect with InitiateOAuth=GETANDREFRESH to authorize again.",
                )
            })?;
        let fresh = refresh(http, &self.app, &refresh_token, &self.logger)?;
        if let Some(s) = &self.store {
            s.save(&self.record(&fresh))?;
        }
        self.set_current(Some(fresh.clone()));
        Ok(fresh)
    }
}

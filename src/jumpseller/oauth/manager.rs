//! The token manager of one connection: the HTTP client asks it for the
//! bearer token before each request and tells it when the API refused one;
//! it refreshes on expiry or after a refusal, under the token store's lock,
//! so connections and processes sharing a store never lose a rotated token.

use super::app::OAuthApp;
use super::flow::refresh;
use super::messages;
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

/// The tokens are plain data: a poisoned lock still holds valid ones.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
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

    pub fn set_current(&self, tokens: Option<Tokens>) {
        *lock(&self.current) = tokens;
    }

    pub fn has_token(&self) -> bool {
        lock(&self.current)
            .as_ref()
            .is_some_and(|tokens| !tokens.access_token.is_empty())
    }

    fn record(&self, tokens: &Tokens) -> StoredTokens {
        StoredTokens::new(&self.app.client_id, self.origin.clone(), tokens)
    }

    /// Tokens given in the connection string: written to the store unless the
    /// store, re-read under its lock, already holds tokens descended from the
    /// same ones (another connection or process adopted and maybe refreshed
    /// them, rotating the refresh token): those are newer and win. Without
    /// the re-read, a late starter would put back a refresh token the server
    /// has already retired.
    pub fn adopt_supplied(&self, tokens: Tokens) -> Result<()> {
        if let Some(store) = &self.store {
            let _store_lock = store.lock()?;
            let stored = store.load()?.filter(|record| {
                record.client_id == self.app.client_id
                    && record.origin.is_some()
                    && record.origin == self.origin
            });
            match stored {
                Some(record) => self.set_current(Some(record.tokens())),
                None => {
                    store.save(&self.record(&tokens))?;
                    self.set_current(Some(tokens));
                }
            }
            return Ok(());
        }
        self.set_current(Some(tokens));
        Ok(())
    }

    /// Writes tokens to the store (if any) and makes them current.
    pub fn adopt(&self, tokens: Tokens) -> Result<()> {
        if let Some(store) = &self.store {
            let _store_lock = store.lock()?;
            store.save(&self.record(&tokens))?;
        }
        self.set_current(Some(tokens));
        Ok(())
    }

    /// The access token to send now; refreshes first when it is known to
    /// have expired and renewal is allowed (a request with a dead token
    /// would cost a round trip and a refusal).
    pub fn bearer(&self, http: &Http) -> Result<Option<String>> {
        match self.current() {
            None => Ok(None),
            Some(tokens) if self.renewal == Renewal::Refresh && tokens.expired() => {
                self.logger
                    .log(2, "OAuth: the access token has expired; refreshing");
                let fresh = self.refresh_from(http, &tokens.access_token)?;
                Ok(Some(fresh.access_token))
            }
            Some(tokens) => Ok(Some(tokens.access_token)),
        }
    }

    /// The API refused `refused_token`: renew when allowed. Ok = retry with
    /// the current token.
    pub fn after_refusal(&self, http: &Http, refused_token: &str) -> Result<()> {
        if self.renewal != Renewal::Refresh {
            return Err(Error::new(Kind::Auth, "renewal disabled"));
        }
        self.logger.log(
            2,
            "OAuth: the API refused the access token; refreshing and retrying once",
        );
        self.refresh_from(http, refused_token).map(|_| ())
    }

    /// Refreshes unless someone (a thread of this process or another
    /// process sharing the store) already replaced the `stale` token. Holds
    /// the store's lock from reading to writing, so a rotated refresh token
    /// is never lost.
    pub fn refresh_from(&self, http: &Http, stale: &str) -> Result<Tokens> {
        let _this_connection = lock(&self.refreshing);
        if let Some(tokens) = self.current() {
            if replaces(&tokens, stale) {
                return Ok(tokens);
            }
        }
        let _store_lock = match &self.store {
            Some(store) => Some(store.lock()?),
            None => None,
        };
        let record = self.load_own()?;
        // Refreshed tokens descend from what the refresh token descends
        // from: the store's origin when its token is used, else ours.
        let origin = match &record {
            Some(r) if r.refresh_token.is_some() => r.origin.clone(),
            _ => self.origin.clone(),
        };
        let stored = record.map(|r| r.tokens());
        if let Some(tokens) = &stored {
            if replaces(tokens, stale) {
                self.logger.log(
                    2,
                    "OAuth: using the access token another connection refreshed",
                );
                self.set_current(Some(tokens.clone()));
                return Ok(tokens.clone());
            }
        }
        // The store's refresh token is the newest (another process may have
        // rotated it); ours is the fallback.
        let refresh_token = stored
            .and_then(|tokens| tokens.refresh_token)
            .or_else(|| self.current().and_then(|tokens| tokens.refresh_token))
            .ok_or_else(|| Error::new(Kind::Auth, messages::NO_REFRESH_TOKEN))?;
        let fresh = refresh(http, &self.app, &refresh_token, &self.logger)?;
        if let Some(store) = &self.store {
            store.save(&StoredTokens::new(&self.app.client_id, origin, &fresh))?;
        }
        self.set_current(Some(fresh.clone()));
        Ok(fresh)
    }

    /// The stored tokens when they belong to this app (a store shared by
    /// mistake with another app must not lend it tokens).
    fn load_own(&self) -> Result<Option<StoredTokens>> {
        let Some(store) = &self.store else {
            return Ok(None);
        };
        Ok(store
            .load()?
            .filter(|record| record.client_id == self.app.client_id))
    }
}

/// Whether `tokens` already replace the `stale` access token: different and
/// still good, so refreshing again would only waste a refresh token.
fn replaces(tokens: &Tokens, stale: &str) -> bool {
    tokens.access_token != stale && !tokens.expired()
}

//! The OAuth application as the connection describes it: its credentials and
//! endpoints. The client secret never shows in `Debug` output, because these
//! values end up in logs and panics.

use crate::error::{Error, Kind, Result};

/// The OAuth application and its endpoints.
#[derive(Clone)]
pub struct OAuthApp {
    pub client_id: String,
    pub client_secret: Option<String>,
    pub authorization_url: String,
    pub token_url: String,
    pub callback_url: String,
    pub scope: String,
}

impl std::fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthApp")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "********"),
            )
            .field("authorization_url", &self.authorization_url)
            .field("token_url", &self.token_url)
            .field("callback_url", &self.callback_url)
            .field("scope", &self.scope)
            .finish()
    }
}

/// Every grant needs the app's identity; saying so up front beats the
/// token endpoint's terse `invalid_client`.
pub(super) fn check_app(app: &OAuthApp) -> Result<()> {
    if app.client_id.is_empty() {
        return Err(Error::new(
            Kind::Config,
            "OAuth needs OAuthClientId (and OAuthClientSecret): the credentials of your Jumpseller app (store admin > Apps > Developers).",
        ));
    }
    Ok(())
}

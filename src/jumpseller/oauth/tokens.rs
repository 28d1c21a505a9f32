//! A token pair and what is known of its lifetime: when it was issued, when
//! it stops being good, and whether it is time to refresh it.

use std::time::{SystemTime, UNIX_EPOCH};

/// The Unix time in seconds (0 on a clock set before 1970, which makes
/// every token look expired rather than valid forever).
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since_epoch| since_epoch.as_secs())
        .unwrap_or(0)
}

/// A token pair with what is known of its lifetime.
#[derive(Clone, PartialEq, Eq)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: Option<u64>,
    /// Unix seconds of issue.
    pub created_at: Option<u64>,
    /// Unix seconds after which the access token is no longer good.
    pub expires_at: Option<u64>,
    pub scope: Option<String>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"********")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "********"),
            )
            .field("expires_in", &self.expires_in)
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl Tokens {
    /// Tokens the user supplied: `OAuthExpiresIn` seconds from
    /// `OAuthTokenTimestamp` (Unix ms), when both are known.
    pub fn supplied(
        access: Option<String>,
        refresh: Option<String>,
        expires_in: Option<u64>,
        timestamp_ms: Option<u64>,
    ) -> Tokens {
        let created_at = timestamp_ms.map(|ms| ms / 1000);
        let expires_at = match (expires_in, created_at) {
            (Some(lifetime), Some(issued)) => Some(issued + lifetime),
            _ => None,
        };
        Tokens {
            access_token: access.unwrap_or_default(),
            refresh_token: refresh,
            expires_in,
            created_at,
            expires_at,
            scope: None,
        }
    }

    /// Whether the access token is known to be expired, or about to be:
    /// a tenth of its lifetime (at most a minute) before the end.
    pub fn expired(&self) -> bool {
        if self.access_token.is_empty() {
            return true;
        }
        match self.expires_at {
            None => false,
            Some(at) => {
                let margin = self
                    .expires_in
                    .map(|lifetime| (lifetime / 10).min(60))
                    .unwrap_or(0);
                now_secs() + margin >= at
            }
        }
    }

    /// Seconds the access token has left, when known.
    pub fn remaining(&self) -> Option<u64> {
        self.expires_at.map(|at| at.saturating_sub(now_secs()))
    }
}

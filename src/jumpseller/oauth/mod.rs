//! OAuth 2 for Jumpseller (authorization-code and refresh-token grants),
//! split by job: the app description (`app`), tokens and their lifetime
//! (`tokens`), the `oauth2` crate glue (`flow`), the browser flow with its
//! loopback listener (`browser_flow`, `loopback`, `browser`), what the person
//! is told when no browser can run (`messages`), and the per-connection token
//! manager (`manager`). Nothing here knows ODBC; secrets (client secret,
//! tokens, codes) never reach a log line or an error message.

mod app;
mod browser;
mod browser_flow;
mod flow;
mod loopback;
mod manager;
mod messages;
mod state;
mod tokens;

use std::time::Duration;

pub use app::OAuthApp;
pub use browser::open_browser;
pub use browser_flow::{browser_flow, browser_flow_with, FlowError};
pub use flow::{authorization_url, exchange_code, refresh, JumpsellerExtra, TransportError};
pub use loopback::loopback_callback;
pub use manager::{Renewal, TokenManager};
pub use messages::{headless_explanation, headless_message, headless_short, headless_url};
pub use state::random_state;
pub use tokens::{now_secs, Tokens};

/// Every `read_*` scope an endpoint the driver reads declares
/// (reference §3.1): enough for every table of the built-in profile.
pub const DEFAULT_SCOPE: &str = "read_products read_orders read_customers read_store read_settings read_shipping_methods read_payment_methods read_hooks read_promotions read_taxes read_pages read_apps read_fulfillments";

/// Longest wait for the browser to come back to the CallbackURL.
pub const DEFAULT_FLOW_WAIT: Duration = Duration::from_secs(120);

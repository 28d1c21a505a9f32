//! The Jumpseller REST client: HTTP with bounded retries (`http`), the rate
//! budget shared per store (`ratelimit`), a statement's cancel flag and
//! deadline (`interrupt`), OAuth 2 (`oauth`) and the token store
//! (`tokenstore`). It knows nothing of ODBC or SQL; callers above name no
//! HTTP library type except the reqwest client the OAuth calls share.

#![deny(unsafe_op_in_unsafe_fn)]

mod http;
mod interrupt;
pub mod oauth;
pub mod ratelimit;
pub mod tokenstore;

#[cfg(test)]
mod test_support;

/// Certificate files read as `SSLServerCert` is (the PostgreSQL replica's `sslrootcert`).
pub(crate) use http::certificates;
pub use http::{ApiError, Auth, Client, ClientOptions, Method};
pub use interrupt::{Interrupt, Timeout};

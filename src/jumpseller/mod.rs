//! The Jumpseller REST client: HTTP, authentication, the shared rate budget,
//! bounded retries. It knows nothing of ODBC or SQL.

#![deny(unsafe_op_in_unsafe_fn)]

mod http;
mod interrupt;
pub mod oauth;
pub mod ratelimit;
pub mod tokenstore;

#[cfg(test)]
mod test_support;

pub use http::{ApiError, Auth, Client, ClientOptions, Method};
pub use interrupt::Interrupt;

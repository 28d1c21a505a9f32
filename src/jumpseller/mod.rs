//! The Jumpseller REST client: HTTP, authentication, the shared rate budget,
//! bounded retries. It knows nothing of ODBC or SQL.

mod http;
mod interrupt;
pub mod oauth;
pub mod ratelimit;
pub mod tokenstore;

pub use http::{ApiError, Auth, Client, ClientOptions, Method};
pub use interrupt::Interrupt;

//! Jumpseller ODBC driver. Layers, top to bottom (calls go down only):
//! `ffi` (C ABI) -> `odbc` (ODBC semantics) -> `engine` (SQL) ->
//! `schema` (tables as data) and `jumpseller` (REST client).

pub mod config;
pub mod engine;
pub mod error;
pub mod ffi;
pub mod jumpseller;
pub mod logging;
pub mod odbc;
pub mod schema;
pub mod timefmt;

//! Jumpseller ODBC driver. Layers, top to bottom (calls go down only):
//! `ffi` (C ABI) -> `odbc` (ODBC semantics) -> `engine` (SQL) ->
//! `schema` (tables as data) and `jumpseller` (REST client).
// Every unsafe operation sits in its own `unsafe {}` block with a SAFETY
// comment saying why it holds, and every unsafe fn states its callers'
// duties (clippy -D warnings makes these gates).
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks, clippy::missing_safety_doc)]

pub mod config;
pub mod engine;
pub mod error;
pub mod ffi;
pub mod jumpseller;
pub mod logging;
pub mod odbc;
pub mod replica;
pub mod schema;
pub mod timefmt;
pub mod workers;

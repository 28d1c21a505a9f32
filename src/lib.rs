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

/// What the randomized unit tests share.
#[cfg(test)]
pub(crate) mod testing {
    /// A reproducible stream of numbers below the bound each call gives
    /// (xorshift64 from `seed`, which must not be 0).
    pub fn below(mut seed: u64) -> impl FnMut(u64) -> u64 {
        move |bound| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % bound
        }
    }
}

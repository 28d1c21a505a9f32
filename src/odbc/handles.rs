//! Handles as checked tokens. The application holds the address of an
//! `Arc`'s contents; every call looks that address up in a registry, so a
//! null, freed or foreign pointer is `SQL_INVALID_HANDLE`, never a deref.

use super::descriptor::Desc;
use super::{Conn, Env, Stmt};
use once_cell::sync::Lazy;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub enum Handle {
    Env(Arc<Env>),
    Conn(Arc<Conn>),
    Stmt(Arc<Stmt>),
    Desc(Arc<Desc>),
}

/// Handles by address. Every ODBC call looks its handle up here (a scan
/// read through SQLGetData makes one call per value), and the keys are
/// addresses this driver allocated, not data anyone else chooses: they are
/// hashed by a multiply instead of SipHash.
type Registry = HashMap<usize, Handle, BuildHasherDefault<AddressHasher>>;

static REGISTRY: Lazy<Mutex<Registry>> = Lazy::new(|| Mutex::new(Registry::default()));

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// Fibonacci hashing of an address: one multiply spreads the bits that
/// differ between allocations (the middle ones) into the high bits, and
/// the high half is folded into the low one (the table takes its bucket
/// from the low bits, which an aligned address alone leaves zero).
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only usize keys are hashed here; bytes are folded in all the same.
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0 ^ n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

fn address(h: &Handle) -> usize {
    match h {
        Handle::Env(a) => Arc::as_ptr(a) as usize,
        Handle::Conn(a) => Arc::as_ptr(a) as usize,
        Handle::Stmt(a) => Arc::as_ptr(a) as usize,
        Handle::Desc(a) => Arc::as_ptr(a) as usize,
    }
}

/// A statement comes with its four implicit descriptors, whose handles
/// SQLGetStmtAttr gives out.
pub fn register(h: Handle) -> usize {
    let addr = address(&h);
    let mut reg = registry();
    if let Handle::Stmt(s) = &h {
        for d in super::lock(&s.state).descs.implicit() {
            reg.insert(Arc::as_ptr(&d) as usize, Handle::Desc(d));
        }
    }
    reg.insert(addr, h);
    addr
}

/// A statement's implicit descriptors leave with it.
pub fn unregister(addr: usize) -> Option<Handle> {
    let mut reg = registry();
    let h = reg.remove(&addr)?;
    if let Handle::Stmt(s) = &h {
        for d in super::lock(&s.state).descs.implicit() {
            reg.remove(&(Arc::as_ptr(&d) as usize));
        }
    }
    Some(h)
}

pub fn desc(addr: usize) -> Option<Arc<Desc>> {
    match registry().get(&addr) {
        Some(Handle::Desc(d)) => Some(d.clone()),
        _ => None,
    }
}

/// The statements allocated on a connection.
pub fn statements_of(conn: &Conn) -> Vec<Arc<Stmt>> {
    registry()
        .values()
        .filter_map(|h| match h {
            Handle::Stmt(s) if std::ptr::eq(&*s.conn, conn) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// The descriptors explicitly allocated on a connection.
pub fn explicit_descs_of(conn: &Conn) -> Vec<Arc<Desc>> {
    registry()
        .values()
        .filter_map(|h| match h {
            Handle::Desc(d) if d.is_explicit() && std::ptr::eq(&*d.conn, conn) => Some(d.clone()),
            _ => None,
        })
        .collect()
}

pub fn env(addr: usize) -> Option<Arc<Env>> {
    match registry().get(&addr) {
        Some(Handle::Env(e)) => Some(e.clone()),
        _ => None,
    }
}

pub fn conn(addr: usize) -> Option<Arc<Conn>> {
    match registry().get(&addr) {
        Some(Handle::Conn(c)) => Some(c.clone()),
        _ => None,
    }
}

pub fn stmt(addr: usize) -> Option<Arc<Stmt>> {
    match registry().get(&addr) {
        Some(Handle::Stmt(s)) => Some(s.clone()),
        _ => None,
    }
}

/// Whether any statement of the connection is running a function now.
pub fn any_statement_running(conn: &super::Conn) -> bool {
    registry()
        .values()
        .any(|h| matches!(h, Handle::Stmt(s) if std::ptr::eq(&*s.conn, conn) && s.is_running()))
}

/// SQLDisconnect frees the connection's statements: they leave the
/// registry (their handles become invalid) and their queries end.
pub fn free_statements_of(conn: &super::Conn) {
    let gone: Vec<Handle> = {
        let mut reg = registry();
        // The statements and their implicit descriptors.
        let keys: Vec<usize> = reg
            .iter()
            .filter(|(_, h)| match h {
                Handle::Stmt(s) => std::ptr::eq(&*s.conn, conn),
                Handle::Desc(d) => !d.is_explicit() && std::ptr::eq(&*d.conn, conn),
                _ => false,
            })
            .map(|(k, _)| *k)
            .collect();
        keys.iter().filter_map(|k| reg.remove(k)).collect()
    };
    // Dropped outside the registry lock: a statement's drop finalizes SQL.
    drop(gone);
}

/// The connections allocated on an environment.
pub fn connections_of(env: &super::Env) -> Vec<Arc<Conn>> {
    registry()
        .values()
        .filter_map(|h| match h {
            Handle::Conn(c) if std::ptr::eq(&*c.env, env) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

pub fn any(addr: usize) -> Option<Handle> {
    registry().get(&addr).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn aligned_addresses_spread_over_the_low_bits() {
        let build = BuildHasherDefault::<AddressHasher>::default();
        let buckets: std::collections::HashSet<u64> = (0..1024usize)
            .map(|i| build.hash_one(0x7f00_1234_0000 + i * 64) & 127)
            .collect();
        assert!(buckets.len() > 120, "{} of 128 buckets", buckets.len());
    }
}

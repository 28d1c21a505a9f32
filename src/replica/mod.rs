//! The local replica (`CacheLocation`): an SQLite file holding a copy of
//! the store's tables, filled by `sync` through a live engine session (so
//! the shared rate limiter, prefetch and pushdown work unchanged) and read
//! by a session opened `Offline` (engine: the file attached read-only in
//! place of the virtual tables). User SQL never opens the file itself.
//!
//! Consistency: the file is in WAL mode, every batch is one transaction,
//! and a full sync of a table writes a staging table renamed over the old
//! one in its last transaction, so a reader sees the previous state or the
//! new one, and a sync killed at any point leaves the previous state.

pub mod affinity;
pub mod auto;
pub mod command;
pub mod embedded;
mod family;
pub mod layout;
pub mod lock;
pub mod pg;
pub mod pg_read;
pub mod pg_tls;
pub mod pg_types;
pub mod reader;
pub mod sqlite_store;
pub mod status;
pub mod store;
pub mod sync;
pub mod writes;

pub use sqlite_store::SqliteStore;
pub use store::Store;

use crate::error::{Error, Kind};
use std::path::Path;

/// An error of the replica file, naming it.
pub fn failed(path: &Path, e: rusqlite::Error) -> Error {
    Error::new(
        Kind::General,
        format!(
            "The replica {} failed: {e}. Check CacheLocation.",
            path.display()
        ),
    )
}

/// What a table that was never synced answers Offline.
pub fn never_synced(table: &str) -> Error {
    Error::new(
        Kind::NoTable,
        format!(
            "Table {table} is not in the replica (Offline=true answers from the replica only): sync it first with `jumpseller-odbc sync --connection-string \"...\" --tables {table}`."
        ),
    )
}

/// Seconds since the epoch, now.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A Unix time as the replica's timestamps are written (UTC).
pub fn sql_time(unix: i64) -> String {
    crate::timefmt::Timestamp::from_unix(unix, 0).to_sql_text()
}

/// Where a connection's replica is: an SQLite file (CacheLocation) or a
/// PostgreSQL schema (CacheConnection; the config refuses both at once).
pub enum Target<'a> {
    File(&'a Path),
    Postgres { conn: &'a str, schema: String },
}

impl Target<'_> {
    /// The replica the connection string names (an error without one).
    pub fn of(config: &crate::config::Config) -> crate::error::Result<Target<'_>> {
        if let Some(conn) = &config.cache_connection {
            let schema = pg::schema_name(config.login.as_deref(), &config.url)?;
            return Ok(Target::Postgres { conn, schema });
        }
        match &config.cache_location {
            Some(file) => Ok(Target::File(Path::new(file))),
            None => Err(Error::new(
                Kind::Config,
                "The connection string names no replica to fill: CacheLocation (an SQLite file) or CacheConnection (PostgreSQL).",
            )),
        }
    }

    /// The replica under its sync lock, waited for up to `wait` (or until
    /// `interrupt` ends the statement that asked; `waiting` told once when
    /// another sync holds it): the file's `.lock`, or the schema's
    /// advisory lock, which the store's own connection holds.
    pub fn lock(
        &self,
        wait: std::time::Duration,
        interrupt: &crate::engine::Interrupt,
        waiting: &mut dyn FnMut(),
    ) -> crate::error::Result<Locked> {
        match self {
            Target::File(path) => {
                let held = lock::take_or_stop(path, wait, interrupt, waiting)?;
                Ok(Locked {
                    store: Box::new(SqliteStore::open(path)?),
                    _lock: Some(held),
                })
            }
            Target::Postgres { conn, schema } => Ok(Locked {
                store: Box::new(pg::PgStore::open(conn, schema, wait, interrupt, waiting)?),
                _lock: None,
            }),
        }
    }

    /// The replica for reading its sync states, without the lock (the
    /// SQLite file is created when absent, as a sync would).
    pub fn peek(&self) -> crate::error::Result<Box<dyn Store>> {
        Ok(match self {
            Target::File(path) => Box::new(SqliteStore::open(path)?),
            Target::Postgres { conn, schema } => Box::new(pg::PgStore::reading(conn, schema)?),
        })
    }

    /// Whether anything was ever synced into it (a write through then has
    /// nothing to keep consistent, and creates nothing).
    pub fn exists(&self) -> crate::error::Result<bool> {
        match self {
            Target::File(path) => Ok(path.is_file()),
            Target::Postgres { conn, schema } => {
                pg::has_table(&mut pg::connect(conn, schema)?, schema, pg::META)
            }
        }
    }

    /// For messages: the file, or the schema.
    pub fn describe(&self) -> String {
        match self {
            Target::File(path) => path.display().to_string(),
            Target::Postgres { schema, .. } => {
                format!("the PostgreSQL schema {}", pg::ident(schema))
            }
        }
    }
}

/// A replica's store with its sync lock, held while this lives (the store
/// is closed first: fields drop in order).
pub struct Locked {
    pub store: Box<dyn Store>,
    _lock: Option<lock::SyncLock>,
}

/// Offline: the replica does not exist yet.
pub fn missing(path: &Path) -> Error {
    Error::new(
        Kind::Config,
        format!(
            "Offline=true answers from the replica {}, which does not exist yet: fill it first with `jumpseller-odbc sync --connection-string \"...;CacheLocation=...\"`.",
            path.display()
        ),
    )
}

/// Offline connections read the replica only.
pub fn offline_write() -> Error {
    Error::new(
        Kind::NotImplemented,
        "The connection is Offline (Offline=true): it reads the local replica and sends nothing to the store, so INSERT, UPDATE and DELETE are refused; write over a live connection.",
    )
}

/// The SQLite URI that opens `path` read-only (`?`, `#` and `%` escaped).
pub fn read_only_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3f"),
            '#' => uri.push_str("%23"),
            c => uri.push(c),
        }
    }
    uri.push_str("?mode=ro");
    uri
}

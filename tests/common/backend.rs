//! Where a test's replica lives: an SQLite file (CacheLocation) or a
//! private PostgreSQL server (CacheConnection, `pg.rs`), and `on_both!`,
//! which runs one test body on each (tests/replica.rs, tests/autocache.rs,
//! tests/write_through.rs).

use super::pg::PgServer;
use super::*;
use jumpseller_odbc::engine::Interrupt;
use jumpseller_odbc::replica::pg::PgStore;
use jumpseller_odbc::replica::{lock, SqliteStore, Store};
use std::path::PathBuf;
use std::time::Duration;

pub enum Backend {
    Sqlite { _dir: TempDir, file: PathBuf },
    Pg(PgServer),
}

/// The sandbox's Login: the PostgreSQL replica's schema.
pub const SCHEMA: &str = "sandbox";

impl Backend {
    pub fn sqlite(name: &str) -> Backend {
        let dir = TempDir::new(name);
        let file = dir.join("store.db");
        Backend::Sqlite { _dir: dir, file }
    }

    pub fn pg(_name: &str) -> Backend {
        Backend::Pg(PgServer::start())
    }

    /// Another, empty replica of the same kind.
    pub fn like(&self, name: &str) -> Backend {
        match self {
            Backend::Sqlite { .. } => Backend::sqlite(name),
            Backend::Pg(_) => Backend::pg(name),
        }
    }

    /// The connection string key naming the replica.
    pub fn key(&self) -> String {
        match self {
            Backend::Sqlite { file, .. } => format!("CacheLocation={}", file.display()),
            Backend::Pg(server) => format!("CacheConnection={{{}}}", server.conn()),
        }
    }

    /// The replica's sync lock, held by this process until dropped.
    pub fn hold_lock(&self) -> Box<dyn std::any::Any> {
        match self {
            Backend::Sqlite { file, .. } => {
                Box::new(lock::take(file, Duration::ZERO, &mut || {}).unwrap())
            }
            Backend::Pg(_) => Box::new(self.store(Duration::ZERO).unwrap()),
        }
    }

    /// The replica open for a sync, as `jumpseller-odbc sync` opens it.
    pub fn store(&self, wait: Duration) -> Result<Box<dyn Store>, String> {
        match self {
            Backend::Sqlite { file, .. } => Ok(Box::new(SqliteStore::open(file).unwrap())),
            Backend::Pg(server) => {
                PgStore::open(&server.conn(), SCHEMA, wait, &Interrupt::none(), &mut || {})
                    .map(|s| Box::new(s) as Box<dyn Store>)
                    .map_err(|e| e.message)
            }
        }
    }

    /// Runs `sql` in the replica itself: the SQLite file, or the
    /// PostgreSQL database with the store's schema (made when absent)
    /// first on the search path.
    #[allow(dead_code)]
    pub fn execute(&self, sql: &str) {
        match self {
            Backend::Sqlite { file, .. } => rusqlite::Connection::open(file)
                .unwrap()
                .execute_batch(sql)
                .unwrap(),
            Backend::Pg(server) => {
                let mut c = postgres::Client::connect(&server.conn(), postgres::NoTls).unwrap();
                c.batch_execute(&format!(
                    "CREATE SCHEMA IF NOT EXISTS {SCHEMA}; SET search_path = {SCHEMA}; {sql}"
                ))
                .unwrap();
            }
        }
    }

    /// An Offline connection to the replica (no network), with more keys
    /// (`;Key=value...`).
    pub fn offline_with(&self, extra: &str) -> (*mut c_void, *mut c_void) {
        let e = env();
        let d = dbc(e);
        let (rc, _) = driver_connect(
            d,
            &format!(
                "URL=http://127.0.0.1:9;Login={SCHEMA};AuthToken=none;{};Offline=true{extra}",
                self.key()
            ),
        );
        assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Dbc, d));
        (e, d)
    }

    /// The rows of `sql` as the replica holds them (an Offline connection).
    pub fn query(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        let (e, d) = self.offline_with("");
        let rows = query(d, sql);
        disconnect(e, d);
        rows
    }
}

/// One test body, `fn name(b: &Backend)`, run against both replicas
/// (unused in the test crates that share `common` without a replica).
#[allow(unused_macros)]
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[test]
            fn sqlite() {
                super::$name(&super::Backend::sqlite(stringify!($name)));
            }
            #[test]
            fn postgres() {
                super::$name(&super::Backend::pg(stringify!($name)));
            }
        }
    };
}
pub(crate) use on_both;

//! `jumpseller-odbc sync`: fills the replica named by the connection
//! string's CacheLocation (SQLite) or CacheConnection (PostgreSQL), one
//! table after the other, under the replica's lock. A terminal sees a progress line; anything else one summary line
//! per table. The exit status is 1 when any table failed.

use super::sync::{self, Options, Progress, TableReport};
use super::{lock, pg, SqliteStore, Store};
use crate::config::Config;
use crate::error::{Error, Kind};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

pub const USAGE: &str = "\
Usage: jumpseller-odbc sync --connection-string \"...;CacheLocation=FILE\" [--tables Orders,Products] [--full]
       jumpseller-odbc sync --connection-string \"...;CacheConnection={host=H dbname=D user=U}\" ...

Copies the store's tables into the local replica (an SQLite file, CacheLocation,
or a PostgreSQL database, CacheConnection: one schema named after Login)
through the driver's live connection (its rate limit, prefetch and pushdown).
Tables with a `sync` object in the profile (Orders, Products) sync incrementally
after their first sync: new ids, and the rows of the last CacheRecheckDays days
(default 30) that can still change (orders); other tables are re-read whole. Connections with
Offline=true and the same CacheLocation or CacheConnection then answer from the replica.

  --connection-string STR   the driver's connection string (credentials, URL, the replica)
  --tables A,B              only these tables (default: every table)
  --full                    re-read the tables whole even where an incremental sync would do
  --lock-wait SECS          how long to wait for another sync of the replica (default 3600)";

/// Runs the command; Err is a message for standard error (exit status 1,
/// or 2 for a usage error when the message starts with "usage").
pub fn run(args: &[String]) -> Result<bool, String> {
    let mut conn: Option<String> = None;
    let mut tables: Option<Vec<String>> = None;
    let mut full = false;
    let mut wait = Duration::from_secs(3600);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value (see --help)"))
        };
        match flag.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(true);
            }
            "--connection-string" => conn = Some(value(flag)?),
            "--tables" => {
                let list = value(flag)?;
                tables = Some(
                    list.split(',')
                        .map(|t| t.trim().to_string())
                        .filter(|t| !t.is_empty())
                        .collect(),
                );
            }
            "--full" => full = true,
            "--lock-wait" => {
                let v = value(flag)?;
                wait = Duration::from_secs(
                    v.parse()
                        .map_err(|_| format!("--lock-wait {v} is not a number of seconds"))?,
                );
            }
            other => return Err(format!("unknown option {other} (see --help)")),
        }
    }
    let conn = conn.ok_or("--connection-string is required (see --help)")?;
    let (config, _warnings) = Config::from_connection_string(&conn).map_err(|e| e.message)?;
    let (_lock, mut store) = open_store(&config, wait).map_err(|e| e.message)?;
    let reader = super::reader::Reader::open(&config).map_err(|e| e.message)?;
    let mut shown = Shown {
        tty: std::io::stderr().is_terminal(),
    };
    let reports = sync::run(
        store.as_mut(),
        &reader,
        &Options {
            tables,
            full,
            recheck_days: config.cache_recheck_days,
        },
        &mut shown,
    )
    .map_err(|e| e.message)?;
    Ok(reports.iter().all(|r| r.error.is_none()))
}

/// The replica the connection string names, under its lock: a PostgreSQL
/// schema (CacheConnection; the lock is the store's connection's) or an
/// SQLite file (CacheLocation; the lock is the file lock returned).
fn open_store(
    config: &Config,
    wait: Duration,
) -> crate::error::Result<(Option<lock::SyncLock>, Box<dyn Store>)> {
    let waiting = |what: &str| {
        eprintln!("Another sync of {what} is running; waiting for it to finish ...");
    };
    if let Some(conn) = &config.cache_connection {
        let schema = pg::schema_name(config.login.as_deref(), &config.url)?;
        let store = pg::PgStore::open(conn, &schema, wait, &mut || {
            waiting(&format!("the PostgreSQL schema {}", pg::ident(&schema)))
        })?;
        return Ok((None, Box::new(store)));
    }
    let location = config.cache_location.clone().ok_or_else(|| {
        Error::new(
            Kind::Config,
            "the connection string names no replica to fill: CacheLocation (an SQLite file) or CacheConnection (PostgreSQL)",
        )
    })?;
    let path = Path::new(&location);
    let held = lock::take(path, wait, &mut || waiting(&location))?;
    Ok((Some(held), Box::new(SqliteStore::open(path)?)))
}

/// How progress is shown.
struct Shown {
    tty: bool,
}

impl Progress for Shown {
    fn rows(&mut self, table: &str, read: u64) {
        if self.tty {
            eprint!("\r\x1b[K{table}: {read} rows read ...");
            let _ = std::io::stderr().flush();
        }
    }

    fn done(&mut self, r: &TableReport) {
        if self.tty {
            eprint!("\r\x1b[K");
        }
        println!("{}", summary(r));
    }
}

/// `Orders: incremental, 12 rows read, 1012 rows, 3 requests`
pub fn summary(r: &TableReport) -> String {
    match &r.error {
        Some(e) => format!(
            "{}: FAILED after {} requests ({} rows read; the replica keeps its previous copy): {e}",
            r.table, r.requests, r.read
        ),
        None => format!(
            "{}: {}, {} rows read, {} rows, {} requests",
            r.table,
            r.mode.as_str(),
            r.read,
            r.rows,
            r.requests
        ),
    }
}

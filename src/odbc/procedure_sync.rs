//! `{call SyncCache('Orders,Products')}` (or `SyncCache()`: every table):
//! the replica sync of `jumpseller-odbc sync` run on a live connection with
//! a `CacheLocation` or `CacheConnection`, through its client (its rate limit), under the same
//! lock, stopped by the statement's cancel or query timeout. One row per
//! table synced: what the command prints, as columns.

use super::procedures::Call;
use super::{lock, Conn};
use crate::engine::{Interrupt, Value};
use crate::error::{Error, Kind, Result};
use crate::replica::reader::Reader;
use crate::replica::sync::{self, Options, Progress, TableReport};
use std::time::Duration;

/// How long a call waits for another sync of the replica to finish (less
/// when the statement has a query timeout).
const LOCK_WAIT: Duration = Duration::from_secs(3600);

pub fn run(conn: &Conn, call: &Call, interrupt: &Interrupt) -> Result<Vec<Vec<Value>>> {
    let config = lock(&conn.state)
        .connected
        .as_ref()
        .map(|c| c.config.clone())
        .ok_or_else(|| Error::odbc("08003", "The connection is not open."))?;
    if config.offline {
        return Err(Error::new(
            Kind::General,
            "SyncCache reads the store, and this connection is Offline (Offline=true sends nothing): call it on a live connection with the same CacheLocation or CacheConnection.",
        ));
    }
    if config.cache_location.is_none() && config.cache_connection.is_none() {
        return Err(Error::new(
            Kind::General,
            "SyncCache fills the local replica, and this connection has none: add CacheLocation=<file> (or CacheConnection=<PostgreSQL connection string>) to the connection string.",
        ));
    }
    let target = crate::replica::Target::of(&config)?;
    let tables = call.arg("Tables").map(|list| {
        list.split(',')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect()
    });
    let reader =
        Reader::over(&config, conn.session()?.client().clone())?.interrupted_by(interrupt.clone());
    let opts = Options {
        tables,
        full: false,
        recheck_days: config.cache_recheck_days,
    };
    let reports = sync::locked(&target, &reader, &opts, LOCK_WAIT, &mut || {}, &mut Silent)?;
    Ok(reports.iter().map(row).collect())
}

struct Silent;

impl Progress for Silent {
    fn rows(&mut self, _: &str, _: u64) {}
    fn done(&mut self, _: &TableReport) {}
}

fn row(r: &TableReport) -> Vec<Value> {
    vec![
        Value::Text(r.table.clone()),
        Value::Text(r.mode.as_str().into()),
        Value::Int(r.read as i64),
        Value::Int(r.rows as i64),
        Value::Int(r.requests as i64),
        r.error.clone().map(Value::Text).unwrap_or(Value::Null),
    ]
}

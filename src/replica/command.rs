//! `jumpseller-odbc sync`: fills the replica named by the connection
//! string's CacheLocation (SQLite) or CacheConnection (PostgreSQL), one
//! table after the other, under the replica's lock. A terminal sees a
//! progress line; anything else one summary line per table. The exit status is 1 when any table failed.

use super::reader::Reader;
use super::sync::{self, Options, Progress, TableReport};
use super::Target;
use crate::config::Config;
use std::io::{IsTerminal, Write};
use std::time::Duration;

pub const USAGE: &str = "\
Usage: jumpseller-odbc sync --connection-string \"...;CacheLocation=FILE\" [--tables Orders,Products] [--full]
       jumpseller-odbc sync --connection-string \"...;CacheConnection={host=H dbname=D user=U}\" ...

Copies the store's tables into the local replica (an SQLite file, CacheLocation,
or a PostgreSQL database, CacheConnection: one schema named after Login)
through the driver's live connection (its rate limit, prefetch and pushdown).
Tables with a `sync` object in the profile (Orders, Products) sync incrementally
after their first sync: new ids, and the rows of the last CacheRecheckDays days
(default 30) that can still change (orders); other tables are re-read whole.
A child table named with its parent moves with it: from the parent's rows when
they hold it (order lines), else only for new or changed parents (order history).
Connections with Offline=true and the same CacheLocation or CacheConnection then
answer from the replica.

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
    let target = Target::of(&config).map_err(|e| e.message)?;
    let reader = Reader::open(&config).map_err(|e| e.message)?;
    let mut shown = Shown {
        tty: std::io::stderr().is_terminal(),
    };
    let opts = Options {
        tables,
        full,
        recheck_days: config.cache_recheck_days,
    };
    let reports = sync::locked(
        &target,
        &reader,
        &opts,
        wait,
        &mut || {
            eprintln!(
                "Another sync of {} is running; waiting for it to finish ...",
                target.describe()
            )
        },
        &mut shown,
    )
    .map_err(|e| e.message)?;
    Ok(reports.iter().all(|r| r.error.is_none()))
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
            "{}: {}, {} rows read, {} rows, {} requests{}",
            r.table,
            r.mode.as_str(),
            r.read,
            r.rows,
            r.requests,
            match r.left_stale {
                true => "; left stale: a write through the driver changed it meanwhile, so its next sync reads it whole",
                false => "",
            }
        ),
    }
}

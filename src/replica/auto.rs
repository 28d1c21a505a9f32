//! AutoCache and writes through, the replica's part (the engine's part,
//! which says when these run, is engine/autocache.rs and
//! engine/replicate.rs).
//! - `AutoSync`: before a statement reads them, the tables whose last sync
//!   is older than `CacheTolerance` (or that were never synced) are synced
//!   through the connection's live session, under the replica's lock. When
//!   a sync fails (the network is down, the API refuses), a table the
//!   replica holds is answered as it is, with a warning that it is stale;
//!   a table it does not hold is the error.
//! - `ReplicaWrites` (writes.rs): the rows a write the API confirmed
//!   changed, applied to the tables the replica holds.

use super::reader::Reader;
use super::store::Store;
use super::sync::{self, Options, Progress, TableReport};
use super::writes::{Counted, ReplicaWrites};
use super::{now_unix, status, Target};
use crate::config::{live, Config};
use crate::engine::additions::FixedTable;
use crate::engine::{Auto, Changes, Freshen, Interrupt, Setup, WriteThrough};
use crate::error::{Error, Kind, Result};
use crate::jumpseller::Client;
use crate::schema::Profile;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a connection with a replica (CacheLocation or CacheConnection)
/// adds to its session.
pub struct Parts {
    /// AutoCache: the live sibling and its syncs.
    pub auto: Option<Auto>,
    /// Unless Offline: confirmed writes reach the replica.
    pub write_through: Option<Arc<dyn WriteThrough>>,
}

/// The parts `config` asks for (none without a replica). AutoCache makes
/// the replica reachable (the SQLite file exists, for the session to
/// attach; the PostgreSQL server answers) and opens the live sibling on
/// the connection's `client`.
pub fn parts(config: &Config, profile: &Arc<Profile>, client: &Arc<Client>) -> Result<Parts> {
    if config.cache_location.is_none() && config.cache_connection.is_none() {
        return Ok(Parts {
            auto: None,
            write_through: None,
        });
    }
    // Syncs and writes through of the connection, counted (Freshen::changes).
    let changes: Counted = Default::default();
    let write_through: Option<Arc<dyn WriteThrough>> = match config.offline {
        true => None,
        false => Some(Arc::new(
            ReplicaWrites::new(profile.clone(), config).counting(changes.clone()),
        )),
    };
    if !config.auto_cache {
        return Ok(Parts {
            auto: None,
            write_through,
        });
    }
    let peek = Target::of(config)?.peek()?;
    let setup = Setup {
        write_through: write_through.clone(),
        ..Setup::default()
    };
    let live = live::open_session(config, profile.clone(), client.clone(), &setup)?;
    if let Some(bytes) = config.memo_bytes {
        live.set_memo_bytes(bytes as usize);
    }
    let freshen = AutoSync::new(config, client.clone(), peek, changes);
    Ok(Parts {
        auto: Some(Auto {
            freshen: Arc::new(freshen),
            live,
            seen: Default::default(),
        }),
        write_through,
    })
}

/// How long a connection waits for another one's sync (or a `jumpseller-odbc
/// sync`) before it answers from what the replica holds.
pub(super) const LOCK_WAIT: Duration = Duration::from_secs(60);

/// The syncs of one AutoCache connection, the same over either replica:
/// the states are read without the lock (`Target::peek`), a sync runs
/// under it (`Target::lock`).
pub struct AutoSync {
    /// The connection's: a sync reads through its client (one rate limiter).
    config: Config,
    client: Arc<Client>,
    tolerance_secs: u64,
    recheck_days: u32,
    /// The replica's states, opened at connect and kept (one connection's
    /// statements take turns); dropped after an error, reopened at the
    /// next statement.
    peek: Mutex<Option<Box<dyn Store>>>,
    /// The connection's syncs and writes through, counted.
    changes: Counted,
}

impl AutoSync {
    pub fn new(
        config: &Config,
        client: Arc<Client>,
        peek: Box<dyn Store>,
        changes: Counted,
    ) -> AutoSync {
        AutoSync {
            config: config.clone(),
            client,
            tolerance_secs: config.cache_tolerance,
            recheck_days: config.cache_recheck_days,
            peek: Mutex::new(Some(peek)),
            changes,
        }
    }

    /// `f` over the kept store of states (reopened when an error dropped it).
    fn with_peek<T>(&self, f: impl FnOnce(&dyn Store) -> Result<T>) -> Result<T> {
        let mut slot = self.peek.lock().unwrap_or_else(|e| e.into_inner());
        let peek = match slot.take() {
            Some(store) => slot.insert(store),
            None => slot.insert(Target::of(&self.config)?.peek()?),
        };
        let outcome = f(peek.as_ref());
        if outcome.is_err() {
            *slot = None;
        }
        outcome
    }

    /// Those of `tables` that are stale now: never synced, or synced
    /// longer than the tolerance ago (CacheStatus's `stale`).
    fn stale_of(&self, store: &dyn Store, tables: &[String]) -> Result<Vec<String>> {
        let states = store.states()?;
        let status = status::rows_of(&states, now_unix(), self.tolerance_secs);
        let fresh = |name: &str| {
            status.iter().any(|row| {
                row.first().and_then(|v| v.text()).as_deref() == Some(name)
                    && row.last().and_then(|v| v.text()).as_deref() == Some("0")
            })
        };
        let mut stale = Vec::new();
        for t in tables {
            if !store.has_table(t)? || !fresh(t) {
                stale.push(t.clone());
            }
        }
        Ok(stale)
    }

    /// Syncs those of `tables` still stale once the lock is held (another
    /// connection may have synced them while this one waited); a lock not
    /// taken is every stale table's failure.
    fn sync_stale(
        &self,
        peek: &dyn Store,
        tables: &[String],
        interrupt: &Interrupt,
    ) -> Result<Vec<TableReport>> {
        let target = Target::of(&self.config)?;
        let mut locked = match target.lock(LOCK_WAIT, interrupt, &mut || {}) {
            Ok(locked) => locked,
            Err(e) => {
                return Ok(self
                    .stale_of(peek, tables)?
                    .into_iter()
                    .map(|table| failed_report(table, &e))
                    .collect())
            }
        };
        let store = locked.store.as_mut();
        let stale = self.stale_of(store, tables)?;
        if stale.is_empty() {
            return Ok(Vec::new());
        }
        let opts = Options {
            tables: Some(stale),
            full: false,
            recheck_days: self.recheck_days,
        };
        let reader =
            Reader::over(&self.config, self.client.clone())?.interrupted_by(interrupt.clone());
        // Counted before it runs: a failed sync may have committed batches.
        if let Some(tables) = &opts.tables {
            super::writes::count(&self.changes, tables);
        }
        sync::run(store, &reader, &opts, &mut Quiet)
    }

    /// The warnings of the failed syncs of tables the replica holds; a
    /// table it does not hold is the error.
    fn warnings(&self, peek: &dyn Store, reports: Vec<TableReport>) -> Result<Vec<String>> {
        let mut warnings = Vec::new();
        for r in reports {
            let Some(why) = r.error else { continue };
            if !peek.has_table(&r.table)? {
                return Err(Error::new(
                    Kind::General,
                    format!(
                        "AutoCache could not sync {}, which the replica ({}) does not hold yet: {why}",
                        r.table,
                        peek.describe()
                    ),
                ));
            }
            warnings.push(format!(
                "{} is answered from the replica as last synced ({}): it is older than CacheTolerance ({} s) and syncing it failed: {why}",
                r.table,
                last_synced(peek, &r.table)?,
                self.tolerance_secs
            ));
        }
        Ok(warnings)
    }
}

struct Quiet;
impl Progress for Quiet {
    fn rows(&mut self, _: &str, _: u64) {}
    fn done(&mut self, _: &TableReport) {}
}

impl Freshen for AutoSync {
    fn freshen(&self, tables: &[String], interrupt: &Interrupt) -> Result<Vec<String>> {
        self.with_peek(|peek| {
            if self.stale_of(peek, tables)?.is_empty() {
                return Ok(Vec::new());
            }
            let reports = self.sync_stale(peek, tables, interrupt)?;
            // A cancel or the query timeout ends the statement, not only the sync.
            interrupt.check().map_err(Error::from)?;
            self.warnings(peek, reports)
        })
    }

    fn fixed_tables(&self) -> Result<Vec<FixedTable>> {
        let states = self.with_peek(|peek| peek.states())?;
        Ok(vec![status::table_of(&states, self.tolerance_secs)])
    }

    fn declared_with(&self) -> Option<&'static str> {
        // The SQLite file is attached: a table synced into it appears by
        // itself. PostgreSQL's tables are declared one by one (pg_read.rs).
        self.config
            .cache_connection
            .as_ref()
            .map(|_| super::pg_read::MODULE_NAME)
    }

    fn changes(&self) -> Changes {
        self.changes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

fn failed_report(table: String, e: &Error) -> TableReport {
    TableReport {
        table,
        mode: sync::Mode::Incremental,
        rows: 0,
        read: 0,
        requests: 0,
        error: Some(e.message.clone()),
        left_stale: false,
    }
}

/// When the table was last synced, for a warning.
fn last_synced(store: &dyn Store, table: &str) -> Result<String> {
    let state = store.states()?.into_iter().find(|s| s.table_name == table);
    Ok(state
        .and_then(|s| s.last_incremental_sync.or(s.last_full_sync))
        .map(|t| format!("{t} UTC"))
        .unwrap_or_else(|| "a full sync is due".into()))
}

//! One sync: each table read through a live engine session and written to
//! the replica. How change is found, since the API has no "updated since":
//! - a table never synced, a table without a profile `sync` object, or
//!   `--full`: re-read whole into a staging table, renamed over the old one;
//! - a table with one (Orders, Products): new rows by `keyset > high water`
//!   (`/after/{id}`), and, with a `recheck` column, the rows of the last
//!   `CacheRecheckDays` days, which can still change (Orders' `created_at`
//!   through `dateFilter=customDate`), upserted;
//! - deletions: when the API's count differs from the replica's afterwards,
//!   the table is re-read whole (a reconciliation).
//!
//! Children move with their parents (when they are synced too): a child in
//! an array of each parent object is filled from the parent rows read, with
//! no request of its own (its rows replaced for every parent row read); a
//! child read by a request per parent (OrderHistory) is read whole when its
//! parent is, and otherwise only for the parents read again that are new or
//! differ from the replica's copy, in the same transaction as those parents.

use super::family;
use super::reader::Reader;
use super::store::{Store, SyncKind};
use super::Target;
use crate::error::{Error, Kind, Result};
use crate::schema::{Profile, Table};
use std::time::Duration;

/// Rows written per transaction.
pub(super) const BATCH: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Full,
    Incremental,
    /// Incremental, then re-read whole: the counts differed (deletions).
    Reconciled,
}

impl Mode {
    pub fn as_str(&self) -> &'static str {
        match self {
            Mode::Full => "full",
            Mode::Incremental => "incremental",
            Mode::Reconciled => "incremental+reconciled",
        }
    }

    /// Which request count of the sync state this mode's requests go to.
    pub fn kind(&self) -> SyncKind {
        match self {
            Mode::Full => SyncKind::Full,
            Mode::Incremental | Mode::Reconciled => SyncKind::Incremental,
        }
    }
}

/// What one table's sync did.
#[derive(Debug, Clone)]
pub struct TableReport {
    pub table: String,
    pub mode: Mode,
    /// Rows in the replica afterwards.
    pub rows: u64,
    /// Rows read from the API.
    pub read: u64,
    pub requests: u64,
    pub error: Option<String>,
    /// A write through the driver marked the table stale while this sync
    /// read it (the lock was this sync's): the sync's copy may lack that
    /// write, so the table is left stale and its next sync reads it whole.
    pub left_stale: bool,
}

pub struct Options {
    /// None: every table of the profile.
    pub tables: Option<Vec<String>>,
    pub full: bool,
    /// `CacheRecheckDays`: how far back rows that may change are re-read.
    pub recheck_days: u32,
}

/// Told of each batch written (table, rows read so far) and each table done.
pub trait Progress {
    fn rows(&mut self, table: &str, read: u64);
    fn done(&mut self, report: &TableReport);
}

/// Everything a sync of the replica at `target` does: its lock (waiting
/// up to `wait`, `waiting` told once when another sync holds it), the
/// store opened, the tables synced.
pub fn locked(
    target: &Target,
    reader: &Reader,
    opts: &Options,
    wait: Duration,
    waiting: &mut dyn FnMut(),
    progress: &mut dyn Progress,
) -> Result<Vec<TableReport>> {
    let mut locked = target.lock(wait, reader.interrupt(), waiting)?;
    run(locked.store.as_mut(), reader, opts, progress)
}

/// Syncs the tables `opts` names: each table whose parent is not among
/// them with the descendants that are (a family). A family that fails keeps
/// its previous state and is reported; the others go on.
pub fn run(
    store: &mut dyn Store,
    reader: &Reader,
    opts: &Options,
    progress: &mut dyn Progress,
) -> Result<Vec<TableReport>> {
    let profile = reader.profile().clone();
    let chosen = chosen(&profile, opts)?;
    let mut reports = Vec::new();
    for root in chosen
        .iter()
        .filter(|t| family::parent_of(&profile, t, &chosen).is_none())
    {
        let (outcome, tally) =
            family::sync(&mut *store, reader, &chosen, opts, root, &mut *progress);
        for table in family::family(&profile, root, &chosen) {
            let report = match (&outcome, tally.get(&table.name)) {
                (Ok(()), Some(t)) => {
                    store.record_requests(&table.name, t.mode.kind(), t.requests)?;
                    TableReport {
                        table: table.name.clone(),
                        mode: t.mode.clone(),
                        rows: store.row_count(&table.name)?,
                        read: t.read,
                        requests: t.requests,
                        error: None,
                        left_stale: store.generation(&table.name)? != tally.since(&table.name),
                    }
                }
                (outcome, t) => TableReport {
                    table: table.name.clone(),
                    mode: t.map(|t| t.mode.clone()).unwrap_or(Mode::Full),
                    rows: 0,
                    read: t.map(|t| t.read).unwrap_or(0),
                    requests: t.map(|t| t.requests).unwrap_or(0),
                    error: Some(match outcome {
                        Err(e) => e.message.clone(),
                        Ok(()) => "not synced".into(),
                    }),
                    left_stale: false,
                },
            };
            progress.done(&report);
            reports.push(report);
        }
    }
    Ok(reports)
}

/// The profile tables named (case-insensitive), or all; an unknown name is
/// an error before anything is read.
fn chosen<'p>(profile: &'p Profile, opts: &Options) -> Result<Vec<&'p Table>> {
    match &opts.tables {
        None => Ok(profile.tables.iter().collect()),
        Some(names) => names
            .iter()
            .map(|n| {
                profile.table(n.trim()).ok_or_else(|| {
                    Error::new(
                        Kind::NoTable,
                        format!("There is no table {n} to sync: SQLTables lists the tables (Orders, Products, ...)."),
                    )
                })
            })
            .collect(),
    }
}

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

use super::layout::quoted;
use super::reader::{Pace, Reader};
use super::store::{Change, Store, SyncKind};
use super::{now_unix, sql_time};
use crate::engine::{Query, Value};
use crate::error::{Error, Kind, Result};
use crate::schema::{Profile, Table};

/// Rows written per transaction.
const BATCH: usize = 500;

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

/// Syncs the tables `opts` names, one after the other. A table that fails
/// keeps its previous state and is reported; the others go on.
pub fn run(
    store: &mut dyn Store,
    reader: &Reader,
    opts: &Options,
    progress: &mut dyn Progress,
) -> Result<Vec<TableReport>> {
    let profile = reader.profile().clone();
    let tables = chosen(&profile, opts)?;
    let mut reports = Vec::new();
    for table in tables {
        let before = reader.requests_sent();
        let mut read = 0u64;
        let outcome = sync_table(store, reader, table, opts, &mut read, progress);
        let requests = reader.requests_sent() - before;
        let report = match outcome {
            Ok(mode) => {
                store.record_requests(&table.name, mode.kind(), requests)?;
                let rows = store.row_count(&table.name)?;
                TableReport {
                    table: table.name.clone(),
                    mode,
                    rows,
                    read,
                    requests,
                    error: None,
                }
            }
            Err(e) => TableReport {
                table: table.name.clone(),
                mode: Mode::Full,
                rows: 0,
                read,
                requests,
                error: Some(e.message),
            },
        };
        progress.done(&report);
        reports.push(report);
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

fn sync_table(
    store: &mut dyn Store,
    reader: &Reader,
    table: &Table,
    opts: &Options,
    read: &mut u64,
    progress: &mut dyn Progress,
) -> Result<Mode> {
    let high_water = store.high_water(table)?;
    let (Some(spec), Some(high_water), false) = (&table.sync, high_water, opts.full) else {
        full_sync(store, reader, table, read, progress)?;
        return Ok(Mode::Full);
    };
    let newer = format!("{} > ?", quoted(&spec.keyset));
    let query = reader.select(Pace::Exact, table, &newer, &[Value::Int(high_water)])?;
    copy(store, query, table, Upsert::Replace, read, progress)?;
    // Only once every newer row is in: the API does not promise an order,
    // and a sync killed before here reads them again (replacing by key).
    store.raise_high_water(table)?;
    if let (Some(column), 1..) = (&spec.recheck, opts.recheck_days) {
        let now = now_unix();
        let since = Value::Text(sql_time(now - i64::from(opts.recheck_days) * 86_400));
        let window = format!("{} BETWEEN ? AND ?", quoted(column));
        let query = reader.select(
            Pace::Exact,
            table,
            &window,
            &[since, Value::Text(sql_time(now))],
        )?;
        copy(store, query, table, Upsert::Replace, read, progress)?;
    }
    store.mark_incremental(&table.name)?;
    if reader.count(table)? != store.row_count(&table.name)? {
        full_sync(store, reader, table, read, progress)?;
        return Ok(Mode::Reconciled);
    }
    Ok(Mode::Incremental)
}

/// The whole table into its staging table, batch by batch; then, in one
/// transaction, the staging table replaces the table and the state says so.
fn full_sync(
    store: &mut dyn Store,
    reader: &Reader,
    table: &Table,
    read: &mut u64,
    progress: &mut dyn Progress,
) -> Result<()> {
    store.begin_full(table)?;
    let query = reader.select(Pace::Ahead, table, "", &[])?;
    copy(store, query, table, Upsert::Stage, read, progress)?;
    store.finish_full(table)
}

#[derive(Clone, Copy, PartialEq)]
enum Upsert {
    /// Into the staging table.
    Stage,
    /// New rows, or rows that may have changed: replaced by key.
    Replace,
}

/// Runs `sql` on the live session and writes its rows, BATCH per
/// transaction.
fn copy(
    store: &mut dyn Store,
    mut query: Query,
    table: &Table,
    upsert: Upsert,
    read: &mut u64,
    progress: &mut dyn Progress,
) -> Result<()> {
    loop {
        let mut batch = Vec::with_capacity(BATCH);
        while batch.len() < BATCH {
            match query.next_row()? {
                Some(row) => batch.push(row),
                None => break,
            }
        }
        if batch.is_empty() {
            return Ok(());
        }
        let last = batch.len() < BATCH;
        let change = match upsert {
            Upsert::Stage => Change::Stage {
                table,
                rows: &batch,
            },
            Upsert::Replace => Change::Replace {
                table,
                rows: &batch,
            },
        };
        store.apply(&[change])?;
        *read += batch.len() as u64;
        progress.rows(&table.name, *read);
        if last {
            return Ok(());
        }
    }
}

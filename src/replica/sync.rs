//! One sync: each table read through a live engine session and written to
//! the replica. How change is found, since the API has no "updated since":
//! - a table never synced, a child table, a table without an id route, or
//!   `--full`: re-read whole into a staging table, renamed over the old one;
//! - Orders and Products: new rows by `id > high water` (`/after/{id}`);
//!   Orders also re-read the window of recent orders that can still change
//!   (`created_at BETWEEN`, `dateFilter=customDate`), upserted;
//! - deletions: when the API's count differs from the replica's afterwards,
//!   the table is re-read whole (a reconciliation).

use super::layout::{self, quoted, META};
use super::{failed, now_unix, sql_time, Replica};
use crate::engine::{Interrupt, Session, Value};
use crate::error::{Error, Kind, Result};
use crate::schema::{Profile, Table};
use rusqlite::types::{ToSql, ToSqlOutput};

/// Tables synced incrementally by id, and whether their recent window is
/// re-read (the column of its dates).
const INCREMENTAL: &[(&str, Option<&str>)] = &[("Orders", Some("created_at")), ("Products", None)];

/// Orders younger than this may still change (status, payment): re-read.
pub const RECENT_WINDOW_DAYS: i64 = 30;

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
}

/// Told of each batch written (table, rows read so far) and each table done.
pub trait Progress {
    fn rows(&mut self, table: &str, read: u64);
    fn done(&mut self, report: &TableReport);
}

/// Syncs the tables `opts` names, one after the other. A table that fails
/// keeps its previous state and is reported; the others go on.
pub fn run(
    replica: &mut Replica,
    session: &Session,
    opts: &Options,
    progress: &mut dyn Progress,
) -> Result<Vec<TableReport>> {
    let profile = session.profile().clone();
    let tables = chosen(&profile, opts)?;
    let mut reports = Vec::new();
    for table in tables {
        let before = session.client().requests_sent();
        let mut read = 0u64;
        let outcome = sync_table(replica, session, table, opts.full, &mut read, progress);
        let requests = session.client().requests_sent() - before;
        let report = match outcome {
            Ok(mode) => {
                let rows = replica_rows(replica, &table.name)?;
                record_requests(replica, &table.name, &mode, requests)?;
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

fn incremental_of(table: &Table) -> Option<Option<&'static str>> {
    INCREMENTAL
        .iter()
        .find(|(name, _)| *name == table.name)
        .map(|(_, window)| *window)
}

fn sync_table(
    replica: &mut Replica,
    session: &Session,
    table: &Table,
    full: bool,
    read: &mut u64,
    progress: &mut dyn Progress,
) -> Result<Mode> {
    let window = incremental_of(table);
    let high_water = high_water(replica, &table.name)?;
    let (Some(window), Some(high_water), false) = (window, high_water, full) else {
        full_sync(replica, session, table, read, progress)?;
        return Ok(Mode::Full);
    };
    let from = format!(
        "SELECT * FROM {}.{}",
        quoted(&session.profile().schema),
        quoted(&table.name)
    );
    let newer = format!("{from} WHERE id > ?");
    copy(
        replica,
        session,
        table,
        &newer,
        &[Value::Int(high_water)],
        Upsert::Replace,
        read,
        progress,
    )?;
    // Only once every newer row is in: the API does not promise an order,
    // and a sync killed before here reads them again (replacing by key).
    raise_high_water(replica, &table.name)?;
    if let Some(column) = window {
        let now = now_unix();
        let since = Value::Text(sql_time(now - RECENT_WINDOW_DAYS * 86_400));
        let sql = format!("{from} WHERE {} BETWEEN ? AND ?", quoted(column));
        copy(
            replica,
            session,
            table,
            &sql,
            &[since, Value::Text(sql_time(now))],
            Upsert::Replace,
            read,
            progress,
        )?;
    }
    mark(replica, &table.name, "last_incremental_sync")?;
    if live_count(session, table)? != replica_rows(replica, &table.name)? {
        full_sync(replica, session, table, read, progress)?;
        return Ok(Mode::Reconciled);
    }
    Ok(Mode::Incremental)
}

/// The whole table into its staging table, batch by batch; then, in one
/// transaction, the staging table replaces the table and the state says so.
fn full_sync(
    replica: &mut Replica,
    session: &Session,
    table: &Table,
    read: &mut u64,
    progress: &mut dyn Progress,
) -> Result<()> {
    let stage = layout::stage_name(&table.name);
    let path = replica.path.clone();
    replica
        .conn
        .execute_batch(&format!(
            "DROP TABLE IF EXISTS {q}; {create}",
            q = quoted(&stage),
            create = layout::create_sql(table, &stage)
        ))
        .map_err(|e| failed(&path, e))?;
    let sql = format!(
        "SELECT * FROM {}.{}",
        quoted(&session.profile().schema),
        quoted(&table.name)
    );
    copy(
        replica,
        session,
        table,
        &sql,
        &[],
        Upsert::Stage,
        read,
        progress,
    )?;
    let tx = replica.conn.transaction().map_err(|e| failed(&path, e))?;
    tx.execute_batch(&format!(
        "DROP TABLE IF EXISTS {t}; ALTER TABLE {s} RENAME TO {t};",
        t = quoted(&table.name),
        s = quoted(&stage)
    ))
    .map_err(|e| failed(&path, e))?;
    if let Some(index) = layout::key_index_sql(table) {
        tx.execute_batch(&index).map_err(|e| {
            Error::new(
                Kind::General,
                format!("The API listed a row of {} twice under one key; the replica keeps its previous copy: {e}", table.name),
            )
        })?;
    }
    let has_id = table.columns.iter().any(|c| c.name == "id");
    let high_water: Option<i64> = if has_id {
        tx.query_row(
            &format!("SELECT max(id) FROM {}", quoted(&table.name)),
            [],
            |r| r.get(0),
        )
        .map_err(|e| failed(&path, e))?
    } else {
        None
    };
    let now = sql_time(now_unix());
    tx.execute(
        &format!(
            "INSERT INTO {META}(table_name, row_count, last_full_sync, high_water)
             VALUES (?1, (SELECT count(*) FROM {t}), ?2, ?3)
             ON CONFLICT(table_name) DO UPDATE SET row_count = excluded.row_count,
                last_full_sync = ?2, high_water = ?3",
            t = quoted(&table.name)
        ),
        rusqlite::params![table.name, now, high_water.unwrap_or(0)],
    )
    .map_err(|e| failed(&path, e))?;
    tx.commit().map_err(|e| failed(&path, e))
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
#[allow(clippy::too_many_arguments)]
fn copy(
    replica: &mut Replica,
    session: &Session,
    table: &Table,
    sql: &str,
    params: &[Value],
    upsert: Upsert,
    read: &mut u64,
    progress: &mut dyn Progress,
) -> Result<()> {
    let mut query = session.prepare(sql)?;
    query.execute(params, &Interrupt::none())?;
    let target = match upsert {
        Upsert::Stage => layout::stage_name(&table.name),
        _ => table.name.clone(),
    };
    let markers = vec!["?"; table.columns.len()].join(", ");
    let verb = if upsert == Upsert::Stage {
        "INSERT"
    } else {
        "INSERT OR REPLACE"
    };
    let insert = format!("{verb} INTO {} VALUES ({markers})", quoted(&target));
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
        write_batch(replica, &insert, &batch)?;
        *read += batch.len() as u64;
        progress.rows(&table.name, *read);
        if last {
            return Ok(());
        }
    }
}

/// One transaction: the rows.
fn write_batch(replica: &mut Replica, insert: &str, rows: &[Vec<Value>]) -> Result<()> {
    let path = replica.path.clone();
    let tx = replica.conn.transaction().map_err(|e| failed(&path, e))?;
    {
        let mut stmt = tx.prepare_cached(insert).map_err(|e| failed(&path, e))?;
        for row in rows {
            stmt.execute(rusqlite::params_from_iter(row.iter().map(Param)))
                .map_err(|e| failed(&path, e))?;
        }
    }
    tx.commit().map_err(|e| failed(&path, e))
}

/// A Value bound as itself.
struct Param<'a>(&'a Value);

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(self.0.as_sqlite()))
    }
}

/// The high water of a table synced before (None: never synced whole).
fn high_water(replica: &Replica, table: &str) -> Result<Option<i64>> {
    if !replica.has_table(table)? {
        return Ok(None);
    }
    let mut stmt = replica
        .conn
        .prepare(&format!(
            "SELECT high_water FROM {META} WHERE table_name = ?1"
        ))
        .map_err(|e| failed(&replica.path, e))?;
    let mut rows = stmt.query([table]).map_err(|e| failed(&replica.path, e))?;
    match rows.next().map_err(|e| failed(&replica.path, e))? {
        Some(row) => row.get(0).map_err(|e| failed(&replica.path, e)),
        None => Ok(None),
    }
}

/// `SELECT COUNT(*)` through the session: a count route when the table has one.
fn live_count(session: &Session, table: &Table) -> Result<u64> {
    let sql = format!(
        "SELECT COUNT(*) FROM {}.{}",
        quoted(&session.profile().schema),
        quoted(&table.name)
    );
    let mut q = session.prepare(&sql)?;
    q.execute(&[], &Interrupt::none())?;
    match q.next_row()? {
        Some(row) => match row.first() {
            Some(Value::Int(n)) => Ok(*n as u64),
            _ => Err(Error::new(
                Kind::General,
                format!("COUNT(*) of {} answered no number.", table.name),
            )),
        },
        None => Err(Error::new(
            Kind::General,
            format!("COUNT(*) of {} answered no row.", table.name),
        )),
    }
}

fn replica_rows(replica: &Replica, table: &str) -> Result<u64> {
    if !replica.has_table(table)? {
        return Ok(0);
    }
    replica
        .conn
        .query_row(
            &format!("SELECT count(*) FROM {}", quoted(table)),
            [],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n as u64)
        .map_err(|e| failed(&replica.path, e))
}

/// The high water becomes the highest id the table holds.
fn raise_high_water(replica: &Replica, table: &str) -> Result<()> {
    replica
        .conn
        .execute(
            &format!(
                "UPDATE {META} SET high_water = (SELECT coalesce(max(id), 0) FROM {}) WHERE table_name = ?1",
                quoted(table)
            ),
            [table],
        )
        .map(|_| ())
        .map_err(|e| failed(&replica.path, e))
}

fn mark(replica: &Replica, table: &str, column: &str) -> Result<()> {
    replica
        .conn
        .execute(
            &format!("UPDATE {META} SET {column} = ?2 WHERE table_name = ?1"),
            rusqlite::params![table, sql_time(now_unix())],
        )
        .map(|_| ())
        .map_err(|e| failed(&replica.path, e))
}

/// The rows and requests a finished sync of a table leaves in its state.
fn record_requests(replica: &Replica, table: &str, mode: &Mode, requests: u64) -> Result<()> {
    let column = match mode {
        Mode::Full => "full_requests",
        Mode::Incremental | Mode::Reconciled => "incremental_requests",
    };
    let rows = replica_rows(replica, table)?;
    replica
        .conn
        .execute(
            &format!("UPDATE {META} SET {column} = ?2, row_count = ?3 WHERE table_name = ?1"),
            rusqlite::params![table, requests as i64, rows as i64],
        )
        .map(|_| ())
        .map_err(|e| failed(&replica.path, e))
}

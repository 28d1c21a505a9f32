//! The replica in PostgreSQL (`CacheConnection`): one schema per store,
//! named after the store's `Login` (or, signed in by OAuth, the URL's
//! host), quoted as it is. In it one table per synced profile table with
//! the columns of the engine's virtual tables in PostgreSQL's types
//! (`pg_types.rs`), and `_replica_sync`, the sync state.
//!
//! Consistency as in the SQLite file: every batch is one transaction; a
//! full sync fills `_stage_<table>` and, in one last transaction, drops the
//! table and renames the staging table over it, so a reader sees the
//! previous state or the new one and a killed sync leaves the previous one.
//! Two syncs of one schema take turns: a session-level advisory lock keyed
//! by the schema, which the server drops when the connection ends (kill -9
//! included).
//!
//! TLS as libpq's `sslmode` and `sslrootcert` ask (`pg_tls.rs`).

use super::pg_types::{from_pg_text, pg_format_type, pg_type, select_expr, to_pg_text};
use super::store::{keyset_column, Change, Generation, Store, SyncKind, SyncState};
use crate::engine::{Interrupt, Value};
use crate::error::{Error, Kind, Result};
use crate::schema::Table;
use postgres::{Client, NoTls};
use std::cell::RefCell;
use std::io::Write;
use std::time::{Duration, Instant};

/// The per-table sync state.
pub const META: &str = "_replica_sync";

/// The first key of the advisory lock: this driver's syncs.
const LOCK_CLASS: i32 = 0x4A53_4F44; // "JSOD"

/// How long a full sync's swap waits for readers to let go of the table.
const SWAP_WAIT: &str = "120s";

/// PostgreSQL truncates longer identifiers: two stores would then share a
/// schema.
const MAX_IDENTIFIER: usize = 63;

pub struct PgStore {
    client: RefCell<Client>,
    /// Its advisory lock is the connection's: held while the store lives.
    schema: String,
}

/// `"name"`, quotes doubled.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The schema a store's replica lives in: its Login, else the host of its
/// URL. Refused when PostgreSQL could not keep the name whole.
pub fn schema_name(login: Option<&str>, url: &str) -> Result<String> {
    let host = || {
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        rest.split(['/', '?', '#'])
            .next()
            .unwrap_or(rest)
            .to_string()
    };
    let name = login
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map_or_else(host, str::to_string);
    if name.is_empty() || name.len() > MAX_IDENTIFIER || name.contains('\0') {
        return Err(Error::new(
            Kind::Config,
            format!("The store's name '{name}' cannot name a PostgreSQL schema (1 to {MAX_IDENTIFIER} bytes): the CacheConnection replica is kept in a schema named after Login."),
        ));
    }
    Ok(name)
}

/// A PostgreSQL error, naming the replica.
pub fn pg_failed(schema: &str, e: postgres::Error) -> Error {
    let what = match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_string(),
        },
        None => match std::error::Error::source(&e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        },
    };
    Error::new(
        Kind::General,
        format!(
            "The PostgreSQL replica (schema {}) failed: {what}. Check CacheConnection.",
            ident(schema)
        ),
    )
}

/// A connection with the session settings every text conversion here
/// relies on: instants in UTC, ISO dates, shortest exact doubles.
pub fn connect(conn: &str, schema: &str) -> Result<Client> {
    let plan = super::pg_tls::plan(conn)?;
    // Not reached or refused: a connection error (08001), as for the store.
    let connected = match plan.connector()? {
        Some(tls) => Client::connect(&plan.conn, tls),
        None => Client::connect(&plan.conn, NoTls),
    };
    let mut client = connected.map_err(|e| Error {
        kind: Kind::Connect,
        ..pg_failed(schema, e)
    })?;
    client
        .batch_execute(
            "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 1; \
             SET IntervalStyle = 'postgres'",
        )
        .map_err(|e| pg_failed(schema, e))?;
    Ok(client)
}

impl PgStore {
    /// Opens the store's schema for a sync: waits up to `wait` for another
    /// sync of it (`waiting` told once), then creates the schema and the
    /// state table when absent.
    pub fn open(
        conn: &str,
        schema: &str,
        wait: Duration,
        interrupt: &Interrupt,
        waiting: &mut dyn FnMut(),
    ) -> Result<PgStore> {
        let mut client = connect(conn, schema)?;
        take_lock(&mut client, schema, wait, interrupt, waiting)?;
        let s = ident(schema);
        client
            .batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {s};
                 CREATE TABLE IF NOT EXISTS {s}.{META}(
                    table_name TEXT PRIMARY KEY,
                    row_count BIGINT NOT NULL,
                    last_full_sync TIMESTAMPTZ,
                    last_incremental_sync TIMESTAMPTZ,
                    full_requests BIGINT,
                    incremental_requests BIGINT,
                    high_water BIGINT,
                    dirty BIGINT NOT NULL DEFAULT 0)"
            ))
            .map_err(|e| pg_failed(schema, e))?;
        add_generation(&mut client, schema)?;
        Ok(PgStore {
            client: RefCell::new(client),
            schema: schema.to_string(),
        })
    }

    /// Opens the store's schema without the lock, creating nothing: to read
    /// its sync states (AutoCache's freshness checks) or mark a table stale
    /// (a write that could not wait for the lock, auto.rs). Syncs and
    /// writes of rows go through `open`.
    pub fn reading(conn: &str, schema: &str) -> Result<PgStore> {
        Ok(PgStore {
            client: RefCell::new(connect(conn, schema)?),
            schema: schema.to_string(),
        })
    }

    fn table_ref(&self, name: &str) -> String {
        format!("{}.{}", ident(&self.schema), ident(name))
    }

    fn failed(&self, e: postgres::Error) -> Error {
        pg_failed(&self.schema, e)
    }

    /// The columns `table` has in the schema (name, `format_type`).
    fn declared(&self, table: &str) -> Result<Vec<(String, String)>> {
        let rows = self
            .client
            .borrow_mut()
            .query(
                "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod)
                 FROM pg_catalog.pg_attribute a
                 JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
                 ORDER BY a.attnum",
                &[&self.schema, &table],
            )
            .map_err(|e| self.failed(e))?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<std::result::Result<Vec<_>, postgres::Error>>()
            .map_err(|e| self.failed(e))
    }

    /// One column of the table's state; with `since`, only while the
    /// table's generation is still that.
    fn set_state(
        &self,
        table: &str,
        column: &str,
        value: &str,
        since: Option<Generation>,
    ) -> Result<()> {
        self.client
            .borrow_mut()
            .execute(
                &format!(
                    "UPDATE {}.{META} SET {column} = {value} WHERE table_name = $1 \
                     AND ($2::bigint IS NULL OR dirty = $2)",
                    ident(&self.schema)
                ),
                &[&table, &since],
            )
            .map(|_| ())
            .map_err(|e| self.failed(e))
    }
}

/// A state table made before the write generation (`store::Generation`)
/// gains it. Only when it lacks it: ALTER TABLE would wait for every
/// reader of the state table.
fn add_generation(client: &mut Client, schema: &str) -> Result<()> {
    let has: bool = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns
              WHERE table_schema = $1 AND table_name = $2 AND column_name = 'dirty')",
            &[&schema, &META],
        )
        .and_then(|r| r.try_get(0))
        .map_err(|e| pg_failed(schema, e))?;
    if has {
        return Ok(());
    }
    client
        .batch_execute(&format!(
            "ALTER TABLE {}.{META} ADD COLUMN IF NOT EXISTS dirty BIGINT NOT NULL DEFAULT 0",
            ident(schema)
        ))
        .map_err(|e| pg_failed(schema, e))
}

/// How long marking a table stale without the sync lock waits for a
/// sync's open state write (which holds the state row for milliseconds).
const MARK_WAIT: &str = "30s";

/// A key made unique over rows that share one: the API listed a row twice.
fn twice_or_failed(schema: &str, table: &str, e: postgres::Error) -> Error {
    let twice = e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION);
    let failed = pg_failed(schema, e);
    if !twice {
        return failed;
    }
    Error::new(
        Kind::General,
        format!("The API listed a row of {table} twice under one key; the replica keeps its previous copy: {}", failed.message),
    )
}

/// The advisory lock of `schema`'s syncs, waited for up to `wait` (or
/// until the statement that asked is cancelled or times out).
fn take_lock(
    client: &mut Client,
    schema: &str,
    wait: Duration,
    interrupt: &Interrupt,
    waiting: &mut dyn FnMut(),
) -> Result<()> {
    let until = Instant::now() + wait;
    let mut told = false;
    loop {
        let got: bool = client
            .query_one(
                "SELECT pg_try_advisory_lock($1, hashtext($2))",
                &[&LOCK_CLASS, &schema],
            )
            .and_then(|r| r.try_get(0))
            .map_err(|e| pg_failed(schema, e))?;
        if got {
            return Ok(());
        }
        interrupt.check().map_err(Error::from)?;
        if Instant::now() >= until {
            return Err(Error::new(
                Kind::Timeout,
                format!(
                    "Another sync of the PostgreSQL replica (schema {}) held its lock for {} s.",
                    ident(schema),
                    wait.as_secs()
                ),
            ));
        }
        if !told {
            waiting();
            told = true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The primary key's columns, when the profile declares one whose columns
/// all exist.
fn key_columns(table: &Table) -> Option<&[String]> {
    let key = &table.primary_key;
    let known = |k: &String| table.columns.iter().any(|c| &c.name == k);
    (!key.is_empty() && key.iter().all(known)).then_some(key.as_slice())
}

/// The SQL of the high water: the highest keyset value `target` holds (0
/// when empty or without a keyset column).
fn highest_key(table: &Table, target: &str) -> String {
    match keyset_column(table) {
        Some(k) => format!("(SELECT coalesce(max({}), 0) FROM {target})", ident(k)),
        None => "0".to_string(),
    }
}

/// The columns a table of the current layout has, as PostgreSQL describes
/// them (name, `format_type`): a copy with others was made by an older
/// layout or profile and is synced whole again.
pub fn declared_columns(table: &Table) -> Vec<(String, String)> {
    table
        .columns
        .iter()
        .map(|c| (c.name.clone(), pg_format_type(c.sql_type())))
        .collect()
}

fn stage_name(table: &str) -> String {
    format!("_stage_{table}")
}

/// `CREATE TABLE` with the profile's columns in PostgreSQL's types.
fn create_sql(table: &Table, target: &str) -> String {
    let cols: Vec<String> = table
        .columns
        .iter()
        .map(|c| format!("{} {}", ident(&c.name), pg_type(c.sql_type())))
        .collect();
    format!("CREATE TABLE {target}({})", cols.join(", "))
}

/// Rows as COPY's text format: tab-separated, `\N` for NULL, backslash
/// escapes for what would end a field or a line.
fn copy_text(table: &Table, rows: &[Vec<Value>]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for row in rows {
        for (i, (c, v)) in table.columns.iter().zip(row).enumerate() {
            if i > 0 {
                out.push(b'\t');
            }
            let text = to_pg_text(v, c.sql_type()).map_err(|why| {
                Error::new(
                    Kind::General,
                    format!(
                        "{}.{}: {why}; the replica keeps its previous copy of the table.",
                        table.name, c.name
                    ),
                )
            })?;
            match text {
                None => out.extend_from_slice(b"\\N"),
                Some(t) => escape_into(&t, &mut out),
            }
        }
        out.push(b'\n');
    }
    Ok(out)
}

fn escape_into(t: &str, out: &mut Vec<u8>) {
    for b in t.bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b => out.push(b),
        }
    }
}

fn column_list(table: &Table) -> String {
    let cols: Vec<String> = table.columns.iter().map(|c| ident(&c.name)).collect();
    cols.join(", ")
}

/// COPY `rows` into `target` inside `tx`.
fn copy_rows(
    tx: &mut postgres::Transaction<'_>,
    table: &Table,
    target: &str,
    rows: &[Vec<Value>],
    schema: &str,
) -> Result<()> {
    let data = copy_text(table, rows)?;
    let sql = format!("COPY {target} ({}) FROM STDIN", column_list(table));
    let mut w = tx.copy_in(&sql).map_err(|e| pg_failed(schema, e))?;
    w.write_all(&data).map_err(|e| {
        Error::new(
            Kind::General,
            format!("COPY into the PostgreSQL replica failed: {e}"),
        )
    })?;
    w.finish().map(|_| ()).map_err(|e| pg_failed(schema, e))
}

impl PgStore {
    /// One change inside the batch's transaction.
    fn apply_one(&self, tx: &mut postgres::Transaction<'_>, change: &Change) -> Result<()> {
        let pg = |e| self.failed(e);
        match change {
            Change::Stage { table, rows } => {
                let target = self.table_ref(&stage_name(&table.name));
                copy_rows(tx, table, &target, rows, &self.schema)
            }
            Change::Replace { table, rows } => {
                let target = self.table_ref(&table.name);
                let Some(key) = key_columns(table) else {
                    // No key to replace by: the rows are added (as SQLite's
                    // INSERT OR REPLACE does without a unique index).
                    return copy_rows(tx, table, &target, rows, &self.schema);
                };
                tx.batch_execute(&format!(
                    "CREATE TEMP TABLE _incoming (LIKE {target}) ON COMMIT DROP"
                ))
                .map_err(pg)?;
                copy_rows(tx, table, "_incoming", rows, &self.schema)?;
                let same: Vec<String> = key
                    .iter()
                    .map(|k| format!("t.{c} = i.{c}", c = ident(k)))
                    .collect();
                tx.batch_execute(&format!(
                    "DELETE FROM {target} t USING _incoming i WHERE {};
                     INSERT INTO {target} SELECT * FROM _incoming;
                     DROP TABLE _incoming",
                    same.join(" AND ")
                ))
                .map_err(pg)
            }
            Change::Delete {
                table,
                column,
                values,
            } => {
                let (is_one_of, texts) = one_of(table, column, values)?;
                tx.execute(
                    &format!(
                        "DELETE FROM {} WHERE {is_one_of}",
                        self.table_ref(&table.name)
                    ),
                    &[&texts],
                )
                .map(|_| ())
                .map_err(pg)
            }
            Change::DeleteOrphans {
                table,
                column,
                parent,
                parent_column,
            } => tx
                .execute(
                    &format!(
                        "DELETE FROM {t} c WHERE NOT EXISTS (SELECT 1 FROM {p} p WHERE p.{pc} = c.{cc})",
                        t = self.table_ref(&table.name),
                        p = self.table_ref(&parent.name),
                        pc = ident(parent_column),
                        cc = ident(column)
                    ),
                    &[],
                )
                .map(|_| ())
                .map_err(pg),
        }
    }

    /// Ends one table's full sync inside `tx`: the swap and its key.
    fn swap_in(&self, tx: &mut postgres::Transaction<'_>, table: &Table) -> Result<()> {
        let t = self.table_ref(&table.name);
        let stage = self.table_ref(&stage_name(&table.name));
        // The swap waits for readers in a statement (their transaction holds
        // the table), but not forever: a reader left open fails this table's
        // sync, which keeps the previous copy, rather than hang it.
        tx.batch_execute(&format!(
            "SET LOCAL lock_timeout = '{SWAP_WAIT}'; \
             DROP TABLE IF EXISTS {t}; ALTER TABLE {stage} RENAME TO {}",
            ident(&table.name)
        ))
        .map_err(|e| pg_failed(&self.schema, e))?;
        if let Some(key) = key_columns(table) {
            // UNIQUE, not PRIMARY KEY: a key column may be NULL (a product's
            // location without a variant), and NULLs are distinct, as in
            // the SQLite replica's unique index.
            let cols: Vec<String> = key.iter().map(|k| ident(k)).collect();
            tx.batch_execute(&format!(
                "ALTER TABLE {t} ADD CONSTRAINT {} UNIQUE ({})",
                ident(&format!("_key_{}", table.name)),
                cols.join(", ")
            ))
            .map_err(|e| twice_or_failed(&self.schema, &table.name, e))?;
        }
        Ok(())
    }

    /// The state of a table just swapped in, inside `tx`: its row count,
    /// and `last_full_sync` and the high water only while its generation
    /// is still `since`. Written after every swap of the transaction, so
    /// that the state row is held (from a write marking it stale) only
    /// until the commit that follows at once.
    fn full_state(
        &self,
        tx: &mut postgres::Transaction<'_>,
        table: &Table,
        since: Generation,
    ) -> Result<()> {
        let t = self.table_ref(&table.name);
        let high_water = highest_key(table, &t);
        tx.execute(
            &format!(
                "INSERT INTO {s}.{META} AS m (table_name, row_count, last_full_sync, high_water)
                 VALUES ($1, (SELECT count(*) FROM {t}), now(), {high_water})
                 ON CONFLICT (table_name) DO UPDATE SET row_count = excluded.row_count,
                    last_full_sync = CASE WHEN m.dirty = $2 THEN excluded.last_full_sync END,
                    high_water = CASE WHEN m.dirty = $2 THEN excluded.high_water END",
                s = ident(&self.schema)
            ),
            &[&table.name, &since],
        )
        .map(|_| ())
        .map_err(|e| pg_failed(&self.schema, e))
    }
}

/// `"column" = ANY(...)` and its parameter: `values` as the column's
/// PostgreSQL text (a value it could not hold is an error).
fn one_of(table: &Table, column: &str, values: &[Value]) -> Result<(String, Vec<String>)> {
    let ty = table
        .columns
        .iter()
        .find(|c| c.name == column)
        .map(|c| c.sql_type())
        .ok_or_else(|| {
            Error::new(
                Kind::General,
                format!("{} has no column {column}", table.name),
            )
        })?;
    // NULL equals nothing: it is left out.
    let texts = values
        .iter()
        .map(|v| to_pg_text(v, ty))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|why| Error::new(Kind::General, why))?
        .into_iter()
        .flatten()
        .collect();
    let sql = format!(
        "{} = ANY(CAST($1::text[] AS {}[]))",
        ident(column),
        pg_type(ty)
    );
    Ok((sql, texts))
}

impl Store for PgStore {
    fn describe(&self) -> String {
        format!("PostgreSQL schema {}", ident(&self.schema))
    }

    fn has_table(&self, table: &str) -> Result<bool> {
        has_table(&mut self.client.borrow_mut(), &self.schema, table)
    }

    fn begin_full(&mut self, table: &Table) -> Result<()> {
        let stage = self.table_ref(&stage_name(&table.name));
        self.client
            .borrow_mut()
            .batch_execute(&format!(
                "DROP TABLE IF EXISTS {stage}; {}",
                create_sql(table, &stage)
            ))
            .map_err(|e| self.failed(e))
    }

    fn apply(&mut self, changes: &[Change]) -> Result<()> {
        let mut client = self.client.borrow_mut();
        let mut tx = client
            .transaction()
            .map_err(|e| pg_failed(&self.schema, e))?;
        for change in changes {
            self.apply_one(&mut tx, change)?;
        }
        tx.commit().map_err(|e| pg_failed(&self.schema, e))
    }

    fn finish_full(&mut self, tables: &[(&Table, Generation)]) -> Result<()> {
        let mut client = self.client.borrow_mut();
        let mut tx = client
            .transaction()
            .map_err(|e| pg_failed(&self.schema, e))?;
        for (table, _) in tables {
            self.swap_in(&mut tx, table)?;
        }
        for (table, since) in tables {
            self.full_state(&mut tx, table, *since)?;
        }
        tx.commit().map_err(|e| pg_failed(&self.schema, e))
    }

    fn rows_by_key(
        &self,
        table: &Table,
        column: &str,
        values: &[Value],
    ) -> Result<Vec<Vec<Value>>> {
        let (is_one_of, texts) = one_of(table, column, values)?;
        let cols: Vec<String> = table
            .columns
            .iter()
            .map(|c| format!("{}::text", select_expr(&ident(&c.name), c.sql_type())))
            .collect();
        let sql = format!(
            "SELECT {} FROM {} WHERE {is_one_of}",
            cols.join(", "),
            self.table_ref(&table.name)
        );
        let rows = self
            .client
            .borrow_mut()
            .query(&sql, &[&texts])
            .map_err(|e| self.failed(e))?;
        rows.iter()
            .map(|r| {
                table
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| Ok(from_pg_text(r.try_get(i)?, c.sql_type())))
                    .collect::<std::result::Result<Vec<_>, postgres::Error>>()
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| self.failed(e))
    }

    fn high_water(&self, table: &Table) -> Result<Option<i64>> {
        if !self.has_table(&table.name)? || self.declared(&table.name)? != declared_columns(table) {
            return Ok(None);
        }
        let rows = self
            .client
            .borrow_mut()
            .query(
                &format!(
                    "SELECT high_water FROM {}.{META} WHERE table_name = $1",
                    ident(&self.schema)
                ),
                &[&table.name],
            )
            .map_err(|e| self.failed(e))?;
        match rows.first() {
            Some(r) => r.try_get(0).map_err(|e| self.failed(e)),
            None => Ok(None),
        }
    }

    fn raise_high_water(&mut self, table: &Table, since: Generation) -> Result<()> {
        if keyset_column(table).is_none() {
            return Ok(());
        }
        let value = highest_key(table, &self.table_ref(&table.name));
        self.set_state(&table.name, "high_water", &value, Some(since))
    }

    fn row_count(&self, table: &str) -> Result<u64> {
        if !self.has_table(table)? {
            return Ok(0);
        }
        let n: i64 = self
            .client
            .borrow_mut()
            .query_one(
                &format!("SELECT count(*) FROM {}", self.table_ref(table)),
                &[],
            )
            .and_then(|r| r.try_get(0))
            .map_err(|e| self.failed(e))?;
        Ok(n as u64)
    }

    fn mark_incremental(&mut self, table: &str, since: Generation) -> Result<()> {
        self.set_state(table, "last_incremental_sync", "now()", Some(since))
    }

    fn record_requests(&mut self, table: &str, kind: SyncKind, requests: u64) -> Result<()> {
        let column = match kind {
            SyncKind::Full => "full_requests",
            SyncKind::Incremental => "incremental_requests",
        };
        let rows = self.row_count(table)?;
        self.set_state(table, column, &(requests as i64).to_string(), None)?;
        self.set_state(table, "row_count", &(rows as i64).to_string(), None)
    }

    fn states(&self) -> Result<Vec<SyncState>> {
        states(&mut self.client.borrow_mut(), &self.schema)
    }

    fn generation(&self, table: &str) -> Result<Generation> {
        self.client
            .borrow_mut()
            .query_one(
                &format!(
                    "SELECT coalesce(max(dirty), 0) FROM {}.{META} WHERE table_name = $1",
                    ident(&self.schema)
                ),
                &[&table],
            )
            .and_then(|r| r.try_get(0))
            .map_err(|e| self.failed(e))
    }

    fn mark_stale(&mut self, table: &str) -> Result<()> {
        // Made without the sync lock too (`reading`), on a state table an
        // older sync may have made.
        add_generation(&mut self.client.borrow_mut(), &self.schema)?;
        // One row, in a transaction of its own: it holds nothing while it
        // waits (no deadlock with a sync), and waits a bounded time.
        let mut client = self.client.borrow_mut();
        let mut tx = client.transaction().map_err(|e| self.failed(e))?;
        tx.batch_execute(&format!("SET LOCAL lock_timeout = '{MARK_WAIT}'"))
            .map_err(|e| self.failed(e))?;
        tx.execute(
            &format!(
                "INSERT INTO {}.{META} AS m (table_name, row_count, dirty) VALUES ($1, 0, 1)
                 ON CONFLICT (table_name) DO UPDATE SET dirty = m.dirty + 1,
                    last_full_sync = NULL, last_incremental_sync = NULL, high_water = NULL",
                ident(&self.schema)
            ),
            &[&table],
        )
        .map_err(|e| self.failed(e))?;
        tx.commit().map_err(|e| self.failed(e))
    }

    fn recount(&mut self, table: &str) -> Result<()> {
        let rows = self.row_count(table)?;
        self.set_state(table, "row_count", &(rows as i64).to_string(), None)
    }
}

/// Whether `schema` holds `table` (a full sync of it completed).
pub fn has_table(client: &mut Client, schema: &str, table: &str) -> Result<bool> {
    client
        .query_one(
            "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = $1 AND tablename = $2",
            &[&schema, &table],
        )
        .and_then(|r| r.try_get::<_, i64>(0))
        .map(|n| n > 0)
        .map_err(|e| pg_failed(schema, e))
}

/// Every table's sync state, ordered by name (bytewise, as SQLite orders
/// them); none when the schema has no state table yet.
pub fn states(client: &mut Client, schema: &str) -> Result<Vec<SyncState>> {
    if !has_table(client, schema, META)? {
        return Ok(Vec::new());
    }
    let when = |c: &str| format!("to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')");
    let rows = client
        .query(
            &format!(
                "SELECT table_name, row_count, {}, {}, full_requests, incremental_requests, high_water
                 FROM {}.{META} m WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_tables p
                    WHERE p.schemaname = $1 AND p.tablename = m.table_name)
                 ORDER BY table_name COLLATE \"C\"",
                when("last_full_sync"),
                when("last_incremental_sync"),
                ident(schema)
            ),
            &[&schema],
        )
        .map_err(|e| pg_failed(schema, e))?;
    rows.iter()
        .map(|r| {
            Ok(SyncState {
                table_name: r.try_get(0)?,
                row_count: r.try_get(1)?,
                last_full_sync: r.try_get(2)?,
                last_incremental_sync: r.try_get(3)?,
                full_requests: r.try_get(4)?,
                incremental_requests: r.try_get(5)?,
                high_water: r.try_get(6)?,
            })
        })
        .collect::<std::result::Result<Vec<_>, postgres::Error>>()
        .map_err(|e| pg_failed(schema, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_is_the_login_else_the_host() {
        assert_eq!(
            schema_name(Some("my-store"), "https://api.jumpseller.com/v1").unwrap(),
            "my-store"
        );
        assert_eq!(
            schema_name(None, "http://127.0.0.1:8080/v1").unwrap(),
            "127.0.0.1:8080"
        );
        assert!(schema_name(Some(&"x".repeat(64)), "u").is_err());
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn a_value_a_column_cannot_hold_names_the_column() {
        let profile = crate::schema::Profile::load(None).unwrap();
        let orders = profile.table("Orders").unwrap();
        let row: Vec<Value> = orders
            .columns
            .iter()
            .map(|c| match c.name.as_str() {
                "total" => Value::Real(1.234_567_89),
                _ => Value::Null,
            })
            .collect();
        let e = copy_text(orders, &[row]).unwrap_err();
        assert!(
            e.message.contains("Orders.total") && e.message.contains("1.23456789"),
            "{}",
            e.message
        );
        let nulls: Vec<Value> = orders.columns.iter().map(|_| Value::Null).collect();
        let text = copy_text(orders, &[nulls]).unwrap();
        assert_eq!(
            text.iter().filter(|&&b| b == b'\t').count() + 1,
            orders.columns.len()
        );
    }

    #[test]
    fn copy_text_escapes_what_ends_a_field() {
        let mut out = Vec::new();
        escape_into("a\tb\\c\nd\re", &mut out);
        assert_eq!(out, b"a\\tb\\\\c\\nd\\re");
    }
}

//! The replica as an SQLite file (`CacheLocation`): the `Store` a sync
//! writes and `CacheStatus` reads. The file is in WAL mode, so a reader
//! (an Offline connection attaches it read-only) keeps the last committed
//! state while a batch is written.

use super::layout::{self, quoted, META};
use super::store::{keyset_column, Change, Generation, Store, SyncKind, SyncState};
use super::{failed, now_unix, sql_time};
use crate::engine::Value;
use crate::error::{Error, Kind, Result};
use crate::schema::Table;
use rusqlite::types::{ToSql, ToSqlOutput};
use rusqlite::{Connection, OpenFlags, Transaction};
use std::path::{Path, PathBuf};

/// The replica file, open for writing (syncs) or reading (status).
pub struct SqliteStore {
    path: PathBuf,
    conn: Connection,
}

impl SqliteStore {
    /// Opens (creating when absent) the replica for a sync.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| failed(path, e))?;
        // WAL: readers keep reading the last committed state while a batch
        // is written. A busy timeout lets a reader's checkpoint pass.
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(|e| failed(path, e))?;
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
            .map_err(|e| failed(path, e))?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| failed(path, e))?;
        conn.create_collation(
            crate::engine::collation::INSTANT,
            crate::engine::collation::compare_instants,
        )
        .map_err(|e| failed(path, e))?;
        conn.execute_batch(layout::META_DDL)
            .map_err(|e| failed(path, e))?;
        let store = SqliteStore {
            path: path.to_path_buf(),
            conn,
        };
        if !store
            .declared(META)?
            .iter()
            .any(|(name, _)| name == "dirty")
        {
            store.exec(layout::META_DIRTY, [])?;
        }
        Ok(store)
    }

    /// Opens an existing replica read-only (CacheStatus).
    pub fn open_read_only(path: &Path) -> Result<SqliteStore> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| failed(path, e))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| failed(path, e))?;
        Ok(SqliteStore {
            path: path.to_path_buf(),
            conn,
        })
    }

    /// The columns (name, declared type) the table has in the file.
    fn declared(&self, table: &str) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, type FROM pragma_table_info(?1) ORDER BY cid")
            .map_err(|e| self.fail(e))?;
        let found = stmt
            .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.fail(e))?;
        found
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.fail(e))
    }

    fn fail(&self, e: rusqlite::Error) -> Error {
        failed(&self.path, e)
    }

    fn exec(&self, sql: &str, params: impl rusqlite::Params) -> Result<()> {
        self.conn
            .execute(sql, params)
            .map(|_| ())
            .map_err(|e| self.fail(e))
    }
}

impl Store for SqliteStore {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn has_table(&self, name: &str) -> Result<bool> {
        self.conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                [name],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)
            .map_err(|e| self.fail(e))
    }

    fn begin_full(&mut self, table: &Table) -> Result<()> {
        let stage = layout::stage_name(&table.name);
        self.conn
            .execute_batch(&format!(
                "DROP TABLE IF EXISTS {q}; {create}",
                q = quoted(&stage),
                create = layout::create_sql(table, &stage)
            ))
            .map_err(|e| self.fail(e))
    }

    fn apply(&mut self, changes: &[Change]) -> Result<()> {
        for change in changes {
            if let Change::Stage { table, rows } | Change::Replace { table, rows } = change {
                super::affinity::check(table, rows)?;
            }
        }
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| failed(&path, e))?;
        for change in changes {
            apply_one(&tx, change).map_err(|e| failed(&path, e))?;
        }
        tx.commit().map_err(|e| failed(&path, e))
    }

    fn finish_full(&mut self, tables: &[(&Table, Generation)]) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| failed(&path, e))?;
        for (table, since) in tables {
            swap_in(&tx, table, *since).map_err(|e| match e {
                Swap::Sql(e) => failed(&path, e),
                Swap::Duplicate(e) => e,
            })?;
        }
        tx.commit().map_err(|e| failed(&path, e))
    }

    fn rows_by_key(
        &self,
        table: &Table,
        column: &str,
        values: &[Value],
    ) -> Result<Vec<Vec<Value>>> {
        let sql = format!(
            "SELECT * FROM {} WHERE {} = ?1",
            quoted(&table.name),
            quoted(column)
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.fail(e))?;
        let mut out = Vec::new();
        for v in values {
            let mut rows = stmt.query([Param(v)]).map_err(|e| self.fail(e))?;
            while let Some(r) = rows.next().map_err(|e| self.fail(e))? {
                let row = (0..table.columns.len())
                    .map(|i| r.get::<_, Value>(i))
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .map_err(|e| self.fail(e))?;
                out.push(row);
            }
        }
        Ok(out)
    }

    fn high_water(&self, table: &Table) -> Result<Option<i64>> {
        if !self.has_table(&table.name)? || self.declared(&table.name)? != layout::columns(table) {
            return Ok(None);
        }
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT high_water FROM {META} WHERE table_name = ?1"
            ))
            .map_err(|e| self.fail(e))?;
        let mut rows = stmt.query([&table.name]).map_err(|e| self.fail(e))?;
        match rows.next().map_err(|e| self.fail(e))? {
            Some(row) => row.get(0).map_err(|e| self.fail(e)),
            None => Ok(None),
        }
    }

    fn raise_high_water(&mut self, table: &Table, since: Generation) -> Result<()> {
        let Some(k) = keyset_column(table) else {
            return Ok(());
        };
        self.exec(
            &format!(
                "UPDATE {META} SET high_water = (SELECT coalesce(max({}), 0) FROM {}) WHERE table_name = ?1 AND dirty = ?2",
                quoted(k),
                quoted(&table.name)
            ),
            rusqlite::params![table.name, since],
        )
    }

    fn row_count(&self, table: &str) -> Result<u64> {
        if !self.has_table(table)? {
            return Ok(0);
        }
        self.conn
            .query_row(
                &format!("SELECT count(*) FROM {}", quoted(table)),
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
            .map_err(|e| self.fail(e))
    }

    fn mark_incremental(&mut self, table: &str, since: Generation) -> Result<()> {
        self.exec(
            &format!(
                "UPDATE {META} SET last_incremental_sync = ?2 WHERE table_name = ?1 AND dirty = ?3"
            ),
            rusqlite::params![table, sql_time(now_unix()), since],
        )
    }

    fn record_requests(&mut self, table: &str, kind: SyncKind, requests: u64) -> Result<()> {
        let column = match kind {
            SyncKind::Full => "full_requests",
            SyncKind::Incremental => "incremental_requests",
        };
        let rows = self.row_count(table)?;
        self.exec(
            &format!("UPDATE {META} SET {column} = ?2, row_count = ?3 WHERE table_name = ?1"),
            rusqlite::params![table, requests as i64, rows as i64],
        )
    }

    fn states(&self) -> Result<Vec<SyncState>> {
        if !self.has_table(META)? {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT table_name, row_count, last_full_sync, last_incremental_sync,
                        full_requests, incremental_requests, high_water
                 FROM {META} WHERE table_name IN
                    (SELECT name FROM sqlite_schema WHERE type = 'table')
                 ORDER BY table_name"
            ))
            .map_err(|e| self.fail(e))?;
        let found = stmt
            .query_map([], |r| {
                Ok(SyncState {
                    table_name: r.get(0)?,
                    row_count: r.get(1)?,
                    last_full_sync: r.get(2)?,
                    last_incremental_sync: r.get(3)?,
                    full_requests: r.get(4)?,
                    incremental_requests: r.get(5)?,
                    high_water: r.get(6)?,
                })
            })
            .map_err(|e| self.fail(e))?;
        found
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.fail(e))
    }

    fn generation(&self, table: &str) -> Result<Generation> {
        self.conn
            .query_row(
                &format!("SELECT coalesce(max(dirty), 0) FROM {META} WHERE table_name = ?1"),
                [table],
                |r| r.get(0),
            )
            .map_err(|e| self.fail(e))
    }

    fn mark_stale(&mut self, table: &str) -> Result<()> {
        // One statement: WAL lets it commit between a sync's batches; the
        // busy timeout bounds its wait for one.
        self.exec(
            &format!(
                "INSERT INTO {META}(table_name, row_count, dirty) VALUES (?1, 0, 1)
                 ON CONFLICT(table_name) DO UPDATE SET dirty = dirty + 1,
                    last_full_sync = NULL, last_incremental_sync = NULL, high_water = NULL"
            ),
            [table],
        )
    }

    fn recount(&mut self, table: &str) -> Result<()> {
        let rows = self.row_count(table)?;
        self.exec(
            &format!("UPDATE {META} SET row_count = ?2 WHERE table_name = ?1"),
            rusqlite::params![table, rows as i64],
        )
    }
}

enum Swap {
    Sql(rusqlite::Error),
    Duplicate(Error),
}

impl From<rusqlite::Error> for Swap {
    fn from(e: rusqlite::Error) -> Swap {
        Swap::Sql(e)
    }
}

/// Inside the caller's transaction: the staging copy of `table` becomes
/// the table, with its key index and its state (fresh only if its
/// generation is still `since`).
fn swap_in(tx: &Transaction, table: &Table, since: Generation) -> std::result::Result<(), Swap> {
    tx.execute_batch(&format!(
        "DROP TABLE IF EXISTS {t}; ALTER TABLE {s} RENAME TO {t};",
        t = quoted(&table.name),
        s = quoted(&layout::stage_name(&table.name))
    ))?;
    if let Some(index) = layout::key_index_sql(table) {
        tx.execute_batch(&index).map_err(|e| {
            Swap::Duplicate(Error::new(
                Kind::General,
                format!("The API listed a row of {} twice under one key; the replica keeps its previous copy: {e}", table.name),
            ))
        })?;
    }
    let high_water: Option<i64> = match keyset_column(table) {
        Some(k) => tx.query_row(
            &format!("SELECT max({}) FROM {}", quoted(k), quoted(&table.name)),
            [],
            |r| r.get(0),
        )?,
        None => None,
    };
    tx.execute(
        &format!(
            "INSERT INTO {META}(table_name, row_count, last_full_sync, high_water)
             VALUES (?1, (SELECT count(*) FROM {t}), ?2, ?3)
             ON CONFLICT(table_name) DO UPDATE SET row_count = excluded.row_count,
                last_full_sync = CASE WHEN dirty = ?4 THEN ?2 END,
                high_water = CASE WHEN dirty = ?4 THEN ?3 END",
            t = quoted(&table.name)
        ),
        rusqlite::params![
            table.name,
            sql_time(now_unix()),
            high_water.unwrap_or(0),
            since
        ],
    )?;
    Ok(())
}

/// One change inside the caller's transaction.
fn apply_one(tx: &Transaction, change: &Change) -> rusqlite::Result<()> {
    match change {
        Change::Stage { table, rows } => {
            let sql = insert_sql("INSERT", &layout::stage_name(&table.name), table);
            insert_rows(tx, &sql, rows)
        }
        Change::Replace { table, rows } => {
            let sql = insert_sql("INSERT OR REPLACE", &table.name, table);
            insert_rows(tx, &sql, rows)
        }
        Change::Delete {
            table,
            column,
            values,
        } => {
            let sql = format!(
                "DELETE FROM {} WHERE {} = ?1",
                quoted(&table.name),
                quoted(column)
            );
            let mut stmt = tx.prepare_cached(&sql)?;
            for v in values.iter() {
                stmt.execute([Param(v)])?;
            }
            Ok(())
        }
        Change::DeleteOrphans {
            table,
            column,
            parent,
            parent_column,
        } => tx
            .execute(
                &format!(
                    "DELETE FROM {t} WHERE NOT EXISTS (SELECT 1 FROM {p} WHERE {p}.{pc} = {t}.{c})",
                    t = quoted(&table.name),
                    c = quoted(column),
                    p = quoted(&parent.name),
                    pc = quoted(parent_column)
                ),
                [],
            )
            .map(|_| ()),
    }
}

fn insert_sql(verb: &str, target: &str, table: &Table) -> String {
    let markers = vec!["?"; table.columns.len()].join(", ");
    format!("{verb} INTO {} VALUES ({markers})", quoted(target))
}

fn insert_rows(tx: &Transaction, sql: &str, rows: &[Vec<Value>]) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare_cached(sql)?;
    for row in rows {
        stmt.execute(rusqlite::params_from_iter(row.iter().map(Param)))?;
    }
    Ok(())
}

/// A Value bound as itself.
struct Param<'a>(&'a Value);

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(self.0.as_sqlite()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Profile;

    fn row(table: &Table, id: i64) -> Vec<Value> {
        table
            .columns
            .iter()
            .map(|c| match c.name.as_str() {
                "id" => Value::Int(id),
                _ => Value::Null,
            })
            .collect()
    }

    #[test]
    fn a_table_exists_once_its_full_sync_finished_and_changes_apply_by_key() {
        let profile = Profile::load(None).unwrap();
        let orders = profile.table("Orders").unwrap();
        let mut store = SqliteStore::open(Path::new(":memory:")).unwrap();
        store.begin_full(orders).unwrap();
        let rows = vec![row(orders, 1), row(orders, 2), row(orders, 3)];
        store
            .apply(&[Change::Stage {
                table: orders,
                rows: &rows,
            }])
            .unwrap();
        assert!(!store.has_table("Orders").unwrap(), "staged only");
        assert_eq!(store.high_water(orders).unwrap(), None);
        store.finish_full(&[(orders, 0)]).unwrap();
        assert_eq!(store.row_count("Orders").unwrap(), 3);
        assert_eq!(store.high_water(orders).unwrap(), Some(3));
        let newer = vec![row(orders, 3), row(orders, 7)];
        store
            .apply(&[
                Change::Replace {
                    table: orders,
                    rows: &newer,
                },
                Change::Delete {
                    table: orders,
                    column: "id",
                    values: &[Value::Int(1)],
                },
            ])
            .unwrap();
        assert_eq!(store.row_count("Orders").unwrap(), 3, "2, 3 and 7");
        store.raise_high_water(orders, 0).unwrap();
        store
            .record_requests("Orders", SyncKind::Incremental, 4)
            .unwrap();
        let states = store.states().unwrap();
        assert_eq!(states.len(), 1);
        assert_eq!(states[0].high_water, Some(7));
        assert_eq!(states[0].row_count, Some(3));
        assert_eq!(states[0].incremental_requests, Some(4));
        assert!(states[0].last_full_sync.is_some());
    }

    #[test]
    fn two_rows_under_one_key_keep_the_previous_copy() {
        let profile = Profile::load(None).unwrap();
        let orders = profile.table("Orders").unwrap();
        let mut store = SqliteStore::open(Path::new(":memory:")).unwrap();
        store.begin_full(orders).unwrap();
        let rows = vec![row(orders, 1), row(orders, 1)];
        store
            .apply(&[Change::Stage {
                table: orders,
                rows: &rows,
            }])
            .unwrap();
        let e = store.finish_full(&[(orders, 0)]).unwrap_err();
        assert!(e.message.contains("twice"), "{}", e.message);
        assert!(!store.has_table("Orders").unwrap());
    }

    #[test]
    fn an_amount_sqlite_would_round_is_refused_not_stored() {
        let profile = Profile::load(None).unwrap();
        let orders = profile.table("Orders").unwrap();
        let total = orders
            .columns
            .iter()
            .position(|c| c.name == "total")
            .unwrap();
        let mut store = SqliteStore::open(Path::new(":memory:")).unwrap();
        store.begin_full(orders).unwrap();
        let mut long = row(orders, 1);
        long[total] = Value::Text("12345678901234567.25".into());
        let e = store
            .apply(&[Change::Stage {
                table: orders,
                rows: &[row(orders, 2), long],
            }])
            .unwrap_err();
        assert!(
            e.message.contains("Orders.total") && e.message.contains("12345678901234567.25"),
            "{}",
            e.message
        );
        // Nothing of the batch was written.
        store.finish_full(&[(orders, 0)]).unwrap();
        assert_eq!(store.row_count("Orders").unwrap(), 0);
    }

    #[test]
    fn a_copy_made_with_other_columns_is_synced_whole_again() {
        let profile = Profile::load(None).unwrap();
        let orders = profile.table("Orders").unwrap();
        let mut store = SqliteStore::open(Path::new(":memory:")).unwrap();
        store.begin_full(orders).unwrap();
        store.finish_full(&[(orders, 0)]).unwrap();
        assert_eq!(store.high_water(orders).unwrap(), Some(0));
        // As the first replicas declared money (BLOB affinity).
        store
            .conn
            .execute_batch(r#"ALTER TABLE "Orders" RENAME COLUMN total TO total_old; ALTER TABLE "Orders" ADD COLUMN total DECIMAL BLOB(19,4)"#)
            .unwrap();
        assert_eq!(store.high_water(orders).unwrap(), None);
    }

    #[test]
    fn a_state_table_made_before_the_write_generation_gains_it() {
        let path = std::env::temp_dir().join(format!("jsodbc-old-state-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let old = Connection::open(&path).unwrap();
        old.execute_batch(
            "CREATE TABLE _replica_sync(table_name TEXT PRIMARY KEY, row_count INTEGER NOT NULL,
                last_full_sync TEXT, last_incremental_sync TEXT, full_requests INTEGER,
                incremental_requests INTEGER, high_water INTEGER);
             CREATE TABLE Categories(id BIGINT);
             INSERT INTO _replica_sync VALUES ('Categories', 0, '2026-01-01 00:00:00', NULL, 1, NULL, 0);",
        )
        .unwrap();
        drop(old);
        let mut store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.generation("Categories").unwrap(), 0);
        assert_eq!(store.states().unwrap()[0].full_requests, Some(1));
        store.mark_stale("Categories").unwrap();
        assert_eq!(store.generation("Categories").unwrap(), 1);
        assert_eq!(store.states().unwrap()[0].last_full_sync, None);
        drop(store);
        // Opened again, nothing is added twice.
        assert_eq!(
            SqliteStore::open(&path)
                .unwrap()
                .generation("Categories")
                .unwrap(),
            1
        );
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn a_sync_cannot_make_fresh_a_table_marked_stale_since_it_began() {
        let profile = Profile::load(None).unwrap();
        let orders = profile.table("Orders").unwrap();
        let mut store = SqliteStore::open(Path::new(":memory:")).unwrap();
        // Never synced: a mark makes a state that lists nothing yet.
        let since = store.generation("Orders").unwrap();
        store.mark_stale("Orders").unwrap();
        assert!(store.states().unwrap().is_empty());
        store.begin_full(orders).unwrap();
        store.finish_full(&[(orders, since)]).unwrap();
        let state = &store.states().unwrap()[0];
        assert_eq!(
            (state.last_full_sync.as_deref(), state.high_water),
            (None, None)
        );
        assert_eq!(
            store.high_water(orders).unwrap(),
            None,
            "read whole next time"
        );
        // A sync that began after the mark makes it fresh.
        let since = store.generation("Orders").unwrap();
        store.begin_full(orders).unwrap();
        store.finish_full(&[(orders, since)]).unwrap();
        assert!(store.states().unwrap()[0].last_full_sync.is_some());
        // An incremental sync's state writes are refused the same way.
        store.mark_stale("Orders").unwrap();
        store.raise_high_water(orders, since).unwrap();
        store.mark_incremental("Orders", since).unwrap();
        let state = &store.states().unwrap()[0];
        assert_eq!(state.last_incremental_sync.as_deref(), None);
        assert_eq!(state.high_water, None);
    }
}

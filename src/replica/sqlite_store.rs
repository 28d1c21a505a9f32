//! The replica as an SQLite file (`CacheLocation`): the `Store` a sync
//! writes and `CacheStatus` reads. The file is in WAL mode, so a reader
//! (an Offline connection attaches it read-only) keeps the last committed
//! state while a batch is written.

use super::layout::{self, quoted, META};
use super::store::{keyset_column, Change, Store, SyncKind, SyncState};
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
        Ok(SqliteStore {
            path: path.to_path_buf(),
            conn,
        })
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

    fn finish_full(&mut self, tables: &[&Table]) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| failed(&path, e))?;
        for table in tables {
            swap_in(&tx, table).map_err(|e| match e {
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

    fn raise_high_water(&mut self, table: &Table) -> Result<()> {
        let Some(k) = keyset_column(table) else {
            return Ok(());
        };
        self.exec(
            &format!(
                "UPDATE {META} SET high_water = (SELECT coalesce(max({}), 0) FROM {}) WHERE table_name = ?1",
                quoted(k),
                quoted(&table.name)
            ),
            [&table.name],
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

    fn mark_incremental(&mut self, table: &str) -> Result<()> {
        self.exec(
            &format!("UPDATE {META} SET last_incremental_sync = ?2 WHERE table_name = ?1"),
            rusqlite::params![table, sql_time(now_unix())],
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
                 FROM {META} ORDER BY table_name"
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
/// the table, with its key index and its state.
fn swap_in(tx: &Transaction, table: &Table) -> std::result::Result<(), Swap> {
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
                last_full_sync = ?2, high_water = ?3",
            t = quoted(&table.name)
        ),
        rusqlite::params![table.name, sql_time(now_unix()), high_water.unwrap_or(0)],
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
        store.finish_full(&[orders]).unwrap();
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
        store.raise_high_water(orders).unwrap();
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
        let e = store.finish_full(&[orders]).unwrap_err();
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
        store.finish_full(&[orders]).unwrap();
        assert_eq!(store.row_count("Orders").unwrap(), 0);
    }

    #[test]
    fn a_copy_made_with_other_columns_is_synced_whole_again() {
        let profile = Profile::load(None).unwrap();
        let orders = profile.table("Orders").unwrap();
        let mut store = SqliteStore::open(Path::new(":memory:")).unwrap();
        store.begin_full(orders).unwrap();
        store.finish_full(&[orders]).unwrap();
        assert_eq!(store.high_water(orders).unwrap(), Some(0));
        // As the first replicas declared money (BLOB affinity).
        store
            .conn
            .execute_batch(r#"ALTER TABLE "Orders" RENAME COLUMN total TO total_old; ALTER TABLE "Orders" ADD COLUMN total DECIMAL BLOB(19,4)"#)
            .unwrap();
        assert_eq!(store.high_water(orders).unwrap(), None);
    }
}

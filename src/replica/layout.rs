//! The replica file's layout: one table per profile table, with the column
//! names and types the engine's virtual tables declare, and `_replica_sync`,
//! one row of sync state per table (with its write generation, `dirty`). A table exists in the file only once a
//! sync of it has completed, so a reader never mistakes "never synced" for
//! "no rows".

use crate::schema::{SqlType, Table};

/// The per-table sync state.
pub const META: &str = "_replica_sync";

/// Rows of a full sync being written; renamed over the table at its end.
pub fn stage_name(table: &str) -> String {
    format!("_stage_{table}")
}

pub fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub const META_DDL: &str = "CREATE TABLE IF NOT EXISTS _replica_sync(
    table_name TEXT PRIMARY KEY,
    row_count INTEGER NOT NULL,
    last_full_sync TEXT,
    last_incremental_sync TEXT,
    full_requests INTEGER,
    incremental_requests INTEGER,
    high_water INTEGER,
    dirty INTEGER NOT NULL DEFAULT 0
)";

/// A state table made before the write generation (`store::Generation`)
/// gains it: the column `dirty`, 0 in every row.
pub const META_DIRTY: &str =
    "ALTER TABLE _replica_sync ADD COLUMN dirty INTEGER NOT NULL DEFAULT 0";

/// The declaration a replica column gets: the virtual table's
/// (`SqlType::decl`), so that each column has the live column's affinity
/// class and compares the same (`total > '10'` as numbers), except
/// DECIMAL: `DECIMAL REAL(p,s)` has REAL affinity where `DECIMAL(p,s)` has
/// NUMERIC, which would store the REAL 12.0 live hands over as the integer
/// 12 (and `total / 5` would divide as integers). It reads back as the
/// same type (`SqlType::parse`). Values an affinity would change are
/// refused (affinity.rs).
pub fn stored_decl(ty: SqlType) -> String {
    match ty {
        SqlType::Decimal(p, s) => format!("DECIMAL REAL({p},{s})"),
        other => other.decl(),
    }
}

/// Each column's name and declared type, in the table's order: what a
/// replica table made by this layout has (a table made otherwise, by an
/// older layout or profile, is synced whole again).
pub fn columns(table: &Table) -> Vec<(String, String)> {
    table
        .columns
        .iter()
        .map(|c| (c.name.clone(), stored_decl(c.sql_type())))
        .collect()
}

/// `CREATE TABLE name(...)` for a profile table, with the primary key as a
/// unique index when the table has one (upserts and lookups by id).
pub fn create_sql(table: &Table, name: &str) -> String {
    let cols = crate::engine::column_declarations(table, |ty| stored_decl(*ty));
    format!("CREATE TABLE {}({})", quoted(name), cols.join(", "))
}

/// The unique index on the primary key, when the profile declares one
/// whose columns all exist.
pub fn key_index_sql(table: &Table) -> Option<String> {
    let key = &table.primary_key;
    let known = |k: &String| table.columns.iter().any(|c| &c.name == k);
    if key.is_empty() || !key.iter().all(known) {
        return None;
    }
    let cols: Vec<String> = key.iter().map(|k| quoted(k)).collect();
    Some(format!(
        "CREATE UNIQUE INDEX IF NOT EXISTS {} ON {}({})",
        quoted(&format!("_key_{}", table.name)),
        quoted(&table.name),
        cols.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_decimal_reads_back_as_the_declared_type() {
        let t = SqlType::Decimal(19, 4);
        assert_eq!(SqlType::parse(&stored_decl(t), None).unwrap(), t);
        assert_eq!(stored_decl(SqlType::BigInt), "BIGINT");
    }

    /// The declarations have the affinities affinity.rs assumes.
    #[test]
    fn declared_affinities_are_the_ones_checked() {
        use super::super::affinity::{of, Affinity};
        let db = rusqlite::Connection::open_in_memory().unwrap();
        for ty in [
            SqlType::BigInt,
            SqlType::Integer,
            SqlType::SmallInt,
            SqlType::Decimal(12, 2),
            SqlType::Double,
            SqlType::Bit,
            SqlType::Timestamp,
            SqlType::Date,
            SqlType::Time,
            SqlType::WVarchar(20),
            SqlType::WLongVarchar,
        ] {
            db.execute_batch(&format!(
                "DROP TABLE IF EXISTS t; CREATE TABLE t(c {})",
                stored_decl(ty)
            ))
            .unwrap();
            // Each affinity stores '5.0' its own way: INTEGER and NUMERIC
            // as 5, REAL as 5.0, TEXT as the text.
            db.execute("INSERT INTO t VALUES ('5.0')", []).unwrap();
            let stored: String = db
                .query_row("SELECT typeof(c) FROM t", [], |r| r.get(0))
                .unwrap();
            let want = match of(ty) {
                Affinity::Integer | Affinity::Numeric => "integer",
                Affinity::Real => "real",
                Affinity::Text => "text",
            };
            assert_eq!(stored, want, "{ty:?}");
        }
    }
}

//! The replica file's layout: one table per profile table, with the column
//! names and types the engine's virtual tables declare, and `_replica_sync`,
//! one row of sync state per table. A table exists in the file only once a
//! sync of it has completed, so a reader never mistakes "never synced" for
//! "no rows".

use crate::engine::collation::INSTANT;
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
    high_water INTEGER
)";

/// The declaration a replica column gets. The same as the virtual table's
/// (`SqlType::decl`), except DECIMAL: with SQLite's NUMERIC affinity a
/// stored 12.0 would come back as the integer 12 (and `total / 5` would
/// divide as integers) and a long amount kept as text would be rounded.
/// `DECIMAL BLOB(p,s)` reads back as the same type (`SqlType::parse`)
/// while its BLOB affinity stores each value exactly as the API gave it.
pub fn stored_decl(ty: SqlType) -> String {
    match ty {
        SqlType::Decimal(p, s) => format!("DECIMAL BLOB({p},{s})"),
        other => other.decl(),
    }
}

/// `CREATE TABLE name(...)` for a profile table, with the primary key as a
/// unique index when the table has one (upserts and lookups by id).
pub fn create_sql(table: &Table, name: &str) -> String {
    let cols: Vec<String> = table
        .columns
        .iter()
        .map(|c| {
            let ty = c.sql_type();
            let collate = match ty {
                SqlType::Timestamp | SqlType::Date => format!(" COLLATE {INSTANT}"),
                _ => String::new(),
            };
            format!("{} {}{collate}", quoted(&c.name), stored_decl(ty))
        })
        .collect();
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
}

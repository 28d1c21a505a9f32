//! `CacheStatus`: per synced table, its rows, when it was last fully and
//! incrementally synced, the requests each used, and whether it is stale
//! (its last sync older than `CacheTolerance`). A fixed table, read from
//! the replica when the connection opens.

use super::store::{Store, SyncState};
use super::{now_unix, SqliteStore};
use crate::engine::additions::FixedTable;
use crate::engine::Value;
use crate::error::Result;
use crate::schema::SqlType;
use crate::timefmt::parse_timestamp;
use std::path::Path;

pub const NAME: &str = "CacheStatus";

fn columns() -> Vec<(String, SqlType)> {
    [
        ("table_name", SqlType::WVarchar(255)),
        ("rows", SqlType::BigInt),
        ("last_full_sync", SqlType::Timestamp),
        ("last_incremental_sync", SqlType::Timestamp),
        ("full_sync_requests", SqlType::BigInt),
        ("incremental_sync_requests", SqlType::BigInt),
        ("high_water_id", SqlType::BigInt),
        ("stale", SqlType::Bit),
    ]
    .into_iter()
    .map(|(n, t)| (n.to_string(), t))
    .collect()
}

/// The table as of now; empty when there is no replica (or none yet).
pub fn table(location: Option<&Path>, tolerance_secs: u64) -> Result<FixedTable> {
    let rows = match location.filter(|p| p.is_file()) {
        Some(path) => rows(path, tolerance_secs)?,
        None => Vec::new(),
    };
    Ok(fixed(rows))
}

/// The table from a store's states (the PostgreSQL replica's).
pub fn table_of(states: &[SyncState], tolerance_secs: u64) -> FixedTable {
    fixed(rows_of(states, now_unix(), tolerance_secs))
}

fn fixed(rows: Vec<Vec<Value>>) -> FixedTable {
    FixedTable {
        name: NAME.into(),
        remarks: "The local replica (CacheLocation or CacheConnection): each synced table's rows, last syncs, requests used, and whether it is older than CacheTolerance.".into(),
        columns: columns(),
        rows,
    }
}

fn rows(path: &Path, tolerance_secs: u64) -> Result<Vec<Vec<Value>>> {
    let store = SqliteStore::open_read_only(path)?;
    Ok(rows_of(&store.states()?, now_unix(), tolerance_secs))
}

/// The table's rows from the states a store keeps; stale when no sync
/// finished within `tolerance_secs` before `now`.
pub fn rows_of(states: &[SyncState], now: i64, tolerance_secs: u64) -> Vec<Vec<Value>> {
    states
        .iter()
        .map(|s| {
            let newest = [&s.last_full_sync, &s.last_incremental_sync]
                .into_iter()
                .flatten()
                .filter_map(|t| parse_timestamp(t))
                .map(|t| t.unix_seconds())
                .max();
            let stale = newest.is_none_or(|t| now - t > tolerance_secs as i64);
            let int = |v: Option<i64>| v.map(Value::Int).unwrap_or(Value::Null);
            let text = |v: &Option<String>| v.clone().map(Value::Text).unwrap_or(Value::Null);
            vec![
                Value::Text(s.table_name.clone()),
                int(s.row_count),
                text(&s.last_full_sync),
                text(&s.last_incremental_sync),
                int(s.full_requests),
                int(s.incremental_requests),
                int(s.high_water),
                Value::Int(stale as i64),
            ]
        })
        .collect()
}

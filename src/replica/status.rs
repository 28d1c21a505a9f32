//! `CacheStatus`: per synced table, its rows, when it was last fully and
//! incrementally synced, the requests each used, and whether it is stale
//! (its last sync older than `CacheTolerance`). A fixed table, read from
//! the replica when the connection opens.

use super::layout::META;
use super::{failed, now_unix, Replica};
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
    Ok(FixedTable {
        name: NAME.into(),
        remarks: "The local replica (CacheLocation): each synced table's rows, last syncs, requests used, and whether it is older than CacheTolerance.".into(),
        columns: columns(),
        rows,
    })
}

fn rows(path: &Path, tolerance_secs: u64) -> Result<Vec<Vec<Value>>> {
    let replica = Replica::open_read_only(path)?;
    let has_meta = replica.has_table(META)?;
    if !has_meta {
        return Ok(Vec::new());
    }
    let mut stmt = replica
        .conn
        .prepare(&format!(
            "SELECT table_name, row_count, last_full_sync, last_incremental_sync, full_requests, incremental_requests, high_water
             FROM {META} ORDER BY table_name"
        ))
        .map_err(|e| failed(path, e))?;
    let now = now_unix();
    let found = stmt
        .query_map([], |r| {
            let text = |i: usize| r.get::<_, Option<String>>(i);
            let int = |i: usize| r.get::<_, Option<i64>>(i);
            let full = text(2)?;
            let incremental = text(3)?;
            let newest = [&full, &incremental]
                .into_iter()
                .flatten()
                .filter_map(|t| parse_timestamp(t))
                .map(|t| t.unix_seconds())
                .max();
            let stale = newest.is_none_or(|t| now - t > tolerance_secs as i64);
            let opt_int = |v: Option<i64>| v.map(Value::Int).unwrap_or(Value::Null);
            let opt_text = |v: Option<String>| v.map(Value::Text).unwrap_or(Value::Null);
            Ok(vec![
                Value::Text(r.get(0)?),
                opt_int(int(1)?),
                opt_text(full),
                opt_text(incremental),
                opt_int(int(4)?),
                opt_int(int(5)?),
                opt_int(int(6)?),
                Value::Int(stale as i64),
            ])
        })
        .map_err(|e| failed(path, e))?;
    found
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| failed(path, e))
}

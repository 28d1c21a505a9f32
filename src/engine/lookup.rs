//! Keyed lookups that stop being one request each. A nested-loop join asks
//! the inner table for one key per outer row (`Customers.id = ?` for every
//! order, `Orders.customer_id = ?` for every customer): N requests. Within
//! one statement, once the lookups reach half the pages a full read of the
//! table would take (and at least three), the table is read once and later
//! keys are answered from memory. The requests spent stay within about three
//! times the cheaper of the two strategies, without knowing N ahead.

use super::prefetch::Pager;
use super::record::Record;
use super::scope::{page_bytes, Scope};
use super::source::{fetch_count, Fetch, Page};
use super::Ctx;
use crate::error::Result;
use crate::schema::Table;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::sync::Arc;

/// The records of a table by key.
type Index = HashMap<String, Vec<Arc<Record>>>;

/// Lookups are answered by requests until more than this many were made
/// (a query asking for one or two keys never pays for a count).
const MIN_LOOKUPS: u64 = 3;
/// Tables larger than this are never read whole to answer lookups (nor
/// past the statement's memory bound, see `build`).
const MAX_INDEXED_ROWS: u64 = 50_000;

#[derive(Default)]
pub struct LookupState {
    calls: u64,
    index: Option<Arc<Index>>,
    /// The table is too big (or cannot be listed): keep using requests.
    refused: bool,
}

fn key_of(v: &Json) -> Option<String> {
    match v {
        Json::Number(n) => Some(n.to_string()),
        Json::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// The records of `table` whose `key_path` equals each of `keys`, from a
/// statement-wide index; None while answering by requests is cheaper.
pub fn records(
    ctx: &Arc<Ctx>,
    table: &Table,
    key_path: &str,
    keys: &[String],
) -> Result<Option<Page>> {
    let slot = format!("{}:{key_path}", table.name);
    let scope = ctx.scope();
    let index = {
        let mut all = scope.lookups();
        let st = all.entry(slot.clone()).or_default();
        st.calls += keys.len() as u64;
        if st.index.is_none() && !st.refused && st.calls > MIN_LOOKUPS {
            st.refused = table.source.list.is_none()
                || table.source.parent.is_some()
                || table.count.is_none();
        }
        if st.index.is_none() && (st.refused || st.calls <= MIN_LOOKUPS) {
            return Ok(None);
        }
        (st.index.clone(), st.calls)
    };
    let index = match index {
        (Some(ix), _) => ix,
        (None, calls) => {
            let count_path = table.count.as_deref().unwrap_or_default().to_string();
            let total = match ctx.count_of(&count_path) {
                Some(t) => t,
                None => {
                    let t = fetch_count(ctx, &scope, &count_path)?;
                    ctx.remember_count_of(&count_path, t);
                    t
                }
            };
            let pages = total / ctx.pagesize as u64 + 1;
            if total > MAX_INDEXED_ROWS {
                scope.lookups().entry(slot).or_default().refused = true;
                return Ok(None);
            }
            if pages > 2 * calls {
                return Ok(None);
            }
            let Some(ix) = build(ctx, &scope, table, key_path)? else {
                // Past the statement's memory bound: keep using requests.
                scope.lookups().entry(slot).or_default().refused = true;
                return Ok(None);
            };
            let ix = Arc::new(ix);
            scope.lookups().entry(slot).or_default().index = Some(ix.clone());
            ix
        }
    };
    let mut out = Vec::new();
    for k in keys {
        if let Some(rs) = index.get(k) {
            out.extend(rs.iter().cloned());
        }
    }
    Ok(Some(Arc::new(out)))
}

/// The index of `table` by `key_path`, or None once it would hold more than
/// the statement's memory bound (`MemoBytes`): an index is the whole table
/// in memory, and answering by requests costs requests, not memory.
fn build(
    ctx: &Arc<Ctx>,
    scope: &Arc<Scope>,
    table: &Table,
    key_path: &str,
) -> Result<Option<Index>> {
    // Only plain tables are indexed (see `records`), so the count is the
    // table's. A 404 stays an error here, even for `empty_on_404` lists.
    let fetch = Fetch {
        missing_is_empty: false,
        ..Fetch::table_list(table)
    };
    let mut pager = Pager::new(fetch, scope.clone(), ctx.pagesize, ctx.prefetch, None);
    let mut map: Index = HashMap::new();
    let mut bytes = 0;
    while let Some(page) = pager.next(ctx)? {
        bytes += page_bytes(&page);
        if bytes > ctx.memo_bytes() {
            return Ok(None);
        }
        for r in page.iter() {
            if let Some(k) = key_of(r.lookup(key_path)) {
                map.entry(k).or_default().push(r.clone());
            }
        }
    }
    Ok(Some(map))
}

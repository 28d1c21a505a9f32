//! Whole-table scans of child tables. A child whose rows sit in an array of
//! each parent object reads the parent's list and explodes it; a child read
//! from a sub-resource of each parent ("fan-out") walks the parent table's
//! rows with a nested cursor — the parent may be a child itself, so a child
//! of a child (municipalities of regions of countries) works the same way —
//! and queues one request per parent row, or per batch of parents.

use super::cursor::{ApiCursor, Explode, RowSource, Sources};
use super::fill::{encode, fill_from_row, resolve_all_placeholders, value_text};
use super::source::Fetch;
use super::Ctx;
use crate::error::{Error, Kind, Result};
use std::collections::VecDeque;
use std::sync::Arc;

/// Most parent keys put into one `{parent*}` request.
const BATCH: usize = 100;

/// Scanning a sub-resource table alone: read the parent table (itself any
/// table, a child too) and queue one sub-resource fetch per parent row, or
/// one per batch of parents when the path takes `{parent*}`.
pub struct FanOut {
    parents: Box<ApiCursor>,
    /// Sub-resource path: `{parent}` (the parent's key), `{column}` (any
    /// column of the parent row), `{parent*}` (the keys of up to 100 parent
    /// rows, comma-separated); `{Table.column*}` is already resolved.
    path: String,
    wrapper: Option<String>,
    parent_key: String,
    paged: bool,
    /// The rows are in an array of each parent row (no request per parent):
    /// each parent row becomes a one-object page to explode.
    rows_in_parent: bool,
}

impl FanOut {
    /// Queues the sources of the next parent row (or batch of rows); false
    /// when the parents are exhausted.
    pub fn queue_next(&mut self, queue: &mut VecDeque<RowSource>) -> Result<bool> {
        if self.parents.is_eof() {
            return Ok(false);
        }
        if self.rows_in_parent {
            let row = Arc::new(self.parents.row_json());
            self.parents.advance()?;
            queue.push_back(RowSource::Ready(Arc::new(vec![row])));
            return Ok(true);
        }
        if self.path.contains("{parent*}") {
            let mut keys = Vec::new();
            while !self.parents.is_eof() && keys.len() < BATCH {
                if let Some(k) = self
                    .parents
                    .value_by_name(&self.parent_key)
                    .and_then(|v| value_text(&v))
                {
                    keys.push(encode(&k));
                }
                self.parents.advance()?;
            }
            if !keys.is_empty() {
                let path = self.path.replace("{parent*}", &keys.join(","));
                queue.push_back(RowSource::Fetch(Fetch {
                    path,
                    wrapper: self.wrapper.clone(),
                    single: false,
                    paged: self.paged,
                    missing_is_empty: true,
                    parent: None,
                    count: None,
                }));
            }
            return Ok(true);
        }
        let parent = Arc::new(self.parents.row_json());
        let path = fill_from_row(&self.path, &self.parents, &self.parent_key);
        self.parents.advance()?;
        if let Some(path) = path {
            queue.push_back(RowSource::Fetch(Fetch {
                path,
                wrapper: self.wrapper.clone(),
                single: false,
                paged: self.paged,
                missing_is_empty: true,
                parent: Some(parent),
                count: None,
            }));
        }
        Ok(true)
    }
}

/// A whole-table scan: the list, the parent's list exploded, or a fan-out
/// over the parent's rows.
pub fn scan(ctx: &Arc<Ctx>, table: usize) -> Result<Sources> {
    let t = &ctx.profile.tables[table];
    let mut sources = Sources::default();
    let Some(ps) = &t.source.parent else {
        sources
            .queue
            .push_back(RowSource::Fetch(Fetch::table_list(t)));
        return Ok(sources);
    };
    let pidx = ctx.profile.tables.iter().position(|x| x.name == ps.table);
    let Some(pidx) = pidx else {
        return Err(Error::new(
            Kind::Config,
            format!("Parent table {} is not in the profile.", ps.table),
        ));
    };
    let parent = &ctx.profile.tables[pidx];
    match (&ps.array, &ps.list) {
        (Some(array), _) => {
            sources.explode = Some(Explode {
                array: array.clone(),
                item_wrapper: ps.item_wrapper.clone(),
            });
            if parent.source.list.is_some() && parent.source.parent.is_none() {
                sources
                    .queue
                    .push_back(RowSource::Fetch(Fetch::table_list(parent)));
            } else {
                // The parent is itself read through its parent: walk its rows.
                sources.fanout = Some(FanOut {
                    parents: parent_rows(ctx, pidx)?,
                    path: String::new(),
                    wrapper: None,
                    parent_key: ps.parent_key.clone(),
                    paged: false,
                    rows_in_parent: true,
                });
            }
        }
        (None, Some(path)) => {
            let parents = parent_rows(ctx, pidx)?;
            let path = resolve_all_placeholders(ctx, path)?;
            sources.fanout = Some(FanOut {
                parents,
                path,
                wrapper: ps.wrapper.clone(),
                parent_key: ps.parent_key.clone(),
                paged: ps.paged,
                rows_in_parent: false,
            });
        }
        (None, None) => {
            return Err(Error::new(
                Kind::Config,
                format!(
                    "Table {}: its parent source needs 'array' or 'list'.",
                    t.name
                ),
            ))
        }
    }
    Ok(sources)
}

/// A cursor over every row of another table, positioned on the first.
pub fn parent_rows(ctx: &Arc<Ctx>, table: usize) -> Result<Box<ApiCursor>> {
    let mut c = ApiCursor::new(ctx.clone(), table);
    c.start(scan(ctx, table)?, None)?;
    Ok(Box::new(c))
}

/// Every value of a column of a table (a scan), percent-encoded: what
/// `{Table.column*}` stands for.
pub fn column_values(ctx: &Arc<Ctx>, table: usize, column: &str) -> Result<Vec<String>> {
    let mut c = parent_rows(ctx, table)?;
    let mut vals = Vec::new();
    while !c.is_eof() {
        if let Some(v) = c.value_by_name(column).and_then(|v| value_text(&v)) {
            vals.push(encode(&v));
        }
        c.advance()?;
    }
    Ok(vals)
}

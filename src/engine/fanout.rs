//! Whole-table scans of child tables. A child whose rows sit in an array of
//! each parent object reads the parent's list and explodes it; a child read
//! from a sub-resource of each parent ("fan-out") walks the parent table's
//! rows with a nested cursor — the parent may be a child itself, so a child
//! of a child (municipalities of regions of countries) works the same way —
//! and queues one request per parent row, or per batch of parents.

use super::cursor::{ApiCursor, Explode, RowSource, Sources};
use super::fill::{fill, key_text, Piece, TableValues};
use super::record::Record;
use super::source::Fetch;
use super::Ctx;
use crate::error::{Error, Kind, Result};
use crate::schema::{Segment, Template, MAX_DEPTH};
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
    /// rows, comma-separated), `{Table.column*}` (from `table_values`).
    /// None when the rows are in the parent rows themselves.
    path: Option<Template>,
    /// Every value of each `{Table.column*}`, read when the scan starts.
    table_values: TableValues,
    wrapper: Option<String>,
    parent_key: String,
    paged: bool,
}

impl FanOut {
    /// Queues the sources of the next parent row (or batch of rows); false
    /// when the parents are exhausted.
    pub fn queue_next(&mut self, queue: &mut VecDeque<RowSource>) -> Result<bool> {
        if self.parents.is_eof() {
            return Ok(false);
        }
        let Some(path) = &self.path else {
            // The rows are in an array of each parent row.
            let row = Arc::new(Record::Whole(self.parents.row_json()));
            self.parents.advance()?;
            queue.push_back(RowSource::Ready(Arc::new(vec![row])));
            return Ok(true);
        };
        if path.has(&Segment::ParentBatch) {
            let mut keys = Vec::new();
            while !self.parents.is_eof() && keys.len() < BATCH {
                if let Some(k) = self
                    .parents
                    .value_by_name(&self.parent_key)
                    .and_then(|v| key_text(&v))
                {
                    keys.push(k);
                }
                self.parents.advance()?;
            }
            let path = fill(path, |s| match s {
                Segment::ParentBatch => Some(Piece::List(&keys)),
                Segment::TableColumn { table, column } => self.table_values.piece(table, column),
                _ => None,
            });
            if let (Some(path), false) = (path, keys.is_empty()) {
                queue.push_back(RowSource::Fetch(self.sub_resource(path, None)));
            }
            return Ok(true);
        }
        let parent = Arc::new(self.parents.row_json());
        let row = &self.parents;
        let path = fill(path, |s| {
            match s {
                Segment::Parent => row.value_by_name(&self.parent_key),
                Segment::Column(c) => row.value_by_name(c),
                Segment::TableColumn { table, column } => {
                    return self.table_values.piece(table, column)
                }
                _ => None,
            }
            .and_then(|v| key_text(&v))
            .map(Piece::One)
        });
        self.parents.advance()?;
        if let Some(path) = path {
            queue.push_back(RowSource::Fetch(self.sub_resource(path, Some(parent))));
        }
        Ok(true)
    }

    /// The request for the sub-resource rows of one parent (or a batch).
    fn sub_resource(&self, path: String, parent: Option<Arc<serde_json::Value>>) -> Fetch {
        Fetch {
            path,
            wrapper: self.wrapper.clone(),
            single: false,
            paged: self.paged,
            missing_is_empty: true,
            parent,
            count: None,
            keep: None,
        }
    }
}

/// A whole-table scan: the list, the parent's list exploded, or a fan-out
/// over the parent's rows. `depth` counts the cursors this scan is nested
/// in: the profile's check refuses parents that form a cycle or nest deeper
/// than `MAX_DEPTH`, and this stops a chain that would anyway, with an
/// error rather than a stack overflow.
pub fn scan(ctx: &Arc<Ctx>, table: usize, depth: usize) -> Result<Sources> {
    let t = &ctx.profile.tables[table];
    if depth >= MAX_DEPTH {
        return Err(Error::new(
            Kind::Config,
            format!(
                "Table {} is read through more than {MAX_DEPTH} levels of parent tables.",
                t.name
            ),
        ));
    }
    let mut sources = Sources::default();
    let Some(ps) = &t.source.parent else {
        sources
            .queue
            .push_back(RowSource::Fetch(Fetch::table_list(t)));
        return Ok(sources);
    };
    let parent_index = ctx.profile.tables.iter().position(|x| x.name == ps.table);
    let Some(parent_index) = parent_index else {
        return Err(Error::new(
            Kind::Config,
            format!("Parent table {} is not in the profile.", ps.table),
        ));
    };
    let parent = &ctx.profile.tables[parent_index];
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
                    parents: parent_rows(ctx, parent_index, depth + 1)?,
                    path: None,
                    table_values: TableValues::default(),
                    wrapper: None,
                    parent_key: ps.parent_key.clone(),
                    paged: false,
                });
            }
        }
        (None, Some(path)) => {
            let parents = parent_rows(ctx, parent_index, depth + 1)?;
            let table_values = TableValues::read(ctx, path, depth + 1)?;
            sources.fanout = Some(FanOut {
                parents,
                path: Some(path.clone()),
                table_values,
                wrapper: ps.wrapper.clone(),
                parent_key: ps.parent_key.clone(),
                paged: ps.paged,
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

/// A cursor over every row of another table, positioned on the first;
/// `depth` is its nesting (see `scan`).
fn parent_rows(ctx: &Arc<Ctx>, table: usize, depth: usize) -> Result<Box<ApiCursor>> {
    let mut c = ApiCursor::new(ctx.clone(), table);
    c.start(scan(ctx, table, depth)?, None)?;
    Ok(Box::new(c))
}

/// Every value of a column of a table (a scan at nesting `depth`): what
/// `{Table.column*}` stands for. Empty values name nothing and are left out.
pub fn column_values(
    ctx: &Arc<Ctx>,
    table: usize,
    column: &str,
    depth: usize,
) -> Result<Vec<String>> {
    let mut c = parent_rows(ctx, table, depth)?;
    let mut vals = Vec::new();
    while !c.is_eof() {
        if let Some(v) = c.value_by_name(column).and_then(|v| key_text(&v)) {
            vals.push(v);
        }
        c.advance()?;
    }
    Ok(vals)
}

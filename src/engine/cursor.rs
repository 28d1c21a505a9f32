//! The cursor of one table scan: a queue of row sources (requests, or
//! records already in memory) read page by page, and the walk over a page's
//! objects — one row per object, or one per item of an array of each object
//! ("exploded" child rows). xFilter sets the sources up (`access.rs`); xNext
//! is `advance`.

use super::fanout::FanOut;
use super::prefetch::Pager;
use super::record::{Object, Record};
use super::source::{Fetch, Page};
use super::value::{decode, lookup, with_decoded, Value};
use super::write;
use super::Ctx;
use crate::error::{Error, Result};
use crate::schema::{Column, Table, Template};
use rusqlite::types::ValueRef;
use rusqlite::vtab::sqlite3_vtab_cursor;
use serde_json::Value as Json;
use std::collections::VecDeque;
use std::sync::Arc;

/// A column's value in the current row before its decoding: a field of the
/// object (or of its parent), or the row's place in its parent's array.
enum Field<'a> {
    Json(&'a Json),
    Index(i64),
}

/// How the objects of a page become rows: each object holds the rows in an
/// array (a child table read through its parent's list).
#[derive(Clone)]
pub struct Explode {
    pub array: String,
    pub item_wrapper: Option<String>,
}

/// Where the next rows come from: a request, or records already at hand.
pub enum RowSource {
    Fetch(Fetch),
    /// A keyset route (`/orders/after/{value}.json`) read by id from `after`.
    After {
        fetch: Fetch,
        route: Template,
        after: i64,
    },
    Ready(Page),
}

/// What a cursor reads, as xFilter sets it up.
#[derive(Default)]
pub struct Sources {
    pub queue: VecDeque<RowSource>,
    /// Set when page objects are parents whose array holds the rows.
    pub explode: Option<Explode>,
    /// Set when more sources come from walking a parent table's rows.
    pub fanout: Option<FanOut>,
    /// Count-only plans: this many rows, without content.
    pub empty_rows: Option<u64>,
}

#[repr(C)]
pub struct ApiCursor {
    /// SQLite's part; must come first (the cursor is cast to it).
    base: sqlite3_vtab_cursor,
    ctx: Arc<Ctx>,
    table: usize,
    queue: VecDeque<RowSource>,
    current: Option<Pager>,
    fanout: Option<FanOut>,
    page: Page,
    /// The parent of every object in `page` (sub-resource fetches).
    page_parent: Option<Arc<Json>>,
    explode: Option<Explode>,
    /// Position in `page`.
    record: usize,
    /// Position in the record's child array (exploded rows).
    child: usize,
    emitted: u64,
    limit: Option<u64>,
    /// Count-only plans: rows left to emit without content.
    empty_rows: Option<u64>,
    /// The current row's rowid when it has no id of its own: unique over
    /// the connection, so rows of different xFilter calls (an OR's
    /// branches, which SQLite de-duplicates by rowid) never collide.
    row_id: i64,
    eof: bool,
}

impl ApiCursor {
    pub fn new(ctx: Arc<Ctx>, table: usize) -> ApiCursor {
        ApiCursor {
            base: sqlite3_vtab_cursor::default(),
            ctx,
            table,
            queue: VecDeque::new(),
            current: None,
            fanout: None,
            page: Arc::new(Vec::new()),
            page_parent: None,
            explode: None,
            record: 0,
            child: 0,
            emitted: 0,
            limit: None,
            empty_rows: None,
            row_id: 0,
            eof: true,
        }
    }

    pub fn ctx(&self) -> &Arc<Ctx> {
        &self.ctx
    }

    pub fn table_index(&self) -> usize {
        self.table
    }

    pub fn table(&self) -> &Table {
        &self.ctx.profile.tables[self.table]
    }

    pub fn is_eof(&self) -> bool {
        self.eof
    }

    /// Rows of a count-only plan have no content: every column is NULL.
    pub fn is_count_only(&self) -> bool {
        self.empty_rows.is_some()
    }

    /// Starts a new read of `sources`, stopping after `limit` rows, and
    /// moves to the first row.
    pub fn start(&mut self, sources: Sources, limit: Option<u64>) -> Result<()> {
        self.queue = sources.queue;
        self.explode = sources.explode;
        self.fanout = sources.fanout;
        self.empty_rows = sources.empty_rows;
        self.limit = limit;
        self.current = None;
        self.page_parent = None;
        self.page = Arc::new(Vec::new());
        self.record = 0;
        self.child = 0;
        self.emitted = 0;
        self.eof = false;
        self.advance()
    }

    /// The LIMIT as it bounds pages: only when each object fetched is one
    /// row. Objects that explode into child rows may hold none or many (the
    /// first seven orders may have no promotion at all), so a LIMIT on
    /// child rows says nothing about how many parent pages hold them.
    fn paging_limit(&self) -> Option<u64> {
        match self.explode {
            Some(_) => None,
            None => self.limit,
        }
    }

    fn page_size(&self) -> u32 {
        match self.paging_limit() {
            Some(l) => (l.max(1) as u32).min(self.ctx.pagesize),
            None => self.ctx.pagesize,
        }
    }

    fn children(&self, rec: &Record) -> usize {
        match &self.explode {
            Some(x) => rec
                .lookup(&x.array)
                .as_array()
                .map(|a| a.len())
                .unwrap_or(0),
            None => 1,
        }
    }

    /// Moves to the next row, fetching pages as needed.
    pub fn advance(&mut self) -> Result<()> {
        if let Some(n) = self.empty_rows.as_mut() {
            if *n == 0 {
                self.eof = true;
            } else {
                *n -= 1;
                self.row_id = self.ctx.next_rowid();
            }
            return Ok(());
        }
        if self.limit.is_some_and(|l| self.emitted >= l) {
            self.eof = true;
            return Ok(());
        }
        loop {
            if self.record < self.page.len() {
                if self.explode.is_some() {
                    let rec = self.page[self.record].clone();
                    if self.child < self.children(&rec) {
                        self.child += 1;
                        self.emitted += 1;
                        self.row_id = self.ctx.next_rowid();
                        return Ok(());
                    }
                    self.record += 1;
                    self.child = 0;
                    continue;
                }
                self.record += 1;
                self.emitted += 1;
                self.row_id = self.ctx.next_rowid();
                return Ok(());
            }
            if !self.next_page()? {
                self.eof = true;
                return Ok(());
            }
        }
    }

    /// Loads the next page of objects; false when every source is done.
    fn next_page(&mut self) -> Result<bool> {
        let ctx = self.ctx.clone();
        loop {
            ctx.scope().interrupt.check().map_err(Error::from)?;
            if let Some(pager) = self.current.as_mut() {
                if let Some(page) = pager.next(&ctx)? {
                    self.page_parent = pager.fetch().parent.clone();
                    self.page = page;
                    self.record = 0;
                    self.child = 0;
                    return Ok(true);
                }
                self.current = None;
            }
            match self.queue.pop_front() {
                Some(RowSource::Fetch(f)) => {
                    self.current = Some(Pager::new(
                        f,
                        ctx.scope(),
                        self.page_size(),
                        ctx.prefetch,
                        self.paging_limit(),
                    ));
                    continue;
                }
                Some(RowSource::After {
                    fetch,
                    route,
                    after,
                }) => {
                    self.current = Some(Pager::keyset(
                        fetch,
                        route,
                        after,
                        ctx.scope(),
                        self.page_size(),
                        ctx.prefetch,
                        self.paging_limit(),
                    ));
                    continue;
                }
                Some(RowSource::Ready(page)) => {
                    self.page_parent = None;
                    self.page = page;
                    self.record = 0;
                    self.child = 0;
                    return Ok(true);
                }
                None => {}
            }
            // Sources exhausted: a fan-out may have more parents.
            let Some(fan) = self.fanout.as_mut() else {
                return Ok(false);
            };
            if !fan.queue_next(&mut self.queue)? {
                return Ok(false);
            }
        }
    }

    /// (object, parent, 1-based position) of the current row.
    fn current(&self) -> (Object<'_>, Option<Object<'_>>, usize) {
        match &self.explode {
            None => (
                Object::Record(&self.page[self.record - 1]),
                self.page_parent.as_deref().map(Object::Json),
                self.record,
            ),
            Some(x) => {
                let rec = &self.page[self.record];
                let item = rec
                    .lookup(&x.array)
                    .as_array()
                    .and_then(|a| a.get(self.child - 1))
                    .unwrap_or(&Json::Null);
                let item = match (&x.item_wrapper, item) {
                    (Some(w), Json::Object(m)) if m.contains_key(w.as_str()) => &m[w.as_str()],
                    (_, i) => i,
                };
                (Object::Json(item), Some(Object::Record(rec)), self.child)
            }
        }
    }

    /// The current row as an object for its children's `$parent.` paths:
    /// the API object, plus each column by name where the object lacks it
    /// (keys that came from the row's own parent, flattened fields).
    pub fn row_json(&self) -> Json {
        let (obj, _, _) = self.current();
        let mut m = obj.to_map();
        for c in &self.table().columns {
            if !m.contains_key(&c.name) {
                m.insert(c.name.clone(), self.value(c).to_json());
            }
        }
        Json::Object(m)
    }

    /// The current row's value of a column.
    pub fn value(&self, col: &Column) -> Value {
        match self.field(col) {
            Field::Json(json) => decode(json, col.sql_type()),
            Field::Index(i) => Value::Int(i),
        }
    }

    /// `value` of column `i` handed to `f` as SQLite's, borrowed where it
    /// can be (xColumn). A kept object's read column was decoded with the
    /// page and is found by the column's slot (see `Keep::with_columns`).
    pub fn with_value<R>(&self, i: usize, col: &Column, f: impl FnOnce(ValueRef<'_>) -> R) -> R {
        if self.explode.is_none() {
            let record = self.record.checked_sub(1).and_then(|r| self.page.get(r));
            if let Some(Record::Kept(kept)) = record.map(|r| &**r) {
                if let Some(value) = kept.column(i) {
                    return f(value);
                }
            }
        }
        match self.field(col) {
            Field::Json(json) => with_decoded(json, col.sql_type(), f),
            Field::Index(i) => f(ValueRef::Integer(i)),
        }
    }

    /// Where the current row's value of a column comes from.
    fn field(&self, col: &Column) -> Field<'_> {
        let (obj, parent, index) = self.current();
        let path = col.json_path();
        if let Some(in_parent) = path.strip_prefix("$parent.") {
            let mut found = parent.map(|p| p.lookup(in_parent)).unwrap_or(&Json::Null);
            // Exploded rows of a sub-resource: the object's parent is the
            // page's object, and its own parent (the route's key) is behind.
            if found.is_null() && self.explode.is_some() {
                if let Some(grandparent) = self.page_parent.as_deref() {
                    found = lookup(grandparent, in_parent);
                }
            }
            Field::Json(found)
        } else if path == "$index" {
            Field::Index(index as i64)
        } else {
            Field::Json(obj.lookup(path))
        }
    }

    pub fn value_by_name(&self, name: &str) -> Option<Value> {
        self.table()
            .columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| self.value(c))
    }

    /// A plain table's row is its object id; any other row (a child row,
    /// whose id may repeat under different parents) is a hash of its
    /// primary key (and of its place in the parent's array), so the same
    /// row has the same rowid in every scan: SQLite de-duplicates an OR's
    /// branches by rowid, and a rowid per scan would repeat the rows both
    /// branches find. Rows with a NULL key fall back to a rowid unique over
    /// the connection. Either way the values a write route's path needs are
    /// kept for xUpdate.
    pub fn rowid(&self) -> i64 {
        if self.empty_rows.is_some() || self.record == 0 && self.explode.is_none() {
            return self.row_id;
        }
        let t = self.table();
        let rowid = match (&t.source.parent, self.value_by_name("id")) {
            (None, Some(Value::Int(id))) => id,
            _ => self.key_rowid().unwrap_or(self.row_id),
        };
        let keys = write::path_columns(t);
        if !keys.is_empty() {
            let vals = t
                .columns
                .iter()
                .map(|c| {
                    if keys.contains(&c.name) {
                        Some(self.value(c))
                    } else {
                        None
                    }
                })
                .collect();
            self.ctx.scope().remember_row(self.table, rowid, vals);
        }
        rowid
    }

    /// The row's identity as a rowid below zero (object ids are positive):
    /// FNV-1a over its primary key's values and, for an exploded row, its
    /// index in the parent's array. None when a key value is NULL.
    fn key_rowid(&self) -> Option<i64> {
        let t = self.table();
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |bytes: &[u8]| {
            for b in bytes {
                h = (h ^ *b as u64).wrapping_mul(0x0100_0000_01b3);
            }
        };
        for name in &t.primary_key {
            let v = self.value_by_name(name)?;
            let text = match v {
                Value::Null => return None,
                other => other.text().unwrap_or_default(),
            };
            feed(&(text.len() as u64).to_le_bytes());
            feed(text.as_bytes());
        }
        if t.primary_key.is_empty() {
            return None;
        }
        if self.explode.is_some() {
            feed(&(self.child as u64).to_le_bytes());
        }
        Some(-((h >> 2) as i64) - 1)
    }
}

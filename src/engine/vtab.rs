//! The one SQLite module behind every table. It reads the table's profile
//! entry, plans with `plan.rs`, reads rows with `source.rs`.

use super::lookup;
use super::plan::{self, Access, Plan};
use super::prefetch::Pager;
use super::source::{encode, fetch_count, Fetch, Page};
use super::value::{decode, lookup, Value};
use super::write;
use super::Ctx;
use crate::error::{Error, Kind, Result};
use crate::schema::{Pushdown, Table};
use rusqlite::vtab::{
    sqlite3_vtab, sqlite3_vtab_cursor, Context, Filters, IndexInfo, VTab, VTabConnection,
    VTabCursor,
};
use serde_json::Value as Json;
use std::borrow::Cow;
use std::collections::VecDeque;
use std::ffi::{CStr, CString};
use std::os::raw::c_int;
use std::sync::Arc;

#[repr(C)]
pub struct ApiTable {
    base: sqlite3_vtab,
    ctx: Arc<Ctx>,
    table: usize,
}

impl ApiTable {
    fn table(&self) -> &Table {
        &self.ctx.profile.tables[self.table]
    }
}

unsafe impl<'vtab> VTab<'vtab> for ApiTable {
    type Aux = Arc<Ctx>;
    type Cursor = ApiCursor;

    fn connect(
        _db: &mut VTabConnection,
        aux: Option<&Arc<Ctx>>,
        _module: &[u8],
        _database: &[u8],
        _table: &[u8],
        args: &[&[u8]],
    ) -> rusqlite::Result<(Cow<'static, CStr>, Self)> {
        let ctx = aux
            .ok_or_else(|| rusqlite::Error::ModuleError("no connection context".into()))?
            .clone();
        let name = args
            .first()
            .map(|a| rusqlite::vtab::dequote(&String::from_utf8_lossy(a)).into_owned())
            .unwrap_or_default();
        let table = ctx
            .profile
            .tables
            .iter()
            .position(|t| t.name == name)
            .ok_or_else(|| {
                rusqlite::Error::ModuleError(format!("no table {name} in the profile"))
            })?;
        let t = &ctx.profile.tables[table];
        let cols: Vec<String> = t
            .columns
            .iter()
            .map(|c| {
                format!(
                    "\"{}\" {}",
                    c.name.replace('"', "\"\""),
                    c.sql_type().decl()
                )
            })
            .collect();
        let ddl = format!("CREATE TABLE x({})", cols.join(", "));
        let ddl = CString::new(ddl).map_err(|e| rusqlite::Error::ModuleError(e.to_string()))?;
        Ok((
            Cow::Owned(ddl),
            ApiTable {
                base: sqlite3_vtab::default(),
                ctx,
                table,
            },
        ))
    }

    fn best_index(&self, info: &mut IndexInfo) -> rusqlite::Result<bool> {
        let t = self.table();
        let est = plan::estimated_rows(t, self.ctx.known_count(&t.name));
        plan::best_index(t, est, self.ctx.pagesize, info)
    }

    fn open(&'vtab mut self) -> rusqlite::Result<ApiCursor> {
        Ok(ApiCursor::new(self.ctx.clone(), self.table))
    }
}

impl rusqlite::vtab::CreateVTab<'_> for ApiTable {
    const KIND: rusqlite::vtab::VTabKind = rusqlite::vtab::VTabKind::Default;
}

/// Column values of an xUpdate call (args[2..]); None where SQLite says the
/// column is unchanged.
fn row_values(
    args: &rusqlite::types::Values<'_>,
    n: usize,
    nochange: impl Fn(usize) -> bool,
) -> rusqlite::Result<Vec<Option<Value>>> {
    (0..n)
        .map(|i| {
            Ok(if nochange(i + 2) {
                None
            } else {
                Some(owned(args.get::<rusqlite::types::Value>(i + 2)?))
            })
        })
        .collect()
}

impl rusqlite::vtab::UpdateVTab<'_> for ApiTable {
    fn delete(&mut self, arg: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<()> {
        let rowid = arg.as_i64().unwrap_or(0);
        let ctx = self.ctx.clone();
        let seen = ctx.scope().row_seen(self.table, rowid);
        guard(&ctx, || {
            write::delete(&ctx, self.table(), rowid, seen).map_err(|e| fail(&ctx, e))
        })
    }

    fn insert(&mut self, args: &rusqlite::vtab::Inserts<'_>) -> rusqlite::Result<i64> {
        let ctx = self.ctx.clone();
        let vals = row_values(args, self.table().columns.len(), |_| false)?;
        guard(&ctx, || {
            write::insert(&ctx, self.table(), &vals).map_err(|e| fail(&ctx, e))
        })
    }

    fn update(&mut self, args: &rusqlite::vtab::Updates<'_>) -> rusqlite::Result<()> {
        let ctx = self.ctx.clone();
        let rowid = args.get::<i64>(0)?;
        let vals = row_values(args, self.table().columns.len(), |i| args.no_change(i))?;
        let seen = ctx.scope().row_seen(self.table, rowid);
        guard(&ctx, || {
            write::update(&ctx, self.table(), rowid, seen, &vals).map_err(|e| fail(&ctx, e))
        })
    }
}

/// Surfaces an error to SQLite and keeps the structured one for the ODBC
/// layer (SQLite only carries a string).
fn fail(ctx: &Ctx, e: Error) -> rusqlite::Error {
    let msg = e.message.clone();
    ctx.scope().set_error(e);
    rusqlite::Error::ModuleError(msg)
}

/// How the objects of a page become rows.
#[derive(Clone)]
struct Explode {
    array: String,
    item_wrapper: Option<String>,
}

/// Where the next rows come from: a request, or records already at hand.
enum Src {
    Fetch(Fetch),
    Ready(Page),
}

/// Scanning a sub-resource table alone: read the parent table (itself any
/// table, a child too) and queue one sub-resource fetch per parent row, or
/// one per batch of parents when the path takes `{parent*}`.
struct FanOut {
    parents: Box<ApiCursor>,
    /// Sub-resource path: `{parent}` (the parent's key), `{column}` (any
    /// column of the parent row), `{parent*}` (the keys of up to 100 parent
    /// rows, comma-separated), `{Table.column*}` (every value of another
    /// table's column, resolved once).
    path: String,
    wrapper: Option<String>,
    parent_key: String,
    paged: bool,
    /// The rows are in an array of each parent row (no request per parent):
    /// each parent row becomes a one-object page to explode.
    rows_in_parent: bool,
}

/// Most parent keys put into one `{parent*}` request.
const BATCH: usize = 100;

#[repr(C)]
pub struct ApiCursor {
    base: sqlite3_vtab_cursor,
    ctx: Arc<Ctx>,
    table: usize,
    queue: VecDeque<Src>,
    current: Option<Pager>,
    fanout: Option<FanOut>,
    page: Page,
    /// The parent of every object in `page` (sub-resource fetches).
    page_parent: Option<Arc<Json>>,
    /// Set when page objects are parents whose array holds the rows.
    explode: Option<Explode>,
    /// Position in `page`.
    rec: usize,
    /// Position in the record's child array (exploded rows).
    child: usize,
    emitted: u64,
    limit: Option<u64>,
    /// Count-only plans: rows left to emit without content.
    virtual_rows: Option<u64>,
    /// Values of the chosen route's `also` columns.
    also: Vec<Value>,
    /// Ids of the previous page of the same source (see `without_repeats`).
    prev_ids: std::collections::HashSet<i64>,
    /// The current row's rowid when it has no id of its own: unique over
    /// the connection, so rows of different xFilter calls (an OR's
    /// branches, which SQLite de-duplicates by rowid) never collide.
    row_id: i64,
    eof: bool,
}

impl ApiCursor {
    fn table(&self) -> &Table {
        &self.ctx.profile.tables[self.table]
    }

    fn fail(&self, e: Error) -> rusqlite::Error {
        fail(&self.ctx, e)
    }

    fn page_size(&self) -> u32 {
        match self.limit {
            Some(l) => (l.max(1) as u32).min(self.ctx.pagesize),
            None => self.ctx.pagesize,
        }
    }

    fn children(&self, rec: &Json) -> usize {
        match &self.explode {
            Some(x) => lookup(rec, &x.array)
                .as_array()
                .map(|a| a.len())
                .unwrap_or(0),
            None => 1,
        }
    }

    /// Moves to the next row, fetching pages as needed.
    fn advance(&mut self) -> Result<()> {
        if let Some(n) = self.virtual_rows.as_mut() {
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
            if self.rec < self.page.len() {
                if self.explode.is_some() {
                    let rec = self.page[self.rec].clone();
                    if self.child < self.children(&rec) {
                        self.child += 1;
                        self.emitted += 1;
                        self.row_id = self.ctx.next_rowid();
                        return Ok(());
                    }
                    self.rec += 1;
                    self.child = 0;
                    continue;
                }
                self.rec += 1;
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
                    let page = without_repeats(page, &mut self.prev_ids);
                    self.page = page;
                    self.rec = 0;
                    self.child = 0;
                    return Ok(true);
                }
                self.current = None;
            }
            match self.queue.pop_front() {
                Some(Src::Fetch(f)) => {
                    self.prev_ids.clear();
                    self.current = Some(Pager::new(
                        f,
                        ctx.scope(),
                        self.page_size(),
                        ctx.prefetch,
                        self.limit,
                    ));
                    continue;
                }
                Some(Src::Ready(page)) => {
                    self.page_parent = None;
                    self.page = page;
                    self.rec = 0;
                    self.child = 0;
                    return Ok(true);
                }
                None => {}
            }
            // Sources exhausted: a fan-out may have more parents.
            let Some(fan) = self.fanout.as_mut() else {
                return Ok(false);
            };
            if fan.parents.eof {
                return Ok(false);
            }
            if fan.rows_in_parent {
                let row = Arc::new(fan.parents.row_json());
                fan.parents.advance()?;
                self.queue.push_back(Src::Ready(Arc::new(vec![row])));
                continue;
            }
            if fan.path.contains("{parent*}") {
                let mut keys = Vec::new();
                while !fan.parents.eof && keys.len() < BATCH {
                    if let Some(k) = fan
                        .parents
                        .value_by_name(&fan.parent_key)
                        .and_then(|v| value_text(&v))
                    {
                        keys.push(encode(&k));
                    }
                    fan.parents.advance()?;
                }
                if !keys.is_empty() {
                    let path = fan.path.replace("{parent*}", &keys.join(","));
                    self.queue.push_back(Src::Fetch(Fetch {
                        path,
                        wrapper: fan.wrapper.clone(),
                        single: false,
                        paged: fan.paged,
                        missing_is_empty: true,
                        parent: None,
                        count: None,
                    }));
                }
                continue;
            }
            let parent = Arc::new(fan.parents.row_json());
            let path = fill_from_row(&fan.path, &fan.parents, &fan.parent_key);
            fan.parents.advance()?;
            if let Some(path) = path {
                self.queue.push_back(Src::Fetch(Fetch {
                    path,
                    wrapper: fan.wrapper.clone(),
                    single: false,
                    paged: fan.paged,
                    missing_is_empty: true,
                    parent: Some(parent),
                    count: None,
                }));
            }
        }
    }

    /// (object, parent, 1-based position) of the current row.
    fn current(&self) -> (&Json, Option<&Json>, usize) {
        match &self.explode {
            None => (
                &self.page[self.rec - 1],
                self.page_parent.as_deref(),
                self.rec,
            ),
            Some(x) => {
                let rec = &self.page[self.rec];
                let item = lookup(rec, &x.array)
                    .as_array()
                    .and_then(|a| a.get(self.child - 1))
                    .unwrap_or(&Json::Null);
                let item = match (&x.item_wrapper, item) {
                    (Some(w), Json::Object(m)) if m.contains_key(w.as_str()) => &m[w.as_str()],
                    (_, i) => i,
                };
                (item, Some(rec), self.child)
            }
        }
    }

    fn plain_fetch(t: &Table) -> Fetch {
        Fetch {
            path: t.source.list.clone().unwrap_or_default(),
            wrapper: t.source.wrapper.clone(),
            single: t.source.single,
            paged: t.source.paged,
            missing_is_empty: t.source.empty_on_404,
            parent: None,
            count: if t.source.parent.is_none() {
                t.count.clone()
            } else {
                None
            },
        }
    }

    /// A whole-table scan: the list, the parent's list exploded, or a
    /// fan-out over the parent's rows.
    fn scan(&mut self, t: &Table) -> Result<()> {
        let Some(ps) = &t.source.parent else {
            self.queue.push_back(Src::Fetch(Self::plain_fetch(t)));
            return Ok(());
        };
        let pidx = self
            .ctx
            .profile
            .tables
            .iter()
            .position(|x| x.name == ps.table);
        let Some(pidx) = pidx else {
            return Err(Error::new(
                Kind::Config,
                format!("Parent table {} is not in the profile.", ps.table),
            ));
        };
        let parent = &self.ctx.profile.tables[pidx];
        match (&ps.array, &ps.list) {
            (Some(array), _) => {
                self.explode = Some(Explode {
                    array: array.clone(),
                    item_wrapper: ps.item_wrapper.clone(),
                });
                if parent.source.list.is_some() && parent.source.parent.is_none() {
                    self.queue.push_back(Src::Fetch(Self::plain_fetch(parent)));
                } else {
                    // The parent is itself read through its parent: walk its rows.
                    let parents = self.parent_rows(pidx)?;
                    self.fanout = Some(FanOut {
                        parents,
                        path: String::new(),
                        wrapper: None,
                        parent_key: ps.parent_key.clone(),
                        paged: false,
                        rows_in_parent: true,
                    });
                }
            }
            (None, Some(path)) => {
                let parents = self.parent_rows(pidx)?;
                let path = resolve_all_placeholders(&self.ctx, path)?;
                self.fanout = Some(FanOut {
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
        Ok(())
    }

    /// A cursor over every row of another table, positioned on the first.
    fn parent_rows(&self, table: usize) -> Result<Box<ApiCursor>> {
        let mut c = ApiCursor::new(self.ctx.clone(), table);
        c.scan(&self.ctx.profile.tables[table])?;
        c.eof = false;
        c.advance()?;
        Ok(Box::new(c))
    }

    /// The request for one value of a route (and the route's other key
    /// values); None when a key cannot name any row.
    fn push_fetch(t: &Table, pd: &Pushdown, value: &str, also: &[Value]) -> Option<Fetch> {
        // Rows of a parent's sub-resource: the value is the parent's key.
        // The value is known under the parent's key field and under the
        // name this table's key column reads it by (`$parent.<name>`).
        let as_json = |v: &str| {
            v.parse::<i64>()
                .map(Json::from)
                .unwrap_or_else(|_| Json::from(v))
        };
        let mut path = pd.list.replace("{value}", &encode(value));
        let mut keys = vec![(pd.column.as_str(), value.to_string())];
        for (name, v) in pd.also.iter().zip(also) {
            let text = value_text(v)?;
            path = path.replace(&format!("{{{name}}}"), &encode(&text));
            keys.push((name.as_str(), text));
        }
        let parent = t
            .source
            .parent
            .as_ref()
            .filter(|_| pd.sets_parent)
            .map(|ps| {
                let mut m = serde_json::Map::new();
                m.insert(ps.parent_key.clone(), as_json(value));
                // Each key under the name this table's columns read it by.
                for (name, v) in &keys {
                    if let Some(p) = t
                        .columns
                        .iter()
                        .find(|c| c.name == *name)
                        .and_then(|c| c.json_path().strip_prefix("$parent."))
                    {
                        m.insert(p.to_string(), as_json(v));
                    }
                }
                if let Some(p) = t
                    .columns
                    .iter()
                    .find(|c| c.name == ps.key)
                    .and_then(|c| c.json_path().strip_prefix("$parent."))
                {
                    m.entry(p.to_string()).or_insert_with(|| as_json(value));
                }
                Arc::new(Json::Object(m))
            });
        Some(Fetch {
            path,
            wrapper: pd.wrapper.clone(),
            single: pd.single,
            paged: pd.paged && !pd.single,
            missing_is_empty: true,
            parent,
            count: pd
                .count
                .as_ref()
                .filter(|_| pd.also.is_empty())
                .map(|c| c.replace("{value}", &encode(value))),
        })
    }

    fn plan_sources(&mut self, plan: &Plan, keys: Vec<Value>) -> Result<()> {
        let ctx = self.ctx.clone();
        let t = &ctx.profile.tables[self.table];
        match &plan.access {
            Access::Scan => {
                if plan.count_only {
                    let n = fetch_count(
                        &self.ctx,
                        &self.ctx.scope(),
                        t.count.as_deref().unwrap_or_default(),
                    )?;
                    self.ctx.remember_count(&t.name, n);
                    self.virtual_rows = Some(n);
                } else {
                    self.scan(t)?;
                }
            }
            Access::Get => {
                // Ids are integers: any other value matches no row.
                let ids: Vec<String> = keys
                    .iter()
                    .filter_map(as_integer)
                    .map(|i| i.to_string())
                    .collect();
                let key_path = t
                    .columns
                    .iter()
                    .find(|c| c.name == "id")
                    .map(|c| c.json_path().to_string())
                    .unwrap_or_else(|| "id".into());
                if let Some(page) = lookup::records(&ctx, t, &key_path, &ids)? {
                    self.queue.push_back(Src::Ready(page));
                    return Ok(());
                }
                let path = t.get.clone().unwrap_or_default();
                for id in ids {
                    self.queue.push_back(Src::Fetch(Fetch {
                        path: path.replace("{id}", &id),
                        wrapper: t.source.wrapper.clone(),
                        single: true,
                        paged: false,
                        missing_is_empty: true,
                        parent: None,
                        count: None,
                    }));
                }
            }
            Access::Range { route, .. } => {
                let pd = &t.pushdown[*route];
                let (from, to) = (
                    keys.first().and_then(|k| day(k, -1)),
                    keys.get(1).and_then(|k| day(k, 1)),
                );
                let path = pd
                    .list
                    .replace("{from}", from.as_deref().unwrap_or("1970-01-01"))
                    .replace("{to}", to.as_deref().unwrap_or("9999-12-31"));
                self.queue.push_back(Src::Fetch(Fetch {
                    path,
                    wrapper: pd.wrapper.clone(),
                    single: false,
                    paged: pd.paged,
                    missing_is_empty: true,
                    parent: None,
                    count: None,
                }));
            }
            Access::Push(pi) => {
                let pd = &t.pushdown[*pi];
                if pd.via_parent {
                    if let Some(ps) = &t.source.parent {
                        self.explode = ps.array.clone().map(|array| Explode {
                            array,
                            item_wrapper: ps.item_wrapper.clone(),
                        });
                    }
                }
                let values: Vec<String> = keys.iter().filter_map(|k| route_value(pd, k)).collect();
                // Repeated '=' lookups on a listable table (a join's inner
                // side) may be cheaper from one read of the table.
                if pd.op == "="
                    && pd.also.is_empty()
                    && !pd.via_parent
                    && !pd.sets_parent
                    && !plan.count_only
                    && t.source.parent.is_none()
                {
                    if let Some(col) = t.columns.iter().find(|c| c.name == pd.column) {
                        if let Some(page) = lookup::records(&ctx, t, col.json_path(), &values)? {
                            self.queue.push_back(Src::Ready(page));
                            return Ok(());
                        }
                    }
                }
                // A child answered by GET of its parent: the parent table's
                // lookups may be cheaper from one read of the parent list.
                if pd.via_parent && pd.single && !plan.count_only {
                    if let Some(ps) = &t.source.parent {
                        if let Some(parent) = ctx.profile.table(&ps.table) {
                            if let Some(page) =
                                lookup::records(&ctx, parent, &ps.parent_key, &values)?
                            {
                                self.queue.push_back(Src::Ready(page));
                                return Ok(());
                            }
                        }
                    }
                }
                let mut total = 0u64;
                for v in values {
                    if plan.count_only {
                        if let Some(c) = &pd.count {
                            let path = c.replace("{value}", &encode(&v));
                            total += fetch_count(&self.ctx, &self.ctx.scope(), &path)?;
                        }
                    } else {
                        let Some(mut f) = Self::push_fetch(t, pd, &v, &self.also) else {
                            continue;
                        };
                        if f.path.contains("*}") {
                            f.path = resolve_all_placeholders(&ctx, &f.path)?;
                        }
                        self.queue.push_back(Src::Fetch(f));
                    }
                }
                if plan.count_only {
                    self.virtual_rows = Some(total);
                }
            }
        }
        Ok(())
    }
}

/// The day of a bound, moved by `shift` days (YYYY-MM-DD), for date routes.
fn day(v: &Value, shift: i64) -> Option<String> {
    let ts = match v {
        Value::Text(s) => crate::timefmt::parse_timestamp(s)?,
        Value::Int(secs) => crate::timefmt::Timestamp::from_unix(*secs, 0),
        _ => return None,
    };
    let moved = crate::timefmt::Timestamp::from_unix(ts.unix_seconds() + shift * 86_400, 0);
    Some(moved.to_sql_text()[..10].to_string())
}

/// Offset paging under a store that changes: an object added at the front
/// of a list (orders are newest first) pushes the last objects of page N to
/// the top of page N+1, where they would be read twice. Objects of a page
/// whose id was on the previous page of the same source are dropped, so no
/// row is invented; memory stays one page of ids.
fn without_repeats(page: Page, prev_ids: &mut std::collections::HashSet<i64>) -> Page {
    let id = |o: &Json| o.get("id").and_then(|v| v.as_i64());
    let repeats = page
        .iter()
        .any(|o| id(o).is_some_and(|i| prev_ids.contains(&i)));
    let page = if repeats {
        Arc::new(
            page.iter()
                .filter(|o| !id(o).is_some_and(|i| prev_ids.contains(&i)))
                .cloned()
                .collect(),
        )
    } else {
        page
    };
    prev_ids.clear();
    prev_ids.extend(page.iter().filter_map(|o| id(o)));
    page
}

fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::Int(i) => Some(i.to_string()),
        Value::Real(f) => Some(f.to_string()),
        Value::Text(t) if !t.is_empty() => Some(t.clone()),
        _ => None,
    }
}

fn value_json(v: &Value) -> Json {
    match v {
        Value::Null | Value::Blob(_) => Json::Null,
        Value::Int(i) => Json::from(*i),
        Value::Real(f) => serde_json::Number::from_f64(*f)
            .map(Json::Number)
            .unwrap_or(Json::Null),
        Value::Text(t) => Json::from(t.clone()),
    }
}

/// Fills `{parent}` and `{column}` placeholders from a parent row; None
/// when one of them is empty (no request can name that row).
fn fill_from_row(path: &str, row: &ApiCursor, parent_key: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = path;
    while let Some(i) = rest.find('{') {
        let j = rest[i..].find('}')? + i;
        let name = &rest[i + 1..j];
        let col = if name == "parent" { parent_key } else { name };
        out.push_str(&rest[..i]);
        out.push_str(&encode(&value_text(&row.value_by_name(col)?)?));
        rest = &rest[j + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// Replaces `{Table.column*}` with every value of that column (a scan of
/// that table, done once when the fan-out starts); other placeholders stay.
fn resolve_all_placeholders(ctx: &Arc<Ctx>, path: &str) -> Result<String> {
    let mut out = String::new();
    let mut rest = path;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}').map(|j| j + i) else {
            break;
        };
        out.push_str(&rest[..i]);
        let name = &rest[i + 1..j];
        match name.strip_suffix('*').and_then(|n| n.split_once('.')) {
            Some((table, column)) => out.push_str(&all_values(ctx, path, table, column)?.join(",")),
            None => out.push_str(&rest[i..=j]),
        }
        rest = &rest[j + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn all_values(ctx: &Arc<Ctx>, path: &str, table: &str, column: &str) -> Result<Vec<String>> {
    let tidx = ctx
        .profile
        .tables
        .iter()
        .position(|t| t.name == table)
        .ok_or_else(|| {
            Error::new(
                Kind::Config,
                format!("Route {path} names unknown table {table}."),
            )
        })?;
    let mut c = ApiCursor::new(ctx.clone(), tidx);
    c.scan(&ctx.profile.tables[tidx])?;
    c.eof = false;
    c.advance()?;
    let mut vals = Vec::new();
    while !c.eof {
        if let Some(v) = c.value_by_name(column).and_then(|v| value_text(&v)) {
            vals.push(encode(&v));
        }
        c.advance()?;
    }
    Ok(vals)
}

fn as_integer(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Real(f) if f.fract() == 0.0 => Some(*f as i64),
        Value::Text(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The text to put in a route for a constraint value, or None when no row
/// can match (a status the API does not know, a NULL).
fn route_value(pd: &Pushdown, v: &Value) -> Option<String> {
    let text = match v {
        Value::Null | Value::Blob(_) => return None,
        Value::Int(i) => i.to_string(),
        Value::Real(f) => {
            // id > 4.5 is id > 4 for integer ids.
            if pd.op == ">" {
                (f.floor() as i64).to_string()
            } else {
                f.to_string()
            }
        }
        Value::Text(s) => s.clone(),
    };
    if !pd.values.is_empty() && !pd.values.contains(&text) {
        return None;
    }
    Some(text)
}

/// A panic inside a SQLite callback would abort the host process (no
/// unwinding across SQLite's C frames): it becomes an error instead.
fn guard<T>(ctx: &Ctx, f: impl FnOnce() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(fail(ctx, Error::new(Kind::General, "Internal error in the driver (a panic was caught while reading a table); please report it with the log file.")))
    })
}

unsafe impl VTabCursor for ApiCursor {
    fn filter(
        &mut self,
        idx_num: c_int,
        idx_str: Option<&str>,
        args: &Filters<'_>,
    ) -> rusqlite::Result<()> {
        let ctx = self.ctx.clone();
        guard(&ctx, || self.filter_inner(idx_num, idx_str, args))
    }

    fn next(&mut self) -> rusqlite::Result<()> {
        let ctx = self.ctx.clone();
        guard(&ctx, || self.next_inner())
    }

    fn eof(&self) -> bool {
        self.eof
    }

    fn column(&self, ctx: &mut Context, i: c_int) -> rusqlite::Result<()> {
        guard(&self.ctx.clone(), || self.column_inner(ctx, i))
    }

    fn rowid(&self) -> rusqlite::Result<i64> {
        guard(&self.ctx.clone(), || self.rowid_inner())
    }
}

impl ApiCursor {
    fn filter_inner(
        &mut self,
        _idx_num: c_int,
        idx_str: Option<&str>,
        args: &Filters<'_>,
    ) -> rusqlite::Result<()> {
        let plan: Plan = idx_str
            .and_then(|s| serde_json::from_str(s).ok())
            .ok_or_else(|| rusqlite::Error::ModuleError("internal: missing plan".into()))?;
        self.queue.clear();
        self.current = None;
        self.fanout = None;
        self.explode = None;
        self.page_parent = None;
        self.page = Arc::new(Vec::new());
        self.rec = 0;
        self.child = 0;
        self.emitted = 0;
        self.virtual_rows = None;
        self.eof = false;
        let mut keys = Vec::new();
        if let Access::Range { lo, hi, .. } = plan.access {
            // keys[0] = lower bound, keys[1] = upper bound (Null when absent).
            for pos in [lo, hi] {
                keys.push(match pos {
                    Some(i) => owned(args.get::<rusqlite::types::Value>(i)?),
                    None => Value::Null,
                });
            }
        } else if plan.access != Access::Scan {
            if plan.in_list {
                let mut it = args.in_values(0)?;
                use fallible_iterator_shim::Next;
                while let Some(v) = it.next_value()? {
                    keys.push(v);
                }
            } else {
                keys.push(owned(args.get::<rusqlite::types::Value>(0)?));
            }
        }
        let also: Vec<Value> = plan
            .also_args
            .iter()
            .map(|i| args.get::<rusqlite::types::Value>(*i).map(owned))
            .collect::<rusqlite::Result<_>>()?;
        self.also = also;
        self.limit = match plan.limit_arg {
            Some(i) => args.get::<i64>(i).ok().map(|l| l.max(0) as u64),
            None => None,
        };
        if let Err(e) = self.plan_sources(&plan, keys) {
            return Err(self.fail(e));
        }
        self.next_inner()
    }

    fn next_inner(&mut self) -> rusqlite::Result<()> {
        match self.advance() {
            Ok(()) => Ok(()),
            Err(e) => Err(self.fail(e)),
        }
    }

    fn column_inner(&self, ctx: &mut Context, i: c_int) -> rusqlite::Result<()> {
        if self.virtual_rows.is_some() {
            return ctx.set_result(rusqlite::types::Null);
        }
        let t = self.table();
        let Some(col) = t.columns.get(i as usize) else {
            return ctx.set_result(rusqlite::types::Null);
        };
        // For an UPDATE, columns it does not change stay out of the PUT body,
        // except those a write route's path needs.
        if ctx.no_change() && !write::path_columns(t).contains(&col.name) {
            return Ok(());
        }
        match self.value(col) {
            Value::Null => ctx.set_result(rusqlite::types::Null),
            Value::Int(v) => ctx.set_result(v),
            Value::Real(v) => ctx.set_result(v),
            Value::Text(v) => ctx.set_result(v),
            Value::Blob(v) => ctx.set_result(v),
        }
    }

    /// A plain table's row is its object id; a child row (whose id may
    /// repeat under different parents) is its position in this scan. Either
    /// way the values a write route's path needs are kept for xUpdate.
    fn rowid_inner(&self) -> rusqlite::Result<i64> {
        if self.virtual_rows.is_some() || self.rec == 0 && self.explode.is_none() {
            return Ok(self.row_id);
        }
        let t = self.table();
        let rowid = match (&t.source.parent, self.value_by_name("id")) {
            (None, Some(Value::Int(id))) => id,
            _ => self.row_id,
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
        Ok(rowid)
    }
}

/// Reading an IN list one value at a time.
mod fallible_iterator_shim {
    use super::Value;
    pub trait Next {
        fn next_value(&mut self) -> rusqlite::Result<Option<Value>>;
    }
    impl Next for rusqlite::vtab::InValues<'_> {
        fn next_value(&mut self) -> rusqlite::Result<Option<Value>> {
            use fallible_streaming_iterator::FallibleStreamingIterator;
            match self.next()? {
                Some(v) => Ok(Some(Value::from(v.get_raw()))),
                None => Ok(None),
            }
        }
    }
}

impl ApiCursor {
    fn new(ctx: Arc<Ctx>, table: usize) -> ApiCursor {
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
            rec: 0,
            child: 0,
            emitted: 0,
            limit: None,
            virtual_rows: None,
            also: Vec::new(),
            prev_ids: std::collections::HashSet::new(),
            row_id: 0,
            eof: true,
        }
    }

    /// The current row as an object for its children's `$parent.` paths:
    /// the API object, plus each column by name where the object lacks it
    /// (keys that came from the row's own parent, flattened fields).
    fn row_json(&self) -> Json {
        let (obj, _, _) = self.current();
        let mut m = match obj {
            Json::Object(m) => m.clone(),
            _ => serde_json::Map::new(),
        };
        for c in &self.table().columns {
            if !m.contains_key(&c.name) {
                m.insert(c.name.clone(), value_json(&self.value(c)));
            }
        }
        Json::Object(m)
    }

    /// The current row's value of a column.
    fn value(&self, col: &crate::schema::Column) -> Value {
        let (obj, parent, index) = self.current();
        let path = col.json_path();
        if let Some(pp) = path.strip_prefix("$parent.") {
            let mut j = parent.map(|p| lookup(p, pp)).unwrap_or(&Json::Null);
            // Exploded rows of a sub-resource: the object's parent is the
            // page's object, and its own parent (the route's key) is behind.
            if j.is_null() && self.explode.is_some() {
                if let Some(pp2) = self.page_parent.as_deref() {
                    j = lookup(pp2, pp);
                }
            }
            decode(j, col.sql_type())
        } else if path == "$index" {
            Value::Int(index as i64)
        } else {
            decode(lookup(obj, path), col.sql_type())
        }
    }

    fn value_by_name(&self, name: &str) -> Option<Value> {
        self.table()
            .columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| self.value(c))
    }
}

fn owned(v: rusqlite::types::Value) -> Value {
    use rusqlite::types::Value as V;
    match v {
        V::Null => Value::Null,
        V::Integer(i) => Value::Int(i),
        V::Real(f) => Value::Real(f),
        V::Text(t) => Value::Text(t),
        V::Blob(b) => Value::Blob(b),
    }
}

//! The one SQLite module behind every table. It reads the table's profile
//! entry, plans with `plan.rs`, reads rows with `source.rs`.

use super::plan::{self, Access, Plan};
use super::lookup;
use super::write;
use super::prefetch::Pager;
use super::source::{encode, fetch_count, Fetch, Page};
use super::value::{decode, lookup, Value};
use super::Ctx;
use crate::error::{Error, Kind, Result};
use crate::schema::{Pushdown, Table};
use rusqlite::vtab::{Context, Filters, IndexInfo, VTab, VTabConnection, VTabCursor, sqlite3_vtab, sqlite3_vtab_cursor};
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
        let ctx = aux.ok_or_else(|| rusqlite::Error::ModuleError("no connection context".into()))?.clone();
        let name = args.first().map(|a| rusqlite::vtab::dequote(&String::from_utf8_lossy(a)).into_owned()).unwrap_or_default();
        let table = ctx
            .profile
            .tables
            .iter()
            .position(|t| t.name == name)
            .ok_or_else(|| rusqlite::Error::ModuleError(format!("no table {name} in the profile")))?;
        let t = &ctx.profile.tables[table];
        let cols: Vec<String> = t.columns.iter().map(|c| format!("\"{}\" {}", c.name.replace('"', "\"\""), c.sql_type().decl())).collect();
        let ddl = format!("CREATE TABLE x({})", cols.join(", "));
        let ddl = CString::new(ddl).map_err(|e| rusqlite::Error::ModuleError(e.to_string()))?;
        Ok((Cow::Owned(ddl), ApiTable { base: sqlite3_vtab::default(), ctx, table }))
    }

    fn best_index(&self, info: &mut IndexInfo) -> rusqlite::Result<bool> {
        let t = self.table();
        let est = plan::estimated_rows(t, self.ctx.known_count(&t.name));
        plan::best_index(t, est, self.ctx.pagesize, info)
    }

    fn open(&'vtab mut self) -> rusqlite::Result<ApiCursor> {
        Ok(ApiCursor {
            base: sqlite3_vtab_cursor::default(),
            ctx: self.ctx.clone(),
            table: self.table,
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
            eof: true,
        })
    }
}

impl rusqlite::vtab::CreateVTab<'_> for ApiTable {
    const KIND: rusqlite::vtab::VTabKind = rusqlite::vtab::VTabKind::Default;
}

/// Column values of an xUpdate call (args[2..]); None where SQLite says the
/// column is unchanged.
fn row_values(args: &rusqlite::types::Values<'_>, n: usize, nochange: impl Fn(usize) -> bool) -> rusqlite::Result<Vec<Option<Value>>> {
    (0..n).map(|i| Ok(if nochange(i + 2) { None } else { Some(owned(args.get::<rusqlite::types::Value>(i + 2)?)) })).collect()
}

impl rusqlite::vtab::UpdateVTab<'_> for ApiTable {
    fn delete(&mut self, arg: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<()> {
        let rowid = arg.as_i64().unwrap_or(0);
        let ctx = self.ctx.clone();
        let seen = ctx.row_seen(self.table, rowid);
        write::delete(&ctx, self.table(), rowid, seen).map_err(|e| fail(&ctx, e))
    }

    fn insert(&mut self, args: &rusqlite::vtab::Inserts<'_>) -> rusqlite::Result<i64> {
        let ctx = self.ctx.clone();
        let vals = row_values(args, self.table().columns.len(), |_| false)?;
        write::insert(&ctx, self.table(), &vals).map_err(|e| fail(&ctx, e))
    }

    fn update(&mut self, args: &rusqlite::vtab::Updates<'_>) -> rusqlite::Result<()> {
        let ctx = self.ctx.clone();
        let rowid = args.get::<i64>(0)?;
        let vals = row_values(args, self.table().columns.len(), |i| args.no_change(i))?;
        let seen = ctx.row_seen(self.table, rowid);
        write::update(&ctx, self.table(), rowid, seen, &vals).map_err(|e| fail(&ctx, e))
    }
}

/// Surfaces an error to SQLite and keeps the structured one for the ODBC
/// layer (SQLite only carries a string).
fn fail(ctx: &Ctx, e: Error) -> rusqlite::Error {
    let msg = e.message.clone();
    ctx.set_error(e);
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

/// Scanning a sub-resource table alone: page through the parent table and
/// queue one sub-resource fetch per parent row.
struct FanOut {
    parents: Pager,
    /// Sub-resource path with `{parent}`.
    path: String,
    wrapper: Option<String>,
    parent_key: String,
}

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
            Some(x) => lookup(rec, &x.array).as_array().map(|a| a.len()).unwrap_or(0),
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
                        return Ok(());
                    }
                    self.rec += 1;
                    self.child = 0;
                    continue;
                }
                self.rec += 1;
                self.emitted += 1;
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
            ctx.client.check_cancelled().map_err(Error::from)?;
            if let Some(pager) = self.current.as_mut() {
                if let Some(page) = pager.next(&ctx)? {
                    self.page_parent = pager.fetch().parent.clone();
                    self.page = page;
                    self.rec = 0;
                    self.child = 0;
                    return Ok(true);
                }
                self.current = None;
            }
            match self.queue.pop_front() {
                Some(Src::Fetch(f)) => {
                    self.current = Some(Pager::new(f, self.page_size(), ctx.prefetch, self.limit));
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
            let Some(fan) = self.fanout.as_mut() else { return Ok(false) };
            let Some(parents) = fan.parents.next(&ctx)? else { return Ok(false) };
            for p in parents.iter() {
                let Some(key) = key_text(lookup(p, &fan.parent_key)) else { continue };
                self.queue.push_back(Src::Fetch(Fetch {
                    path: fan.path.replace("{parent}", &encode(&key)),
                    wrapper: fan.wrapper.clone(),
                    single: false,
                    paged: true,
                    missing_is_empty: true,
                    parent: Some(p.clone()),
                    count: None,
                }));
            }
        }
    }

    /// (object, parent, 1-based position) of the current row.
    fn current(&self) -> (&Json, Option<&Json>, usize) {
        match &self.explode {
            None => (&self.page[self.rec - 1], self.page_parent.as_deref(), self.rec),
            Some(x) => {
                let rec = &self.page[self.rec];
                let item = lookup(rec, &x.array).as_array().and_then(|a| a.get(self.child - 1)).unwrap_or(&Json::Null);
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
            missing_is_empty: false,
            parent: None,
            count: if t.source.parent.is_none() { t.count.clone() } else { None },
        }
    }

    /// A whole-table scan: the list, the parent's list exploded, or a
    /// fan-out over the parent's rows.
    fn scan(&mut self, t: &Table) -> Result<()> {
        let Some(ps) = &t.source.parent else {
            self.queue.push_back(Src::Fetch(Self::plain_fetch(t)));
            return Ok(());
        };
        let parent = self.ctx.profile.table(&ps.table).ok_or_else(|| Error::new(Kind::Config, format!("Parent table {} is not in the profile.", ps.table)))?;
        if parent.source.list.is_none() {
            return Err(Error::new(
                Kind::General,
                format!("{} can only be read for one {} at a time: add WHERE {} = <value> to the query.", t.name, ps.table, ps.key),
            ));
        }
        match (&ps.array, &ps.list) {
            (Some(array), _) => {
                self.explode = Some(Explode { array: array.clone(), item_wrapper: ps.item_wrapper.clone() });
                self.queue.push_back(Src::Fetch(Self::plain_fetch(parent)));
            }
            (None, Some(path)) => {
                self.fanout = Some(FanOut {
                    parents: Pager::new(Self::plain_fetch(parent), self.ctx.pagesize, self.ctx.prefetch, None),
                    path: path.clone(),
                    wrapper: ps.wrapper.clone(),
                    parent_key: ps.parent_key.clone(),
                });
            }
            (None, None) => return Err(Error::new(Kind::Config, format!("Table {}: its parent source needs 'array' or 'list'.", t.name))),
        }
        Ok(())
    }

    fn push_fetch(t: &Table, pd: &Pushdown, value: &str) -> Fetch {
        // Rows of a parent's sub-resource: the value is the parent's key.
        let parent = t.source.parent.as_ref().filter(|_| pd.sets_parent).map(|ps| {
            let v = value.parse::<i64>().map(Json::from).unwrap_or_else(|_| Json::from(value));
            Arc::new(serde_json::json!({ ps.parent_key.as_str(): v }))
        });
        Fetch {
            path: pd.list.replace("{value}", &encode(value)),
            wrapper: pd.wrapper.clone(),
            single: pd.single,
            paged: pd.paged && !pd.single,
            missing_is_empty: true,
            parent,
            count: pd.count.as_ref().map(|c| c.replace("{value}", &encode(value))),
        }
    }

    fn plan_sources(&mut self, plan: &Plan, keys: Vec<Value>) -> Result<()> {
        let ctx = self.ctx.clone();
        let t = &ctx.profile.tables[self.table];
        match &plan.access {
            Access::Scan => {
                if plan.count_only {
                    let n = fetch_count(&self.ctx, t.count.as_deref().unwrap_or_default())?;
                    self.ctx.remember_count(&t.name, n);
                    self.virtual_rows = Some(n);
                } else {
                    self.scan(t)?;
                }
            }
            Access::Get => {
                // Ids are integers: any other value matches no row.
                let ids: Vec<String> = keys.iter().filter_map(as_integer).map(|i| i.to_string()).collect();
                let key_path = t.columns.iter().find(|c| c.name == "id").map(|c| c.json_path().to_string()).unwrap_or_else(|| "id".into());
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
                let (from, to) = (keys.first().and_then(|k| day(k, -1)), keys.get(1).and_then(|k| day(k, 1)));
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
                        self.explode = ps.array.clone().map(|array| Explode { array, item_wrapper: ps.item_wrapper.clone() });
                    }
                }
                let values: Vec<String> = keys.iter().filter_map(|k| route_value(pd, k)).collect();
                // Repeated '=' lookups on a listable table (a join's inner
                // side) may be cheaper from one read of the table.
                if pd.op == "=" && !pd.via_parent && !pd.sets_parent && !plan.count_only && t.source.parent.is_none() {
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
                            if let Some(page) = lookup::records(&ctx, parent, &ps.parent_key, &values)? {
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
                            total += fetch_count(&self.ctx, &c.replace("{value}", &encode(&v)))?;
                        }
                    } else {
                        self.queue.push_back(Src::Fetch(Self::push_fetch(t, pd, &v)));
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

/// A parent key as text for a URL, when it is a usable scalar.
fn key_text(v: &Json) -> Option<String> {
    match v {
        Json::Number(n) => Some(n.to_string()),
        Json::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
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
            if pd.op == ">" { (f.floor() as i64).to_string() } else { f.to_string() }
        }
        Value::Text(s) => s.clone(),
    };
    if !pd.values.is_empty() && !pd.values.contains(&text) {
        return None;
    }
    Some(text)
}

unsafe impl VTabCursor for ApiCursor {
    fn filter(&mut self, _idx_num: c_int, idx_str: Option<&str>, args: &Filters<'_>) -> rusqlite::Result<()> {
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
        self.limit = match plan.limit_arg {
            Some(i) => args.get::<i64>(i).ok().map(|l| l.max(0) as u64),
            None => None,
        };
        if let Err(e) = self.plan_sources(&plan, keys) {
            return Err(self.fail(e));
        }
        self.next()
    }

    fn next(&mut self) -> rusqlite::Result<()> {
        match self.advance() {
            Ok(()) => Ok(()),
            Err(e) => Err(self.fail(e)),
        }
    }

    fn eof(&self) -> bool {
        self.eof
    }

    fn column(&self, ctx: &mut Context, i: c_int) -> rusqlite::Result<()> {
        if self.virtual_rows.is_some() {
            return ctx.set_result(rusqlite::types::Null);
        }
        let t = self.table();
        let Some(col) = t.columns.get(i as usize) else { return ctx.set_result(rusqlite::types::Null) };
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
    fn rowid(&self) -> rusqlite::Result<i64> {
        if self.virtual_rows.is_some() || self.rec == 0 && self.explode.is_none() {
            return Ok(self.emitted as i64);
        }
        let t = self.table();
        let rowid = match (&t.source.parent, self.value_by_name("id")) {
            (None, Some(Value::Int(id))) => id,
            _ => self.emitted as i64,
        };
        let keys = write::path_columns(t);
        if !keys.is_empty() {
            let vals = t.columns.iter().map(|c| if keys.contains(&c.name) { Some(self.value(c)) } else { None }).collect();
            self.ctx.remember_row(self.table, rowid, vals);
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
    /// The current row's value of a column.
    fn value(&self, col: &crate::schema::Column) -> Value {
        let (obj, parent, index) = self.current();
        let path = col.json_path();
        if let Some(pp) = path.strip_prefix("$parent.") {
            decode(parent.map(|p| lookup(p, pp)).unwrap_or(&Json::Null), col.sql_type())
        } else if path == "$index" {
            Value::Int(index as i64)
        } else {
            decode(lookup(obj, path), col.sql_type())
        }
    }

    fn value_by_name(&self, name: &str) -> Option<Value> {
        self.table().columns.iter().find(|c| c.name == name).map(|c| self.value(c))
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

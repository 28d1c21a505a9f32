//! xFilter's half of a plan: the access `plan.rs` chose, with the
//! constraint values SQLite now gives, becomes the cursor's sources — GETs
//! by id, a date-range route, a pushdown route per value, a count, or a
//! whole-table scan. Repeated keyed lookups may be answered from one read of
//! the table (`lookup.rs`).

use super::cursor::{Explode, RowSource, Sources};
use super::fanout::{column_values, scan};
use super::fill::{fill, key_text, Piece, TableValues};
use super::keep::Keep;
use super::lookup;
use super::plan::{Access, Plan};
use super::source::{fetch_count, Fetch};
use super::value::Value;
use super::write;
use super::Ctx;
use crate::error::Result;
use crate::schema::{Op, Pushdown, Segment, Table};
use serde_json::Value as Json;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The sources answering `plan` for `table`, given the plan's key values
/// (`keys`: the constraint's value(s), or a range's two bounds) and the
/// values of its route's `also` columns.
pub fn sources(
    ctx: &Arc<Ctx>,
    table: usize,
    plan: &Plan,
    keys: Vec<Value>,
    also: &[Value],
) -> Result<Sources> {
    let t = &ctx.profile.tables[table];
    match &plan.access {
        Access::Scan if plan.count_only => {
            let n = fetch_count(ctx, &ctx.scope(), t.count.as_deref().unwrap_or_default())?;
            ctx.remember_count(&t.name, n);
            Ok(Sources {
                empty_rows: Some(n),
                ..Sources::default()
            })
        }
        Access::Scan => {
            let mut sources = scan(ctx, table, 0)?;
            if t.source.parent.is_none() {
                keep_read_fields(&mut sources, t, plan.columns);
            }
            Ok(sources)
        }
        Access::Get => by_id(ctx, t, &keys),
        Access::Range { route, .. } => Ok(by_range(&t.pushdown[*route], &keys)),
        Access::Push(route) => by_route(ctx, t, plan, &t.pushdown[*route], &keys, also),
    }
}

/// A plain table's scan decodes only the fields of the columns the
/// statement reads (`columns`: SQLite's colUsed, bit 63 standing for every
/// column from 63 on), the id (paging is by id) and what a write of the
/// row needs (an UPDATE or DELETE reads its rows through this scan).
fn keep_read_fields(sources: &mut Sources, t: &Table, columns: u64) {
    let writes = write::path_columns(t);
    let read = |i: usize| columns & (1u64 << i.min(63)) != 0;
    let fields = t
        .columns
        .iter()
        .enumerate()
        .filter(|(i, c)| read(*i) || c.name == "id" || writes.contains(&c.name))
        .filter_map(|(_, c)| top_field(c.json_path()))
        .chain(["id".to_string()]);
    // The columns read are decoded by type with the page.
    let typed = t.columns.iter().enumerate().map(|(i, c)| {
        let ty = read(i).then(|| c.sql_type());
        (c.json_path(), ty)
    });
    let keep = Arc::new(Keep::new(fields).with_columns(typed));
    for source in sources.queue.iter_mut() {
        if let RowSource::Fetch(f) = source {
            f.keep = Some(keep.clone());
        }
    }
}

/// The object's own field a column's path starts at (none for the parent's
/// fields or the position).
fn top_field(path: &str) -> Option<String> {
    if path.starts_with("$parent.") || path == "$index" {
        return None;
    }
    path.split('.').next().map(str::to_string)
}

/// `id = ?` / `id IN (...)`: one GET per id, or the lookup index.
fn by_id(ctx: &Arc<Ctx>, t: &Table, keys: &[Value]) -> Result<Sources> {
    let mut sources = Sources::default();
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
    if let Some(page) = lookup::records(ctx, t, &key_path, &ids)? {
        sources.queue.push_back(RowSource::Ready(page));
        return Ok(sources);
    }
    let Some(get) = &t.get else {
        return Ok(sources);
    };
    for id in ids {
        let path = fill(get, |_| Some(Piece::One(id.clone())));
        sources.queue.push_back(RowSource::Fetch(Fetch {
            path: path.unwrap_or_default(),
            wrapper: t.source.wrapper.clone(),
            single: true,
            paged: false,
            missing_is_empty: true,
            parent: None,
            count: None,
            keep: None,
        }));
    }
    Ok(sources)
}

/// A `between` route: keys[0] is the lower bound, keys[1] the upper (Null
/// when absent), each widened by a day.
fn by_range(pd: &Pushdown, keys: &[Value]) -> Sources {
    let from = keys.first().and_then(|k| day(k, -1));
    let to = keys.get(1).and_then(|k| day(k, 1));
    let from = from.unwrap_or_else(|| "1970-01-01".into());
    let to = to.unwrap_or_else(|| "9999-12-31".into());
    let path = fill(&pd.list, |s| match s {
        Segment::From => Some(Piece::One(from.clone())),
        Segment::To => Some(Piece::One(to.clone())),
        _ => None,
    })
    .unwrap_or_default();
    let mut sources = Sources::default();
    sources.queue.push_back(RowSource::Fetch(Fetch {
        path,
        wrapper: pd.wrapper.clone(),
        single: false,
        paged: pd.paged,
        missing_is_empty: true,
        parent: None,
        count: None,
        keep: None,
    }));
    sources
}

/// A pushdown route: one request (or one count) per value.
fn by_route(
    ctx: &Arc<Ctx>,
    t: &Table,
    plan: &Plan,
    pd: &Pushdown,
    keys: &[Value],
    also: &[Value],
) -> Result<Sources> {
    let mut sources = Sources::default();
    if pd.via_parent {
        if let Some(ps) = &t.source.parent {
            sources.explode = ps.array.clone().map(|array| Explode {
                array,
                item_wrapper: ps.item_wrapper.clone(),
            });
        }
    }
    let mut values: Vec<String> = keys.iter().filter_map(|k| route_value(pd, k)).collect();
    if pd.sets_parent {
        let mut parent_keys = HashMap::new();
        for (name, v) in pd.also.iter().zip(also) {
            let held = match v.text() {
                Some(text) => parent_has(ctx, t, name, &text, &mut parent_keys)?,
                None => false,
            };
            if !held {
                return Ok(sources);
            }
        }
        let mut kept = Vec::with_capacity(values.len());
        for v in values {
            if parent_has(ctx, t, &pd.column, &v, &mut parent_keys)? {
                kept.push(v);
            }
        }
        values = kept;
    }
    // Repeated '=' lookups on a listable table (a join's inner
    // side) may be cheaper from one read of the table.
    if pd.op == Op::Eq
        && pd.also.is_empty()
        && !pd.via_parent
        && !pd.sets_parent
        && !plan.count_only
        && t.source.parent.is_none()
    {
        if let Some(col) = t.columns.iter().find(|c| c.name == pd.column) {
            if let Some(page) = lookup::records(ctx, t, col.json_path(), &values)? {
                sources.queue.push_back(RowSource::Ready(page));
                return Ok(sources);
            }
        }
    }
    // A child answered by GET of its parent: the parent table's
    // lookups may be cheaper from one read of the parent list.
    if pd.via_parent && pd.single && !plan.count_only {
        if let Some(ps) = &t.source.parent {
            if let Some(parent) = ctx.profile.table(&ps.table) {
                if let Some(page) = lookup::records(ctx, parent, &ps.parent_key, &values)? {
                    sources.queue.push_back(RowSource::Ready(page));
                    return Ok(sources);
                }
            }
        }
    }
    let mut total = 0u64;
    // `{Table.column*}` values are read once, when a request first needs them.
    let mut table_values: Option<TableValues> = None;
    for v in values {
        if plan.count_only {
            if let Some(c) = &pd.count {
                let path = fill(c, |_| Some(Piece::One(v.clone()))).unwrap_or_default();
                total += fetch_count(ctx, &ctx.scope(), &path)?;
            }
        } else {
            if table_values.is_none() {
                table_values = Some(TableValues::read(ctx, &pd.list, 0)?);
            }
            if let Some(table_values) = &table_values {
                if let Some(f) = push_fetch(t, pd, &v, also, table_values) {
                    sources.queue.push_back(keyset_or_pages(pd, &v, f));
                }
            }
        }
    }
    if plan.count_only {
        sources.empty_rows = Some(total);
    }
    Ok(sources)
}

/// A keyset route is read by id from its value (ids are positive: a lower
/// value asks for every id, a superset SQLite narrows); others by pages.
fn keyset_or_pages(pd: &Pushdown, value: &str, fetch: Fetch) -> RowSource {
    match value.parse::<i64>() {
        Ok(after) if pd.keyset => RowSource::After {
            fetch,
            route: pd.list.clone(),
            after: after.max(0),
        },
        _ => RowSource::Fetch(fetch),
    }
}

/// Whether some parent row holds `value` exactly in the parent column that
/// `column` reads (`$parent.<name>`). A route that sets the parent makes its
/// rows carry the value as written, but the API may match a text key
/// loosely (`cl` for `CL`): rows would then show a key no parent has. Integer
/// keys match exactly or not at all and are not checked. The parent's values
/// are read once per statement (one scan of the parent table, memoized).
fn parent_has(
    ctx: &Arc<Ctx>,
    t: &Table,
    column: &str,
    value: &str,
    known: &mut HashMap<String, Option<HashSet<String>>>,
) -> Result<bool> {
    if !known.contains_key(column) {
        let parent_column = t
            .columns
            .iter()
            .find(|c| c.name == column && !c.sql_type().is_integer())
            .and_then(|c| c.json_path().strip_prefix("$parent.").map(str::to_string));
        let parent = t
            .source
            .parent
            .as_ref()
            .and_then(|ps| ctx.profile.tables.iter().position(|p| p.name == ps.table));
        let values = match (parent_column, parent) {
            (Some(name), Some(index)) => {
                Some(column_values(ctx, index, &name, 1)?.into_iter().collect())
            }
            _ => None,
        };
        known.insert(column.to_string(), values);
    }
    Ok(match known.get(column) {
        Some(Some(values)) => values.contains(value),
        _ => true,
    })
}

/// The request for one value of a route (and the route's other key
/// values); None when a key cannot name any row.
fn push_fetch(
    t: &Table,
    pd: &Pushdown,
    value: &str,
    also: &[Value],
    table_values: &TableValues,
) -> Option<Fetch> {
    // Rows of a parent's sub-resource: the value is the parent's key.
    // The value is known under the parent's key field and under the
    // name this table's key column reads it by (`$parent.<name>`).
    let as_json = |v: &str| {
        v.parse::<i64>()
            .map(Json::from)
            .unwrap_or_else(|_| Json::from(v))
    };
    let mut keys = vec![(pd.column.as_str(), value.to_string())];
    for (name, v) in pd.also.iter().zip(also) {
        keys.push((name.as_str(), key_text(v)?));
    }
    let path = fill(&pd.list, |s| match s {
        Segment::Value => Some(Piece::One(value.to_string())),
        Segment::Column(c) => keys
            .iter()
            .skip(1)
            .find(|(name, _)| name == c)
            .map(|(_, text)| Piece::One(text.clone())),
        Segment::TableColumn { table, column } => table_values.piece(table, column),
        _ => None,
    })?;
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
            .and_then(|c| fill(c, |_| Some(Piece::One(value.to_string())))),
        keep: None,
    })
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
        // id > 4.5 is id > 4 for integer ids.
        Value::Real(f) if pd.op == Op::Gt => Value::Real(f.floor()).text()?,
        v => v.text()?,
    };
    if !pd.values.is_empty() && !pd.values.contains(&text) {
        return None;
    }
    Some(text)
}

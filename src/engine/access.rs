//! xFilter's half of a plan: the access `plan.rs` chose, with the
//! constraint values SQLite now gives, becomes the cursor's sources — GETs
//! by id, a date-range route, a pushdown route per value, a count, or a
//! whole-table scan. Repeated keyed lookups may be answered from one read of
//! the table (`lookup.rs`).

use super::cursor::{Explode, RowSource, Sources};
use super::fanout::scan;
use super::fill::{encode, resolve_all_placeholders, value_text};
use super::lookup;
use super::plan::{Access, Plan};
use super::source::{fetch_count, Fetch};
use super::value::Value;
use super::Ctx;
use crate::error::Result;
use crate::schema::{Pushdown, Table};
use serde_json::Value as Json;
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
        Access::Scan => scan(ctx, table),
        Access::Get => by_id(ctx, t, &keys),
        Access::Range { route, .. } => Ok(by_range(&t.pushdown[*route], &keys)),
        Access::Push(route) => by_route(ctx, t, plan, &t.pushdown[*route], &keys, also),
    }
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
    let path = t.get.clone().unwrap_or_default();
    for id in ids {
        sources.queue.push_back(RowSource::Fetch(Fetch {
            path: path.replace("{id}", &id),
            wrapper: t.source.wrapper.clone(),
            single: true,
            paged: false,
            missing_is_empty: true,
            parent: None,
            count: None,
        }));
    }
    Ok(sources)
}

/// A `between` route: keys[0] is the lower bound, keys[1] the upper (Null
/// when absent), each widened by a day.
fn by_range(pd: &Pushdown, keys: &[Value]) -> Sources {
    let (from, to) = (
        keys.first().and_then(|k| day(k, -1)),
        keys.get(1).and_then(|k| day(k, 1)),
    );
    let path = pd
        .list
        .replace("{from}", from.as_deref().unwrap_or("1970-01-01"))
        .replace("{to}", to.as_deref().unwrap_or("9999-12-31"));
    let mut sources = Sources::default();
    sources.queue.push_back(RowSource::Fetch(Fetch {
        path,
        wrapper: pd.wrapper.clone(),
        single: false,
        paged: pd.paged,
        missing_is_empty: true,
        parent: None,
        count: None,
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
    for v in values {
        if plan.count_only {
            if let Some(c) = &pd.count {
                let path = c.replace("{value}", &encode(&v));
                total += fetch_count(ctx, &ctx.scope(), &path)?;
            }
        } else {
            let Some(mut f) = push_fetch(t, pd, &v, also) else {
                continue;
            };
            if f.path.contains("*}") {
                f.path = resolve_all_placeholders(ctx, &f.path)?;
            }
            sources.queue.push_back(RowSource::Fetch(f));
        }
    }
    if plan.count_only {
        sources.empty_rows = Some(total);
    }
    Ok(sources)
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

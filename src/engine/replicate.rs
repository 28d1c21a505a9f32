//! Writes reaching the replica (CacheLocation, CacheConnection): once the API confirms an
//! INSERT, UPDATE or DELETE, the rows it changed are handed to the
//! connection's `WriteThrough` (src/replica/auto.rs), which applies them
//! in one transaction. The row an INSERT or UPDATE is answered with
//! replaces the replica's copy by key; a DELETE removes it. Child tables
//! embedded in the row's object (an order's products, a product's
//! variants) follow it: their rows under this parent are replaced by the
//! answer's. What cannot be known row by row (an answer without the row,
//! a key not known, children of children) marks the table stale instead,
//! so that the next sync reads it whole.

use super::value::{decode, lookup, Value};
use super::Ctx;
use crate::error::{Error, Result};
use crate::schema::{Column, Profile, Table};
use serde_json::Value as Json;

/// What one confirmed write changes in one table of the replica.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// The rows whose `key` columns equal these values are replaced by
    /// `rows` (whole rows in the profile's column order; none: deleted).
    Replace {
        table: String,
        key: Vec<(String, Value)>,
        rows: Vec<Vec<Value>>,
    },
    /// The write's effect on this table is not known row by row: its next
    /// sync reads it whole.
    Stale { table: String },
}

/// Applies the changes of one confirmed write (one transaction). A table
/// the replica does not hold is left alone: it never gets a partial copy.
pub trait WriteThrough: Send + Sync {
    /// Ok holds warnings: the replica could not follow the write now, and
    /// what was done instead so that its next read is right.
    fn apply(&self, changes: &[Change]) -> Result<Vec<String>>;
}

/// After an INSERT or UPDATE the API answered: its row and embedded
/// children. `given` is the statement's row (the values of `$parent`
/// columns, which the answer's object does not carry).
pub(super) fn upserted(
    ctx: &Ctx,
    t: &Table,
    answer: &Json,
    wrapper: Option<&str>,
    given: &[Option<Value>],
) -> Result<()> {
    let Some(sink) = &ctx.write_through else {
        return Ok(());
    };
    let changes = upsert_changes(&ctx.profile, t, answer, wrapper, given);
    warn_of(ctx, t, sink.apply(&changes))
}

/// After a DELETE the API confirmed: the row (by its key) and its children.
pub(super) fn deleted(ctx: &Ctx, t: &Table, id: Option<i64>, keys: &[Option<Value>]) -> Result<()> {
    let Some(sink) = &ctx.write_through else {
        return Ok(());
    };
    let row: Vec<Value> = t
        .columns
        .iter()
        .zip(keys.iter().chain(std::iter::repeat(&None)))
        .map(|(c, v)| match (c.name.as_str(), id) {
            ("id", Some(id)) => Value::Int(id),
            _ => v.clone().unwrap_or(Value::Null),
        })
        .collect();
    let mut changes = match key_of(t, &row) {
        Some(key) => vec![Change::Replace {
            table: t.name.clone(),
            key,
            rows: Vec::new(),
        }],
        None => vec![stale(t)],
    };
    changes.extend(children(&ctx.profile, t, &row, None));
    warn_of(ctx, t, sink.apply(&changes))
}

/// The replica's warnings become the statement's; its error is the
/// statement's, saying that the store accepted the write.
fn warn_of(ctx: &Ctx, t: &Table, applied: Result<Vec<String>>) -> Result<()> {
    let scope = ctx.scope();
    for w in applied.map_err(|e| not_replicated(t, e))? {
        scope.warn(format!(
            "The store accepted the write to {}; the local replica did not follow it: {w}",
            t.name
        ));
    }
    Ok(())
}

fn not_replicated(t: &Table, e: Error) -> Error {
    Error::new(
        e.kind,
        format!(
            "The store accepted the write to {}, but the local replica could not be updated: {}",
            t.name, e.message
        ),
    )
}

fn stale(t: &Table) -> Change {
    Change::Stale {
        table: t.name.clone(),
    }
}

fn upsert_changes(
    profile: &Profile,
    t: &Table,
    answer: &Json,
    wrapper: Option<&str>,
    given: &[Option<Value>],
) -> Vec<Change> {
    let obj = unwrapped(answer, wrapper);
    if !obj.is_object() {
        return std::iter::once(stale(t))
            .chain(descendants(profile, t).map(stale))
            .collect();
    }
    let row: Vec<Value> = t
        .columns
        .iter()
        .zip(given.iter().chain(std::iter::repeat(&None)))
        .map(|(c, g)| own_value(c, obj, g))
        .collect();
    let Some(key) = key_of(t, &row) else {
        return std::iter::once(stale(t))
            .chain(descendants(profile, t).map(stale))
            .collect();
    };
    let mut changes = vec![Change::Replace {
        table: t.name.clone(),
        key,
        rows: vec![row.clone()],
    }];
    changes.extend(children(profile, t, &row, Some(obj)));
    changes
}

/// The object a write answered: `{"order": {...}}` unwrapped, a one-item
/// array (routes that take arrays) opened.
fn unwrapped<'a>(answer: &'a Json, wrapper: Option<&str>) -> &'a Json {
    let inner = match (wrapper, answer) {
        (Some(w), Json::Object(m)) if m.contains_key(w) => &m[w],
        _ => answer,
    };
    match inner {
        Json::Array(items) if items.len() == 1 => &items[0],
        other => other,
    }
}

/// A column of the written row: from the answer, except the columns that
/// come from the row's parent or place (`$parent.id`, `$index`), which the
/// statement gave.
fn own_value(c: &Column, obj: &Json, given: &Option<Value>) -> Value {
    if c.json_path().starts_with('$') {
        return given.clone().unwrap_or(Value::Null);
    }
    decode(lookup(obj, c.json_path()), c.sql_type())
}

/// The primary key's columns and values; None when the table has no key
/// or a value is missing (the row cannot be found again).
fn key_of(t: &Table, row: &[Value]) -> Option<Vec<(String, Value)>> {
    if t.primary_key.is_empty() {
        return None;
    }
    t.primary_key
        .iter()
        .map(|k| {
            let i = t.columns.iter().position(|c| &c.name == k)?;
            match &row[i] {
                Value::Null => None,
                v => Some((k.clone(), v.clone())),
            }
        })
        .collect()
}

/// The tables whose rows live under `t`'s rows (any depth).
fn descendants<'p>(profile: &'p Profile, t: &Table) -> impl Iterator<Item = &'p Table> {
    let mut found: Vec<&Table> = Vec::new();
    let mut names = vec![t.name.clone()];
    while let Some(parent) = names.pop() {
        for c in profile.tables.iter().filter(|c| is_child(c, &parent)) {
            names.push(c.name.clone());
            found.push(c);
        }
    }
    found.into_iter()
}

fn is_child(c: &Table, parent: &str) -> bool {
    c.source
        .parent
        .as_ref()
        .is_some_and(|p| p.table.eq_ignore_ascii_case(parent))
}

/// The children of the row: each child table's rows under its key are
/// replaced by the answer's embedded array (`obj`; None after a DELETE:
/// removed). A child read from a sub-resource keeps its rows after an
/// INSERT or UPDATE (the answer does not carry them) and loses them with a
/// DELETE. Grandchildren are marked stale: their rows are found by keys of
/// the children, which the replica alone knows.
fn children(profile: &Profile, t: &Table, row: &[Value], obj: Option<&Json>) -> Vec<Change> {
    let mut changes = Vec::new();
    for child in profile.tables.iter().filter(|c| is_child(c, &t.name)) {
        let Some(p) = &child.source.parent else {
            continue;
        };
        let parent_key = t
            .columns
            .iter()
            .position(|c| c.name == p.parent_key)
            .map(|i| row[i].clone());
        let (Some(parent_key), Some(_)) = (
            parent_key.filter(|v| *v != Value::Null),
            child.columns.iter().find(|c| c.name == p.key),
        ) else {
            changes.push(stale(child));
            changes.extend(descendants(profile, child).map(stale));
            continue;
        };
        let rows = match (obj, &p.array) {
            (Some(obj), Some(array)) => {
                let parent = with_columns(t, row, obj);
                embedded_rows(child, &parent, array, p.item_wrapper.as_deref())
            }
            (Some(_), None) => continue,
            (None, _) => Vec::new(),
        };
        changes.push(Change::Replace {
            table: child.name.clone(),
            key: vec![(p.key.clone(), parent_key)],
            rows,
        });
        changes.extend(descendants(profile, child).map(stale));
    }
    changes
}

/// The parent's object as its children's `$parent.` paths see it: the
/// API's object, plus each of the parent row's columns by name where the
/// object lacks it (a key the parent got from its own parent), as a scan
/// gives it (`ApiCursor::row_json`).
fn with_columns(t: &Table, row: &[Value], obj: &Json) -> Json {
    let mut m = obj.as_object().cloned().unwrap_or_default();
    for (c, v) in t.columns.iter().zip(row) {
        m.entry(c.name.clone()).or_insert_with(|| v.to_json());
    }
    Json::Object(m)
}

/// A child's rows from the parent's array, decoded as a scan decodes them
/// (`$parent.` from the parent's object, `$index` the 1-based place).
fn embedded_rows(
    child: &Table,
    parent: &Json,
    array: &str,
    wrapper: Option<&str>,
) -> Vec<Vec<Value>> {
    let items = lookup(parent, array)
        .as_array()
        .cloned()
        .unwrap_or_default();
    items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            let item = match (wrapper, item) {
                (Some(w), Json::Object(m)) if m.contains_key(w) => &m[w],
                (_, i) => i,
            };
            child
                .columns
                .iter()
                .map(|c| {
                    let path = c.json_path();
                    if let Some(in_parent) = path.strip_prefix("$parent.") {
                        decode(lookup(parent, in_parent), c.sql_type())
                    } else if path == "$index" {
                        Value::Int(n as i64 + 1)
                    } else {
                        decode(lookup(item, path), c.sql_type())
                    }
                })
                .collect()
        })
        .collect()
}

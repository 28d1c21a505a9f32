//! INSERT, UPDATE and DELETE as API calls (xUpdate), from the profile's
//! write routes: a row becomes `{"<wrapper>": {...}}` with nested objects
//! rebuilt from the flattened column paths; `{column}` in a route path is
//! filled from the row (`{id}` is the row's id).

use super::fill::{fill, Piece};
use super::journal::Operation;
use super::value::Value;
use super::Ctx;
use crate::error::{Error, Kind, Result};
use crate::jumpseller::Method;
use crate::schema::{Column, Segment, SqlType, Table, Template, WriteRoute};
use serde_json::{Map, Value as Json};

/// Columns a route path needs (`{product_id}`): their values must always
/// reach xUpdate, never "unchanged".
pub fn path_columns(t: &Table) -> Vec<String> {
    let mut out = Vec::new();
    for r in [&t.insert, &t.update, &t.delete].into_iter().flatten() {
        out.extend(r.path.columns().map(str::to_string));
    }
    out
}

fn route<'a>(t: &'a Table, r: &'a Option<WriteRoute>, what: &str) -> Result<&'a WriteRoute> {
    r.as_ref().ok_or_else(|| {
        Error::new(
            Kind::NotImplemented,
            format!(
                "{} does not support {what}: the Jumpseller API has no such operation for it.",
                t.name
            ),
        )
    })
}

/// The path of a write route for one row: `{id}` is the row's id when
/// known, every `{column}` the row's value of that column.
fn fill_path(
    t: &Table,
    path: &Template,
    id: Option<i64>,
    values: &[Option<Value>],
) -> Result<String> {
    // The first column that cannot name the row, for the message.
    let mut unusable: Option<&str> = None;
    let filled = fill(path, |s| {
        let Segment::Column(name) = s else {
            return None;
        };
        if let (Some(id), "id") = (id, name.as_str()) {
            return Some(Piece::One(id.to_string()));
        }
        let (c, v) = t
            .columns
            .iter()
            .zip(values)
            .find(|(c, _)| c.name == *name)?;
        // A path names one row: no NULL, empty text or fractional number.
        let text = match v {
            Some(Value::Real(f)) if f.fract() != 0.0 => None,
            Some(v) => v.text().filter(|t| !t.is_empty()),
            None => None,
        };
        if text.is_none() {
            unusable.get_or_insert(c.name.as_str());
        }
        text.map(Piece::One)
    });
    match (filled, unusable) {
        (Some(p), _) => Ok(p),
        (None, Some(column)) => Err(Error::new(
            Kind::Constraint,
            format!("{}.{column} is needed to write this row.", t.name),
        )),
        (None, None) => Err(Error::new(
            Kind::Constraint,
            format!("The row lacks a value the route {path} needs."),
        )),
    }
}

/// A column's value in a request body: by the column's type where the API
/// wants one (BIT as a boolean, numeric text as a number), else by the
/// value's own (`Value::to_json`).
fn to_json(v: &Value, c: &Column) -> Json {
    match (v, c.sql_type()) {
        (Value::Int(i), SqlType::Bit) => Json::Bool(*i != 0),
        (Value::Text(s), SqlType::Bit) => Json::Bool(matches!(
            s.to_ascii_lowercase().as_str(),
            "1" | "true" | "yes"
        )),
        (
            Value::Text(s),
            SqlType::BigInt
            | SqlType::Integer
            | SqlType::SmallInt
            | SqlType::Decimal(..)
            | SqlType::Double,
        ) => serde_json::from_str::<serde_json::Number>(s.trim())
            .map(Json::Number)
            .unwrap_or_else(|_| Json::String(s.clone())),
        (v, _) => v.to_json(),
    }
}

/// The request body: given columns at their JSON paths (nested objects
/// rebuilt), leaving out parent keys, positions and the id.
fn body(t: &Table, wrapper: &Option<String>, values: &[Option<Value>], skip_nulls: bool) -> Json {
    let mut obj = Map::new();
    for (c, v) in t.columns.iter().zip(values) {
        let Some(v) = v else { continue };
        let path = c.json_path();
        if path.starts_with('$') || c.name == "id" || (skip_nulls && *v == Value::Null) {
            continue;
        }
        let mut cur = &mut obj;
        let parts: Vec<&str> = path.split('.').collect();
        for p in &parts[..parts.len() - 1] {
            let entry = cur
                .entry(p.to_string())
                .or_insert_with(|| Json::Object(Map::new()));
            if !entry.is_object() {
                *entry = Json::Object(Map::new());
            }
            cur = entry.as_object_mut().expect("object just made");
        }
        cur.insert(parts[parts.len() - 1].to_string(), to_json(v, c));
    }
    match wrapper {
        Some(w) => serde_json::json!({ w.as_str(): Json::Object(obj) }),
        None => Json::Object(obj),
    }
}

fn send(ctx: &Ctx, method: Method, path: &str, body: Option<&Json>) -> Result<Json> {
    let scope = ctx.scope();
    ctx.client
        .send(method, path, body, &scope.interrupt)
        .map_err(Error::from)
}

/// INSERT: POST; returns the new row's id (the rowid).
pub fn insert(ctx: &Ctx, t: &Table, values: &[Option<Value>]) -> Result<i64> {
    let r = route(t, &t.insert, "INSERT")?;
    let path = fill_path(t, &r.path, None, values)?;
    let answer = send(
        ctx,
        Method::Post,
        &path,
        Some(&body(t, &r.wrapper, values, true)),
    )?;
    let obj = match (&r.wrapper, &answer) {
        (Some(w), Json::Object(m)) if m.contains_key(w.as_str()) => &m[w.as_str()],
        _ => &answer,
    };
    ctx.journal.record_insert(&t.name, &path, obj);
    Ok(obj.get("id").and_then(|i| i.as_i64()).unwrap_or(0))
}

/// The row's identity for a route: the values remembered when the row was
/// read (child tables), else the rowid as `{id}`.
fn identity(
    t: &Table,
    rowid: i64,
    seen: Option<Vec<Option<Value>>>,
    given: &[Option<Value>],
) -> (Option<i64>, Vec<Option<Value>>) {
    match seen {
        Some(vals) => {
            let id = t
                .columns
                .iter()
                .zip(&vals)
                .find(|(c, _)| c.name == "id")
                .and_then(|(_, v)| match v {
                    Some(Value::Int(i)) => Some(*i),
                    _ => None,
                });
            // Placeholders from what was read; the statement's own values win.
            let merged = vals
                .into_iter()
                .zip(given.iter().cloned().chain(std::iter::repeat(None)))
                .map(|(s, g)| g.or(s))
                .collect();
            (id, merged)
        }
        None if t.source.parent.is_none() => (Some(rowid), given.to_vec()),
        None => (None, given.to_vec()),
    }
}

/// UPDATE: PUT of the changed columns only (None = unchanged).
pub fn update(
    ctx: &Ctx,
    t: &Table,
    rowid: i64,
    seen: Option<Vec<Option<Value>>>,
    values: &[Option<Value>],
) -> Result<()> {
    let r = route(t, &t.update, "UPDATE")?;
    let (id, keys) = identity(t, rowid, seen, values);
    let path = fill_path(t, &r.path, id, &keys)?;
    let changed: Vec<Option<Value>> = t
        .columns
        .iter()
        .zip(values)
        .map(|(c, v)| {
            if r.path.columns().any(|name| name == c.name) {
                None
            } else {
                v.clone()
            }
        })
        .collect();
    send(
        ctx,
        Method::Put,
        &path,
        Some(&body(t, &r.wrapper, &changed, false)),
    )?;
    ctx.journal.record(Operation::Update, &t.name, &path, id);
    Ok(())
}

/// DELETE of the row read with this rowid.
pub fn delete(ctx: &Ctx, t: &Table, rowid: i64, seen: Option<Vec<Option<Value>>>) -> Result<()> {
    let r = route(t, &t.delete, "DELETE")?;
    let (id, keys) = identity(t, rowid, seen, &vec![None; t.columns.len()]);
    let path = fill_path(t, &r.path, id, &keys)?;
    send(ctx, Method::Delete, &path, None)?;
    ctx.journal.record(Operation::Delete, &t.name, &path, id);
    Ok(())
}

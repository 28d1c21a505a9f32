//! INSERT, UPDATE and DELETE as API calls (xUpdate), from the profile's
//! write routes: a row becomes `{"<wrapper>": {...}}` with nested objects
//! rebuilt from the flattened column paths; `{column}` in a route path is
//! filled from the row (`{id}` is the row's id).

use super::value::Value;
use super::Ctx;
use crate::error::{Error, Kind, Result};
use crate::jumpseller::Method;
use crate::schema::{Column, SqlType, Table, WriteRoute};
use serde_json::{Map, Value as Json};

/// Columns a route path needs (`{product_id}`): their values must always
/// reach xUpdate, never "unchanged".
pub fn path_columns(t: &Table) -> Vec<String> {
    let mut out = Vec::new();
    for r in [&t.insert, &t.update, &t.delete].into_iter().flatten() {
        let mut rest = r.path.as_str();
        while let Some(i) = rest.find('{') {
            let Some(j) = rest[i..].find('}') else { break };
            out.push(rest[i + 1..i + j].to_string());
            rest = &rest[i + j + 1..];
        }
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

fn fill_path(t: &Table, path: &str, id: Option<i64>, values: &[Option<Value>]) -> Result<String> {
    let mut p = path.to_string();
    if let Some(id) = id {
        p = p.replace("{id}", &id.to_string());
    }
    for (c, v) in t.columns.iter().zip(values) {
        let key = format!("{{{}}}", c.name);
        if p.contains(&key) {
            let text = match v {
                Some(Value::Int(i)) => i.to_string(),
                Some(Value::Text(s)) if !s.is_empty() => super::fill::encode(s),
                Some(Value::Real(f)) if f.fract() == 0.0 => (*f as i64).to_string(),
                _ => {
                    return Err(Error::new(
                        Kind::Constraint,
                        format!("{}.{} is needed to write this row.", t.name, c.name),
                    ))
                }
            };
            p = p.replace(&key, &text);
        }
    }
    if p.contains('{') {
        return Err(Error::new(
            Kind::Constraint,
            format!("The row lacks a value the route {path} needs."),
        ));
    }
    Ok(p)
}

fn to_json(v: &Value, c: &Column) -> Json {
    match (v, c.sql_type()) {
        (Value::Null, _) => Json::Null,
        (Value::Int(i), SqlType::Bit) => Json::Bool(*i != 0),
        (Value::Int(i), _) => Json::from(*i),
        (Value::Real(f), _) => serde_json::Number::from_f64(*f)
            .map(Json::Number)
            .unwrap_or(Json::Null),
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
        (Value::Text(s), _) => Json::String(s.clone()),
        (Value::Blob(b), _) => Json::String(String::from_utf8_lossy(b).into_owned()),
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
            if r.path.contains(&format!("{{{}}}", c.name)) {
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
    Ok(())
}

/// DELETE of the row read with this rowid.
pub fn delete(ctx: &Ctx, t: &Table, rowid: i64, seen: Option<Vec<Option<Value>>>) -> Result<()> {
    let r = route(t, &t.delete, "DELETE")?;
    let (id, keys) = identity(t, rowid, seen, &vec![None; t.columns.len()]);
    let path = fill_path(t, &r.path, id, &keys)?;
    send(ctx, Method::Delete, &path, None)?;
    Ok(())
}

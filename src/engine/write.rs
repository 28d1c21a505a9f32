//! INSERT, UPDATE and DELETE as API calls (xUpdate), from the profile's
//! write routes: a row becomes `{"<wrapper>": {...}}` with nested objects
//! rebuilt from the flattened column paths; `{column}` in a route path is
//! filled from the row (`{id}` is the row's id).

use super::access;
use super::cursor::ApiCursor;
use super::fill::{fill, key_text, Piece};
use super::journal::Operation;
use super::plan::{Access, Plan};
use super::replicate;
use super::value::Value;
use super::Ctx;
use crate::error::{Error, Kind, Result};
use crate::jumpseller::Method;
use crate::schema::{Column, Op, Segment, SqlType, Table, Template, WriteRoute};
use serde_json::{Map, Value as Json};
use std::sync::Arc;

/// Columns a route needs from the row (`{product_id}` in its path, a key
/// it `send`s in its body): their values must always reach xUpdate, never
/// "unchanged".
pub fn path_columns(t: &Table) -> Vec<String> {
    let mut out = Vec::new();
    for r in [&t.insert, &t.update, &t.delete].into_iter().flatten() {
        out.extend(r.path.columns().map(str::to_string));
        out.extend(r.send.iter().cloned());
    }
    out
}

/// Refuses a value for a column the route does not take (`columns` of the
/// route): the API would ignore it, and the statement would report a
/// change that did not happen. `given` says which values the statement
/// gives: an INSERT's non-NULL ones, an UPDATE's changed ones.
fn only_taken(
    t: &Table,
    r: &WriteRoute,
    what: &str,
    values: &[Option<Value>],
    given: impl Fn(&Value) -> bool,
) -> Result<()> {
    let Some(taken) = &r.columns else {
        return Ok(());
    };
    let keys = path_columns(t);
    let refused = t
        .columns
        .iter()
        .zip(values)
        .filter(|(c, _)| !keys.contains(&c.name) && !r.takes(&c.name))
        .find(|(_, v)| v.as_ref().is_some_and(&given));
    match refused {
        Some((c, _)) => Err(Error::new(
            Kind::NotImplemented,
            format!(
                "{}.{} cannot be set by an {what}: the API's route ({}) takes only {}.",
                t.name,
                c.name,
                r.path,
                taken.join(", ")
            ),
        )),
        None => Ok(()),
    }
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
fn body(t: &Table, r: &WriteRoute, values: &[Option<Value>], skip_nulls: bool) -> Json {
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
    obj.extend(r.fixed.clone());
    let inner = match r.item_array {
        true => Json::Array(vec![Json::Object(obj)]),
        false => Json::Object(obj),
    };
    match &r.wrapper {
        Some(w) => serde_json::json!({ w.as_str(): inner }),
        None => inner,
    }
}

/// The values a body carries: the statement's (None = not sent), and the
/// route's `send` columns from the row as read (`keys`), when not NULL.
fn with_sent(
    t: &Table,
    r: &WriteRoute,
    values: Vec<Option<Value>>,
    keys: &[Option<Value>],
) -> Vec<Option<Value>> {
    t.columns
        .iter()
        .zip(values)
        .zip(keys)
        .map(|((c, v), k)| match r.send.contains(&c.name) {
            true => k.clone().filter(|k| *k != Value::Null),
            false => v,
        })
        .collect()
}

/// Sends one write and says exactly what became of it (issue 14.8):
/// - a DELETE answered 404 found the row already gone, which is what it
///   wanted (a retried DELETE whose first answer was lost sees exactly that);
/// - a POST whose answer was lost may have created the record: the error
///   says the outcome is unknown rather than imply nothing happened;
/// - any failure names the rows this statement had already written, since
///   the store has no transactions to undo them.
fn send(ctx: &Ctx, method: Method, path: &str, body: Option<&Json>) -> Result<Json> {
    let scope = ctx.scope();
    let sent = ctx.client.send(method, path, body, &scope.interrupt);
    let outcome = match sent {
        Ok(answer) => Ok(answer),
        Err(e) if method == Method::Delete && e.status == Some(404) => Ok(Json::Null),
        Err(e) => Err(Error::from(e)),
    };
    match outcome {
        Ok(answer) => {
            let created = match new_id(&answer) {
                Some(id) if method == Method::Post => format!(" (id {id})"),
                _ => String::new(),
            };
            scope.note_written(format!("{} {path}{created}", method_name(method)));
            Ok(answer)
        }
        Err(mut e) => {
            let unknown = method == Method::Post
                && matches!(e.kind, Kind::Lost | Kind::Timeout | Kind::Cancelled);
            if unknown {
                e.message = format!(
                    "The outcome of POST {path} is unknown: the request was sent but its answer was lost ({}). It may have created the record: check the store before running the statement again.",
                    e.message
                );
            }
            if let Some(done) = scope.written_summary() {
                e.message = format!("{} Already written by this statement: {done}.", e.message);
            }
            Err(e)
        }
    }
}

/// The id in a write's answer, wrapped (`{"category": {"id": 13}}`) or not.
fn new_id(answer: &Json) -> Option<i64> {
    answer
        .get("id")
        .and_then(Json::as_i64)
        .or_else(|| match answer {
            Json::Object(m) if m.len() == 1 => m.values().next()?.get("id")?.as_i64(),
            _ => None,
        })
}

fn method_name(method: Method) -> &'static str {
    match method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Delete => "DELETE",
    }
}

/// The statement's conflict mode, as xUpdate learns it
/// (`sqlite3_vtab_on_conflict`): plain INSERT (ABORT, FAIL, ROLLBACK),
/// INSERT OR IGNORE, INSERT OR REPLACE / REPLACE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    Abort,
    Ignore,
    Replace,
}

/// What an INSERT did with one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    /// POSTed: the new row's id (the rowid).
    Created(i64),
    /// REPLACE of a row whose key exists: PUT; its id.
    Updated(i64),
    /// INSERT OR IGNORE of a row whose key exists: nothing sent.
    Skipped,
}

/// The key columns the API assigns: primary-key columns the insert route
/// does not take from the row (`id`, a document's `public_id`). A row that
/// names them names a record that exists, or one the API cannot create.
fn assigned_key(t: &Table) -> Vec<usize> {
    let Some(r) = &t.insert else {
        return Vec::new();
    };
    // Columns the route lists are the row's to give (a member's customer id).
    let listed = |c: &Column| r.columns.as_ref().is_some_and(|cs| cs.contains(&c.name));
    t.columns
        .iter()
        .enumerate()
        .filter(|(_, c)| t.primary_key.contains(&c.name))
        .filter(|(_, c)| !listed(c))
        .filter(|(_, c)| !r.path.columns().any(|p| p == c.name))
        .filter(|(_, c)| !c.json_path().starts_with('$'))
        .map(|(i, _)| i)
        .collect()
}

/// `name = value` pairs of the key a row names, for messages.
fn key_words(t: &Table, key: &[usize], values: &[Option<Value>]) -> String {
    key.iter()
        .map(|&i| {
            let v = values
                .get(i)
                .cloned()
                .flatten()
                .and_then(|v| v.text())
                .unwrap_or_default();
            format!("{} = {v}", t.columns[i].name)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// INSERT of one row, by the statement's conflict mode. A row that leaves
/// the API-assigned key out (or NULL) is POSTed in every mode: nothing can
/// conflict with it. A row that names it costs one existence check first
/// (`exists`): an existing key is 23000 for a plain INSERT, skipped for
/// INSERT OR IGNORE, PUT for REPLACE; a key that does not exist is refused in
/// every mode, since the API assigns ids and would create the record under
/// another one.
pub fn insert(
    ctx: &Arc<Ctx>,
    table: usize,
    rowid: Option<i64>,
    values: &[Option<Value>],
    mode: Conflict,
) -> Result<Inserted> {
    let t = &ctx.profile.tables[table];
    let r = route(t, &t.insert, "INSERT")?;
    only_taken(t, r, "INSERT", values, |v| *v != Value::Null)?;
    let mut values = values.to_vec();
    let key = assigned_key(t);
    // A rowid given for a plain table is its id; a child's rowid is ours.
    if let Some(rowid) = rowid {
        let id = t.columns.iter().position(|c| c.name == "id");
        let plain = t.source.parent.is_none() && t.primary_key == ["id"];
        match id {
            Some(i) if plain => match values[i].as_ref().and_then(integer) {
                Some(given) if given != rowid => {
                    return Err(Error::new(
                        Kind::Constraint,
                        format!("The rowid ({rowid}) and {}.id ({given}) of the row differ: a row of {} has one id.", t.name, t.name),
                    ))
                }
                _ => values[i] = Some(Value::Int(rowid)),
            },
            _ => {
                return Err(Error::new(
                    Kind::Constraint,
                    format!("{}'s rowid is the driver's, not the API's: an INSERT cannot give it.", t.name),
                ))
            }
        }
    }
    let named = key
        .iter()
        .any(|&i| values[i].as_ref().is_some_and(|v| *v != Value::Null));
    if named {
        let words = key_words(t, &key, &values);
        if mode == Conflict::Replace {
            route(
                t,
                &t.update,
                "UPDATE (which REPLACE of an existing row needs)",
            )?;
        }
        if !exists(ctx, table, &key, &values)? {
            return Err(Error::new(
                Kind::Constraint,
                format!(
                    "{} has no row with {words}, and the API assigns keys: an INSERT cannot create a row under a key of its choosing. Leave {} out (or NULL) to create a row with a new one.",
                    t.name,
                    key.iter().map(|&i| t.columns[i].name.as_str()).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        return match mode {
            Conflict::Abort => Err(Error::new(
                Kind::Constraint,
                format!(
                    "{} already has a row with {words} (UNIQUE constraint failed). INSERT OR REPLACE updates it; INSERT OR IGNORE skips it.",
                    t.name
                ),
            )),
            Conflict::Ignore => Ok(Inserted::Skipped),
            Conflict::Replace => {
                let u = route(t, &t.update, "UPDATE (which REPLACE of an existing row needs)")?;
                let id = t
                    .columns
                    .iter()
                    .zip(&values)
                    .find(|(c, _)| c.name == "id")
                    .and_then(|(_, v)| v.as_ref().and_then(integer));
                let path = fill_path(t, &u.path, id, &values)?;
                let given: Vec<Option<Value>> = t
                    .columns
                    .iter()
                    .zip(&values)
                    .map(|(c, v)| {
                        if u.path.columns().any(|name| name == c.name) {
                            None
                        } else {
                            v.clone()
                        }
                    })
                    .collect();
                let given = with_sent(t, u, given, &values);
                let answer = send(ctx, Method::Put, &path, Some(&body(t, u, &given, true)))?;
                ctx.journal.record(Operation::Update, &t.name, &path, id);
                replicate::upserted(ctx, t, &answer, u.wrapper.as_deref(), &values)?;
                Ok(Inserted::Updated(id.unwrap_or_else(|| ctx.next_rowid())))
            }
        };
    }
    let path = fill_path(t, &r.path, None, &values)?;
    let answer = send(
        ctx,
        Method::Post,
        &path,
        Some(&body(t, r, &with_sent(t, r, values.clone(), &values), true)),
    )?;
    let obj = match (&r.wrapper, &answer) {
        (Some(w), Json::Object(m)) if m.contains_key(w.as_str()) => &m[w.as_str()],
        _ => &answer,
    };
    ctx.journal.record_insert(&t.name, &path, obj);
    ctx.identity
        .record(&t.name, obj.get("id").and_then(|i| i.as_i64()));
    replicate::upserted(ctx, t, &answer, r.wrapper.as_deref(), &values)?;
    Ok(Inserted::Created(
        obj.get("id").and_then(|i| i.as_i64()).unwrap_or(0),
    ))
}

/// An integer key value (`2`, `2.0`, `'2'`); None for anything else.
fn integer(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Real(f) if f.fract() == 0.0 => Some(*f as i64),
        Value::Text(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Whether the record a row's key names exists. A plain table: a GET by id
/// now (not from the page memo), 404 meaning "no such record". Any other
/// table (a child, a document): the rows of the '=' route its insert path
/// values name (the parent's rows, as this statement reads them), compared
/// on the key. A table with neither is refused: the key cannot be checked.
fn exists(ctx: &Arc<Ctx>, table: usize, key: &[usize], values: &[Option<Value>]) -> Result<bool> {
    let t = &ctx.profile.tables[table];
    let text = |i: usize| values[i].as_ref().and_then(key_text);
    let names = || {
        key.iter()
            .map(|&i| t.columns[i].name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if t.source.parent.is_none() && t.primary_key == ["id"] {
        if let Some(get) = &t.get {
            let Some(id) = key
                .first()
                .and_then(|&i| values[i].as_ref())
                .and_then(integer)
            else {
                // Ids are integers: no record has this one.
                return Ok(false);
            };
            let path = fill(get, |_| Some(Piece::One(id.to_string()))).unwrap_or_default();
            let scope = ctx.scope();
            return match ctx.client.get(&path, &scope.interrupt) {
                Ok(_) => Ok(true),
                Err(e) if e.status == Some(404) => Ok(false),
                Err(e) => Err(e.into()),
            };
        }
    }
    // The rows sharing the row's route keys (its parent's), by the most
    // specific '=' route the row has every value for.
    let given: Vec<(&str, Value)> = t
        .insert
        .iter()
        .flat_map(|r| r.path.columns())
        .filter_map(|name| {
            let (c, v) = t.columns.iter().zip(values).find(|(c, _)| c.name == name)?;
            let v = v.clone().filter(|v| *v != Value::Null)?;
            Some((c.name.as_str(), v))
        })
        .collect();
    let value_of = |name: &str| {
        given
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    };
    let route = t
        .pushdown
        .iter()
        .enumerate()
        .filter(|(_, pd)| pd.op == Op::Eq)
        .filter(|(_, pd)| {
            value_of(&pd.column).is_some() && pd.also.iter().all(|a| value_of(a).is_some())
        })
        .max_by_key(|(_, pd)| pd.also.len());
    let Some((index, pd)) = route else {
        return Err(Error::new(
            Kind::NotImplemented,
            format!(
                "{} cannot check whether a row with {} exists, so an INSERT cannot name {}: leave it out to create a row, or UPDATE the existing one.",
                t.name,
                key_words(t, key, values),
                names()
            ),
        ));
    };
    let plan = Plan {
        access: Access::Push(index),
        in_list: false,
        limit_arg: None,
        count_only: false,
        also_args: Vec::new(),
        columns: u64::MAX,
    };
    let also: Vec<Value> = pd.also.iter().filter_map(|a| value_of(a)).collect();
    let keys = vec![value_of(&pd.column).unwrap_or(Value::Null)];
    let wanted: Vec<(usize, Option<String>)> = key.iter().map(|&i| (i, text(i))).collect();
    let mut cursor = ApiCursor::new(ctx.clone(), table);
    cursor.start(access::sources(ctx, table, &plan, keys, &also)?, None)?;
    while !cursor.is_eof() {
        let same = wanted
            .iter()
            .all(|(i, w)| key_text(&cursor.value(&t.columns[*i])) == *w);
        if same {
            return Ok(true);
        }
        cursor.advance()?;
    }
    Ok(false)
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

/// An UPDATE may not move a row to another key: the API keeps a record's
/// id, and a child's parent, fixed (the PUT would silently keep them, or
/// reach another record). A key column's new value must be its old one.
fn key_kept(
    t: &Table,
    rowid: i64,
    seen: &Option<Vec<Option<Value>>>,
    values: &[Option<Value>],
) -> Result<()> {
    let keys = path_columns(t);
    // A column the update route lists is what it changes, even when its
    // path carries it (`?position={position}`).
    let changes = |name: &str| {
        t.update
            .as_ref()
            .and_then(|r| r.columns.as_ref())
            .is_some_and(|cs| cs.iter().any(|c| c == name))
    };
    for (i, c) in t.columns.iter().enumerate() {
        if changes(&c.name) || !keys.contains(&c.name) && !t.primary_key.contains(&c.name) {
            continue;
        }
        let Some(new) = values.get(i).cloned().flatten() else {
            continue;
        };
        let old = match seen.as_ref().and_then(|s| s.get(i).cloned().flatten()) {
            Some(old) => Some(old),
            None if c.name == "id" && t.source.parent.is_none() => Some(Value::Int(rowid)),
            None => None,
        };
        let Some(old) = old else { continue };
        let same = match (integer(&old), integer(&new)) {
            (Some(a), Some(b)) => a == b,
            _ => key_text(&old) == key_text(&new),
        };
        if !same {
            return Err(Error::new(
                Kind::NotImplemented,
                format!(
                    "{}.{} cannot be changed by an UPDATE ({} to {}): the API keeps a record's key and parent. INSERT a new row (without its id) and DELETE the old one instead.",
                    t.name,
                    c.name,
                    old.text().unwrap_or_else(|| "NULL".into()),
                    new.text().unwrap_or_else(|| "NULL".into())
                ),
            ));
        }
    }
    Ok(())
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
    key_kept(t, rowid, &seen, values)?;
    only_taken(t, r, "UPDATE", values, |_| true)?;
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
    let changed = with_sent(t, r, changed, &keys);
    let answer = send(ctx, Method::Put, &path, Some(&body(t, r, &changed, false)))?;
    ctx.journal.record(Operation::Update, &t.name, &path, id);
    replicate::upserted(ctx, t, &answer, r.wrapper.as_deref(), &keys)
}

/// DELETE of the row read with this rowid.
pub fn delete(ctx: &Ctx, t: &Table, rowid: i64, seen: Option<Vec<Option<Value>>>) -> Result<()> {
    let r = route(t, &t.delete, "DELETE")?;
    let (id, keys) = identity(t, rowid, seen, &vec![None; t.columns.len()]);
    let path = fill_path(t, &r.path, id, &keys)?;
    send(ctx, Method::Delete, &path, None)?;
    ctx.journal.record(Operation::Delete, &t.name, &path, id);
    replicate::deleted(ctx, t, id, &keys)
}

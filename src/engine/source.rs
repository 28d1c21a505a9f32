//! Rows from the API: the requests a plan turns into, paging until a short
//! page, unwrapping `{"product": {...}}`, and the per-statement page memo (a
//! self-join or a correlated subquery never fetches the same page twice).

use super::scope::Scope;
use super::Ctx;
use crate::error::{Error, Kind, Result};
use crate::schema::Table;
use serde_json::Value as Json;
use std::sync::Arc;

/// One API source of objects: a path (value already filled in), how its
/// objects are wrapped, and whether it pages.
#[derive(Debug, Clone)]
pub struct Fetch {
    pub path: String,
    pub wrapper: Option<String>,
    pub single: bool,
    pub paged: bool,
    /// 404 means "no such row" (get by id, lookup by e-mail), not an error.
    pub missing_is_empty: bool,
    /// The parent object of everything this source returns (sub-resources).
    pub parent: Option<Arc<Json>>,
    /// `{"count": n}` endpoint for exactly this source, when there is one.
    pub count: Option<String>,
}

impl Fetch {
    /// A table's own list endpoint (a whole-table scan of a plain table).
    /// Its path and count take no placeholders (checked with the profile).
    pub fn table_list(t: &Table) -> Fetch {
        Fetch {
            path: t.source.list.as_deref().unwrap_or_default().to_string(),
            wrapper: t.source.wrapper.clone(),
            single: t.source.single,
            paged: t.source.paged,
            missing_is_empty: t.source.empty_on_404,
            parent: None,
            count: if t.source.parent.is_none() {
                t.count.as_ref().map(|c| c.to_string())
            } else {
                None
            },
        }
    }
}

pub type Page = Arc<Vec<Arc<Json>>>;

/// Fetches page `page` (1-based) of a source; a single-object source has only
/// page 1. Returns the objects and whether more pages may follow.
/// `scope` is the run's (page memo, interrupt); a prefetch thread passes the
/// one it captured.
pub fn fetch_page(
    ctx: &Ctx,
    scope: &Scope,
    f: &Fetch,
    page: u32,
    limit: u32,
) -> Result<(Page, bool)> {
    let path = if f.paged && !f.single {
        let sep = if f.path.contains('?') { '&' } else { '?' };
        format!("{}{sep}page={page}&limit={limit}", f.path)
    } else {
        f.path.clone()
    };
    if let Some(hit) = scope.cached(&path) {
        let more = f.paged && !f.single && hit.len() as u32 >= limit;
        return Ok((hit, more));
    }
    let body = match ctx.client.get(&path, &scope.interrupt) {
        Ok(b) => b,
        Err(e) if e.status == Some(404) && f.missing_is_empty => Json::Array(vec![]),
        Err(e) => return Err(e.into()),
    };
    let items = unwrap_body(body, f)?;
    let more = f.paged && !f.single && items.len() as u32 >= limit;
    let items: Page = Arc::new(items);
    scope.remember(path, items.clone());
    Ok((items, more))
}

fn unwrap_body(body: Json, f: &Fetch) -> Result<Vec<Arc<Json>>> {
    let list = match body {
        Json::Array(a) => a,
        obj @ Json::Object(_) if f.single => vec![obj],
        other => {
            return Err(Error::new(
                Kind::Malformed,
                format!(
                    "The API answered {} with {} where a list was expected.",
                    f.path,
                    kind_of(&other)
                ),
            ))
        }
    };
    Ok(list
        .into_iter()
        .map(|item| {
            Arc::new(match (&f.wrapper, item) {
                (Some(w), Json::Object(mut m)) if m.contains_key(w.as_str()) => {
                    m.remove(w.as_str()).unwrap_or(Json::Null)
                }
                (_, other) => other,
            })
        })
        .collect())
}

fn kind_of(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

/// `{"count": n}`
/// Asked once per statement and path: a count-only inner table of a join
/// (`SELECT COUNT(*) FROM Orders a, Orders b`) is filtered once per outer
/// row, and each would otherwise cost a request.
pub fn fetch_count(ctx: &Ctx, scope: &Scope, path: &str) -> Result<u64> {
    if let Some(n) = scope.count(path) {
        return Ok(n);
    }
    let n = request_count(ctx, scope, path)?;
    scope.remember_count(path, n);
    Ok(n)
}

fn request_count(ctx: &Ctx, scope: &Scope, path: &str) -> Result<u64> {
    let body = ctx
        .client
        .get(path, &scope.interrupt)
        .map_err(Error::from)?;
    body.get("count")
        .and_then(|c| {
            c.as_u64()
                .or_else(|| c.as_str().and_then(|s| s.parse().ok()))
        })
        .ok_or_else(|| {
            Error::new(
                Kind::Malformed,
                format!("The API answered {path} without a count."),
            )
        })
}

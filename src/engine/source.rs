//! Rows from the API: the requests a plan turns into, paging until a short
//! page, unwrapping `{"product": {...}}`, and the per-statement page memo (a
//! self-join or a correlated subquery never fetches the same page twice).

use super::fill::{fill, Piece};
use super::keep::{self, Decoded, Keep};
use super::record::Record;
use super::scope::Scope;
use super::Ctx;
use crate::error::{Error, Kind, Result};
use crate::schema::{Table, Template};
use bytes::Bytes;
use serde_json::Value as Json;
use std::sync::mpsc::{channel, SendError, Sender};
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
    /// The fields of each object the statement reads (None: all of them).
    pub keep: Option<Arc<Keep>>,
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
            keep: None,
        }
    }
}

pub type Page = Arc<Vec<Arc<Record>>>;

/// A page as a request thread leaves it. A scan's page (one that keeps
/// only some fields) comes as its body's bytes, unchecked, and is decoded ahead of the
/// reader by the pager's one decoding thread (`Decoder`, `decode_ahead`):
/// the reader (SQLFetch's thread) then only takes decoded pages, and the
/// decoding runs beside it on another core. One thread, not each request
/// thread: every page's values are then built by one thread, whose
/// allocator reuses the memory the reader frees (built by the request
/// threads, each page went to a malloc arena of its own, and a scan's
/// memory grew with the arenas). A text that does not decode is asked for
/// again by the reader, through the client's retries, like any bad body.
pub enum Answer {
    Page(Page, bool),
    Text {
        body: Bytes,
        /// The page memo's key.
        key: String,
        /// More may follow when the page holds this many objects.
        full_at: Option<u32>,
    },
    /// A text decoded ahead of the reader, not yet in the page memo.
    Decoded {
        items: Vec<Arc<Record>>,
        key: String,
        full_at: Option<u32>,
    },
}

/// A job for the decoding thread.
type Job = Box<dyn FnOnce() + Send>;

/// The thread that decodes a pager's pages ahead of the reader: it runs
/// the jobs the request threads hand it, one at a time, and ends when the
/// pager and every request thread of it have let go of it.
#[derive(Clone)]
pub struct Decoder(Sender<Job>);

impl Decoder {
    pub fn start() -> Decoder {
        let (tx, rx) = channel::<Job>();
        // A thread that cannot start drops `rx`: `decode` then decodes
        // on the request thread.
        let _ = std::thread::Builder::new()
            .name("jumpseller-dec".into())
            .spawn(move || {
                for job in rx {
                    job();
                }
            });
        Decoder(tx)
    }

    /// Decodes a request thread's answer (`decode_ahead`) on the decoding
    /// thread, and sends it to the reader through `reply`.
    pub fn decode(&self, f: Fetch, answer: Result<Answer>, reply: Sender<Result<Answer>>) {
        let job: Job = Box::new(move || {
            let _ = reply.send(answer.map(|a| decode_ahead(&f, a)));
        });
        if let Err(SendError(job)) = self.0.send(job) {
            // No decoding thread (it could not start): the reader decodes.
            job();
        }
    }
}

/// A request thread's text decoded (and its objects unwrapped); a text
/// that does not decode is left as it is, for the reader (`settle`).
fn decode_ahead(f: &Fetch, answer: Answer) -> Answer {
    let Answer::Text { body, key, full_at } = answer else {
        return answer;
    };
    match decode_body(f, &body).ok().and_then(|d| items_of(d, f).ok()) {
        Some(items) => Answer::Decoded {
            items,
            key,
            full_at,
        },
        None => Answer::Text { body, key, full_at },
    }
}

fn decode_body(f: &Fetch, body: &[u8]) -> serde_json::Result<Decoded> {
    match &f.keep {
        Some(k) => keep::decode(body, f.wrapper.as_deref(), k),
        None => keep::whole(body).map(Decoded::Whole),
    }
}

/// Fetches page `page` (1-based) of a source; a single-object source has only
/// page 1. Returns the objects and whether more pages may follow.
/// `scope` is the run's (page memo, interrupt); a prefetch thread passes the
/// one it captured (and calls `page_ahead`). `fresh`: ask the API even when
/// the page memo holds the page (a re-read after the store changed), and
/// remember the new answer.
pub fn fetch_page(
    ctx: &Ctx,
    scope: &Scope,
    f: &Fetch,
    page: u32,
    limit: u32,
    fresh: bool,
) -> Result<(Page, bool)> {
    let paged = f.paged && !f.single;
    let path = page_path(f, page, limit);
    take(fetch_path(
        ctx,
        scope,
        f,
        path,
        fresh,
        paged.then_some(limit),
        false,
    )?)
}

fn page_path(f: &Fetch, page: u32, limit: u32) -> String {
    if f.paged && !f.single {
        let sep = if f.path.contains('?') { '&' } else { '?' };
        format!("{}{sep}page={page}&limit={limit}", f.path)
    } else {
        f.path.clone()
    }
}

/// The page of an answer fetched by the reader itself (always decoded).
fn take(answer: Answer) -> Result<(Page, bool)> {
    match answer {
        Answer::Page(page, more) => Ok((page, more)),
        Answer::Text { .. } | Answer::Decoded { .. } => {
            Err(Error::new(Kind::General, "internal: an undecoded page"))
        }
    }
}

/// `fetch_page` as a request thread does it: see `Answer`.
pub fn page_ahead(
    ctx: &Ctx,
    scope: &Scope,
    f: &Fetch,
    page: u32,
    limit: u32,
    fresh: bool,
) -> Result<Answer> {
    let paged = f.paged && !f.single;
    let path = page_path(f, page, limit);
    fetch_path(ctx, scope, f, path, fresh, paged.then_some(limit), true)
}

/// An id cursor: the objects of a keyset route (`/orders/after/{value}.json`)
/// with an id greater than `after`, at most `limit` of them, in ascending id
/// order. Returns them and whether more may follow (the page is full).
pub fn fetch_after(
    ctx: &Ctx,
    scope: &Scope,
    f: &Fetch,
    route: &Template,
    after: i64,
    limit: u32,
) -> Result<(Page, bool)> {
    take(fetch_path(
        ctx,
        scope,
        f,
        after_path(route, after, limit),
        false,
        Some(limit),
        false,
    )?)
}

fn after_path(route: &Template, after: i64, limit: u32) -> String {
    let path = fill(route, |_| Some(Piece::One(after.to_string()))).unwrap_or_default();
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}limit={limit}")
}

/// `fetch_after` as a request thread does it: see `Answer`.
pub fn after_ahead(
    ctx: &Ctx,
    scope: &Scope,
    f: &Fetch,
    route: &Template,
    after: i64,
    limit: u32,
) -> Result<Answer> {
    fetch_path(
        ctx,
        scope,
        f,
        after_path(route, after, limit),
        false,
        Some(limit),
        true,
    )
}

/// One GET of a source's objects, through the statement's page memo;
/// `ahead`: by a request thread (see `Answer`).
fn fetch_path(
    ctx: &Ctx,
    scope: &Scope,
    f: &Fetch,
    path: String,
    fresh: bool,
    full_at: Option<u32>,
    ahead: bool,
) -> Result<Answer> {
    // Pages decoded for other fields are other pages.
    let key = match &f.keep {
        Some(k) => format!("{path}\n{}", k.tag()),
        None => path.clone(),
    };
    let more = |items: &Page| full_at.is_some_and(|l| items.len() as u32 >= l);
    if !fresh {
        if let Some(hit) = scope.cached(&key) {
            let m = more(&hit);
            return Ok(Answer::Page(hit, m));
        }
    }
    let wrapper = f.wrapper.as_deref();
    let body = match &f.keep {
        Some(_) if ahead => match ctx.client.get_body(&path, &scope.interrupt) {
            Ok(body) => return Ok(Answer::Text { body, key, full_at }),
            Err(e) => Err(e),
        },
        // Decoded inside the client's retries: a bad body is asked again.
        Some(k) => ctx
            .client
            .get_with(&path, &scope.interrupt, &|t| keep::decode(t, wrapper, k)),
        None => ctx.client.get(&path, &scope.interrupt).map(Decoded::Whole),
    };
    let items = match body {
        Ok(decoded) => items_of(decoded, f)?,
        Err(e) if e.status == Some(404) && f.missing_is_empty => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let items: Page = Arc::new(items);
    scope.remember(key, items.clone());
    let m = more(&items);
    Ok(Answer::Page(items, m))
}

fn items_of(decoded: Decoded, f: &Fetch) -> Result<Vec<Arc<Record>>> {
    match decoded {
        Decoded::Kept(items) => Ok(items
            .into_iter()
            .map(|k| Arc::new(Record::Kept(k)))
            .collect()),
        Decoded::Whole(body) => unwrap_body(body, f),
    }
}

/// The page of a request thread's answer: decoded where it came as text,
/// and remembered; `again` fetches it anew (in this thread, through the
/// client's retries) when the text does not decode.
pub fn settle(
    scope: &Scope,
    f: &Fetch,
    answer: Answer,
    again: impl FnOnce() -> Result<(Page, bool)>,
) -> Result<(Page, bool)> {
    let (items, key, full_at) = match answer {
        Answer::Page(page, more) => return Ok((page, more)),
        Answer::Decoded {
            items,
            key,
            full_at,
        } => (items, key, full_at),
        Answer::Text { body, key, full_at } => {
            let Ok(decoded) = decode_body(f, &body) else {
                return again();
            };
            (items_of(decoded, f)?, key, full_at)
        }
    };
    let items: Page = Arc::new(items);
    scope.remember(key, items.clone());
    let more = full_at.is_some_and(|l| items.len() as u32 >= l);
    Ok((items, more))
}

fn unwrap_body(body: Json, f: &Fetch) -> Result<Vec<Arc<Record>>> {
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
            Arc::new(Record::Whole(match (&f.wrapper, item) {
                (Some(w), Json::Object(mut m)) if m.contains_key(w.as_str()) => {
                    m.remove(w.as_str()).unwrap_or(Json::Null)
                }
                (_, other) => other,
            }))
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
    fetch_count_as(ctx, scope, path, path, false)
}

/// A count remembered for the statement under `key` (a scan's count taken
/// at its end is not the one taken at its start); `fresh` asks again.
pub fn fetch_count_as(ctx: &Ctx, scope: &Scope, path: &str, key: &str, fresh: bool) -> Result<u64> {
    if !fresh {
        if let Some(n) = scope.count(key) {
            return Ok(n);
        }
    }
    let n = request_count(ctx, scope, path)?;
    scope.remember_count(key, n);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_fetch() -> Fetch {
        Fetch {
            path: "/orders.json".into(),
            wrapper: Some("order".into()),
            single: false,
            paged: true,
            missing_is_empty: false,
            parent: None,
            count: None,
            keep: Some(Arc::new(Keep::new(["id".to_string()]))),
        }
    }

    fn text(body: &str) -> Result<Answer> {
        Ok(Answer::Text {
            body: Bytes::copy_from_slice(body.as_bytes()),
            key: "k".into(),
            full_at: Some(2),
        })
    }

    /// The decoding thread hands the reader pages decoded, each as its
    /// request thread's answer, and leaves a text that does not decode as
    /// it is (the reader asks for it again); it ends with its last sender.
    #[test]
    fn the_decoding_thread_decodes_what_decodes_and_leaves_the_rest() {
        let decoder = Decoder::start();
        let (tx, rx) = channel();
        let f = scan_fetch();
        decoder.decode(
            f.clone(),
            text(r#"[{"order": {"id": 7}}, {"id": 8}]"#),
            tx.clone(),
        );
        decoder.decode(f.clone(), text(r#"[{"order": {"id": 7}}"#), tx.clone());
        decoder.decode(f.clone(), Err(Error::new(Kind::General, "no")), tx);
        drop(decoder);
        match rx.recv().unwrap().unwrap() {
            Answer::Decoded {
                items,
                key,
                full_at,
            } => {
                let ids: Vec<_> = items.iter().map(|r| r.get("id").cloned()).collect();
                assert_eq!(ids, [Some(7.into()), Some(8.into())]);
                assert_eq!((key.as_str(), full_at), ("k", Some(2)));
            }
            _ => panic!("not decoded"),
        }
        assert!(matches!(rx.recv().unwrap(), Ok(Answer::Text { .. })));
        assert!(rx.recv().unwrap().is_err());
        assert!(rx.recv().is_err(), "every sender gone");
    }
}

//! Paging a source with pages requested ahead of the reader, so a scan runs
//! at the rate limit rather than at one round trip per page. Requests go
//! through the store's shared limiter like any other; the window is bounded
//! (memory does not grow with the table) and, where a count endpoint exists,
//! never runs past the last page.
//!
//! A scan must stay exact while the store changes under it: every record
//! that exists for the whole scan is handed out once, records created or
//! deleted meanwhile at most once, nothing else. Two ways to page give that:
//! - **keyset** (a table with an id-cursor route, `/orders/after/{id}.json`):
//!   each page is asked for after the last id seen, so a record created or
//!   deleted elsewhere in the list shifts nothing;
//! - **offset** (`page`/`limit` only): objects already handed out are never
//!   handed out again (by id, over the whole scan), and a pass over the list
//!   is checked when it ends: an id met twice (the list shifted right), or
//!   the count at the start, the count at the end and the objects read not
//!   all equal (a record came or went, and may have shifted another past the
//!   reader), mean the list is read again, handing out only what was not
//!   yet; if the store keeps changing, the scan fails with 40001 rather than
//!   answer with a wrong set.

use super::record::Record;
use super::scope::Scope;
use super::source::{
    after_ahead, fetch_after, fetch_count_as, fetch_page, page_ahead, settle, Answer, Decoder,
    Fetch, Page,
};
use super::Ctx;
use crate::error::{Error, Kind, Result};
use crate::schema::Template;
use std::collections::{BTreeMap, HashSet};
use std::sync::mpsc::{channel, Receiver};
use std::sync::Arc;

/// Passes over an offset-paged list before a scan gives up on a store that
/// keeps changing under it.
const MAX_PASSES: u32 = 3;

pub struct Pager {
    fetch: Fetch,
    /// The run this source reads for: its threads use it, not whichever
    /// statement is being stepped when they run.
    scope: Arc<Scope>,
    limit: u32,
    /// Most pages in flight at once (0: strictly sequential).
    depth: u32,
    /// No object beyond this many is wanted (a pushed-down LIMIT).
    max_rows: Option<u64>,
    /// Objects handed out.
    handed: u64,
    /// Keyset or offset: chosen at the first page (a table's own list with
    /// an id-cursor route is read by id), or set by `Pager::keyset`.
    mode: Option<Mode>,
}

enum Mode {
    Offset(Box<Offset>),
    Keyset(Box<Keyset>),
}

impl Pager {
    pub fn new(
        fetch: Fetch,
        scope: Arc<Scope>,
        limit: u32,
        depth: u32,
        max_rows: Option<u64>,
    ) -> Pager {
        Pager {
            fetch,
            scope,
            limit: limit.max(1),
            depth,
            max_rows,
            handed: 0,
            mode: None,
        }
    }

    /// A keyset route's rows with an id greater than `after`, read page
    /// after page by the last id seen.
    pub fn keyset(
        fetch: Fetch,
        route: Template,
        after: i64,
        scope: Arc<Scope>,
        limit: u32,
        depth: u32,
        max_rows: Option<u64>,
    ) -> Pager {
        let mut p = Pager::new(fetch, scope, limit, depth, max_rows);
        p.mode = Some(Mode::Keyset(Box::new(Keyset::new(route, after))));
        p
    }

    pub fn fetch(&self) -> &Fetch {
        &self.fetch
    }

    /// The next page of objects not handed out before (it may be empty), or
    /// None at the end of the source.
    pub fn next(&mut self, ctx: &Arc<Ctx>) -> Result<Option<Page>> {
        if self.max_rows.is_some_and(|m| self.handed >= m) {
            return Ok(None);
        }
        if self.mode.is_none() {
            // A pushed-down LIMIT wants any n rows, distinct: page offsets give
            // the list's own order (newest orders first) at the same cost, and
            // dropping repeats keeps them distinct.
            let keyset = match self.max_rows {
                None => list_keyset(ctx, &self.fetch),
                Some(_) => None,
            };
            self.mode = Some(match keyset {
                Some(route) => Mode::Keyset(Box::new(Keyset::new(route, 0))),
                None => Mode::Offset(Box::new(Offset::new(
                    self.max_rows.map(|rows| pages_for_rows(rows, self.limit)),
                ))),
            });
        }
        let page = match self.mode.as_mut() {
            Some(Mode::Keyset(k)) => k.next(
                ctx,
                &self.fetch,
                &self.scope,
                self.limit,
                self.depth,
                self.max_rows,
                self.handed,
            )?,
            Some(Mode::Offset(o)) => {
                o.next(ctx, &self.fetch, &self.scope, self.limit, self.depth)?
            }
            None => None,
        };
        if let Some(p) = &page {
            self.handed += p.len() as u64;
        }
        Ok(page)
    }
}

/// The id-cursor route of a table whose own list `f` reads, if it has one.
fn list_keyset(ctx: &Ctx, f: &Fetch) -> Option<Template> {
    if !f.paged || f.single || f.parent.is_some() {
        return None;
    }
    let t =
        ctx.profile.tables.iter().find(|t| {
            t.source.parent.is_none() && t.source.list.as_deref() == Some(f.path.as_str())
        })?;
    t.pushdown
        .iter()
        .find(|pd| pd.keyset)
        .map(|pd| pd.list.clone())
}

fn object_id(o: &Record) -> Option<i64> {
    o.integer("id")
}

/// Reading by id: `route` with the last id seen, `limit` objects a page in
/// ascending id order. The next page depends on the last id, so pages are
/// requested ahead at guessed cursors: `limit` apart, the least a full page
/// of distinct ids can span. A guess never skips a record: a page is used
/// only if it was asked after an id the reader has reached (the greatest
/// such one), and then holds every id between that one and its own last;
/// objects the reader already has are dropped. Dense ids (no deletions)
/// make every guess exact; sparse ones make guesses overlap, and once a
/// guessed page brings less than half a page of new objects, guessing stops
/// and the rest is read one page at a time.
struct Keyset {
    route: Template,
    /// The last id handed out (or the route's value at the start).
    cursor: i64,
    done: bool,
    /// Pages in flight, by the id they were asked after.
    ahead: BTreeMap<i64, Receiver<Result<Answer>>>,
    /// Pages to have in flight: ramps 1, 2, 4 ... up to the depth when the
    /// size is unknown.
    window: u32,
    /// Rows of the source, from its count (bounds the guesses).
    total: Option<u64>,
    counting: Option<Receiver<Result<u64>>>,
    count_asked: bool,
    /// Whether guessed pages still pay.
    guess: bool,
    /// Decodes the pages asked ahead (started with the first of them).
    decoder: Option<Decoder>,
}

impl Keyset {
    fn new(route: Template, after: i64) -> Keyset {
        Keyset {
            route,
            cursor: after,
            done: false,
            ahead: BTreeMap::new(),
            window: 1,
            total: None,
            counting: None,
            count_asked: false,
            guess: true,
            decoder: None,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn next(
        &mut self,
        ctx: &Arc<Ctx>,
        fetch: &Fetch,
        scope: &Arc<Scope>,
        limit: u32,
        depth: u32,
        max_rows: Option<u64>,
        handed: u64,
    ) -> Result<Option<Page>> {
        loop {
            if self.done {
                return Ok(None);
            }
            if let Some(rx) = self.counting.take() {
                // The count went out with the second page and answers about
                // as fast: with it, the pages after can leave now.
                self.total = rx.recv().ok().and_then(|r| r.ok());
                if let (Some(n), Some(path)) = (self.total, &fetch.count) {
                    ctx.remember_count_of(path, n);
                }
                self.schedule(ctx, fetch, scope, limit, depth, max_rows, handed);
            }
            let cursor = self.cursor;
            let best = self.ahead.range(..=cursor).next_back().map(|(k, _)| *k);
            let (asked, answer) = match best.and_then(|k| self.ahead.remove(&k).map(|rx| (k, rx))) {
                Some((k, rx)) => match scope.interrupt.wait_for(&rx).map_err(Error::from)? {
                    Some(r) => (
                        k,
                        r.and_then(|a| {
                            settle(scope, fetch, a, || {
                                fetch_after(ctx, scope, fetch, &self.route, k, limit)
                            })
                        }),
                    ),
                    None => (k, fetch_after(ctx, scope, fetch, &self.route, k, limit)),
                },
                None => (
                    cursor,
                    fetch_after(ctx, scope, fetch, &self.route, cursor, limit),
                ),
            };
            // Pages asked after smaller ids hold less of what is left.
            self.ahead.retain(|&k, _| k > asked);
            let (page, full) = answer?;
            let mut last = asked;
            for o in page.iter() {
                match object_id(o) {
                    Some(id) if id > last => last = id,
                    _ => {
                        return Err(Error::new(
                            Kind::Malformed,
                            format!(
                                "The API answered {} after id {asked} with objects not in ascending id order: a scan by id cannot be exact.",
                                self.route
                            ),
                        ))
                    }
                }
            }
            let new: Vec<Arc<Record>> = page
                .iter()
                .filter(|o| object_id(o).is_some_and(|id| id > cursor))
                .cloned()
                .collect();
            if asked < cursor && (new.len() as u32) * 2 < limit {
                self.guess = false;
            }
            self.cursor = self.cursor.max(last);
            let handed = handed + new.len() as u64;
            // A short page holds every id after the one it was asked after.
            // Unless the count says rows are left (a server that caps pages
            // below `limit`): then one more page settles it.
            let rows_left = self.total.is_some_and(|t| handed < t);
            let at_end = !(full || (!page.is_empty() && rows_left));
            if at_end || max_rows.is_some_and(|m| handed >= m) {
                self.done = true;
                self.ahead.clear();
            } else {
                if !self.count_asked && full && depth > 0 {
                    self.ask_count(ctx, fetch, scope);
                }
                self.schedule(ctx, fetch, scope, limit, depth, max_rows, handed);
            }
            if !new.is_empty() || self.done {
                return Ok(Some(Arc::new(new)));
            }
        }
    }

    /// The count request, sent beside the second page (the first was full,
    /// so the source has more than one page).
    fn ask_count(&mut self, ctx: &Arc<Ctx>, fetch: &Fetch, scope: &Arc<Scope>) {
        self.count_asked = true;
        let Some(path) = fetch.count.clone() else {
            return;
        };
        if let Some(n) = ctx.count_of(&path) {
            self.total = Some(n);
            return;
        }
        let (tx, rx) = channel();
        let (c, scope) = (ctx.clone(), scope.clone());
        ctx.client.workers().run(Box::new(move || {
            let _ = tx.send(fetch_count_as(&c, &scope, &path, &path, false));
        }));
        self.counting = Some(rx);
    }

    /// Requests the pages at the guessed cursors ahead of the reader.
    #[allow(clippy::too_many_arguments)]
    fn schedule(
        &mut self,
        ctx: &Arc<Ctx>,
        fetch: &Fetch,
        scope: &Arc<Scope>,
        limit: u32,
        depth: u32,
        max_rows: Option<u64>,
        handed: u64,
    ) {
        if depth == 0 || self.done {
            return;
        }
        let mut pages = if self.guess { self.window } else { 1 };
        if self.total.is_some() && self.guess {
            pages = depth;
        }
        // Not past the count's end (one page at a time beyond it), nor past
        // what a LIMIT needs.
        if let Some(t) = self.total {
            pages = pages.min((t.saturating_sub(handed) / limit as u64) as u32 + 1);
        }
        if let Some(m) = max_rows {
            pages = pages.min(pages_for_rows(m.saturating_sub(handed), limit));
        }
        for k in 0..pages as i64 {
            if self.ahead.len() as u32 >= depth {
                break;
            }
            let key = self.cursor.saturating_add(k * limit as i64);
            if self.ahead.contains_key(&key) {
                continue;
            }
            let (c, scope) = (ctx.clone(), scope.clone());
            let route = self.route.clone();
            let rx = ask_ahead(ctx, &mut self.decoder, fetch, move |f| {
                after_ahead(&c, &scope, f, &route, key, limit)
            });
            self.ahead.insert(key, rx);
        }
        self.window = next_window(self.window, depth);
    }
}

/// Reading by page number, with the checks that keep it exact (see the
/// module's comment).
struct Offset {
    /// The next page to hand out; None when the pass is over.
    next: Option<u32>,
    /// Pages ahead to request now: grows 1, 2, 4 ... up to `depth` when
    /// the size of the source is unknown.
    window: u32,
    /// Last page needed to see the end (from the count), when known.
    last_needed: Option<u32>,
    /// No page beyond this one is wanted (a pushed-down LIMIT).
    max_pages: Option<u32>,
    ahead: BTreeMap<u32, Receiver<Result<Answer>>>,
    /// The count request, sent together with page 2.
    counting: Option<Receiver<Result<u64>>>,
    count_asked: bool,
    /// The count as this pass began (None: unknown).
    start_count: Option<u64>,
    /// Ids handed out, over every pass.
    seen: HashSet<i64>,
    /// Ids met in this pass, and objects without one.
    pass_ids: HashSet<i64>,
    pass_anonymous: u64,
    /// An id came twice in this pass: the list shifted under it.
    shifted: bool,
    pages_read: u32,
    /// Passes over the list before this one.
    pass: u32,
    /// Decodes the pages asked ahead (started with the first of them).
    decoder: Option<Decoder>,
}

impl Offset {
    fn new(max_pages: Option<u32>) -> Offset {
        Offset {
            next: Some(1),
            window: 1,
            last_needed: None,
            max_pages,
            ahead: BTreeMap::new(),
            counting: None,
            count_asked: false,
            start_count: None,
            seen: HashSet::new(),
            pass_ids: HashSet::new(),
            pass_anonymous: 0,
            shifted: false,
            pages_read: 0,
            pass: 0,
            decoder: None,
        }
    }

    fn next(
        &mut self,
        ctx: &Arc<Ctx>,
        fetch: &Fetch,
        scope: &Arc<Scope>,
        limit: u32,
        depth: u32,
    ) -> Result<Option<Page>> {
        let Some(n) = self.next else { return Ok(None) };
        let fresh = self.pass > 0;
        if n == 1 && self.max_pages.is_none_or(|m| m > 1) {
            self.count_first(ctx, fetch, scope, limit);
        }
        if n == 2 && depth > 0 {
            if let Some(rx) = self.counting.take() {
                // The count went out with page 2 and answers about as fast:
                // with it, pages 3.. can leave now instead of after page 2.
                self.start_count = rx.recv().ok().and_then(|r| r.ok());
                self.schedule(ctx, fetch, scope, 1, limit, depth);
            }
        }
        let (page, more) = match self.ahead.remove(&n) {
            Some(rx) => match scope.interrupt.wait_for(&rx).map_err(Error::from)? {
                Some(r) => settle(scope, fetch, r?, || {
                    fetch_page(ctx, scope, fetch, n, limit, fresh)
                })?,
                None => fetch_page(ctx, scope, fetch, n, limit, fresh)?,
            },
            None => fetch_page(ctx, scope, fetch, n, limit, fresh)?,
        };
        self.pages_read += 1;
        let paged = fetch.paged && !fetch.single;
        let cut = self.max_pages.is_some_and(|m| n >= m);
        if more && !cut {
            self.next = Some(n + 1);
            if n == 1 && fetch.count.is_some() && !self.count_asked {
                // The count taken at the start of the pass, to check it by.
                self.ask_count(ctx, fetch, scope);
            }
            self.schedule(ctx, fetch, scope, n, limit, depth);
        } else {
            self.next = None;
            // Pages already requested past the end are simply dropped.
            self.ahead.clear();
        }
        let page = self.without_repeats(page);
        if paged && self.next.is_none() && !cut && !self.pass_is_exact(ctx, fetch, scope) {
            if self.pass + 1 >= MAX_PASSES {
                return Err(Error::odbc(
                    "40001",
                    format!(
                        "The store changed during the scan of {} ({} reads); run the query again.",
                        fetch.path, MAX_PASSES
                    ),
                ));
            }
            self.restart();
        }
        Ok(Some(page))
    }

    /// The objects of a page that were not handed out before; notes the
    /// pass's ids.
    fn without_repeats(&mut self, page: Page) -> Page {
        let mut repeats = false;
        let mut ids = Vec::with_capacity(page.len());
        for o in page.iter() {
            match object_id(o) {
                Some(id) => {
                    // Met on an earlier page of this pass: the list shifted.
                    self.shifted |= self.pass_ids.contains(&id);
                    repeats |= self.seen.contains(&id);
                    ids.push(id);
                }
                None => self.pass_anonymous += 1,
            }
        }
        self.pass_ids.extend(ids);
        let page = if repeats {
            Arc::new(
                page.iter()
                    .filter(|o| !object_id(o).is_some_and(|id| self.seen.contains(&id)))
                    .cloned()
                    .collect(),
            )
        } else {
            page
        };
        self.seen.extend(page.iter().filter_map(|o| object_id(o)));
        page
    }

    /// Whether the pass just ended read the list as it was: one page is
    /// one answer; more need no id met twice and, with a count, the same
    /// count at both ends, equal to the objects read.
    fn pass_is_exact(&mut self, ctx: &Arc<Ctx>, fetch: &Fetch, scope: &Arc<Scope>) -> bool {
        if self.pages_read <= 1 {
            return true;
        }
        if self.shifted {
            return false;
        }
        let Some(path) = fetch.count.clone() else {
            return true;
        };
        if let Some(rx) = self.counting.take() {
            self.start_count = rx.recv().ok().and_then(|r| r.ok());
        }
        // A count that cannot be had leaves only the ids to go by.
        let Some(start) = self.start_count else {
            return true;
        };
        let key = format!("{path}#end");
        let Ok(end) = fetch_count_as(ctx, scope, &path, &key, self.pass > 0) else {
            return true;
        };
        let read = self.pass_ids.len() as u64 + self.pass_anonymous;
        start == end && read == end
    }

    /// The count a pass is checked by is taken before its first page: a
    /// record deleted after page 1 and before a later count would leave
    /// both counts and the objects read equal, one object short. Done for
    /// a table's own list (a whole-table scan) unless this connection has
    /// seen it fit well in one page (one page is one answer), and for every
    /// re-read. Otherwise (filtered lists, usually one page) the count goes
    /// out with page 2, and only a deletion in that narrow window between
    /// page 1 and the count can pass unnoticed.
    fn count_first(&mut self, ctx: &Arc<Ctx>, fetch: &Fetch, scope: &Arc<Scope>, limit: u32) {
        let Some(path) = fetch.count.as_deref() else {
            return;
        };
        if !fetch.paged || fetch.single {
            return;
        }
        let table_list = ctx.profile.tables.iter().any(|t| {
            t.source.parent.is_none() && t.source.list.as_deref() == Some(fetch.path.as_str())
        });
        let small = ctx.count_of(path).is_some_and(|n| n < limit as u64 / 2);
        if self.pass == 0 && (small || !table_list) {
            return;
        }
        self.count_asked = true;
        match fetch_count_as(ctx, scope, path, path, self.pass > 0) {
            Ok(n) => {
                ctx.remember_count_of(path, n);
                self.start_count = Some(n);
            }
            // Unknown: the window ramps and only the ids check the pass.
            Err(_) => self.start_count = None,
        }
    }

    /// Reads the list again from page 1, past the page memo.
    fn restart(&mut self) {
        self.next = Some(1);
        self.window = 1;
        self.last_needed = None;
        self.ahead.clear();
        self.counting = None;
        self.count_asked = false;
        self.start_count = None;
        self.pass_ids.clear();
        self.pass_anonymous = 0;
        self.shifted = false;
        self.pages_read = 0;
        self.pass += 1;
    }

    /// Sends the count request beside page 2 (page 1 was full, so the
    /// source has more than one page): knowing the size then costs no round
    /// trip of its own, and a one-page answer never pays for a count. It is
    /// the statement's own (the pass is checked by it), asked again on a
    /// re-read.
    fn ask_count(&mut self, ctx: &Arc<Ctx>, fetch: &Fetch, scope: &Arc<Scope>) {
        let Some(path) = fetch.count.clone() else {
            return;
        };
        self.count_asked = true;
        let fresh = self.pass > 0;
        if !fresh {
            if let Some(n) = scope.count(&path) {
                self.start_count = Some(n);
                return;
            }
        }
        let (tx, rx) = channel();
        let (c, scope) = (ctx.clone(), scope.clone());
        ctx.client.workers().run(Box::new(move || {
            let r = fetch_count_as(&c, &scope, &path, &path, fresh);
            if let Ok(n) = r {
                c.remember_count_of(&path, n);
            }
            let _ = tx.send(r);
        }));
        self.counting = Some(rx);
    }

    fn schedule(
        &mut self,
        ctx: &Arc<Ctx>,
        fetch: &Fetch,
        scope: &Arc<Scope>,
        n: u32,
        limit: u32,
        depth: u32,
    ) {
        if depth == 0 || fetch.single || !fetch.paged {
            return;
        }
        // One count request bounds the window exactly: with total rows, page
        // total/limit + 1 is the first one that is short. The count only
        // sizes the window: if it fails, the size is unknown and the window
        // ramps instead; the scan goes on.
        if self.last_needed.is_none() {
            if let Some(total) = self.start_count {
                self.last_needed = Some(last_page(total, limit));
                self.window = depth;
            }
        }
        let hi = window_end(n, self.window, self.last_needed, self.max_pages);
        let fresh = self.pass > 0;
        for p in n + 1..=hi {
            if self.ahead.len() as u32 >= depth {
                break;
            }
            if self.ahead.contains_key(&p) {
                continue;
            }
            let (c, scope) = (ctx.clone(), scope.clone());
            let rx = ask_ahead(ctx, &mut self.decoder, fetch, move |f| {
                page_ahead(&c, &scope, f, p, limit, fresh)
            });
            self.ahead.insert(p, rx);
        }
        self.window = next_window(self.window, depth);
    }
}

/// A page asked for ahead of the reader by a request thread (`ask`, on
/// one of the connection's workers); a scan's page, which comes as text,
/// is then decoded by the pager's decoding thread (see `source::Answer`),
/// started here the first time.
fn ask_ahead(
    ctx: &Ctx,
    decoder: &mut Option<Decoder>,
    fetch: &Fetch,
    ask: impl FnOnce(&Fetch) -> Result<Answer> + Send + 'static,
) -> Receiver<Result<Answer>> {
    let (tx, rx) = channel();
    let f = fetch.clone();
    let decoder = f
        .keep
        .is_some()
        .then(|| decoder.get_or_insert_with(Decoder::start).clone());
    ctx.client.workers().run(Box::new(move || {
        let answer = ask(&f);
        match decoder {
            Some(d) => d.decode(f, answer, tx),
            None => {
                let _ = tx.send(answer);
            }
        }
    }));
    rx
}

/// Pages a pushed-down LIMIT of `rows` can need, at `limit` rows a page.
fn pages_for_rows(rows: u64, limit: u32) -> u32 {
    rows.div_ceil(limit.max(1) as u64).max(1) as u32
}

/// The first short page of a source of `total` rows at `limit` a page: the
/// last one needed to see the end.
fn last_page(total: u64, limit: u32) -> u32 {
    (total / limit.max(1) as u64) as u32 + 1
}

/// The last page to have requested once page `n` is read: `window` pages
/// ahead, but not past the count's last page while the reader is before it
/// (rows added since the count are still read, one page at a time), nor
/// past the pages a LIMIT needs.
fn window_end(n: u32, window: u32, last_needed: Option<u32>, max_pages: Option<u32>) -> u32 {
    let mut end = n + window;
    if let Some(last) = last_needed.filter(|&last| n < last) {
        end = end.min(last);
    }
    if let Some(max) = max_pages {
        end = end.min(max);
    }
    end
}

/// Without a count the window doubles after each page, up to `depth`.
fn next_window(window: u32, depth: u32) -> u32 {
    (window * 2).min(depth.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The window ends scheduled after pages 1, 2, 3 ... (no count).
    fn ramp(depth: u32, pages: u32, max_pages: Option<u32>) -> Vec<u32> {
        let mut window = 1;
        (1..=pages)
            .map(|n| {
                let end = window_end(n, window, None, max_pages);
                window = next_window(window, depth);
                end
            })
            .collect()
    }

    #[test]
    fn without_a_count_the_window_ramps_1_2_4_8() {
        // After page 1, page 2; after page 2, pages 3-4; then 4 ahead, then 8.
        assert_eq!(ramp(8, 6, None), [2, 4, 7, 12, 13, 14]);
        // A smaller Prefetch caps the ramp.
        assert_eq!(ramp(2, 4, None), [2, 4, 5, 6]);
    }

    #[test]
    fn the_count_bounds_the_window_at_the_last_page() {
        // 250 rows at 100 a page: page 3 is the last (short) one.
        assert_eq!(last_page(250, 100), 3);
        // An exact multiple: page 3 comes back empty and ends the scan.
        assert_eq!(last_page(200, 100), 3);
        assert_eq!(window_end(1, 8, Some(3), None), 3);
        assert_eq!(window_end(2, 8, Some(3), None), 3);
        // Past the counted end (rows were added), one page at a time
        // as the window allows, not bounded by the stale count.
        assert_eq!(window_end(3, 1, Some(3), None), 4);
        assert_eq!(window_end(4, 8, Some(3), None), 12);
    }

    #[test]
    fn a_pushed_down_limit_bounds_the_window() {
        assert_eq!(pages_for_rows(150, 100), 2);
        assert_eq!(pages_for_rows(0, 100), 1);
        assert_eq!(pages_for_rows(5, 0), 5);
        assert_eq!(window_end(1, 8, None, Some(2)), 2);
        assert_eq!(window_end(1, 8, Some(10), Some(2)), 2);
        assert_eq!(ramp(8, 3, Some(2)), [2, 2, 2]);
    }
}

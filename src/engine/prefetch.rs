//! Paging a source with pages requested ahead of the reader, so a scan runs
//! at the rate limit rather than at one round trip per page. Requests go
//! through the store's shared limiter like any other; the window is bounded
//! (memory does not grow with the table) and, where a count endpoint exists,
//! never runs past the last page.

use super::scope::Scope;
use super::source::{fetch_count, fetch_page, Fetch, Page};
use super::Ctx;
use crate::error::Result;
use std::collections::BTreeMap;
use std::sync::mpsc::{channel, Receiver};
use std::sync::Arc;

pub struct Pager {
    fetch: Fetch,
    /// The run this source reads for: its threads use it, not whichever
    /// statement is being stepped when they run.
    scope: Arc<Scope>,
    /// The next page to hand out; None when the source is exhausted.
    next: Option<u32>,
    limit: u32,
    /// Most pages in flight at once (0: strictly sequential).
    depth: u32,
    /// Pages ahead to request now: grows 1, 2, 4 ... up to `depth` when
    /// the size of the source is unknown.
    window: u32,
    /// Last page needed to see the end (from the count), when known.
    last_needed: Option<u32>,
    /// No page beyond this one is wanted (a pushed-down LIMIT).
    max_pages: Option<u32>,
    ahead: BTreeMap<u32, Receiver<Result<(Page, bool)>>>,
    /// The count request, sent together with page 2.
    counting: Option<Receiver<Result<u64>>>,
    count_asked: bool,
}

impl Pager {
    pub fn new(
        fetch: Fetch,
        scope: Arc<Scope>,
        limit: u32,
        depth: u32,
        max_rows: Option<u64>,
    ) -> Pager {
        let max_pages = max_rows.map(|r| r.div_ceil(limit.max(1) as u64).max(1) as u32);
        Pager {
            fetch,
            scope,
            next: Some(1),
            limit,
            depth,
            window: 1,
            last_needed: None,
            max_pages,
            ahead: BTreeMap::new(),
            counting: None,
            count_asked: false,
        }
    }

    /// Sends the count request beside page 2 (page 1 was full, so the
    /// source has more than one page): knowing the size then costs no round
    /// trip of its own, and a one-page answer never pays for a count.
    fn start_count(&mut self, ctx: &Arc<Ctx>) {
        let Some(path) = self.fetch.count.clone() else {
            return;
        };
        if ctx.count_of(&path).is_some() {
            return;
        }
        self.count_asked = true;
        let (tx, rx) = channel();
        let (ctx, scope) = (ctx.clone(), self.scope.clone());
        std::thread::spawn(move || {
            let r = fetch_count(&ctx, &scope, &path);
            if let Ok(n) = r {
                ctx.remember_count_of(&path, n);
            }
            let _ = tx.send(r);
        });
        self.counting = Some(rx);
    }

    pub fn fetch(&self) -> &Fetch {
        &self.fetch
    }

    /// The next page, or None at the end of the source.
    pub fn next(&mut self, ctx: &Arc<Ctx>) -> Result<Option<Page>> {
        let Some(n) = self.next else { return Ok(None) };
        if n == 2 && self.counting.is_some() {
            // The count went out with page 2 and answers about as fast: with
            // it, pages 3.. can leave now instead of after page 2 arrives.
            self.schedule(ctx, 1)?;
        }
        let (page, more) = match self.ahead.remove(&n) {
            Some(rx) => match rx.recv() {
                Ok(r) => r?,
                Err(_) => fetch_page(ctx, &self.scope, &self.fetch, n, self.limit)?,
            },
            None => fetch_page(ctx, &self.scope, &self.fetch, n, self.limit)?,
        };
        if more && self.max_pages.is_none_or(|m| n < m) {
            self.next = Some(n + 1);
            self.schedule(ctx, n)?;
        } else {
            self.next = None;
            // Pages already requested past the end are simply dropped.
            self.ahead.clear();
        }
        Ok(Some(page))
    }

    fn schedule(&mut self, ctx: &Arc<Ctx>, n: u32) -> Result<()> {
        if self.depth == 0 || self.fetch.single || !self.fetch.paged {
            return Ok(());
        }
        if self.last_needed.is_none() {
            if let Some(path) = self.fetch.count.clone() {
                // One count request bounds the window exactly: with total
                // rows, page total/limit + 1 is the first one that is short.
                // Page 2 is needed either way, so it goes out with the count.
                // The count only sizes the window: if it fails, the size is
                // unknown and the window ramps instead; the scan goes on.
                let total = match (ctx.count_of(&path), self.counting.take()) {
                    (Some(t), _) => Some(t),
                    (None, Some(rx)) => rx.recv().ok().and_then(|r| r.ok()),
                    (None, None) => {
                        self.start_count(ctx);
                        None
                    }
                };
                match total {
                    Some(total) => {
                        self.last_needed = Some((total / self.limit.max(1) as u64) as u32 + 1);
                        self.window = self.depth;
                    }
                    // The count was asked for and failed: do not ask again.
                    None if self.counting.is_none()
                        && ctx.count_of(&path).is_none()
                        && self.count_asked =>
                    {
                        self.fetch.count = None
                    }
                    None => {}
                }
            }
        }
        let mut hi = n + self.window;
        if let Some(l) = self.last_needed {
            // Rows added since the count are still read: pages past it
            // follow one at a time.
            if n < l {
                hi = hi.min(l);
            }
        }
        if let Some(m) = self.max_pages {
            hi = hi.min(m);
        }
        for p in n + 1..=hi {
            if self.ahead.len() as u32 >= self.depth {
                break;
            }
            if self.ahead.contains_key(&p) {
                continue;
            }
            let (tx, rx) = channel();
            let (ctx, scope) = (ctx.clone(), self.scope.clone());
            let (f, limit) = (self.fetch.clone(), self.limit);
            std::thread::spawn(move || {
                let _ = tx.send(fetch_page(&ctx, &scope, &f, p, limit));
            });
            self.ahead.insert(p, rx);
        }
        self.window = (self.window * 2).min(self.depth.max(1));
        Ok(())
    }
}

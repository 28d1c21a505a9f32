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
        Pager {
            fetch,
            scope,
            next: Some(1),
            limit,
            depth,
            window: 1,
            last_needed: None,
            max_pages: max_rows.map(|rows| pages_for_rows(rows, limit)),
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
                        self.last_needed = Some(last_page(total, self.limit));
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
        let hi = window_end(n, self.window, self.last_needed, self.max_pages);
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
        self.window = next_window(self.window, self.depth);
        Ok(())
    }
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

//! What belongs to one statement's run rather than to the connection: its
//! interrupt token, the error behind SQLite's last "module error", the page
//! memo, the join lookups and the path columns of rows read for a write.
//!
//! SQLite runs one statement of a connection at a time (it holds the
//! connection's mutex across `sqlite3_step`, which is where the virtual
//! tables make their requests). A statement installs its scope while it holds
//! that mutex, so every callback of the step sees the scope of the statement
//! being stepped. Threads a callback starts (prefetch, counts) capture the
//! scope instead of reading the installed one.

use super::lookup::LookupState;
use super::source::Page;
use super::value::Value;
use crate::error::Error;
use crate::jumpseller::Interrupt;
use rusqlite::ffi;
use serde_json::Value as Json;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

/// The write-route path column values of one row (None where the row had NULL).
pub type RowKeys = Vec<Option<Value>>;

pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every value guarded here stays valid if a holder panicked mid-update
    // (a panic is turned into an error by the callback guard).
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Default)]
pub struct Scope {
    pub interrupt: Interrupt,
    /// The structured error behind SQLite's last "module error" text.
    error: Mutex<Option<Error>>,
    /// Pages fetched by this run, by request path.
    pages: Mutex<PageMemo>,
    /// Keyed lookups of this run, by table.
    lookups: Mutex<HashMap<String, LookupState>>,
    /// Values of write-route path columns of rows read by this run, by
    /// (table, rowid): what UPDATE/DELETE of a child row need.
    rows_seen: Mutex<HashMap<(usize, i64), RowKeys>>,
    /// Counts answered by count routes during this run, by path.
    counts: Mutex<HashMap<String, u64>>,
    /// Writes this run has sent and the API accepted: how many, and the first
    /// few (a failing multi-row write names what is already done).
    written: Mutex<(u64, Vec<String>)>,
    /// Warnings of this run besides its rows (a write the replica could
    /// not follow, replicate.rs): the statement's SQL_SUCCESS_WITH_INFO.
    warnings: Mutex<Vec<String>>,
}

/// Writes a failure message lists by name; the rest are counted.
const WRITES_NAMED: usize = 10;

impl Scope {
    /// A run whose page memo holds at most `memo_bytes`.
    pub fn new(interrupt: Interrupt, memo_bytes: usize) -> Arc<Scope> {
        Arc::new(Scope {
            interrupt,
            pages: Mutex::new(PageMemo::new(memo_bytes)),
            ..Default::default()
        })
    }

    pub fn set_error(&self, e: Error) {
        *lock(&self.error) = Some(e);
    }
    pub fn take_error(&self) -> Option<Error> {
        lock(&self.error).take()
    }
    pub fn warn(&self, warning: String) {
        lock(&self.warnings).push(warning);
    }
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *lock(&self.warnings))
    }
    pub fn cached(&self, path: &str) -> Option<Page> {
        lock(&self.pages).get(path)
    }
    /// (bytes held now, most held at once) by the page memo.
    pub fn memo_bytes(&self) -> (usize, usize) {
        let m = lock(&self.pages);
        (m.bytes(), m.peak())
    }
    pub fn remember(&self, path: String, page: Page) {
        lock(&self.pages).insert(path, page);
    }
    pub fn remember_row(&self, table: usize, rowid: i64, vals: RowKeys) {
        lock(&self.rows_seen).insert((table, rowid), vals);
    }
    pub fn row_seen(&self, table: usize, rowid: i64) -> Option<RowKeys> {
        lock(&self.rows_seen).get(&(table, rowid)).cloned()
    }
    pub fn note_written(&self, what: String) {
        let mut written = lock(&self.written);
        written.0 += 1;
        if written.1.len() < WRITES_NAMED {
            written.1.push(what);
        }
    }
    /// "2 writes: POST /categories.json; PUT /categories/4.json", or None.
    pub fn written_summary(&self) -> Option<String> {
        let written = lock(&self.written);
        if written.0 == 0 {
            return None;
        }
        let more = written.0 - written.1.len() as u64;
        let tail = if more > 0 {
            format!("; and {more} more")
        } else {
            String::new()
        };
        Some(format!(
            "{} write(s): {}{tail}",
            written.0,
            written.1.join("; ")
        ))
    }
    pub fn count(&self, path: &str) -> Option<u64> {
        lock(&self.counts).get(path).copied()
    }
    pub fn remember_count(&self, path: &str, n: u64) {
        lock(&self.counts).insert(path.to_string(), n);
    }
    pub fn lookups(&self) -> MutexGuard<'_, HashMap<String, LookupState>> {
        lock(&self.lookups)
    }
}

/// The page memo of one run, bounded in bytes so a scan of a million
/// orders does not keep them all: the oldest pages go first, and a page
/// larger than the whole bound is not kept. A self-join over a table larger
/// than this re-reads pages instead of holding the whole table.
pub struct PageMemo {
    map: HashMap<String, (Page, usize)>,
    order: VecDeque<String>,
    /// The bound, and the bytes held now (estimated, `page_bytes`).
    limit: usize,
    bytes: usize,
    /// The most bytes held at once over the run (what tests check).
    peak: usize,
}

/// The memo's bound unless the connection sets `MemoBytes`.
pub const DEFAULT_MEMO_BYTES: usize = 16 << 20;

impl Default for PageMemo {
    fn default() -> PageMemo {
        PageMemo::new(DEFAULT_MEMO_BYTES)
    }
}

impl PageMemo {
    pub fn new(limit: usize) -> PageMemo {
        PageMemo {
            map: HashMap::new(),
            order: VecDeque::new(),
            limit,
            bytes: 0,
            peak: 0,
        }
    }

    pub fn get(&self, path: &str) -> Option<Page> {
        self.map.get(path).map(|(p, _)| p.clone())
    }

    pub fn insert(&mut self, path: String, page: Page) {
        let size = page_bytes(&page) + path.len();
        if size > self.limit {
            return;
        }
        if let Some((_, old)) = self.map.insert(path.clone(), (page, size)) {
            self.bytes -= old;
        } else {
            self.order.push_back(path);
        }
        self.bytes += size;
        while self.bytes > self.limit {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some((_, n)) = self.map.remove(&old) {
                self.bytes -= n;
            }
        }
        self.peak = self.peak.max(self.bytes);
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn peak(&self) -> usize {
        self.peak
    }
}

/// What a page holds in memory, estimated: every JSON node at its size,
/// plus the text of strings, numbers and keys (and a map entry's index).
pub fn page_bytes(page: &Page) -> usize {
    page.iter()
        .map(|r| NODE + r.held_bytes(json_bytes) + 16)
        .sum()
}

const NODE: usize = std::mem::size_of::<Json>();

fn json_bytes(v: &Json) -> usize {
    NODE + match v {
        Json::String(s) => s.len(),
        Json::Number(n) => n.as_str().len(),
        Json::Array(a) => a.iter().map(json_bytes).sum(),
        Json::Object(m) => m.iter().map(|(k, v)| k.len() + 32 + json_bytes(v)).sum(),
        _ => 0,
    }
}

/// SQLite's own connection mutex, held for the life of the guard. It is
/// recursive, and SQLite takes it in every API call on the connection, so
/// holding it across a prepare or step adds no wait beyond what the engine
/// imposes anyway.
pub struct DbLock(*mut ffi::sqlite3_mutex);

impl DbLock {
    /// # Safety
    /// `db` is an open connection, opened with SQLITE_OPEN_FULL_MUTEX (else
    /// the mutex is null and nothing is locked), that outlives the guard.
    pub unsafe fn enter(db: *mut ffi::sqlite3) -> DbLock {
        // SAFETY: db is open (the caller's duty); entering a null mutex is a no-op.
        let m = unsafe { ffi::sqlite3_db_mutex(db) };
        // SAFETY: m is the connection's mutex (or null), valid while db is open.
        unsafe { ffi::sqlite3_mutex_enter(m) };
        DbLock(m)
    }
}

impl Drop for DbLock {
    fn drop(&mut self) {
        // SAFETY: entered once in `enter`; left once here, on the same thread
        // (the guard is neither Send nor Sync: it holds a raw pointer).
        unsafe { ffi::sqlite3_mutex_leave(self.0) };
    }
}

/// The scope of the statement being stepped on a connection.
#[derive(Default)]
pub struct Current(Mutex<Option<Arc<Scope>>>);

impl Current {
    /// The installed scope; outside any statement (setting the connection up)
    /// a fresh one, so errors are still captured somewhere.
    pub fn get(&self) -> Arc<Scope> {
        lock(&self.0).clone().unwrap_or_default()
    }

    /// Installs `scope` until the returned guard drops (which restores the
    /// one before: a callback may run a statement of its own).
    pub fn install(&self, scope: Arc<Scope>) -> Installed<'_> {
        let before = lock(&self.0).replace(scope);
        Installed {
            current: self,
            before,
        }
    }
}

pub struct Installed<'a> {
    current: &'a Current,
    before: Option<Arc<Scope>>,
}

impl Drop for Installed<'_> {
    fn drop(&mut self) {
        *lock(&self.current.0) = self.before.take();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::record::Record;

    fn page(orders: usize) -> Page {
        let o: Json = serde_json::json!({"id": 1, "status": "Paid", "total": 12.5});
        Arc::new(
            (0..orders)
                .map(|_| Arc::new(Record::Whole(o.clone())))
                .collect(),
        )
    }

    #[test]
    fn the_page_memo_is_bounded_in_bytes() {
        let one = page_bytes(&page(100)) + "/orders.json?page=0  ".len();
        let mut m = PageMemo::new(10 * one + one / 2);
        for i in 0..300 {
            m.insert(format!("/orders.json?page={i:<3}"), page(100));
            assert!(m.bytes() <= 10 * one + one / 2);
        }
        assert_eq!(m.map.len(), 10);
        assert!(
            m.get("/orders.json?page=0  ").is_none(),
            "the oldest page goes first"
        );
        assert!(m.get("/orders.json?page=299").is_some());
        assert_eq!(m.peak(), 10 * one);
        // A page larger than the bound is not kept; what is held stays.
        m.insert("/big".into(), page(2000));
        assert!(m.get("/big").is_none());
        assert_eq!(m.map.len(), 10);
    }

    #[test]
    fn a_page_is_counted_by_what_it_holds() {
        assert!(page_bytes(&page(200)) > 2 * page_bytes(&page(99)));
        let long: Page = Arc::new(vec![Arc::new(Record::Whole(Json::String(
            "x".repeat(10_000),
        )))]);
        assert!(page_bytes(&long) > 10_000);
    }

    #[test]
    fn installing_a_scope_restores_the_one_before() {
        let current = Current::default();
        let outer = Scope::new(Interrupt::none(), DEFAULT_MEMO_BYTES);
        let inner = Scope::new(Interrupt::none(), DEFAULT_MEMO_BYTES);
        let _a = current.install(outer.clone());
        {
            let _b = current.install(inner.clone());
            assert!(Arc::ptr_eq(&current.get(), &inner));
        }
        assert!(Arc::ptr_eq(&current.get(), &outer));
    }
}

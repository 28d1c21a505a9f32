//! AutoCache, the engine's part: a session whose store schema is the
//! replica (the file attached read-only, or the PostgreSQL replica's
//! virtual tables, as Offline) and which has a live
//! sibling session on the same Client. A statement is prepared against the
//! replica; the authorizer records which store tables it reads and whether
//! it writes one (`Touched`). A write is prepared on the live sibling
//! instead (the API, then the replica: `replicate.rs`). A read names its
//! tables to `Freshen` before each execution, which syncs the stale ones
//! (src/replica/auto.rs). A table the replica has never held makes the
//! prepare fail with "no such table", and a pragma describing it
//! (`PRAGMA table_info`, or `pragma_table_info('T')`, a quoted argument
//! naming it) would answer no columns: it is synced (full)
//! there, declared when the replica's tables are declared one by one (the
//! PostgreSQL replica's, `Freshen::declared_with`), and the prepare tried
//! again. `pragma_table_info(?)` names its table only when it runs: a
//! bound text naming a table the replica does not hold syncs it then.

use super::additions::FixedTable;
use super::scope::{lock, DbLock};
use super::{Interrupt, Query, Session, Value};
use crate::error::Result;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Makes store tables fresh enough to read from the replica.
pub trait Freshen: Send + Sync {
    /// Syncs those of `tables` older than the tolerance (or never synced).
    /// Ok holds warnings: a table whose sync failed but which the replica
    /// holds is answered stale, and said so. A table it cannot provide at
    /// all is the error.
    /// `interrupt` is the statement's: its cancel or deadline ends the
    /// sync, and the statement with it.
    fn freshen(&self, tables: &[String], interrupt: &Interrupt) -> Result<Vec<String>>;

    /// The fixed tables whose rows follow the replica (CacheStatus), as
    /// of now: refilled before a statement that reads them runs.
    fn fixed_tables(&self) -> Result<Vec<FixedTable>>;

    /// The virtual table module a table is declared with in the store's
    /// schema once its first sync made the replica hold it (the PostgreSQL
    /// replica's); None when it appears by itself (an attached file).
    fn declared_with(&self) -> Option<&'static str> {
        None
    }

    /// How many times this connection changed each table of the replica so
    /// far (syncs made, writes through applied): a read transaction begun
    /// before the last change of a table does not see it.
    fn changes(&self) -> Changes;
}

/// The pragmas that describe a table's columns: under AutoCache a table
/// they name is synced first if the replica never held it, so that they
/// answer what a live connection answers.
const DESCRIBING: &[&str] = &["table_info", "table_xinfo"];

/// What an AutoCache session keeps besides its replica.
#[derive(Clone)]
pub struct Auto {
    pub freshen: Arc<dyn Freshen>,
    /// The live session on the same Client: syncs read through it, writes
    /// are sent through it.
    pub live: Session,
    /// `Freshen::changes` when the replica's read transaction the
    /// session's open statements share began.
    pub seen: Arc<std::sync::Mutex<Changes>>,
}

/// Changes to the replica by table (`Freshen::changes`).
pub type Changes = std::collections::HashMap<String, u64>;

/// A statement that would read an older state of the replica than this
/// connection made.
fn open_result_set() -> crate::error::Error {
    crate::error::Error::new(
        crate::error::Kind::General,
        "Another result set of this connection is still open, and it holds the replica as it was before this connection synced or wrote to it: this statement would not see that. Close the other result set (SQLCloseCursor or SQLFreeStmt) or read it to the end, then run this statement again.",
    )
}

/// The store tables one prepare touches, as the authorizer saw them.
#[derive(Debug, Default)]
pub(super) struct Touched {
    pub reads: BTreeSet<String>,
    /// Fixed tables read (lower case).
    pub fixed: BTreeSet<String>,
    pub writes_store: bool,
    /// Profile tables a pragma describes (`PRAGMA table_info(Orders)`).
    pub described: BTreeSet<String>,
    /// Whether it reads a describing pragma's table-valued function
    /// (`pragma_table_info('Orders')`), whose argument SQLite reports to
    /// the authorizer only when it runs.
    pub describes_by_function: bool,
}

/// What a statement reads that AutoCache brings up to date before it runs.
#[derive(Debug, Default)]
pub(super) struct Reads {
    tables: Vec<String>,
    fixed: Vec<String>,
    /// A describing pragma's function with parameters: its table may be
    /// a bound value (`pragma_table_info(?)`).
    described_by_params: bool,
}

impl Session {
    /// Prepares on the replica, or on the live sibling for a write of the
    /// store; syncs a table never synced, once, and tries again.
    pub(super) fn prepare_auto(&self, auto: &Auto, sql: &str) -> Result<Query> {
        let mut synced: Vec<String> = Vec::new();
        loop {
            *lock(&self.ctx.touched) = Some(Touched::default());
            let prepared = self.prepare_here(sql);
            let touched = lock(&self.ctx.touched).take().unwrap_or_default();
            let table = match prepared {
                Ok(_) if touched.writes_store => return auto.live.prepare(sql),
                Ok(mut query) => {
                    // A pragma describing a table the replica does not hold
                    // yet would answer no columns, where live answers them.
                    let mut described = touched.described.clone();
                    if touched.describes_by_function {
                        described.extend(self.named_tables(sql));
                    }
                    let unheld = described
                        .iter()
                        .find(|t| !synced.contains(t) && !self.holds(t))
                        .cloned();
                    let Some(table) = unheld else {
                        query.reads = Reads {
                            tables: touched.reads.into_iter().collect(),
                            fixed: touched.fixed.into_iter().collect(),
                            described_by_params: touched.describes_by_function && query.params > 0,
                        };
                        return Ok(query);
                    };
                    table
                }
                Err(e) => {
                    let Some(table) = self.missing_store_table(&e) else {
                        return Err(e);
                    };
                    if synced.contains(&table) && self.another_statement_open() {
                        return Err(open_result_set());
                    }
                    if synced.contains(&table) {
                        return Err(self.offline_error(e));
                    }
                    // A write to a table never synced goes to the API without
                    // syncing it first (the replica then keeps no copy of it).
                    if let Ok(query) = auto.live.prepare(sql) {
                        if !query.readonly() {
                            return Ok(query);
                        }
                    }
                    table
                }
            };
            // Prepare has no statement interrupt yet (SQLPrepare takes none).
            self.hold(auto, &table, &Interrupt::none())?;
            synced.push(table);
        }
    }

    /// A statement about to read the replica while another of the
    /// connection is open reads that one's snapshot of it (one read
    /// transaction per connection, as one per PostgreSQL reader): an error
    /// when this connection changed a table it reads since, which the
    /// snapshot would hide (a table first synced would read empty).
    fn check_snapshot(&self, auto: &Auto, tables: &[String]) -> Result<()> {
        let changes = auto.freshen.changes();
        let mut seen = lock(&auto.seen);
        if !self.another_statement_open() {
            *seen = changes;
            return Ok(());
        }
        let count = |c: &Changes, t: &String| c.get(t).copied().unwrap_or(0);
        match tables.iter().all(|t| count(&seen, t) == count(&changes, t)) {
            true => Ok(()),
            false => Err(open_result_set()),
        }
    }

    /// Whether a statement of the connection has started and not finished
    /// (the one about to run was reset, so it is not counted).
    fn another_statement_open(&self) -> bool {
        // SAFETY: the connection is open while self lives; the mutex is
        // recursive.
        let _db = unsafe { DbLock::enter(self.db.0) };
        let mut st = std::ptr::null_mut();
        loop {
            // SAFETY: under the connection's mutex, statements are neither
            // prepared nor finalized meanwhile; null starts the list.
            st = unsafe { rusqlite::ffi::sqlite3_next_stmt(self.db.0, st) };
            if st.is_null() {
                return false;
            }
            // SAFETY: st is a live statement of this connection.
            if unsafe { rusqlite::ffi::sqlite3_stmt_busy(st) } != 0 {
                return true;
            }
        }
    }

    /// The profile tables `sql` names in a quoted string or identifier
    /// (the arguments of `pragma_table_info('Orders')`).
    fn named_tables(&self, sql: &str) -> Vec<String> {
        quoted_texts(sql)
            .iter()
            .filter_map(|t| self.ctx.profile.table(t))
            .map(|t| t.name.clone())
            .collect()
    }

    /// Whether the store's schema has `table` (the replica holds it).
    fn holds(&self, table: &str) -> bool {
        let (Ok(schema), Ok(name)) = (
            std::ffi::CString::new(self.ctx.profile.schema.as_str()),
            std::ffi::CString::new(table),
        ) else {
            return false;
        };
        // SAFETY: the connection is open while self lives; the mutex is
        // recursive.
        let _db = unsafe { DbLock::enter(self.db.0) };
        // SAFETY: the names are NUL-terminated and live; a NULL column asks
        // only whether the table exists, and every output may be NULL.
        let rc = unsafe {
            rusqlite::ffi::sqlite3_table_column_metadata(
                self.db.0,
                schema.as_ptr(),
                name.as_ptr(),
                std::ptr::null(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        rc == rusqlite::ffi::SQLITE_OK
    }
}

impl Session {
    /// Before a run: the store tables it reads synced when stale (the
    /// warnings of a failed sync returned), then the fixed tables it reads
    /// refilled (CacheStatus shows the syncs just made).
    pub(super) fn bring_up_to_date(
        &self,
        reads: &Reads,
        params: &[Value],
        interrupt: &Interrupt,
    ) -> Result<Vec<String>> {
        let Some(auto) = &self.ctx.auto else {
            return Ok(Vec::new());
        };
        if reads.described_by_params {
            self.hold_described(auto, params, interrupt)?;
        }
        let warnings = match reads.tables.is_empty() {
            true => Vec::new(),
            false => {
                let warnings = auto.freshen.freshen(&reads.tables, interrupt)?;
                self.check_snapshot(auto, &reads.tables)?;
                warnings
            }
        };
        if !reads.fixed.is_empty() {
            for t in auto.freshen.fixed_tables()? {
                if reads.fixed.contains(&t.name.to_ascii_lowercase()) {
                    self.refill(&t)?;
                }
            }
        }
        Ok(warnings)
    }

    /// The tables a run's bound texts name that the replica does not hold
    /// yet, synced (and declared) before a describing pragma reads them.
    fn hold_described(&self, auto: &Auto, params: &[Value], interrupt: &Interrupt) -> Result<()> {
        let named = params.iter().filter_map(|v| match v {
            Value::Text(t) => self.ctx.profile.table(t).map(|t| t.name.clone()),
            _ => None,
        });
        for table in named.collect::<BTreeSet<_>>() {
            if self.holds(&table) {
                continue;
            }
            self.hold(auto, &table, interrupt)?;
        }
        Ok(())
    }

    /// `table` synced (full: the replica does not hold it) and, where the
    /// replica's tables are declared one by one, declared.
    fn hold(&self, auto: &Auto, table: &str, interrupt: &Interrupt) -> Result<()> {
        auto.freshen.freshen(&[table.to_string()], interrupt)?;
        match auto.freshen.declared_with() {
            Some(module) => self.declare_synced(module, table),
            None => Ok(()),
        }
    }

    /// A fixed table's rows replaced. User SQL may not write fixed tables
    /// (authorizer.rs), so the session is unsealed for it, while it holds
    /// the connection's mutex: no other statement is prepared meanwhile.
    fn refill(&self, t: &FixedTable) -> Result<()> {
        // SAFETY: the connection is open while self lives; the mutex is
        // recursive, so the statements below take it again.
        let _db = unsafe { DbLock::enter(self.db.0) };
        let sealed = &self.ctx.sealed;
        sealed.store(false, std::sync::atomic::Ordering::SeqCst);
        let outcome = self
            .clear_fixed_rows(&t.name)
            .and_then(|_| self.insert_fixed_rows(t));
        sealed.store(true, std::sync::atomic::Ordering::SeqCst);
        outcome
    }
}

impl Session {
    /// A table the replica holds since a sync of this connection, declared
    /// in the store's schema (unsealed as in `refill`, under the mutex).
    fn declare_synced(&self, module: &str, table: &str) -> Result<()> {
        let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        let sql = format!(
            "CREATE VIRTUAL TABLE IF NOT EXISTS {}.{t} USING {module}({t})",
            quote(&self.ctx.profile.schema),
            t = quote(table)
        );
        // SAFETY: the connection is open while self lives; the mutex is
        // recursive, so the statement below takes it again.
        let _db = unsafe { DbLock::enter(self.db.0) };
        let sealed = &self.ctx.sealed;
        sealed.store(false, std::sync::atomic::Ordering::SeqCst);
        let outcome = self
            .prepare_here(&sql)
            .and_then(|mut q| q.execute(&[], &Interrupt::none()));
        sealed.store(true, std::sync::atomic::Ordering::SeqCst);
        outcome
    }
}

impl super::Ctx {
    /// The authorizer's report of one action while a statement is prepared
    /// (only while `touched` records, i.e. on AutoCache sessions).
    pub(super) fn touch(&self, action: &rusqlite::hooks::AuthAction<'_>, database: Option<&str>) {
        use rusqlite::hooks::AuthAction;
        let store = database == Some(self.profile.schema.as_str());
        let mut touched = lock(&self.touched);
        let Some(touched) = touched.as_mut() else {
            return;
        };
        match action {
            // A table read for no column (`SELECT COUNT(*) FROM Orders`) is
            // reported without its database: a profile table's name counts.
            AuthAction::Read { table_name, .. } if store || database.is_none() => {
                if let Some(t) = self.profile.table(table_name) {
                    touched.reads.insert(t.name.clone());
                }
            }
            AuthAction::Insert { .. } | AuthAction::Update { .. } | AuthAction::Delete { .. }
                if store =>
            {
                touched.writes_store = true;
            }
            AuthAction::Read { table_name, .. }
                if DESCRIBING
                    .iter()
                    .any(|p| table_name.eq_ignore_ascii_case(&format!("pragma_{p}"))) =>
            {
                touched.describes_by_function = true;
            }
            AuthAction::Pragma {
                pragma_name,
                pragma_value: Some(table),
            } if (store || database.is_none())
                && DESCRIBING.contains(&pragma_name.to_ascii_lowercase().as_str()) =>
            {
                if let Some(t) = self.profile.table(table) {
                    touched.described.insert(t.name.clone());
                }
            }
            AuthAction::Read { table_name, .. } if database == Some("temp") => {
                let name = table_name.to_ascii_lowercase();
                if lock(&self.fixed).contains(&name) {
                    touched.fixed.insert(name);
                }
            }
            _ => {}
        }
    }
}

/// The texts of the quoted strings and identifiers of `sql` (`'...'`,
/// `"..."`, a doubled quote inside one being the quote).
fn quoted_texts(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\'' && c != '"' {
            continue;
        }
        let mut text = String::new();
        while let Some(d) = chars.next() {
            if d != c {
                text.push(d);
            } else if chars.peek() == Some(&c) {
                text.push(chars.next().unwrap_or(c));
            } else {
                break;
            }
        }
        out.push(text);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn quoted_texts_are_unquoted() {
        assert_eq!(
            super::quoted_texts(
                r#"SELECT * FROM pragma_table_info('Or''ders'), "x""y" WHERE a = 'b'"#
            ),
            ["Or'ders", "x\"y", "b"]
        );
    }
}

//! AutoCache, the engine's part: a session whose store schema is the
//! replica file (attached read-only, as Offline) and which has a live
//! sibling session on the same Client. A statement is prepared against the
//! replica; the authorizer records which store tables it reads and whether
//! it writes one (`Touched`). A write is prepared on the live sibling
//! instead (the API, then the replica: `replicate.rs`). A read names its
//! tables to `Freshen` before each execution, which syncs the stale ones
//! (src/replica/auto.rs). A table the replica has never held makes the
//! prepare fail with "no such table": it is synced (full) there, and the
//! prepare tried again.

use super::{Query, Session};
use crate::error::Result;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Makes store tables fresh enough to read from the replica.
pub trait Freshen: Send + Sync {
    /// Syncs those of `tables` older than the tolerance (or never synced).
    /// Ok holds warnings: a table whose sync failed but which the replica
    /// holds is answered stale, and said so. A table it cannot provide at
    /// all is the error.
    fn freshen(&self, tables: &[String]) -> Result<Vec<String>>;
}

/// What an AutoCache session keeps besides its replica.
#[derive(Clone)]
pub struct Auto {
    pub freshen: Arc<dyn Freshen>,
    /// The live session on the same Client: syncs read through it, writes
    /// are sent through it.
    pub live: Session,
}

/// The store tables one prepare touches, as the authorizer saw them.
#[derive(Debug, Default)]
pub(super) struct Touched {
    pub reads: BTreeSet<String>,
    pub writes_store: bool,
}

impl Session {
    /// Prepares on the replica, or on the live sibling for a write of the
    /// store; syncs a table never synced, once, and tries again.
    pub(super) fn prepare_auto(&self, auto: &Auto, sql: &str) -> Result<Query> {
        let mut synced: Vec<String> = Vec::new();
        loop {
            *super::scope::lock(&self.ctx.touched) = Some(Touched::default());
            let prepared = self.prepare_here(sql);
            let touched = super::scope::lock(&self.ctx.touched)
                .take()
                .unwrap_or_default();
            let e = match prepared {
                Ok(_) if touched.writes_store => return auto.live.prepare(sql),
                Ok(mut query) => {
                    query.reads = touched.reads.into_iter().collect();
                    return Ok(query);
                }
                Err(e) => e,
            };
            let Some(table) = self.missing_store_table(&e) else {
                return Err(e);
            };
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
            auto.freshen.freshen(std::slice::from_ref(&table))?;
            synced.push(table);
        }
    }
}

impl super::Ctx {
    /// The authorizer's report of one action while a statement is prepared
    /// (only while `touched` records, i.e. on AutoCache sessions).
    pub(super) fn touch(&self, action: &rusqlite::hooks::AuthAction<'_>, database: Option<&str>) {
        use rusqlite::hooks::AuthAction;
        let store = database == Some(self.profile.schema.as_str());
        let mut touched = super::scope::lock(&self.touched);
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
            _ => {}
        }
    }
}

//! Writes through: the rows a write the API confirmed changed, applied to
//! the tables the replica (either one) holds, in one transaction under its
//! lock; embedded children follow their parent; what cannot be followed row
//! by row marks its table stale. When a sync keeps the lock too long, the
//! tables are marked stale instead, without the lock, with a warning (the
//! write stands); the sync cannot make them look fresh again
//! (`store::Generation`).

use super::auto::LOCK_WAIT;
use super::store;
use super::Target;
use crate::config::Config;
use crate::engine::{Change, Changes, Interrupt, WriteThrough};
use crate::error::{Error, Kind, Result};
use crate::schema::Profile;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Writes the API confirmed, applied to the replica (either one).
pub struct ReplicaWrites {
    profile: Arc<Profile>,
    config: Config,
    lock_wait: Duration,
    /// Bumped by every write applied (AutoCache's `Freshen::changes`).
    changes: Counted,
}

impl ReplicaWrites {
    pub fn new(profile: Arc<Profile>, config: &Config) -> ReplicaWrites {
        ReplicaWrites {
            profile,
            config: config.clone(),
            lock_wait: LOCK_WAIT,
            changes: Default::default(),
        }
    }

    /// Counts the writes applied in `changes` (shared with AutoSync).
    pub fn counting(mut self, changes: Counted) -> ReplicaWrites {
        self.changes = changes;
        self
    }

    /// How long a write waits for a sync holding the lock (60 s).
    pub fn with_lock_wait(mut self, wait: Duration) -> ReplicaWrites {
        self.lock_wait = wait;
        self
    }

    /// The lock was not had: the tables the write changed are marked stale
    /// without it (one statement each, its wait bounded). Each mark raises
    /// the table's write generation, so the sync holding the lock, which
    /// read the table's generation before reading it, cannot make it look
    /// fresh: its next read syncs it whole, whenever this process ends.
    /// The write stands either way: what the replica did is a warning.
    fn stale_instead(&self, changes: &[Change], why: &Error) -> Vec<String> {
        let mut tables: Vec<&str> = Vec::new();
        for c in changes {
            let name = changed_table(c);
            if !tables.contains(&name) {
                tables.push(name);
            }
        }
        let them = if tables.len() == 1 { "it" } else { "them" };
        let listed = tables.join(", ");
        match self.mark_unlocked(&tables) {
            Ok(()) => vec![format!(
                "{listed} marked stale instead, so that the next read syncs {them} again ({})",
                why.message
            )],
            Err(e) => vec![format!(
                "{listed} could not be marked stale either ({}; {}): the replica may answer without this write; sync {listed} whole before reading the replica (`jumpseller-odbc sync --full --tables {}`)",
                why.message,
                e.message,
                tables.join(",")
            )],
        }
    }

    /// Marks `tables` stale without the sync lock: held or not (a sync may
    /// be making a table's first copy now).
    fn mark_unlocked(&self, tables: &[&str]) -> Result<()> {
        let mut store = Target::of(&self.config)?.peek()?;
        for t in tables {
            store.mark_stale(t)?;
        }
        Ok(())
    }
}

impl WriteThrough for ReplicaWrites {
    fn apply(&self, changes: &[Change]) -> Result<Vec<String>> {
        let target = Target::of(&self.config)?;
        // No replica yet: nothing to keep consistent (and none is created).
        if !target.exists()? {
            return Ok(Vec::new());
        }
        // A sync in progress would swap its staging copy, read before this
        // write, over the row written here: wait for it.
        let mut locked = match target.lock(self.lock_wait, &Interrupt::none(), &mut || {}) {
            Ok(locked) => locked,
            Err(e) if e.kind == Kind::Timeout => return Ok(self.stale_instead(changes, &e)),
            Err(e) => return Err(e),
        };
        let store = locked.store.as_mut();
        let mut held = Vec::new();
        for c in changes {
            let name = changed_table(c);
            if !held.iter().any(|h: &String| h == name) && store.has_table(name)? {
                held.push(name.to_string());
            }
        }
        let is_held = |name: &str| held.iter().any(|h| h == name);
        // Marked stale first: if what follows fails, the next sync reads
        // the table whole, which repairs it.
        for c in changes {
            if let Change::Stale { table } = c {
                if is_held(table) {
                    store.mark_stale(table)?;
                }
            }
        }
        count(&self.changes, &held);
        let mut seam = Vec::new();
        for c in changes {
            let Change::Replace { table, key, rows } = c else {
                continue;
            };
            let Some(t) = self.profile.table(table).filter(|t| is_held(&t.name)) else {
                continue;
            };
            // The rows under a parent's key go first; a row's own key is
            // its primary key, which Replace replaces by.
            if let [(column, value)] = key.as_slice() {
                seam.push(store::Change::Delete {
                    table: t,
                    column,
                    values: std::slice::from_ref(value),
                });
            } else if rows.is_empty() {
                store.mark_stale(&t.name)?;
                continue;
            }
            seam.push(store::Change::Replace { table: t, rows });
        }
        if let Err(e) = store.apply(&seam) {
            // The write stands at the store but not here: the tables it
            // changed are read whole at their next sync. Best effort: the
            // error said is the apply's, whatever marking them does.
            for name in &held {
                let _ = store.mark_stale(name);
            }
            return Err(e);
        }
        for name in &held {
            store.recount(name)?;
        }
        Ok(Vec::new())
    }
}

/// A connection's changes to the replica by table, shared by its syncs and
/// its writes through.
pub type Counted = Arc<Mutex<Changes>>;

pub(super) fn count(changes: &Counted, tables: &[String]) {
    let mut c = changes.lock().unwrap_or_else(|e| e.into_inner());
    for t in tables {
        *c.entry(t.clone()).or_insert(0) += 1;
    }
}

fn changed_table(c: &Change) -> &str {
    match c {
        Change::Replace { table, .. } | Change::Stale { table } => table,
    }
}

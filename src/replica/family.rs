//! One family's sync (a table and its chosen descendants): which tables
//! go together, and the pass that reads them and writes the store (see
//! sync.rs for how change is found).

use super::layout::quoted;
use super::reader::{Batch, ChildRows, Pace, Reader, Reading};
use super::store::{Change, Generation, Store};
use super::sync::{Mode, Options, Progress, BATCH};
use super::{now_unix, sql_time};
use crate::engine::Value;
use crate::error::Result;
use crate::schema::{Profile, SyncSpec, Table};
use std::collections::{BTreeMap, HashMap};

/// The parent of `table` when it is among `chosen`.
pub(super) fn parent_of<'p>(
    profile: &'p Profile,
    table: &Table,
    chosen: &[&Table],
) -> Option<&'p Table> {
    let ps = table.source.parent.as_ref()?;
    chosen
        .iter()
        .any(|t| t.name == ps.table)
        .then(|| profile.table(&ps.table))
        .flatten()
}

/// The chosen children of `parent`: (in an array of each parent, read by
/// a request per parent).
pub(super) fn children<'p>(
    profile: &'p Profile,
    parent: &Table,
    chosen: &[&Table],
) -> (Vec<&'p Table>, Vec<&'p Table>) {
    profile
        .tables
        .iter()
        .filter(|t| {
            t.source
                .parent
                .as_ref()
                .is_some_and(|ps| ps.table == parent.name)
        })
        .filter(|t| chosen.iter().any(|c| c.name == t.name))
        .partition(|t| {
            t.source
                .parent
                .as_ref()
                .is_some_and(|ps| ps.array.is_some())
        })
}

/// `root` and its chosen descendants, parents first.
pub(super) fn family<'p>(
    profile: &'p Profile,
    root: &'p Table,
    chosen: &[&Table],
) -> Vec<&'p Table> {
    let mut out = vec![root];
    let (arrays, lists) = children(profile, root, chosen);
    for t in arrays.into_iter().chain(lists) {
        out.extend(family(profile, t, chosen));
    }
    out
}

/// Per table: how it was synced, rows read, requests used; and its write
/// generation before the sync read anything of the family.
#[derive(Default)]
pub(super) struct Tally(BTreeMap<String, Entry>, BTreeMap<String, Generation>);

pub(super) struct Entry {
    pub(super) mode: Mode,
    pub(super) read: u64,
    pub(super) requests: u64,
}

impl Tally {
    pub(super) fn get(&self, table: &str) -> Option<&Entry> {
        self.0.get(table)
    }

    /// The table's generation when its sync began (0 when unread).
    pub(super) fn since(&self, table: &str) -> Generation {
        self.1.get(table).copied().unwrap_or(0)
    }

    fn mode(&mut self, table: &str, mode: Mode) {
        self.0
            .entry(table.to_string())
            .and_modify(|e| e.mode = mode.clone())
            .or_insert(Entry {
                mode,
                read: 0,
                requests: 0,
            });
    }

    fn add(&mut self, table: &str, read: u64, requests: u64) {
        if let Some(e) = self.0.get_mut(table) {
            e.read += read;
            e.requests += requests;
        }
    }

    fn read(&self, table: &str) -> u64 {
        self.0.get(table).map(|e| e.read).unwrap_or(0)
    }
}

/// Syncs `root` and its chosen descendants: the outcome, and per table
/// how it went as far as it went.
pub(super) fn sync(
    store: &mut dyn Store,
    reader: &Reader,
    chosen: &[&Table],
    opts: &Options,
    root: &Table,
    progress: &mut dyn Progress,
) -> (Result<()>, Tally) {
    let profile = reader.profile().clone();
    let mut pass = Pass {
        store,
        reader,
        profile: &profile,
        chosen,
        opts,
        tally: Tally::default(),
        progress,
    };
    // Before anything is read: a write marking a table stale from here on
    // keeps it stale (`store::Generation`).
    let outcome = pass
        .read_generations(root)
        .and_then(|()| pass.tree(root, false));
    (outcome, pass.tally)
}

/// One family's sync in progress.
struct Pass<'a, 'p> {
    store: &'a mut dyn Store,
    reader: &'a Reader,
    profile: &'p Profile,
    chosen: &'a [&'p Table],
    opts: &'a Options,
    tally: Tally,
    progress: &'a mut dyn Progress,
}

impl<'p> Pass<'_, 'p> {
    fn read_generations(&mut self, root: &'p Table) -> Result<()> {
        for t in family(self.profile, root, self.chosen) {
            let generation = self.store.generation(&t.name)?;
            self.tally.1.insert(t.name.clone(), generation);
        }
        Ok(())
    }

    /// `table` and its chosen descendants; `full` forces a whole read.
    fn tree(&mut self, table: &'p Table, full: bool) -> Result<()> {
        let (arrays, lists) = children(self.profile, table, self.chosen);
        let mode = self.table(table, &arrays, &lists, full)?;
        for t in &arrays {
            self.tally.mode(&t.name, mode.clone());
        }
        for list in lists {
            if mode == Mode::Incremental && self.follows(list)? {
                // Read with the parents that changed; its own list children
                // have no parents to follow: read whole.
                let (_, deeper) = children(self.profile, list, self.chosen);
                for t in deeper {
                    self.tree(t, true)?;
                }
            } else {
                self.tree(list, true)?;
            }
        }
        Ok(())
    }

    /// Whether every table's copy can be synced incrementally (synced
    /// whole before, with the profile's columns).
    fn all_current(&self, table: &Table, arrays: &[&Table]) -> Result<bool> {
        for t in std::iter::once(&table).chain(arrays) {
            if self.store.high_water(t)?.is_none() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Whether a list child (and its array children) can be read along
    /// with the parents that changed, rather than whole.
    fn follows(&self, list: &Table) -> Result<bool> {
        self.all_current(list, &children(self.profile, list, self.chosen).0)
    }

    /// `table` with its array children; its list children that are
    /// current are read along for the parents that changed.
    fn table(
        &mut self,
        table: &'p Table,
        arrays: &[&'p Table],
        lists: &[&'p Table],
        full: bool,
    ) -> Result<Mode> {
        let start = self.reader.requests_sent();
        self.tally.mode(&table.name, Mode::Full);
        let spec = table.sync.as_ref().filter(|_| !full && !self.opts.full);
        let mode = match spec {
            Some(spec) if self.all_current(table, arrays)? => {
                self.tally.mode(&table.name, Mode::Incremental);
                let mut along = Vec::new();
                for l in lists {
                    if self.follows(l)? {
                        self.tally.mode(&l.name, Mode::Incremental);
                        for a in children(self.profile, l, self.chosen).0 {
                            self.tally.mode(&a.name, Mode::Incremental);
                        }
                        along.push(*l);
                    }
                }
                self.incremental(table, spec, arrays, &along)?
            }
            _ => {
                self.full(table, arrays)?;
                Mode::Full
            }
        };
        let along: u64 = lists
            .iter()
            .filter_map(|l| self.tally.0.get(&l.name).map(|e| e.requests))
            .sum();
        let used = self.reader.requests_sent() - start - along;
        self.tally.mode(&table.name, mode.clone());
        self.tally.add(&table.name, 0, used);
        Ok(mode)
    }

    /// New rows, then the recheck window, replaced by key; whole again
    /// when the counts then differ.
    fn incremental(
        &mut self,
        table: &'p Table,
        spec: &SyncSpec,
        arrays: &[&'p Table],
        lists: &[&'p Table],
    ) -> Result<Mode> {
        let high_water = self.store.high_water(table)?.unwrap_or(0);
        let newer = format!("{} > ?", quoted(&spec.keyset));
        let reading = self
            .reader
            .read(Pace::Exact, table, &newer, &[Value::Int(high_water)])?;
        self.replace(reading, table, arrays, lists)?;
        // Only once every newer row is in: the API does not promise an
        // order, and a sync killed before here reads them again.
        self.store
            .raise_high_water(table, self.tally.since(&table.name))?;
        if let (Some(column), 1..) = (&spec.recheck, self.opts.recheck_days) {
            let now = now_unix();
            let since = sql_time(now - i64::from(self.opts.recheck_days) * 86_400);
            let window = format!("{} BETWEEN ? AND ?", quoted(column));
            let params = [Value::Text(since), Value::Text(sql_time(now))];
            let reading = self.reader.read(Pace::Exact, table, &window, &params)?;
            self.replace(reading, table, arrays, lists)?;
        }
        for t in std::iter::once(&table).chain(arrays).chain(lists) {
            self.store
                .mark_incremental(&t.name, self.tally.since(&t.name))?;
        }
        if self.reader.count(table)? != self.store.row_count(&table.name)? {
            self.full(table, arrays)?;
            return Ok(Mode::Reconciled);
        }
        Ok(Mode::Incremental)
    }

    /// The table and its array children whole, through staging copies
    /// swapped in together.
    fn full(&mut self, table: &'p Table, arrays: &[&'p Table]) -> Result<()> {
        let tables: Vec<(&Table, Generation)> = std::iter::once(table)
            .chain(arrays.iter().copied())
            .map(|t| (t, self.tally.since(&t.name)))
            .collect();
        for (t, _) in &tables {
            self.store.begin_full(t)?;
        }
        let mut reading = self.reader.read(Pace::Ahead, table, "", &[])?;
        while let Some(batch) = reading.next_batch(BATCH)? {
            let mut changes = vec![Change::Stage {
                table,
                rows: &batch.rows,
            }];
            for (child, c) in self.embedded(&batch, arrays) {
                changes.push(Change::Stage {
                    table: child,
                    rows: &c.rows,
                });
            }
            self.store.apply(&changes)?;
            self.count(table, &batch, arrays);
        }
        self.store.finish_full(&tables)
    }

    /// Rows read again replace their copies; each parent's array children
    /// replace its old ones; list children are read again for the parents
    /// that are new or changed, in the same transaction.
    fn replace(
        &mut self,
        mut reading: Reading,
        table: &'p Table,
        arrays: &[&'p Table],
        lists: &[&'p Table],
    ) -> Result<()> {
        while let Some(batch) = reading.next_batch(BATCH)? {
            let along = self.read_along(table, &batch, lists)?;
            let mut changes = vec![Change::Replace {
                table,
                rows: &batch.rows,
            }];
            for (child, c) in self.embedded(&batch, arrays) {
                changes.extend(replace_children(child, &c.parent_keys, &c.rows));
            }
            for a in &along {
                changes.extend(replace_children(a.table, &a.parents, &a.batch.rows));
                for (child, c) in self.embedded(&a.batch, &a.arrays) {
                    let ps = child.source.parent.as_ref().expect("a child");
                    changes.push(Change::DeleteOrphans {
                        table: child,
                        column: &ps.key,
                        parent: a.table,
                        parent_column: &ps.parent_key,
                    });
                    changes.extend(replace_children(child, &c.parent_keys, &c.rows));
                }
            }
            self.store.apply(&changes)?;
            self.count(table, &batch, arrays);
            for a in &along {
                self.count(a.table, &a.batch, &a.arrays);
            }
        }
        Ok(())
    }

    /// The rows of each list child for the parents of `batch` that are new
    /// or differ from the replica's copy.
    fn read_along(
        &mut self,
        table: &Table,
        batch: &Batch,
        lists: &[&'p Table],
    ) -> Result<Vec<Along<'p>>> {
        let mut out = Vec::new();
        for list in lists {
            let ps = list.source.parent.as_ref().expect("a child");
            let parents = self.changed(table, &batch.rows, &ps.parent_key)?;
            let start = self.reader.requests_sent();
            let (arrays, _) = children(self.profile, list, self.chosen);
            let mut rows = Batch {
                rows: Vec::new(),
                children: Vec::new(),
            };
            if !parents.is_empty() {
                let markers = vec!["?"; parents.len()].join(", ");
                let filter = format!("{} IN ({markers})", quoted(&ps.key));
                let mut reading = self.reader.read(Pace::Exact, list, &filter, &parents)?;
                while let Some(b) = reading.next_batch(BATCH)? {
                    merge(&mut rows, b);
                }
            }
            let used = self.reader.requests_sent() - start;
            self.tally.add(&list.name, 0, used);
            out.push(Along {
                table: list,
                parents,
                batch: rows,
                arrays,
            });
        }
        Ok(out)
    }

    /// The `key` values of the rows that are new or differ from the copy.
    fn changed(&self, table: &Table, rows: &[Vec<Value>], key: &str) -> Result<Vec<Value>> {
        let keys = key_values(table, rows, key);
        let old: HashMap<String, Vec<Value>> = self
            .store
            .rows_by_key(table, key, &keys)?
            .into_iter()
            .filter_map(|r| {
                let k = key_values(table, std::slice::from_ref(&r), key).pop()?;
                Some((k.text()?, r))
            })
            .collect();
        Ok(rows
            .iter()
            .zip(keys)
            .filter(|(row, k)| k.text().and_then(|k| old.get(&k)) != Some(*row))
            .map(|(_, k)| k)
            .collect())
    }

    /// The rows of the chosen array children in a batch.
    fn embedded<'b>(
        &self,
        batch: &'b Batch,
        arrays: &[&'p Table],
    ) -> Vec<(&'p Table, &'b ChildRows)> {
        batch
            .children
            .iter()
            .filter_map(|c| {
                let t = &self.profile.tables[c.table];
                arrays.iter().find(|a| a.name == t.name).map(|a| (*a, c))
            })
            .collect()
    }

    /// Rows read, per table, told to the progress line.
    fn count(&mut self, table: &Table, batch: &Batch, arrays: &[&'p Table]) {
        self.tally.add(&table.name, batch.rows.len() as u64, 0);
        for (child, c) in self.embedded(batch, arrays) {
            self.tally.add(&child.name, c.rows.len() as u64, 0);
        }
        let read = self.tally.read(&table.name);
        self.progress.rows(&table.name, read);
    }
}

/// A list child's rows read along with a batch of its parent.
struct Along<'p> {
    table: &'p Table,
    /// The parents whose rows these are (their old rows go).
    parents: Vec<Value>,
    batch: Batch,
    arrays: Vec<&'p Table>,
}

/// The children of `parents` go, `rows` come.
fn replace_children<'c>(
    child: &'c Table,
    parents: &'c [Value],
    rows: &'c [Vec<Value>],
) -> Vec<Change<'c>> {
    let ps = child.source.parent.as_ref().expect("a child");
    vec![
        Change::Delete {
            table: child,
            column: &ps.key,
            values: parents,
        },
        Change::Replace { table: child, rows },
    ]
}

/// Each row's value of `column`.
fn key_values(table: &Table, rows: &[Vec<Value>], column: &str) -> Vec<Value> {
    let at = table.columns.iter().position(|c| c.name == column);
    rows.iter()
        .map(|r| at.and_then(|i| r.get(i).cloned()).unwrap_or(Value::Null))
        .collect()
}

/// `more` appended to `into`.
fn merge(into: &mut Batch, more: Batch) {
    into.rows.extend(more.rows);
    for c in more.children {
        match into.children.iter_mut().find(|x| x.table == c.table) {
            Some(x) => {
                x.parent_keys.extend(c.parent_keys);
                x.rows.extend(c.rows);
            }
            None => into.children.push(c),
        }
    }
}

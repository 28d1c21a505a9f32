//! The seam between a sync and where the replica lives. A sync reads the
//! store through a live engine session and hands every write and every
//! read of the replica to a `Store`; the SQLite file (`sqlite_store.rs`)
//! is one, another database can be another. Nothing here names a
//! database's types: rows are the engine's `Value`s in the profile
//! table's column order, tables are `schema::Table`.

use crate::engine::Value;
use crate::error::Result;
use crate::schema::Table;

/// The column a table's high water is the highest value of: the profile's
/// `sync.keyset`, else `id` when the table has one (shown in CacheStatus).
pub fn keyset_column(table: &Table) -> Option<&str> {
    match &table.sync {
        Some(spec) => Some(&spec.keyset),
        None => table
            .columns
            .iter()
            .find(|c| c.name == "id")
            .map(|c| c.name.as_str()),
    }
}

/// One change to the replica; a slice of them is applied in one
/// transaction, so a reader sees all of it or none.
pub enum Change<'a> {
    /// Rows of a full sync, into the table's staging copy.
    Stage {
        table: &'a Table,
        rows: &'a [Vec<Value>],
    },
    /// New rows or rows that may have changed: replace by primary key.
    Replace {
        table: &'a Table,
        rows: &'a [Vec<Value>],
    },
    /// Rows of `table` whose `column` is one of `values` are removed.
    Delete {
        table: &'a Table,
        column: &'a str,
        values: &'a [Value],
    },
    /// Rows of `table` whose `column` matches no `parent.parent_column`
    /// are removed (children of parents gone).
    DeleteOrphans {
        table: &'a Table,
        column: &'a str,
        parent: &'a Table,
        parent_column: &'a str,
    },
}

/// Which count of requests a finished sync records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncKind {
    Full,
    Incremental,
}

/// One table's sync state, as `CacheStatus` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncState {
    pub table_name: String,
    pub row_count: Option<i64>,
    /// Timestamps as SQL text in UTC (`crate::replica::sql_time`).
    pub last_full_sync: Option<String>,
    pub last_incremental_sync: Option<String>,
    pub full_requests: Option<i64>,
    pub incremental_requests: Option<i64>,
    pub high_water: Option<i64>,
}

/// A table's write generation: `mark_stale` raises it, and a sync's state
/// writes make the table fresh only while it is the one the sync read
/// before reading the table (a compare-and-set). A write the API accepted
/// while a sync held the lock thus survives that sync's last state write,
/// whatever becomes of the writing process.
pub type Generation = i64;

/// Where the replica is kept. A table exists in a store only once a full
/// sync of it completed, so "never synced" is never read as "no rows".
pub trait Store: Send {
    /// Where it is, for messages (a path, a database name).
    fn describe(&self) -> String;

    /// Whether a full sync of `table` has completed.
    fn has_table(&self, table: &str) -> Result<bool>;

    /// Starts a full sync: an empty staging copy of `table` (a previous
    /// unfinished one is discarded). The table itself is untouched.
    fn begin_full(&mut self, table: &Table) -> Result<()>;

    /// Applies the changes in one transaction.
    fn apply(&mut self, changes: &[Change]) -> Result<()>;

    /// Ends the full syncs of `tables` (a parent and the children read with
    /// it, each with its generation when the sync began reading it) in one
    /// transaction: each staging copy replaces its table (refused when two
    /// rows share a primary key), and each state gets its row count and,
    /// only while its generation is still the one given, `last_full_sync`
    /// and the high water (the highest `keyset_column`, 0 without one):
    /// otherwise a write marked it stale meanwhile, and it stays stale.
    fn finish_full(&mut self, tables: &[(&Table, Generation)]) -> Result<()>;

    /// The rows of `table` whose `column` is one of `values` (a sync
    /// compares them with the rows it reads again: a parent changed?).
    fn rows_by_key(&self, table: &Table, column: &str, values: &[Value])
        -> Result<Vec<Vec<Value>>>;

    /// The high water id of a table synced whole before (None: never, or
    /// its copy was made with other columns than the profile's: an older
    /// layout or profile, to be synced whole again).
    fn high_water(&self, table: &Table) -> Result<Option<i64>>;

    /// The high water becomes the highest `keyset_column` value the table
    /// holds, if its generation is still `since`.
    fn raise_high_water(&mut self, table: &Table, since: Generation) -> Result<()>;

    /// Rows the table holds (0 when never synced).
    fn row_count(&self, table: &str) -> Result<u64>;

    /// `last_incremental_sync` becomes now, if the table's generation is
    /// still `since`.
    fn mark_incremental(&mut self, table: &str, since: Generation) -> Result<()>;

    /// The requests a finished sync used, and the rows it left.
    fn record_requests(&mut self, table: &str, kind: SyncKind, requests: u64) -> Result<()>;

    /// The state of every table the store holds, ordered by name.
    fn states(&self) -> Result<Vec<SyncState>>;

    /// The table's write generation (0 when it has no state yet). A sync
    /// reads it before it reads the table; see `Generation`.
    fn generation(&self, table: &str) -> Result<Generation>;

    /// A write changed the table in a way not known row by row, or while a
    /// sync held the lock: its last syncs and high water are forgotten and
    /// its generation goes up, in one statement (a state is made for a
    /// table never synced), so that it is stale, its next sync reads it
    /// whole, and a sync reading it now cannot make it look fresh. Safe
    /// without the lock (writes.rs); it waits for a sync's open state
    /// write a bounded time, then fails.
    fn mark_stale(&mut self, table: &str) -> Result<()>;

    /// The state's row count becomes the rows the table holds (after a
    /// write through).
    fn recount(&mut self, table: &str) -> Result<()>;
}

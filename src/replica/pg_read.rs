//! Offline with `CacheConnection`: the replica's PostgreSQL tables as
//! SQLite virtual tables (`jumpseller_pg`) in the store's schema, declared
//! with the live tables' columns, so every statement, type and answer is
//! the live engine's. Rows stream through a server-side cursor, a batch at
//! a time, so memory stays flat whatever the table's size.
//!
//! The cursors of one connection share one read-only REPEATABLE READ
//! transaction while any of them is open (a statement sees one state of
//! the replica, as an SQLite reader does) and commit when SQLite closes
//! the last one (at the end of the statement: the next one sees the syncs
//! made since). A row's rowid is its `ctid` in that snapshot: unique, so
//! SQLite's OR-by-union plans (one scan per OR term, rows merged by rowid)
//! neither drop nor repeat rows. Equality on integer and text columns and ranges
//! on integer columns are sent to PostgreSQL; SQLite checks every
//! constraint again, so what is sent only narrows the rows read.

use super::pg::{connect, has_table, ident, pg_failed};
use super::pg_types::{from_pg_text, select_expr};
use crate::engine::Value;
use crate::error::Result;
use crate::schema::{Profile, SqlType};
use postgres::{Client, SimpleQueryMessage};
use rusqlite::vtab::{
    sqlite3_vtab, sqlite3_vtab_cursor, Context, Filters, IndexConstraintOp, IndexInfo, VTab,
    VTabConnection, VTabCursor,
};
use std::borrow::Cow;
use std::collections::VecDeque;
use std::ffi::{CStr, CString};
use std::os::raw::c_int;
use std::sync::{Arc, Mutex, MutexGuard};

pub const MODULE_NAME: &str = "jumpseller_pg";

/// What one query costs besides its rows, in rows: a round trip to the
/// server.
const QUERY_COST: f64 = 1000.0;

/// Rows fetched from a cursor at a time.
const BATCH: usize = 500;

/// One ODBC connection's reading connection to the replica.
pub struct Reader {
    schema: String,
    profile: Arc<Profile>,
    /// Each synced table's rows when the connection opened (the planner's).
    rows: std::collections::HashMap<String, f64>,
    inner: Mutex<Portals>,
}

struct Portals {
    client: Client,
    /// SQLite's cursors on the replica's tables, alive.
    cursors: usize,
    /// Whether a transaction is open (from the first DECLARE on).
    in_tx: bool,
    next: u64,
    /// Bumped when a transaction is abandoned: its cursors are gone.
    generation: u64,
}

/// A server-side cursor: its name and the transaction it lives in.
struct Portal {
    name: String,
    generation: u64,
}

impl Reader {
    pub fn open(conn: &str, schema: &str, profile: Arc<Profile>) -> Result<Reader> {
        let mut client = connect(conn, schema)?;
        let rows = super::pg::states(&mut client, schema)?
            .into_iter()
            .map(|s| (s.table_name, s.row_count.unwrap_or(0) as f64))
            .collect();
        Ok(Reader {
            schema: schema.to_string(),
            profile,
            rows,
            inner: Mutex::new(Portals {
                client,
                cursors: 0,
                in_tx: false,
                next: 0,
                generation: 0,
            }),
        })
    }

    /// A table's rows as of the connection's start (a million if unknown).
    fn rows_of(&self, table: &str) -> f64 {
        self.rows.get(table).copied().unwrap_or(1e6)
    }

    fn portals(&self) -> MutexGuard<'_, Portals> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The profile tables the replica holds (synced whole at least once).
    pub fn synced_tables(&self) -> Result<Vec<String>> {
        let mut p = self.portals();
        let mut found = Vec::new();
        for t in &self.profile.tables {
            if has_table(&mut p.client, &self.schema, &t.name)? {
                found.push(t.name.clone());
            }
        }
        Ok(found)
    }

    /// The replica's sync states (CacheStatus).
    pub fn states(&self) -> Result<Vec<super::store::SyncState>> {
        super::pg::states(&mut self.portals().client, &self.schema)
    }

    fn declare(&self, select: &str) -> Result<Portal> {
        let mut p = self.portals();
        let name = format!("jsodbc_{}", p.next);
        p.next += 1;
        let begin = if p.in_tx {
            ""
        } else {
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; "
        };
        let sql = format!("{begin}DECLARE {name} NO SCROLL CURSOR FOR {select}");
        if let Err(e) = p.client.batch_execute(&sql) {
            return Err(self.abandon(&mut p, e));
        }
        p.in_tx = true;
        Ok(Portal {
            name,
            generation: p.generation,
        })
    }

    /// The next rows of a cursor, each with its rowid (from the `ctid`
    /// selected after the columns).
    fn fetch(&self, portal: &Portal, ty: &[SqlType]) -> Result<Vec<(i64, Vec<Value>)>> {
        let mut p = self.portals();
        let messages = match p
            .client
            .simple_query(&format!("FETCH {BATCH} FROM {}", portal.name))
        {
            Ok(m) => m,
            Err(e) => return Err(self.abandon(&mut p, e)),
        };
        Ok(messages
            .iter()
            .filter_map(|m| match m {
                SimpleQueryMessage::Row(r) => Some((
                    rowid_of(r.get(ty.len()).unwrap_or("")),
                    ty.iter()
                        .enumerate()
                        .map(|(i, t)| from_pg_text(r.get(i), *t))
                        .collect(),
                )),
                _ => None,
            })
            .collect())
    }

    /// Closes a server-side cursor (its rows are all read, or SQLite
    /// filters again); the transaction stays.
    fn close(&self, portal: &Portal) {
        let mut p = self.portals();
        if portal.generation != p.generation {
            return;
        }
        if let Err(e) = p.client.batch_execute(&format!("CLOSE {}", portal.name)) {
            self.abandon(&mut p, e);
        }
    }

    fn cursor_opened(&self) {
        self.portals().cursors += 1;
    }

    /// SQLite closed a cursor; the last one ends the transaction.
    fn cursor_closed(&self) {
        let mut p = self.portals();
        p.cursors = p.cursors.saturating_sub(1);
        if p.cursors == 0 && p.in_tx {
            p.in_tx = false;
            if let Err(e) = p.client.batch_execute("COMMIT") {
                self.abandon(&mut p, e);
            }
        }
    }

    /// After an error the transaction is unusable: rolled back, and every
    /// cursor of it forgotten.
    fn abandon(&self, p: &mut Portals, e: postgres::Error) -> crate::error::Error {
        let _ = p.client.batch_execute("ROLLBACK");
        p.in_tx = false;
        p.generation += 1;
        pg_failed(&self.schema, e)
    }
}

/// `(block,offset)` as one number: unique among a table's rows in one
/// snapshot (offsets are below 2^16).
fn rowid_of(ctid: &str) -> i64 {
    let (block, offset) = ctid
        .trim_matches(|c| c == '(' || c == ')')
        .split_once(',')
        .unwrap_or(("0", "0"));
    let n = |s: &str| s.trim().parse::<i64>().unwrap_or(0);
    (n(block) << 16) | n(offset)
}

/// The reader of a connection whose replica is in PostgreSQL (None: it is
/// not), in the schema its Login names.
pub fn open_for(
    config: &crate::config::Config,
    profile: &Arc<Profile>,
) -> Result<Option<Arc<Reader>>> {
    let Some(conn) = &config.cache_connection else {
        return Ok(None);
    };
    let schema = super::pg::schema_name(config.login.as_deref(), &config.url)?;
    Ok(Some(Arc::new(Reader::open(
        conn,
        &schema,
        profile.clone(),
    )?)))
}

/// Registers the module and declares a virtual table in `schema` (attached
/// already) for each table the replica holds. Tables it does not hold stay
/// undeclared: a statement naming one is "never synced" (42S02).
pub fn declare_tables(
    conn: &rusqlite::Connection,
    schema: &str,
    reader: Arc<Reader>,
) -> Result<()> {
    let tables = reader.synced_tables()?;
    let failed = |e: rusqlite::Error| {
        crate::error::Error::new(
            crate::error::Kind::General,
            format!("The PostgreSQL replica's tables cannot be declared: {e}"),
        )
    };
    conn.create_module(MODULE_NAME, &MODULE, Some(reader))
        .map_err(failed)?;
    for name in tables {
        conn.execute_batch(&format!(
            "CREATE VIRTUAL TABLE {}.{} USING {MODULE_NAME}({})",
            ident(schema),
            ident(&name),
            ident(&name)
        ))
        .map_err(failed)?;
    }
    Ok(())
}

const MODULE: rusqlite::vtab::Module<'static, PgTable> = rusqlite::vtab::Module::update_module();

#[repr(C)]
pub struct PgTable {
    /// SQLite's part; must come first (the table is cast to it).
    base: sqlite3_vtab,
    reader: Arc<Reader>,
    table: usize,
}

impl PgTable {
    fn types(&self) -> Vec<SqlType> {
        self.reader.profile.tables[self.table]
            .columns
            .iter()
            .map(|c| c.sql_type())
            .collect()
    }
}

fn module_error(e: impl std::fmt::Display) -> rusqlite::Error {
    rusqlite::Error::ModuleError(e.to_string())
}

/// A panic in a SQLite callback would abort the process: it becomes an error.
fn guard<T>(f: impl FnOnce() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(module_error(
            "Internal error in the driver (a panic was caught while reading the PostgreSQL replica); please report it with the log file.",
        ))
    })
}

// SAFETY: rusqlite casts between `*mut sqlite3_vtab` and this type: it is
// #[repr(C)] with the `sqlite3_vtab` first.
unsafe impl<'vtab> VTab<'vtab> for PgTable {
    type Aux = Arc<Reader>;
    type Cursor = PgCursor;

    fn connect(
        _db: &mut VTabConnection,
        aux: Option<&Arc<Reader>>,
        _module: &[u8],
        _database: &[u8],
        _table: &[u8],
        args: &[&[u8]],
    ) -> rusqlite::Result<(Cow<'static, CStr>, Self)> {
        guard(|| {
            let reader = aux
                .ok_or_else(|| module_error("no replica reader"))?
                .clone();
            let name = args
                .first()
                .map(|a| rusqlite::vtab::dequote(&String::from_utf8_lossy(a)).into_owned())
                .unwrap_or_default();
            let table = reader
                .profile
                .tables
                .iter()
                .position(|t| t.name == name)
                .ok_or_else(|| module_error(format!("no table {name} in the profile")))?;
            let ddl = crate::engine::table_declaration(&reader.profile.tables[table]);
            let ddl = CString::new(ddl).map_err(module_error)?;
            Ok((
                Cow::Owned(ddl),
                PgTable {
                    base: sqlite3_vtab::default(),
                    reader,
                    table,
                },
            ))
        })
    }

    fn best_index(&self, info: &mut IndexInfo) -> rusqlite::Result<bool> {
        guard(|| {
            let types = self.types();
            let t = &self.reader.profile.tables[self.table];
            let key = match t.primary_key.as_slice() {
                [one] => t.columns.iter().position(|c| &c.name == one),
                _ => None,
            };
            best_index(info, &types, key, self.reader.rows_of(&t.name))
        })
    }

    fn open(&'vtab mut self) -> rusqlite::Result<PgCursor> {
        self.reader.cursor_opened();
        Ok(PgCursor {
            base: sqlite3_vtab_cursor::default(),
            reader: self.reader.clone(),
            table: self.table,
            types: self.types(),
            portal: None,
            rows: VecDeque::new(),
            current: None,
        })
    }
}

/// Whether a constraint of `op` on a column of `ty` is sent to PostgreSQL
/// (with a value of the same kind, checked in xFilter).
fn pushed(op: IndexConstraintOp, ty: SqlType) -> Option<&'static str> {
    use IndexConstraintOp::*;
    let integer = matches!(ty, SqlType::BigInt | SqlType::Integer | SqlType::SmallInt);
    match op {
        SQLITE_INDEX_CONSTRAINT_EQ if integer || ty.is_char() => Some("="),
        SQLITE_INDEX_CONSTRAINT_GT if integer => Some(">"),
        SQLITE_INDEX_CONSTRAINT_GE if integer => Some(">="),
        SQLITE_INDEX_CONSTRAINT_LT if integer => Some("<"),
        SQLITE_INDEX_CONSTRAINT_LE if integer => Some("<="),
        _ => None,
    }
}

/// The plan, in idx_str: `column op` per argument, `;`-separated.
///
/// Costs count rows read plus a round trip per query (`QUERY_COST`), from
/// the table's row count in the sync state: a join then probes the larger
/// table by key for each row of the smaller, filtered one, not the reverse.
fn best_index(
    info: &mut IndexInfo,
    types: &[SqlType],
    key: Option<usize>,
    table_rows: f64,
) -> rusqlite::Result<bool> {
    let mut plan = Vec::new();
    let mut rows = table_rows;
    let mut chosen = Vec::new();
    for (i, c) in info.constraints().enumerate() {
        let Some(ty) = usize::try_from(c.column()).ok().and_then(|n| types.get(n)) else {
            continue;
        };
        if !c.is_usable() {
            continue;
        }
        if let Some(op) = pushed(c.operator(), *ty) {
            chosen.push((i, c.column(), op, *ty));
        }
    }
    let mut argv = 0;
    for (i, column, op, ty) in chosen {
        // Text is compared bytewise only under SQLite's BINARY collation.
        if ty.is_char()
            && info
                .collation(i)
                .map(|c| !c.eq_ignore_ascii_case("BINARY"))?
        {
            continue;
        }
        argv += 1;
        let mut usage = info.constraint_usage(i);
        usage.set_argv_index(argv);
        usage.set_omit(false);
        plan.push(format!("{column} {op}"));
        let exact = op == "=" && key == Some(column as usize);
        rows = if exact {
            1.0
        } else if op == "=" {
            (rows / 10.0).max(1.0)
        } else {
            (rows / 4.0).max(1.0)
        };
    }
    info.set_idx_str(&plan.join(";"));
    info.set_estimated_cost(QUERY_COST + rows);
    info.set_estimated_rows(rows as i64);
    Ok(true)
}

#[repr(C)]
pub struct PgCursor {
    /// SQLite's part; must come first (the cursor is cast to it).
    base: sqlite3_vtab_cursor,
    reader: Arc<Reader>,
    table: usize,
    types: Vec<SqlType>,
    portal: Option<Portal>,
    rows: VecDeque<(i64, Vec<Value>)>,
    current: Option<(i64, Vec<Value>)>,
}

impl PgCursor {
    /// `SELECT <columns> FROM "schema"."table" WHERE <pushed constraints>`:
    /// a constraint whose value is not of the column's kind is left to SQLite.
    fn select(&self, idx_str: Option<&str>, args: &Filters<'_>) -> rusqlite::Result<String> {
        let t = &self.reader.profile.tables[self.table];
        let cols: Vec<String> = t
            .columns
            .iter()
            .map(|c| select_expr(&ident(&c.name), c.sql_type()))
            .collect();
        let mut conds = Vec::new();
        for (i, item) in idx_str
            .unwrap_or("")
            .split(';')
            .filter(|s| !s.is_empty())
            .enumerate()
        {
            let (column, op) = item
                .split_once(' ')
                .ok_or_else(|| module_error("bad plan"))?;
            let column: usize = column.parse().map_err(module_error)?;
            let literal = match (args.get::<Value>(i)?, self.types[column].is_char()) {
                (Value::Int(n), false) => n.to_string(),
                (Value::Text(s), true) if !s.contains('\0') => {
                    format!("'{}'", s.replace('\'', "''"))
                }
                _ => continue,
            };
            conds.push(format!("{} {op} {literal}", ident(&t.columns[column].name)));
        }
        let filter = if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        };
        Ok(format!(
            "SELECT {}, ctid FROM {}.{}{filter}",
            cols.join(", "),
            ident(&self.reader.schema),
            ident(&t.name)
        ))
    }

    fn close_portal(&mut self) {
        if let Some(p) = self.portal.take() {
            self.reader.close(&p);
        }
    }

    fn advance(&mut self) -> rusqlite::Result<()> {
        if self.rows.is_empty() {
            if let Some(portal) = &self.portal {
                let batch = self
                    .reader
                    .fetch(portal, &self.types)
                    .map_err(|e| module_error(e.message))?;
                if batch.len() < BATCH {
                    // The last batch: the cursor (and, the last one, the
                    // transaction) ends now, not when SQLite closes it.
                    self.close_portal();
                }
                self.rows = batch.into();
            }
        }
        self.current = self.rows.pop_front();
        Ok(())
    }
}

impl Drop for PgCursor {
    fn drop(&mut self) {
        self.close_portal();
        self.reader.cursor_closed();
    }
}

// SAFETY: rusqlite casts between `*mut sqlite3_vtab_cursor` and this type:
// it is #[repr(C)] with the `sqlite3_vtab_cursor` first.
unsafe impl VTabCursor for PgCursor {
    fn filter(
        &mut self,
        _: c_int,
        idx_str: Option<&str>,
        args: &Filters<'_>,
    ) -> rusqlite::Result<()> {
        guard(|| {
            self.close_portal();
            self.rows.clear();
            let sql = self.select(idx_str, args)?;
            self.portal = Some(
                self.reader
                    .declare(&sql)
                    .map_err(|e| module_error(e.message))?,
            );
            self.advance()
        })
    }

    fn next(&mut self) -> rusqlite::Result<()> {
        guard(|| self.advance())
    }

    fn eof(&self) -> bool {
        self.current.is_none()
    }

    fn column(&self, ctx: &mut Context, i: c_int) -> rusqlite::Result<()> {
        let v = self
            .current
            .as_ref()
            .and_then(|(_, r)| r.get(i as usize))
            .unwrap_or(&Value::Null);
        ctx.set_result(rusqlite::types::ToSqlOutput::Borrowed(v.as_sqlite()))
    }

    fn rowid(&self) -> rusqlite::Result<i64> {
        Ok(self.current.as_ref().map_or(0, |(rowid, _)| *rowid))
    }
}

impl rusqlite::vtab::CreateVTab<'_> for PgTable {
    const KIND: rusqlite::vtab::VTabKind = rusqlite::vtab::VTabKind::Default;
}

/// Never reached: the engine refuses writes Offline before they run
/// (`replica::offline_write`); a write that got here is refused the same.
impl rusqlite::vtab::UpdateVTab<'_> for PgTable {
    fn delete(&mut self, _: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<()> {
        Err(module_error(super::offline_write().message))
    }
    fn insert(&mut self, _: &rusqlite::vtab::Inserts<'_>) -> rusqlite::Result<i64> {
        Err(module_error(super::offline_write().message))
    }
    fn update(&mut self, _: &rusqlite::vtab::Updates<'_>) -> rusqlite::Result<()> {
        Err(module_error(super::offline_write().message))
    }
}

//! The one SQLite module behind every table: rusqlite's `VTab`,
//! `UpdateVTab` and `VTabCursor` traits, glued to the engine. Each callback
//! decodes what SQLite passes, calls the part that does the work (`plan.rs`,
//! `access.rs`, `cursor.rs`, `write.rs`) under `guard`, and hands errors to
//! SQLite as text while the structured error waits in the statement's scope.

use super::access;
use super::collation::INSTANT;
use super::cursor::ApiCursor;
use super::plan::{self, Access, Plan};
use super::value::Value;
use super::write;
use super::Ctx;
use crate::error::{Error, Kind};
use crate::schema::SqlType;
use crate::schema::Table;
use rusqlite::types::ToSqlOutput;
use rusqlite::vtab::{sqlite3_vtab, Context, Filters, IndexInfo, VTab, VTabConnection, VTabCursor};
use std::borrow::Cow;
use std::ffi::{CStr, CString};
use std::os::raw::c_int;
use std::sync::Arc;

#[repr(C)]
pub struct ApiTable {
    /// SQLite's part; must come first (the table is cast to it).
    base: sqlite3_vtab,
    ctx: Arc<Ctx>,
    table: usize,
    /// The connection (for the conflict mode of an xUpdate).
    db: *mut rusqlite::ffi::sqlite3,
}

impl ApiTable {
    fn table(&self) -> &Table {
        &self.ctx.profile.tables[self.table]
    }
}

// SAFETY: rusqlite casts between `*mut sqlite3_vtab` and this type: it is
// #[repr(C)] with the `sqlite3_vtab` first.
unsafe impl<'vtab> VTab<'vtab> for ApiTable {
    type Aux = Arc<Ctx>;
    type Cursor = ApiCursor;

    fn connect(
        db: &mut VTabConnection,
        aux: Option<&Arc<Ctx>>,
        _module: &[u8],
        _database: &[u8],
        _table: &[u8],
        args: &[&[u8]],
    ) -> rusqlite::Result<(Cow<'static, CStr>, Self)> {
        let ctx = aux
            .ok_or_else(|| rusqlite::Error::ModuleError("no connection context".into()))?
            .clone();
        // xUpdate answers SQLITE_CONSTRAINT before writing anything: SQLite
        // may then skip the row (INSERT OR IGNORE) without counting it.
        db.config(rusqlite::vtab::VTabConfig::ConstraintSupport)?;
        // SAFETY: the handle is only kept to ask the conflict mode in
        // xUpdate, which SQLite calls on this same, still open, connection.
        let handle = unsafe { db.handle() };
        guard(&ctx.clone(), || declare(ctx, handle, args))
    }

    fn best_index(&self, info: &mut IndexInfo) -> rusqlite::Result<bool> {
        guard(&self.ctx, || {
            let t = self.table();
            let est = plan::estimated_rows(t, self.ctx.known_count(&t.name));
            plan::best_index(t, est, self.ctx.pagesize, info)
        })
    }

    fn open(&'vtab mut self) -> rusqlite::Result<ApiCursor> {
        guard(&self.ctx, || {
            Ok(ApiCursor::new(self.ctx.clone(), self.table))
        })
    }
}

/// xConnect: the table named in `CREATE VIRTUAL TABLE ... USING
/// jumpseller("<name>")`, declared to SQLite with its profile columns.
fn declare(
    ctx: Arc<Ctx>,
    db: *mut rusqlite::ffi::sqlite3,
    args: &[&[u8]],
) -> rusqlite::Result<(Cow<'static, CStr>, ApiTable)> {
    let name = args
        .first()
        .map(|a| rusqlite::vtab::dequote(&String::from_utf8_lossy(a)).into_owned())
        .unwrap_or_default();
    let table = ctx
        .profile
        .tables
        .iter()
        .position(|t| t.name == name)
        .ok_or_else(|| rusqlite::Error::ModuleError(format!("no table {name} in the profile")))?;
    let ddl = table_declaration(&ctx.profile.tables[table]);
    let ddl = CString::new(ddl).map_err(|e| rusqlite::Error::ModuleError(e.to_string()))?;
    Ok((
        Cow::Owned(ddl),
        ApiTable {
            base: sqlite3_vtab::default(),
            ctx,
            table,
            db,
        },
    ))
}

/// What xConnect declares for a profile table: its columns with their
/// types (also the Offline replica's tables, src/replica/pg_read.rs).
pub fn table_declaration(t: &Table) -> String {
    format!(
        "CREATE TABLE x({})",
        column_declarations(t, SqlType::decl).join(", ")
    )
}

/// Each column as `"name" TYPE`, the type as `decl` spells it; date and
/// time columns compare as instants (collation.rs). The replica's tables
/// (src/replica/layout.rs) declare their columns with it too.
pub fn column_declarations(t: &Table, decl: impl Fn(&SqlType) -> String) -> Vec<String> {
    t.columns
        .iter()
        .map(|c| {
            let ty = c.sql_type();
            let collate = match ty {
                SqlType::Timestamp | SqlType::Date => format!(" COLLATE {INSTANT}"),
                _ => String::new(),
            };
            format!("\"{}\" {}{collate}", c.name.replace('"', "\"\""), decl(&ty))
        })
        .collect()
}

impl rusqlite::vtab::CreateVTab<'_> for ApiTable {
    const KIND: rusqlite::vtab::VTabKind = rusqlite::vtab::VTabKind::Default;
}

/// Column values of an xUpdate call (args[2..]); None where SQLite says the
/// column is unchanged.
fn row_values(
    args: &rusqlite::types::Values<'_>,
    n: usize,
    nochange: impl Fn(usize) -> bool,
) -> rusqlite::Result<Vec<Option<Value>>> {
    (0..n)
        .map(|i| {
            Ok(if nochange(i + 2) {
                None
            } else {
                Some(args.get::<Value>(i + 2)?)
            })
        })
        .collect()
}

impl rusqlite::vtab::UpdateVTab<'_> for ApiTable {
    fn delete(&mut self, arg: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<()> {
        let ctx = self.ctx.clone();
        guard(&ctx, || {
            let rowid = arg.as_i64().unwrap_or(0);
            let seen = ctx.scope().row_seen(self.table, rowid);
            write::delete(&ctx, self.table(), rowid, seen).map_err(|e| fail(&ctx, e))
        })
    }

    /// args[1] is the rowid the statement gives (NULL when none), the
    /// column values follow; the statement's conflict mode decides what a
    /// row whose key exists means (`write::insert`).
    fn insert(&mut self, args: &rusqlite::vtab::Inserts<'_>) -> rusqlite::Result<i64> {
        let ctx = self.ctx.clone();
        guard(&ctx, || {
            use rusqlite::vtab::ConflictMode;
            // SAFETY: db is the connection running this xUpdate (kept from
            // xConnect; a table never outlives its connection), and asking
            // its conflict mode is valid inside xUpdate.
            let mode = match unsafe { args.on_conflict(self.db) } {
                ConflictMode::Ignore => write::Conflict::Ignore,
                ConflictMode::Replace => write::Conflict::Replace,
                _ => write::Conflict::Abort,
            };
            let rowid = args.get::<Option<i64>>(1)?;
            let vals = row_values(args, self.table().columns.len(), |_| false)?;
            match write::insert(&ctx, self.table, rowid, &vals, mode) {
                Ok(write::Inserted::Created(id) | write::Inserted::Updated(id)) => Ok(id),
                // SQLITE_CONSTRAINT under OR IGNORE: SQLite skips the row
                // and does not count it as changed.
                Ok(write::Inserted::Skipped) => Err(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT),
                    None,
                )),
                Err(e) => Err(fail(&ctx, e)),
            }
        })
    }

    fn update(&mut self, args: &rusqlite::vtab::Updates<'_>) -> rusqlite::Result<()> {
        let ctx = self.ctx.clone();
        guard(&ctx, || {
            let rowid = args.get::<i64>(0)?;
            let vals = row_values(args, self.table().columns.len(), |i| args.no_change(i))?;
            let seen = ctx.scope().row_seen(self.table, rowid);
            write::update(&ctx, self.table(), rowid, seen, &vals).map_err(|e| fail(&ctx, e))
        })
    }
}

/// Surfaces an error to SQLite and keeps the structured one for the ODBC
/// layer (SQLite only carries a string).
fn fail(ctx: &Ctx, e: Error) -> rusqlite::Error {
    let msg = e.message.clone();
    ctx.scope().set_error(e);
    rusqlite::Error::ModuleError(msg)
}

/// A panic inside a SQLite callback would abort the host process (no
/// unwinding across SQLite's C frames): every callback runs in here, and a
/// panic becomes an error (kept in the scope, its text given to SQLite).
/// AssertUnwindSafe holds because what a callback may leave half-updated is
/// its own cursor or table, which SQLite only closes after an error, and
/// mutexes it held (`scope::lock` takes poisoned ones as they are).
fn guard<T>(ctx: &Ctx, f: impl FnOnce() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(fail(ctx, Error::new(Kind::General, "Internal error in the driver (a panic was caught while reading a table); please report it with the log file.")))
    })
}

// SAFETY: rusqlite casts between `*mut sqlite3_vtab_cursor` and this type:
// ApiCursor is #[repr(C)] with the `sqlite3_vtab_cursor` first (cursor.rs).
unsafe impl VTabCursor for ApiCursor {
    fn filter(
        &mut self,
        idx_num: c_int,
        idx_str: Option<&str>,
        args: &Filters<'_>,
    ) -> rusqlite::Result<()> {
        let ctx = self.ctx().clone();
        guard(&ctx, || filter(self, idx_num, idx_str, args))
    }

    fn next(&mut self) -> rusqlite::Result<()> {
        let ctx = self.ctx().clone();
        guard(&ctx, || self.advance().map_err(|e| fail(&ctx, e)))
    }

    fn eof(&self) -> bool {
        self.is_eof()
    }

    fn column(&self, ctx: &mut Context, i: c_int) -> rusqlite::Result<()> {
        guard(&self.ctx().clone(), || column(self, ctx, i))
    }

    fn rowid(&self) -> rusqlite::Result<i64> {
        guard(&self.ctx().clone(), || Ok(ApiCursor::rowid(self)))
    }
}

/// xFilter: reads the plan `best_index` left in idx_str and the values
/// SQLite passes for it, and starts the cursor on the plan's sources.
fn filter(
    cursor: &mut ApiCursor,
    _idx_num: c_int,
    idx_str: Option<&str>,
    args: &Filters<'_>,
) -> rusqlite::Result<()> {
    let plan: Plan = idx_str
        .and_then(|s| serde_json::from_str(s).ok())
        .ok_or_else(|| rusqlite::Error::ModuleError("internal: missing plan".into()))?;
    let mut keys = Vec::new();
    if let Access::Range { lo, hi, .. } = plan.access {
        // keys[0] = lower bound, keys[1] = upper bound (Null when absent).
        for pos in [lo, hi] {
            keys.push(match pos {
                Some(i) => args.get::<Value>(i)?,
                None => Value::Null,
            });
        }
    } else if plan.access != Access::Scan {
        if plan.in_list {
            let mut it = args.in_values(0)?;
            use fallible_iterator_shim::Next;
            while let Some(v) = it.next_value()? {
                keys.push(v);
            }
        } else {
            keys.push(args.get::<Value>(0)?);
        }
    }
    let also: Vec<Value> = plan
        .also_args
        .iter()
        .map(|i| args.get::<Value>(*i))
        .collect::<rusqlite::Result<_>>()?;
    let limit = match plan.limit_arg {
        Some(i) => args.get::<i64>(i).ok().map(|l| l.max(0) as u64),
        None => None,
    };
    let ctx = cursor.ctx().clone();
    access::sources(&ctx, cursor.table_index(), &plan, keys, &also)
        .and_then(|sources| cursor.start(sources, limit))
        .map_err(|e| fail(&ctx, e))
}

/// xColumn: the current row's value of column `i`.
fn column(cursor: &ApiCursor, ctx: &mut Context, i: c_int) -> rusqlite::Result<()> {
    if cursor.is_count_only() {
        return ctx.set_result(rusqlite::types::Null);
    }
    let t = cursor.table();
    let Some(col) = t.columns.get(i as usize) else {
        return ctx.set_result(rusqlite::types::Null);
    };
    // For an UPDATE, columns it does not change stay out of the PUT body,
    // except those a write route's path needs.
    if ctx.no_change() && !write::path_columns(t).contains(&col.name) {
        return Ok(());
    }
    cursor.with_value(i as usize, col, |v| {
        ctx.set_result(ToSqlOutput::Borrowed(v))
    })
}

/// Reading an IN list one value at a time.
mod fallible_iterator_shim {
    use super::Value;
    pub trait Next {
        fn next_value(&mut self) -> rusqlite::Result<Option<Value>>;
    }
    impl Next for rusqlite::vtab::InValues<'_> {
        fn next_value(&mut self) -> rusqlite::Result<Option<Value>> {
            use fallible_streaming_iterator::FallibleStreamingIterator;
            match self.next()? {
                Some(v) => Ok(Some(Value::from(v.get_raw()))),
                None => Ok(None),
            }
        }
    }
}

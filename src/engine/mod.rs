#![deny(unsafe_op_in_unsafe_fn)]
//! SQL over the API: one embedded SQLite per connection, every profile table
//! a virtual table in schema `Jumpseller`. SQLite plans and evaluates; the
//! virtual tables (`vtab.rs`) turn what they are asked for into requests.

mod access;
pub mod additions;
mod authorizer;
pub mod autocache;
mod casts;
pub mod collation;
mod cursor;
mod escapes;
mod fanout;
mod fill;
mod functions;
mod identity;
pub mod journal;
mod keep;
mod lookup;
mod plan;
mod prefetch;
mod record;
pub mod replicate;
pub mod result_types;
mod scan;
mod scope;
mod source;
mod typed;
mod upsert;
mod value;
mod vtab;
mod write;

pub use autocache::{Auto, Changes, Freshen};
pub use escapes::rewrite as rewrite_escapes;
pub use replicate::{Change, WriteThrough};
pub use value::{decode, lookup, StackText, Value};
pub use vtab::{column_declarations, table_declaration};

use crate::error::{Error, Kind, Result};
use crate::jumpseller::Client;
pub use crate::jumpseller::{Interrupt, Timeout};
use crate::schema::{Profile, SqlType};
use rusqlite::ffi;
use scope::lock;
use scope::{DbLock, Scope};
use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::os::raw::c_int;
use std::sync::{Arc, Mutex};

/// What the virtual tables of one connection share.
pub struct Ctx {
    pub profile: Arc<Profile>,
    pub client: Arc<Client>,
    pub pagesize: u32,
    /// Pages requested ahead of the reader (0 = none).
    pub prefetch: u32,
    /// The bound of each statement's page memo and lookup indexes, in
    /// bytes (`MemoBytes`).
    memo_bytes: std::sync::atomic::AtomicUsize,
    /// The scope of the statement being stepped (see `scope.rs`).
    current: scope::Current,
    /// Row counts learnt from count endpoints, by table (for plan costs).
    counts: Mutex<HashMap<String, u64>>,
    /// The same by count path (bounds prefetching).
    count_paths: Mutex<HashMap<String, u64>>,
    /// Rowids handed to rows without an id of their own.
    rowids: std::sync::atomic::AtomicI64,
    /// Writes sent since the layer above last took them (see `journal.rs`);
    /// an AutoCache session shares its live sibling's.
    journal: Arc<journal::Journal>,
    /// What sys_identity shows (see `identity.rs`), shared the same way.
    identity: Arc<identity::Identity>,
    /// Views and fixed tables added at open (see `additions.rs`).
    added: Mutex<Vec<additions::Added>>,
    /// The fixed tables' names, lower case: user SQL never writes them.
    fixed: Mutex<Vec<String>>,
    /// Set once the session's own setup is done: from then on user SQL is
    /// fenced in (authorizer.rs).
    sealed: std::sync::atomic::AtomicBool,
    /// The store's schema is the replica file, attached read-only (Offline
    /// or AutoCache).
    offline: bool,
    /// AutoCache: syncs before reads, writes through the live sibling.
    auto: Option<autocache::Auto>,
    /// The store tables a statement being prepared touches (AutoCache).
    touched: Mutex<Option<autocache::Touched>>,
    /// Writes the API confirmed reach the replica (CacheLocation).
    write_through: Option<Arc<dyn replicate::WriteThrough>>,
}

impl Ctx {
    /// The running statement's scope: valid in a callback of its step. A
    /// thread a callback starts must capture it, not call this.
    fn scope(&self) -> Arc<Scope> {
        self.current.get()
    }
    fn memo_bytes(&self) -> usize {
        self.memo_bytes.load(std::sync::atomic::Ordering::Relaxed)
    }
    fn next_rowid(&self) -> i64 {
        self.rowids
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }
    fn known_count(&self, table: &str) -> Option<u64> {
        lock(&self.counts).get(table).copied()
    }
    fn remember_count(&self, table: &str, n: u64) {
        lock(&self.counts).insert(table.to_string(), n);
    }
    fn count_of(&self, path: &str) -> Option<u64> {
        lock(&self.count_paths).get(path).copied()
    }
    fn remember_count_of(&self, path: &str, n: u64) {
        lock(&self.count_paths).insert(path.to_string(), n);
    }
}

/// Owns the SQLite connection; it is used through its raw handle only, under
/// SQLite's own connection mutex (`DbLock`).
struct Inner {
    _conn: rusqlite::Connection,
}

/// One connection's engine. Cloning shares it (statements hold a clone).
#[derive(Clone)]
pub struct Session {
    // Field order matters: the connection closes before the context its
    // callbacks and progress handler point at is released.
    _inner: Arc<Inner>,
    ctx: Arc<Ctx>,
    db: Db,
}

/// What a session adds to the store's schema when it opens.
#[derive(Default)]
pub struct Setup<'a> {
    pub views: Vec<additions::ViewDef>,
    /// The fixed tables, computed once the views exist (sys_tablecolumns
    /// describes them); None adds no fixed tables and no sys_identity.
    #[allow(clippy::type_complexity)]
    pub fixed_tables: Option<&'a dyn Fn(&Session) -> Result<Vec<additions::FixedTable>>>,
    /// Offline: the replica file (src/replica) is the store's schema,
    /// attached read-only, instead of the virtual tables; views and fixed
    /// tables then live in the connection's temp schema.
    pub offline_replica: Option<&'a std::path::Path>,
    /// AutoCache (with `offline_replica` or `offline_tables`): the live
    /// sibling and the syncs.
    pub auto: Option<autocache::Auto>,
    /// Told of every write the API confirms (CacheLocation, CacheConnection).
    pub write_through: Option<Arc<dyn replicate::WriteThrough>>,
    /// Offline from elsewhere (the PostgreSQL replica, src/replica/pg_read.rs):
    /// declares its own tables in the store's schema (attached empty) in
    /// place of the virtual tables; views and fixed tables as above.
    #[allow(clippy::type_complexity)]
    pub offline_tables: Option<&'a dyn Fn(&rusqlite::Connection, &str) -> Result<()>>,
}

#[derive(Clone, Copy)]
struct Db(*mut ffi::sqlite3);
// SAFETY: the connection is opened with SQLITE_OPEN_FULL_MUTEX (serialized
// mode), in which SQLite allows its handle to be used from any thread; every
// Session clone keeps it open (`_inner`).
unsafe impl Send for Db {}
// SAFETY: as for Send: serialized mode lets any thread use the handle at once.
unsafe impl Sync for Db {}
// SAFETY: Inner is only kept alive, never used: the handle is used as `Db`.
unsafe impl Sync for Inner {}

const MODULE: rusqlite::vtab::Module<'static, vtab::ApiTable> =
    rusqlite::vtab::Module::update_module();

impl Session {
    /// `user_name` is what `{fn USER()}` answers: the connection's login, as
    /// SQLGetInfo(SQL_USER_NAME) says. `setup` adds views and fixed tables
    /// (additions.rs) before user SQL is fenced in.
    pub fn open(
        profile: Arc<Profile>,
        client: Arc<Client>,
        pagesize: u32,
        prefetch: u32,
        user_name: String,
        setup: &Setup<'_>,
    ) -> Result<Session> {
        let ctx = Arc::new(Ctx {
            profile: profile.clone(),
            client,
            pagesize: pagesize.clamp(1, 100),
            prefetch,
            memo_bytes: scope::DEFAULT_MEMO_BYTES.into(),
            current: scope::Current::default(),
            counts: Mutex::new(HashMap::new()),
            count_paths: Mutex::new(HashMap::new()),
            rowids: std::sync::atomic::AtomicI64::new(1),
            // AutoCache: the writes go through the live sibling, and the
            // connection's journal and sys_identity are the same.
            journal: match &setup.auto {
                Some(a) => a.live.ctx.journal.clone(),
                None => Default::default(),
            },
            identity: match &setup.auto {
                Some(a) => a.live.ctx.identity.clone(),
                None => Default::default(),
            },
            added: Mutex::new(Vec::new()),
            fixed: Mutex::new(Vec::new()),
            sealed: std::sync::atomic::AtomicBool::new(false),
            offline: setup.offline_replica.is_some() || setup.offline_tables.is_some(),
            auto: setup.auto.clone(),
            touched: Mutex::new(None),
            write_through: setup.write_through.clone(),
        });
        // Serialized mode: statements of one connection may run on several
        // threads; SQLite's connection mutex orders them (see DbLock).
        use rusqlite::OpenFlags;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_FULL_MUTEX;
        let conn = rusqlite::Connection::open_in_memory_with_flags(flags).map_err(sqlite_setup)?;
        conn.create_module("jumpseller", &MODULE, Some(ctx.clone()))
            .map_err(sqlite_setup)?;
        unicode_case_functions(&conn).map_err(sqlite_setup)?;
        let scope_of = ctx.clone();
        casts::register(&conn, move |e| scope_of.scope().set_error(e)).map_err(sqlite_setup)?;
        let scope_of = ctx.clone();
        functions::register(&conn, move |e| scope_of.scope().set_error(e)).map_err(sqlite_setup)?;
        conn.create_scalar_function(
            "js_fn_user",
            0,
            rusqlite::functions::FunctionFlags::SQLITE_UTF8
                | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
            move |_| Ok(user_name.clone()),
        )
        .map_err(sqlite_setup)?;
        conn.create_collation(collation::INSTANT, collation::compare_instants)
            .map_err(sqlite_setup)?;
        identity::register(&conn, Arc::downgrade(&ctx)).map_err(sqlite_setup)?;
        let schema = profile.schema.replace('"', "\"\"");
        if let Some(replica) = setup.offline_replica {
            attach_replica(&conn, &schema, replica)?;
        } else {
            conn.execute_batch(&format!("ATTACH DATABASE ':memory:' AS \"{schema}\""))
                .map_err(sqlite_setup)?;
        }
        for t in profile
            .tables
            .iter()
            .filter(|_| setup.offline_replica.is_none() && setup.offline_tables.is_none())
        {
            let name = t.name.replace('"', "\"\"");
            conn.execute_batch(&format!(
                "CREATE VIRTUAL TABLE \"{schema}\".\"{name}\" USING jumpseller(\"{name}\")"
            ))
            .map_err(sqlite_setup)?;
        }
        if let Some(declare) = setup.offline_tables {
            declare(&conn, &profile.schema)?;
        }
        // From here on user SQL is fenced in (authorizer.rs): no files, no
        // pragmas that change the connection, no DDL on the store's tables.
        // VACUUM INTO has no authorizer action of its own but needs a database
        // slot like ATTACH: the store's schema takes the last one allowed.
        use rusqlite::limits::Limit;
        conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 1)
            .map_err(sqlite_setup)?;
        let mut conn = conn;
        authorizer::install(&mut conn, Arc::downgrade(&ctx)).map_err(sqlite_setup)?;
        // SAFETY: the handle stays valid as long as `conn`, which Inner keeps.
        let db = Db(unsafe { conn.handle() });
        // A cancelled statement that is busy in SQLite itself (sorting, a big
        // join over rows already read) stops within this many VM steps.
        // SAFETY: the context outlives the connection (field order of Session),
        // and the handler only reads it.
        unsafe {
            ffi::sqlite3_progress_handler(
                db.0,
                10_000,
                Some(cancelled_handler),
                Arc::as_ptr(&ctx) as *mut std::os::raw::c_void,
            )
        };
        let session = Session {
            _inner: Arc::new(Inner { _conn: conn }),
            ctx,
            db,
        };
        session.add_all(setup)?;
        session
            .ctx
            .sealed
            .store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(session)
    }

    /// The views first, then the fixed tables (which may describe them),
    /// then sys_identity.
    fn add_all(&self, setup: &Setup<'_>) -> Result<()> {
        for view in &setup.views {
            self.add_view(view, "")?;
        }
        if let Some(fixed) = setup.fixed_tables {
            for table in fixed(self)? {
                self.add_fixed_table(&table)?;
            }
            self.add_system_view(
                "sys_identity",
                identity::VIEW_SQL,
                "The rows the connection's last writing execution created, with their ids.",
            )?;
        }
        Ok(())
    }

    /// Bounds what each statement keeps in memory for re-reads (its page
    /// memo, its join indexes) at `bytes` (`MemoBytes`).
    pub fn set_memo_bytes(&self, bytes: usize) {
        self.ctx
            .memo_bytes
            .store(bytes, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn profile(&self) -> &Arc<Profile> {
        &self.ctx.profile
    }

    pub fn client(&self) -> &Arc<Client> {
        &self.ctx.client
    }

    /// Compiles one SQL statement. Needs no network: columns and types are
    /// known from the profile before anything runs (AutoCache: except a
    /// table the replica never held, synced first; see autocache.rs).
    pub fn prepare(&self, sql: &str) -> Result<Query> {
        match &self.ctx.auto {
            Some(auto) => self.prepare_auto(auto, sql),
            None => self.prepare_here(sql).map_err(|e| self.offline_error(e)),
        }
    }

    /// Compiles `sql` on this session's own connection.
    fn prepare_here(&self, sql: &str) -> Result<Query> {
        let sql = upsert::rewrite(&escapes::rewrite(sql), &self.ctx.profile)?;
        // Standard CASTs become the driver's functions; the select list's
        // CAST items keep their types for describe.
        let db = self.db.0;
        // SAFETY: db is open while self lives.
        let _db = unsafe { DbLock::enter(db) };
        // Planning errors (xBestIndex) land in the new statement's scope.
        let scope = Scope::new(Interrupt::none(), self.ctx.memo_bytes());
        let _installed = self.ctx.current.install(scope.clone());
        // Expressions of the select list get their types from the SQL text
        // (result_types.rs); DECIMAL ones are rounded to their scale. An
        // identifier of a CTE or subquery is probed: what SQLite declares
        // for `SELECT <it> FROM <the FROM clause>` (no network either).
        let probe = |probe_sql: &str| -> Option<(SqlType, bool)> {
            let c = CString::new(probe_sql).ok()?;
            let mut st: *mut ffi::sqlite3_stmt = std::ptr::null_mut();
            // SAFETY: db is the live connection we hold the lock of.
            let rc = unsafe {
                ffi::sqlite3_prepare_v2(db, c.as_ptr(), -1, &mut st, std::ptr::null_mut())
            };
            // A probe's planning error is not the statement's.
            scope.take_error();
            if rc != ffi::SQLITE_OK || st.is_null() {
                return None;
            }
            // SAFETY: st was just prepared, under the lock.
            let col = unsafe { describe(st, &self.ctx.profile, &[], &[]) }
                .into_iter()
                .next();
            // SAFETY: st is finalized once, here.
            unsafe { ffi::sqlite3_finalize(st) };
            col.and_then(|c| Some((c.declared?, c.nullable)))
        };
        let (typed_columns, wraps) = result_types::infer(&sql, &self.ctx.profile, &probe);
        let casts::Rewritten {
            sql,
            columns: cast_columns,
        } = casts::rewrite(&sql, &wraps)?;
        let c_sql = CString::new(sql.clone())
            .map_err(|_| Error::new(Kind::Syntax, "The SQL text contains a NUL character."))?;
        let mut stmt: *mut ffi::sqlite3_stmt = std::ptr::null_mut();
        let mut tail: *const std::os::raw::c_char = std::ptr::null();
        // SAFETY: db is the live connection we hold the lock of.
        let rc = unsafe { ffi::sqlite3_prepare_v2(db, c_sql.as_ptr(), -1, &mut stmt, &mut tail) };
        if rc != ffi::SQLITE_OK {
            return Err(sqlite_error(&scope, db, rc));
        }
        if stmt.is_null() {
            return Err(Error::new(Kind::Syntax, "The SQL text holds no statement."));
        }
        // More than one statement: refuse rather than silently run only the first.
        // SAFETY: on success `tail` points into `c_sql`, which is NUL-terminated
        // and still alive.
        let rest = unsafe { CStr::from_ptr(tail) }.to_string_lossy();
        if !rest.trim().trim_matches(';').trim().is_empty() {
            // SAFETY: stmt was just prepared and is finalized once, here.
            unsafe { ffi::sqlite3_finalize(stmt) };
            return Err(Error::new(
                Kind::Syntax,
                "Only one SQL statement can be executed at a time.",
            ));
        }
        // SAFETY: stmt is the live statement just prepared, under the lock.
        let columns = unsafe { describe(stmt, &self.ctx.profile, &cast_columns, &typed_columns) };
        // SAFETY: as above.
        let readonly = unsafe { ffi::sqlite3_stmt_readonly(stmt) } != 0;
        // SAFETY: as above.
        let params = unsafe { ffi::sqlite3_bind_parameter_count(stmt) } as usize;
        if !readonly
            && self.ctx.offline
            && self.ctx.auto.is_none()
            && self.ctx.sealed.load(std::sync::atomic::Ordering::SeqCst)
        {
            // SAFETY: stmt was just prepared and is finalized once, here.
            unsafe { ffi::sqlite3_finalize(stmt) };
            return Err(crate::replica::offline_write());
        }
        Ok(Query {
            stmt: Stmt(stmt),
            session: self.clone(),
            scope,
            columns,
            state: State::Ready,
            changes: -1,
            readonly,
            params,
            reads: Default::default(),
            warnings: Vec::new(),
        })
    }
}

/// Offline: the replica file attached read-only as the store's schema.
/// A missing file is an error here (SQLite would create nothing read-only,
/// and say only "unable to open").
fn attach_replica(conn: &rusqlite::Connection, schema: &str, path: &std::path::Path) -> Result<()> {
    if !path.is_file() {
        return Err(crate::replica::missing(path));
    }
    conn.execute(
        &format!("ATTACH DATABASE ?1 AS \"{schema}\""),
        [crate::replica::read_only_uri(path)],
    )
    .map(|_| ())
    .map_err(|e| crate::replica::failed(path, e))
}

impl Session {
    /// Offline, a profile table missing from the replica was never synced:
    /// say how to sync it.
    fn offline_error(&self, e: Error) -> Error {
        match self.missing_store_table(&e) {
            Some(t) => crate::replica::never_synced(&t),
            None => e,
        }
    }

    /// The profile table a "no such table" names when the store's schema
    /// is the replica: one the replica does not hold (yet).
    fn missing_store_table(&self, e: &Error) -> Option<String> {
        if !self.ctx.offline || e.kind != Kind::NoTable {
            return None;
        }
        // "no such table: [Schema.]Name. SQLTables lists ..." (classify)
        e.message
            .strip_prefix("no such table: ")
            .and_then(|rest| rest.split(". ").next())
            .and_then(|name| name.rsplit('.').next())
            .and_then(|name| self.ctx.profile.table(name))
            .map(|t| t.name.clone())
    }

    /// Where the connection's views and fixed tables live: the store's
    /// schema, or temp when that is the read-only replica.
    pub(crate) fn additions_schema(&self) -> &str {
        if self.ctx.offline {
            "temp"
        } else {
            &self.ctx.profile.schema
        }
    }
}

/// SQLite's error after a failed call: the structured error a callback left
/// in the scope when there is one, else SQLite's message, classified.
fn sqlite_error(scope: &Scope, db: *mut ffi::sqlite3, rc: c_int) -> Error {
    if let Some(e) = scope.take_error() {
        return e;
    }
    // SAFETY: db is open (callers hold it) and errmsg returns a valid C string.
    let msg = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db)) }
        .to_string_lossy()
        .into_owned();
    classify(rc, &msg)
}

/// The progress handler: non-zero interrupts the statement being stepped,
/// which is the one whose scope is installed.
extern "C" fn cancelled_handler(ctx: *mut std::os::raw::c_void) -> c_int {
    // SAFETY: registered with a pointer to the connection's Ctx, which
    // outlives the connection (see Session::open).
    let ctx = unsafe { &*(ctx as *const Ctx) };
    // A panic must not unwind into SQLite.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        c_int::from(ctx.scope().interrupt.is_cancelled())
    }))
    .unwrap_or(1)
}

/// SQLite's upper() and lower() only know ASCII; store data is Spanish,
/// Portuguese, Chinese: replace them with Unicode-aware versions.
fn unicode_case_functions(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    for (name, upper) in [("upper", true), ("lower", false)] {
        conn.create_scalar_function(name, 1, flags, move |ctx| {
            let text = match Value::from(ctx.get_raw(0)) {
                Value::Blob(b) => String::from_utf8_lossy(&b).into_owned(),
                v => match v.text() {
                    Some(t) => t,
                    None => return Ok(None),
                },
            };
            Ok(Some(if upper {
                text.to_uppercase()
            } else {
                text.to_lowercase()
            }))
        })?;
    }
    Ok(())
}

fn sqlite_setup(e: rusqlite::Error) -> Error {
    Error::new(
        Kind::General,
        format!("Setting up the SQL engine failed: {e}"),
    )
}

/// SQLite's messages, sorted into kinds by their stable prefixes.
fn classify(rc: c_int, msg: &str) -> Error {
    let kind = if msg.starts_with("no such table") {
        Kind::NoTable
    } else if msg.starts_with("no such column") {
        Kind::NoColumn
    } else if msg.contains("syntax error")
        || msg.starts_with("incomplete input")
        || msg.starts_with("unrecognized token")
        || msg.starts_with("no such function")
        || msg.contains("wrong number of arguments")
    {
        Kind::Syntax
    } else if rc == ffi::SQLITE_INTERRUPT {
        Kind::Cancelled
    } else if msg.contains("read-only")
        || msg.contains("may not be modified")
        || msg.contains("because it is a view")
    {
        Kind::NotImplemented
    } else if msg.starts_with("near ") {
        Kind::Syntax
    } else {
        Kind::General
    };
    let text = match kind {
        Kind::NoTable => format!(
            "{msg}. SQLTables lists the tables; names are like Products, Orders, Customers."
        ),
        Kind::Cancelled => "The statement was cancelled.".into(),
        Kind::NotImplemented => format!("{msg}: this table cannot be written."),
        _ => msg.to_string(),
    };
    Error::new(kind, text)
}

/// A result column as the ODBC layer describes it.
#[derive(Debug, Clone)]
pub struct ColumnInfo {
    pub name: String,
    /// The declared type when the column comes straight from a table, the
    /// target type when it is a CAST of the select list, or the type
    /// result_types.rs infers for an expression; None when nothing is known
    /// (the ODBC layer then reports `result_types::FALLBACK`).
    pub declared: Option<SqlType>,
    pub table: Option<String>,
    pub schema: Option<String>,
    pub base_column: Option<String>,
    pub nullable: bool,
}

/// A C string SQLite returned, copied; None for NULL.
///
/// # Safety
/// `p` is null or points to a NUL-terminated string that stays valid for
/// the call.
unsafe fn text(p: *const std::os::raw::c_char) -> Option<String> {
    if p.is_null() {
        None
    } else {
        // SAFETY: non-null and NUL-terminated (the caller's duty).
        Some(unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
    }
}

/// The result columns of a prepared statement, with what the profile says
/// of the table columns they come from, and the types of CAST items.
///
/// # Safety
/// `stmt` is a live prepared statement and the caller holds its
/// connection's mutex.
unsafe fn describe(
    stmt: *mut ffi::sqlite3_stmt,
    profile: &Profile,
    casts: &[casts::CastColumn],
    typed: &[result_types::TypedColumn],
) -> Vec<ColumnInfo> {
    // SAFETY: stmt is live and locked (the caller's duty).
    let n = unsafe { ffi::sqlite3_column_count(stmt) };
    (0..n)
        .map(|i| {
            // SAFETY: i is below the column count; the strings SQLite
            // returns stay valid until the statement changes, and `text`
            // copies each one at once.
            let (name, decl, table, base) = unsafe {
                (
                    text(ffi::sqlite3_column_name(stmt, i)).unwrap_or_default(),
                    text(ffi::sqlite3_column_decltype(stmt, i)),
                    text(ffi::sqlite3_column_table_name(stmt, i)),
                    text(ffi::sqlite3_column_origin_name(stmt, i)),
                )
            };
            let inferred = typed.iter().find(|c| c.is(i as usize, n as usize));
            let nullable = match (&table, &base) {
                (Some(t), Some(c)) => profile
                    .table(t)
                    .and_then(|t| t.columns.iter().find(|x| &x.name == c))
                    .map(|c| c.nullable)
                    .unwrap_or(true),
                _ => inferred.is_none_or(|c| c.nullable),
            };
            let declared = decl
                .and_then(|d| SqlType::parse(&d, None).ok())
                .or_else(|| {
                    casts
                        .iter()
                        .find(|c| c.is(i as usize, n as usize, &name))
                        .map(|c| c.sql_type)
                })
                .or(inferred.map(|c| c.sql_type));
            ColumnInfo {
                name,
                declared,
                schema: table.as_ref().map(|_| profile.schema.clone()),
                table,
                base_column: base,
                nullable,
            }
        })
        .collect()
}

struct Stmt(*mut ffi::sqlite3_stmt);
// SAFETY: the statement is only touched under the connection's mutex
// (DbLock), which serialized mode provides for use from any thread.
unsafe impl Send for Stmt {}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Ready,
    Running,
    Done,
}

/// A compiled statement, executed and read one row at a time.
pub struct Query {
    stmt: Stmt,
    session: Session,
    /// This statement's run: interrupt, error, page memo, lookups.
    scope: Arc<Scope>,
    columns: Vec<ColumnInfo>,
    state: State,
    changes: i64,
    readonly: bool,
    /// Number of `?` markers.
    params: usize,
    /// AutoCache: what it reads, brought up to date before each run.
    reads: autocache::Reads,
    /// What the last run's sync warned of (a table answered stale).
    warnings: Vec<String>,
}

impl Query {
    /// SQLite's connection mutex, held while this statement is touched.
    fn lock_db(&self) -> DbLock {
        // SAFETY: the session keeps the connection open while self lives.
        unsafe { DbLock::enter(self.session.db.0) }
    }
}

impl Drop for Query {
    fn drop(&mut self) {
        let _db = self.lock_db();
        // SAFETY: finalized once, here, under the connection's mutex.
        unsafe { ffi::sqlite3_finalize(self.stmt.0) };
    }
}

impl Query {
    /// (bytes, most bytes at once) held by this run's page memo: what a
    /// test checks the bound by.
    pub fn memo_bytes(&self) -> (usize, usize) {
        self.scope.memo_bytes()
    }

    pub fn columns(&self) -> &[ColumnInfo] {
        &self.columns
    }

    pub fn is_select(&self) -> bool {
        !self.columns.is_empty()
    }

    pub fn readonly(&self) -> bool {
        self.readonly
    }

    /// Rows changed by a write; -1 for a query.
    pub fn row_count(&self) -> i64 {
        self.changes
    }

    pub fn param_count(&self) -> usize {
        self.params
    }

    /// What the last execution warned of (AutoCache: a table answered from
    /// the replica because its sync failed), emptied.
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    /// Starts (or restarts) the statement with these values for its `?`
    /// markers. A statement without a result set runs to completion here.
    /// `interrupt` is the statement's: a cancel or its deadline stops this
    /// run and no other statement's; it is kept for the fetches that follow.
    pub fn execute(&mut self, params: &[Value], interrupt: &Interrupt) -> Result<()> {
        if params.len() < self.params {
            return Err(Error::new(
                Kind::General,
                format!(
                    "The statement has {} parameter markers but {} values were bound (07002).",
                    self.params,
                    params.len()
                ),
            ));
        }
        {
            let _db = self.lock_db();
            // SAFETY: the statement is live and we hold the connection's mutex.
            unsafe { ffi::sqlite3_reset(self.stmt.0) };
            for (i, v) in params.iter().take(self.params).enumerate() {
                // SAFETY: statement held under the lock; SQLITE_TRANSIENT copies.
                let rc = unsafe { bind(self.stmt.0, i as c_int + 1, v) };
                if rc != ffi::SQLITE_OK {
                    return Err(Error::new(
                        Kind::General,
                        format!("Binding parameter {} failed (SQLite code {rc}).", i + 1),
                    ));
                }
            }
        }
        self.warnings = self
            .session
            .bring_up_to_date(&self.reads, params, interrupt)?;
        if !self.readonly {
            self.session.ctx.identity.next_batch();
        }
        // A new run starts with nothing remembered from the last one.
        self.scope = Scope::new(interrupt.clone(), self.session.ctx.memo_bytes());
        self.state = State::Running;
        self.changes = -1;
        if !self.is_select() {
            let stepped = self.step_to_end();
            // Warnings of the run (a write the replica could not follow)
            // are the statement's, whatever the rest of it did.
            self.warnings.extend(self.scope.take_warnings());
            stepped?;
            let _db = self.lock_db();
            // SAFETY: the connection is open and we hold its mutex, so the
            // count is this statement's.
            self.changes = unsafe { ffi::sqlite3_changes(self.session.db.0) } as i64;
        }
        Ok(())
    }

    fn step_to_end(&mut self) -> Result<()> {
        while self.step()?.is_some() {}
        Ok(())
    }

    /// The next row, or None at the end.
    pub fn next_row(&mut self) -> Result<Option<Vec<Value>>> {
        self.next_row_reusing(None)
    }

    /// `next_row`, written into `spare` (a row the caller is done with) to
    /// reuse its text buffers: a scan then allocates no string per value.
    pub fn next_row_reusing(&mut self, spare: Option<Vec<Value>>) -> Result<Option<Vec<Value>>> {
        if self.state != State::Running {
            return Ok(None);
        }
        self.step_into(spare)
    }

    /// Closes the cursor, keeping the compiled statement.
    pub fn close(&mut self) {
        let _db = self.lock_db();
        // SAFETY: the statement is live and we hold the connection's mutex.
        unsafe { ffi::sqlite3_reset(self.stmt.0) };
        self.state = State::Ready;
    }

    fn step(&mut self) -> Result<Option<Vec<Value>>> {
        self.step_into(None)
    }

    fn step_into(&mut self, spare: Option<Vec<Value>>) -> Result<Option<Vec<Value>>> {
        let db = self.session.db.0;
        let _db = self.lock_db();
        // Every callback of this step (the requests) sees this statement's scope.
        let _installed = self.session.ctx.current.install(self.scope.clone());
        // SAFETY: the statement is live and we hold the connection's mutex.
        let rc = unsafe { ffi::sqlite3_step(self.stmt.0) };
        match rc {
            ffi::SQLITE_ROW => {
                let n = self.columns.len();
                let mut row = spare.unwrap_or_default();
                row.truncate(n);
                for i in 0..n {
                    // SAFETY: the step returned a row, i is below the
                    // column count, and the lock is held.
                    let raw = unsafe { column_raw(self.stmt.0, i as c_int) };
                    match row.get_mut(i) {
                        Some(v) => v.set_from(raw),
                        None => row.push(Value::from(raw)),
                    }
                }
                Ok(Some(row))
            }
            ffi::SQLITE_DONE => {
                self.state = State::Done;
                Ok(None)
            }
            rc => {
                self.state = State::Done;
                let e = sqlite_error(&self.scope, db, rc);
                // SAFETY: as above.
                unsafe { ffi::sqlite3_reset(self.stmt.0) };
                // A second take in case reset reported the module error.
                Err(e)
            }
        }
    }
}

/// Binds `v` to marker `i` (1-based), copied by SQLite (SQLITE_TRANSIENT).
///
/// # Safety
/// `stmt` is a live statement and the caller holds its connection's mutex.
unsafe fn bind(stmt: *mut ffi::sqlite3_stmt, i: c_int, v: &Value) -> c_int {
    use rusqlite::types::ValueRef;
    // SAFETY: stmt is live and locked (the caller's duty); text and blob
    // pointers are valid for their lengths during the call, and
    // SQLITE_TRANSIENT makes SQLite copy them before it returns.
    unsafe {
        match v.as_sqlite() {
            ValueRef::Null => ffi::sqlite3_bind_null(stmt, i),
            ValueRef::Integer(n) => ffi::sqlite3_bind_int64(stmt, i, n),
            ValueRef::Real(f) => ffi::sqlite3_bind_double(stmt, i, f),
            ValueRef::Text(t) => ffi::sqlite3_bind_text(
                stmt,
                i,
                t.as_ptr() as *const std::os::raw::c_char,
                t.len() as c_int,
                ffi::SQLITE_TRANSIENT(),
            ),
            ValueRef::Blob(b) => ffi::sqlite3_bind_blob(
                stmt,
                i,
                b.as_ptr() as *const std::os::raw::c_void,
                b.len() as c_int,
                ffi::SQLITE_TRANSIENT(),
            ),
        }
    }
}

/// Column `i` of the current row, borrowed from SQLite: the caller copies
/// it out before the next step, reset or type conversion on the column.
///
/// # Safety
/// `stmt` is a live statement positioned on a row (the last step returned
/// SQLITE_ROW), `i` is below its column count, and the caller holds its
/// connection's mutex.
unsafe fn column_raw<'a>(stmt: *mut ffi::sqlite3_stmt, i: c_int) -> rusqlite::types::ValueRef<'a> {
    use rusqlite::types::ValueRef;
    // SAFETY: stmt is on a row and i in range (the caller's duty). The
    // column's value is read through `sqlite3_column_value` and the
    // `sqlite3_value_*` functions, which take no mutex of their own (the
    // `sqlite3_column_*` ones take the connection's in each call, three
    // times a value): SQLite leaves such an "unprotected" value's safety
    // to whoever holds the connection's mutex, which the caller does. The
    // text or blob pointer is valid for `bytes` bytes until the next step,
    // reset or type conversion on this column, which the caller does not
    // make while it holds the slice (bytes is read after the pointer, as
    // SQLite's documentation asks).
    unsafe {
        let v = ffi::sqlite3_column_value(stmt, i);
        match ffi::sqlite3_value_type(v) {
            ffi::SQLITE_INTEGER => ValueRef::Integer(ffi::sqlite3_value_int64(v)),
            ffi::SQLITE_FLOAT => ValueRef::Real(ffi::sqlite3_value_double(v)),
            ffi::SQLITE_TEXT => {
                let p = ffi::sqlite3_value_text(v);
                let n = ffi::sqlite3_value_bytes(v) as usize;
                if p.is_null() {
                    ValueRef::Null
                } else {
                    ValueRef::Text(std::slice::from_raw_parts(p, n))
                }
            }
            ffi::SQLITE_BLOB => {
                let p = ffi::sqlite3_value_blob(v) as *const u8;
                let n = ffi::sqlite3_value_bytes(v) as usize;
                if p.is_null() {
                    ValueRef::Blob(&[])
                } else {
                    ValueRef::Blob(std::slice::from_raw_parts(p, n))
                }
            }
            _ => ValueRef::Null,
        }
    }
}

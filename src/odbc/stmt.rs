//! Statements: prepare, execute, describe, bind, fetch, get data in pieces,
//! statement attributes. A result set is either an engine query streamed
//! row by row or rows built in memory (catalog functions).

use super::convert::{self, Encoded, Piece};
use super::{lock, Conn, Stmt, NO_DATA, SUCCESS};
use crate::engine::{Query, Value};
use crate::error::{Error, Kind, Result};
use crate::schema::SqlType;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

// Statement attributes (sqlext.h).
pub const ATTR_QUERY_TIMEOUT: i32 = 0;
pub const ATTR_MAX_ROWS: i32 = 1;
pub const ATTR_NOSCAN: i32 = 2;
pub const ATTR_MAX_LENGTH: i32 = 3;
pub const ATTR_ASYNC_ENABLE: i32 = 4;
pub const ATTR_ROW_BIND_TYPE: i32 = 5;
pub const ATTR_CURSOR_TYPE: i32 = 6;
pub const ATTR_CONCURRENCY: i32 = 7;
pub const ATTR_KEYSET_SIZE: i32 = 8;
pub const ATTR_ROWSET_SIZE: i32 = 9;
pub const ATTR_SIMULATE_CURSOR: i32 = 10;
pub const ATTR_RETRIEVE_DATA: i32 = 11;
pub const ATTR_USE_BOOKMARKS: i32 = 12;
pub const ATTR_ROW_NUMBER: i32 = 14;
pub const ATTR_ENABLE_AUTO_IPD: i32 = 15;
pub const ATTR_ROW_BIND_OFFSET_PTR: i32 = 23;
pub const ATTR_ROW_STATUS_PTR: i32 = 25;
pub const ATTR_ROWS_FETCHED_PTR: i32 = 26;
pub const ATTR_ROW_ARRAY_SIZE: i32 = 27;
pub const ATTR_APP_ROW_DESC: i32 = 10010;
pub const ATTR_IMP_PARAM_DESC: i32 = 10013;
pub const ATTR_METADATA_ID: i32 = 10014;
pub const ATTR_CURSOR_SCROLLABLE: i32 = -1;
pub const ATTR_CURSOR_SENSITIVITY: i32 = -2;
pub const ATTR_PARAMSET_SIZE: i32 = 22;
pub const ATTR_PARAMS_PROCESSED_PTR: i32 = 21;
pub const ATTR_PARAM_BIND_TYPE: i32 = 18;
pub const ATTR_PARAM_STATUS_PTR: i32 = 20;

/// A column of a result set, as SQLDescribeCol and SQLColAttribute tell it.
#[derive(Debug, Clone)]
pub struct ColDesc {
    pub name: String,
    pub sql_type: SqlType,
    pub nullable: bool,
    pub table: String,
    pub schema: String,
    pub base_column: String,
    /// Whether the type comes from a declaration (profile, catalog layout)
    /// rather than from the values seen.
    pub declared: bool,
}

impl ColDesc {
    pub fn new(name: &str, sql_type: SqlType, nullable: bool) -> ColDesc {
        ColDesc {
            name: name.into(),
            sql_type,
            nullable,
            table: String::new(),
            schema: String::new(),
            base_column: String::new(),
            declared: true,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub c_type: i16,
    pub ptr: usize,
    pub len: isize,
    pub ind: usize,
}

/// An input parameter bound with SQLBindParameter. The addresses are
/// opaque here; the FFI layer reads them at execute time.
#[derive(Debug, Clone, Copy)]
pub struct ParamBinding {
    pub c_type: i16,
    pub sql_type: i16,
    pub ptr: usize,
    pub buf_len: isize,
    pub ind: usize,
}

/// A write the FFI layer performs into application memory.
#[derive(Debug)]
pub struct Write {
    pub ptr: usize,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Default)]
pub struct FetchOut {
    pub code: i16,
    pub writes: Vec<Write>,
    /// (indicator address, value) pairs.
    pub indicators: Vec<(usize, isize)>,
    pub rows_fetched_ptr: usize,
    pub row_status_ptr: usize,
    /// SQL_ATTR_ROW_BIND_OFFSET_PTR: the FFI layer adds the offset it
    /// points at to every address.
    pub bind_offset_ptr: usize,
    /// SQL_ROW_SUCCESS (0), SQL_ROW_ERROR (5) or SQL_ROW_NOROW (3) for
    /// each row of the block.
    pub row_status: Vec<u16>,
    /// The slot where reading failed after earlier rows of the block.
    pub error_row: Option<usize>,
    pub rows: u64,
}

enum Rows {
    None,
    Query,
    Static(VecDeque<Vec<Value>>),
}

pub struct StmtState {
    query: Option<Query>,
    rows: Rows,
    pub cols: Vec<ColDesc>,
    /// Rows read ahead to learn the types of computed columns.
    peeked: VecDeque<Vec<Value>>,
    current: Option<Vec<Value>>,
    fetched: u64,
    row_count: i64,
    pub bindings: BTreeMap<u16, Binding>,
    /// A stored-procedure call prepared instead of SQL (`{call ...}`, EXEC).
    pub call: Option<super::procedures::Call>,
    /// SQLBindParameter bindings by parameter number.
    pub params: BTreeMap<u16, ParamBinding>,
    /// An error met after a block fetch already delivered rows: the answer
    /// to the next fetch.
    pending_error: Option<Error>,
    /// SQLGetData progress: (column, bytes of the encoded value consumed, done).
    getdata: Option<(u16, usize, bool)>,
    getdata_cache: Option<(u16, i16, Encoded)>,
    pub max_rows: u64,
    pub query_timeout: u64,
    pub max_length: u64,
    pub noscan: u64,
    pub metadata_id: bool,
    pub rows_fetched_ptr: usize,
    pub row_status_ptr: usize,
    pub row_bind_offset_ptr: usize,
    pub row_bind_type: u64,
    pub row_array_size: u64,
    pub retrieve_data: u64,
    pub cursor_type: u64,
    pub concurrency: u64,
    pub paramset_size: u64,
    pub params_processed_ptr: usize,
}

impl StmtState {
    pub fn new(metadata_id: bool) -> StmtState {
        StmtState {
            query: None,
            rows: Rows::None,
            cols: Vec::new(),
            peeked: VecDeque::new(),
            current: None,
            fetched: 0,
            row_count: -1,
            bindings: BTreeMap::new(),
            call: None,
            params: BTreeMap::new(),
            pending_error: None,
            getdata: None,
            getdata_cache: None,
            max_rows: 0,
            query_timeout: 0,
            max_length: 0,
            noscan: 0,
            metadata_id,
            rows_fetched_ptr: 0,
            row_status_ptr: 0,
            row_bind_offset_ptr: 0,
            row_bind_type: 0,
            row_array_size: 1,
            retrieve_data: 1,
            cursor_type: 0,
            concurrency: 1,
            paramset_size: 1,
            params_processed_ptr: 0,
        }
    }

    pub fn cursor_open(&self) -> bool {
        !matches!(self.rows, Rows::None)
    }
}

fn no_cursor() -> Error {
    Error::odbc(
        "24000",
        "No result set is open on this statement (invalid cursor state).",
    )
}

fn bad_column(n: u16, cols: usize) -> Error {
    Error::odbc(
        "07009",
        format!("Column {n} does not exist; the result has {cols} column(s), numbered from 1."),
    )
}

impl Stmt {
    pub fn new(conn: Arc<Conn>) -> Arc<Stmt> {
        let metadata_id = lock(&conn.state).metadata_id;
        Arc::new(Stmt {
            conn,
            state: Mutex::new(StmtState::new(metadata_id)),
            diags: Mutex::new(Default::default()),
            interrupt: Default::default(),
        })
    }

    fn max_rows(&self, st: &StmtState) -> u64 {
        let cfg = lock(&self.conn.state)
            .connected
            .as_ref()
            .map(|c| c.config.max_rows)
            .unwrap_or(0);
        match (st.max_rows, cfg) {
            (0, c) => c,
            (s, 0) => s,
            (s, c) => s.min(c),
        }
    }

    fn log(&self, level: u8, msg: &str) {
        if let Some(c) = &lock(&self.conn.state).connected {
            c.logger.log(level, msg);
        }
    }

    pub fn close_cursor(&self, st: &mut StmtState, must_be_open: bool) -> Result<i16> {
        if must_be_open && !st.cursor_open() {
            return Err(no_cursor());
        }
        if let Some(q) = st.query.as_mut() {
            q.close();
        }
        st.rows = Rows::None;
        st.pending_error = None;
        st.peeked.clear();
        st.current = None;
        st.getdata = None;
        st.getdata_cache = None;
        Ok(SUCCESS)
    }

    pub fn prepare(&self, sql: &str) -> Result<i16> {
        let session = self.conn.session()?;
        let mut st = lock(&self.state);
        self.close_cursor(&mut st, false)?;
        st.query = None;
        st.call = None;
        // Stored procedures never reach SQLite; their arguments may be secrets.
        if let Some(call) = super::procedures::parse(sql)? {
            self.log(
                1,
                &format!("prepare: call {} (arguments not logged)", call.name()),
            );
            st.cols = call.columns();
            st.call = Some(call);
            return Ok(SUCCESS);
        }
        self.log(1, &format!("prepare: {}", sql.trim()));
        let q = session.prepare(sql)?;
        st.cols = describe(&q);
        st.query = Some(q);
        Ok(SUCCESS)
    }

    /// Executes with the values of the bound parameters (read by the FFI
    /// layer from the application's buffers, converted by `convert`).
    pub fn execute_with(&self, params: Vec<Value>) -> Result<i16> {
        let mut st = lock(&self.state);
        if let Some(call) = st.call.clone() {
            self.close_cursor(&mut st, false)?;
            let (cols, rows) = super::procedures::run(&self.conn, &call)?;
            st.cols = cols;
            st.rows = Rows::Static(rows.into());
            st.fetched = 0;
            st.row_count = -1;
            return Ok(SUCCESS);
        }
        if st.query.is_none() {
            return Err(Error::odbc("HY010", "SQLExecute needs a statement prepared with SQLPrepare first (function sequence error)."));
        }
        self.close_cursor(&mut st, false)?;
        let read_only = self.conn.read_only();
        let q = st.query.as_mut().ok_or_else(no_cursor)?;
        if read_only && !q.readonly() {
            return Err(Error::new(Kind::NotImplemented, "The connection is read-only (ReadOnly=true or SQL_ATTR_ACCESS_MODE): INSERT, UPDATE and DELETE are refused."));
        }
        // SQL_ATTR_QUERY_TIMEOUT bounds the whole query, checked before
        // every request (HYT00 when passed).
        let timeout =
            (st.query_timeout > 0).then(|| std::time::Duration::from_secs(st.query_timeout));
        self.interrupt.start(timeout);
        let q = st.query.as_mut().ok_or_else(no_cursor)?;
        q.execute(&params, &self.interrupt)?;
        st.fetched = 0;
        if st.query.as_ref().is_some_and(|q| q.is_select()) {
            st.row_count = -1;
            // Computed columns have no declared type; the first row tells.
            // (The cursor opens only once that read has worked.)
            if st.cols.iter().any(|c| !c.declared) {
                if let Some(row) = st.query.as_mut().ok_or_else(no_cursor)?.next_row()? {
                    for (c, v) in st.cols.iter_mut().zip(&row) {
                        if !c.declared {
                            c.sql_type = inferred_type(v);
                        }
                    }
                    st.peeked.push_back(row);
                }
            }
            st.rows = Rows::Query;
        } else {
            st.rows = Rows::None;
            st.row_count = st.query.as_ref().map(|q| q.row_count()).unwrap_or(-1);
        }
        Ok(SUCCESS)
    }

    /// Installs an in-memory result set (catalog functions).
    pub fn set_rows(&self, cols: Vec<ColDesc>, rows: Vec<Vec<Value>>) -> Result<i16> {
        let mut st = lock(&self.state);
        self.close_cursor(&mut st, false)?;
        st.query = None;
        st.call = None;
        st.cols = cols;
        st.rows = Rows::Static(rows.into());
        st.fetched = 0;
        st.row_count = -1;
        Ok(SUCCESS)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn bind_parameter(
        &self,
        n: u16,
        io_type: i16,
        c_type: i16,
        sql_type: i16,
        ptr: usize,
        buf_len: isize,
        ind: usize,
    ) -> Result<i16> {
        if n == 0 {
            return Err(Error::odbc("07009", "Parameters are numbered from 1."));
        }
        if io_type != 1 {
            return Err(Error::odbc("HYC00", "Only input parameters are supported."));
        }
        check_c_type(c_type)?;
        lock(&self.state).params.insert(
            n,
            ParamBinding {
                c_type,
                sql_type,
                ptr,
                buf_len,
                ind,
            },
        );
        Ok(SUCCESS)
    }

    /// The bindings the statement's markers need, in order; an unbound one
    /// is 07002.
    pub fn param_bindings(&self) -> Result<Vec<ParamBinding>> {
        let st = lock(&self.state);
        let n = st.query.as_ref().map(|q| q.param_count()).unwrap_or(0);
        (1..=n as u16)
            .map(|i| {
                st.params.get(&i).copied().ok_or_else(|| {
                    Error::odbc(
                        "07002",
                        format!("Parameter {i} has no value bound (SQLBindParameter)."),
                    )
                })
            })
            .collect()
    }

    pub fn num_params(&self) -> Result<i16> {
        let st = lock(&self.state);
        match &st.query {
            Some(q) => Ok(q.param_count() as i16),
            None => Err(Error::odbc(
                "HY010",
                "SQLNumParams needs a prepared statement (function sequence error).",
            )),
        }
    }

    pub fn num_result_cols(&self) -> Result<i16> {
        Ok(lock(&self.state).cols.len() as i16)
    }

    pub fn describe(&self, n: u16) -> Result<ColDesc> {
        let st = lock(&self.state);
        if n == 0 || n as usize > st.cols.len() {
            return Err(bad_column(n, st.cols.len()));
        }
        Ok(st.cols[n as usize - 1].clone())
    }

    /// SQLColAttribute: one field of column `n` (SQL_DESC_COUNT needs no column).
    pub fn col_attribute(&self, n: u16, field: u16) -> Result<super::Attr> {
        let count = lock(&self.state).cols.len();
        let desc = if field == 1001 || field == 0 {
            ColDesc::new("", SqlType::Integer, false)
        } else {
            self.describe(n)?
        };
        super::col_attribute(&desc, field, count, self.conn.env.is_odbc2())
    }

    pub fn row_count(&self) -> Result<i64> {
        Ok(lock(&self.state).row_count)
    }

    pub fn bind_col(&self, n: u16, c_type: i16, ptr: usize, len: isize, ind: usize) -> Result<i16> {
        let mut st = lock(&self.state);
        if n == 0 {
            return Err(Error::odbc("07009", "Bookmark columns are not supported."));
        }
        if ptr == 0 && ind == 0 {
            st.bindings.remove(&n);
        } else {
            check_c_type(c_type)?;
            st.bindings.insert(
                n,
                Binding {
                    c_type,
                    ptr,
                    len,
                    ind,
                },
            );
        }
        Ok(SUCCESS)
    }

    fn next_row(&self, st: &mut StmtState) -> Result<Option<Vec<Value>>> {
        if let Some(r) = st.peeked.pop_front() {
            return Ok(Some(r));
        }
        match &mut st.rows {
            Rows::None => Err(no_cursor()),
            Rows::Static(rows) => Ok(rows.pop_front()),
            Rows::Query => match st.query.as_mut() {
                Some(q) => q.next_row(),
                None => Ok(None),
            },
        }
    }

    /// SQLFetch / SQLFetchScroll(NEXT): one row, converted into the bound
    /// buffers (the FFI layer copies `writes` out).
    pub fn fetch(&self) -> Result<FetchOut> {
        let mut st = lock(&self.state);
        let mut out = FetchOut {
            rows_fetched_ptr: st.rows_fetched_ptr,
            row_status_ptr: st.row_status_ptr,
            bind_offset_ptr: st.row_bind_offset_ptr,
            ..Default::default()
        };
        if let Some(e) = st.pending_error.take() {
            return Err(e);
        }
        if !st.cursor_open() {
            return Err(no_cursor());
        }
        st.getdata = None;
        st.getdata_cache = None;
        let limit = self.max_rows(&st);
        let size = st.row_array_size.max(1) as usize;
        let mut truncated = false;
        for i in 0..size {
            let row = if limit > 0 && st.fetched >= limit {
                None
            } else {
                match self.next_row(&mut st) {
                    Ok(r) => r,
                    Err(e) => {
                        st.rows = Rows::None;
                        if self.interrupt.is_cancelled() {
                            return Err(Error::new(
                                Kind::Cancelled,
                                "The statement was cancelled.",
                            ));
                        }
                        // Rows already placed in this block are delivered
                        // (the failed slot marked SQL_ROW_ERROR); the error
                        // itself is the answer to the next fetch.
                        if i > 0 {
                            st.pending_error = Some(e);
                            out.error_row = Some(i);
                            break;
                        }
                        return Err(e);
                    }
                }
            };
            let Some(row) = row else { break };
            st.fetched += 1;
            out.rows += 1;
            truncated |= place_row(&st, &row, i, &mut out)?;
            st.current = Some(row);
        }
        out.row_status = (0..size)
            .map(|i| {
                if (i as u64) < out.rows {
                    0
                } else if out.error_row == Some(i) {
                    5
                } else {
                    3
                }
            })
            .collect();
        if out.rows == 0 {
            st.current = None;
            out.code = NO_DATA;
            return Ok(out);
        }
        if truncated {
            lock(&self.diags).push(
                "01004",
                "String data, right truncated: a bound buffer was too small for a value.",
            );
        }
        out.code = SUCCESS;
        Ok(out)
    }

    /// SQLGetData: the next piece of column `n` for a buffer of `buf_len`.
    pub fn get_data(&self, n: u16, c_type: i16, buf_len: usize) -> Result<Option<Piece>> {
        let mut st = lock(&self.state);
        if !st.cursor_open() && st.current.is_none() {
            return Err(no_cursor());
        }
        let Some(row) = st.current.as_ref() else {
            return Err(Error::odbc(
                "24000",
                "SQLGetData needs a fetched row (call SQLFetch first).",
            ));
        };
        if n == 0 || n as usize > st.cols.len() {
            return Err(bad_column(n, st.cols.len()));
        }
        check_c_type(c_type)?;
        let (offset, done) = match st.getdata {
            Some((col, off, done)) if col == n => (off, done),
            _ => (0, false),
        };
        if done {
            return Ok(None);
        }
        // Encode once per column; later pieces borrow it (a 10 MB value read
        // in 64 KB pieces must not be copied 160 times).
        if !matches!(&st.getdata_cache, Some((col, ct, _)) if *col == n && *ct == c_type) {
            let e = max_length(
                convert::encode(
                    &row[n as usize - 1],
                    st.cols[n as usize - 1].sql_type,
                    c_type,
                )?,
                st.max_length,
            );
            st.getdata_cache = Some((n, c_type, e));
        }
        let Some((_, _, enc)) = st.getdata_cache.as_ref() else {
            return Err(no_cursor());
        };
        let buf = if matches!(enc, Encoded::Fixed(_)) {
            usize::MAX
        } else {
            buf_len
        };
        let p = convert::piece(enc, offset, buf);
        let finished = !p.truncated;
        st.getdata = Some((n, offset + p.consumed, finished));
        if p.truncated {
            lock(&self.diags).push(
                "01004",
                "String data, right truncated: call SQLGetData again for the rest.",
            );
        }
        Ok(Some(p))
    }

    pub fn more_results(&self) -> Result<i16> {
        let mut st = lock(&self.state);
        self.close_cursor(&mut st, false)?;
        Ok(NO_DATA)
    }

    /// SQLFreeStmt options: 0 close, 2 unbind, 3 reset parameters.
    pub fn free_stmt(&self, option: u16) -> Result<i16> {
        let mut st = lock(&self.state);
        match option {
            0 => self.close_cursor(&mut st, false),
            2 => {
                st.bindings.clear();
                Ok(SUCCESS)
            }
            3 => {
                st.params.clear();
                Ok(SUCCESS)
            }
            _ => Err(Error::odbc(
                "HY092",
                format!("SQLFreeStmt option {option} is not valid."),
            )),
        }
    }

    /// SQLCancel: stops this statement's running request from another
    /// thread; other statements of the connection go on.
    pub fn cancel(&self) -> Result<i16> {
        self.interrupt.cancel();
        Ok(SUCCESS)
    }

    pub fn set_attr(&self, attr: i32, value: u64) -> Result<i16> {
        let mut st = lock(&self.state);
        match attr {
            ATTR_MAX_ROWS => st.max_rows = value,
            ATTR_QUERY_TIMEOUT => st.query_timeout = value,
            ATTR_MAX_LENGTH => st.max_length = value,
            ATTR_NOSCAN => st.noscan = value,
            ATTR_METADATA_ID => st.metadata_id = value != 0,
            ATTR_ROWS_FETCHED_PTR => st.rows_fetched_ptr = value as usize,
            ATTR_ROW_STATUS_PTR => st.row_status_ptr = value as usize,
            ATTR_ROW_BIND_OFFSET_PTR => st.row_bind_offset_ptr = value as usize,
            ATTR_ROW_BIND_TYPE => st.row_bind_type = value,
            ATTR_RETRIEVE_DATA => st.retrieve_data = value,
            ATTR_PARAMS_PROCESSED_PTR => st.params_processed_ptr = value as usize,
            ATTR_ROW_ARRAY_SIZE => {
                if value == 0 {
                    return Err(Error::odbc(
                        "HY024",
                        "SQL_ATTR_ROW_ARRAY_SIZE must be at least 1.",
                    ));
                }
                st.row_array_size = value.min(100_000);
                if value > 100_000 {
                    lock(&self.diags).push("01S02", "The row array size was capped at 100000.");
                }
            }
            ATTR_ROWSET_SIZE | ATTR_PARAMSET_SIZE => {
                if value != 1 {
                    lock(&self.diags).push("01S02", "SQLExtendedFetch row sets and parameter arrays are not supported; the size stays 1.");
                }
            }
            ATTR_CURSOR_TYPE => {
                if value != 0 {
                    lock(&self.diags).push("01S02", "Only forward-only cursors are supported; the cursor type stays SQL_CURSOR_FORWARD_ONLY.");
                }
            }
            ATTR_CONCURRENCY => {
                if value != 1 {
                    lock(&self.diags).push("01S02", "Only read-only concurrency is supported.");
                }
            }
            ATTR_CURSOR_SCROLLABLE => {
                if value != 0 {
                    return Err(Error::odbc(
                        "HYC00",
                        "Scrollable cursors are not supported.",
                    ));
                }
            }
            ATTR_ASYNC_ENABLE => {
                if value != 0 {
                    return Err(Error::odbc(
                        "HYC00",
                        "Asynchronous execution is not supported.",
                    ));
                }
            }
            ATTR_CURSOR_SENSITIVITY
            | ATTR_SIMULATE_CURSOR
            | ATTR_USE_BOOKMARKS
            | ATTR_KEYSET_SIZE
            | ATTR_ENABLE_AUTO_IPD
            | ATTR_PARAM_BIND_TYPE
            | ATTR_PARAM_STATUS_PTR => {
                if value != 0 {
                    lock(&self.diags).push("01S02", format!("Statement attribute {attr} is not supported; its default stays in force."));
                }
            }
            _ => {
                return Err(Error::odbc(
                    "HY092",
                    format!("Statement attribute {attr} is not supported."),
                ))
            }
        }
        Ok(SUCCESS)
    }

    pub fn get_attr(&self, attr: i32) -> Result<u64> {
        let st = lock(&self.state);
        Ok(match attr {
            ATTR_MAX_ROWS => st.max_rows,
            ATTR_QUERY_TIMEOUT => st.query_timeout,
            ATTR_MAX_LENGTH => st.max_length,
            ATTR_NOSCAN => st.noscan,
            ATTR_METADATA_ID => st.metadata_id as u64,
            ATTR_ROWS_FETCHED_PTR => st.rows_fetched_ptr as u64,
            ATTR_ROW_STATUS_PTR => st.row_status_ptr as u64,
            ATTR_ROW_BIND_OFFSET_PTR => st.row_bind_offset_ptr as u64,
            ATTR_ROW_BIND_TYPE => st.row_bind_type,
            ATTR_RETRIEVE_DATA => st.retrieve_data,
            ATTR_ROW_ARRAY_SIZE => st.row_array_size,
            ATTR_ROWSET_SIZE | ATTR_PARAMSET_SIZE => 1,
            ATTR_CURSOR_TYPE => 0,
            ATTR_CONCURRENCY => 1,
            ATTR_CURSOR_SCROLLABLE
            | ATTR_CURSOR_SENSITIVITY
            | ATTR_ASYNC_ENABLE
            | ATTR_USE_BOOKMARKS
            | ATTR_KEYSET_SIZE
            | ATTR_ENABLE_AUTO_IPD => 0,
            ATTR_SIMULATE_CURSOR => 0,
            ATTR_ROW_NUMBER => st.fetched,
            ATTR_PARAMS_PROCESSED_PTR => st.params_processed_ptr as u64,
            ATTR_PARAM_BIND_TYPE | ATTR_PARAM_STATUS_PTR => 0,
            _ => {
                return Err(Error::odbc(
                    "HY092",
                    format!("Statement attribute {attr} is not supported."),
                ))
            }
        })
    }
}

/// Converts one row into the bound buffers at row `i` of the block:
/// column-wise binding puts element i at `ptr + i * BufferLength` (and the
/// indicator at `ind + i * sizeof(SQLLEN)`); row-wise binding at
/// `ptr + i * SQL_ATTR_ROW_BIND_TYPE`. Returns whether a value was cut.
fn place_row(st: &StmtState, row: &[Value], i: usize, out: &mut FetchOut) -> Result<bool> {
    let mut truncated = false;
    // SQL_RD_OFF: the cursor moves, no data is returned.
    if st.retrieve_data == 0 {
        return Ok(false);
    }
    for (&n, b) in st.bindings.iter() {
        let Some(col) = st.cols.get(n as usize - 1) else {
            continue;
        };
        let enc = max_length(
            convert::encode(&row[n as usize - 1], col.sql_type, b.c_type)?,
            st.max_length,
        );
        if enc == Encoded::Null && b.ind == 0 {
            return Err(Error::odbc(
                "22002",
                format!("Column {n} is NULL and no indicator was bound for it."),
            ));
        }
        let elem = match b.c_type {
            convert::C_DEFAULT | convert::C_ARD_TYPE => convert::default_c_type(col.sql_type),
            c => c,
        };
        let (stride, ind_stride) = match st.row_bind_type {
            // Fixed-size types ignore BufferLength: their elements are
            // their own size apart.
            0 => (
                convert::fixed_size(elem).unwrap_or(b.len.max(0) as usize),
                std::mem::size_of::<isize>(),
            ),
            row_size => (row_size as usize, row_size as usize),
        };
        let buf = if matches!(enc, Encoded::Fixed(_)) {
            usize::MAX
        } else {
            b.len.max(0) as usize
        };
        let p = convert::piece(&enc, 0, buf);
        truncated |= p.truncated;
        if b.ptr != 0 && !p.bytes.is_empty() {
            out.writes.push(Write {
                ptr: b.ptr + i * stride,
                bytes: p.bytes,
            });
        }
        if b.ind != 0 {
            out.indicators.push((b.ind + i * ind_stride, p.indicator));
        }
    }
    Ok(truncated)
}

/// SQL_ATTR_MAX_LENGTH: character and binary data beyond this many bytes
/// is cut off, silently (the spec gives no warning for it).
fn max_length(enc: Encoded, max: u64) -> Encoded {
    match enc {
        Encoded::Var {
            mut data,
            unit,
            terminated,
        } if max > 0 && data.len() as u64 > max => {
            let keep = (max as usize / unit) * unit;
            // Whole UTF-8 characters only, for SQL_C_CHAR.
            let mut keep = keep;
            if unit == 1 && terminated {
                while keep > 0 && keep < data.len() && (data[keep] & 0xC0) == 0x80 {
                    keep -= 1;
                }
            }
            data.truncate(keep);
            Encoded::Var {
                data,
                unit,
                terminated,
            }
        }
        other => other,
    }
}

fn check_c_type(c_type: i16) -> Result<()> {
    use convert::*;
    const KNOWN: &[i16] = &[
        C_CHAR,
        C_WCHAR,
        C_NUMERIC,
        C_LONG,
        C_SHORT,
        C_FLOAT,
        C_DOUBLE,
        C_DATE,
        C_TIME,
        C_TIMESTAMP,
        C_TYPE_DATE,
        C_TYPE_TIME,
        C_TYPE_TIMESTAMP,
        C_BIT,
        C_TINYINT,
        C_BINARY,
        C_SLONG,
        C_SSHORT,
        C_ULONG,
        C_USHORT,
        C_SBIGINT,
        C_UBIGINT,
        C_STINYINT,
        C_UTINYINT,
        C_DEFAULT,
        C_ARD_TYPE,
    ];
    if KNOWN.contains(&c_type) {
        Ok(())
    } else {
        Err(Error::odbc(
            "HY003",
            format!("C data type {c_type} is not valid."),
        ))
    }
}

fn describe(q: &Query) -> Vec<ColDesc> {
    q.columns()
        .iter()
        .map(|c| ColDesc {
            name: c.name.clone(),
            sql_type: c.declared.unwrap_or(SqlType::WVarchar(255)),
            nullable: c.nullable,
            table: c.table.clone().unwrap_or_default(),
            schema: c.schema.clone().unwrap_or_default(),
            base_column: c.base_column.clone().unwrap_or_default(),
            declared: c.declared.is_some(),
        })
        .collect()
}

fn inferred_type(v: &Value) -> SqlType {
    match v {
        Value::Int(_) => SqlType::BigInt,
        Value::Real(_) => SqlType::Double,
        Value::Text(s) if s.chars().count() > 4000 => SqlType::WLongVarchar,
        Value::Text(_) | Value::Null => SqlType::WVarchar(4000),
        Value::Blob(_) => SqlType::WLongVarchar,
    }
}

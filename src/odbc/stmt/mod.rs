//! Statements. A result set is either an engine query streamed row by row
//! or rows built in memory (catalog functions, procedure calls). Each job
//! has its own file:
//! - `columns`: the result's columns (SQLDescribeCol, SQLColAttribute) and
//!   SQLBindCol;
//! - `params`: parameter markers and SQLBindParameter;
//! - `describe_param`: SQLDescribeParam;
//! - `param_sets`: parameter arrays (SQL_ATTR_PARAMSET_SIZE);
//! - `data_at_exec`: SQLParamData / SQLPutData;
//! - `attributes`: SQLSetStmtAttr / SQLGetStmtAttr;
//! - `execute`: SQLPrepare, SQLExecute, in-memory result sets;
//! - `fetch`: SQLFetch, a block of rows at a time;
//! - `bound_buffers`: where each value of a block lands in the
//!   application's buffers (column-wise and row-wise binding);
//! - `get_data`: SQLGetData, a column of the current row in pieces;
//! - `running`: one function at a time, and SQLCancel.
//! - `scroll`: static (scrollable) cursors: SQLFetchScroll's orientations,
//!   SQLExtendedFetch, SQLSetPos;
//! - `bookmarks`: SQL_ATTR_USE_BOOKMARKS and column 0;
//! - `cursor_name`: SQLSetCursorName / SQLGetCursorName.

mod attributes;
mod bookmarks;
mod bound_buffers;
mod columns;
mod cursor_name;
mod data_at_exec;
mod describe_param;
mod execute;
mod fetch;
mod get_data;
mod param_sets;
mod params;
mod running;
mod scroll;

pub use attributes::{ATTR_APP_PARAM_DESC, ATTR_APP_ROW_DESC, ATTR_IMP_PARAM_DESC};
pub use bound_buffers::Write;
pub(crate) use columns::{bind_or_unbind, bind_record};
pub use columns::{ColDesc, ColumnBinding};
pub use fetch::FetchOut;
pub use params::ParamBinding;
pub use running::is_busy;

use super::convert::Encoded;
use super::descriptor::StmtDescs;
use super::diag::Diags;
use super::{lock, Conn, SUCCESS};
use crate::engine::{Interrupt, Query, Value};
use crate::error::{Error, Result};
use attributes::Attributes;
use odbc_sys::{FreeStmtOption, RetCode};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

pub struct Stmt {
    pub conn: Arc<Conn>,
    pub state: Mutex<StmtState>,
    pub diags: Mutex<Diags>,
    /// This statement's cancel flag and deadline, handed to the engine with
    /// every execution (SQLCancel raises it from any thread).
    pub interrupt: Interrupt,
    /// Which function runs now: see `running`.
    activity: Mutex<running::Activity>,
    /// Whether a function runs now: read without a lock (`is_running` is
    /// asked by every call on the statement), changed only under
    /// `activity`'s lock, so that two calls cannot both begin.
    running_now: std::sync::atomic::AtomicBool,
}

/// The statement's cursor: closed, or where its rows come from.
enum Cursor {
    Closed,
    /// The prepared engine query, executed.
    Engine,
    /// Rows built in memory (catalog functions, procedure calls).
    InMemory(VecDeque<Vec<Value>>),
    /// A static cursor's whole result, read into memory (see `scroll`).
    Static(Vec<Vec<Value>>),
}

pub struct StmtState {
    query: Option<Query>,
    /// The SQL last prepared, as the application wrote it.
    sql: String,
    cursor: Cursor,
    pub columns: Vec<ColDesc>,
    /// Rows read ahead to learn the types of computed columns.
    peeked: VecDeque<Vec<Value>>,
    current: Option<Vec<Value>>,
    /// A row no longer current, whose buffers the next fetch reuses.
    spare_row: Option<Vec<Value>>,
    fetched: u64,
    row_count: i64,
    /// A stored-procedure call prepared instead of SQL (`{call ...}`, EXEC).
    pub call: Option<super::procedures::Call>,
    /// A data-at-execution sequence's values (see `data_at_exec`).
    need_data: Option<data_at_exec::NeedData>,
    /// An error met after a block fetch already delivered rows: the answer
    /// to the next fetch.
    pending_error: Option<Error>,
    /// SQLGetData progress: (column, bytes of the encoded value consumed, done).
    get_data_progress: Option<(u16, usize, bool)>,
    /// SQLGetData's value being handed out: (column, C type, the value
    /// encoded once for all its pieces).
    get_data_encoded: Option<(u16, i16, Encoded)>,
    /// The buffer SQLGetData converts each value in, kept from call to
    /// call so that a value that fits goes out without an allocation.
    get_data_scratch: Vec<u8>,
    /// SQL_ATTR_METADATA_ID: catalog arguments are identifiers, not
    /// patterns. Kept here, outside `attrs`, because the catalog exports
    /// read it directly.
    pub metadata_id: bool,
    attrs: Attributes,
    /// A static cursor's position (see `scroll`).
    scroll: scroll::Scroll,
    /// The ARD, APD, IRD and IPD: bindings, arrays and statuses.
    pub descs: StmtDescs,
    /// SQLSetCursorName's name (a `SQL_CUR…` name is generated otherwise).
    cursor_name: Option<String>,
}

impl StmtState {
    pub fn new(metadata_id: bool, descs: StmtDescs) -> StmtState {
        StmtState {
            query: None,
            sql: String::new(),
            cursor: Cursor::Closed,
            columns: Vec::new(),
            peeked: VecDeque::new(),
            current: None,
            spare_row: None,
            fetched: 0,
            row_count: -1,
            call: None,
            need_data: None,
            pending_error: None,
            get_data_progress: None,
            get_data_encoded: None,
            get_data_scratch: Vec::new(),
            metadata_id,
            attrs: Attributes::default(),
            scroll: Default::default(),
            descs,
            cursor_name: None,
        }
    }

    /// The ARD's bound columns (records 1.. with a buffer).
    fn column_bindings(&self) -> BTreeMap<u16, ColumnBinding> {
        let ard = self.descs.ard.lock();
        (1..=ard.header.count.max(0) as usize)
            .filter_map(|i| {
                let r = ard.records.get(i).filter(|r| r.is_bound())?;
                Some((i as u16, ColumnBinding::of(r)))
            })
            .collect()
    }

    /// The ARD's record 0, when a bookmark buffer is bound.
    fn bookmark_binding(&self) -> Option<ColumnBinding> {
        let ard = self.descs.ard.lock();
        ard.records
            .first()
            .filter(|r| r.is_bound())
            .map(ColumnBinding::of)
    }

    pub fn cursor_open(&self) -> bool {
        !matches!(self.cursor, Cursor::Closed)
    }

    /// Ends the result set; the prepared query stays, to run again.
    fn close_cursor(&mut self) {
        if let Some(q) = self.query.as_mut() {
            q.close();
        }
        self.cursor = Cursor::Closed;
        self.scroll = Default::default();
        self.pending_error = None;
        self.peeked.clear();
        self.current = None;
        self.get_data_progress = None;
        self.get_data_encoded = None;
    }
}

fn no_cursor() -> Error {
    Error::odbc(
        "24000",
        "No result set is open on this statement (invalid cursor state).",
    )
}

fn bad_column(column: u16, count: usize) -> Error {
    Error::odbc(
        "07009",
        format!(
            "Column {column} does not exist; the result has {count} column(s), numbered from 1."
        ),
    )
}

impl Stmt {
    pub fn new(conn: Arc<Conn>) -> Arc<Stmt> {
        let metadata_id = lock(&conn.state).metadata_id;
        Arc::new_cyclic(|me| Stmt {
            state: Mutex::new(StmtState::new(metadata_id, StmtDescs::new(&conn, me))),
            conn,
            diags: Mutex::new(Default::default()),
            interrupt: Default::default(),
            activity: Default::default(),
            running_now: Default::default(),
        })
    }

    fn log(&self, level: u8, msg: &str) {
        if let Some(c) = &lock(&self.conn.state).connected {
            c.logger.log(level, msg);
        }
    }

    /// SQLCloseCursor; with `must_be_open`, 24000 when no cursor is open.
    pub fn close_cursor(&self, st: &mut StmtState, must_be_open: bool) -> Result<RetCode> {
        let _run = self.begin()?;
        if must_be_open && !st.cursor_open() {
            return Err(no_cursor());
        }
        st.close_cursor();
        Ok(SUCCESS)
    }

    /// SQLMoreResults: there is only ever one result set.
    pub fn more_results(&self) -> Result<RetCode> {
        let _run = self.begin()?;
        lock(&self.state).close_cursor();
        Ok(super::NO_DATA)
    }

    /// SQLFreeStmt with SQL_CLOSE, SQL_UNBIND or SQL_RESET_PARAMS (SQL_DROP
    /// is SQLFreeHandle's, handled by the exports).
    pub fn free_stmt(&self, option: u16) -> Result<RetCode> {
        let _run = self.begin()?;
        let mut st = lock(&self.state);
        let option = [
            FreeStmtOption::Close,
            FreeStmtOption::Unbind,
            FreeStmtOption::ResetParams,
        ]
        .into_iter()
        .find(|o| *o as u16 == option)
        .ok_or_else(|| {
            Error::odbc(
                "HY092",
                format!("SQLFreeStmt option {option} is not valid."),
            )
        })?;
        match option {
            FreeStmtOption::Close => st.close_cursor(),
            // SQL_DESC_COUNT of the ARD / APD becomes 0 (the bookmark
            // record goes too).
            FreeStmtOption::Unbind => {
                let kind = st.descs.ard.kind;
                let mut ard = st.descs.ard.lock();
                ard.set_count(kind, 0);
                ard.records[0] = crate::odbc::descriptor::Record::new(kind);
            }
            FreeStmtOption::ResetParams => {
                let kind = st.descs.apd.kind;
                st.descs.apd.lock().set_count(kind, 0);
            }
        }
        Ok(SUCCESS)
    }
}

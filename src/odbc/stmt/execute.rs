//! SQLPrepare and SQLExecute, and result sets built in memory (catalog
//! functions). An execution runs without the statement's state lock: what
//! it runs (the compiled query, or a procedure call) is taken out of the
//! state and put back when it returns (see `running`).

use super::columns::{describe_query, inferred_type, ColDesc};
use super::running::{cancelled, Running};
use super::{Cursor, Stmt};
use crate::engine::{Interrupt, Query, Value};
use crate::error::{Error, Kind, Result};
use crate::odbc::procedures::{self, Call};
use crate::odbc::{lock, SUCCESS};
use odbc_sys::RetCode;
use std::time::Duration;

/// What SQLExecute runs.
pub(super) enum Job {
    Query(Query),
    Call(Call),
}

impl Stmt {
    pub fn prepare(&self, sql: &str) -> Result<RetCode> {
        let session = self.conn.session()?;
        let _run = self.begin()?;
        let mut st = lock(&self.state);
        st.close_cursor();
        st.query = None;
        st.call = None;
        st.sql = sql.to_string();
        // Stored procedures never reach SQLite; their arguments may be secrets.
        if let Some(call) = procedures::parse(sql)? {
            self.log(
                1,
                &format!("prepare: call {} (arguments not logged)", call.name()),
            );
            st.columns = call.columns();
            st.call = Some(call);
            return Ok(SUCCESS);
        }
        self.log(1, &format!("prepare: {}", sql.trim()));
        let q = session.prepare(sql)?;
        st.columns = describe_query(&q);
        st.query = Some(q);
        Ok(SUCCESS)
    }

    /// Executes with the values of the bound parameters (read by the FFI
    /// layer from the application's buffers, converted by `convert`).
    pub fn execute_with(&self, params: Vec<Value>) -> Result<RetCode> {
        let run = self.begin_execution(self.query_timeout())?;
        match self.take_job()? {
            Job::Call(call) => self.run_call(run, &call.with_values(&params)?),
            Job::Query(query) => self.run_query(run, query, &params),
        }
    }

    /// SQL_ATTR_QUERY_TIMEOUT bounds the whole query (execute and every
    /// fetch), checked before every request (HYT00 when passed).
    pub(super) fn query_timeout(&self) -> Option<Duration> {
        let seconds = lock(&self.state).attrs.query_timeout;
        (seconds > 0).then(|| Duration::from_secs(seconds))
    }

    /// Closes the cursor and takes out of the state what SQLPrepare left.
    pub(super) fn take_job(&self) -> Result<Job> {
        let read_only = self.conn.read_only();
        let mut st = lock(&self.state);
        if let Some(call) = st.call.clone() {
            st.close_cursor();
            return Ok(Job::Call(call));
        }
        if st.query.is_none() {
            return Err(Error::odbc("HY010", "SQLExecute needs a statement prepared with SQLPrepare first (function sequence error)."));
        }
        st.close_cursor();
        match st.query.take() {
            Some(query) if read_only && !query.readonly() => {
                st.query = Some(query);
                Err(Error::new(Kind::NotImplemented, "The connection is read-only (ReadOnly=true or SQL_ATTR_ACCESS_MODE): INSERT, UPDATE and DELETE are refused."))
            }
            Some(query) => Ok(Job::Query(query)),
            None => Err(super::no_cursor()),
        }
    }

    /// A procedure call, answered with rows in memory. An OAuth one cannot
    /// be interrupted (it may wait minutes for a browser sign-in), so a
    /// cancel meanwhile finds nothing to stop and its rows stand; an API
    /// one's request honours the statement's cancel and timeout.
    pub(super) fn run_call(&self, run: Running, call: &Call) -> Result<RetCode> {
        let outcome = procedures::run(&self.conn, call, &self.interrupt);
        let mut st = lock(&self.state);
        run.end();
        let (cols, rows) = outcome?;
        st.columns = cols;
        st.cursor = Cursor::InMemory(rows.into());
        st.fetched = 0;
        st.row_count = -1;
        Ok(SUCCESS)
    }

    fn run_query(&self, run: Running, mut query: Query, params: &[Value]) -> Result<RetCode> {
        // A query runs to its first row here, so that what goes wrong (the
        // network, credentials, the API refusing) is reported by SQLExecute,
        // where applications look for it, not by the first fetch.
        let must_peek = true;
        let outcome = execute_and_peek(&mut query, params, &self.interrupt, must_peek);
        // AutoCache: a table answered from the replica although its sync failed.
        for warning in query.take_warnings() {
            lock(&self.diags).push("01000", warning);
        }
        let mut st = lock(&self.state);
        let (is_select, changed) = (query.is_select(), query.row_count());
        st.query = Some(query);
        let cancel_came = run.end();
        let first_row = outcome?;
        st.fetched = 0;
        if !is_select {
            // A write that completed stands, cancel or not: its changes are
            // made. (No cursor follows for a raised interrupt to stop.)
            st.cursor = Cursor::Closed;
            st.row_count = changed;
            return Ok(SUCCESS);
        }
        if cancel_came {
            // Too late to stop the execution, but the interrupt stays
            // raised and would fail the first fetch: answer it now.
            st.close_cursor();
            return Err(cancelled());
        }
        st.row_count = -1;
        // Computed columns have no declared type; the first row tells.
        // (The cursor opens only once that read has worked.)
        if let Some(row) = first_row {
            for (c, v) in st.columns.iter_mut().zip(&row) {
                if !c.declared {
                    c.sql_type = inferred_type(v);
                }
            }
            st.peeked.push_back(row);
        }
        st.cursor = Cursor::Engine;
        Ok(SUCCESS)
    }

    /// Installs an in-memory result set (catalog functions).
    pub fn set_rows(&self, cols: Vec<ColDesc>, rows: Vec<Vec<Value>>) -> Result<RetCode> {
        let _run = self.begin()?;
        let mut st = lock(&self.state);
        st.close_cursor();
        st.query = None;
        st.call = None;
        st.columns = cols;
        st.cursor = Cursor::InMemory(rows.into());
        st.fetched = 0;
        st.row_count = -1;
        Ok(SUCCESS)
    }

    pub fn row_count(&self) -> Result<i64> {
        Ok(lock(&self.state).row_count)
    }
}

/// Runs the query (a write runs to completion here) and, when `must_peek`,
/// reads its first row. Called without the state lock: both may send
/// requests.
fn execute_and_peek(
    query: &mut Query,
    params: &[Value],
    interrupt: &Interrupt,
    must_peek: bool,
) -> Result<Option<Vec<Value>>> {
    query.execute(params, interrupt)?;
    if must_peek && query.is_select() {
        return query.next_row();
    }
    Ok(None)
}

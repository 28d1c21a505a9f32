//! Parameter sets: an execution runs SQL_ATTR_PARAMSET_SIZE rows of
//! parameter values, bound column-wise or row-wise
//! (SQL_ATTR_PARAM_BIND_TYPE) and shifted by SQL_ATTR_PARAM_BIND_OFFSET_PTR;
//! rows marked SQL_PARAM_IGNORE in SQL_ATTR_PARAM_OPERATION_PTR are
//! skipped.
//!
//! - A write runs once per row; SQLRowCount is the sum of the rows'
//!   counts (SQL_PARC_NO_BATCH). A row that fails is SQL_PARAM_ERROR in
//!   SQL_ATTR_PARAM_STATUS_PTR with a record naming it, and the others
//!   still run: SQL_SUCCESS_WITH_INFO, or SQL_ERROR when every row failed.
//!   A cancel stops the rows not yet run (SQL_PARAM_UNUSED).
//! - A SELECT runs once per row and its rows are concatenated into one
//!   result set, held in memory (SQL_PAS_NO_BATCH).
//!
//! The FFI layer reads each row's values (at the addresses `ParamLayout`
//! computes) and writes the status array and the processed count from an
//! `ExecOut`.

use super::execute::Job;
use super::{Cursor, Stmt};
use crate::engine::Value;
use crate::error::{Error, Kind, Result};
use crate::odbc::lock;
use crate::odbc::param_input::{
    Cell, ExecOut, ParamLayout, ParamRow, SQL_PARAM_ERROR, SQL_PARAM_SUCCESS, SQL_PARAM_UNUSED,
};
use crate::odbc::{ERROR, SUCCESS};
use odbc_sys::RetCode;

impl Stmt {
    /// The bound parameters and where their rows are.
    pub fn param_layout(&self) -> Result<ParamLayout> {
        let bindings = self.param_bindings()?;
        let st = lock(&self.state);
        let apd = st.descs.apd.lock();
        Ok(ParamLayout {
            bindings,
            rows: apd.header.array_size.max(1) as usize,
            bind_type: apd.header.bind_type as usize,
            offset_ptr: apd.header.bind_offset_ptr,
            operation_ptr: apd.header.array_status_ptr,
        })
    }

    /// SQLExecute / SQLExecDirect with the rows read: SQL_NEED_DATA when
    /// a value comes at execution, else the run.
    pub fn execute_params(&self, rows: Vec<ParamRow>) -> ExecOut {
        let at_exec = rows.iter().any(|r| match r {
            ParamRow::Cells(cells) => cells.iter().any(|c| matches!(c, Cell::AtExec { .. })),
            _ => false,
        });
        if at_exec {
            return ExecOut::only(self.enter_need_data(rows));
        }
        self.run_rows(rows)
    }

    /// Runs the statement for every row (data at execution all received).
    pub(super) fn run_rows(&self, mut rows: Vec<ParamRow>) -> ExecOut {
        let (status_ptr, processed_ptr, writes) = {
            let st = lock(&self.state);
            let writes = st.query.as_ref().is_some_and(|q| !q.readonly());
            let ipd = st.descs.ipd.lock();
            (
                ipd.header.array_status_ptr,
                ipd.header.rows_processed_ptr,
                writes,
            )
        };
        // sys_identity shows what this execution creates, all its rows.
        if let (true, Ok(session)) = (writes, self.conn.session()) {
            session.begin_write_execution();
        }
        let (result, statuses, processed) = if rows.len() == 1 {
            match rows.pop() {
                Some(ParamRow::Cells(cells)) => {
                    let r = self.execute_with(values(cells));
                    let status = if r.is_ok() {
                        SQL_PARAM_SUCCESS
                    } else {
                        SQL_PARAM_ERROR
                    };
                    (r, vec![status], 1)
                }
                Some(ParamRow::Bad(e)) => (Err(e), vec![SQL_PARAM_ERROR], 1),
                _ => (self.execute_none(), vec![SQL_PARAM_UNUSED], 0),
            }
        } else {
            match self.execute_many(rows) {
                Ok(x) => x,
                Err(e) => (Err(e), Vec::new(), 0),
            }
        };
        ExecOut {
            result,
            statuses,
            processed,
            status_ptr,
            processed_ptr,
        }
    }

    /// Every row ignored: nothing runs, nothing changes.
    fn execute_none(&self) -> Result<RetCode> {
        let _run = self.begin()?;
        let mut st = lock(&self.state);
        st.close_cursor();
        st.row_count = 0;
        Ok(SUCCESS)
    }

    /// (result, statuses, processed) of running `rows` (more than one).
    #[allow(clippy::type_complexity)]
    fn execute_many(&self, rows: Vec<ParamRow>) -> Result<(Result<RetCode>, Vec<u16>, usize)> {
        let run = self.begin_execution(self.query_timeout())?;
        let mut query = match self.take_job()? {
            Job::Call(call) => {
                // A procedure answers once, with the first row's values
                // (its answer is a token or URL, not one per row).
                let n = rows.len();
                let first = rows.into_iter().find_map(|r| match r {
                    ParamRow::Cells(c) => Some(c),
                    _ => None,
                });
                let r = call
                    .with_values(&values(first.unwrap_or_default()))
                    .and_then(|call| self.run_call(run, &call));
                return Ok((r, vec![SQL_PARAM_SUCCESS; n], n));
            }
            Job::Query(q) => q,
        };
        let is_select = query.is_select();
        let mut statuses = vec![SQL_PARAM_UNUSED; rows.len()];
        let mut errors: Vec<(usize, Error)> = Vec::new();
        let (mut attempted, mut processed, mut total) = (0usize, 0usize, 0i64);
        let mut result_rows: Vec<Vec<Value>> = Vec::new();
        for (i, row) in rows.into_iter().enumerate() {
            let cells = match row {
                ParamRow::Ignored => continue,
                ParamRow::Bad(e) => {
                    (attempted, processed) = (attempted + 1, i + 1);
                    statuses[i] = SQL_PARAM_ERROR;
                    errors.push((i, e));
                    continue;
                }
                ParamRow::Cells(cells) => cells,
            };
            (attempted, processed) = (attempted + 1, i + 1);
            let outcome = (|| -> Result<()> {
                query.execute(&values(cells), &self.interrupt)?;
                for warning in query.take_warnings() {
                    lock(&self.diags).push("01000", warning);
                }
                if is_select {
                    while let Some(r) = query.next_row()? {
                        result_rows.push(r);
                    }
                }
                Ok(())
            })();
            match outcome {
                Ok(()) => {
                    statuses[i] = SQL_PARAM_SUCCESS;
                    if !is_select {
                        total += query.row_count().max(0);
                    }
                }
                Err(e) => {
                    statuses[i] = SQL_PARAM_ERROR;
                    let stop = e.kind == Kind::Cancelled;
                    errors.push((i, e));
                    if stop {
                        break;
                    }
                }
            }
        }
        query.close();
        let mut st = lock(&self.state);
        st.query = Some(query);
        let cancel_came = run.end();
        st.fetched = 0;
        let all_failed = attempted > 0 && errors.len() == attempted;
        if is_select && !all_failed && !cancel_came {
            if let Some(first) = result_rows.first() {
                for (c, v) in st.columns.iter_mut().zip(first) {
                    if !c.declared {
                        c.sql_type = super::columns::inferred_type(v);
                    }
                }
            }
            st.cursor = Cursor::InMemory(result_rows.into());
            st.row_count = -1;
        } else {
            st.cursor = Cursor::Closed;
            st.row_count = if is_select { -1 } else { total };
        }
        drop(st);
        if cancel_came && is_select && errors.is_empty() {
            return Ok((Err(super::running::cancelled()), statuses, processed));
        }
        let mut diags = lock(&self.diags);
        for (i, e) in &errors {
            let mut e = e.clone();
            e.message = format!("Parameter row {}: {}", i + 1, e.message);
            diags.push_error(&e);
        }
        let code = if all_failed { ERROR } else { SUCCESS };
        Ok((Ok(code), statuses, processed))
    }
}

fn values(cells: Vec<Cell>) -> Vec<Value> {
    cells
        .into_iter()
        .map(|c| match c {
            Cell::Value(v) => v,
            // Every value at execution is received before a run.
            Cell::AtExec { .. } => Value::Null,
        })
        .collect()
}

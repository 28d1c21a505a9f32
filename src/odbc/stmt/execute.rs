//! SQLPrepare and SQLExecute, and result sets built in memory (catalog
//! functions).

use super::columns::{describe_query, inferred_type, ColDesc};
use super::{no_cursor, Rows, Stmt};
use crate::engine::Value;
use crate::error::{Error, Kind, Result};
use crate::odbc::{lock, procedures, SUCCESS};

impl Stmt {
    pub fn prepare(&self, sql: &str) -> Result<i16> {
        let session = self.conn.session()?;
        let mut st = lock(&self.state);
        self.close_cursor(&mut st, false)?;
        st.query = None;
        st.call = None;
        // Stored procedures never reach SQLite; their arguments may be secrets.
        if let Some(call) = procedures::parse(sql)? {
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
        st.cols = describe_query(&q);
        st.query = Some(q);
        Ok(SUCCESS)
    }

    /// Executes with the values of the bound parameters (read by the FFI
    /// layer from the application's buffers, converted by `convert`).
    pub fn execute_with(&self, params: Vec<Value>) -> Result<i16> {
        let mut st = lock(&self.state);
        if let Some(call) = st.call.clone() {
            self.close_cursor(&mut st, false)?;
            let (cols, rows) = procedures::run(&self.conn, &call)?;
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
        let timeout = (st.attrs.query_timeout > 0)
            .then(|| std::time::Duration::from_secs(st.attrs.query_timeout));
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

    pub fn row_count(&self) -> Result<i64> {
        Ok(lock(&self.state).row_count)
    }
}

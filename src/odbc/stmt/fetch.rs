//! SQLFetch / SQLFetchScroll(NEXT): a block of SQL_ATTR_ROW_ARRAY_SIZE
//! rows, converted into the bound buffers.

use super::bound_buffers::{place_row, Write};
use super::{no_cursor, Rows, Stmt, StmtState};
use crate::engine::Value;
use crate::error::{Error, Kind, Result};
use crate::odbc::{lock, NO_DATA, SUCCESS};

/// What a fetch hands the FFI layer: bytes to write into the application's
/// buffers and the values of its status pointers.
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

impl Stmt {
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
            rows_fetched_ptr: st.attrs.rows_fetched_ptr,
            row_status_ptr: st.attrs.row_status_ptr,
            bind_offset_ptr: st.attrs.row_bind_offset_ptr,
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
        let size = st.attrs.row_array_size.max(1) as usize;
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
}

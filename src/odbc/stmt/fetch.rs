//! SQLFetch / SQLFetchScroll(NEXT): a block of SQL_ATTR_ROW_ARRAY_SIZE
//! rows, converted into the bound buffers. Reading rows may send requests,
//! so it runs without the statement's state lock: the unread rows and the
//! bindings are taken out of the state and put back afterwards (see
//! `running`).

use super::bound_buffers::{place_row, Layout, Write};
use super::columns::ColumnBinding;
use super::running::cancelled;
use super::{no_cursor, Cursor, Stmt, StmtState};
use crate::engine::{Query, Value};
use crate::error::{Error, Result};
use crate::odbc::{lock, NO_DATA, SUCCESS};
use odbc_sys::RetCode;
use std::collections::{BTreeMap, VecDeque};

// What the row status array says of each row of a block.
use crate::odbc::sqlext::{SQL_ROW_ERROR, SQL_ROW_NOROW, SQL_ROW_SUCCESS};

/// What a fetch hands the FFI layer: bytes to write into the application's
/// buffers and the values of its status pointers.
#[derive(Debug, Default)]
pub struct FetchOut {
    pub code: RetCode,
    pub writes: Vec<Write>,
    /// (indicator address, value) pairs.
    pub indicators: Vec<(usize, isize)>,
    pub rows_fetched_ptr: usize,
    pub row_status_ptr: usize,
    /// SQL_ATTR_ROW_BIND_OFFSET_PTR: the FFI layer adds the offset it
    /// points at to every address.
    pub bind_offset_ptr: usize,
    /// SQL_ROW_SUCCESS, SQL_ROW_ERROR or SQL_ROW_NOROW for each row of the
    /// block.
    pub row_status: Vec<u16>,
    /// An SQL_C_NUMERIC value lost fractional digits (01S07).
    pub fraction_cut: bool,
    /// The slot where reading failed after earlier rows of the block.
    pub error_row: Option<usize>,
    pub rows: u64,
}

/// The open cursor's unread rows and the bindings, out of the state while
/// a fetch reads and places rows.
pub(super) struct Reading {
    peeked: VecDeque<Vec<Value>>,
    cursor: Cursor,
    query: Option<Query>,
    bindings: BTreeMap<u16, ColumnBinding>,
    /// A row done with, whose buffers the next row read reuses.
    spare: Option<Vec<Value>>,
}

impl Reading {
    pub(super) fn take(st: &mut StmtState) -> Reading {
        Reading {
            peeked: std::mem::take(&mut st.peeked),
            cursor: std::mem::replace(&mut st.cursor, Cursor::Closed),
            query: st.query.take(),
            // A copy: the ARD stays the application's to change.
            bindings: st.column_bindings(),
            spare: st.spare_row.take(),
        }
    }

    pub(super) fn put_back(self, st: &mut StmtState) {
        st.peeked = self.peeked;
        st.cursor = self.cursor;
        st.query = self.query;
        st.spare_row = self.spare;
    }

    pub(super) fn next_row(&mut self) -> Result<Option<Vec<Value>>> {
        if let Some(r) = self.peeked.pop_front() {
            return Ok(Some(r));
        }
        match &mut self.cursor {
            Cursor::Closed => Err(no_cursor()),
            Cursor::InMemory(rows) => Ok(rows.pop_front()),
            // Read through `scroll`, never here.
            Cursor::Static(_) => Ok(None),
            Cursor::Engine => match self.query.as_mut() {
                Some(q) => q.next_row_reusing(self.spare.take()),
                None => Ok(None),
            },
        }
    }
}

/// How a block ended, besides its rows.
#[derive(Default)]
struct Block {
    /// Rows read and placed.
    placed: u64,
    /// The last row placed: SQLGetData's current row.
    last: Option<Vec<Value>>,
    truncated: bool,
    /// Reading failed at this slot, after `placed` rows.
    read_error: Option<Error>,
    /// A row could not be converted into its buffers (it counts as fetched).
    place_error: Option<Error>,
}

impl Stmt {
    /// SQLFetch / SQLFetchScroll(NEXT): a block of rows, converted into
    /// the bound buffers (the FFI layer copies `writes` out).
    pub fn fetch(&self) -> Result<FetchOut> {
        if self.is_static() {
            return self.fetch_scroll_with(super::scroll::Request::next_of_fetch_scroll());
        }
        self.fetch_forward(None)
    }

    /// The next block of a forward-only cursor; `extended` is
    /// SQLExtendedFetch's row set: (SQL_ROWSET_SIZE, rows fetched address,
    /// row status address) in place of the ODBC 3 attributes.
    pub(super) fn fetch_forward(
        &self,
        extended: Option<(usize, usize, usize)>,
    ) -> Result<FetchOut> {
        let run = self.begin_fetch()?;
        let (mut reading, layout, room, mut out) = {
            let mut st = lock(&self.state);
            if let Some(e) = st.pending_error.take() {
                return Err(e);
            }
            if !st.cursor_open() {
                return Err(no_cursor());
            }
            st.get_data_progress = None;
            st.get_data_encoded = None;
            let mut out = st.fetch_out();
            let mut layout = Layout::of(&st);
            if let Some((rowset, rows_ptr, status_ptr)) = extended {
                layout.block_size = rowset;
                (out.rows_fetched_ptr, out.row_status_ptr) = (rows_ptr, status_ptr);
            }
            let room = self.rows_allowed(&st, layout.block_size);
            (Reading::take(&mut st), layout, room, out)
        };
        let block = read_block(&mut reading, &layout, room, &mut out);
        let mut st = lock(&self.state);
        reading.put_back(&mut st);
        let cancel_came = run.end();
        st.fetched += block.placed;
        if cancel_came {
            st.close_cursor();
            return Err(cancelled());
        }
        self.finish_block(&mut st, block, layout.block_size, out)
    }

    /// Rows this fetch may return: the block size, less what
    /// SQL_ATTR_MAX_ROWS (or MaxRows) leaves.
    fn rows_allowed(&self, st: &StmtState, block_size: usize) -> usize {
        match self.max_rows(st) {
            0 => block_size,
            limit => block_size.min(limit.saturating_sub(st.fetched) as usize),
        }
    }

    /// The state and the answer after a block was read.
    fn finish_block(
        &self,
        st: &mut StmtState,
        block: Block,
        block_size: usize,
        mut out: FetchOut,
    ) -> Result<FetchOut> {
        if block.last.is_some() {
            let before = std::mem::replace(&mut st.current, block.last);
            st.spare_row = st.spare_row.take().or(before);
        }
        if let Some(e) = block.place_error {
            return Err(e);
        }
        out.rows = block.placed;
        if let Some(e) = block.read_error {
            st.cursor = Cursor::Closed;
            // Rows already placed in this block are delivered (the failed
            // slot marked SQL_ROW_ERROR); the error itself is the answer to
            // the next fetch.
            if block.placed == 0 {
                return Err(e);
            }
            st.pending_error = Some(e);
            out.error_row = Some(block.placed as usize);
        }
        out.row_status = (0..block_size)
            .map(|slot| {
                if (slot as u64) < out.rows {
                    SQL_ROW_SUCCESS
                } else if out.error_row == Some(slot) {
                    SQL_ROW_ERROR
                } else {
                    SQL_ROW_NOROW
                }
            })
            .collect();
        if out.rows == 0 {
            st.current = None;
            out.code = NO_DATA;
            return Ok(out);
        }
        report_cuts(self, block.truncated, out.fraction_cut);
        out.code = SUCCESS;
        Ok(out)
    }
}

impl StmtState {
    /// A fetch's output with the IRD's status pointers and the ARD's
    /// binding offset.
    pub(super) fn fetch_out(&self) -> FetchOut {
        let ird = self.descs.ird.lock();
        FetchOut {
            rows_fetched_ptr: ird.header.rows_processed_ptr,
            row_status_ptr: ird.header.array_status_ptr,
            bind_offset_ptr: self.descs.ard.lock().header.bind_offset_ptr,
            ..Default::default()
        }
    }
}

/// 01004 when a bound buffer cut a value, 01S07 when SQL_C_NUMERIC cut
/// fractional digits.
pub(super) fn report_cuts(stmt: &Stmt, truncated: bool, fraction_cut: bool) {
    let mut diags = lock(&stmt.diags);
    if truncated {
        diags.push(
            "01004",
            "String data, right truncated: a bound buffer was too small for a value.",
        );
    }
    if fraction_cut {
        diags.push(
            "01S07",
            "Fractional truncation: a value had more fractional digits than SQL_C_NUMERIC's SQL_DESC_SCALE (the ARD's) keeps.",
        );
    }
}

/// Reads up to `room` rows and places each in the bound buffers, stopping
/// at the end of the result or at the first error. Runs without the state
/// lock.
fn read_block(reading: &mut Reading, layout: &Layout, room: usize, out: &mut FetchOut) -> Block {
    let mut block = Block::default();
    for slot in 0..room {
        let row = match reading.next_row() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => {
                block.read_error = Some(e);
                break;
            }
        };
        block.placed += 1;
        match place_row(layout, &reading.bindings, &row, slot, out) {
            Ok(truncated) => block.truncated |= truncated,
            Err(e) => {
                block.place_error = Some(e);
                break;
            }
        }
        // The row before is done with: its buffers serve the next one.
        if let Some(before) = block.last.replace(row) {
            reading.spare = Some(before);
        }
    }
    block
}

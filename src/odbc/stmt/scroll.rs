//! Static cursors (SQL_ATTR_CURSOR_TYPE = SQL_CURSOR_STATIC, or
//! SQL_ATTR_CURSOR_SCROLLABLE = SQL_SCROLLABLE): the whole result is read
//! into memory at the first fetch, then SQLFetchScroll / SQLExtendedFetch
//! move over it in every orientation and SQLSetPos positions within the
//! row set. A result longer than `MAX_STATIC_ROWS` is refused (HY000), never
//! cut short. Forward-only cursors keep streaming (see `fetch`) and refuse
//! every orientation but SQL_FETCH_NEXT (HY106).

use super::bookmarks::place_bookmark;
use super::bound_buffers::{place_row, Layout};
use super::fetch::{FetchOut, Reading};
use super::running::cancelled;
use super::{no_cursor, Cursor, Stmt, StmtState};
use crate::error::{Error, Result};
use crate::odbc::sqlext::{
    SQL_CURSOR_STATIC, SQL_FETCH_ABSOLUTE, SQL_FETCH_BOOKMARK, SQL_FETCH_FIRST, SQL_FETCH_LAST,
    SQL_FETCH_NEXT, SQL_FETCH_PRIOR, SQL_FETCH_RELATIVE, SQL_LOCK_NO_CHANGE, SQL_POSITION,
    SQL_REFRESH, SQL_ROW_NOROW, SQL_ROW_SUCCESS, SQL_UB_OFF,
};
use crate::odbc::{lock, NO_DATA, SUCCESS};

/// The most rows a static cursor holds in memory; a longer result is
/// refused with HY000 at the first fetch (SQL_ATTR_MAX_ROWS or a WHERE
/// clause brings it under).
pub const MAX_STATIC_ROWS: usize = 200_000;

/// Where a static cursor's row set starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum Position {
    #[default]
    BeforeStart,
    /// The row set starts at this row (1-based).
    Row(u64),
    AfterEnd,
}

/// A static cursor's state besides its rows.
#[derive(Debug, Default)]
pub(super) struct Scroll {
    pub start: Position,
    /// Rows in the current row set.
    pub rowset_rows: usize,
    /// The row set size of the last fetch (SQL_ATTR_ROW_ARRAY_SIZE, or
    /// SQL_ROWSET_SIZE for SQLExtendedFetch): SQLSetPos's range.
    pub rowset_size: u64,
    /// SQLSetPos's row within the row set (1-based); 1 after a fetch.
    pub row_in_rowset: usize,
}

/// One fetch request: SQLFetch, SQLFetchScroll or SQLExtendedFetch.
pub struct Request {
    pub orientation: i16,
    pub offset: i64,
    /// SQL_FETCH_BOOKMARK: the bookmark read from the application.
    pub bookmark: Option<u64>,
    /// SQLExtendedFetch: SQL_ROWSET_SIZE and its own output arguments
    /// (addresses), instead of the ODBC 3 attributes.
    pub extended: Option<(usize, usize)>,
}

impl Request {
    pub fn next_of_fetch_scroll() -> Request {
        Request {
            orientation: SQL_FETCH_NEXT,
            offset: 0,
            bookmark: None,
            extended: None,
        }
    }
}

fn fetch_type_out_of_range(orientation: i16) -> Error {
    Error::odbc(
        "HY106",
        format!("Fetch orientation {orientation} is not valid here: a forward-only cursor fetches SQL_FETCH_NEXT only (set SQL_ATTR_CURSOR_TYPE to SQL_CURSOR_STATIC to scroll)."),
    )
}

/// Where a fetch moves the row set, by the rules of SQLFetchScroll's
/// "Cursor positioning rules"; the flag is 01S06 (the row set asked for
/// started before the result and the first row set was returned).
fn target(
    orientation: i16,
    offset: i64,
    bookmark: Option<u64>,
    current: Position,
    rowset: u64,
    n: u64,
) -> Result<(Position, bool)> {
    use Position::*;
    let (rowset_i, n_i) = (rowset as i64, n as i64);
    // A start from a signed row number: before the first row or after the last.
    let at = |row: i64| -> Position {
        if row < 1 {
            BeforeStart
        } else if row > n_i {
            AfterEnd
        } else {
            Row(row as u64)
        }
    };
    // SQL_FETCH_ABSOLUTE's rules, which RELATIVE from before the start or
    // after the end follows too.
    let absolute = |o: i64| -> (Position, bool) {
        match o {
            0 => (BeforeStart, false),
            o if o > 0 => (at(o), false),
            o if o.unsigned_abs() <= n => (at(n_i + o + 1), false),
            o if o.unsigned_abs() > rowset => (BeforeStart, false),
            _ => (at(1), true),
        }
    };
    Ok(match orientation {
        SQL_FETCH_NEXT => match current {
            BeforeStart => (at(1), false),
            AfterEnd => (AfterEnd, false),
            Row(s) => (at(s as i64 + rowset_i), false),
        },
        SQL_FETCH_PRIOR => match current {
            BeforeStart => (BeforeStart, false),
            Row(1) => (BeforeStart, false),
            Row(s) if s <= rowset => (at(1), true),
            Row(s) => (at(s as i64 - rowset_i), false),
            AfterEnd if n <= rowset => (at(1), false),
            AfterEnd => (at(n_i - rowset_i + 1), false),
        },
        SQL_FETCH_FIRST => (at(1), false),
        SQL_FETCH_LAST if n <= rowset => (at(1), false),
        SQL_FETCH_LAST => (at(n_i - rowset_i + 1), false),
        SQL_FETCH_ABSOLUTE => absolute(offset),
        SQL_FETCH_RELATIVE => match current {
            BeforeStart if offset > 0 => absolute(offset),
            BeforeStart => (BeforeStart, false),
            AfterEnd if offset < 0 => absolute(offset),
            AfterEnd => (AfterEnd, false),
            // Back from the first row set: before the start, not 01S06.
            Row(1) if offset < 0 => (BeforeStart, false),
            Row(s) => {
                let row = s as i64 + offset;
                if row < 1 && offset.unsigned_abs() > rowset {
                    (BeforeStart, false)
                } else if row < 1 {
                    (at(1), true)
                } else {
                    (at(row), false)
                }
            }
        },
        SQL_FETCH_BOOKMARK => {
            let b = bookmark.unwrap_or(0);
            if b < 1 || b > n {
                return Err(Error::odbc(
                    "HY111",
                    format!("Bookmark {b} is not a row of this result (invalid bookmark value)."),
                ));
            }
            (at(b as i64 + offset), false)
        }
        other => {
            return Err(Error::odbc(
                "HY106",
                format!("Fetch orientation {other} is not one of SQL_FETCH_NEXT, PRIOR, FIRST, LAST, ABSOLUTE, RELATIVE or BOOKMARK."),
            ))
        }
    })
}

impl StmtState {
    /// The rows of a static cursor, once read.
    fn static_rows(&self) -> Option<&Vec<Vec<crate::engine::Value>>> {
        match &self.cursor {
            Cursor::Static(rows) => Some(rows),
            _ => None,
        }
    }

    /// SQL_ATTR_ROW_NUMBER: the current row's number in the result.
    pub(super) fn row_number(&self) -> u64 {
        match (&self.cursor, self.scroll.start) {
            (Cursor::Static(_), Position::Row(s)) => {
                s + self.scroll.row_in_rowset.max(1) as u64 - 1
            }
            (Cursor::Static(_), _) => 0,
            _ => self.fetched,
        }
    }
}

impl Stmt {
    pub(super) fn is_static(&self) -> bool {
        lock(&self.state).attrs.cursor_type == SQL_CURSOR_STATIC
    }

    /// SQLFetchScroll.
    pub fn fetch_scroll_to(
        &self,
        orientation: i16,
        offset: i64,
        bookmark: Option<u64>,
    ) -> Result<FetchOut> {
        self.fetch_scroll_with(Request {
            orientation,
            offset,
            bookmark,
            extended: None,
        })
    }

    /// SQLExtendedFetch: as SQLFetchScroll, over SQL_ROWSET_SIZE rows, the
    /// rows fetched and row statuses written through its own arguments. For
    /// SQL_FETCH_BOOKMARK the offset is the bookmark.
    pub fn extended_fetch(
        &self,
        orientation: i16,
        offset: i64,
        rows_fetched_ptr: usize,
        row_status_ptr: usize,
    ) -> Result<FetchOut> {
        let bookmark = (orientation == SQL_FETCH_BOOKMARK).then_some(offset.max(0) as u64);
        self.fetch_scroll_with(Request {
            orientation,
            offset: if bookmark.is_some() { 0 } else { offset },
            bookmark,
            extended: Some((rows_fetched_ptr, row_status_ptr)),
        })
    }

    /// Which bookmark SQL_FETCH_BOOKMARK reads: (SQL_ATTR_FETCH_BOOKMARK_PTR,
    /// its width in bytes), for the FFI layer to read.
    pub fn fetch_bookmark_source(&self) -> Result<(usize, usize)> {
        let st = lock(&self.state);
        if st.attrs.use_bookmarks == SQL_UB_OFF {
            return Err(Error::odbc(
                "HY106",
                "SQL_FETCH_BOOKMARK needs SQL_ATTR_USE_BOOKMARKS set before execution.",
            ));
        }
        if st.attrs.fetch_bookmark_ptr == 0 {
            return Err(Error::odbc(
                "HY111",
                "SQL_FETCH_BOOKMARK needs SQL_ATTR_FETCH_BOOKMARK_PTR (invalid bookmark value).",
            ));
        }
        Ok((
            st.attrs.fetch_bookmark_ptr,
            super::bookmarks::width(st.attrs.use_bookmarks),
        ))
    }

    pub(super) fn fetch_scroll_with(&self, req: Request) -> Result<FetchOut> {
        let is_static = self.is_static();
        if !is_static {
            if req.orientation != SQL_FETCH_NEXT {
                return Err(fetch_type_out_of_range(req.orientation));
            }
            let extended = req.extended.map(|(rows_ptr, status_ptr)| {
                let rowset = lock(&self.state).attrs.rowset_size.max(1) as usize;
                (rowset, rows_ptr, status_ptr)
            });
            return self.fetch_forward(extended);
        }
        if req.orientation == SQL_FETCH_BOOKMARK
            && lock(&self.state).attrs.use_bookmarks == SQL_UB_OFF
        {
            return Err(Error::odbc(
                "HY106",
                "SQL_FETCH_BOOKMARK needs SQL_ATTR_USE_BOOKMARKS set before execution.",
            ));
        }
        self.materialize()?;
        let _run = self.begin()?;
        let mut st = lock(&self.state);
        if let Some(e) = st.pending_error.take() {
            return Err(e);
        }
        let n = match st.static_rows() {
            Some(rows) => rows.len() as u64,
            None => return Err(no_cursor()),
        };
        let fetch_out = st.fetch_out();
        let (rowset, rows_ptr, status_ptr) = match req.extended {
            Some((r, s)) => (st.attrs.rowset_size.max(1), r, s),
            None => (
                st.descs.ard.lock().header.array_size.max(1),
                fetch_out.rows_fetched_ptr,
                fetch_out.row_status_ptr,
            ),
        };
        let (start, warn) = target(
            req.orientation,
            req.offset,
            req.bookmark,
            st.scroll.start,
            rowset,
            n,
        )?;
        st.get_data_progress = None;
        st.get_data_encoded = None;
        st.scroll.start = start;
        st.scroll.rowset_size = rowset;
        let mut out = FetchOut {
            rows_fetched_ptr: rows_ptr,
            row_status_ptr: status_ptr,
            ..fetch_out
        };
        let Position::Row(first) = start else {
            st.scroll.rowset_rows = 0;
            st.scroll.row_in_rowset = 0;
            st.current = None;
            out.row_status = vec![SQL_ROW_NOROW; rowset as usize];
            out.code = NO_DATA;
            return Ok(out);
        };
        // SQL_ATTR_MAX_ROWS was applied when the rows were read.
        let count = rowset.min(n - first + 1) as usize;
        st.scroll.rowset_rows = count;
        st.scroll.row_in_rowset = 1;
        let truncated = place_rowset(&st, first, count, None, rowset as usize, &mut out)?;
        out.rows = count as u64;
        st.current = st.static_rows().map(|r| r[first as usize - 1].clone());
        super::fetch::report_cuts(self, truncated, out.fraction_cut);
        if warn {
            lock(&self.diags).push(
                "01S06",
                "The row set asked for started before the result; the first row set was returned.",
            );
        }
        out.code = SUCCESS;
        Ok(out)
    }

    /// Reads an open static cursor's whole result into memory (the first
    /// fetch after execution), without the state lock: reading may send
    /// requests.
    fn materialize(&self) -> Result<()> {
        let run = self.begin_fetch()?;
        let (mut reading, limit) = {
            let mut st = lock(&self.state);
            if !st.cursor_open() {
                return Err(no_cursor());
            }
            if matches!(st.cursor, Cursor::Static(_)) {
                return Ok(());
            }
            let limit = match self.max_rows(&st) {
                0 => MAX_STATIC_ROWS + 1,
                m => (m as usize).min(MAX_STATIC_ROWS + 1),
            };
            (Reading::take(&mut st), limit)
        };
        let mut rows = Vec::new();
        let mut failed = None;
        while rows.len() < limit {
            match reading.next_row() {
                Ok(Some(row)) => rows.push(row),
                Ok(None) => break,
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        let mut st = lock(&self.state);
        reading.put_back(&mut st);
        let cancel_came = run.end();
        if cancel_came {
            st.close_cursor();
            return Err(cancelled());
        }
        if let Some(e) = failed {
            st.close_cursor();
            return Err(e);
        }
        if rows.len() > MAX_STATIC_ROWS {
            st.close_cursor();
            return Err(Error::odbc(
                "HY000",
                format!("A static cursor holds at most {MAX_STATIC_ROWS} rows in memory and this result has more; narrow the query or set SQL_ATTR_MAX_ROWS (or use a forward-only cursor). The cursor was closed."),
            ));
        }
        if let Some(q) = st.query.as_mut() {
            q.close();
        }
        st.peeked.clear();
        st.fetched = rows.len() as u64;
        st.cursor = Cursor::Static(rows);
        st.scroll = Scroll::default();
        Ok(())
    }

    /// SQLSetPos: SQL_POSITION and SQL_REFRESH on a static cursor's row
    /// set (row 0: every row, for SQL_REFRESH); the rest is HYC00.
    pub fn set_pos(&self, row: u64, operation: u16, lock_type: u16) -> Result<FetchOut> {
        let _run = self.begin()?;
        let mut st = lock(&self.state);
        if !st.cursor_open() {
            return Err(no_cursor());
        }
        if operation != SQL_POSITION && operation != SQL_REFRESH {
            return Err(Error::odbc(
                "HYC00",
                format!("SQLSetPos operation {operation} is not supported: the cursor is read-only (SQL_POSITION and SQL_REFRESH only)."),
            ));
        }
        if lock_type != SQL_LOCK_NO_CHANGE {
            return Err(Error::odbc(
                "HYC00",
                "SQLSetPos supports SQL_LOCK_NO_CHANGE only.",
            ));
        }
        // Refused rather than ignored: rows the array marks SQL_ROW_IGNORE
        // would be refreshed all the same.
        if row == 0 && st.descs.ard.lock().header.array_status_ptr != 0 {
            return Err(Error::odbc(
                "HYC00",
                "SQLSetPos on the whole row set does not honour SQL_ATTR_ROW_OPERATION_PTR (the ARD's SQL_DESC_ARRAY_STATUS_PTR): set it to NULL, or name one row.",
            ));
        }
        let Some(Position::Row(first)) = st.static_rows().map(|_| st.scroll.start) else {
            if st.attrs.cursor_type != SQL_CURSOR_STATIC {
                return Err(Error::odbc(
                    "HYC00",
                    "SQLSetPos needs a static cursor (SQL_ATTR_CURSOR_TYPE = SQL_CURSOR_STATIC).",
                ));
            }
            return Err(Error::odbc(
                "24000",
                "The cursor is before the first or after the last row: there is no row set (invalid cursor state).",
            ));
        };
        let rowset_size = st.scroll.rowset_size.max(1);
        if row > rowset_size {
            return Err(Error::odbc(
                "HY107",
                format!("Row {row} is outside the row set of {rowset_size} row(s)."),
            ));
        }
        if row as usize > st.scroll.rowset_rows || (row == 0 && operation == SQL_POSITION) {
            return Err(Error::odbc(
                "HY109",
                format!("Row {row} of the row set holds no fetched row (invalid cursor position)."),
            ));
        }
        let fetch_out = st.fetch_out();
        let mut out = FetchOut {
            bind_offset_ptr: fetch_out.bind_offset_ptr,
            ..Default::default()
        };
        let landing = row.max(1) as usize;
        if operation == SQL_REFRESH {
            let (count, only) = if row == 0 {
                (st.scroll.rowset_rows, None)
            } else {
                (st.scroll.rowset_rows, Some(row as usize - 1))
            };
            out.row_status_ptr = fetch_out.row_status_ptr;
            place_rowset(&st, first, count, only, rowset_size as usize, &mut out)?;
        }
        st.scroll.row_in_rowset = landing;
        st.current = st
            .static_rows()
            .map(|r| r[first as usize + landing - 2].clone());
        st.get_data_progress = None;
        st.get_data_encoded = None;
        out.code = SUCCESS;
        Ok(out)
    }
}

/// Places `count` rows from row `first` in the bound buffers (or only the
/// slot `only`), with their bookmarks, and the row set's statuses.
fn place_rowset(
    st: &StmtState,
    first: u64,
    count: usize,
    only: Option<usize>,
    rowset: usize,
    out: &mut FetchOut,
) -> Result<bool> {
    let rows = st.static_rows().ok_or_else(no_cursor)?;
    let layout = Layout::of(st);
    let layout = Layout {
        block_size: rowset,
        ..layout
    };
    let mut truncated = false;
    let bindings = st.column_bindings();
    let bookmark = st.bookmark_binding();
    for slot in 0..count {
        if only.is_some_and(|o| o != slot) {
            continue;
        }
        let number = first + slot as u64;
        truncated |= place_row(&layout, &bindings, &rows[number as usize - 1], slot, out)?;
        if let Some(b) = &bookmark {
            place_bookmark(&layout, b, st.attrs.use_bookmarks, number, slot, out)?;
        }
    }
    out.row_status = (0..rowset)
        .map(|slot| {
            if slot < count {
                SQL_ROW_SUCCESS
            } else {
                SQL_ROW_NOROW
            }
        })
        .collect();
    Ok(truncated)
}

#[cfg(test)]
mod tests {
    use super::Position::*;
    use super::*;

    fn go(o: i16, off: i64, cur: Position) -> (Position, bool) {
        target(o, off, Some(3), cur, 10, 95).unwrap()
    }

    #[test]
    fn positioning_rules() {
        assert_eq!(go(SQL_FETCH_NEXT, 0, BeforeStart), (Row(1), false));
        assert_eq!(go(SQL_FETCH_NEXT, 0, Row(81)), (Row(91), false));
        assert_eq!(go(SQL_FETCH_NEXT, 0, Row(91)), (AfterEnd, false));
        assert_eq!(go(SQL_FETCH_PRIOR, 0, AfterEnd), (Row(86), false));
        assert_eq!(go(SQL_FETCH_PRIOR, 0, Row(5)), (Row(1), true));
        assert_eq!(go(SQL_FETCH_PRIOR, 0, Row(1)), (BeforeStart, false));
        assert_eq!(go(SQL_FETCH_LAST, 0, BeforeStart), (Row(86), false));
        assert_eq!(go(SQL_FETCH_ABSOLUTE, -1, BeforeStart), (Row(95), false));
        assert_eq!(
            go(SQL_FETCH_ABSOLUTE, -100, BeforeStart),
            (BeforeStart, false)
        );
        assert_eq!(
            go(SQL_FETCH_ABSOLUTE, -96, BeforeStart),
            (BeforeStart, false)
        );
        assert_eq!(go(SQL_FETCH_ABSOLUTE, 0, Row(4)), (BeforeStart, false));
        assert_eq!(go(SQL_FETCH_ABSOLUTE, 96, Row(4)), (AfterEnd, false));
        assert_eq!(go(SQL_FETCH_RELATIVE, -5, Row(3)), (Row(1), true));
        assert_eq!(go(SQL_FETCH_RELATIVE, -50, Row(3)), (BeforeStart, false));
        assert_eq!(go(SQL_FETCH_RELATIVE, -5, AfterEnd), (Row(91), false));
        assert_eq!(go(SQL_FETCH_RELATIVE, 0, Row(7)), (Row(7), false));
        assert_eq!(go(SQL_FETCH_RELATIVE, -1, Row(1)), (BeforeStart, false));
        assert_eq!(go(SQL_FETCH_RELATIVE, -3, Row(1)), (BeforeStart, false));
        assert_eq!(go(SQL_FETCH_RELATIVE, -100, AfterEnd), (BeforeStart, false));
        assert_eq!(
            target(SQL_FETCH_RELATIVE, -7, None, AfterEnd, 10, 5).unwrap(),
            (Row(1), true),
            "as ABSOLUTE -7 of 5 rows with a row set of 10"
        );
        assert_eq!(go(SQL_FETCH_BOOKMARK, 2, BeforeStart), (Row(5), false));
        assert!(target(SQL_FETCH_BOOKMARK, 0, Some(96), BeforeStart, 10, 95).is_err());
        assert!(target(7, 0, None, BeforeStart, 10, 95).is_err());
    }
}

//! Bookmarks (SQL_ATTR_USE_BOOKMARKS): column 0 of a static cursor's rows
//! is the row's number in the result, a 4-byte value for SQL_UB_FIXED (the
//! ODBC 2 bookmark) and an 8-byte one for SQL_UB_VARIABLE. It is read with
//! SQLGetData or bound with SQLBindCol, and SQL_FETCH_BOOKMARK goes back to
//! it (see `scroll`).

use super::bound_buffers::{Layout, Write};
use super::columns::ColumnBinding;
use super::fetch::FetchOut;
use super::{no_cursor, Cursor, Stmt};
use crate::error::{Error, Result};
use crate::odbc::convert::Piece;
use crate::odbc::sqlext::{
    SQL_BIND_BY_COLUMN, SQL_C_DEFAULT, SQL_C_LONG, SQL_C_SBIGINT, SQL_C_SLONG, SQL_C_UBIGINT,
    SQL_C_ULONG, SQL_C_VARBOOKMARK, SQL_UB_FIXED, SQL_UB_OFF,
};
use crate::odbc::{lock, SUCCESS};
use odbc_sys::RetCode;

/// A bookmark's width in bytes for SQL_ATTR_USE_BOOKMARKS.
pub(super) fn width(use_bookmarks: u64) -> usize {
    if use_bookmarks == SQL_UB_FIXED {
        4
    } else {
        8
    }
}

/// The bytes of bookmark `row` as C type `c_type`.
fn bookmark_bytes(row: u64, c_type: i16, use_bookmarks: u64) -> Result<Vec<u8>> {
    let four = || (row as u32).to_ne_bytes().to_vec();
    let eight = || row.to_ne_bytes().to_vec();
    Ok(match c_type {
        SQL_C_DEFAULT if use_bookmarks == SQL_UB_FIXED => four(),
        SQL_C_DEFAULT | SQL_C_VARBOOKMARK | SQL_C_UBIGINT | SQL_C_SBIGINT => eight(),
        SQL_C_ULONG | SQL_C_SLONG | SQL_C_LONG => four(),
        other => {
            return Err(Error::odbc(
                "07006",
                format!("A bookmark converts to SQL_C_BOOKMARK (SQL_C_ULONG), SQL_C_UBIGINT or SQL_C_VARBOOKMARK, not C type {other} (restricted data type attribute violation)."),
            ))
        }
    })
}

fn bookmarks_off() -> Error {
    Error::odbc(
        "07009",
        "Column 0 is the bookmark: set SQL_ATTR_USE_BOOKMARKS (and a static cursor) first.",
    )
}

/// Places the bookmark of row `number` at `slot` of a block.
pub(super) fn place_bookmark(
    layout: &Layout,
    binding: &ColumnBinding,
    use_bookmarks: u64,
    number: u64,
    slot: usize,
    out: &mut FetchOut,
) -> Result<()> {
    let bytes = bookmark_bytes(number, binding.c_type, use_bookmarks)?;
    let (stride, ind_stride) = if layout.row_bind_type != SQL_BIND_BY_COLUMN {
        (layout.row_bind_type as usize, layout.row_bind_type as usize)
    } else if binding.c_type == SQL_C_VARBOOKMARK {
        (
            binding.len.max(0) as usize,
            std::mem::size_of::<odbc_sys::Len>(),
        )
    } else {
        (bytes.len(), std::mem::size_of::<odbc_sys::Len>())
    };
    let len = bytes.len() as isize;
    if binding.c_type == SQL_C_VARBOOKMARK && binding.len < len {
        return Err(Error::odbc(
            "HY090",
            format!("A variable bookmark needs a {len}-byte buffer."),
        ));
    }
    if binding.ptr != 0 {
        out.writes.push(Write {
            ptr: binding.ptr + slot * stride,
            bytes,
        });
    }
    out.indicators
        .extend(binding.length_writes(slot * ind_stride, len));
    Ok(())
}

impl Stmt {
    /// SQLBindCol: column 0 is the bookmark, the rest go to `bind_col`.
    pub fn bind_column(
        &self,
        column: u16,
        c_type: i16,
        ptr: usize,
        len: isize,
        ind: usize,
    ) -> Result<RetCode> {
        if column != 0 {
            return self.bind_col(column, c_type, ptr, len, ind);
        }
        let _run = self.begin()?;
        let st = lock(&self.state);
        let use_bookmarks = st.attrs.use_bookmarks;
        if (ptr != 0 || ind != 0) && use_bookmarks == SQL_UB_OFF {
            return Err(bookmarks_off());
        }
        if ptr != 0 || ind != 0 {
            bookmark_bytes(0, c_type, use_bookmarks)?;
        }
        let ard = st.descs.ard.clone();
        drop(st);
        super::bind_or_unbind(&mut ard.lock(), ard.kind, 0, c_type, ptr, len, ind);
        Ok(SUCCESS)
    }

    /// SQL_ATTR_USE_BOOKMARKS.
    pub fn use_bookmarks(&self) -> u64 {
        lock(&self.state).attrs.use_bookmarks
    }

    /// SQLGetData on column 0: the current row's bookmark, whole.
    pub(super) fn bookmark_piece(&self, c_type: i16) -> Result<Option<Piece>> {
        let mut st = lock(&self.state);
        if st.attrs.use_bookmarks == SQL_UB_OFF {
            return Err(bookmarks_off());
        }
        if !matches!(st.cursor, Cursor::Static(_)) || st.current.is_none() {
            return Err(no_cursor());
        }
        if matches!(st.get_data_progress, Some((0, _, true))) {
            return Ok(None);
        }
        let bytes = bookmark_bytes(st.row_number(), c_type, st.attrs.use_bookmarks)?;
        st.get_data_progress = Some((0, bytes.len(), true));
        st.get_data_encoded = None;
        Ok(Some(Piece {
            indicator: bytes.len() as isize,
            consumed: bytes.len(),
            truncated: false,
            bytes,
        }))
    }
}

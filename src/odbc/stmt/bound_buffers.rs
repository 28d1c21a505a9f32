//! Where a fetched value lands in the application's bound buffers:
//! column-wise binding puts element i of a block at `ptr + i * stride`
//! (and its indicator at `ind + i * sizeof(SQLLEN)`); row-wise binding puts
//! the whole row i at `i * SQL_ATTR_ROW_BIND_TYPE` from the first. Nothing
//! here writes: the FFI layer performs the `Write`s.

use super::columns::ColumnBinding;
use super::fetch::FetchOut;
use super::StmtState;
use crate::engine::Value;
use crate::error::{Error, Result};
use crate::odbc::convert::{self, Encoded};
use crate::schema::SqlType;
use std::collections::BTreeMap;

/// A write the FFI layer performs into application memory.
#[derive(Debug)]
pub struct Write {
    pub ptr: usize,
    pub bytes: Vec<u8>,
}

/// What placing a row needs besides the bindings, copied out of the state
/// so that a fetch can place rows without holding its lock.
pub(super) struct Layout {
    /// The SQL type of each result column.
    pub types: Vec<SqlType>,
    /// SQL_ATTR_ROW_ARRAY_SIZE: rows per block.
    pub block_size: usize,
    /// SQL_ATTR_ROW_BIND_TYPE: 0 column-wise, else the size of one row.
    pub row_bind_type: u64,
    /// SQL_ATTR_RETRIEVE_DATA: SQL_RD_OFF (0) moves the cursor only.
    pub retrieve_data: u64,
    /// SQL_ATTR_MAX_LENGTH: 0, or the bytes of character and binary data
    /// kept.
    pub max_length: u64,
}

impl Layout {
    pub fn of(st: &StmtState) -> Layout {
        Layout {
            types: st.cols.iter().map(|c| c.sql_type).collect(),
            block_size: st.attrs.row_array_size.max(1) as usize,
            row_bind_type: st.attrs.row_bind_type,
            retrieve_data: st.attrs.retrieve_data,
            max_length: st.attrs.max_length,
        }
    }
}

/// Converts one row into the bound buffers at row `i` of the block.
/// Returns whether a value was cut.
pub(super) fn place_row(
    layout: &Layout,
    bindings: &BTreeMap<u16, ColumnBinding>,
    row: &[Value],
    i: usize,
    out: &mut FetchOut,
) -> Result<bool> {
    let mut truncated = false;
    // SQL_RD_OFF: the cursor moves, no data is returned.
    if layout.retrieve_data == 0 {
        return Ok(false);
    }
    for (&n, b) in bindings.iter() {
        let Some(&sql_type) = layout.types.get(n as usize - 1) else {
            continue;
        };
        let enc = convert::max_length(
            convert::encode(&row[n as usize - 1], sql_type, b.c_type)?,
            layout.max_length,
        );
        if enc == Encoded::Null && b.ind == 0 {
            return Err(Error::odbc(
                "22002",
                format!("Column {n} is NULL and no indicator was bound for it."),
            ));
        }
        let elem = match b.c_type {
            convert::C_DEFAULT | convert::C_ARD_TYPE => convert::default_c_type(sql_type),
            c => c,
        };
        let (stride, ind_stride) = match layout.row_bind_type {
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

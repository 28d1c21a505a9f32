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
        let ard = st.descs.ard.lock();
        Layout {
            types: st.columns.iter().map(|c| c.sql_type).collect(),
            block_size: ard.header.array_size.max(1) as usize,
            row_bind_type: ard.header.bind_type,
            retrieve_data: st.attrs.retrieve_data,
            max_length: st.attrs.max_length,
        }
    }
}

// SQL_ATTR_ROW_BIND_TYPE: SQL_BIND_BY_COLUMN, or the size of one row's
// structure.
use crate::odbc::sqlext::{SQL_BIND_BY_COLUMN, SQL_RD_OFF};

/// Converts one row into the bound buffers at row `slot` of the block.
/// Returns whether a value was cut.
pub(super) fn place_row(
    layout: &Layout,
    bindings: &BTreeMap<u16, ColumnBinding>,
    row: &[Value],
    slot: usize,
    out: &mut FetchOut,
) -> Result<bool> {
    let mut truncated = false;
    // The cursor moves, no data is returned.
    if layout.retrieve_data == SQL_RD_OFF {
        return Ok(false);
    }
    for (&column, binding) in bindings.iter() {
        let Some(&sql_type) = layout.types.get(column as usize - 1) else {
            continue;
        };
        let value = &row[column as usize - 1];
        let (encoded, cut) = convert::encode_cut(value, sql_type, binding.c_type, binding.num)?;
        out.fraction_cut |= cut;
        let encoded = convert::max_length(encoded, layout.max_length);
        if encoded == Encoded::Null && binding.ind == 0 {
            return Err(Error::odbc(
                "22002",
                format!("Column {column} is NULL and no indicator was bound for it."),
            ));
        }
        let (stride, indicator_stride) = strides(layout, binding, sql_type);
        // Fixed-size values fill their C type whatever the BufferLength.
        let room = if matches!(encoded, Encoded::Fixed(_)) {
            usize::MAX
        } else {
            binding.len.max(0) as usize
        };
        let (piece, _) = convert::first_piece(encoded, room);
        truncated |= piece.truncated;
        if binding.ptr != 0 && !piece.bytes.is_empty() {
            out.writes.push(Write {
                ptr: binding.ptr + slot * stride,
                bytes: piece.bytes,
            });
        }
        out.indicators
            .extend(binding.length_writes(slot * indicator_stride, piece.indicator));
    }
    Ok(truncated)
}

/// How far apart a binding's consecutive values and indicators are.
fn strides(layout: &Layout, binding: &ColumnBinding, sql_type: SqlType) -> (usize, usize) {
    if layout.row_bind_type != SQL_BIND_BY_COLUMN {
        // Row-wise: the next row's field is one row structure further.
        let row_size = layout.row_bind_type as usize;
        return (row_size, row_size);
    }
    let c_type = match binding.c_type {
        convert::C_DEFAULT | convert::C_ARD_TYPE => convert::default_c_type(sql_type),
        c_type => c_type,
    };
    // Column-wise: an array of values and an array of SQLLEN indicators.
    // Fixed-size types ignore BufferLength: their elements are their own
    // size apart.
    (
        convert::fixed_size(c_type).unwrap_or(binding.len.max(0) as usize),
        std::mem::size_of::<odbc_sys::Len>(),
    )
}

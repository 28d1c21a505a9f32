//! Parameter values across the boundary: each row of bound parameters read
//! at execution (parameter arrays, data at execution), SQLParamData and
//! SQLPutData, and the parameter status array and processed count written
//! back. What the values mean is `odbc::param_input`'s and the
//! statement's; this file only reads and writes the application's memory.

use super::{with_stmt, Handle};
use crate::error::Error;
use crate::odbc::arg_errors::null_pointer;
use crate::odbc::convert::from_c;
use crate::odbc::param_input::{
    param_source, put_data_source, Cell, ExecOut, ParamDataOut, ParamLayout, ParamRow, ParamSource,
    SQL_NEED_DATA, SQL_PARAM_IGNORE,
};
use crate::odbc::{ParamBinding, Stmt};
use odbc_sys::{Len, RetCode, ULen};
use std::os::raw::c_void;

/// The bytes of a value at `value`, as `source` describes them.
///
/// # Safety
/// `value` is readable for what `source` says: `n` bytes, or up to and
/// including a NUL unit.
unsafe fn read_value(value: *const u8, source: &ParamSource) -> Vec<u8> {
    let len = match *source {
        ParamSource::Bytes(n) => n,
        ParamSource::Terminated { unit } => {
            let mut n = 0usize;
            // SAFETY: the value is NUL-terminated (its indicator says so),
            // so every unit up to and including the NUL unit is readable.
            while (0..unit).any(|k| unsafe { *value.add(n + k) } != 0) {
                n += unit;
            }
            n
        }
        ParamSource::Null | ParamSource::AtExec => 0,
    };
    if len == 0 {
        return Vec::new();
    }
    // SAFETY: non-null and readable for `len` bytes: the C type's fixed
    // size, the length the application gave, or the bytes before the NUL.
    unsafe { std::slice::from_raw_parts(value, len) }.to_vec()
}

/// One parameter of one row, its value at `value` and its indicator at
/// `ind` (each 0 when not bound).
///
/// # Safety
/// `ind` is 0 or the address of a readable SQLLEN; `value` is 0 or
/// readable for the value its C type and indicator describe.
unsafe fn read_cell(binding: &ParamBinding, value: usize, ind: usize) -> Result<Cell, Error> {
    let indicator = (ind != 0).then(|| {
        // SAFETY: non-zero, so the address of the row's StrLen_or_Ind;
        // readable by the caller's promise. Row-wise binding may leave it
        // unaligned (pyodbc packs its rows).
        unsafe { std::ptr::read_unaligned(ind as *const Len) }
    });
    let source = param_source(binding, indicator)?;
    let bytes = match source {
        ParamSource::Null => None,
        ParamSource::AtExec => return Ok(Cell::AtExec { token: value }),
        _ if value == 0 => return Err(null_pointer("ParameterValuePtr")),
        // SAFETY: non-null and readable as `source` says (the caller's
        // promise).
        _ => Some(unsafe { read_value(value as *const u8, &source) }),
    };
    Ok(Cell::Value(from_c(
        binding.c_type,
        binding.sql_type,
        bytes.as_deref(),
        binding.num,
    )?))
}

/// Every row of parameters, as SQL_ATTR_PARAMSET_SIZE and the binding
/// attributes place them.
///
/// # Safety
/// Every bound parameter's buffers, and SQL_ATTR_PARAM_BIND_OFFSET_PTR and
/// SQL_ATTR_PARAM_OPERATION_PTR when set, are valid for the rows of the
/// parameter set (the module docs of `ffi::statement`).
unsafe fn read_rows(layout: &ParamLayout) -> Vec<ParamRow> {
    let offset = if layout.offset_ptr != 0 {
        // SAFETY: the SQL_ATTR_PARAM_BIND_OFFSET_PTR the application set,
        // a readable SQLLEN.
        unsafe { std::ptr::read_unaligned(layout.offset_ptr as *const Len) as usize }
    } else {
        0
    };
    (0..layout.rows)
        .map(|row| {
            if layout.operation_ptr != 0 {
                // SAFETY: SQL_ATTR_PARAM_OPERATION_PTR holds one
                // SQLUSMALLINT per row of the parameter set.
                let op = unsafe {
                    std::ptr::read_unaligned((layout.operation_ptr as *const u16).add(row))
                };
                if op == SQL_PARAM_IGNORE {
                    return ParamRow::Ignored;
                }
            }
            let cells: Result<Vec<Cell>, Error> = layout
                .bindings
                .iter()
                .map(|b| {
                    let (value, ind) = layout.addresses(b, row, offset);
                    // SAFETY: the row's element of a bound buffer (the
                    // caller's promise).
                    unsafe { read_cell(b, value, ind) }
                })
                .collect();
            match cells {
                Ok(c) => ParamRow::Cells(c),
                Err(e) => ParamRow::Bad(e),
            }
        })
        .collect()
}

/// Writes what an execution leaves in the application's memory and
/// returns its result.
///
/// # Safety
/// The status and processed addresses in `out` are 0 or the attributes the
/// application set, valid for the rows of the parameter set.
unsafe fn write_exec(out: ExecOut) -> Result<RetCode, Error> {
    if out.result.as_ref().ok() != Some(&SQL_NEED_DATA) {
        if out.processed_ptr != 0 {
            // SAFETY: SQL_ATTR_PARAMS_PROCESSED_PTR, a writable SQLULEN.
            unsafe {
                std::ptr::write_unaligned(out.processed_ptr as *mut ULen, out.processed as ULen)
            };
        }
        if out.status_ptr != 0 {
            let status = out.status_ptr as *mut u16;
            for (i, s) in out.statuses.iter().enumerate() {
                // SAFETY: SQL_ATTR_PARAM_STATUS_PTR holds one SQLUSMALLINT
                // per row of the parameter set; `statuses` has at most that
                // many.
                unsafe { std::ptr::write_unaligned(status.add(i), *s) };
            }
        }
    }
    out.result
}

/// SQLExecute (and SQLExecDirect after its prepare): reads the parameter
/// rows, runs them or starts a data-at-execution sequence.
///
/// # Safety
/// As `read_rows` and `write_exec`.
pub(super) unsafe fn execute(stmt: &Stmt) -> Result<RetCode, Error> {
    let layout = stmt.param_layout()?;
    // SAFETY: the caller's promise.
    let rows = unsafe { read_rows(&layout) };
    // SAFETY: the caller's promise.
    unsafe { write_exec(stmt.execute_params(rows)) }
}

/// # Safety
/// `value` is NULL or writable for a pointer; the parameter buffers and
/// attributes are valid as for [`super::SQLExecute`].
#[no_mangle]
pub unsafe extern "C" fn SQLParamData(hstmt: Handle, value: *mut *mut c_void) -> RetCode {
    with_stmt(hstmt, |stmt| match stmt.param_data()? {
        ParamDataOut::Need(token) => {
            if !value.is_null() {
                // SAFETY: non-null and writable by the caller's promise.
                unsafe { *value = token as *mut c_void };
            }
            Ok(SQL_NEED_DATA)
        }
        // SAFETY: the caller's promise.
        ParamDataOut::Done(out) => unsafe { write_exec(out) },
    })
}

/// # Safety
/// `data` is NULL or readable for `len` bytes (NUL-terminated when `len`
/// is SQL_NTS, the C type's size for fixed-size types).
#[no_mangle]
pub unsafe extern "C" fn SQLPutData(hstmt: Handle, data: *mut c_void, len: Len) -> RetCode {
    with_stmt(hstmt, |stmt| {
        stmt.put_data(|c_type| {
            let source = put_data_source(c_type, len)?;
            if source == ParamSource::Null {
                return Ok(None);
            }
            if data.is_null() {
                if source == ParamSource::Bytes(0) {
                    return Ok(Some(Vec::new()));
                }
                return Err(null_pointer("DataPtr"));
            }
            // SAFETY: non-null and readable as `source` says (the caller's
            // promise).
            Ok(Some(unsafe { read_value(data as *const u8, &source) }))
        })
    })
}

//! Statement calls: prepare/execute, describe, bind, fetch, get data,
//! statement attributes.
//!
//! Deferred buffers: SQLBindParameter, SQLBindCol and the pointer-valued
//! statement attributes (SQL_ATTR_ROWS_FETCHED_PTR, ..._ROW_STATUS_PTR,
//! ..._ROW_BIND_OFFSET_PTR) store addresses that SQLExecute/SQLExecDirect
//! read and SQLFetch/SQLFetchScroll write later. By the ODBC contract the
//! application keeps them valid, and large enough for what it declared,
//! until it unbinds them or frees the statement; those calls are `unsafe`
//! for that reason.

use super::params::execute;
use super::strings::WChar;
use super::strings::{input_text, out_bytes, out_chars_i16, Enc, A, W};
use super::{with_stmt, Handle, SQL_SUCCESS};
use crate::error::Error;
use crate::odbc::arg_errors::{
    negative_buffer_length, null_pointer, null_without_indicator, report_truncation,
};
use crate::odbc::sqlext::SQL_FETCH_BOOKMARK;
use crate::odbc::{concise_type, lock, Attr, FetchOut, Stmt};
use odbc_sys::{Char, Len, RetCode, ULen, NULL_DATA};
use std::os::raw::c_void;

/// # Safety
/// `sql` NULL, `len` units or NUL-terminated (negative `len`); the bound
/// parameter buffers valid (see the module docs).
unsafe fn exec_direct<E: Enc>(hstmt: Handle, sql: *const E::Unit, len: i32) -> RetCode {
    with_stmt(hstmt, |stmt| {
        // SAFETY: pointer and length come from the caller together.
        let Some(sql) = unsafe { input_text::<E>(sql, len as Len, "StatementText") }? else {
            return Err(null_pointer("StatementText"));
        };
        stmt.prepare(&sql)?;
        // SAFETY: the parameter buffers are still bound, by the caller's
        // promise.
        unsafe { execute(stmt) }
    })
}

/// # Safety
/// `value` and `ind` (each may be NULL) must stay valid, for the C type and
/// `buf_len` given, until the parameter is unbound or the statement freed;
/// they are read at each SQLExecute / SQLExecDirect.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn SQLBindParameter(
    hstmt: Handle,
    param: u16,
    io_type: i16,
    c_type: i16,
    sql_type: i16,
    size: ULen,
    digits: i16,
    value: *mut c_void,
    buf_len: Len,
    ind: *mut Len,
) -> RetCode {
    with_stmt(hstmt, |stmt| {
        stmt.bind_parameter(
            param,
            io_type,
            c_type,
            sql_type,
            (size as u64, digits),
            value as usize,
            buf_len,
            ind as usize,
        )
    })
}

/// # Safety
/// `count` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLNumParams(hstmt: Handle, count: *mut i16) -> RetCode {
    with_stmt(hstmt, |stmt| {
        let n = stmt.num_params()?;
        if !count.is_null() {
            // SAFETY: non-null and writable by the caller's promise.
            unsafe { *count = n };
        }
        Ok(SQL_SUCCESS)
    })
}

/// SQLDescribeParam (no W form: it has no strings).
///
/// # Safety
/// `data_type`, `size`, `digits` and `nullable` are each NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLDescribeParam(
    hstmt: Handle,
    param: u16,
    data_type: *mut i16,
    size: *mut ULen,
    digits: *mut i16,
    nullable: *mut i16,
) -> RetCode {
    with_stmt(hstmt, |stmt| {
        let desc = stmt.describe_param(param)?;
        if !data_type.is_null() {
            // SAFETY: non-null and writable by the caller's promise.
            unsafe { *data_type = concise_type(desc.sql_type, odbc2(stmt)) };
        }
        if !size.is_null() {
            // SAFETY: non-null and writable by the caller's promise.
            unsafe { *size = desc.sql_type.column_size() as ULen };
        }
        if !digits.is_null() {
            // SAFETY: non-null and writable by the caller's promise.
            unsafe { *digits = desc.sql_type.decimal_digits().unwrap_or(0) };
        }
        if !nullable.is_null() {
            // SAFETY: non-null and writable by the caller's promise.
            unsafe { *nullable = desc.nullable };
        }
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// `sql` is NULL, `len` bytes, or NUL-terminated when `len` is SQL_NTS; the
/// bound parameter buffers are valid (module docs).
#[no_mangle]
pub unsafe extern "C" fn SQLExecDirect(hstmt: Handle, sql: *const Char, len: i32) -> RetCode {
    // SAFETY: the caller's duties above are `exec_direct`'s.
    unsafe { exec_direct::<A>(hstmt, sql, len) }
}

/// # Safety
/// As [`SQLExecDirect`], `len` in SQLWCHARs.
#[no_mangle]
pub unsafe extern "C" fn SQLExecDirectW(hstmt: Handle, sql: *const WChar, len: i32) -> RetCode {
    // SAFETY: the caller's duties above are `exec_direct`'s.
    unsafe { exec_direct::<W>(hstmt, sql, len) }
}

/// # Safety
/// `sql` NULL, `len` units or NUL-terminated (negative `len`).
unsafe fn prepare<E: Enc>(hstmt: Handle, sql: *const E::Unit, len: i32) -> RetCode {
    with_stmt(hstmt, |stmt| {
        // SAFETY: pointer and length come from the caller together.
        let Some(sql) = unsafe { input_text::<E>(sql, len as Len, "StatementText") }? else {
            return Err(null_pointer("StatementText"));
        };
        stmt.prepare(&sql)
    })
}

/// # Safety
/// `sql` is NULL, `len` bytes, or NUL-terminated when `len` is SQL_NTS.
#[no_mangle]
pub unsafe extern "C" fn SQLPrepare(hstmt: Handle, sql: *const Char, len: i32) -> RetCode {
    // SAFETY: the caller's duties above are `prepare`'s.
    unsafe { prepare::<A>(hstmt, sql, len) }
}

/// # Safety
/// As [`SQLPrepare`], `len` in SQLWCHARs.
#[no_mangle]
pub unsafe extern "C" fn SQLPrepareW(hstmt: Handle, sql: *const WChar, len: i32) -> RetCode {
    // SAFETY: the caller's duties above are `prepare`'s.
    unsafe { prepare::<W>(hstmt, sql, len) }
}

/// # Safety
/// The bound parameter buffers are valid (module docs).
#[no_mangle]
pub unsafe extern "C" fn SQLExecute(hstmt: Handle) -> RetCode {
    // SAFETY: the parameter buffers are still bound, by the caller's
    // promise.
    with_stmt(hstmt, |stmt| unsafe { execute(stmt) })
}

/// # Safety
/// `count` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLNumResultCols(hstmt: Handle, count: *mut i16) -> RetCode {
    with_stmt(hstmt, |stmt| {
        let n = stmt.num_result_cols()?;
        if count.is_null() {
            return Err(null_pointer("ColumnCountPtr"));
        }
        // SAFETY: non-null and writable by the caller's promise.
        unsafe { *count = n };
        Ok(SQL_SUCCESS)
    })
}

fn odbc2(stmt: &Stmt) -> bool {
    stmt.conn.env.is_odbc2()
}

/// # Safety
/// `name` NULL or writable for `buf_len` units; every other output NULL or
/// writable for its type.
#[allow(clippy::too_many_arguments)]
unsafe fn describe_col<E: Enc>(
    hstmt: Handle,
    column: u16,
    name: *mut E::Unit,
    buf_len: i16,
    name_len: *mut i16,
    data_type: *mut i16,
    size: *mut ULen,
    digits: *mut i16,
    nullable: *mut i16,
) -> RetCode {
    with_stmt(hstmt, |stmt| {
        let desc = stmt.describe(column)?;
        // SAFETY: `name` holds `buf_len` units, `name_len` is NULL or
        // writable.
        let cut = unsafe { out_chars_i16::<E>(&desc.name, name.cast(), buf_len, name_len) };
        report_truncation(&stmt.diags, cut);
        if !data_type.is_null() {
            // SAFETY: non-null and writable by the caller's promise.
            unsafe { *data_type = concise_type(desc.sql_type, odbc2(stmt)) };
        }
        if !size.is_null() {
            // SAFETY: non-null and writable by the caller's promise.
            unsafe { *size = desc.sql_type.column_size() as ULen };
        }
        if !digits.is_null() {
            // SAFETY: non-null and writable by the caller's promise.
            unsafe { *digits = desc.sql_type.decimal_digits().unwrap_or(0) };
        }
        if !nullable.is_null() {
            // SAFETY: non-null and writable by the caller's promise.
            unsafe { *nullable = desc.nullable as i16 };
        }
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// `name` is NULL or writable for `buf_len` bytes; `name_len`,
/// `data_type`, `size`, `digits` and `nullable` are each NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLDescribeCol(
    hstmt: Handle,
    column: u16,
    name: *mut Char,
    buf_len: i16,
    name_len: *mut i16,
    data_type: *mut i16,
    size: *mut ULen,
    digits: *mut i16,
    nullable: *mut i16,
) -> RetCode {
    // SAFETY: the caller's duties above are `describe_col`'s.
    unsafe {
        describe_col::<A>(
            hstmt, column, name, buf_len, name_len, data_type, size, digits, nullable,
        )
    }
}

/// # Safety
/// As [`SQLDescribeCol`], `buf_len` in SQLWCHARs.
#[no_mangle]
pub unsafe extern "C" fn SQLDescribeColW(
    hstmt: Handle,
    column: u16,
    name: *mut WChar,
    buf_len: i16,
    name_len: *mut i16,
    data_type: *mut i16,
    size: *mut ULen,
    digits: *mut i16,
    nullable: *mut i16,
) -> RetCode {
    // SAFETY: the caller's duties above are `describe_col`'s.
    unsafe {
        describe_col::<W>(
            hstmt, column, name, buf_len, name_len, data_type, size, digits, nullable,
        )
    }
}

/// # Safety
/// `text` NULL or writable for `buf_len` bytes; `text_len` and `num` NULL
/// or writable.
unsafe fn col_attr<E: Enc>(
    hstmt: Handle,
    column: u16,
    field: u16,
    text: *mut c_void,
    buf_len: i16,
    text_len: *mut i16,
    num: *mut Len,
) -> RetCode {
    with_stmt(hstmt, |stmt| {
        match stmt.col_attribute(column, field)? {
            Attr::Num(v) => {
                if !num.is_null() {
                    // SAFETY: non-null and writable by the caller's promise.
                    unsafe { *num = v as Len };
                }
            }
            Attr::Str(value) => {
                // SAFETY: `text` is NULL or holds `buf_len` bytes.
                let (full, cut) = unsafe { out_bytes::<E>(&value, text, buf_len as Len) };
                if !text_len.is_null() {
                    // SAFETY: non-null and writable by the caller's promise.
                    unsafe { *text_len = full as i16 };
                }
                report_truncation(&stmt.diags, cut);
            }
        }
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// `text` is NULL or writable for `buf_len` bytes; `text_len` and `num`
/// are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLColAttribute(
    hstmt: Handle,
    column: u16,
    field: u16,
    text: *mut c_void,
    buf_len: i16,
    text_len: *mut i16,
    num: *mut Len,
) -> RetCode {
    // SAFETY: the caller's duties above are `col_attr`'s.
    unsafe { col_attr::<A>(hstmt, column, field, text, buf_len, text_len, num) }
}

/// # Safety
/// As [`SQLColAttribute`] (`buf_len` in bytes).
#[no_mangle]
pub unsafe extern "C" fn SQLColAttributeW(
    hstmt: Handle,
    column: u16,
    field: u16,
    text: *mut c_void,
    buf_len: i16,
    text_len: *mut i16,
    num: *mut Len,
) -> RetCode {
    // SAFETY: the caller's duties above are `col_attr`'s.
    unsafe { col_attr::<W>(hstmt, column, field, text, buf_len, text_len, num) }
}

/// # Safety
/// `value` (NULL or `buf_len` bytes, or the C type's size) and `ind` (NULL
/// or one SQLLEN per row of the row set) must stay valid until the column
/// is unbound or the statement freed; every fetch writes them.
#[no_mangle]
pub unsafe extern "C" fn SQLBindCol(
    hstmt: Handle,
    column: u16,
    c_type: i16,
    value: *mut c_void,
    buf_len: Len,
    ind: *mut Len,
) -> RetCode {
    with_stmt(hstmt, |stmt| {
        if buf_len < 0 {
            return Err(negative_buffer_length());
        }
        stmt.bind_column(column, c_type, value as usize, buf_len, ind as usize)
    })
}

/// Copies a fetch's writes into the application's buffers.
///
/// # Safety
/// Every address in `out` is one the application bound (or set as a
/// statement attribute) and still valid for what is written there.
pub(super) unsafe fn write_fetch(out: FetchOut) -> Result<RetCode, Error> {
    let offset = if out.bind_offset_ptr != 0 {
        // SAFETY: the SQL_ATTR_ROW_BIND_OFFSET_PTR the application set; it
        // points at a readable SQLLEN.
        unsafe { std::ptr::read_unaligned(out.bind_offset_ptr as *const Len) as usize }
    } else {
        0
    };
    for write in &out.writes {
        let target = (write.ptr + offset) as *mut u8;
        // SAFETY: a bound column buffer (plus the bind offset), which holds
        // at least the bytes the safe layer sized for it; ours is separate.
        unsafe { std::ptr::copy_nonoverlapping(write.bytes.as_ptr(), target, write.bytes.len()) };
    }
    for (ptr, v) in &out.indicators {
        // SAFETY: a bound indicator (plus the bind offset): a writable SQLLEN,
        // not necessarily aligned (packed row-wise structures).
        unsafe { std::ptr::write_unaligned((*ptr + offset) as *mut Len, *v) };
    }
    if out.rows_fetched_ptr != 0 {
        // SAFETY: the SQL_ATTR_ROWS_FETCHED_PTR the application set, a
        // writable SQLULEN.
        unsafe { std::ptr::write_unaligned(out.rows_fetched_ptr as *mut ULen, out.rows as ULen) };
    }
    if out.row_status_ptr != 0 {
        let status = out.row_status_ptr as *mut u16;
        for (i, st) in out.row_status.iter().enumerate() {
            // SAFETY: SQL_ATTR_ROW_STATUS_PTR holds one SQLUSMALLINT per row
            // of the row-set size; `row_status` has at most that many.
            unsafe { std::ptr::write_unaligned(status.add(i), *st) };
        }
    }
    Ok(out.code)
}

/// # Safety
/// The bound column buffers and row-set attributes are valid (module docs).
#[no_mangle]
pub unsafe extern "C" fn SQLFetch(hstmt: Handle) -> RetCode {
    // SAFETY: the buffers written are the ones bound, valid by the caller's
    // promise.
    with_stmt(hstmt, |stmt| unsafe { write_fetch(stmt.fetch()?) })
}

/// # Safety
/// As [`SQLFetch`]; for SQL_FETCH_BOOKMARK, SQL_ATTR_FETCH_BOOKMARK_PTR
/// points at a readable bookmark (4 bytes for SQL_UB_FIXED, else 8).
#[no_mangle]
pub unsafe extern "C" fn SQLFetchScroll(hstmt: Handle, orientation: i16, offset: Len) -> RetCode {
    with_stmt(hstmt, |stmt| {
        let bookmark = if orientation == SQL_FETCH_BOOKMARK {
            let (ptr, width) = stmt.fetch_bookmark_source()?;
            // SAFETY: SQL_ATTR_FETCH_BOOKMARK_PTR, non-null, points at a
            // bookmark of the width SQL_ATTR_USE_BOOKMARKS gives (caller's
            // promise); read unaligned.
            Some(unsafe {
                if width == 4 {
                    std::ptr::read_unaligned(ptr as *const u32) as u64
                } else {
                    std::ptr::read_unaligned(ptr as *const u64)
                }
            })
        } else {
            None
        };
        let out = stmt.fetch_scroll_to(orientation, offset as i64, bookmark)?;
        // SAFETY: the buffers written are the ones bound, valid by the
        // caller's promise.
        unsafe { write_fetch(out) }
    })
}

/// # Safety
/// `value` is NULL or writable for `buf_len` bytes (or the C type's size
/// for fixed-size types); `ind` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLGetData(
    hstmt: Handle,
    column: u16,
    c_type: i16,
    value: *mut c_void,
    buf_len: Len,
    ind: *mut Len,
) -> RetCode {
    with_stmt(hstmt, |stmt| {
        if buf_len < 0 {
            return Err(negative_buffer_length());
        }
        stmt.get_data(column, c_type, buf_len as usize, &mut |bytes, indicator| {
            if indicator == NULL_DATA && ind.is_null() {
                return Err(null_without_indicator(column));
            }
            if !value.is_null() && !bytes.is_empty() {
                // SAFETY: non-null; the safe layer sized `bytes` to `buf_len`
                // or the C type's fixed size, which the caller's buffer holds.
                unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), value.cast(), bytes.len()) };
            }
            if !ind.is_null() {
                // SAFETY: non-null and writable by the caller's promise.
                unsafe { *ind = indicator };
            }
            Ok(())
        })
    })
}

/// # Safety
/// `count` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLRowCount(hstmt: Handle, count: *mut Len) -> RetCode {
    with_stmt(hstmt, |stmt| {
        let n = stmt.row_count()?;
        if count.is_null() {
            return Err(null_pointer("RowCountPtr"));
        }
        // SAFETY: non-null and writable by the caller's promise.
        unsafe { *count = n as Len };
        Ok(SQL_SUCCESS)
    })
}

#[no_mangle]
pub extern "C" fn SQLMoreResults(hstmt: Handle) -> RetCode {
    with_stmt(hstmt, |stmt| stmt.more_results())
}

#[no_mangle]
pub extern "C" fn SQLCloseCursor(hstmt: Handle) -> RetCode {
    with_stmt(hstmt, |stmt| {
        let mut state = lock(&stmt.state);
        stmt.close_cursor(&mut state, true)
    })
}

#[no_mangle]
pub extern "C" fn SQLCancel(hstmt: Handle) -> RetCode {
    with_stmt(hstmt, |stmt| stmt.cancel())
}

/// # Safety
/// `value` NULL or writable for an SQLULEN; `len` NULL or writable.
unsafe fn get_stmt_attr(
    hstmt: Handle,
    attr: i32,
    value: *mut c_void,
    _buf_len: i32,
    len: *mut i32,
) -> RetCode {
    with_stmt(hstmt, |stmt| {
        let v = stmt.get_attr(attr)?;
        if !value.is_null() {
            // SAFETY: non-null and writable for an SQLULEN by the caller's
            // promise.
            unsafe { *value.cast::<ULen>() = v as ULen };
        }
        if !len.is_null() {
            // SAFETY: non-null and writable by the caller's promise.
            unsafe { *len = size_of::<ULen>() as i32 };
        }
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// `value` is NULL or writable for an SQLULEN (every attribute we answer,
/// descriptor handles included, fits one); `len` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLGetStmtAttr(
    hstmt: Handle,
    attr: i32,
    value: *mut c_void,
    buf_len: i32,
    len: *mut i32,
) -> RetCode {
    // SAFETY: the caller's duties above are `get_stmt_attr`'s.
    unsafe { get_stmt_attr(hstmt, attr, value, buf_len, len) }
}

/// # Safety
/// As [`SQLGetStmtAttr`].
#[no_mangle]
pub unsafe extern "C" fn SQLGetStmtAttrW(
    hstmt: Handle,
    attr: i32,
    value: *mut c_void,
    buf_len: i32,
    len: *mut i32,
) -> RetCode {
    // SAFETY: the caller's duties above are `get_stmt_attr`'s.
    unsafe { get_stmt_attr(hstmt, attr, value, buf_len, len) }
}

/// Statement attributes we support are all integers passed as the pointer
/// (the pointer-valued ones are stored, and written at fetch time).
fn set_stmt_attr(hstmt: Handle, attr: i32, value: *mut c_void) -> RetCode {
    with_stmt(hstmt, |stmt| stmt.set_attr(attr, value as usize as u64))
}

#[no_mangle]
pub extern "C" fn SQLSetStmtAttr(
    hstmt: Handle,
    attr: i32,
    value: *mut c_void,
    _len: i32,
) -> RetCode {
    set_stmt_attr(hstmt, attr, value)
}

#[no_mangle]
pub extern "C" fn SQLSetStmtAttrW(
    hstmt: Handle,
    attr: i32,
    value: *mut c_void,
    _len: i32,
) -> RetCode {
    set_stmt_attr(hstmt, attr, value)
}

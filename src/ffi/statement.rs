//! Statement calls: prepare/execute, describe, bind, fetch, get data,
//! statement attributes.

use super::strings::{input, out_bytes, out_chars_i16, Enc, A, W};
use super::{with_stmt, Handle, SQL_NO_DATA, SQL_SUCCESS};
use crate::error::Error;
use crate::odbc::arg_errors::{
    negative_buffer_length, null_pointer, null_without_indicator, report_truncation,
};
use crate::odbc::param_input::{param_source, ParamSource};
use crate::odbc::FetchOut;
use crate::odbc::{concise_type, lock, Attr, ParamBinding, Stmt};
use odbc_sys::{Char, Len, RetCode, ULen, WChar, NULL_DATA};
use std::os::raw::c_void;

unsafe fn exec_direct<E: Enc>(h: Handle, sql: *const E::Unit, len: i32) -> RetCode {
    with_stmt(h, |s| {
        let Some(sql) = input::<E>(sql, len as Len) else {
            return Err(null_pointer("StatementText"));
        };
        s.prepare(&sql)?;
        let params = read_params(s)?;
        s.execute_with(params)
    })
}

/// Reads one bound parameter's value out of the application's buffers.
unsafe fn param_bytes(b: &ParamBinding) -> Result<Option<Vec<u8>>, Error> {
    let indicator = (b.ind != 0).then(|| *(b.ind as *const Len));
    let source = param_source(b, indicator)?;
    if source == ParamSource::Null {
        return Ok(None);
    }
    if b.ptr == 0 {
        return Err(null_pointer("ParameterValuePtr"));
    }
    let p = b.ptr as *const u8;
    let len = match source {
        ParamSource::Null => 0,
        ParamSource::Bytes(n) => n,
        ParamSource::Terminated { unit } => {
            let mut n = 0usize;
            while (0..unit).any(|k| *p.add(n + k) != 0) {
                n += unit;
            }
            n
        }
    };
    Ok(Some(std::slice::from_raw_parts(p, len).to_vec()))
}

unsafe fn read_params(s: &Stmt) -> Result<Vec<crate::engine::Value>, Error> {
    s.param_bindings()?
        .iter()
        .map(|b| crate::odbc::convert::from_c(b.c_type, b.sql_type, param_bytes(b)?.as_deref()))
        .collect()
}

/// # Safety
/// The buffers stay valid until the statement executes, per the ODBC spec.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn SQLBindParameter(
    h: Handle,
    n: u16,
    io_type: i16,
    c_type: i16,
    sql_type: i16,
    _size: ULen,
    _digits: i16,
    ptr: *mut c_void,
    buf_len: Len,
    ind: *mut Len,
) -> RetCode {
    with_stmt(h, |s| {
        s.bind_parameter(
            n,
            io_type,
            c_type,
            sql_type,
            ptr as usize,
            buf_len,
            ind as usize,
        )
    })
}

/// # Safety
/// `count` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLNumParams(h: Handle, count: *mut i16) -> RetCode {
    with_stmt(h, |s| {
        let n = s.num_params()?;
        if !count.is_null() {
            *count = n;
        }
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// `sql` as the ODBC spec gives it.
#[no_mangle]
pub unsafe extern "C" fn SQLExecDirect(h: Handle, sql: *const Char, len: i32) -> RetCode {
    exec_direct::<A>(h, sql, len)
}

/// # Safety
/// `sql` as the ODBC spec gives it.
#[no_mangle]
pub unsafe extern "C" fn SQLExecDirectW(h: Handle, sql: *const WChar, len: i32) -> RetCode {
    exec_direct::<W>(h, sql, len)
}

unsafe fn prepare<E: Enc>(h: Handle, sql: *const E::Unit, len: i32) -> RetCode {
    with_stmt(h, |s| {
        let Some(sql) = input::<E>(sql, len as Len) else {
            return Err(null_pointer("StatementText"));
        };
        s.prepare(&sql)
    })
}

/// # Safety
/// `sql` as the ODBC spec gives it.
#[no_mangle]
pub unsafe extern "C" fn SQLPrepare(h: Handle, sql: *const Char, len: i32) -> RetCode {
    prepare::<A>(h, sql, len)
}

/// # Safety
/// `sql` as the ODBC spec gives it.
#[no_mangle]
pub unsafe extern "C" fn SQLPrepareW(h: Handle, sql: *const WChar, len: i32) -> RetCode {
    prepare::<W>(h, sql, len)
}

#[no_mangle]
pub extern "C" fn SQLExecute(h: Handle) -> RetCode {
    with_stmt(h, |s| {
        let params = unsafe { read_params(s)? };
        s.execute_with(params)
    })
}

/// # Safety
/// `count` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLNumResultCols(h: Handle, count: *mut i16) -> RetCode {
    with_stmt(h, |s| {
        let n = s.num_result_cols()?;
        if count.is_null() {
            return Err(null_pointer("ColumnCountPtr"));
        }
        *count = n;
        Ok(SQL_SUCCESS)
    })
}

fn odbc2(s: &Stmt) -> bool {
    s.conn.env.is_odbc2()
}

#[allow(clippy::too_many_arguments)]
unsafe fn describe_col<E: Enc>(
    h: Handle,
    n: u16,
    name: *mut E::Unit,
    buf_len: i16,
    name_len: *mut i16,
    data_type: *mut i16,
    size: *mut ULen,
    digits: *mut i16,
    nullable: *mut i16,
) -> RetCode {
    with_stmt(h, |s| {
        let c = s.describe(n)?;
        report_truncation(
            &s.diags,
            out_chars_i16::<E>(&c.name, name as *mut c_void, buf_len, name_len),
        );
        if !data_type.is_null() {
            *data_type = concise_type(c.sql_type, odbc2(s));
        }
        if !size.is_null() {
            *size = c.sql_type.column_size() as ULen;
        }
        if !digits.is_null() {
            *digits = c.sql_type.decimal_digits().unwrap_or(0);
        }
        if !nullable.is_null() {
            *nullable = c.nullable as i16;
        }
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// Output pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLDescribeCol(
    h: Handle,
    n: u16,
    name: *mut Char,
    buf_len: i16,
    name_len: *mut i16,
    data_type: *mut i16,
    size: *mut ULen,
    digits: *mut i16,
    nullable: *mut i16,
) -> RetCode {
    describe_col::<A>(
        h, n, name, buf_len, name_len, data_type, size, digits, nullable,
    )
}

/// # Safety
/// Output pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLDescribeColW(
    h: Handle,
    n: u16,
    name: *mut WChar,
    buf_len: i16,
    name_len: *mut i16,
    data_type: *mut i16,
    size: *mut ULen,
    digits: *mut i16,
    nullable: *mut i16,
) -> RetCode {
    describe_col::<W>(
        h, n, name, buf_len, name_len, data_type, size, digits, nullable,
    )
}

unsafe fn col_attr<E: Enc>(
    h: Handle,
    n: u16,
    field: u16,
    text: *mut c_void,
    buf_len: i16,
    text_len: *mut i16,
    num: *mut Len,
) -> RetCode {
    with_stmt(h, |s| {
        match s.col_attribute(n, field)? {
            Attr::Num(v) => {
                if !num.is_null() {
                    *num = v as Len;
                }
            }
            Attr::Str(t) => {
                let (full, trunc) = out_bytes::<E>(&t, text, buf_len as Len);
                if !text_len.is_null() {
                    *text_len = full as i16;
                }
                report_truncation(&s.diags, trunc);
            }
        }
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// Output pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLColAttribute(
    h: Handle,
    n: u16,
    field: u16,
    text: *mut c_void,
    buf_len: i16,
    text_len: *mut i16,
    num: *mut Len,
) -> RetCode {
    col_attr::<A>(h, n, field, text, buf_len, text_len, num)
}

/// # Safety
/// Output pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLColAttributeW(
    h: Handle,
    n: u16,
    field: u16,
    text: *mut c_void,
    buf_len: i16,
    text_len: *mut i16,
    num: *mut Len,
) -> RetCode {
    col_attr::<W>(h, n, field, text, buf_len, text_len, num)
}

/// # Safety
/// The buffers stay valid while bound, per the ODBC spec.
#[no_mangle]
pub unsafe extern "C" fn SQLBindCol(
    h: Handle,
    n: u16,
    c_type: i16,
    ptr: *mut c_void,
    len: Len,
    ind: *mut Len,
) -> RetCode {
    with_stmt(h, |s| {
        if len < 0 {
            return Err(negative_buffer_length());
        }
        s.bind_col(n, c_type, ptr as usize, len, ind as usize)
    })
}

/// Copies a fetch's writes into the application's buffers.
unsafe fn write_fetch(out: FetchOut) -> Result<RetCode, Error> {
    let offset = if out.bind_offset_ptr != 0 {
        *(out.bind_offset_ptr as *const Len) as usize
    } else {
        0
    };
    for w in &out.writes {
        std::ptr::copy_nonoverlapping(
            w.bytes.as_ptr(),
            (w.ptr + offset) as *mut Char,
            w.bytes.len(),
        );
    }
    for (ptr, v) in &out.indicators {
        *((*ptr + offset) as *mut Len) = *v;
    }
    if out.rows_fetched_ptr != 0 {
        *(out.rows_fetched_ptr as *mut ULen) = out.rows as ULen;
    }
    if out.row_status_ptr != 0 {
        for (i, st) in out.row_status.iter().enumerate() {
            *(out.row_status_ptr as *mut u16).add(i) = *st;
        }
    }
    Ok(out.code)
}

#[no_mangle]
pub extern "C" fn SQLFetch(h: Handle) -> RetCode {
    with_stmt(h, |s| unsafe { write_fetch(s.fetch()?) })
}

#[no_mangle]
pub extern "C" fn SQLFetchScroll(h: Handle, orientation: i16, _offset: Len) -> RetCode {
    with_stmt(h, |s| unsafe { write_fetch(s.fetch_scroll(orientation)?) })
}

/// # Safety
/// `buf` NULL or writable for `buf_len` bytes (or the C type's size);
/// `ind` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLGetData(
    h: Handle,
    n: u16,
    c_type: i16,
    buf: *mut c_void,
    buf_len: Len,
    ind: *mut Len,
) -> RetCode {
    with_stmt(h, |s| {
        if buf_len < 0 {
            return Err(negative_buffer_length());
        }
        let Some(p) = s.get_data(n, c_type, buf_len as usize)? else {
            return Ok(SQL_NO_DATA);
        };
        if p.indicator == NULL_DATA && ind.is_null() {
            return Err(null_without_indicator(n));
        }
        if !buf.is_null() && !p.bytes.is_empty() {
            std::ptr::copy_nonoverlapping(p.bytes.as_ptr(), buf as *mut Char, p.bytes.len());
        }
        if !ind.is_null() {
            *ind = p.indicator;
        }
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// `count` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLRowCount(h: Handle, count: *mut Len) -> RetCode {
    with_stmt(h, |s| {
        let n = s.row_count()?;
        if count.is_null() {
            return Err(null_pointer("RowCountPtr"));
        }
        *count = n as Len;
        Ok(SQL_SUCCESS)
    })
}

#[no_mangle]
pub extern "C" fn SQLMoreResults(h: Handle) -> RetCode {
    with_stmt(h, |s| s.more_results())
}

#[no_mangle]
pub extern "C" fn SQLCloseCursor(h: Handle) -> RetCode {
    with_stmt(h, |s| {
        let mut st = lock(&s.state);
        s.close_cursor(&mut st, true)
    })
}

#[no_mangle]
pub extern "C" fn SQLCancel(h: Handle) -> RetCode {
    with_stmt(h, |s| s.cancel())
}

unsafe fn get_stmt_attr(
    h: Handle,
    attr: i32,
    value: *mut c_void,
    _buf_len: i32,
    len: *mut i32,
) -> RetCode {
    with_stmt(h, |s| {
        let v = s.attr_or_descriptor(attr)?;
        if !value.is_null() {
            *(value as *mut ULen) = v as ULen;
        }
        if !len.is_null() {
            *len = size_of::<ULen>() as i32;
        }
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// `value` NULL or writable for an SQLULEN.
#[no_mangle]
pub unsafe extern "C" fn SQLGetStmtAttr(
    h: Handle,
    attr: i32,
    value: *mut c_void,
    buf_len: i32,
    len: *mut i32,
) -> RetCode {
    get_stmt_attr(h, attr, value, buf_len, len)
}

/// # Safety
/// `value` NULL or writable for an SQLULEN.
#[no_mangle]
pub unsafe extern "C" fn SQLGetStmtAttrW(
    h: Handle,
    attr: i32,
    value: *mut c_void,
    buf_len: i32,
    len: *mut i32,
) -> RetCode {
    get_stmt_attr(h, attr, value, buf_len, len)
}

/// Statement attributes we support are all integers passed as the pointer.
fn set_stmt_attr(h: Handle, attr: i32, value: *mut c_void) -> RetCode {
    with_stmt(h, |s| s.set_attr(attr, value as usize as u64))
}

#[no_mangle]
pub extern "C" fn SQLSetStmtAttr(h: Handle, attr: i32, value: *mut c_void, _len: i32) -> RetCode {
    set_stmt_attr(h, attr, value)
}

#[no_mangle]
pub extern "C" fn SQLSetStmtAttrW(h: Handle, attr: i32, value: *mut c_void, _len: i32) -> RetCode {
    set_stmt_attr(h, attr, value)
}

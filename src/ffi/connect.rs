//! Connecting, connection attributes, SQLGetInfo, SQLGetFunctions,
//! SQLNativeSql.

use super::strings::{input, out_bytes, out_chars_i16, out_chars_i32, Enc, A, W};
use super::{with_conn, Handle, SQL_SUCCESS};
use crate::odbc::arg_errors::{null_pointer, report_truncation};
use crate::odbc::connect_attrs::is_string_attr;
use crate::odbc::info::Info;
use crate::odbc::{functions, AttrValue, Conn};
use odbc_sys::{Char, Len, RetCode, WChar, NTS};
use std::os::raw::c_void;

/// SQL_API_ALL_FUNCTIONS (sqlext.h): SQLGetFunctions' ODBC 2 form, an array
/// of 100 SQLUSMALLINTs. odbc-sys does not define it.
const SQL_API_ALL_FUNCTIONS: u16 = 0;
/// SQL_API_ODBC3_ALL_FUNCTIONS (sqlext.h): SQLGetFunctions' ODBC 3 form, a
/// bitmap of SQL_API_ODBC3_ALL_FUNCTIONS_SIZE (250) words. Not in odbc-sys.
const SQL_API_ODBC3_ALL_FUNCTIONS: u16 = 999;
use std::sync::Arc;

unsafe fn connect<E: Enc>(
    h: Handle,
    dsn: *const E::Unit,
    l1: i16,
    uid: *const E::Unit,
    l2: i16,
    pwd: *const E::Unit,
    l3: i16,
) -> RetCode {
    with_conn(h, |c| {
        let dsn = input::<E>(dsn, l1 as Len).unwrap_or_default();
        c.connect_dsn(&dsn, input::<E>(uid, l2 as Len), input::<E>(pwd, l3 as Len))?;
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// Strings as the ODBC spec gives them.
#[no_mangle]
pub unsafe extern "C" fn SQLConnect(
    h: Handle,
    dsn: *const Char,
    l1: i16,
    uid: *const Char,
    l2: i16,
    pwd: *const Char,
    l3: i16,
) -> RetCode {
    connect::<A>(h, dsn, l1, uid, l2, pwd, l3)
}

/// # Safety
/// Strings as the ODBC spec gives them.
#[no_mangle]
pub unsafe extern "C" fn SQLConnectW(
    h: Handle,
    dsn: *const WChar,
    l1: i16,
    uid: *const WChar,
    l2: i16,
    pwd: *const WChar,
    l3: i16,
) -> RetCode {
    connect::<W>(h, dsn, l1, uid, l2, pwd, l3)
}

#[allow(clippy::too_many_arguments)]
unsafe fn driver_connect<E: Enc>(
    h: Handle,
    in_str: *const E::Unit,
    in_len: i16,
    out: *mut E::Unit,
    out_len: i16,
    out_len_ptr: *mut i16,
    completion: u16,
) -> RetCode {
    with_conn(h, |c: &Arc<Conn>| {
        let s = input::<E>(in_str, in_len as Len).unwrap_or_default();
        let completed = c.connect(&s, completion)?;
        report_truncation(
            &c.diags,
            out_chars_i16::<E>(&completed, out as *mut c_void, out_len, out_len_ptr),
        );
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// Strings as the ODBC spec gives them.
#[no_mangle]
pub unsafe extern "C" fn SQLDriverConnect(
    h: Handle,
    _hwnd: *mut c_void,
    in_str: *const Char,
    in_len: i16,
    out: *mut Char,
    out_len: i16,
    out_len_ptr: *mut i16,
    completion: u16,
) -> RetCode {
    driver_connect::<A>(h, in_str, in_len, out, out_len, out_len_ptr, completion)
}

/// # Safety
/// Strings as the ODBC spec gives them.
#[no_mangle]
pub unsafe extern "C" fn SQLDriverConnectW(
    h: Handle,
    _hwnd: *mut c_void,
    in_str: *const WChar,
    in_len: i16,
    out: *mut WChar,
    out_len: i16,
    out_len_ptr: *mut i16,
    completion: u16,
) -> RetCode {
    driver_connect::<W>(h, in_str, in_len, out, out_len, out_len_ptr, completion)
}

#[no_mangle]
pub extern "C" fn SQLDisconnect(h: Handle) -> RetCode {
    with_conn(h, |c| c.disconnect())
}

unsafe fn set_connect_attr<E: Enc>(h: Handle, attr: i32, value: *mut c_void, len: i32) -> RetCode {
    with_conn(h, |c| {
        if is_string_attr(attr) {
            let text = input::<E>(
                value as *const E::Unit,
                if len < 0 {
                    NTS
                } else {
                    len as Len / E::SIZE as Len
                },
            );
            c.set_attr(attr, 0, Some(text.unwrap_or_default()))
        } else {
            c.set_attr(attr, value as usize as u64, None)
        }
    })
}

/// # Safety
/// `value` per the attribute: an integer or a string pointer.
#[no_mangle]
pub unsafe extern "C" fn SQLSetConnectAttr(
    h: Handle,
    attr: i32,
    value: *mut c_void,
    len: i32,
) -> RetCode {
    set_connect_attr::<A>(h, attr, value, len)
}

/// # Safety
/// `value` per the attribute: an integer or a string pointer.
#[no_mangle]
pub unsafe extern "C" fn SQLSetConnectAttrW(
    h: Handle,
    attr: i32,
    value: *mut c_void,
    len: i32,
) -> RetCode {
    set_connect_attr::<W>(h, attr, value, len)
}

unsafe fn get_connect_attr<E: Enc>(
    h: Handle,
    attr: i32,
    value: *mut c_void,
    buf_len: i32,
    len: *mut i32,
) -> RetCode {
    with_conn(h, |c| {
        match c.get_attr(attr)? {
            AttrValue::Int(v) => {
                if !value.is_null() {
                    *(value as *mut u32) = v as u32;
                }
                if !len.is_null() {
                    *len = size_of::<u32>() as i32;
                }
            }
            AttrValue::Text(t) => {
                let (full, trunc) = out_bytes::<E>(&t, value, buf_len as Len);
                if !len.is_null() {
                    *len = full as i32;
                }
                report_truncation(&c.diags, trunc);
            }
        }
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// Output pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLGetConnectAttr(
    h: Handle,
    attr: i32,
    value: *mut c_void,
    buf_len: i32,
    len: *mut i32,
) -> RetCode {
    get_connect_attr::<A>(h, attr, value, buf_len, len)
}

/// # Safety
/// Output pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLGetConnectAttrW(
    h: Handle,
    attr: i32,
    value: *mut c_void,
    buf_len: i32,
    len: *mut i32,
) -> RetCode {
    get_connect_attr::<W>(h, attr, value, buf_len, len)
}

unsafe fn write_info_text<E: Enc>(
    c: &Conn,
    text: &str,
    value: *mut c_void,
    buf_len: i16,
    len: *mut i16,
) {
    let (full, trunc) = out_bytes::<E>(text, value, buf_len as Len);
    if !len.is_null() {
        *len = full as i16;
    }
    report_truncation(&c.diags, trunc);
}

unsafe fn get_info<E: Enc>(
    h: Handle,
    info_type: u16,
    value: *mut c_void,
    buf_len: i16,
    len: *mut i16,
) -> RetCode {
    with_conn(h, |c| {
        match c.info(info_type)? {
            Info::Text(text) => write_info_text::<E>(c, &text, value, buf_len, len),
            Info::Str(text) => write_info_text::<E>(c, text, value, buf_len, len),
            Info::U16(v) => {
                if !value.is_null() {
                    *(value as *mut u16) = v;
                }
                if !len.is_null() {
                    *len = size_of::<u16>() as i16;
                }
            }
            Info::U32(v) => {
                if !value.is_null() {
                    *(value as *mut u32) = v;
                }
                if !len.is_null() {
                    *len = size_of::<u32>() as i16;
                }
            }
        }
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// Output pointers NULL or writable for `buf_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn SQLGetInfo(
    h: Handle,
    info_type: u16,
    value: *mut c_void,
    buf_len: i16,
    len: *mut i16,
) -> RetCode {
    get_info::<A>(h, info_type, value, buf_len, len)
}

/// # Safety
/// Output pointers NULL or writable for `buf_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn SQLGetInfoW(
    h: Handle,
    info_type: u16,
    value: *mut c_void,
    buf_len: i16,
    len: *mut i16,
) -> RetCode {
    get_info::<W>(h, info_type, value, buf_len, len)
}

/// # Safety
/// `supported` must hold 250 words for 999, 100 for 0, else one.
#[no_mangle]
pub unsafe extern "C" fn SQLGetFunctions(h: Handle, id: u16, supported: *mut u16) -> RetCode {
    with_conn(h, |_| {
        if supported.is_null() {
            return Err(null_pointer("SupportedPtr"));
        }
        match id {
            SQL_API_ODBC3_ALL_FUNCTIONS => {
                let bitmap = functions::odbc3_bitmap();
                std::ptr::copy_nonoverlapping(bitmap.as_ptr(), supported, bitmap.len())
            }
            SQL_API_ALL_FUNCTIONS => {
                let array = functions::odbc2_array();
                std::ptr::copy_nonoverlapping(array.as_ptr(), supported, array.len())
            }
            id => *supported = functions::supported(id) as u16,
        }
        Ok(SQL_SUCCESS)
    })
}

unsafe fn native_sql<E: Enc>(
    h: Handle,
    sql: *const E::Unit,
    len: i32,
    out: *mut E::Unit,
    buf_len: i32,
    out_len: *mut i32,
) -> RetCode {
    with_conn(h, |c| {
        let Some(text) = input::<E>(sql, len as Len) else {
            return Err(null_pointer("InStatementText"));
        };
        let native = c.native_sql(&text);
        report_truncation(
            &c.diags,
            out_chars_i32::<E>(&native, out as *mut c_void, buf_len, out_len),
        );
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// Strings as the ODBC spec gives them.
#[no_mangle]
pub unsafe extern "C" fn SQLNativeSql(
    h: Handle,
    sql: *const Char,
    len: i32,
    out: *mut Char,
    buf_len: i32,
    out_len: *mut i32,
) -> RetCode {
    native_sql::<A>(h, sql, len, out, buf_len, out_len)
}

/// # Safety
/// Strings as the ODBC spec gives them.
#[no_mangle]
pub unsafe extern "C" fn SQLNativeSqlW(
    h: Handle,
    sql: *const WChar,
    len: i32,
    out: *mut WChar,
    buf_len: i32,
    out_len: *mut i32,
) -> RetCode {
    native_sql::<W>(h, sql, len, out, buf_len, out_len)
}

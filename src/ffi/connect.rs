//! Connecting, connection attributes, SQLGetInfo, SQLGetFunctions,
//! SQLNativeSql.

use super::strings::WChar;
use super::strings::{input_text, out_bytes, out_chars_i16, out_chars_i32, Enc, A, W};
use super::{with_conn, with_conn_keeping_diags, Handle, SQL_SUCCESS};
use crate::odbc::arg_errors::{null_pointer, report_truncation};
use crate::odbc::connect_attrs::is_string_attr;
use crate::odbc::info::Info;
use crate::odbc::{functions, AttrValue, Conn};
use odbc_sys::{Char, Len, RetCode, NTS};
use std::os::raw::c_void;

// SQLGetFunctions' ODBC 2 form (an array of 100 SQLUSMALLINTs) and ODBC 3
// form (a bitmap of 250 words).
use crate::odbc::sqlext::{SQL_API_ALL_FUNCTIONS, SQL_API_ODBC3_ALL_FUNCTIONS};

/// # Safety
/// Each string is NULL, or `len` units, or NUL-terminated when its length
/// is negative (SQL_NTS).
unsafe fn connect<E: Enc>(
    hdbc: Handle,
    dsn: *const E::Unit,
    dsn_len: i16,
    user: *const E::Unit,
    user_len: i16,
    auth: *const E::Unit,
    auth_len: i16,
) -> RetCode {
    with_conn(hdbc, |conn| {
        // SAFETY: pointer and length come from the caller together, as
        // `input` requires; likewise for the two reads below.
        let dsn =
            unsafe { input_text::<E>(dsn, dsn_len as Len, "ServerName") }?.unwrap_or_default();
        // SAFETY: as above.
        let user = unsafe { input_text::<E>(user, user_len as Len, "UserName") }?;
        // SAFETY: as above.
        let auth = unsafe { input_text::<E>(auth, auth_len as Len, "Authentication") }?;
        conn.connect_dsn(&dsn, user, auth)?;
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// `dsn`, `user` and `auth` are each NULL, or point to as many bytes as
/// their length says, or to a NUL-terminated string when it is SQL_NTS.
#[no_mangle]
pub unsafe extern "C" fn SQLConnect(
    hdbc: Handle,
    dsn: *const Char,
    dsn_len: i16,
    user: *const Char,
    user_len: i16,
    auth: *const Char,
    auth_len: i16,
) -> RetCode {
    // SAFETY: the caller's duties above are `connect`'s.
    unsafe { connect::<A>(hdbc, dsn, dsn_len, user, user_len, auth, auth_len) }
}

/// # Safety
/// As [`SQLConnect`], with lengths in SQLWCHARs.
///
/// Exported only by the iODBC build: under unixODBC a wide connect function
/// makes the driver manager re-encode every ANSI call's text through the
/// locale, which loses characters (docs/unicode.md), so there a wide
/// application's connect reaches [`SQLConnect`] instead.
#[cfg_attr(feature = "iodbc", no_mangle)]
#[cfg_attr(not(feature = "iodbc"), allow(non_snake_case))]
pub unsafe extern "C" fn SQLConnectW(
    hdbc: Handle,
    dsn: *const WChar,
    dsn_len: i16,
    user: *const WChar,
    user_len: i16,
    auth: *const WChar,
    auth_len: i16,
) -> RetCode {
    // SAFETY: the caller's duties above are `connect`'s.
    unsafe { connect::<W>(hdbc, dsn, dsn_len, user, user_len, auth, auth_len) }
}

/// # Safety
/// `in_str` NULL, `in_len` units or NUL-terminated (negative length);
/// `out` NULL or writable for `out_len` units; `out_len_ptr` NULL or
/// writable.
#[allow(clippy::too_many_arguments)]
unsafe fn driver_connect<E: Enc>(
    hdbc: Handle,
    in_str: *const E::Unit,
    in_len: i16,
    out: *mut E::Unit,
    out_len: i16,
    out_len_ptr: *mut i16,
    completion: u16,
) -> RetCode {
    with_conn(hdbc, |conn| {
        // SAFETY: pointer and length come from the caller together.
        let text = unsafe { input_text::<E>(in_str, in_len as Len, "InConnectionString") }?
            .unwrap_or_default();
        let completed = conn.connect(&text, completion)?;
        // SAFETY: `out` holds `out_len` units and `out_len_ptr` is NULL or
        // writable, by the caller's promise.
        let cut = unsafe { out_chars_i16::<E>(&completed, out.cast(), out_len, out_len_ptr) };
        report_truncation(&conn.diags, cut);
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// `in_str` is NULL, `in_len` bytes, or NUL-terminated when `in_len` is
/// SQL_NTS; `out` is NULL or writable for `out_len` bytes; `out_len_ptr` is
/// NULL or writable. The window handle is never used.
#[no_mangle]
pub unsafe extern "C" fn SQLDriverConnect(
    hdbc: Handle,
    _hwnd: *mut c_void,
    in_str: *const Char,
    in_len: i16,
    out: *mut Char,
    out_len: i16,
    out_len_ptr: *mut i16,
    completion: u16,
) -> RetCode {
    // SAFETY: the caller's duties above are `driver_connect`'s.
    unsafe { driver_connect::<A>(hdbc, in_str, in_len, out, out_len, out_len_ptr, completion) }
}

/// # Safety
/// As [`SQLDriverConnect`], with lengths in SQLWCHARs.
///
/// Exported only by the iODBC build: under unixODBC a wide connect function
/// makes the driver manager re-encode every ANSI call's text through the
/// locale, which loses characters (docs/unicode.md), so there a wide
/// application's connect reaches [`SQLDriverConnect`] instead.
#[cfg_attr(feature = "iodbc", no_mangle)]
#[cfg_attr(not(feature = "iodbc"), allow(non_snake_case))]
pub unsafe extern "C" fn SQLDriverConnectW(
    hdbc: Handle,
    _hwnd: *mut c_void,
    in_str: *const WChar,
    in_len: i16,
    out: *mut WChar,
    out_len: i16,
    out_len_ptr: *mut i16,
    completion: u16,
) -> RetCode {
    // SAFETY: the caller's duties above are `driver_connect`'s.
    unsafe { driver_connect::<W>(hdbc, in_str, in_len, out, out_len, out_len_ptr, completion) }
}

#[no_mangle]
pub extern "C" fn SQLDisconnect(hdbc: Handle) -> RetCode {
    with_conn(hdbc, |conn| conn.disconnect())
}

/// # Safety
/// For a string attribute, `value` is NULL, `len` bytes, or NUL-terminated
/// when `len` is negative; for the others it is an integer, never read.
unsafe fn set_connect_attr<E: Enc>(
    hdbc: Handle,
    attr: i32,
    value: *mut c_void,
    len: i32,
) -> RetCode {
    with_conn(hdbc, |conn| {
        if is_string_attr(attr) {
            let units = if len < 0 {
                NTS
            } else {
                len as Len / E::SIZE as Len
            };
            // SAFETY: for a string attribute the caller passes a string of
            // `len` bytes (here in units) or NUL-terminated.
            let text = unsafe { input_text::<E>(value.cast_const().cast(), units, "ValuePtr") }?;
            conn.set_attr(attr, 0, Some(text.unwrap_or_default()))
        } else {
            conn.set_attr(attr, value as usize as u64, None)
        }
    })
}

/// # Safety
/// `value` is per the attribute: a string of `len` bytes (or
/// NUL-terminated, `len` SQL_NTS) for string attributes, otherwise an
/// integer passed in the pointer and never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn SQLSetConnectAttr(
    hdbc: Handle,
    attr: i32,
    value: *mut c_void,
    len: i32,
) -> RetCode {
    // SAFETY: the caller's duties above are `set_connect_attr`'s.
    unsafe { set_connect_attr::<A>(hdbc, attr, value, len) }
}

/// # Safety
/// As [`SQLSetConnectAttr`], strings in SQLWCHARs (`len` still in bytes).
#[no_mangle]
pub unsafe extern "C" fn SQLSetConnectAttrW(
    hdbc: Handle,
    attr: i32,
    value: *mut c_void,
    len: i32,
) -> RetCode {
    // SAFETY: the caller's duties above are `set_connect_attr`'s.
    unsafe { set_connect_attr::<W>(hdbc, attr, value, len) }
}

/// # Safety
/// `value` NULL, or writable for an SQLUINTEGER (integer attributes) or
/// `buf_len` bytes (string attributes); `len` NULL or writable.
unsafe fn get_connect_attr<E: Enc>(
    hdbc: Handle,
    attr: i32,
    value: *mut c_void,
    buf_len: i32,
    len: *mut i32,
) -> RetCode {
    with_conn(hdbc, |conn| {
        match conn.get_attr(attr)? {
            AttrValue::Int(v) => {
                if !value.is_null() {
                    // SAFETY: non-null; an integer attribute's buffer holds
                    // an SQLUINTEGER by the caller's promise.
                    unsafe { *value.cast::<u32>() = v as u32 };
                }
                if !len.is_null() {
                    // SAFETY: non-null and writable by the caller's promise.
                    unsafe { *len = size_of::<u32>() as i32 };
                }
            }
            AttrValue::Text(text) => {
                // SAFETY: `value` is NULL or holds `buf_len` bytes.
                let (full, cut) = unsafe { out_bytes::<E>(&text, value, buf_len as Len) };
                if !len.is_null() {
                    // SAFETY: non-null and writable by the caller's promise.
                    unsafe { *len = full as i32 };
                }
                report_truncation(&conn.diags, cut);
            }
        }
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// `value` is NULL, or writable for an SQLUINTEGER (integer attributes) or
/// for `buf_len` bytes (string attributes); `len` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLGetConnectAttr(
    hdbc: Handle,
    attr: i32,
    value: *mut c_void,
    buf_len: i32,
    len: *mut i32,
) -> RetCode {
    // SAFETY: the caller's duties above are `get_connect_attr`'s.
    unsafe { get_connect_attr::<A>(hdbc, attr, value, buf_len, len) }
}

/// # Safety
/// As [`SQLGetConnectAttr`].
#[no_mangle]
pub unsafe extern "C" fn SQLGetConnectAttrW(
    hdbc: Handle,
    attr: i32,
    value: *mut c_void,
    buf_len: i32,
    len: *mut i32,
) -> RetCode {
    // SAFETY: the caller's duties above are `get_connect_attr`'s.
    unsafe { get_connect_attr::<W>(hdbc, attr, value, buf_len, len) }
}

/// # Safety
/// `value` NULL or writable for `buf_len` bytes; `len` NULL or writable.
unsafe fn write_info_text<E: Enc>(
    conn: &Conn,
    text: &str,
    value: *mut c_void,
    buf_len: i16,
    len: *mut i16,
) {
    // SAFETY: `value` is NULL or holds `buf_len` bytes.
    let (full, cut) = unsafe { out_bytes::<E>(text, value, buf_len as Len) };
    if !len.is_null() {
        // SAFETY: non-null and writable by the caller's promise.
        unsafe { *len = full as i16 };
    }
    report_truncation(&conn.diags, cut);
}

/// # Safety
/// `value` NULL or writable for the answer (`buf_len` bytes for text, an
/// SQLUSMALLINT or SQLUINTEGER otherwise); `len` NULL or writable.
unsafe fn get_info<E: Enc>(
    hdbc: Handle,
    info_type: u16,
    value: *mut c_void,
    buf_len: i16,
    len: *mut i16,
) -> RetCode {
    with_conn_keeping_diags(hdbc, |conn| {
        match conn.info(info_type)? {
            // SAFETY: the caller's promise about `value`/`len` is
            // `write_info_text`'s.
            Info::Text(text) => unsafe { write_info_text::<E>(conn, &text, value, buf_len, len) },
            // SAFETY: as above.
            Info::Str(text) => unsafe { write_info_text::<E>(conn, text, value, buf_len, len) },
            Info::U16(v) => {
                if !value.is_null() {
                    // SAFETY: non-null; this info type's buffer holds an
                    // SQLUSMALLINT by the caller's promise.
                    unsafe { *value.cast::<u16>() = v };
                }
                if !len.is_null() {
                    // SAFETY: non-null and writable by the caller's promise.
                    unsafe { *len = size_of::<u16>() as i16 };
                }
            }
            Info::U32(v) => {
                if !value.is_null() {
                    // SAFETY: non-null; this info type's buffer holds an
                    // SQLUINTEGER by the caller's promise.
                    unsafe { *value.cast::<u32>() = v };
                }
                if !len.is_null() {
                    // SAFETY: non-null and writable by the caller's promise.
                    unsafe { *len = size_of::<u32>() as i16 };
                }
            }
        }
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// `value` is NULL or writable for the info type's answer: `buf_len` bytes
/// for a string, an SQLUSMALLINT or SQLUINTEGER otherwise (as the ODBC
/// reference lists per info type); `len` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SQLGetInfo(
    hdbc: Handle,
    info_type: u16,
    value: *mut c_void,
    buf_len: i16,
    len: *mut i16,
) -> RetCode {
    // SAFETY: the caller's duties above are `get_info`'s.
    unsafe { get_info::<A>(hdbc, info_type, value, buf_len, len) }
}

/// # Safety
/// As [`SQLGetInfo`] (`buf_len` still in bytes).
#[no_mangle]
pub unsafe extern "C" fn SQLGetInfoW(
    hdbc: Handle,
    info_type: u16,
    value: *mut c_void,
    buf_len: i16,
    len: *mut i16,
) -> RetCode {
    // SAFETY: the caller's duties above are `get_info`'s.
    unsafe { get_info::<W>(hdbc, info_type, value, buf_len, len) }
}

/// # Safety
/// `supported` is NULL or writable for 250 SQLUSMALLINTs when `function` is
/// SQL_API_ODBC3_ALL_FUNCTIONS, 100 when SQL_API_ALL_FUNCTIONS, else one.
#[no_mangle]
pub unsafe extern "C" fn SQLGetFunctions(
    hdbc: Handle,
    function: u16,
    supported: *mut u16,
) -> RetCode {
    with_conn(hdbc, |_| {
        if supported.is_null() {
            return Err(null_pointer("SupportedPtr"));
        }
        match function {
            SQL_API_ODBC3_ALL_FUNCTIONS => {
                let bitmap = functions::odbc3_bitmap();
                // SAFETY: non-null; for this id the caller's array holds the
                // 250 words of the bitmap; ours is a separate local.
                unsafe { std::ptr::copy_nonoverlapping(bitmap.as_ptr(), supported, bitmap.len()) }
            }
            SQL_API_ALL_FUNCTIONS => {
                let array = functions::odbc2_array();
                // SAFETY: non-null; for this id the caller's array holds 100
                // words; ours is a separate local of that length.
                unsafe { std::ptr::copy_nonoverlapping(array.as_ptr(), supported, array.len()) }
            }
            // SAFETY: non-null and writable for one word.
            id => unsafe { *supported = functions::supported(id) as u16 },
        }
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// `sql` NULL, `len` units or NUL-terminated (negative `len`); `out` NULL
/// or writable for `buf_len` units; `out_len` NULL or writable.
unsafe fn native_sql<E: Enc>(
    hdbc: Handle,
    sql: *const E::Unit,
    len: i32,
    out: *mut E::Unit,
    buf_len: i32,
    out_len: *mut i32,
) -> RetCode {
    with_conn(hdbc, |conn| {
        // SAFETY: pointer and length come from the caller together.
        let Some(text) = unsafe { input_text::<E>(sql, len as Len, "InStatementText") }? else {
            return Err(null_pointer("InStatementText"));
        };
        let native = conn.native_sql(&text);
        // SAFETY: `out` holds `buf_len` units, `out_len` is NULL or writable.
        let cut = unsafe { out_chars_i32::<E>(&native, out.cast(), buf_len, out_len) };
        report_truncation(&conn.diags, cut);
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// `sql` is NULL, `len` bytes, or NUL-terminated when `len` is SQL_NTS;
/// `out` is NULL or writable for `buf_len` bytes; `out_len` NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn SQLNativeSql(
    hdbc: Handle,
    sql: *const Char,
    len: i32,
    out: *mut Char,
    buf_len: i32,
    out_len: *mut i32,
) -> RetCode {
    // SAFETY: the caller's duties above are `native_sql`'s.
    unsafe { native_sql::<A>(hdbc, sql, len, out, buf_len, out_len) }
}

/// # Safety
/// As [`SQLNativeSql`], lengths in SQLWCHARs.
#[no_mangle]
pub unsafe extern "C" fn SQLNativeSqlW(
    hdbc: Handle,
    sql: *const WChar,
    len: i32,
    out: *mut WChar,
    buf_len: i32,
    out_len: *mut i32,
) -> RetCode {
    // SAFETY: the caller's duties above are `native_sql`'s.
    unsafe { native_sql::<W>(hdbc, sql, len, out, buf_len, out_len) }
}

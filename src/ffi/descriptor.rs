//! Descriptor calls: SQLGetDescField / SQLSetDescField (A and W),
//! SQLGetDescRec (A and W), SQLSetDescRec, SQLCopyDesc. The field table
//! (`odbc::descriptor::fields`) says how wide each value is; text goes
//! through `strings` (bytes for the field calls, characters for the
//! record name).
//!
//! Deferred buffers: the addresses set here (SQL_DESC_DATA_PTR,
//! SQL_DESC_INDICATOR_PTR, SQL_DESC_OCTET_LENGTH_PTR and the header's
//! pointers) are read or written by later fetches and executions, as with
//! SQLBindCol (see `statement`'s module docs).

use super::strings::WChar;
use super::strings::{input_text, out_bytes, out_chars_i16, Enc, A, W};
use super::{guard, with_desc, Handle, SQL_INVALID_HANDLE, SQL_NO_DATA, SQL_SUCCESS};
use crate::odbc::arg_errors::report_truncation;
use crate::odbc::descriptor::fields::{self, FieldValue, ValueType};
use crate::odbc::descriptor::{self as d, NewRec};
use crate::odbc::handles as reg;
use odbc_sys::{Char, Len, RetCode, ULen};
use std::os::raw::c_void;

/// Writes an integer field at `value` in the width its type has.
///
/// # Safety
/// `value` is non-null and writable for the field's C type.
unsafe fn write_int(value: *mut c_void, t: ValueType, n: i64) -> i32 {
    // SAFETY: writable for the field's type by the caller's promise;
    // unaligned writes, as applications pass any buffer.
    unsafe {
        match t {
            ValueType::Small => std::ptr::write_unaligned(value.cast::<i16>(), n as i16),
            ValueType::Int => std::ptr::write_unaligned(value.cast::<i32>(), n as i32),
            ValueType::Len => std::ptr::write_unaligned(value.cast::<Len>(), n as Len),
            ValueType::ULen | ValueType::Ptr | ValueType::Text => {
                std::ptr::write_unaligned(value.cast::<ULen>(), n as ULen)
            }
        }
    }
    match t {
        ValueType::Small => 2,
        ValueType::Int => 4,
        _ => size_of::<Len>() as i32,
    }
}

/// # Safety
/// `value` NULL or writable for the field (`buf_len` bytes for text);
/// `len` NULL or writable.
unsafe fn get_desc_field<E: Enc>(
    hdesc: Handle,
    rec: i16,
    field: i16,
    value: *mut c_void,
    buf_len: i32,
    len: *mut i32,
) -> RetCode {
    with_desc(hdesc, |desc| {
        let Some(v) = desc.get_field(rec, field)? else {
            return Ok(SQL_NO_DATA);
        };
        let written = match v {
            FieldValue::Text(s) => {
                // SAFETY: `value` is NULL or holds `buf_len` bytes.
                let (full, cut) = unsafe { out_bytes::<E>(&s, value, buf_len as Len) };
                report_truncation(&desc.diags, cut);
                full as i32
            }
            FieldValue::Int(n) if !value.is_null() => {
                let t = fields::field(field).map_or(ValueType::Len, |f| f.value);
                // SAFETY: non-null and writable for the field's type.
                unsafe { write_int(value, t, n) }
            }
            FieldValue::Int(_) => 0,
        };
        if !len.is_null() {
            // SAFETY: non-null and writable by the caller's promise.
            unsafe { *len = written };
        }
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// As [`get_desc_field`].
#[no_mangle]
pub unsafe extern "C" fn SQLGetDescField(
    hdesc: Handle,
    rec: i16,
    field: i16,
    value: *mut c_void,
    buf_len: i32,
    len: *mut i32,
) -> RetCode {
    // SAFETY: the caller's duties are `get_desc_field`'s.
    unsafe { get_desc_field::<A>(hdesc, rec, field, value, buf_len, len) }
}

/// # Safety
/// As [`SQLGetDescField`], text in UTF-16 (`buf_len` in bytes).
#[no_mangle]
pub unsafe extern "C" fn SQLGetDescFieldW(
    hdesc: Handle,
    rec: i16,
    field: i16,
    value: *mut c_void,
    buf_len: i32,
    len: *mut i32,
) -> RetCode {
    // SAFETY: the caller's duties are `get_desc_field`'s.
    unsafe { get_desc_field::<W>(hdesc, rec, field, value, buf_len, len) }
}

/// # Safety
/// For a text field, `value` is NULL or readable for `buf_len` bytes (or
/// NUL-terminated when `buf_len` is SQL_NTS); other fields pass their value
/// in `value` itself. Addresses set stay valid as long as they are bound.
unsafe fn set_desc_field<E: Enc>(
    hdesc: Handle,
    rec: i16,
    field: i16,
    value: *mut c_void,
    buf_len: i32,
) -> RetCode {
    with_desc(hdesc, |desc| {
        let text = fields::field(field).is_some_and(|f| f.value == ValueType::Text);
        let v = if text {
            let units = if buf_len < 0 {
                buf_len as Len
            } else {
                buf_len as Len / E::SIZE as Len
            };
            // SAFETY: readable for `units` units or NUL-terminated, by
            // the caller's promise.
            let s = unsafe { input_text::<E>(value as *const E::Unit, units, "ValuePtr") }?;
            FieldValue::Text(s.unwrap_or_default())
        } else {
            FieldValue::Int(value as isize as i64)
        };
        desc.set_field(rec, field, v)
    })
}

/// # Safety
/// As [`set_desc_field`].
#[no_mangle]
pub unsafe extern "C" fn SQLSetDescField(
    hdesc: Handle,
    rec: i16,
    field: i16,
    value: *mut c_void,
    buf_len: i32,
) -> RetCode {
    // SAFETY: the caller's duties are `set_desc_field`'s.
    unsafe { set_desc_field::<A>(hdesc, rec, field, value, buf_len) }
}

/// # Safety
/// As [`SQLSetDescField`], text in UTF-16 (`buf_len` in bytes).
#[no_mangle]
pub unsafe extern "C" fn SQLSetDescFieldW(
    hdesc: Handle,
    rec: i16,
    field: i16,
    value: *mut c_void,
    buf_len: i32,
) -> RetCode {
    // SAFETY: the caller's duties are `set_desc_field`'s.
    unsafe { set_desc_field::<W>(hdesc, rec, field, value, buf_len) }
}

/// Writes `v` at `p` when `p` is not NULL.
///
/// # Safety
/// `p` is NULL or writable for a `T`.
unsafe fn put<T>(p: *mut T, v: T) {
    if !p.is_null() {
        // SAFETY: non-null and writable by the caller's promise.
        unsafe { std::ptr::write_unaligned(p, v) };
    }
}

/// # Safety
/// `name` NULL or writable for `buf_len` units; every other output NULL or
/// writable.
#[allow(clippy::too_many_arguments)]
unsafe fn get_desc_rec<E: Enc>(
    hdesc: Handle,
    rec: i16,
    name: *mut E::Unit,
    buf_len: i16,
    name_len: *mut i16,
    type_: *mut i16,
    subtype: *mut i16,
    length: *mut Len,
    precision: *mut i16,
    scale: *mut i16,
    nullable: *mut i16,
) -> RetCode {
    with_desc(hdesc, |desc| {
        let Some(r) = desc.get_rec(rec)? else {
            return Ok(SQL_NO_DATA);
        };
        // SAFETY: `name` holds `buf_len` units; `name_len` NULL or
        // writable (the caller's promise).
        let cut = unsafe { out_chars_i16::<E>(&r.name, name.cast(), buf_len, name_len) };
        report_truncation(&desc.diags, cut);
        // SAFETY: each NULL or writable by the caller's promise.
        unsafe {
            put(type_, r.type_);
            put(subtype, r.subtype);
            put(length, r.length as Len);
            put(precision, r.precision);
            put(scale, r.scale);
            put(nullable, r.nullable);
        }
        Ok(SQL_SUCCESS)
    })
}

/// # Safety
/// As [`get_desc_rec`].
#[no_mangle]
pub unsafe extern "C" fn SQLGetDescRec(
    hdesc: Handle,
    rec: i16,
    name: *mut Char,
    buf_len: i16,
    name_len: *mut i16,
    type_: *mut i16,
    subtype: *mut i16,
    length: *mut Len,
    precision: *mut i16,
    scale: *mut i16,
    nullable: *mut i16,
) -> RetCode {
    // SAFETY: the caller's duties are `get_desc_rec`'s.
    unsafe {
        get_desc_rec::<A>(
            hdesc, rec, name, buf_len, name_len, type_, subtype, length, precision, scale, nullable,
        )
    }
}

/// # Safety
/// As [`SQLGetDescRec`], the name in UTF-16 (`buf_len` in characters).
#[no_mangle]
pub unsafe extern "C" fn SQLGetDescRecW(
    hdesc: Handle,
    rec: i16,
    name: *mut WChar,
    buf_len: i16,
    name_len: *mut i16,
    type_: *mut i16,
    subtype: *mut i16,
    length: *mut Len,
    precision: *mut i16,
    scale: *mut i16,
    nullable: *mut i16,
) -> RetCode {
    // SAFETY: the caller's duties are `get_desc_rec`'s.
    unsafe {
        get_desc_rec::<W>(
            hdesc, rec, name, buf_len, name_len, type_, subtype, length, precision, scale, nullable,
        )
    }
}

/// SQLSetDescRec (no W form: it has no strings). The three addresses are
/// deferred buffers, stored as given.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn SQLSetDescRec(
    hdesc: Handle,
    rec: i16,
    type_: i16,
    subtype: i16,
    length: Len,
    precision: i16,
    scale: i16,
    data: *mut c_void,
    string_length: *mut Len,
    indicator: *mut Len,
) -> RetCode {
    with_desc(hdesc, |desc| {
        desc.set_rec(
            rec,
            NewRec {
                type_,
                subtype,
                length: length as i64,
                precision,
                scale,
                data_ptr: data as usize,
                octet_length_ptr: string_length as usize,
                indicator_ptr: indicator as usize,
            },
        )
    })
}

/// SQLCopyDesc: diagnostics go on the target.
#[no_mangle]
pub extern "C" fn SQLCopyDesc(source: Handle, target: Handle) -> RetCode {
    guard(|| {
        let Some(src) = reg::desc(source as usize) else {
            return SQL_INVALID_HANDLE;
        };
        with_desc(target, |t| d::copy(&src, t))
    })
}

//! Strings across the boundary: ANSI (UTF-8 bytes) and wide (UTF-16
//! SQLWCHAR) inputs with SQL_NTS, and outputs with truncation reported in
//! characters or bytes as each function's spec demands.

use odbc_sys::{Char, Len, WChar, NTS};
use std::os::raw::c_void;

/// The two string encodings of the API; every A/W pair shares one body
/// generic over this.
pub trait Enc {
    type Unit: Copy + Default + PartialEq;
    /// Bytes per unit.
    const SIZE: usize;
    fn encode(s: &str) -> Vec<Self::Unit>;
    fn decode(units: &[Self::Unit]) -> String;
}

pub struct A;
pub struct W;

impl Enc for A {
    type Unit = Char;
    const SIZE: usize = size_of::<Char>();
    fn encode(s: &str) -> Vec<Char> {
        s.as_bytes().to_vec()
    }
    fn decode(units: &[Char]) -> String {
        String::from_utf8_lossy(units).into_owned()
    }
}

impl Enc for W {
    type Unit = WChar;
    const SIZE: usize = size_of::<WChar>();
    fn encode(s: &str) -> Vec<WChar> {
        s.encode_utf16().collect()
    }
    fn decode(units: &[WChar]) -> String {
        String::from_utf16_lossy(units)
    }
}

/// Reads an input string; NULL gives None. `len` is in units, or SQL_NTS.
///
/// # Safety
/// `p` must be NULL or point to `len` units (or a NUL-terminated string).
pub unsafe fn input<E: Enc>(p: *const E::Unit, len: Len) -> Option<String> {
    if p.is_null() {
        return None;
    }
    let n = if len == NTS || len < 0 {
        let mut n = 0;
        while *p.add(n) != E::Unit::default() {
            n += 1;
        }
        n
    } else {
        len as usize
    };
    Some(E::decode(std::slice::from_raw_parts(p, n)))
}

/// Writes `s` into a buffer of `buf_len` units with a NUL terminator,
/// truncating on a character boundary. Returns (full length in units,
/// truncated).
///
/// # Safety
/// `buf` must be NULL or valid for `buf_len` units.
pub unsafe fn output<E: Enc>(s: &str, buf: *mut c_void, buf_len: usize) -> (usize, bool) {
    let units = E::encode(s);
    if buf.is_null() {
        return (units.len(), false);
    }
    if buf_len == 0 {
        return (units.len(), !units.is_empty());
    }
    let mut n = units.len().min(buf_len - 1);
    // Never end on half a character.
    while n > 0 && n < units.len() && !boundary::<E>(&units, n) {
        n -= 1;
    }
    let out = buf as *mut E::Unit;
    std::ptr::copy_nonoverlapping(units.as_ptr(), out, n);
    *out.add(n) = E::Unit::default();
    (units.len(), n < units.len())
}

fn boundary<E: Enc>(units: &[E::Unit], at: usize) -> bool {
    if E::SIZE == 1 {
        // SAFETY of the cast: for A the unit is u8.
        let b = unsafe { *(units.as_ptr() as *const u8).add(at) };
        (b & 0xC0) != 0x80
    } else {
        let u = unsafe { *(units.as_ptr() as *const u16).add(at) };
        !(0xDC00..0xE000).contains(&u)
    }
}

/// Output counted in characters (units), length to an SQLSMALLINT.
///
/// # Safety
/// Pointers as for `output`; `len_out` NULL or writable.
pub unsafe fn out_chars_i16<E: Enc>(
    s: &str,
    buf: *mut c_void,
    buf_len: i16,
    len_out: *mut i16,
) -> bool {
    let (full, trunc) = output::<E>(s, buf, buf_len.max(0) as usize);
    if !len_out.is_null() {
        *len_out = full.min(i16::MAX as usize) as i16;
    }
    trunc
}

/// Output counted in characters, length to an SQLINTEGER.
///
/// # Safety
/// As `out_chars_i16`.
pub unsafe fn out_chars_i32<E: Enc>(
    s: &str,
    buf: *mut c_void,
    buf_len: i32,
    len_out: *mut i32,
) -> bool {
    let (full, trunc) = output::<E>(s, buf, buf_len.max(0) as usize);
    if !len_out.is_null() {
        *len_out = full.min(i32::MAX as usize) as i32;
    }
    trunc
}

/// Output whose buffer and length are in bytes (SQLGetInfo, SQLColAttribute,
/// SQLGet*Attr, SQLGetDiagField). Returns truncated.
///
/// # Safety
/// As `output`, with `buf_len` in bytes.
pub unsafe fn out_bytes<E: Enc>(s: &str, buf: *mut c_void, buf_len: Len) -> (usize, bool) {
    let units = buf_len.max(0) as usize / E::SIZE;
    let (full, trunc) = output::<E>(s, buf, units);
    (full * E::SIZE, trunc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_on_character_boundaries() {
        let mut buf = [0xffu8; 4];
        let (full, t) = unsafe { output::<A>("añb", buf.as_mut_ptr() as *mut c_void, 3) };
        assert_eq!((full, t), (4, true));
        assert_eq!(&buf[..2], b"a\0"); // ñ is two bytes; only 'a' fits with the NUL
        let mut w = [0xffffu16; 3];
        let (full, t) = unsafe { output::<W>("a😀", w.as_mut_ptr() as *mut c_void, 3) };
        assert_eq!((full, t), (3, true));
        assert_eq!(w[..2], [b'a' as u16, 0]);
    }

    #[test]
    fn reads_nts_and_lengths() {
        let s = b"abc\0";
        assert_eq!(
            unsafe { input::<A>(s.as_ptr(), NTS) }.as_deref(),
            Some("abc")
        );
        assert_eq!(unsafe { input::<A>(s.as_ptr(), 2) }.as_deref(), Some("ab"));
        assert_eq!(unsafe { input::<A>(std::ptr::null(), 2) }, None);
    }
}

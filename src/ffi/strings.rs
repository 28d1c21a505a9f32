//! Strings across the boundary: ANSI (UTF-8 bytes) and wide (UTF-16
//! SQLWCHAR) inputs with SQL_NTS, and outputs with truncation reported in
//! characters or bytes as each function's spec demands.

use crate::error::{Error, Kind};
use odbc_sys::{Char, Len, WChar, NTS};
use std::os::raw::c_void;

/// The two string encodings of the API; every A/W pair shares one body
/// generic over this.
pub trait Enc {
    type Unit: Copy + Default + PartialEq;
    /// Bytes per unit.
    const SIZE: usize;
    fn encode(s: &str) -> Vec<Self::Unit>;
    /// Replaces what is not valid text with U+FFFD (for names only, where a
    /// replaced character can only fail to match).
    fn decode(units: &[Self::Unit]) -> String;
    /// The text, or the offset (in units) of the first unit that is not
    /// part of a valid character.
    fn decode_exact(units: &[Self::Unit]) -> Result<String, usize>;
    /// How an offset from `decode_exact` is counted, for messages.
    const UNIT_NAME: &'static str;
    /// Whether a character starts at `units[at]` (cutting there leaves no
    /// half character behind).
    fn starts_char(units: &[Self::Unit], at: usize) -> bool;
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
    fn decode_exact(units: &[Char]) -> Result<String, usize> {
        std::str::from_utf8(units)
            .map(str::to_owned)
            .map_err(|e| e.valid_up_to())
    }
    const UNIT_NAME: &'static str = "byte";
    fn starts_char(units: &[Char], at: usize) -> bool {
        // Not a UTF-8 continuation byte.
        (units[at] & 0xC0) != 0x80
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
    fn decode_exact(units: &[WChar]) -> Result<String, usize> {
        let mut out = String::with_capacity(units.len());
        let mut at = 0;
        for c in char::decode_utf16(units.iter().copied()) {
            match c {
                Ok(c) => {
                    out.push(c);
                    at += c.len_utf16();
                }
                Err(_) => return Err(at),
            }
        }
        Ok(out)
    }
    const UNIT_NAME: &'static str = "SQLWCHAR";
    fn starts_char(units: &[WChar], at: usize) -> bool {
        // Not the low half of a surrogate pair.
        !(0xDC00..0xE000).contains(&units[at])
    }
}

/// The units of an input string; NULL gives None. `len` is in units, or
/// SQL_NTS (any negative length is taken as SQL_NTS).
///
/// # Safety
/// As for [`input`]; the slice borrows the caller's memory for `'a`.
unsafe fn units<'a, E: Enc>(ptr: *const E::Unit, len: Len) -> Option<&'a [E::Unit]> {
    if ptr.is_null() {
        return None;
    }
    let units = if len == NTS || len < 0 {
        let mut n = 0;
        // SAFETY: the caller promises a NUL-terminated string, so every unit
        // up to and including the NUL is readable.
        while unsafe { *ptr.add(n) } != E::Unit::default() {
            n += 1;
        }
        n
    } else {
        len as usize
    };
    // SAFETY: `ptr` is non-null, aligned and readable for `units` units:
    // either the caller's length or the units before the NUL found above.
    Some(unsafe { std::slice::from_raw_parts(ptr, units) })
}

/// Reads an input name (catalog arguments); NULL gives None. Invalid units
/// become U+FFFD: a name that cannot match simply finds nothing. Text that
/// becomes data or a connection string goes through [`input_text`].
///
/// # Safety
/// `ptr` must be NULL, or valid for reads of `len` units when `len >= 0`,
/// or point to a string ended by a NUL unit when `len` is negative, and be
/// aligned for `E::Unit`. The memory must not change during the call.
pub unsafe fn input<E: Enc>(ptr: *const E::Unit, len: Len) -> Option<String> {
    // SAFETY: the caller's promise is `units`'.
    unsafe { units::<E>(ptr, len) }.map(E::decode)
}

/// Reads an input string exactly; NULL gives `Ok(None)`. Bytes of an ANSI
/// string that are not UTF-8 (or a lone surrogate in a wide one) are
/// refused with `Kind::Data` (22018) naming the argument `arg` and the
/// offset, instead of becoming U+FFFD and changing the SQL or the data.
/// The message never quotes the text: it may be a connection string.
///
/// # Safety
/// As for [`input`].
pub unsafe fn input_text<E: Enc>(
    ptr: *const E::Unit,
    len: Len,
    arg: &str,
) -> Result<Option<String>, Error> {
    // SAFETY: the caller's promise is `units`'.
    let Some(units) = (unsafe { units::<E>(ptr, len) }) else {
        return Ok(None);
    };
    E::decode_exact(units).map(Some).map_err(|at| {
        Error::new(
            Kind::Data,
            format!(
                "{arg} is not valid {}: the {} at offset {at} (counting from 0) does not start a valid character. Nothing was changed; pass the text as UTF-8 (ANSI functions) or UTF-16 (W functions).",
                if E::SIZE == 1 { "UTF-8" } else { "UTF-16" },
                E::UNIT_NAME,
            ),
        )
    })
}

/// Writes `s` into a buffer of `buf_len` units with a NUL terminator,
/// truncating on a character boundary. Returns (full length in units,
/// truncated).
///
/// # Safety
/// `buf` must be NULL, or valid for writes of `buf_len` units and aligned
/// for `E::Unit`.
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
    while n > 0 && n < units.len() && !E::starts_char(&units, n) {
        n -= 1;
    }
    let out = buf as *mut E::Unit;
    // SAFETY: `n <= buf_len - 1`, so the `n` units and the NUL after them
    // lie inside the caller's buffer of `buf_len` units; `units` is our own
    // vector, so the two cannot overlap.
    unsafe {
        std::ptr::copy_nonoverlapping(units.as_ptr(), out, n);
        *out.add(n) = E::Unit::default();
    }
    (units.len(), n < units.len())
}

/// Output counted in characters (units), length to an SQLSMALLINT.
///
/// # Safety
/// `buf` as for [`output`] with `buf_len` units; `len_out` NULL or valid
/// for writing an `i16`.
pub unsafe fn out_chars_i16<E: Enc>(
    s: &str,
    buf: *mut c_void,
    buf_len: i16,
    len_out: *mut i16,
) -> bool {
    // SAFETY: the caller's promise about `buf` and `buf_len` is `output`'s.
    let (full, trunc) = unsafe { output::<E>(s, buf, buf_len.max(0) as usize) };
    if !len_out.is_null() {
        // SAFETY: non-null, and writable by the caller's promise.
        unsafe { *len_out = full.min(i16::MAX as usize) as i16 };
    }
    trunc
}

/// Output counted in characters, length to an SQLINTEGER.
///
/// # Safety
/// `buf` as for [`output`] with `buf_len` units; `len_out` NULL or valid
/// for writing an `i32`.
pub unsafe fn out_chars_i32<E: Enc>(
    s: &str,
    buf: *mut c_void,
    buf_len: i32,
    len_out: *mut i32,
) -> bool {
    // SAFETY: the caller's promise about `buf` and `buf_len` is `output`'s.
    let (full, trunc) = unsafe { output::<E>(s, buf, buf_len.max(0) as usize) };
    if !len_out.is_null() {
        // SAFETY: non-null, and writable by the caller's promise.
        unsafe { *len_out = full.min(i32::MAX as usize) as i32 };
    }
    trunc
}

/// Output whose buffer and length are in bytes (SQLGetInfo, SQLColAttribute,
/// SQLGet*Attr, SQLGetDiagField). Returns (full length in bytes, truncated).
///
/// # Safety
/// `buf` must be NULL, or valid for writes of `buf_len` bytes and aligned
/// for `E::Unit`.
pub unsafe fn out_bytes<E: Enc>(s: &str, buf: *mut c_void, buf_len: Len) -> (usize, bool) {
    let units = buf_len.max(0) as usize / E::SIZE;
    // SAFETY: `units` whole units fit in the caller's `buf_len` bytes.
    let (full, trunc) = unsafe { output::<E>(s, buf, units) };
    (full * E::SIZE, trunc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_on_character_boundaries() {
        let mut buf = [0xffu8; 4];
        // SAFETY: both buffers are local arrays at least as long as the
        // lengths passed.
        let (full, t) = unsafe { output::<A>("añb", buf.as_mut_ptr() as *mut c_void, 3) };
        assert_eq!((full, t), (4, true));
        assert_eq!(&buf[..2], b"a\0"); // ñ is two bytes; only 'a' fits with the NUL
        let mut w = [0xffffu16; 3];
        // SAFETY: as above.
        let (full, t) = unsafe { output::<W>("a😀", w.as_mut_ptr() as *mut c_void, 3) };
        assert_eq!((full, t), (3, true));
        assert_eq!(w[..2], [b'a' as u16, 0]);
    }

    #[test]
    fn reads_nts_and_lengths() {
        let s = b"abc\0";
        // SAFETY: `s` is NUL-terminated.
        let whole = unsafe { input::<A>(s.as_ptr(), NTS) };
        assert_eq!(whole.as_deref(), Some("abc"));
        // SAFETY: `s` has at least 2 bytes.
        assert_eq!(unsafe { input::<A>(s.as_ptr(), 2) }.as_deref(), Some("ab"));
        // SAFETY: NULL is allowed and never read.
        assert_eq!(unsafe { input::<A>(std::ptr::null(), 2) }, None);
    }

    #[test]
    fn exact_input_refuses_what_is_not_text() {
        let s = b"SELECT '\xff'";
        // SAFETY: `s` has the length passed.
        let e =
            unsafe { input_text::<A>(s.as_ptr(), s.len() as Len, "StatementText") }.unwrap_err();
        assert_eq!(e.kind, Kind::Data);
        assert!(e.message.contains("StatementText") && e.message.contains("offset 8"));
        let w = [b'a' as u16, 0xD800, b'b' as u16];
        // SAFETY: `w` has the length passed.
        let e = unsafe { input_text::<W>(w.as_ptr(), 3, "StatementText") }.unwrap_err();
        assert!(e.message.contains("offset 1"), "{}", e.message);
        let ok = "añ😀".encode_utf16().collect::<Vec<_>>();
        // SAFETY: `ok` has the length passed.
        let t = unsafe { input_text::<W>(ok.as_ptr(), ok.len() as Len, "x") }.unwrap();
        assert_eq!(t.as_deref(), Some("añ😀"));
    }
}

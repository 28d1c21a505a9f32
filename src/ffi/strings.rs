//! Strings across the boundary: ANSI (UTF-8 bytes) and wide (SQLWCHAR)
//! inputs with SQL_NTS, and outputs with truncation reported in characters
//! or bytes as each function's spec demands.
//!
//! The one place that knows how wide SQLWCHAR is: 2 bytes holding UTF-16
//! under unixODBC (and Windows), or, built with the `iodbc` feature, a
//! 4-byte `wchar_t` holding UCS-4 as iODBC (macOS, libiodbc2) defines it.
//! The W exports' signatures, SQL_C_WCHAR data (convert.rs) and octet
//! lengths all take the width from here (docs/unicode.md).

use crate::error::{Error, Kind};
use odbc_sys::{Char, Len, NTS};
use std::os::raw::c_void;

/// SQLWCHAR: a UTF-16 code unit.
#[cfg(not(feature = "iodbc"))]
pub type WChar = u16;
/// SQLWCHAR under iODBC: `wchar_t`, one UCS-4 character.
#[cfg(feature = "iodbc")]
pub type WChar = u32;

/// Bytes of one SQLWCHAR (the unit of SQL_C_WCHAR data).
pub const WIDE_SIZE: usize = size_of::<WChar>();

/// The wide encoding as iODBC numbers it (SQL_DM_CP_*), for its
/// SQL_ATTR_DRIVER_UNICODE_TYPE / SQL_ATTR_APP_WCHAR_TYPE handshake.
#[cfg(not(feature = "iodbc"))]
pub const WIDE_DM_CP: u32 = crate::odbc::sqlext::SQL_DM_CP_UTF16;
#[cfg(feature = "iodbc")]
pub const WIDE_DM_CP: u32 = crate::odbc::sqlext::SQL_DM_CP_UCS4;

/// The wide encoding's name, for messages.
#[cfg(not(feature = "iodbc"))]
pub const WIDE_NAME: &str = "UTF-16";
#[cfg(feature = "iodbc")]
pub const WIDE_NAME: &str = "UCS-4";

/// Text as SQLWCHARs.
fn wide_units(s: &str) -> Vec<WChar> {
    wide_units_iter(s).collect()
}
#[cfg(not(feature = "iodbc"))]
fn wide_units_iter(s: &str) -> impl Iterator<Item = WChar> + '_ {
    s.encode_utf16()
}
#[cfg(feature = "iodbc")]
fn wide_units_iter(s: &str) -> impl Iterator<Item = WChar> + '_ {
    s.chars().map(u32::from)
}

/// The text of SQLWCHARs, or the index of the first unit that does not
/// belong to a valid character (a lone surrogate; under UCS-4 also a value
/// that is no character).
#[cfg(not(feature = "iodbc"))]
fn wide_text(units: &[WChar]) -> Result<String, usize> {
    let mut out = String::with_capacity(units.len());
    let mut at = 0;
    for c in char::decode_utf16(units.iter().copied()) {
        let c = c.map_err(|_| at)?;
        out.push(c);
        at += c.len_utf16();
    }
    Ok(out)
}
#[cfg(feature = "iodbc")]
fn wide_text(units: &[WChar]) -> Result<String, usize> {
    units
        .iter()
        .enumerate()
        .map(|(at, &u)| char::from_u32(u).ok_or(at))
        .collect()
}

/// The text of SQLWCHARs, each bad unit replaced with U+FFFD.
#[cfg(not(feature = "iodbc"))]
fn wide_text_lossy(units: &[WChar]) -> String {
    String::from_utf16_lossy(units)
}
#[cfg(feature = "iodbc")]
fn wide_text_lossy(units: &[WChar]) -> String {
    units
        .iter()
        .map(|&u| char::from_u32(u).unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Whether a character starts with this unit: not the low half of a
/// surrogate pair.
#[cfg(not(feature = "iodbc"))]
fn wide_starts_char(unit: WChar) -> bool {
    !(0xDC00..0xE000).contains(&unit)
}
/// Under UCS-4 every unit is a whole character.
#[cfg(feature = "iodbc")]
fn wide_starts_char(_unit: WChar) -> bool {
    true
}

/// SQL_C_WCHAR data for `s`: its SQLWCHARs in native byte order, no NUL.
pub fn wide_bytes(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    wide_extend(&mut out, s);
    out
}

/// `wide_bytes` appended to `out` (SQLGetData reuses one buffer). This
/// runs for every text value fetched as SQL_C_WCHAR: ASCII text, most of
/// what a store holds, is widened byte by byte into room made once.
pub fn wide_extend(out: &mut Vec<u8>, s: &str) {
    let start = out.len();
    if s.is_ascii() {
        out.resize(start + s.len() * WIDE_SIZE, 0);
        for (unit, &b) in out[start..].chunks_exact_mut(WIDE_SIZE).zip(s.as_bytes()) {
            unit.copy_from_slice(&WChar::from(b).to_ne_bytes());
        }
        return;
    }
    out.reserve(s.len() * WIDE_SIZE);
    for u in wide_units_iter(s) {
        out.extend_from_slice(&u.to_ne_bytes());
    }
}

/// The text of SQL_C_WCHAR data (whole SQLWCHARs; a trailing partial unit
/// is ignored), or the index of the first unit that is not part of a valid
/// character.
pub fn wide_from_bytes(b: &[u8]) -> Result<String, usize> {
    let units: Vec<WChar> = b
        .chunks_exact(WIDE_SIZE)
        .map(|c| WChar::from_ne_bytes(c.try_into().unwrap_or_default()))
        .collect();
    wide_text(&units)
}

/// The largest cut of SQL_C_WCHAR data `b` at or below `take` bytes that
/// keeps whole SQLWCHARs and never separates a surrogate pair.
pub fn wide_cut(b: &[u8], take: usize) -> usize {
    let take = take.min(b.len()) / WIDE_SIZE * WIDE_SIZE;
    let next = b
        .get(take..take + WIDE_SIZE)
        .map(|u| WChar::from_ne_bytes(u.try_into().unwrap_or_default()));
    match next {
        Some(unit) if take > 0 && !wide_starts_char(unit) => take - WIDE_SIZE,
        _ => take,
    }
}

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
    const SIZE: usize = WIDE_SIZE;
    fn encode(s: &str) -> Vec<WChar> {
        wide_units(s)
    }
    fn decode(units: &[WChar]) -> String {
        wide_text_lossy(units)
    }
    fn decode_exact(units: &[WChar]) -> Result<String, usize> {
        wide_text(units)
    }
    const UNIT_NAME: &'static str = "SQLWCHAR";
    fn starts_char(units: &[WChar], at: usize) -> bool {
        wide_starts_char(units[at])
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
                "{arg} is not valid {}: the {} at offset {at} (counting from 0) does not start a valid character. Nothing was changed; pass the text as UTF-8 (ANSI functions) or {WIDE_NAME} (W functions).",
                if E::SIZE == 1 { "UTF-8" } else { WIDE_NAME },
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
                                       // Three SQLWCHARs: under UTF-16 the emoji's pair cannot follow 'a'
                                       // with room for the NUL; under UCS-4 it is one unit and fits.
        let mut w = [WChar::MAX; 3];
        // SAFETY: as above.
        let (full, t) = unsafe { output::<W>("a😀", w.as_mut_ptr() as *mut c_void, 3) };
        if WIDE_SIZE == 2 {
            assert_eq!((full, t), (3, true));
            assert_eq!(w[..2], [b'a' as WChar, 0]);
        } else {
            assert_eq!((full, t), (2, false));
            assert_eq!(w, [b'a' as WChar, '😀' as WChar, 0]);
        }
    }

    #[test]
    fn wide_extend_appends_the_units_of_ascii_and_other_text_alike() {
        for text in ["", "plain ascii 123", "é日本😀", "a\u{7f}\u{80}b", "\0x"] {
            let units: Vec<u8> = W::encode(text)
                .iter()
                .flat_map(|u| u.to_ne_bytes())
                .collect();
            let mut out = vec![9u8, 9];
            wide_extend(&mut out, text);
            assert_eq!(&out[..2], &[9, 9], "{text:?}: what was there stays");
            assert_eq!(&out[2..], &units[..], "{text:?}");
            assert_eq!(wide_bytes(text), units, "{text:?}");
        }
    }

    #[test]
    fn wide_data_round_trips_and_cuts_whole_characters() {
        let b = wide_bytes("é日本😀");
        assert_eq!(b.len(), W::encode("é日本😀").len() * WIDE_SIZE);
        assert_eq!(wide_from_bytes(&b).as_deref(), Ok("é日本😀"));
        // A cut just inside the emoji keeps the three characters before it.
        let before_emoji = 3 * WIDE_SIZE;
        assert_eq!(wide_cut(&b, before_emoji + WIDE_SIZE), {
            if WIDE_SIZE == 2 {
                before_emoji // half a surrogate pair never goes out
            } else {
                before_emoji + WIDE_SIZE
            }
        });
        assert_eq!(wide_cut(&b, before_emoji + 1), before_emoji);
        // A lone surrogate is not text in either encoding.
        let bad: Vec<u8> = [b'a' as WChar, 0xD800 as WChar]
            .iter()
            .flat_map(|u| u.to_ne_bytes())
            .collect();
        assert_eq!(wide_from_bytes(&bad), Err(1));
    }

    #[test]
    fn the_stated_encoding_is_the_width() {
        use crate::odbc::sqlext::{SQL_DM_CP_UCS4, SQL_DM_CP_UTF16};
        let stated = (WIDE_DM_CP, WIDE_NAME);
        match WIDE_SIZE {
            2 => assert_eq!(stated, (SQL_DM_CP_UTF16, "UTF-16")),
            4 => assert_eq!(stated, (SQL_DM_CP_UCS4, "UCS-4")),
            n => panic!("SQLWCHAR of {n} bytes"),
        }
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
        let w = [b'a' as WChar, 0xD800, b'b' as WChar];
        // SAFETY: `w` has the length passed.
        let e = unsafe { input_text::<W>(w.as_ptr(), 3, "StatementText") }.unwrap_err();
        assert!(e.message.contains("offset 1"), "{}", e.message);
        let ok = W::encode("añ😀");
        // SAFETY: `ok` has the length passed.
        let t = unsafe { input_text::<W>(ok.as_ptr(), ok.len() as Len, "x") }.unwrap();
        assert_eq!(t.as_deref(), Some("añ😀"));
    }
}

//! A validating JSON scanner over a response's bytes, for the scan pages
//! `keep.rs` decodes: it walks the page once, handing out the entries of
//! objects and the spans of values, and skips everything else without
//! building it. Skipping is where a projection's decoding goes (an order
//! is 107 fields, a projection reads 4), so strings are skipped 16 bytes
//! at a time.
//!
//! Exact or an error: what it accepts is JSON in UTF-8 (RFC 8259: strings
//! of UTF-8 with valid escapes and no control characters, numbers by the grammar,
//! `true`/`false`/`null`, nothing after the value), nested at most as
//! deep as serde_json's whole parse allows; anything else is an error, and
//! `keep::decode` then leaves the body to that whole parse, which says
//! what is wrong with it. A key with escapes is unescaped by serde_json
//! (which checks its escapes as a key's parse always has).
//!
//! The body is not checked as UTF-8 before the scan: that was a pass over
//! every byte of every page on the request thread, after the bytes had
//! left its cache. Outside strings only ASCII is JSON, so the scan checks
//! the strings, and only those with a byte above 0x7f (the 16-byte step
//! stops at the first one; 6% of an orders page's strings have one). A
//! body the scan accepts is therefore UTF-8 as a whole.

use serde::de::Error as _;
use std::borrow::Cow;

pub type Result<T> = serde_json::Result<T>;

/// serde_json's whole parse fails at this many nested lists and objects.
const MAX_DEPTH: u32 = 128;

pub struct Scan<'a> {
    text: &'a [u8],
    pos: usize,
    depth: u32,
}

#[cold]
fn malformed<T>(what: &str, at: usize) -> Result<T> {
    Err(serde_json::Error::custom(format!("{what} at byte {at}")))
}

impl<'a> Scan<'a> {
    pub fn new(text: &'a [u8]) -> Scan<'a> {
        Scan {
            text,
            pos: 0,
            depth: 0,
        }
    }

    /// Where the scanner is, in bytes from the start of the text.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// The text between two positions: a value the scan passed is UTF-8
    /// (checked again here, the value's bytes only).
    pub fn slice(&self, start: usize, end: usize) -> Result<&'a str> {
        match utf8(&self.text[start..end]) {
            Some(text) => Ok(text),
            None => malformed("invalid UTF-8", start),
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text
    }

    /// The next byte that is not whitespace (not consumed).
    #[inline]
    pub fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.bytes().get(self.pos) {
            if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    /// Only whitespace is left.
    pub fn end(&mut self) -> Result<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => malformed("trailing characters", self.pos),
        }
    }

    #[inline]
    fn expect(&mut self, b: u8) -> Result<()> {
        if self.peek() != Some(b) {
            return malformed(&format!("expected `{}`", b as char), self.pos);
        }
        self.pos += 1;
        Ok(())
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth >= MAX_DEPTH {
            return malformed("nested too deep", self.pos);
        }
        Ok(())
    }

    /// The elements of a list: `each` is called at each one (with its
    /// index) and must consume it.
    pub fn list(&mut self, mut each: impl FnMut(&mut Self, usize) -> Result<()>) -> Result<()> {
        self.expect(b'[')?;
        self.enter()?;
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            for i in 0.. {
                each(self, i)?;
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b']') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return malformed("expected `,` or `]`", self.pos),
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// The entries of an object: `each` is called with each key (as
    /// unescaped, its UTF-8 bytes) with the scanner at its value, which it
    /// must consume.
    pub fn object(
        &mut self,
        mut each: impl FnMut(&mut Self, Cow<'a, [u8]>) -> Result<()>,
    ) -> Result<()> {
        self.entries(|s, raw, escaped| {
            let key = match escaped {
                true => Cow::Owned(unescaped(raw)?.into_bytes()),
                false => Cow::Borrowed(&raw[1..raw.len() - 1]),
            };
            each(s, key)
        })
    }

    /// `object` with each key as written (quotes included) and whether it
    /// has escapes: a skipped object's keys are checked as any skipped
    /// string is, not unescaped.
    fn entries(
        &mut self,
        mut each: impl FnMut(&mut Self, &'a [u8], bool) -> Result<()>,
    ) -> Result<()> {
        self.expect(b'{')?;
        self.enter()?;
        let b = self.bytes();
        let mut i = blank(b, self.pos);
        if b.get(i) == Some(&b'}') {
            self.pos = i + 1;
        } else {
            loop {
                if b.get(i) != Some(&b'"') {
                    return malformed("expected a key", i);
                }
                let (end, escaped) = string_end(b, i)?;
                let raw = &self.text[i..end];
                i = blank(b, end);
                if b.get(i) != Some(&b':') {
                    return malformed("expected `:`", i);
                }
                self.pos = i + 1;
                each(self, raw, escaped)?;
                i = blank(b, self.pos);
                match b.get(i) {
                    Some(b',') => i = blank(b, i + 1),
                    Some(b'}') => {
                        self.pos = i + 1;
                        break;
                    }
                    _ => return malformed("expected `,` or `}`", i),
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Where the next value starts (whitespace skipped).
    #[inline]
    pub fn start(&mut self) -> Result<usize> {
        match self.peek() {
            Some(_) => Ok(self.pos),
            None => malformed("expected a value", self.pos),
        }
    }

    /// Skips one value; returns its text.
    #[cfg(test)]
    pub fn value(&mut self) -> Result<&'a str> {
        let start = self.start()?;
        self.skip()?;
        self.slice(start, self.pos)
    }

    /// Skips one value (checked as `value` checks it): a scalar here (most
    /// of an object's values), a list or an object by `skip`.
    pub fn skip_value(&mut self) -> Result<()> {
        let b = self.bytes();
        let i = blank(b, self.pos);
        if let Some(b'{' | b'[') = b.get(i) {
            self.pos = i;
            return self.skip();
        }
        self.pos = scalar_end(b, i)?;
        Ok(())
    }

    /// Skips one value, in one loop over its tokens (no call per element,
    /// as `entries` and `list` make): a projection skips most of a page.
    /// It accepts what `entries` and `list` accept, and the nesting depth
    /// counts as theirs does. The place and depth are kept in locals, and
    /// the token steps are functions of the bytes and a place: the loop
    /// then runs in registers.
    fn skip(&mut self) -> Result<()> {
        let b = self.bytes();
        let base = self.depth;
        let mut depth = base;
        let mut i = self.pos;
        // Bit k: whether the container at depth `base + k + 1` is an object.
        let mut objects: u128 = 0;
        loop {
            // At a value.
            i = blank(b, i);
            match b.get(i) {
                Some(&open @ (b'{' | b'[')) => {
                    depth += 1;
                    if depth >= MAX_DEPTH {
                        return malformed("nested too deep", i + 1);
                    }
                    let bit = 1u128 << (depth - base - 1);
                    i = blank(b, i + 1);
                    if open == b'{' {
                        objects |= bit;
                        if b.get(i) != Some(&b'}') {
                            i = key_end(b, i)?;
                            continue;
                        }
                    } else {
                        objects &= !bit;
                        if b.get(i) != Some(&b']') {
                            continue;
                        }
                    }
                    i += 1;
                    depth -= 1;
                }
                _ => i = scalar_end(b, i)?,
            }
            // After a value: close what it ended, or go on to the next one.
            loop {
                if depth == base {
                    self.pos = i;
                    return Ok(());
                }
                let in_object = (objects >> (depth - base - 1)) & 1 == 1;
                i = blank(b, i);
                match (b.get(i), in_object) {
                    (Some(b','), true) => {
                        i = key_end(b, blank(b, i + 1))?;
                        break;
                    }
                    (Some(b','), false) => {
                        i += 1;
                        break;
                    }
                    (Some(b'}'), true) | (Some(b']'), false) => {
                        i += 1;
                        depth -= 1;
                    }
                    (_, true) => return malformed("expected `,` or `}`", i),
                    (_, false) => return malformed("expected `,` or `]`", i),
                }
            }
        }
    }
}

/// Past the whitespace from `i`.
#[inline(always)]
fn blank(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        i += 1;
    }
    i
}

/// Past the string, number, `true`, `false` or `null` at `i`.
#[inline(always)]
fn scalar_end(b: &[u8], i: usize) -> Result<usize> {
    match b.get(i) {
        Some(b'"') => Ok(string_end(b, i)?.0),
        Some(b'-' | b'0'..=b'9') => number_end(b, i),
        Some(b't') => literal_end(b, i, b"true"),
        Some(b'f') => literal_end(b, i, b"false"),
        Some(b'n') => literal_end(b, i, b"null"),
        _ => malformed("expected a value", i),
    }
}

/// Past a skipped object's key (at `i`) and its colon.
#[inline(always)]
fn key_end(b: &[u8], i: usize) -> Result<usize> {
    if b.get(i) != Some(&b'"') {
        return malformed("expected a key", i);
    }
    let i = blank(b, string_end(b, i)?.0);
    match b.get(i) {
        Some(b':') => Ok(i + 1),
        _ => malformed("expected `:`", i),
    }
}

/// Past `true`, `false` or `null` at `i`, compared as a fixed-size array
/// (a slice's comparison is a call to `memcmp`, for each of a page's
/// thousands of literals).
#[inline(always)]
fn literal_end<const N: usize>(b: &[u8], i: usize, word: &[u8; N]) -> Result<usize> {
    let here = b.get(i..i + N);
    if here.and_then(|b| <&[u8; N]>::try_from(b).ok()) != Some(word) {
        let word = String::from_utf8_lossy(word);
        return malformed(&format!("expected `{word}`"), i);
    }
    Ok(i + N)
}

/// Past the number at `i`:
/// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`
#[inline(always)]
fn number_end(b: &[u8], mut i: usize) -> Result<usize> {
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits(b, i),
        _ => return malformed("expected a digit", i),
    }
    if b.get(i) == Some(&b'.') {
        let after = digits(b, i + 1);
        if after == i + 1 {
            return malformed("expected a digit", after);
        }
        i = after;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let after = digits(b, i);
        if after == i {
            return malformed("expected a digit", after);
        }
        i = after;
    }
    Ok(i)
}

/// Past the string whose opening quote is at `i`, and whether it has
/// escapes.
#[inline(always)]
fn string_end(b: &[u8], i: usize) -> Result<(usize, bool)> {
    string_rest::<true>(b, i + 1, false, i + 1)
}

/// The rest of a string, from `i`. `ASCII`: no byte above 0x7f met yet
/// (most strings), and the step stops at the first one, at `wide`: from
/// there the rest is scanned without that stop (`wide_string_rest`), and
/// checked as UTF-8 at the string's end (what came before is ASCII).
#[inline(always)]
fn string_rest<const ASCII: bool>(
    b: &[u8],
    mut i: usize,
    mut escaped: bool,
    wide: usize,
) -> Result<(usize, bool)> {
    loop {
        i = to_special::<ASCII>(b, i);
        match b.get(i) {
            Some(b'"') => {
                if !ASCII && !is_utf8(&b[wide..i]) {
                    return malformed("invalid UTF-8 in a string", wide);
                }
                return Ok((i + 1, escaped));
            }
            Some(b'\\') => {
                escaped = true;
                i = escape(b, i + 1)?;
            }
            Some(0x80..) => return wide_string_rest(b, i, escaped),
            Some(_) => return malformed("a control character in a string", i),
            None => return malformed("an unterminated string", i),
        }
    }
}

#[inline(never)]
fn wide_string_rest(b: &[u8], wide: usize, escaped: bool) -> Result<(usize, bool)> {
    string_rest::<false>(b, wide + 1, escaped, wide)
}

/// `s` as text, if it is UTF-8: `from_utf8` for the few bytes of a value
/// (whose setup costs more than `is_utf8`'s loop on them).
fn utf8(s: &[u8]) -> Option<&str> {
    match is_utf8(s) {
        // SAFETY: `is_utf8` checked that `s` is UTF-8, by the rules
        // `from_utf8` checks (its test holds it to `from_utf8` on every
        // sequence of up to three bytes and on the four-byte ones).
        true => Some(unsafe { std::str::from_utf8_unchecked(s) }),
        false => None,
    }
}

/// Whether `s` is UTF-8 (Unicode's table of well-formed byte sequences:
/// no overlong forms, no surrogates, nothing past U+10FFFF). A string's
/// bytes, a few dozen: `from_utf8`'s setup cost more than this loop.
fn is_utf8(s: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        if c < 0x80 {
            // ASCII, 8 bytes a step while they are.
            i += 1;
            while let Some(word) = s.get(i..i + 8) {
                if u64::from_le_bytes(word.try_into().expect("8 bytes")) & HIGHS != 0 {
                    break;
                }
                i += 8;
            }
            continue;
        }
        // The byte after the first has a narrower range after some firsts.
        let (len, second) = match c {
            0xC2..=0xDF => (2, 0x80..=0xBF),
            0xE0 => (3, 0xA0..=0xBF),
            0xE1..=0xEC | 0xEE..=0xEF => (3, 0x80..=0xBF),
            0xED => (3, 0x80..=0x9F),
            0xF0 => (4, 0x90..=0xBF),
            0xF1..=0xF3 => (4, 0x80..=0xBF),
            0xF4 => (4, 0x80..=0x8F),
            _ => return false,
        };
        let Some(rest) = s.get(i + 1..i + len) else {
            return false;
        };
        if !second.contains(&rest[0]) || !rest[1..].iter().all(|&b| (0x80..=0xBF).contains(&b)) {
            return false;
        }
        i += len;
    }
    true
}

/// A key with escapes (quotes included), unescaped as serde_json's parse
/// of a string unescapes it (the scan found its bytes UTF-8).
#[cold]
fn unescaped(raw: &[u8]) -> Result<String> {
    match std::str::from_utf8(raw) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => malformed("invalid UTF-8 in a key", 0),
    }
}

/// Past the digits from `i`.
#[inline]
fn digits(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

/// Past the escape whose letter is at `i` (after the backslash). A `\u`
/// escape of a UTF-16 surrogate must be a leading one followed by a
/// trailing one, as serde_json's parse of a string requires (it would not
/// parse the field again otherwise).
fn escape(b: &[u8], i: usize) -> Result<usize> {
    match b.get(i) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(i + 1),
        Some(b'u') => match hex4(b, i + 1) {
            Some(0xD800..=0xDBFF) if b.get(i + 5..i + 7) == Some(b"\\u") => match hex4(b, i + 7) {
                Some(0xDC00..=0xDFFF) => Ok(i + 11),
                _ => malformed("a lone surrogate in an escape", i),
            },
            Some(0xD800..=0xDFFF) => malformed("a lone surrogate in an escape", i),
            Some(_) => Ok(i + 5),
            None => malformed("an invalid escape", i),
        },
        _ => malformed("an invalid escape", i),
    }
}

/// The 4 hex digits at `i`, as a number.
fn hex4(b: &[u8], i: usize) -> Option<u16> {
    let digits = std::str::from_utf8(b.get(i..i + 4)?).ok()?;
    match digits.bytes().all(|c| c.is_ascii_hexdigit()) {
        true => u16::from_str_radix(digits, 16).ok(),
        false => None,
    }
}

const ONES: u64 = u64::from_ne_bytes([1; 8]);
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// The first byte from `i` that is a quote, a backslash or a control
/// character, or with `ASCII` also one above 0x7f (part of a character of
/// several bytes), or the end: 16 bytes a step with SSE2 (every x86_64 has
/// it), then 8 a step (`to_special_8`) for the rest, and the rest of the
/// architectures.
#[inline(always)]
fn to_special<const ASCII: bool>(b: &[u8], i: usize) -> usize {
    // SAFETY: SSE2 is part of every x86_64 target's baseline.
    #[cfg(target_arch = "x86_64")]
    let i = match unsafe { sse2::to_special_16::<ASCII>(b, i) } {
        Ok(found) => return found,
        Err(rest) => rest,
    };
    to_special_8::<ASCII>(b, i)
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };

    /// `to_special` 16 bytes a step while 16 are left: where the special
    /// byte is (`Ok`), or where fewer than 16 bytes are left to look at.
    #[inline]
    #[target_feature(enable = "sse2")]
    pub fn to_special_16<const ASCII: bool>(b: &[u8], mut i: usize) -> Result<usize, usize> {
        let quote = _mm_set1_epi8(b'"' as i8);
        let slash = _mm_set1_epi8(b'\\' as i8);
        let below = _mm_set1_epi8(0x1f);
        while let Some(chunk) = b.get(i..i + 16) {
            // SAFETY: `chunk` is 16 readable bytes, and `loadu` reads 16
            // bytes at any alignment.
            let x = unsafe { _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>()) };
            // A control byte is one whose unsigned max with 0x1f is 0x1f.
            let control = _mm_cmpeq_epi8(_mm_max_epu8(x, below), below);
            let mut special = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, slash)),
                control,
            );
            if ASCII {
                // The mask takes each byte's high bit: x's own is set
                // exactly where the byte is above 0x7f.
                special = _mm_or_si128(special, x);
            }
            let found = _mm_movemask_epi8(special) as u32;
            if found != 0 {
                return Ok(i + found.trailing_zeros() as usize);
            }
            i += 16;
        }
        Err(i)
    }
}

/// `to_special` 8 bytes a step (SWAR), then byte by byte.
#[inline]
fn to_special_8<const ASCII: bool>(b: &[u8], mut i: usize) -> usize {
    let high = if ASCII { u64::MAX } else { 0 };
    while let Some(chunk) = b.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        // A byte's high bit is set where it is below 0x20, or equal to `"`
        // or `\\` (the usual "has a zero byte" test on x ^ the byte), or
        // (ASCII) above 0x7f; the lowest flagged byte is always a true one.
        let below = x.wrapping_sub(ONES * 0x20);
        let quote = (x ^ (ONES * b'"' as u64)).wrapping_sub(ONES);
        let slash = (x ^ (ONES * b'\\' as u64)).wrapping_sub(ONES);
        let quote = quote & !(x ^ (ONES * b'"' as u64));
        let slash = slash & !(x ^ (ONES * b'\\' as u64));
        let found = (below & !x | quote | slash | x & high) & HIGHS;
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while b
        .get(i)
        .is_some_and(|&c| c >= 0x20 && c != b'"' && c != b'\\' && (!ASCII || c < 0x80))
    {
        i += 1;
    }
    i
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn skims(text: &str) -> bool {
        skims_bytes(text.as_bytes())
    }

    fn skims_bytes(text: &[u8]) -> bool {
        let mut s = Scan::new(text);
        s.skip_value().is_ok() && s.end().is_ok()
    }

    /// What the whole parse accepts (strings checked as a parse into
    /// values checks them: no lone surrogates).
    fn parses(text: &str) -> bool {
        serde_json::from_str::<serde_json::Value>(text).is_ok()
    }

    #[test]
    fn it_accepts_what_serde_json_accepts_and_nothing_else() {
        let cases = [
            "0",
            "-0",
            "12.50",
            "1e5",
            "1E+5",
            "1e-5",
            "-1.5e10",
            "01",
            "-",
            "1.",
            ".5",
            "+1",
            "1e",
            "1e+",
            "0x1",
            "--1",
            "true",
            "false",
            "null",
            "tru",
            "nul",
            "truex",
            "True",
            r#""""#,
            r#""a""#,
            r#""a\"b""#,
            r#""\\""#,
            r#""\/""#,
            r#""\b\f\n\r\t""#,
            r#""\u00e9""#,
            r#""\ud83d\ude00""#,
            r#""\ud83d""#,
            r#""\ude00""#,
            r#""\ud83d\u0041""#,
            r#""\ud83dx""#,
            r#""\ud83d\n""#,
            r#""\uDBFF\uDFFF""#,
            r#""\ud83d\ud83d\ude00""#,
            r#""\ud83d\u""#,
            r#""\u00G9""#,
            r#""\u00e""#,
            r#""\x""#,
            r#""\""#,
            "\"a\nb\"",
            "\"a\tb\"",
            "\"\u{7f}\"",
            "\"é, ☃, 😀\"",
            r#""unterminated"#,
            "[]",
            "[ ]",
            "[1,]",
            "[,1]",
            "[1 2]",
            "[[[]]]",
            "{}",
            r#"{"a":1}"#,
            r#"{"a" : [1, {"b": null}] }"#,
            r#"{"a":1,}"#,
            r#"{a:1}"#,
            r#"{"a" 1}"#,
            r#"{"a":}"#,
            r#"{"\u0041":1}"#,
            r#"{"\ud800":1}"#,
            r#"{"\u00":1}"#,
            r#"{1:2}"#,
            "  [1] ",
            "[1] x",
            "[1]]",
            "",
            " ",
            "[",
            "{",
            "\"0123456789abcdef\\\"0123456789abcdef\"",
            "\"0123456789abcdef\u{1}0123\"",
            r#"{"a":{"b":[1,{"c":[]}]},"d":[{}],"e":{"f":{"g":"h"}}}"#,
            r#"[{"a":[1,2,{"b":"c"}],"x":{}}, [], {}, [[]], [{}]]"#,
            r#"{"a":[}"#,
            r#"[{"a":1]"#,
            r#"[{]"#,
            r#"[}"#,
            r#"{]"#,
            r#"{"a":1 "b":2}"#,
            r#"[1,,2]"#,
            r#"{"a":1,,"b":2}"#,
            r#"{,}"#,
            r#"{"a":[1],}"#,
            r#"[[1],]"#,
            r#"{"a":{"b":1}}}"#,
            r#"[[1]]]"#,
            r#"{"a":{"b":1}"#,
            r#"{"a":[{"b":tru}]}"#,
            r#"{"a":[{"b":-}]}"#,
            r#"{"a":[{"b":"x\q"}]}"#,
            r#"{"a":[{"b":1}],"c":{"d":[null,true,false,-0.5e-3]}}"#,
            r#"{"a" "b"}"#,
            r#"{"a"::1}"#,
            r#"{"a":1:2}"#,
            r#"[1:2]"#,
        ];
        for text in cases {
            assert_eq!(skims(text), parses(text), "{text:?}");
        }
    }

    /// Past both the 16-byte and the 8-byte steps, and among characters
    /// of several bytes (whose bytes are above 0x7f: not control bytes,
    /// though signed they would be below 0x20).
    #[test]
    fn every_byte_of_a_string_is_checked_at_every_alignment() {
        for filler in ['a', 'é', '😀'] {
            for len in 0..40 {
                for at in 0..len {
                    for c in [
                        '"', '\\', '\0', '\u{1}', '\u{1f}', ' ', '\u{7f}', 'ÿ', '!', '[', ']',
                    ] {
                        let mut chars = vec![filler; len];
                        chars[at] = c;
                        let text = format!("\"{}\"", chars.into_iter().collect::<String>());
                        assert_eq!(skims(&text), parses(&text), "{text:?}");
                    }
                }
            }
        }
    }

    /// A page-like text: nested objects and lists, every kind of scalar,
    /// escapes, characters of several bytes, whitespace.
    pub(crate) const SAMPLE: &str = r#"[{"order": {"id": 1, "total": 90.97, "neg": -0.5e-3, "ok": true,
        "no": false, "none": null, "status_enum": "paid", "note": "tab\there \"q\" \u00e9\ud83d\ude00 é 😀",
        "customer": {"id": 143, "email": "a@b.cl", "tags": ["x", "y", []], "deep": [[{"k": [1, {}]}]]},
        "products": [{"id": 61, "qty": 1, "price": 63.95, "taxes": [{"rate": 0.19, "fixed": false}]}],
        "empty": {}, "list": [ ], "slash": "a\/b\\c"}},
       {"order": {"id": 2, "total": 1E+2, "created_at": "2024-01-01 05:30:45 UTC"}}]"#;

    /// Random edits of SAMPLE, one to three each, in the characters JSON
    /// cares about: every mutant is accepted by the scan exactly when the
    /// whole parse accepts it.
    pub(crate) fn mutants(count: usize) -> impl Iterator<Item = String> {
        const PIECES: &[&str] = &[
            "\"", "\\", "{", "}", "[", "]", ":", ",", " ", "0", "1", "-", ".", "e", "+", "t", "n",
            "u", "\n", "\u{1}", "\u{1f}", "é", "😀", "\\u", "d8", "\\ud83d", "true", "null", "",
        ];
        let chars: Vec<char> = SAMPLE.chars().collect();
        let mut below = crate::testing::below(0x9E37_79B9_7F4A_7C15);
        let mut next = move |n: usize| below(n as u64) as usize;
        (0..count).map(move |_| {
            let mut c = chars.clone();
            for _ in 0..1 + next(3) {
                let at = next(c.len());
                let piece: Vec<char> = PIECES[next(PIECES.len())].chars().collect();
                match next(3) {
                    0 => {
                        c.splice(at..at + 1, piece);
                    }
                    1 => {
                        c.splice(at..at, piece);
                    }
                    _ => {
                        c.remove(at);
                    }
                }
            }
            c.into_iter().collect()
        })
    }

    #[test]
    fn random_edits_of_a_page_are_accepted_exactly_when_the_whole_parse_accepts_them() {
        assert!(skims(SAMPLE) && parses(SAMPLE));
        let mut accepted = 0;
        for text in mutants(20_000) {
            let ok = parses(&text);
            assert_eq!(skims(&text), ok, "{text}");
            accepted += ok as usize;
        }
        // Enough of both kinds for the comparison to mean something.
        assert!((500..19_500).contains(&accepted), "{accepted} accepted");
    }

    /// Bytes that are not UTF-8 (a lone continuation byte, a truncated
    /// character, an overlong form, an encoded surrogate, bytes never in
    /// UTF-8), put at every place of SAMPLE in turn, inside strings and
    /// out, and a valid character of several bytes likewise: the scan
    /// accepts the bytes exactly when they are UTF-8 and the whole parse
    /// accepts that text.
    #[test]
    fn bytes_that_are_not_utf8_are_refused_wherever_they_are() {
        let bad: [&[u8]; 7] = [
            b"\x80",
            b"\xc3",
            b"\xe2\x98",
            b"\xc0\x80",
            b"\xed\xa0\x80",
            b"\xff",
            b"\xf8\x88\x80\x80\x80",
        ];
        let pieces = || bad.iter().copied().chain(["é☃😀".as_bytes()]);
        let agree = |b: &[u8]| {
            let whole = std::str::from_utf8(b).is_ok_and(parses);
            assert_eq!(skims_bytes(b), whole, "{}", String::from_utf8_lossy(b));
            whole
        };
        let sample = SAMPLE.as_bytes();
        let mut accepted = 0;
        for at in 0..=sample.len() {
            for piece in pieces() {
                accepted += agree(&[&sample[..at], piece, &sample[at..]].concat()) as usize;
            }
        }
        assert!(accepted > 100, "{accepted} accepted");
        // At every alignment against the 16-byte step, in a long string,
        // before and after an escape.
        for len in 0..48 {
            for at in 0..=len {
                for piece in pieces() {
                    for escape in ["", "\\n"] {
                        let a = "a".repeat(at);
                        let z = "z".repeat(len - at);
                        let b = [
                            b"[\"",
                            escape.as_bytes(),
                            a.as_bytes(),
                            piece,
                            z.as_bytes(),
                            b"\", 1]",
                        ];
                        agree(&b.concat());
                    }
                }
            }
        }
    }

    /// `is_utf8` is `from_utf8` on every sequence of one to three bytes
    /// (alone and among ASCII, and after 8 ASCII bytes, the word step's
    /// size), and on the four-byte ones that start at 0xEF or above with
    /// the other bytes around the continuation range (0x70 to 0xC0).
    #[test]
    fn the_utf8_check_is_the_standard_one() {
        let check = |b: &[u8]| assert_eq!(is_utf8(b), std::str::from_utf8(b).is_ok(), "{b:x?}");
        for x in 0..=255u8 {
            check(&[x]);
            for y in 0..=255u8 {
                check(&[x, y]);
                check(&[b'a', x, y, b'z']);
                check(&[b'0', b'1', b'2', b'3', b'4', b'5', b'6', b'7', b'8', x, y]);
                for z in 0..=255u8 {
                    check(&[x, y, z]);
                }
            }
        }
        for w in 0xEF..=255u8 {
            for x in 0x70..=0xC0u8 {
                for y in 0x70..=0xC0u8 {
                    for z in 0x70..=0xC0u8 {
                        check(&[w, x, y, z]);
                    }
                }
            }
        }
    }

    #[test]
    fn nesting_deeper_than_the_whole_parse_allows_is_an_error() {
        for depth in [1, 100, 126, 127, 128, 129, 500] {
            let lists = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
            for text in [lists, objects] {
                let whole = serde_json::from_str::<serde_json::Value>(&text).is_ok();
                assert_eq!(skims(&text), whole, "depth {depth}");
            }
        }
    }

    #[test]
    fn entries_keys_and_values_come_out_as_written() {
        let text = r#" { "a" : [1, "x"] , "b\"c": {"d": -1.5e3}, "é": "\u00e9" } "#;
        let mut seen = Vec::new();
        let mut s = Scan::new(text.as_bytes());
        s.object(|s, key| {
            let key = String::from_utf8(key.into_owned()).unwrap();
            seen.push((key, s.value()?.to_string()));
            Ok(())
        })
        .unwrap();
        s.end().unwrap();
        assert_eq!(
            seen,
            [
                ("a".to_string(), r#"[1, "x"]"#.to_string()),
                ("b\"c".to_string(), r#"{"d": -1.5e3}"#.to_string()),
                ("é".to_string(), r#""\u00e9""#.to_string()),
            ]
        );
    }
}

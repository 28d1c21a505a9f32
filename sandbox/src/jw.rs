//! A tiny compact-JSON text writer. Output is byte-for-byte what `serde_json::to_vec` gives for
//! the same `Value` (same string escaping, numbers written as their decimal text), so records can
//! be generated straight into a response buffer; the `Value` forms in `data.rs` are parsed back
//! from this text (with `arbitrary_precision` the numbers keep their exact text).

use serde_json::Value;
use std::fmt::Write as _;

pub struct W {
    pub buf: Vec<u8>,
    comma: bool,
    scratch: String,
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl W {
    pub fn with_capacity(n: usize) -> W {
        W {
            buf: Vec::with_capacity(n),
            comma: false,
            scratch: String::new(),
        }
    }
    #[inline]
    fn pre(&mut self) {
        if self.comma {
            self.buf.push(b',');
        }
    }
    /// `"k":` (keys are plain ASCII identifiers; no escaping needed)
    #[inline]
    pub fn key(&mut self, k: &str) -> &mut W {
        self.pre();
        self.buf.push(b'"');
        self.buf.extend_from_slice(k.as_bytes());
        self.buf.extend_from_slice(b"\":");
        self.comma = false;
        self
    }
    /// after truncating `buf` by hand: whether the next value needs a leading comma
    pub fn set_comma(&mut self, c: bool) {
        self.comma = c;
    }
    #[inline]
    pub fn obj(&mut self) -> &mut W {
        self.pre();
        self.buf.push(b'{');
        self.comma = false;
        self
    }
    #[inline]
    pub fn end_obj(&mut self) {
        self.buf.push(b'}');
        self.comma = true;
    }
    #[inline]
    pub fn arr(&mut self) -> &mut W {
        self.pre();
        self.buf.push(b'[');
        self.comma = false;
        self
    }
    #[inline]
    pub fn end_arr(&mut self) {
        self.buf.push(b']');
        self.comma = true;
    }
    /// an empty array `[]`
    #[inline]
    pub fn empty_arr(&mut self) {
        self.pre();
        self.buf.extend_from_slice(b"[]");
        self.comma = true;
    }
    #[inline]
    pub fn null(&mut self) {
        self.pre();
        self.buf.extend_from_slice(b"null");
        self.comma = true;
    }
    #[inline]
    pub fn bool(&mut self, b: bool) {
        self.pre();
        self.buf
            .extend_from_slice(if b { b"true" } else { b"false" });
        self.comma = true;
    }
    #[inline]
    pub fn u64(&mut self, n: u64) {
        self.pre();
        push_u64(&mut self.buf, n);
        self.comma = true;
    }
    #[inline]
    pub fn i64(&mut self, n: i64) {
        self.pre();
        if n < 0 {
            self.buf.push(b'-');
        }
        push_u64(&mut self.buf, n.unsigned_abs());
        self.comma = true;
    }
    #[inline]
    pub fn opt_u64(&mut self, n: Option<u64>) {
        match n {
            Some(n) => self.u64(n),
            None => self.null(),
        }
    }
    /// a number given as its exact decimal text (e.g. "12.99")
    #[inline]
    pub fn num(&mut self, text: &str) {
        self.pre();
        self.buf.extend_from_slice(text.as_bytes());
        self.comma = true;
    }
    /// a number formatted in place (e.g. `format_args!("{}.{:03}", a, b)`)
    pub fn num_fmt(&mut self, a: std::fmt::Arguments) {
        self.pre();
        self.scratch.clear();
        let _ = self.scratch.write_fmt(a);
        self.buf.extend_from_slice(self.scratch.as_bytes());
        self.comma = true;
    }
    /// money in cents as an exact decimal number: 1299 -> 12.99, 199905 -> 1999.05, 2999000 -> 29990
    pub fn money(&mut self, cents: i64) {
        self.pre();
        let c = cents.unsigned_abs();
        let (whole, frac) = (c / 100, c % 100);
        if cents < 0 {
            self.buf.push(b'-');
        }
        push_u64(&mut self.buf, whole);
        if frac != 0 {
            self.buf.push(b'.');
            if frac % 10 == 0 {
                self.buf.push(b'0' + (frac / 10) as u8);
            } else {
                self.buf.push(b'0' + (frac / 10) as u8);
                self.buf.push(b'0' + (frac % 10) as u8);
            }
        }
        self.comma = true;
    }
    #[inline]
    pub fn str(&mut self, s: &str) {
        self.pre();
        self.buf.push(b'"');
        escape_into(&mut self.buf, s);
        self.buf.push(b'"');
        self.comma = true;
    }
    #[inline]
    pub fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.null(),
        }
    }
    /// a string formatted in place (e.g. `format_args!("SKU-{:06}", id)`)
    pub fn str_fmt(&mut self, a: std::fmt::Arguments) {
        self.pre();
        self.scratch.clear();
        let _ = self.scratch.write_fmt(a);
        self.buf.push(b'"');
        escape_into(&mut self.buf, &self.scratch);
        self.buf.push(b'"');
        self.comma = true;
    }
    /// start a string value whose pieces are added with `str_piece`, closed with `end_str`
    #[inline]
    pub fn begin_str(&mut self) {
        self.pre();
        self.buf.push(b'"');
    }
    #[inline]
    pub fn str_piece(&mut self, s: &str) {
        escape_into(&mut self.buf, s);
    }
    #[inline]
    pub fn end_str(&mut self) {
        self.buf.push(b'"');
        self.comma = true;
    }
    /// a serde_json value (serialised by serde_json itself)
    pub fn value(&mut self, v: &Value) {
        self.pre();
        serde_json::to_writer(&mut self.buf, v).expect("serialise");
        self.comma = true;
    }
    /// parse what was written back into a `Value` (numbers keep their text)
    pub fn into_value(self) -> Value {
        serde_json::from_slice(&self.buf).expect("generated JSON parses")
    }
}

#[inline]
fn push_u64(buf: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}

/// serde_json's escaping: `"` `\` and control characters; everything else verbatim (UTF-8)
#[inline]
pub fn escape_into(buf: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        if c >= 0x20 && c != b'"' && c != b'\\' {
            continue;
        }
        buf.extend_from_slice(&b[start..i]);
        match c {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            0x08 => buf.extend_from_slice(b"\\b"),
            0x0c => buf.extend_from_slice(b"\\f"),
            c => buf.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(c >> 4) as usize],
                HEX[(c & 0xf) as usize],
            ]),
        }
        start = i + 1;
    }
    buf.extend_from_slice(&b[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_serde_json() {
        let samples = [
            "plain",
            "quote \" back \\ slash",
            "nl\ncr\rtab\tbs\u{8}ff\u{c}nul\u{0}us\u{1f}del\u{7f}",
            "ñ 🎉 中",
            "",
        ];
        for s in samples {
            let mut w = W::with_capacity(16);
            w.str(s);
            assert_eq!(w.buf, serde_json::to_vec(s).unwrap(), "{:?}", s);
        }
    }

    #[test]
    fn money_matches_data_money() {
        for c in [
            0i64,
            5,
            10,
            99,
            100,
            1299,
            1990,
            199905,
            2999000,
            -5,
            -10,
            -1299,
            -100,
            i64::MAX / 3,
        ] {
            let mut w = W::with_capacity(16);
            w.money(c);
            assert_eq!(
                w.buf,
                serde_json::to_vec(&crate::data::money(c)).unwrap(),
                "{}",
                c
            );
        }
    }
}

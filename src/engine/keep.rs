//! A page decoded straight from the response text, keeping only the fields
//! the statement reads. A whole-table scan of Orders for four columns then
//! builds four values an order instead of a tree of every field (which is
//! most of the CPU of a scan, and most of the memory of the pages held):
//! the other fields are skipped by the parser without being built.
//!
//! A kept field is held as its JSON text (parsed into the same
//! `serde_json::Value` a whole parse builds only when something asks for
//! the field as JSON), and the columns the statement reads in it are
//! decoded by their types straight from that text (`typed.rs`), so xColumn
//! hands SQLite a value already decoded and no JSON tree is built for
//! them. Anything of another shape than a list of objects (an error body,
//! a bare object, items that are not objects) is left to the whole parse,
//! which knows what to say about it.
//!
//! Pages are memoised by path and kept fields (`tag`): a page decoded for
//! another statement reading the same fields may have typed other columns;
//! a column it did not type is read from the field's JSON (`Record::lookup`
//! and `decode`), the same value by another way.

use super::record::Kept;
use super::scan::Scan;
use super::typed::{walk, Cell, Node};
use super::value::Value;
use crate::schema::SqlType;
use serde::de::Error as _;
use serde_json::Value as Json;
use std::borrow::Cow;
use std::sync::Arc;

/// The top-level fields kept of each object (of the object inside its
/// wrapper, `{"order": {...}}`), sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keep {
    fields: Vec<String>,
    /// Names the kept fields in the page memo's key: pages of one path
    /// decoded for different statements are different pages.
    tag: String,
    /// Where each column of the scanned table finds its value (by the
    /// column's index), so that reading a column searches nothing.
    slots: Vec<Option<Slot>>,
    /// For each kept field, the columns read in it, decoded by type when
    /// a page is (`typed.rs`).
    typed: Vec<Node>,
    /// How many typed values an object holds.
    typed_len: usize,
    /// Bit `n` set when a kept field's name is `n` bytes long (names of 63
    /// bytes or more set bit 63): most keys of a page are not kept, and
    /// most are told so by their length, before any comparison.
    lengths: u64,
}

/// A column's value in a kept object: the kept field its path starts at,
/// where the rest of its dotted path begins (0: the path is the field), and
/// for a column read by the statement, its typed value's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub field: usize,
    pub rest: usize,
    pub value: Option<usize>,
}

impl Keep {
    pub fn new(fields: impl IntoIterator<Item = String>) -> Keep {
        let mut fields: Vec<String> = fields.into_iter().collect();
        fields.sort();
        fields.dedup();
        let tag = fields.join(",");
        let typed = vec![Node::default(); fields.len()];
        let lengths = fields.iter().fold(0, |m, f| m | length_bit(f));
        Keep {
            fields,
            tag,
            slots: Vec::new(),
            typed,
            typed_len: 0,
            lengths,
        }
    }

    /// The slots of the scanned table's columns, given their JSON paths
    /// in column order and, for the columns the statement reads, their
    /// types (those are decoded by type with the page); a column whose path
    /// starts at no kept field (the parent's fields, the position) has none.
    pub fn with_columns<'a>(
        mut self,
        columns: impl IntoIterator<Item = (&'a str, Option<SqlType>)>,
    ) -> Keep {
        let mut slots = Vec::new();
        for (path, read) in columns {
            let (first, rest) = match path.split_once('.') {
                Some((first, _)) => (first, first.len() + 1),
                None => (path, 0),
            };
            let slot = self.position(first).map(|field| Slot {
                field,
                rest,
                value: read.map(|ty| self.add_typed(field, &path[rest..], rest, ty)),
            });
            slots.push(slot);
        }
        self.slots = slots;
        self
    }

    /// A typed column in `field`, `below` its path under it (`rest` 0: the
    /// field itself); its value's place.
    fn add_typed(&mut self, field: usize, below: &str, rest: usize, ty: SqlType) -> usize {
        let at = self.typed_len;
        let below: Vec<&str> = match rest {
            0 => Vec::new(),
            _ => below.split('.').collect(),
        };
        self.typed[field].add(&below, at, ty);
        self.typed_len += 1;
        at
    }

    /// An object of this keep from its kept fields' spans in `text`
    /// (`fields[i]` is field `i`'s) and its read columns' values, a text
    /// one as a span of `text` until here: the kept text lays the present
    /// fields' texts end to end, in this order, so a span moves by where
    /// its field lands.
    fn object(
        self: &Arc<Keep>,
        text: &[u8],
        fields: &[Option<(usize, usize)>],
        mut cells: Vec<Cell>,
    ) -> serde_json::Result<Kept> {
        let mut at = 0;
        for (field, node) in fields.iter().zip(&self.typed) {
            let Some((start, end)) = *field else { continue };
            for &place in node.places() {
                if let Cell::Span(a, b) = &mut cells[place] {
                    // In range: `leaf` made both from positions of `text`.
                    *a = (*a as usize - start + at) as u32;
                    *b = (*b as usize - start + at) as u32;
                }
            }
            at += end - start;
        }
        let raw: Vec<Option<&[u8]>> = fields.iter().map(|f| f.map(|(a, b)| &text[a..b])).collect();
        Kept::new(self.clone(), &raw, cells.into_boxed_slice())
            .ok_or_else(|| serde_json::Error::custom("invalid UTF-8 in a kept field"))
    }

    /// Where column `column` finds its value, when known.
    pub fn slot(&self, column: usize) -> Option<Slot> {
        self.slots.get(column).copied().flatten()
    }

    /// Where `field` is among the kept fields.
    pub fn position(&self, field: &str) -> Option<usize> {
        self.position_of(field.as_bytes())
    }

    /// `position` of a name as the scan reads it, UTF-8 bytes.
    fn position_of(&self, field: &[u8]) -> Option<usize> {
        if self.lengths & length_bit(field) == 0 {
            return None;
        }
        self.fields
            .binary_search_by(|f| f.as_bytes().cmp(field))
            .ok()
    }

    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn tag(&self) -> &str {
        &self.tag
    }
}

fn length_bit(name: impl AsRef<[u8]>) -> u64 {
    let name = name.as_ref();
    1 << name.len().min(63)
}

/// A body as decoded: the kept objects of a list, or the whole JSON of a
/// body of any other shape.
pub enum Decoded {
    Kept(Vec<Kept>),
    Whole(Json),
}

/// Decodes a body: a list of objects keeps `keep`'s fields of each (inside
/// `wrapper` where an object has it); any other shape is parsed whole.
/// The body is bytes as they came: the scan checks them as UTF-8 (see
/// `scan.rs`); the whole parse reads them as text with bad bytes replaced,
/// as the client reads any other body.
pub fn decode(body: &[u8], wrapper: Option<&str>, keep: &Arc<Keep>) -> serde_json::Result<Decoded> {
    if body.trim_ascii_start().starts_with(b"[") {
        if let Ok(items) = kept_items(body, wrapper, keep) {
            return Ok(Decoded::Kept(items));
        }
    }
    whole(body).map(Decoded::Whole)
}

/// A body parsed whole, as text with bad bytes replaced (as the client
/// reads any other body).
pub fn whole(body: &[u8]) -> serde_json::Result<Json> {
    serde_json::from_str(&String::from_utf8_lossy(body))
}

/// The kept objects of a list of objects, in one scan of the text.
fn kept_items(
    text: &[u8],
    wrapper: Option<&str>,
    keep: &Arc<Keep>,
) -> serde_json::Result<Vec<Kept>> {
    let mut s = Scan::new(text);
    let mut page = Items {
        text,
        keep,
        known: Vec::new(),
    };
    let mut items = Vec::with_capacity(100);
    s.list(|s, _| {
        items.push(page.item(s, wrapper)?);
        Ok(())
    })?;
    s.end()?;
    Ok(items)
}

/// A page being scanned, and where each key was found among the kept
/// fields, by its place in its object.
struct Items<'a, 'k> {
    text: &'a [u8],
    keep: &'k Arc<Keep>,
    known: Vec<(&'a [u8], Option<usize>)>,
}

impl<'a> Items<'a, '_> {
    /// Where `key`, the `n`th of its object, is among the kept fields. The
    /// objects of a page write their keys in one order, so this is mostly
    /// one comparison with the key met at the same place before.
    fn position(&mut self, n: usize, key: Cow<'a, [u8]>) -> Option<usize> {
        if self.keep.lengths & length_bit(&key) == 0 {
            return None;
        }
        if let Some(&(k, at)) = self.known.get(n) {
            if k == key.as_ref() {
                return at;
            }
        }
        let at = self.keep.position_of(&key);
        if let Cow::Borrowed(k) = key {
            if n < self.known.len() {
                self.known[n] = (k, at);
            } else if n == self.known.len() {
                self.known.push((k, at));
            }
        }
        at
    }

    /// One item of the list: an object, unwrapped where it has the
    /// wrapper; its kept fields' read columns decoded as the scanner
    /// passes them.
    fn item(&mut self, s: &mut Scan<'a>, wrapper: Option<&str>) -> serde_json::Result<Kept> {
        let keep = self.keep;
        let mut fields = vec![None; keep.len()];
        let mut cells: Vec<Cell> = (0..keep.typed_len)
            .map(|_| Cell::Value(Value::Null))
            .collect();
        let mut inner = None;
        let mut n = 0;
        s.object(|s, key| {
            n += 1;
            if wrapper.map(str::as_bytes) == Some(key.as_ref()) {
                // As a whole parse unwraps: the last one wins.
                inner = Some(self.item(s, None)?);
            } else if let Some(at) = self.position(n - 1, key).filter(|_| inner.is_none()) {
                // A repeated key: the last one wins, as in a whole parse.
                let node = &keep.typed[at];
                for &place in node.places() {
                    cells[place] = Cell::Value(Value::Null);
                }
                let start = s.start()?;
                walk(s, node, &mut cells)?;
                fields[at] = Some((start, s.pos()));
            } else {
                s.skip_value()?;
            }
            Ok(())
        })?;
        match inner {
            Some(inner) => Ok(inner),
            None => keep.object(self.text, &fields, cells),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::record::Record;

    fn keep(fields: &[&str]) -> Arc<Keep> {
        Arc::new(Keep::new(fields.iter().map(|f| f.to_string())))
    }

    fn kept(text: &str, wrapper: Option<&str>, k: &Arc<Keep>) -> Vec<Record> {
        match decode(text.as_bytes(), wrapper, k).unwrap() {
            Decoded::Kept(items) => items.into_iter().map(Record::Kept).collect(),
            Decoded::Whole(j) => panic!("parsed whole: {j}"),
        }
    }

    #[test]
    fn only_kept_fields_are_decoded_and_values_are_exact() {
        let text = r#"[{"order": {"id": 1, "total": 12.10, "big": 12345678901234567.25,
            "x": {"deep": [1, 2]}, "status": "Paid", "t\u0065xt": "é", "id": 2}}]"#;
        let k = keep(&["id", "total", "big", "text"]);
        let items = kept(text, Some("order"), &k);
        let whole: Json = serde_json::from_str(text).unwrap();
        let o = &whole[0]["order"];
        assert_eq!(items.len(), 1);
        for f in ["id", "total", "big", "text"] {
            assert_eq!(items[0].get(f), o.get(f), "{f}");
        }
        // A repeated key: the last one, as the whole parse.
        assert_eq!(items[0].get("id"), Some(&Json::from(2)));
        // Numbers keep their JSON text.
        assert_eq!(items[0].lookup("total").to_string(), "12.10");
        assert!(items[0].get("status").is_none());
        assert!(items[0].get("x").is_none());
    }

    #[test]
    fn an_item_without_the_wrapper_is_kept_as_it_is() {
        let items = kept(
            r#"[{"id": 2, "name": "a"}, {"order": {"id": 3}, "id": 9}]"#,
            Some("order"),
            &keep(&["id"]),
        );
        assert_eq!(
            Json::Object(items[0].to_map()),
            serde_json::json!({"id": 2})
        );
        assert_eq!(items[1].get("id"), Some(&Json::from(3)));
    }

    #[test]
    fn other_shapes_are_parsed_whole() {
        let k = keep(&["id"]);
        for text in [
            r#"{"message": "no"}"#,
            "[1, 2]",
            r#"[{"order": 5}]"#,
            "[]  ",
        ] {
            match decode(text.as_bytes(), Some("order"), &k).unwrap() {
                Decoded::Whole(j) => assert_eq!(j, serde_json::from_str::<Json>(text).unwrap()),
                Decoded::Kept(items) => assert!(items.is_empty() && text.starts_with("[]")),
            }
        }
        assert!(decode(b"[{\"id\": 1}", None, &k).is_err(), "truncated text");
    }

    /// The scan-once walk of nested objects: every column, typed as the
    /// page is scanned, is what the whole parse's lookup decodes, with
    /// escapes, unicode, nulls, lists, repeated and missing keys.
    #[test]
    fn nested_columns_are_decoded_in_the_one_scan_as_the_whole_parse() {
        use crate::engine::value::{decode as decode_value, lookup};
        let text = r#"[{"order": {"id": 1, "a": {"s": "x\"y", "u": "\u00e9t\u00e9 ☃",
              "n": null, "d": "2026-07-23 17:48:38 UTC", "m": "12.50", "k": {"z": [1]}},
              "l": [{"s": "first"}, {"s": "second"}], "skip": {"deep": [[{"s": 1}]]}}},
            {"order": {"id": 2, "a": null, "l": [], "a": {"s": "again"}}},
            {"order": {"id": 3, "a": {"s": "one", "s": "two"}, "l": "no list"}},
            {"id": 4, "a": {"\u0073": "escaped key"}}]"#;
        let paths = [
            "id", "a.s", "a.u", "a.n", "a.d", "a.m", "a.k", "a.k.z", "a.none", "l.s", "l",
        ];
        let types = [
            SqlType::BigInt,
            SqlType::WVarchar(20),
            SqlType::Timestamp,
            SqlType::Decimal(19, 4),
        ];
        let whole: Json = serde_json::from_str(text).unwrap();
        for ty in types {
            let fields = paths
                .iter()
                .map(|p| p.split('.').next().unwrap().to_string());
            let k = Arc::new(Keep::new(fields).with_columns(paths.iter().map(|p| (*p, Some(ty)))));
            let Decoded::Kept(items) = decode(text.as_bytes(), Some("order"), &k).unwrap() else {
                panic!("parsed whole")
            };
            assert_eq!(items.len(), 4);
            for (item, json) in items.iter().zip(whole.as_array().unwrap()) {
                let obj = json.get("order").unwrap_or(json);
                for (i, p) in paths.iter().enumerate() {
                    let typed = item.column(i).map(Value::from);
                    assert_eq!(
                        typed,
                        Some(decode_value(lookup(obj, p), ty)),
                        "{p} as {ty:?} in {obj}"
                    );
                }
            }
        }
    }

    /// The page decode keeps fields (and their typed columns) as it scans:
    /// a random edit of a page gives rows only when the whole parse would.
    #[test]
    fn random_edits_of_a_page_give_rows_only_when_the_whole_parse_would() {
        use crate::engine::scan::tests::{mutants, SAMPLE};
        let k = Arc::new(
            Keep::new(["id", "total", "customer", "note"].map(String::from)).with_columns([
                ("id", Some(SqlType::BigInt)),
                ("total", Some(SqlType::Decimal(19, 4))),
                ("customer.email", Some(SqlType::WVarchar(99))),
                ("note", Some(SqlType::WVarchar(99))),
            ]),
        );
        assert!(kept_items(SAMPLE.as_bytes(), Some("order"), &k).is_ok());
        for text in mutants(5_000) {
            let whole = serde_json::from_str::<Json>(&text).is_ok();
            if kept_items(text.as_bytes(), Some("order"), &k).is_ok() {
                assert!(whole, "rows from a page the whole parse refuses: {text}");
            }
        }
    }

    /// A body that is not UTF-8 is read as any other body is read as
    /// text (bad bytes replaced), by the whole parse: the rows the scan of
    /// that text gave when the client made it before the scan.
    #[test]
    fn a_body_that_is_not_utf8_is_read_as_text_with_bad_bytes_replaced() {
        let k = keep(&["id", "name"]);
        let body = b"[{\"id\": 1, \"name\": \"a\xffb\"}, {\"id\": 2, \"x\": \"\xc3\"}]";
        let Decoded::Whole(whole) = decode(body, None, &k).unwrap() else {
            panic!("kept from bytes that are not UTF-8")
        };
        let lossy = String::from_utf8_lossy(body);
        assert_eq!(whole, serde_json::from_str::<Json>(&lossy).unwrap());
        assert_eq!(whole[0]["name"], "a\u{fffd}b");
        let kept = kept(&lossy, None, &k);
        assert_eq!(kept[0].lookup("name"), &whole[0]["name"]);
    }

    #[test]
    fn a_malformed_page_is_an_error_never_rows() {
        let k = Arc::new(
            Keep::new(["a".to_string()]).with_columns([("a.s", Some(SqlType::WVarchar(9)))]),
        );
        for text in [
            r#"[{"a": {"s": "x"}}"#,
            r#"[{"a": {"s": "x"}]"#,
            r#"[{"a": {"s": "x\q"}}]"#,
            r#"[{"a": {"s": "x"}, "b": [1 2]}]"#,
            r#"[{"a": {"s": "x"}, "b": tru}]"#,
            r#"[{"a": {"s": "x"}, "b": 01}]"#,
            "[{\"a\": {\"s\": \"x\ny\"}}]",
            r#"[{"a": {"s": "x"}}] x"#,
            r#"[{"a": {"s": "x"},}]"#,
        ] {
            assert!(decode(text.as_bytes(), None, &k).is_err(), "{text}");
        }
    }
}

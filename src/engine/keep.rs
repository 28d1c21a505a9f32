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
use super::typed::{walk, Cell, Node, Out};
use super::value::Value;
use crate::schema::SqlType;
use serde::de::{
    DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::value::RawValue;
use serde_json::Value as Json;
use std::borrow::Cow;
use std::fmt;
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
        Keep {
            fields,
            tag,
            slots: Vec::new(),
            typed,
            typed_len: 0,
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

    /// An object of this keep from its kept fields' JSON texts (`raw[i]`
    /// is field `i`'s), its read columns decoded by type.
    fn object(self: &Arc<Keep>, raw: &[Option<&RawValue>]) -> serde_json::Result<Kept> {
        let raw: Vec<Option<&str>> = raw.iter().map(|r| r.map(RawValue::get)).collect();
        let mut cells = vec![Cell::Value(Value::Null); self.typed_len];
        // Where each field's text will start in the kept text (`Kept::new`
        // lays the present fields' texts end to end, in this order).
        let mut at = 0;
        for (field, node) in raw.iter().zip(&self.typed) {
            let Some(text) = field else { continue };
            if !node.is_empty() {
                let base = text.as_ptr() as usize;
                let cells = &mut cells[..];
                walk(text, node, &mut Out { cells, base, at })?;
            }
            at += text.len();
        }
        Ok(Kept::new(self.clone(), &raw, cells.into_boxed_slice()))
    }

    /// Where column `column` finds its value, when known.
    pub fn slot(&self, column: usize) -> Option<Slot> {
        self.slots.get(column).copied().flatten()
    }

    /// Where `field` is among the kept fields.
    pub fn position(&self, field: &str) -> Option<usize> {
        self.fields.binary_search_by(|f| f.as_str().cmp(field)).ok()
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

/// A body as decoded: the kept objects of a list, or the whole JSON of a
/// body of any other shape.
pub enum Decoded {
    Kept(Vec<Kept>),
    Whole(Json),
}

/// Decodes a body: a list of objects keeps `keep`'s fields of each (inside
/// `wrapper` where an object has it); any other shape is parsed whole.
pub fn decode(text: &str, wrapper: Option<&str>, keep: &Arc<Keep>) -> serde_json::Result<Decoded> {
    if text.trim_start().starts_with('[') {
        let mut de = serde_json::Deserializer::from_str(text);
        let kept = de.deserialize_seq(Items { wrapper, keep });
        if let Ok(items) = kept.and_then(|items| de.end().map(|_| items)) {
            return Ok(Decoded::Kept(items));
        }
    }
    serde_json::from_str(text).map(Decoded::Whole)
}

struct Items<'a> {
    wrapper: Option<&'a str>,
    keep: &'a Arc<Keep>,
}

impl<'de> Visitor<'de> for Items<'_> {
    type Value = Vec<Kept>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Kept>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(100));
        while let Some(item) = seq.next_element_seed(Item {
            wrapper: self.wrapper,
            keep: self.keep,
        })? {
            items.push(item);
        }
        Ok(items)
    }
}

/// One item of the list: an object, unwrapped where it has the wrapper.
struct Item<'a> {
    wrapper: Option<&'a str>,
    keep: &'a Arc<Keep>,
}

impl<'de> DeserializeSeed<'de> for Item<'_> {
    type Value = Kept;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Kept, D::Error> {
        de.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Item<'_> {
    type Value = Kept;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kept, A::Error> {
        // Made at the first kept field (a wrapper object keeps none).
        let mut own: Option<Vec<Option<&'de RawValue>>> = None;
        let mut inner = None;
        while let Some(Key(key)) = map.next_key()? {
            if self.wrapper == Some(key.as_ref()) {
                // As a whole parse unwraps: the last one wins.
                inner = Some(map.next_value_seed(Item {
                    wrapper: None,
                    keep: self.keep,
                })?);
            } else if let Some(at) = self.keep.position(&key).filter(|_| inner.is_none()) {
                // A repeated key: the last one wins, as in a whole parse.
                let own = own.get_or_insert_with(|| vec![None; self.keep.len()]);
                own[at] = Some(map.next_value::<&'de RawValue>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        match inner {
            Some(inner) => Ok(inner),
            None => {
                let own = own.unwrap_or_else(|| vec![None; self.keep.len()]);
                self.keep.object(&own).map_err(A::Error::custom)
            }
        }
    }
}

/// An object's key, borrowed from the text unless it has escapes.
pub struct Key<'de>(pub Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Key<'de>, D::Error> {
        de.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v.to_string())))
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
        match decode(text, wrapper, k).unwrap() {
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
            match decode(text, Some("order"), &k).unwrap() {
                Decoded::Whole(j) => assert_eq!(j, serde_json::from_str::<Json>(text).unwrap()),
                Decoded::Kept(items) => assert!(items.is_empty() && text.starts_with("[]")),
            }
        }
        assert!(decode("[{\"id\": 1}", None, &k).is_err(), "truncated text");
    }
}

//! One object of a page: either its whole JSON, or — on a scan that reads
//! only some columns (`keep.rs`) — the kept fields alone, in the order of
//! the keep's sorted field names and without keys: each field's JSON text,
//! and the columns the statement reads already decoded by their types. A
//! kept object builds no map and no JSON tree: a column reads its typed
//! value by the slot the keep computed, and a field asked for as JSON
//! (`get`, `lookup`: the id for paging, a parent's fields) is parsed from
//! its text once, when first asked. Everything else reads a record through
//! `get` and `lookup`, which answer as the whole object would for every
//! field kept.

use super::keep::Keep;
use super::typed::Cell;
use super::value::{lookup as json_lookup, Value};
use rusqlite::types::ValueRef;
use serde_json::{Map, Value as Json};
use std::sync::{Arc, OnceLock};

pub enum Record {
    Whole(Json),
    Kept(Kept),
}

/// The kept fields of one object: `text[spans[i]]` is the JSON text of
/// the field `keep.field(i)` (all in one allocation), None where the object
/// does not have it; `values` the typed values of the read columns (see
/// `Keep::with_columns`), a text one as a range of `text`.
pub struct Kept {
    keep: Arc<Keep>,
    text: Box<str>,
    spans: Box<[Option<(u32, u32)>]>,
    /// Boxed: most fields are never asked for as JSON, and an unboxed
    /// `Json` a field would be most of a kept object's size.
    parsed: Box<[OnceLock<Box<Json>>]>,
    values: Box<[Cell]>,
}

static NULL: Json = Json::Null;

impl Kept {
    /// An object from its kept fields' texts as the scan passed them;
    /// None if they are not UTF-8 (the scan checked them: checked again
    /// here, once for the object).
    pub fn new(keep: Arc<Keep>, raw: &[Option<&[u8]>], values: Box<[Cell]>) -> Option<Kept> {
        debug_assert_eq!(raw.len(), keep.len());
        let mut text = Vec::with_capacity(raw.iter().flatten().map(|r| r.len()).sum());
        let spans = raw
            .iter()
            .map(|r| {
                let start = text.len();
                text.extend_from_slice((*r)?);
                Some((start as u32, text.len() as u32))
            })
            .collect();
        let parsed = raw.iter().map(|_| OnceLock::new()).collect();
        Some(Kept {
            keep,
            text: String::from_utf8(text).ok()?.into_boxed_str(),
            spans,
            parsed,
            values,
        })
    }

    fn get(&self, field: &str) -> Option<&Json> {
        self.field(self.keep.position(field)?)
    }

    /// `get(field)` as an i64, read from the field's text when it is
    /// plain digits (what a scan reads of every object's id), without
    /// parsing it into JSON to keep.
    fn integer(&self, field: &str) -> Option<i64> {
        let i = self.keep.position(field)?;
        let (start, end) = (*self.spans.get(i)?)?;
        let raw = &self.text[start as usize..end as usize];
        if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) {
            // Too big for an i64: not one to `as_i64` either.
            return raw.parse().ok();
        }
        self.field(i)?.as_i64()
    }

    /// Field `i` as JSON, parsed from its text the first time (the text
    /// came out of a parse of the body, so it parses again).
    fn field(&self, i: usize) -> Option<&Json> {
        let (start, end) = (*self.spans.get(i)?)?;
        let raw = &self.text[start as usize..end as usize];
        Some(
            self.parsed[i]
                .get_or_init(|| Box::new(serde_json::from_str(raw).unwrap_or(Json::Null))),
        )
    }

    /// Column `column`'s value, decoded by its type with the page; None
    /// when the keep decoded none for the column (the statement does not
    /// read it, or its path starts at no kept field).
    pub fn column(&self, column: usize) -> Option<ValueRef<'_>> {
        Some(match self.values.get(self.keep.slot(column)?.value?)? {
            Cell::Value(v) => v.as_sqlite(),
            Cell::Span(start, end) => {
                ValueRef::Text(&self.text.as_bytes()[*start as usize..*end as usize])
            }
        })
    }

    /// What the object holds in memory, estimated: the fields' texts, the
    /// typed values, and the fields parsed as JSON (`json_bytes`).
    fn held_bytes(&self, json_bytes: fn(&Json) -> usize) -> usize {
        let texts = self.text.len() + self.spans.len() * 12;
        let values: usize = self
            .values
            .iter()
            .map(|v| {
                std::mem::size_of::<Cell>()
                    + match v {
                        Cell::Value(Value::Text(t)) => t.len(),
                        _ => 0,
                    }
            })
            .sum();
        let parsed: usize = self
            .parsed
            .iter()
            .filter_map(OnceLock::get)
            .map(|json| json_bytes(json))
            .sum();
        let slots = self.parsed.len() * std::mem::size_of::<OnceLock<Box<Json>>>();
        texts + values + parsed + slots
    }
}

impl Record {
    /// A top-level field of the object.
    #[cfg(test)]
    pub fn get(&self, field: &str) -> Option<&Json> {
        match self {
            Record::Whole(json) => json.get(field),
            Record::Kept(kept) => kept.get(field),
        }
    }

    /// A top-level integer field (`get(field)` as an i64).
    pub fn integer(&self, field: &str) -> Option<i64> {
        match self {
            Record::Whole(json) => json.get(field)?.as_i64(),
            Record::Kept(kept) => kept.integer(field),
        }
    }

    /// A dotted path in the object, as `value::lookup` reads it (Null when
    /// absent).
    pub fn lookup(&self, path: &str) -> &Json {
        match self {
            Record::Whole(json) => json_lookup(json, path),
            Record::Kept(kept) => {
                let (first, rest) = match path.split_once('.') {
                    Some((first, rest)) => (first, Some(rest)),
                    None => (path, None),
                };
                match (kept.get(first), rest) {
                    (None, _) => &NULL,
                    (Some(v), None) => v,
                    (Some(v), Some(rest)) => json_lookup(v, rest),
                }
            }
        }
    }

    /// The object's fields as a JSON map (a kept object's in name order);
    /// empty for a record that is no object.
    pub fn to_map(&self) -> Map<String, Json> {
        match self {
            Record::Whole(Json::Object(m)) => m.clone(),
            Record::Whole(_) => Map::new(),
            Record::Kept(kept) => kept
                .keep
                .fields()
                .iter()
                .enumerate()
                .filter_map(|(i, name)| Some((name.clone(), kept.field(i)?.clone())))
                .collect(),
        }
    }

    /// What the record holds in memory, estimated, JSON measured by
    /// `json_bytes` (for the page memo's bound).
    pub fn held_bytes(&self, json_bytes: fn(&Json) -> usize) -> usize {
        match self {
            Record::Whole(json) => json_bytes(json),
            Record::Kept(kept) => kept.held_bytes(json_bytes),
        }
    }
}

/// An object a row is read from: a page's record, or a JSON object inside
/// one (an exploded child row's item, a sub-resource's parent).
#[derive(Clone, Copy)]
pub enum Object<'a> {
    Record(&'a Record),
    Json(&'a Json),
}

impl<'a> Object<'a> {
    pub fn lookup(self, path: &str) -> &'a Json {
        match self {
            Object::Record(r) => r.lookup(path),
            Object::Json(j) => json_lookup(j, path),
        }
    }

    pub fn to_map(self) -> Map<String, Json> {
        match self {
            Object::Record(r) => r.to_map(),
            Object::Json(Json::Object(m)) => m.clone(),
            Object::Json(_) => Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::value::decode;
    use crate::schema::SqlType;
    use serde_json::json;

    fn kept_by(whole: &Json, keep: Keep) -> Kept {
        let text = format!("[{whole}]");
        match super::super::keep::decode(text.as_bytes(), None, &Arc::new(keep)).unwrap() {
            super::super::keep::Decoded::Kept(mut items) => items.remove(0),
            super::super::keep::Decoded::Whole(j) => panic!("parsed whole: {j}"),
        }
    }

    fn kept(whole: &Json, fields: &[&str]) -> Record {
        Record::Kept(kept_by(
            whole,
            Keep::new(fields.iter().map(|f| f.to_string())),
        ))
    }

    #[test]
    fn a_kept_object_reads_as_the_whole_one_for_its_fields() {
        let whole = json!({"id": 7, "customer": {"email": "a@b.c", "tags": [{"x": 1}]},
            "lines": [{"sku": "s"}], "none": null, "total": "12.50"});
        let k = kept(
            &whole,
            &["id", "customer", "lines", "none", "total", "absent"],
        );
        let w = Record::Whole(whole.clone());
        for path in [
            "id",
            "customer.email",
            "customer.tags.x",
            "lines.sku",
            "none",
            "total",
            "absent",
            "absent.deeper",
            "id.deeper",
        ] {
            assert_eq!(k.lookup(path), w.lookup(path), "{path}");
            assert_eq!(k.lookup(path), json_lookup(&whole, path), "{path}");
        }
        assert_eq!(k.get("id"), whole.get("id"));
        assert_eq!(k.get("none"), Some(&Json::Null));
        assert_eq!(k.get("absent"), None);
        // The map has the fields the object had (a null one too), no others.
        let m = k.to_map();
        assert_eq!(m.len(), 5);
        assert_eq!(Json::Object(m), whole);
        assert!(k.held_bytes(|_| 0) > 0);
    }

    #[test]
    fn an_integer_field_reads_as_the_whole_parse_reads_it() {
        for raw in [
            "501",
            "0",
            "-5",
            "-0",
            "1.0",
            "1e3",
            "9223372036854775807",
            "9223372036854775808",
            "18446744073709551616",
            "\"7\"",
            "null",
            "[1]",
        ] {
            let text = format!("[{{\"id\": {raw}}}]");
            let keep = Arc::new(Keep::new(["id".to_string()]));
            let super::super::keep::Decoded::Kept(mut items) =
                super::super::keep::decode(text.as_bytes(), None, &keep).unwrap()
            else {
                panic!("parsed whole: {text}")
            };
            let whole: Json = serde_json::from_str(&text).unwrap();
            let expected = whole[0]["id"].as_i64();
            let k = Record::Kept(items.remove(0));
            assert_eq!(k.integer("id"), expected, "{raw}");
            assert_eq!(k.integer("absent"), None);
            assert_eq!(
                Record::Whole(whole[0].clone()).integer("id"),
                expected,
                "{raw}"
            );
        }
    }

    #[test]
    fn a_column_found_by_its_slot_is_the_one_lookup_finds() {
        let whole = json!({"id": 7, "customer": {"email": "a@b.c"}, "lines": [{"sku": "s"}],
            "n": 1});
        let paths = [
            "id",
            "customer.email",
            "customer.none",
            "lines.sku",
            "absent",
            "$parent.id",
            "$index",
            "n.x",
        ];
        let ty = SqlType::WVarchar(10);
        let keep = Keep::new(["id", "customer", "lines", "n"].map(String::from))
            .with_columns(paths.iter().map(|p| (*p, Some(ty))));
        let k = kept_by(&whole, keep);
        for (i, path) in paths.iter().enumerate() {
            match k.column(i) {
                Some(v) => assert_eq!(
                    Value::from(v),
                    decode(json_lookup(&whole, path), ty),
                    "{path}"
                ),
                None => assert!(
                    ["absent", "$parent.id", "$index"].contains(path),
                    "{path} has a slot"
                ),
            }
        }
        assert_eq!(k.column(paths.len()), None, "no such column");
    }

    #[test]
    fn records_that_are_no_objects() {
        let r = Record::Whole(json!([1, 2]));
        assert_eq!(r.lookup("id"), &Json::Null);
        assert!(r.to_map().is_empty());
        assert_eq!(Object::Json(&json!("x")).lookup("a"), &Json::Null);
    }
}

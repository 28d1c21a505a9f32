//! One object of a page: either its whole JSON, or — on a scan that reads
//! only some columns (`keep.rs`) — the values of the kept fields alone, in
//! the order of the keep's sorted field names and without keys. A kept
//! object builds no map: no key is copied or hashed when the page is
//! decoded, and a column finds its field by a binary search over the names.
//! Everything reads a record through `get` and `lookup`, which answer as the
//! whole object would for every field kept.

use super::keep::Keep;
use super::value::lookup as json_lookup;
use serde_json::{Map, Value as Json};
use std::sync::Arc;

pub enum Record {
    Whole(Json),
    Kept(Kept),
}

/// The kept fields of one object: `values[i]` is the field
/// `keep.field(i)`, None where the object does not have it.
pub struct Kept {
    keep: Arc<Keep>,
    values: Box<[Option<Json>]>,
}

static NULL: Json = Json::Null;

impl Kept {
    pub fn new(keep: Arc<Keep>, values: Box<[Option<Json>]>) -> Kept {
        debug_assert_eq!(values.len(), keep.len());
        Kept { keep, values }
    }

    fn get(&self, field: &str) -> Option<&Json> {
        self.values.get(self.keep.position(field)?)?.as_ref()
    }

    /// Column `column`'s field (at `path`, the column's JSON path) found by
    /// its slot, as `Record::lookup(path)` finds it; None when the keep
    /// knows no slot for the column.
    pub fn column(&self, column: usize, path: &str) -> Option<&Json> {
        let slot = self.keep.slot(column)?;
        let value = self.values.get(slot.field)?.as_ref();
        Some(match (value, path.get(slot.rest..)) {
            (None, _) => &NULL,
            (Some(v), _) if slot.rest == 0 => v,
            (Some(v), Some(rest)) => json_lookup(v, rest),
            (Some(_), None) => &NULL,
        })
    }
}

impl Record {
    /// A top-level field of the object.
    pub fn get(&self, field: &str) -> Option<&Json> {
        match self {
            Record::Whole(json) => json.get(field),
            Record::Kept(kept) => kept.get(field),
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
                .zip(kept.values.iter())
                .filter_map(|(name, v)| Some((name.clone(), v.clone()?)))
                .collect(),
        }
    }

    /// The JSON values the record holds: the whole object, or each kept
    /// field's value (for the page memo's size estimate).
    pub fn values(&self) -> impl Iterator<Item = &Json> {
        let (whole, kept) = match self {
            Record::Whole(json) => (Some(json), None),
            Record::Kept(kept) => (None, Some(kept.values.iter().flatten())),
        };
        whole.into_iter().chain(kept.into_iter().flatten())
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
    use serde_json::json;

    fn kept(whole: &Json, fields: &[&str]) -> Record {
        let keep = Arc::new(Keep::new(fields.iter().map(|f| f.to_string())));
        let values = keep
            .fields()
            .iter()
            .map(|f| whole.get(f.as_str()).cloned())
            .collect();
        Record::Kept(Kept::new(keep, values))
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
        assert_eq!(k.values().count(), 5);
        assert_eq!(w.values().count(), 1);
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
        let keep =
            Keep::new(["id", "customer", "lines", "n"].map(String::from)).with_columns(paths);
        let keep = Arc::new(keep);
        let values = keep
            .fields()
            .iter()
            .map(|f| whole.get(f.as_str()).cloned())
            .collect();
        let k = Kept::new(keep, values);
        for (i, path) in paths.iter().enumerate() {
            match k.column(i, path) {
                Some(v) => assert_eq!(v, json_lookup(&whole, path), "{path}"),
                None => assert!(
                    ["absent", "$parent.id", "$index"].contains(path),
                    "{path} has a slot"
                ),
            }
        }
        assert_eq!(k.column(paths.len(), "id"), None, "no such column");
    }

    #[test]
    fn records_that_are_no_objects() {
        let r = Record::Whole(json!([1, 2]));
        assert_eq!(r.lookup("id"), &Json::Null);
        assert!(r.to_map().is_empty());
        assert_eq!(Object::Json(&json!("x")).lookup("a"), &Json::Null);
    }
}

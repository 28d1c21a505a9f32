//! A kept field's columns decoded by their types straight from the field's
//! JSON text (`keep.rs`): a string borrowed between its quotes, a number
//! from its digits, through `value::decode_scalar`, the one decoding a
//! whole parse's `decode` uses too. No `serde_json::Value` is built for
//! them: nested objects are walked only along the columns' paths, the rest
//! skipped unbuilt. What a borrowed scalar cannot say exactly (a string
//! with escapes, a number with an exponent, which serde_json rewrites; a
//! list or an object a column reads whole) is parsed as JSON and decoded
//! by `decode`, so every value is the one the whole parse would give.

use super::scan::Scan;
use super::value::{decode, decode_scalar, Scalar, Value};
use crate::schema::SqlType;
use serde::de::Error as _;
use serde_json::Value as Json;

/// The read columns inside one JSON value: those that are the value
/// itself (`here`: their values' places and types), and those below it by
/// key. `all` is every place in the node and below.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Node {
    here: Vec<(usize, SqlType)>,
    below: Vec<(String, Node)>,
    all: Vec<usize>,
}

impl Node {
    /// A column at `path` below this value, its value at place `at`.
    pub fn add(&mut self, path: &[&str], at: usize, ty: SqlType) {
        self.all.push(at);
        let Some((key, rest)) = path.split_first() else {
            self.here.push((at, ty));
            return;
        };
        let child = match self.below.iter().position(|(k, _)| k == key) {
            Some(i) => &mut self.below[i].1,
            None => {
                self.below.push((key.to_string(), Node::default()));
                &mut self.below.last_mut().expect("just pushed").1
            }
        };
        child.add(rest, at, ty);
    }

    /// The places of every column in the node and below.
    pub fn places(&self) -> &[usize] {
        &self.all
    }
}

/// A read column's value: decoded, or a text column's string as it is in
/// the object's kept text (see `Kept`), by its byte range (no `String` per
/// value).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Value(Value),
    Span(u32, u32),
}

/// Decodes into `cells` (by place) the columns of `node` found in the
/// value the scanner is at, and consumes it: the page is scanned once, the
/// columns' values taken as the scanner passes them. A text column's
/// string is a `Cell::Span` of its bytes in the scanned text (`keep.rs`
/// moves it onto the kept text). A path follows `value::lookup`: a list
/// met on the way stands for its first element, and a path that leads
/// nowhere leaves its column NULL (as `cells` start).
pub fn walk(s: &mut Scan<'_>, node: &Node, cells: &mut [Cell]) -> serde_json::Result<()> {
    let start = s.start()?;
    match (node.below.is_empty(), s.peek()) {
        (false, Some(b'{')) => below(s, node, cells)?,
        (false, Some(b'[')) => s.list(|s, i| match (i, s.peek()) {
            (0, Some(b'{')) => below(s, node, cells),
            _ => s.skip_value(),
        })?,
        _ => s.skip_value()?,
    }
    let raw = s.slice(start, s.pos())?;
    for &(place, ty) in &node.here {
        cells[place] = leaf(raw, start, ty)?;
    }
    Ok(())
}

/// An object's entries walked for the node's columns below it, the other
/// entries skipped unbuilt.
fn below(s: &mut Scan<'_>, node: &Node, cells: &mut [Cell]) -> serde_json::Result<()> {
    s.object(
        |s, key| match node.below.iter().find(|(k, _)| k.as_bytes() == &*key) {
            Some((_, child)) => {
                // A repeated key: the last one, as a whole parse keeps it.
                for &at in &child.all {
                    cells[at] = Cell::Value(Value::Null);
                }
                walk(s, child, cells)
            }
            None => s.skip_value(),
        },
    )
}

/// The value `raw` (at byte `at` of the scanned text) holds for a column
/// of `ty`.
fn leaf(raw: &str, at: usize, ty: SqlType) -> serde_json::Result<Cell> {
    Ok(match raw.as_bytes() {
        // A string as it is: what `decode` makes of it for a text column.
        [b'"', inner @ .., b'"'] if ty.is_char() && !inner.contains(&b'\\') => {
            match (u32::try_from(at + 1), u32::try_from(at + 1 + inner.len())) {
                (Ok(start), Ok(end)) => Cell::Span(start, end),
                _ => return Err(serde_json::Error::custom("a page over 4 GB")),
            }
        }
        _ => Cell::Value(decode_raw(raw, ty)?),
    })
}

/// `decode` of the JSON value whose text is `raw`.
pub fn decode_raw(raw: &str, ty: SqlType) -> serde_json::Result<Value> {
    let scalar = match raw.as_bytes().first() {
        Some(b'n') if raw == "null" => return Ok(Value::Null),
        Some(b't') if raw == "true" => Scalar::Bool(true),
        Some(b'f') if raw == "false" => Scalar::Bool(false),
        Some(b'"') if !raw.contains('\\') && raw.len() >= 2 => Scalar::Str(&raw[1..raw.len() - 1]),
        Some(b'"') => {
            let s: String = serde_json::from_str(raw)?;
            return Ok(decode_scalar(Scalar::Str(&s), ty));
        }
        Some(b'-' | b'0'..=b'9') if !raw.contains(['e', 'E']) => Scalar::Number(raw),
        _ => return Ok(decode(&serde_json::from_str::<Json>(raw)?, ty)),
    };
    Ok(decode_scalar(scalar, ty))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::keep::{decode as decode_page, Decoded, Keep};
    use crate::engine::record::{Kept, Record};
    use crate::engine::value::lookup;
    use crate::schema::{Profile, Table};
    use jumpseller_sandbox::{Sandbox, SandboxConfig};
    use std::sync::Arc;

    /// The object of a list item, as the whole parse unwraps it.
    fn unwrap<'a>(item: &'a Json, wrapper: Option<&str>) -> &'a Json {
        match (wrapper, item) {
            (Some(w), Json::Object(m)) if m.contains_key(w) => &m[w],
            _ => item,
        }
    }

    /// The page `text` of table `t` kept with the columns `read` decoded by
    /// type; each column's typed value must be `decode` of the field the
    /// whole parse finds, and a path looked up must be the whole one's.
    /// Returns how many values were compared.
    fn compare(t: &Table, text: &str, items: &[Json], read: &dyn Fn(usize) -> bool) -> usize {
        let paths = t.columns.iter().map(|c| c.json_path());
        let fields = paths
            .clone()
            .filter_map(|p| p.split('.').next().map(String::from));
        let columns = t
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.json_path(), read(i).then(|| c.sql_type())));
        let keep = Arc::new(Keep::new(fields).with_columns(columns));
        let wrapper = t.source.wrapper.as_deref();
        let kept: Vec<Kept> = match decode_page(text.as_bytes(), wrapper, &keep).unwrap() {
            Decoded::Kept(kept) => kept,
            Decoded::Whole(_) => panic!("{}: a list of objects parsed whole", t.name),
        };
        assert_eq!(kept.len(), items.len(), "{}", t.name);
        let mut compared = 0;
        for (k, item) in kept.into_iter().zip(items) {
            let obj = unwrap(item, wrapper);
            let record = Record::Kept(k);
            let Record::Kept(k) = &record else {
                unreachable!()
            };
            for (i, c) in t.columns.iter().enumerate() {
                let path = c.json_path();
                if path.starts_with('$') {
                    continue;
                }
                let whole = lookup(obj, path);
                assert_eq!(record.lookup(path), whole, "{}.{}", t.name, c.name);
                let typed = k.column(i).map(Value::from);
                if read(i) {
                    let want = decode(whole, c.sql_type());
                    assert_eq!(typed, Some(want), "{}.{} in {obj}", t.name, c.name);
                    compared += 1;
                } else {
                    assert_eq!(typed, None, "{}.{} is not read", t.name, c.name);
                }
            }
        }
        compared
    }

    /// The safety net of the typed decoding: every page of every table a
    /// scan decodes by type (a list endpoint of its own), every column,
    /// all read and every other one read, equals the whole parse's decoding.
    /// The other tables (rows inside a parent's objects, sub-resources) are
    /// read from whole objects through `decode` itself.
    #[test]
    fn the_typed_decoding_is_the_decoding_on_every_table_of_the_sandbox() {
        let sb = Sandbox::start(SandboxConfig {
            per_second: 0,
            per_minute: 0,
            ..Default::default()
        })
        .unwrap();
        let http = reqwest::blocking::Client::new();
        let profile = Profile::builtin();
        let (mut tables, mut values) = (0, 0);
        for t in &profile.tables {
            let list = match (&t.source.list, &t.source.parent) {
                (Some(list), None) if !list.has_placeholders() && !t.source.single => list,
                _ => continue,
            };
            tables += 1;
            for page in 1.. {
                let sep = if list.as_str().contains('?') {
                    '&'
                } else {
                    '?'
                };
                let path = format!("{}{sep}page={page}&limit=100", list.as_str());
                let text = http
                    .get(format!("{}{path}", sb.url()))
                    .basic_auth("sandbox", Some("sandbox-authtoken"))
                    .send()
                    .and_then(|r| r.text())
                    .unwrap();
                let whole: Json = serde_json::from_str(&text).unwrap();
                let Json::Array(items) = whole else {
                    panic!("{path}: {text}")
                };
                values += compare(t, &text, &items, &|_| true);
                values += compare(t, &text, &items, &|i| i % 2 == 1);
                if items.len() < 100 || !t.source.paged {
                    break;
                }
            }
        }
        assert!(tables >= 20, "{tables} tables scanned by type");
        assert!(values > 50_000, "{values} values compared");
        eprintln!("{tables} tables, {values} values");
    }

    #[test]
    fn scalars_decode_as_the_whole_parse_decodes_them() {
        let types = [
            SqlType::BigInt,
            SqlType::Integer,
            SqlType::Decimal(19, 4),
            SqlType::Double,
            SqlType::Bit,
            SqlType::Timestamp,
            SqlType::Date,
            SqlType::Time,
            SqlType::WVarchar(10),
        ];
        let texts = [
            "null",
            "true",
            "false",
            "0",
            "-0",
            "12.50",
            "1E2",
            "1e-400",
            "99999999999999999999",
            r#""a\"b""#,
            r#""\u00e9t\u00e9""#,
            r#""2026-07-23 17:48:38 UTC""#,
            r#""12:30""#,
            r#""""#,
            r#"" 7.50 ""#,
            r#""yes""#,
            "[]",
            "[1, {\"a\": 2}]",
            "{\"b\": 1, \"a\": [true]}",
        ];
        for ty in types {
            for text in texts {
                let json: Json = serde_json::from_str(text).unwrap();
                assert_eq!(
                    decode_raw(text, ty).unwrap(),
                    decode(&json, ty),
                    "{text} as {ty:?}"
                );
            }
        }
    }

    #[test]
    fn paths_follow_lookup_through_lists_repeats_and_dead_ends() {
        let text = r#"{"a": [{"b": 1, "b": {"c": "x"}}, {"b": 2}], "s": "t", "q": "a\"b", "e": [],
            "n": {"a": {"z": 1}, "a": {"y": 2}}}"#;
        let obj: Json = serde_json::from_str(text).unwrap();
        let paths = [
            "a.b.c", "a.b", "a", "s.x", "e.x", "n.a.z", "n.a.y", "n.q", "a.b.c.d",
        ];
        let mut node = Node::default();
        for (at, p) in paths.iter().enumerate() {
            node.add(&p.split('.').collect::<Vec<_>>(), at, SqlType::WVarchar(10));
        }
        let mut cells = vec![Cell::Value(Value::Null); paths.len()];
        let mut s = Scan::new(text.as_bytes());
        walk(&mut s, &node, &mut cells).unwrap();
        s.end().unwrap();
        for (p, cell) in paths.iter().zip(&cells) {
            let v = match cell {
                Cell::Value(v) => v.clone(),
                Cell::Span(a, b) => Value::Text(text[*a as usize..*b as usize].to_string()),
            };
            assert_eq!(v, decode(lookup(&obj, p), SqlType::WVarchar(10)), "{p}");
        }
    }
}

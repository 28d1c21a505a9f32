//! Filling route templates (parsed with the profile, `schema/template.rs`)
//! into request paths. Every value is percent-encoded, so a value can never
//! change the path (`a/b` becomes `a%2Fb`); lists (`{parent*}`,
//! `{Table.column*}`) are comma-separated, each item encoded.

use super::fanout::column_values;
use super::value::Value;
use super::Ctx;
use crate::error::{Error, Kind, Result};
use crate::schema::{Segment, Template};
use std::collections::HashMap;
use std::sync::Arc;

/// What one placeholder stands for in one request, not yet encoded.
pub enum Piece<'a> {
    One(String),
    List(&'a [String]),
}

/// Fills `template`: literals as written, each placeholder with what
/// `value_of` gives for it. None when `value_of` has nothing for one of them
/// (no request can name such a row).
pub fn fill<'a>(
    template: &Template,
    mut value_of: impl FnMut(&Segment) -> Option<Piece<'a>>,
) -> Option<String> {
    let mut out = String::with_capacity(template.len() + 16);
    for segment in template.segments() {
        match segment {
            Segment::Literal(text) => out.push_str(text),
            placeholder => match value_of(placeholder)? {
                Piece::One(text) => out.push_str(&encode(&text)),
                Piece::List(items) => {
                    let encoded: Vec<String> = items.iter().map(|i| encode(i)).collect();
                    out.push_str(&encoded.join(","));
                }
            },
        }
    }
    Some(out)
}

/// Percent-encodes a value for a URL path segment or query value.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'@' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A row's value as the text naming it in a request (`Value::text`); empty
/// text names nothing.
pub fn key_text(v: &Value) -> Option<String> {
    v.text().filter(|t| !t.is_empty())
}

/// The values of each `{Table.column*}` of a template, by (table, column):
/// read (a scan of that table) when a request first needs them.
#[derive(Default)]
pub struct TableValues(HashMap<(String, String), Vec<String>>);

impl TableValues {
    /// Reads the values of every `{Table.column*}` of `template`; `depth`
    /// is the nesting of the cursor that asks (see `fanout::scan`).
    pub fn read(ctx: &Arc<Ctx>, template: &Template, depth: usize) -> Result<TableValues> {
        let mut all = HashMap::new();
        for (table, column) in template.table_columns() {
            let key = (table.to_string(), column.to_string());
            if all.contains_key(&key) {
                continue;
            }
            let index = ctx
                .profile
                .tables
                .iter()
                .position(|t| t.name == table)
                .ok_or_else(|| {
                    Error::new(
                        Kind::Config,
                        format!("Route {template} names unknown table {table}."),
                    )
                })?;
            all.insert(key, column_values(ctx, index, column, depth)?);
        }
        Ok(TableValues(all))
    }

    /// The piece for a `{Table.column*}` placeholder.
    pub fn piece(&self, table: &str, column: &str) -> Option<Piece<'_>> {
        self.0
            .get(&(table.to_string(), column.to_string()))
            .map(|v| Piece::List(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(text: &str) -> Template {
        Template::parse(text).unwrap()
    }

    #[test]
    fn encodes_path_values() {
        assert_eq!(encode("a b/../c?d"), "a%20b%2F..%2Fc%3Fd");
        assert_eq!(encode("ana@x.cl"), "ana@x.cl");
        assert_eq!(encode("ñ"), "%C3%B1");
    }

    #[test]
    fn fills_values_encoded_and_lists_comma_separated() {
        let t = template("/customers/email/{value}.json");
        let path = fill(&t, |s| match s {
            Segment::Value => Some(Piece::One("a/b@x.cl".into())),
            _ => None,
        });
        assert_eq!(path.as_deref(), Some("/customers/email/a%2Fb@x.cl.json"));
        let keys = vec!["1".to_string(), "2 3".to_string()];
        let t = template("/pl?product_ids={parent*}&x=1");
        let path = fill(&t, |s| match s {
            Segment::ParentBatch => Some(Piece::List(&keys)),
            _ => None,
        });
        assert_eq!(path.as_deref(), Some("/pl?product_ids=1,2%203&x=1"));
    }

    #[test]
    fn a_placeholder_without_a_value_names_no_request() {
        let t = template("/countries/{country_code}/regions/{code}.json");
        let path = fill(&t, |s| match s {
            Segment::Column(c) if c == "country_code" => Some(Piece::One("CL".into())),
            _ => None,
        });
        assert_eq!(path, None);
        let path = fill(&t, |s| match s {
            Segment::Column(c) => Some(Piece::One(format!("{c}!"))),
            _ => None,
        });
        assert_eq!(
            path.as_deref(),
            Some("/countries/country_code%21/regions/code%21.json")
        );
    }

    #[test]
    fn a_route_without_placeholders_is_its_text() {
        let t = template("/shipping_methods.json?enabled=true");
        assert_eq!(
            fill(&t, |_| None).as_deref(),
            Some("/shipping_methods.json?enabled=true")
        );
    }
}

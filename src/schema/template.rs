//! Route templates: the request paths of a profile with their placeholders
//! (`/products/{id}.json`, `/orders/{value}/history.json`), parsed once when
//! the profile loads into literal text and typed placeholders. The engine
//! fills them (`engine/fill.rs`); which placeholders a route may use depends
//! on the route and is checked with the profile (`check.rs`).

use serde::Deserialize;
use std::fmt;

/// One piece of a route template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Text sent as it is.
    Literal(String),
    /// `{value}`: the constraint's value (pushdown routes and their counts).
    Value,
    /// `{from}`: the first day of a date range (`between` routes).
    From,
    /// `{to}`: the last day of a date range (`between` routes).
    To,
    /// `{parent}`: the parent row's key (sub-resource lists).
    Parent,
    /// `{parent*}`: the keys of a batch of parent rows, comma-separated.
    ParentBatch,
    /// `{name}`: a column's value — the row's own for writes and `get`
    /// (`{id}`), the parent row's for sub-resource lists, an `also` column's
    /// for pushdown routes.
    Column(String),
    /// `{Table.column*}`: every value of another table's column,
    /// comma-separated.
    TableColumn { table: String, column: String },
}

/// A parsed route: its text as the profile wrote it (for messages) and its
/// segments (for filling).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Template {
    text: String,
    segments: Vec<Segment>,
}

impl Template {
    /// Parses `text`; the error says what is wrong with which placeholder.
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut segments = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find(['{', '}']) {
            if rest[open..].starts_with('}') {
                return Err(format!("route '{text}' has a '}}' without its '{{'."));
            }
            let Some(len) = rest[open + 1..].find(['{', '}']) else {
                return Err(format!("route '{text}' has a '{{' without its '}}'."));
            };
            let close = open + 1 + len;
            if rest[close..].starts_with('{') {
                return Err(format!("route '{text}' has a '{{' without its '}}'."));
            }
            if open > 0 {
                segments.push(Segment::Literal(rest[..open].to_string()));
            }
            segments.push(placeholder(text, &rest[open + 1..close])?);
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            segments.push(Segment::Literal(rest.to_string()));
        }
        Ok(Template {
            text: text.to_string(),
            segments,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Whether any segment is `segment`.
    pub fn has(&self, segment: &Segment) -> bool {
        self.segments.contains(segment)
    }

    /// Whether some value is still to be filled in.
    pub fn has_placeholders(&self) -> bool {
        self.segments
            .iter()
            .any(|s| !matches!(s, Segment::Literal(_)))
    }

    /// The column names of `{column}` placeholders, in order.
    pub fn columns(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Column(c) => Some(c.as_str()),
            _ => None,
        })
    }

    /// The `{Table.column*}` placeholders, in order.
    pub fn table_columns(&self) -> impl Iterator<Item = (&str, &str)> {
        self.segments.iter().filter_map(|s| match s {
            Segment::TableColumn { table, column } => Some((table.as_str(), column.as_str())),
            _ => None,
        })
    }
}

/// The placeholder named `name` (between the braces) in route `text`.
fn placeholder(text: &str, name: &str) -> Result<Segment, String> {
    let word = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    };
    Ok(match name {
        "value" => Segment::Value,
        "from" => Segment::From,
        "to" => Segment::To,
        "parent" => Segment::Parent,
        "parent*" => Segment::ParentBatch,
        _ => match name.strip_suffix('*').map(|n| n.split_once('.')) {
            Some(Some((table, column))) if word(table) && word(column) => Segment::TableColumn {
                table: table.to_string(),
                column: column.to_string(),
            },
            None if word(name) => Segment::Column(name.to_string()),
            _ => {
                return Err(format!(
                    "route '{text}' has the placeholder {{{name}}}, which is none of \
                     {{value}}, {{from}}, {{to}}, {{parent}}, {{parent*}}, {{column}} \
                     or {{Table.column*}}."
                ))
            }
        },
    })
}

impl TryFrom<String> for Template {
    type Error = String;
    fn try_from(text: String) -> Result<Template, String> {
        Template::parse(&text)
    }
}

/// A template reads as the text the profile wrote.
impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A template reads as the text the profile wrote (`route.contains("?")`).
impl std::ops::Deref for Template {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::Segment::*;
    use super::*;

    fn lit(s: &str) -> Segment {
        Literal(s.into())
    }

    #[test]
    fn parses_every_placeholder() {
        let t = Template::parse("/a/{value}/{parent}?x={parent*}&l={Locations.id*}").unwrap();
        assert_eq!(
            t.segments(),
            [
                lit("/a/"),
                Value,
                lit("/"),
                Parent,
                lit("?x="),
                ParentBatch,
                lit("&l="),
                TableColumn {
                    table: "Locations".into(),
                    column: "id".into()
                }
            ]
        );
        let t = Template::parse("/o.json?f={from}&t={to}").unwrap();
        assert_eq!(t.segments(), [lit("/o.json?f="), From, lit("&t="), To]);
        let t = Template::parse("{country_code}/{id}").unwrap();
        assert_eq!(
            t.segments(),
            [Column("country_code".into()), lit("/"), Column("id".into())]
        );
        assert_eq!(t.columns().collect::<Vec<_>>(), ["country_code", "id"]);
        assert_eq!(t.to_string(), "{country_code}/{id}");
    }

    #[test]
    fn a_route_without_placeholders_is_one_literal() {
        let t = Template::parse("/products/count.json").unwrap();
        assert_eq!(t.segments(), [lit("/products/count.json")]);
        assert!(!t.has_placeholders());
        assert!(Template::parse("").unwrap().segments().is_empty());
    }

    #[test]
    fn malformed_placeholders_are_refused_naming_the_route() {
        for (text, says) in [
            ("/a/{value", "without its '}'"),
            ("/a/{va{lue}", "without its '}'"),
            ("/a/value}", "without its '{'"),
            ("/a/{}", "{}"),
            ("/a/{a b}", "{a b}"),
            ("/a/{x*}", "{x*}"),
            ("/a/{Locations.id}", "{Locations.id}"),
            ("/a/{.id*}", "{.id*}"),
        ] {
            let e = Template::parse(text).unwrap_err();
            assert!(e.contains(text) && e.contains(says), "{text}: {e}");
        }
    }
}

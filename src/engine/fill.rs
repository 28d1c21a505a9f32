//! Filling route templates: the values a request path is made of, each
//! percent-encoded so that a value can never change the path.

use super::cursor::ApiCursor;
use super::fanout::column_values;
use super::value::Value;
use super::Ctx;
use crate::error::{Error, Kind, Result};
use std::sync::Arc;

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

pub fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::Int(i) => Some(i.to_string()),
        Value::Real(f) => Some(f.to_string()),
        Value::Text(t) if !t.is_empty() => Some(t.clone()),
        _ => None,
    }
}

/// Fills `{parent}` and `{column}` placeholders from a parent row; None
/// when one of them is empty (no request can name that row).
pub fn fill_from_row(path: &str, row: &ApiCursor, parent_key: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = path;
    while let Some(i) = rest.find('{') {
        let j = rest[i..].find('}')? + i;
        let name = &rest[i + 1..j];
        let col = if name == "parent" { parent_key } else { name };
        out.push_str(&rest[..i]);
        out.push_str(&encode(&value_text(&row.value_by_name(col)?)?));
        rest = &rest[j + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// Replaces `{Table.column*}` with every value of that column (a scan of
/// that table, done once when the fan-out starts); other placeholders stay.
pub fn resolve_all_placeholders(ctx: &Arc<Ctx>, path: &str) -> Result<String> {
    let mut out = String::new();
    let mut rest = path;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}').map(|j| j + i) else {
            break;
        };
        out.push_str(&rest[..i]);
        let name = &rest[i + 1..j];
        match name.strip_suffix('*').and_then(|n| n.split_once('.')) {
            Some((table, column)) => out.push_str(&all_values(ctx, path, table, column)?.join(",")),
            None => out.push_str(&rest[i..=j]),
        }
        rest = &rest[j + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn all_values(ctx: &Arc<Ctx>, path: &str, table: &str, column: &str) -> Result<Vec<String>> {
    let tidx = ctx
        .profile
        .tables
        .iter()
        .position(|t| t.name == table)
        .ok_or_else(|| {
            Error::new(
                Kind::Config,
                format!("Route {path} names unknown table {table}."),
            )
        })?;
    column_values(ctx, tidx, column)
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_path_values() {
        assert_eq!(super::encode("a b/../c?d"), "a%20b%2F..%2Fc%3Fd");
        assert_eq!(super::encode("ana@x.cl"), "ana@x.cl");
    }
}

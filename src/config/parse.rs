//! The ODBC connection-string grammar: `key=value` pairs separated by `;`,
//! values optionally in braces (`{a;b}`, with `}}` standing for `}`) or, as
//! CData writes them, in quotes (`'a;b'`, `"a;b"`).

use crate::error::{err, Kind, Result};

/// How a key is named in a message about the grammar: its canonical name
/// when it is one of ours, else only where it starts. The text itself is
/// never quoted: a malformed pair may hold a secret (`AuthToken:abc`,
/// `Pagesize=5 AuthToken=abc`).
fn where_key(key: &str, start: usize) -> String {
    match super::key_spec(key) {
        Some(spec) => format!("the value of {} (at character {})", spec.name, start + 1),
        None => format!("the value of the key at character {}", start + 1),
    }
}

/// The canonical name of the key a malformed pair's text starts with, for
/// a hint (`AuthToken:x` starts with AuthToken): the name as written, once
/// it is known to be one of ours (so it is no fragment of a secret).
fn leading_key(text: &str) -> Option<String> {
    let head: String = text
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    super::key_spec(&head).map(|_| head)
}

pub fn parse_pairs(s: &str) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        // key
        let start = i;
        while i < chars.len() && chars[i] != '=' && chars[i] != ';' {
            i += 1;
        }
        let key: String = chars[start..i]
            .iter()
            .collect::<String>()
            .trim()
            .to_string();
        if i >= chars.len() || chars[i] == ';' {
            if !key.is_empty() {
                let hint = match leading_key(&key) {
                    Some(name) if key.contains(':') => {
                        format!(" It starts with {name} and has ':' where '=' belongs: write {name}=value.")
                    }
                    Some(name) => format!(" It starts with {name}: write {name}=value."),
                    None => String::new(),
                };
                return err(
                    Kind::Config,
                    format!(
                        "Connection string: the text at character {} has no '=' (its text is not shown; it may hold a secret); expected key=value pairs separated by ';'.{hint}",
                        start + 1
                    ),
                );
            }
            i += 1;
            continue;
        }
        i += 1; // '='
        while i < chars.len() && chars[i] == ' ' {
            i += 1;
        }
        let value = if i < chars.len() && chars[i] == '{' {
            let brace = i;
            i += 1;
            let mut v = String::new();
            loop {
                if i >= chars.len() {
                    return err(
                        Kind::Config,
                        format!(
                            "Connection string: {} opens a brace at character {} that is never closed (the text after it is not shown; it may hold a secret). Close it with '}}', and write '}}}}' for a '}}' inside the value.",
                            where_key(&key, start),
                            brace + 1
                        ),
                    );
                }
                if chars[i] == '}' {
                    if i + 1 < chars.len() && chars[i + 1] == '}' {
                        v.push('}');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                v.push(chars[i]);
                i += 1;
            }
            while i < chars.len() && chars[i] != ';' {
                if !chars[i].is_whitespace() {
                    return err(
                        Kind::Config,
                        format!(
                            "Connection string: unexpected text at character {} after the braced {} (not shown; it may hold a secret); expected ';'.",
                            i + 1,
                            where_key(&key, start).trim_start_matches("the ")
                        ),
                    );
                }
                i += 1;
            }
            v
        } else if let Some((v, end)) = quoted_value(&chars, i) {
            i = end;
            v
        } else {
            let vstart = i;
            while i < chars.len() && chars[i] != ';' {
                i += 1;
            }
            chars[vstart..i]
                .iter()
                .collect::<String>()
                .trim()
                .to_string()
        };
        i += 1; // ';'
        if key.is_empty() {
            return err(
                Kind::Config,
                format!("Connection string: a value without a key at character {} (the text before '=' is empty).", start + 1),
            );
        }
        out.push((key, value));
    }
    Ok(out)
}

/// CData's quoting: a value in single or double quotes (`'a;b'`, with a
/// doubled quote standing for one) when the quote closes right before the
/// next `;` or the end (spaces aside). Anything else (`O'Brien`, `'abc`,
/// `'a'b`) is not quoted and is read as before. Returns the value and the
/// index of the `;` (or the end) that follows it.
fn quoted_value(chars: &[char], open: usize) -> Option<(String, usize)> {
    let quote = *chars.get(open).filter(|c| matches!(c, '\'' | '"'))?;
    let mut v = String::new();
    let mut i = open + 1;
    while i < chars.len() {
        if chars[i] != quote {
            v.push(chars[i]);
            i += 1;
        } else if chars.get(i + 1) == Some(&quote) {
            v.push(quote);
            i += 2;
        } else {
            let mut end = i + 1;
            while end < chars.len() && chars[end].is_whitespace() {
                end += 1;
            }
            return (end == chars.len() || chars[end] == ';').then_some((v, end));
        }
    }
    None
}

/// A whole value in CData's quotes, unquoted (`'a;b'` -> `a;b`); None when
/// it is not one quoted value. For values that skipped the grammar: a
/// DSN's, read line by line from odbc.ini.
pub fn unquoted(v: &str) -> Option<String> {
    let chars: Vec<char> = v.trim().chars().collect();
    quoted_value(&chars, 0).and_then(|(inner, end)| (end == chars.len()).then_some(inner))
}

/// Braces a value when it would otherwise not survive `parse_pairs`.
pub fn quote_value(v: &str) -> String {
    if v.contains([';', '{', '}']) || v.starts_with([' ', '\'', '"']) || v.ends_with(' ') {
        format!("{{{}}}", v.replace('}', "}}"))
    } else {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_and_escapes() {
        let p = parse_pairs("A=1; b = {x;y}}z} ;c=;").unwrap();
        assert_eq!(
            p,
            vec![
                ("A".into(), "1".into()),
                ("b".into(), "x;y}z".into()),
                ("c".into(), "".into())
            ]
        );
    }

    #[test]
    fn round_trip() {
        for v in ["plain", "a;b", "}{", " pad ", "'q'", "\"q\"", "it's"] {
            let s = format!("k={}", quote_value(v));
            assert_eq!(parse_pairs(&s).unwrap()[0].1, v);
        }
    }

    #[test]
    fn cdata_quotes() {
        let p =
            parse_pairs("ProfileSettings='Login=a;AuthToken=b' ;Other=\"x=1;y=2\";N='it''s';E=''")
                .unwrap();
        let values: Vec<&str> = p.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(values, ["Login=a;AuthToken=b", "x=1;y=2", "it's", ""]);
        // A quote that does not close right before ';' or the end is text.
        let p = parse_pairs("Login=O'Brien;PWD='abc;X='a'b;Y=\"q").unwrap();
        let values: Vec<&str> = p.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(values, ["O'Brien", "'abc", "'a'b", "\"q"]);
    }

    #[test]
    fn whole_quoted_values_unquote() {
        assert_eq!(unquoted(" 'a=1;b=2' ").as_deref(), Some("a=1;b=2"));
        assert_eq!(unquoted("\"it\"\"s\"").as_deref(), Some("it\"s"));
        assert_eq!(unquoted("a=1;b=2"), None);
        assert_eq!(unquoted("'a';b=2"), None);
    }

    #[test]
    fn errors() {
        assert!(parse_pairs("a=1;b").is_err());
        assert!(parse_pairs("a={1").is_err());
        assert!(parse_pairs("=1").is_err());
    }
}

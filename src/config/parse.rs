//! The ODBC connection-string grammar: `key=value` pairs separated by `;`,
//! values optionally in braces (`{a;b}`, with `}}` standing for `}`).

use crate::error::{err, Kind, Result};

pub fn parse_pairs(conn_str: &str) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let chars: Vec<char> = conn_str.chars().collect();
    let mut pos = 0;
    while pos < chars.len() {
        // key
        let start = pos;
        while pos < chars.len() && chars[pos] != '=' && chars[pos] != ';' {
            pos += 1;
        }
        let key: String = chars[start..pos]
            .iter()
            .collect::<String>()
            .trim()
            .to_string();
        if pos >= chars.len() || chars[pos] == ';' {
            if !key.is_empty() {
                return err(Kind::Config, format!("Connection string: '{key}' has no value; expected key=value pairs separated by ';'."));
            }
            pos += 1;
            continue;
        }
        pos += 1; // '='
        while pos < chars.len() && chars[pos] == ' ' {
            pos += 1;
        }
        let value = if pos < chars.len() && chars[pos] == '{' {
            pos += 1;
            let mut v = String::new();
            loop {
                if pos >= chars.len() {
                    return err(Kind::Config, format!("Connection string: the value of '{key}' opens a brace that is never closed."));
                }
                if chars[pos] == '}' {
                    if pos + 1 < chars.len() && chars[pos + 1] == '}' {
                        v.push('}');
                        pos += 2;
                        continue;
                    }
                    pos += 1;
                    break;
                }
                v.push(chars[pos]);
                pos += 1;
            }
            while pos < chars.len() && chars[pos] != ';' {
                if !chars[pos].is_whitespace() {
                    return err(
                        Kind::Config,
                        format!(
                            "Connection string: unexpected text after the braced value of '{key}'."
                        ),
                    );
                }
                pos += 1;
            }
            v
        } else {
            let vstart = pos;
            while pos < chars.len() && chars[pos] != ';' {
                pos += 1;
            }
            chars[vstart..pos]
                .iter()
                .collect::<String>()
                .trim()
                .to_string()
        };
        pos += 1; // ';'
        if key.is_empty() {
            return err(
                Kind::Config,
                "Connection string: a value without a key (text before '=' is empty).",
            );
        }
        out.push((key, value));
    }
    Ok(out)
}

/// Braces a value when it would otherwise not survive `parse_pairs`.
pub fn quote_value(v: &str) -> String {
    if v.contains([';', '{', '}']) || v.starts_with(' ') || v.ends_with(' ') {
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
        for v in ["plain", "a;b", "}{", " pad "] {
            let s = format!("k={}", quote_value(v));
            assert_eq!(parse_pairs(&s).unwrap()[0].1, v);
        }
    }

    #[test]
    fn errors() {
        assert!(parse_pairs("a=1;b").is_err());
        assert!(parse_pairs("a={1").is_err());
        assert!(parse_pairs("=1").is_err());
    }
}

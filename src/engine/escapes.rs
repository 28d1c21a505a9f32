//! ODBC escape sequences ({fn ...}, {d '...'}, {ts '...'}, {t '...'},
//! {oj ...}, {escape '...'}) rewritten into SQLite SQL by a small lexer that
//! leaves string literals, quoted identifiers and comments alone.

/// Scalar functions whose ODBC name differs from SQLite's.
const FUNCTIONS: &[(&str, &str)] = &[
    ("UCASE", "upper"),
    ("LCASE", "lower"),
    ("SUBSTRING", "substr"),
    ("LENGTH", "length"),
    ("CHAR_LENGTH", "length"),
    ("CHARACTER_LENGTH", "length"),
    ("LTRIM", "ltrim"),
    ("RTRIM", "rtrim"),
    ("IFNULL", "ifnull"),
    ("ABS", "abs"),
    ("ROUND", "round"),
    ("REPLACE", "replace"),
    ("CEILING", "ceil"),
    ("FLOOR", "floor"),
    ("MOD", "mod"),
];

/// Functions that become an expression of their own.
fn special(name: &str) -> Option<&'static str> {
    Some(match name {
        "NOW" | "CURRENT_TIMESTAMP" => "datetime('now')",
        "CURDATE" | "CURRENT_DATE" => "date('now')",
        "CURTIME" | "CURRENT_TIME" => "time('now')",
        "DATABASE" => "'Jumpseller'",
        "USER" => "''",
        "PI" => "pi()",
        _ => return None,
    })
}

pub fn rewrite(sql: &str) -> String {
    let b: Vec<char> = sql.chars().collect();
    let mut out = String::with_capacity(sql.len());
    let mut i = 0;
    // Stack of open escapes: true when its closing brace must be dropped.
    let mut open: Vec<bool> = Vec::new();
    while i < b.len() {
        let c = b[i];
        match c {
            '\'' | '"' | '`' | '[' => {
                let close = if c == '[' { ']' } else { c };
                out.push(c);
                i += 1;
                while i < b.len() {
                    out.push(b[i]);
                    if b[i] == close {
                        if close != ']' && i + 1 < b.len() && b[i + 1] == close {
                            out.push(b[i + 1]);
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    i += 1;
                }
            }
            '-' if b.get(i + 1) == Some(&'-') => {
                while i < b.len() && b[i] != '\n' {
                    out.push(b[i]);
                    i += 1;
                }
            }
            '/' if b.get(i + 1) == Some(&'*') => {
                out.push_str("/*");
                i += 2;
                while i < b.len() && !(b[i] == '*' && b.get(i + 1) == Some(&'/')) {
                    out.push(b[i]);
                    i += 1;
                }
                if i < b.len() {
                    out.push_str("*/");
                    i += 2;
                }
            }
            '{' => {
                let mut j = i + 1;
                while j < b.len() && b[j].is_whitespace() {
                    j += 1;
                }
                let start = j;
                while j < b.len() && b[j].is_ascii_alphabetic() {
                    j += 1;
                }
                let word: String = b[start..j].iter().collect::<String>().to_ascii_lowercase();
                match word.as_str() {
                    "fn" => {
                        // {fn NAME(...)}: map the name, keep the arguments.
                        while j < b.len() && b[j].is_whitespace() {
                            j += 1;
                        }
                        let ns = j;
                        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == '_') {
                            j += 1;
                        }
                        let name: String = b[ns..j].iter().collect::<String>().to_ascii_uppercase();
                        let mut k = j;
                        while k < b.len() && b[k].is_whitespace() {
                            k += 1;
                        }
                        let empty_args = b.get(k) == Some(&'(') && {
                            let mut m = k + 1;
                            while m < b.len() && b[m].is_whitespace() {
                                m += 1;
                            }
                            b.get(m) == Some(&')')
                        };
                        if let Some(expr) =
                            special(&name).filter(|_| empty_args || b.get(k) != Some(&'('))
                        {
                            out.push_str(expr);
                            if empty_args {
                                while b[k] != ')' {
                                    k += 1;
                                }
                                j = k + 1;
                            }
                        } else if let Some((_, to)) =
                            FUNCTIONS.iter().find(|(from, _)| *from == name)
                        {
                            out.push_str(to);
                        } else {
                            out.push_str(&name.to_ascii_lowercase());
                        }
                        open.push(true);
                        i = j;
                    }
                    "d" | "t" | "ts" | "oj" | "escape" => {
                        if word == "escape" {
                            out.push_str("ESCAPE");
                        }
                        open.push(true);
                        i = j;
                    }
                    "call" | "?" => {
                        out.push('{');
                        open.push(false);
                        i += 1;
                    }
                    _ => {
                        out.push('{');
                        open.push(false);
                        i += 1;
                    }
                }
            }
            '}' => {
                if open.pop() != Some(true) {
                    out.push('}');
                }
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    #[test]
    fn escapes() {
        assert_eq!(
            rewrite("SELECT {fn UCASE(name)} FROM t"),
            "SELECT upper(name) FROM t"
        );
        assert_eq!(
            rewrite("WHERE d > {d '2024-01-01'}"),
            "WHERE d >  '2024-01-01'"
        );
        assert_eq!(
            rewrite("WHERE d > {ts '2024-01-01 10:00:00'}"),
            "WHERE d >  '2024-01-01 10:00:00'"
        );
        assert_eq!(rewrite("SELECT {fn NOW()}"), "SELECT datetime('now')");
        assert_eq!(
            rewrite("FROM {oj a LEFT OUTER JOIN b ON a.x=b.y}"),
            "FROM  a LEFT OUTER JOIN b ON a.x=b.y"
        );
        assert_eq!(
            rewrite("x LIKE 'a\\_%' {escape '\\'}"),
            "x LIKE 'a\\_%' ESCAPE '\\'"
        );
    }

    #[test]
    fn literals_untouched() {
        assert_eq!(
            rewrite("SELECT '{fn x}', \"{d\" -- {fn y}\n"),
            "SELECT '{fn x}', \"{d\" -- {fn y}\n"
        );
    }
}

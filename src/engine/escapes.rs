//! ODBC escape sequences ({fn ...}, {d '...'}, {ts '...'}, {t '...'},
//! {oj ...}, {escape '...'}) rewritten into SQLite SQL by a small lexer that
//! leaves string literals, quoted identifiers and comments alone.

/// Scalar functions SQLite has under another name (or the same one).
const BUILTIN: &[(&str, &str)] = &[
    ("UCASE", "upper"),
    ("LCASE", "lower"),
    ("SUBSTRING", "substr"),
    ("CHAR_LENGTH", "length"),
    ("CHARACTER_LENGTH", "length"),
    ("CHAR", "char"),
    ("LTRIM", "ltrim"),
    ("RTRIM", "rtrim"),
    ("IFNULL", "ifnull"),
    ("ABS", "abs"),
    ("REPLACE", "replace"),
];

/// Scalar functions the driver registers as `js_fn_<name>` (functions.rs).
const DRIVER: &[&str] = &[
    "ASCII",
    "BIT_LENGTH",
    "OCTET_LENGTH",
    "DIFFERENCE",
    "INSERT",
    "LEFT",
    "RIGHT",
    "LENGTH",
    "LOCATE",
    "REPEAT",
    "SOUNDEX",
    "ACOS",
    "ASIN",
    "ATAN",
    "ATAN2",
    "COS",
    "COT",
    "SIN",
    "TAN",
    "DEGREES",
    "RADIANS",
    "EXP",
    "LOG",
    "LOG10",
    "SQRT",
    "POWER",
    "PI",
    "CEILING",
    "FLOOR",
    "SIGN",
    "MOD",
    "ROUND",
    "TRUNCATE",
    "RAND",
    "DAYNAME",
    "DAYOFMONTH",
    "DAYOFWEEK",
    "DAYOFYEAR",
    "MONTH",
    "MONTHNAME",
    "QUARTER",
    "WEEK",
    "YEAR",
    "HOUR",
    "MINUTE",
    "SECOND",
];

/// Functions that become an expression of their own (no arguments).
fn niladic(name: &str) -> Option<&'static str> {
    Some(match name {
        "NOW" | "CURRENT_TIMESTAMP" => "datetime('now')",
        "CURDATE" | "CURRENT_DATE" => "date('now')",
        "CURTIME" | "CURRENT_TIME" => "time('now')",
        // As SQLGetInfo's SQL_DATABASE_NAME and SQL_ATTR_CURRENT_CATALOG:
        // Jumpseller has no catalogs.
        "DATABASE" => "''",
        "USER" => "js_fn_user()",
        _ => return None,
    })
}

/// `{fn CONVERT(x, SQL_type)}` as the CAST casts.rs evaluates exactly.
fn convert_type(t: &str) -> Option<&'static str> {
    let t = t.trim().to_ascii_uppercase();
    let t = t.strip_prefix("SQL_").unwrap_or(&t);
    Some(match t {
        "BIGINT" => "BIGINT",
        "INTEGER" => "INTEGER",
        "SMALLINT" | "TINYINT" => "SMALLINT",
        "BIT" => "BIT",
        "DECIMAL" | "NUMERIC" => "DECIMAL(38,10)",
        "DOUBLE" | "FLOAT" | "REAL" => "DOUBLE",
        "CHAR" | "VARCHAR" | "LONGVARCHAR" | "WCHAR" | "WVARCHAR" | "WLONGVARCHAR" | "GUID" => {
            "VARCHAR"
        }
        "BINARY" | "VARBINARY" | "LONGVARBINARY" => "BLOB",
        "DATE" | "TYPE_DATE" => "DATE",
        "TIME" | "TYPE_TIME" => "TIME",
        "TIMESTAMP" | "TYPE_TIMESTAMP" => "TIMESTAMP",
        _ => return None,
    })
}

/// Splits `s` at top-level commas (not inside parentheses or quotes).
fn split_args(s: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' | '`' => quote = Some(c),
                '[' => quote = Some(']'),
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(String::new());
                    continue;
                }
                _ => {}
            },
        }
        out.last_mut().expect("one part").push(c);
    }
    out.iter().map(|a| a.trim().to_string()).collect()
}

/// Splits `s` at its first top-level keyword `kw` (`FROM`, `IN`).
fn split_keyword(s: &str, kw: &str) -> Option<(String, String)> {
    let b: Vec<char> = s.chars().collect();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
        } else {
            match c {
                '\'' | '"' | '`' => quote = Some(c),
                '[' => quote = Some(']'),
                '(' => depth += 1,
                ')' => depth -= 1,
                _ if depth == 0
                    && (i == 0 || !ident(b[i - 1]))
                    && b.len() >= i + kw.len()
                    && b[i..i + kw.len()]
                        .iter()
                        .collect::<String>()
                        .eq_ignore_ascii_case(kw)
                    && b.get(i + kw.len()).is_none_or(|&n| !ident(n)) =>
                {
                    let head: String = b[..i].iter().collect();
                    let tail: String = b[i + kw.len()..].iter().collect();
                    return Some((head.trim().to_string(), tail.trim().to_string()));
                }
                _ => {}
            }
        }
        i += 1;
    }
    None
}

fn quoted(word: &str) -> String {
    format!("'{}'", word.trim().replace('\'', "''"))
}

/// The SQL a `{fn NAME(args)}` becomes; `args` is already rewritten.
fn call(name: &str, args: Option<&str>) -> String {
    if let Some(expr) = niladic(name)
        .filter(|_| name.starts_with("CURRENT_") || args.is_none_or(|a| a.trim().is_empty()))
    {
        return expr.to_string();
    }
    let a = args.unwrap_or("");
    let parts = split_args(a);
    match name {
        "CONCAT" if parts.len() == 2 => format!("(({}) || ({}))", parts[0], parts[1]),
        "SPACE" => format!("js_fn_repeat(' ', {a})"),
        "POSITION" => match split_keyword(a, "IN") {
            Some((x, y)) => format!("js_fn_locate({x}, {y})"),
            None => format!("js_fn_locate({a})"),
        },
        "EXTRACT" => match split_keyword(a, "FROM") {
            Some((f, x)) => format!("js_fn_extract({}, {x})", quoted(&f)),
            None => format!("js_fn_extract({a})"),
        },
        "TIMESTAMPADD" | "TIMESTAMPDIFF" if parts.len() == 3 => format!(
            "js_fn_{}({}, {}, {})",
            name.to_ascii_lowercase(),
            quoted(&parts[0]),
            parts[1],
            parts[2]
        ),
        "CONVERT" if parts.len() == 2 => match convert_type(&parts[1]) {
            Some(t) => format!("CAST({} AS {t})", parts[0]),
            // Unknown types reach SQLite as they are, which refuses them.
            None => format!("convert({a})"),
        },
        _ => {
            let f = if let Some((_, to)) = BUILTIN.iter().find(|(from, _)| *from == name) {
                to.to_string()
            } else if DRIVER.contains(&name) {
                format!("js_fn_{}", name.to_ascii_lowercase())
            } else {
                name.to_ascii_lowercase()
            };
            format!("{f}({a})")
        }
    }
}

/// `{INTERVAL [sign] 'value' qualifier}` as the text of a SQLite date
/// modifier (`'+3 days'`, `'-90 seconds'`), so `datetime(x, {INTERVAL '3'
/// DAY})` adds it. Day-time intervals with several fields become seconds,
/// YEAR TO MONTH months. None if the literal is not one.
fn interval_literal(body: &str) -> Option<String> {
    let body = body.trim();
    let (neg, rest) = match body.chars().next()? {
        '-' => (true, body[1..].trim_start()),
        '+' => (false, body[1..].trim_start()),
        _ => (false, body),
    };
    let rest = rest.strip_prefix('\'')?;
    let close = rest.find('\'')?;
    let (value, qual) = (rest[..close].trim(), rest[close + 1..].trim());
    let (value, neg) = match value.strip_prefix('-') {
        Some(v) => (v, !neg),
        None => (value, neg),
    };
    let words: Vec<String> = qual
        .split_whitespace()
        .map(|w| w.split('(').next().unwrap_or("").to_ascii_uppercase())
        .filter(|w| w != "TO")
        .collect();
    let nums: Vec<f64> = value
        .split([' ', ':', '-'])
        .map(|n| n.parse::<f64>())
        .collect::<Result<_, _>>()
        .ok()?;
    let sign = if neg { "-" } else { "+" };
    let seconds = |w: &str| -> Option<f64> {
        Some(match w {
            "DAY" => 86_400.0,
            "HOUR" => 3600.0,
            "MINUTE" => 60.0,
            "SECOND" => 1.0,
            _ => return None,
        })
    };
    let order = ["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"];
    let first = words.first()?;
    let lead = order.iter().position(|w| w == first)?;
    let trail = match words.get(1) {
        Some(t) => order.iter().position(|w| w == t)?,
        None => lead,
    };
    if trail < lead || nums.len() != trail - lead + 1 || words.len() > 2 {
        return None;
    }
    let fields = &order[lead..=trail];
    if fields.len() == 1 {
        let unit = fields[0].to_ascii_lowercase();
        return Some(format!("'{sign}{} {unit}s'", value.trim()));
    }
    if fields == ["YEAR", "MONTH"] {
        return Some(format!("'{sign}{} months'", nums[0] * 12.0 + nums[1]));
    }
    let mut total = 0.0;
    for (w, n) in fields.iter().zip(&nums) {
        total += seconds(w)? * n;
    }
    Some(format!("'{sign}{total} seconds'"))
}

/// Index of the `)` closing the `(` at `open`, skipping quotes.
fn matching(b: &[char], open: usize) -> Option<usize> {
    let mut depth = 0;
    let mut i = open;
    while i < b.len() {
        match b[i] {
            '\'' | '"' | '`' | '[' => {
                let close = if b[i] == '[' { ']' } else { b[i] };
                i += 1;
                while i < b.len() && b[i] != close {
                    i += 1;
                }
            }
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The closing text of a date, time or timestamp literal's CAST, so that
/// the literal has its type (SQLDescribeCol says DATE, not WVARCHAR) and a
/// value that is not one is 22007 rather than text.
fn literal_cast(kind: &str) -> Option<&'static str> {
    match kind {
        "d" | "DATE" => Some(" AS DATE)"),
        "t" | "TIME" => Some(" AS TIME)"),
        "ts" | "TIMESTAMP" => Some(" AS TIMESTAMP)"),
        _ => None,
    }
}

/// When `DATE`/`TIME`/`TIMESTAMP` at `b[start..end]` is the keyword of a
/// SQL-92 literal (`DATE '2024-01-31'`: a word of its own followed by a
/// string literal), the closing text of its CAST.
fn typed_literal(b: &[char], start: usize, end: usize) -> Option<&'static str> {
    let word: String = b[start..end]
        .iter()
        .collect::<String>()
        .to_ascii_uppercase();
    let cast = literal_cast(&word).filter(|_| word.len() > 2)?;
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$' || c == '.';
    if start > 0 && ident(b[start - 1]) || b.get(end).is_some_and(|&c| ident(c)) {
        return None;
    }
    let mut k = end;
    while k < b.len() && b[k].is_whitespace() {
        k += 1;
    }
    (k > end && b.get(k) == Some(&'\'')).then_some(cast)
}

pub fn rewrite(sql: &str) -> String {
    let b: Vec<char> = sql.chars().collect();
    let mut out = String::with_capacity(sql.len());
    let mut i = 0;
    // Stack of open escapes: what their closing brace becomes (None: it
    // stays a brace).
    let mut open: Vec<Option<&'static str>> = Vec::new();
    // The closing text owed after the next quoted literal (SQL-92 DATE '…').
    let mut after_literal: Option<&'static str> = None;
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
                if let Some(close) = after_literal.take() {
                    out.push_str(close);
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
                        // {fn NAME(...)}: the arguments rewritten first.
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
                        match (b.get(k) == Some(&'(')).then(|| matching(&b, k)).flatten() {
                            Some(m) => {
                                let inner: String = b[k + 1..m].iter().collect();
                                out.push_str(&call(&name, Some(&rewrite(&inner))));
                                j = m + 1;
                            }
                            None => out.push_str(&call(&name, None)),
                        }
                        open.push(Some(""));
                        i = j;
                    }
                    "interval" => {
                        let mut m = j;
                        let mut in_quote = false;
                        while m < b.len() && (in_quote || b[m] != '}') {
                            if b[m] == '\'' {
                                in_quote = !in_quote;
                            }
                            m += 1;
                        }
                        let body: String = b[j..m].iter().collect();
                        match interval_literal(&body) {
                            Some(lit) => {
                                out.push_str(&lit);
                                open.push(Some(""));
                                i = m;
                            }
                            None => {
                                out.push('{');
                                open.push(None);
                                i += 1;
                            }
                        }
                    }
                    "d" | "t" | "ts" => {
                        out.push_str("CAST(");
                        open.push(literal_cast(&word));
                        i = j;
                    }
                    "oj" | "escape" | "guid" => {
                        if word == "escape" {
                            out.push_str("ESCAPE");
                        }
                        open.push(Some(""));
                        i = j;
                    }
                    "call" | "?" => {
                        out.push('{');
                        open.push(None);
                        i += 1;
                    }
                    _ => {
                        out.push('{');
                        open.push(None);
                        i += 1;
                    }
                }
            }
            '}' => {
                match open.pop() {
                    Some(Some(close)) => out.push_str(close),
                    _ => out.push('}'),
                }
                i += 1;
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut j = i;
                while j < b.len() && (b[j].is_alphanumeric() || b[j] == '_' || b[j] == '$') {
                    j += 1;
                }
                // SQL-92 `DATE '…'`: a CAST of the literal, as `{d '…'}` is.
                match typed_literal(&b, i, j) {
                    Some(close) => {
                        out.push_str("CAST(");
                        after_literal = Some(close);
                    }
                    None => out.extend(&b[i..j]),
                }
                i = j;
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
            "WHERE d > CAST( '2024-01-01' AS DATE)"
        );
        assert_eq!(
            rewrite("WHERE d > {ts '2024-01-01 10:00:00'}"),
            "WHERE d > CAST( '2024-01-01 10:00:00' AS TIMESTAMP)"
        );
        assert_eq!(
            rewrite("SELECT {t '09:05:00'}, DATE '2024-01-01', TIMESTAMP  '2024-01-01 10:00:00'"),
            "SELECT CAST( '09:05:00' AS TIME), CAST( '2024-01-01' AS DATE), CAST(  '2024-01-01 10:00:00' AS TIMESTAMP)"
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

    #[test]
    fn functions_with_their_own_syntax() {
        assert_eq!(
            rewrite("{fn POSITION('a' IN {fn LCASE(name)})}"),
            "js_fn_locate('a', lower(name))"
        );
        assert_eq!(
            rewrite("{fn EXTRACT(YEAR FROM created_at)}"),
            "js_fn_extract('YEAR', created_at)"
        );
        assert_eq!(
            rewrite("{fn TIMESTAMPADD(SQL_TSI_DAY, 1, {fn NOW()})}"),
            "js_fn_timestampadd('SQL_TSI_DAY', 1, datetime('now'))"
        );
        assert_eq!(
            rewrite("{fn CONVERT(price, SQL_INTEGER)}"),
            "CAST(price AS INTEGER)"
        );
        assert_eq!(rewrite("{fn CONCAT(a, 'b,c')}"), "((a) || ('b,c'))");
        assert_eq!(rewrite("{fn CURRENT_DATE}"), "date('now')");
        assert_eq!(rewrite("{fn IN_STOCK(x)}"), "in_stock(x)");
    }

    #[test]
    fn literals() {
        assert_eq!(rewrite("{INTERVAL '3' DAY}"), "'+3 days'");
        assert_eq!(rewrite("{INTERVAL -'90' SECOND}"), "'-90 seconds'");
        assert_eq!(rewrite("{INTERVAL '1-2' YEAR TO MONTH}"), "'+14 months'");
        assert_eq!(
            rewrite("{interval '1 00:00:01' DAY TO SECOND}"),
            "'+86401 seconds'"
        );
        assert_eq!(rewrite("{guid 'ab-cd'}"), " 'ab-cd'");
        assert_eq!(
            rewrite("x > DATE '2024-01-01'"),
            "x > CAST( '2024-01-01' AS DATE)"
        );
        // A column named date stays.
        assert_eq!(
            rewrite("SELECT date, t.time FROM t"),
            "SELECT date, t.time FROM t"
        );
        assert_eq!(rewrite("CAST(x AS DATE)"), "CAST(x AS DATE)");
    }
}

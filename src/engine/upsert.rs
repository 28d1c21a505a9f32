//! The UPSERT clause (`INSERT ... ON CONFLICT ... DO ...`) on the API
//! tables. SQLite does not run it on virtual tables at all ("UPSERT not
//! implemented for virtual table"), so it is handled before SQLite sees the
//! statement: `ON CONFLICT [(key)] DO NOTHING` means exactly INSERT OR
//! IGNORE here (a table's only uniqueness is its key) and is rewritten into
//! it; `DO UPDATE`, and a conflict target other than the key, are refused
//! with a message naming the forms that work. Statements on other tables
//! (temporary ones) are left to SQLite.

use crate::error::{Error, Kind, Result};
use crate::schema::{Profile, Table};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok {
    Word,
    /// A quoted identifier or a string literal.
    Quoted,
    Open,
    Close,
    Comma,
    Dot,
    Other,
}

/// The significant tokens of `sql` (no blanks or comments): kind, byte range.
fn tokens(sql: &str) -> Vec<(Tok, usize, usize)> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'-' && b.get(i + 1) == Some(&b'-') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                i += 1;
            }
            i = (i + 2).min(b.len());
        } else if matches!(c, b'\'' | b'"' | b'`' | b'[') {
            let close = if c == b'[' { b']' } else { c };
            i += 1;
            while i < b.len() {
                if b[i] == close {
                    if close != b']' && b.get(i + 1) == Some(&close) {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i = (i + 1).min(b.len());
            out.push((Tok::Quoted, start, i));
        } else if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 || c == b'$' {
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80 || b[i] == b'$')
            {
                i += 1;
            }
            out.push((Tok::Word, start, i));
        } else {
            i += 1;
            let kind = match c {
                b'(' => Tok::Open,
                b')' => Tok::Close,
                b',' => Tok::Comma,
                b'.' => Tok::Dot,
                _ => Tok::Other,
            };
            out.push((kind, start, i));
        }
    }
    out
}

/// An identifier as SQLite reads it: quotes removed, doubled quotes undone.
fn ident(sql: &str, (kind, s, e): (Tok, usize, usize)) -> Option<String> {
    let text = &sql[s..e];
    match kind {
        Tok::Word => Some(text.to_string()),
        Tok::Quoted if text.starts_with('\'') => None,
        Tok::Quoted if text.len() >= 2 => {
            let q = &text[..1];
            let inner = &text[1..text.len() - 1];
            Some(if q == "[" {
                inner.to_string()
            } else {
                inner.replace(&format!("{q}{q}"), q)
            })
        }
        _ => None,
    }
}

const SUPPORTED: &str = "REPLACE INTO / INSERT OR REPLACE (updates the row whose key exists, creates a row that names no key), INSERT OR IGNORE or INSERT ... ON CONFLICT DO NOTHING (skips a row whose key exists), and UPDATE";

/// `sql` with an UPSERT clause on an API table rewritten into the conflict
/// mode of the same meaning, or refused; any other statement unchanged.
pub fn rewrite(sql: &str, profile: &Profile) -> Result<String> {
    let toks = tokens(sql);
    let word = |i: usize, w: &str| {
        toks.get(i)
            .is_some_and(|&(k, s, e)| k == Tok::Word && sql[s..e].eq_ignore_ascii_case(w))
    };
    // The INSERT (or REPLACE) at depth 0, after a WITH clause if any.
    let mut depth = 0i32;
    let mut insert = None;
    for (i, &(k, _, _)) in toks.iter().enumerate() {
        match k {
            Tok::Open => depth += 1,
            Tok::Close => depth -= 1,
            _ if depth == 0 && (word(i, "INSERT") || word(i, "REPLACE")) => {
                insert = Some(i);
                break;
            }
            _ if depth == 0 && i == 0 && !word(i, "WITH") => return Ok(sql.to_string()),
            _ => {}
        }
    }
    let Some(insert) = insert else {
        return Ok(sql.to_string());
    };
    // Its ON CONFLICT clauses, at depth 0.
    let mut depth = 0i32;
    let mut on = None;
    for (i, &(k, _, _)) in toks.iter().enumerate().skip(insert) {
        match k {
            Tok::Open => depth += 1,
            Tok::Close => depth -= 1,
            _ if depth == 0 && word(i, "ON") && word(i + 1, "CONFLICT") => {
                on = Some(i);
                break;
            }
            _ => {}
        }
    }
    let Some(on) = on else {
        return Ok(sql.to_string());
    };
    // The table: INSERT [OR x] INTO [schema.]name / REPLACE INTO ...
    let mut i = insert + 1;
    let mut verb_end = toks[insert].2;
    if word(insert, "INSERT") && word(i, "OR") {
        verb_end = toks.get(i + 1).map_or(toks[i].2, |t| t.2);
        i += 2;
    }
    if !word(i, "INTO") {
        return Ok(sql.to_string());
    }
    i += 1;
    let mut name = toks.get(i).and_then(|&t| ident(sql, t));
    if toks.get(i + 1).is_some_and(|t| t.0 == Tok::Dot) {
        let schema = name.unwrap_or_default();
        if !schema.eq_ignore_ascii_case(&profile.schema) {
            return Ok(sql.to_string());
        }
        name = toks.get(i + 2).and_then(|&t| ident(sql, t));
    }
    let Some(table) = name.as_deref().and_then(|n| profile.table(n)) else {
        return Ok(sql.to_string());
    };
    // Every clause: ON CONFLICT [(target) [WHERE ...]] DO NOTHING | DO UPDATE ...
    let mut i = on;
    let mut end = toks[on].2;
    while word(i, "ON") && word(i + 1, "CONFLICT") {
        i += 2;
        if toks.get(i).is_some_and(|t| t.0 == Tok::Open) {
            i = target(sql, &toks, i + 1, table)?;
        }
        if word(i, "WHERE") {
            return Err(refusal(
                Kind::NotImplemented,
                table,
                "a WHERE on the conflict target (partial indexes)",
            ));
        }
        if !word(i, "DO") {
            // Malformed: SQLite's own message says where.
            return Ok(sql.to_string());
        }
        if word(i + 1, "UPDATE") {
            return Err(refusal(Kind::NotImplemented, table, "ON CONFLICT ... DO UPDATE (it would update only the columns its SET names, which no single API request here expresses exactly)"));
        }
        if !word(i + 1, "NOTHING") {
            return Ok(sql.to_string());
        }
        end = toks[i + 1].2;
        i += 2;
    }
    Ok(format!(
        "{}INSERT OR IGNORE{}{}",
        &sql[..toks[insert].1],
        &sql[verb_end..toks[on].1],
        &sql[end..]
    ))
}

/// Checks a conflict target `(col, ...)` starting after its `(`: it must
/// name the table's key (its primary key, or the id alone). Returns the
/// token after the `)`.
fn target(sql: &str, toks: &[(Tok, usize, usize)], mut i: usize, t: &Table) -> Result<usize> {
    let mut cols = Vec::new();
    loop {
        let Some(name) = toks.get(i).and_then(|&x| ident(sql, x)) else {
            return Err(bad_target(t));
        };
        cols.push(name.to_ascii_lowercase());
        i += 1;
        match toks.get(i).map(|x| x.0) {
            Some(Tok::Comma) => i += 1,
            Some(Tok::Close) => break,
            _ => return Err(bad_target(t)),
        }
    }
    cols.sort();
    cols.dedup();
    let mut pk: Vec<String> = t
        .primary_key
        .iter()
        .map(|c| c.to_ascii_lowercase())
        .collect();
    pk.sort();
    let id_alone = cols == ["id"] && t.primary_key.iter().any(|c| c == "id");
    if cols != pk && !id_alone {
        return Err(bad_target(t));
    }
    Ok(i + 1)
}

fn bad_target(t: &Table) -> Error {
    Error::new(
        Kind::Syntax,
        format!(
            "The ON CONFLICT target must name the key of {} ({}): it is the only uniqueness the table has.",
            t.name,
            t.primary_key.join(", ")
        ),
    )
}

fn refusal(kind: Kind, t: &Table, what: &str) -> Error {
    Error::new(
        kind,
        format!(
            "{what} is not supported on {}: SQLite has no UPSERT for the API tables. Nothing was written. Supported: {SUPPORTED}.",
            t.name
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> Profile {
        serde_json::from_str(crate::schema::BUILTIN).unwrap()
    }

    #[test]
    fn do_nothing_becomes_or_ignore() {
        let p = profile();
        for (sql, want) in [
            (
                "INSERT INTO Categories (id, name) VALUES (2, 'x') ON CONFLICT (id) DO NOTHING",
                "INSERT OR IGNORE INTO Categories (id, name) VALUES (2, 'x') ",
            ),
            (
                "insert or abort into Jumpseller.\"Categories\"(name) values ('on conflict') on conflict do nothing;",
                "INSERT OR IGNORE into Jumpseller.\"Categories\"(name) values ('on conflict') ;",
            ),
            (
                "INSERT INTO ProductVariants (product_id, id, price) VALUES (2, 5, 1) ON CONFLICT (id, product_id) DO NOTHING ON CONFLICT DO NOTHING",
                "INSERT OR IGNORE INTO ProductVariants (product_id, id, price) VALUES (2, 5, 1) ",
            ),
        ] {
            assert_eq!(rewrite(sql, &p).unwrap(), want, "{sql}");
        }
    }

    #[test]
    fn other_statements_are_left_alone() {
        let p = profile();
        for sql in [
            "SELECT * FROM Categories",
            "INSERT INTO Categories (name) VALUES ('ON CONFLICT DO UPDATE')",
            "INSERT INTO temp.t (a) VALUES (1) ON CONFLICT DO UPDATE SET a = 2",
            "INSERT INTO t (a) VALUES (1) ON CONFLICT DO UPDATE SET a = 2",
            "REPLACE INTO Categories (id, name) VALUES (2, 'x')",
            "SELECT replace('a', 'b', 'c')",
        ] {
            assert_eq!(rewrite(sql, &p).unwrap(), sql);
        }
    }

    #[test]
    fn do_update_and_other_targets_are_refused() {
        let p = profile();
        let e = rewrite(
            "INSERT INTO Categories (id, name) VALUES (2, 'x') ON CONFLICT (id) DO UPDATE SET name = excluded.name",
            &p,
        )
        .unwrap_err();
        assert_eq!(e.kind, Kind::NotImplemented);
        assert!(e.message.contains("REPLACE INTO"), "{}", e.message);
        let e = rewrite(
            "WITH v(a) AS (SELECT 1) INSERT INTO Categories (name) SELECT a FROM v WHERE true ON CONFLICT DO UPDATE SET name = 'y'",
            &p,
        )
        .unwrap_err();
        assert_eq!(e.kind, Kind::NotImplemented);
        let e = rewrite(
            "INSERT INTO Categories (id, name) VALUES (2, 'x') ON CONFLICT (name) DO NOTHING",
            &p,
        )
        .unwrap_err();
        assert_eq!(e.kind, Kind::Syntax);
        assert!(e.message.contains("key of Categories"), "{}", e.message);
    }
}

//! SQLDescribeParam: what each `?` marker stands for. A marker compared
//! with or assigned to a table column (`col = ?`, `col IN (?, ?)`,
//! `col BETWEEN ? AND ?`, `INSERT INTO t (col) VALUES (?)`,
//! `UPDATE t SET col = ?`) takes that column's type, size, digits and
//! nullability from the profile; any other marker is a nullable
//! SQL_WVARCHAR(DEFAULT_SIZE), which every value converts from.
//!
//! The SQL is read with a small tokenizer, not a parser: a shape it does
//! not recognise only means the default answer, never an error.

use super::Stmt;
use crate::error::{Error, Result};
use crate::odbc::lock;
use crate::schema::{Profile, SqlType};

/// The size a marker of unknown type is described with.
pub const DEFAULT_SIZE: u32 = 4000;

/// What SQLDescribeParam answers for one marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamDesc {
    pub sql_type: SqlType,
    /// SQL_NO_NULLS (0), SQL_NULLABLE (1) or SQL_NULLABLE_UNKNOWN (2).
    pub nullable: i16,
}

impl ParamDesc {
    fn unknown() -> ParamDesc {
        ParamDesc {
            sql_type: SqlType::WVarchar(DEFAULT_SIZE),
            nullable: 1,
        }
    }
}

impl Stmt {
    /// SQLDescribeParam for marker `number` (from 1).
    pub fn describe_param(&self, number: u16) -> Result<ParamDesc> {
        let session = self.conn.session()?;
        let st = lock(&self.state);
        let count = match (&st.query, &st.call) {
            (Some(q), _) => q.param_count(),
            (None, Some(call)) => call.markers.len(),
            _ => {
                return Err(Error::odbc(
                    "HY010",
                    "SQLDescribeParam needs a prepared statement (function sequence error).",
                ))
            }
        };
        if number == 0 || number as usize > count {
            return Err(Error::odbc(
                "07009",
                format!(
                    "Parameter {number} does not exist; the statement has {count} marker(s), numbered from 1."
                ),
            ));
        }
        // A procedure's arguments are text.
        let all = match st.query {
            Some(_) => describe_markers(&st.sql, session.profile()),
            None => Vec::new(),
        };
        Ok(if all.len() == count {
            all[number as usize - 1]
        } else {
            ParamDesc::unknown()
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// An unquoted word (identifier or keyword), as written.
    Word(String),
    /// A quoted identifier, unquoted.
    Quoted(String),
    /// A string literal, number or anything else that is a value.
    Literal,
    /// A plain `?`.
    Marker,
    /// `?NNN`, `:name`, `@name`, `$name`: markers SQLite numbers its own way.
    OtherMarker,
    Punct(String),
}

impl Tok {
    fn is_kw(&self, kw: &str) -> bool {
        matches!(self, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
    }
    fn is(&self, p: &str) -> bool {
        matches!(self, Tok::Punct(x) if x == p)
    }
    fn name(&self) -> Option<&str> {
        match self {
            Tok::Word(w) if !is_keyword(w) => Some(w),
            Tok::Quoted(w) => Some(w),
            _ => None,
        }
    }
}

const KEYWORDS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "IN",
    "IS",
    "NULL",
    "LIKE",
    "BETWEEN",
    "JOIN",
    "INNER",
    "LEFT",
    "RIGHT",
    "OUTER",
    "CROSS",
    "FULL",
    "ON",
    "USING",
    "GROUP",
    "ORDER",
    "BY",
    "HAVING",
    "LIMIT",
    "OFFSET",
    "UNION",
    "ALL",
    "EXCEPT",
    "INTERSECT",
    "INSERT",
    "INTO",
    "VALUES",
    "UPDATE",
    "SET",
    "DELETE",
    "AS",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "DISTINCT",
    "NATURAL",
    "RETURNING",
    "ESCAPE",
    "GLOB",
    "REPLACE",
    "OR",
    "DEFAULT",
    "WITH",
    "EXISTS",
    "ASC",
    "DESC",
    "CAST",
];

fn is_keyword(w: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(w))
}

fn tokenize(sql: &str) -> Vec<Tok> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let quoted_until = |i: usize, close: char| -> (String, usize) {
        let mut s = String::new();
        let mut j = i + 1;
        while j < chars.len() {
            if chars[j] == close {
                if chars.get(j + 1) == Some(&close) && close != ']' {
                    s.push(close);
                    j += 2;
                    continue;
                }
                return (s, j + 1);
            }
            s.push(chars[j]);
            j += 1;
        }
        (s, j)
    };
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c == '\'' {
            i = quoted_until(i, '\'').1;
            out.push(Tok::Literal);
        } else if c == '"' || c == '`' || c == '[' {
            let close = if c == '[' { ']' } else { c };
            let (s, j) = quoted_until(i, close);
            out.push(Tok::Quoted(s));
            i = j;
        } else if c == '?' {
            i += 1;
            if chars.get(i).is_some_and(|d| d.is_ascii_digit()) {
                while chars.get(i).is_some_and(|d| d.is_ascii_digit()) {
                    i += 1;
                }
                out.push(Tok::OtherMarker);
            } else {
                out.push(Tok::Marker);
            }
        } else if matches!(c, ':' | '@' | '$')
            && chars
                .get(i + 1)
                .is_some_and(|d| d.is_alphanumeric() || *d == '_')
        {
            i += 1;
            while chars
                .get(i)
                .is_some_and(|d| d.is_alphanumeric() || *d == '_')
            {
                i += 1;
            }
            out.push(Tok::OtherMarker);
        } else if c.is_ascii_digit() {
            while chars
                .get(i)
                .is_some_and(|d| d.is_ascii_alphanumeric() || *d == '.')
            {
                i += 1;
            }
            out.push(Tok::Literal);
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while chars
                .get(i)
                .is_some_and(|d| d.is_alphanumeric() || *d == '_' || *d == '$')
            {
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect()));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            if ["<=", ">=", "<>", "!=", "==", "||"].contains(&two.as_str()) {
                out.push(Tok::Punct(two));
                i += 2;
            } else {
                out.push(Tok::Punct(c.to_string()));
                i += 1;
            }
        }
    }
    out
}

/// A column reference: an optional qualifier and the column's name.
type ColRef = (Option<String>, String);

/// The column reference ending at token `end` (inclusive), if one does.
fn colref_ending(toks: &[Tok], end: usize) -> Option<ColRef> {
    let name = toks.get(end)?.name()?.to_string();
    if end >= 2 && toks[end - 1].is(".") {
        let qual = toks[end - 2].name()?.to_string();
        return Some((Some(qual), name));
    }
    Some((None, name))
}

/// The column reference starting at token `start`, if one does (and
/// nothing that makes it an expression follows).
fn colref_starting(toks: &[Tok], start: usize) -> Option<ColRef> {
    let first = toks.get(start)?.name()?.to_string();
    let (r, next) = if toks.get(start + 1).is_some_and(|t| t.is(".")) {
        let name = toks.get(start + 2)?.name()?.to_string();
        ((Some(first), name), start + 3)
    } else {
        ((None, first), start + 1)
    };
    match toks.get(next) {
        Some(t) if t.is("(") || t.is("||") || t.is("+") || t.is("-") || t.is("*") || t.is("/") => {
            None
        }
        _ => Some(r),
    }
}

const COMPARISONS: &[&str] = &["=", "==", "<>", "!=", "<", ">", "<=", ">="];

fn is_comparison(t: &Tok) -> bool {
    COMPARISONS.iter().any(|c| t.is(c)) || t.is_kw("LIKE") || t.is_kw("GLOB")
}

/// The table a column reference's expression ends with before `end`:
/// `col = ?` and `? = col`, `col [NOT] IN (?, ...)`, `col BETWEEN ? AND ?`.
fn compared_column(toks: &[Tok], p: usize) -> Option<ColRef> {
    // col OP ?
    if p >= 2 && is_comparison(&toks[p - 1]) {
        let before_op = if toks[p - 1].is_kw("LIKE") || toks[p - 1].is_kw("GLOB") {
            // col NOT LIKE ?
            if toks[p - 2].is_kw("NOT") {
                p.checked_sub(3)?
            } else {
                p - 2
            }
        } else {
            p - 2
        };
        if let Some(r) = colref_ending(toks, before_op) {
            return Some(r);
        }
    }
    // ? OP col
    if toks
        .get(p + 1)
        .is_some_and(|t| COMPARISONS.iter().any(|c| t.is(c)))
    {
        if let Some(r) = colref_starting(toks, p + 2) {
            return Some(r);
        }
    }
    // col BETWEEN ? AND ?
    if p >= 2 && toks[p - 1].is_kw("BETWEEN") {
        return colref_ending(toks, p - 2);
    }
    if p >= 4
        && toks[p - 1].is_kw("AND")
        && toks[p - 2] == Tok::Marker
        && toks[p - 3].is_kw("BETWEEN")
    {
        return colref_ending(toks, p - 4);
    }
    // col [NOT] IN (?, ?, ...)
    let mut j = p;
    while j >= 1 && (toks[j - 1].is(",") || toks[j - 1] == Tok::Marker) {
        j -= 1;
    }
    if j >= 3 && toks[j - 1].is("(") && toks[j - 2].is_kw("IN") {
        let end = if toks[j - 3].is_kw("NOT") {
            j.checked_sub(4)?
        } else {
            j - 3
        };
        // Markers after this one in the list belong to it too; any element
        // other than a marker makes it an expression list, still of `col`.
        return colref_ending(toks, end);
    }
    None
}

/// The tables a statement names, with their aliases: (alias or name, table).
fn tables(toks: &[Tok]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let starts = ["FROM", "JOIN", "INTO", "UPDATE"]
            .iter()
            .any(|k| toks[i].is_kw(k));
        if !starts {
            i += 1;
            continue;
        }
        i += 1;
        // [schema .] table
        while let Some(mut name) = toks.get(i).and_then(|t| t.name()).map(str::to_string) {
            i += 1;
            if toks.get(i).is_some_and(|t| t.is(".")) {
                match toks.get(i + 1).and_then(|t| t.name()) {
                    Some(n) => {
                        name = n.to_string();
                        i += 2;
                    }
                    None => break,
                }
            }
            out.push((name.clone(), name.clone()));
            if toks.get(i).is_some_and(|t| t.is_kw("AS")) {
                i += 1;
            }
            if let Some(alias) = toks.get(i).and_then(|t| t.name()) {
                out.push((alias.to_string(), name));
                i += 1;
            }
            if toks.get(i).is_some_and(|t| t.is(",")) {
                i += 1;
                continue;
            }
            break;
        }
    }
    out
}

/// `INSERT INTO t (c1, c2) VALUES (?, ?), ...`: the column of each marker
/// that is a whole VALUES element, by token position.
fn insert_columns(toks: &[Tok]) -> Vec<(usize, ColRef)> {
    let mut out = Vec::new();
    let Some(into) = toks.iter().position(|t| t.is_kw("INTO")) else {
        return out;
    };
    if !toks
        .iter()
        .take(into)
        .any(|t| t.is_kw("INSERT") || t.is_kw("REPLACE"))
    {
        return out;
    }
    // The column list follows the table name (possibly qualified).
    let Some(open) = toks[into..]
        .iter()
        .position(|t| t.is("("))
        .map(|k| k + into)
    else {
        return out;
    };
    let Some(values) = toks.iter().position(|t| t.is_kw("VALUES")) else {
        return out;
    };
    if values < open {
        return out;
    }
    let mut cols = Vec::new();
    let mut j = open + 1;
    while j < toks.len() && !toks[j].is(")") {
        if let Some(n) = toks[j].name() {
            cols.push(n.to_string());
        }
        j += 1;
    }
    // Walk the tuples: depth 1 elements, each a single marker or not.
    let mut depth = 0;
    let mut elem = 0;
    let mut elem_toks: Vec<usize> = Vec::new();
    let finish = |elem: usize, elem_toks: &mut Vec<usize>, out: &mut Vec<(usize, ColRef)>| {
        if let [only] = elem_toks[..] {
            if toks[only] == Tok::Marker {
                if let Some(c) = cols.get(elem) {
                    out.push((only, (None, c.clone())));
                }
            }
        }
        elem_toks.clear();
    };
    for (k, t) in toks.iter().enumerate().skip(values + 1) {
        if t.is("(") {
            depth += 1;
            if depth == 1 {
                elem = 0;
                elem_toks.clear();
                continue;
            }
        } else if t.is(")") {
            depth -= 1;
            if depth == 0 {
                finish(elem, &mut elem_toks, &mut out);
                continue;
            }
        } else if t.is(",") && depth == 1 {
            finish(elem, &mut elem_toks, &mut out);
            elem += 1;
            continue;
        }
        if depth == 0 && !t.is(",") {
            break;
        }
        if depth >= 1 {
            elem_toks.push(k);
        }
    }
    out
}

/// Every plain marker of `sql`, described in order. Empty when the SQL has
/// markers SQLite numbers otherwise (`?NNN`, `:name`).
fn describe_markers(sql: &str, profile: &Profile) -> Vec<ParamDesc> {
    let toks = tokenize(sql);
    if toks.contains(&Tok::OtherMarker) {
        return Vec::new();
    }
    let tables = tables(&toks);
    let inserts = insert_columns(&toks);
    let column = |r: &ColRef| -> Option<ParamDesc> {
        let candidates: Vec<&str> = match &r.0 {
            Some(q) => tables
                .iter()
                .filter(|(a, _)| a.eq_ignore_ascii_case(q))
                .map(|(_, t)| t.as_str())
                .chain(std::iter::once(q.as_str()))
                .collect(),
            None => tables.iter().map(|(_, t)| t.as_str()).collect(),
        };
        candidates.iter().find_map(|t| {
            let col = profile
                .table(t)?
                .columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(&r.1))?;
            Some(ParamDesc {
                sql_type: col.sql_type(),
                nullable: col.nullable as i16,
            })
        })
    };
    toks.iter()
        .enumerate()
        .filter(|(_, t)| **t == Tok::Marker)
        .map(|(p, _)| {
            let r = inserts
                .iter()
                .find(|(k, _)| *k == p)
                .map(|(_, r)| r.clone())
                .or_else(|| compared_column(&toks, p));
            r.and_then(|r| column(&r))
                .unwrap_or_else(ParamDesc::unknown)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> std::sync::Arc<Profile> {
        Profile::builtin()
    }

    fn types(sql: &str) -> Vec<(SqlType, i16)> {
        describe_markers(sql, &profile())
            .into_iter()
            .map(|d| (d.sql_type, d.nullable))
            .collect()
    }

    const TEXT: (SqlType, i16) = (SqlType::WVarchar(DEFAULT_SIZE), 1);

    #[test]
    fn markers_take_the_type_of_their_column() {
        let id = (SqlType::BigInt, 0);
        let parent = (SqlType::BigInt, 1);
        let name = (SqlType::WVarchar(255), 1);
        assert_eq!(types("SELECT * FROM Categories WHERE id = ?"), [id]);
        assert_eq!(types("select * from categories c where ? = c.id"), [id]);
        assert_eq!(
            types("SELECT * FROM Categories WHERE id IN (?, ?) AND name LIKE ?"),
            [id, id, name]
        );
        assert_eq!(
            types("SELECT * FROM Categories WHERE parent_id BETWEEN ? AND ?"),
            [parent, parent]
        );
        assert_eq!(
            types("INSERT INTO Categories (name, parent_id) VALUES (?, ?)"),
            [name, parent]
        );
        assert_eq!(
            types("UPDATE Categories SET name = ?, permalink = LOWER(?) WHERE id = ?"),
            [name, TEXT, id]
        );
        assert_eq!(types("SELECT LENGTH(?), ? || 'x'"), [TEXT, TEXT]);
        assert_eq!(types("SELECT * FROM Categories WHERE nope = ?"), [TEXT]);
        assert_eq!(types("SELECT ?1"), []);
        assert_eq!(
            types("SELECT '?' , \"id\" FROM Categories WHERE \"id\" = ?"),
            [id]
        );
    }
}

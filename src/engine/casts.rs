//! Standard CASTs, evaluated by the driver. SQLite's own CAST knows only its
//! storage classes: a type name it does not recognise gets NUMERIC affinity,
//! so `CAST(created_at AS DATE)` is the year (`2024`), `DECIMAL(10,1)` does
//! not round, and `CAST('12abc' AS INTEGER)` is a silent 12. Here a small
//! lexer (which leaves string literals, quoted identifiers and comments
//! alone) rewrites every `CAST(<expr> AS <type>)` into a call of a function
//! registered on the connection (`js_cast_date(x)`, `js_cast_decimal(x, p,
//! s)`, ...), and notes the SQL type of each top-level select-list item that
//! is a CAST, so the result column reports that type from SQLPrepare on.
//!
//! | target | value | errors |
//! |---|---|---|
//! | DATE | `YYYY-MM-DD` of any instant form (UTC) | 22007 |
//! | TIMESTAMP, DATETIME | `YYYY-MM-DD HH:MM:SS[.f]` (UTC) | 22007 |
//! | TIME | `HH:MM:SS[.f]` of an instant or a time of day | 22007 |
//! | DECIMAL/NUMERIC(p,s) | rounded half away from zero to s digits, in decimal arithmetic on the value's text | 22003 beyond p digits, 22018 |
//! | INTEGER, BIGINT, SMALLINT | truncated toward zero, within the type's range | 22003, 22018 |
//! | DOUBLE, FLOAT, REAL | the number as a double | 22018 |
//! | VARCHAR(n), CHAR(n) | the value as text (as SQL_C_CHAR shows it) | 22001 if non-space characters are cut |
//! | BIT, BOOLEAN | 0 or 1 | 22018 |
//!
//! NULL stays NULL. DECIMAL without arguments is DECIMAL(18,0), DECIMAL(p)
//! is DECIMAL(p,0); VARCHAR/CHAR without a length (and TEXT) are unlimited
//! text; CHAR(n) is not padded. BLOB/BINARY stay SQLite's CAST AS BLOB. Any
//! other type name is refused at prepare (42000) rather than given SQLite's
//! NUMERIC affinity.

use super::Value;
use crate::error::{Error, Kind, Result};
use crate::schema::SqlType;
use crate::timefmt::{parse_timestamp, Timestamp};
use std::collections::HashMap;

// ---------------------------------------------------------------- the lexer

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Tk {
    Word,
    /// A string literal or quoted identifier.
    Quoted,
    /// Whitespace or a comment.
    Space,
    Punct(char),
    /// Numbers and anything else.
    Other,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Tok {
    pub(super) kind: Tk,
    pub(super) start: usize,
    pub(super) end: usize,
}

fn tokenize(sql: &str) -> Vec<Tok> {
    let b: Vec<(usize, char)> = sql.char_indices().collect();
    let at = |i: usize| b.get(i).map(|x| x.1);
    let pos = |i: usize| b.get(i).map(|x| x.0).unwrap_or(sql.len());
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i].1;
        let start = i;
        let kind = match c {
            '\'' | '"' | '`' | '[' => {
                let close = if c == '[' { ']' } else { c };
                i += 1;
                while i < b.len() {
                    if b[i].1 == close {
                        if close != ']' && at(i + 1) == Some(close) {
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    i += 1;
                }
                Tk::Quoted
            }
            '-' if at(i + 1) == Some('-') => {
                while i < b.len() && b[i].1 != '\n' {
                    i += 1;
                }
                Tk::Space
            }
            '/' if at(i + 1) == Some('*') => {
                i += 2;
                while i < b.len() && !(b[i].1 == '*' && at(i + 1) == Some('/')) {
                    i += 1;
                }
                i = (i + 2).min(b.len());
                Tk::Space
            }
            c if c.is_whitespace() => {
                while i < b.len() && b[i].1.is_whitespace() {
                    i += 1;
                }
                Tk::Space
            }
            c if c.is_alphabetic() || c == '_' => {
                while i < b.len() && (b[i].1.is_alphanumeric() || b[i].1 == '_' || b[i].1 == '$') {
                    i += 1;
                }
                Tk::Word
            }
            c if c.is_ascii_digit() => {
                while i < b.len() && (b[i].1.is_alphanumeric() || b[i].1 == '.') {
                    i += 1;
                }
                Tk::Other
            }
            '(' | ')' | ',' | '.' | '*' | ';' => {
                i += 1;
                Tk::Punct(c)
            }
            _ => {
                i += 1;
                Tk::Other
            }
        };
        out.push(Tok {
            kind,
            start: pos(start),
            end: pos(i),
        });
    }
    out
}

pub(super) struct Lexed<'a> {
    pub(super) sql: &'a str,
    pub(super) toks: Vec<Tok>,
}

impl<'a> Lexed<'a> {
    pub(super) fn new(sql: &'a str) -> Lexed<'a> {
        Lexed {
            sql,
            toks: tokenize(sql),
        }
    }
    pub(super) fn text(&self, i: usize) -> &str {
        &self.sql[self.toks[i].start..self.toks[i].end]
    }
    pub(super) fn is_word(&self, i: usize, w: &str) -> bool {
        self.toks[i].kind == Tk::Word && self.text(i).eq_ignore_ascii_case(w)
    }
    pub(super) fn is(&self, i: usize, p: char) -> bool {
        self.toks[i].kind == Tk::Punct(p)
    }
    /// The next token at or after `i` that is not space, below `hi`.
    pub(super) fn next_sig(&self, i: usize, hi: usize) -> Option<usize> {
        (i..hi).find(|&j| self.toks[j].kind != Tk::Space)
    }
    /// The `)` closing the `(` at `open`.
    pub(super) fn matching(&self, open: usize, hi: usize) -> Option<usize> {
        let mut depth = 0;
        for j in open..hi {
            match self.toks[j].kind {
                Tk::Punct('(') => depth += 1,
                Tk::Punct(')') => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(j);
                    }
                }
                _ => {}
            }
        }
        None
    }
    /// A CAST at `i`: (its `(`, the last top-level AS inside, its `)`).
    pub(super) fn cast_at(&self, i: usize, hi: usize) -> Option<(usize, usize, usize)> {
        if !self.is_word(i, "CAST") {
            return None;
        }
        let open = self.next_sig(i + 1, hi).filter(|&j| self.is(j, '('))?;
        let close = self.matching(open, hi)?;
        let mut depth = 0;
        let mut r#as = None;
        for j in open + 1..close {
            match self.toks[j].kind {
                Tk::Punct('(') => depth += 1,
                Tk::Punct(')') => depth -= 1,
                Tk::Word if depth == 0 && self.is_word(j, "AS") => r#as = Some(j),
                _ => {}
            }
        }
        Some((open, r#as?, close))
    }
    /// The type text between AS and the closing parenthesis.
    pub(super) fn type_text(&self, r#as: usize, close: usize) -> &str {
        self.sql[self.toks[r#as].end..self.toks[close].start].trim()
    }
}

/// What a CAST becomes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Target {
    /// Evaluated by the driver, with this result type.
    Driver(SqlType),
    /// SQLite's CAST AS BLOB, which is already exact.
    Blob,
}

/// The target of `CAST(... AS <text>)`.
pub(super) fn target(text: &str) -> Result<Target> {
    let upper = text.to_ascii_uppercase();
    let (base, args) = match upper.split_once('(') {
        Some((b, rest)) => (b, rest.trim_end().strip_suffix(')').map(str::to_string)),
        None => (upper.as_str(), None),
    };
    let base = base.split_whitespace().collect::<Vec<_>>().join(" ");
    let bad = || {
        Error::new(
            Kind::Syntax,
            format!(
                "CAST to '{text}' is not supported: the types are DATE, TIME, TIMESTAMP, \
                 DECIMAL(p,s), NUMERIC(p,s), INTEGER, BIGINT, SMALLINT, DOUBLE, FLOAT, REAL, \
                 VARCHAR(n), CHAR(n), TEXT, BIT and BLOB."
            ),
        )
    };
    let nums: Vec<u32> = match &args {
        None => vec![],
        Some(a) => a
            .split(',')
            .map(|x| x.trim().parse::<u32>().map_err(|_| bad()))
            .collect::<Result<_>>()?,
    };
    let no_args = |t: SqlType| {
        if nums.is_empty() {
            Ok(Target::Driver(t))
        } else {
            Err(bad())
        }
    };
    match base.as_str() {
        "DATE" => no_args(SqlType::Date),
        "TIME" => no_args(SqlType::Time),
        "TIMESTAMP" | "DATETIME" => no_args(SqlType::Timestamp),
        "INTEGER" | "INT" => no_args(SqlType::Integer),
        "BIGINT" => no_args(SqlType::BigInt),
        "SMALLINT" => no_args(SqlType::SmallInt),
        "DOUBLE" | "DOUBLE PRECISION" | "REAL" => no_args(SqlType::Double),
        "FLOAT" if nums.len() <= 1 => Ok(Target::Driver(SqlType::Double)),
        "BIT" | "BOOLEAN" => no_args(SqlType::Bit),
        "TEXT" | "CLOB" | "NTEXT" | "LONGVARCHAR" | "WLONGVARCHAR" => {
            no_args(SqlType::WLongVarchar)
        }
        "BLOB" | "BINARY" | "VARBINARY" | "LONGVARBINARY" if nums.len() <= 1 => Ok(Target::Blob),
        "DECIMAL" | "NUMERIC" | "DEC" => {
            let (p, s) = match nums[..] {
                [] => (18, 0),
                [p] => (p, 0),
                [p, s] => (p, s),
                _ => return Err(bad()),
            };
            if !(1..=38).contains(&p) || s > p {
                return Err(Error::new(
                    Kind::Syntax,
                    format!("CAST to '{text}': the precision must be 1 to 38 and the scale 0 to the precision."),
                ));
            }
            Ok(Target::Driver(SqlType::Decimal(p as u8, s as u8)))
        }
        "VARCHAR"
        | "CHAR"
        | "CHARACTER"
        | "CHARACTER VARYING"
        | "CHAR VARYING"
        | "NVARCHAR"
        | "NCHAR"
        | "WVARCHAR"
        | "WCHAR"
        | "NATIONAL CHARACTER"
        | "NATIONAL CHAR"
        | "NATIONAL CHARACTER VARYING"
        | "NATIONAL CHAR VARYING" => match nums[..] {
            [] => Ok(Target::Driver(SqlType::WLongVarchar)),
            [n] if n >= 1 => Ok(Target::Driver(SqlType::WVarchar(n))),
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

/// The function call a target becomes: name and the arguments after the value.
fn call(t: SqlType) -> (&'static str, String) {
    match t {
        SqlType::Date => ("js_cast_date", String::new()),
        SqlType::Time => ("js_cast_time", String::new()),
        SqlType::Timestamp => ("js_cast_timestamp", String::new()),
        SqlType::Integer => ("js_cast_integer", String::new()),
        SqlType::BigInt => ("js_cast_bigint", String::new()),
        SqlType::SmallInt => ("js_cast_smallint", String::new()),
        SqlType::Double => ("js_cast_double", String::new()),
        SqlType::Bit => ("js_cast_bit", String::new()),
        SqlType::Decimal(p, s) => ("js_cast_decimal", format!(", {p}, {s}")),
        SqlType::WVarchar(n) => ("js_cast_varchar", format!(", {n}")),
        SqlType::WLongVarchar => ("js_cast_varchar", ", 0".into()),
    }
}

/// Where a result column sits: counted from the first column, or from the
/// last (items after a `*`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Anchor {
    Start(usize),
    End(usize),
}

/// A top-level select-list item that is a CAST: its result column's type.
#[derive(Debug, Clone, PartialEq)]
pub struct CastColumn {
    anchor: Anchor,
    /// The column's name (its alias), checked against SQLite's.
    name: String,
    pub sql_type: SqlType,
}

impl CastColumn {
    /// Whether this is column `i` (0-based) of `n`, named `name`.
    pub fn is(&self, i: usize, n: usize, name: &str) -> bool {
        self.anchor.is(i, n) && self.name == name
    }
}

/// SQL with its CASTs rewritten, and the types of its CAST result columns.
#[derive(Debug)]
pub struct Rewritten {
    pub sql: String,
    pub columns: Vec<CastColumn>,
}

/// A select-list item whose values the driver rounds to its inferred
/// DECIMAL type (result_types.rs): tokens `from..to` become
/// `js_cast_decimal(<expr>, p, s)`, named `alias` (the text written) when
/// the item had no alias.
#[derive(Debug, Clone)]
pub struct Wrap {
    pub(super) from: usize,
    pub(super) to: usize,
    pub(super) p: u8,
    pub(super) s: u8,
    pub(super) alias: Option<String>,
}

/// Rewrites every CAST of `sql` (after the ODBC escapes are rewritten), and
/// wraps the `wraps` items (token positions in `sql`).
pub fn rewrite(sql: &str, wraps: &[Wrap]) -> Result<Rewritten> {
    let lx = Lexed::new(sql);
    let (columns, aliases) = select_casts(&lx)?;
    let mut out = String::with_capacity(sql.len() + 32);
    emit(&lx, 0, lx.toks.len(), &aliases, wraps, &mut out)?;
    Ok(Rewritten { sql: out, columns })
}

fn wrap_end(w: &Wrap, out: &mut String) {
    out.push_str(&format!(", {}, {})", w.p, w.s));
    if let Some(alias) = &w.alias {
        out.push_str(" AS \"");
        out.push_str(&alias.replace('"', "\"\""));
        out.push('"');
    }
}

fn emit(
    lx: &Lexed,
    lo: usize,
    hi: usize,
    aliases: &HashMap<usize, String>,
    wraps: &[Wrap],
    out: &mut String,
) -> Result<()> {
    let mut i = lo;
    while i < hi {
        for w in wraps {
            if w.to == i {
                wrap_end(w, out);
            }
            if w.from == i {
                out.push_str("js_cast_decimal(");
            }
        }
        if let Some((_, r#as, close)) = lx.cast_at(i, hi) {
            let open = lx.next_sig(i + 1, hi).unwrap_or(i + 1);
            // The expression without the spaces around it.
            let from = lx.next_sig(open + 1, r#as).unwrap_or(r#as);
            let to = (from..r#as)
                .rev()
                .find(|&j| lx.toks[j].kind != Tk::Space)
                .map_or(from, |j| j + 1);
            match target(lx.type_text(r#as, close))? {
                Target::Driver(t) => {
                    let (name, args) = call(t);
                    out.push_str(name);
                    out.push('(');
                    emit(lx, from, to, aliases, wraps, out)?;
                    out.push_str(&args);
                    out.push(')');
                }
                Target::Blob => {
                    out.push_str("CAST(");
                    emit(lx, from, to, aliases, wraps, out)?;
                    out.push_str(" AS BLOB)");
                }
            }
            if let Some(alias) = aliases.get(&close) {
                out.push_str(" AS \"");
                out.push_str(&alias.replace('"', "\"\""));
                out.push('"');
            }
            i = close + 1;
        } else {
            out.push_str(lx.text(i));
            i += 1;
        }
    }
    if hi == lx.toks.len() {
        for w in wraps.iter().filter(|w| w.to == hi) {
            wrap_end(w, out);
        }
    }
    Ok(())
}

pub(super) const ITEMS_END: &[&str] = &[
    "FROM",
    "WHERE",
    "GROUP",
    "HAVING",
    "WINDOW",
    "ORDER",
    "LIMIT",
    "UNION",
    "INTERSECT",
    "EXCEPT",
];

/// The top-level select-list items of the statement's first SELECT (token
/// ranges, DISTINCT/ALL left out), and whether the statement is compound.
pub(super) fn select_items(lx: &Lexed) -> (Vec<(usize, usize)>, bool) {
    let n = lx.toks.len();
    let mut depth = 0i32;
    let mut select = None;
    let mut compound = false;
    let mut items: Vec<(usize, usize)> = Vec::new();
    let mut item_start = 0;
    let mut in_list = false;
    for i in 0..n {
        match lx.toks[i].kind {
            Tk::Punct('(') => depth += 1,
            Tk::Punct(')') => depth -= 1,
            _ if depth != 0 => {}
            Tk::Word if select.is_none() && lx.is_word(i, "SELECT") => {
                select = Some(i);
                in_list = true;
                item_start = i + 1;
                if let Some(j) = lx.next_sig(i + 1, n) {
                    if lx.is_word(j, "DISTINCT") || lx.is_word(j, "ALL") {
                        item_start = j + 1;
                    }
                }
            }
            Tk::Word if select.is_some() && ITEMS_END.iter().any(|w| lx.is_word(i, w)) => {
                if ["UNION", "INTERSECT", "EXCEPT"]
                    .iter()
                    .any(|w| lx.is_word(i, w))
                {
                    compound = true;
                }
                if in_list {
                    items.push((item_start, i));
                    in_list = false;
                }
            }
            Tk::Punct(',') if in_list && i >= item_start => {
                items.push((item_start, i));
                item_start = i + 1;
            }
            Tk::Punct(';') if in_list => {
                items.push((item_start, i));
                in_list = false;
            }
            _ => {}
        }
    }
    if in_list {
        items.push((item_start, n));
    }
    (items, compound)
}

/// Where each item's result column sits, counted from the start before
/// the first `*` and from the end after the last; None between stars.
pub(super) fn anchors(lx: &Lexed, items: &[(usize, usize)]) -> Vec<Option<Anchor>> {
    let is_star = |&(s, e): &(usize, usize)| {
        let sig: Vec<usize> = (s..e).filter(|&j| lx.toks[j].kind != Tk::Space).collect();
        sig.last().is_some_and(|&j| lx.is(j, '*'))
            && (sig.len() == 1 || lx.is(sig[sig.len() - 2], '.'))
    };
    let first_star = items.iter().position(is_star);
    let last_star = items.iter().rposition(is_star);
    (0..items.len())
        .map(|k| match (first_star, last_star) {
            (Some(f), _) if k < f => Some(Anchor::Start(k)),
            (Some(_), Some(l)) if k > l => Some(Anchor::End(items.len() - 1 - k)),
            (Some(_), _) => None,
            (None, _) => Some(Anchor::Start(k)),
        })
        .collect()
}

impl Anchor {
    /// Whether this is column `i` (0-based) of `n`.
    pub(super) fn is(self, i: usize, n: usize) -> bool {
        let at = match self {
            Anchor::Start(j) => Some(j),
            Anchor::End(j) => n.checked_sub(j + 1),
        };
        at == Some(i)
    }
}

/// The CAST items of the statement's select list (the first SELECT at the
/// top level; none for a compound SELECT, whose later parts are not cast),
/// and the aliases to add to the unaliased ones (by their `)`), so their
/// names are the text the user wrote, not the rewritten call.
fn select_casts(lx: &Lexed) -> Result<(Vec<CastColumn>, HashMap<usize, String>)> {
    let (items, compound) = select_items(lx);
    let anchors = anchors(lx, &items);
    let mut columns = Vec::new();
    let mut aliases = HashMap::new();
    for (k, &(s, e)) in items.iter().enumerate() {
        let Some(first) = lx.next_sig(s, e) else {
            continue;
        };
        let Some((_, r#as, close)) = lx.cast_at(first, e) else {
            continue;
        };
        let Target::Driver(sql_type) = target(lx.type_text(r#as, close))? else {
            continue;
        };
        let rest: Vec<usize> = (close + 1..e)
            .filter(|&j| lx.toks[j].kind != Tk::Space)
            .collect();
        let name = match rest[..] {
            [] => {
                let text = lx.sql[lx.toks[first].start..lx.toks[close].end].to_string();
                aliases.insert(close, text.clone());
                text
            }
            [a, alias] if lx.is_word(a, "AS") => unquote(lx.text(alias)),
            [alias] if matches!(lx.toks[alias].kind, Tk::Word | Tk::Quoted) => {
                unquote(lx.text(alias))
            }
            _ => continue,
        };
        let Some(anchor) = anchors[k] else {
            continue;
        };
        if !compound {
            columns.push(CastColumn {
                anchor,
                name,
                sql_type,
            });
        }
    }
    Ok((columns, aliases))
}

/// An alias as SQLite names the column: quotes removed, doubled quotes single.
pub(super) fn unquote(t: &str) -> String {
    let mut c = t.chars();
    match (c.next(), t.chars().last()) {
        (Some('['), Some(']')) => t[1..t.len() - 1].to_string(),
        (Some(q @ ('"' | '\'' | '`')), Some(e)) if e == q && t.len() >= 2 => {
            let d: String = [q, q].iter().collect();
            t[1..t.len() - 1].replace(&d, &q.to_string())
        }
        _ => t.to_string(),
    }
}

// ---------------------------------------------------------------- the values

/// Registers the `js_cast_*` functions on `conn`. `fail` receives the
/// structured error of a failed cast (the statement's scope keeps it, so the
/// SQLSTATE is exact); SQLite gets its text.
pub fn register(
    conn: &rusqlite::Connection,
    fail: impl Fn(Error) + Send + Sync + Clone + 'static,
) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    let fixed = [
        ("js_cast_date", SqlType::Date),
        ("js_cast_time", SqlType::Time),
        ("js_cast_timestamp", SqlType::Timestamp),
        ("js_cast_integer", SqlType::Integer),
        ("js_cast_bigint", SqlType::BigInt),
        ("js_cast_smallint", SqlType::SmallInt),
        ("js_cast_double", SqlType::Double),
        ("js_cast_bit", SqlType::Bit),
    ];
    let answer = move |fail: &dyn Fn(Error), r: Result<Value>| match r {
        Ok(v) => Ok(rusqlite::types::Value::from(v)),
        Err(e) => {
            let text = e.message.clone();
            fail(e);
            Err(rusqlite::Error::UserFunctionError(text.into()))
        }
    };
    for (name, t) in fixed {
        let fail = fail.clone();
        conn.create_scalar_function(name, 1, flags, move |ctx| {
            answer(&fail, cast(&Value::from(ctx.get_raw(0)), t))
        })?;
    }
    let f = fail.clone();
    conn.create_scalar_function("js_cast_decimal", 3, flags, move |ctx| {
        let p = ctx.get::<i64>(1)?.clamp(1, 38) as u8;
        let s = ctx.get::<i64>(2)?.clamp(0, p as i64) as u8;
        answer(
            &f,
            cast(&Value::from(ctx.get_raw(0)), SqlType::Decimal(p, s)),
        )
    })?;
    conn.create_scalar_function("js_cast_varchar", 2, flags, move |ctx| {
        let n = ctx.get::<i64>(1)?;
        let t = if n <= 0 {
            SqlType::WLongVarchar
        } else {
            SqlType::WVarchar(n.min(u32::MAX as i64) as u32)
        };
        answer(&fail, cast(&Value::from(ctx.get_raw(0)), t))
    })?;
    Ok(())
}

impl From<Value> for rusqlite::types::Value {
    fn from(v: Value) -> Self {
        use rusqlite::types::Value as V;
        match v {
            Value::Null => V::Null,
            Value::Int(i) => V::Integer(i),
            Value::Real(f) => V::Real(f),
            Value::Text(s) => V::Text(s),
            Value::Blob(b) => V::Blob(b),
        }
    }
}

/// `v` cast to `t` (see the table at the top).
pub fn cast(v: &Value, t: SqlType) -> Result<Value> {
    if *v == Value::Null {
        return Ok(Value::Null);
    }
    Ok(match t {
        SqlType::Date => Value::Text(instant(v, t)?.to_sql_text()[..10].to_string()),
        SqlType::Timestamp => Value::Text(instant(v, t)?.to_sql_text()),
        SqlType::Time => Value::Text(time(v)?),
        SqlType::Decimal(p, s) => decimal(v, p, s)?,
        SqlType::BigInt | SqlType::Integer | SqlType::SmallInt => Value::Int(integer(v, t)?),
        SqlType::Double => Value::Real(double(v)?),
        SqlType::Bit => Value::Int(bit(v)?),
        SqlType::WVarchar(n) => Value::Text(fit(text_of(v), n)?),
        SqlType::WLongVarchar => Value::Text(text_of(v)),
    })
}

/// The value as text, the way the driver shows it (SQL_C_CHAR): integers in
/// digits, reals in the shortest decimal that reads back the same.
fn text_of(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Int(i) => i.to_string(),
        Value::Real(f) => format!("{f}"),
        Value::Text(s) => s.clone(),
        Value::Blob(b) => String::from_utf8_lossy(b).into_owned(),
    }
}

fn shown(v: &Value) -> String {
    let t: String = text_of(v).chars().take(40).collect();
    match v {
        Value::Text(_) | Value::Blob(_) => format!("'{t}'"),
        _ => t,
    }
}

fn not_datetime(v: &Value, t: SqlType) -> Error {
    Error::new(
        Kind::DatetimeFormat,
        format!(
            "CAST to {}: {} is not a {} (invalid datetime format).",
            t.type_name(),
            shown(v),
            match t {
                SqlType::Date => "date",
                SqlType::Time => "time",
                _ => "timestamp",
            }
        ),
    )
}

fn not_number(v: &Value, t: SqlType) -> Error {
    Error::new(
        Kind::Data,
        format!(
            "CAST to {}: {} is not a number (invalid character value for cast specification).",
            type_shown(t),
            shown(v)
        ),
    )
}

fn out_of_range(v: &Value, t: SqlType) -> Error {
    Error::new(
        Kind::OutOfRange,
        format!(
            "CAST to {}: {} is out of the type's range (numeric value out of range).",
            type_shown(t),
            shown(v)
        ),
    )
}

fn type_shown(t: SqlType) -> String {
    match t {
        SqlType::Decimal(p, s) => format!("DECIMAL({p},{s})"),
        SqlType::WVarchar(n) => format!("VARCHAR({n})"),
        other => other.type_name().to_string(),
    }
}

/// A date or timestamp: text in any instant form (normalised to UTC).
fn instant(v: &Value, t: SqlType) -> Result<Timestamp> {
    match v {
        Value::Text(s) => parse_timestamp(s).ok_or_else(|| not_datetime(v, t)),
        _ => Err(not_datetime(v, t)),
    }
}

/// `HH:MM:SS[.f]` of an instant, or of a time of day `HH:MM[:SS[.f]]`.
fn time(v: &Value) -> Result<String> {
    let Value::Text(s) = v else {
        return Err(not_datetime(v, SqlType::Time));
    };
    let ts = parse_timestamp(s)
        .or_else(|| parse_timestamp(&format!("2000-01-01 {}", s.trim())))
        .filter(|_| !s.trim().is_empty())
        .ok_or_else(|| not_datetime(v, SqlType::Time))?;
    Ok(ts.to_sql_text()[11..].to_string())
}

/// A number written in decimal: sign, digits, and the power of ten they
/// are scaled by (value = digits × 10^exp).
#[derive(Debug, PartialEq)]
struct Dec {
    neg: bool,
    digits: String,
    exp: i64,
}

/// Decimal text (`-12.50`, `1e3`, ` 7 `), or None if it is not a number.
fn parse_dec(s: &str) -> Option<Dec> {
    let t = s.trim();
    let (neg, t) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let (mant, exp) = match t.find(['e', 'E']) {
        Some(i) => {
            let e = &t[i + 1..];
            let body = e.strip_prefix(['+', '-']).unwrap_or(e);
            if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // Beyond any type's range either way; clamped so it stays small.
            let e: i64 = e
                .parse()
                .unwrap_or(if e.starts_with('-') { -4000 } else { 4000 });
            (&t[..i], e.clamp(-4000, 4000))
        }
        None => (t, 0),
    };
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    Some(Dec {
        neg,
        digits: format!("{int}{frac}"),
        exp: exp - frac.len() as i64,
    })
}

impl Dec {
    fn of(v: &Value, t: SqlType) -> Result<Dec> {
        match v {
            Value::Real(f) if !f.is_finite() => Err(out_of_range(v, t)),
            _ => parse_dec(&text_of(v)).ok_or_else(|| not_number(v, t)),
        }
    }

    /// The integer part and `scale` fraction digits, rounded half away from
    /// zero (`round`) or truncated; the integer part without leading zeros.
    fn split(&self, scale: usize, round: bool) -> (String, String) {
        let mut digits = self.digits.clone();
        let mut exp = self.exp;
        if exp > 0 {
            digits.extend(std::iter::repeat_n('0', exp as usize));
            exp = 0;
        }
        let frac_len = (-exp) as usize;
        if digits.len() < frac_len {
            digits.insert_str(0, &"0".repeat(frac_len - digits.len()));
        }
        let (int, frac) = digits.split_at(digits.len() - frac_len);
        let mut kept: Vec<u8> = format!("{int}{}", &frac[..frac.len().min(scale)]).into_bytes();
        kept.extend(std::iter::repeat_n(b'0', scale.saturating_sub(frac.len())));
        if round && frac.len() > scale && frac.as_bytes()[scale] >= b'5' {
            // Add one unit in the last kept place.
            let mut i = kept.len();
            loop {
                if i == 0 {
                    kept.insert(0, b'1');
                    break;
                }
                i -= 1;
                if kept[i] == b'9' {
                    kept[i] = b'0';
                } else {
                    kept[i] += 1;
                    break;
                }
            }
        }
        let kept = String::from_utf8(kept).unwrap_or_default();
        let (int, frac) = kept.split_at(kept.len() - scale);
        (int.trim_start_matches('0').to_string(), frac.to_string())
    }
}

/// DECIMAL(p,s): rounded to s digits half away from zero, in decimal; REAL
/// when the double reads back as exactly that decimal (as money columns),
/// else the exact text.
fn decimal(v: &Value, p: u8, s: u8) -> Result<Value> {
    let t = SqlType::Decimal(p, s);
    let d = Dec::of(v, t)?;
    let (int, frac) = d.split(s as usize, true);
    if int.len() > (p - s) as usize {
        return Err(Error::new(
            Kind::OutOfRange,
            format!(
                "CAST to DECIMAL({p},{s}): {} needs more than {} digits before the decimal point (numeric value out of range).",
                shown(v),
                p - s
            ),
        ));
    }
    let frac = frac.trim_end_matches('0');
    let zero = int.is_empty() && frac.is_empty();
    let mut text = String::new();
    if d.neg && !zero {
        text.push('-');
    }
    text.push_str(if int.is_empty() { "0" } else { &int });
    if !frac.is_empty() {
        text.push('.');
        text.push_str(frac);
    }
    Ok(match text.parse::<f64>() {
        Ok(f) if format!("{f}") == text => Value::Real(f),
        _ => Value::Text(text),
    })
}

/// INTEGER, BIGINT, SMALLINT: truncated toward zero (as SQLite's CAST and
/// ODBC's conversions to C integers do), within the type's range.
fn integer(v: &Value, t: SqlType) -> Result<i64> {
    let (lo, hi) = match t {
        SqlType::SmallInt => (i16::MIN as i64, i16::MAX as i64),
        SqlType::Integer => (i32::MIN as i64, i32::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    };
    let n = match v {
        Value::Int(i) => *i as i128,
        _ => {
            let d = Dec::of(v, t)?;
            let (int, _) = d.split(0, false);
            if int.len() > 20 {
                return Err(out_of_range(v, t));
            }
            let m: i128 = if int.is_empty() {
                0
            } else {
                int.parse().map_err(|_| out_of_range(v, t))?
            };
            if d.neg {
                -m
            } else {
                m
            }
        }
    };
    if n < lo as i128 || n > hi as i128 {
        return Err(out_of_range(v, t));
    }
    Ok(n as i64)
}

fn double(v: &Value) -> Result<f64> {
    let t = SqlType::Double;
    let f = match v {
        Value::Int(i) => *i as f64,
        Value::Real(f) => *f,
        _ => {
            let s = text_of(v);
            parse_dec(&s).ok_or_else(|| not_number(v, t))?;
            s.trim().parse::<f64>().map_err(|_| not_number(v, t))?
        }
    };
    if f.is_finite() {
        Ok(f)
    } else {
        Err(out_of_range(v, t))
    }
}

/// BIT: 0 for zero or false, 1 for any other number or true.
fn bit(v: &Value) -> Result<i64> {
    if let Value::Text(s) = v {
        match s.trim().to_ascii_lowercase().as_str() {
            "true" => return Ok(1),
            "false" => return Ok(0),
            _ => {}
        }
    }
    let d = Dec::of(v, SqlType::Bit)?;
    Ok(i64::from(d.digits.bytes().any(|b| b != b'0')))
}

/// VARCHAR(n): text of at most n characters; only spaces may be cut.
fn fit(text: String, n: u32) -> Result<String> {
    let n = n as usize;
    match text.char_indices().nth(n) {
        None => Ok(text),
        Some((at, _)) if text[at..].chars().all(|c| c == ' ') => Ok(text[..at].to_string()),
        Some(_) => {
            let s: String = text.chars().take(40).collect();
            Err(Error::new(
                Kind::Truncation,
                format!(
                    "CAST to VARCHAR({n}): '{s}' has {} characters (string data, right truncation).",
                    text.chars().count()
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rw(sql: &str) -> String {
        rewrite(sql, &[]).unwrap().sql
    }

    #[test]
    fn casts_become_calls_and_keep_their_names() {
        assert_eq!(
            rw("SELECT CAST(created_at AS DATE) FROM Orders"),
            "SELECT js_cast_date(created_at) AS \"CAST(created_at AS DATE)\" FROM Orders"
        );
        assert_eq!(
            rw("SELECT id, cast(price as decimal(10, 1)) p FROM t WHERE CAST(x AS INT) > 1"),
            "SELECT id, js_cast_decimal(price, 10, 1) p FROM t WHERE js_cast_integer(x) > 1"
        );
        assert_eq!(
            rw("SELECT CAST(CAST(a AS DECIMAL(5,2)) AS VARCHAR(9)) AS v"),
            "SELECT js_cast_varchar(js_cast_decimal(a, 5, 2), 9) AS v"
        );
        assert_eq!(
            rw("SELECT 'CAST(x AS DATE)', \"CAST\" -- CAST(y AS INT)\n"),
            "SELECT 'CAST(x AS DATE)', \"CAST\" -- CAST(y AS INT)\n"
        );
        assert_eq!(
            rw("SELECT CAST((SELECT a AS b FROM t) AS BIGINT) AS n"),
            "SELECT js_cast_bigint((SELECT a AS b FROM t)) AS n"
        );
        assert_eq!(rw("SELECT CAST(x AS BLOB) b"), "SELECT CAST(x AS BLOB) b");
        assert!(rewrite("SELECT CAST(x AS WIDGET)", &[]).is_err());
        assert!(rewrite("SELECT CAST(x AS DECIMAL(3,5))", &[]).is_err());
    }

    #[test]
    fn select_list_types() {
        let r = rewrite(
            "SELECT *, CAST(a AS DATE) d, x, CAST(b AS TIME) FROM t",
            &[],
        )
        .unwrap();
        assert_eq!(r.columns.len(), 2);
        assert!(r.columns[0].is(7, 10, "d"));
        assert_eq!(r.columns[0].sql_type, SqlType::Date);
        assert!(r.columns[1].is(9, 10, "CAST(b AS TIME)"));
        let r = rewrite("SELECT CAST(a AS DATE) FROM t UNION SELECT b FROM u", &[]).unwrap();
        assert!(r.columns.is_empty());
        let r = rewrite(
            "WITH c AS (SELECT 1 AS a) SELECT DISTINCT CAST(a AS SMALLINT) AS \"x\"\"y\" FROM c",
            &[],
        )
        .unwrap();
        assert!(r.columns[0].is(0, 1, "x\"y"));
    }

    fn c(v: Value, t: SqlType) -> Result<Value> {
        cast(&v, t)
    }
    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn values() {
        use SqlType::*;
        let ts = text("2024-05-10 09:43:45.5");
        assert_eq!(c(ts.clone(), Date).unwrap(), text("2024-05-10"));
        assert_eq!(c(ts.clone(), Timestamp).unwrap(), ts);
        assert_eq!(c(ts.clone(), Time).unwrap(), text("09:43:45.5"));
        assert_eq!(
            c(text("2024-05-10T23:30:00-03:00"), Date).unwrap(),
            text("2024-05-11")
        );
        assert_eq!(
            c(text("2024-05-10"), Timestamp).unwrap(),
            text("2024-05-10 00:00:00")
        );
        assert_eq!(c(text("9:05"), Time).unwrap(), text("09:05:00"));
        assert_eq!(
            c(Value::Real(12.25), Decimal(10, 1)).unwrap(),
            Value::Real(12.3)
        );
        assert_eq!(
            c(Value::Real(-12.25), Decimal(10, 1)).unwrap(),
            Value::Real(-12.3)
        );
        assert_eq!(
            c(Value::Real(2.675), Decimal(10, 2)).unwrap(),
            Value::Real(2.68)
        );
        assert_eq!(
            c(Value::Real(9.96), Decimal(3, 1)).unwrap(),
            Value::Real(10.0)
        );
        assert_eq!(
            c(Value::Real(-0.04), Decimal(3, 1)).unwrap(),
            Value::Real(0.0)
        );
        assert_eq!(
            c(text("1.5e3"), Decimal(6, 0)).unwrap(),
            Value::Real(1500.0)
        );
        assert_eq!(
            c(text("12345678901234567.891"), Decimal(30, 2)).unwrap(),
            text("12345678901234567.89")
        );
        assert_eq!(
            c(Value::Real(99.96), Decimal(3, 1)).unwrap_err().kind,
            Kind::OutOfRange
        );
        assert_eq!(c(Value::Real(3.99), Integer).unwrap(), Value::Int(3));
        assert_eq!(c(text("-3.99"), Integer).unwrap(), Value::Int(-3));
        assert_eq!(c(text(" 1e3 "), BigInt).unwrap(), Value::Int(1000));
        assert_eq!(c(text("12abc"), Integer).unwrap_err().kind, Kind::Data);
        assert_eq!(c(text(""), Integer).unwrap_err().kind, Kind::Data);
        assert_eq!(
            c(Value::Int(40000), SmallInt).unwrap_err().kind,
            Kind::OutOfRange
        );
        assert_eq!(c(text("1e30"), BigInt).unwrap_err().kind, Kind::OutOfRange);
        assert_eq!(c(text("2.5"), Double).unwrap(), Value::Real(2.5));
        assert_eq!(c(text("inf"), Double).unwrap_err().kind, Kind::Data);
        assert_eq!(c(text("abc "), WVarchar(3)).unwrap(), text("abc"));
        assert_eq!(
            c(text("abcd"), WVarchar(3)).unwrap_err().kind,
            Kind::Truncation
        );
        assert_eq!(c(Value::Real(12.0), WVarchar(5)).unwrap(), text("12"));
        assert_eq!(c(text("x"), Date).unwrap_err().kind, Kind::DatetimeFormat);
        assert_eq!(
            c(Value::Int(2024), Date).unwrap_err().kind,
            Kind::DatetimeFormat
        );
        assert_eq!(c(text("true"), Bit).unwrap(), Value::Int(1));
        assert_eq!(c(Value::Real(0.0), Bit).unwrap(), Value::Int(0));
        for t in [
            Date,
            Time,
            Timestamp,
            Decimal(5, 2),
            Integer,
            Double,
            Bit,
            WVarchar(2),
        ] {
            assert_eq!(c(Value::Null, t).unwrap(), Value::Null);
        }
    }
}

//! The SQL type of each select-list expression, known at prepare. SQLite
//! declares a type only for a plain table column; for `SUM(price)`,
//! `price * 2` or `COUNT(*)` a small typer reads the item's text (with the
//! lexer and select-list splitter of casts.rs), resolves identifiers through
//! the FROM clause's tables and aliases to the profile's column types, and
//! applies the rules below. So the type, size, scale and nullability
//! SQLDescribeCol reports are the same after SQLPrepare, after an execution
//! without rows and with rows.
//!
//! | expression | type |
//! |---|---|
//! | `COUNT(...)` | BIGINT, not nullable |
//! | `SUM(x)` | DECIMAL(38,s) of DECIMAL(p,s); BIGINT of integers; DOUBLE of DOUBLE |
//! | `AVG(x)`, `TOTAL(x)` | DOUBLE (SQLite averages in binary floating point) |
//! | `MIN(x)`, `MAX(x)` | x's type |
//! | `+ - *` | DECIMAL on DECIMAL (SQL's precision/scale rules, at most 38); BIGINT on integers; DOUBLE with a DOUBLE operand |
//! | `/` | BIGINT on integers (SQLite divides them as integers), else DOUBLE |
//! | `%` | BIGINT on integers, else DOUBLE |
//! | `\|\|`, string functions | WVARCHAR(n) (the lengths summed; 4000 if unknown; WLONGVARCHAR past 4000) |
//! | comparisons, AND/OR/NOT, IN, LIKE, IS, EXISTS | BIT |
//! | `CASE`, `COALESCE`, `IFNULL`, `IIF`, `NULLIF` | the common type of the branches |
//! | literals | `12` INTEGER (BIGINT beyond 32 bits), `1.50` DECIMAL(3,2), `1e3` DOUBLE, `'ab'` WVARCHAR(2) |
//! | `CAST(x AS t)` | t |
//! | `f(...) OVER (...)`, `f(...) FILTER (...)` | f's type |
//! | `?` | DOUBLE in arithmetic, else unknown |
//! | anything else (subqueries, unknown functions, compound SELECTs, mixed types) | WVARCHAR(4000), nullable: fixed, never guessed from a row |
//!
//! Values of a DECIMAL item that is not a plain column are rounded to its
//! scale by the driver (`js_cast_decimal`), so `SUM(price)` of binary
//! doubles reads back as the exact decimal sum.

use super::casts::{self, Anchor, Lexed, Target, Tk};
use crate::schema::{Profile, SqlType, Table};

/// The type of a result column nothing declares, whatever its values.
pub const FALLBACK: SqlType = SqlType::WVarchar(TEXT);
/// The length of text of unknown length.
const TEXT: u32 = 4000;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Ty {
    /// The NULL literal: no type of its own.
    Null,
    /// A type, and whether the value may be NULL.
    Known(SqlType, bool),
    /// A parameter marker: a number in arithmetic (DOUBLE, which holds
    /// whatever the bound value is exactly enough), else unknown.
    Param,
    Unknown,
}

/// A typed top-level select-list item.
#[derive(Debug, Clone)]
pub struct TypedColumn {
    anchor: Anchor,
    pub sql_type: SqlType,
    pub nullable: bool,
}

impl TypedColumn {
    /// Whether this is column `i` (0-based) of `n`.
    pub fn is(&self, i: usize, n: usize) -> bool {
        self.anchor.is(i, n)
    }
}

/// What SQLite declares for the one column of a probe `SELECT`: an
/// identifier the profile's tables do not hold (a CTE's or a subquery's
/// column) is looked up by preparing `[WITH ...] SELECT <identifier> FROM
/// <the statement's FROM clause>`.
pub type Probe<'a> = &'a dyn Fn(&str) -> Option<(SqlType, bool)>;

/// The types of the select-list items of `sql` (after the ODBC escapes,
/// before the CAST rewrite), and the DECIMAL items to round.
pub fn infer(sql: &str, profile: &Profile, probe: Probe) -> (Vec<TypedColumn>, Vec<casts::Wrap>) {
    let lx = Lexed::new(sql);
    let (items, compound) = casts::select_items(&lx);
    if compound || items.is_empty() {
        return (vec![], vec![]);
    }
    let anchors = casts::anchors(&lx, &items);
    let (from, clause) = from_tables(&lx, profile);
    let typer = Typer {
        lx: &lx,
        from,
        clause,
        probe,
    };
    let mut columns = Vec::new();
    let mut wraps = Vec::new();
    for (&(s, e), anchor) in items.iter().zip(anchors) {
        let Some(anchor) = anchor else { continue };
        let sig: Vec<usize> = (s..e).filter(|&j| lx.toks[j].kind != Tk::Space).collect();
        let (expr, aliased) = split_alias(&lx, &sig);
        let Ty::Known(sql_type, nullable) = typer.ty(expr) else {
            continue;
        };
        columns.push(TypedColumn {
            anchor,
            sql_type,
            nullable,
        });
        if let (SqlType::Decimal(p, s), [first, .., last]) = (sql_type, expr) {
            if !typer.is_column(expr) && lx.cast_at(*first, *last + 1).map(|c| c.2) != Some(*last) {
                wraps.push(casts::Wrap {
                    from: *first,
                    to: *last + 1,
                    p,
                    s,
                    alias: (!aliased)
                        .then(|| lx.sql[lx.toks[*first].start..lx.toks[*last].end].to_string()),
                });
            }
        }
    }
    (columns, wraps)
}

/// Words that end an expression and so are never an alias.
const NOT_ALIAS: &[&str] = &[
    "END",
    "NULL",
    "TRUE",
    "FALSE",
    "ISNULL",
    "NOTNULL",
    "CURRENT_TIMESTAMP",
    "CURRENT_DATE",
    "CURRENT_TIME",
];
/// Words after which a word is an operand, not an alias.
const BEFORE_OPERAND: &[&str] = &[
    "AND", "OR", "NOT", "IS", "COLLATE", "LIKE", "GLOB", "IN", "BETWEEN", "THEN", "ELSE", "WHEN",
    "CASE", "DISTINCT", "ESCAPE", "MATCH", "REGEXP",
];

/// The expression's tokens, and whether an alias followed it.
fn split_alias<'t>(lx: &Lexed, sig: &'t [usize]) -> (&'t [usize], bool) {
    match sig {
        [expr @ .., a, _] if !expr.is_empty() && lx.is_word(*a, "AS") => (expr, true),
        [expr @ .., prev, last]
            if matches!(lx.toks[*last].kind, Tk::Word | Tk::Quoted)
                && !lx.text(*last).starts_with('\'')
                && !NOT_ALIAS.iter().any(|w| lx.is_word(*last, w))
                && (matches!(lx.toks[*prev].kind, Tk::Word | Tk::Quoted | Tk::Punct(')'))
                    || lx.toks[*prev].kind == Tk::Other
                        && lx.text(*prev).starts_with(|c: char| c.is_ascii_digit()))
                && !BEFORE_OPERAND.iter().any(|w| lx.is_word(*prev, w)) =>
        {
            let _ = expr;
            (&sig[..sig.len() - 1], true)
        }
        _ => (sig, false),
    }
}

/// A FROM entry: alias or name, and the profile's table if it is one.
type FromTable<'p> = (String, Option<&'p Table>);

/// The FROM clause's tables, and the statement's text before its first
/// SELECT (a WITH clause) and of its FROM clause, for probes.
fn from_tables<'p>(
    lx: &Lexed,
    profile: &'p Profile,
) -> (Vec<FromTable<'p>>, Option<(String, String)>) {
    let n = lx.toks.len();
    let mut depth = 0;
    let mut seen_select = None;
    let mut from = None;
    let mut end = n;
    for i in 0..n {
        match lx.toks[i].kind {
            Tk::Punct('(') => depth += 1,
            Tk::Punct(')') => depth -= 1,
            _ if depth != 0 => {}
            Tk::Word if seen_select.is_none() && lx.is_word(i, "SELECT") => seen_select = Some(i),
            Tk::Word if seen_select.is_some() && from.is_none() && lx.is_word(i, "FROM") => {
                from = Some(i + 1)
            }
            Tk::Word if from.is_some() && casts::ITEMS_END.iter().any(|w| lx.is_word(i, w)) => {
                end = i;
                break;
            }
            Tk::Punct(';') if from.is_some() => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    let (Some(select), Some(from)) = (seen_select, from) else {
        return (vec![], None);
    };
    let pos = |i: usize| lx.toks.get(i).map_or(lx.sql.len(), |t| t.start);
    let clause = Some((
        lx.sql[..pos(select)].to_string(),
        lx.sql[pos(from - 1)..pos(end)].to_string(),
    ));
    let sig: Vec<usize> = (from..end)
        .filter(|&j| lx.toks[j].kind != Tk::Space)
        .collect();
    const JOINS: &[&str] = &[
        "JOIN", "LEFT", "RIGHT", "FULL", "INNER", "OUTER", "CROSS", "NATURAL", "ON", "USING",
        "INDEXED", "NOT",
    ];
    let ident = |j: usize| {
        (lx.toks[j].kind == Tk::Word && !JOINS.iter().any(|w| lx.is_word(j, w)))
            || lx.toks[j].kind == Tk::Quoted && !lx.text(j).starts_with('\'')
    };
    let mut out = Vec::new();
    let mut expect = true;
    let mut k = 0;
    while k < sig.len() {
        let j = sig[k];
        if expect {
            expect = false;
            let mut name = None;
            if lx.is(j, '(') {
                k = sig
                    .iter()
                    .position(|&x| Some(x) == lx.matching(j, end))
                    .unwrap_or(k);
            } else if ident(j) {
                name = Some(casts::unquote(lx.text(j)));
                if k + 2 < sig.len() && lx.is(sig[k + 1], '.') && ident(sig[k + 2]) {
                    k += 2;
                    name = Some(casts::unquote(lx.text(sig[k])));
                }
                if k + 1 < sig.len() && lx.is(sig[k + 1], '(') {
                    // A table-valued function.
                    name = None;
                    k = sig
                        .iter()
                        .position(|&x| Some(x) == lx.matching(sig[k + 1], end))
                        .unwrap_or(k);
                }
            } else {
                continue;
            }
            let mut alias = name.clone();
            if k + 2 < sig.len() && lx.is_word(sig[k + 1], "AS") && ident(sig[k + 2]) {
                alias = Some(casts::unquote(lx.text(sig[k + 2])));
                k += 2;
            } else if k + 1 < sig.len() && ident(sig[k + 1]) {
                alias = Some(casts::unquote(lx.text(sig[k + 1])));
                k += 1;
            }
            let table = name.as_deref().and_then(|t| profile.table(t));
            out.push((alias.unwrap_or_default(), table));
        } else if lx.is(j, ',') || lx.is_word(j, "JOIN") {
            expect = true;
        } else if lx.is(j, '(') {
            k = sig
                .iter()
                .position(|&x| Some(x) == lx.matching(j, end))
                .unwrap_or(k);
        }
        k += 1;
    }
    (out, clause)
}

/// The numeric families of the typing rules.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Num {
    /// Integer, with its decimal precision.
    Int(u8),
    Dec(u8, u8),
    Dbl,
}

fn num(t: SqlType) -> Option<Num> {
    Some(match t {
        SqlType::BigInt => Num::Int(19),
        SqlType::Integer => Num::Int(10),
        SqlType::SmallInt => Num::Int(5),
        SqlType::Bit => Num::Int(1),
        SqlType::Decimal(p, s) => Num::Dec(p, s),
        SqlType::Double => Num::Dbl,
        _ => return None,
    })
}

/// Characters the value's text takes at most; None for long text.
fn chars(t: SqlType) -> Option<u32> {
    Some(match t {
        SqlType::BigInt => 20,
        SqlType::Integer => 11,
        SqlType::SmallInt => 6,
        SqlType::Decimal(p, _) => p as u32 + 2,
        SqlType::Double => 24,
        SqlType::Bit => 1,
        SqlType::Timestamp => 26,
        SqlType::Date => 10,
        SqlType::Time => 15,
        SqlType::WVarchar(n) => n,
        SqlType::WLongVarchar => return None,
    })
}

fn text_of(n: Option<u32>) -> SqlType {
    match n {
        Some(n) if n <= TEXT => SqlType::WVarchar(n.max(1)),
        _ => SqlType::WLongVarchar,
    }
}

fn nullable(t: Ty) -> bool {
    !matches!(t, Ty::Known(_, false))
}

/// `l op r` for + - * / %.
fn arith(op: &str, l: Ty, r: Ty) -> Ty {
    let param = |t: Ty| match t {
        Ty::Param => Ty::Known(SqlType::Double, true),
        t => t,
    };
    let (l, r) = (param(l), param(r));
    let (lt, rt) = match (l, r) {
        (Ty::Unknown | Ty::Param, _) | (_, Ty::Unknown | Ty::Param) => return Ty::Unknown,
        (Ty::Null, Ty::Null) => return Ty::Null,
        (Ty::Null, Ty::Known(t, _)) | (Ty::Known(t, _), Ty::Null) => (t, t),
        (Ty::Known(a, _), Ty::Known(b, _)) => (a, b),
    };
    let (Some(a), Some(b)) = (num(lt), num(rt)) else {
        return Ty::Unknown;
    };
    // x / 0 is NULL in SQLite.
    let null = nullable(l) || nullable(r) || op == "/" || op == "%";
    let dec = |n: Num| match n {
        Num::Int(p) => (p, 0),
        Num::Dec(p, s) => (p, s),
        Num::Dbl => (38, 0),
    };
    let t = match (a, b) {
        (Num::Int(_), Num::Int(_)) => SqlType::BigInt,
        (Num::Dbl, _) | (_, Num::Dbl) => SqlType::Double,
        _ if op == "/" || op == "%" => SqlType::Double,
        _ => {
            let ((p1, s1), (p2, s2)) = (dec(a), dec(b));
            let (p, s) = if op == "*" {
                (p1 as u32 + p2 as u32, (s1 as u32 + s2 as u32).min(38))
            } else {
                let s = s1.max(s2) as u32;
                ((p1 - s1).max(p2 - s2) as u32 + s + 1, s)
            };
            SqlType::Decimal(p.min(38) as u8, s as u8)
        }
    };
    Ty::Known(t, null)
}

/// `l || r`.
fn concat(l: Ty, r: Ty) -> Ty {
    let len = |t: Ty| match t {
        Ty::Null => Some(0),
        Ty::Known(t, _) => chars(t),
        Ty::Unknown | Ty::Param => Some(TEXT),
    };
    let n = len(l).zip(len(r)).map(|(a, b)| a + b);
    Ty::Known(text_of(n), nullable(l) || nullable(r))
}

/// The type several branches share (CASE, COALESCE, MIN/MAX of several).
fn common(tys: &[Ty], null_if_all: bool) -> Ty {
    let known: Vec<(SqlType, bool)> = tys
        .iter()
        .filter_map(|t| match t {
            Ty::Known(t, n) => Some((*t, *n)),
            _ => None,
        })
        .collect();
    if tys.contains(&Ty::Unknown) || tys.contains(&Ty::Param) {
        return Ty::Unknown;
    }
    if known.is_empty() {
        return Ty::Null;
    }
    let has_null = tys.contains(&Ty::Null);
    let null = if null_if_all {
        known.iter().all(|k| k.1)
    } else {
        has_null || known.iter().any(|k| k.1)
    };
    let first = known[0].0;
    let t = if known.iter().all(|k| k.0 == first) {
        first
    } else if let Some(ns) = known.iter().map(|k| num(k.0)).collect::<Option<Vec<_>>>() {
        if ns.contains(&Num::Dbl) {
            SqlType::Double
        } else if ns.iter().all(|n| matches!(n, Num::Int(_))) {
            SqlType::BigInt
        } else {
            let s = ns
                .iter()
                .map(|n| if let Num::Dec(_, s) = n { *s } else { 0 })
                .max()
                .unwrap_or(0);
            let int = ns
                .iter()
                .map(|n| match n {
                    Num::Dec(p, s) => p - s,
                    Num::Int(p) => *p,
                    Num::Dbl => 0,
                })
                .max()
                .unwrap_or(0);
            SqlType::Decimal((int as u32 + s as u32).min(38) as u8, s)
        }
    } else if known.iter().all(|k| k.0.is_char()) {
        text_of(
            known
                .iter()
                .map(|k| chars(k.0))
                .try_fold(0, |m, c| c.map(|c| c.max(m))),
        )
    } else {
        return Ty::Unknown;
    };
    Ty::Known(t, null)
}

/// Operators, longest first.
const OPS: &[&str] = &[
    "->>", "||", "<<", ">>", "<=", ">=", "==", "!=", "<>", "->", "<", ">", "=", "|", "&", "+", "-",
    "*", "/", "%", "~", "!",
];
/// Words that make an expression a truth value.
const LOGIC: &[&str] = &[
    "OR", "AND", "NOT", "IS", "IN", "LIKE", "GLOB", "MATCH", "REGEXP", "BETWEEN", "ISNULL",
    "NOTNULL", "EXISTS",
];

struct Typer<'a, 'p> {
    lx: &'a Lexed<'a>,
    from: Vec<FromTable<'p>>,
    /// The WITH clause and the FROM clause, as written.
    clause: Option<(String, String)>,
    probe: Probe<'a>,
}

impl Typer<'_, '_> {
    fn op_char(&self, j: usize) -> bool {
        match self.lx.toks[j].kind {
            Tk::Other => {
                let t = self.lx.text(j);
                t.len() == 1 && "<>=!|&+-/%~".contains(t)
            }
            Tk::Punct('*') => true,
            _ => false,
        }
    }

    /// The top-level operators of `t`: (position, operator, tokens it takes).
    fn operators(&self, t: &[usize]) -> Vec<(usize, &'static str, usize)> {
        let mut out = Vec::new();
        let mut lvl = 0;
        let mut k = 0;
        while k < t.len() {
            let j = t[k];
            let lx = self.lx;
            if lx.is(j, ')') || lx.is_word(j, "END") {
                lvl -= 1;
            }
            if lx.is(j, '(') || lx.is_word(j, "CASE") {
                lvl += 1;
            }
            if lvl == 0 && self.op_char(j) {
                // The run of adjacent operator characters.
                let mut run = String::new();
                let mut m = k;
                while m < t.len()
                    && self.op_char(t[m])
                    && (m == k || lx.toks[t[m]].start == lx.toks[t[m - 1]].end)
                {
                    run.push_str(lx.text(t[m]));
                    m += 1;
                }
                let mut at = 0;
                while at < run.len() {
                    let op = OPS
                        .iter()
                        .find(|o| run[at..].starts_with(**o))
                        .copied()
                        .unwrap_or("?");
                    let len = op.len().max(1);
                    out.push((k + at, op, len));
                    at += len;
                }
                k = m;
                continue;
            }
            k += 1;
        }
        out
    }

    /// Whether tokens at `t` (top level) hold a truth-value word.
    fn has_logic(&self, t: &[usize]) -> bool {
        let mut lvl = 0;
        for &j in t {
            if self.lx.is(j, ')') || self.lx.is_word(j, "END") {
                lvl -= 1;
            }
            if lvl == 0 && LOGIC.iter().any(|w| self.lx.is_word(j, w)) {
                return true;
            }
            if self.lx.is(j, '(') || self.lx.is_word(j, "CASE") {
                lvl += 1;
            }
        }
        false
    }

    /// Whether `t` is a bare column reference.
    fn is_column(&self, t: &[usize]) -> bool {
        let ident = |j: usize| {
            self.lx.toks[j].kind == Tk::Word
                || self.lx.toks[j].kind == Tk::Quoted && !self.lx.text(j).starts_with('\'')
        };
        match t {
            [a] => ident(*a) && !NOT_ALIAS.iter().any(|w| self.lx.is_word(*a, w)),
            [a, d, b] => ident(*a) && self.lx.is(*d, '.') && ident(*b),
            _ => false,
        }
    }

    fn ty(&self, t: &[usize]) -> Ty {
        if t.is_empty() {
            return Ty::Unknown;
        }
        let ops = self.operators(t);
        if self.has_logic(t)
            || ops.iter().any(|o| {
                matches!(
                    o.1,
                    "<" | ">" | "<=" | ">=" | "=" | "==" | "!=" | "<>" | "!"
                )
            })
        {
            return Ty::Known(SqlType::Bit, true);
        }
        if ops.iter().any(|o| matches!(o.1, "&" | "|" | "<<" | ">>")) {
            return Ty::Known(SqlType::BigInt, true);
        }
        if ops.iter().any(|o| matches!(o.1, "->" | "->>" | "?")) {
            return Ty::Unknown;
        }
        // A binary operator follows an operand.
        let binary = |k: usize| {
            k > 0 && !ops.iter().any(|o| o.0 + o.2 == k) && {
                let j = t[k - 1];
                !(self.lx.is(j, '(') || self.lx.is(j, ','))
            }
        };
        for group in [&["+", "-"][..], &["*", "/", "%"], &["||"]] {
            if let Some(&(k, op, len)) = ops
                .iter()
                .rev()
                .find(|o| group.contains(&o.1) && binary(o.0))
            {
                let (l, r) = (self.ty(&t[..k]), self.ty(&t[k + len..]));
                return if op == "||" {
                    concat(l, r)
                } else {
                    arith(op, l, r)
                };
            }
        }
        if let Some(&(0, op, len)) = ops.first() {
            let rest = self.ty(&t[len..]);
            return match (op, rest) {
                ("~", _) => Ty::Known(SqlType::BigInt, nullable(rest)),
                (_, Ty::Known(x, _)) if num(x).is_some() => rest,
                (_, Ty::Null) => Ty::Null,
                _ => Ty::Unknown,
            };
        }
        // `f(...) OVER (...)`, `f(...) FILTER (WHERE ...)`: f's type.
        if let Some(k) = (1..t.len()).find(|&k| {
            (self.lx.is_word(t[k], "OVER") || self.lx.is_word(t[k], "FILTER"))
                && self.lx.is(t[k - 1], ')')
                && self.lx.toks[t[0]].kind == Tk::Word
                && t.len() > 1
                && self.lx.is(t[1], '(')
                && self.closes(&t[1..k])
        }) {
            return self.ty(&t[..k]);
        }
        if let Some(k) = (1..t.len()).find(|&k| self.lx.is_word(t[k], "COLLATE")) {
            let mut lvl = 0;
            for &j in &t[..k] {
                if self.lx.is(j, '(') || self.lx.is_word(j, "CASE") {
                    lvl += 1;
                }
                if self.lx.is(j, ')') || self.lx.is_word(j, "END") {
                    lvl -= 1;
                }
            }
            if lvl == 0 {
                return self.ty(&t[..k]);
            }
        }
        self.primary(t)
    }

    fn closes(&self, t: &[usize]) -> bool {
        let last = *t.last().unwrap_or(&0);
        t.len() >= 2 && self.lx.matching(t[0], last + 1) == Some(last)
    }

    fn primary(&self, t: &[usize]) -> Ty {
        let lx = self.lx;
        match t {
            [j] => {
                let text = lx.text(*j);
                match lx.toks[*j].kind {
                    Tk::Other if text.starts_with(|c: char| c.is_ascii_digit()) => literal(text),
                    Tk::Other if text.starts_with('?') => Ty::Param,
                    Tk::Quoted if text.starts_with('\'') => {
                        let n = casts::unquote(text).chars().count() as u32;
                        Ty::Known(SqlType::WVarchar(n.max(1)), false)
                    }
                    Tk::Word if lx.is_word(*j, "NULL") => Ty::Null,
                    Tk::Word if lx.is_word(*j, "TRUE") || lx.is_word(*j, "FALSE") => {
                        Ty::Known(SqlType::Bit, false)
                    }
                    Tk::Word if lx.is_word(*j, "CURRENT_TIMESTAMP") => {
                        Ty::Known(SqlType::Timestamp, false)
                    }
                    Tk::Word if lx.is_word(*j, "CURRENT_DATE") => Ty::Known(SqlType::Date, false),
                    Tk::Word if lx.is_word(*j, "CURRENT_TIME") => Ty::Known(SqlType::Time, false),
                    Tk::Word | Tk::Quoted => self.column(None, text),
                    _ => Ty::Unknown,
                }
            }
            // :name, @name, $name
            [m, w]
                if lx.toks[*w].kind == Tk::Word
                    && matches!(lx.text(*m), ":" | "@" | "$")
                    && lx.toks[*m].end == lx.toks[*w].start =>
            {
                Ty::Param
            }
            [a, d, b] if self.is_column(t) && lx.is(*d, '.') => {
                self.column(Some(lx.text(*a)), lx.text(*b))
            }
            [f, open, .., close]
                if lx.toks[*f].kind == Tk::Word && lx.is(*open, '(') && self.closes(&t[1..]) =>
            {
                let _ = close;
                self.function(&lx.text(*f).to_ascii_lowercase(), &t[2..t.len() - 1])
            }
            [open, inner @ .., _] if lx.is(*open, '(') && self.closes(t) => {
                let sub = inner.first().is_some_and(|&j| {
                    ["SELECT", "WITH", "VALUES"]
                        .iter()
                        .any(|w| lx.is_word(j, w))
                });
                if sub || self.args(inner).len() != 1 {
                    Ty::Unknown
                } else {
                    self.ty(inner)
                }
            }
            [c, .., e] if lx.is_word(*c, "CASE") && lx.is_word(*e, "END") => self.case(t),
            _ => Ty::Unknown,
        }
    }

    /// `CASE ... END`: the common type of the THEN and ELSE results.
    fn case(&self, t: &[usize]) -> Ty {
        let lx = self.lx;
        let inner = &t[1..t.len() - 1];
        let mut marks = Vec::new();
        let mut lvl = 0;
        for (k, &j) in inner.iter().enumerate() {
            if lx.is(j, ')') || lx.is_word(j, "END") {
                lvl -= 1;
            }
            if lvl == 0 && ["WHEN", "THEN", "ELSE"].iter().any(|w| lx.is_word(j, w)) {
                marks.push(k);
            }
            if lx.is(j, '(') || lx.is_word(j, "CASE") {
                lvl += 1;
            }
        }
        let mut results = Vec::new();
        let mut has_else = false;
        for (m, &k) in marks.iter().enumerate() {
            let end = marks.get(m + 1).copied().unwrap_or(inner.len());
            if lx.is_word(inner[k], "THEN") {
                results.push(self.ty(&inner[k + 1..end]));
            } else if lx.is_word(inner[k], "ELSE") {
                has_else = true;
                results.push(self.ty(&inner[k + 1..end]));
            }
        }
        if !has_else {
            results.push(Ty::Null);
        }
        common(&results, false)
    }

    /// The top-level comma-separated parts of `t`.
    fn args<'t>(&self, t: &'t [usize]) -> Vec<&'t [usize]> {
        let mut out = Vec::new();
        let mut lvl = 0;
        let mut start = 0;
        for (k, &j) in t.iter().enumerate() {
            if self.lx.is(j, ')') || self.lx.is_word(j, "END") {
                lvl -= 1;
            }
            if self.lx.is(j, '(') || self.lx.is_word(j, "CASE") {
                lvl += 1;
            }
            if lvl == 0 && self.lx.is(j, ',') {
                out.push(&t[start..k]);
                start = k + 1;
            }
        }
        if !t.is_empty() {
            out.push(&t[start..]);
        }
        out
    }

    fn function(&self, name: &str, inner: &[usize]) -> Ty {
        use SqlType::*;
        let lx = self.lx;
        if name == "cast" {
            let mut lvl = 0;
            let mut r#as = None;
            for (k, &j) in inner.iter().enumerate() {
                if lx.is(j, '(') {
                    lvl += 1;
                }
                if lx.is(j, ')') {
                    lvl -= 1;
                }
                if lvl == 0 && lx.is_word(j, "AS") {
                    r#as = Some(k);
                }
            }
            let Some(k) = r#as.filter(|&k| k + 1 < inner.len()) else {
                return Ty::Unknown;
            };
            let text = &lx.sql[lx.toks[inner[k + 1]].start..lx.toks[inner[inner.len() - 1]].end];
            return match casts::target(text) {
                Ok(Target::Driver(t)) => Ty::Known(t, nullable(self.ty(&inner[..k]))),
                _ => Ty::Unknown,
            };
        }
        let mut args = self.args(inner);
        if let Some(a) = args.first_mut() {
            if a.first()
                .is_some_and(|&j| lx.is_word(j, "DISTINCT") || lx.is_word(j, "ALL"))
            {
                *a = &a[1..];
            }
        }
        let tys: Vec<Ty> = args.iter().map(|a| self.ty(a)).collect();
        let a0 = tys.first().copied().unwrap_or(Ty::Unknown);
        let t0 = match a0 {
            Ty::Known(t, _) => Some(t),
            _ => None,
        };
        let known = |t: SqlType| Ty::Known(t, true);
        let text = |t: Option<SqlType>| match t {
            Some(t) if t.is_char() => known(t),
            Some(t) => known(text_of(chars(t))),
            None => known(SqlType::WVarchar(TEXT)),
        };
        // A literal whole number of places (ROUND's second argument).
        let places = |k: usize| -> Option<u8> {
            match args.get(k) {
                None => Some(0),
                Some([j]) => lx.text(*j).parse::<u8>().ok(),
                _ => None,
            }
        };
        match name {
            "count" => Ty::Known(BigInt, false),
            "sum" => match t0.and_then(num) {
                Some(Num::Int(_)) => known(BigInt),
                Some(Num::Dec(_, s)) => known(Decimal(38, s)),
                Some(Num::Dbl) => known(Double),
                None => Ty::Unknown,
            },
            "total" => Ty::Known(Double, false),
            "avg" => known(Double),
            "min" | "max" if tys.len() == 1 => match a0 {
                Ty::Known(t, _) => known(t),
                other => other,
            },
            "min" | "max" => common(&tys, false),
            "coalesce" | "ifnull" => common(&tys, true),
            "nullif" => match a0 {
                Ty::Known(t, _) => known(t),
                other => other,
            },
            "iif" if tys.len() == 3 => common(&tys[1..], false),
            "likely" | "unlikely" | "likelihood" => a0,
            "abs" => match t0.and_then(num) {
                Some(_) => a0,
                None => Ty::Unknown,
            },
            "round" | "js_fn_round" | "js_fn_truncate" => match (t0.and_then(num), places(1)) {
                (Some(Num::Int(_)), _) if name != "round" => known(BigInt),
                (Some(Num::Dec(p, s)), Some(n)) => known(Decimal(p, s.min(n))),
                (Some(_), _) => known(Double),
                (None, _) => Ty::Unknown,
            },
            "js_fn_mod" if tys.len() == 2 => arith("%", tys[0], tys[1]),
            "length" | "instr" | "unicode" | "octet_length" | "random" | "unixepoch"
            | "changes" | "total_changes" | "last_insert_rowid" | "row_number" | "rank"
            | "dense_rank" | "ntile" | "js_fn_ceiling" | "js_fn_floor" | "js_fn_sign" => {
                known(BigInt)
            }
            n if n.starts_with("js_fn_")
                && matches!(
                    &n[6..],
                    "ascii"
                        | "bit_length"
                        | "octet_length"
                        | "difference"
                        | "length"
                        | "locate"
                        | "dayofmonth"
                        | "dayofweek"
                        | "dayofyear"
                        | "month"
                        | "quarter"
                        | "week"
                        | "year"
                        | "hour"
                        | "minute"
                        | "second"
                        | "extract"
                        | "timestampdiff"
                ) =>
            {
                known(BigInt)
            }
            "upper" | "lower" | "trim" | "ltrim" | "rtrim" | "substr" | "substring" => text(t0),
            "group_concat" | "string_agg" => known(WLongVarchar),
            "replace" | "printf" | "format" | "concat" | "concat_ws" | "char" | "hex" | "quote"
            | "strftime" | "typeof" | "soundex" | "js_fn_insert" | "js_fn_left" | "js_fn_right"
            | "js_fn_repeat" | "js_fn_soundex" | "js_fn_dayname" | "js_fn_monthname"
            | "js_fn_user" => text(None),
            "date" => known(Date),
            "datetime" | "js_fn_timestampadd" => known(Timestamp),
            "time" => known(Time),
            "julianday" | "acos" | "asin" | "atan" | "atan2" | "cos" | "sin" | "tan" | "exp"
            | "ln" | "log" | "log2" | "log10" | "pow" | "power" | "sqrt" | "pi" | "degrees"
            | "radians" | "percent_rank" | "cume_dist" => known(Double),
            n if n.starts_with("js_fn_")
                && matches!(
                    &n[6..],
                    "acos"
                        | "asin"
                        | "atan"
                        | "atan2"
                        | "cos"
                        | "cot"
                        | "sin"
                        | "tan"
                        | "degrees"
                        | "radians"
                        | "exp"
                        | "log"
                        | "log10"
                        | "sqrt"
                        | "power"
                        | "pi"
                        | "rand"
                ) =>
            {
                known(Double)
            }
            _ => Ty::Unknown,
        }
    }

    /// A column of the FROM clause's tables, qualified or not (as written):
    /// the profile's, else what SQLite declares for it (CTEs, subqueries).
    fn column(&self, qualifier: Option<&str>, name: &str) -> Ty {
        let (q, n) = (qualifier.map(casts::unquote), casts::unquote(name));
        let of = |t: &Table| {
            t.columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(&n))
                .map(|c| Ty::Known(c.sql_type(), c.nullable))
        };
        let found = match &q {
            Some(q) => self
                .from
                .iter()
                .find(|(alias, _)| alias.eq_ignore_ascii_case(q))
                .and_then(|(_, t)| t.and_then(of)),
            None => self.from.iter().find_map(|(_, t)| t.and_then(of)),
        };
        found.unwrap_or_else(|| {
            let Some((with, from)) = &self.clause else {
                return Ty::Unknown;
            };
            let ident = match qualifier {
                Some(q) => format!("{q}.{name}"),
                None => name.to_string(),
            };
            match (self.probe)(&format!("{with}SELECT {ident} {from}")) {
                Some((t, nullable)) => Ty::Known(t, nullable),
                None => Ty::Unknown,
            }
        })
    }
}

/// A numeric literal's own type.
fn literal(text: &str) -> Ty {
    let t = if text.starts_with("0x") || text.starts_with("0X") {
        SqlType::BigInt
    } else if text.contains(['e', 'E']) {
        SqlType::Double
    } else if let Some((int, frac)) = text.split_once('.') {
        let int = int.trim_start_matches('0').len() as u32;
        let s = frac.len() as u32;
        if int + s > 38 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            SqlType::Double
        } else {
            SqlType::Decimal((int + s).max(1) as u8, s as u8)
        }
    } else {
        match text.parse::<i64>() {
            Ok(n) if i32::try_from(n).is_ok() => SqlType::Integer,
            Ok(_) => SqlType::BigInt,
            Err(_) => SqlType::Double,
        }
    };
    Ty::Known(t, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types(sql: &str) -> Vec<Option<(SqlType, bool)>> {
        let profile = Profile::builtin();
        let lx = Lexed::new(sql);
        let (items, _) = casts::select_items(&lx);
        let (cols, _) = infer(sql, &profile, &|_| None);
        (0..items.len())
            .map(|i| {
                cols.iter()
                    .find(|c| c.is(i, items.len()))
                    .map(|c| (c.sql_type, c.nullable))
            })
            .collect()
    }

    #[test]
    fn rules() {
        use SqlType::*;
        let t = types(
            "SELECT COUNT(*), SUM(price), AVG(price), MAX(created_at), price * 2, \
             SUM(stock), name || 'x', 1, 1.50, 'ab', p.price + 1.5e0 AS d, \
             CASE WHEN price > 1 THEN price ELSE 0 END, price > 1, upper(name), \
             js_fn_mod(7, 2), CAST(price AS INTEGER) + 1, (SELECT 1), foo(x), price / 2, \
             ? + 1, ?, ROW_NUMBER() OVER (PARTITION BY name ORDER BY id), \
             SUM(price) FILTER (WHERE id > 1) \
             FROM Products p WHERE 1",
        );
        assert_eq!(t[0], Some((BigInt, false)));
        assert_eq!(t[1], Some((Decimal(38, 4), true)));
        assert_eq!(t[2], Some((Double, true)));
        assert_eq!(t[3], Some((Timestamp, true)));
        assert!(matches!(t[4], Some((Decimal(29, 4), _))), "{:?}", t[4]);
        assert_eq!(t[5].map(|x| x.0), Some(BigInt));
        assert!(matches!(t[6], Some((WVarchar(_), _))), "{:?}", t[6]);
        assert_eq!(t[7], Some((Integer, false)));
        assert_eq!(t[8], Some((Decimal(3, 2), false)));
        assert_eq!(t[9], Some((WVarchar(2), false)));
        assert_eq!(t[10].map(|x| x.0), Some(Double));
        assert!(matches!(t[11], Some((Decimal(_, 4), _))), "{:?}", t[11]);
        assert_eq!(t[12].map(|x| x.0), Some(Bit));
        assert!(matches!(t[13], Some((WVarchar(_), _))), "{:?}", t[13]);
        assert_eq!(t[14].map(|x| x.0), Some(BigInt));
        assert_eq!(t[15].map(|x| x.0), Some(BigInt));
        assert_eq!(t[16], None);
        assert_eq!(t[17], None);
        assert_eq!(t[18].map(|x| x.0), Some(Double));
        assert_eq!(t[19], Some((Double, true)));
        assert_eq!(t[20], None);
        assert_eq!(t[21].map(|x| x.0), Some(BigInt));
        assert_eq!(t[22].map(|x| x.0), Some(Decimal(38, 4)));
    }

    #[test]
    fn decimal_items_are_rounded_and_keep_their_names() {
        let profile = Profile::builtin();
        let sql = "SELECT SUM(price), price, price * 2 AS d FROM Products";
        let (_, wraps) = infer(sql, &profile, &|_| None);
        let r = casts::rewrite(sql, &wraps).unwrap();
        assert_eq!(
            r.sql,
            "SELECT js_cast_decimal(SUM(price), 38, 4) AS \"SUM(price)\", price, \
             js_cast_decimal(price * 2, 29, 4) AS d FROM Products"
        );
    }
}

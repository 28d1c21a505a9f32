//! The checks a profile passes when it loads, so that a mistake in a user's
//! file is reported at connect (SQLSTATE 08001, naming the file and the
//! place) rather than met as a wrong request, or a crash, on the first query.

use super::{Profile, Segment, SqlType, Table, Template};
use crate::error::{Error, Kind, Result};

/// Most tables in a chain of parents (a child of a child of ...): reading a
/// child nests one cursor per level.
pub const MAX_DEPTH: usize = 8;

fn config<T>(message: String) -> Result<T> {
    Err(Error::new(Kind::Config, message))
}

impl Profile {
    pub(super) fn check(&mut self, origin: &str) -> Result<()> {
        let names: Vec<String> = self.tables.iter().map(|t| t.name.clone()).collect();
        for (ti, t) in self.tables.iter_mut().enumerate() {
            let place = format!("Profile {origin}, table '{}' (tables[{ti}])", t.name);
            if names
                .iter()
                .filter(|n| n.eq_ignore_ascii_case(&t.name))
                .count()
                > 1
            {
                return config(format!("{place}: the table name is declared twice."));
            }
            if t.columns.is_empty() {
                return config(format!("{place}: a table needs at least one column."));
            }
            for c in t.columns.iter_mut() {
                c.sql_type = Some(SqlType::parse(&c.type_name, c.size).map_err(|m| {
                    Error::new(Kind::Config, format!("{place}, column '{}': {m}", c.name))
                })?);
            }
            check_table(t, &place, &names)?;
        }
        for (ti, t) in self.tables.iter().enumerate() {
            let place = format!("Profile {origin}, table '{}' (tables[{ti}])", t.name);
            check_routes(self, t, &place)?;
        }
        for t in &self.tables {
            for fk in &t.foreign_keys {
                if !names.iter().any(|n| n == &fk.references) {
                    return config(format!(
                        "Profile {origin}, table '{}': foreign key references unknown table '{}'.",
                        t.name, fk.references
                    ));
                }
            }
        }
        check_nesting(self, origin)?;
        // Last: a table made a child (a mistake the checks above name
        // better) keeps a `sync` it can no longer have.
        for (ti, t) in self.tables.iter().enumerate() {
            let place = format!("Profile {origin}, table '{}' (tables[{ti}])", t.name);
            check_sync(t, &place)?;
        }
        Ok(())
    }
}

/// Keys, pushdown columns and the shape of the source of one table.
fn check_table(t: &Table, place: &str, names: &[String]) -> Result<()> {
    let has = |n: &str| t.columns.iter().any(|c| c.name == n);
    for k in &t.primary_key {
        if !has(k) {
            return config(format!(
                "{place}: primary key column '{k}' is not a column of the table."
            ));
        }
    }
    for pd in &t.pushdown {
        if !has(&pd.column) {
            return config(format!(
                "{place}: pushdown on '{}', which is not a column.",
                pd.column
            ));
        }
        for a in &pd.also {
            if !has(a) || !pd.list.has(&Segment::Column(a.clone())) {
                return config(format!("{place}: pushdown 'also' column '{a}' must be a column with a {{{a}}} placeholder in the route."));
            }
        }
        if pd.keyset
            && (pd.op != super::Op::Gt
                || pd.column != "id"
                || pd.single
                || !pd.paged
                || pd.via_parent
                || pd.sets_parent
                || !pd.also.is_empty())
        {
            return config(format!("{place}: a 'keyset' route is an 'id' '>' route, paged, with no 'also', 'single', 'via_parent' or 'sets_parent'."));
        }
        let between = pd.op == super::Op::Between;
        if between && pd.exact {
            return config(format!("{place}: a 'between' route returns whole days, so it must be declared \"exact\": false."));
        }
        let needs: &[(Segment, &str)] = if between {
            &[(Segment::From, "{from}"), (Segment::To, "{to}")]
        } else {
            &[(Segment::Value, "{value}")]
        };
        for (segment, name) in needs {
            if !pd.list.has(segment) {
                return config(format!(
                    "{place}: pushdown route '{}' lacks the placeholder {name}.",
                    pd.list
                ));
            }
        }
    }
    if t.pushdown.iter().filter(|pd| pd.keyset).count() > 1 {
        return config(format!(
            "{place}: at most one pushdown route is a 'keyset'."
        ));
    }
    match (&t.source.list, &t.source.parent) {
        (Some(_), None) => Ok(()),
        (None, Some(ps)) => {
            if !names.iter().any(|n| n == &ps.table) {
                return config(format!(
                    "{place}: parent table '{}' is not declared.",
                    ps.table
                ));
            }
            if !has(&ps.key) {
                return config(format!(
                    "{place}: parent key column '{}' is not a column.",
                    ps.key
                ));
            }
            if ps.array.is_some() == ps.list.is_some() {
                return config(format!(
                    "{place}: a parent source needs exactly one of 'array' or 'list'."
                ));
            }
            Ok(())
        }
        _ => config(format!(
            "{place}: source needs exactly one of 'list' or 'parent'."
        )),
    }
}

/// A table's `sync`: new rows through its keyset route, the recheck window
/// through a route on a date column; a child table follows its parent.
fn check_sync(t: &Table, place: &str) -> Result<()> {
    let Some(sync) = &t.sync else {
        return Ok(());
    };
    if t.source.parent.is_some() {
        return config(format!("{place}: 'sync' is for tables with a list of their own; a child table is synced with its parent."));
    }
    if !t
        .pushdown
        .iter()
        .any(|pd| pd.keyset && pd.column == sync.keyset)
    {
        return config(format!(
            "{place}: sync.keyset '{}' needs a 'keyset' pushdown route on that column (new rows are read through it).",
            sync.keyset
        ));
    }
    if let Some(r) = &sync.recheck {
        let date = t
            .columns
            .iter()
            .find(|c| &c.name == r)
            .map(|c| c.sql_type());
        let routed = t
            .pushdown
            .iter()
            .any(|pd| &pd.column == r && pd.op != super::Op::Eq);
        if !matches!(date, Some(super::SqlType::Timestamp | super::SqlType::Date)) || !routed {
            return config(format!("{place}: sync.recheck '{r}' must be a TIMESTAMP or DATE column with a range pushdown route (the window is read through it)."));
        }
    }
    Ok(())
}

/// Every route of a table uses only the placeholders its kind of route
/// can fill, naming columns and tables that exist.
fn check_routes(p: &Profile, t: &Table, place: &str) -> Result<()> {
    let own = |c: &str| c == "id" || t.columns.iter().any(|x| x.name == c);
    let nothing = |_: &Segment| false;
    let route = |what: &str, r: &Template, ok: &dyn Fn(&Segment) -> bool| {
        check_route(p, place, what, r, ok)
    };
    if let Some(get) = &t.get {
        route("get", get, &|s| *s == Segment::Column("id".into()))?;
    }
    if let Some(count) = &t.count {
        route("count", count, &nothing)?;
    }
    if let Some(list) = &t.source.list {
        route("source list", list, &nothing)?;
    }
    if let Some(ps) = &t.source.parent {
        if let Some(list) = &ps.list {
            let parent = p.table(&ps.table);
            let parent_column =
                |c: &str| parent.is_some_and(|pt| pt.columns.iter().any(|x| x.name == c));
            // A batch request names many parents: no one parent's column fits.
            let batch = list.has(&Segment::ParentBatch);
            route("parent list", list, &|s| match s {
                Segment::Parent | Segment::Column(_) if batch => false,
                Segment::Parent | Segment::ParentBatch | Segment::TableColumn { .. } => true,
                Segment::Column(c) => parent_column(c),
                _ => false,
            })?;
        }
    }
    for pd in &t.pushdown {
        let between = pd.op == super::Op::Between;
        route("pushdown route", &pd.list, &|s| match s {
            Segment::From | Segment::To => between,
            Segment::Value | Segment::TableColumn { .. } => !between,
            Segment::Column(c) => !between && pd.also.iter().any(|a| a == c),
            _ => false,
        })?;
        if let Some(count) = &pd.count {
            route("pushdown count", count, &|s| *s == Segment::Value)?;
        }
    }
    for (what, w) in [
        ("insert", &t.insert),
        ("update", &t.update),
        ("delete", &t.delete),
    ] {
        if let Some(w) = w {
            route(
                what,
                &w.path,
                &|s| matches!(s, Segment::Column(c) if own(c)),
            )?;
            let named = w.columns.iter().flatten().chain(&w.send);
            if let Some(c) = named.into_iter().find(|c| !own(c)) {
                return config(format!(
                    "{place}: {what} route names '{c}', which is not a column."
                ));
            }
        }
    }
    Ok(())
}

/// One route: each placeholder is one `ok` accepts, and a `{Table.column*}`
/// names a declared table and one of its columns.
fn check_route(
    p: &Profile,
    place: &str,
    what: &str,
    route: &Template,
    ok: &dyn Fn(&Segment) -> bool,
) -> Result<()> {
    for s in route.segments() {
        if let Segment::Literal(_) = s {
            continue;
        }
        if !ok(s) {
            return config(format!(
                "{place}: the {what} '{route}' cannot fill the placeholder {}.",
                show(s)
            ));
        }
        if let Segment::TableColumn { table, column } = s {
            let known = p.tables.iter().find(|t| t.name == *table);
            if !known.is_some_and(|t| t.columns.iter().any(|c| c.name == *column)) {
                return config(format!(
                    "{place}: the {what} '{route}' reads {{{table}.{column}*}}, which is not a column of a declared table."
                ));
            }
        }
    }
    Ok(())
}

/// A placeholder as the profile writes it.
fn show(s: &Segment) -> String {
    match s {
        Segment::Literal(l) => l.clone(),
        Segment::Value => "{value}".into(),
        Segment::From => "{from}".into(),
        Segment::To => "{to}".into(),
        Segment::Parent => "{parent}".into(),
        Segment::ParentBatch => "{parent*}".into(),
        Segment::Column(c) => format!("{{{c}}}"),
        Segment::TableColumn { table, column } => format!("{{{table}.{column}*}}"),
    }
}

/// The tables a scan of `t` reads first: its parent, and the tables whose
/// columns its sub-resource path lists (`{Table.column*}`).
fn scan_reads(t: &Table) -> Vec<&str> {
    let Some(ps) = &t.source.parent else {
        return Vec::new();
    };
    let mut out = vec![ps.table.as_str()];
    if let Some(list) = &ps.list {
        out.extend(list.table_columns().map(|(table, _)| table));
    }
    out
}

/// Reading a child reads its parent first, with a cursor nested in the
/// child's: a table that is its own parent, or parents that form a cycle,
/// would nest without end (and overflow the stack), so they are refused, as
/// are chains deeper than `MAX_DEPTH`.
fn check_nesting(p: &Profile, origin: &str) -> Result<()> {
    let index = |name: &str| p.tables.iter().position(|t| t.name == name);
    // depth[i]: tables in the longest chain of reads from table i (itself
    // included), once known.
    let mut depth: Vec<Option<usize>> = vec![None; p.tables.len()];
    for start in 0..p.tables.len() {
        let mut path = Vec::new();
        chain_depth(p, start, &index, &mut depth, &mut path, origin)?;
    }
    Ok(())
}

fn chain_depth(
    p: &Profile,
    table: usize,
    index: &dyn Fn(&str) -> Option<usize>,
    depth: &mut Vec<Option<usize>>,
    path: &mut Vec<usize>,
    origin: &str,
) -> Result<usize> {
    if let Some(d) = depth[table] {
        return Ok(d);
    }
    if let Some(at) = path.iter().position(|&t| t == table) {
        let cycle: Vec<&str> = path[at..]
            .iter()
            .chain([&table])
            .map(|&t| p.tables[t].name.as_str())
            .collect();
        return config(format!(
            "Profile {origin}: the tables {} read each other in a cycle (through their parents or {{Table.column*}} routes); a table cannot be read through itself.",
            cycle.join(" -> ")
        ));
    }
    path.push(table);
    let mut deepest = 0;
    for name in scan_reads(&p.tables[table]) {
        if let Some(next) = index(name) {
            deepest = deepest.max(chain_depth(p, next, index, depth, path, origin)?);
        }
    }
    path.pop();
    let d = deepest + 1;
    if d > MAX_DEPTH {
        return config(format!(
            "Profile {origin}, table '{}': reading it nests {d} tables deep through its parents; at most {MAX_DEPTH} levels are allowed.",
            p.tables[table].name
        ));
    }
    depth[table] = Some(d);
    Ok(d)
}

//! The catalog as data. A profile (JSON) lists every table: where its rows come
//! from, its columns with SQL types and JSON paths, keys, and which predicates
//! can be answered by which endpoint. The engine reads this and contains no
//! per-table code. `docs/profile.md` documents the format.

mod types;

pub use types::SqlType;

use crate::error::{err, Kind, Result};
use serde::Deserialize;
use std::sync::Arc;

/// The built-in Jumpseller profile, compiled into the library.
pub const BUILTIN: &str = include_str!("jumpseller.json");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    pub schema: String,
    pub tables: Vec<Table>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub name: String,
    #[serde(default)]
    pub remarks: String,
    /// Where a full scan reads rows: a list endpoint, or a parent's array.
    pub source: Source,
    /// `GET` of one row by primary key, `{id}` in the path.
    #[serde(default)]
    pub get: Option<String>,
    /// `{"count": n}` endpoint for the whole table.
    #[serde(default)]
    pub count: Option<String>,
    #[serde(default)]
    pub primary_key: Vec<String>,
    #[serde(default)]
    pub foreign_keys: Vec<ForeignKey>,
    pub columns: Vec<Column>,
    #[serde(default)]
    pub pushdown: Vec<Pushdown>,
    /// Write routes: INSERT (POST), UPDATE (PUT), DELETE. Absent = the
    /// operation is refused with a message.
    #[serde(default)]
    pub insert: Option<WriteRoute>,
    #[serde(default)]
    pub update: Option<WriteRoute>,
    #[serde(default)]
    pub delete: Option<WriteRoute>,
}

/// A write endpoint: path with `{id}` / `{column}` placeholders, and the
/// wrapper of the request body (`{"product": {...}}`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriteRoute {
    pub path: String,
    #[serde(default)]
    pub wrapper: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// A list endpoint (paged with page/limit).
    #[serde(default)]
    pub list: Option<String>,
    /// The key wrapping each object (`product` in `[{"product": {...}}]`);
    /// absent when items are bare.
    #[serde(default)]
    pub wrapper: Option<String>,
    /// Whether the endpoint answers a single object rather than a list.
    #[serde(default)]
    pub single: bool,
    /// Whether the list takes `page`/`limit` (false: one request returns all).
    #[serde(default = "yes")]
    pub paged: bool,
    /// The endpoint answers 404 when there is nothing (JsApps): no rows,
    /// not an error.
    #[serde(default)]
    pub empty_on_404: bool,
    /// Rows come from an array inside each row of a parent table.
    #[serde(default)]
    pub parent: Option<ParentSource>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParentSource {
    /// The parent table's name.
    pub table: String,
    /// The array field in the parent object holding this table's rows.
    #[serde(default)]
    pub array: Option<String>,
    /// Or: a sub-resource endpoint with `{parent}` for the parent's key;
    /// scanning the table alone fans out over the parent's rows.
    #[serde(default)]
    pub list: Option<String>,
    /// Wrapper of the sub-resource's objects.
    #[serde(default)]
    pub wrapper: Option<String>,
    /// Whether the sub-resource takes page/limit.
    #[serde(default = "yes")]
    pub paged: bool,
    /// Wrapper of each array item, when items are wrapped.
    #[serde(default)]
    pub item_wrapper: Option<String>,
    /// This table's column holding the parent's key.
    pub key: String,
    /// The parent's key column.
    #[serde(default = "id")]
    pub parent_key: String,
}

fn id() -> String {
    "id".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub references: String,
    pub ref_columns: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub type_name: String,
    /// Dotted JSON path in the object (`shipping_address.city`); `$parent.id`
    /// reads the parent object. Defaults to the column name.
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub size: Option<u32>,
    #[serde(default = "yes")]
    pub nullable: bool,
    #[serde(default)]
    pub remarks: String,
    #[serde(skip)]
    pub sql_type: Option<SqlType>,
}

impl Column {
    pub fn sql_type(&self) -> SqlType {
        self.sql_type.unwrap_or(SqlType::WVarchar(255))
    }
    pub fn json_path(&self) -> &str {
        self.path.as_deref().unwrap_or(&self.name)
    }
}

/// A predicate the API can answer: `column op value` served by `list` (and
/// counted by `count`), with `{value}` replaced by the percent-encoded value.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pushdown {
    pub column: String,
    /// Further columns the route needs an equality on, each filling the
    /// `{column}` placeholder of the same name (two-key routes such as
    /// `/countries/{value}/regions/{region_code}/municipalities.json`).
    #[serde(default)]
    pub also: Vec<String>,
    /// `=`, `>`, `>=`, `<`, `<=`; or `between`: a date range whose
    /// `{from}`/`{to}` (YYYY-MM-DD) come from bounds on the column, widened
    /// by a day each way so any store time zone stays inside.
    pub op: String,
    /// Endpoint path with `{value}`; or with `?param={value}` style queries.
    pub list: String,
    #[serde(default)]
    pub wrapper: Option<String>,
    #[serde(default)]
    pub single: bool,
    #[serde(default = "yes")]
    pub paged: bool,
    #[serde(default)]
    pub count: Option<String>,
    /// Allowed values (others cannot match: the API would answer 404).
    #[serde(default)]
    pub values: Vec<String>,
    /// Whether the endpoint returns exactly the rows matching the predicate
    /// (true) or a superset the engine must still filter (false).
    #[serde(default = "yes")]
    pub exact: bool,
    /// Rows come as parent objects whose array holds this table's rows
    /// (a child table answered by the parent's endpoint).
    #[serde(default)]
    pub via_parent: bool,
    /// The route returns the sub-resource rows of the parent whose key is
    /// the value (so `$parent.<key>` columns read the value).
    #[serde(default)]
    pub sets_parent: bool,
}

impl Profile {
    /// Parses and checks a profile; `origin` names it in messages.
    pub fn parse(text: &str, origin: &str) -> Result<Profile> {
        let mut p: Profile = serde_json::from_str(text).map_err(|e| {
            crate::error::Error::new(
                Kind::Config,
                format!(
                    "Profile {origin} is malformed at line {}, column {}: {e}",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        p.check(origin)?;
        Ok(p)
    }

    pub fn builtin() -> Arc<Profile> {
        use once_cell::sync::Lazy;
        static P: Lazy<Arc<Profile>> = Lazy::new(|| {
            Arc::new(Profile::parse(BUILTIN, "(built-in)").expect("the built-in profile is valid"))
        });
        P.clone()
    }

    /// The profile a connection asked for: built-in unless `Profile=` names
    /// a file (a CData `.apip` means built-in).
    pub fn load(path: Option<&str>) -> Result<Arc<Profile>> {
        match path {
            None => Ok(Self::builtin()),
            Some(p) if p.to_ascii_lowercase().ends_with(".apip") => Ok(Self::builtin()),
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| {
                    crate::error::Error::new(
                        Kind::Config,
                        format!("Profile {p} cannot be read: {e}"),
                    )
                })?;
                Ok(Arc::new(Profile::parse(&text, p)?))
            }
        }
    }

    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
    }

    fn check(&mut self, origin: &str) -> Result<()> {
        let names: Vec<String> = self.tables.iter().map(|t| t.name.clone()).collect();
        for (ti, t) in self.tables.iter_mut().enumerate() {
            let place = format!("Profile {origin}, table '{}' (tables[{ti}])", t.name);
            if names
                .iter()
                .filter(|n| n.eq_ignore_ascii_case(&t.name))
                .count()
                > 1
            {
                return err(
                    Kind::Config,
                    format!("{place}: the table name is declared twice."),
                );
            }
            if t.columns.is_empty() {
                return err(
                    Kind::Config,
                    format!("{place}: a table needs at least one column."),
                );
            }
            for c in t.columns.iter_mut() {
                c.sql_type = Some(SqlType::parse(&c.type_name, c.size).map_err(|m| {
                    crate::error::Error::new(
                        Kind::Config,
                        format!("{place}, column '{}': {m}", c.name),
                    )
                })?);
            }
            let has = |n: &str| t.columns.iter().any(|c| c.name == n);
            for k in &t.primary_key {
                if !has(k) {
                    return err(
                        Kind::Config,
                        format!("{place}: primary key column '{k}' is not a column of the table."),
                    );
                }
            }
            for pd in &t.pushdown {
                if !has(&pd.column) {
                    return err(
                        Kind::Config,
                        format!(
                            "{place}: pushdown on '{}', which is not a column.",
                            pd.column
                        ),
                    );
                }
                for a in &pd.also {
                    if !has(a) || !pd.list.contains(&format!("{{{a}}}")) {
                        return err(Kind::Config, format!("{place}: pushdown 'also' column '{a}' must be a column with a {{{a}}} placeholder in the route."));
                    }
                }
                if !["=", ">", ">=", "<", "<=", "between"].contains(&pd.op.as_str()) {
                    return err(
                        Kind::Config,
                        format!(
                            "{place}: pushdown operator '{}' is not one of = > >= < <= between.",
                            pd.op
                        ),
                    );
                }
                let needs: &[&str] = if pd.op == "between" {
                    &["{from}", "{to}"]
                } else {
                    &["{value}"]
                };
                if pd.op == "between" && pd.exact {
                    return err(Kind::Config, format!("{place}: a 'between' route returns whole days, so it must be declared \"exact\": false."));
                }
                for n in needs {
                    if !pd.list.contains(n) {
                        return err(
                            Kind::Config,
                            format!(
                                "{place}: pushdown route '{}' lacks the placeholder {n}.",
                                pd.list
                            ),
                        );
                    }
                }
            }
            match (&t.source.list, &t.source.parent) {
                (Some(_), None) => {}
                (None, Some(ps)) => {
                    if !names.iter().any(|n| n == &ps.table) {
                        return err(
                            Kind::Config,
                            format!("{place}: parent table '{}' is not declared.", ps.table),
                        );
                    }
                    if !has(&ps.key) {
                        return err(
                            Kind::Config,
                            format!("{place}: parent key column '{}' is not a column.", ps.key),
                        );
                    }
                    if ps.array.is_some() == ps.list.is_some() {
                        return err(
                            Kind::Config,
                            format!(
                                "{place}: a parent source needs exactly one of 'array' or 'list'."
                            ),
                        );
                    }
                }
                _ => {
                    return err(
                        Kind::Config,
                        format!("{place}: source needs exactly one of 'list' or 'parent'."),
                    )
                }
            }
        }
        for t in &self.tables {
            for fk in &t.foreign_keys {
                if !names.iter().any(|n| n == &fk.references) {
                    return err(Kind::Config, format!("Profile {origin}, table '{}': foreign key references unknown table '{}'.", t.name, fk.references));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses() {
        let p = Profile::builtin();
        for t in [
            "Store",
            "Products",
            "ProductVariants",
            "ProductImages",
            "ProductCategories",
            "Categories",
            "Orders",
            "OrderProducts",
            "Customers",
        ] {
            assert!(p.table(t).is_some(), "{t}");
        }
    }

    #[test]
    fn malformed_profile_names_place() {
        let e = Profile::parse(
            "{\"name\": \"x\", \"schema\": \"s\", \"tables\": [",
            "x.json",
        )
        .unwrap_err();
        assert!(
            e.message.contains("x.json") && e.message.contains("line 1"),
            "{}",
            e.message
        );
        let bad = r#"{"name":"x","schema":"s","tables":[{"name":"T","source":{"list":"/t.json"},"columns":[{"name":"a","type":"BLOB9"}]}]}"#;
        let e = Profile::parse(bad, "y.json").unwrap_err();
        assert!(
            e.message.contains("y.json") && e.message.contains("'T'") && e.message.contains("'a'"),
            "{}",
            e.message
        );
    }
}

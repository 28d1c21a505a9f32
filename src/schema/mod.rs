//! The catalog as data. A profile (JSON) lists every table: where its rows come
//! from, its columns with SQL types and JSON paths, keys, and which predicates
//! can be answered by which endpoint. The engine reads this and contains no
//! per-table code. `docs/profile.md` documents the format.

mod check;
mod template;
mod types;

pub use check::MAX_DEPTH;
pub use template::{Segment, Template};
pub use types::SqlType;

use crate::error::{Kind, Result};
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
    pub get: Option<Template>,
    /// `{"count": n}` endpoint for the whole table.
    #[serde(default)]
    pub count: Option<Template>,
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
    /// How the local replica syncs the table after its first full sync
    /// (src/replica); absent: re-read whole each time (or, for a child
    /// table, with its parent).
    #[serde(default)]
    pub sync: Option<SyncSpec>,
}

/// An incremental sync: rows with a `keyset` value above the replica's
/// highest are new; rows whose `recheck` date lies within the connection's
/// `CacheRecheckDays` may still change and are read again.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncSpec {
    /// The column new rows are found by (a `keyset` pushdown route's).
    pub keyset: String,
    /// A date column with a pushdown route: rows this recent are re-read.
    #[serde(default)]
    pub recheck: Option<String>,
}

/// A write endpoint: path with `{id}` / `{column}` placeholders, and the
/// wrapper of the request body (`{"product": {...}}`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriteRoute {
    pub path: Template,
    #[serde(default)]
    pub wrapper: Option<String>,
    /// The only columns the route takes from a statement (besides its
    /// path's): a value for any other is refused rather than dropped by an
    /// API that would ignore it. Absent = every column.
    #[serde(default)]
    pub columns: Option<Vec<String>>,
    /// Columns always sent in the body, from the row as read (the keys of an
    /// endpoint that names its record in the body, as `PUT /products_locations`).
    #[serde(default)]
    pub send: Vec<String>,
    /// Constant fields added to the body (a field the API requires and the
    /// table cannot read).
    #[serde(default)]
    pub fixed: serde_json::Map<String, serde_json::Value>,
    /// The wrapper holds a one-item array (`{"customers": [{...}]}`).
    #[serde(default)]
    pub item_array: bool,
}

impl WriteRoute {
    /// Whether a statement may give this column a value.
    pub fn takes(&self, column: &str) -> bool {
        self.columns
            .as_ref()
            .is_none_or(|cs| cs.iter().any(|c| c == column))
            || self.path.columns().any(|c| c == column)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// A list endpoint (paged with page/limit).
    #[serde(default)]
    pub list: Option<Template>,
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
    pub list: Option<Template>,
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
    /// The comparison the route answers.
    pub op: Op,
    /// Endpoint path with `{value}`; or with `?param={value}` style queries.
    pub list: Template,
    #[serde(default)]
    pub wrapper: Option<String>,
    #[serde(default)]
    pub single: bool,
    #[serde(default = "yes")]
    pub paged: bool,
    #[serde(default)]
    pub count: Option<Template>,
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
    /// An id cursor (`id >` routes such as `/orders/after/{value}.json`):
    /// the route answers the objects whose id is greater than the value in
    /// ascending id order, `limit` at a time. Scans of the table then read
    /// it keyed by the last id seen (from 0) instead of by page offsets,
    /// so records created or deleted meanwhile shift nothing.
    #[serde(default)]
    pub keyset: bool,
}

/// The comparison a pushdown route answers, as the profile spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Op {
    #[serde(rename = "=")]
    Eq,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    /// A date range whose `{from}`/`{to}` (YYYY-MM-DD) come from bounds on
    /// the column (any of `>`, `>=`, `<`, `<=`), widened by a day each way
    /// so any store time zone stays inside.
    #[serde(rename = "between")]
    Between,
}

impl Op {
    /// The profile's spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Between => "between",
        }
    }
}

/// `op == "="`: compares with the profile's spelling.
impl PartialEq<&str> for Op {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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
        match Self::source(path)? {
            None => Ok(Self::builtin()),
            Some((text, p)) => Ok(Arc::new(Profile::parse(&text, &p)?)),
        }
    }

    /// The text of the profile `path` names and where it is from (None:
    /// the built-in one, `BUILTIN`).
    pub fn source(path: Option<&str>) -> Result<Option<(String, String)>> {
        match path {
            None => Ok(None),
            Some(p) if p.to_ascii_lowercase().ends_with(".apip") => Ok(None),
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| {
                    crate::error::Error::new(
                        Kind::Config,
                        format!("Profile {p} cannot be read: {e}"),
                    )
                })?;
                Ok(Some((text, p.to_string())))
            }
        }
    }

    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
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

    /// A profile of `tables` (JSON objects without the boilerplate).
    fn profile(tables: &[serde_json::Value]) -> Result<Profile> {
        let text = serde_json::json!({"name": "t", "schema": "s", "tables": tables});
        Profile::parse(&text.to_string(), "t.json")
    }

    fn plain(name: &str) -> serde_json::Value {
        serde_json::json!({"name": name, "source": {"list": format!("/{name}.json")},
                           "columns": [{"name": "id", "type": "BIGINT"}]})
    }

    fn child(name: &str, parent: &str, list: &str) -> serde_json::Value {
        serde_json::json!({"name": name,
            "source": {"parent": {"table": parent, "list": list, "key": "pid"}},
            "columns": [{"name": "pid", "type": "BIGINT", "path": "$parent.id"},
                        {"name": "id", "type": "BIGINT"}]})
    }

    fn refused(tables: &[serde_json::Value]) -> String {
        profile(tables).expect_err("refused").message
    }

    #[test]
    fn a_table_that_is_its_own_parent_is_refused() {
        let m = refused(&[child("Loop", "Loop", "/l/{parent}.json")]);
        assert!(
            m.contains("t.json") && m.contains("Loop -> Loop") && m.contains("cycle"),
            "{m}"
        );
    }

    #[test]
    fn parents_in_a_cycle_are_refused_naming_the_tables() {
        let m = refused(&[
            plain("Root"),
            child("A", "C", "/a/{parent}.json"),
            child("B", "A", "/b/{parent}.json"),
            child("C", "B", "/c/{parent}.json"),
        ]);
        assert!(m.contains("cycle") && m.contains("A -> C -> B -> A"), "{m}");
        // Through a `{Table.column*}` of a sub-resource path too.
        let m = refused(&[
            plain("Root"),
            child("A", "Root", "/a/{parent}.json?b={B.id*}"),
            child("B", "A", "/b/{parent}.json"),
        ]);
        assert!(m.contains("cycle") && m.contains("A -> B -> A"), "{m}");
    }

    #[test]
    fn a_sync_spec_needs_the_routes_it_reads_through() {
        let synced = |sync: serde_json::Value, pushdown: serde_json::Value| {
            serde_json::json!({"name": "T", "source": {"list": "/t.json"}, "sync": sync,
                "columns": [{"name": "id", "type": "BIGINT"}, {"name": "at", "type": "TIMESTAMP"},
                            {"name": "n", "type": "WVARCHAR"}],
                "pushdown": pushdown})
        };
        let keyset = serde_json::json!({"column": "id", "op": ">", "list": "/t/after/{value}.json", "keyset": true});
        let window = serde_json::json!({"column": "at", "op": "between", "list": "/t.json?from={from}&to={to}", "exact": false});
        let n_eq = serde_json::json!({"column": "n", "op": "=", "list": "/t/n/{value}.json"});
        let full = serde_json::json!({"keyset": "id", "recheck": "at"});
        profile(&[synced(full.clone(), serde_json::json!([keyset, window]))]).expect("valid");
        let m = refused(&[synced(full, serde_json::json!([keyset]))]);
        assert!(m.contains("sync.recheck 'at'"), "{m}");
        let m = refused(&[synced(
            serde_json::json!({"keyset": "id"}),
            serde_json::json!([]),
        )]);
        assert!(m.contains("sync.keyset 'id'"), "{m}");
        let m = refused(&[synced(
            serde_json::json!({"keyset": "id", "recheck": "n"}),
            serde_json::json!([keyset, n_eq]),
        )]);
        assert!(m.contains("TIMESTAMP or DATE"), "{m}");
        let mut c = child("C", "T", "/t/{parent}/c.json");
        c["sync"] = serde_json::json!({"keyset": "id"});
        let m = refused(&[plain("T"), c]);
        assert!(m.contains("synced with its parent"), "{m}");
        let m = refused(&[synced(
            serde_json::json!({"keyset": "id", "since": "at"}),
            serde_json::json!([keyset]),
        )]);
        assert!(m.contains("since"), "{m}");
    }

    #[test]
    fn nesting_is_capped() {
        let mut tables = vec![plain("T0")];
        for i in 1..MAX_DEPTH {
            tables.push(child(
                &format!("T{i}"),
                &format!("T{}", i - 1),
                "/t/{parent}.json",
            ));
        }
        profile(&tables).expect("a chain of MAX_DEPTH tables is allowed");
        tables.push(child(
            &format!("T{MAX_DEPTH}"),
            &format!("T{}", MAX_DEPTH - 1),
            "/t/{parent}.json",
        ));
        let m = refused(&tables);
        assert!(
            m.contains(&format!("'T{MAX_DEPTH}'")) && m.contains("at most 8"),
            "{m}"
        );
    }

    #[test]
    fn routes_use_only_placeholders_they_can_fill() {
        let mut get = plain("G");
        get["get"] = serde_json::json!("/g/{value}.json");
        let m = refused(&[get]);
        assert!(
            m.contains("'G'") && m.contains("{value}") && m.contains("get"),
            "{m}"
        );
        let m = refused(&[plain("P"), child("C", "P", "/c/{nope}.json")]);
        assert!(m.contains("{nope}") && m.contains("parent list"), "{m}");
        let m = refused(&[plain("P"), child("C", "P", "/c/{parent*}/{parent}.json")]);
        assert!(m.contains("{parent}"), "{m}");
        let m = refused(&[plain("P"), child("C", "P", "/c/{parent}?x={Nope.id*}")]);
        assert!(m.contains("{Nope.id*}"), "{m}");
        let mut push = plain("Q");
        push["pushdown"] =
            serde_json::json!([{"column": "id", "op": "=", "list": "/q/{value}/{other}.json"}]);
        let m = refused(&[push]);
        assert!(m.contains("{other}") && m.contains("pushdown route"), "{m}");
        let mut write = plain("W");
        write["delete"] = serde_json::json!({"path": "/w/{id}/{missing}.json"});
        let m = refused(&[write]);
        assert!(m.contains("{missing}") && m.contains("delete"), "{m}");
        let m = refused(&[
            serde_json::json!({"name": "S", "source": {"list": "/s/{id"},
            "columns": [{"name": "id", "type": "BIGINT"}]}),
        ]);
        assert!(m.contains("t.json") && m.contains("/s/{id"), "{m}");
    }

    #[test]
    fn operators_are_the_profile_spellings() {
        let mut push = plain("Q");
        push["pushdown"] = serde_json::json!([{"column": "id", "op": ">=", "list": "/q/{value}"}]);
        let p = profile(&[push.clone()]).unwrap();
        assert_eq!(p.tables[0].pushdown[0].op, Op::Ge);
        assert!(p.tables[0].pushdown[0].op == ">=");
        push["pushdown"][0]["op"] = serde_json::json!("!=");
        let m = refused(&[push]);
        assert!(m.contains("!=") && m.contains("between"), "{m}");
    }
}

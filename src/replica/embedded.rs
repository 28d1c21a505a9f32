//! Child tables whose rows sit in an array of each parent object
//! (`source.parent.array`: an order's lines, a product's variants): a sync
//! fills them from the parent rows it reads anyway, with no request of
//! their own. The sync's sessions use a copy of the profile in which each
//! such parent has hidden columns: the array as JSON text, and each value
//! a child column reads from its parent (`$parent.x`), decoded as the child
//! column's type. A child row is then made as the engine makes it when it
//! explodes the parent (engine/cursor.rs: item, `item_wrapper`, `$index`,
//! `$parent.x`, else the item's field decoded by the column's type).
//!
//! The one case told apart differently: a parent field that is a JSON
//! string holding an array's text reads here as that array (the engine
//! would find no array and no rows). The API sends arrays.

use crate::engine::{decode, lookup, Value};
use crate::error::{Error, Kind, Result};
use crate::schema::{Profile, SqlType, Table};
use serde_json::{json, Value as Json};

const HIDDEN: &str = "_replica_";

/// One array child of a parent table, as the sync reads it.
pub struct Embedded {
    /// Index of the child in the profile's tables.
    pub child: usize,
    /// The parent's column whose value the child's key holds.
    pub parent_key: usize,
    /// Where the array's JSON text is among the hidden values.
    array_at: usize,
    item_wrapper: Option<String>,
    columns: Vec<Source>,
}

/// Where a child column's value comes from.
enum Source {
    /// A hidden value, or (when it is NULL) the parent's column of that name.
    Parent {
        at: usize,
        column: Option<usize>,
        ty: SqlType,
    },
    Index,
    Item {
        path: String,
        ty: SqlType,
    },
}

/// A parent's hidden column: its name, JSON path and declared type.
struct Hidden {
    name: String,
    path: String,
    type_name: String,
}

/// The array children of `parent`, in profile order.
pub fn children_of(profile: &Profile, parent: &Table) -> Vec<Embedded> {
    let mut hidden_at = 0;
    let mut out = Vec::new();
    for (i, t) in profile.tables.iter().enumerate() {
        let Some(ps) = t
            .source
            .parent
            .as_ref()
            .filter(|ps| ps.table == parent.name)
        else {
            continue;
        };
        if ps.array.is_none() {
            continue;
        }
        let Some(parent_key) = parent.columns.iter().position(|c| c.name == ps.parent_key) else {
            continue;
        };
        let array_at = hidden_at;
        hidden_at += 1;
        let columns = t
            .columns
            .iter()
            .map(|c| match c.json_path() {
                p if p.starts_with("$parent.") => {
                    let at = hidden_at;
                    hidden_at += 1;
                    let name = &p["$parent.".len()..];
                    let column = parent.columns.iter().position(|pc| pc.name == name);
                    Source::Parent {
                        at,
                        column,
                        ty: c.sql_type(),
                    }
                }
                "$index" => Source::Index,
                p => Source::Item {
                    path: p.to_string(),
                    ty: c.sql_type(),
                },
            })
            .collect();
        out.push(Embedded {
            child: i,
            parent_key,
            array_at,
            item_wrapper: ps.item_wrapper.clone(),
            columns,
        });
    }
    out
}

/// The hidden columns of `parent`, in the order `children_of` counts them.
fn hidden_of(profile: &Profile, parent: &Table) -> Vec<Hidden> {
    let mut out = Vec::new();
    for e in children_of(profile, parent) {
        let child = &profile.tables[e.child];
        let array = child.source.parent.as_ref().and_then(|p| p.array.clone());
        out.push(Hidden {
            name: format!("{HIDDEN}{}", child.name),
            path: array.unwrap_or_default(),
            type_name: "WLONGVARCHAR".into(),
        });
        for c in &child.columns {
            if let Some(path) = c.json_path().strip_prefix("$parent.") {
                out.push(Hidden {
                    name: format!("{HIDDEN}{}_{}", child.name, c.name),
                    path: path.to_string(),
                    type_name: c.sql_type().decl(),
                });
            }
        }
    }
    out
}

/// The names of `parent`'s hidden columns, to select after its own.
pub fn hidden_names(profile: &Profile, parent: &Table) -> Vec<String> {
    hidden_of(profile, parent)
        .into_iter()
        .map(|h| h.name)
        .collect()
}

/// The profile (its text) with every parent's hidden columns added: what
/// the sync's sessions read through.
pub fn with_hidden_columns(text: &str, origin: &str, profile: &Profile) -> Result<Profile> {
    let mut doc: Json = serde_json::from_str(text)
        .map_err(|e| Error::new(Kind::Config, format!("Profile {origin} is malformed: {e}")))?;
    if let Some(tables) = doc.get_mut("tables").and_then(Json::as_array_mut) {
        for t in tables.iter_mut() {
            let Some(parent) = t
                .get("name")
                .and_then(Json::as_str)
                .and_then(|n| profile.table(n))
            else {
                continue;
            };
            let hidden = hidden_of(profile, parent);
            if let Some(cols) = t.get_mut("columns").and_then(Json::as_array_mut) {
                cols.extend(
                    hidden
                        .into_iter()
                        .map(|h| json!({"name": h.name, "path": h.path, "type": h.type_name})),
                );
            }
        }
    }
    Profile::parse(&doc.to_string(), origin)
}

impl Embedded {
    /// The child rows of one parent row: `parent` its own values, `hidden`
    /// its hidden ones.
    pub fn rows(&self, parent: &[Value], hidden: &[Value]) -> Vec<Vec<Value>> {
        let items = match hidden.get(self.array_at) {
            Some(Value::Text(t)) => match serde_json::from_str::<Json>(t) {
                Ok(Json::Array(items)) => items,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let item = match (&self.item_wrapper, item) {
                    (Some(w), Json::Object(m)) if m.contains_key(w.as_str()) => &m[w.as_str()],
                    (_, item) => item,
                };
                self.columns
                    .iter()
                    .map(|s| self.value(s, i, item, parent, hidden))
                    .collect()
            })
            .collect()
    }

    fn value(
        &self,
        s: &Source,
        i: usize,
        item: &Json,
        parent: &[Value],
        hidden: &[Value],
    ) -> Value {
        match s {
            Source::Index => Value::Int(i as i64 + 1),
            Source::Item { path, ty } => decode(lookup(item, path), *ty),
            Source::Parent { at, column, ty } => match (hidden.get(*at), column) {
                // A field the parent object lacks: the parent row's column
                // of that name, as the engine's `$parent.` lookup finds it.
                (Some(Value::Null) | None, Some(c)) => decode(&parent[*c].to_json(), *ty),
                (Some(v), _) => v.clone(),
                (None, None) => Value::Null,
            },
        }
    }
}

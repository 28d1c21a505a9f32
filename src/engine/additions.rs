//! What a connection adds to the store's schema besides the profile's
//! tables: named views (UserDefinedViews) and read-only tables of fixed rows
//! (the `sys_` tables). Both are made while the session is opened, before
//! user SQL is fenced in (authorizer.rs), and live in the store's schema so
//! that `Jumpseller.MyView` and `MyView` both work. What SQLTables and
//! SQLColumns report of them is what a statement reading them describes.

use super::{ColumnInfo, Session, Value};
use crate::error::{Error, Kind, Result};
use crate::schema::SqlType;

/// A named SELECT, as a view.
#[derive(Debug, Clone)]
pub struct ViewDef {
    pub name: String,
    pub sql: String,
    /// Where it was defined (the file), for messages.
    pub origin: String,
}

/// A table of fixed rows; user SQL can read it, never change it.
#[derive(Debug, Clone)]
pub struct FixedTable {
    pub name: String,
    pub remarks: String,
    pub columns: Vec<(String, SqlType)>,
    pub rows: Vec<Vec<Value>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddedKind {
    View,
    SystemTable,
}

impl AddedKind {
    /// TABLE_TYPE as SQLTables reports it.
    pub fn table_type(self) -> &'static str {
        match self {
            AddedKind::View => "VIEW",
            AddedKind::SystemTable => "SYSTEM TABLE",
        }
    }
}

/// A view or fixed table as the catalog reports it.
#[derive(Debug, Clone)]
pub struct Added {
    pub name: String,
    pub kind: AddedKind,
    pub remarks: String,
    pub columns: Vec<ColumnInfo>,
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Session {
    /// `schema.name`, quoted.
    fn qualified(&self, name: &str) -> String {
        format!("{}.{}", quoted(self.additions_schema()), quoted(name))
    }

    /// Whether a name is already taken in the store's schema (a profile
    /// table, or something added before), compared as SQLite does.
    fn taken(&self, name: &str) -> bool {
        self.ctx.profile.table(name).is_some()
            || self
                .ctx
                .added
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .any(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// The columns a `SELECT *` of an added object describes.
    fn described(&self, name: &str, kind: AddedKind, remarks: &str) -> Result<Added> {
        let q = self.prepare(&format!("SELECT * FROM {}", self.qualified(name)))?;
        Ok(Added {
            name: name.to_string(),
            kind,
            remarks: remarks.to_string(),
            columns: q.columns().to_vec(),
        })
    }

    fn remember(&self, added: Added) {
        self.ctx
            .added
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(added);
    }

    /// Creates one view. Its SQL is prepared like a statement's (escapes,
    /// exact CASTs; one statement only); it must be a query.
    pub(super) fn add_view(&self, view: &ViewDef, remarks: &str) -> Result<()> {
        let bad = |why: String| {
            Error::new(
                Kind::Config,
                format!(
                    "UserDefinedViews {}: view '{}' {why}",
                    view.origin, view.name
                ),
            )
        };
        if view.name.trim().is_empty() {
            return Err(bad("has an empty name.".into()));
        }
        if self.taken(&view.name) {
            return Err(bad(
                "has the name of a table or of another view; give it its own name.".into(),
            ));
        }
        let body = view.sql.trim().trim_end_matches(';').trim_end();
        let create = format!("CREATE VIEW {} AS {body}", self.qualified(&view.name));
        self.setup_execute(&create)
            .map_err(|e| bad(format!("cannot be created: {}", e.message)))?;
        let added = self
            .described(&view.name, AddedKind::View, remarks)
            .map_err(|e| bad(format!("cannot be created: {}", e.message)))?;
        self.remember(added);
        Ok(())
    }

    /// Creates one fixed table and fills it.
    pub(super) fn add_fixed_table(&self, t: &FixedTable) -> Result<()> {
        let columns: Vec<String> = t
            .columns
            .iter()
            .map(|(n, ty)| format!("{} {}", quoted(n), ty.decl()))
            .collect();
        self.setup_execute(&format!(
            "CREATE TABLE {}({})",
            self.qualified(&t.name),
            columns.join(", ")
        ))?;
        self.insert_fixed_rows(t)?;
        self.ctx
            .fixed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(t.name.to_ascii_lowercase());
        let added = self.described(&t.name, AddedKind::SystemTable, &t.remarks)?;
        self.remember(added);
        Ok(())
    }

    /// A fixed table's rows, into the table made for it. Only while the
    /// session is unsealed (its setup, or a refill under the connection's
    /// mutex: autocache.rs).
    pub(super) fn insert_fixed_rows(&self, t: &FixedTable) -> Result<()> {
        let markers = vec!["?"; t.columns.len()].join(", ");
        let mut insert = self.prepare(&format!(
            "INSERT INTO {} VALUES ({markers})",
            self.qualified(&t.name)
        ))?;
        for row in &t.rows {
            insert.execute(row, &super::Interrupt::none())?;
        }
        Ok(())
    }

    /// Empties a fixed table (before a refill, autocache.rs).
    pub(super) fn clear_fixed_rows(&self, name: &str) -> Result<()> {
        self.setup_execute(&format!("DELETE FROM {}", self.qualified(name)))
    }

    /// Creates a view over driver SQL (sys_identity): no user text in it.
    pub(super) fn add_system_view(&self, name: &str, sql: &str, remarks: &str) -> Result<()> {
        self.setup_execute(&format!("CREATE VIEW {} AS {sql}", self.qualified(name)))?;
        let added = self.described(name, AddedKind::SystemTable, remarks)?;
        self.remember(added);
        Ok(())
    }

    /// Runs one setup statement (never user SQL after the session opens).
    fn setup_execute(&self, sql: &str) -> Result<()> {
        let mut q = self.prepare(sql)?;
        q.execute(&[], &super::Interrupt::none())
    }

    /// The views and fixed tables of this connection, in the order made.
    pub fn added(&self) -> Vec<Added> {
        self.ctx
            .added
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

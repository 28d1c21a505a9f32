//! The catalog functions' arguments: which are search patterns, which are
//! identifiers (always, or with SQL_ATTR_METADATA_ID), which are compared
//! as given; then the result set `odbc::catalog` builds from the profile
//! (no network) is installed on the statement. `ffi/` only decodes the
//! strings (NULL stays `None`) and calls these.

use super::catalog::{self, Arg};
use super::{lock, Stmt};
use crate::error::Result;
use crate::schema::Profile;
use std::sync::Arc;

/// A catalog argument as the application passed it: `None` for NULL.
pub type Text = Option<String>;

/// A pattern argument; an identifier when SQL_ATTR_METADATA_ID is on.
fn pattern(stmt: &Stmt, value: Text) -> Arg {
    Arg::new(value, lock(&stmt.state).metadata_id)
}

/// An argument the function takes as an identifier, never a pattern.
fn identifier(value: Text) -> Arg {
    Arg::new(value, true)
}

/// An argument compared as given: enumeration calls compare it with "%"
/// exactly, so SQL_ATTR_METADATA_ID does not apply.
fn as_given(value: Text) -> Arg {
    Arg::new(value, false)
}

impl Stmt {
    fn profile(&self) -> Result<Arc<Profile>> {
        Ok(self.conn.session()?.profile().clone())
    }

    /// SQLTables.
    pub fn catalog_tables(
        &self,
        catalog_name: Text,
        schema_name: Text,
        table_name: Text,
        table_types: Text,
    ) -> Result<i16> {
        let profile = self.profile()?;
        let added = self.conn.session()?.added();
        let (cols, rows) = catalog::tables(
            &profile,
            &added,
            &as_given(catalog_name),
            &as_given(schema_name),
            &pattern(self, table_name),
            table_types.as_deref(),
        );
        self.set_rows(cols, rows)
    }

    /// SQLColumns.
    pub fn catalog_columns(
        &self,
        catalog_name: Text,
        schema_name: Text,
        table_name: Text,
        column_name: Text,
    ) -> Result<i16> {
        let profile = self.profile()?;
        let added = self.conn.session()?.added();
        let odbc2 = self.conn.env.is_odbc2();
        let (cols, rows) = catalog::columns(
            &profile,
            &added,
            &pattern(self, catalog_name),
            &pattern(self, schema_name),
            &pattern(self, table_name),
            &pattern(self, column_name),
            odbc2,
        );
        self.set_rows(cols, rows)
    }

    /// SQLPrimaryKeys: identifiers, never patterns.
    pub fn catalog_primary_keys(
        &self,
        catalog_name: Text,
        schema_name: Text,
        table_name: Text,
    ) -> Result<i16> {
        let profile = self.profile()?;
        let (cols, rows) = catalog::primary_keys(
            &profile,
            &identifier(catalog_name),
            &identifier(schema_name),
            &identifier(table_name),
        );
        self.set_rows(cols, rows)
    }

    /// SQLForeignKeys: identifiers. The catalogs are ignored; a schema
    /// other than ours (non-empty) leaves the result empty.
    pub fn catalog_foreign_keys(
        &self,
        pk_schema: Text,
        pk_table: Text,
        fk_schema: Text,
        fk_table: Text,
    ) -> Result<i16> {
        let profile = self.profile()?;
        let schema_ok = [identifier(pk_schema), identifier(fk_schema)]
            .iter()
            .all(|a| {
                a.value
                    .as_deref()
                    .map(|v| v.is_empty() || a.matches(&profile.schema))
                    .unwrap_or(true)
            });
        let (cols, rows) = catalog::foreign_keys(
            &profile,
            &identifier(pk_table),
            &identifier(fk_table),
            schema_ok,
        );
        self.set_rows(cols, rows)
    }

    /// SQLStatistics: identifiers.
    pub fn catalog_statistics(
        &self,
        catalog_name: Text,
        schema_name: Text,
        table_name: Text,
    ) -> Result<i16> {
        let profile = self.profile()?;
        let (cols, rows) = catalog::statistics(
            &profile,
            &identifier(catalog_name),
            &identifier(schema_name),
            &identifier(table_name),
        );
        self.set_rows(cols, rows)
    }

    /// SQLSpecialColumns: the table is an identifier; catalog, schema,
    /// scope and nullable do not change the answer.
    pub fn catalog_special_columns(&self, identifier_type: u16, table_name: Text) -> Result<i16> {
        let profile = self.profile()?;
        let (cols, rows) =
            catalog::special_columns(&profile, identifier_type, &identifier(table_name));
        self.set_rows(cols, rows)
    }

    /// SQLProcedures.
    pub fn catalog_procedures(
        &self,
        catalog_name: Text,
        schema_name: Text,
        procedure_name: Text,
    ) -> Result<i16> {
        let profile = self.profile()?;
        let (cols, rows) = catalog::procedures(
            &profile,
            &pattern(self, catalog_name),
            &pattern(self, schema_name),
            &pattern(self, procedure_name),
        );
        self.set_rows(cols, rows)
    }

    /// SQLProcedureColumns.
    pub fn catalog_procedure_columns(
        &self,
        catalog_name: Text,
        schema_name: Text,
        procedure_name: Text,
        column_name: Text,
    ) -> Result<i16> {
        let profile = self.profile()?;
        let (cols, rows) = catalog::procedure_columns(
            &profile,
            &pattern(self, catalog_name),
            &pattern(self, schema_name),
            &pattern(self, procedure_name),
            &pattern(self, column_name),
        );
        self.set_rows(cols, rows)
    }

    /// SQLTablePrivileges.
    pub fn catalog_table_privileges(
        &self,
        catalog_name: Text,
        schema_name: Text,
        table_name: Text,
    ) -> Result<i16> {
        let profile = self.profile()?;
        let (cols, rows) = catalog::table_privileges(
            &profile,
            &pattern(self, catalog_name),
            &pattern(self, schema_name),
            &pattern(self, table_name),
        );
        self.set_rows(cols, rows)
    }

    /// SQLColumnPrivileges: catalog, schema and table are identifiers; the
    /// column is a pattern.
    pub fn catalog_column_privileges(
        &self,
        catalog_name: Text,
        schema_name: Text,
        table_name: Text,
        column_name: Text,
    ) -> Result<i16> {
        let profile = self.profile()?;
        let (cols, rows) = catalog::column_privileges(
            &profile,
            &identifier(catalog_name),
            &identifier(schema_name),
            &identifier(table_name),
            &pattern(self, column_name),
        );
        self.set_rows(cols, rows)
    }

    /// SQLGetTypeInfo.
    pub fn catalog_type_info(&self, data_type: i16) -> Result<i16> {
        let (cols, rows) = catalog::type_info(data_type, self.conn.env.is_odbc2());
        self.set_rows(cols, rows)
    }
}

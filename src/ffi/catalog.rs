//! Catalog functions: the (text, length) arguments decoded, then
//! `odbc::catalog_args` decides what they mean and installs the result set.
#![allow(
    clippy::too_many_arguments,
    reason = "ODBC's catalog functions take a (text, length) pair per name; these mirror them"
)]

use super::strings::{input, Enc, A, W};
use super::{with_stmt, Handle};
use odbc_sys::{Char, Len, RetCode, WChar};

type U<E> = <E as Enc>::Unit;

/// One (text, length) argument: NULL stays `None`; `len` may be SQL_NTS.
unsafe fn text<E: Enc>(ptr: *const U<E>, len: i16) -> Option<String> {
    input::<E>(ptr, len as Len)
}

macro_rules! pair {
    ($a:ident, $w:ident, $body:ident, ($($p:ident : $t:ident),*)) => {
        /// # Safety
        /// Strings as the ODBC spec gives them.
        #[no_mangle]
        pub unsafe extern "C" fn $a(h: Handle, $($p: pair!(@ty Char, $t)),*) -> RetCode {
            $body::<A>(h, $($p),*)
        }
        /// # Safety
        /// Strings as the ODBC spec gives them.
        #[no_mangle]
        pub unsafe extern "C" fn $w(h: Handle, $($p: pair!(@ty WChar, $t)),*) -> RetCode {
            $body::<W>(h, $($p),*)
        }
    };
    (@ty $u:ty, s) => { *const $u };
    (@ty $u:ty, n) => { i16 };
    (@ty $u:ty, w) => { u16 };
}

unsafe fn tables<E: Enc>(
    h: Handle,
    catalog: *const U<E>,
    catalog_len: i16,
    schema: *const U<E>,
    schema_len: i16,
    table: *const U<E>,
    table_len: i16,
    types: *const U<E>,
    types_len: i16,
) -> RetCode {
    with_stmt(h, |st| {
        st.catalog_tables(
            text::<E>(catalog, catalog_len),
            text::<E>(schema, schema_len),
            text::<E>(table, table_len),
            text::<E>(types, types_len),
        )
    })
}
pair!(SQLTables, SQLTablesW, tables, (catalog: s, catalog_len: n, schema: s, schema_len: n, table: s, table_len: n, types: s, types_len: n));

unsafe fn columns<E: Enc>(
    h: Handle,
    catalog: *const U<E>,
    catalog_len: i16,
    schema: *const U<E>,
    schema_len: i16,
    table: *const U<E>,
    table_len: i16,
    column: *const U<E>,
    column_len: i16,
) -> RetCode {
    with_stmt(h, |st| {
        st.catalog_columns(
            text::<E>(catalog, catalog_len),
            text::<E>(schema, schema_len),
            text::<E>(table, table_len),
            text::<E>(column, column_len),
        )
    })
}
pair!(SQLColumns, SQLColumnsW, columns, (catalog: s, catalog_len: n, schema: s, schema_len: n, table: s, table_len: n, column: s, column_len: n));

unsafe fn primary_keys<E: Enc>(
    h: Handle,
    catalog: *const U<E>,
    catalog_len: i16,
    schema: *const U<E>,
    schema_len: i16,
    table: *const U<E>,
    table_len: i16,
) -> RetCode {
    with_stmt(h, |st| {
        st.catalog_primary_keys(
            text::<E>(catalog, catalog_len),
            text::<E>(schema, schema_len),
            text::<E>(table, table_len),
        )
    })
}
pair!(SQLPrimaryKeys, SQLPrimaryKeysW, primary_keys, (catalog: s, catalog_len: n, schema: s, schema_len: n, table: s, table_len: n));

unsafe fn foreign_keys<E: Enc>(
    h: Handle,
    _pk_catalog: *const U<E>,
    _pk_catalog_len: i16,
    pk_schema: *const U<E>,
    pk_schema_len: i16,
    pk_table: *const U<E>,
    pk_table_len: i16,
    _fk_catalog: *const U<E>,
    _fk_catalog_len: i16,
    fk_schema: *const U<E>,
    fk_schema_len: i16,
    fk_table: *const U<E>,
    fk_table_len: i16,
) -> RetCode {
    with_stmt(h, |st| {
        st.catalog_foreign_keys(
            text::<E>(pk_schema, pk_schema_len),
            text::<E>(pk_table, pk_table_len),
            text::<E>(fk_schema, fk_schema_len),
            text::<E>(fk_table, fk_table_len),
        )
    })
}
pair!(SQLForeignKeys, SQLForeignKeysW, foreign_keys, (pk_catalog: s, pk_catalog_len: n, pk_schema: s, pk_schema_len: n, pk_table: s, pk_table_len: n, fk_catalog: s, fk_catalog_len: n, fk_schema: s, fk_schema_len: n, fk_table: s, fk_table_len: n));

unsafe fn statistics<E: Enc>(
    h: Handle,
    catalog: *const U<E>,
    catalog_len: i16,
    schema: *const U<E>,
    schema_len: i16,
    table: *const U<E>,
    table_len: i16,
    _unique: u16,
    _reserved: u16,
) -> RetCode {
    with_stmt(h, |st| {
        st.catalog_statistics(
            text::<E>(catalog, catalog_len),
            text::<E>(schema, schema_len),
            text::<E>(table, table_len),
        )
    })
}
pair!(SQLStatistics, SQLStatisticsW, statistics, (catalog: s, catalog_len: n, schema: s, schema_len: n, table: s, table_len: n, unique: w, reserved: w));

unsafe fn special_columns<E: Enc>(
    h: Handle,
    identifier_type: u16,
    _catalog: *const U<E>,
    _catalog_len: i16,
    _schema: *const U<E>,
    _schema_len: i16,
    table: *const U<E>,
    table_len: i16,
    _scope: u16,
    _nullable: u16,
) -> RetCode {
    with_stmt(h, |st| {
        st.catalog_special_columns(identifier_type, text::<E>(table, table_len))
    })
}
pair!(SQLSpecialColumns, SQLSpecialColumnsW, special_columns, (identifier_type: w, catalog: s, catalog_len: n, schema: s, schema_len: n, table: s, table_len: n, scope: w, nullable: w));

unsafe fn procedures<E: Enc>(
    h: Handle,
    catalog: *const U<E>,
    catalog_len: i16,
    schema: *const U<E>,
    schema_len: i16,
    procedure: *const U<E>,
    procedure_len: i16,
) -> RetCode {
    with_stmt(h, |st| {
        st.catalog_procedures(
            text::<E>(catalog, catalog_len),
            text::<E>(schema, schema_len),
            text::<E>(procedure, procedure_len),
        )
    })
}
pair!(SQLProcedures, SQLProceduresW, procedures, (catalog: s, catalog_len: n, schema: s, schema_len: n, procedure: s, procedure_len: n));

unsafe fn procedure_columns<E: Enc>(
    h: Handle,
    catalog: *const U<E>,
    catalog_len: i16,
    schema: *const U<E>,
    schema_len: i16,
    procedure: *const U<E>,
    procedure_len: i16,
    column: *const U<E>,
    column_len: i16,
) -> RetCode {
    with_stmt(h, |st| {
        st.catalog_procedure_columns(
            text::<E>(catalog, catalog_len),
            text::<E>(schema, schema_len),
            text::<E>(procedure, procedure_len),
            text::<E>(column, column_len),
        )
    })
}
pair!(SQLProcedureColumns, SQLProcedureColumnsW, procedure_columns, (catalog: s, catalog_len: n, schema: s, schema_len: n, procedure: s, procedure_len: n, column: s, column_len: n));

unsafe fn table_privileges<E: Enc>(
    h: Handle,
    catalog: *const U<E>,
    catalog_len: i16,
    schema: *const U<E>,
    schema_len: i16,
    table: *const U<E>,
    table_len: i16,
) -> RetCode {
    with_stmt(h, |st| {
        st.catalog_table_privileges(
            text::<E>(catalog, catalog_len),
            text::<E>(schema, schema_len),
            text::<E>(table, table_len),
        )
    })
}
pair!(SQLTablePrivileges, SQLTablePrivilegesW, table_privileges, (catalog: s, catalog_len: n, schema: s, schema_len: n, table: s, table_len: n));

unsafe fn column_privileges<E: Enc>(
    h: Handle,
    catalog: *const U<E>,
    catalog_len: i16,
    schema: *const U<E>,
    schema_len: i16,
    table: *const U<E>,
    table_len: i16,
    column: *const U<E>,
    column_len: i16,
) -> RetCode {
    with_stmt(h, |st| {
        st.catalog_column_privileges(
            text::<E>(catalog, catalog_len),
            text::<E>(schema, schema_len),
            text::<E>(table, table_len),
            text::<E>(column, column_len),
        )
    })
}
pair!(SQLColumnPrivileges, SQLColumnPrivilegesW, column_privileges, (catalog: s, catalog_len: n, schema: s, schema_len: n, table: s, table_len: n, column: s, column_len: n));

fn type_info(h: Handle, data_type: i16) -> RetCode {
    with_stmt(h, |st| st.catalog_type_info(data_type))
}

#[no_mangle]
pub extern "C" fn SQLGetTypeInfo(h: Handle, data_type: i16) -> RetCode {
    type_info(h, data_type)
}

#[no_mangle]
pub extern "C" fn SQLGetTypeInfoW(h: Handle, data_type: i16) -> RetCode {
    type_info(h, data_type)
}

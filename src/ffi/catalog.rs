//! Catalog functions: the (text, length) arguments decoded, then
//! `odbc::catalog_args` decides what they mean and installs the result set.
#![allow(
    clippy::too_many_arguments,
    reason = "ODBC's catalog functions take a (text, length) pair per name; these mirror them"
)]

use super::strings::WChar;
use super::strings::{input, Enc, A, W};
use super::{with_stmt, Handle};
use odbc_sys::{Char, Len, RetCode};

type U<E> = <E as Enc>::Unit;

/// One (text, length) argument: NULL stays `None`; `len` may be SQL_NTS.
///
/// # Safety
/// `ptr` is NULL, or `len` units, or NUL-terminated when `len` is negative.
unsafe fn text<E: Enc>(ptr: *const U<E>, len: i16) -> Option<String> {
    // SAFETY: the caller's promise is `input`'s.
    unsafe { input::<E>(ptr, len as Len) }
}

macro_rules! pair {
    ($a:ident, $w:ident, $body:ident, ($($p:ident : $t:ident),*)) => {
        /// # Safety
        /// Every string argument is NULL, or as many bytes as the length
        /// after it says, or NUL-terminated when that length is SQL_NTS.
        #[no_mangle]
        pub unsafe extern "C" fn $a(hstmt: Handle, $($p: pair!(@ty Char, $t)),*) -> RetCode {
            // SAFETY: the caller's duties above are the body's.
            unsafe { $body::<A>(hstmt, $($p),*) }
        }
        /// # Safety
        /// As the ANSI form, with strings and lengths in SQLWCHARs.
        #[no_mangle]
        pub unsafe extern "C" fn $w(hstmt: Handle, $($p: pair!(@ty WChar, $t)),*) -> RetCode {
            // SAFETY: the caller's duties above are the body's.
            unsafe { $body::<W>(hstmt, $($p),*) }
        }
    };
    (@ty $u:ty, s) => { *const $u };
    (@ty $u:ty, n) => { i16 };
    (@ty $u:ty, w) => { u16 };
}

/// # Safety
/// Every string argument is NULL, or its length in units, or
/// NUL-terminated when its length is negative.
unsafe fn tables<E: Enc>(
    hstmt: Handle,
    catalog: *const U<E>,
    catalog_len: i16,
    schema: *const U<E>,
    schema_len: i16,
    table: *const U<E>,
    table_len: i16,
    types: *const U<E>,
    types_len: i16,
) -> RetCode {
    with_stmt(hstmt, |stmt| {
        // SAFETY: each pointer and its length come from the caller
        // together, as `text` requires.
        let (catalog, schema, table, types) = unsafe {
            (
                text::<E>(catalog, catalog_len),
                text::<E>(schema, schema_len),
                text::<E>(table, table_len),
                text::<E>(types, types_len),
            )
        };
        stmt.catalog_tables(catalog, schema, table, types)
    })
}
pair!(SQLTables, SQLTablesW, tables, (catalog: s, catalog_len: n, schema: s, schema_len: n, table: s, table_len: n, types: s, types_len: n));

/// # Safety
/// Every string argument is NULL, or its length in units, or
/// NUL-terminated when its length is negative.
unsafe fn columns<E: Enc>(
    hstmt: Handle,
    catalog: *const U<E>,
    catalog_len: i16,
    schema: *const U<E>,
    schema_len: i16,
    table: *const U<E>,
    table_len: i16,
    column: *const U<E>,
    column_len: i16,
) -> RetCode {
    with_stmt(hstmt, |stmt| {
        // SAFETY: each pointer and its length come from the caller
        // together, as `text` requires.
        let (catalog, schema, table, column) = unsafe {
            (
                text::<E>(catalog, catalog_len),
                text::<E>(schema, schema_len),
                text::<E>(table, table_len),
                text::<E>(column, column_len),
            )
        };
        stmt.catalog_columns(catalog, schema, table, column)
    })
}
pair!(SQLColumns, SQLColumnsW, columns, (catalog: s, catalog_len: n, schema: s, schema_len: n, table: s, table_len: n, column: s, column_len: n));

/// # Safety
/// Every string argument is NULL, or its length in units, or
/// NUL-terminated when its length is negative.
unsafe fn primary_keys<E: Enc>(
    hstmt: Handle,
    catalog: *const U<E>,
    catalog_len: i16,
    schema: *const U<E>,
    schema_len: i16,
    table: *const U<E>,
    table_len: i16,
) -> RetCode {
    with_stmt(hstmt, |stmt| {
        // SAFETY: each pointer and its length come from the caller
        // together, as `text` requires.
        let (catalog, schema, table) = unsafe {
            (
                text::<E>(catalog, catalog_len),
                text::<E>(schema, schema_len),
                text::<E>(table, table_len),
            )
        };
        stmt.catalog_primary_keys(catalog, schema, table)
    })
}
pair!(SQLPrimaryKeys, SQLPrimaryKeysW, primary_keys, (catalog: s, catalog_len: n, schema: s, schema_len: n, table: s, table_len: n));

/// # Safety
/// Every string argument is NULL, or its length in units, or
/// NUL-terminated when its length is negative.
unsafe fn foreign_keys<E: Enc>(
    hstmt: Handle,
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
    with_stmt(hstmt, |stmt| {
        // SAFETY: each pointer and its length come from the caller
        // together, as `text` requires.
        let (pk_schema, pk_table, fk_schema, fk_table) = unsafe {
            (
                text::<E>(pk_schema, pk_schema_len),
                text::<E>(pk_table, pk_table_len),
                text::<E>(fk_schema, fk_schema_len),
                text::<E>(fk_table, fk_table_len),
            )
        };
        stmt.catalog_foreign_keys(pk_schema, pk_table, fk_schema, fk_table)
    })
}
pair!(SQLForeignKeys, SQLForeignKeysW, foreign_keys, (pk_catalog: s, pk_catalog_len: n, pk_schema: s, pk_schema_len: n, pk_table: s, pk_table_len: n, fk_catalog: s, fk_catalog_len: n, fk_schema: s, fk_schema_len: n, fk_table: s, fk_table_len: n));

/// # Safety
/// Every string argument is NULL, or its length in units, or
/// NUL-terminated when its length is negative.
unsafe fn statistics<E: Enc>(
    hstmt: Handle,
    catalog: *const U<E>,
    catalog_len: i16,
    schema: *const U<E>,
    schema_len: i16,
    table: *const U<E>,
    table_len: i16,
    _unique: u16,
    _reserved: u16,
) -> RetCode {
    with_stmt(hstmt, |stmt| {
        // SAFETY: each pointer and its length come from the caller
        // together, as `text` requires.
        let (catalog, schema, table) = unsafe {
            (
                text::<E>(catalog, catalog_len),
                text::<E>(schema, schema_len),
                text::<E>(table, table_len),
            )
        };
        stmt.catalog_statistics(catalog, schema, table)
    })
}
pair!(SQLStatistics, SQLStatisticsW, statistics, (catalog: s, catalog_len: n, schema: s, schema_len: n, table: s, table_len: n, unique: w, reserved: w));

/// # Safety
/// Every string argument is NULL, or its length in units, or
/// NUL-terminated when its length is negative.
unsafe fn special_columns<E: Enc>(
    hstmt: Handle,
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
    with_stmt(hstmt, |stmt| {
        // SAFETY: pointer and length come from the caller together.
        let table = unsafe { text::<E>(table, table_len) };
        stmt.catalog_special_columns(identifier_type, table)
    })
}
pair!(SQLSpecialColumns, SQLSpecialColumnsW, special_columns, (identifier_type: w, catalog: s, catalog_len: n, schema: s, schema_len: n, table: s, table_len: n, scope: w, nullable: w));

/// # Safety
/// Every string argument is NULL, or its length in units, or
/// NUL-terminated when its length is negative.
unsafe fn procedures<E: Enc>(
    hstmt: Handle,
    catalog: *const U<E>,
    catalog_len: i16,
    schema: *const U<E>,
    schema_len: i16,
    procedure: *const U<E>,
    procedure_len: i16,
) -> RetCode {
    with_stmt(hstmt, |stmt| {
        // SAFETY: each pointer and its length come from the caller
        // together, as `text` requires.
        let (catalog, schema, procedure) = unsafe {
            (
                text::<E>(catalog, catalog_len),
                text::<E>(schema, schema_len),
                text::<E>(procedure, procedure_len),
            )
        };
        stmt.catalog_procedures(catalog, schema, procedure)
    })
}
pair!(SQLProcedures, SQLProceduresW, procedures, (catalog: s, catalog_len: n, schema: s, schema_len: n, procedure: s, procedure_len: n));

/// # Safety
/// Every string argument is NULL, or its length in units, or
/// NUL-terminated when its length is negative.
unsafe fn procedure_columns<E: Enc>(
    hstmt: Handle,
    catalog: *const U<E>,
    catalog_len: i16,
    schema: *const U<E>,
    schema_len: i16,
    procedure: *const U<E>,
    procedure_len: i16,
    column: *const U<E>,
    column_len: i16,
) -> RetCode {
    with_stmt(hstmt, |stmt| {
        // SAFETY: each pointer and its length come from the caller
        // together, as `text` requires.
        let (catalog, schema, procedure, column) = unsafe {
            (
                text::<E>(catalog, catalog_len),
                text::<E>(schema, schema_len),
                text::<E>(procedure, procedure_len),
                text::<E>(column, column_len),
            )
        };
        stmt.catalog_procedure_columns(catalog, schema, procedure, column)
    })
}
pair!(SQLProcedureColumns, SQLProcedureColumnsW, procedure_columns, (catalog: s, catalog_len: n, schema: s, schema_len: n, procedure: s, procedure_len: n, column: s, column_len: n));

/// # Safety
/// Every string argument is NULL, or its length in units, or
/// NUL-terminated when its length is negative.
unsafe fn table_privileges<E: Enc>(
    hstmt: Handle,
    catalog: *const U<E>,
    catalog_len: i16,
    schema: *const U<E>,
    schema_len: i16,
    table: *const U<E>,
    table_len: i16,
) -> RetCode {
    with_stmt(hstmt, |stmt| {
        // SAFETY: each pointer and its length come from the caller
        // together, as `text` requires.
        let (catalog, schema, table) = unsafe {
            (
                text::<E>(catalog, catalog_len),
                text::<E>(schema, schema_len),
                text::<E>(table, table_len),
            )
        };
        stmt.catalog_table_privileges(catalog, schema, table)
    })
}
pair!(SQLTablePrivileges, SQLTablePrivilegesW, table_privileges, (catalog: s, catalog_len: n, schema: s, schema_len: n, table: s, table_len: n));

/// # Safety
/// Every string argument is NULL, or its length in units, or
/// NUL-terminated when its length is negative.
unsafe fn column_privileges<E: Enc>(
    hstmt: Handle,
    catalog: *const U<E>,
    catalog_len: i16,
    schema: *const U<E>,
    schema_len: i16,
    table: *const U<E>,
    table_len: i16,
    column: *const U<E>,
    column_len: i16,
) -> RetCode {
    with_stmt(hstmt, |stmt| {
        // SAFETY: each pointer and its length come from the caller
        // together, as `text` requires.
        let (catalog, schema, table, column) = unsafe {
            (
                text::<E>(catalog, catalog_len),
                text::<E>(schema, schema_len),
                text::<E>(table, table_len),
                text::<E>(column, column_len),
            )
        };
        stmt.catalog_column_privileges(catalog, schema, table, column)
    })
}
pair!(SQLColumnPrivileges, SQLColumnPrivilegesW, column_privileges, (catalog: s, catalog_len: n, schema: s, schema_len: n, table: s, table_len: n, column: s, column_len: n));

fn type_info(hstmt: Handle, data_type: i16) -> RetCode {
    with_stmt(hstmt, |stmt| stmt.catalog_type_info(data_type))
}

#[no_mangle]
pub extern "C" fn SQLGetTypeInfo(hstmt: Handle, data_type: i16) -> RetCode {
    type_info(hstmt, data_type)
}

#[no_mangle]
pub extern "C" fn SQLGetTypeInfoW(hstmt: Handle, data_type: i16) -> RetCode {
    type_info(hstmt, data_type)
}

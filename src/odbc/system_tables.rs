//! The `sys_` tables users of the commercial drivers script against
//! (`SELECT ColumnName FROM sys_tablecolumns WHERE TableName = 'Orders'`).
//! Their rows are re-projections of the result sets SQLTables, SQLColumns,
//! SQLPrimaryKeys, SQLForeignKeys, SQLProcedures, SQLProcedureColumns and
//! SQLGetInfo answer, so the two ways of asking can never disagree. Made
//! once per connection, from the profile: no network.

use super::catalog::{self, Arg};
use super::info::{self, Info};
use super::sqlext::{SQL_PARAM_INPUT, SQL_RESULT_COL};
use crate::engine::additions::FixedTable;
use crate::engine::{Session, Value};
use crate::error::Result;
use crate::schema::{Profile, SqlType};

const NAME: SqlType = SqlType::WVarchar(128);
const REMARKS: SqlType = SqlType::WVarchar(254);
type Layout = &'static [(&'static str, SqlType)];

fn all() -> Arg {
    Arg::new(None, false)
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn flag(b: bool) -> Value {
    Value::Int(b as i64)
}

fn name_of(v: &Value) -> &str {
    match v {
        Value::Text(t) => t,
        _ => "",
    }
}

/// The values of a catalog row at these positions, in this order.
fn pick(r: &[Value], at: &[usize]) -> Vec<Value> {
    at.iter().map(|&i| r[i].clone()).collect()
}

fn table(name: &str, remarks: &str, layout: Layout, rows: Vec<Vec<Value>>) -> FixedTable {
    FixedTable {
        name: name.to_string(),
        remarks: remarks.to_string(),
        columns: layout.iter().map(|(n, t)| (n.to_string(), *t)).collect(),
        rows,
    }
}

/// Every sys_ table, for a session whose views already exist.
pub fn build(session: &Session) -> Result<Vec<FixedTable>> {
    let p = session.profile();
    let added = session.added();
    Ok(vec![
        sys_tables(p, &added),
        sys_tablecolumns(p, &added),
        sys_procedures(p),
        sys_procedureparameters(p),
        sys_keycolumns(p),
        sys_foreignkeys(p),
        sys_sqlinfo(),
    ])
}

fn sys_tables(p: &Profile, added: &[crate::engine::additions::Added]) -> FixedTable {
    const LAYOUT: Layout = &[
        ("CatalogName", NAME),
        ("SchemaName", NAME),
        ("TableName", NAME),
        ("TableType", NAME),
        ("Description", REMARKS),
        ("IsUpdateable", SqlType::Bit),
    ];
    let (_, rows) = catalog::tables(p, added, &all(), &all(), &all(), None);
    let rows = rows
        .into_iter()
        .map(|mut r| {
            let writable = p
                .table(name_of(&r[2]))
                .is_some_and(|t| t.insert.is_some() || t.update.is_some() || t.delete.is_some());
            r.push(flag(writable));
            r
        })
        .collect();
    table(
        "sys_tables",
        "The tables and views of the store.",
        LAYOUT,
        rows,
    )
}

fn sys_tablecolumns(p: &Profile, added: &[crate::engine::additions::Added]) -> FixedTable {
    const LAYOUT: Layout = &[
        ("CatalogName", NAME),
        ("SchemaName", NAME),
        ("TableName", NAME),
        ("ColumnName", NAME),
        ("DataTypeName", NAME),
        ("DataType", SqlType::Integer),
        ("Length", SqlType::Integer),
        ("DisplaySize", SqlType::Integer),
        ("NumericPrecision", SqlType::Integer),
        ("NumericScale", SqlType::Integer),
        ("IsNullable", SqlType::Bit),
        ("Description", REMARKS),
        ("Ordinal", SqlType::Integer),
        ("IsAutoIncrement", SqlType::WVarchar(5)),
        ("IsGeneratedColumn", SqlType::WVarchar(5)),
        ("IsHidden", SqlType::Bit),
        ("IsArray", SqlType::Bit),
        ("IsReadOnly", SqlType::Bit),
        ("IsKey", SqlType::Bit),
    ];
    let (_, rows) = catalog::columns(p, added, &all(), &all(), &all(), &all(), false);
    // SQLColumns: 2 TABLE_NAME, 3 COLUMN_NAME, 4 DATA_TYPE, 5 TYPE_NAME,
    // 6 COLUMN_SIZE, 8 DECIMAL_DIGITS, 10 NULLABLE, 11 REMARKS, 16 ORDINAL.
    let rows = rows
        .into_iter()
        .map(|r| {
            let (t, c) = (name_of(&r[2]), name_of(&r[3]));
            let profile_table = p.table(t);
            let column = profile_table.and_then(|t| t.columns.iter().find(|x| x.name == c));
            let display = column.map(|c| c.sql_type().display_size());
            let is_key = profile_table.is_some_and(|t| t.primary_key.iter().any(|k| k == c));
            let writable = profile_table.is_some_and(|t| t.insert.is_some() || t.update.is_some());
            let display = display.map(Value::Int).unwrap_or_else(|| r[6].clone());
            let mut row = pick(&r, &[0, 1, 2, 3, 5, 4, 6]);
            row.extend([display, r[6].clone(), r[8].clone()]);
            row.extend([
                flag(matches!(r[10], Value::Int(n) if n != 0)),
                r[11].clone(),
                r[16].clone(),
                text("false"),
                text("false"),
                flag(false),
                flag(false),
                flag(!writable || is_key),
                flag(is_key),
            ]);
            row
        })
        .collect();
    table(
        "sys_tablecolumns",
        "The columns of the store's tables and views.",
        LAYOUT,
        rows,
    )
}

fn sys_procedures(p: &Profile) -> FixedTable {
    const LAYOUT: Layout = &[
        ("CatalogName", NAME),
        ("SchemaName", NAME),
        ("ProcedureName", NAME),
        ("Description", REMARKS),
        ("ProcedureType", NAME),
    ];
    let (_, rows) = catalog::procedures(p, &all(), &all(), &all());
    // SQLProcedures: 2 PROCEDURE_NAME, 6 REMARKS.
    let rows = rows
        .into_iter()
        .map(|r| {
            let mut row = pick(&r, &[0, 1, 2, 6]);
            row.push(text("STOREDPROCEDURE"));
            row
        })
        .collect();
    table(
        "sys_procedures",
        "The stored procedures ({call ...}).",
        LAYOUT,
        rows,
    )
}

fn sys_procedureparameters(p: &Profile) -> FixedTable {
    const LAYOUT: Layout = &[
        ("CatalogName", NAME),
        ("SchemaName", NAME),
        ("ProcedureName", NAME),
        ("ColumnName", NAME),
        ("Direction", SqlType::Integer),
        ("DataTypeName", NAME),
        ("DataType", SqlType::Integer),
        ("Length", SqlType::Integer),
        ("NumericPrecision", SqlType::Integer),
        ("NumericScale", SqlType::Integer),
        ("IsNullable", SqlType::Bit),
        ("IsRequired", SqlType::Bit),
        ("IsArray", SqlType::Bit),
        ("Description", REMARKS),
        ("Ordinal", SqlType::Integer),
    ];
    let (_, rows) = catalog::procedure_columns(p, &all(), &all(), &all(), &all());
    // SQLProcedureColumns: 3 COLUMN_NAME, 4 COLUMN_TYPE, 5 DATA_TYPE,
    // 6 TYPE_NAME, 7 COLUMN_SIZE, 9 DECIMAL_DIGITS, 11 NULLABLE,
    // 12 REMARKS, 17 ORDINAL_POSITION.
    let rows = rows
        .into_iter()
        .map(|r| {
            // Inputs are 1 (input), result columns 4 (output).
            let direction = match r[4] {
                Value::Int(k) if k == SQL_PARAM_INPUT => 1,
                Value::Int(k) if k == SQL_RESULT_COL => 4,
                _ => 0,
            };
            let mut row = pick(&r, &[0, 1, 2, 3]);
            row.push(Value::Int(direction));
            row.extend(pick(&r, &[6, 5, 7, 7, 9]));
            row.extend([
                flag(matches!(r[11], Value::Int(n) if n != 0)),
                flag(false),
                flag(false),
            ]);
            row.extend(pick(&r, &[12, 17]));
            row
        })
        .collect();
    table(
        "sys_procedureparameters",
        "The parameters and result columns of the stored procedures.",
        LAYOUT,
        rows,
    )
}

const KEY_REFERENCE: [(&str, SqlType); 4] = [
    ("ReferencedCatalogName", NAME),
    ("ReferencedSchemaName", NAME),
    ("ReferencedTableName", NAME),
    ("ReferencedColumnName", NAME),
];

/// SQLForeignKeys over every table: 0..=3 the referenced (PK) side,
/// 4..=7 the referencing side, 11 FK_NAME, 12 PK_NAME.
fn all_foreign_keys(p: &Profile) -> Vec<Vec<Value>> {
    catalog::foreign_keys(p, &all(), &all(), true).1
}

fn sys_keycolumns(p: &Profile) -> FixedTable {
    const LAYOUT: Layout = &[
        ("CatalogName", NAME),
        ("SchemaName", NAME),
        ("TableName", NAME),
        ("ColumnName", NAME),
        ("IsKey", SqlType::Bit),
        ("IsForeignKey", SqlType::Bit),
        ("PrimaryKeyName", NAME),
        ("ForeignKeyName", NAME),
        KEY_REFERENCE[0],
        KEY_REFERENCE[1],
        KEY_REFERENCE[2],
        KEY_REFERENCE[3],
    ];
    let (_, keys) = catalog::primary_keys(p, &all(), &all(), &all());
    // SQLPrimaryKeys: 2 TABLE_NAME, 3 COLUMN_NAME, 5 PK_NAME.
    let mut rows: Vec<Vec<Value>> = keys
        .into_iter()
        .map(|r| {
            let mut row = pick(&r, &[0, 1, 2, 3]);
            row.extend([flag(true), flag(false), r[5].clone(), Value::Null]);
            row.extend([Value::Null, Value::Null, Value::Null, Value::Null]);
            row
        })
        .collect();
    rows.extend(all_foreign_keys(p).into_iter().map(|r| {
        let mut row = pick(&r, &[4, 5, 6, 7]);
        row.extend([flag(false), flag(true), r[12].clone(), r[11].clone()]);
        row.extend(pick(&r, &[0, 1, 2, 3]));
        row
    }));
    table(
        "sys_keycolumns",
        "The primary-key and foreign-key columns.",
        LAYOUT,
        rows,
    )
}

fn sys_foreignkeys(p: &Profile) -> FixedTable {
    const LAYOUT: Layout = &[
        ("CatalogName", NAME),
        ("SchemaName", NAME),
        ("TableName", NAME),
        ("ColumnName", NAME),
        ("PrimaryKeyName", NAME),
        ("ForeignKeyName", NAME),
        KEY_REFERENCE[0],
        KEY_REFERENCE[1],
        KEY_REFERENCE[2],
        KEY_REFERENCE[3],
        ("ForeignKeyType", NAME),
    ];
    let rows = all_foreign_keys(p)
        .into_iter()
        .map(|r| {
            let mut row = pick(&r, &[4, 5, 6, 7, 12, 11, 0, 1, 2, 3]);
            row.push(text("FOREIGNKEY"));
            row
        })
        .collect();
    table(
        "sys_foreignkeys",
        "The foreign keys between the store's tables.",
        LAYOUT,
        rows,
    )
}

/// SQLGetInfo answers under the names scripts look for.
const SQLINFO: &[(&str, odbc_sys::InfoType)] = &[
    ("DRIVER_NAME", odbc_sys::InfoType::DriverName),
    ("DRIVER_VERSION", odbc_sys::InfoType::DriverVer),
    ("DBMS_NAME", odbc_sys::InfoType::DbmsName),
    ("DBMS_VERSION", odbc_sys::InfoType::DbmsVer),
    (
        "IDENTIFIER_QUOTE_OPEN_CHAR",
        odbc_sys::InfoType::IdentifierQuoteChar,
    ),
    (
        "IDENTIFIER_QUOTE_CLOSE_CHAR",
        odbc_sys::InfoType::IdentifierQuoteChar,
    ),
    (
        "SEARCH_PATTERN_ESCAPE",
        odbc_sys::InfoType::SearchPatternEscape,
    ),
    (
        "MAX_IDENTIFIER_LENGTH",
        odbc_sys::InfoType::MaxIdentifierLen,
    ),
    ("SUPPORTS_OUTER_JOINS", odbc_sys::InfoType::OuterJoins),
];

fn info_text(info: Option<Info>) -> Value {
    match info {
        Some(Info::Str(s)) => text(s),
        Some(Info::Text(s)) => Value::Text(s),
        Some(Info::U16(n)) => text(&n.to_string()),
        Some(Info::U32(n)) => text(&n.to_string()),
        None => Value::Null,
    }
}

fn sys_sqlinfo() -> FixedTable {
    const LAYOUT: Layout = &[("NAME", NAME), ("VALUE", SqlType::WVarchar(4000))];
    let mut rows: Vec<Vec<Value>> = SQLINFO
        .iter()
        .map(|(name, id)| vec![text(name), info_text(info::get(*id as u16))])
        .collect();
    // What the SQL dialect does, in words (the engine is SQLite's).
    for (name, value) in [
        ("DIALECT", "SQLite"),
        (
            "AGGREGATE_FUNCTIONS",
            "AVG, COUNT, MAX, MIN, SUM, TOTAL, GROUP_CONCAT, DISTINCT",
        ),
        ("COUNT", "YES"),
        ("GROUP_BY", "YES"),
        ("ORDER_BY", "YES"),
        ("SUBQUERIES", "YES"),
        ("SUPPORTS_MULTIPLE_SCHEMAS", "NO"),
        ("SUPPORTS_MULTIPLE_CATALOGS", "NO"),
        ("SUPPORTS_BATCH_OPERATIONS", "YES"),
        ("SUPPORTS_TRANSACTIONS", "NO"),
    ] {
        rows.push(vec![text(name), text(value)]);
    }
    table(
        "sys_sqlinfo",
        "What the driver's SQL supports (SQLGetInfo under descriptive names).",
        LAYOUT,
        rows,
    )
}

//! Catalog result sets built from the profile, never from the network, with
//! exactly the columns, types and order the ODBC spec gives each function.

use super::colattr::{concise_type, SQL_DATETIME};
use super::sqlext::{
    SQL_ALL_EXCEPT_LIKE, SQL_BEST_ROWID, SQL_CODE_DATE, SQL_CODE_TIMESTAMP, SQL_FALSE,
    SQL_INDEX_OTHER, SQL_NOT_DEFERRABLE, SQL_NO_ACTION, SQL_NO_NULLS, SQL_NULLABLE,
    SQL_PARAM_INPUT, SQL_PC_NOT_PSEUDO, SQL_PT_PROCEDURE, SQL_RESULT_COL, SQL_SCOPE_SESSION,
    SQL_SEARCHABLE, SQL_TRUE,
};
use super::stmt::ColDesc;
use crate::engine::additions::Added;
use crate::engine::{result_types, Value};
use crate::schema::{Profile, SqlType, Table};
use odbc_sys::SqlDataType;

type Rows = Vec<Vec<Value>>;

const NAME: SqlType = SqlType::WVarchar(128);

/// A result set's columns from (name, type, nullable).
fn layout_of(spec: &[(&str, SqlType, bool)]) -> Vec<ColDesc> {
    spec.iter()
        .map(|(n, t, nullable)| ColDesc::new(n, *t, *nullable))
        .collect()
}

fn text(v: &str) -> Value {
    Value::Text(v.to_string())
}
fn int(v: i64) -> Value {
    Value::Int(v)
}
/// SQL_TRUE or SQL_FALSE.
fn boolean(v: bool) -> Value {
    Value::Int(if v { SQL_TRUE as i64 } else { SQL_FALSE })
}
fn text_or_null(v: Option<&str>) -> Value {
    v.map(text).unwrap_or(Value::Null)
}
fn int_or_null(v: Option<i64>) -> Value {
    v.map(int).unwrap_or(Value::Null)
}
fn small_int_or_null(v: Option<i16>) -> Value {
    int_or_null(v.map(i64::from))
}

/// A catalog-function argument: NULL, a pattern, or (with
/// SQL_ATTR_METADATA_ID) an identifier.
#[derive(Debug, Clone)]
pub struct Arg {
    pub value: Option<String>,
    pub identifier: bool,
}

impl Arg {
    pub fn new(value: Option<String>, identifier: bool) -> Arg {
        Arg { value, identifier }
    }

    /// Whether `name` is selected. NULL and "%" select everything; names
    /// compare case-insensitively, as SQL identifiers do here.
    pub fn matches(&self, name: &str) -> bool {
        match &self.value {
            None => true,
            Some(p) if self.identifier => {
                let p = p.trim();
                let unquoted = p
                    .strip_prefix('"')
                    .and_then(|x| x.strip_suffix('"'))
                    .unwrap_or(p);
                unquoted.eq_ignore_ascii_case(name)
            }
            Some(p) => like(&p.to_lowercase(), &name.to_lowercase()),
        }
    }

    pub fn is_exact_empty(&self) -> bool {
        self.value.as_deref() == Some("")
    }
}

/// LIKE with `%`, `_` and `\` as escape.
pub fn like(pattern: &str, text: &str) -> bool {
    // Tokens: Some(c) a literal (escapes resolved), None for '_', and a
    // separate flag for '%'. Matched by dynamic programming over positions,
    // so an application's pattern cannot make it backtrack exponentially.
    enum Tok {
        Any,
        One,
        Lit(char),
    }
    let mut toks = Vec::new();
    let mut it = pattern.chars().peekable();
    while let Some(c) = it.next() {
        toks.push(match c {
            '%' => Tok::Any,
            '_' => Tok::One,
            '\\' => Tok::Lit(it.next().unwrap_or('\\')),
            c => Tok::Lit(c),
        });
    }
    let t: Vec<char> = text.chars().collect();
    // reach[j]: the pattern so far can match exactly t[..j].
    let mut reach = vec![false; t.len() + 1];
    reach[0] = true;
    for tok in &toks {
        let mut next = vec![false; t.len() + 1];
        match tok {
            Tok::Any => {
                let mut on = false;
                for j in 0..=t.len() {
                    on |= reach[j];
                    next[j] = on;
                }
            }
            Tok::One => (0..t.len()).for_each(|j| next[j + 1] = reach[j]),
            Tok::Lit(c) => (0..t.len()).for_each(|j| next[j + 1] = reach[j] && t[j] == *c),
        }
        reach = next;
    }
    reach[t.len()]
}

/// Catalog arguments must name no catalog (Jumpseller has none).
fn catalog_ok(catalog: &Arg) -> bool {
    match catalog.value.as_deref() {
        None | Some("") | Some("%") => true,
        Some(_) => false,
    }
}

/// SQL_DATA_TYPE / SQL_DATETIME_SUB: datetimes are SQL_DATETIME with a
/// subcode.
fn verbose_type(t: SqlType) -> (i64, Value) {
    match t {
        SqlType::Timestamp => (SQL_DATETIME, int(SQL_CODE_TIMESTAMP)),
        SqlType::Date => (SQL_DATETIME, int(SQL_CODE_DATE)),
        other => (other.odbc_code() as i64, Value::Null),
    }
}

/// The table types this data source has, as SQLTables names them.
const TABLE_TYPES: &[&str] = &["SYSTEM TABLE", "TABLE", "VIEW"];

/// SQLTables: the profile's tables, then what the connection added (views,
/// the sys_ tables), ordered by TABLE_TYPE and TABLE_NAME as the spec asks.
pub fn tables(
    p: &Profile,
    added: &[Added],
    catalog: &Arg,
    schema: &Arg,
    table: &Arg,
    types: Option<&str>,
) -> (Vec<ColDesc>, Rows) {
    let layout = layout_of(&[
        ("TABLE_CAT", NAME, true),
        ("TABLE_SCHEM", NAME, true),
        ("TABLE_NAME", NAME, true),
        ("TABLE_TYPE", NAME, true),
        ("REMARKS", SqlType::WVarchar(254), true),
    ]);
    let all = |a: &Arg| a.value.as_deref() == Some("%");
    let types_all = types.map(|t| t.trim() == "%").unwrap_or(false);
    // The three enumeration calls.
    if all(catalog) && schema.is_exact_empty() && table.is_exact_empty() {
        return (layout, vec![]);
    }
    if all(schema) && catalog.is_exact_empty() && table.is_exact_empty() {
        return (
            layout,
            vec![vec![
                Value::Null,
                text(&p.schema),
                Value::Null,
                Value::Null,
                Value::Null,
            ]],
        );
    }
    if types_all && catalog.is_exact_empty() && schema.is_exact_empty() && table.is_exact_empty() {
        let rows = TABLE_TYPES
            .iter()
            .map(|t| vec![Value::Null, Value::Null, Value::Null, text(t), Value::Null])
            .collect();
        return (layout, rows);
    }
    // A list of types; a `%` in it (LibreOffice sends `VIEW,TABLE,%,`)
    // asks for every type, as `%` alone does.
    let wanted: Option<Vec<String>> = match types {
        Some(t) if !t.trim().is_empty() && !types_all => Some(
            t.split(',')
                .map(|x| x.trim().trim_matches('\'').trim().to_ascii_uppercase())
                .collect(),
        )
        .filter(|w: &Vec<String>| !w.iter().any(|x| x == "%")),
        _ => None,
    };
    let wants = |ty: &str| wanted.as_ref().is_none_or(|w| w.iter().any(|x| x == ty));
    if !catalog_ok(catalog) || !schema.matches(&p.schema) {
        return (layout, vec![]);
    }
    let listed = p
        .tables
        .iter()
        .map(|t| ("TABLE", t.name.as_str(), t.remarks.as_str()))
        .chain(
            added
                .iter()
                .map(|a| (a.kind.table_type(), a.name.as_str(), a.remarks.as_str())),
        );
    let mut rows: Vec<(&str, &str, &str)> = listed
        .filter(|(ty, name, _)| wants(ty) && table.matches(name))
        .collect();
    rows.sort();
    let rows = rows
        .into_iter()
        .map(|(ty, name, remarks)| {
            vec![
                Value::Null,
                text(&p.schema),
                text(name),
                text(ty),
                text(remarks),
            ]
        })
        .collect();
    (layout, rows)
}

fn selected_tables<'a>(p: &'a Profile, catalog: &Arg, schema: &Arg, table: &Arg) -> Vec<&'a Table> {
    if !catalog_ok(catalog) || !schema.matches(&p.schema) {
        return vec![];
    }
    let mut tables: Vec<&Table> = p.tables.iter().filter(|t| table.matches(&t.name)).collect();
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    tables
}

/// The columns SQLColumns and SQLProcedureColumns share, after the names:
/// a value's type, size, nullability and position.
const DESCRIBED_COLUMN: &[(&str, SqlType, bool)] = &[
    ("DATA_TYPE", SqlType::SmallInt, false),
    ("TYPE_NAME", NAME, false),
    ("COLUMN_SIZE", SqlType::Integer, true),
    ("BUFFER_LENGTH", SqlType::Integer, true),
    ("DECIMAL_DIGITS", SqlType::SmallInt, true),
    ("NUM_PREC_RADIX", SqlType::SmallInt, true),
    ("NULLABLE", SqlType::SmallInt, false),
    ("REMARKS", SqlType::WVarchar(254), true),
    ("COLUMN_DEF", SqlType::WVarchar(254), true),
    ("SQL_DATA_TYPE", SqlType::SmallInt, false),
    ("SQL_DATETIME_SUB", SqlType::SmallInt, true),
    ("CHAR_OCTET_LENGTH", SqlType::Integer, true),
    ("ORDINAL_POSITION", SqlType::Integer, false),
    ("IS_NULLABLE", SqlType::WVarchar(3), true),
];

/// The values for DESCRIBED_COLUMN.
fn described(
    ty: SqlType,
    odbc2: bool,
    nullable: bool,
    remarks: &str,
    position: usize,
) -> Vec<Value> {
    let (sql_data_type, sub) = verbose_type(ty);
    vec![
        int(concise_type(ty, odbc2) as i64),
        text(ty.type_name()),
        int(ty.column_size()),
        int(ty.octet_length()),
        small_int_or_null(ty.decimal_digits()),
        small_int_or_null(ty.num_prec_radix()),
        int(if nullable { SQL_NULLABLE } else { SQL_NO_NULLS }),
        text(remarks),
        Value::Null,
        int(sql_data_type),
        sub,
        if ty.is_char() {
            int(ty.octet_length())
        } else {
            Value::Null
        },
        int(position as i64),
        text(if nullable { "YES" } else { "NO" }),
    ]
}

pub fn columns(
    p: &Profile,
    added: &[Added],
    catalog: &Arg,
    schema: &Arg,
    table: &Arg,
    column: &Arg,
    odbc2: bool,
) -> (Vec<ColDesc>, Rows) {
    let mut layout = layout_of(&[
        ("TABLE_CAT", NAME, true),
        ("TABLE_SCHEM", NAME, true),
        ("TABLE_NAME", NAME, false),
        ("COLUMN_NAME", NAME, false),
    ]);
    layout.extend(layout_of(DESCRIBED_COLUMN));
    let mut rows = Vec::new();
    for t in selected_tables(p, catalog, schema, table) {
        for (pos, c) in t.columns.iter().enumerate() {
            if !column.matches(&c.name) {
                continue;
            }
            let mut row = vec![Value::Null, text(&p.schema), text(&t.name), text(&c.name)];
            row.extend(described(
                c.sql_type(),
                odbc2,
                c.nullable,
                &c.remarks,
                pos + 1,
            ));
            rows.push(row);
        }
    }
    // Views and sys_ tables: their columns as a statement reading them
    // describes them (engine/additions.rs).
    let selected = catalog_ok(catalog) && schema.matches(&p.schema);
    let mut extra: Vec<&Added> = added
        .iter()
        .filter(|a| selected && table.matches(&a.name))
        .collect();
    extra.sort_by(|a, b| a.name.cmp(&b.name));
    for a in extra {
        for (pos, c) in a.columns.iter().enumerate() {
            if !column.matches(&c.name) {
                continue;
            }
            let mut row = vec![Value::Null, text(&p.schema), text(&a.name), text(&c.name)];
            let ty = c.declared.unwrap_or(result_types::FALLBACK);
            row.extend(described(ty, odbc2, c.nullable, "", pos + 1));
            rows.push(row);
        }
    }
    // Ordered by TABLE_NAME, then ORDINAL_POSITION (a stable sort keeps it).
    rows.sort_by_cached_key(|r| match &r[2] {
        Value::Text(name) => name.clone(),
        _ => String::new(),
    });
    (layout, rows)
}

pub fn primary_keys(p: &Profile, catalog: &Arg, schema: &Arg, table: &Arg) -> (Vec<ColDesc>, Rows) {
    let layout = layout_of(&[
        ("TABLE_CAT", NAME, true),
        ("TABLE_SCHEM", NAME, true),
        ("TABLE_NAME", NAME, false),
        ("COLUMN_NAME", NAME, false),
        ("KEY_SEQ", SqlType::SmallInt, false),
        ("PK_NAME", NAME, true),
    ]);
    let mut rows = Vec::new();
    for t in selected_tables(p, catalog, schema, table) {
        for (k, c) in t.primary_key.iter().enumerate() {
            rows.push(vec![
                Value::Null,
                text(&p.schema),
                text(&t.name),
                text(c),
                int(k as i64 + 1),
                text(&format!("PK_{}", t.name)),
            ]);
        }
    }
    (layout, rows)
}

/// Foreign keys: with a primary-key table, the keys pointing at it; with a
/// foreign-key table, the keys it holds; with both, the ones between them.
pub fn foreign_keys(
    p: &Profile,
    pk_table: &Arg,
    fk_table: &Arg,
    schema_ok: bool,
) -> (Vec<ColDesc>, Rows) {
    let layout = layout_of(&[
        ("PKTABLE_CAT", NAME, true),
        ("PKTABLE_SCHEM", NAME, true),
        ("PKTABLE_NAME", NAME, false),
        ("PKCOLUMN_NAME", NAME, false),
        ("FKTABLE_CAT", NAME, true),
        ("FKTABLE_SCHEM", NAME, true),
        ("FKTABLE_NAME", NAME, false),
        ("FKCOLUMN_NAME", NAME, false),
        ("KEY_SEQ", SqlType::SmallInt, false),
        ("UPDATE_RULE", SqlType::SmallInt, true),
        ("DELETE_RULE", SqlType::SmallInt, true),
        ("FK_NAME", NAME, true),
        ("PK_NAME", NAME, true),
        ("DEFERRABILITY", SqlType::SmallInt, true),
    ]);
    let mut rows = Vec::new();
    if !schema_ok {
        return (layout, rows);
    }
    let exact = |a: &Arg, n: &str| {
        a.value
            .as_deref()
            .map(|v| v.trim_matches('"').eq_ignore_ascii_case(n))
            .unwrap_or(true)
    };
    for t in &p.tables {
        if !exact(fk_table, &t.name) {
            continue;
        }
        for fk in &t.foreign_keys {
            if !exact(pk_table, &fk.references) {
                continue;
            }
            for (k, (fc, pc)) in fk.columns.iter().zip(&fk.ref_columns).enumerate() {
                rows.push(vec![
                    Value::Null,
                    text(&p.schema),
                    text(&fk.references),
                    text(pc),
                    Value::Null,
                    text(&p.schema),
                    text(&t.name),
                    text(fc),
                    int(k as i64 + 1),
                    // The API enforces nothing.
                    int(SQL_NO_ACTION),
                    int(SQL_NO_ACTION),
                    text(&format!("FK_{}_{}", t.name, fk.columns.join("_"))),
                    text(&format!("PK_{}", fk.references)),
                    int(SQL_NOT_DEFERRABLE),
                ]);
            }
        }
    }
    // Ordered by FKTABLE_* for a PK-table call, by PKTABLE_* otherwise.
    let key = |r: &Vec<Value>, a: usize, b: usize| {
        (
            format!("{:?}", r[a]),
            match r[b] {
                Value::Int(x) => x,
                _ => 0,
            },
        )
    };
    if pk_table.value.is_some() {
        rows.sort_by_key(|r| key(r, 6, 8));
    } else {
        rows.sort_by_key(|r| key(r, 2, 8));
    }
    (layout, rows)
}

/// One unique index per table: its primary key (the API looks rows up by it).
pub fn statistics(p: &Profile, catalog: &Arg, schema: &Arg, table: &Arg) -> (Vec<ColDesc>, Rows) {
    let layout = layout_of(&[
        ("TABLE_CAT", NAME, true),
        ("TABLE_SCHEM", NAME, true),
        ("TABLE_NAME", NAME, false),
        ("NON_UNIQUE", SqlType::SmallInt, true),
        ("INDEX_QUALIFIER", NAME, true),
        ("INDEX_NAME", NAME, true),
        ("TYPE", SqlType::SmallInt, false),
        ("ORDINAL_POSITION", SqlType::SmallInt, true),
        ("COLUMN_NAME", NAME, true),
        ("ASC_OR_DESC", SqlType::WVarchar(1), true),
        ("CARDINALITY", SqlType::Integer, true),
        ("PAGES", SqlType::Integer, true),
        ("FILTER_CONDITION", SqlType::WVarchar(128), true),
    ]);
    let mut rows = Vec::new();
    for t in selected_tables(p, catalog, schema, table) {
        for (k, c) in t.primary_key.iter().enumerate() {
            rows.push(vec![
                Value::Null,
                text(&p.schema),
                text(&t.name),
                // NON_UNIQUE: the key is unique.
                int(SQL_FALSE),
                Value::Null,
                text(&format!("PK_{}", t.name)),
                int(SQL_INDEX_OTHER),
                int(k as i64 + 1),
                text(c),
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
            ]);
        }
    }
    (layout, rows)
}

/// SQL_BEST_ROWID: the primary key. SQL_ROWVER: none.
pub fn special_columns(p: &Profile, id_type: u16, table: &Arg) -> (Vec<ColDesc>, Rows) {
    let layout = layout_of(&[
        ("SCOPE", SqlType::SmallInt, true),
        ("COLUMN_NAME", NAME, false),
        ("DATA_TYPE", SqlType::SmallInt, false),
        ("TYPE_NAME", NAME, false),
        ("COLUMN_SIZE", SqlType::Integer, true),
        ("BUFFER_LENGTH", SqlType::Integer, true),
        ("DECIMAL_DIGITS", SqlType::SmallInt, true),
        ("PSEUDO_COLUMN", SqlType::SmallInt, true),
    ]);
    let mut rows = Vec::new();
    if id_type == SQL_BEST_ROWID {
        if let Some(t) = p.tables.iter().find(|t| table.matches(&t.name)) {
            for k in &t.primary_key {
                if let Some(c) = t.columns.iter().find(|c| &c.name == k) {
                    let ty = c.sql_type();
                    rows.push(vec![
                        int(SQL_SCOPE_SESSION),
                        text(&c.name),
                        int(ty.odbc_code() as i64),
                        text(ty.type_name()),
                        int(ty.column_size()),
                        int(ty.octet_length()),
                        small_int_or_null(ty.decimal_digits()),
                        int(SQL_PC_NOT_PSEUDO),
                    ]);
                }
            }
        }
    }
    (layout, rows)
}

/// SQLProcedures: the driver's stored procedures (odbc/procedures.rs).
pub fn procedures(p: &Profile, catalog: &Arg, schema: &Arg, proc: &Arg) -> (Vec<ColDesc>, Rows) {
    let layout = layout_of(&[
        ("PROCEDURE_CAT", NAME, true),
        ("PROCEDURE_SCHEM", NAME, true),
        ("PROCEDURE_NAME", NAME, false),
        ("NUM_INPUT_PARAMS", SqlType::Integer, true),
        ("NUM_OUTPUT_PARAMS", SqlType::Integer, true),
        ("NUM_RESULT_SETS", SqlType::Integer, true),
        ("REMARKS", SqlType::WVarchar(254), true),
        ("PROCEDURE_TYPE", SqlType::SmallInt, true),
    ]);
    if !catalog_ok(catalog) || !schema.matches(&p.schema) {
        return (layout, vec![]);
    }
    let mut procs: Vec<_> = super::procedures::PROCEDURES
        .iter()
        .filter(|d| proc.matches(d.name))
        .collect();
    procs.sort_by(|a, b| a.name.cmp(b.name));
    // No output parameters; each returns one result set.
    let rows = procs
        .into_iter()
        .map(|d| {
            vec![
                Value::Null,
                text(&p.schema),
                text(d.name),
                int(d.params.len() as i64),
                int(0),
                int(1),
                text(d.remarks),
                int(SQL_PT_PROCEDURE),
            ]
        })
        .collect();
    (layout, rows)
}

/// SQLProcedureColumns: inputs (SQL_PARAM_INPUT) and result columns
/// (SQL_RESULT_COL) of each procedure.
pub fn procedure_columns(
    p: &Profile,
    catalog: &Arg,
    schema: &Arg,
    proc: &Arg,
    column: &Arg,
) -> (Vec<ColDesc>, Rows) {
    let mut layout = layout_of(&[
        ("PROCEDURE_CAT", NAME, true),
        ("PROCEDURE_SCHEM", NAME, true),
        ("PROCEDURE_NAME", NAME, false),
        ("COLUMN_NAME", NAME, false),
        ("COLUMN_TYPE", SqlType::SmallInt, false),
    ]);
    layout.extend(layout_of(DESCRIBED_COLUMN));
    if !catalog_ok(catalog) || !schema.matches(&p.schema) {
        return (layout, vec![]);
    }
    let mut procs: Vec<_> = super::procedures::PROCEDURES
        .iter()
        .filter(|d| proc.matches(d.name))
        .collect();
    procs.sort_by(|a, b| a.name.cmp(b.name));
    let mut rows = Vec::new();
    for d in procs {
        let inputs = d
            .params
            .iter()
            .map(|x| (x.name, SqlType::WVarchar(2000), x.remarks, SQL_PARAM_INPUT));
        let results = d
            .results
            .iter()
            .map(|x| (x.name, x.sql_type, x.remarks, SQL_RESULT_COL));
        for (n, (name, ty, remarks, kind)) in inputs.enumerate().chain(results.enumerate()) {
            if !column.matches(name) {
                continue;
            }
            let mut row = vec![
                Value::Null,
                text(&p.schema),
                text(d.name),
                text(name),
                int(kind),
            ];
            row.extend(described(ty, false, true, remarks, n + 1));
            rows.push(row);
        }
    }
    (layout, rows)
}

/// Every table can be read (SELECT) by whoever connected.
pub fn table_privileges(
    p: &Profile,
    catalog: &Arg,
    schema: &Arg,
    table: &Arg,
) -> (Vec<ColDesc>, Rows) {
    let layout = layout_of(&[
        ("TABLE_CAT", NAME, true),
        ("TABLE_SCHEM", NAME, true),
        ("TABLE_NAME", NAME, false),
        ("GRANTOR", NAME, true),
        ("GRANTEE", NAME, false),
        ("PRIVILEGE", NAME, false),
        ("IS_GRANTABLE", SqlType::WVarchar(3), true),
    ]);
    let rows = selected_tables(p, catalog, schema, table)
        .into_iter()
        .map(|t| {
            vec![
                Value::Null,
                text(&p.schema),
                text(&t.name),
                Value::Null,
                text("PUBLIC"),
                text("SELECT"),
                text("NO"),
            ]
        })
        .collect();
    (layout, rows)
}

pub fn column_privileges(
    p: &Profile,
    catalog: &Arg,
    schema: &Arg,
    table: &Arg,
    column: &Arg,
) -> (Vec<ColDesc>, Rows) {
    let layout = layout_of(&[
        ("TABLE_CAT", NAME, true),
        ("TABLE_SCHEM", NAME, true),
        ("TABLE_NAME", NAME, false),
        ("COLUMN_NAME", NAME, false),
        ("GRANTOR", NAME, true),
        ("GRANTEE", NAME, false),
        ("PRIVILEGE", NAME, false),
        ("IS_GRANTABLE", SqlType::WVarchar(3), true),
    ]);
    let mut rows = Vec::new();
    for t in selected_tables(p, catalog, schema, table) {
        for c in t.columns.iter().filter(|c| column.matches(&c.name)) {
            rows.push(vec![
                Value::Null,
                text(&p.schema),
                text(&t.name),
                text(&c.name),
                Value::Null,
                text("PUBLIC"),
                text("SELECT"),
                text("NO"),
            ]);
        }
    }
    (layout, rows)
}

/// One row of SQLGetTypeInfo, before the columns that follow from it.
struct TypeRow {
    name: &'static str,
    data_type: i16,
    column_size: i64,
    literal_prefix: Option<&'static str>,
    literal_suffix: Option<&'static str>,
    create_params: Option<&'static str>,
    case_sensitive: bool,
    /// SQL_SEARCHABLE or SQL_ALL_EXCEPT_LIKE.
    searchable: i64,
    /// UNSIGNED_ATTRIBUTE: None (NULL) for types that are not numeric.
    unsigned: Option<bool>,
    fixed_prec_scale: bool,
    minimum_scale: Option<i64>,
    maximum_scale: Option<i64>,
    num_prec_radix: Option<i64>,
}

/// The types the driver's columns use, sorted by DATA_TYPE, plus the ANSI
/// counterparts of the Unicode types (clients ask for SQL_VARCHAR too).
pub fn type_info(data_type_filter: i16, odbc2: bool) -> (Vec<ColDesc>, Rows) {
    const TIMESTAMP: i16 = SqlDataType::TIMESTAMP.0;
    const DATE: i16 = SqlDataType::DATE.0;
    let layout = layout_of(&[
        ("TYPE_NAME", NAME, false),
        ("DATA_TYPE", SqlType::SmallInt, false),
        ("COLUMN_SIZE", SqlType::Integer, true),
        ("LITERAL_PREFIX", NAME, true),
        ("LITERAL_SUFFIX", NAME, true),
        ("CREATE_PARAMS", NAME, true),
        ("NULLABLE", SqlType::SmallInt, false),
        ("CASE_SENSITIVE", SqlType::SmallInt, false),
        ("SEARCHABLE", SqlType::SmallInt, false),
        ("UNSIGNED_ATTRIBUTE", SqlType::SmallInt, true),
        ("FIXED_PREC_SCALE", SqlType::SmallInt, false),
        ("AUTO_UNIQUE_VALUE", SqlType::SmallInt, true),
        ("LOCAL_TYPE_NAME", NAME, true),
        ("MINIMUM_SCALE", SqlType::SmallInt, true),
        ("MAXIMUM_SCALE", SqlType::SmallInt, true),
        ("SQL_DATA_TYPE", SqlType::SmallInt, false),
        ("SQL_DATETIME_SUB", SqlType::SmallInt, true),
        ("NUM_PREC_RADIX", SqlType::Integer, true),
        ("INTERVAL_PRECISION", SqlType::SmallInt, true),
    ]);
    let types: &[TypeRow] = &[
        TypeRow {
            name: "WLONGVARCHAR",
            data_type: SqlDataType::EXT_W_LONG_VARCHAR.0,
            column_size: 1_073_741_823,
            literal_prefix: Some("'"),
            literal_suffix: Some("'"),
            create_params: None,
            case_sensitive: true,
            searchable: SQL_SEARCHABLE,
            unsigned: None,
            fixed_prec_scale: false,
            minimum_scale: None,
            maximum_scale: None,
            num_prec_radix: None,
        },
        TypeRow {
            name: "WVARCHAR",
            data_type: SqlDataType::EXT_W_VARCHAR.0,
            column_size: 65_535,
            literal_prefix: Some("'"),
            literal_suffix: Some("'"),
            create_params: Some("max length"),
            case_sensitive: true,
            searchable: SQL_SEARCHABLE,
            unsigned: None,
            fixed_prec_scale: false,
            minimum_scale: None,
            maximum_scale: None,
            num_prec_radix: None,
        },
        TypeRow {
            name: "BIT",
            data_type: SqlDataType::EXT_BIT.0,
            column_size: 1,
            literal_prefix: None,
            literal_suffix: None,
            create_params: None,
            case_sensitive: false,
            searchable: SQL_ALL_EXCEPT_LIKE,
            unsigned: None,
            fixed_prec_scale: false,
            minimum_scale: Some(0),
            maximum_scale: Some(0),
            num_prec_radix: Some(10),
        },
        TypeRow {
            name: "BIGINT",
            data_type: SqlDataType::EXT_BIG_INT.0,
            column_size: 19,
            literal_prefix: None,
            literal_suffix: None,
            create_params: None,
            case_sensitive: false,
            searchable: SQL_ALL_EXCEPT_LIKE,
            unsigned: Some(false),
            fixed_prec_scale: false,
            minimum_scale: Some(0),
            maximum_scale: Some(0),
            num_prec_radix: Some(10),
        },
        TypeRow {
            name: "LONGVARCHAR",
            data_type: SqlDataType::EXT_LONG_VARCHAR.0,
            column_size: 1_073_741_823,
            literal_prefix: Some("'"),
            literal_suffix: Some("'"),
            create_params: None,
            case_sensitive: true,
            searchable: SQL_SEARCHABLE,
            unsigned: None,
            fixed_prec_scale: false,
            minimum_scale: None,
            maximum_scale: None,
            num_prec_radix: None,
        },
        TypeRow {
            name: "DECIMAL",
            data_type: SqlDataType::DECIMAL.0,
            column_size: 38,
            literal_prefix: None,
            literal_suffix: None,
            create_params: Some("precision,scale"),
            case_sensitive: false,
            searchable: SQL_ALL_EXCEPT_LIKE,
            unsigned: Some(false),
            fixed_prec_scale: false,
            minimum_scale: Some(0),
            maximum_scale: Some(38),
            num_prec_radix: Some(10),
        },
        TypeRow {
            name: "INTEGER",
            data_type: SqlDataType::INTEGER.0,
            column_size: 10,
            literal_prefix: None,
            literal_suffix: None,
            create_params: None,
            case_sensitive: false,
            searchable: SQL_ALL_EXCEPT_LIKE,
            unsigned: Some(false),
            fixed_prec_scale: false,
            minimum_scale: Some(0),
            maximum_scale: Some(0),
            num_prec_radix: Some(10),
        },
        TypeRow {
            name: "SMALLINT",
            data_type: SqlDataType::SMALLINT.0,
            column_size: 5,
            literal_prefix: None,
            literal_suffix: None,
            create_params: None,
            case_sensitive: false,
            searchable: SQL_ALL_EXCEPT_LIKE,
            unsigned: Some(false),
            fixed_prec_scale: false,
            minimum_scale: Some(0),
            maximum_scale: Some(0),
            num_prec_radix: Some(10),
        },
        TypeRow {
            name: "DOUBLE",
            data_type: SqlDataType::DOUBLE.0,
            column_size: 15,
            literal_prefix: None,
            literal_suffix: None,
            create_params: None,
            case_sensitive: false,
            searchable: SQL_ALL_EXCEPT_LIKE,
            unsigned: Some(false),
            fixed_prec_scale: false,
            minimum_scale: None,
            maximum_scale: None,
            num_prec_radix: Some(2),
        },
        TypeRow {
            name: "VARCHAR",
            data_type: SqlDataType::VARCHAR.0,
            column_size: 65_535,
            literal_prefix: Some("'"),
            literal_suffix: Some("'"),
            create_params: Some("max length"),
            case_sensitive: true,
            searchable: SQL_SEARCHABLE,
            unsigned: None,
            fixed_prec_scale: false,
            minimum_scale: None,
            maximum_scale: None,
            num_prec_radix: None,
        },
        TypeRow {
            name: "DATE",
            data_type: SqlDataType::DATE.0,
            column_size: 10,
            literal_prefix: Some("'"),
            literal_suffix: Some("'"),
            create_params: None,
            case_sensitive: false,
            searchable: SQL_ALL_EXCEPT_LIKE,
            unsigned: None,
            fixed_prec_scale: false,
            minimum_scale: None,
            maximum_scale: None,
            num_prec_radix: None,
        },
        TypeRow {
            name: "TIMESTAMP",
            data_type: SqlDataType::TIMESTAMP.0,
            column_size: 19,
            literal_prefix: Some("'"),
            literal_suffix: Some("'"),
            create_params: None,
            case_sensitive: false,
            searchable: SQL_ALL_EXCEPT_LIKE,
            unsigned: None,
            fixed_prec_scale: false,
            minimum_scale: Some(0),
            maximum_scale: Some(0),
            num_prec_radix: None,
        },
    ];
    let rows = types
        .iter()
        .filter_map(|t| {
            let code = match (t.data_type, odbc2) {
                (TIMESTAMP, true) => SqlDataType::EXT_TIMESTAMP.0,
                (DATE, true) => SqlDataType::DATETIME.0,
                (c, _) => c,
            };
            if data_type_filter != 0 && data_type_filter != code && data_type_filter != t.data_type
            {
                return None;
            }
            let (sql_data_type, sub) = match t.data_type {
                TIMESTAMP => (SQL_DATETIME, int(SQL_CODE_TIMESTAMP)),
                DATE => (SQL_DATETIME, int(SQL_CODE_DATE)),
                c => (c as i64, Value::Null),
            };
            // AUTO_UNIQUE_VALUE: never, for the numeric types; NULL otherwise.
            let auto_unique = t.unsigned.map(|_| false);
            Some(vec![
                text(t.name),
                int(code as i64),
                int(t.column_size),
                text_or_null(t.literal_prefix),
                text_or_null(t.literal_suffix),
                text_or_null(t.create_params),
                int(SQL_NULLABLE),
                boolean(t.case_sensitive),
                int(t.searchable),
                t.unsigned.map(boolean).unwrap_or(Value::Null),
                boolean(t.fixed_prec_scale),
                auto_unique.map(boolean).unwrap_or(Value::Null),
                text(t.name),
                int_or_null(t.minimum_scale),
                int_or_null(t.maximum_scale),
                int(sql_data_type),
                sub,
                int_or_null(t.num_prec_radix),
                Value::Null,
            ])
        })
        .collect::<Vec<_>>();
    let mut rows = rows;
    rows.sort_by_key(|r| match r[1] {
        Value::Int(x) => x,
        _ => 0,
    });
    (layout, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns() {
        assert!(like("prod%", "products"));
        assert!(like("p_oducts", "products"));
        assert!(!like("product\\_x", "productax"));
        assert!(like("product\\_x", "product_x"));
    }

    #[test]
    fn spec_layouts() {
        let p = Profile::builtin();
        let all = Arg::new(None, false);
        assert_eq!(columns(&p, &[], &all, &all, &all, &all, false).0.len(), 18);
        assert_eq!(type_info(0, false).0.len(), 19);
        assert_eq!(foreign_keys(&p, &all, &all, true).0.len(), 14);
        assert_eq!(statistics(&p, &all, &all, &all).0.len(), 13);
        let empty = Arg::new(Some("".into()), false);
        let (_, rows) = tables(
            &p,
            &[],
            &empty,
            &Arg::new(Some("%".into()), false),
            &empty,
            None,
        );
        assert_eq!(rows.len(), 1);
    }
}

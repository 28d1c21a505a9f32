//! Catalog result sets built from the profile, never from the network, with
//! exactly the columns, types and order the ODBC spec gives each function.

use super::colattr::{concise_type, SQL_DATETIME};
use super::sqlext::{
    SQL_BEST_ROWID, SQL_CODE_DATE, SQL_CODE_TIMESTAMP, SQL_FALSE, SQL_INDEX_OTHER,
    SQL_NOT_DEFERRABLE, SQL_NO_ACTION, SQL_NO_NULLS, SQL_NULLABLE, SQL_PARAM_INPUT,
    SQL_PC_NOT_PSEUDO, SQL_PT_PROCEDURE, SQL_RESULT_COL, SQL_SCOPE_SESSION,
};
use super::stmt::ColDesc;
use crate::engine::Value;
use crate::schema::{Profile, SqlType, Table};
use odbc_sys::SqlDataType;

type Rows = Vec<Vec<Value>>;

const NAME: SqlType = SqlType::WVarchar(128);

fn cols(spec: &[(&str, SqlType, bool)]) -> Vec<ColDesc> {
    spec.iter()
        .map(|(n, t, nullable)| ColDesc::new(n, *t, *nullable))
        .collect()
}

fn s(v: &str) -> Value {
    Value::Text(v.to_string())
}
fn i(v: i64) -> Value {
    Value::Int(v)
}
fn opt_i(v: Option<i16>) -> Value {
    v.map(|x| Value::Int(x as i64)).unwrap_or(Value::Null)
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
        SqlType::Timestamp => (SQL_DATETIME, i(SQL_CODE_TIMESTAMP)),
        SqlType::Date => (SQL_DATETIME, i(SQL_CODE_DATE)),
        other => (other.odbc_code() as i64, Value::Null),
    }
}

pub fn tables(
    p: &Profile,
    catalog: &Arg,
    schema: &Arg,
    table: &Arg,
    types: Option<&str>,
) -> (Vec<ColDesc>, Rows) {
    let layout = cols(&[
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
                s(&p.schema),
                Value::Null,
                Value::Null,
                Value::Null,
            ]],
        );
    }
    if types_all && catalog.is_exact_empty() && schema.is_exact_empty() && table.is_exact_empty() {
        return (
            layout,
            vec![vec![
                Value::Null,
                Value::Null,
                Value::Null,
                s("TABLE"),
                Value::Null,
            ]],
        );
    }
    let wants_tables = match types {
        None => true,
        Some(t) if t.trim().is_empty() || types_all => true,
        Some(t) => t
            .split(',')
            .map(|x| x.trim().trim_matches('\'').trim().to_ascii_uppercase())
            .any(|x| x == "TABLE"),
    };
    if !wants_tables || !catalog_ok(catalog) || !schema.matches(&p.schema) {
        return (layout, vec![]);
    }
    let mut names: Vec<&Table> = p.tables.iter().filter(|t| table.matches(&t.name)).collect();
    names.sort_by(|a, b| a.name.cmp(&b.name));
    let rows = names
        .into_iter()
        .map(|t| {
            vec![
                Value::Null,
                s(&p.schema),
                s(&t.name),
                s("TABLE"),
                s(&t.remarks),
            ]
        })
        .collect();
    (layout, rows)
}

fn selected_tables<'a>(p: &'a Profile, catalog: &Arg, schema: &Arg, table: &Arg) -> Vec<&'a Table> {
    if !catalog_ok(catalog) || !schema.matches(&p.schema) {
        return vec![];
    }
    let mut ts: Vec<&Table> = p.tables.iter().filter(|t| table.matches(&t.name)).collect();
    ts.sort_by(|a, b| a.name.cmp(&b.name));
    ts
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
        i(concise_type(ty, odbc2) as i64),
        s(ty.type_name()),
        i(ty.column_size()),
        i(ty.octet_length()),
        opt_i(ty.decimal_digits()),
        opt_i(ty.num_prec_radix()),
        i(if nullable { SQL_NULLABLE } else { SQL_NO_NULLS }),
        s(remarks),
        Value::Null,
        i(sql_data_type),
        sub,
        if ty.is_char() {
            i(ty.octet_length())
        } else {
            Value::Null
        },
        i(position as i64),
        s(if nullable { "YES" } else { "NO" }),
    ]
}

pub fn columns(
    p: &Profile,
    catalog: &Arg,
    schema: &Arg,
    table: &Arg,
    column: &Arg,
    odbc2: bool,
) -> (Vec<ColDesc>, Rows) {
    let mut layout = cols(&[
        ("TABLE_CAT", NAME, true),
        ("TABLE_SCHEM", NAME, true),
        ("TABLE_NAME", NAME, false),
        ("COLUMN_NAME", NAME, false),
    ]);
    layout.extend(cols(DESCRIBED_COLUMN));
    let mut rows = Vec::new();
    for t in selected_tables(p, catalog, schema, table) {
        for (pos, c) in t.columns.iter().enumerate() {
            if !column.matches(&c.name) {
                continue;
            }
            let mut row = vec![Value::Null, s(&p.schema), s(&t.name), s(&c.name)];
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
    (layout, rows)
}

pub fn primary_keys(p: &Profile, catalog: &Arg, schema: &Arg, table: &Arg) -> (Vec<ColDesc>, Rows) {
    let layout = cols(&[
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
                s(&p.schema),
                s(&t.name),
                s(c),
                i(k as i64 + 1),
                s(&format!("PK_{}", t.name)),
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
    let layout = cols(&[
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
                    s(&p.schema),
                    s(&fk.references),
                    s(pc),
                    Value::Null,
                    s(&p.schema),
                    s(&t.name),
                    s(fc),
                    i(k as i64 + 1),
                    // The API enforces nothing.
                    i(SQL_NO_ACTION),
                    i(SQL_NO_ACTION),
                    s(&format!("FK_{}_{}", t.name, fk.columns.join("_"))),
                    s(&format!("PK_{}", fk.references)),
                    i(SQL_NOT_DEFERRABLE),
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
    let layout = cols(&[
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
                s(&p.schema),
                s(&t.name),
                // NON_UNIQUE: the key is unique.
                i(SQL_FALSE),
                Value::Null,
                s(&format!("PK_{}", t.name)),
                i(SQL_INDEX_OTHER),
                i(k as i64 + 1),
                s(c),
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
    let layout = cols(&[
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
                        i(SQL_SCOPE_SESSION),
                        s(&c.name),
                        i(ty.odbc_code() as i64),
                        s(ty.type_name()),
                        i(ty.column_size()),
                        i(ty.octet_length()),
                        opt_i(ty.decimal_digits()),
                        i(SQL_PC_NOT_PSEUDO),
                    ]);
                }
            }
        }
    }
    (layout, rows)
}

/// SQLProcedures: the driver's stored procedures (odbc/procedures.rs).
pub fn procedures(p: &Profile, catalog: &Arg, schema: &Arg, proc: &Arg) -> (Vec<ColDesc>, Rows) {
    let layout = cols(&[
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
                s(&p.schema),
                s(d.name),
                i(d.params.len() as i64),
                i(0),
                i(1),
                s(d.remarks),
                i(SQL_PT_PROCEDURE),
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
    let mut layout = cols(&[
        ("PROCEDURE_CAT", NAME, true),
        ("PROCEDURE_SCHEM", NAME, true),
        ("PROCEDURE_NAME", NAME, false),
        ("COLUMN_NAME", NAME, false),
        ("COLUMN_TYPE", SqlType::SmallInt, false),
    ]);
    layout.extend(cols(DESCRIBED_COLUMN));
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
            let mut row = vec![Value::Null, s(&p.schema), s(d.name), s(name), i(kind)];
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
    let layout = cols(&[
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
                s(&p.schema),
                s(&t.name),
                Value::Null,
                s("PUBLIC"),
                s("SELECT"),
                s("NO"),
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
    let layout = cols(&[
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
                s(&p.schema),
                s(&t.name),
                s(&c.name),
                Value::Null,
                s("PUBLIC"),
                s("SELECT"),
                s("NO"),
            ]);
        }
    }
    (layout, rows)
}

/// The types the driver's columns use, sorted by DATA_TYPE, plus the ANSI
/// counterparts of the Unicode types (clients ask for SQL_VARCHAR too).
pub fn type_info(data_type_filter: i16, odbc2: bool) -> (Vec<ColDesc>, Rows) {
    const TIMESTAMP: i16 = SqlDataType::TIMESTAMP.0;
    const DATE: i16 = SqlDataType::DATE.0;
    let layout = cols(&[
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
    // (name, type code, size, prefix, suffix, create params, case sensitive,
    //  searchable, unsigned, fixed prec, min scale, max scale, radix)
    type T = (
        &'static str,
        i16,
        i64,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        i64,
        i64,
        Option<i64>,
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );
    let ts: &[T] = &[
        (
            "WLONGVARCHAR",
            SqlDataType::EXT_W_LONG_VARCHAR.0,
            1_073_741_823,
            Some("'"),
            Some("'"),
            None,
            1,
            3,
            None,
            0,
            None,
            None,
            None,
        ),
        (
            "WVARCHAR",
            SqlDataType::EXT_W_VARCHAR.0,
            65_535,
            Some("'"),
            Some("'"),
            Some("max length"),
            1,
            3,
            None,
            0,
            None,
            None,
            None,
        ),
        (
            "BIT",
            SqlDataType::EXT_BIT.0,
            1,
            None,
            None,
            None,
            0,
            2,
            None,
            0,
            Some(0),
            Some(0),
            Some(10),
        ),
        (
            "BIGINT",
            SqlDataType::EXT_BIG_INT.0,
            19,
            None,
            None,
            None,
            0,
            2,
            Some(0),
            0,
            Some(0),
            Some(0),
            Some(10),
        ),
        (
            "LONGVARCHAR",
            SqlDataType::EXT_LONG_VARCHAR.0,
            1_073_741_823,
            Some("'"),
            Some("'"),
            None,
            1,
            3,
            None,
            0,
            None,
            None,
            None,
        ),
        (
            "DECIMAL",
            SqlDataType::DECIMAL.0,
            38,
            None,
            None,
            Some("precision,scale"),
            0,
            2,
            Some(0),
            0,
            Some(0),
            Some(38),
            Some(10),
        ),
        (
            "INTEGER",
            SqlDataType::INTEGER.0,
            10,
            None,
            None,
            None,
            0,
            2,
            Some(0),
            0,
            Some(0),
            Some(0),
            Some(10),
        ),
        (
            "SMALLINT",
            SqlDataType::SMALLINT.0,
            5,
            None,
            None,
            None,
            0,
            2,
            Some(0),
            0,
            Some(0),
            Some(0),
            Some(10),
        ),
        (
            "DOUBLE",
            SqlDataType::DOUBLE.0,
            15,
            None,
            None,
            None,
            0,
            2,
            Some(0),
            0,
            None,
            None,
            Some(2),
        ),
        (
            "VARCHAR",
            SqlDataType::VARCHAR.0,
            65_535,
            Some("'"),
            Some("'"),
            Some("max length"),
            1,
            3,
            None,
            0,
            None,
            None,
            None,
        ),
        (
            "DATE",
            SqlDataType::DATE.0,
            10,
            Some("'"),
            Some("'"),
            None,
            0,
            2,
            None,
            0,
            None,
            None,
            None,
        ),
        (
            "TIMESTAMP",
            SqlDataType::TIMESTAMP.0,
            19,
            Some("'"),
            Some("'"),
            None,
            0,
            2,
            None,
            0,
            Some(0),
            Some(0),
            None,
        ),
    ];
    let rows = ts
        .iter()
        .filter_map(|t| {
            let code = match (t.1, odbc2) {
                (TIMESTAMP, true) => SqlDataType::EXT_TIMESTAMP.0,
                (DATE, true) => SqlDataType::DATETIME.0,
                (c, _) => c,
            };
            if data_type_filter != 0 && data_type_filter != code && data_type_filter != t.1 {
                return None;
            }
            let (sql_data_type, sub) = match t.1 {
                TIMESTAMP => (SQL_DATETIME, i(SQL_CODE_TIMESTAMP)),
                DATE => (SQL_DATETIME, i(SQL_CODE_DATE)),
                c => (c as i64, Value::Null),
            };
            let o = |v: Option<&str>| v.map(s).unwrap_or(Value::Null);
            let oi = |v: Option<i64>| v.map(i).unwrap_or(Value::Null);
            Some(vec![
                s(t.0),
                i(code as i64),
                i(t.2),
                o(t.3),
                o(t.4),
                o(t.5),
                i(SQL_NULLABLE),
                i(t.6),
                i(t.7),
                oi(t.8),
                i(t.9),
                oi(if t.8.is_some() { Some(0) } else { None }),
                s(t.0),
                oi(t.10),
                oi(t.11),
                i(sql_data_type),
                sub,
                oi(t.12),
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
        assert_eq!(columns(&p, &all, &all, &all, &all, false).0.len(), 18);
        assert_eq!(type_info(0, false).0.len(), 19);
        assert_eq!(foreign_keys(&p, &all, &all, true).0.len(), 14);
        assert_eq!(statistics(&p, &all, &all, &all).0.len(), 13);
        let empty = Arg::new(Some("".into()), false);
        let (_, rows) = tables(&p, &empty, &Arg::new(Some("%".into()), false), &empty, None);
        assert_eq!(rows.len(), 1);
    }
}

//! `export --sqlite FILE`: the same deterministic data, as plain SQLite tables shaped
//! like the driver's catalog (DESIGN.md §4): nested objects flattened with `_`, arrays
//! of objects as child tables whose first column is the parent key, arrays of scalars
//! (and arrays nested inside child rows) as JSON text, money as exact decimal TEXT,
//! timestamps as 'YYYY-MM-DD HH:MM:SS'.

use crate::api::product_full;
use crate::state::{Coll, Db};
use crate::SandboxConfig;
use rusqlite::{params_from_iter, Connection};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

type Row = Vec<(String, Value)>;

#[derive(Default)]
struct Table {
    cols: Vec<String>,
    rows: Vec<Row>,
}

#[derive(Default)]
struct Out {
    tables: BTreeMap<String, Table>,
    order: Vec<String>,
}

impl Out {
    fn add(&mut self, name: &str, row: Row) {
        if !self.tables.contains_key(name) {
            self.order.push(name.to_string());
        }
        let t = self.tables.entry(name.to_string()).or_default();
        for (c, _) in &row {
            if !t.cols.contains(c) {
                t.cols.push(c.clone());
            }
        }
        t.rows.push(row);
    }
}

fn flatten(
    prefix: &str,
    v: &Value,
    row: &mut Row,
    children: &mut Vec<(String, Vec<Value>)>,
    top: bool,
) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let name = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{}_{}", prefix, k)
                };
                flatten(&name, x, row, children, top && prefix.is_empty());
            }
        }
        Value::Array(a) if top && a.iter().any(|x| x.is_object()) => {
            children.push((prefix.to_string(), a.clone()));
        }
        Value::Array(_) => row.push((prefix.to_string(), Value::String(v.to_string()))),
        other => row.push((prefix.to_string(), other.clone())),
    }
}

fn unwrap1(v: &Value) -> &Value {
    match v {
        Value::Object(m)
            if m.len() == 1 && m.values().next().map(|x| x.is_object()).unwrap_or(false) =>
        {
            m.values().next().unwrap()
        }
        o => o,
    }
}

fn emit(
    out: &mut Out,
    table: &str,
    parent: Option<(&str, &Value)>,
    v: &Value,
    child_names: &[(&str, &str)],
) {
    let mut row: Row = Vec::new();
    if let Some((k, pv)) = parent {
        row.push((k.to_string(), pv.clone()));
    }
    let mut children = Vec::new();
    flatten("", v, &mut row, &mut children, true);
    let pk = v.get("id").cloned().unwrap_or(Value::Null);
    for (field, items) in children {
        let child_table = child_names
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, t)| t.to_string());
        // The array stays a JSON text column of the parent as well, as the
        // driver's catalog has it, whether or not it also becomes a child table.
        if let Some(t) = child_table {
            let pkname = format!("{}_id", parent_key_name(table));
            for it in &items {
                emit(out, &t, Some((&pkname, &pk)), unwrap1(it), &[]);
            }
        }
        row.push((field, Value::String(Value::Array(items).to_string())));
    }
    out.add(table, row);
}

fn parent_key_name(table: &str) -> &'static str {
    match table {
        "Products" => "product",
        "Orders" => "order",
        "Customers" => "customer",
        _ => "parent",
    }
}

/// The fields the API documents as timestamps (`YYYY-MM-DD HH:MM:SS UTC`): exported in
/// SQL form. Other strings, including other dates the API writes as free text
/// (`accepted_marketing_at`), stay as the API has them.
const TIMESTAMP_FIELDS: &[&str] = &[
    "created_at",
    "updated_at",
    "completed_at",
    "begins_at",
    "expires_at",
    "date",
    "expected_arrival_from",
    "expected_arrival_to",
];

fn sql_value(v: &Value, decimal_col: bool, column: &str) -> rusqlite::types::Value {
    use rusqlite::types::Value as S;
    match v {
        Value::Null => S::Null,
        Value::Bool(b) => S::Integer(*b as i64),
        Value::Number(n) => {
            if !decimal_col {
                if let Some(i) = n.as_i64() {
                    return S::Integer(i);
                }
            }
            S::Text(n.to_string())
        }
        Value::String(s) => {
            if TIMESTAMP_FIELDS.contains(&column)
                && s.len() == 23
                && s.ends_with(" UTC")
                && s.as_bytes()[4] == b'-'
                && s.as_bytes()[13] == b':'
            {
                S::Text(s[..19].to_string())
            } else {
                S::Text(s.clone())
            }
        }
        other => S::Text(other.to_string()),
    }
}

pub fn export_sqlite(cfg: &SandboxConfig, path: &Path) -> Result<u64, String> {
    export_db(&Db::new(cfg.gen()), path)
}

/// Exports a store as it is now, writes included (the control API's `export`).
pub fn export_db(db: &Db, path: &Path) -> Result<u64, String> {
    let mut out = Out::default();
    emit(&mut out, "Store", None, &db.gen.store(), &[]);
    for (code, name) in [
        ("es", "Español"),
        ("en", "English"),
        ("pt-BR", "Português (Brasil)"),
    ] {
        out.add(
            "StoreLanguages",
            vec![
                ("code".into(), Value::from(code)),
                ("name".into(), Value::from(name)),
            ],
        );
    }
    for c in db.all(Coll::Categories) {
        emit(&mut out, "Categories", None, &c, &[]);
    }
    for id in db.ids(Coll::Products, false, 0, u64::MAX, None) {
        // As served: categories deleted since are gone from it.
        let Some(p) = db.get(Coll::Products, id).map(|p| product_full(db, p)) else {
            continue;
        };
        emit(
            &mut out,
            "Products",
            None,
            &p,
            &[
                ("categories", "ProductCategories"),
                ("images", "ProductImages"),
                ("variants", "ProductVariants"),
                ("digital_products", "ProductDigitalProducts"),
            ],
        );
        for o in db.all(Coll::Options(id)) {
            emit(
                &mut out,
                "ProductOptions",
                Some(("product_id", &Value::from(id))),
                &o,
                &[],
            );
        }
    }
    for id in db.ids(Coll::Orders, false, 0, u64::MAX, None) {
        let Some(o) = db.get(Coll::Orders, id) else {
            continue;
        };
        emit(
            &mut out,
            "Orders",
            None,
            &o,
            &[
                ("products", "OrderProducts"),
                ("additional_fields", "OrderAdditionalFields"),
                ("shipping_taxes", "OrderShippingTaxes"),
            ],
        );
    }
    for c in db.all(Coll::Customers) {
        emit(
            &mut out,
            "Customers",
            None,
            &c,
            &[
                ("customer_categories", "CustomerCategoryMembers"),
                ("customer_additional_fields", "CustomerAdditionalFields"),
            ],
        );
    }
    for c in db.all(Coll::CustomerCategories) {
        emit(&mut out, "CustomerCategories", None, &c, &[]);
    }
    for (t, c) in [
        ("Promotions", Coll::Promotions),
        ("Pages", Coll::Pages),
        ("PaymentMethods", Coll::PaymentMethods),
        ("ShippingMethods", Coll::ShippingMethods),
        ("Locations", Coll::Locations),
        ("Taxes", Coll::Taxes),
        ("CustomFields", Coll::CustomFields),
        ("CheckoutCustomFields", Coll::CheckoutCustomFields),
        ("Hooks", Coll::Hooks),
    ] {
        for v in db.all(c) {
            emit(&mut out, t, None, &v, &[]);
        }
    }

    if path.exists() {
        std::fs::remove_file(path)
            .map_err(|e| format!("cannot replace {}: {}", path.display(), e))?;
    }
    let mut conn = Connection::open(path).map_err(|e| e.to_string())?;
    let tx = conn.transaction().map_err(|e| e.to_string())?;
    let mut total = 0u64;
    for name in &out.order {
        let t = &out.tables[name];
        // column kinds: INTEGER when every value is an integer/bool, TEXT otherwise (decimals kept exact)
        let mut decimal = vec![false; t.cols.len()];
        let mut kinds = vec!["INTEGER"; t.cols.len()];
        let mut seen = vec![false; t.cols.len()];
        for r in &t.rows {
            for (c, v) in r {
                let i = t.cols.iter().position(|x| x == c).unwrap();
                match v {
                    Value::Null => {}
                    Value::Bool(_) => seen[i] = true,
                    Value::Number(n) if n.is_i64() || n.is_u64() => seen[i] = true,
                    Value::Number(_) => {
                        decimal[i] = true;
                        kinds[i] = "TEXT";
                        seen[i] = true;
                    }
                    _ => {
                        kinds[i] = "TEXT";
                        seen[i] = true;
                    }
                }
            }
        }
        for i in 0..t.cols.len() {
            if !seen[i] {
                kinds[i] = "TEXT";
            }
            if decimal[i] {
                kinds[i] = "TEXT";
            }
        }
        let cols_sql: Vec<String> = t
            .cols
            .iter()
            .zip(&kinds)
            .map(|(c, k)| format!("\"{}\" {}", c, k))
            .collect();
        tx.execute(
            &format!("CREATE TABLE \"{}\" ({})", name, cols_sql.join(", ")),
            [],
        )
        .map_err(|e| e.to_string())?;
        let ph: Vec<String> = (1..=t.cols.len()).map(|i| format!("?{}", i)).collect();
        let mut st = tx
            .prepare(&format!(
                "INSERT INTO \"{}\" VALUES ({})",
                name,
                ph.join(", ")
            ))
            .map_err(|e| e.to_string())?;
        for r in &t.rows {
            let mut vals = vec![rusqlite::types::Value::Null; t.cols.len()];
            for (c, v) in r {
                let i = t.cols.iter().position(|x| x == c).unwrap();
                vals[i] = sql_value(v, decimal[i], c);
            }
            st.execute(params_from_iter(vals))
                .map_err(|e| e.to_string())?;
            total += 1;
        }
    }
    tx.commit().map_err(|e| e.to_string())?;
    Ok(total)
}

//! Validation and normalisation of write bodies, per collection. Errors are collected in the
//! order the checks run (the order the API lists them), and answered as one 400.

use super::customers::find_customer_by_email;
use super::respond::validation_errors;
use crate::data::PRODUCT_STATUS;
use crate::http::Response;
use crate::state::Coll;
use crate::Shared;
use serde_json::{json, Map, Value};

/// whether a body creates a record or updates the one with this id
#[derive(Clone, Copy, PartialEq)]
pub(super) enum WriteKind {
    Create,
    Update(u64),
}

pub(super) const HOOK_EVENTS: &[&str] = &[
    "order_updated",
    "order_pending_payment",
    "order_paid",
    "order_shipped",
    "order_canceled",
    "order_abandoned",
    "product_created",
    "product_updated",
    "product_deleted",
    "product_stock_updated",
    "customer_created",
    "customer_updated",
    "customer_deleted",
];

pub(super) const FULFILLMENT_TYPES: &[&str] = &[
    "manual",
    "shipit",
    "chilexpress",
    "ctt",
    "dpd",
    "mrw",
    "correos_chile",
    "dhl",
    "servientrega",
    "starken",
    "bluexpress",
    "correos_express",
];

const PRODUCT_NUMBERS: &[&str] = &[
    "price",
    "discount",
    "weight",
    "cost_per_item",
    "compare_at_price",
    "length",
    "width",
    "height",
    "diameter",
];

/// Checks (and normalises: numeric strings become numbers, references become records) a
/// write body; Err is the 400 listing every problem.
pub(super) fn validate(
    shared: &Shared,
    coll: Coll,
    body: &mut Map<String, Value>,
    kind: WriteKind,
) -> Result<(), Response> {
    let create = kind == WriteKind::Create;
    let mut errors: Vec<String> = Vec::new();
    let errs = &mut errors;
    match coll {
        Coll::Products => validate_product(shared, body, create, errs),
        Coll::Variants(_) => {
            check_numbers(body, &["price", "cost_per_item", "compare_at_price"], errs)
        }
        Coll::Categories | Coll::CustomerCategories => {
            if create {
                required(body, &["name"], errs);
            }
            if coll == Coll::Categories {
                check_parent_category(shared, body, errs);
            }
        }
        Coll::Customers => validate_customer(shared, body, kind, errs),
        Coll::Hooks => {
            if create {
                required(body, &["event", "url"], errs);
            }
            check_enum(body, "event", HOOK_EVENTS, errs);
        }
        Coll::Pages => validate_page(body, create, errs),
        Coll::Promotions => {
            if create {
                required(body, &["name"], errs);
            }
            check_numbers(
                body,
                &[
                    "discount_amount_fix",
                    "discount_amount_percent",
                    "condition_price",
                ],
                errs,
            );
        }
        Coll::CustomFields => {
            if create {
                required(body, &["label", "type"], errs);
            }
            check_enum(body, "type", &["text", "selection", "input"], errs);
        }
        Coll::CheckoutCustomFields => {
            if create {
                required(body, &["label", "type"], errs);
            }
            check_enum(
                body,
                "type",
                &["text", "select", "input", "checkbox", "date"],
                errs,
            );
            check_enum(
                body,
                "area",
                &["contact", "billing_shipping", "other"],
                errs,
            );
        }
        Coll::Taxes => {
            // the API takes the amount as "tax" and serves it as "tax_amount"
            if let Some(amount) = body.remove("tax") {
                body.insert("tax_amount".into(), amount);
            }
            if create {
                required(body, &["name", "tax_amount"], errs);
            }
            check_numbers(body, &["tax_amount"], errs);
        }
        // a file is given by url or as an uploaded attachment
        Coll::Images(_) | Coll::Attachments(_) | Coll::PageImages(_)
            if create && str_of(body, "url").is_none() && body.get("attachment").is_none() =>
        {
            required(body, &["url"], errs);
        }
        Coll::History(_) if create => required(body, &["message"], errs),
        Coll::Locations if create => required(body, &["name"], errs),
        _ => {}
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(validation_errors(errors))
    }
}

fn validate_product(
    shared: &Shared,
    body: &mut Map<String, Value>,
    create: bool,
    errs: &mut Vec<String>,
) {
    if create {
        required(body, &["name", "price"], errs);
    }
    check_numbers(body, PRODUCT_NUMBERS, errs);
    check_enum(body, "status", PRODUCT_STATUS, errs);
    check_enum(body, "package_format", &["box", "cylinder"], errs);
    if let Some(stock) = body.get("stock") {
        if !stock.is_null() && !stock.is_i64() {
            errs.push("stock must be an integer".into());
        }
    }
    if let Some(categories) = body.get("categories").cloned() {
        let categories = resolve_categories(shared, &categories, errs);
        body.insert("categories".into(), Value::Array(categories));
    }
}

/// a product's categories, given as ids or `{"id": n}`, as the category records
fn resolve_categories(shared: &Shared, given: &Value, errs: &mut Vec<String>) -> Vec<Value> {
    let mut out = Vec::new();
    for item in given.as_array().cloned().unwrap_or_default() {
        let id = item
            .as_u64()
            .or_else(|| item.get("id").and_then(|x| x.as_u64()));
        match id.and_then(|id| shared.db.get(Coll::Categories, id)) {
            Some(category) => out.push(category),
            None => errs.push(format!("category {} does not exist", item)),
        }
    }
    out
}

fn check_parent_category(shared: &Shared, body: &Map<String, Value>, errs: &mut Vec<String>) {
    if let Some(parent) = body.get("parent_id") {
        if !parent.is_null()
            && parent
                .as_u64()
                .map(|p| !shared.db.exists(Coll::Categories, p))
                .unwrap_or(true)
        {
            errs.push("parent_id does not exist".into());
        }
    }
}

fn validate_customer(
    shared: &Shared,
    body: &mut Map<String, Value>,
    kind: WriteKind,
    errs: &mut Vec<String>,
) {
    if kind == WriteKind::Create {
        required(body, &["email"], errs);
    }
    if let Some(email) = str_of(body, "email") {
        if !email.contains('@') {
            errs.push("email is invalid".into());
        } else if let Some(owner) = find_customer_by_email(shared, email) {
            if kind != WriteKind::Update(owner) {
                errs.push("email has already been taken".into());
            }
        }
    }
    check_enum(body, "status", &["approved", "pending", "disabled"], errs);
    // written as "customer_category" (ids), served as "customer_categories" (wrapped records)
    if let Some(given) = body.remove("customer_category") {
        let mut groups = Vec::new();
        for item in given.as_array().cloned().unwrap_or_default() {
            if let Some(id) = item
                .as_u64()
                .or_else(|| item.as_str().and_then(|s| s.parse().ok()))
            {
                match shared.db.get(Coll::CustomerCategories, id) {
                    Some(group) => groups.push(json!({"customer_category": group})),
                    None => errs.push(format!("customer category {} does not exist", id)),
                }
            }
        }
        body.insert("customer_categories".into(), Value::Array(groups));
    }
}

fn validate_page(body: &mut Map<String, Value>, create: bool, errs: &mut Vec<String>) {
    if create {
        required(body, &["title"], errs);
    }
    check_enum(body, "status", &["public", "draft", "hidden"], errs);
    // categories and template may be given by id/name; they are served as objects
    if let Some(categories) = body.get("categories").cloned() {
        let categories: Vec<Value> = categories
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|c| {
                if c.is_object() {
                    c
                } else {
                    json!({"position": 1, "id": c, "name": "Blog"})
                }
            })
            .collect();
        body.insert("categories".into(), Value::Array(categories));
    }
    if let Some(template) = body.get("template").cloned() {
        if !template.is_object() {
            body.insert(
                "template".into(),
                if template.is_null() {
                    Value::Null
                } else {
                    json!({"id": 1, "name": template.as_str().unwrap_or("page")})
                },
            );
        }
    }
}

/// a number, or a string that parses as one
fn is_number(v: &Value) -> bool {
    v.is_number()
        || v.as_str()
            .map(|s| s.trim().parse::<f64>().is_ok())
            .unwrap_or(false)
}

/// a numeric string as the JSON number it spells (exactly, digits as written)
fn to_number(v: &Value) -> Value {
    match v {
        Value::String(s) => crate::data::num(s.trim()),
        other => other.clone(),
    }
}

pub(super) fn str_of<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    body.get(key).and_then(|v| v.as_str())
}

/// a present, non-null value must be one of `allowed`
pub(super) fn check_enum(
    body: &Map<String, Value>,
    key: &str,
    allowed: &[&str],
    errs: &mut Vec<String>,
) {
    if let Some(v) = body.get(key) {
        if !v.is_null() && !v.as_str().map(|s| allowed.contains(&s)).unwrap_or(false) {
            errs.push(format!(
                "{} is not included in the list ({})",
                key,
                allowed.join(", ")
            ));
        }
    }
}

/// present, non-null values must be numbers; numeric strings are turned into numbers
fn check_numbers(body: &mut Map<String, Value>, keys: &[&str], errs: &mut Vec<String>) {
    for key in keys {
        if let Some(v) = body.get(*key) {
            if v.is_null() {
                continue;
            }
            if !is_number(v) {
                errs.push(format!("{} is not a number", key));
            } else {
                let number = to_number(v);
                body.insert(key.to_string(), number);
            }
        }
    }
}

/// the keys must be present, non-null and (strings) not blank
pub(super) fn required(body: &Map<String, Value>, keys: &[&str], errs: &mut Vec<String>) {
    for key in keys {
        let missing = match body.get(*key) {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.trim().is_empty(),
            _ => false,
        };
        if missing {
            errs.push(format!("{} can't be blank", key));
        }
    }
}

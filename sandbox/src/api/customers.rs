//! /customers (lookup by email, search, a customer's orders, additional fields) and the
//! membership of customers in customer categories.

use super::crud::{as_stored, crud, paging, parse_id, read_body, Resource};
use super::orders::{order_summary, parse_order_status};
use super::respond::{list, message, method_not_allowed, not_found, ok};
use crate::data::Gen;
use crate::http::{Request, Response};
use crate::state::Coll;
use crate::Shared;
use serde_json::{json, Value};

pub(super) fn route(shared: &Shared, req: &Request, rest: &[&str]) -> Response {
    let db = &shared.db;
    match (req.method.as_str(), rest) {
        ("GET", ["email", email]) => match find_customer_by_email(shared, email) {
            Some(id) => ok(json!({"customer": db.get(Coll::Customers, id)})),
            None => not_found("Customer"),
        },
        ("GET", ["search"]) => search(shared, req),
        ("GET", [id, "orders"]) => orders_of(shared, req, id, None),
        ("GET", [id, "orders", "status", status]) => orders_of(shared, req, id, Some(status)),
        (_, [id, "fields", tail @ ..]) => {
            let Some(customer) = parse_id(id).filter(|c| db.exists(Coll::Customers, *c)) else {
                return not_found("Customer");
            };
            if req.method == "POST" && tail.is_empty() {
                return add_field(shared, req, customer);
            }
            let fields = Resource::new(
                Coll::CustomerFields(customer),
                "customer_additional_field",
                "Customer additional field",
            );
            crud(shared, req, &fields, tail, &as_stored)
        }
        _ => {
            let customers = Resource::new(Coll::Customers, "customer", "Customer");
            crud(shared, req, &customers, rest, &with_fields)
        }
    }
}

/// a customer as served: additional fields are a sub-collection, so its writes show here
fn with_fields(shared: &Shared, mut customer: Value) -> Value {
    let id = customer["id"].as_u64().unwrap_or(0);
    let fields: Vec<Value> = shared
        .db
        .all(Coll::CustomerFields(id))
        .into_iter()
        .map(|f| json!({"customer_additional_field": f}))
        .collect();
    customer["customer_additional_fields"] = Value::Array(fields);
    customer
}

/// the id of the customer with this email (case-insensitive)
pub(super) fn find_customer_by_email(shared: &Shared, email: &str) -> Option<u64> {
    let wanted = email.trim().to_lowercase();
    let g = &shared.db.gen;
    let has_email = |id: u64, written: Option<&Value>| match written {
        Some(v) => v["email"]
            .as_str()
            .map(|s| s.to_lowercase() == wanted)
            .unwrap_or(false),
        None => g.customer_email(id).to_lowercase() == wanted,
    };
    shared
        .db
        .ids(Coll::Customers, false, 0, 1, Some(&has_email))
        .first()
        .copied()
}

/// whether a generated customer's email or full name contains `q` (lower-case)
pub(super) fn generated_customer_matches(g: &Gen, customer: u64, q: &str) -> bool {
    let name = g.customer_name(customer);
    g.customer_email(customer).to_lowercase().contains(q)
        || format!("{} {}", name.first, name.last)
            .to_lowercase()
            .contains(q)
}

/// GET /customers/search?query=&order=desc: email, full name or (written records) phone
fn search(shared: &Shared, req: &Request) -> Response {
    let db = &shared.db;
    let q = req.q("query").unwrap_or("").trim().to_lowercase();
    let desc = req
        .q("order")
        .map(|o| o.starts_with("desc"))
        .unwrap_or(false);
    let matches = |id: u64, written: Option<&Value>| {
        if q.is_empty() {
            return true;
        }
        match written {
            Some(v) => ["email", "fullname", "phone"].iter().any(|k| {
                v[*k]
                    .as_str()
                    .map(|s| s.to_lowercase().contains(&q))
                    .unwrap_or(false)
            }),
            None => generated_customer_matches(&db.gen, id, &q),
        }
    };
    let (offset, limit) = paging(req, 100);
    let customers = db
        .ids(Coll::Customers, desc, offset, limit, Some(&matches))
        .into_iter()
        .filter_map(|id| db.get(Coll::Customers, id))
        .collect();
    list("customer", customers)
}

/// GET /customers/{id}/orders[/status/{status}], newest first
fn orders_of(shared: &Shared, req: &Request, id: &str, status: Option<&str>) -> Response {
    let db = &shared.db;
    let Some(customer) = parse_id(id).filter(|c| db.exists(Coll::Customers, *c)) else {
        return not_found("Customer");
    };
    let status = match status {
        None => None,
        Some(text) => match parse_order_status(text) {
            Some(s) => Some(s),
            None => return message(404, &format!("Invalid status: {}", text)),
        },
    };
    let matches = |order: u64, written: Option<&Value>| {
        let summary = order_summary(shared, order, written);
        summary.customer == Some(customer) && status.map(|s| s == summary.status).unwrap_or(true)
    };
    let (offset, limit) = paging(req, 100);
    let orders = db
        .ids(Coll::Orders, true, offset, limit, Some(&matches))
        .into_iter()
        .filter_map(|id| db.get(Coll::Orders, id))
        .collect();
    list("order", orders)
}

/// POST /customers/{id}/fields: the label comes from the checkout custom field, if one is named
fn add_field(shared: &Shared, req: &Request, customer: u64) -> Response {
    let db = &shared.db;
    let body = match read_body(req, "customer_additional_field") {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    let id = db.next_id(Coll::CustomerFields(customer));
    let checkout_field = body
        .get("checkout_custom_field_id")
        .and_then(|x| x.as_u64());
    let label = checkout_field
        .and_then(|i| db.get(Coll::CheckoutCustomFields, i))
        .map(|f| f["label"].clone())
        .unwrap_or(body.get("label").cloned().unwrap_or(Value::Null));
    let field = json!({"id": id, "label": label, "value": body.get("value").cloned().unwrap_or(Value::Null),
                       "area": body.get("area").cloned().unwrap_or(json!("other")),
                       "customer_id": customer, "checkout_custom_field_id": checkout_field});
    db.put(Coll::CustomerFields(customer), id, field.clone());
    ok(json!({"customer_additional_field": field}))
}

fn in_category(customer: &Value, category: u64) -> bool {
    customer["customer_categories"]
        .as_array()
        .map(|a| {
            a.iter()
                .any(|c| c["customer_category"]["id"].as_u64() == Some(category))
        })
        .unwrap_or(false)
}

/// /customer_categories/{id}/customers: GET lists the members, POST adds customers (by id or
/// email) and answers them
pub(super) fn category_members(shared: &Shared, req: &Request, id: &str) -> Response {
    let db = &shared.db;
    let Some(category) = parse_id(id).filter(|c| db.exists(Coll::CustomerCategories, *c)) else {
        return not_found("Customer category");
    };
    match req.method.as_str() {
        "POST" => add_to_category(shared, req, category),
        "GET" => {
            let g = &db.gen;
            let is_member = |id: u64, written: Option<&Value>| match written {
                Some(v) => in_category(v, category),
                None => g.customer_category_ids(id).contains(&category),
            };
            let (offset, limit) = paging(req, 100);
            let members = db
                .ids(Coll::Customers, false, offset, limit, Some(&is_member))
                .into_iter()
                .filter_map(|id| db.get(Coll::Customers, id))
                .collect();
            list("customer", members)
        }
        _ => method_not_allowed(),
    }
}

/// Adds each listed customer in turn (already-members are left as they are); an unknown
/// customer stops there with a 404, keeping the ones added before it.
fn add_to_category(shared: &Shared, req: &Request, category: u64) -> Response {
    let db = &shared.db;
    let body: Value = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(e) => return message(400, &format!("Invalid JSON body: {}", e)),
    };
    let items = body
        .get("customers")
        .and_then(|x| x.as_array())
        .cloned()
        .unwrap_or_default();
    let mut added = Vec::new();
    for item in items {
        let id = item.get("id").and_then(|x| x.as_u64()).or_else(|| {
            item.get("email")
                .and_then(|e| e.as_str())
                .and_then(|e| find_customer_by_email(shared, e))
        });
        let Some(id) = id else {
            return not_found("Customer");
        };
        let Some(mut customer) = db.get(Coll::Customers, id) else {
            return not_found("Customer");
        };
        let mut categories = customer["customer_categories"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if !in_category(&customer, category) {
            categories
                .push(json!({"customer_category": db.get(Coll::CustomerCategories, category)}));
        }
        customer["customer_categories"] = Value::Array(categories);
        db.put(Coll::Customers, id, customer.clone());
        added.push(customer);
    }
    list("customer", added)
}

/// DELETE /customer_categories/{id}/customers/{customer_id}
pub(super) fn remove_from_category(shared: &Shared, id: &str, customer: &str) -> Response {
    let db = &shared.db;
    let (Some(category), Some(customer_id)) = (parse_id(id), parse_id(customer)) else {
        return not_found("Customer");
    };
    let Some(mut customer) = db.get(Coll::Customers, customer_id) else {
        return not_found("Customer");
    };
    let categories: Vec<Value> = customer["customer_categories"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c["customer_category"]["id"].as_u64() != Some(category))
        .collect();
    customer["customer_categories"] = Value::Array(categories);
    db.put(Coll::Customers, customer_id, customer);
    ok(json!("Customer removed from category"))
}

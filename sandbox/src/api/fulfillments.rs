//! Fulfillments (shipments of orders), their rates and labels.

use super::crud::{as_stored, blank, crud, merge, parse_id, read_body, Resource};
use super::respond::{list, message, not_found, ok, validation_errors};
use super::validate::{check_enum, required, FULFILLMENT_TYPES};
use crate::data::{iso, money, ts, FULFILLMENT_OFFSET};
use crate::http::{Request, Response};
use crate::state::Coll;
use crate::{now_epoch, Shared};
use serde_json::{json, Value};

pub(super) fn route(shared: &Shared, req: &Request, rest: &[&str]) -> Response {
    match (req.method.as_str(), rest) {
        ("POST", ["rates"]) => rates(shared, req),
        ("GET", [id, "label"]) => label(shared, id),
        ("POST", []) => create(shared, req),
        _ => {
            let fulfillments = Resource::new(Coll::Fulfillments, "fulfillment", "Fulfillment");
            crud(shared, req, &fulfillments, rest, &as_stored)
        }
    }
}

/// GET /order/{id}/fulfillments
pub(super) fn of_order(shared: &Shared, order_id: &str) -> Response {
    let db = &shared.db;
    let Some(order) = parse_id(order_id).filter(|o| db.exists(Coll::Orders, *o)) else {
        return not_found("Order");
    };
    // generated fulfillments encode their order in their id
    let of_this_order = |id: u64, written: Option<&Value>| match written {
        Some(v) => v["order_id"].as_u64() == Some(order),
        None => id - FULFILLMENT_OFFSET == order,
    };
    let fulfillments = db
        .ids(Coll::Fulfillments, false, 0, u64::MAX, Some(&of_this_order))
        .into_iter()
        .filter_map(|id| db.get(Coll::Fulfillments, id))
        .collect();
    list("fulfillment", fulfillments)
}

/// a signed label URL valid for a day; every other manual fulfillment has no label (to test
/// the error path)
fn label(shared: &Shared, id: &str) -> Response {
    let Some(id) = parse_id(id) else {
        return not_found("Fulfillment");
    };
    match shared.db.get(Coll::Fulfillments, id) {
        None => not_found("Fulfillment"),
        Some(v) if v["type"] == "manual" && id % 2 == 0 => {
            Response::json(400, &json!({"error": "Invalid Label."}))
        }
        Some(_) => ok(
            json!({"url": format!("https://labels.example.com/{}.pdf?sig=abc", id),
                   "expires_at": iso(now_epoch() + 86_400).replace("+00:00", "Z")}),
        ),
    }
}

/// POST /fulfillments: the fulfillment, and its order becomes fulfilled (with the tracking
/// details given)
fn create(shared: &Shared, req: &Request) -> Response {
    let db = &shared.db;
    let mut body = match read_body(req, "fulfillment") {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    let mut errors = Vec::new();
    required(&body, &["type", "location_id", "order_id"], &mut errors);
    check_enum(&body, "type", FULFILLMENT_TYPES, &mut errors);
    if !errors.is_empty() {
        return validation_errors(errors);
    }
    let order_id = body["order_id"].as_u64().unwrap_or(0);
    let Some(mut order) = db.get(Coll::Orders, order_id) else {
        return not_found("Order");
    };
    let id = db.next_id(Coll::Fulfillments);
    let now = ts(now_epoch());
    body.remove("order");
    let mut fulfillment = blank(db, Coll::Fulfillments);
    merge(&mut fulfillment, &body);
    fulfillment["id"] = json!(id);
    fulfillment["created_at"] = json!(now);
    fulfillment["updated_at"] = json!(now);
    fulfillment["order_id"] = json!(order_id);
    if fulfillment["shipment_status"].is_null() {
        fulfillment["shipment_status"] = json!("requested");
    }
    db.put(Coll::Fulfillments, id, fulfillment.clone());
    order["fulfillment_status"] = json!("fulfilled");
    for key in ["tracking_number", "tracking_company", "tracking_url"] {
        if let Some(given) = body.get(key) {
            order[key] = given.clone();
        }
    }
    db.put(Coll::Orders, order_id, order);
    ok(json!({"fulfillment": fulfillment}))
}

/// POST /fulfillments/rates.json `{"rates": {location_id, order_id?, shipping_address?,
/// packages_dimensions?}}`: a quote per carrier service. location_id is required (400 without
/// it, 404 for an unknown one, as for an unknown order); the amounts grow with the packages'
/// total weight (whole kilograms, rounded up; 1 when no package is given), so a test sees the
/// packages reach the quote. Nothing is stored.
fn rates(shared: &Shared, req: &Request) -> Response {
    let body: Value = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(e) => return message(400, &format!("Invalid JSON body: {}", e)),
    };
    let fields = &body["rates"];
    // the document types the ids as strings; numbers are taken too
    let id = |key: &str| match &fields[key] {
        Value::String(s) => s.trim().parse::<u64>().ok(),
        v => v.as_u64(),
    };
    if fields.get("location_id").is_none_or(Value::is_null) {
        return message(400, "rates.location_id is required");
    }
    let db = &shared.db;
    if !id("location_id").is_some_and(|l| db.exists(Coll::Locations, l)) {
        return not_found("Location");
    }
    let order_given = fields.get("order_id").is_some_and(|o| !o.is_null());
    if order_given && !id("order_id").is_some_and(|o| db.exists(Coll::Orders, o)) {
        return not_found("Order");
    }
    let weight: f64 = match fields["packages_dimensions"].as_array() {
        Some(packages) if !packages.is_empty() => packages
            .iter()
            .map(|p| p["weight"].as_f64().unwrap_or(0.0))
            .sum(),
        _ => 1.0,
    };
    let kilos = weight.ceil().max(1.0) as i64;
    ok(json!([
        {"fulfillment_company": "Chilexpress", "service_label": "Día hábil siguiente", "service_type": "express", "amount": money(3_990 + 1_000 * (kilos - 1))},
        {"fulfillment_company": "Starken", "service_label": "Normal", "service_type": "normal", "amount": money(2_500 + 500 * (kilos - 1))}
    ]))
}

//! Creating and updating orders. Orders are not generic CRUD: a create computes lines and
//! totals, an update only touches statuses, tracking and notes.

use super::crud::{blank, parse_id, read_body};
use super::orders::parse_order_status;
use super::respond::{message, not_found, ok, validation_errors};
use crate::data::{
    money, ts, ORDER_STATUS_ENUM, ORDER_STATUS_LABEL, SHIP_ENUM, SHIP_LABEL, STATUS_PAID,
    STATUS_PENDING_PAYMENT,
};
use crate::http::{Request, Response};
use crate::state::Coll;
use crate::{now_epoch, Shared};
use serde_json::{json, Map, Value};

/// the keys PUT /orders/{id} may change (others are ignored; none of them is refused)
const UPDATABLE: &[&str] = &[
    "status",
    "shipment_status",
    "tracking_number",
    "tracking_company",
    "tracking_url",
    "additional_information",
    "additional_fields",
];

/// the updatable keys copied as given
const COPIED_ON_UPDATE: &[&str] = &[
    "tracking_number",
    "tracking_company",
    "tracking_url",
    "additional_information",
    "additional_fields",
];

/// the body keys (or, failing that, the customer object's) a created order takes as given
const COPIED_ON_CREATE: &[&str] = &[
    "shipping_address",
    "billing_address",
    "billing_information",
    "additional_information",
];

fn status_not_in_list() -> String {
    format!(
        "status is not included in the list ({})",
        ORDER_STATUS_LABEL.join(", ")
    )
}

/// a price as given (number or numeric string) in cents
fn cents(v: &Value) -> Option<i64> {
    let amount: f64 = match v {
        Value::Number(n) => n.to_string().parse().ok()?,
        Value::String(s) => s.parse().ok()?,
        _ => return None,
    };
    Some((amount * 100.0).round() as i64)
}

/// The product lines of a create: the served line objects and the subtotal in cents.
struct Lines {
    lines: Vec<Value>,
    subtotal: i64,
}

/// Reads `products` of a create body; problems go to `errors`. A line names a product by id
/// (which must exist unless `allow_missing_products`); its price defaults to the product's.
fn order_lines(shared: &Shared, body: &Map<String, Value>, errors: &mut Vec<String>) -> Lines {
    let given = body
        .get("products")
        .and_then(|p| p.as_array())
        .cloned()
        .unwrap_or_default();
    if given.is_empty() {
        errors.push("products can't be blank".into());
    }
    let allow_missing = body
        .get("allow_missing_products")
        .and_then(|x| x.as_bool())
        .unwrap_or(false);
    let mut lines = Vec::new();
    let mut subtotal = 0i64;
    for line in &given {
        let Some(product_id) = line.get("id").and_then(|x| x.as_u64()) else {
            errors.push("products.id can't be blank".into());
            continue;
        };
        let product = shared.db.get(Coll::Products, product_id);
        if product.is_none() && !allow_missing {
            errors.push(format!("product {} does not exist", product_id));
            continue;
        }
        let qty = line.get("qty").and_then(|x| x.as_i64()).unwrap_or(1);
        let price = match line.get("price") {
            Some(v) if !v.is_null() => match cents(v) {
                Some(c) => c,
                None => {
                    errors.push("products.price is not a number".into());
                    0
                }
            },
            _ => product
                .as_ref()
                .and_then(|p| cents(&p["price"]))
                .unwrap_or(0),
        };
        let discount = line.get("discount").and_then(cents).unwrap_or(0);
        subtotal += (price - discount) * qty;
        lines.push(json!({"id": product_id, "variant_id": line.get("variant_id").cloned().unwrap_or(Value::Null),
            "sku": product.as_ref().map(|p| p["sku"].clone()).unwrap_or(Value::Null),
            "name": product.as_ref().map(|p| p["name"].clone()).unwrap_or(json!("Producto eliminado")),
            "image": null, "qty": qty, "price": money(price), "discount": money(discount), "weight": 0, "taxes": [], "stock_locations": []}));
    }
    Lines { lines, subtotal }
}

/// POST /orders
pub(super) fn create_order(shared: &Shared, req: &Request) -> Response {
    let db = &shared.db;
    let body = match read_body(req, "order") {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    let mut errors = Vec::new();
    let status = match body.get("status").and_then(|s| s.as_str()) {
        None => STATUS_PENDING_PAYMENT,
        Some(s) => parse_order_status(s).unwrap_or_else(|| {
            errors.push(status_not_in_list());
            STATUS_PENDING_PAYMENT
        }),
    };
    let Lines { lines, subtotal } = order_lines(shared, &body, &mut errors);
    let customer_given = body.get("customer").cloned().unwrap_or(Value::Null);
    let customer_id = customer_given.get("id").and_then(|x| x.as_u64());
    let customer = customer_id.and_then(|c| db.get(Coll::Customers, c));
    if customer_id.is_some() && customer.is_none() {
        errors.push("customer does not exist".into());
    }
    if !errors.is_empty() {
        return validation_errors(errors);
    }
    let id = db.next_id(Coll::Orders);
    let mut order = blank(db, Coll::Orders);
    order["id"] = json!(id);
    set_created_amounts(&mut order, &body, status, subtotal);
    order["source"] = json!({"created_from": "api", "created_from_app_code": null, "source_name": null, "medium": null, "campaign": null, "referral_url": null,
                             "referral_code": null, "user_agent": null, "first_page_visited": null, "first_page_visited_at": null, "referral_source": null});
    order["customer"] = match &customer {
        Some(c) => {
            json!({"id": c["id"], "email": c["email"], "phone": c["phone"], "phone_prefix": null, "ip": null, "fullname": c["fullname"]})
        }
        None => {
            json!({"id": null, "email": customer_given.get("email").cloned().unwrap_or(Value::Null), "phone": null, "phone_prefix": null, "ip": null, "fullname": null})
        }
    };
    for key in COPIED_ON_CREATE {
        if let Some(given) = body.get(*key).or_else(|| customer_given.get(*key)) {
            order[*key] = given.clone();
        }
    }
    order["products"] = Value::Array(lines);
    set_status(&mut order, status);
    order["shipping_option"] = json!("delivery");
    order["same_day_delivery"] = json!(false);
    order["shipment_status"] = json!("Unfulfilled");
    order["shipment_status_enum"] = json!("unfulfilled");
    db.put(Coll::Orders, id, order.clone());
    ok(json!({"order": order}))
}

/// the dates, currency, totals and shipping method of a created order (no tax is computed)
fn set_created_amounts(order: &mut Value, body: &Map<String, Value>, status: usize, subtotal: i64) {
    // order-level discounts are not taken on create; line discounts are in the subtotal
    let discount = 0;
    let shipping = body.get("shipping_price").and_then(cents).unwrap_or(0);
    let now = now_epoch();
    order["created_at"] = json!(ts(now));
    order["completed_at"] = if status == STATUS_PAID {
        json!(ts(now))
    } else {
        Value::Null
    };
    order["currency"] = json!("USD");
    order["subtotal"] = money(subtotal);
    order["tax"] = money(0);
    order["shipping_tax"] = money(0);
    order["shipping"] = money(shipping);
    order["shipping_required"] = body
        .get("shipping_required")
        .cloned()
        .unwrap_or(json!(true));
    order["total"] = money(subtotal + shipping - discount);
    order["discount"] = money(discount);
    order["shipping_discount"] = money(0);
    order["gift_cards_discount"] = money(0);
    order["fulfillment_status"] = json!("unfulfilled");
    order["shipping_method_id"] = body
        .get("shipping_method_id")
        .cloned()
        .unwrap_or(Value::Null);
    order["shipping_method_name"] = body
        .get("shipping_method_name")
        .cloned()
        .unwrap_or(Value::Null);
}

/// the three status keys, from a status index
fn set_status(order: &mut Value, status: usize) {
    order["status"] = json!(ORDER_STATUS_LABEL[status]);
    order["status_name"] = json!(ORDER_STATUS_LABEL[status]);
    order["status_enum"] = json!(ORDER_STATUS_ENUM[status]);
}

/// PUT /orders/{id}: statuses (validated), tracking and notes (copied)
pub(super) fn update_order(shared: &Shared, req: &Request, id: &str) -> Response {
    let db = &shared.db;
    let Some(id) = parse_id(id) else {
        return not_found("Order");
    };
    let Some(mut order) = db.get(Coll::Orders, id) else {
        return not_found("Order");
    };
    let body = match read_body(req, "order") {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    if !body.keys().any(|k| UPDATABLE.contains(&k.as_str())) {
        return message(400, "No se encontraron parámetros permitidos");
    }
    if let Some(status) = body.get("status") {
        let Some(status) = status.as_str().and_then(parse_order_status) else {
            return validation_errors(vec![status_not_in_list()]);
        };
        set_status(&mut order, status);
        if status == STATUS_PAID && order["completed_at"].is_null() {
            order["completed_at"] = json!(ts(now_epoch()));
        }
    }
    if let Some(shipment) = body.get("shipment_status") {
        let name = shipment
            .as_str()
            .unwrap_or("")
            .to_lowercase()
            .replace(' ', "_");
        // "unfulfilled" (index 0) cannot be set
        let Some(i) = SHIP_ENUM.iter().position(|x| *x == name).filter(|i| *i > 0) else {
            return validation_errors(vec!["shipment_status is not included in the list (requested, in_transit, delivered, failed, pickup_available)".into()]);
        };
        order["shipment_status"] = json!(SHIP_LABEL[i]);
        order["shipment_status_enum"] = json!(SHIP_ENUM[i]);
    }
    for key in COPIED_ON_UPDATE {
        if let Some(v) = body.get(*key) {
            order[*key] = v.clone();
        }
    }
    db.put(Coll::Orders, id, order.clone());
    ok(json!({"order": order}))
}

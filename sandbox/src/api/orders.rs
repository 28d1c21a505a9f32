//! /orders reads: lists (with the text fast path and `fields` projection), filters and search,
//! one order, carts; the routes under one order. Writes are in `order_writes.rs`.

use super::crud::{as_stored, crud, paging, parse_id, Resource};
use super::customers::generated_customer_matches;
use super::documents;
use super::order_writes::{create_order, update_order};
use super::respond::{list, list_ids, message, no_route, not_found, ok};
use crate::data::{parse_date, parse_ts, ORDER_STATUS_ENUM, STATUS_PENDING_PAYMENT};
use crate::http::{Request, Response};
use crate::jw::W;
use crate::state::Coll;
use crate::{now_epoch, Shared};
use serde_json::{json, Value};

pub(super) fn route(shared: &Shared, req: &Request, rest: &[&str]) -> Response {
    let db = &shared.db;
    match (req.method.as_str(), rest) {
        ("GET", []) => list_or_search(shared, req, false),
        ("GET", ["search"]) => list_or_search(shared, req, true),
        ("POST", []) => create_order(shared, req),
        ("GET", ["count"]) => ok(json!({"count": db.count(Coll::Orders, None)})),
        ("GET", ["status", status]) => {
            let Some(wanted) = parse_order_status(status) else {
                return message(404, &format!("Invalid status: {}", status));
            };
            let filter = move |id: u64, written: Option<&Value>| {
                order_summary(shared, id, written).status == wanted
            };
            let (offset, limit) = paging(req, 100);
            order_list(
                shared,
                req,
                db.ids(Coll::Orders, true, offset, limit, Some(&filter)),
            )
        }
        ("GET", ["after", after]) => {
            let Some(after) = parse_id(after) else {
                return not_found("Order");
            };
            // ascending, unlike every other order list: it is for catching up
            let filter = move |id: u64, _: Option<&Value>| id > after;
            let (offset, limit) = paging(req, 100);
            order_list(
                shared,
                req,
                db.ids(Coll::Orders, false, offset, limit, Some(&filter)),
            )
        }
        (_, [id, "history", tail @ ..]) => {
            let Some(order) = existing_order(shared, id) else {
                return not_found("Order");
            };
            // history is listed and added to, never read or changed one by one
            if !tail.is_empty() {
                return no_route();
            }
            let history = Resource::new(Coll::History(order), "order_history", "Order history");
            crud(shared, req, &history, tail, &as_stored)
        }
        (_, [id, "documents", tail @ ..]) => {
            let Some(order) = existing_order(shared, id) else {
                return not_found("Order");
            };
            documents::of_order(shared, req, order, tail)
        }
        ("PUT", [id]) => update_order(shared, req, id),
        ("GET", [id]) => {
            let Some(order) = parse_id(id) else {
                return not_found("Order");
            };
            match db.get(Coll::Orders, order) {
                Some(v) => ok(json!({"order": project_fields(req, v)})),
                None => not_found("Order"),
            }
        }
        _ => no_route(),
    }
}

fn existing_order(shared: &Shared, id: &str) -> Option<u64> {
    parse_id(id).filter(|order| shared.db.exists(Coll::Orders, *order))
}

/// GET /carts/{id}: an abandoned order, listed
pub(super) fn cart(shared: &Shared, id: &str) -> Response {
    let Some(id) = parse_id(id) else {
        return not_found("Cart");
    };
    match shared.db.get(Coll::Orders, id) {
        Some(order) if order["status_enum"] == "abandoned" => list("order", vec![order]),
        _ => not_found("Cart"),
    }
}

/// /orders.json and /orders/search.json: filtered, newest first; search also answers the count
fn list_or_search(shared: &Shared, req: &Request, search: bool) -> Response {
    let db = &shared.db;
    let query = match OrderQuery::from_request(req, search) {
        Ok(query) => query,
        Err(refusal) => return refusal,
    };
    let matches = |id: u64, written: Option<&Value>| query.matches(shared, id, written);
    let unfiltered = query.is_unfiltered();
    let (offset, limit) = paging(req, 100);
    // unfiltered lists page arithmetically instead of scanning
    let ids = if unfiltered {
        db.ids(Coll::Orders, true, offset, limit, None)
    } else {
        db.ids(Coll::Orders, true, offset, limit, Some(&matches))
    };
    if !search {
        return order_list(shared, req, ids);
    }
    let orders: Vec<Value> = projected_orders(shared, req, ids)
        .into_iter()
        .map(|v| json!({"order": v}))
        .collect();
    let count = if unfiltered {
        db.count(Coll::Orders, None)
    } else {
        db.count(Coll::Orders, Some(&matches))
    };
    ok(json!({"orders": orders, "count": count}))
}

/// a list of these orders: projected to `fields` if asked, else through the text fast path
fn order_list(shared: &Shared, req: &Request, ids: Vec<u64>) -> Response {
    let projected = req
        .q("fields")
        .map(|f| !f.trim().is_empty())
        .unwrap_or(false);
    if projected {
        list("order", projected_orders(shared, req, ids))
    } else {
        order_page(shared, ids)
    }
}

fn projected_orders(shared: &Shared, req: &Request, ids: Vec<u64>) -> Vec<Value> {
    ids.into_iter()
        .filter_map(|id| shared.db.get(Coll::Orders, id))
        .map(|v| project_fields(req, v))
        .collect()
}

/// an order page (no `fields` projection): untouched orders are generated as text
pub(super) fn order_page(shared: &Shared, ids: Vec<u64>) -> Response {
    let db = &shared.db;
    let fast = |id: u64, w: &mut W| {
        let untouched = db.pristine(&[(Coll::Orders, Some(id))]);
        if untouched {
            db.gen.write_order(id, w);
        }
        untouched
    };
    list_ids("order", ids, &fast, &|id| db.get(Coll::Orders, id))
}

/// the record reduced to the keys in `?fields=a,b` (in the record's order), if given
fn project_fields(req: &Request, record: Value) -> Value {
    match req.q("fields") {
        Some(fields) if !fields.trim().is_empty() => {
            let keys: Vec<&str> = fields.split(',').map(|s| s.trim()).collect();
            match record {
                Value::Object(object) => Value::Object(
                    object
                        .into_iter()
                        .filter(|(k, _)| keys.contains(&k.as_str()))
                        .collect(),
                ),
                other => other,
            }
        }
        _ => record,
    }
}

/// an order status as an index into ORDER_STATUS_ENUM; any case, spaces or dashes for `_`
pub(super) fn parse_order_status(text: &str) -> Option<usize> {
    let normalised = text.trim().to_lowercase().replace([' ', '-'], "_");
    ORDER_STATUS_ENUM.iter().position(|x| *x == normalised)
}

/// What order filters look at, read cheaply: from the overlay record if the order was written,
/// else from the generator's light functions (no full order generated).
pub(super) struct OrderSummary {
    pub status: usize,
    pub created: u64,
    pub customer: Option<u64>,
    pub fulfilled: bool,
}

pub(super) fn order_summary(shared: &Shared, id: u64, written: Option<&Value>) -> OrderSummary {
    let g = &shared.db.gen;
    match written {
        Some(v) => OrderSummary {
            status: v["status_enum"]
                .as_str()
                .and_then(parse_order_status)
                .unwrap_or(STATUS_PENDING_PAYMENT),
            created: v["created_at"].as_str().and_then(parse_ts).unwrap_or(0),
            customer: v["customer"]["id"].as_u64(),
            fulfilled: v["fulfillment_status"].as_str() == Some("fulfilled"),
        },
        None => OrderSummary {
            status: g.order_status_idx(id),
            created: g.order_created(id),
            customer: g.order_customer(id),
            fulfilled: g.order_fulfilled(id),
        },
    }
}

/// The filters of an order list or search: statuses, fulfilment states, a created_at range
/// (epoch seconds, inclusive) and, for search, a text query.
struct OrderQuery {
    statuses: Vec<usize>,
    fulfilled: Vec<bool>,
    range: Option<(u64, u64)>,
    /// lower-cased; None for lists (search without `query` is Some(""))
    text: Option<String>,
}

impl OrderQuery {
    /// Err = bad parameter
    fn from_request(req: &Request, search: bool) -> Result<OrderQuery, Response> {
        let statuses = status_filters(req)?;
        let fulfilled = fulfillment_filters(req)?;
        let range = date_range(req)?;
        let text = search.then(|| req.q("query").unwrap_or("").trim().to_lowercase());
        Ok(OrderQuery {
            statuses,
            fulfilled,
            range,
            text,
        })
    }

    fn is_unfiltered(&self) -> bool {
        self.statuses.is_empty()
            && self.fulfilled.is_empty()
            && self.range.is_none()
            && self.text.as_deref().map(|q| q.is_empty()).unwrap_or(true)
    }

    fn matches(&self, shared: &Shared, id: u64, written: Option<&Value>) -> bool {
        let summary = order_summary(shared, id, written);
        if !self.statuses.is_empty() && !self.statuses.contains(&summary.status) {
            return false;
        }
        if !self.fulfilled.is_empty() && !self.fulfilled.contains(&summary.fulfilled) {
            return false;
        }
        if let Some((from, to)) = self.range {
            if summary.created < from || summary.created > to {
                return false;
            }
        }
        match &self.text {
            Some(q) if !q.is_empty() => text_matches(shared, id, written, &summary, q),
            _ => true,
        }
    }
}

/// the order's id, or its customer's email or full name contains the query
fn text_matches(
    shared: &Shared,
    id: u64,
    written: Option<&Value>,
    summary: &OrderSummary,
    q: &str,
) -> bool {
    if id.to_string() == q {
        return true;
    }
    let contains = |v: &Value| {
        v.as_str()
            .map(|s| s.to_lowercase().contains(q))
            .unwrap_or(false)
    };
    match written {
        Some(v) => contains(&v["customer"]["email"]) || contains(&v["customer"]["fullname"]),
        None => summary
            .customer
            .map(|c| generated_customer_matches(&shared.db.gen, c, q))
            .unwrap_or(false),
    }
}

/// `status_filters[]` / `status_filters` (repeatable, comma-separated); "created" means
/// pending payment
fn status_filters(req: &Request) -> Result<Vec<usize>, Response> {
    let mut statuses = Vec::new();
    let mut raw: Vec<&str> = req.q_all("status_filters[]");
    raw.extend(req.q_all("status_filters"));
    for value in raw {
        for part in value.split(',').filter(|p| !p.trim().is_empty()) {
            let name = part.trim().to_lowercase();
            if name == "created" {
                statuses.push(STATUS_PENDING_PAYMENT);
                continue;
            }
            match parse_order_status(&name) {
                Some(status) => statuses.push(status),
                None => return Err(message(404, &format!("Invalid status filter: {}", part))),
            }
        }
    }
    Ok(statuses)
}

/// `fulfillment_filters=fulfilled,unfulfilled`
fn fulfillment_filters(req: &Request) -> Result<Vec<bool>, Response> {
    let mut fulfilled = Vec::new();
    if let Some(value) = req.q("fulfillment_filters") {
        for part in value.split(',').filter(|p| !p.trim().is_empty()) {
            match part.trim() {
                "fulfilled" => fulfilled.push(true),
                "unfulfilled" => fulfilled.push(false),
                other => {
                    return Err(message(
                        404,
                        &format!("Invalid fulfillment filter: {}", other),
                    ))
                }
            }
        }
    }
    Ok(fulfilled)
}

/// `dateFilter` (relative to today, UTC) or `customDate` with `initialDate`/`finalDate`
fn date_range(req: &Request) -> Result<Option<(u64, u64)>, Response> {
    let day = 86_400;
    let today = now_epoch() / day * day;
    let end_of_today = today + day - 1;
    Ok(match req.q("dateFilter") {
        None | Some("") => None,
        Some("today") => Some((today, end_of_today)),
        Some("yesterday") => Some((today - day, today - 1)),
        Some("last7days") => Some((today - 6 * day, end_of_today)),
        Some("last30days") => Some((today - 29 * day, end_of_today)),
        Some("last90days") => Some((today - 89 * day, end_of_today)),
        Some("customDate") => {
            let from = req.q("initialDate").and_then(parse_date);
            let to = req.q("finalDate").and_then(parse_date);
            match (from, to) {
                (Some(from), Some(to)) => Some((from, to + day - 1)),
                _ => {
                    return Err(message(
                        400,
                        "customDate needs initialDate and finalDate as YYYY-MM-DD",
                    ))
                }
            }
        }
        Some(other) => return Err(message(400, &format!("Invalid dateFilter: {}", other))),
    })
}

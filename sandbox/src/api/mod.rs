//! Request handling: the control API, faults, auth and rate limits, then the /v1 routes.
//! Each resource's routes live in their own file; `route` is the table of contents.

mod access;
mod control;
mod crud;
mod customers;
mod documents;
mod fulfillments;
mod jsapps;
mod order_writes;
mod orders;
mod products;
pub(crate) use products::product_full;
mod respond;
mod stock;
mod store;
mod validate;

use crate::http::{Action, Request, Response};
use crate::state::Coll;
use crate::{oauth, FaultKind, RateDecision, Shared};
use access::{full_rate_headers, rate_headers};
use crud::{crud, parse_id, Resource};
use respond::{message, no_route, not_found};

/// normalised route key for statistics, e.g. "GET /products/{id}/variants.json"
pub fn route_key(method: &str, path: &str) -> String {
    let p = path.strip_prefix("/v1").unwrap_or(path);
    let segs: Vec<&str> = p.split('/').collect();
    let mut out: Vec<String> = Vec::new();
    for (i, seg) in segs.iter().enumerate() {
        let (stem, ext) = match seg.strip_suffix(".json") {
            Some(stem) => (stem, ".json"),
            None => (*seg, ""),
        };
        let prev = if i > 0 { segs[i - 1] } else { "" };
        out.push(format!("{}{}", route_key_segment(path, prev, stem), ext));
    }
    format!("{} {}", method, out.join("/"))
}

/// a path segment as the route key shows it: ids and other path parameters by their names
fn route_key_segment(path: &str, prev: &str, stem: &str) -> String {
    /// segments after these are path parameters (when present)
    const PARAMETER_AFTER: &[(&str, &str)] = &[
        ("email", "{email}"),
        ("countries", "{country_code}"),
        ("regions", "{region_code}"),
        ("documents", "{public_id}"),
        ("jsapps", "{code}"),
    ];
    if !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit()) {
        return "{id}".to_string();
    }
    if prev == "status" && !path.starts_with("/oauth") {
        return "{status}".to_string();
    }
    for (after, name) in PARAMETER_AFTER {
        // "email" names its parameter even when empty
        if prev == *after && (!stem.is_empty() || *after == "email") {
            return name.to_string();
        }
    }
    stem.to_string()
}

pub fn handle(shared: &Shared, req: &Request) -> Action {
    if let Some(rest) = req.path.strip_prefix("/__sandbox/") {
        return Action::Respond(control::control(shared, req, rest));
    }
    let is_v1 = req.path.starts_with("/v1/");
    let is_oauth = req.path.starts_with("/oauth/");
    if !is_v1 && !is_oauth {
        return Action::Respond(no_route());
    }
    let key = route_key(&req.method, &req.path);
    shared.count(key.clone());
    shared.run_hooks(&key);
    let fault = shared.pick_fault(&req.path);
    delay(shared, &fault, is_v1);
    if let Some(action) = fault_instead_of_answer(shared, &fault, is_v1) {
        return action;
    }
    let response = if is_oauth {
        oauth_route(shared, req)
    } else {
        v1(shared, req)
    };
    match fault {
        Some(FaultKind::Truncate) => Action::Truncate(response),
        Some(FaultKind::Stall(ms)) => Action::Stall(response, ms),
        _ => Action::Respond(response),
    }
}

/// a latency fault's delay, then the configured latency of /v1 requests. It comes before the
/// rate check: with jitter, the sandbox counts each request at a different point between its
/// arrival and its answer (as a busy server's queues may), so requests sent in order can be
/// counted out of order and bunched. A client that keeps under the limit must count a request
/// until its answer, not only from its departure.
fn delay(shared: &Shared, fault: &Option<FaultKind>, is_v1: bool) {
    if let Some(FaultKind::Latency { ms, jitter_ms }) = fault {
        shared.sleep(ms + shared.jitter(*jitter_ms));
    }
    if is_v1 && (shared.cfg.latency_ms > 0 || shared.cfg.jitter_ms > 0) {
        shared.sleep(shared.cfg.latency_ms + shared.jitter(shared.cfg.jitter_ms));
    }
}

/// the faults that replace the answer altogether (the others alter how it is sent)
fn fault_instead_of_answer(
    shared: &Shared,
    fault: &Option<FaultKind>,
    is_v1: bool,
) -> Option<Action> {
    match fault {
        Some(FaultKind::Reset) => Some(Action::Reset),
        Some(FaultKind::Status(code)) => {
            let response = message(*code, &format!("Sandbox fault: HTTP {}", code));
            Some(Action::Respond(if is_v1 {
                full_rate_headers(response, shared)
            } else {
                response
            }))
        }
        Some(FaultKind::RetryAfter { secs, status }) => {
            let response = message(*status, &format!("Sandbox fault: HTTP {}", status))
                .header("Retry-After", secs.to_string());
            Some(Action::Respond(if is_v1 {
                full_rate_headers(response, shared)
            } else {
                response
            }))
        }
        Some(FaultKind::MalformedJson) => {
            let body = b"[{\"product\": {\"id\": 1, \"name\": \"Camiseta\", \"price\": 12.99,, \"status\": \"availa".to_vec();
            Some(Action::Respond(respond::json_bytes(body)))
        }
        _ => None,
    }
}

fn oauth_route(shared: &Shared, req: &Request) -> Response {
    let mut state = shared.oauth.lock().unwrap();
    match (req.method.as_str(), req.path.trim_end_matches('/')) {
        ("GET", "/oauth/authorize") => oauth::authorize(&mut state, &shared.cfg, req),
        ("POST", "/oauth/token") => oauth::token(&mut state, &shared.cfg, req),
        ("GET", "/oauth/token/info") => oauth::token_info(&state, req),
        _ => no_route(),
    }
}

/// the path after /v1 as segments, without the last one's ".json"
fn path_segments(path: &str) -> Vec<&str> {
    let mut segs: Vec<&str> = path[3..]
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(last) = segs.last_mut() {
        if let Some(stem) = last.strip_suffix(".json") {
            *last = stem;
        }
    }
    segs
}

/// A request the sandbox makes of itself (hooks, `/__sandbox/mutate`): routed like any other,
/// without auth, rate limit, faults or statistics.
pub(crate) fn internal(shared: &Shared, method: &str, path: &str, body: &str) -> Response {
    let req = Request {
        method: method.to_string(),
        path: path.to_string(),
        query: vec![],
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
    };
    let segs = path_segments(&req.path);
    route(shared, &req, &segs)
}

/// auth first (a refused request uses no rate-limit budget), then the rate limit, then the route
fn v1(shared: &Shared, req: &Request) -> Response {
    let segs = path_segments(&req.path);
    if let Err(refusal) = access::authorize(shared, req, &segs) {
        return full_rate_headers(refusal, shared);
    }
    match shared.rate_check() {
        RateDecision::Ok { sec_left, min_left } => {
            let response = route(shared, req, &segs);
            rate_headers(response, sec_left, min_left, shared)
        }
        RateDecision::Limited { sec_left, min_left } => rate_headers(
            message(429, "Rate Limit Exceeded"),
            sec_left,
            min_left,
            shared,
        ),
        RateDecision::Banned { until_epoch } => {
            rate_headers(message(429, "Rate Limit Exceeded"), 0, 0, shared).header(
                "Jumpseller-BannedByRateLimit-Reset",
                crate::data::iso(until_epoch),
            )
        }
    }
}

/// Collections that the generic CRUD serves whole, by their first path segment.
const PLAIN_RESOURCES: &[(&str, Resource)] = &[
    (
        "categories",
        Resource::new(Coll::Categories, "category", "Category"),
    ),
    (
        "customer_categories",
        Resource::new(
            Coll::CustomerCategories,
            "customer_category",
            "Customer category",
        ),
    ),
    (
        "promotions",
        Resource {
            max_page: 200,
            ..Resource::new(Coll::Promotions, "promotion", "Promotion")
        },
    ),
    ("pages", Resource::new(Coll::Pages, "page", "Page")),
    (
        "payment_methods",
        Resource::new(Coll::PaymentMethods, "payment_method", "Payment method"),
    ),
    (
        "shipping_methods",
        Resource::new(Coll::ShippingMethods, "shipping_method", "Shipping method"),
    ),
    (
        "locations",
        Resource::new(Coll::Locations, "location", "Location"),
    ),
    ("taxes", Resource::new(Coll::Taxes, "tax", "Tax")),
    (
        "custom_fields",
        Resource::new(Coll::CustomFields, "custom_field", "Custom field"),
    ),
    (
        "checkout_custom_fields",
        Resource::new(
            Coll::CheckoutCustomFields,
            "checkout_custom_field",
            "Checkout custom field",
        ),
    ),
    ("hooks", Resource::new(Coll::Hooks, "hook", "Hook")),
];

/// The /v1 routes by path. Specific routes come before the plain CRUD of the same collection.
fn route(shared: &Shared, req: &Request, segs: &[&str]) -> Response {
    let method = req.method.as_str();
    match segs {
        ["store", "info"] if method == "GET" => store::info(shared),
        ["store", "languages"] if method == "GET" => store::languages(),
        ["transaction_ledger", "balance"] if method == "GET" => store::ledger_balance(),
        ["products", rest @ ..] => products::route(shared, req, rest),
        ["orders", rest @ ..] => orders::route(shared, req, rest),
        ["order", order_id, "fulfillments"] if method == "GET" => {
            fulfillments::of_order(shared, order_id)
        }
        ["carts", id] if method == "GET" => orders::cart(shared, id),
        ["fulfillments", rest @ ..] => fulfillments::route(shared, req, rest),
        ["customers", rest @ ..] => customers::route(shared, req, rest),
        ["customer_categories", id, "customers"] => customers::category_members(shared, req, id),
        ["customer_categories", id, "customers", customer_id] if method == "DELETE" => {
            customers::remove_from_category(shared, id, customer_id)
        }
        ["pages", id, "images", rest @ ..] => {
            let Some(page) = parse_id(id).filter(|p| shared.db.exists(Coll::Pages, *p)) else {
                return not_found("Page");
            };
            let images = Resource::new(Coll::PageImages(page), "image", "Image");
            crud(shared, req, &images, rest, &crud::as_stored)
        }
        ["custom_fields", id, "select_options", rest @ ..] => {
            let Some(field) = parse_id(id).filter(|f| shared.db.exists(Coll::CustomFields, *f))
            else {
                return not_found("Custom field");
            };
            let options = Resource::new(
                Coll::SelectOptions(field),
                "custom_field_select_option",
                "Custom field select option",
            );
            crud(shared, req, &options, rest, &crud::as_stored)
        }
        ["jsapps", rest @ ..] => jsapps::route(shared, req, rest),
        ["countries", rest @ ..] if method == "GET" => store::countries(rest),
        ["documents"] if method == "GET" => documents::store_wide(shared, req),
        ["products_locations"] => stock::products_locations(shared, req),
        [first, rest @ ..] => match PLAIN_RESOURCES.iter().find(|(seg, _)| seg == first) {
            Some((_, resource)) => crud(shared, req, resource, rest, &crud::as_stored),
            None => no_route(),
        },
        [] => no_route(),
    }
}

#[cfg(test)]
mod tests {
    use super::orders::order_page;
    use super::products::{product_full, product_page};
    use super::respond::list;
    use crate::state::Coll;
    use crate::{SandboxConfig, Shared};
    use serde_json::json;

    fn slow_products(shared: &Shared, ids: &[u64]) -> Vec<u8> {
        let vs = ids
            .iter()
            .filter_map(|id| shared.db.get(Coll::Products, *id))
            .map(|v| product_full(&shared.db, v))
            .collect();
        list("product", vs).body
    }
    fn slow_orders(shared: &Shared, ids: &[u64]) -> Vec<u8> {
        list(
            "order",
            ids.iter()
                .filter_map(|id| shared.db.get(Coll::Orders, *id))
                .collect(),
        )
        .body
    }

    /// the text fast path of list pages gives exactly the bytes of the `Value` path
    #[test]
    fn fast_pages_match_value_pages() {
        for seed in [42, 7] {
            let shared = Shared::new(SandboxConfig {
                seed,
                products: 700,
                orders: 900,
                categories: 20,
                huge_description_product: Some(3),
                ..Default::default()
            });
            let pids: Vec<u64> = (1..=700).collect();
            let oids: Vec<u64> = (1..=900).rev().collect();
            for chunk in pids.chunks(100) {
                assert_eq!(
                    String::from_utf8(product_page(&shared, chunk.to_vec()).body).unwrap(),
                    String::from_utf8(slow_products(&shared, chunk)).unwrap()
                );
            }
            for chunk in oids.chunks(100) {
                assert_eq!(
                    String::from_utf8(order_page(&shared, chunk.to_vec()).body).unwrap(),
                    String::from_utf8(slow_orders(&shared, chunk)).unwrap()
                );
            }
            // with writes in the overlay: touched records take the Value path, deleted ones drop out
            let db = &shared.db;
            let mut p = db.get(Coll::Products, 5).unwrap();
            p["name"] = json!("Renamed \"quoted\"");
            db.put(Coll::Products, 5, p);
            db.put(
                Coll::Variants(7),
                db.next_id(Coll::Variants(7)),
                json!({"id": 1, "price": 1.5}),
            );
            db.delete(Coll::Products, 9);
            let mut o = db.get(Coll::Orders, 800).unwrap();
            o["status"] = json!("Paid");
            db.put(Coll::Orders, 800, o);
            let ids: Vec<u64> = (1..=100).collect();
            assert_eq!(
                product_page(&shared, ids.clone()).body,
                slow_products(&shared, &ids)
            );
            let ids: Vec<u64> = (750..=850).rev().collect();
            assert_eq!(
                order_page(&shared, ids.clone()).body,
                slow_orders(&shared, &ids)
            );
            let mut c = db.get(Coll::Categories, 2).unwrap();
            c["name"] = json!("Otra");
            db.put(Coll::Categories, 2, c);
            let ids: Vec<u64> = (1..=100).collect();
            assert_eq!(
                product_page(&shared, ids.clone()).body,
                slow_products(&shared, &ids)
            );
        }
    }
}

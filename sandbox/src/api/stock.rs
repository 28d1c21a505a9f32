//! /products_locations: stock of products (and their variants) per location.

use super::respond::{message, ok};
use crate::http::{Request, Response};
use crate::state::Coll;
use crate::Shared;
use serde_json::{json, Value};

/// GET lists stock per (location, product, variant); PUT accepts an update without storing it.
pub(super) fn products_locations(shared: &Shared, req: &Request) -> Response {
    if req.method == "PUT" {
        return accept_update(req);
    }
    let ids = |key: &str| -> Vec<u64> {
        req.q(key)
            .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
            .unwrap_or_default()
    };
    let (locations, products, variants) =
        (ids("location_ids"), ids("product_ids"), ids("variant_ids"));
    if locations.is_empty() || products.is_empty() {
        return message(404, "location_ids and product_ids are required");
    }
    ok(Value::Array(stock_rows(
        shared, &locations, &products, &variants,
    )))
}

fn accept_update(req: &Request) -> Response {
    let body: Value = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(e) => return message(400, &format!("Invalid JSON body: {}", e)),
    };
    if body.get("location_id").is_none() || body.get("product_id").is_none() {
        return message(400, "location_id and product_id are required");
    }
    ok(json!({"message": "Stock updated"}))
}

/// A row per existing location and product (per variant when it has variants, limited to
/// `variants` if given). The stock is the product's (variant's) split over the locations: its
/// stock divided by the location id, a simple deterministic spread.
fn stock_rows(
    shared: &Shared,
    locations: &[u64],
    products: &[u64],
    variants: &[u64],
) -> Vec<Value> {
    let db = &shared.db;
    let mut rows = Vec::new();
    for location in locations {
        if !db.exists(Coll::Locations, *location) {
            continue;
        }
        let share = |record: &Value| record["stock"].as_i64().unwrap_or(0) / (*location as i64);
        for product_id in products {
            let Some(product) = db.get(Coll::Products, *product_id) else {
                continue;
            };
            let product_variants = db.all(Coll::Variants(*product_id));
            if product_variants.is_empty() {
                rows.push(json!({"location_id": location, "product_id": product_id, "variant_id": null, "stock": share(&product)}));
            }
            for variant in product_variants {
                let variant_id = variant["id"].as_u64().unwrap_or(0);
                if !variants.is_empty() && !variants.contains(&variant_id) {
                    continue;
                }
                rows.push(json!({"location_id": location, "product_id": product_id, "variant_id": variant_id, "stock": share(&variant)}));
            }
        }
    }
    rows
}

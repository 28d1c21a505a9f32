//! /products_locations: stock of products (and their variants) per location.

use super::respond::{message, ok};
use crate::http::{Request, Response};
use crate::state::Coll;
use crate::Shared;
use serde_json::{json, Value};

/// GET lists stock per (location, product, variant); PUT sets the stock of one of them.
pub(super) fn products_locations(shared: &Shared, req: &Request) -> Response {
    if req.method == "PUT" {
        return update_stock(shared, req);
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

/// PUT /products_locations `{location_id, product_id, variant_id?, stock_unlimited, stock}`
/// (bare, or wrapped in `products_location`): 400 for a missing or mistyped field, an unknown
/// location or product, or a variant that is not the product's (required when it has
/// variants, refused when it has none).
fn update_stock(shared: &Shared, req: &Request) -> Response {
    let body: Value = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(e) => return message(400, &format!("Invalid JSON body: {}", e)),
    };
    let body = body.get("products_location").cloned().unwrap_or(body);
    let id = |key: &str| body.get(key).and_then(Value::as_u64);
    let (Some(location), Some(product)) = (id("location_id"), id("product_id")) else {
        return message(400, "location_id and product_id are required (integers)");
    };
    let (Some(unlimited), Some(stock)) = (
        body.get("stock_unlimited").and_then(Value::as_bool),
        body.get("stock").and_then(Value::as_i64),
    ) else {
        return message(
            400,
            "stock_unlimited (boolean) and stock (integer) are required",
        );
    };
    if stock < 0 {
        return message(400, "stock cannot be negative");
    }
    let db = &shared.db;
    if !db.exists(Coll::Locations, location) {
        return message(400, "Location not found");
    }
    if !db.exists(Coll::Products, product) {
        return message(400, "Product not found");
    }
    let variant = match body.get("variant_id") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(v) => Some(v),
            None => return message(400, "variant_id must be an integer"),
        },
    };
    let has_variants = !db.all(Coll::Variants(product)).is_empty();
    match variant {
        None if has_variants => {
            return message(400, "variant_id is required: the product has variants")
        }
        Some(_) if !has_variants => {
            return message(400, "variant_id given but the product has no variants")
        }
        Some(v) if !db.exists(Coll::Variants(product), v) => {
            return message(400, "Variant not found for this product")
        }
        _ => {}
    }
    db.put(
        Coll::Stock(location, product),
        variant.unwrap_or(0),
        json!({"stock": stock, "stock_unlimited": unlimited}),
    );
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
        // what PUT wrote for (location, product, variant or 0), else the generated split
        let share = |product: u64, variant: u64, record: &Value| match db
            .get(Coll::Stock(*location, product), variant)
        {
            Some(written) => written["stock"].as_i64().unwrap_or(0),
            None => record["stock"].as_i64().unwrap_or(0) / (*location as i64),
        };
        for product_id in products {
            let Some(product) = db.get(Coll::Products, *product_id) else {
                continue;
            };
            let product_variants = db.all(Coll::Variants(*product_id));
            if product_variants.is_empty() {
                rows.push(json!({"location_id": location, "product_id": product_id, "variant_id": null, "stock": share(*product_id, 0, &product)}));
            }
            for variant in product_variants {
                let variant_id = variant["id"].as_u64().unwrap_or(0);
                if !variants.is_empty() && !variants.contains(&variant_id) {
                    continue;
                }
                rows.push(json!({"location_id": location, "product_id": product_id, "variant_id": variant_id, "stock": share(*product_id, variant_id, &variant)}));
            }
        }
    }
    rows
}

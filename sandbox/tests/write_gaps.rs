//! The routes behind the driver's write gaps: image re-positioning, stock per location,
//! customer-group membership and shipping-rate quotes, with their refusals.
mod common;
use common::*;
use serde_json::{json, Value};

/// The first product (from 1) whose `images` array has at least `n` items, and those images.
fn product_with_images(sb: &jumpseller_sandbox::Sandbox, n: usize) -> (u64, Vec<Value>) {
    for id in 1..=50 {
        let (_, p) = get(sb, &format!("/products/{id}.json"));
        let images = p["product"]["images"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if images.len() >= n {
            return (id, images);
        }
    }
    panic!("no product with {n} images");
}

fn positions(sb: &jumpseller_sandbox::Sandbox, product: u64) -> Vec<(u64, u64)> {
    let (_, p) = get(sb, &format!("/products/{product}.json"));
    let mut v: Vec<(u64, u64)> = p["product"]["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["position"].as_u64().unwrap(), i["id"].as_u64().unwrap()))
        .collect();
    v.sort();
    v
}

#[test]
fn image_put_repositions_and_needs_position() {
    let sb = start(unlimited());
    let (product, images) = product_with_images(&sb, 3);
    let last = images.last().unwrap()["id"].as_u64().unwrap();
    let path = format!("/products/{product}/images/{last}.json");
    let (s, answer) = send(&sb, "PUT", &format!("{path}?position=1"), &json!({}));
    assert_eq!(s, 200, "{answer}");
    assert_eq!(answer["image"]["position"], 1);
    let after = positions(&sb, product);
    assert_eq!(after[0], (1, last));
    let numbers: Vec<u64> = after.iter().map(|(p, _)| *p).collect();
    assert_eq!(numbers, (1..=images.len() as u64).collect::<Vec<_>>());
    // beyond the end: last place
    let (s, answer) = send(&sb, "PUT", &format!("{path}?position=99"), &json!({}));
    assert_eq!(s, 200);
    assert_eq!(answer["image"]["position"], images.len() as u64);
    for bad in ["", "?position=", "?position=x"] {
        let (s, e) = send(&sb, "PUT", &format!("{path}{bad}"), &json!({}));
        assert_eq!(s, 400, "{bad}: {e}");
        assert!(e["message"].as_str().unwrap().contains("position"));
    }
    let (s, _) = send(
        &sb,
        "PUT",
        &format!("/products/{product}/images/999999.json?position=1"),
        &json!({}),
    );
    assert_eq!(s, 404);
}

fn stock_of(sb: &jumpseller_sandbox::Sandbox, location: u64, product: u64) -> Vec<Value> {
    let (s, rows) = get(
        sb,
        &format!("/products_locations?location_ids={location}&product_ids={product}"),
    );
    assert_eq!(s, 200);
    rows.as_array().unwrap().clone()
}

#[test]
fn products_locations_put_stores_stock_and_validates() {
    let sb = start(unlimited());
    // a product without variants and one with
    let plain = (1..=60)
        .find(|p| {
            stock_of(&sb, 1, *p)
                .first()
                .is_some_and(|r| r["variant_id"].is_null())
        })
        .unwrap();
    let varied = (1..=60)
        .find(|p| {
            stock_of(&sb, 1, *p)
                .first()
                .is_some_and(|r| !r["variant_id"].is_null())
        })
        .unwrap();
    let body =
        json!({"location_id": 2, "product_id": plain, "stock_unlimited": false, "stock": 77});
    let (s, _) = send(&sb, "PUT", "/products_locations", &body);
    assert_eq!(s, 200);
    assert_eq!(stock_of(&sb, 2, plain)[0]["stock"], 77);
    let variant = stock_of(&sb, 1, varied)[0]["variant_id"].as_u64().unwrap();
    let body = json!({"location_id": 1, "product_id": varied, "variant_id": variant, "stock_unlimited": false, "stock": 5});
    assert_eq!(send(&sb, "PUT", "/products_locations", &body).0, 200);
    let rows = stock_of(&sb, 1, varied);
    let row = rows.iter().find(|r| r["variant_id"] == variant).unwrap();
    assert_eq!(row["stock"], 5);
    for bad in [
        json!({"product_id": plain, "stock_unlimited": false, "stock": 1}),
        json!({"location_id": 1, "product_id": plain, "stock": 1}),
        json!({"location_id": 1, "product_id": plain, "stock_unlimited": false}),
        json!({"location_id": 1, "product_id": plain, "stock_unlimited": false, "stock": -1}),
        json!({"location_id": 99, "product_id": plain, "stock_unlimited": false, "stock": 1}),
        json!({"location_id": 1, "product_id": 999999, "stock_unlimited": false, "stock": 1}),
        json!({"location_id": 1, "product_id": varied, "stock_unlimited": false, "stock": 1}),
        json!({"location_id": 1, "product_id": plain, "variant_id": variant, "stock_unlimited": false, "stock": 1}),
        json!({"location_id": 1, "product_id": varied, "variant_id": 999999, "stock_unlimited": false, "stock": 1}),
    ] {
        let (s, e) = send(&sb, "PUT", "/products_locations", &bad);
        assert_eq!(s, 400, "{bad}: {e}");
        assert!(e["message"].is_string());
    }
}

#[test]
fn category_members_post_adds_by_id_or_email() {
    let sb = start(unlimited());
    let members = |c: u64| -> Vec<u64> {
        get(
            &sb,
            &format!("/customer_categories/{c}/customers.json?limit=100"),
        )
        .1
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["customer"]["id"].as_u64().unwrap())
        .collect()
    };
    let outsider = (1..=100).find(|c| !members(4).contains(c)).unwrap();
    let path = "/customer_categories/4/customers.json";
    let (s, answer) = send(&sb, "POST", path, &json!({"customers": [{"id": outsider}]}));
    assert_eq!(s, 200);
    assert_eq!(answer[0]["customer"]["id"], outsider);
    assert!(members(4).contains(&outsider));
    // again: still one membership
    assert_eq!(
        send(&sb, "POST", path, &json!({"customers": [{"id": outsider}]})).0,
        200
    );
    assert_eq!(members(4).iter().filter(|m| **m == outsider).count(), 1);
    let (_, c) = get(&sb, "/customers/2.json");
    let email = c["customer"]["email"].as_str().unwrap().to_string();
    assert_eq!(
        send(&sb, "POST", path, &json!({"customers": [{"email": email}]})).0,
        200
    );
    assert!(members(4).contains(&2));
    assert_eq!(
        send(
            &sb,
            "POST",
            path,
            &json!({"customers": [{"id": 9_999_999}]})
        )
        .0,
        404
    );
    assert_eq!(
        send(
            &sb,
            "POST",
            "/customer_categories/999/customers.json",
            &json!({"customers": []})
        )
        .0,
        404
    );
}

#[test]
fn fulfillment_rates_need_a_location_and_weigh_packages() {
    let sb = start(unlimited());
    let path = "/fulfillments/rates.json";
    let (s, one) = send(&sb, "POST", path, &json!({"rates": {"location_id": "1"}}));
    assert_eq!(s, 200, "{one}");
    let rates = one.as_array().unwrap();
    assert_eq!(rates.len(), 2);
    for key in ["fulfillment_company", "service_label", "service_type"] {
        assert!(rates[0][key].is_string());
    }
    let heavy = json!({"rates": {"location_id": 1, "order_id": 1,
        "shipping_address": {"city": "Santiago", "country": "CL"},
        "packages_dimensions": [{"length": 10, "width": 10, "height": 10, "weight": 2.5}]}});
    let (s, three) = send(&sb, "POST", path, &heavy);
    assert_eq!(s, 200);
    assert!(three[0]["amount"].as_f64().unwrap() > rates[0]["amount"].as_f64().unwrap());
    assert_eq!(send(&sb, "POST", path, &json!({"rates": {}})).0, 400);
    assert_eq!(send(&sb, "POST", path, &json!({})).0, 400);
    assert_eq!(
        send(&sb, "POST", path, &json!({"rates": {"location_id": 99}})).0,
        404
    );
    assert_eq!(
        send(
            &sb,
            "POST",
            path,
            &json!({"rates": {"location_id": 1, "order_id": 9_999_999}})
        )
        .0,
        404
    );
}

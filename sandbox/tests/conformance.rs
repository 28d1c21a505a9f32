//! Walk every GET route the sandbox serves and validate each body against the response
//! schema of the official OpenAPI document (tests/data copy preferred, else ../../shared).

mod common;
use common::*;
use serde_json::{json, Value};
use std::path::PathBuf;

fn spec() -> Value {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let local = dir.join("tests/data/jumpseller-openapi.json");
    let p = if local.exists() {
        local
    } else {
        dir.join("../../shared/jumpseller-openapi.json")
    };
    serde_json::from_str(&std::fs::read_to_string(&p).expect("openapi document")).unwrap()
}

/// OpenAPI 3.0 -> JSON Schema: the document says every empty value comes back as null
/// ("all empty values are replaced with null"), so every typed property also admits null;
/// `document_type` declares an integer type with string enum labels - the labels are dropped.
fn relax(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(t)) = m.get("type").cloned() {
                m.insert("type".into(), json!([t, "null"]));
                if let Some(Value::Array(e)) = m.get_mut("enum") {
                    let mismatched = t == "integer" && e.iter().any(|x| x.is_string());
                    if mismatched {
                        m.remove("enum");
                    } else {
                        e.push(Value::Null);
                    }
                }
            }
            m.remove("nullable");
            if m.get("required").map(|r| r.is_boolean()).unwrap_or(false) {
                m.remove("required"); // OpenAPI-2 style `required: false` on a property
            }
            m.remove("example");
            for (_, x) in m.iter_mut() {
                relax(x);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(relax),
        _ => {}
    }
}

#[derive(Clone, Copy)]
enum Mode {
    /// body validated as is
    Direct,
    /// spec declares one object, sandbox answers a list of them (documented deviation)
    EachItem,
    /// spec declares the unwrapped object, sandbox wraps it under this key
    Inner(&'static str),
}

#[test]
fn every_route_matches_the_openapi_document() {
    let doc = spec();
    let mut comps = doc["components"].clone();
    relax(&mut comps);
    let sb = start(jumpseller_sandbox::SandboxConfig {
        products: 40,
        orders: 60,
        customers: 30,
        ..unlimited()
    });
    // make sure the sub-resources we walk exist: pick a product that has variants, images, options...
    let (_, p) = get(&sb, "/products.json?limit=40");
    let prods = p.as_array().unwrap();
    let pick = |f: &dyn Fn(&Value) -> bool| {
        prods
            .iter()
            .map(|x| &x["product"])
            .find(|x| f(x))
            .map(|x| x["id"].as_u64().unwrap())
            .expect("product")
    };
    let pv = pick(&|x| {
        !x["variants"].as_array().unwrap().is_empty() && !x["images"].as_array().unwrap().is_empty()
    });
    let vid = get(&sb, &format!("/products/{}/variants.json", pv)).1[0]["variant"]["id"]
        .as_u64()
        .unwrap();
    let iid = get(&sb, &format!("/products/{}/images.json", pv)).1[0]["image"]["id"]
        .as_u64()
        .unwrap();
    let oid = get(&sb, &format!("/products/{}/options.json", pv)).1[0]["option"]["id"]
        .as_u64()
        .unwrap();
    let valid = get(
        &sb,
        &format!("/products/{}/options/{}/values.json", pv, oid),
    )
    .1[0]["value"]["id"]
        .as_u64()
        .unwrap();
    let pa = (1..=40)
        .find(|i| {
            get(&sb, &format!("/products/{}/attachments/count.json", i)).1["count"]
                .as_u64()
                .unwrap()
                > 0
        })
        .unwrap();
    let aid = get(&sb, &format!("/products/{}/attachments.json", pa)).1[0]["attachment"]["id"]
        .as_u64()
        .unwrap();
    let pf = (1..=40)
        .find(|i| {
            get(&sb, &format!("/products/{}/fields/count.json", i)).1["count"]
                .as_u64()
                .unwrap()
                > 0
        })
        .unwrap();
    let pr = (1..=40)
        .find(|i| {
            !get(&sb, &format!("/products/{}/reviews.json", i))
                .1
                .as_array()
                .unwrap()
                .is_empty()
        })
        .unwrap();
    let rid = get(&sb, &format!("/products/{}/reviews.json", pr)).1[0]["review"]["id"]
        .as_u64()
        .unwrap();
    // a digital product (create one if the seed has none in range)
    let (_, dp) = send(
        &sb,
        "POST",
        &format!("/products/{}/digital_products.json", pv),
        &json!({"digital_product": {"url": "https://x.example/f.pdf", "expiration_seconds": 60, "external": false}}),
    );
    let did = dp["digital_product"]["id"].as_u64().unwrap();
    let (_, f) = get(&sb, "/fulfillments.json?limit=1");
    let fid = f[0]["fulfillment"]["id"].as_u64().unwrap();
    let ford = f[0]["fulfillment"]["order_id"].as_u64().unwrap();
    let cat = get(&sb, "/orders/status/abandoned.json?limit=1").1[0]["order"]["id"]
        .as_u64()
        .unwrap();
    let cust_email = get(&sb, "/customers/3.json").1["customer"]["email"]
        .as_str()
        .unwrap()
        .to_string();
    let cf = (1..=30)
        .find(|i| {
            get(&sb, &format!("/customers/{}/fields", i))
                .1
                .as_array()
                .map(|a| !a.is_empty())
                .unwrap_or(false)
        })
        .unwrap();
    let cfid = get(&sb, &format!("/customers/{}/fields", cf)).1[0]["customer_additional_field"]
        ["id"]
        .as_u64()
        .unwrap();
    let pimg = (1..=6)
        .find(|i| {
            !get(&sb, &format!("/pages/{}/images.json", i))
                .1
                .as_array()
                .unwrap()
                .is_empty()
        })
        .unwrap();
    let pimgid = get(&sb, &format!("/pages/{}/images.json", pimg)).1[0]["image"]["id"]
        .as_u64()
        .unwrap();
    let docs = get(&sb, "/documents.json?limit=1").1;
    let doc_order = docs[0]["document"]["order_id"].as_u64().unwrap();

    let routes: Vec<(&str, String, Mode)> = vec![
        ("/store/info.json", "/store/info.json".into(), Mode::Inner("store")),
        ("/store/languages.json", "/store/languages.json".into(), Mode::Direct),
        ("/transaction_ledger/balance.json", "/transaction_ledger/balance.json".into(), Mode::Direct),
        ("/products.json", "/products.json?limit=40".into(), Mode::Direct),
        ("/products/count.json", "/products/count.json".into(), Mode::Direct),
        ("/products/after/{id}.json", "/products/after/10.json".into(), Mode::Direct),
        ("/products/status/{status}.json", "/products/status/available.json".into(), Mode::Direct),
        ("/products/status/{status}/count.json", "/products/status/disabled/count.json".into(), Mode::Direct),
        ("/products/category/{category_id}.json", "/products/category/2.json".into(), Mode::Direct),
        ("/products/category/{category_id}/count.json", "/products/category/2/count.json".into(), Mode::Direct),
        ("/products/search.json", "/products/search.json?query=a".into(), Mode::Direct),
        ("/products/{id}.json", format!("/products/{}.json", pv), Mode::Direct),
        ("/products/{id}/reviews.json", format!("/products/{}/reviews.json", pr), Mode::Direct),
        ("/products/reviews/{review_id}.json", format!("/products/reviews/{}.json", rid), Mode::Direct),
        ("/products/reviews.json", "/products/reviews.json".into(), Mode::Direct),
        ("/products/{id}/options.json", format!("/products/{}/options.json", pv), Mode::Direct),
        ("/products/{id}/options/count.json", format!("/products/{}/options/count.json", pv), Mode::Direct),
        ("/products/{id}/options/{option_id}.json", format!("/products/{}/options/{}.json", pv, oid), Mode::Direct),
        ("/products/{id}/options/{option_id}/values.json", format!("/products/{}/options/{}/values.json", pv, oid), Mode::Direct),
        ("/products/{id}/options/{option_id}/values/count.json", format!("/products/{}/options/{}/values/count.json", pv, oid), Mode::Direct),
        ("/products/{id}/options/{option_id}/values/{value_id}.json", format!("/products/{}/options/{}/values/{}.json", pv, oid, valid), Mode::Direct),
        ("/products/{id}/variants.json", format!("/products/{}/variants.json", pv), Mode::Direct),
        ("/products/{id}/variants/count.json", format!("/products/{}/variants/count.json", pv), Mode::Direct),
        ("/products/{id}/variants/{variant_id}.json", format!("/products/{}/variants/{}.json", pv, vid), Mode::Direct),
        ("/products/{id}/images.json", format!("/products/{}/images.json", pv), Mode::Direct),
        ("/products/{id}/images/count.json", format!("/products/{}/images/count.json", pv), Mode::Direct),
        ("/products/{id}/images/{image_id}.json", format!("/products/{}/images/{}.json", pv, iid), Mode::Direct),
        ("/products/{id}/attachments.json", format!("/products/{}/attachments.json", pa), Mode::Direct),
        ("/products/{id}/attachments/count.json", format!("/products/{}/attachments/count.json", pa), Mode::Direct),
        ("/products/{id}/attachments/{attachment_id}.json", format!("/products/{}/attachments/{}.json", pa, aid), Mode::Direct),
        ("/products/{id}/digital_products.json", format!("/products/{}/digital_products.json", pv), Mode::Direct),
        ("/products/{id}/digital_products/count.json", format!("/products/{}/digital_products/count.json", pv), Mode::Direct),
        ("/products/{id}/digital_products/{digital_product_id}.json", format!("/products/{}/digital_products/{}.json", pv, did), Mode::Direct),
        ("/products/{id}/fields.json", format!("/products/{}/fields.json", pf), Mode::Direct),
        ("/products/{id}/fields/count.json", format!("/products/{}/fields/count.json", pf), Mode::Direct),
        ("/categories.json", "/categories.json".into(), Mode::EachItem),
        ("/categories/count.json", "/categories/count.json".into(), Mode::Direct),
        ("/categories/{id}.json", "/categories/5.json".into(), Mode::Direct),
        ("/orders.json", "/orders.json?limit=60".into(), Mode::Direct),
        ("/orders.json", "/orders.json?status_filters[]=paid&dateFilter=customDate&initialDate=2024-01-01&finalDate=2025-06-30".into(), Mode::Direct),
        ("/orders/count.json", "/orders/count.json".into(), Mode::Direct),
        ("/orders/status/{status}.json", "/orders/status/paid.json".into(), Mode::Direct),
        ("/orders/{id}.json", "/orders/7.json".into(), Mode::Direct),
        ("/orders/search.json", "/orders/search.json?query=a".into(), Mode::Direct),
        ("/orders/after/{id}.json", "/orders/after/50.json".into(), Mode::EachItem),
        ("/orders/{id}/history.json", "/orders/7/history.json".into(), Mode::Direct),
        ("/orders/{id}/documents.json", format!("/orders/{}/documents.json", doc_order), Mode::Direct),
        ("/fulfillments/count.json", "/fulfillments/count.json".into(), Mode::Direct),
        ("/fulfillments.json", "/fulfillments.json".into(), Mode::Direct),
        ("/fulfillments/{id}.json", format!("/fulfillments/{}.json", fid), Mode::Direct),
        ("/order/{id}/fulfillments.json", format!("/order/{}/fulfillments.json", ford), Mode::Direct),
        ("/carts/{id}.json", format!("/carts/{}.json", cat), Mode::Direct),
        ("/documents.json", "/documents.json".into(), Mode::Direct),
        ("/pages.json", "/pages.json".into(), Mode::Direct),
        ("/pages/count.json", "/pages/count.json".into(), Mode::Direct),
        ("/pages/{id}.json", "/pages/1.json".into(), Mode::Direct),
        ("/pages/{id}/images.json", format!("/pages/{}/images.json", pimg), Mode::Direct),
        ("/pages/{id}/images/count.json", format!("/pages/{}/images/count.json", pimg), Mode::Direct),
        ("/pages/{id}/images/{image_id}.json", format!("/pages/{}/images/{}.json", pimg, pimgid), Mode::Direct),
        ("/customers.json", "/customers.json?limit=30".into(), Mode::Direct),
        ("/customers/count.json", "/customers/count.json".into(), Mode::Direct),
        ("/customers/email/{email}.json", format!("/customers/email/{}.json", cust_email), Mode::Direct),
        ("/customers/{id}/orders.json", "/customers/1/orders.json".into(), Mode::Direct),
        ("/customers/{id}/orders/status/{status}.json", "/customers/1/orders/status/Paid.json".into(), Mode::Direct),
        ("/customers/{id}.json", "/customers/3.json".into(), Mode::Direct),
        ("/customers/search.json", "/customers/search.json?query=a".into(), Mode::Direct),
        ("/customers/{id}/fields", format!("/customers/{}/fields", cf), Mode::Direct),
        ("/customers/{id}/fields/{field_id}", format!("/customers/{}/fields/{}", cf, cfid), Mode::Direct),
        ("/customer_categories.json", "/customer_categories.json".into(), Mode::Direct),
        ("/customer_categories/{id}.json", "/customer_categories/2.json".into(), Mode::Direct),
        ("/customer_categories/{id}/customers.json", "/customer_categories/2/customers.json".into(), Mode::Direct),
        ("/promotions.json", "/promotions.json".into(), Mode::Direct),
        ("/promotions/{id}.json", "/promotions/1.json".into(), Mode::Direct),
        ("/payment_methods.json", "/payment_methods.json".into(), Mode::Direct),
        ("/payment_methods/{id}.json", "/payment_methods/2.json".into(), Mode::Direct),
        ("/shipping_methods.json", "/shipping_methods.json".into(), Mode::Direct),
        ("/shipping_methods/{id}.json", "/shipping_methods/2.json".into(), Mode::Direct),
        ("/locations.json", "/locations.json".into(), Mode::Direct),
        ("/custom_fields.json", "/custom_fields.json".into(), Mode::Direct),
        ("/custom_fields/{id}.json", "/custom_fields/2.json".into(), Mode::Direct),
        ("/custom_fields/{id}/select_options.json", "/custom_fields/2/select_options.json".into(), Mode::Direct),
        ("/custom_fields/{id}/select_options/{custom_field_select_option_id}.json", "/custom_fields/2/select_options/21.json".into(), Mode::Direct),
        ("/checkout_custom_fields.json", "/checkout_custom_fields.json".into(), Mode::Direct),
        ("/checkout_custom_fields/{id}.json", "/checkout_custom_fields/3.json".into(), Mode::Direct),
        ("/countries.json", "/countries.json".into(), Mode::Direct),
        ("/countries/{country_code}.json", "/countries/CL.json".into(), Mode::Direct),
        ("/countries/{country_code}/regions.json", "/countries/CL/regions.json".into(), Mode::Direct),
        ("/countries/{country_code}/regions/{region_code}.json", "/countries/CL/regions/RM.json".into(), Mode::Direct),
        ("/countries/{country_code}/regions/{region_code}/municipalities.json", "/countries/CL/regions/RM/municipalities.json".into(), Mode::Direct),
        ("/taxes.json", "/taxes.json".into(), Mode::Direct),
        ("/taxes/{id}.json", "/taxes/1.json".into(), Mode::Direct),
        ("/hooks.json", "/hooks.json".into(), Mode::Direct),
        ("/hooks/{id}.json", "/hooks/1.json".into(), Mode::Direct),
        ("/jsapps.json", "/jsapps.json".into(), Mode::Direct),
        ("/jsapps/{code}.json", "/jsapps/sandbox-app.json".into(), Mode::Direct),
        ("/products_locations", "/products_locations?location_ids=1,2&product_ids=1,2,3".into(), Mode::Direct),
        ("/products_locations", "/products_locations.json?location_ids=1&product_ids=4".into(), Mode::Direct),
    ];
    let mut failures = Vec::new();
    for (tpl, url, mode) in &routes {
        let ptr = format!(
            "/paths/{}/get/responses/200/content/application~1json/schema",
            tpl.replace('~', "~0").replace('/', "~1")
        );
        let mut schema = doc
            .pointer(&ptr)
            .unwrap_or_else(|| panic!("no schema for {}", tpl))
            .clone();
        relax(&mut schema);
        let root = json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "components": comps, "$defs": {"route": schema}, "$ref": "#/$defs/route"});
        let v = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(false)
            .build(&root)
            .expect("schema compiles");
        if *tpl == "/products.json" {
            // negative control: the validator really checks types
            assert!(
                !v.is_valid(&json!([{"product": {"id": "not-a-number", "price": "12"}}])),
                "validator accepted a bad product"
            );
        }
        let (st, body) = get(&sb, url);
        assert_eq!(st, 200, "GET {} -> {} {}", url, st, body);
        let instances: Vec<Value> = match mode {
            Mode::Direct => vec![body.clone()],
            Mode::EachItem => {
                let a = body
                    .as_array()
                    .unwrap_or_else(|| panic!("{} should be a list", url))
                    .clone();
                assert!(
                    !a.is_empty(),
                    "{} returned an empty list; nothing validated",
                    url
                );
                a
            }
            Mode::Inner(k) => vec![body[*k].clone()],
        };
        if let Value::Array(a) = &body {
            assert!(
                !a.is_empty() || url.contains("documents"),
                "{} returned an empty list; nothing validated",
                url
            );
        }
        for inst in &instances {
            for e in v.iter_errors(inst) {
                failures.push(format!("{} [{}]: {} at {}", url, tpl, e, e.instance_path()));
            }
        }
    }
    // write endpoints: validate a few create/update answers too
    let writes: Vec<(&str, &str, &str, String, Value)> = vec![
        (
            "/products.json",
            "post",
            "POST",
            "/products.json".into(),
            json!({"product": {"name": "Nuevo 🎉", "price": 12.10, "variants": [{"variant": {"price": 13.5, "sku": "N-1"}}]}}),
        ),
        (
            "/products/{id}.json",
            "put",
            "PUT",
            format!("/products/{}.json", pv),
            json!({"product": {"price": 24.99, "stock": 85}}),
        ),
        (
            "/customers.json",
            "post",
            "POST",
            "/customers.json".into(),
            json!({"customer": {"email": "nuevo.cliente@example.com", "phone": "+56 9 1111 2222", "customer_category": [1]}}),
        ),
        (
            "/orders.json",
            "post",
            "POST",
            "/orders.json".into(),
            json!({"order": {"status": "paid", "products": [{"id": 1, "qty": 2, "price": 10.5}], "customer": {"id": 2}}}),
        ),
        (
            "/orders/{id}.json",
            "put",
            "PUT",
            "/orders/3.json".into(),
            json!({"order": {"status": "Canceled"}}),
        ),
        (
            "/categories.json",
            "post",
            "POST",
            "/categories.json".into(),
            json!({"category": {"name": "Temporada", "parent_id": 1}}),
        ),
        (
            "/hooks.json",
            "post",
            "POST",
            "/hooks.json".into(),
            json!({"hook": {"event": "order_paid", "url": "https://h.example.com/x"}}),
        ),
        (
            "/orders/{id}/history.json",
            "post",
            "POST",
            "/orders/3/history.json".into(),
            json!({"order_history": {"message": "hola"}}),
        ),
        (
            "/fulfillments.json",
            "post",
            "POST",
            "/fulfillments.json".into(),
            json!({"fulfillment": {"order_id": 3, "type": "manual", "location_id": 1}}),
        ),
        (
            "/promotions.json",
            "post",
            "POST",
            "/promotions.json".into(),
            json!({"promotion": {"name": "Nueva", "discount_amount_percent": 15}}),
        ),
        (
            "/pages.json",
            "post",
            "POST",
            "/pages.json".into(),
            json!({"page": {"title": "Nueva página", "status": "public", "categories": [1], "template": "page"}}),
        ),
        (
            "/taxes.json",
            "post",
            "POST",
            "/taxes.json".into(),
            json!({"tax": {"name": "Nuevo", "tax": 5.5, "country": "CL"}}),
        ),
        (
            "/custom_fields.json",
            "post",
            "POST",
            "/custom_fields.json".into(),
            json!({"custom_field": {"label": "Talla zapato", "type": "input"}}),
        ),
        (
            "/checkout_custom_fields.json",
            "post",
            "POST",
            "/checkout_custom_fields.json".into(),
            json!({"checkout_custom_field": {"label": "Empresa", "type": "input", "area": "other"}}),
        ),
        (
            "/customer_categories.json",
            "post",
            "POST",
            "/customer_categories.json".into(),
            json!({"customer_category": {"name": "Nueva"}}),
        ),
        (
            "/products/{id}/variants.json",
            "post",
            "POST",
            format!("/products/{}/variants.json", pv),
            json!({"variant": {"price": 99.9, "sku": "X"}}),
        ),
        (
            "/products/{id}/options.json",
            "post",
            "POST",
            format!("/products/{}/options.json", pv),
            json!({"option": {"name": "Material", "option_type": "option"}}),
        ),
    ];
    for (tpl, lm, m, url, body) in &writes {
        let ptr = format!(
            "/paths/{}/{}/responses/200/content/application~1json/schema",
            tpl.replace('/', "~1"),
            lm
        );
        let mut schema = doc
            .pointer(&ptr)
            .unwrap_or_else(|| panic!("no schema for {} {}", m, tpl))
            .clone();
        relax(&mut schema);
        let root =
            json!({"components": comps, "$defs": {"route": schema}, "$ref": "#/$defs/route"});
        let v = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(false)
            .build(&root)
            .unwrap();
        let (st, resp) = send(&sb, m, url, body);
        assert_eq!(st, 200, "{} {} -> {} {}", m, url, st, resp);
        for e in v.iter_errors(&resp) {
            failures.push(format!("{} {}: {} at {}", m, url, e, e.instance_path()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} schema violations:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

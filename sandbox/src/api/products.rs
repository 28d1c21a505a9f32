//! /products and everything under it: lists (with the text fast path), pushdown filters,
//! search, reviews, and the sub-resources of one product.

use super::crud::{
    as_stored, children_page, create_record, crud, insert_new, paging, parse_id, read_body,
    Resource,
};
use super::respond::{list, list_ids, message, no_route, not_found, ok, validation_errors};
use super::validate::{validate, WriteKind};
use crate::data::PRODUCT_STATUS;
use crate::http::{Request, Response};
use crate::jw::W;
use crate::state::{Coll, Db, Filter, NESTED_ID_BASE};
use crate::Shared;
use serde_json::{json, Value};

const PRODUCTS: Resource = Resource::new(Coll::Products, "product", "Product");

pub(super) fn route(shared: &Shared, req: &Request, rest: &[&str]) -> Response {
    let db = &shared.db;
    let filtered_page = |filter: Filter| -> Response {
        let (offset, limit) = paging(req, 100);
        product_page(
            shared,
            db.ids(Coll::Products, false, offset, limit, Some(filter)),
        )
    };
    match (req.method.as_str(), rest) {
        ("GET", []) => {
            let (offset, limit) = paging(req, 100);
            product_page(shared, db.ids(Coll::Products, false, offset, limit, None))
        }
        ("POST", []) => create_product(shared, req),
        ("GET", ["after", after]) => {
            let Some(after) = parse_id(after) else {
                return not_found("Product");
            };
            filtered_page(&|id, _| id > after)
        }
        ("GET", ["status", status]) | ("GET", ["status", status, "count"]) => {
            let status = status.to_lowercase();
            if !PRODUCT_STATUS.contains(&status.as_str()) {
                return message(
                    404,
                    &format!(
                        "Invalid status: {} (use available, not-available or disabled)",
                        status
                    ),
                );
            }
            let filter = |id: u64, written: Option<&Value>| match written {
                Some(v) => v["status"].as_str() == Some(status.as_str()),
                None => db.gen.product_status(id) == status,
            };
            if rest.len() == 3 {
                return ok(json!({"count": db.count(Coll::Products, Some(&filter))}));
            }
            filtered_page(&filter)
        }
        ("GET", ["category", category]) | ("GET", ["category", category, "count"]) => {
            let Some(category) = parse_id(category) else {
                return not_found("Category");
            };
            if !db.exists(Coll::Categories, category) {
                return not_found("Category");
            }
            let filter = |id: u64, written: Option<&Value>| match written {
                Some(v) => v["categories"]
                    .as_array()
                    .map(|a| a.iter().any(|c| c["id"].as_u64() == Some(category)))
                    .unwrap_or(false),
                None => db.gen.product_category_ids(id).contains(&category),
            };
            if rest.len() == 3 {
                return ok(json!({"count": db.count(Coll::Products, Some(&filter))}));
            }
            filtered_page(&filter)
        }
        ("GET", ["search"]) => {
            let Some(search) = ProductSearch::from_request(req) else {
                return message(404, "Invalid search: query is required");
            };
            filtered_page(&|id, written| search.matches(shared, id, written))
        }
        ("GET", ["reviews"]) => {
            let (offset, limit) = paging(req, 100);
            list(
                "review",
                children_page(db, Coll::Products, Coll::Reviews, offset, limit),
            )
        }
        ("GET", ["reviews", review]) => {
            let Some(review) = parse_id(review) else {
                return not_found("Review");
            };
            // a review's id encodes its product: product_id * 10 + k
            match db.get(Coll::Reviews(review / 10), review) {
                Some(r) => ok(json!({"review": r})),
                None => not_found("Review"),
            }
        }
        (_, [id, sub, tail @ ..]) if parse_id(id).is_some() => {
            let product = parse_id(id).unwrap();
            if !db.exists(Coll::Products, product) {
                return not_found("Product");
            }
            sub_resource(shared, req, product, sub, tail)
        }
        _ => crud(shared, req, &PRODUCTS, rest, &|shared, p| {
            product_full(&shared.db, p)
        }),
    }
}

/// A product page: untouched products are generated as text, the rest assembled from the
/// overlay.
pub(super) fn product_page(shared: &Shared, ids: Vec<u64>) -> Response {
    let db = &shared.db;
    let fast = |id: u64, w: &mut W| {
        // created products (ids past the base) have no generated text
        let untouched = id < NESTED_ID_BASE / 10
            && db.pristine(&[
                (Coll::Products, Some(id)),
                (Coll::Categories, None),
                (Coll::Images(id), None),
                (Coll::Variants(id), None),
                (Coll::DigitalProducts(id), None),
            ]);
        if untouched {
            db.gen.write_product_full(id, w);
        }
        untouched
    };
    list_ids("product", ids, &fast, &|id| {
        db.get(Coll::Products, id)
            .map(|v| product_full(&shared.db, v))
    })
}

/// A stored product as served: its categories as they are now, and its current images,
/// variants and digital products.
pub(crate) fn product_full(db: &Db, mut product: Value) -> Value {
    let id = product["id"].as_u64().unwrap_or(0);
    if let Some(categories) = product
        .get("categories")
        .and_then(|c| c.as_array())
        .cloned()
    {
        let current: Vec<Value> = categories
            .iter()
            .filter_map(|c| c.get("id").and_then(|i| i.as_u64()))
            .filter_map(|category| db.get(Coll::Categories, category))
            .collect();
        product["categories"] = Value::Array(current);
    }
    product["images"] = Value::Array(db.all(Coll::Images(id)));
    product["variants"] = Value::Array(db.all(Coll::Variants(id)));
    product["digital_products"] = Value::Array(db.all(Coll::DigitalProducts(id)));
    product
}

/// POST /products: the product, then any variants given inline (invalid ones are skipped)
fn create_product(shared: &Shared, req: &Request) -> Response {
    let db = &shared.db;
    let raw: Option<Value> = serde_json::from_slice(&req.body).ok();
    let created = create_record(shared, req, &PRODUCTS, &as_stored);
    if created.status != 200 {
        return created;
    }
    let answer: Value = serde_json::from_slice(&created.body).unwrap_or(Value::Null);
    let id = answer["product"]["id"].as_u64().unwrap_or(0);
    if let Some(variants) = raw
        .as_ref()
        .and_then(|b| b["product"]["variants"].as_array())
    {
        for given in variants {
            let inner = given.get("variant").unwrap_or(given);
            if let Value::Object(mut body) = inner.clone() {
                let coll = Coll::Variants(id);
                if validate(shared, coll, &mut body, WriteKind::Create).is_ok() {
                    insert_new(shared, coll, &body);
                }
            }
        }
    }
    match db.get(Coll::Products, id) {
        Some(p) => ok(json!({"product": product_full(&shared.db, p)})),
        None => created,
    }
}

/// The parameters of /products/search: a query matched (case-insensitively, as a substring)
/// against some text fields, optionally narrowed by status and categories.
struct ProductSearch {
    query: String,
    fields: Vec<String>,
    status: Option<String>,
    categories: Vec<u64>,
}

impl ProductSearch {
    /// None when the query parameter is missing
    fn from_request(req: &Request) -> Option<ProductSearch> {
        let query = req.q("query").map(|q| q.trim().to_lowercase())?;
        let fields: Vec<String> = req
            .q("fields")
            .map(|f| f.split(',').map(|s| s.trim().to_string()).collect())
            .unwrap_or_else(|| {
                vec![
                    "name".into(),
                    "sku".into(),
                    "brand".into(),
                    "barcode".into(),
                ]
            });
        let status = req.q("status").map(|s| s.to_string());
        let categories: Vec<u64> = req
            .q("categories")
            .map(|c| c.split(',').filter_map(|x| x.trim().parse().ok()).collect())
            .unwrap_or_default();
        Some(ProductSearch {
            query,
            fields,
            status,
            categories,
        })
    }

    fn matches(&self, shared: &Shared, id: u64, written: Option<&Value>) -> bool {
        let db = &shared.db;
        let generated;
        let product = match written {
            Some(v) => v,
            None => {
                // cheap pre-check: a name-only search needs just the light name function
                if self.fields.len() == 1
                    && self.fields[0] == "name"
                    && !db.gen.product_name(id).to_lowercase().contains(&self.query)
                {
                    return false;
                }
                generated = db.base_gen(Coll::Products, id);
                &generated
            }
        };
        if let Some(status) = &self.status {
            // "featured" is searched as a status though it is a flag
            let status_ok = if status == "featured" {
                product["featured"] == true
            } else {
                product["status"].as_str() == Some(status.as_str())
            };
            if !status_ok {
                return false;
            }
        }
        if !self.categories.is_empty() && !self.in_categories(product) {
            return false;
        }
        self.query.is_empty()
            || self.fields.iter().any(|k| {
                product
                    .get(k.as_str())
                    .and_then(|x| x.as_str())
                    .map(|s| s.to_lowercase().contains(&self.query))
                    .unwrap_or(false)
            })
    }

    fn in_categories(&self, product: &Value) -> bool {
        product["categories"]
            .as_array()
            .map(|a| {
                a.iter().any(|c| {
                    c["id"]
                        .as_u64()
                        .map(|i| self.categories.contains(&i))
                        .unwrap_or(false)
                })
            })
            .unwrap_or(false)
    }
}

/// the collection of a sub-resource, given its parent's id
type ChildColl = fn(u64) -> Coll;

/// Sub-collections of a product served by the generic CRUD alone:
/// (path segment, collection of product n, wrapper key, name in messages).
const PLAIN_CHILDREN: &[(&str, ChildColl, &str, &str)] = &[
    ("variants", Coll::Variants, "variant", "Variant"),
    ("images", Coll::Images, "image", "Image"),
    ("attachments", Coll::Attachments, "attachment", "Attachment"),
    (
        "digital_products",
        Coll::DigitalProducts,
        "digital_product",
        "Digital product",
    ),
];

/// /products/{id}/<sub>/..., for an existing product
fn sub_resource(
    shared: &Shared,
    req: &Request,
    product: u64,
    sub: &str,
    tail: &[&str],
) -> Response {
    let method = req.method.as_str();
    if let ("images", [image], "PUT") = (sub, tail, method) {
        return reposition_image(shared, req, product, image);
    }
    if let Some((_, coll, wrapper, name)) = PLAIN_CHILDREN.iter().find(|(s, ..)| *s == sub) {
        return crud(
            shared,
            req,
            &Resource::new(coll(product), wrapper, name),
            tail,
            &as_stored,
        );
    }
    match (sub, tail) {
        ("reviews", tail) if method == "GET" => crud(
            shared,
            req,
            &Resource::new(Coll::Reviews(product), "review", "Review"),
            tail,
            &as_stored,
        ),
        ("fields", []) if method == "POST" => add_field(shared, req, product),
        ("fields", [field]) if method == "DELETE" => delete_field(shared, product, field),
        ("fields", tail) => crud(
            shared,
            req,
            &Resource::new(Coll::Fields(product), "field", "Field"),
            tail,
            &as_stored,
        ),
        ("options", [option, "values", tail @ ..]) => {
            let Some(option) = parse_id(option) else {
                return not_found("Option");
            };
            if !shared.db.exists(Coll::Options(product), option) {
                return not_found("Option");
            }
            let values = Resource::new(Coll::Values(product, option), "value", "Option value");
            crud(shared, req, &values, tail, &as_stored)
        }
        ("options", tail) => {
            // an option is served with its current values
            let with_values = move |shared: &Shared, mut option: Value| {
                let id = option["id"].as_u64().unwrap_or(0);
                option["values"] = Value::Array(shared.db.all(Coll::Values(product, id)));
                option
            };
            let options = Resource::new(Coll::Options(product), "option", "Option");
            crud(shared, req, &options, tail, &with_values)
        }
        _ => no_route(),
    }
}

/// POST /products/{id}/fields: sets a custom field's value on the product; answers the product
fn add_field(shared: &Shared, req: &Request, product: u64) -> Response {
    let db = &shared.db;
    let body = match read_body(req, "field") {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    let Some(custom_field_id) = body.get("id").and_then(|x| x.as_u64()) else {
        return validation_errors(vec!["id can't be blank".into()]);
    };
    let Some(custom_field) = db.get(Coll::CustomFields, custom_field_id) else {
        return not_found("Custom field");
    };
    let id = db.next_id(Coll::Fields(product));
    let variant_id = body
        .get("variants")
        .and_then(|v| v.as_array())
        .and_then(|a| a.first())
        .cloned()
        .unwrap_or(Value::Null);
    let field = json!({"id": id, "custom_field_id": custom_field_id, "type": custom_field["type"],
                       "label": custom_field["label"], "value": body.get("value").cloned().unwrap_or(Value::Null),
                       "value_id": null, "variant_id": variant_id});
    db.put(Coll::Fields(product), id, field);
    let product = db.get(Coll::Products, product).unwrap_or(Value::Null);
    ok(json!({"product": product_full(&shared.db, product)}))
}

fn delete_field(shared: &Shared, product: u64, field: &str) -> Response {
    let db = &shared.db;
    let Some(field) = parse_id(field) else {
        return not_found("Field");
    };
    if !db.exists(Coll::Fields(product), field) {
        return not_found("Field");
    }
    db.delete(Coll::Fields(product), field);
    ok(json!({"message": "Field deleted"}))
}

/// PUT /products/{id}/images/{image_id}.json?position=n: the only change the API offers for an
/// image. The image moves to position n (clamped to 1..=count) and the product's other images
/// close up behind it, so positions stay 1..=count. A missing or non-numeric position is 400.
fn reposition_image(shared: &Shared, req: &Request, product: u64, image: &str) -> Response {
    let db = &shared.db;
    let coll = Coll::Images(product);
    let Some(image) = parse_id(image).filter(|i| db.exists(coll, *i)) else {
        return not_found("Image");
    };
    let Some(wanted) = req.q("position").and_then(|p| p.trim().parse::<u64>().ok()) else {
        return message(
            400,
            "position is required: a whole number, 1 for the first image",
        );
    };
    let mut images = db.all(coll);
    images.sort_by_key(|i| (i["position"].as_u64().unwrap_or(u64::MAX), i["id"].as_u64()));
    let at = images
        .iter()
        .position(|i| i["id"].as_u64() == Some(image))
        .unwrap_or(0);
    let moved = images.remove(at);
    let to = (wanted.max(1) as usize - 1).min(images.len());
    images.insert(to, moved);
    let mut answer = Value::Null;
    for (n, mut record) in images.into_iter().enumerate() {
        let id = record["id"].as_u64().unwrap_or(0);
        if record["position"].as_u64() != Some(n as u64 + 1) || id == image {
            record["position"] = json!(n + 1);
            db.put(coll, id, record.clone());
        }
        if id == image {
            answer = record;
        }
    }
    ok(json!({ "image": answer }))
}

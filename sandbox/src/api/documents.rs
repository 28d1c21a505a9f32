//! Documents (invoices) of orders, addressed by their public id within an order.

use super::crud::{children_page, merge, paging, read_body};
use super::respond::{list, method_not_allowed, no_route, not_found, ok};
use crate::http::{Request, Response};
use crate::state::Coll;
use crate::Shared;
use serde_json::json;

/// GET /documents: every order's documents, orders in id order
pub(super) fn store_wide(shared: &Shared, req: &Request) -> Response {
    let (offset, limit) = paging(req, 100);
    list(
        "document",
        children_page(&shared.db, Coll::Orders, Coll::Documents, offset, limit),
    )
}

/// /orders/{order}/documents/..., for an existing order
pub(super) fn of_order(shared: &Shared, req: &Request, order: u64, tail: &[&str]) -> Response {
    let db = &shared.db;
    let coll = Coll::Documents(order);
    match (req.method.as_str(), tail) {
        ("GET", []) => list("document", db.all(coll)),
        ("POST", []) => {
            let body = match read_body(req, "document") {
                Ok(body) => body,
                Err(refusal) => return refusal,
            };
            let k = db.next_id(coll);
            let mut document = json!({"document_type": 1, "external_id": null, "public_id": format!("doc{}x{}", order, k),
                                      "url": null, "order_id": order, "app_code": null});
            merge(&mut document, &body);
            document["order_id"] = json!(order);
            db.put(coll, k, document.clone());
            ok(json!({"document": document}))
        }
        (method, [public_id]) => {
            let Some(k) = find_by_public_id(shared, order, public_id) else {
                return not_found("Document");
            };
            match method {
                "DELETE" => {
                    db.delete(coll, k);
                    ok(json!("Document deleted"))
                }
                "PUT" => {
                    let body = match read_body(req, "document") {
                        Ok(body) => body,
                        Err(refusal) => return refusal,
                    };
                    let mut document = db.get(coll, k).unwrap();
                    merge(&mut document, &body);
                    db.put(coll, k, document.clone());
                    ok(json!({"document": document}))
                }
                _ => method_not_allowed(),
            }
        }
        _ => no_route(),
    }
}

/// the stored id of the order's document with this public id
fn find_by_public_id(shared: &Shared, order: u64, public_id: &str) -> Option<u64> {
    let db = &shared.db;
    let coll = Coll::Documents(order);
    db.ids(coll, false, 0, u64::MAX, None)
        .into_iter()
        .find(|k| {
            db.get(coll, *k)
                .map(|d| d["public_id"] == *public_id)
                .unwrap_or(false)
        })
}

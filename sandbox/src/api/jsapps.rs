//! /jsapps: the scripts an app adds to the storefront.

use super::crud::{parse_id, read_body};
use super::respond::{list, message, no_route, ok, validation_errors};
use super::validate::{check_enum, required};
use crate::http::{Request, Response};
use crate::state::Coll;
use crate::Shared;
use serde_json::json;

/// the app every js app of the sandbox belongs to
const APPLICATION_ID: u64 = 4242;

const TEMPLATES: &[&str] = &[
    "layout", "home", "product", "page", "category", "cart", "checkout",
];

pub(super) fn route(shared: &Shared, req: &Request, rest: &[&str]) -> Response {
    let db = &shared.db;
    match (req.method.as_str(), rest) {
        ("POST", []) => create(shared, req),
        // the code only has to be there: every app of the store is listed, as the API does
        ("GET", []) | ("GET", [_]) => {
            let apps = db.all(Coll::JsApps);
            if apps.is_empty() {
                return not_found();
            }
            list("js_app", apps)
        }
        ("DELETE", [id]) => {
            let Some(id) = parse_id(id).filter(|id| db.exists(Coll::JsApps, *id)) else {
                return not_found();
            };
            db.delete(Coll::JsApps, id);
            ok(json!({"message": "JsApp deleted"}))
        }
        _ => no_route(),
    }
}

fn not_found() -> Response {
    message(404, "JsApp not found")
}

fn create(shared: &Shared, req: &Request) -> Response {
    let db = &shared.db;
    let body = match read_body(req, "app") {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    let mut errors = Vec::new();
    required(&body, &["url", "template", "element"], &mut errors);
    check_enum(&body, "template", TEMPLATES, &mut errors);
    check_enum(&body, "element", &["body", "head"], &mut errors);
    if !errors.is_empty() {
        return validation_errors(errors);
    }
    let id = db.next_id(Coll::JsApps);
    let app = json!({"id": id, "url": body["url"], "template": body["template"],
                     "element": body["element"], "application_id": APPLICATION_ID});
    db.put(Coll::JsApps, id, app.clone());
    ok(json!({"js_app": app}))
}

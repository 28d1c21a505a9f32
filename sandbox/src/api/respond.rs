//! The response shapes the routes share.

use crate::http::Response;
use crate::jw::W;
use serde_json::{json, Map, Value};

pub(super) fn ok(body: Value) -> Response {
    Response::json(200, &body)
}

/// `{"message": text}`, the API's shape for every error except failed validation
pub(super) fn message(status: u16, text: &str) -> Response {
    Response::json(status, &json!({ "message": text }))
}

/// 404 `{"message": "<what> not found"}` for an id that names no record
pub(super) fn not_found(what: &str) -> Response {
    message(404, &format!("{} not found", what))
}

/// 404 for a path no route serves
pub(super) fn no_route() -> Response {
    message(404, "Not Found")
}

pub(super) fn method_not_allowed() -> Response {
    message(405, "Method Not Allowed")
}

/// 400 `{"errors": [...]}`, the shape of failed validation
pub(super) fn validation_errors(errors: Vec<String>) -> Response {
    Response::json(400, &json!({ "errors": errors }))
}

/// `{wrapper: record}`, how the API wraps every record it returns
pub(super) fn wrap(wrapper: &str, record: Value) -> Value {
    let mut object = Map::new();
    object.insert(wrapper.to_string(), record);
    Value::Object(object)
}

/// a list: a bare array of wrapped records
pub(super) fn list(wrapper: &str, records: Vec<Value>) -> Response {
    ok(Value::Array(
        records.into_iter().map(|r| wrap(wrapper, r)).collect(),
    ))
}

/// A list page written straight as JSON text, which keeps big pages of generated records cheap:
/// `fast` writes a record that no write touched (returning false when it cannot), `slow` builds
/// the `Value` otherwise (`None`: the record is gone and is left out); both give the same bytes.
pub(super) fn list_ids(
    wrapper: &str,
    ids: Vec<u64>,
    fast: &dyn Fn(u64, &mut W) -> bool,
    slow: &dyn Fn(u64) -> Option<Value>,
) -> Response {
    let mut out = W::with_capacity(ids.len() * 4096 + 2);
    out.arr();
    for id in ids {
        let mark = out.buf.len();
        out.obj();
        out.key(wrapper);
        if !fast(id, &mut out) {
            match slow(id) {
                Some(v) => out.value(&v),
                None => {
                    // undo the `{"wrapper":` just written, and the comma before it
                    out.buf.truncate(mark);
                    out.set_comma(mark > 1);
                    continue;
                }
            }
        }
        out.end_obj();
    }
    out.end_arr();
    json_bytes(out.buf)
}

/// 200 with a JSON body that is already text
pub(super) fn json_bytes(body: Vec<u8>) -> Response {
    Response {
        status: 200,
        headers: vec![(
            "Content-Type".into(),
            "application/json; charset=utf-8".into(),
        )],
        body,
    }
}

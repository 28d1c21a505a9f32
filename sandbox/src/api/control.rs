//! The control API under /__sandbox/ (statistics, resets, faults). It is not the Jumpseller
//! API: no auth, no rate limit, not counted.

use super::respond::{message, ok};
use crate::http::{Request, Response};
use crate::{stats_json, Fault, Hook, Mutation, Shared};
use serde_json::{json, Value};

pub(super) fn control(shared: &Shared, req: &Request, rest: &str) -> Response {
    match (req.method.as_str(), rest.trim_end_matches('/')) {
        ("GET", "stats") => ok(stats_json(shared)),
        ("POST", "reset") => {
            shared.reset_stats();
            ok(json!({"ok": true}))
        }
        ("POST", "reset-rate-limits") => {
            shared.reset_rate_limits();
            ok(json!({"ok": true}))
        }
        ("POST", "expire-tokens") => {
            shared.oauth.lock().unwrap().expire_all();
            ok(json!({"ok": true}))
        }
        ("GET", "faults") => list_faults(shared),
        ("POST", "faults") => replace_faults(shared, req),
        ("POST", "export") => export(shared, req),
        ("POST", "mutate") => mutate(shared, req),
        ("POST", "hooks") => replace_hooks(shared, req),
        _ => message(404, "Unknown control endpoint"),
    }
}

fn list_faults(shared: &Shared) -> Response {
    let slots = shared.faults.lock().unwrap();
    ok(Value::Array(
        slots
            .iter()
            .map(|slot| {
                json!({"route": slot.fault.route, "kind": format!("{:?}", slot.fault.kind),
                       "probability": slot.fault.probability, "count": slot.fault.count,
                       "applied": slot.applied})
            })
            .collect(),
    ))
}

/// The body is a fault, an array of them or `{"faults": [...]}`; each is the CLI string form or
/// an object (see `Fault::from_json`). Nothing changes unless every fault parses.
fn replace_faults(shared: &Shared, req: &Request) -> Response {
    let body: Value = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(e) => return message(400, &format!("invalid JSON: {}", e)),
    };
    let items = match body {
        Value::Array(items) => items,
        Value::Object(ref object) if object.contains_key("faults") => {
            object["faults"].as_array().cloned().unwrap_or_default()
        }
        other => vec![other],
    };
    let mut faults: Vec<Fault> = Vec::new();
    for item in &items {
        match Fault::from_json(item) {
            Ok(fault) => faults.push(fault),
            Err(why) => return message(400, &why),
        }
    }
    let count = faults.len();
    shared.set_faults(faults);
    ok(json!({"ok": true, "faults": count}))
}

/// `{"sqlite": "/path"}`: the store as it is now (writes included) as a SQLite file shaped like
/// `export --sqlite` (the oracle of the driver's differential tests after writes).
fn export(shared: &Shared, req: &Request) -> Response {
    let body: Value = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(e) => return message(400, &format!("invalid JSON: {}", e)),
    };
    let Some(path) = body.get("sqlite").and_then(Value::as_str) else {
        return message(400, "export needs {\"sqlite\": \"/path/of/file\"}");
    };
    let _ = std::fs::remove_file(path);
    match crate::export::export_db(&shared.db, std::path::Path::new(path)) {
        Ok(rows) => ok(json!({"ok": true, "rows": rows})),
        Err(e) => message(500, &format!("export failed: {}", e)),
    }
}

/// A mutation or an array of them (`{"create_orders": n}`, `{"delete": "products/5.json"}`),
/// made now, in order.
fn mutate(shared: &Shared, req: &Request) -> Response {
    let body: Value = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(e) => return message(400, &format!("invalid JSON: {}", e)),
    };
    let items = match body {
        Value::Array(items) => items,
        other => vec![other],
    };
    let mut done = 0;
    for item in &items {
        match Mutation::from_json(item) {
            Ok(m) if shared.mutate(&m) => done += 1,
            Ok(m) => return message(422, &format!("refused: {:?}", m)),
            Err(why) => return message(400, &why),
        }
    }
    ok(json!({"ok": true, "mutations": done}))
}

/// A hook or an array of them (see `Hook::from_json`); replaces the hooks in place.
fn replace_hooks(shared: &Shared, req: &Request) -> Response {
    let body: Value = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(e) => return message(400, &format!("invalid JSON: {}", e)),
    };
    let items = match body {
        Value::Array(items) => items,
        other => vec![other],
    };
    let hooks = match items
        .iter()
        .map(Hook::from_json)
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(h) => h,
        Err(why) => return message(400, &why),
    };
    let count = hooks.len();
    shared.set_hooks(hooks);
    ok(json!({"ok": true, "hooks": count}))
}

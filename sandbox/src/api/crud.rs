//! The generic list / count / get / create / update / delete of one collection, and the
//! pieces of it that special routes reuse (paging, reading a body, building a new record).

use super::respond::{list, message, method_not_allowed, no_route, not_found, ok, wrap};
use super::validate::{validate, WriteKind};
use crate::data::{slug, ts, FULFILLMENT_OFFSET};
use crate::http::{Request, Response};
use crate::state::{Coll, Db};
use crate::{now_epoch, Shared};
use serde_json::{json, Map, Value};

/// A collection as the API names it.
pub(super) struct Resource {
    pub coll: Coll,
    /// the key records are wrapped in: `{"category": {...}}`
    pub wrapper: &'static str,
    /// the name in messages: "Category not found"
    pub name: &'static str,
    /// the largest `limit` a list accepts
    pub max_page: u64,
}

impl Resource {
    pub const fn new(coll: Coll, wrapper: &'static str, name: &'static str) -> Resource {
        Resource {
            coll,
            wrapper,
            name,
            max_page: 100,
        }
    }
}

/// Turns a stored record into the served one (e.g. a product gets its current variants).
pub(super) type Assemble<'a> = &'a dyn Fn(&Shared, Value) -> Value;

/// the `Assemble` of collections served as stored
pub(super) fn as_stored(_: &Shared, record: Value) -> Value {
    record
}

pub(super) fn crud(
    shared: &Shared,
    req: &Request,
    resource: &Resource,
    rest: &[&str],
    assemble: Assemble,
) -> Response {
    let db = &shared.db;
    match (req.method.as_str(), rest) {
        ("GET", []) => {
            let (offset, limit) = paging(req, resource.max_page);
            let records = db
                .ids(resource.coll, false, offset, limit, None)
                .into_iter()
                .filter_map(|id| db.get(resource.coll, id))
                .map(|record| assemble(shared, record))
                .collect();
            list(resource.wrapper, records)
        }
        ("POST", []) => create_record(shared, req, resource, assemble),
        ("GET", ["count"]) => ok(json!({"count": db.count(resource.coll, None)})),
        (method, [id]) => {
            let Some(id) = parse_id(id) else {
                return not_found(resource.name);
            };
            let Some(current) = db.get(resource.coll, id) else {
                return not_found(resource.name);
            };
            match method {
                "GET" => ok(wrap(resource.wrapper, assemble(shared, current))),
                "PUT" => update_record(shared, req, resource, id, current, assemble),
                "DELETE" => {
                    db.delete(resource.coll, id);
                    ok(json!(format!("{} deleted", resource.name)))
                }
                _ => method_not_allowed(),
            }
        }
        _ => no_route(),
    }
}

pub(super) fn create_record(
    shared: &Shared,
    req: &Request,
    resource: &Resource,
    assemble: Assemble,
) -> Response {
    let mut body = match read_body(req, resource.wrapper) {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    if let Err(refusal) = validate(shared, resource.coll, &mut body, WriteKind::Create) {
        return refusal;
    }
    let (_, record) = insert_new(shared, resource.coll, &body);
    ok(wrap(resource.wrapper, assemble(shared, record)))
}

/// Stores a new record built from a validated body: the collection's blank record, the body
/// merged in, then the defaults of whatever is still empty. Returns its id and the record.
pub(super) fn insert_new(shared: &Shared, coll: Coll, body: &Map<String, Value>) -> (u64, Value) {
    let db = &shared.db;
    let id = db.next_id(coll);
    let mut record = blank(db, coll);
    merge(&mut record, body);
    apply_defaults(coll, &mut record, id);
    db.put(coll, id, record.clone());
    (id, record)
}

fn update_record(
    shared: &Shared,
    req: &Request,
    resource: &Resource,
    id: u64,
    mut current: Value,
    assemble: Assemble,
) -> Response {
    let coll = resource.coll;
    // images are re-positioned with ?position=, with or without a body
    let position = match coll {
        Coll::Images(_) => req
            .q("position")
            .map(|p| json!(p.parse::<u64>().unwrap_or(1))),
        _ => None,
    };
    let mut body = match (read_body(req, resource.wrapper), &position) {
        (Ok(body), _) => body,
        (Err(_), Some(_)) => Map::new(),
        (Err(refusal), None) => return refusal,
    };
    if let Some(position) = position {
        body.insert("position".into(), position);
    }
    if let Err(refusal) = validate(shared, coll, &mut body, WriteKind::Update(id)) {
        return refusal;
    }
    merge(&mut current, &body);
    if coll == Coll::Products {
        current["updated_at"] = json!(ts(now_epoch()));
    }
    shared.db.put(coll, id, current.clone());
    ok(wrap(resource.wrapper, assemble(shared, current)))
}

/// (offset, limit) from `page` (1-based) and `limit` (default 50, at most `max`)
pub(super) fn paging(req: &Request, max: u64) -> (u64, u64) {
    let page = req
        .q("page")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let limit = req
        .q("limit")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|l| *l >= 1)
        .unwrap_or(50)
        .min(max);
    ((page - 1).saturating_mul(limit), limit)
}

pub(super) fn parse_id(segment: &str) -> Option<u64> {
    segment.parse::<u64>().ok()
}

/// The write body's fields: `{"<wrapper>": {...}}`, or the bare object (the real API accepts
/// both). Err is the 400 to answer.
pub(super) fn read_body(req: &Request, wrapper: &str) -> Result<Map<String, Value>, Response> {
    if req.body.is_empty() {
        return Err(message(
            400,
            &format!(
                "Missing request body: expected {{\"{}\": {{...}}}}",
                wrapper
            ),
        ));
    }
    let body: Value = serde_json::from_slice(&req.body)
        .map_err(|e| message(400, &format!("Invalid JSON body: {}", e)))?;
    match body {
        Value::Object(mut object) => match object.remove(wrapper) {
            Some(Value::Object(inner)) => Ok(inner),
            Some(_) => Err(message(400, &format!("\"{}\" must be an object", wrapper))),
            None => Ok(object),
        },
        _ => Err(message(
            400,
            &format!("Body must be a JSON object {{\"{}\": {{...}}}}", wrapper),
        )),
    }
}

/// The shape of a new record: a generated sample of the collection with every value emptied
/// (arrays to `[]`, the rest to null), so created records have the same keys in the same order.
pub(super) fn blank(db: &Db, coll: Coll) -> Value {
    // an id that exists in every store: the first child of product/order/... 1
    let sample_id = match coll {
        Coll::Variants(_)
        | Coll::Images(_)
        | Coll::Options(_)
        | Coll::Attachments(_)
        | Coll::DigitalProducts(_)
        | Coll::Fields(_)
        | Coll::Reviews(_)
        | Coll::History(_)
        | Coll::Documents(_)
        | Coll::CustomerFields(_)
        | Coll::PageImages(_)
        | Coll::SelectOptions(_) => 11,
        Coll::Values(_, _) => 111,
        Coll::Fulfillments => FULFILLMENT_OFFSET + 1,
        _ => 1,
    };
    let sample_coll = match coll {
        Coll::Values(_, _) => Coll::Values(1, 11),
        other => other,
    };
    let empty = |v: &Value| match v {
        Value::Array(_) => json!([]),
        _ => Value::Null,
    };
    match db.base_gen(sample_coll, sample_id) {
        Value::Object(sample) => {
            Value::Object(sample.iter().map(|(k, v)| (k.clone(), empty(v))).collect())
        }
        _ => json!({}),
    }
}

/// Applies a write body to a record: only keys the record has (unknown keys are ignored, and
/// so is `id`); nested objects are merged, and there keys the record lacks are added.
pub(super) fn merge(base: &mut Value, patch: &Map<String, Value>) {
    let Value::Object(base) = base else {
        return;
    };
    for (key, new) in patch {
        if key == "id" {
            continue;
        }
        let Some(slot) = base.get_mut(key) else {
            continue;
        };
        match (slot, new) {
            (Value::Object(slot_object), Value::Object(patch_object)) => {
                let mut merged = Value::Object(slot_object.clone());
                merge(&mut merged, patch_object);
                if let Value::Object(merged) = merged {
                    *slot_object = merged;
                }
                for (k, v) in patch_object {
                    if !slot_object.contains_key(k) {
                        slot_object.insert(k.clone(), v.clone());
                    }
                }
            }
            (slot, new) => *slot = new.clone(),
        }
    }
}

/// Values a new record gets for the keys a create left empty.
fn fixed_defaults(coll: Coll, now: &Value) -> Vec<(&'static str, Value)> {
    match coll {
        Coll::Products => vec![
            ("status", json!("available")),
            ("type", json!("physical")),
            ("stock", json!(0)),
            ("stock_unlimited", json!(false)),
            ("discount", json!(0)),
            ("featured", json!(false)),
            ("quotable", json!(false)),
            ("reviews_enabled", json!(false)),
            ("stock_notification", json!(false)),
            ("back_in_stock_enabled", json!(false)),
            ("stock_threshold", json!(0)),
            ("package_format", json!("box")),
            ("created_at", now.clone()),
            ("updated_at", now.clone()),
            ("description", json!("")),
        ],
        Coll::Pages => vec![("status", json!("draft")), ("legal", json!(false))],
        Coll::Customers => vec![
            ("status", json!("approved")),
            ("accepts_marketing", json!(false)),
        ],
        Coll::Variants(_) => vec![("stock", json!(0)), ("stock_unlimited", json!(false))],
        Coll::Hooks | Coll::History(_) => vec![("created_at", now.clone())],
        Coll::Promotions => vec![
            ("status", json!("active")),
            ("enabled", json!(true)),
            ("times_used", json!(0)),
            ("begins_at", now.clone()),
        ],
        Coll::CheckoutCustomFields => vec![
            ("required", json!(false)),
            ("deletable", json!(true)),
            ("area", json!("other")),
        ],
        _ => vec![],
    }
}

/// the slug a new record derives from its name: (key, value)
fn derived_slug(coll: Coll, record: &Value, id: u64) -> Option<(&'static str, Value)> {
    let name_or = |fallback: &str| {
        record
            .get("name")
            .or_else(|| record.get("title"))
            .and_then(|x| x.as_str())
            .unwrap_or(fallback)
            .to_string()
    };
    match coll {
        Coll::Products => {
            let name = record["name"].as_str().unwrap_or("product");
            Some(("permalink", json!(format!("{}-{}", slug(name), id))))
        }
        Coll::Categories | Coll::Pages => Some(("permalink", json!(slug(&name_or("item"))))),
        Coll::CustomerCategories => Some(("code", json!(slug(&name_or("item"))))),
        _ => None,
    }
}

/// Sets the id, then fills empty keys. Only keys the blank record has are touched, so the
/// key order stays the collection's.
fn apply_defaults(coll: Coll, record: &mut Value, id: u64) {
    let now = json!(ts(now_epoch()));
    let set_if_null = |record: &mut Value, key: &str, value: Value| {
        if record.get(key).map(|x| x.is_null()).unwrap_or(false) {
            record[key] = value;
        }
    };
    record["id"] = json!(id);
    if let Some((key, value)) = derived_slug(coll, record, id) {
        set_if_null(record, key, value);
    }
    for (key, value) in fixed_defaults(coll, &now) {
        set_if_null(record, key, value);
    }
}

/// One page of a store-wide list of sub-resources (every order's documents,
/// every product's reviews), parents in id order.
pub(super) fn children_page(
    db: &Db,
    parents: Coll,
    child: fn(u64) -> Coll,
    offset: u64,
    limit: u64,
) -> Vec<Value> {
    let mut out = Vec::new();
    let mut skipped = 0;
    for parent in db.ids(parents, false, 0, u64::MAX, None) {
        for record in db.all(child(parent)) {
            if skipped < offset {
                skipped += 1;
                continue;
            }
            out.push(record);
            if out.len() as u64 >= limit {
                return out;
            }
        }
    }
    out
}

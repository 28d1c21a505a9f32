//! Request handling: control API, faults, auth, rate limits and the /v1 routes.

use crate::data::{
    money, parse_date, parse_ts, ts, FULFILLMENT_OFFSET, ORDER_STATUS_ENUM, ORDER_STATUS_LABEL,
    PRODUCT_STATUS, SHIP_ENUM, SHIP_LABEL,
};
use crate::http::{Action, Request, Response};
use crate::jw::W;
use crate::state::{Coll, Filter};
use crate::{now_epoch, oauth, stats_json, Fault, FaultKind, RateDecision, Shared};
use serde_json::{json, Map, Value};

type R = Response;

fn ok(v: Value) -> R {
    R::json(200, &v)
}
fn msg(status: u16, m: &str) -> R {
    R::json(status, &json!({ "message": m }))
}
fn nf(what: &str) -> R {
    msg(404, &format!("{} not found", what))
}
fn errors(status: u16, e: Vec<String>) -> R {
    R::json(status, &json!({ "errors": e }))
}
fn wrap(w: &str, v: Value) -> Value {
    let mut m = Map::new();
    m.insert(w.to_string(), v);
    Value::Object(m)
}
fn list(w: &str, vs: Vec<Value>) -> R {
    ok(Value::Array(vs.into_iter().map(|v| wrap(w, v)).collect()))
}

/// a list page written straight as JSON text: `fast` writes a record that no write touched
/// (returning false when it cannot), `slow` builds the `Value` otherwise; both give the same bytes
fn list_ids(
    w: &str,
    ids: Vec<u64>,
    fast: &dyn Fn(u64, &mut W) -> bool,
    slow: &dyn Fn(u64) -> Option<Value>,
) -> R {
    let mut out = W::with_capacity(ids.len() * 4096 + 2);
    out.arr();
    for id in ids {
        let mark = out.buf.len();
        out.obj();
        out.key(w);
        if !fast(id, &mut out) {
            match slow(id) {
                Some(v) => out.value(&v),
                None => {
                    out.buf.truncate(mark);
                    out.set_comma(mark > 1);
                    continue;
                }
            }
        }
        out.end_obj();
    }
    out.end_arr();
    R {
        status: 200,
        headers: vec![(
            "Content-Type".into(),
            "application/json; charset=utf-8".into(),
        )],
        body: out.buf,
    }
}

/// a product page: untouched products are generated as text, the rest assembled from the overlay
fn product_page(sh: &Shared, ids: Vec<u64>) -> R {
    let db = &sh.db;
    let fast = |id: u64, w: &mut W| {
        let ok = id < crate::state::NESTED_ID_BASE / 10
            && db.pristine(&[
                (Coll::Products, Some(id)),
                (Coll::Categories, None),
                (Coll::Images(id), None),
                (Coll::Variants(id), None),
                (Coll::DigitalProducts(id), None),
            ]);
        if ok {
            db.gen.write_product_full(id, w);
        }
        ok
    };
    list_ids("product", ids, &fast, &|id| {
        db.get(Coll::Products, id).map(|v| product_full(sh, v))
    })
}

/// an order page (no `fields` projection): untouched orders are generated as text
fn order_page(sh: &Shared, ids: Vec<u64>) -> R {
    let db = &sh.db;
    let fast = |id: u64, w: &mut W| {
        let ok = db.pristine(&[(Coll::Orders, Some(id))]);
        if ok {
            db.gen.write_order(id, w);
        }
        ok
    };
    list_ids("order", ids, &fast, &|id| db.get(Coll::Orders, id))
}

/// normalised route key for statistics, e.g. "GET /products/{id}/variants.json"
pub fn route_key(method: &str, path: &str) -> String {
    let p = path.strip_prefix("/v1").unwrap_or(path);
    let segs: Vec<&str> = p.split('/').collect();
    let mut out: Vec<String> = Vec::new();
    for (i, s) in segs.iter().enumerate() {
        let (stem, ext) = match s.strip_suffix(".json") {
            Some(st) => (st, ".json"),
            None => (*s, ""),
        };
        let prev = if i > 0 { segs[i - 1] } else { "" };
        let name = if !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit()) {
            "{id}".to_string()
        } else if prev == "status" && !path.starts_with("/oauth") {
            "{status}".to_string()
        } else if prev == "email" {
            "{email}".to_string()
        } else if prev == "countries" && !stem.is_empty() {
            "{country_code}".to_string()
        } else if prev == "regions" && !stem.is_empty() {
            "{region_code}".to_string()
        } else if prev == "documents" && !stem.is_empty() {
            "{public_id}".to_string()
        } else if prev == "jsapps" && !stem.is_empty() {
            "{code}".to_string()
        } else {
            stem.to_string()
        };
        out.push(format!("{}{}", name, ext));
    }
    format!("{} {}", method, out.join("/"))
}

/// One page of a store-wide list of sub-resources (every order's documents,
/// every product's reviews), parents in id order.
fn children_page(
    db: &crate::state::Db,
    parents: Coll,
    child: fn(u64) -> Coll,
    off: u64,
    lim: u64,
) -> Vec<Value> {
    let mut out = Vec::new();
    let mut skipped = 0;
    for p in db.ids(parents, false, 0, u64::MAX, None) {
        for c in db.all(child(p)) {
            if skipped < off {
                skipped += 1;
                continue;
            }
            out.push(c);
            if out.len() as u64 >= lim {
                return out;
            }
        }
    }
    out
}

pub fn handle(sh: &Shared, req: &Request) -> Action {
    if let Some(rest) = req.path.strip_prefix("/__sandbox/") {
        return Action::Respond(control(sh, req, rest));
    }
    let is_v1 = req.path.starts_with("/v1/");
    let is_oauth = req.path.starts_with("/oauth/");
    if !is_v1 && !is_oauth {
        return Action::Respond(msg(404, "Not Found"));
    }
    sh.count(route_key(&req.method, &req.path));
    let fault = sh.pick_fault(&req.path);
    if let Some(FaultKind::Latency { ms, jitter_ms }) = &fault {
        sh.sleep(ms + sh.jitter(*jitter_ms));
    }
    if is_v1 && (sh.cfg.latency_ms > 0 || sh.cfg.jitter_ms > 0) {
        sh.sleep(sh.cfg.latency_ms + sh.jitter(sh.cfg.jitter_ms));
    }
    match &fault {
        Some(FaultKind::Reset) => return Action::Reset,
        Some(FaultKind::Status(code)) => {
            let r = msg(*code, &format!("Sandbox fault: HTTP {}", code));
            return Action::Respond(if is_v1 {
                rate_headers(r, sh.cfg.per_second, sh.cfg.per_minute, sh)
            } else {
                r
            });
        }
        Some(FaultKind::MalformedJson) => {
            let body = b"[{\"product\": {\"id\": 1, \"name\": \"Camiseta\", \"price\": 12.99,, \"status\": \"availa".to_vec();
            return Action::Respond(R {
                status: 200,
                headers: vec![(
                    "Content-Type".into(),
                    "application/json; charset=utf-8".into(),
                )],
                body,
            });
        }
        _ => {}
    }
    let resp = if is_oauth {
        oauth_route(sh, req)
    } else {
        v1(sh, req)
    };
    match fault {
        Some(FaultKind::Truncate) => Action::Truncate(resp),
        Some(FaultKind::Stall(ms)) => Action::Stall(resp, ms),
        _ => Action::Respond(resp),
    }
}

fn control(sh: &Shared, req: &Request, rest: &str) -> R {
    match (req.method.as_str(), rest.trim_end_matches('/')) {
        ("GET", "stats") => ok(stats_json(sh)),
        ("POST", "reset") => {
            *sh.stats.lock().unwrap() = Default::default();
            ok(json!({"ok": true}))
        }
        ("POST", "reset-rate-limits") => {
            let mut r = sh.rate.lock().unwrap();
            r.hits.clear();
            r.rejected = 0;
            r.banned_until = None;
            ok(json!({"ok": true}))
        }
        ("POST", "expire-tokens") => {
            sh.oauth.lock().unwrap().expire_all();
            ok(json!({"ok": true}))
        }
        ("GET", "faults") => {
            let fs = sh.faults.lock().unwrap();
            ok(Value::Array(fs.iter().map(|s| json!({"route": s.fault.route, "kind": format!("{:?}", s.fault.kind), "probability": s.fault.probability, "count": s.fault.count, "applied": s.applied})).collect()))
        }
        ("POST", "faults") => {
            let v: Value = match serde_json::from_slice(&req.body) {
                Ok(v) => v,
                Err(e) => return msg(400, &format!("invalid JSON: {}", e)),
            };
            let items = match v {
                Value::Array(a) => a,
                Value::Object(ref m) if m.contains_key("faults") => {
                    m["faults"].as_array().cloned().unwrap_or_default()
                }
                other => vec![other],
            };
            let mut faults: Vec<Fault> = Vec::new();
            for it in &items {
                match Fault::from_json(it) {
                    Ok(f) => faults.push(f),
                    Err(e) => return msg(400, &e),
                }
            }
            let n = faults.len();
            *sh.faults.lock().unwrap() = faults
                .into_iter()
                .map(|f| crate::FaultSlot {
                    fault: f,
                    applied: 0,
                    draws: 0,
                })
                .collect();
            ok(json!({"ok": true, "faults": n}))
        }
        _ => msg(404, "Unknown control endpoint"),
    }
}

fn oauth_route(sh: &Shared, req: &Request) -> R {
    let mut st = sh.oauth.lock().unwrap();
    match (req.method.as_str(), req.path.trim_end_matches('/')) {
        ("GET", "/oauth/authorize") => oauth::authorize(&mut st, &sh.cfg, req),
        ("POST", "/oauth/token") => oauth::token(&mut st, &sh.cfg, req),
        ("GET", "/oauth/token/info") => oauth::token_info(&st, req),
        _ => msg(404, "Not Found"),
    }
}

fn rate_headers(r: R, sec_left: u32, min_left: u32, sh: &Shared) -> R {
    let c = &sh.cfg;
    let lim = |l: u32| {
        if l == 0 {
            "unlimited".to_string()
        } else {
            l.to_string()
        }
    };
    let left = |l: u32, x: u32| {
        if l == 0 {
            "unlimited".to_string()
        } else {
            x.min(l).to_string()
        }
    };
    r.header("Jumpseller-PerMinuteRateLimit-Limit", lim(c.per_minute))
        .header(
            "Jumpseller-PerMinuteRateLimit-Remaining",
            left(c.per_minute, min_left),
        )
        .header("Jumpseller-PerSecondRateLimit-Limit", lim(c.per_second))
        .header(
            "Jumpseller-PerSecondRateLimit-Remaining",
            left(c.per_second, sec_left),
        )
}

/// (read scope, write scope, alternative specific area)
fn scope_area(segs: &[&str]) -> Option<(&'static str, Option<&'static str>)> {
    let first = *segs.first()?;
    Some(match first {
        "products" | "custom_fields" | "products_locations" => ("products", None),
        "orders" | "carts" => ("orders", None),
        "order" | "fulfillments" => ("fulfillments", None),
        "customers" => ("customers", None),
        "customer_categories" => ("customers", Some("customer_categories")),
        "categories" => ("store", Some("categories")),
        "store" => ("store", None),
        "locations" => ("store", Some("locations")),
        "checkout_custom_fields" => ("settings", Some("checkout_custom_fields")),
        "shipping_methods" => ("shipping_methods", None),
        "payment_methods" => ("payment_methods", None),
        "hooks" => ("hooks", None),
        "promotions" => ("promotions", None),
        "taxes" => ("taxes", None),
        "pages" => ("pages", None),
        "jsapps" | "apps" => ("apps", Some("jsapps")),
        "transaction_ledger" => ("transaction_ledgers", None),
        _ => return None, // countries, documents: no scope
    })
}

fn scope_ok(granted: &str, area: &str, alt: Option<&str>, write: bool, apps: bool) -> bool {
    let g: Vec<&str> = granted.split_whitespace().collect();
    let has = |a: &str| {
        if apps {
            return g.contains(&"read_apps")
                || g.contains(&"read_jsapps")
                || g.contains(&"write_jsapps");
        }
        let w = format!("write_{}", a);
        let r = format!("read_{}", a);
        if write {
            g.contains(&w.as_str())
        } else {
            g.contains(&w.as_str()) || g.contains(&r.as_str())
        }
    };
    has(area) || alt.map(has).unwrap_or(false)
}

fn auth(sh: &Shared, req: &Request, segs: &[&str]) -> Result<(), R> {
    let c = &sh.cfg;
    if let Some(tok) = oauth::bearer(req) {
        let scope = sh.oauth.lock().unwrap().check(&tok);
        return match scope {
            Err(why) => Err(msg(401, &format!("Unauthorized: {}", why))
                .header("WWW-Authenticate", format!("Bearer realm=\"Jumpseller\", error=\"invalid_token\", error_description=\"{}\"", why))),
            Ok(granted) => {
                if let Some((area, alt)) = scope_area(segs) {
                    let write = req.method != "GET" && req.method != "HEAD";
                    if !scope_ok(&granted, area, alt, write, area == "apps") {
                        let need = if area == "apps" { "read_apps".to_string() } else { format!("{}_{}", if write { "write" } else { "read" }, area) };
                        return Err(msg(403, &format!("Forbidden: the access token lacks the scope {}", need))
                            .header("WWW-Authenticate", format!("Bearer realm=\"Jumpseller\", error=\"insufficient_scope\", scope=\"{}\"", need)));
                    }
                }
                Ok(())
            }
        };
    }
    if let Some((l, t)) = oauth::basic_credentials(req) {
        return if l == c.login && t == c.authtoken {
            Ok(())
        } else {
            Err(msg(401, "Unauthorized: invalid login or authtoken"))
        };
    }
    if req.header("Authorization").is_some() {
        return Err(msg(401, "Unauthorized: unsupported Authorization scheme"));
    }
    match (req.q("login"), req.q("authtoken")) {
        (Some(l), Some(t)) if l == c.login && t == c.authtoken => Ok(()),
        (Some(_), _) | (_, Some(_)) => Err(msg(401, "Unauthorized: invalid login or authtoken")),
        _ => Err(msg(401, "Unauthorized: missing credentials (use HTTP Basic login:authtoken or an OAuth bearer token)")),
    }
}

fn v1(sh: &Shared, req: &Request) -> R {
    let p = &req.path[3..];
    let mut segs: Vec<&str> = p
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(last) = segs.last_mut() {
        if let Some(s) = last.strip_suffix(".json") {
            *last = s;
        }
    }
    if let Err(r) = auth(sh, req, &segs) {
        return rate_headers(r, sh.cfg.per_second, sh.cfg.per_minute, sh);
    }
    match sh.rate_check() {
        RateDecision::Ok { sec_left, min_left } => {
            let r = route(sh, req, &segs);
            rate_headers(r, sec_left, min_left, sh)
        }
        RateDecision::Limited { sec_left, min_left } => {
            rate_headers(msg(429, "Rate Limit Exceeded"), sec_left, min_left, sh)
        }
        RateDecision::Banned { until_epoch } => {
            rate_headers(msg(429, "Rate Limit Exceeded"), 0, 0, sh).header(
                "Jumpseller-BannedByRateLimit-Reset",
                crate::data::iso(until_epoch),
            )
        }
    }
}

// ------------------------------------------------------------------ helpers

fn paging(req: &Request, max: u64) -> (u64, u64) {
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

fn pid(s: &str) -> Option<u64> {
    s.parse::<u64>().ok()
}

fn body_obj(req: &Request, w: &str) -> Result<Map<String, Value>, R> {
    if req.body.is_empty() {
        return Err(msg(
            400,
            &format!("Missing request body: expected {{\"{}\": {{...}}}}", w),
        ));
    }
    let v: Value = serde_json::from_slice(&req.body)
        .map_err(|e| msg(400, &format!("Invalid JSON body: {}", e)))?;
    match v {
        Value::Object(mut m) => {
            if let Some(inner) = m.remove(w) {
                match inner {
                    Value::Object(i) => Ok(i),
                    _ => Err(msg(400, &format!("\"{}\" must be an object", w))),
                }
            } else {
                Ok(m) // unwrapped bodies are accepted too
            }
        }
        _ => Err(msg(
            400,
            &format!("Body must be a JSON object {{\"{}\": {{...}}}}", w),
        )),
    }
}

fn nullify(v: &Value) -> Value {
    match v {
        Value::Array(_) => json!([]),
        _ => Value::Null,
    }
}

fn blank(sh: &Shared, c: Coll) -> Value {
    let sample_id = match c {
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
    let c2 = match c {
        Coll::Values(_, _) => Coll::Values(1, 11),
        o => o,
    };
    let s = sh.db.base_gen(c2, sample_id);
    match s {
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), nullify(v))).collect()),
        _ => json!({}),
    }
}

fn merge(base: &mut Value, patch: &Map<String, Value>) {
    if let Value::Object(b) = base {
        for (k, v) in patch {
            if k == "id" {
                continue;
            }
            if let Some(slot) = b.get_mut(k) {
                match (slot, v) {
                    (Value::Object(so), Value::Object(po)) => {
                        let mut tmp = Value::Object(so.clone());
                        merge(&mut tmp, po);
                        if let Value::Object(t) = tmp {
                            *so = t;
                        }
                        for (pk, pv) in po {
                            if !so.contains_key(pk) {
                                so.insert(pk.clone(), pv.clone());
                            }
                        }
                    }
                    (slot, v) => *slot = v.clone(),
                }
            }
        }
    }
}

fn is_num(v: &Value) -> bool {
    v.is_number()
        || v.as_str()
            .map(|s| s.trim().parse::<f64>().is_ok())
            .unwrap_or(false)
}
fn to_num(v: &Value) -> Value {
    match v {
        Value::String(s) => crate::data::num(s.trim()),
        o => o.clone(),
    }
}
fn str_of<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(|v| v.as_str())
}

fn check_enum(m: &Map<String, Value>, k: &str, allowed: &[&str], errs: &mut Vec<String>) {
    if let Some(v) = m.get(k) {
        if !v.is_null() && !v.as_str().map(|s| allowed.contains(&s)).unwrap_or(false) {
            errs.push(format!(
                "{} is not included in the list ({})",
                k,
                allowed.join(", ")
            ));
        }
    }
}

fn check_numbers(m: &mut Map<String, Value>, keys: &[&str], errs: &mut Vec<String>) {
    for k in keys {
        if let Some(v) = m.get(*k) {
            if v.is_null() {
                continue;
            }
            if !is_num(v) {
                errs.push(format!("{} is not a number", k));
            } else {
                let n = to_num(v);
                m.insert(k.to_string(), n);
            }
        }
    }
}

fn required(m: &Map<String, Value>, keys: &[&str], errs: &mut Vec<String>) {
    for k in keys {
        let missing = match m.get(*k) {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.trim().is_empty(),
            _ => false,
        };
        if missing {
            errs.push(format!("{} can't be blank", k));
        }
    }
}

/// per-resource validation and normalisation of a write body
fn validate(
    sh: &Shared,
    c: Coll,
    m: &mut Map<String, Value>,
    create: bool,
    id: Option<u64>,
) -> Result<(), R> {
    let mut e: Vec<String> = Vec::new();
    match c {
        Coll::Products => {
            if create {
                required(m, &["name", "price"], &mut e);
            }
            check_numbers(
                m,
                &[
                    "price",
                    "discount",
                    "weight",
                    "cost_per_item",
                    "compare_at_price",
                    "length",
                    "width",
                    "height",
                    "diameter",
                ],
                &mut e,
            );
            check_enum(m, "status", PRODUCT_STATUS, &mut e);
            check_enum(m, "package_format", &["box", "cylinder"], &mut e);
            if let Some(s) = m.get("stock") {
                if !s.is_null() && !s.is_i64() {
                    e.push("stock must be an integer".into());
                }
            }
            if let Some(cats) = m.get("categories").cloned() {
                let mut out = Vec::new();
                for cv in cats.as_array().cloned().unwrap_or_default() {
                    let cid = cv
                        .as_u64()
                        .or_else(|| cv.get("id").and_then(|x| x.as_u64()));
                    match cid.and_then(|cid| sh.db.get(Coll::Categories, cid)) {
                        Some(cat) => out.push(cat),
                        None => e.push(format!("category {} does not exist", cv)),
                    }
                }
                m.insert("categories".into(), Value::Array(out));
            }
        }
        Coll::Variants(_) => {
            check_numbers(m, &["price", "cost_per_item", "compare_at_price"], &mut e);
        }
        Coll::Categories | Coll::CustomerCategories => {
            if create {
                required(m, &["name"], &mut e);
            }
            if c == Coll::Categories {
                if let Some(p) = m.get("parent_id") {
                    if !p.is_null()
                        && p.as_u64()
                            .map(|p| !sh.db.exists(Coll::Categories, p))
                            .unwrap_or(true)
                    {
                        e.push("parent_id does not exist".into());
                    }
                }
            }
        }
        Coll::Customers => {
            if create {
                required(m, &["email"], &mut e);
            }
            if let Some(em) = str_of(m, "email") {
                if !em.contains('@') {
                    e.push("email is invalid".into());
                } else if let Some(other) = find_customer_by_email(sh, em) {
                    if Some(other) != id {
                        e.push("email has already been taken".into());
                    }
                }
            }
            check_enum(m, "status", &["approved", "pending", "disabled"], &mut e);
            if let Some(cc) = m.remove("customer_category") {
                let mut out = Vec::new();
                for x in cc.as_array().cloned().unwrap_or_default() {
                    if let Some(cid) = x
                        .as_u64()
                        .or_else(|| x.as_str().and_then(|s| s.parse().ok()))
                    {
                        match sh.db.get(Coll::CustomerCategories, cid) {
                            Some(v) => out.push(json!({"customer_category": v})),
                            None => e.push(format!("customer category {} does not exist", cid)),
                        }
                    }
                }
                m.insert("customer_categories".into(), Value::Array(out));
            }
        }
        Coll::Hooks => {
            if create {
                required(m, &["event", "url"], &mut e);
            }
            check_enum(
                m,
                "event",
                &[
                    "order_updated",
                    "order_pending_payment",
                    "order_paid",
                    "order_shipped",
                    "order_canceled",
                    "order_abandoned",
                    "product_created",
                    "product_updated",
                    "product_deleted",
                    "product_stock_updated",
                    "customer_created",
                    "customer_updated",
                    "customer_deleted",
                ],
                &mut e,
            );
        }
        Coll::Pages => {
            if create {
                required(m, &["title"], &mut e);
            }
            check_enum(m, "status", &["public", "draft", "hidden"], &mut e);
            if let Some(cats) = m.get("categories").cloned() {
                let a: Vec<Value> = cats
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|x| {
                        if x.is_object() {
                            x
                        } else {
                            json!({"position": 1, "id": x, "name": "Blog"})
                        }
                    })
                    .collect();
                m.insert("categories".into(), Value::Array(a));
            }
            if let Some(t) = m.get("template").cloned() {
                if !t.is_object() {
                    m.insert(
                        "template".into(),
                        if t.is_null() {
                            Value::Null
                        } else {
                            json!({"id": 1, "name": t.as_str().unwrap_or("page")})
                        },
                    );
                }
            }
        }
        Coll::Promotions => {
            if create {
                required(m, &["name"], &mut e);
            }
            check_numbers(
                m,
                &[
                    "discount_amount_fix",
                    "discount_amount_percent",
                    "condition_price",
                ],
                &mut e,
            );
        }
        Coll::CustomFields => {
            if create {
                required(m, &["label", "type"], &mut e);
            }
            check_enum(m, "type", &["text", "selection", "input"], &mut e);
        }
        Coll::CheckoutCustomFields => {
            if create {
                required(m, &["label", "type"], &mut e);
            }
            check_enum(
                m,
                "type",
                &["text", "select", "input", "checkbox", "date"],
                &mut e,
            );
            check_enum(m, "area", &["contact", "billing_shipping", "other"], &mut e);
        }
        Coll::Taxes => {
            if let Some(t) = m.remove("tax") {
                m.insert("tax_amount".into(), t);
            }
            if create {
                required(m, &["name", "tax_amount"], &mut e);
            }
            check_numbers(m, &["tax_amount"], &mut e);
        }
        Coll::Images(_) | Coll::Attachments(_) | Coll::PageImages(_)
            if create && str_of(m, "url").is_none() && m.get("attachment").is_none() =>
        {
            required(m, &["url"], &mut e);
        }
        Coll::History(_) if create => required(m, &["message"], &mut e),
        Coll::Locations if create => required(m, &["name"], &mut e),
        _ => {}
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(errors(400, e))
    }
}

fn defaults(c: Coll, v: &mut Value, id: u64) {
    let now = ts(now_epoch());
    let set = |v: &mut Value, k: &str, d: Value| {
        if v.get(k).map(|x| x.is_null()).unwrap_or(false) {
            v[k] = d;
        }
    };
    v["id"] = json!(id);
    match c {
        Coll::Products => {
            for (k, d) in [
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
                ("created_at", json!(now.clone())),
                ("updated_at", json!(now.clone())),
            ] {
                set(v, k, d);
            }
            let name = v["name"].as_str().unwrap_or("product").to_string();
            set(
                v,
                "permalink",
                json!(format!("{}-{}", crate::data::slug(&name), id)),
            );
            set(v, "description", json!(""));
        }
        Coll::Categories | Coll::CustomerCategories | Coll::Pages => {
            let name = v
                .get("name")
                .or_else(|| v.get("title"))
                .and_then(|x| x.as_str())
                .unwrap_or("item")
                .to_string();
            if c == Coll::CustomerCategories {
                set(v, "code", json!(crate::data::slug(&name)));
            } else {
                set(v, "permalink", json!(crate::data::slug(&name)));
            }
            if c == Coll::Pages {
                set(v, "status", json!("draft"));
                set(v, "legal", json!(false));
            }
        }
        Coll::Customers => {
            set(v, "status", json!("approved"));
            set(v, "accepts_marketing", json!(false));
        }
        Coll::Variants(_) => {
            set(v, "stock", json!(0));
            set(v, "stock_unlimited", json!(false));
        }
        Coll::Hooks | Coll::History(_) => set(v, "created_at", json!(now)),
        Coll::Promotions => {
            set(v, "status", json!("active"));
            set(v, "enabled", json!(true));
            set(v, "times_used", json!(0));
            set(v, "begins_at", json!(now));
        }
        Coll::CheckoutCustomFields => {
            set(v, "required", json!(false));
            set(v, "deletable", json!(true));
            set(v, "area", json!("other"));
        }
        _ => {}
    }
}

/// generic list / count / get / create / update / delete over one collection
#[allow(clippy::too_many_arguments)]
fn crud(
    sh: &Shared,
    req: &Request,
    c: Coll,
    w: &str,
    what: &str,
    rest: &[&str],
    max: u64,
    desc: bool,
    assemble: &dyn Fn(&Shared, Value) -> Value,
) -> R {
    let db = &sh.db;
    match (req.method.as_str(), rest) {
        ("GET", []) => {
            let (off, lim) = paging(req, max);
            let vs = db
                .ids(c, desc, off, lim, None)
                .into_iter()
                .filter_map(|id| db.get(c, id))
                .map(|v| assemble(sh, v))
                .collect();
            list(w, vs)
        }
        ("POST", []) => {
            let mut m = match body_obj(req, w) {
                Ok(m) => m,
                Err(r) => return r,
            };
            if let Err(r) = validate(sh, c, &mut m, true, None) {
                return r;
            }
            let id = db.next_id(c);
            let mut v = blank(sh, c);
            merge(&mut v, &m);
            defaults(c, &mut v, id);
            db.put(c, id, v.clone());
            ok(wrap(w, assemble(sh, v)))
        }
        ("GET", ["count"]) => ok(json!({"count": db.count(c, None)})),
        (m, [id]) => {
            let Some(id) = pid(id) else { return nf(what) };
            let Some(mut cur) = db.get(c, id) else {
                return nf(what);
            };
            match m {
                "GET" => ok(wrap(w, assemble(sh, cur))),
                "PUT" => {
                    let mut body = match body_obj(req, w) {
                        Ok(b) => b,
                        Err(r) => {
                            // images are re-positioned with ?position= and no body
                            if let (Coll::Images(_), Some(p)) = (c, req.q("position")) {
                                let mut mm = Map::new();
                                mm.insert("position".into(), json!(p.parse::<u64>().unwrap_or(1)));
                                mm
                            } else {
                                return r;
                            }
                        }
                    };
                    if let (Coll::Images(_), Some(p)) = (c, req.q("position")) {
                        body.insert("position".into(), json!(p.parse::<u64>().unwrap_or(1)));
                    }
                    if let Err(r) = validate(sh, c, &mut body, false, Some(id)) {
                        return r;
                    }
                    merge(&mut cur, &body);
                    if c == Coll::Products {
                        cur["updated_at"] = json!(ts(now_epoch()));
                    }
                    db.put(c, id, cur.clone());
                    ok(wrap(w, assemble(sh, cur)))
                }
                "DELETE" => {
                    db.delete(c, id);
                    ok(json!(format!("{} deleted", what)))
                }
                _ => msg(405, "Method Not Allowed"),
            }
        }
        _ => msg(404, "Not Found"),
    }
}

fn same(_: &Shared, v: Value) -> Value {
    v
}

fn product_full(sh: &Shared, mut v: Value) -> Value {
    let id = v["id"].as_u64().unwrap_or(0);
    let db = &sh.db;
    if let Some(cats) = v.get("categories").and_then(|c| c.as_array()).cloned() {
        let fresh: Vec<Value> = cats
            .iter()
            .filter_map(|c| c.get("id").and_then(|i| i.as_u64()))
            .filter_map(|cid| db.get(Coll::Categories, cid))
            .collect();
        v["categories"] = Value::Array(fresh);
    }
    v["images"] = Value::Array(db.all(Coll::Images(id)));
    v["variants"] = Value::Array(db.all(Coll::Variants(id)));
    v["digital_products"] = Value::Array(db.all(Coll::DigitalProducts(id)));
    v
}

fn find_customer_by_email(sh: &Shared, email: &str) -> Option<u64> {
    let e = email.trim().to_lowercase();
    let g = &sh.db.gen;
    let f = |id: u64, ov: Option<&Value>| match ov {
        Some(v) => v["email"]
            .as_str()
            .map(|s| s.to_lowercase() == e)
            .unwrap_or(false),
        None => g.customer_email(id).to_lowercase() == e,
    };
    sh.db
        .ids(Coll::Customers, false, 0, 1, Some(&f))
        .first()
        .copied()
}

fn norm_status(s: &str) -> Option<usize> {
    let n = s.trim().to_lowercase().replace([' ', '-'], "_");
    ORDER_STATUS_ENUM.iter().position(|x| *x == n)
}

struct OrderLite {
    status: usize,
    created: u64,
    customer: Option<u64>,
    fulfilled: bool,
}

fn order_lite(sh: &Shared, id: u64, ov: Option<&Value>) -> OrderLite {
    let g = &sh.db.gen;
    match ov {
        Some(v) => OrderLite {
            status: v["status_enum"].as_str().and_then(norm_status).unwrap_or(2),
            created: v["created_at"].as_str().and_then(parse_ts).unwrap_or(0),
            customer: v["customer"]["id"].as_u64(),
            fulfilled: v["fulfillment_status"].as_str() == Some("fulfilled"),
        },
        None => OrderLite {
            status: g.order_status_idx(id),
            created: g.order_created(id),
            customer: g.order_customer(id),
            fulfilled: g.order_fulfilled(id),
        },
    }
}

/// The filters of an order list: statuses, fulfilment states and a created_at range (epoch s).
struct OrderFilter {
    statuses: Vec<usize>,
    fulfilled: Vec<bool>,
    range: Option<(u64, u64)>,
}

/// order filters shared by /orders.json and /orders/search.json; Err = bad parameter
fn order_filter(req: &Request) -> Result<OrderFilter, R> {
    let mut sts = Vec::new();
    let mut raw: Vec<&str> = req.q_all("status_filters[]");
    raw.extend(req.q_all("status_filters"));
    for s in raw {
        for part in s.split(',').filter(|p| !p.trim().is_empty()) {
            let p = part.trim().to_lowercase();
            if p == "created" {
                sts.push(2);
                continue;
            }
            match norm_status(&p) {
                Some(i) => sts.push(i),
                None => return Err(msg(404, &format!("Invalid status filter: {}", part))),
            }
        }
    }
    let mut ful = Vec::new();
    if let Some(f) = req.q("fulfillment_filters") {
        for part in f.split(',').filter(|p| !p.trim().is_empty()) {
            match part.trim() {
                "fulfilled" => ful.push(true),
                "unfulfilled" => ful.push(false),
                other => return Err(msg(404, &format!("Invalid fulfillment filter: {}", other))),
            }
        }
    }
    let day = 86_400;
    let today = now_epoch() / day * day;
    let range = match req.q("dateFilter") {
        None | Some("") => None,
        Some("today") => Some((today, today + day - 1)),
        Some("yesterday") => Some((today - day, today - 1)),
        Some("last7days") => Some((today - 6 * day, today + day - 1)),
        Some("last30days") => Some((today - 29 * day, today + day - 1)),
        Some("last90days") => Some((today - 89 * day, today + day - 1)),
        Some("customDate") => {
            let a = req.q("initialDate").and_then(parse_date);
            let b = req.q("finalDate").and_then(parse_date);
            match (a, b) {
                (Some(a), Some(b)) => Some((a, b + day - 1)),
                _ => {
                    return Err(msg(
                        400,
                        "customDate needs initialDate and finalDate as YYYY-MM-DD",
                    ))
                }
            }
        }
        Some(other) => return Err(msg(400, &format!("Invalid dateFilter: {}", other))),
    };
    Ok(OrderFilter {
        statuses: sts,
        fulfilled: ful,
        range,
    })
}

fn project(req: &Request, v: Value) -> Value {
    match req.q("fields") {
        Some(f) if !f.trim().is_empty() => {
            let keys: Vec<&str> = f.split(',').map(|s| s.trim()).collect();
            match v {
                Value::Object(m) => Value::Object(
                    m.into_iter()
                        .filter(|(k, _)| keys.contains(&k.as_str()))
                        .collect(),
                ),
                o => o,
            }
        }
        _ => v,
    }
}

// ------------------------------------------------------------------ routes

fn route(sh: &Shared, req: &Request, segs: &[&str]) -> R {
    let db = &sh.db;
    let g = &db.gen;
    let m = req.method.as_str();
    match segs {
        ["store", "info"] if m == "GET" => ok(json!({"store": g.store()})),
        ["store", "languages"] if m == "GET" => ok(
            json!([{"code": "es", "name": "Español"}, {"code": "en", "name": "English"}, {"code": "pt-BR", "name": "Português (Brasil)"}]),
        ),
        ["transaction_ledger", "balance"] if m == "GET" => ok(
            json!([{"balance": money(12_345_678), "currency": "USD", "balance_formatted": "$123.456,78"}]),
        ),
        ["products", rest @ ..] => products(sh, req, rest),
        ["categories", rest @ ..] => crud(
            sh,
            req,
            Coll::Categories,
            "category",
            "Category",
            rest,
            100,
            false,
            &same,
        ),
        ["orders", rest @ ..] => orders(sh, req, rest),
        ["order", oid, "fulfillments"] if m == "GET" => {
            let Some(oid) = pid(oid) else {
                return nf("Order");
            };
            if !db.exists(Coll::Orders, oid) {
                return nf("Order");
            }
            let f = |fid: u64, ov: Option<&Value>| match ov {
                Some(v) => v["order_id"].as_u64() == Some(oid),
                None => fid - FULFILLMENT_OFFSET == oid,
            };
            let vs = db
                .ids(Coll::Fulfillments, false, 0, u64::MAX, Some(&f))
                .into_iter()
                .filter_map(|id| db.get(Coll::Fulfillments, id))
                .collect();
            list("fulfillment", vs)
        }
        ["carts", id] if m == "GET" => {
            let Some(id) = pid(id) else { return nf("Cart") };
            match db.get(Coll::Orders, id) {
                Some(o) if o["status_enum"] == "abandoned" => list("order", vec![o]),
                _ => nf("Cart"),
            }
        }
        ["fulfillments", rest @ ..] => fulfillments(sh, req, rest),
        ["customers", rest @ ..] => customers(sh, req, rest),
        ["customer_categories", id, "customers"] => {
            let Some(cc) = pid(id) else {
                return nf("Customer category");
            };
            if !db.exists(Coll::CustomerCategories, cc) {
                return nf("Customer category");
            }
            if m == "POST" {
                let v: Value = match serde_json::from_slice(&req.body) {
                    Ok(v) => v,
                    Err(e) => return msg(400, &format!("Invalid JSON body: {}", e)),
                };
                let items = v
                    .get("customers")
                    .and_then(|x| x.as_array())
                    .cloned()
                    .unwrap_or_default();
                let mut out = Vec::new();
                for it in items {
                    let cid = it.get("id").and_then(|x| x.as_u64()).or_else(|| {
                        it.get("email")
                            .and_then(|e| e.as_str())
                            .and_then(|e| find_customer_by_email(sh, e))
                    });
                    let Some(cid) = cid else {
                        return nf("Customer");
                    };
                    let Some(mut cu) = db.get(Coll::Customers, cid) else {
                        return nf("Customer");
                    };
                    let mut cats = cu["customer_categories"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                    if !cats
                        .iter()
                        .any(|c| c["customer_category"]["id"].as_u64() == Some(cc))
                    {
                        cats.push(
                            json!({"customer_category": db.get(Coll::CustomerCategories, cc)}),
                        );
                    }
                    cu["customer_categories"] = Value::Array(cats);
                    db.put(Coll::Customers, cid, cu.clone());
                    out.push(cu);
                }
                return list("customer", out);
            }
            if m != "GET" {
                return msg(405, "Method Not Allowed");
            }
            let f = |id: u64, ov: Option<&Value>| match ov {
                Some(v) => v["customer_categories"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .any(|c| c["customer_category"]["id"].as_u64() == Some(cc))
                    })
                    .unwrap_or(false),
                None => g.customer_category_ids(id).contains(&cc),
            };
            let (off, lim) = paging(req, 100);
            let vs = db
                .ids(Coll::Customers, false, off, lim, Some(&f))
                .into_iter()
                .filter_map(|id| db.get(Coll::Customers, id))
                .collect();
            list("customer", vs)
        }
        ["customer_categories", id, "customers", cid] if m == "DELETE" => {
            let (Some(cc), Some(cid)) = (pid(id), pid(cid)) else {
                return nf("Customer");
            };
            let Some(mut cu) = db.get(Coll::Customers, cid) else {
                return nf("Customer");
            };
            let cats: Vec<Value> = cu["customer_categories"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter(|c| c["customer_category"]["id"].as_u64() != Some(cc))
                .collect();
            cu["customer_categories"] = Value::Array(cats);
            db.put(Coll::Customers, cid, cu);
            ok(json!("Customer removed from category"))
        }
        ["customer_categories", rest @ ..] => crud(
            sh,
            req,
            Coll::CustomerCategories,
            "customer_category",
            "Customer category",
            rest,
            100,
            false,
            &same,
        ),
        ["promotions", rest @ ..] => crud(
            sh,
            req,
            Coll::Promotions,
            "promotion",
            "Promotion",
            rest,
            200,
            false,
            &same,
        ),
        ["pages", id, "images", rest @ ..] => {
            let Some(pg) = pid(id) else { return nf("Page") };
            if !db.exists(Coll::Pages, pg) {
                return nf("Page");
            }
            crud(
                sh,
                req,
                Coll::PageImages(pg),
                "image",
                "Image",
                rest,
                100,
                false,
                &same,
            )
        }
        ["pages", rest @ ..] => crud(
            sh,
            req,
            Coll::Pages,
            "page",
            "Page",
            rest,
            100,
            false,
            &same,
        ),
        ["payment_methods", rest @ ..] => crud(
            sh,
            req,
            Coll::PaymentMethods,
            "payment_method",
            "Payment method",
            rest,
            100,
            false,
            &same,
        ),
        ["shipping_methods", rest @ ..] => crud(
            sh,
            req,
            Coll::ShippingMethods,
            "shipping_method",
            "Shipping method",
            rest,
            100,
            false,
            &same,
        ),
        ["locations", rest @ ..] => crud(
            sh,
            req,
            Coll::Locations,
            "location",
            "Location",
            rest,
            100,
            false,
            &same,
        ),
        ["taxes", rest @ ..] => crud(sh, req, Coll::Taxes, "tax", "Tax", rest, 100, false, &same),
        ["custom_fields", id, "select_options", rest @ ..] => {
            let Some(cf) = pid(id) else {
                return nf("Custom field");
            };
            if !db.exists(Coll::CustomFields, cf) {
                return nf("Custom field");
            }
            crud(
                sh,
                req,
                Coll::SelectOptions(cf),
                "custom_field_select_option",
                "Custom field select option",
                rest,
                100,
                false,
                &same,
            )
        }
        ["custom_fields", rest @ ..] => crud(
            sh,
            req,
            Coll::CustomFields,
            "custom_field",
            "Custom field",
            rest,
            100,
            false,
            &same,
        ),
        ["checkout_custom_fields", rest @ ..] => crud(
            sh,
            req,
            Coll::CheckoutCustomFields,
            "checkout_custom_field",
            "Checkout custom field",
            rest,
            100,
            false,
            &same,
        ),
        ["hooks", rest @ ..] => crud(
            sh,
            req,
            Coll::Hooks,
            "hook",
            "Hook",
            rest,
            100,
            false,
            &same,
        ),
        ["jsapps"] if m == "POST" => {
            let mut b = match body_obj(req, "app") {
                Ok(b) => b,
                Err(r) => return r,
            };
            let mut e = Vec::new();
            required(&b, &["url", "template", "element"], &mut e);
            check_enum(
                &b,
                "template",
                &[
                    "layout", "home", "product", "page", "category", "cart", "checkout",
                ],
                &mut e,
            );
            check_enum(&b, "element", &["body", "head"], &mut e);
            if !e.is_empty() {
                return errors(400, e);
            }
            let id = db.next_id(Coll::JsApps);
            b.insert("id".into(), json!(id));
            b.insert("application_id".into(), json!(4242));
            let v = json!({"id": id, "url": b["url"], "template": b["template"], "element": b["element"], "application_id": 4242});
            db.put(Coll::JsApps, id, v.clone());
            ok(json!({"js_app": v}))
        }
        ["jsapps"] if m == "GET" => {
            let vs = db.all(Coll::JsApps);
            if vs.is_empty() {
                return msg(404, "JsApp not found");
            }
            list("js_app", vs)
        }
        ["jsapps", code] if m == "GET" => {
            let vs = db.all(Coll::JsApps);
            if vs.is_empty() || code.is_empty() {
                return msg(404, "JsApp not found");
            }
            list("js_app", vs)
        }
        ["jsapps", id] if m == "DELETE" => {
            let Some(id) = pid(id) else {
                return msg(404, "JsApp not found");
            };
            if !db.exists(Coll::JsApps, id) {
                return msg(404, "JsApp not found");
            }
            db.delete(Coll::JsApps, id);
            ok(json!({"message": "JsApp deleted"}))
        }
        ["countries"] if m == "GET" => ok(Value::Array(
            crate::misc::COUNTRIES
                .iter()
                .map(|(c, n)| json!({"code": c, "name": n}))
                .collect(),
        )),
        ["countries", cc, rest @ ..] if m == "GET" => {
            let cc = cc.to_uppercase();
            let Some((code, name)) = crate::misc::COUNTRIES.iter().find(|(c, _)| *c == cc) else {
                return nf("Country");
            };
            let regs = crate::misc::regions(code);
            match rest {
                [] => ok(json!({"code": code, "name": name})),
                ["regions"] => ok(Value::Array(
                    regs.iter()
                        .map(|(c, n, i)| json!({"code": c, "name": n, "iso": i}))
                        .collect(),
                )),
                ["regions", rc] => match regs.iter().find(|(c, _, _)| c.eq_ignore_ascii_case(rc)) {
                    Some((c, n, i)) => ok(json!({"code": c, "name": n, "iso": i})),
                    None => nf("Region"),
                },
                ["regions", rc, "municipalities"] => {
                    match regs.iter().find(|(c, _, _)| c.eq_ignore_ascii_case(rc)) {
                        Some((c, _, _)) => ok(Value::Array(
                            crate::misc::municipalities(code, c)
                                .iter()
                                .map(|(c, n)| json!({"code": c, "name": n}))
                                .collect(),
                        )),
                        None => nf("Region"),
                    }
                }
                _ => msg(404, "Not Found"),
            }
        }
        ["documents"] if m == "GET" => {
            let (off, lim) = paging(req, 100);
            list(
                "document",
                children_page(db, Coll::Orders, Coll::Documents, off, lim),
            )
        }
        ["products_locations"] => {
            if m == "PUT" {
                let v: Value = match serde_json::from_slice(&req.body) {
                    Ok(v) => v,
                    Err(e) => return msg(400, &format!("Invalid JSON body: {}", e)),
                };
                if v.get("location_id").is_none() || v.get("product_id").is_none() {
                    return msg(400, "location_id and product_id are required");
                }
                return ok(json!({"message": "Stock updated"}));
            }
            let ids = |k: &str| -> Vec<u64> {
                req.q(k)
                    .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
                    .unwrap_or_default()
            };
            let (locs, prods, vars) = (ids("location_ids"), ids("product_ids"), ids("variant_ids"));
            if locs.is_empty() || prods.is_empty() {
                return msg(404, "location_ids and product_ids are required");
            }
            let mut out = Vec::new();
            for l in &locs {
                if !db.exists(Coll::Locations, *l) {
                    continue;
                }
                for p in &prods {
                    let Some(prod) = db.get(Coll::Products, *p) else {
                        continue;
                    };
                    let vs = db.all(Coll::Variants(*p));
                    if vs.is_empty() {
                        out.push(json!({"location_id": l, "product_id": p, "variant_id": null, "stock": prod["stock"].as_i64().unwrap_or(0) / (*l as i64)}));
                    }
                    for v in vs {
                        let vid = v["id"].as_u64().unwrap_or(0);
                        if !vars.is_empty() && !vars.contains(&vid) {
                            continue;
                        }
                        out.push(json!({"location_id": l, "product_id": p, "variant_id": vid, "stock": v["stock"].as_i64().unwrap_or(0) / (*l as i64)}));
                    }
                }
            }
            ok(Value::Array(out))
        }
        _ => msg(404, "Not Found"),
    }
}

fn products(sh: &Shared, req: &Request, rest: &[&str]) -> R {
    let db = &sh.db;
    let g = &db.gen;
    let m = req.method.as_str();
    let plist = |f: Filter, desc: bool| -> R {
        let (off, lim) = paging(req, 100);
        product_page(sh, db.ids(Coll::Products, desc, off, lim, Some(f)))
    };
    match (m, rest) {
        ("GET", []) => {
            let (off, lim) = paging(req, 100);
            product_page(sh, db.ids(Coll::Products, false, off, lim, None))
        }
        ("POST", []) => {
            let raw: Option<Value> = serde_json::from_slice(&req.body).ok();
            let r = crud(
                sh,
                req,
                Coll::Products,
                "product",
                "Product",
                rest,
                100,
                false,
                &same,
            );
            if r.status == 200 {
                // inline variants on create
                let v: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
                let id = v["product"]["id"].as_u64().unwrap_or(0);
                if let Some(vars) = raw
                    .as_ref()
                    .and_then(|b| b["product"]["variants"].as_array())
                {
                    for vv in vars {
                        let inner = vv.get("variant").unwrap_or(vv);
                        if let Value::Object(mut vm) = inner.clone() {
                            if validate(sh, Coll::Variants(id), &mut vm, true, None).is_ok() {
                                let vid = db.next_id(Coll::Variants(id));
                                let mut nv = blank(sh, Coll::Variants(id));
                                merge(&mut nv, &vm);
                                defaults(Coll::Variants(id), &mut nv, vid);
                                db.put(Coll::Variants(id), vid, nv);
                            }
                        }
                    }
                }
                return match db.get(Coll::Products, id) {
                    Some(p) => ok(json!({"product": product_full(sh, p)})),
                    None => r,
                };
            }
            r
        }
        ("GET", ["after", n]) => {
            let Some(n) = pid(n) else {
                return nf("Product");
            };
            plist(&|id, _| id > n, false)
        }
        ("GET", ["status", s]) | ("GET", ["status", s, "count"]) => {
            let s = s.to_lowercase();
            if !PRODUCT_STATUS.contains(&s.as_str()) {
                return msg(
                    404,
                    &format!(
                        "Invalid status: {} (use available, not-available or disabled)",
                        s
                    ),
                );
            }
            let f = |id: u64, ov: Option<&Value>| match ov {
                Some(v) => v["status"].as_str() == Some(s.as_str()),
                None => g.product_status(id) == s,
            };
            if rest.len() == 3 {
                return ok(json!({"count": db.count(Coll::Products, Some(&f))}));
            }
            plist(&f, false)
        }
        ("GET", ["category", c]) | ("GET", ["category", c, "count"]) => {
            let Some(cid) = pid(c) else {
                return nf("Category");
            };
            if !db.exists(Coll::Categories, cid) {
                return nf("Category");
            }
            let f = |id: u64, ov: Option<&Value>| match ov {
                Some(v) => v["categories"]
                    .as_array()
                    .map(|a| a.iter().any(|c| c["id"].as_u64() == Some(cid)))
                    .unwrap_or(false),
                None => g.product_category_ids(id).contains(&cid),
            };
            if rest.len() == 3 {
                return ok(json!({"count": db.count(Coll::Products, Some(&f))}));
            }
            plist(&f, false)
        }
        ("GET", ["search"]) => {
            let Some(q) = req.q("query").map(|q| q.trim().to_lowercase()) else {
                return msg(404, "Invalid search: query is required");
            };
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
            let cats: Vec<u64> = req
                .q("categories")
                .map(|c| c.split(',').filter_map(|x| x.trim().parse().ok()).collect())
                .unwrap_or_default();
            let f = |id: u64, ov: Option<&Value>| {
                let owned;
                let v = match ov {
                    Some(v) => v,
                    None => {
                        // cheap pre-check: name only needs the light function
                        if fields.len() == 1
                            && fields[0] == "name"
                            && !g.product_name(id).to_lowercase().contains(&q)
                        {
                            return false;
                        }
                        owned = db.base_gen(Coll::Products, id);
                        &owned
                    }
                };
                if let Some(s) = &status {
                    let okst = if s == "featured" {
                        v["featured"] == true
                    } else {
                        v["status"].as_str() == Some(s.as_str())
                    };
                    if !okst {
                        return false;
                    }
                }
                if !cats.is_empty()
                    && !v["categories"]
                        .as_array()
                        .map(|a| {
                            a.iter().any(|c| {
                                c["id"].as_u64().map(|i| cats.contains(&i)).unwrap_or(false)
                            })
                        })
                        .unwrap_or(false)
                {
                    return false;
                }
                q.is_empty()
                    || fields.iter().any(|k| {
                        v.get(k.as_str())
                            .and_then(|x| x.as_str())
                            .map(|s| s.to_lowercase().contains(&q))
                            .unwrap_or(false)
                    })
            };
            plist(&f, false)
        }
        ("GET", ["reviews"]) => {
            let (off, lim) = paging(req, 100);
            list(
                "review",
                children_page(db, Coll::Products, Coll::Reviews, off, lim),
            )
        }
        ("GET", ["reviews", rid]) => {
            let Some(rid) = pid(rid) else {
                return nf("Review");
            };
            match db.get(Coll::Reviews(rid / 10), rid) {
                Some(r) => ok(json!({"review": r})),
                None => nf("Review"),
            }
        }
        (_, [id, sub, tail @ ..]) if pid(id).is_some() => {
            let p = pid(id).unwrap();
            if !db.exists(Coll::Products, p) {
                return nf("Product");
            }
            match (*sub, tail) {
                ("variants", t) => crud(
                    sh,
                    req,
                    Coll::Variants(p),
                    "variant",
                    "Variant",
                    t,
                    100,
                    false,
                    &same,
                ),
                ("images", t) => crud(
                    sh,
                    req,
                    Coll::Images(p),
                    "image",
                    "Image",
                    t,
                    100,
                    false,
                    &same,
                ),
                ("attachments", t) => crud(
                    sh,
                    req,
                    Coll::Attachments(p),
                    "attachment",
                    "Attachment",
                    t,
                    100,
                    false,
                    &same,
                ),
                ("digital_products", t) => crud(
                    sh,
                    req,
                    Coll::DigitalProducts(p),
                    "digital_product",
                    "Digital product",
                    t,
                    100,
                    false,
                    &same,
                ),
                ("reviews", t) if m == "GET" => crud(
                    sh,
                    req,
                    Coll::Reviews(p),
                    "review",
                    "Review",
                    t,
                    100,
                    false,
                    &same,
                ),
                ("fields", []) if m == "POST" => {
                    let b = match body_obj(req, "field") {
                        Ok(b) => b,
                        Err(r) => return r,
                    };
                    let Some(cfid) = b.get("id").and_then(|x| x.as_u64()) else {
                        return errors(400, vec!["id can't be blank".into()]);
                    };
                    let Some(cf) = db.get(Coll::CustomFields, cfid) else {
                        return nf("Custom field");
                    };
                    let fid = db.next_id(Coll::Fields(p));
                    let v = json!({"id": fid, "custom_field_id": cfid, "type": cf["type"], "label": cf["label"], "value": b.get("value").cloned().unwrap_or(Value::Null),
                                   "value_id": null, "variant_id": b.get("variants").and_then(|v| v.as_array()).and_then(|a| a.first()).cloned().unwrap_or(Value::Null)});
                    db.put(Coll::Fields(p), fid, v);
                    ok(
                        json!({"product": product_full(sh, db.get(Coll::Products, p).unwrap_or(Value::Null))}),
                    )
                }
                ("fields", [fid]) if m == "DELETE" => {
                    let Some(fid) = pid(fid) else {
                        return nf("Field");
                    };
                    if !db.exists(Coll::Fields(p), fid) {
                        return nf("Field");
                    }
                    db.delete(Coll::Fields(p), fid);
                    ok(json!({"message": "Field deleted"}))
                }
                ("fields", t) => crud(
                    sh,
                    req,
                    Coll::Fields(p),
                    "field",
                    "Field",
                    t,
                    100,
                    false,
                    &same,
                ),
                ("options", [oid, "values", t @ ..]) => {
                    let Some(o) = pid(oid) else {
                        return nf("Option");
                    };
                    if !db.exists(Coll::Options(p), o) {
                        return nf("Option");
                    }
                    crud(
                        sh,
                        req,
                        Coll::Values(p, o),
                        "value",
                        "Option value",
                        t,
                        100,
                        false,
                        &same,
                    )
                }
                ("options", t) => {
                    let asm = move |sh: &Shared, mut v: Value| {
                        let o = v["id"].as_u64().unwrap_or(0);
                        v["values"] = Value::Array(sh.db.all(Coll::Values(p, o)));
                        v
                    };
                    crud(
                        sh,
                        req,
                        Coll::Options(p),
                        "option",
                        "Option",
                        t,
                        100,
                        false,
                        &asm,
                    )
                }
                _ => msg(404, "Not Found"),
            }
        }
        _ => crud(
            sh,
            req,
            Coll::Products,
            "product",
            "Product",
            rest,
            100,
            false,
            &product_full,
        ),
    }
}

fn orders(sh: &Shared, req: &Request, rest: &[&str]) -> R {
    let db = &sh.db;
    let m = req.method.as_str();
    let olist = |f: Filter, desc: bool| -> Vec<Value> {
        let (off, lim) = paging(req, 100);
        db.ids(Coll::Orders, desc, off, lim, Some(f))
            .into_iter()
            .filter_map(|id| db.get(Coll::Orders, id))
            .map(|v| project(req, v))
            .collect()
    };
    let projected = req
        .q("fields")
        .map(|f| !f.trim().is_empty())
        .unwrap_or(false);
    let opage = |f: Filter, desc: bool| -> R {
        if projected {
            return list("order", olist(f, desc));
        }
        let (off, lim) = paging(req, 100);
        order_page(sh, db.ids(Coll::Orders, desc, off, lim, Some(f)))
    };
    match (m, rest) {
        ("GET", []) | ("GET", ["search"]) => {
            let OrderFilter {
                statuses: sts,
                fulfilled: ful,
                range,
            } = match order_filter(req) {
                Ok(x) => x,
                Err(r) => return r,
            };
            let query = if rest.is_empty() {
                None
            } else {
                Some(req.q("query").unwrap_or("").trim().to_lowercase())
            };
            let g = &db.gen;
            let f = |id: u64, ov: Option<&Value>| {
                let l = order_lite(sh, id, ov);
                if !sts.is_empty() && !sts.contains(&l.status) {
                    return false;
                }
                if !ful.is_empty() && !ful.contains(&l.fulfilled) {
                    return false;
                }
                if let Some((a, b)) = range {
                    if l.created < a || l.created > b {
                        return false;
                    }
                }
                if let Some(q) = &query {
                    if !q.is_empty() {
                        let hit = id.to_string() == *q
                            || match ov {
                                Some(v) => {
                                    v["customer"]["email"]
                                        .as_str()
                                        .map(|e| e.to_lowercase().contains(q.as_str()))
                                        .unwrap_or(false)
                                        || v["customer"]["fullname"]
                                            .as_str()
                                            .map(|e| e.to_lowercase().contains(q.as_str()))
                                            .unwrap_or(false)
                                }
                                None => l
                                    .customer
                                    .map(|c| {
                                        let n = g.customer_name(c);
                                        g.customer_email(c).to_lowercase().contains(q.as_str())
                                            || format!("{} {}", n.first, n.last)
                                                .to_lowercase()
                                                .contains(q.as_str())
                                    })
                                    .unwrap_or(false),
                            };
                        if !hit {
                            return false;
                        }
                    }
                }
                true
            };
            let nofilter = sts.is_empty()
                && ful.is_empty()
                && range.is_none()
                && query.as_deref().map(|q| q.is_empty()).unwrap_or(true);
            if rest.is_empty() && !projected {
                if nofilter {
                    let (off, lim) = paging(req, 100);
                    return order_page(sh, db.ids(Coll::Orders, true, off, lim, None));
                }
                return opage(&f, true);
            }
            let vs = if nofilter {
                let (off, lim) = paging(req, 100);
                db.ids(Coll::Orders, true, off, lim, None)
                    .into_iter()
                    .filter_map(|id| db.get(Coll::Orders, id))
                    .map(|v| project(req, v))
                    .collect()
            } else {
                olist(&f, true)
            };
            if rest.is_empty() {
                list("order", vs)
            } else {
                let count = if nofilter {
                    db.count(Coll::Orders, None)
                } else {
                    db.count(Coll::Orders, Some(&f))
                };
                ok(
                    json!({"orders": vs.into_iter().map(|v| json!({"order": v})).collect::<Vec<_>>(), "count": count}),
                )
            }
        }
        ("POST", []) => create_order(sh, req),
        ("GET", ["count"]) => ok(json!({"count": db.count(Coll::Orders, None)})),
        ("GET", ["status", s]) => {
            let Some(si) = norm_status(s) else {
                return msg(404, &format!("Invalid status: {}", s));
            };
            let f = move |id: u64, ov: Option<&Value>| order_lite(sh, id, ov).status == si;
            opage(&f, true)
        }
        ("GET", ["after", n]) => {
            let Some(n) = pid(n) else { return nf("Order") };
            let f = move |id: u64, _: Option<&Value>| id > n;
            opage(&f, false)
        }
        (_, [id, "history", t @ ..]) => {
            let Some(o) = pid(id) else { return nf("Order") };
            if !db.exists(Coll::Orders, o) {
                return nf("Order");
            }
            if !t.is_empty() {
                return msg(404, "Not Found");
            }
            crud(
                sh,
                req,
                Coll::History(o),
                "order_history",
                "Order history",
                t,
                100,
                false,
                &same,
            )
        }
        (_, [id, "documents", t @ ..]) => {
            let Some(o) = pid(id) else { return nf("Order") };
            if !db.exists(Coll::Orders, o) {
                return nf("Order");
            }
            match (m, t) {
                ("GET", []) => list("document", db.all(Coll::Documents(o))),
                ("POST", []) => {
                    let b = match body_obj(req, "document") {
                        Ok(b) => b,
                        Err(r) => return r,
                    };
                    let k = db.next_id(Coll::Documents(o));
                    let mut v = json!({"document_type": 1, "external_id": null, "public_id": format!("doc{}x{}", o, k), "url": null, "order_id": o, "app_code": null});
                    merge(&mut v, &b);
                    v["order_id"] = json!(o);
                    db.put(Coll::Documents(o), k, v.clone());
                    ok(json!({"document": v}))
                }
                (_, [public]) => {
                    let found = db
                        .ids(Coll::Documents(o), false, 0, u64::MAX, None)
                        .into_iter()
                        .find(|k| {
                            db.get(Coll::Documents(o), *k)
                                .map(|d| d["public_id"] == *public)
                                .unwrap_or(false)
                        });
                    let Some(k) = found else {
                        return nf("Document");
                    };
                    if m == "DELETE" {
                        db.delete(Coll::Documents(o), k);
                        return ok(json!("Document deleted"));
                    }
                    if m != "PUT" {
                        return msg(405, "Method Not Allowed");
                    }
                    let b = match body_obj(req, "document") {
                        Ok(b) => b,
                        Err(r) => return r,
                    };
                    let mut v = db.get(Coll::Documents(o), k).unwrap();
                    merge(&mut v, &b);
                    db.put(Coll::Documents(o), k, v.clone());
                    ok(json!({"document": v}))
                }
                _ => msg(404, "Not Found"),
            }
        }
        ("PUT", [id]) => {
            let Some(o) = pid(id) else { return nf("Order") };
            let Some(mut cur) = db.get(Coll::Orders, o) else {
                return nf("Order");
            };
            let b = match body_obj(req, "order") {
                Ok(b) => b,
                Err(r) => return r,
            };
            let allowed = [
                "status",
                "shipment_status",
                "tracking_number",
                "tracking_company",
                "tracking_url",
                "additional_information",
                "additional_fields",
            ];
            if !b.keys().any(|k| allowed.contains(&k.as_str())) {
                return msg(400, "No se encontraron parámetros permitidos");
            }
            if let Some(s) = b.get("status") {
                let Some(si) = s.as_str().and_then(norm_status) else {
                    return errors(
                        400,
                        vec![format!(
                            "status is not included in the list ({})",
                            ORDER_STATUS_LABEL.join(", ")
                        )],
                    );
                };
                cur["status"] = json!(ORDER_STATUS_LABEL[si]);
                cur["status_name"] = json!(ORDER_STATUS_LABEL[si]);
                cur["status_enum"] = json!(ORDER_STATUS_ENUM[si]);
                if si == 3 && cur["completed_at"].is_null() {
                    cur["completed_at"] = json!(ts(now_epoch()));
                }
            }
            if let Some(s) = b.get("shipment_status") {
                let n = s.as_str().unwrap_or("").to_lowercase().replace(' ', "_");
                let Some(i) = SHIP_ENUM.iter().position(|x| *x == n).filter(|i| *i > 0) else {
                    return errors(400, vec!["shipment_status is not included in the list (requested, in_transit, delivered, failed, pickup_available)".into()]);
                };
                cur["shipment_status"] = json!(SHIP_LABEL[i]);
                cur["shipment_status_enum"] = json!(SHIP_ENUM[i]);
            }
            for k in [
                "tracking_number",
                "tracking_company",
                "tracking_url",
                "additional_information",
                "additional_fields",
            ] {
                if let Some(v) = b.get(k) {
                    cur[k] = v.clone();
                }
            }
            db.put(Coll::Orders, o, cur.clone());
            ok(json!({"order": cur}))
        }
        ("GET", [id]) => {
            let Some(o) = pid(id) else { return nf("Order") };
            match db.get(Coll::Orders, o) {
                Some(v) => ok(json!({"order": project(req, v)})),
                None => nf("Order"),
            }
        }
        _ => msg(404, "Not Found"),
    }
}

fn create_order(sh: &Shared, req: &Request) -> R {
    let db = &sh.db;
    let b = match body_obj(req, "order") {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut e = Vec::new();
    let st = match b.get("status").and_then(|s| s.as_str()) {
        None => 2,
        Some(s) => match norm_status(s) {
            Some(i) => i,
            None => {
                e.push(format!(
                    "status is not included in the list ({})",
                    ORDER_STATUS_LABEL.join(", ")
                ));
                2
            }
        },
    };
    let lines_in = b
        .get("products")
        .and_then(|p| p.as_array())
        .cloned()
        .unwrap_or_default();
    if lines_in.is_empty() {
        e.push("products can't be blank".into());
    }
    let allow_missing = b
        .get("allow_missing_products")
        .and_then(|x| x.as_bool())
        .unwrap_or(false);
    let mut lines = Vec::new();
    let (mut subtotal_c, mut disc_c) = (0i64, 0i64);
    let cents = |v: &Value| -> Option<i64> {
        let f: f64 = match v {
            Value::Number(n) => n.to_string().parse().ok()?,
            Value::String(s) => s.parse().ok()?,
            _ => return None,
        };
        Some((f * 100.0).round() as i64)
    };
    for l in &lines_in {
        let Some(p) = l.get("id").and_then(|x| x.as_u64()) else {
            e.push("products.id can't be blank".into());
            continue;
        };
        let prod = db.get(Coll::Products, p);
        if prod.is_none() && !allow_missing {
            e.push(format!("product {} does not exist", p));
            continue;
        }
        let qty = l.get("qty").and_then(|x| x.as_i64()).unwrap_or(1);
        let price = match l.get("price") {
            Some(v) if !v.is_null() => match cents(v) {
                Some(c) => c,
                None => {
                    e.push("products.price is not a number".into());
                    0
                }
            },
            _ => prod.as_ref().and_then(|p| cents(&p["price"])).unwrap_or(0),
        };
        let disc = l.get("discount").and_then(cents).unwrap_or(0);
        subtotal_c += (price - disc) * qty;
        disc_c += 0;
        lines.push(json!({"id": p, "variant_id": l.get("variant_id").cloned().unwrap_or(Value::Null),
            "sku": prod.as_ref().map(|p| p["sku"].clone()).unwrap_or(Value::Null),
            "name": prod.as_ref().map(|p| p["name"].clone()).unwrap_or(json!("Producto eliminado")),
            "image": null, "qty": qty, "price": money(price), "discount": money(disc), "weight": 0, "taxes": [], "stock_locations": []}));
    }
    let cust_in = b.get("customer").cloned().unwrap_or(Value::Null);
    let cust = cust_in.get("id").and_then(|x| x.as_u64());
    let cust_rec = cust.and_then(|c| db.get(Coll::Customers, c));
    if cust.is_some() && cust_rec.is_none() {
        e.push("customer does not exist".into());
    }
    if !e.is_empty() {
        return errors(400, e);
    }
    let shipping_c = b.get("shipping_price").and_then(cents).unwrap_or(0);
    let id = db.next_id(Coll::Orders);
    let now = now_epoch();
    let mut v = blank(sh, Coll::Orders);
    v["id"] = json!(id);
    v["created_at"] = json!(ts(now));
    v["completed_at"] = if st == 3 { json!(ts(now)) } else { Value::Null };
    v["currency"] = json!("USD");
    v["subtotal"] = money(subtotal_c);
    v["tax"] = money(0);
    v["shipping_tax"] = money(0);
    v["shipping"] = money(shipping_c);
    v["shipping_required"] = b.get("shipping_required").cloned().unwrap_or(json!(true));
    v["total"] = money(subtotal_c + shipping_c - disc_c);
    v["discount"] = money(disc_c);
    v["shipping_discount"] = money(0);
    v["gift_cards_discount"] = money(0);
    v["fulfillment_status"] = json!("unfulfilled");
    v["shipping_method_id"] = b.get("shipping_method_id").cloned().unwrap_or(Value::Null);
    v["shipping_method_name"] = b
        .get("shipping_method_name")
        .cloned()
        .unwrap_or(Value::Null);
    v["source"] = json!({"created_from": "api", "created_from_app_code": null, "source_name": null, "medium": null, "campaign": null, "referral_url": null,
                         "referral_code": null, "user_agent": null, "first_page_visited": null, "first_page_visited_at": null, "referral_source": null});
    v["customer"] = match &cust_rec {
        Some(c) => {
            json!({"id": c["id"], "email": c["email"], "phone": c["phone"], "phone_prefix": null, "ip": null, "fullname": c["fullname"]})
        }
        None => {
            json!({"id": null, "email": cust_in.get("email").cloned().unwrap_or(Value::Null), "phone": null, "phone_prefix": null, "ip": null, "fullname": null})
        }
    };
    for k in [
        "shipping_address",
        "billing_address",
        "billing_information",
        "additional_information",
    ] {
        if let Some(x) = b.get(k).or_else(|| cust_in.get(k)) {
            v[k] = x.clone();
        }
    }
    v["products"] = Value::Array(lines);
    v["status"] = json!(ORDER_STATUS_LABEL[st]);
    v["status_name"] = json!(ORDER_STATUS_LABEL[st]);
    v["status_enum"] = json!(ORDER_STATUS_ENUM[st]);
    v["shipping_option"] = json!("delivery");
    v["same_day_delivery"] = json!(false);
    v["shipment_status"] = json!("Unfulfilled");
    v["shipment_status_enum"] = json!("unfulfilled");
    db.put(Coll::Orders, id, v.clone());
    ok(json!({"order": v}))
}

fn fulfillments(sh: &Shared, req: &Request, rest: &[&str]) -> R {
    let db = &sh.db;
    let m = req.method.as_str();
    match (m, rest) {
        ("POST", ["rates"]) => ok(
            json!([{"fulfillment_company": "Chilexpress", "service_label": "Día hábil siguiente", "service_type": "express", "amount": money(3_990)},
                                         {"fulfillment_company": "Starken", "service_label": "Normal", "service_type": "normal", "amount": money(2_500)}]),
        ),
        ("GET", [id, "label"]) => {
            let Some(f) = pid(id) else {
                return nf("Fulfillment");
            };
            match db.get(Coll::Fulfillments, f) {
                None => nf("Fulfillment"),
                Some(v) if v["type"] == "manual" && f % 2 == 0 => {
                    R::json(400, &json!({"error": "Invalid Label."}))
                }
                Some(_) => ok(
                    json!({"url": format!("https://labels.example.com/{}.pdf?sig=abc", f), "expires_at": crate::data::iso(now_epoch() + 86_400).replace("+00:00", "Z")}),
                ),
            }
        }
        ("POST", []) => {
            let mut b = match body_obj(req, "fulfillment") {
                Ok(b) => b,
                Err(r) => return r,
            };
            let mut e = Vec::new();
            required(&b, &["type", "location_id", "order_id"], &mut e);
            check_enum(
                &b,
                "type",
                &[
                    "manual",
                    "shipit",
                    "chilexpress",
                    "ctt",
                    "dpd",
                    "mrw",
                    "correos_chile",
                    "dhl",
                    "servientrega",
                    "starken",
                    "bluexpress",
                    "correos_express",
                ],
                &mut e,
            );
            if !e.is_empty() {
                return errors(400, e);
            }
            let oid = b["order_id"].as_u64().unwrap_or(0);
            let Some(mut order) = db.get(Coll::Orders, oid) else {
                return nf("Order");
            };
            let id = db.next_id(Coll::Fulfillments);
            let now = ts(now_epoch());
            b.remove("order");
            let mut v = blank(sh, Coll::Fulfillments);
            merge(&mut v, &b);
            v["id"] = json!(id);
            v["created_at"] = json!(now);
            v["updated_at"] = json!(now);
            v["order_id"] = json!(oid);
            if v["shipment_status"].is_null() {
                v["shipment_status"] = json!("requested");
            }
            db.put(Coll::Fulfillments, id, v.clone());
            order["fulfillment_status"] = json!("fulfilled");
            for k in ["tracking_number", "tracking_company", "tracking_url"] {
                if let Some(x) = b.get(k) {
                    order[k] = x.clone();
                }
            }
            db.put(Coll::Orders, oid, order);
            ok(json!({"fulfillment": v}))
        }
        _ => crud(
            sh,
            req,
            Coll::Fulfillments,
            "fulfillment",
            "Fulfillment",
            rest,
            100,
            false,
            &same,
        ),
    }
}

fn customers(sh: &Shared, req: &Request, rest: &[&str]) -> R {
    let db = &sh.db;
    let g = &db.gen;
    let m = req.method.as_str();
    match (m, rest) {
        ("GET", ["email", e]) => match find_customer_by_email(sh, e) {
            Some(id) => ok(json!({"customer": db.get(Coll::Customers, id)})),
            None => nf("Customer"),
        },
        ("GET", ["search"]) => {
            let q = req.q("query").unwrap_or("").trim().to_lowercase();
            let desc = req
                .q("order")
                .map(|o| o.starts_with("desc"))
                .unwrap_or(false);
            let f = |id: u64, ov: Option<&Value>| {
                if q.is_empty() {
                    return true;
                }
                match ov {
                    Some(v) => ["email", "fullname", "phone"].iter().any(|k| {
                        v[*k]
                            .as_str()
                            .map(|s| s.to_lowercase().contains(&q))
                            .unwrap_or(false)
                    }),
                    None => {
                        let n = g.customer_name(id);
                        g.customer_email(id).to_lowercase().contains(&q)
                            || format!("{} {}", n.first, n.last)
                                .to_lowercase()
                                .contains(&q)
                    }
                }
            };
            let (off, lim) = paging(req, 100);
            let vs = db
                .ids(Coll::Customers, desc, off, lim, Some(&f))
                .into_iter()
                .filter_map(|id| db.get(Coll::Customers, id))
                .collect();
            list("customer", vs)
        }
        ("GET", [id, "orders"]) | ("GET", [id, "orders", "status", _]) => {
            let Some(c) = pid(id) else {
                return nf("Customer");
            };
            if !db.exists(Coll::Customers, c) {
                return nf("Customer");
            }
            let st = if rest.len() == 4 {
                match norm_status(rest[3]) {
                    Some(s) => Some(s),
                    None => return msg(404, &format!("Invalid status: {}", rest[3])),
                }
            } else {
                None
            };
            let f = |oid: u64, ov: Option<&Value>| {
                let l = order_lite(sh, oid, ov);
                l.customer == Some(c) && st.map(|s| s == l.status).unwrap_or(true)
            };
            let (off, lim) = paging(req, 100);
            let vs = db
                .ids(Coll::Orders, true, off, lim, Some(&f))
                .into_iter()
                .filter_map(|id| db.get(Coll::Orders, id))
                .collect();
            list("order", vs)
        }
        (_, [id, "fields", t @ ..]) => {
            let Some(c) = pid(id) else {
                return nf("Customer");
            };
            if !db.exists(Coll::Customers, c) {
                return nf("Customer");
            }
            if m == "POST" && t.is_empty() {
                let b = match body_obj(req, "customer_additional_field") {
                    Ok(b) => b,
                    Err(r) => return r,
                };
                let fid = db.next_id(Coll::CustomerFields(c));
                let ccf = b.get("checkout_custom_field_id").and_then(|x| x.as_u64());
                let label = ccf
                    .and_then(|i| db.get(Coll::CheckoutCustomFields, i))
                    .map(|f| f["label"].clone())
                    .unwrap_or(b.get("label").cloned().unwrap_or(Value::Null));
                let v = json!({"id": fid, "label": label, "value": b.get("value").cloned().unwrap_or(Value::Null), "area": b.get("area").cloned().unwrap_or(json!("other")),
                               "customer_id": c, "checkout_custom_field_id": ccf});
                db.put(Coll::CustomerFields(c), fid, v.clone());
                return ok(json!({"customer_additional_field": v}));
            }
            crud(
                sh,
                req,
                Coll::CustomerFields(c),
                "customer_additional_field",
                "Customer additional field",
                t,
                100,
                false,
                &same,
            )
        }
        _ => {
            let asm = |sh: &Shared, mut v: Value| {
                let id = v["id"].as_u64().unwrap_or(0);
                // additional fields are a sub-collection; reflect its writes in the customer
                let fields: Vec<Value> = sh
                    .db
                    .all(Coll::CustomerFields(id))
                    .into_iter()
                    .map(|f| json!({"customer_additional_field": f}))
                    .collect();
                v["customer_additional_fields"] = Value::Array(fields);
                v
            };
            crud(
                sh,
                req,
                Coll::Customers,
                "customer",
                "Customer",
                rest,
                100,
                false,
                &asm,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SandboxConfig;

    fn slow_products(sh: &Shared, ids: &[u64]) -> Vec<u8> {
        let vs = ids
            .iter()
            .filter_map(|id| sh.db.get(Coll::Products, *id))
            .map(|v| product_full(sh, v))
            .collect();
        list("product", vs).body
    }
    fn slow_orders(sh: &Shared, ids: &[u64]) -> Vec<u8> {
        list(
            "order",
            ids.iter()
                .filter_map(|id| sh.db.get(Coll::Orders, *id))
                .collect(),
        )
        .body
    }

    /// the text fast path of list pages gives exactly the bytes of the `Value` path
    #[test]
    fn fast_pages_match_value_pages() {
        for seed in [42, 7] {
            let sh = Shared::new(SandboxConfig {
                seed,
                products: 700,
                orders: 900,
                categories: 20,
                huge_description_product: Some(3),
                ..Default::default()
            });
            let pids: Vec<u64> = (1..=700).collect();
            let oids: Vec<u64> = (1..=900).rev().collect();
            for chunk in pids.chunks(100) {
                assert_eq!(
                    String::from_utf8(product_page(&sh, chunk.to_vec()).body).unwrap(),
                    String::from_utf8(slow_products(&sh, chunk)).unwrap()
                );
            }
            for chunk in oids.chunks(100) {
                assert_eq!(
                    String::from_utf8(order_page(&sh, chunk.to_vec()).body).unwrap(),
                    String::from_utf8(slow_orders(&sh, chunk)).unwrap()
                );
            }
            // with writes in the overlay: touched records take the Value path, deleted ones drop out
            let db = &sh.db;
            let mut p = db.get(Coll::Products, 5).unwrap();
            p["name"] = json!("Renamed \"quoted\"");
            db.put(Coll::Products, 5, p);
            db.put(
                Coll::Variants(7),
                db.next_id(Coll::Variants(7)),
                json!({"id": 1, "price": 1.5}),
            );
            db.delete(Coll::Products, 9);
            let mut o = db.get(Coll::Orders, 800).unwrap();
            o["status"] = json!("Paid");
            db.put(Coll::Orders, 800, o);
            let ids: Vec<u64> = (1..=100).collect();
            assert_eq!(
                product_page(&sh, ids.clone()).body,
                slow_products(&sh, &ids)
            );
            let ids: Vec<u64> = (750..=850).rev().collect();
            assert_eq!(order_page(&sh, ids.clone()).body, slow_orders(&sh, &ids));
            let mut c = db.get(Coll::Categories, 2).unwrap();
            c["name"] = json!("Otra");
            db.put(Coll::Categories, 2, c);
            let ids: Vec<u64> = (1..=100).collect();
            assert_eq!(
                product_page(&sh, ids.clone()).body,
                slow_products(&sh, &ids)
            );
        }
    }
}

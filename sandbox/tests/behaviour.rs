mod common;
use common::*;
use jumpseller_sandbox::{Fault, FaultKind, SandboxConfig};
use serde_json::{json, Value};
use std::io::{Read, Write};

#[test]
fn paging_edges_and_order() {
    let sb = start(SandboxConfig {
        products: 120,
        orders: 400,
        ..unlimited()
    });
    let (_, p1) = get(&sb, "/products.json?page=1&limit=100");
    let (_, p2) = get(&sb, "/products.json?page=2&limit=100");
    let (_, p3) = get(&sb, "/products.json?page=3&limit=100");
    assert_eq!(p1.as_array().unwrap().len(), 100);
    assert_eq!(p2.as_array().unwrap().len(), 20, "short page ends the list");
    assert_eq!(p3, json!([]), "past the end is []");
    assert_eq!(p1[0]["product"]["id"], 1, "products ascending");
    assert_eq!(
        get(&sb, "/products.json").1.as_array().unwrap().len(),
        50,
        "default limit 50"
    );
    assert_eq!(
        get(&sb, "/products.json?limit=500")
            .1
            .as_array()
            .unwrap()
            .len(),
        100,
        "clamped to 100"
    );
    assert_eq!(
        get(&sb, "/promotions.json?limit=500")
            .1
            .as_array()
            .unwrap()
            .len(),
        5
    );
    let (_, o) = get(&sb, "/orders.json?limit=3");
    assert_eq!(o[0]["order"]["id"], 400, "orders newest first");
    assert_eq!(o[2]["order"]["id"], 398);
    assert_eq!(get(&sb, "/products/count.json").1, json!({"count": 120}));
    // pushdown routes agree with full scans
    let mut all = Vec::new();
    for page in 1..=2 {
        all.extend(
            get(&sb, &format!("/products.json?page={}&limit=100", page))
                .1
                .as_array()
                .unwrap()
                .clone(),
        );
    }
    let avail = all
        .iter()
        .filter(|p| p["product"]["status"] == "available")
        .count() as u64;
    assert_eq!(
        get(&sb, "/products/status/available/count.json").1["count"]
            .as_u64()
            .unwrap(),
        avail
    );
    assert_eq!(
        get(&sb, "/products/status/available.json?limit=100&page=1")
            .1
            .as_array()
            .unwrap()
            .len() as u64,
        avail.min(100)
    );
    let in_cat2 = all
        .iter()
        .filter(|p| {
            p["product"]["categories"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["id"] == 2)
        })
        .count() as u64;
    assert_eq!(
        get(&sb, "/products/category/2/count.json").1["count"]
            .as_u64()
            .unwrap(),
        in_cat2
    );
    let after = get(&sb, "/products/after/110.json").1;
    assert_eq!(after.as_array().unwrap().len(), 10);
    assert_eq!(after[0]["product"]["id"], 111);
    let (s, e) = get(&sb, "/products/status/bogus.json");
    assert_eq!(s, 404);
    assert!(e["message"].is_string());
    assert_eq!(get(&sb, "/products/99999.json").0, 404);
    assert_eq!(
        get(&sb, "/orders/status/Pending%20Payment.json").0,
        200,
        "Title Case status accepted"
    );
    // date filter: inclusive whole days on created_at
    let (_, d) = get(
        &sb,
        "/orders.json?dateFilter=customDate&initialDate=2024-03-01&finalDate=2024-03-31&limit=100",
    );
    for o in d.as_array().unwrap() {
        let c = o["order"]["created_at"].as_str().unwrap();
        assert!(("2024-03-01".."2024-04-01").contains(&c), "{}", c);
    }
    assert!(!d.as_array().unwrap().is_empty());
    let (_, paid) = get(
        &sb,
        "/orders.json?status_filters[]=paid&status_filters[]=canceled&limit=100",
    );
    assert!(paid
        .as_array()
        .unwrap()
        .iter()
        .all(|o| ["paid", "canceled"].contains(&o["order"]["status_enum"].as_str().unwrap())));
    let (_, s) = get(&sb, "/orders/search.json?query=&limit=5");
    assert_eq!(s["count"], 400);
    // customers/email and customers/{id}/orders
    let email = get(&sb, "/customers/7.json").1["customer"]["email"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        get(
            &sb,
            &format!("/customers/email/{}.json", email.to_uppercase())
        )
        .1["customer"]["id"],
        7
    );
    let (_, co) = get(&sb, "/customers/1/orders.json?limit=100");
    assert!(co
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["order"]["customer"]["id"] == 1));
    // exact money text
    let raw = client()
        .get(format!("{}/orders.json?limit=100", sb.url()))
        .basic_auth("sandbox", Some("sandbox-authtoken"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        !raw.contains("99999999") && !raw.contains("00000001"),
        "float noise in money"
    );
}

#[test]
fn data_is_deterministic_and_scales() {
    let a = start(SandboxConfig {
        orders: 1_000_000,
        products: 100_000,
        ..unlimited()
    });
    let b = start(SandboxConfig {
        orders: 1_000_000,
        products: 100_000,
        ..unlimited()
    });
    assert_eq!(
        get(&a, "/orders/777777.json").1,
        get(&b, "/orders/777777.json").1
    );
    assert_eq!(
        get(&a, "/products/54321.json").1,
        get(&b, "/products/54321.json").1
    );
    let t = std::time::Instant::now();
    assert_eq!(
        get(&a, "/orders.json?limit=1").1[0]["order"]["id"],
        1_000_000
    );
    assert_eq!(get(&a, "/orders/count.json").1["count"], 1_000_000);
    assert!(t.elapsed().as_millis() < 2000);
    let c = start(SandboxConfig {
        seed: 7,
        ..unlimited()
    });
    assert_ne!(
        get(&a, "/customers/3.json").1,
        get(&c, "/customers/3.json").1,
        "seed changes data"
    );
    // huge description hook
    let h = start(SandboxConfig {
        huge_description_product: Some(3),
        ..unlimited()
    });
    let (_, p) = get(&h, "/products/3.json");
    assert!(p["product"]["description"].as_str().unwrap().len() >= 10 * 1024 * 1024);
}

#[test]
fn writes_are_visible_to_later_reads() {
    let sb = start(unlimited());
    let (s, p) = send(
        &sb,
        "POST",
        "/products.json",
        &json!({"product": {"name": "Taza 🎉", "price": 12.10, "categories": [2]}}),
    );
    assert_eq!(s, 200, "{}", p);
    let id = p["product"]["id"].as_u64().unwrap();
    assert_eq!(id, 121);
    assert!(
        serde_json::to_string(&p)
            .unwrap()
            .contains("\"price\":12.10")
            || serde_json::to_string(&p)
                .unwrap()
                .contains("\"price\":12.1")
    );
    assert_eq!(get(&sb, "/products/count.json").1["count"], 121);
    assert_eq!(
        get(&sb, &format!("/products/{}.json", id)).1["product"]["name"],
        "Taza 🎉"
    );
    let last = get(&sb, "/products.json?page=3&limit=50").1;
    assert_eq!(
        last.as_array().unwrap().last().unwrap()["product"]["id"],
        id
    );
    let (s, _) = send(
        &sb,
        "PUT",
        &format!("/products/{}.json", id),
        &json!({"product": {"status": "disabled", "stock": 85}}),
    );
    assert_eq!(s, 200);
    assert!(get(&sb, "/products/status/disabled.json?limit=100")
        .1
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["product"]["id"] == id));
    let (s, _) = send(
        &sb,
        "POST",
        &format!("/products/{}/variants.json", id),
        &json!({"variant": {"price": 13, "sku": "T-1"}}),
    );
    assert_eq!(s, 200);
    assert_eq!(
        get(&sb, &format!("/products/{}.json", id)).1["product"]["variants"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // delete a base record: count and paging shift
    assert_eq!(send(&sb, "DELETE", "/products/5.json", &json!({})).0, 200);
    assert_eq!(get(&sb, "/products/5.json").0, 404);
    assert_eq!(get(&sb, "/products/count.json").1["count"], 120);
    let p1 = get(&sb, "/products.json?limit=5").1;
    assert_eq!(p1[4]["product"]["id"], 6);
    // validation errors
    let (s, e) = send(
        &sb,
        "POST",
        "/products.json",
        &json!({"product": {"price": "abc"}}),
    );
    assert_eq!(s, 400);
    assert!(e["errors"].as_array().unwrap().len() >= 2);
    let (s, _) = send(
        &sb,
        "PUT",
        "/products/99999.json",
        &json!({"product": {"price": 1}}),
    );
    assert_eq!(s, 404);
    let (s, _) = send(&sb, "POST", "/products.json", &json!("not an object"));
    assert_eq!(s, 400);
    // orders: create newest first, PUT status
    let (s, o) = send(
        &sb,
        "POST",
        "/orders.json",
        &json!({"order": {"status": "pending_payment", "products": [{"id": 1, "qty": 2, "price": 10.25}], "customer": {"id": 4}}}),
    );
    assert_eq!(s, 200, "{}", o);
    let oid = o["order"]["id"].as_u64().unwrap();
    assert_eq!(
        get(&sb, "/orders.json?limit=1").1[0]["order"]["id"]
            .as_u64()
            .unwrap(),
        oid
    );
    assert_eq!(o["order"]["subtotal"].to_string(), "20.5");
    let (s, _) = send(
        &sb,
        "PUT",
        &format!("/orders/{}.json", oid),
        &json!({"order": {"status": "Paid", "tracking_number": "T1"}}),
    );
    assert_eq!(s, 200);
    assert_eq!(
        get(&sb, &format!("/orders/{}.json", oid)).1["order"]["status_enum"],
        "paid"
    );
    assert!(get(&sb, "/customers/4/orders.json")
        .1
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["order"]["id"].as_u64() == Some(oid)));
    assert_eq!(
        send(&sb, "PUT", "/orders/2.json", &json!({"order": {"foo": 1}})).0,
        400
    );
    // customers: unique email, category membership
    let (s, c) = send(
        &sb,
        "POST",
        "/customers.json",
        &json!({"customer": {"email": "Nueva@Example.com"}}),
    );
    assert_eq!(s, 200);
    let cid = c["customer"]["id"].as_u64().unwrap();
    assert_eq!(
        send(
            &sb,
            "POST",
            "/customers.json",
            &json!({"customer": {"email": "nueva@example.com"}})
        )
        .0,
        400
    );
    assert_eq!(
        get(&sb, "/customers/email/nueva@example.com.json").1["customer"]["id"].as_u64(),
        Some(cid)
    );
    let (s, _) = send(
        &sb,
        "POST",
        "/customer_categories/3/customers.json",
        &json!({"customers": [{"id": cid}]}),
    );
    assert_eq!(s, 200);
    assert!(get(&sb, "/customer_categories/3/customers.json?limit=100")
        .1
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["customer"]["id"].as_u64() == Some(cid)));
    // hooks CRUD
    let (s, h) = send(
        &sb,
        "POST",
        "/hooks.json",
        &json!({"hook": {"event": "order_paid", "url": "https://x.example/h"}}),
    );
    assert_eq!(s, 200);
    let hid = h["hook"]["id"].as_u64().unwrap();
    assert_eq!(
        send(
            &sb,
            "POST",
            "/hooks.json",
            &json!({"hook": {"event": "nope", "url": "u"}})
        )
        .0,
        400
    );
    assert_eq!(
        send(&sb, "DELETE", &format!("/hooks/{}.json", hid), &json!({})).0,
        200
    );
    assert_eq!(get(&sb, &format!("/hooks/{}.json", hid)).0, 404);
}

fn bearer_get(
    sb: &jumpseller_sandbox::Sandbox,
    path: &str,
    tok: &str,
) -> reqwest::blocking::Response {
    client()
        .get(format!("{}{}", sb.url(), path))
        .bearer_auth(tok)
        .send()
        .unwrap()
}

#[test]
fn auth_methods_and_failures() {
    let sb = start(unlimited());
    let c = client();
    let r = c
        .get(format!("{}/products/count.json", sb.url()))
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = c
        .get(format!("{}/products/count.json", sb.url()))
        .basic_auth("sandbox", Some("wrong"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = r.json().unwrap();
    assert!(v["message"].is_string());
    let r = c
        .get(format!(
            "{}/products/count.json?login=sandbox&authtoken=sandbox-authtoken",
            sb.url()
        ))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let (tok, _) = sb.issue_token("read_products write_orders");
    assert_eq!(bearer_get(&sb, "/products/count.json", &tok).status(), 200);
    assert_eq!(
        bearer_get(&sb, "/orders/count.json", &tok).status(),
        200,
        "write_x implies read_x"
    );
    assert_eq!(bearer_get(&sb, "/customers/count.json", &tok).status(), 403);
    assert_eq!(
        bearer_get(&sb, "/products/count.json", "bogus").status(),
        401
    );
    let r = c
        .post(format!("{}/products.json", sb.url()))
        .bearer_auth(&tok)
        .body("{\"product\":{\"name\":\"x\",\"price\":1}}")
        .send()
        .unwrap();
    assert_eq!(r.status(), 403, "read scope cannot write");
    let (tok2, _) = sb.issue_token("read_store");
    assert_eq!(bearer_get(&sb, "/categories.json", &tok2).status(), 200);
    assert_eq!(bearer_get(&sb, "/countries.json", &tok2).status(), 200);
    sb.expire_access_tokens();
    let r = bearer_get(&sb, "/products/count.json", &tok);
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("www-authenticate").is_some());
}

#[test]
fn oauth_code_flow_refresh_and_rotation() {
    let sb = start(unlimited());
    let c = client();
    let r = c.get(format!("{}/oauth/authorize?client_id=sandbox-client&redirect_uri=http://localhost:33333/cb&response_type=code&scope=read_products%20read_orders&state=xyz", sb.base_url())).send().unwrap();
    assert_eq!(r.status(), 302);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        loc.starts_with("http://localhost:33333/cb?code=") && loc.ends_with("&state=xyz"),
        "{}",
        loc
    );
    let code = loc
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();
    // wrong redirect_uri consumes nothing useful: code is bound to the redirect URI
    let form = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| format!("{}={}", k, v))
            .collect::<Vec<_>>()
            .join("&")
    };
    let r = c
        .post(format!("{}/oauth/token", sb.base_url()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("grant_type", "authorization_code"),
            ("client_id", "sandbox-client"),
            ("client_secret", "sandbox-secret"),
            ("code", &code),
            ("redirect_uri", "http://localhost:33333/cb"),
        ]))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let t: Value = r.json().unwrap();
    assert_eq!(t["token_type"], "bearer");
    assert_eq!(t["expires_in"], 3600);
    assert!(t["created_at"].is_u64());
    let (at, rt) = (
        t["access_token"].as_str().unwrap().to_string(),
        t["refresh_token"].as_str().unwrap().to_string(),
    );
    assert_eq!(bearer_get(&sb, "/orders/count.json", &at).status(), 200);
    // code is single use
    let r = c.post(format!("{}/oauth/token", sb.base_url())).json(&json!({"grant_type": "authorization_code", "client_id": "sandbox-client", "client_secret": "sandbox-secret", "code": code, "redirect_uri": "http://localhost:33333/cb"})).send().unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().unwrap()["error"], "invalid_grant");
    // token info
    let r = c
        .get(format!("{}/oauth/token/info", sb.base_url()))
        .bearer_auth(&at)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    // expiry then refresh (multipart body, client credentials in HTTP Basic)
    sb.expire_access_tokens();
    assert_eq!(bearer_get(&sb, "/orders/count.json", &at).status(), 401);
    let boundary = "XyZ";
    let mp = format!("--{b}\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nrefresh_token\r\n--{b}\r\nContent-Disposition: form-data; name=\"refresh_token\"\r\n\r\n{rt}\r\n--{b}--\r\n", b = boundary, rt = rt);
    let r = c
        .post(format!("{}/oauth/token", sb.base_url()))
        .basic_auth("sandbox-client", Some("sandbox-secret"))
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={}", boundary),
        )
        .body(mp)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let t2: Value = r.json().unwrap();
    let (at2, rt2) = (
        t2["access_token"].as_str().unwrap().to_string(),
        t2["refresh_token"].as_str().unwrap().to_string(),
    );
    assert_ne!(rt2, rt);
    assert_eq!(bearer_get(&sb, "/products/count.json", &at2).status(), 200);
    // rotation: the used refresh token is dead
    let r = c.post(format!("{}/oauth/token", sb.base_url())).json(&json!({"grant_type": "refresh_token", "client_id": "sandbox-client", "client_secret": "sandbox-secret", "refresh_token": rt})).send().unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().unwrap()["error"], "invalid_grant");
    // bad client
    let r = c.post(format!("{}/oauth/token", sb.base_url())).json(&json!({"grant_type": "refresh_token", "client_id": "sandbox-client", "client_secret": "nope", "refresh_token": rt2})).send().unwrap();
    assert_eq!(r.status(), 401);
    // deny + short TTL + no rotation
    let sb2 = start(SandboxConfig {
        oauth_deny: true,
        ..unlimited()
    });
    let r = c.get(format!("{}/oauth/authorize?client_id=sandbox-client&redirect_uri=http://localhost/cb&response_type=code&scope=read_products&state=s1", sb2.base_url())).send().unwrap();
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .contains("error=access_denied&state=s1"));
    let sb3 = start(SandboxConfig {
        token_ttl_secs: 1,
        rotate_refresh_tokens: false,
        ..unlimited()
    });
    let (a3, r3) = sb3.issue_token("read_products");
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert_eq!(
        bearer_get(&sb3, "/products/count.json", &a3).status(),
        401,
        "ttl expiry"
    );
    for _ in 0..2 {
        let r = c.post(format!("{}/oauth/token", sb3.base_url())).json(&json!({"grant_type": "refresh_token", "client_id": "sandbox-client", "client_secret": "sandbox-secret", "refresh_token": r3})).send().unwrap();
        assert_eq!(
            r.status(),
            200,
            "without rotation the refresh token stays valid"
        );
    }
}

#[test]
fn rate_limits_headers_429_and_ban() {
    let sb = start(SandboxConfig {
        per_second: 5,
        per_minute: 1000,
        ban_after: 4,
        ban_secs: 30,
        ..Default::default()
    });
    let c = client();
    let mut statuses = Vec::new();
    let mut last = None;
    for _ in 0..12 {
        let r = c
            .get(format!("{}/store/info.json", sb.url()))
            .basic_auth("sandbox", Some("sandbox-authtoken"))
            .send()
            .unwrap();
        for h in [
            "Jumpseller-PerMinuteRateLimit-Limit",
            "Jumpseller-PerMinuteRateLimit-Remaining",
            "Jumpseller-PerSecondRateLimit-Limit",
            "Jumpseller-PerSecondRateLimit-Remaining",
        ] {
            assert!(r.headers().get(h).is_some(), "missing {}", h);
        }
        statuses.push(r.status().as_u16());
        last = Some(r);
    }
    assert_eq!(&statuses[..5], &[200; 5]);
    assert_eq!(statuses[5], 429);
    let last = last.unwrap();
    assert!(
        last.headers()
            .get("Jumpseller-BannedByRateLimit-Reset")
            .is_some(),
        "ban after 4 x 429"
    );
    let reset = last.headers()["Jumpseller-BannedByRateLimit-Reset"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        reset.ends_with("+00:00") && reset.contains('T'),
        "{}",
        reset
    );
    assert_eq!(
        last.json::<Value>().unwrap(),
        json!({"message": "Rate Limit Exceeded"})
    );
    // control API is never rate limited
    let st: Value = c
        .get(format!("{}/__sandbox/stats", sb.base_url()))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(st["total"], 12);
    sb.reset_rate_limits();
    assert_eq!(get(&sb, "/store/info.json").0, 200);
}

fn raw_get(port: u16, path: &str) -> (Vec<u8>, std::io::Result<()>) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_millis(1500)))
        .unwrap();
    write!(s, "GET {} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic c2FuZGJveDpzYW5kYm94LWF1dGh0b2tlbg==\r\n\r\n", path).unwrap();
    let mut buf = Vec::new();
    let r = s.read_to_end(&mut buf).map(|_| ());
    (buf, r)
}

#[test]
fn every_fault_kind() {
    let sb = start(unlimited());
    let port = sb.port();
    let f = |kind: FaultKind| {
        vec![Fault {
            route: "/v1/products*".into(),
            kind,
            probability: 1.0,
            count: Some(1),
        }]
    };
    // Status
    sb.set_faults(f(FaultKind::Status(503)));
    assert_eq!(get(&sb, "/products/count.json").0, 503);
    assert_eq!(
        get(&sb, "/products/count.json").0,
        200,
        "count limits the fault"
    );
    assert_eq!(get(&sb, "/orders/count.json").0, 200, "route glob");
    // Reset
    sb.set_faults(f(FaultKind::Reset));
    let (buf, _) = raw_get(port, "/v1/products.json");
    assert!(buf.is_empty(), "reset sends nothing");
    // Truncate
    sb.set_faults(f(FaultKind::Truncate));
    let (buf, _) = raw_get(port, "/v1/products.json");
    let text = String::from_utf8_lossy(&buf).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let cl: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(body.len() < cl, "body shorter than Content-Length");
    assert!(
        client()
            .get(format!("{}/products.json", sb.url()))
            .basic_auth("sandbox", Some("sandbox-authtoken"))
            .send()
            .map(|r| r.status().as_u16())
            .unwrap_or(200)
            == 200
    );
    // Malformed JSON
    sb.set_faults(f(FaultKind::MalformedJson));
    let r = client()
        .get(format!("{}/products.json", sb.url()))
        .basic_auth("sandbox", Some("sandbox-authtoken"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(serde_json::from_str::<Value>(&r.text().unwrap()).is_err());
    // Stall: headers and part of the body, then nothing
    sb.set_faults(f(FaultKind::Stall(3000)));
    let (buf, res) = raw_get(port, "/v1/products.json");
    assert!(res.is_err(), "read times out while stalled");
    assert!(String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 200"));
    // Latency
    sb.set_faults(vec![Fault {
        route: "*".into(),
        kind: FaultKind::Latency {
            ms: 300,
            jitter_ms: 0,
        },
        probability: 1.0,
        count: None,
    }]);
    let t = std::time::Instant::now();
    assert_eq!(get(&sb, "/products/count.json").0, 200);
    assert!(t.elapsed().as_millis() >= 300);
    // probability is deterministic from the seed
    let pattern = |seed: u64| {
        let s = start(SandboxConfig {
            seed,
            ..unlimited()
        });
        s.set_faults(vec![Fault {
            route: "*".into(),
            kind: FaultKind::Status(500),
            probability: 0.5,
            count: None,
        }]);
        (0..20)
            .map(|_| get(&s, "/store/info.json").0)
            .collect::<Vec<_>>()
    };
    let a = pattern(42);
    assert_eq!(a, pattern(42));
    assert!(a.contains(&500) && a.contains(&200));
    // control API faults + CLI syntax
    sb.set_faults(vec![]);
    let r = client().post(format!("{}/__sandbox/faults", sb.base_url())).body(r#"[{"route":"/v1/orders*","kind":"status","status":502,"count":1}, "/v1/customers*=status:504@1#1"]"#).send().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(get(&sb, "/orders/count.json").0, 502);
    assert_eq!(get(&sb, "/customers/count.json").0, 504);
    assert_eq!(
        Fault::parse("*=latency:200:50@0.25").unwrap().kind,
        FaultKind::Latency {
            ms: 200,
            jitter_ms: 50
        }
    );
}

#[test]
fn control_api_and_counts() {
    let sb = start(unlimited());
    get(&sb, "/products/1.json");
    get(&sb, "/products/2.json");
    get(&sb, "/products/2/variants.json");
    let by = sb.requests_by_route();
    assert_eq!(by.get("GET /products/{id}.json"), Some(&2));
    assert_eq!(by.get("GET /products/{id}/variants.json"), Some(&1));
    assert_eq!(sb.request_count(), 3);
    let c = client();
    let st: Value = c
        .get(format!("{}/__sandbox/stats", sb.base_url()))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(st["total"], 3);
    assert_eq!(st["by_route"]["GET /products/{id}.json"], 2);
    c.post(format!("{}/__sandbox/reset", sb.base_url()))
        .send()
        .unwrap();
    assert_eq!(sb.request_count(), 0);
    let (t, _) = sb.issue_token("read_products");
    c.post(format!("{}/__sandbox/expire-tokens", sb.base_url()))
        .send()
        .unwrap();
    assert_eq!(bearer_get(&sb, "/products/count.json", &t).status(), 401);
    sb.reset_counts();
    assert_eq!(sb.request_count(), 0);
}

#[test]
fn export_matches_served_data() {
    let cfg = SandboxConfig {
        products: 30,
        orders: 40,
        customers: 20,
        ..unlimited()
    };
    let file = TempFile::new("sandbox-export", "sqlite");
    let path = &file.0;
    jumpseller_sandbox::export::export_sqlite(&cfg, path).unwrap();
    let sb = start(cfg);
    let conn = rusqlite::Connection::open(path).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM Products", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 30);
    let (_, p) = get(&sb, "/products/7.json");
    let (name, price, created): (String, String, String) = conn
        .query_row(
            "SELECT name, price, created_at FROM Products WHERE id = 7",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get::<_, rusqlite::types::Value>(1).map(|v| match v {
                        rusqlite::types::Value::Text(t) => t,
                        rusqlite::types::Value::Integer(i) => i.to_string(),
                        o => format!("{:?}", o),
                    })?,
                    r.get(2)?,
                ))
            },
        )
        .unwrap();
    assert_eq!(name, p["product"]["name"].as_str().unwrap());
    assert_eq!(price, p["product"]["price"].to_string());
    assert_eq!(
        format!("{} UTC", created),
        p["product"]["created_at"].as_str().unwrap()
    );
    let nv: i64 = conn
        .query_row(
            "SELECT count(*) FROM ProductVariants WHERE product_id = 7",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        nv as usize,
        p["product"]["variants"].as_array().unwrap().len()
    );
    let (_, o) = get(&sb, "/orders/9.json");
    let (total, city, lines): (String, Option<String>, i64) = conn.query_row("SELECT total, shipping_address_city, (SELECT count(*) FROM OrderProducts WHERE order_id = 9) FROM Orders WHERE id = 9", [], |r| Ok((r.get::<_, rusqlite::types::Value>(0).map(|v| match v { rusqlite::types::Value::Text(t) => t, rusqlite::types::Value::Integer(i) => i.to_string(), o => format!("{:?}", o) })?, r.get(1)?, r.get(2)?))).unwrap();
    assert_eq!(total, o["order"]["total"].to_string());
    assert_eq!(
        city.as_deref(),
        o["order"]["shipping_address"]["city"].as_str()
    );
    assert_eq!(
        lines as usize,
        o["order"]["products"].as_array().unwrap().len()
    );
    for t in [
        "Store",
        "Products",
        "ProductVariants",
        "ProductImages",
        "ProductCategories",
        "Categories",
        "Orders",
        "OrderProducts",
        "Customers",
    ] {
        let _: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {}", t), [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("table {}: {}", t, e));
    }
}

#[test]
fn throughput_rows_per_second() {
    let sb = start(SandboxConfig {
        products: 5_000,
        ..unlimited()
    });
    let c = client();
    let t = std::time::Instant::now();
    let mut rows = 0;
    for page in 1..=20 {
        let r = c
            .get(format!(
                "{}/products.json?page={}&limit=100",
                sb.url(),
                page
            ))
            .basic_auth("sandbox", Some("sandbox-authtoken"))
            .send()
            .unwrap();
        let v: Value = serde_json::from_slice(&r.bytes().unwrap()).unwrap();
        rows += v.as_array().unwrap().len();
    }
    let rps = rows as f64 / t.elapsed().as_secs_f64();
    eprintln!(
        "sandbox throughput (debug build, includes client parse): {:.0} rows/s",
        rps
    );
    assert_eq!(rows, 2000);
}

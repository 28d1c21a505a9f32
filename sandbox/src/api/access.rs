//! Who may call a /v1 route: credentials, OAuth scopes and the rate-limit headers every /v1
//! answer carries.

use super::respond::message;
use crate::http::{Request, Response};
use crate::{oauth, Shared};

/// Adds the four rate-limit headers. `sec_left`/`min_left` are the requests left in the window;
/// a limit of 0 is unlimited.
pub(super) fn rate_headers(
    response: Response,
    sec_left: u32,
    min_left: u32,
    shared: &Shared,
) -> Response {
    let cfg = &shared.cfg;
    let limit = |limit: u32| {
        if limit == 0 {
            "unlimited".to_string()
        } else {
            limit.to_string()
        }
    };
    let remaining = |limit: u32, left: u32| {
        if limit == 0 {
            "unlimited".to_string()
        } else {
            left.min(limit).to_string()
        }
    };
    response
        .header("Jumpseller-PerMinuteRateLimit-Limit", limit(cfg.per_minute))
        .header(
            "Jumpseller-PerMinuteRateLimit-Remaining",
            remaining(cfg.per_minute, min_left),
        )
        .header("Jumpseller-PerSecondRateLimit-Limit", limit(cfg.per_second))
        .header(
            "Jumpseller-PerSecondRateLimit-Remaining",
            remaining(cfg.per_second, sec_left),
        )
}

/// the rate-limit headers of an answer that used no request from the window
pub(super) fn full_rate_headers(response: Response, shared: &Shared) -> Response {
    rate_headers(
        response,
        shared.cfg.per_second,
        shared.cfg.per_minute,
        shared,
    )
}

/// The scope area a route needs (`read_<area>`/`write_<area>`) and the more specific declared
/// area also accepted, by the first path segment; None = credentials but no scope needed.
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

/// whether the granted scopes cover the area (`write_x` implies `read_x`); apps accept any of
/// their three scopes, for reads and writes alike
fn scope_ok(granted: &str, area: &str, alt: Option<&str>, write: bool, apps: bool) -> bool {
    let granted: Vec<&str> = granted.split_whitespace().collect();
    let covers = |area: &str| {
        if apps {
            return granted.contains(&"read_apps")
                || granted.contains(&"read_jsapps")
                || granted.contains(&"write_jsapps");
        }
        let write_scope = format!("write_{}", area);
        let read_scope = format!("read_{}", area);
        if write {
            granted.contains(&write_scope.as_str())
        } else {
            granted.contains(&write_scope.as_str()) || granted.contains(&read_scope.as_str())
        }
    };
    covers(area) || alt.map(covers).unwrap_or(false)
}

/// Checks the request's credentials, in the order the real API does: a bearer token (and its
/// scopes), HTTP Basic, another Authorization scheme (refused), then the deprecated query
/// parameters.
pub(super) fn authorize(shared: &Shared, req: &Request, segs: &[&str]) -> Result<(), Response> {
    let cfg = &shared.cfg;
    if let Some(token) = oauth::bearer(req) {
        let granted = shared.oauth.lock().unwrap().check(&token);
        return match granted {
            Err(why) => Err(invalid_token(why)),
            Ok(granted) => check_scope(req, segs, &granted),
        };
    }
    if let Some((login, authtoken)) = oauth::basic_credentials(req) {
        return if login == cfg.login && authtoken == cfg.authtoken {
            Ok(())
        } else {
            Err(message(401, "Unauthorized: invalid login or authtoken"))
        };
    }
    if req.header("Authorization").is_some() {
        return Err(message(
            401,
            "Unauthorized: unsupported Authorization scheme",
        ));
    }
    match (req.q("login"), req.q("authtoken")) {
        (Some(login), Some(authtoken)) if login == cfg.login && authtoken == cfg.authtoken => Ok(()),
        (Some(_), _) | (_, Some(_)) => Err(message(401, "Unauthorized: invalid login or authtoken")),
        _ => Err(message(401, "Unauthorized: missing credentials (use HTTP Basic login:authtoken or an OAuth bearer token)")),
    }
}

fn invalid_token(why: &str) -> Response {
    message(401, &format!("Unauthorized: {}", why)).header(
        "WWW-Authenticate",
        format!(
            "Bearer realm=\"Jumpseller\", error=\"invalid_token\", error_description=\"{}\"",
            why
        ),
    )
}

/// 403 unless the token's scopes cover the route (reads need read or write, writes need write)
fn check_scope(req: &Request, segs: &[&str], granted: &str) -> Result<(), Response> {
    let Some((area, alt)) = scope_area(segs) else {
        return Ok(());
    };
    let write = req.method != "GET" && req.method != "HEAD";
    if scope_ok(granted, area, alt, write, area == "apps") {
        return Ok(());
    }
    let need = if area == "apps" {
        "read_apps".to_string()
    } else {
        format!("{}_{}", if write { "write" } else { "read" }, area)
    };
    Err(message(
        403,
        &format!("Forbidden: the access token lacks the scope {}", need),
    )
    .header(
        "WWW-Authenticate",
        format!(
            "Bearer realm=\"Jumpseller\", error=\"insufficient_scope\", scope=\"{}\"",
            need
        ),
    ))
}

//! Store-wide reference routes: store info, languages, the ledger balance, and countries with
//! their regions and municipalities.

use super::respond::{no_route, not_found, ok};
use crate::data::money;
use crate::http::Response;
use crate::misc::{municipalities, regions, COUNTRIES};
use crate::Shared;
use serde_json::{json, Value};

pub(super) fn info(shared: &Shared) -> Response {
    ok(json!({"store": shared.db.gen.store()}))
}

pub(super) fn languages() -> Response {
    ok(
        json!([{"code": "es", "name": "Español"}, {"code": "en", "name": "English"}, {"code": "pt-BR", "name": "Português (Brasil)"}]),
    )
}

pub(super) fn ledger_balance() -> Response {
    ok(
        json!([{"balance": money(12_345_678), "currency": "USD", "balance_formatted": "$123.456,78"}]),
    )
}

/// GET /countries[/{code}[/regions[/{code}[/municipalities]]]]; codes in any case
pub(super) fn countries(rest: &[&str]) -> Response {
    let [code, rest @ ..] = rest else {
        return ok(Value::Array(
            COUNTRIES
                .iter()
                .map(|(c, n)| json!({"code": c, "name": n}))
                .collect(),
        ));
    };
    let code = code.to_uppercase();
    let Some((code, name)) = COUNTRIES.iter().find(|(c, _)| *c == code) else {
        return not_found("Country");
    };
    let regions = regions(code);
    let find_region = |region: &str| {
        regions
            .iter()
            .find(|(c, _, _)| c.eq_ignore_ascii_case(region))
    };
    match rest {
        [] => ok(json!({"code": code, "name": name})),
        ["regions"] => ok(Value::Array(
            regions
                .iter()
                .map(|(c, n, i)| json!({"code": c, "name": n, "iso": i}))
                .collect(),
        )),
        ["regions", region] => match find_region(region) {
            Some((c, n, i)) => ok(json!({"code": c, "name": n, "iso": i})),
            None => not_found("Region"),
        },
        ["regions", region, "municipalities"] => match find_region(region) {
            Some((c, _, _)) => ok(Value::Array(
                municipalities(code, c)
                    .iter()
                    .map(|(c, n)| json!({"code": c, "name": n}))
                    .collect(),
            )),
            None => not_found("Region"),
        },
        _ => no_route(),
    }
}

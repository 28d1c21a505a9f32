//! Runs an API stored procedure (`ApiCall` in procedures.rs): each argument
//! is checked by its parameter's `Arg` and placed at its `body` path inside
//! the request's wrapper, one request is sent, and each item of the answer
//! (an array) becomes a row whose columns are the items' fields. Arguments
//! never appear in messages (only parameter names do): an address is
//! personal data.

use super::procedures::{ApiCall, Arg, Call, ParamDef};
use crate::engine::{decode, Interrupt, Value};
use crate::error::{Error, Kind, Result};
use crate::jumpseller::Client;
use serde_json::{Map, Value as Json};

/// Sends the call's request; the rows of its answer.
pub fn run(
    client: &Client,
    call: &Call,
    api: &ApiCall,
    interrupt: &Interrupt,
) -> Result<Vec<Vec<Value>>> {
    let body = request_body(call, api)?;
    let answer = client.send(api.method, api.path, Some(&body), interrupt)?;
    rows(call, api, &answer)
}

/// `{"<wrapper>": {...}}` with every given argument at its place.
fn request_body(call: &Call, api: &ApiCall) -> Result<Json> {
    let mut fields = Map::new();
    for p in call.proc.params {
        let Some(place) = p.body else { continue };
        let Some(json) = argument(call, p)? else {
            continue;
        };
        put(&mut fields, place, json);
    }
    Ok(serde_json::json!({ api.wrapper: Json::Object(fields) }))
}

/// One argument as the API wants it, None when not given (NULL or empty).
fn argument(call: &Call, p: &ParamDef) -> Result<Option<Json>> {
    let name = call.name();
    let Some(text) = call.arg(p.name) else {
        return match p.arg {
            Arg::RequiredId => Err(Error::new(
                Kind::Syntax,
                format!("{name} needs {}: {}", p.name, p.remarks),
            )),
            _ => Ok(None),
        };
    };
    let bad = |what: &str| Error::new(Kind::Data, format!("{name}: {} must be {what}.", p.name));
    Ok(Some(match p.arg {
        Arg::Text => Json::String(text),
        Arg::Id | Arg::RequiredId => match text.trim().parse::<u64>() {
            Ok(id) => Json::String(id.to_string()),
            Err(_) => return Err(bad("a whole number (an id)")),
        },
        Arg::JsonArray => match serde_json::from_str::<Json>(&text) {
            Ok(Json::Array(items)) if items.iter().all(Json::is_object) => Json::Array(items),
            _ => return Err(bad("a JSON array of objects")),
        },
    }))
}

/// Sets `value` at the dotted `place`, making the objects on the way.
fn put(fields: &mut Map<String, Json>, place: &str, value: Json) {
    match place.split_once('.') {
        None => {
            fields.insert(place.to_string(), value);
        }
        Some((head, rest)) => {
            let inner = fields
                .entry(head.to_string())
                .or_insert_with(|| Json::Object(Map::new()));
            if let Json::Object(m) = inner {
                put(m, rest, value);
            }
        }
    }
}

/// Each item of the answer as a row of the result columns. Anything but an
/// array of objects is an error, not an empty result.
fn rows(call: &Call, api: &ApiCall, answer: &Json) -> Result<Vec<Vec<Value>>> {
    let malformed = || {
        Error::new(
            Kind::Malformed,
            format!(
                "{}: {} answered something other than a list of objects.",
                call.name(),
                api.path
            ),
        )
    };
    let items = answer.as_array().ok_or_else(malformed)?;
    items
        .iter()
        .map(|item| {
            let obj = item.as_object().ok_or_else(malformed)?;
            Ok(call
                .proc
                .results
                .iter()
                .map(|r| decode(obj.get(r.name).unwrap_or(&Json::Null), r.sql_type))
                .collect())
        })
        .collect()
}

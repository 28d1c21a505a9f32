//! The driver's stored procedures (the OAuth helpers users of the commercial
//! drivers know, and API actions no table expresses, such as shipping-rate
//! quotes), callable as `{call NAME(...)}`, `CALL NAME(...)` or
//! `EXEC NAME ...`. They are parsed here, before any SQL reaches SQLite, and
//! described to SQLProcedures / SQLProcedureColumns from one data table.
//! An API procedure is data only (`ApiCall`, each parameter's `body` place,
//! each result's `path`); `procedure_api.rs` runs it. `SyncCache` (the
//! replica's sync) runs in `procedure_sync.rs`.

use super::stmt::ColDesc;
use super::{lock, Conn};
use crate::engine::{Interrupt, Value};
use crate::error::{Error, Kind, Result};
use crate::jumpseller::oauth::{self, FlowError, TokenManager, Tokens};
use crate::jumpseller::Method;
use crate::schema::SqlType;
use std::sync::Arc;

pub struct ParamDef {
    pub name: &'static str,
    pub remarks: &'static str,
    /// (API procedures) where the argument goes in the request body: a
    /// dotted path inside the body's wrapper (`shipping_address.city`).
    pub body: Option<&'static str>,
    /// (API procedures) how the argument is checked and sent.
    pub arg: Arg,
}

/// How an API procedure's argument is checked and sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    /// Text, sent as a JSON string.
    Text,
    /// Required: an integer id, sent as a JSON string (as the API's
    /// document types the ids of this body).
    RequiredId,
    /// An integer id, sent as a JSON string.
    Id,
    /// JSON text: an array of objects, sent as it is.
    JsonArray,
}

/// A parameter of an OAuth procedure (its arguments are read by name).
const LOCAL: ParamDef = ParamDef {
    name: "",
    remarks: "",
    body: None,
    arg: Arg::Text,
};

pub struct ResultDef {
    pub name: &'static str,
    pub sql_type: SqlType,
    pub remarks: &'static str,
}

/// The request an API procedure makes: `method path` with the arguments in
/// `{"<wrapper>": {...}}`; each item of the answer (an array) is a row, its
/// fields named as the result columns.
pub struct ApiCall {
    pub method: Method,
    pub path: &'static str,
    pub wrapper: &'static str,
}

pub struct ProcDef {
    pub name: &'static str,
    pub remarks: &'static str,
    pub params: &'static [ParamDef],
    pub results: &'static [ResultDef],
    /// An API procedure's request; None for the OAuth ones.
    pub api: Option<ApiCall>,
}

const TEXT: SqlType = SqlType::WVarchar(2000);

const TOKEN_RESULTS: &[ResultDef] = &[
    ResultDef {
        name: "OAuthAccessToken",
        sql_type: TEXT,
        remarks: "The access token (bearer token for the API).",
    },
    ResultDef {
        name: "OAuthRefreshToken",
        sql_type: TEXT,
        remarks: "The refresh token (renews the access token).",
    },
    ResultDef {
        name: "ExpiresIn",
        sql_type: SqlType::Integer,
        remarks: "Seconds the access token lives.",
    },
];

/// The procedures, their inputs and their result columns.
pub static PROCEDURES: &[ProcDef] = &[
    ProcDef {
        name: "GetOAuthAuthorizationURL",
        remarks: "The URL to open in a browser to authorize the app; the browser is then sent to the callback URL with a code (the Verifier of GetOAuthAccessToken).",
        params: &[
            ParamDef { name: "CallbackURL", remarks: "Redirect URL registered with the app; default: the connection's CallbackURL.", ..LOCAL },
            ParamDef { name: "Scope", remarks: "Space-separated scopes; default: the connection's Scope (all read_* scopes).", ..LOCAL },
            ParamDef { name: "State", remarks: "Value returned unchanged with the code; default: a random value.", ..LOCAL },
        ],
        results: &[ResultDef { name: "URL", sql_type: TEXT, remarks: "The authorization URL." }],
        api: None,
    },
    ProcDef {
        name: "GetOAuthAccessToken",
        remarks: "Exchanges an authorization code (AuthMode=WEB with Verifier) or runs the browser authorization (AuthMode=APP); stores the tokens in OAuthSettingsLocation and uses them on this connection.",
        params: &[
            ParamDef { name: "AuthMode", remarks: "WEB (exchange Verifier) or APP (open a browser here); default WEB when Verifier is given, else APP.", ..LOCAL },
            ParamDef { name: "Verifier", remarks: "The authorization code from the callback URL (code=...).", ..LOCAL },
            ParamDef { name: "CallbackURL", remarks: "Redirect URL the code was issued for; default: the connection's CallbackURL.", ..LOCAL },
            ParamDef { name: "Scope", remarks: "Space-separated scopes (AuthMode=APP); default: the connection's Scope.", ..LOCAL },
            ParamDef { name: "State", remarks: "Accepted for compatibility; APP mode checks its own random state.", ..LOCAL },
        ],
        results: TOKEN_RESULTS,
        api: None,
    },
    ProcDef {
        name: "RefreshOAuthAccessToken",
        remarks: "Renews the access token with a refresh token; stores the new tokens in OAuthSettingsLocation and uses them on this connection.",
        params: &[ParamDef { name: "OAuthRefreshToken", remarks: "The refresh token; default: the connection's or the stored one.", ..LOCAL }],
        results: TOKEN_RESULTS,
        api: None,
    },
    ProcDef {
        name: "GetShippingRates",
        remarks: "Shipping-rate quotes of the store's carriers for a shipment from a location (POST /fulfillments/rates.json): one row per carrier service. Creates nothing.",
        params: &[
            ParamDef { name: "LocationId", remarks: "Locations.id the shipment leaves from (required).", body: Some("location_id"), arg: Arg::RequiredId },
            ParamDef { name: "OrderId", remarks: "Orders.id to ship; without packages, its products make one package.", body: Some("order_id"), arg: Arg::Id },
            ParamDef { name: "ShippingName", remarks: "Recipient's name.", body: Some("shipping_address.name"), arg: Arg::Text },
            ParamDef { name: "ShippingSurname", remarks: "Recipient's surname.", body: Some("shipping_address.surname"), arg: Arg::Text },
            ParamDef { name: "ShippingAddress", remarks: "Street address of the destination.", body: Some("shipping_address.address"), arg: Arg::Text },
            ParamDef { name: "ShippingCity", remarks: "City of the destination.", body: Some("shipping_address.city"), arg: Arg::Text },
            ParamDef { name: "ShippingPostal", remarks: "Postal code of the destination.", body: Some("shipping_address.postal"), arg: Arg::Text },
            ParamDef { name: "ShippingMunicipality", remarks: "Municipality of the destination.", body: Some("shipping_address.municipality"), arg: Arg::Text },
            ParamDef { name: "ShippingRegion", remarks: "Region code of the destination (FIPS).", body: Some("shipping_address.region"), arg: Arg::Text },
            ParamDef { name: "ShippingCountry", remarks: "Country code of the destination (ISO 3166-1 alpha-2).", body: Some("shipping_address.country"), arg: Arg::Text },
            ParamDef { name: "PackagesDimensions", remarks: "JSON array of packages: [{\"length\":…,\"width\":…,\"height\":…,\"weight\":…}].", body: Some("packages_dimensions"), arg: Arg::JsonArray },
        ],
        results: &[
            ResultDef { name: "fulfillment_company", sql_type: SqlType::WVarchar(255), remarks: "Carrier." },
            ResultDef { name: "service_label", sql_type: SqlType::WVarchar(255), remarks: "Name of the service." },
            ResultDef { name: "service_type", sql_type: SqlType::WVarchar(255), remarks: "Code of the service." },
            ResultDef { name: "amount", sql_type: SqlType::Decimal(19, 4), remarks: "Estimated price, in the store's currency." },
        ],
        api: Some(ApiCall { method: Method::Post, path: "/fulfillments/rates.json", wrapper: "rates" }),
    },
    ProcDef {
        name: "SyncCache",
        remarks: "Syncs the local replica (CacheLocation) as `jumpseller-odbc sync` does, under the same lock: one row per table synced. Needs a live connection with CacheLocation.",
        params: &[ParamDef { name: "Tables", remarks: "Comma-separated tables (Orders,Products); default: every table. A child table named with its parent moves with it.", ..LOCAL }],
        results: &[
            ResultDef { name: "table_name", sql_type: SqlType::WVarchar(255), remarks: "The table." },
            ResultDef { name: "mode", sql_type: SqlType::WVarchar(32), remarks: "full, incremental or incremental+reconciled." },
            ResultDef { name: "rows_read", sql_type: SqlType::BigInt, remarks: "Rows read from the API." },
            ResultDef { name: "rows", sql_type: SqlType::BigInt, remarks: "Rows in the replica afterwards." },
            ResultDef { name: "requests", sql_type: SqlType::BigInt, remarks: "Requests the table's sync used." },
            ResultDef { name: "error", sql_type: TEXT, remarks: "Why the table failed (it keeps its previous copy); NULL when it synced." },
        ],
        api: None,
    },
];

/// A parsed call: the procedure and its arguments by parameter position.
#[derive(Clone)]
pub struct Call {
    pub proc: &'static ProcDef,
    pub args: Vec<Option<String>>,
    /// For each `?` marker in order, the argument it gives (an index into
    /// `args`); the bound values fill them at each execution.
    pub markers: Vec<usize>,
}

// Arguments may be codes or tokens: never printed.
impl std::fmt::Debug for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Call({})", self.proc.name)
    }
}

impl Call {
    pub fn name(&self) -> &'static str {
        self.proc.name
    }

    pub fn columns(&self) -> Vec<ColDesc> {
        self.proc
            .results
            .iter()
            .map(|r| ColDesc::new(r.name, r.sql_type, true))
            .collect()
    }

    /// The call with the bound values of its markers as arguments (NULL
    /// is no argument; numbers as their text).
    pub fn with_values(&self, values: &[Value]) -> Result<Call> {
        if values.len() < self.markers.len() {
            return Err(Error::odbc(
                "07002",
                format!(
                    "The call of {} has {} parameter marker(s) but {} value(s) were bound.",
                    self.proc.name,
                    self.markers.len(),
                    values.len()
                ),
            ));
        }
        let mut call = self.clone();
        for (&arg, v) in self.markers.iter().zip(values) {
            call.args[arg] = match v {
                Value::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
                v => v.text(),
            };
        }
        Ok(call)
    }

    pub(super) fn arg(&self, name: &str) -> Option<String> {
        let i = self
            .proc
            .params
            .iter()
            .position(|p| p.name.eq_ignore_ascii_case(name))?;
        self.args
            .get(i)
            .cloned()
            .flatten()
            .filter(|v| !v.is_empty())
    }
}

fn syntax(msg: impl Into<String>) -> Error {
    Error::new(Kind::Syntax, msg)
}

fn known_names() -> String {
    PROCEDURES
        .iter()
        .map(|p| p.name)
        .collect::<Vec<_>>()
        .join(", ")
}

struct Lexer<'a> {
    s: &'a [char],
    i: usize,
}

#[derive(Debug, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Null,
    Punct(char),
    Marker,
}

impl Lexer<'_> {
    fn skip_space(&mut self) {
        loop {
            while self.i < self.s.len() && self.s[self.i].is_whitespace() {
                self.i += 1;
            }
            if self.s[self.i..].starts_with(&['-', '-']) {
                while self.i < self.s.len() && self.s[self.i] != '\n' {
                    self.i += 1;
                }
            } else if self.s[self.i..].starts_with(&['/', '*']) {
                self.i += 2;
                while self.i < self.s.len() && !self.s[self.i..].starts_with(&['*', '/']) {
                    self.i += 1;
                }
                self.i = (self.i + 2).min(self.s.len());
            } else {
                return;
            }
        }
    }

    fn quoted(&mut self, close: char) -> Result<String> {
        self.i += 1;
        let mut out = String::new();
        while self.i < self.s.len() {
            let c = self.s[self.i];
            self.i += 1;
            if c == close {
                if close != ']' && self.i < self.s.len() && self.s[self.i] == close {
                    out.push(c);
                    self.i += 1;
                    continue;
                }
                return Ok(out);
            }
            out.push(c);
        }
        Err(syntax(
            "A quoted value in the procedure call is not closed.",
        ))
    }

    fn next(&mut self) -> Result<Option<Tok>> {
        self.skip_space();
        let Some(&c) = self.s.get(self.i) else {
            return Ok(None);
        };
        Ok(Some(match c {
            '\'' => Tok::Str(self.quoted('\'')?),
            'N' | 'n' if self.s.get(self.i + 1) == Some(&'\'') => {
                self.i += 1;
                Tok::Str(self.quoted('\'')?)
            }
            '"' => Tok::Word(self.quoted('"')?),
            '[' => Tok::Word(self.quoted(']')?),
            '?' => {
                self.i += 1;
                Tok::Marker
            }
            c if c.is_alphanumeric() || c == '_' || c == '@' || c == '-' || c == '+' => {
                let start = self.i;
                self.i += 1;
                while self.i < self.s.len()
                    && (self.s[self.i].is_alphanumeric() || "_.@$".contains(self.s[self.i]))
                {
                    // A dot separates schema and name; keep it in the word.
                    self.i += 1;
                }
                let w: String = self.s[start..self.i].iter().collect();
                if w.eq_ignore_ascii_case("NULL") {
                    Tok::Null
                } else {
                    Tok::Word(w)
                }
            }
            c => {
                self.i += 1;
                Tok::Punct(c)
            }
        }))
    }
}

/// Recognizes a procedure call. Ok(None): ordinary SQL.
pub fn parse(sql: &str) -> Result<Option<Call>> {
    let chars: Vec<char> = sql.chars().collect();
    let mut lx = Lexer { s: &chars, i: 0 };
    let mut braced = false;
    let first = match lx.next()? {
        Some(Tok::Punct('{')) => {
            braced = true;
            // {?= call ...} has no meaning here, but is accepted.
            let mut t = lx.next()?;
            if t == Some(Tok::Marker) {
                if lx.next()? != Some(Tok::Punct('=')) {
                    return Ok(None);
                }
                t = lx.next()?;
            }
            match t {
                Some(Tok::Word(w)) if w.eq_ignore_ascii_case("call") => "call",
                _ => return Ok(None),
            }
        }
        Some(Tok::Word(w)) if w.eq_ignore_ascii_case("call") => "call",
        Some(Tok::Word(w))
            if w.eq_ignore_ascii_case("exec") || w.eq_ignore_ascii_case("execute") =>
        {
            "exec"
        }
        _ => return Ok(None),
    };
    let name = match lx.next()? {
        Some(Tok::Word(w)) => w,
        _ => {
            return Err(syntax(format!(
                "A procedure name must follow {}. The driver offers {}.",
                first.to_uppercase(),
                known_names()
            )))
        }
    };
    let short = name
        .rsplit('.')
        .next()
        .unwrap_or(&name)
        .trim_matches(|c| c == '"' || c == '[' || c == ']');
    let proc = PROCEDURES
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(short))
        .ok_or_else(|| {
            syntax(format!(
                "There is no stored procedure named {short}. The driver offers {}.",
                known_names()
            ))
        })?;
    // Arguments: (a, b) for call, a, b for EXEC; either may be @Name = 'v'.
    let mut positional: Vec<Option<String>> = Vec::new();
    let mut named: Vec<(String, Option<String>)> = Vec::new();
    // Where each `?` goes: a position, or a parameter's name.
    let mut slots: Vec<Slot> = Vec::new();
    let mut t = lx.next()?;
    let parens = t == Some(Tok::Punct('('));
    if parens {
        t = lx.next()?;
        if t == Some(Tok::Punct(')')) {
            return finish(
                &mut lx,
                braced,
                proc,
                Args {
                    positional,
                    named,
                    slots,
                },
            );
        }
    }
    while let Some(tok) = t.take() {
        if !parens && matches!(tok, Tok::Punct('}') | Tok::Punct(';')) {
            t = Some(tok);
            break;
        }
        let (pname, value_tok) = match tok {
            Tok::Word(w) if w.starts_with('@') => {
                if lx.next()? != Some(Tok::Punct('=')) {
                    return Err(syntax(format!(
                        "Named argument {w} needs = and a value, as in {w}='value'."
                    )));
                }
                (Some(w[1..].to_string()), lx.next()?)
            }
            other => (None, Some(other)),
        };
        if value_tok == Some(Tok::Marker) {
            slots.push(match &pname {
                Some(n) => Slot::Named(n.clone()),
                None => Slot::Position(positional.len()),
            });
        }
        let value = match value_tok {
            Some(Tok::Marker) => None,
            Some(Tok::Str(s)) => Some(s),
            Some(Tok::Null) => None,
            Some(Tok::Word(w)) if w.chars().all(|c| c.is_ascii_digit() || "+-.".contains(c)) => {
                Some(w)
            }
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("DEFAULT") => None,
            _ => {
                return Err(syntax(format!(
                "The arguments of {} must be string literals in single quotes, NULL or ? markers.",
                proc.name
            )))
            }
        };
        match pname {
            Some(n) => named.push((n, value)),
            None if !named.is_empty() => {
                return Err(syntax(
                    "Positional arguments must come before named (@Name=) arguments.",
                ))
            }
            None => positional.push(value),
        }
        t = lx.next()?;
        match t {
            Some(Tok::Punct(',')) => t = lx.next()?,
            Some(Tok::Punct(')')) if parens => {
                return finish(
                    &mut lx,
                    braced,
                    proc,
                    Args {
                        positional,
                        named,
                        slots,
                    },
                )
            }
            _ => break,
        }
    }
    if parens {
        return Err(syntax(format!(
            "The argument list of {} is not closed with ).",
            proc.name
        )));
    }
    // What is left must be the end (a closing brace, a semicolon).
    if let Some(tok) = t {
        if braced && tok == Tok::Punct('}') {
            return finish(
                &mut lx,
                false,
                proc,
                Args {
                    positional,
                    named,
                    slots,
                },
            );
        }
        if tok == Tok::Punct(';') {
            return finish(
                &mut lx,
                braced,
                proc,
                Args {
                    positional,
                    named,
                    slots,
                },
            );
        }
        return Err(syntax(format!(
            "Unexpected text after the call of {}.",
            proc.name
        )));
    }
    finish(
        &mut lx,
        braced,
        proc,
        Args {
            positional,
            named,
            slots,
        },
    )
}

/// Where a `?` marker's value goes.
enum Slot {
    Position(usize),
    Named(String),
}

/// A call's arguments as written.
struct Args {
    positional: Vec<Option<String>>,
    named: Vec<(String, Option<String>)>,
    slots: Vec<Slot>,
}

fn finish(
    lx: &mut Lexer,
    mut braced: bool,
    proc: &'static ProcDef,
    Args {
        positional,
        named,
        slots,
    }: Args,
) -> Result<Option<Call>> {
    loop {
        match lx.next()? {
            None => break,
            Some(Tok::Punct('}')) if braced => braced = false,
            Some(Tok::Punct(';')) => {}
            Some(_) => {
                return Err(syntax(format!(
                    "Unexpected text after the call of {}.",
                    proc.name
                )))
            }
        }
    }
    if braced {
        return Err(syntax("The {call ...} escape is not closed with }."));
    }
    let names = || {
        proc.params
            .iter()
            .map(|p| p.name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    if positional.len() > proc.params.len() {
        return Err(syntax(format!(
            "{} takes at most {} argument(s): {}.",
            proc.name,
            proc.params.len(),
            names()
        )));
    }
    let position = |n: &str| {
        proc.params
            .iter()
            .position(|p| p.name.eq_ignore_ascii_case(n))
            .ok_or_else(|| {
                syntax(format!(
                    "{} has no parameter {n}; its parameters are {}.",
                    proc.name,
                    names()
                ))
            })
    };
    let mut args = vec![None; proc.params.len()];
    for (i, v) in positional.into_iter().enumerate() {
        args[i] = v;
    }
    for (n, v) in named {
        args[position(&n)?] = v;
    }
    let markers = slots
        .into_iter()
        .map(|s| match s {
            Slot::Position(i) => Ok(i),
            Slot::Named(n) => position(&n),
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(Call {
        proc,
        args,
        markers,
    }))
}

fn text(v: &str) -> Value {
    Value::Text(v.to_string())
}

fn token_row(t: &Tokens) -> Vec<Value> {
    vec![
        text(&t.access_token),
        t.refresh_token.as_deref().map(text).unwrap_or(Value::Null),
        t.expires_in
            .map(|e| Value::Int(e as i64))
            .or_else(|| t.remaining().map(|r| Value::Int(r as i64)))
            .unwrap_or(Value::Null),
    ]
}

/// Runs a call on the connection: (columns, rows). `interrupt` is the
/// statement's (an API procedure's request honours a cancel and the
/// query timeout).
pub fn run(
    conn: &Conn,
    call: &Call,
    interrupt: &Interrupt,
) -> Result<(Vec<ColDesc>, Vec<Vec<Value>>)> {
    if let Some(api) = &call.proc.api {
        let client = conn.session()?.client().clone();
        let rows = super::procedure_api::run(&client, call, api, interrupt)?;
        return Ok((call.columns(), rows));
    }
    if call.proc.name == "SyncCache" {
        let rows = super::procedure_sync::run(conn, call, interrupt)?;
        return Ok((call.columns(), rows));
    }
    let config = lock(&conn.state)
        .connected
        .as_ref()
        .map(|c| c.config.clone())
        .ok_or_else(|| Error::odbc("08003", "The connection is not open."))?;
    let session = conn.session()?;
    let client = session.client().clone();
    let mut app = crate::config::oauth::app(&config);
    if let Some(cb) = call.arg("CallbackURL") {
        app.callback_url = cb;
    }
    if let Some(sc) = call.arg("Scope") {
        app.scope = sc;
    }
    // The connection's manager when it uses OAuth; else one for the store.
    let manager: Arc<TokenManager> = match client.oauth() {
        Some(m) => m.clone(),
        None => Arc::new(TokenManager::new(
            app.clone(),
            oauth::Renewal::Never,
            crate::config::oauth::store(&config).ok(),
            None,
            crate::logging::Logger::default(),
        )),
    };
    let store_name = manager
        .store
        .as_ref()
        .map(|s| s.describe())
        .unwrap_or_else(|| "(none)".into());
    let rows = match call.proc.name {
        "GetOAuthAuthorizationURL" => {
            let state = call.arg("State").unwrap_or_else(oauth::random_state);
            vec![vec![text(&oauth::authorization_url(&app, &state)?)]]
        }
        "GetOAuthAccessToken" => {
            let verifier = call.arg("Verifier");
            let mode = call
                .arg("AuthMode")
                .map(|m| m.to_ascii_uppercase())
                .unwrap_or_else(|| {
                    if verifier.is_some() {
                        "WEB".into()
                    } else {
                        "APP".into()
                    }
                });
            let t = match mode.as_str() {
                "WEB" => {
                    let code = verifier.ok_or_else(|| {
                        syntax("GetOAuthAccessToken with AuthMode=WEB needs Verifier: the code from the address the browser was sent to after approving (call GetOAuthAuthorizationURL for the URL to open).")
                    })?;
                    oauth::exchange_code(
                        client.http(),
                        &app,
                        &code,
                        &app.callback_url,
                        manager.logger(),
                    )?
                }
                "APP" => match oauth::browser_flow(
                    client.http(),
                    &app,
                    oauth::DEFAULT_FLOW_WAIT,
                    manager.logger(),
                ) {
                    Ok(t) => t,
                    Err(FlowError::CannotPrompt(r)) => {
                        return Err(Error::new(
                            Kind::Auth,
                            oauth::headless_message(&app, &store_name, &r),
                        ))
                    }
                    Err(FlowError::Failed(e)) => return Err(e),
                },
                other => {
                    return Err(syntax(format!(
                        "AuthMode={other} is not valid: use WEB (with Verifier) or APP."
                    )))
                }
            };
            manager.adopt(t.clone())?;
            vec![token_row(&t)]
        }
        "RefreshOAuthAccessToken" => {
            let rt = call
                .arg("OAuthRefreshToken")
                .or_else(|| manager.current().and_then(|t| t.refresh_token))
                .or_else(|| manager.store.as_ref().and_then(|s| s.load().ok().flatten()).and_then(|s| s.refresh_token))
                .ok_or_else(|| syntax("RefreshOAuthAccessToken needs OAuthRefreshToken: the connection has none and none is stored."))?;
            let t = oauth::refresh(client.http(), &app, &rt, manager.logger())?;
            manager.adopt(t.clone())?;
            vec![token_row(&t)]
        }
        _ => vec![],
    };
    Ok((call.columns(), rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(sql: &str) -> (String, Vec<Option<String>>) {
        let c = parse(sql).unwrap().unwrap();
        (c.name().to_string(), c.args)
    }

    #[test]
    fn call_forms() {
        assert!(parse("SELECT 1").unwrap().is_none());
        assert!(parse("{fn NOW()}").unwrap().is_none());
        let (n, a) = args(
            "{call GetOAuthAuthorizationURL('http://localhost:1/cb', 'read_products', 'st''x')}",
        );
        assert_eq!(n, "GetOAuthAuthorizationURL");
        assert_eq!(
            a,
            vec![
                Some("http://localhost:1/cb".into()),
                Some("read_products".into()),
                Some("st'x".into())
            ]
        );
        let (_, a) = args("{ CALL jumpseller.getoauthauthorizationurl }");
        assert_eq!(a, vec![None, None, None]);
        let (_, a) = args("{call GetOAuthAuthorizationURL()}");
        assert_eq!(a, vec![None, None, None]);
        let (_, a) = args("EXEC GetOAuthAccessToken @Verifier='abc', @AuthMode = N'WEB';");
        assert_eq!(a[0].as_deref(), Some("WEB"));
        assert_eq!(a[1].as_deref(), Some("abc"));
        let (_, a) = args("EXECUTE RefreshOAuthAccessToken 'r1'");
        assert_eq!(a, vec![Some("r1".into())]);
        let (_, a) = args("call GetOAuthAccessToken(NULL, 'c')");
        assert_eq!(a[1].as_deref(), Some("c"));
    }

    #[test]
    fn markers_give_arguments() {
        let c = parse("{call GetOAuthAccessToken(?, @Verifier = ?)}")
            .unwrap()
            .unwrap();
        assert_eq!(c.markers, [0, 1]);
        let c = c
            .with_values(&[Value::Text("WEB".into()), Value::Int(42)])
            .unwrap();
        assert_eq!(c.args[0].as_deref(), Some("WEB"));
        assert_eq!(c.args[1].as_deref(), Some("42"));
        let c = parse("EXEC RefreshOAuthAccessToken ?").unwrap().unwrap();
        assert_eq!(c.markers, [0]);
        assert_eq!(c.with_values(&[]).unwrap_err().state, Some("07002"));
        assert_eq!(
            c.with_values(&[Value::Null]).unwrap().args,
            vec![None::<String>]
        );
    }

    #[test]
    fn call_errors() {
        for bad in [
            "{call NoSuch()}",
            "EXEC GetOAuthAccessToken @Nope='x'",
            "{call RefreshOAuthAccessToken('a', 'b')}",
            "{call RefreshOAuthAccessToken('a')",
            "EXEC RefreshOAuthAccessToken 'a' junk",
        ] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e.kind, Kind::Syntax, "{bad}");
        }
    }
}

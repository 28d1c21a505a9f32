//! A Doorkeeper-like OAuth 2 authorization server (authorization_code + refresh_token).

use crate::http::{parse_query, percent_decode, Request, Response};
use crate::{now_epoch, prng, SandboxConfig};
use serde_json::{json, Value};
use std::collections::HashMap;

pub const OOB: &str = "urn:ietf:wg:oauth:2.0:oob";

pub struct Code {
    client_id: String,
    redirect_uri: String,
    scope: String,
}

pub struct Token {
    pub scope: String,
    pub created_at: u64,
    pub expires_at: u64,
    pub expired: bool,
}

pub struct OAuthState {
    seed: u64,
    ctr: u64,
    codes: HashMap<String, Code>,
    pub access: HashMap<String, Token>,
    refresh: HashMap<String, String>, // refresh -> scope
}

impl OAuthState {
    pub fn new(seed: u64) -> OAuthState {
        OAuthState {
            seed,
            ctr: 0,
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
        }
    }
    fn rand_hex(&mut self, tag: u64) -> String {
        self.ctr += 1;
        let a = prng::hash3(self.seed, tag, self.ctr);
        let b = prng::hash3(self.seed ^ 0x5555, tag, self.ctr);
        format!("{:016x}{:016x}", a, b)
    }
    pub fn issue(&mut self, scope: &str, cfg: &SandboxConfig) -> (String, String, u64) {
        let at = self.rand_hex(1);
        let rt = self.rand_hex(2);
        let now = now_epoch();
        self.access.insert(
            at.clone(),
            Token {
                scope: scope.to_string(),
                created_at: now,
                expires_at: now + cfg.token_ttl_secs,
                expired: false,
            },
        );
        self.refresh.insert(rt.clone(), scope.to_string());
        (at, rt, now)
    }
    pub fn expire_all(&mut self) {
        for t in self.access.values_mut() {
            t.expired = true;
        }
    }
    /// Ok(scope) | Err(reason)
    pub fn check(&self, token: &str) -> Result<String, &'static str> {
        match self.access.get(token) {
            None => Err("The access token is invalid"),
            Some(t) if t.expired || now_epoch() >= t.expires_at => Err("The access token expired"),
            Some(t) => Ok(t.scope.clone()),
        }
    }
}

fn oauth_err(status: u16, err: &str, desc: &str) -> Response {
    Response::json(status, &json!({"error": err, "error_description": desc}))
        .header("Cache-Control", "no-store")
}

fn redirect_ok(cfg: &SandboxConfig, uri: &str) -> bool {
    uri == OOB || cfg.redirect_uris.is_empty() || cfg.redirect_uris.iter().any(|u| u == uri)
}

fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        let mut o = String::new();
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                o.push(b as char);
            } else {
                o.push_str(&format!("%{:02X}", b));
            }
        }
        o
    };
    let q: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", k, enc(v)))
        .collect();
    format!(
        "{}{}{}",
        uri,
        if uri.contains('?') { '&' } else { '?' },
        q.join("&")
    )
}

pub fn authorize(st: &mut OAuthState, cfg: &SandboxConfig, req: &Request) -> Response {
    let client_id = req.q("client_id").unwrap_or("");
    let redirect = req.q("redirect_uri").unwrap_or("");
    let state = req.q("state").unwrap_or("");
    if client_id != cfg.client_id {
        return Response::json(
            401,
            &json!({"error": "invalid_client", "error_description": "Client authentication failed due to unknown client."}),
        );
    }
    if redirect.is_empty() || !redirect_ok(cfg, redirect) {
        return Response::json(
            400,
            &json!({"error": "invalid_redirect_uri", "error_description": "The requested redirect uri is malformed or doesn't match client redirect URI."}),
        );
    }
    if req.q("response_type") != Some("code") {
        let loc = with_query(
            redirect,
            &[
                ("error", "unsupported_response_type"),
                (
                    "error_description",
                    "The authorization server does not support this response type.",
                ),
                ("state", state),
            ],
        );
        return Response {
            status: 302,
            headers: vec![("Location".into(), loc)],
            body: vec![],
        };
    }
    if cfg.oauth_deny {
        let loc = with_query(redirect, &[("error", "access_denied"), ("state", state)]);
        return Response {
            status: 302,
            headers: vec![("Location".into(), loc)],
            body: vec![],
        };
    }
    let code = st.rand_hex(3);
    let scope = req
        .q("scope")
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    st.codes.insert(
        code.clone(),
        Code {
            client_id: client_id.to_string(),
            redirect_uri: redirect.to_string(),
            scope,
        },
    );
    if redirect == OOB {
        return Response::json(200, &json!({"code": code, "state": state}));
    }
    let mut pairs = vec![("code", code.as_str())];
    if !state.is_empty() {
        pairs.push(("state", state));
    }
    Response {
        status: 302,
        headers: vec![("Location".into(), with_query(redirect, &pairs))],
        body: vec![],
    }
}

fn parse_multipart(body: &[u8], ctype: &str) -> Vec<(String, String)> {
    let Some(b) = ctype
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
    else {
        return vec![];
    };
    let b = b.trim_matches('"');
    let text = String::from_utf8_lossy(body);
    let delim = format!("--{}", b);
    let mut out = vec![];
    for part in text.split(&delim) {
        let part = part.trim_start_matches("\r\n");
        if part.starts_with("--") || part.trim().is_empty() {
            continue;
        }
        if let Some((head, val)) = part.split_once("\r\n\r\n") {
            if let Some(name) = head.split(';').find_map(|p| p.trim().strip_prefix("name=")) {
                let name = name.split("\r\n").next().unwrap_or("").trim_matches('"');
                out.push((name.to_string(), val.trim_end_matches("\r\n").to_string()));
            }
        }
    }
    out
}

pub fn form_params(req: &Request) -> Vec<(String, String)> {
    let ct = req
        .header("Content-Type")
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut p = if ct.starts_with("application/json") {
        match serde_json::from_slice::<Value>(&req.body) {
            Ok(Value::Object(m)) => m
                .into_iter()
                .map(|(k, v)| {
                    (
                        k,
                        v.as_str()
                            .map(|s| s.to_string())
                            .unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect(),
            _ => vec![],
        }
    } else if ct.starts_with("multipart/form-data") {
        parse_multipart(&req.body, req.header("Content-Type").unwrap_or(""))
    } else {
        parse_query(&String::from_utf8_lossy(&req.body))
    };
    // query-string parameters count too (some clients send them there)
    p.extend(req.query.iter().cloned());
    p
}

pub fn basic_credentials(req: &Request) -> Option<(String, String)> {
    let h = req.header("Authorization")?;
    let (scheme, rest) = h.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let dec = b64decode(rest.trim())?;
    let s = String::from_utf8(dec).ok()?;
    let (a, b) = s.split_once(':')?;
    Some((percent_decode(a, false), percent_decode(b, false)))
}

pub fn b64decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        })
    };
    let bytes: Vec<u8> = s
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= val(*c)? << (18 - 6 * i);
        }
        out.push((acc >> 16) as u8);
        if chunk.len() > 2 {
            out.push((acc >> 8) as u8);
        }
        if chunk.len() > 3 {
            out.push(acc as u8);
        }
    }
    Some(out)
}

pub fn token(st: &mut OAuthState, cfg: &SandboxConfig, req: &Request) -> Response {
    let p = form_params(req);
    let get = |n: &str| p.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let (mut cid, mut secret) = (get("client_id"), get("client_secret"));
    if let Some((a, b)) = basic_credentials(req) {
        cid = Some(a);
        secret = Some(b);
    }
    if cid.as_deref() != Some(cfg.client_id.as_str())
        || secret.as_deref() != Some(cfg.client_secret.as_str())
    {
        return oauth_err(401, "invalid_client", "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.");
    }
    let grant = get("grant_type").unwrap_or_default();
    let scope = match grant.as_str() {
        "authorization_code" => {
            let Some(code) = get("code") else {
                return oauth_err(400, "invalid_request", "Missing required parameter: code.");
            };
            let redirect = get("redirect_uri").unwrap_or_default();
            // codes are single use: remove on any attempt
            match st.codes.remove(&code) {
                Some(c) if c.client_id == cfg.client_id && c.redirect_uri == redirect => c.scope,
                _ => return oauth_err(400, "invalid_grant", "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."),
            }
        }
        "refresh_token" => {
            let Some(rt) = get("refresh_token") else {
                return oauth_err(
                    400,
                    "invalid_request",
                    "Missing required parameter: refresh_token.",
                );
            };
            let sc = match st.refresh.get(&rt) {
                Some(s) => s.clone(),
                None => return oauth_err(400, "invalid_grant", "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."),
            };
            if cfg.rotate_refresh_tokens {
                st.refresh.remove(&rt);
            }
            if !cfg.rotate_refresh_tokens {
                // keep the same refresh token: issue an access token only
                let at = st.rand_hex(1);
                let now = now_epoch();
                st.access.insert(
                    at.clone(),
                    Token {
                        scope: sc.clone(),
                        created_at: now,
                        expires_at: now + cfg.token_ttl_secs,
                        expired: false,
                    },
                );
                return Response::json(200, &json!({"access_token": at, "token_type": "bearer", "expires_in": cfg.token_ttl_secs,
                    "refresh_token": rt, "created_at": now, "scope": sc})).header("Cache-Control", "no-store");
            }
            sc
        }
        "" => {
            return oauth_err(
                400,
                "invalid_request",
                "Missing required parameter: grant_type.",
            )
        }
        _ => {
            return oauth_err(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server.",
            )
        }
    };
    let (at, rt, now) = st.issue(&scope, cfg);
    Response::json(
        200,
        &json!({"access_token": at, "token_type": "bearer", "expires_in": cfg.token_ttl_secs,
        "refresh_token": rt, "created_at": now, "scope": scope}),
    )
    .header("Cache-Control", "no-store")
}

pub fn token_info(st: &OAuthState, req: &Request) -> Response {
    let tok = bearer(req).unwrap_or_default();
    match st.access.get(&tok) {
        Some(t) if !t.expired && now_epoch() < t.expires_at => {
            let now = now_epoch();
            Response::json(200, &json!({"resource_owner_id": 1, "scope": t.scope.split_whitespace().collect::<Vec<_>>(),
                "expires_in": t.expires_at.saturating_sub(now), "application": {"uid": "sandbox-client"}, "created_at": t.created_at}))
        }
        _ => Response::json(401, &json!({"error": "invalid_token", "error_description": "The access token is invalid"}))
            .header("WWW-Authenticate", "Bearer realm=\"Doorkeeper\", error=\"invalid_token\", error_description=\"The access token is invalid\""),
    }
}

pub fn bearer(req: &Request) -> Option<String> {
    let h = req.header("Authorization")?;
    let (scheme, rest) = h.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        Some(rest.trim().to_string())
    } else {
        None
    }
}

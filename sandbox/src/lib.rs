//! jumpseller-sandbox: a local, deterministic simulator of the Jumpseller REST API v1
#![recursion_limit = "512"]
//! (plus its OAuth 2 server), for tests, benchmarks and demos of the ODBC driver.

mod api;
pub mod data;
pub mod export;
mod http;
pub mod jw;
mod misc;
mod oauth;
pub mod prng;
mod state;

use serde_json::{json, Value};
use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub use data::Gen;

#[derive(Clone, Debug)]
pub struct SandboxConfig {
    pub seed: u64,
    pub products: u64,
    pub orders: u64,
    pub customers: u64,
    pub categories: u64,
    /// number of customer categories (groups)
    pub customer_categories: u64,
    pub login: String,
    pub authtoken: String,
    /// 0 = unlimited
    pub per_second: u32,
    /// 0 = unlimited
    pub per_minute: u32,
    /// number of 429 answers after which the caller is banned
    pub ban_after: u32,
    /// length of a rate-limit ban
    pub ban_secs: u64,
    pub token_ttl_secs: u64,
    pub rotate_refresh_tokens: bool,
    pub oauth_deny: bool,
    pub client_id: String,
    pub client_secret: String,
    /// redirect URIs accepted by /oauth/authorize and /oauth/token (exact match);
    /// empty = any (the out-of-band URN is always accepted)
    pub redirect_uris: Vec<String>,
    pub latency_ms: u64,
    pub jitter_ms: u64,
    pub port: u16,
    /// product whose description is 10 MB (chunked-fetch tests)
    pub huge_description_product: Option<u64>,
    /// faults active from the start
    pub faults: Vec<Fault>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            seed: 42,
            products: 120,
            orders: 400,
            customers: 150,
            categories: 12,
            customer_categories: 5,
            login: "sandbox".into(),
            authtoken: "sandbox-authtoken".into(),
            per_second: 20,
            per_minute: 800,
            ban_after: 2000,
            ban_secs: 60,
            token_ttl_secs: 3600,
            rotate_refresh_tokens: true,
            oauth_deny: false,
            client_id: "sandbox-client".into(),
            client_secret: "sandbox-secret".into(),
            redirect_uris: vec![],
            latency_ms: 0,
            jitter_ms: 0,
            port: 0,
            huge_description_product: None,
            faults: vec![],
        }
    }
}

impl SandboxConfig {
    pub fn gen(&self) -> Gen {
        Gen {
            seed: self.seed,
            products: self.products,
            orders: self.orders,
            customers: self.customers,
            categories: self.categories,
            customer_categories: self.customer_categories,
            huge_description_product: self.huge_description_product,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    /// glob on the request path, e.g. "/v1/products*" or "*"
    pub route: String,
    pub kind: FaultKind,
    /// 0..1
    pub probability: f64,
    /// apply at most n times
    pub count: Option<u64>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FaultKind {
    Status(u16),
    Reset,
    Truncate,
    MalformedJson,
    Stall(u64),
    Latency {
        ms: u64,
        jitter_ms: u64,
    },
    /// An answer `status` (429 unless given) carrying `Retry-After: secs`. The real API
    /// documents no Retry-After; this fault is how a test checks the driver honours one.
    RetryAfter {
        secs: u64,
        status: u16,
    },
}

impl Fault {
    /// parse the CLI form `ROUTE=KIND[:ARG[:ARG2]][@PROB][#COUNT]`, e.g.
    /// `/v1/products*=status:503@0.5`, `*=reset#3`, `*=latency:200:50`,
    /// `*=retry_after:30` (429 with `Retry-After: 30`), `*=retry_after:5:503`.
    pub fn parse(s: &str) -> Result<Fault, String> {
        let (route, rest) = s
            .rsplit_once('=')
            .ok_or_else(|| format!("fault '{}': expected ROUTE=KIND", s))?;
        let (rest, count) = match rest.split_once('#') {
            Some((a, c)) => (
                a,
                Some(
                    c.parse::<u64>()
                        .map_err(|_| format!("fault '{}': bad count", s))?,
                ),
            ),
            None => (rest, None),
        };
        let (kindspec, prob) = match rest.split_once('@') {
            Some((a, p)) => (
                a,
                p.parse::<f64>()
                    .map_err(|_| format!("fault '{}': bad probability", s))?,
            ),
            None => (rest, 1.0),
        };
        let mut it = kindspec.split(':');
        let k = it.next().unwrap_or("").to_ascii_lowercase();
        let a1 = it
            .next()
            .map(|x| {
                x.parse::<u64>()
                    .map_err(|_| format!("fault '{}': bad argument", s))
            })
            .transpose()?;
        let a2 = it
            .next()
            .map(|x| {
                x.parse::<u64>()
                    .map_err(|_| format!("fault '{}': bad argument", s))
            })
            .transpose()?;
        let kind = FaultKind::from_parts(&k, a1, a2).ok_or_else(|| format!("fault '{}': unknown kind '{}' (status:N, reset, truncate, malformed, stall:MS, latency:MS[:JITTER], retry_after:SECS[:STATUS])", s, k))?;
        Ok(Fault {
            route: route.to_string(),
            kind,
            probability: prob,
            count,
        })
    }

    pub fn from_json(v: &Value) -> Result<Fault, String> {
        if let Some(s) = v.as_str() {
            return Fault::parse(s);
        }
        let route = v
            .get("route")
            .and_then(|x| x.as_str())
            .unwrap_or("*")
            .to_string();
        let k = v
            .get("kind")
            .and_then(|x| x.as_str())
            .ok_or("fault needs \"kind\"")?
            .to_ascii_lowercase();
        let number = |name: &str| v.get(name).and_then(|x| x.as_u64());
        let (a1, a2) = if k.starts_with("retry") {
            // {"kind": "retry_after", "secs": 30, "status": 503}
            (number("secs"), number("status"))
        } else {
            let a1 = ["status", "ms", "arg"].iter().find_map(|n| number(n));
            (a1, number("jitter_ms"))
        };
        let kind = FaultKind::from_parts(&k, a1, a2)
            .ok_or_else(|| format!("unknown fault kind '{}'", k))?;
        let probability = v.get("probability").and_then(|x| x.as_f64()).unwrap_or(1.0);
        let count = v.get("count").and_then(|x| x.as_u64());
        Ok(Fault {
            route,
            kind,
            probability,
            count,
        })
    }
}

impl FaultKind {
    fn from_parts(k: &str, a1: Option<u64>, a2: Option<u64>) -> Option<FaultKind> {
        Some(match k {
            "status" => FaultKind::Status(a1.unwrap_or(500) as u16),
            "reset" => FaultKind::Reset,
            "truncate" => FaultKind::Truncate,
            "malformed" | "malformed_json" | "malformedjson" => FaultKind::MalformedJson,
            "stall" => FaultKind::Stall(a1.unwrap_or(30_000)),
            "latency" => FaultKind::Latency {
                ms: a1.unwrap_or(100),
                jitter_ms: a2.unwrap_or(0),
            },
            "retry_after" | "retry-after" | "retryafter" => FaultKind::RetryAfter {
                secs: a1.unwrap_or(1),
                status: a2.unwrap_or(429) as u16,
            },
            _ => return None,
        })
    }
}

/// A fault and how often it was drawn for (its probability draws are numbered, so which
/// requests it hits is a function of the seed) and applied (against its `count`).
pub(crate) struct FaultSlot {
    fault: Fault,
    applied: u64,
    draws: u64,
}

impl FaultSlot {
    fn new(fault: Fault) -> FaultSlot {
        FaultSlot {
            fault,
            applied: 0,
            draws: 0,
        }
    }
}

/// A change to the store made by the sandbox itself (a hook, `POST /__sandbox/mutate`): tests of
/// scans that run while the store changes.
#[derive(Clone, Debug, PartialEq)]
pub enum Mutation {
    /// `n` orders placed, as `POST /orders.json` with one line of product 1 would
    CreateOrders(u32),
    /// `DELETE /v1/<path>`, e.g. `products/5.json`
    Delete(String),
}

impl Mutation {
    /// `{"create_orders": n}` or `{"delete": "products/5.json"}`
    pub fn from_json(v: &Value) -> Result<Mutation, String> {
        if let Some(n) = v.get("create_orders").and_then(Value::as_u64) {
            return Ok(Mutation::CreateOrders(n as u32));
        }
        if let Some(p) = v.get("delete").and_then(Value::as_str) {
            return Ok(Mutation::Delete(p.trim_start_matches('/').to_string()));
        }
        Err(format!("not a mutation: {}", v))
    }
}

/// Mutations made when the `nth` (1-based) request whose route key (`GET /orders.json`, see
/// `requests_by_route`) is one of `routes` arrives: that request is held `hold_ms`, the store
/// changes, then it is answered. Requests that arrive meanwhile are answered at once, so a
/// reader's pages see the store before and after the change in a known order.
#[derive(Clone, Debug, PartialEq)]
pub struct Hook {
    pub routes: Vec<String>,
    pub nth: u64,
    pub hold_ms: u64,
    pub mutations: Vec<Mutation>,
}

impl Hook {
    /// `{"routes": [...], "nth": n, "hold_ms": ms, "mutations": [...]}`
    pub fn from_json(v: &Value) -> Result<Hook, String> {
        let routes = v
            .get("routes")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|r| r.as_str().map(String::from))
                    .collect()
            })
            .ok_or("a hook needs \"routes\"")?;
        let mutations = v
            .get("mutations")
            .and_then(Value::as_array)
            .ok_or("a hook needs \"mutations\"")?
            .iter()
            .map(Mutation::from_json)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Hook {
            routes,
            nth: v.get("nth").and_then(Value::as_u64).unwrap_or(1),
            hold_ms: v.get("hold_ms").and_then(Value::as_u64).unwrap_or(0),
            mutations,
        })
    }
}

pub(crate) struct HookSlot {
    hook: Hook,
    seen: u64,
}

#[derive(Default)]
pub(crate) struct Stats {
    total: u64,
    by_route: BTreeMap<String, u64>,
}

pub(crate) struct RateState {
    hits: VecDeque<Instant>,
    rejected: u64,
    banned_until: Option<(Instant, u64)>,
    /// answers refused for the rate (429, bans included) since the start or the last reset
    limited_total: u64,
    /// bans set since the start or the last reset
    bans: u64,
}

pub(crate) enum RateDecision {
    Ok { sec_left: u32, min_left: u32 },
    Limited { sec_left: u32, min_left: u32 },
    Banned { until_epoch: u64 },
}

pub(crate) struct Shared {
    pub cfg: SandboxConfig,
    pub db: state::Db,
    pub stats: Mutex<Stats>,
    pub faults: Mutex<Vec<FaultSlot>>,
    pub rate: Mutex<RateState>,
    pub oauth: Mutex<oauth::OAuthState>,
    pub stop: AtomicBool,
    pub latency_ctr: AtomicU64,
    pub hooks: Mutex<Vec<HookSlot>>,
}

pub(crate) fn now_epoch() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

pub(crate) fn glob(pat: &str, s: &str) -> bool {
    let (p, t) = (pat.as_bytes(), s.as_bytes());
    let (mut pi, mut ti, mut star, mut mark) = (0usize, 0usize, None::<usize>, 0usize);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(sp) = star {
            pi = sp + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

impl Shared {
    fn new(cfg: SandboxConfig) -> Shared {
        let db = state::Db::new(cfg.gen());
        let faults = cfg.faults.iter().cloned().map(FaultSlot::new).collect();
        Shared {
            db,
            stats: Mutex::new(Stats::default()),
            faults: Mutex::new(faults),
            rate: Mutex::new(RateState {
                hits: VecDeque::new(),
                rejected: 0,
                banned_until: None,
                limited_total: 0,
                bans: 0,
            }),
            oauth: Mutex::new(oauth::OAuthState::new(cfg.seed)),
            stop: AtomicBool::new(false),
            latency_ctr: AtomicU64::new(0),
            hooks: Mutex::new(Vec::new()),
            cfg,
        }
    }

    pub fn reset_stats(&self) {
        *self.stats.lock().unwrap() = Stats::default();
    }

    /// forget the rate-limit window, 429 count and any ban
    pub fn reset_rate_limits(&self) {
        let mut rate = self.rate.lock().unwrap();
        rate.hits.clear();
        rate.rejected = 0;
        rate.banned_until = None;
        rate.limited_total = 0;
        rate.bans = 0;
    }

    /// replace the fault list; counts of applied faults and draws start again
    pub fn set_faults(&self, faults: Vec<Fault>) {
        *self.faults.lock().unwrap() = faults.into_iter().map(FaultSlot::new).collect();
    }

    /// replace the hooks; their request counts start again
    pub fn set_hooks(&self, hooks: Vec<Hook>) {
        *self.hooks.lock().unwrap() = hooks
            .into_iter()
            .map(|hook| HookSlot { hook, seen: 0 })
            .collect();
    }

    /// the hooks this request (by route key) sets off: held, then the store changes
    pub fn run_hooks(&self, route: &str) {
        let fire: Vec<Hook> = {
            let mut hooks = self.hooks.lock().unwrap();
            hooks
                .iter_mut()
                .filter(|slot| slot.hook.routes.iter().any(|r| r == route))
                .filter_map(|slot| {
                    slot.seen += 1;
                    (slot.seen == slot.hook.nth).then(|| slot.hook.clone())
                })
                .collect()
        };
        for hook in fire {
            self.sleep(hook.hold_ms);
            for m in &hook.mutations {
                self.mutate(m);
            }
        }
    }

    /// makes one change to the store, as the API would; false if the API would refuse it
    pub fn mutate(&self, m: &Mutation) -> bool {
        match m {
            Mutation::CreateOrders(n) => (0..*n).all(|_| {
                let body = r#"{"order": {"status": "Paid", "products": [{"id": 1, "qty": 1}]}}"#;
                api::internal(self, "POST", "/v1/orders.json", body).status < 300
            }),
            Mutation::Delete(path) => {
                api::internal(self, "DELETE", &format!("/v1/{}", path), "").status < 300
            }
        }
    }

    pub fn count(&self, route: String) {
        let mut s = self.stats.lock().unwrap();
        s.total += 1;
        *s.by_route.entry(route).or_insert(0) += 1;
    }

    /// pick the fault (if any) for this path, deterministically from the seed
    pub fn pick_fault(&self, path: &str) -> Option<FaultKind> {
        let mut fs = self.faults.lock().unwrap();
        for (i, slot) in fs.iter_mut().enumerate() {
            if !glob(&slot.fault.route, path) {
                continue;
            }
            if let Some(c) = slot.fault.count {
                if slot.applied >= c {
                    continue;
                }
            }
            slot.draws += 1;
            let r = prng::hash3(self.cfg.seed, 0xFA17_0000 + i as u64, slot.draws);
            let u = (r >> 11) as f64 / (1u64 << 53) as f64;
            if u < slot.fault.probability {
                slot.applied += 1;
                return Some(slot.fault.kind.clone());
            }
        }
        None
    }

    pub fn jitter(&self, jitter_ms: u64) -> u64 {
        if jitter_ms == 0 {
            return 0;
        }
        let n = self.latency_ctr.fetch_add(1, Ordering::SeqCst);
        prng::hash3(self.cfg.seed, 0x1A7E, n) % (jitter_ms + 1)
    }

    pub fn sleep(&self, ms: u64) {
        if ms > 0 {
            http::sleep_interruptible(ms, &self.stop);
        }
    }

    pub fn rate_check(&self) -> RateDecision {
        let cfg = &self.cfg;
        let mut r = self.rate.lock().unwrap();
        let now = Instant::now();
        if let Some((until, epoch)) = r.banned_until {
            if now < until {
                r.limited_total += 1;
                return RateDecision::Banned { until_epoch: epoch };
            }
            r.banned_until = None;
            r.rejected = 0;
        }
        while let Some(f) = r.hits.front() {
            if now.duration_since(*f) >= Duration::from_secs(60) {
                r.hits.pop_front();
            } else {
                break;
            }
        }
        let per_min = r.hits.len() as u32;
        let per_sec = r
            .hits
            .iter()
            .rev()
            .take_while(|t| now.duration_since(**t) < Duration::from_secs(1))
            .count() as u32;
        let sec_limited = cfg.per_second > 0 && per_sec >= cfg.per_second;
        let min_limited = cfg.per_minute > 0 && per_min >= cfg.per_minute;
        let left = |lim: u32, used: u32| {
            if lim == 0 {
                u32::MAX
            } else {
                lim.saturating_sub(used)
            }
        };
        if sec_limited || min_limited {
            r.rejected += 1;
            r.limited_total += 1;
            if cfg.ban_after > 0 && r.rejected >= cfg.ban_after as u64 {
                r.bans += 1;
                let epoch = now_epoch() + cfg.ban_secs;
                r.banned_until = Some((now + Duration::from_secs(cfg.ban_secs), epoch));
                return RateDecision::Banned { until_epoch: epoch };
            }
            return RateDecision::Limited {
                sec_left: left(cfg.per_second, per_sec),
                min_left: left(cfg.per_minute, per_min),
            };
        }
        r.hits.push_back(now);
        RateDecision::Ok {
            sec_left: left(cfg.per_second, per_sec + 1),
            min_left: left(cfg.per_minute, per_min + 1),
        }
    }
}

pub struct Sandbox {
    shared: Arc<Shared>,
    server: Option<http::Server>,
    port: u16,
}

impl Sandbox {
    /// Bind 127.0.0.1:cfg.port (0 = any free port) and serve on background threads.
    pub fn start(cfg: SandboxConfig) -> std::io::Result<Sandbox> {
        let shared = Arc::new(Shared::new(cfg));
        let for_handler = shared.clone();
        let handler: http::Handler = Arc::new(move |req| api::handle(&for_handler, req));
        let server = http::Server::start(shared.cfg.port, handler)?;
        let port = server.port;
        Ok(Sandbox {
            shared,
            server: Some(server),
            port,
        })
    }
    /// "http://127.0.0.1:<port>/v1"
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }
    /// "http://127.0.0.1:<port>"
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
    pub fn port(&self) -> u16 {
        self.port
    }
    pub fn config(&self) -> &SandboxConfig {
        &self.shared.cfg
    }
    /// /v1 and /oauth requests served (not /__sandbox)
    pub fn request_count(&self) -> u64 {
        self.shared.stats.lock().unwrap().total
    }
    /// e.g. "GET /products/{id}.json" -> n
    pub fn requests_by_route(&self) -> BTreeMap<String, u64> {
        self.shared.stats.lock().unwrap().by_route.clone()
    }
    pub fn reset_counts(&self) {
        self.shared.reset_stats();
    }
    /// replace the fault list
    pub fn set_faults(&self, faults: Vec<Fault>) {
        self.shared.set_faults(faults);
    }
    /// replace the hooks (changes to the store made when a given request arrives)
    pub fn set_hooks(&self, hooks: Vec<Hook>) {
        self.shared.set_hooks(hooks);
    }
    /// changes the store now, as the API would; false if the API would refuse it
    pub fn mutate(&self, m: &Mutation) -> bool {
        self.shared.mutate(m)
    }
    /// test helper: (access_token, refresh_token) valid now
    pub fn issue_token(&self, scope: &str) -> (String, String) {
        let mut o = self.shared.oauth.lock().unwrap();
        let t = o.issue(scope, &self.shared.cfg);
        (t.0, t.1)
    }
    /// test helper: every issued access token becomes expired
    pub fn expire_access_tokens(&self) {
        self.shared.oauth.lock().unwrap().expire_all();
    }
    /// forget the rate-limit window, 429 count and any ban
    pub fn reset_rate_limits(&self) {
        self.shared.reset_rate_limits();
    }
    /// requests refused for the rate limit (429, while banned too) since the start or the
    /// last `reset_rate_limits`; faults are not counted
    pub fn rate_limited_count(&self) -> u64 {
        self.shared.rate.lock().unwrap().limited_total
    }
    /// rate-limit bans set since the start or the last `reset_rate_limits`
    pub fn ban_count(&self) -> u64 {
        self.shared.rate.lock().unwrap().bans
    }
    pub fn stop(mut self) {
        self.shutdown();
    }
    fn shutdown(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(mut s) = self.server.take() {
            s.stop();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.shutdown();
    }
}

pub(crate) fn stats_json(shared: &Shared) -> Value {
    let stats = shared.stats.lock().unwrap();
    let rate = shared.rate.lock().unwrap();
    json!({"total": stats.total, "by_route": stats.by_route,
           "rate_limited": rate.limited_total, "bans": rate.bans})
}

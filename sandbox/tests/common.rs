#![allow(dead_code)]
use jumpseller_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

pub fn unlimited() -> SandboxConfig {
    SandboxConfig {
        per_second: 0,
        per_minute: 0,
        ..Default::default()
    }
}

pub fn start(cfg: SandboxConfig) -> Sandbox {
    Sandbox::start(cfg).expect("sandbox starts")
}

pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(20))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn get(sb: &Sandbox, path: &str) -> (u16, Value) {
    let r = client()
        .get(format!("{}{}", sb.url(), path))
        .basic_auth("sandbox", Some("sandbox-authtoken"))
        .send()
        .unwrap();
    let st = r.status().as_u16();
    let body = r.text().unwrap();
    (
        st,
        serde_json::from_str(&body).unwrap_or_else(|e| {
            panic!(
                "GET {} -> {} not JSON ({}): {}",
                path,
                st,
                e,
                &body[..body.len().min(300)]
            )
        }),
    )
}

pub fn send(sb: &Sandbox, method: &str, path: &str, body: &Value) -> (u16, Value) {
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let r = client()
        .request(m, format!("{}{}", sb.url(), path))
        .basic_auth("sandbox", Some("sandbox-authtoken"))
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .unwrap();
    let st = r.status().as_u16();
    let text = r.text().unwrap();
    (
        st,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A file under the temp dir that is removed when the test ends, whether it passes or panics.
/// Declare it before anything that holds the file open (locals drop in reverse order).
pub struct TempFile(pub std::path::PathBuf);

impl TempFile {
    /// a unique name per process and test
    pub fn new(stem: &str, ext: &str) -> TempFile {
        TempFile(std::env::temp_dir().join(format!("{}-{}.{}", stem, std::process::id(), ext)))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

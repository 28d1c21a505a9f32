//! The loopback listener that receives the OAuth redirect: which host, port
//! and path the CallbackURL names, listening there, reading the one request
//! line that matters and answering the browser with a short page.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// Host, port and path the CallbackURL names, when it is a loopback http URL.
pub fn loopback_callback(callback: &str) -> std::result::Result<(String, u16, String), String> {
    let u = oauth2::url::Url::parse(callback)
        .map_err(|_| format!("CallbackURL={callback} is not a valid URL"))?;
    if u.scheme() != "http" {
        return Err(format!("CallbackURL={callback} is not a plain http:// loopback URL, so the driver cannot receive the redirect itself"));
    }
    let host = match u.host() {
        Some(oauth2::url::Host::Domain(d)) => d.to_string(),
        Some(oauth2::url::Host::Ipv4(a)) => a.to_string(),
        Some(oauth2::url::Host::Ipv6(a)) => a.to_string(),
        None => String::new(),
    };
    if !crate::config::is_loopback(&host) {
        return Err(format!(
            "CallbackURL={callback} is not on this machine (only localhost, 127.0.0.1 and [::1] are listened on), so the driver cannot receive the redirect"
        ));
    }
    let port = u.port_or_known_default().unwrap_or(80);
    let path = if u.path().is_empty() {
        "/".to_string()
    } else {
        u.path().to_string()
    };
    Ok((host, port, path))
}

pub(super) fn bind(host: &str, port: u16) -> std::io::Result<Vec<TcpListener>> {
    let addrs: Vec<String> = if host.eq_ignore_ascii_case("localhost") {
        vec![format!("127.0.0.1:{port}"), format!("[::1]:{port}")]
    } else if host.contains(':') {
        vec![format!("[{host}]:{port}")]
    } else {
        vec![format!("{host}:{port}")]
    };
    let mut out = Vec::new();
    let mut first_err = None;
    for a in addrs {
        match TcpListener::bind(&a) {
            Ok(l) => {
                l.set_nonblocking(true)?;
                out.push(l);
            }
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    if out.is_empty() {
        return Err(first_err.unwrap_or_else(|| std::io::Error::other("no address")));
    }
    Ok(out)
}

/// Reads the request line of one HTTP request: (path, query pairs).
pub(super) fn read_request(s: &mut TcpStream) -> Option<(String, Vec<(String, String)>)> {
    s.set_nonblocking(false).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 32 * 1024 {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let text = String::from_utf8_lossy(&buf);
    let line = text.lines().next()?;
    let mut parts = line.split_whitespace();
    let _method = parts.next()?;
    let target = parts.next()?;
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let pairs = oauth2::url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    Some((path.to_string(), pairs))
}

pub(super) fn respond(s: &mut TcpStream, status: &str, title: &str, text: &str) {
    let esc = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{}</title></head><body style=\"font-family:sans-serif\"><h2>{}</h2><p>{}</p></body></html>",
        esc(title),
        esc(title),
        esc(text)
    );
    let _ = write!(s, "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n{body}", body.len());
    let _ = s.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_must_be_loopback() {
        assert_eq!(
            loopback_callback("http://localhost:33333").unwrap(),
            ("localhost".into(), 33333, "/".into())
        );
        assert_eq!(loopback_callback("http://127.0.0.1:8/cb").unwrap().2, "/cb");
        assert!(loopback_callback("http://example.com:8/cb").is_err());
        assert!(loopback_callback("https://localhost:8/cb").is_err());
    }
}

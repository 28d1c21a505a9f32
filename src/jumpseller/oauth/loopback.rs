//! The loopback listener that receives the OAuth redirect: which host, port
//! and path the CallbackURL names, listening there, reading the one request
//! line that matters and answering the browser with a short page.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// How long a connected browser may take to send its request line.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Most bytes of a request head read.
const MAX_HEAD: usize = 32 * 1024;

/// Host, port and path the CallbackURL names, when it is a loopback http URL.
pub fn loopback_callback(callback: &str) -> std::result::Result<(String, u16, String), String> {
    let url = oauth2::url::Url::parse(callback)
        .map_err(|_| format!("CallbackURL={callback} is not a valid URL"))?;
    if url.scheme() != "http" {
        return Err(format!("CallbackURL={callback} is not a plain http:// loopback URL, so the driver cannot receive the redirect itself"));
    }
    let host = match url.host() {
        Some(oauth2::url::Host::Domain(name)) => name.to_string(),
        Some(oauth2::url::Host::Ipv4(address)) => address.to_string(),
        Some(oauth2::url::Host::Ipv6(address)) => address.to_string(),
        None => String::new(),
    };
    if !crate::config::is_loopback(&host) {
        return Err(format!(
            "CallbackURL={callback} is not on this machine (only localhost, 127.0.0.1 and [::1] are listened on), so the driver cannot receive the redirect"
        ));
    }
    let port = url.port_or_known_default().unwrap_or(80);
    let path = if url.path().is_empty() {
        "/".to_string()
    } else {
        url.path().to_string()
    };
    Ok((host, port, path))
}

/// Non-blocking listeners on the callback's host: both loopback families
/// for `localhost` (the browser may resolve it either way); fails only when
/// no address could be bound.
pub(super) fn bind(host: &str, port: u16) -> std::io::Result<Vec<TcpListener>> {
    let addresses: Vec<String> = if host.eq_ignore_ascii_case("localhost") {
        vec![format!("127.0.0.1:{port}"), format!("[::1]:{port}")]
    } else if host.contains(':') {
        vec![format!("[{host}]:{port}")]
    } else {
        vec![format!("{host}:{port}")]
    };
    let mut listeners = Vec::new();
    let mut first_error = None;
    for address in addresses {
        match TcpListener::bind(&address) {
            Ok(listener) => {
                listener.set_nonblocking(true)?;
                listeners.push(listener);
            }
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    if listeners.is_empty() {
        return Err(first_error.unwrap_or_else(|| std::io::Error::other("no address")));
    }
    Ok(listeners)
}

/// Reads the request line of one HTTP request: (path, query pairs). Only
/// the head is read, bounded in time and size: whatever connects to the
/// port cannot stall or flood the flow.
pub(super) fn read_request(stream: &mut TcpStream) -> Option<(String, Vec<(String, String)>)> {
    stream.set_nonblocking(false).ok()?;
    stream.set_read_timeout(Some(READ_TIMEOUT)).ok()?;
    let mut head = Vec::new();
    let mut chunk = [0u8; 2048];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") && head.len() < MAX_HEAD {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(read) => head.extend_from_slice(&chunk[..read]),
        }
    }
    let text = String::from_utf8_lossy(&head);
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

/// Answers the browser with a short page (escaped: `text` may quote the
/// authorization server).
pub(super) fn respond(stream: &mut TcpStream, status: &str, title: &str, text: &str) {
    let escape = |raw: &str| {
        raw.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{}</title></head><body style=\"font-family:sans-serif\"><h2>{}</h2><p>{}</p></body></html>",
        escape(title),
        escape(title),
        escape(text)
    );
    let _ = write!(stream, "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n{body}", body.len());
    let _ = stream.flush();
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

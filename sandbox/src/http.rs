//! A minimal HTTP/1.1 server on std::net. We own the socket so faults can
//! reset, truncate or stall a response mid-body (which a higher-level server hides).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub struct Request {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn q_all(&self, name: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, v: &serde_json::Value) -> Response {
        Response {
            status,
            headers: vec![(
                "Content-Type".into(),
                "application/json; charset=utf-8".into(),
            )],
            body: serde_json::to_vec(v).unwrap(),
        }
    }
    pub fn header(mut self, k: &str, v: impl Into<String>) -> Response {
        self.headers.push((k.to_string(), v.into()));
        self
    }
}

pub enum Action {
    Respond(Response),
    /// close the socket without answering
    Reset,
    /// announce the full Content-Length, send part of the body, close
    Truncate(Response),
    /// send headers and part of the body, sleep, then close
    Stall(Response, u64),
}

pub fn percent_decode(s: &str, plus_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let h = std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match h {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' if plus_space => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (percent_decode(k, true), percent_decode(v, true)),
            None => (percent_decode(kv, true), String::new()),
        })
        .collect()
}

fn reason(s: u16) -> &'static str {
    match s {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

fn head_bytes(r: &Response, content_length: usize, close: bool) -> Vec<u8> {
    let mut h = format!(
        "HTTP/1.1 {} {}\r\nContent-Length: {}\r\n",
        r.status,
        reason(r.status),
        content_length
    );
    for (k, v) in &r.headers {
        h.push_str(k);
        h.push_str(": ");
        h.push_str(v);
        h.push_str("\r\n");
    }
    if close {
        h.push_str("Connection: close\r\n");
    }
    h.push_str("\r\n");
    h.into_bytes()
}

fn read_request(
    rd: &mut BufReader<TcpStream>,
    wr: &mut TcpStream,
) -> std::io::Result<Option<Request>> {
    let mut line = String::new();
    loop {
        line.clear();
        if rd.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        if !line.trim().is_empty() {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("/").to_string();
    let mut headers = Vec::new();
    loop {
        let mut l = String::new();
        if rd.read_line(&mut l)? == 0 {
            return Ok(None);
        }
        let l = l.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
        if headers.len() > 200 {
            return Ok(None);
        }
    }
    let get = |n: &str| {
        headers
            .iter()
            .find(|(k, _): &&(String, String)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.clone())
    };
    if get("Expect")
        .map(|v| v.eq_ignore_ascii_case("100-continue"))
        .unwrap_or(false)
    {
        wr.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    let mut body = Vec::new();
    if let Some(cl) = get("Content-Length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(cl.min(64 * 1024 * 1024), 0);
        rd.read_exact(&mut body)?;
    } else if get("Transfer-Encoding")
        .map(|v| v.to_ascii_lowercase().contains("chunked"))
        .unwrap_or(false)
    {
        loop {
            let mut sz = String::new();
            rd.read_line(&mut sz)?;
            let n =
                usize::from_str_radix(sz.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
            if n == 0 {
                let mut t = String::new();
                rd.read_line(&mut t)?;
                break;
            }
            let start = body.len();
            body.resize(start + n, 0);
            rd.read_exact(&mut body[start..])?;
            let mut crlf = [0u8; 2];
            rd.read_exact(&mut crlf)?;
        }
    }
    let (path, q) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.clone(), String::new()),
    };
    Ok(Some(Request {
        method,
        path: percent_decode(&path, false),
        query: parse_query(&q),
        headers,
        body,
    }))
}

pub type Handler = Arc<dyn Fn(&Request) -> Action + Send + Sync>;

pub struct Server {
    pub port: u16,
    stop: Arc<AtomicBool>,
    conns: Arc<Mutex<HashMap<u64, TcpStream>>>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start(port: u16, handler: Handler) -> std::io::Result<Server> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let port = listener.local_addr()?.port();
        let stop = Arc::new(AtomicBool::new(false));
        let conns: Arc<Mutex<HashMap<u64, TcpStream>>> = Arc::new(Mutex::new(HashMap::new()));
        let (st, cs) = (stop.clone(), conns.clone());
        let next = AtomicU64::new(0);
        let accept = std::thread::Builder::new()
            .name("sandbox-accept".into())
            .spawn(move || {
                for s in listener.incoming() {
                    if st.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(s) = s else { continue };
                    let id = next.fetch_add(1, Ordering::SeqCst);
                    if let Ok(c) = s.try_clone() {
                        cs.lock().unwrap().insert(id, c);
                    }
                    let (h, cs2, st2) = (handler.clone(), cs.clone(), st.clone());
                    let _ = std::thread::Builder::new()
                        .name("sandbox-conn".into())
                        .spawn(move || {
                            serve_conn(s, h, st2);
                            cs2.lock().unwrap().remove(&id);
                        });
                }
            })?;
        Ok(Server {
            port,
            stop,
            conns,
            accept: Some(accept),
        })
    }

    pub fn stop(&mut self) {
        if self.stop.swap(true, Ordering::SeqCst) {
            return;
        }
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
        for (_, c) in self.conns.lock().unwrap().drain() {
            let _ = c.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn serve_conn(stream: TcpStream, h: Handler, stop: Arc<AtomicBool>) {
    let _ = stream.set_nodelay(true);
    let Ok(rs) = stream.try_clone() else { return };
    let mut rd = BufReader::with_capacity(16 * 1024, rs);
    let mut wr = stream;
    loop {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let req = match read_request(&mut rd, &mut wr) {
            Ok(Some(r)) => r,
            _ => break,
        };
        let close = req
            .header("Connection")
            .map(|v| v.eq_ignore_ascii_case("close"))
            .unwrap_or(false);
        let head_only = req.method == "HEAD";
        match h(&req) {
            Action::Respond(r) => {
                let mut buf = head_bytes(&r, r.body.len(), close);
                let sent = if head_only {
                    wr.write_all(&buf)
                } else if r.body.len() <= 16 * 1024 {
                    buf.extend_from_slice(&r.body);
                    wr.write_all(&buf)
                } else {
                    // large bodies (list pages): no copy into the head buffer
                    wr.write_all(&buf).and_then(|_| wr.write_all(&r.body))
                };
                if sent.is_err() {
                    break;
                }
                let _ = wr.flush();
                if close {
                    break;
                }
            }
            Action::Reset => {
                let _ = wr.shutdown(Shutdown::Both);
                break;
            }
            Action::Truncate(r) => {
                let announced = r.body.len() + 100 + r.body.len() / 2;
                let mut buf = head_bytes(&r, announced, true);
                buf.extend_from_slice(&r.body[..r.body.len() / 2]);
                let _ = wr.write_all(&buf);
                let _ = wr.flush();
                let _ = wr.shutdown(Shutdown::Both);
                break;
            }
            Action::Stall(r, ms) => {
                let mut buf = head_bytes(&r, r.body.len(), true);
                buf.extend_from_slice(&r.body[..r.body.len() / 3]);
                let _ = wr.write_all(&buf);
                let _ = wr.flush();
                sleep_interruptible(ms, &stop);
                let _ = wr.shutdown(Shutdown::Both);
                break;
            }
        }
    }
}

pub fn sleep_interruptible(ms: u64, stop: &AtomicBool) {
    let mut left = ms;
    while left > 0 && !stop.load(Ordering::SeqCst) {
        let d = left.min(50);
        std::thread::sleep(Duration::from_millis(d));
        left -= d;
    }
}

//! Issue 14 "Hardening", defect 3: configuration mistakes are errors, not
//! silently ignored. SSLServerCert must be a certificate (PEM or DER);
//! ProxyServer may be a URL or a bare host; the log file is created 0600.
//! Only loopback and `.invalid` hosts.

#![warn(clippy::undocumented_unsafe_blocks)]

mod common;
use common::*;
use jumpseller_odbc::config::Config;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;

fn connect_records(s: &str) -> (i16, Vec<(String, String)>) {
    let e = env();
    let d = dbc(e);
    let (rc, _) = driver_connect(d, s);
    let records = diag(HandleType::Dbc, d);
    disconnect(e, d);
    (rc, records)
}

/// The first certificate of the system bundle, as PEM text and as DER.
fn a_real_certificate() -> (String, Vec<u8>) {
    let bundle = std::fs::read_to_string("/etc/ssl/certs/ca-certificates.crt")
        .expect("the system CA bundle");
    let begin = bundle.find("-----BEGIN CERTIFICATE-----").unwrap();
    let end_marker = "-----END CERTIFICATE-----";
    let end = begin + bundle[begin..].find(end_marker).unwrap() + end_marker.len();
    let pem = format!("{}\n", &bundle[begin..end]);
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    (pem, base64(&body))
}

fn base64(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

#[test]
fn an_ssl_server_cert_that_is_no_certificate_is_an_error() {
    let sb = sandbox();
    let dir = TempDir::new("hardening-cert");
    let (pem, der) = a_real_certificate();
    let public_key_pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";
    let public_key_der = base64("MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "passwd",
            b"root:x:0:0:root:/root:/bin/bash\n".to_vec(),
            "text without",
        ),
        ("key.pem", public_key_pem.as_bytes().to_vec(), "PUBLIC KEY"),
        ("key.der", public_key_der, "public key"),
        ("empty.pem", Vec::new(), "empty"),
        ("junk.der", vec![0x00, 0x13, 0x37, 0xff], "binary"),
    ];
    let mut files: Vec<(String, &str)> = cases
        .iter()
        .map(|(name, bytes, found)| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            (path.display().to_string(), *found)
        })
        .collect();
    files.push(("/etc/passwd".into(), "text without"));
    for (path, found) in files {
        sb.reset_counts();
        let (rc, records) = connect_records(&format!("{};SSLServerCert={{{path}}}", conn_str(&sb)));
        assert_eq!(rc, SQL_ERROR, "{path}: {records:?}");
        let (state, message) = &records[0];
        assert_eq!(state, "08001", "{path}: {message}");
        assert!(
            message.contains("SSLServerCert") && message.contains(found),
            "{path}: {message}"
        );
        assert_eq!(sb.request_count(), 0, "{path}: refused before any request");
    }
    // Certificates, PEM and DER, are taken (in addition to the system roots).
    std::fs::write(dir.join("ca.pem"), &pem).unwrap();
    std::fs::write(dir.join("ca.der"), &der).unwrap();
    for name in ["ca.pem", "ca.der"] {
        let path = dir.join(name);
        let (rc, records) = connect_records(&format!(
            "{};SSLServerCert={{{}}}",
            conn_str(&sb),
            path.display()
        ));
        assert_eq!(rc, SQL_SUCCESS, "{name}: {records:?}");
    }
}

#[test]
fn proxy_server_is_a_url_or_a_host() {
    let cfg = |extra: &str| {
        Config::from_connection_string(&format!(
            "Login=a;AuthToken=b;URL=https://api.example.invalid/v1;{extra}"
        ))
    };
    for (extra, host, port) in [
        (
            "ProxyServer=http://127.0.0.1;ProxyPort=3128",
            "127.0.0.1",
            Some(3128),
        ),
        (
            "ProxyServer=http://proxy.example.invalid:8080",
            "proxy.example.invalid",
            Some(8080),
        ),
        (
            "ProxyServer=http://proxy.example.invalid:8080/",
            "proxy.example.invalid",
            Some(8080),
        ),
        (
            "ProxyServer=HTTP://Proxy.Example.invalid:80",
            "proxy.example.invalid",
            Some(80),
        ),
        (
            "ProxyServer=proxy.example.invalid;ProxyPort=3128",
            "proxy.example.invalid",
            Some(3128),
        ),
        (
            "ProxyServer=proxy.example.invalid:3128",
            "proxy.example.invalid",
            Some(3128),
        ),
        (
            "ProxyServer=proxy.example.invalid",
            "proxy.example.invalid",
            None,
        ),
        ("ProxyServer=http://[::1]:3128", "[::1]", Some(3128)),
    ] {
        let (c, _) = cfg(extra).unwrap_or_else(|e| panic!("{extra}: {}", e.message));
        assert_eq!(c.proxy_server.as_deref(), Some(host), "{extra}");
        assert_eq!(c.proxy_port, port, "{extra}");
    }
    for (extra, says) in [
        (
            "ProxyServer=http://p.invalid:8080;ProxyPort=3128",
            "ProxyPort",
        ),
        ("ProxyServer=socks5://p.invalid:1080", "socks5"),
        ("ProxyServer=http://u:S3CR3T@p.invalid:8080", "ProxyUser"),
        ("ProxyServer=http://p.invalid:8080/some/path", "path"),
        ("ProxyServer=http://", "ProxyServer"),
    ] {
        let e = cfg(extra).unwrap_err();
        assert!(e.message.contains(says), "{extra}: {}", e.message);
        assert!(!e.message.contains("S3CR3T"), "{extra}: {}", e.message);
    }
}

/// A ProxyServer given as a URL reaches the proxy (here a loopback
/// listener that records the request and refuses it).
#[test]
fn a_proxy_url_is_used_as_given() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        socket
            .set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        let mut head = [0u8; 512];
        let n = socket.read(&mut head).unwrap_or(0);
        let _ = socket.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        String::from_utf8_lossy(&head[..n]).into_owned()
    });
    let (rc, records) = connect_records(&format!(
        "URL=https://api.jumpseller.invalid/v1;Login=a;AuthToken=b;Timeout=5;ProxyServer=http://127.0.0.1:{port}"
    ));
    assert_eq!(rc, SQL_ERROR);
    assert_eq!(records[0].0, "08001", "{records:?}");
    let head = seen.join().unwrap();
    assert!(
        head.starts_with("CONNECT api.jumpseller.invalid:443 "),
        "the proxy got {head:?}"
    );
}

#[test]
fn the_log_file_is_created_private() {
    let sb = sandbox();
    let dir = TempDir::new("hardening-log");
    let new = dir.join("new.log");
    let e = env();
    let dbc_handle = dbc(e);
    let (rc, _) = driver_connect(
        dbc_handle,
        &format!(
            "{};Logfile={{{}}};Verbosity=5",
            conn_str(&sb),
            new.display()
        ),
    );
    assert!(rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO);
    disconnect(e, dbc_handle);
    let mode = std::fs::metadata(&new).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "a new log file is the owner's only");
    assert!(std::fs::read_to_string(&new).unwrap().contains("connect"));
    // An existing file keeps its mode: never widened, not changed.
    let old = dir.join("old.log");
    std::fs::write(&old, "").unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o640)).unwrap();
    let (rc, records) =
        connect_records(&format!("{};Logfile={{{}}}", conn_str(&sb), old.display()));
    assert!(
        rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO,
        "{records:?}"
    );
    let mode = std::fs::metadata(&old).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

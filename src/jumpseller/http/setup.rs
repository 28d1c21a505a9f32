//! Building the connection's reqwest client from its options: timeouts,
//! proxy (http, SOCKS4, SOCKS5; with exceptions) and extra trusted roots. Bad values are reported naming the
//! connection property to fix.

use super::ClientOptions;
use crate::error::{Error, Kind};
use reqwest::blocking::{Client as Http, ClientBuilder};
use std::time::Duration;

/// Idle keep-alive connections are kept this long: a scan's next page
/// reuses the TLS session instead of paying a new handshake.
const POOL_IDLE: Duration = Duration::from_secs(60);

/// Connecting never takes longer than this, even with no request timeout:
/// a host that does not answer the handshake in 30 s is not reachable.
const MAX_CONNECT_TIMEOUT_SECS: u64 = 30;

pub fn build_http(opts: &ClientOptions) -> Result<Http, Error> {
    let mut builder = Http::builder()
        .user_agent(concat!("jumpseller-odbc/", env!("CARGO_PKG_VERSION")))
        .pool_idle_timeout(POOL_IDLE)
        .connect_timeout(connect_timeout(opts.timeout_secs))
        // Timeout=0 means none.
        .timeout((opts.timeout_secs > 0).then(|| Duration::from_secs(opts.timeout_secs)));
    if !opts.proxy_auto_detect {
        builder = builder.no_proxy();
    }
    builder = with_proxy(builder, opts)?;
    builder = with_extra_roots(builder, opts)?;
    builder
        .build()
        .map_err(|e| Error::new(Kind::Connect, format!("Cannot set up HTTPS: {e}")))
}

fn connect_timeout(timeout_secs: u64) -> Duration {
    Duration::from_secs(if timeout_secs == 0 {
        MAX_CONNECT_TIMEOUT_SECS
    } else {
        timeout_secs.min(MAX_CONNECT_TIMEOUT_SECS)
    })
}

fn with_proxy(builder: ClientBuilder, opts: &ClientOptions) -> Result<ClientBuilder, Error> {
    let Some(server) = &opts.proxy else {
        return Ok(builder);
    };
    let mut proxy = reqwest::Proxy::all(server).map_err(|e| {
        Error::new(
            Kind::Config,
            format!("The proxy {server} is not usable: {e}"),
        )
    })?;
    // For an http proxy this is the Proxy-Authorization header; for SOCKS5
    // the library sends it as the username/password login (RFC 1929).
    if let Some((user, password)) = &opts.proxy_auth {
        proxy = proxy.basic_auth(user, password);
    }
    if let Some(hosts) = &opts.proxy_exceptions {
        proxy = proxy.no_proxy(reqwest::NoProxy::from_string(hosts));
    }
    Ok(builder.proxy(proxy))
}

/// SSLServerCert: trusted in addition to the system roots, not instead.
/// A file that holds no certificate is an error, not silently nothing.
fn with_extra_roots(
    mut builder: ClientBuilder,
    opts: &ClientOptions,
) -> Result<ClientBuilder, Error> {
    let Some(bytes) = &opts.extra_root_pem else {
        return Ok(builder);
    };
    let not_a_certificate = |found: String| {
        Error::new(
            Kind::Config,
            format!("SSLServerCert is not a certificate: the file holds {found}. Give a certificate file, PEM (-----BEGIN CERTIFICATE-----) or DER (.cer/.der), of the server or of the CA that signed it."),
        )
    };
    for der in certificates(bytes).map_err(not_a_certificate)? {
        let certificate = reqwest::Certificate::from_der(&der)
            .map_err(|e| not_a_certificate(format!("a certificate that cannot be used ({e})")))?;
        builder = builder.add_root_certificate(certificate);
    }
    Ok(builder)
}

/// The DER certificates of a PEM or DER file, or what the file holds
/// instead (for the message).
pub(crate) fn certificates(bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("nothing (it is empty)".into());
    }
    let Some(text) = std::str::from_utf8(bytes)
        .ok()
        .filter(|t| t.contains("-----BEGIN "))
    else {
        return match der_shape(bytes) {
            DerShape::Certificate => Ok(vec![bytes.to_vec()]),
            DerShape::PublicKey => Err("a bare public key (DER), not a certificate".into()),
            DerShape::PrivateKey => Err("a private key (DER), not a certificate".into()),
            DerShape::Other if std::str::from_utf8(bytes).is_ok() => {
                Err("text without a -----BEGIN CERTIFICATE----- block (neither PEM nor DER)".into())
            }
            DerShape::Other => Err("binary data that is not a DER certificate".into()),
        };
    };
    let mut found = Vec::new();
    let mut certs = Vec::new();
    for (label, body) in pem_blocks(text) {
        if label == "CERTIFICATE" {
            match base64(&body) {
                Some(der) if der_shape(&der) == DerShape::Certificate => certs.push(der),
                _ => found.push("a CERTIFICATE block that does not decode to a certificate".into()),
            }
        } else {
            found.push(format!("a PEM block of type {label}"));
        }
    }
    if certs.is_empty() {
        found.dedup();
        return Err(if found.is_empty() {
            "a -----BEGIN line without a complete PEM block".into()
        } else {
            found.join(", ")
        });
    }
    // Certificates next to other blocks (a key, say) are used; the rest is
    // not ours to judge.
    Ok(certs)
}

/// `-----BEGIN X-----` ... `-----END X-----` blocks: (label, base64 body).
fn pem_blocks(text: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in text.lines().map(str::trim) {
        if let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            open = Some((label.to_string(), String::new()));
        } else if let Some(label) = line
            .strip_prefix("-----END ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            if let Some((begun, body)) = open.take() {
                if begun == label {
                    blocks.push((begun, body));
                }
            }
        } else if let Some((_, body)) = open.as_mut() {
            // Header lines (`Proc-Type: ...`) are not base64.
            if !line.contains(':') {
                body.push_str(line);
            }
        }
    }
    blocks
}

fn base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[derive(Debug, PartialEq, Eq)]
enum DerShape {
    /// SEQUENCE { SEQUENCE tbs, SEQUENCE algorithm, BIT STRING signature }
    Certificate,
    /// SubjectPublicKeyInfo: SEQUENCE { SEQUENCE algorithm, BIT STRING }
    PublicKey,
    /// PKCS#8 or PKCS#1: SEQUENCE { INTEGER version, ... }
    PrivateKey,
    Other,
}

/// What a DER blob is, from the tags of its outer SEQUENCE's elements
/// (rustls checks the certificate itself when the client is built).
fn der_shape(der: &[u8]) -> DerShape {
    let Some((0x30, body, rest)) = tlv(der) else {
        return DerShape::Other;
    };
    if !rest.is_empty() {
        return DerShape::Other;
    }
    let mut tags = Vec::new();
    let mut left = body;
    while !left.is_empty() {
        let Some((tag, _, rest)) = tlv(left) else {
            return DerShape::Other;
        };
        tags.push(tag);
        left = rest;
    }
    match tags.as_slice() {
        [0x30, 0x30, 0x03] => DerShape::Certificate,
        [0x30, 0x03] => DerShape::PublicKey,
        [0x02, ..] => DerShape::PrivateKey,
        _ => DerShape::Other,
    }
}

/// One DER element: (tag, contents, what follows).
fn tlv(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connecting_is_bounded_even_without_a_request_timeout() {
        assert_eq!(connect_timeout(0), Duration::from_secs(30));
        assert_eq!(connect_timeout(5), Duration::from_secs(5));
        assert_eq!(connect_timeout(600), Duration::from_secs(30));
    }

    /// A made-up certificate shape: SEQUENCE { SEQUENCE, SEQUENCE, BIT STRING }.
    const CERT_DER: &[u8] = &[
        0x30, 0x0b, 0x30, 0x03, 0x02, 0x01, 0x01, 0x30, 0x00, 0x03, 0x02, 0x00, 0xff,
    ];

    #[test]
    fn certificate_files_are_read_or_refused_saying_what_they_hold() {
        assert_eq!(certificates(CERT_DER).unwrap(), vec![CERT_DER.to_vec()]);
        let pem = "-----BEGIN CERTIFICATE-----\nMAswAwIBATAAAwIA/w==\n-----END CERTIFICATE-----\n";
        assert_eq!(
            certificates(pem.as_bytes()).unwrap(),
            vec![CERT_DER.to_vec()]
        );
        let e = certificates(b"root:x:0:0:root:/root:/bin/bash\n").unwrap_err();
        assert!(e.contains("text without"), "{e}");
        let key = "-----BEGIN PUBLIC KEY-----\nMAUwAAMBAA==\n-----END PUBLIC KEY-----\n";
        assert!(certificates(key.as_bytes())
            .unwrap_err()
            .contains("PUBLIC KEY"));
        let spki = [0x30, 0x05, 0x30, 0x00, 0x03, 0x01, 0x00];
        assert!(certificates(&spki).unwrap_err().contains("public key"));
        assert!(certificates(b"").unwrap_err().contains("empty"));
        assert!(certificates(&[0x00, 0xff, 0x10])
            .unwrap_err()
            .contains("binary"));
    }
}

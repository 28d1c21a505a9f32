//! TLS to the PostgreSQL replica, as libpq's `sslmode` and `sslrootcert`
//! say it (a team's or a managed server often accepts nothing else).
//!
//! The postgres crate knows `sslmode` `disable`, `prefer` and `require`
//! only, and refuses `sslrootcert`: the two keys are taken out of the
//! connection string here (both forms: `key=value` words and a
//! `postgresql://` URL's query), the crate is handed the mode it knows,
//! and the rustls connector does the checking the mode asks for:
//!
//! | `sslmode` | TLS | the server's certificate |
//! |---|---|---|
//! | `disable` | never | |
//! | `allow`, `prefer` (the default) | when the server offers it | not checked (as libpq) |
//! | `require` | always | not checked; checked as `verify-ca` when `sslrootcert` is given (as libpq) |
//! | `verify-ca` | always | signed by a root of `sslrootcert` |
//! | `verify-full` | always | signed by a root, and issued for the host connected to |
//!
//! `sslrootcert` is a file of certificates (PEM or DER), or `system` (also
//! the default) for the system's roots.

use crate::error::{Error, Kind, Result};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use std::sync::Arc;
use tokio_postgres_rustls::MakeRustlsConnect;

/// What is checked of the server's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Nothing (the connection is encrypted, the server not authenticated).
    Nothing,
    /// Its chain up to a trusted root.
    Chain,
    /// Its chain and the host name.
    Full,
}

/// A connection string without the keys the postgres crate refuses, and
/// the TLS to connect with.
#[derive(Debug, PartialEq, Eq)]
pub struct Plan {
    /// For the postgres crate: `sslmode` one it knows.
    pub conn: String,
    /// None: no TLS (`sslmode=disable`).
    pub check: Option<Check>,
    /// `sslrootcert`'s file; None for the system's roots.
    pub roots: Option<String>,
}

fn refused(what: String) -> Error {
    Error::new(Kind::Connect, format!("CacheConnection: {what}"))
}

/// Splits a CacheConnection string into the crate's string and the TLS.
pub fn plan(conn: &str) -> Result<Plan> {
    let url = conn.starts_with("postgres://") || conn.starts_with("postgresql://");
    let (pairs, rebuild): (Vec<(String, String)>, Rebuild) = match url {
        true => url_pairs(conn),
        false => word_pairs(conn)?,
    };
    let value = |key: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let roots = value("sslrootcert")
        .filter(|r| *r != "system")
        .map(str::to_string);
    let (mode, check) = match value("sslmode").unwrap_or("prefer") {
        "disable" => ("disable", None),
        "allow" | "prefer" => ("prefer", Some(Check::Nothing)),
        "require" if roots.is_some() => ("require", Some(Check::Chain)),
        "require" => ("require", Some(Check::Nothing)),
        "verify-ca" => ("require", Some(Check::Chain)),
        "verify-full" => ("require", Some(Check::Full)),
        other => {
            return Err(refused(format!(
                "sslmode `{other}` is not one of disable, allow, prefer, require, verify-ca, verify-full."
            )))
        }
    };
    Ok(Plan {
        conn: rebuild.with_mode(mode),
        check,
        roots,
    })
}

/// The connection string again, without `sslmode` and `sslrootcert`.
struct Rebuild {
    kept: Vec<String>,
    url: Option<String>,
}

impl Rebuild {
    fn with_mode(mut self, mode: &str) -> String {
        self.kept.push(format!("sslmode={mode}"));
        match self.url {
            Some(base) => format!("{base}?{}", self.kept.join("&")),
            None => self.kept.join(" "),
        }
    }
}

const OURS: [&str; 2] = ["sslmode", "sslrootcert"];

/// A URL's query parameters (percent-decoded), and the URL without ours.
fn url_pairs(conn: &str) -> (Vec<(String, String)>, Rebuild) {
    let (base, query) = conn.split_once('?').unwrap_or((conn, ""));
    let mut pairs = Vec::new();
    let mut kept = Vec::new();
    for param in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = param.split_once('=').unwrap_or((param, ""));
        let key = percent_decoded(k);
        if OURS.contains(&key.as_str()) {
            pairs.push((key, percent_decoded(v)));
        } else {
            kept.push(param.to_string());
        }
    }
    let rebuild = Rebuild {
        kept,
        url: Some(base.to_string()),
    };
    (pairs, rebuild)
}

fn percent_decoded(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// libpq's `key = value` words (a value in single quotes may hold spaces;
/// a backslash escapes the next character), and the words not ours as
/// written.
fn word_pairs(conn: &str) -> Result<(Vec<(String, String)>, Rebuild)> {
    let b = conn.as_bytes();
    let mut pairs = Vec::new();
    let mut kept = Vec::new();
    let mut i = 0;
    let skip_space = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    loop {
        i = skip_space(i);
        if i >= b.len() {
            break;
        }
        let start = i;
        while b
            .get(i)
            .is_some_and(|&c| c != b'=' && !c.is_ascii_whitespace())
        {
            i += 1;
        }
        let key = &conn[start..i];
        i = skip_space(i);
        if b.get(i) != Some(&b'=') {
            // Located, not quoted: a word may be part of a password.
            return Err(refused(format!(
                "expected `=` at character {} (key=value words, or a postgresql:// URL).",
                i + 1
            )));
        }
        i = skip_space(i + 1);
        let mut value = Vec::new();
        let quoted = b.get(i) == Some(&b'\'');
        if quoted {
            i += 1;
        }
        loop {
            match b.get(i) {
                None if quoted => {
                    return Err(refused(format!(
                        "the quoted value at character {} has no closing quote.",
                        start + 1
                    )))
                }
                None => break,
                Some(b'\'') if quoted => {
                    i += 1;
                    break;
                }
                Some(c) if !quoted && c.is_ascii_whitespace() => break,
                Some(b'\\') if i + 1 < b.len() => {
                    value.push(b[i + 1]);
                    i += 2;
                }
                Some(&c) => {
                    value.push(c);
                    i += 1;
                }
            }
        }
        let value = String::from_utf8_lossy(&value).into_owned();
        match OURS.contains(&key) {
            true => pairs.push((key.to_string(), value)),
            false => kept.push(conn[start..i].to_string()),
        }
    }
    Ok((pairs, Rebuild { kept, url: None }))
}

impl Plan {
    /// The connector for the postgres crate; None for no TLS.
    pub fn connector(&self) -> Result<Option<MakeRustlsConnect>> {
        let Some(check) = self.check else {
            return Ok(None);
        };
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| refused(format!("TLS could not be set up ({e}).")))?;
        let config = match check {
            Check::Full => builder
                .with_root_certificates(self.root_store()?)
                .with_no_client_auth(),
            Check::Nothing | Check::Chain => {
                let chain = match check {
                    Check::Chain => Some(
                        WebPkiServerVerifier::builder_with_provider(
                            Arc::new(self.root_store()?),
                            provider.clone(),
                        )
                        .build()
                        .map_err(|e| refused(format!("sslrootcert: {e}.")))?,
                    ),
                    _ => None,
                };
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(Relaxed { provider, chain }))
                    .with_no_client_auth()
            }
        };
        Ok(Some(MakeRustlsConnect::new(config)))
    }

    fn root_store(&self) -> Result<RootCertStore> {
        let mut roots = RootCertStore::empty();
        let ders: Vec<CertificateDer<'static>> = match &self.roots {
            Some(path) => {
                let bytes = std::fs::read(path)
                    .map_err(|e| refused(format!("sslrootcert {path} cannot be read ({e}).")))?;
                crate::jumpseller::certificates(&bytes)
                    .map_err(|found| {
                        refused(format!(
                            "sslrootcert {path} is not a certificate file: it holds {found}."
                        ))
                    })?
                    .into_iter()
                    .map(CertificateDer::from)
                    .collect()
            }
            None => rustls_native_certs::load_native_certs().certs,
        };
        let (_, unusable) = roots.add_parsable_certificates(ders);
        if roots.is_empty() {
            let from = self.roots.as_deref().unwrap_or("the system's store");
            return Err(refused(format!(
                "no usable root certificate in {from} ({unusable} unusable)."
            )));
        }
        Ok(roots)
    }
}

/// The checks rustls does not offer as such: none of the certificate
/// (`prefer`, `require` without a root file: encrypted, the server not
/// authenticated, as libpq), or its chain without its name (`verify-ca`:
/// webpki checks the chain first, so a name mismatch means the chain
/// held). The handshake's signatures are checked either way.
#[derive(Debug)]
struct Relaxed {
    provider: Arc<CryptoProvider>,
    chain: Option<Arc<WebPkiServerVerifier>>,
}

impl ServerCertVerifier for Relaxed {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(conn: &str) -> (String, Option<Check>, Option<String>) {
        let plan = plan(conn).unwrap();
        (plan.conn, plan.check, plan.roots)
    }

    #[test]
    fn words_lose_our_keys_and_get_a_mode_the_crate_knows() {
        assert_eq!(
            p("host=h port=5 dbname=d"),
            (
                "host=h port=5 dbname=d sslmode=prefer".into(),
                Some(Check::Nothing),
                None
            )
        );
        assert_eq!(
            p("host=h sslmode=verify-full  sslrootcert = '/a b/c\\'s.pem' password='x y'"),
            (
                "host=h password='x y' sslmode=require".into(),
                Some(Check::Full),
                Some("/a b/c's.pem".into())
            )
        );
        assert_eq!(p("host=h sslmode=disable").1, None);
        assert_eq!(p("sslmode=allow").1, Some(Check::Nothing));
        assert_eq!(p("sslmode=require").1, Some(Check::Nothing));
        assert_eq!(
            p("sslmode=require sslrootcert=/r.pem").1,
            Some(Check::Chain)
        );
        assert_eq!(
            p("sslmode=verify-ca sslrootcert=system"),
            ("sslmode=require".into(), Some(Check::Chain), None)
        );
    }

    #[test]
    fn a_url_loses_our_parameters_and_keeps_the_others() {
        assert_eq!(
            p("postgresql://u:p@h:5/d?application_name=x&sslmode=verify-ca&sslrootcert=%2Fr%20s.pem"),
            (
                "postgresql://u:p@h:5/d?application_name=x&sslmode=require".into(),
                Some(Check::Chain),
                Some("/r s.pem".into())
            )
        );
        assert_eq!(
            p("postgres://h/d"),
            (
                "postgres://h/d?sslmode=prefer".into(),
                Some(Check::Nothing),
                None
            )
        );
    }

    #[test]
    fn a_bad_mode_or_word_is_a_connection_error_without_the_string() {
        for (conn, says) in [
            ("host=h sslmode=verify password=secret", "sslmode `verify`"),
            (
                "host=h password='secret",
                "at character 8 has no closing quote",
            ),
            ("host=h password=a secret", "expected `=` at character 25"),
        ] {
            let e = plan(conn).unwrap_err();
            assert_eq!(e.kind, Kind::Connect);
            assert!(e.message.contains(says), "{}", e.message);
            assert!(!e.message.contains("secret"), "{}", e.message);
        }
    }
}

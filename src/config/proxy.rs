//! Which proxy a connection goes through: `ProxyServer` (an http proxy),
//! CData's `FirewallType`/`FirewallServer` (an http CONNECT tunnel, SOCKS4
//! or SOCKS5), or the environment's (`ProxyAutoDetect`); at most one of
//! them. Also `ProxyAuthScheme` and `ProxyExceptions`.

use super::cdata::Unhonoured;
use crate::error::Kind;
use crate::error::{err, Result};

pub const FIREWALL_TYPES: &[&str] = &["NONE", "TUNNEL", "SOCKS4", "SOCKS5"];
pub const PROXY_AUTH_SCHEMES: &[&str] = &["BASIC", "NONE", "DIGEST", "NEGOTIATE", "NTLM"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirewallKind {
    /// An http proxy used with CONNECT.
    Tunnel,
    Socks4,
    Socks5,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Firewall {
    pub kind: FirewallKind,
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<String>,
}

impl Firewall {
    /// The proxy URL for the HTTP library. SOCKS5 lets the proxy resolve
    /// host names (`socks5h`: name lookup is part of SOCKS5 and a firewalled
    /// machine often cannot resolve outside names); SOCKS4 has no names, so
    /// this machine resolves them.
    pub fn url(&self) -> String {
        let scheme = match self.kind {
            FirewallKind::Tunnel => "http",
            FirewallKind::Socks4 => "socks4",
            FirewallKind::Socks5 => "socks5h",
        };
        format!("{scheme}://{}:{}", self.host, self.port)
    }
}

/// The Firewall* keys as given (FirewallType already validated).
pub struct FirewallKeys {
    pub kind: Option<String>,
    pub server: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub password: Option<String>,
}

/// The firewall to go through, if FirewallType names one. Firewall keys
/// given with FirewallType=NONE (CData's default) are named as having no
/// effect.
pub fn firewall(keys: FirewallKeys, unhonoured: &mut Unhonoured) -> Result<Option<Firewall>> {
    let kind = match keys.kind.as_deref().map(str::to_ascii_uppercase).as_deref() {
        Some("TUNNEL") => FirewallKind::Tunnel,
        Some("SOCKS4") => FirewallKind::Socks4,
        Some("SOCKS5") => FirewallKind::Socks5,
        _ => {
            for (name, given) in [
                ("FirewallServer", keys.server.is_some()),
                ("FirewallPort", keys.port.is_some()),
                ("FirewallUser", keys.user.is_some()),
                ("FirewallPassword", keys.password.is_some()),
            ] {
                if given {
                    unhonoured.name(name, "FirewallType is NONE");
                }
            }
            return Ok(None);
        }
    };
    let Some(server) = keys.server else {
        return err(
            Kind::Config,
            "FirewallType names a proxy but FirewallServer is missing: give the proxy's host name (and FirewallPort).",
        );
    };
    if server.contains("://") {
        return err(
            Kind::Config,
            "FirewallServer is a host name (with FirewallPort), not a URL; FirewallType says the kind of proxy. The value is not shown.",
        );
    }
    let (host, port) = proxy_address(&FIREWALL_NAMES, Some(server), keys.port)?;
    let default_port = if kind == FirewallKind::Tunnel {
        80
    } else {
        1080
    };
    if kind == FirewallKind::Socks4 && (keys.user.is_some() || keys.password.is_some()) {
        return err(
            Kind::Config,
            "FirewallType=SOCKS4 cannot send FirewallUser or FirewallPassword (the driver speaks SOCKS4 without a user id); use SOCKS5 for a proxy that needs a login.",
        );
    }
    if keys.password.is_some() && keys.user.is_none() {
        return err(
            Kind::Config,
            "FirewallPassword is given without FirewallUser; give both, or neither.",
        );
    }
    Ok(Some(Firewall {
        kind,
        host: host.unwrap_or_default(),
        port: port.unwrap_or(default_port),
        user: keys.user,
        password: keys.password,
    }))
}

/// Only one proxy: two that disagree are a mistake to report, not a choice
/// to make silently.
pub fn check_one_proxy(
    proxy_server: bool,
    firewall: Option<&Firewall>,
    auto_detect: bool,
) -> Result<()> {
    let firewall_name = firewall.map(|f| match f.kind {
        FirewallKind::Tunnel => "FirewallType=TUNNEL",
        FirewallKind::Socks4 => "FirewallType=SOCKS4",
        FirewallKind::Socks5 => "FirewallType=SOCKS5",
    });
    let named: Vec<&str> = [
        proxy_server.then_some("ProxyServer"),
        firewall_name,
        auto_detect.then_some("ProxyAutoDetect=true"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if named.len() > 1 {
        return err(
            Kind::Config,
            format!(
                "{} each choose a proxy; a connection goes through one. Keep one of them.",
                named.join(" and ")
            ),
        );
    }
    Ok(())
}

/// Whether credentials go to an http proxy (ProxyAuthScheme BASIC, the
/// default) or not (NONE). The schemes the HTTP library cannot speak are
/// refused: sending Basic instead would put the password on the wire for a
/// proxy that did not ask for it.
pub fn proxy_sends_credentials(scheme: Option<&str>) -> Result<bool> {
    match scheme.map(|s| s.trim().to_ascii_uppercase()).as_deref() {
        None | Some("") | Some("BASIC") => Ok(true),
        Some("NONE") => Ok(false),
        Some(other) => err(
            Kind::Config,
            format!("ProxyAuthScheme={other} cannot be honoured: the driver authenticates to a proxy with BASIC only. Use BASIC, or NONE to send no credentials."),
        ),
    }
}

/// ProxyExceptions (`a.example.com;10.0.0.0/8;*.internal`) as the HTTP
/// library's no-proxy list: comma-separated, `*.x` written `.x` (a name
/// also matches its subdomains).
pub fn exceptions(text: &str) -> Result<String> {
    let mut hosts = Vec::new();
    for entry in text
        .split([';', ','])
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let ok = entry.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '*' | '/' | '[' | ']')
        });
        if !ok {
            return err(
                Kind::Config,
                format!("ProxyExceptions entry {} is not a host name, IP address or network; separate entries with ';'.", hosts.len() + 1),
            );
        }
        hosts.push(entry.strip_prefix('*').unwrap_or(entry).to_string());
    }
    Ok(hosts.join(","))
}

/// The key names a proxy's messages use.
pub struct ProxyNames {
    pub server: &'static str,
    pub port: &'static str,
    pub user: &'static str,
    pub password: &'static str,
}

pub const PROXY_NAMES: ProxyNames = ProxyNames {
    server: "ProxyServer",
    port: "ProxyPort",
    user: "ProxyUser",
    password: "ProxyPassword",
};

const FIREWALL_NAMES: ProxyNames = ProxyNames {
    server: "FirewallServer",
    port: "FirewallPort",
    user: "FirewallUser",
    password: "FirewallPassword",
};

/// A proxy server as a URL (`http://proxy:3128`) or a bare host (`proxy`,
/// `proxy:3128`), with its port key: the host and port to reach it at.
/// Only http URLs (a CONNECT tunnel carries the TLS of https requests end
/// to end).
pub fn proxy_address(
    names: &ProxyNames,
    server: Option<String>,
    port: Option<u16>,
) -> Result<(Option<String>, Option<u16>)> {
    let Some(server) = server else {
        return Ok((None, port));
    };
    let text = server.trim();
    let with_scheme = if text.contains("://") {
        text.to_string()
    } else {
        format!("http://{text}")
    };
    let key = names.server;
    let bad = |why: &str| {
        err(
            Kind::Config,
            format!("{key} is not usable: {why}. Give a host name (proxy.example.com, with {}) or an http URL (http://proxy.example.com:3128).", names.port),
        )
    };
    let Ok(parsed) = reqwest::Url::parse(&with_scheme) else {
        return bad("it is neither a host name nor a URL (the value is not shown)");
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return bad(&format!(
            "it carries a user name or password (user:password@host; the value is not shown) — use {} and {}",
            names.user, names.password
        ));
    }
    if parsed.scheme() != "http" {
        return bad(&format!(
            "{}:// proxies are not supported, only http://",
            parsed.scheme()
        ));
    }
    let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) else {
        return bad("it names no host");
    };
    if !matches!(parsed.path(), "" | "/") || parsed.query().is_some() || parsed.fragment().is_some()
    {
        return bad(&format!(
            "the URL of {host} has a path; a proxy is only a host and a port"
        ));
    }
    let explicit = parsed.port().or_else(|| {
        // `url` drops a port equal to the scheme's default; keep ":80".
        text.rsplit_once(':')
            .and_then(|(_, p)| p.trim_end_matches('/').parse::<u16>().ok())
            .filter(|p| *p == 80)
    });
    match (explicit, port) {
        (Some(a), Some(b)) if a != b => err(
            Kind::Config,
            format!(
                "{key} names port {a} but {} is {b}; give the port once.",
                names.port
            ),
        ),
        (a, b) => Ok((Some(host.to_string()), b.or(a))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(kind: &str, server: Option<&str>) -> FirewallKeys {
        FirewallKeys {
            kind: Some(kind.into()),
            server: server.map(Into::into),
            port: None,
            user: None,
            password: None,
        }
    }

    #[test]
    fn firewall_kinds_ports_and_urls() {
        let mut u = Unhonoured::default();
        let f = firewall(keys("socks5", Some("127.0.0.1")), &mut u)
            .unwrap()
            .unwrap();
        assert_eq!(f.url(), "socks5h://127.0.0.1:1080");
        let f = firewall(keys("TUNNEL", Some("proxy.invalid:3128")), &mut u)
            .unwrap()
            .unwrap();
        assert_eq!(f.url(), "http://proxy.invalid:3128");
        let f = firewall(keys("SOCKS4", Some("p.invalid")), &mut u)
            .unwrap()
            .unwrap();
        assert_eq!(f.url(), "socks4://p.invalid:1080");
        assert_eq!(u.message(), None);
        assert!(firewall(keys("NONE", Some("p.invalid")), &mut u)
            .unwrap()
            .is_none());
        assert!(u
            .message()
            .unwrap()
            .contains("FirewallServer (FirewallType is NONE)"));
        let e = firewall(keys("SOCKS5", None), &mut u).unwrap_err();
        assert!(
            e.message.contains("FirewallServer is missing"),
            "{}",
            e.message
        );
        let e = firewall(keys("SOCKS5", Some("socks5://p.invalid")), &mut u).unwrap_err();
        assert!(e.message.contains("not a URL"), "{}", e.message);
        let mut k = keys("SOCKS4", Some("p.invalid"));
        k.user = Some("me".into());
        let e = firewall(k, &mut u).unwrap_err();
        assert!(e.message.contains("SOCKS5"), "{}", e.message);
    }

    #[test]
    fn one_proxy_only() {
        let f = Firewall {
            kind: FirewallKind::Socks5,
            host: "h".into(),
            port: 1,
            user: None,
            password: None,
        };
        assert!(check_one_proxy(true, None, false).is_ok());
        let e = check_one_proxy(true, Some(&f), false).unwrap_err();
        assert!(
            e.message.starts_with("ProxyServer and FirewallType=SOCKS5"),
            "{}",
            e.message
        );
        assert!(check_one_proxy(false, Some(&f), true).is_err());
    }

    #[test]
    fn auth_schemes_and_exceptions() {
        assert!(proxy_sends_credentials(None).unwrap());
        assert!(proxy_sends_credentials(Some("basic")).unwrap());
        assert!(!proxy_sends_credentials(Some("NONE")).unwrap());
        for s in ["DIGEST", "ntlm", "Negotiate"] {
            let e = proxy_sends_credentials(Some(s)).unwrap_err();
            assert!(e.message.contains("BASIC only"), "{}", e.message);
        }
        assert_eq!(
            exceptions(" a.example.com;*.internal ; 10.0.0.0/8;[::1]").unwrap(),
            "a.example.com,.internal,10.0.0.0/8,[::1]"
        );
        assert!(exceptions("a.example.com;x=y").is_err());
    }
}

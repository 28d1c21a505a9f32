//! Building the connection's reqwest client from its options: timeouts,
//! proxy and extra trusted roots. Bad values are reported naming the
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
            format!("ProxyServer {server} is not usable: {e}"),
        )
    })?;
    if let Some((user, password)) = &opts.proxy_auth {
        proxy = proxy.basic_auth(user, password);
    }
    Ok(builder.proxy(proxy))
}

/// SSLServerCert: trusted in addition to the system roots, not instead.
fn with_extra_roots(
    mut builder: ClientBuilder,
    opts: &ClientOptions,
) -> Result<ClientBuilder, Error> {
    let Some(pem) = &opts.extra_root_pem else {
        return Ok(builder);
    };
    let certificates = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
        Error::new(
            Kind::Config,
            format!("SSLServerCert is not a PEM certificate: {e}"),
        )
    })?;
    for certificate in certificates {
        builder = builder.add_root_certificate(certificate);
    }
    Ok(builder)
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
}

//! TLS to the PostgreSQL replica (`CacheConnection` with libpq's `sslmode`
//! and `sslrootcert`), against a private server that refuses every
//! connection without TLS, its certificate signed by a CA made for the test.

mod common;

use common::pg::{PgServer, TestCa};
use common::*;
use odbc_sys::HandleType;

/// Connects Offline to the replica with `CacheConnection={conn}`: the
/// rows of `sql`, or the connection's first error (state, message).
fn offline(conn: &str, sql: &str) -> Result<Vec<Vec<Option<String>>>, (String, String)> {
    let e = env();
    let d = dbc(e);
    let (rc, _) = driver_connect(
        d,
        &format!("URL=http://127.0.0.1:9;Login=sandbox;AuthToken=x;Offline=true;CacheConnection={{{conn}}}"),
    );
    let out = match rc {
        SQL_SUCCESS => Ok(query(d, sql)),
        _ => Err(diag(HandleType::Dbc, d)[0].clone()),
    };
    disconnect(e, d);
    out
}

#[test]
fn the_replica_is_reached_over_tls_and_the_certificate_checked_as_sslmode_says() {
    let ca = TestCa::new("pgtls");
    let other = TestCa::new("pgtls-other");
    let pg = PgServer::start_tls(&ca);
    let at = |host: &str, more: &str| {
        format!(
            "host={host} port={} user=postgres dbname=postgres connect_timeout=10 {more}",
            pg.port
        )
    };
    // A sync through a live connection, TLS without checking (libpq's `require`).
    let sb = sandbox();
    let (e, live) = connect_with(
        &sb,
        &format!(
            ";CacheConnection={{{}}}",
            at("127.0.0.1", "sslmode=require")
        ),
    );
    let synced = query(live, "{call SyncCache('Categories')}");
    assert_eq!(synced[0][5], None, "{synced:?}");
    disconnect(e, live);
    let count = "SELECT COUNT(*) FROM Categories";
    let twelve = Ok(vec![vec![Some("12".to_string())]]);
    let root = format!("sslrootcert='{}'", ca.ca.display());
    let wrong_root = format!("sslrootcert='{}'", other.ca.display());
    // The default (prefer) takes TLS when the server offers it.
    assert_eq!(offline(&at("127.0.0.1", ""), count), twelve);
    // verify-full: the chain and the name (an IP address in the certificate).
    let full = format!("sslmode=verify-full {root}");
    assert_eq!(offline(&at("127.0.0.1", &full), count), twelve);
    // A URL says the same.
    let url = format!(
        "postgresql://postgres@127.0.0.1:{}/postgres?sslmode=verify-full&sslrootcert={}",
        pg.port,
        ca.ca.display()
    );
    assert_eq!(offline(&url, count), twelve);
    // verify-ca checks the chain only: `localhost` is not the name the
    // certificate was issued for, which verify-full refuses.
    let by_name = |more: &str| offline(&at("localhost", more), count);
    assert_eq!(by_name(&format!("sslmode=verify-ca {root}")), twelve);
    let (state, msg) = by_name(&full).unwrap_err();
    assert_eq!(state, "08001", "{msg}");
    assert!(
        msg.contains("certificate") && msg.contains("CacheConnection"),
        "{msg}"
    );
    // require with a root file checks the chain, as libpq does.
    for more in [
        format!("sslmode=verify-ca {wrong_root}"),
        format!("sslmode=require {wrong_root}"),
    ] {
        let (state, msg) = offline(&at("127.0.0.1", &more), count).unwrap_err();
        assert_eq!(state, "08001", "{more}: {msg}");
        assert!(msg.to_lowercase().contains("certificate"), "{more}: {msg}");
    }
    // Without TLS this server refuses the connection.
    let (state, msg) =
        offline(&at("127.0.0.1", "sslmode=disable password=hunter2"), count).unwrap_err();
    assert_eq!(state, "08001", "{msg}");
    assert!(!msg.contains("hunter2"), "{msg}");
    // A mode libpq does not know, a root file that is not one.
    let (state, msg) = offline(&at("127.0.0.1", "sslmode=verify"), count).unwrap_err();
    assert_eq!(state, "08001");
    assert!(msg.contains("sslmode `verify`"), "{msg}");
    let key = format!(
        "sslmode=verify-ca sslrootcert='{}'",
        ca.server_key.display()
    );
    let (_, msg) = offline(&at("127.0.0.1", &key), count).unwrap_err();
    assert!(
        msg.contains("not a certificate file") && msg.contains("PRIVATE KEY"),
        "{msg}"
    );
}

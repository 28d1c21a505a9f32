//! A private PostgreSQL server for a test: `initdb` in a temp dir, started
//! with `pg_ctl` on a free 127.0.0.1 port (no Unix socket, no system
//! service), trust authentication for the `postgres` user; stopped
//! (`-m immediate`) and its directory removed when dropped, on success or
//! panic. It logs every statement (`log()`). PostgreSQL refuses to run as root: as root, it runs as `nobody`
//! in a directory `nobody` owns. The binaries: $JUMPSELLER_PG_BIN, else
//! the newest /usr/lib/postgresql/<version>/bin (Debian's `postgresql`).

use super::TempDir;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct PgServer {
    dir: TempDir,
    bin: PathBuf,
    pub port: u16,
}

fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("JUMPSELLER_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed (Debian's postgresql; tests/run.sh installs it)")
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse().ok()?;
            Some((v, e.path().join("bin")))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("a PostgreSQL version under /usr/lib/postgresql")
        .1
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// `program args...` as the user PostgreSQL runs as.
fn as_owner(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "nobody", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn run(mut c: Command, what: &str) -> bool {
    let out = c.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    if !out.status.success() {
        eprintln!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    out.status.success()
}

impl PgServer {
    pub fn start() -> PgServer {
        PgServer::start_with(|_| String::new())
    }

    /// A server that takes TLS connections only (`hostssl` in pg_hba.conf,
    /// every other connection refused), with a certificate for 127.0.0.1
    /// signed by `tls.ca` (made by `openssl`).
    pub fn start_tls(tls: &TestCa) -> PgServer {
        PgServer::start_with(|data| {
            let (cert, key) = (data.join("server.pem"), data.join("server.key"));
            std::fs::copy(&tls.server_cert, &cert).unwrap();
            std::fs::copy(&tls.server_key, &key).unwrap();
            std::fs::write(
                data.join("pg_hba.conf"),
                "hostssl all all 127.0.0.1/32 trust\n",
            )
            .unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
            if is_root() {
                let mut c = Command::new("chown");
                c.arg("nobody")
                    .arg(&cert)
                    .arg(&key)
                    .arg(data.join("pg_hba.conf"));
                assert!(run(c, "chown"));
            }
            format!(
                " -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
                cert.display(),
                key.display()
            )
        })
    }

    /// `setup` prepares the data dir after initdb and returns more server
    /// options.
    fn start_with(setup: impl FnOnce(&Path) -> String) -> PgServer {
        let dir = TempDir::new("pg");
        let data = dir.join("data");
        std::fs::create_dir(&data).unwrap();
        if is_root() {
            assert!(run(
                {
                    let mut c = Command::new("chown");
                    c.arg("nobody").arg(&*dir).arg(&data);
                    c
                },
                "chown"
            ));
        }
        let bin = bin_dir();
        let mut initdb = as_owner(&bin.join("initdb"));
        initdb
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "-A", "trust", "--no-sync"])
            .args(["--encoding=UTF8", "--locale=C.UTF-8"]);
        assert!(run(initdb, "initdb"));
        let more = setup(&data);
        // A port found free may be taken before the server binds it: retry.
        for _ in 0..5 {
            let port = free_port();
            let mut start = as_owner(&bin.join("pg_ctl"));
            start
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(dir.join("server.log"))
                .args(["-w", "-t", "60", "-o"])
                .arg(format!(
                    "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' \
                     -c fsync=off -c full_page_writes=off -c synchronous_commit=off \
                     -c log_statement=all{more}"
                ))
                .arg("start");
            if run(start, "pg_ctl start") {
                return PgServer { dir, bin, port };
            }
        }
        let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
        panic!("the private PostgreSQL server did not start:\n{log}");
    }

    /// The server's log: every statement it ran (`log_statement=all`).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// The connection string (postgres crate / libpq key=value form).
    pub fn conn(&self) -> String {
        format!(
            "host=127.0.0.1 port={} user=postgres dbname=postgres",
            self.port
        )
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let mut stop = as_owner(&self.bin.join("pg_ctl"));
        stop.arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "-w", "stop"]);
        let _ = stop.output();
    }
}

/// A certificate authority made for a test with `openssl`, and a server
/// certificate it signed for 127.0.0.1 (no host name).
pub struct TestCa {
    _dir: TempDir,
    pub ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
}

impl TestCa {
    pub fn new(name: &str) -> TestCa {
        let dir = TempDir::new(name);
        let ca = dir.join("ca.pem");
        let server_cert = dir.join("server.pem");
        let server_key = dir.join("server.key");
        let ext = dir.join("server.ext");
        std::fs::write(
            &ext,
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
             keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        let openssl = |args: &[&str]| {
            let mut c = Command::new("openssl");
            c.args(args).current_dir(&*dir);
            assert!(run(c, "openssl (tests/run.sh installs it)"));
        };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        openssl(
            &[
                &["req", "-x509"][..],
                &ec,
                &[
                    "-days",
                    "2",
                    "-subj",
                    &format!("/CN={name} test CA"),
                    "-keyout",
                    "ca.key",
                    "-out",
                    "ca.pem",
                ],
            ]
            .concat(),
        );
        openssl(
            &[
                &["req"][..],
                &ec,
                &[
                    "-subj",
                    "/CN=jumpseller test server",
                    "-keyout",
                    "server.key",
                    "-out",
                    "server.csr",
                ],
            ]
            .concat(),
        );
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.pem",
        ]);
        TestCa {
            _dir: dir,
            ca,
            server_cert,
            server_key,
        }
    }
}

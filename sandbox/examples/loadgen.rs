//! Load generator for the sandbox: one keep-alive connection, 100-row pages in a loop,
//! bodies read (Content-Length framing) but not parsed.
//!
//!   cargo build --release -p jumpseller-sandbox --bins --examples
//!   target/release/examples/loadgen [--route products|orders] [--secs 5] [--limit 100]
//!                                   [--server PATH] [--cpu 0] [--url URL --pid PID]
//!
//! Without --url it starts `--server` (default: the `jumpseller-sandbox` binary next to this
//! example's directory) under `taskset -c <cpu>` with 100,000 products, 1,000,000 orders and no
//! rate limits, and stops it at the end. Reports wall-clock rows/s and rows per second of server
//! CPU time (utime+stime from /proc/PID/stat), which is the figure that does not depend on what
//! else the machine is doing.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn cpu_ticks(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{}/stat", pid)).ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // fields after the command: state(0) ... utime(11) stime(12)
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opt = |n: &str| {
        args.iter()
            .position(|a| a == n)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let route = opt("--route").unwrap_or_else(|| "products".into());
    let secs: f64 = opt("--secs").map(|s| s.parse().unwrap()).unwrap_or(5.0);
    let limit: u64 = opt("--limit").map(|s| s.parse().unwrap()).unwrap_or(100);
    let cpu = opt("--cpu").unwrap_or_else(|| "0".into());

    let mut child = None;
    let (url, pid) = match opt("--url") {
        Some(u) => (u, opt("--pid").map(|p| p.parse::<u32>().unwrap())),
        None => {
            let server = opt("--server").unwrap_or_else(|| {
                let exe = std::env::current_exe().unwrap();
                exe.parent()
                    .unwrap()
                    .parent()
                    .unwrap()
                    .join("jumpseller-sandbox")
                    .to_string_lossy()
                    .into_owned()
            });
            let sargs = [
                "serve",
                "--products",
                "100000",
                "--orders",
                "1000000",
                "--per-second",
                "0",
                "--per-minute",
                "0",
            ];
            let use_taskset = Command::new("taskset")
                .arg("-V")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            let mut cmd = if use_taskset {
                let mut c = Command::new("taskset");
                c.arg("-c").arg(&cpu).arg(&server);
                c
            } else {
                Command::new(&server)
            };
            let mut ch = cmd
                .args(sargs)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {}", server, e));
            let mut line = String::new();
            BufReader::new(ch.stdout.take().unwrap())
                .read_line(&mut line)
                .unwrap();
            let url = line
                .trim()
                .strip_prefix("JUMPSELLER_SANDBOX_URL=")
                .expect("URL line")
                .to_string();
            let pid = ch.id(); // taskset execs the server, so the pid is the server's
            child = Some(ch);
            (url, Some(pid))
        }
    };
    let hostport = url
        .strip_prefix("http://")
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let s = TcpStream::connect(&hostport).unwrap();
    s.set_nodelay(true).unwrap();
    let mut wr = s.try_clone().unwrap();
    let mut rd = BufReader::with_capacity(256 * 1024, s);
    // base64("sandbox:sandbox-authtoken")
    let auth = "c2FuZGJveDpzYW5kYm94LWF1dGh0b2tlbg==";
    let total_rows: u64 = if route == "orders" {
        1_000_000
    } else {
        100_000
    };
    let pages = total_rows / limit;

    let mut body = Vec::new();
    let mut fetch = |page: u64, body: &mut Vec<u8>| -> usize {
        let req = format!("GET /v1/{}.json?page={}&limit={} HTTP/1.1\r\nHost: {}\r\nAuthorization: Basic {}\r\nAccept: application/json\r\n\r\n", route, page, limit, hostport, auth);
        wr.write_all(req.as_bytes()).unwrap();
        let mut cl = 0usize;
        let mut line = String::new();
        let mut status = String::new();
        loop {
            line.clear();
            rd.read_line(&mut line).unwrap();
            if status.is_empty() {
                status = line.clone();
            }
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                cl = v.trim().parse().unwrap();
            }
        }
        assert!(status.starts_with("HTTP/1.1 200"), "{}", status);
        body.resize(cl, 0);
        rd.read_exact(body).unwrap();
        cl
    };
    // warm-up
    for p in 1..=5 {
        fetch(p, &mut body);
    }
    let c0 = pid.and_then(cpu_ticks);
    let t0 = Instant::now();
    let (mut n, mut bytes, mut rows) = (0u64, 0u64, 0u64);
    while t0.elapsed() < Duration::from_secs_f64(secs) {
        let page = 1 + (n % pages);
        bytes += fetch(page, &mut body) as u64;
        rows += limit; // every page is full: pages cycle over 1..=total/limit
        n += 1;
    }
    let el = t0.elapsed().as_secs_f64();
    let c1 = pid.and_then(cpu_ticks);
    let hz = 100.0; // USER_HZ on Linux
    println!(
        "{}: {} pages, {} rows, {:.1} MB in {:.2} s wall -> {:.0} rows/s wall, {:.1} MB/s, {:.0} B/row",
        route, n, rows, bytes as f64 / 1e6, el, rows as f64 / el, bytes as f64 / 1e6 / el, bytes as f64 / rows as f64
    );
    if let (Some(a), Some(b)) = (c0, c1) {
        let cpu = (b - a) as f64 / hz;
        println!(
            "{}: server CPU {:.2} s ({:.0}% of one core) -> {:.0} rows per server-CPU-second",
            route,
            cpu,
            100.0 * cpu / el,
            rows as f64 / cpu.max(0.01)
        );
    }
    if let Some(mut ch) = child {
        let _ = ch.kill();
        let _ = ch.wait();
    }
}

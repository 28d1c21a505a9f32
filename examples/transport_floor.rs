//! The transport floor of `bench/run.py`: the pages of a whole-table scan of
//! Orders downloaded and parsed by the smallest client that can, with the
//! HTTP and JSON crates the driver uses (reqwest blocking, serde_json) and
//! every value skipped. What the driver spends beyond this is its own.
//!
//! Usage: transport_floor URL ORDERS [THREADS]
//! (URL as the sandbox prints it, `http://127.0.0.1:PORT/v1`; the sandbox's
//! order ids are dense, so page k is `/orders/after/{100 k}.json`.) Prints
//! `rows seconds cpu_seconds` on one line.

use serde::de::IgnoredAny;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

const PAGE: u64 = 100;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(url), Some(orders)) = (args.first(), args.get(1)) else {
        eprintln!("usage: transport_floor URL ORDERS [THREADS]");
        std::process::exit(2);
    };
    let orders: u64 = orders.parse().expect("ORDERS is a number");
    let threads: u64 = args
        .get(2)
        .map_or(8, |t| t.parse().expect("THREADS is a number"));
    // The scan ends with the first short page, as the driver's does.
    let pages = orders / PAGE + 1;
    let next = AtomicU64::new(0);
    let rows = AtomicU64::new(0);
    let http = reqwest::blocking::Client::new();
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= pages {
                    break;
                }
                let body = http
                    .get(format!("{url}/orders/after/{}.json?limit={PAGE}", k * PAGE))
                    .basic_auth("sandbox", Some("sandbox-authtoken"))
                    .send()
                    .and_then(|r| r.error_for_status())
                    .and_then(|r| r.text())
                    .expect("a page");
                let items: Vec<IgnoredAny> = serde_json::from_str(&body).expect("a JSON list");
                rows.fetch_add(items.len() as u64, Ordering::Relaxed);
            });
        }
    });
    let wall = start.elapsed().as_secs_f64();
    println!(
        "{} {wall:.3} {:.3}",
        rows.load(Ordering::Relaxed),
        cpu_seconds()
    );
}

/// User + system CPU of this process, from /proc (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 11 and 12 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

//! One request budget per store, shared by every connection of the process:
//! Jumpseller counts requests per store and IP, so two connections that each
//! kept their own budget would together overrun it.

use once_cell::sync::Lazy;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Limiter {
    per_second: AtomicUsize,
    per_minute: AtomicUsize,
    sent: Mutex<VecDeque<Instant>>,
    /// Set from a 429 or a ban header: nobody sends before this instant.
    hold_until: Mutex<Option<Instant>>,
}

/// The server counts arrivals, we count departures: a request that leaves
/// a little late lands in the server's next window with its successor. A
/// margin on each window keeps such pairs apart (25 ms is ~2.5% of the rate).
const SECOND: Duration = Duration::from_millis(1_025);
const MINUTE: Duration = Duration::from_millis(60_250);

static LIMITERS: Lazy<Mutex<HashMap<String, Arc<Limiter>>>> =
    Lazy::new(|| Mutex::new(HashMap::new()));

impl Limiter {
    /// The limiter of a store; the first connection's budget sets it, a later
    /// connection asking for less lowers it, in place, for everyone (two
    /// budgets for one store would overrun it together).
    pub fn for_store(key: &str, per_second: u32, per_minute: u32) -> Arc<Limiter> {
        let mut map = LIMITERS.lock().unwrap_or_else(|e| e.into_inner());
        let entry = map.entry(key.to_string()).or_insert_with(|| {
            Arc::new(Limiter {
                per_second: AtomicUsize::new(per_second.max(1) as usize),
                per_minute: AtomicUsize::new(per_minute.max(1) as usize),
                sent: Mutex::new(VecDeque::new()),
                hold_until: Mutex::new(None),
            })
        });
        entry
            .per_second
            .fetch_min(per_second.max(1) as usize, Ordering::SeqCst);
        entry
            .per_minute
            .fetch_min(per_minute.max(1) as usize, Ordering::SeqCst);
        entry.clone()
    }

    /// Blocks until one more request fits both windows, then records it.
    pub fn acquire(&self) {
        loop {
            let wait = {
                let now = Instant::now();
                if let Some(h) = *self.hold_until.lock().unwrap_or_else(|e| e.into_inner()) {
                    if h > now {
                        Some(h - now)
                    } else {
                        None
                    }
                } else {
                    None
                }
                .or_else(|| {
                    let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
                    while sent
                        .front()
                        .is_some_and(|t| now.duration_since(*t) >= MINUTE)
                    {
                        sent.pop_front();
                    }
                    let last_second = sent
                        .iter()
                        .rev()
                        .take_while(|t| now.duration_since(**t) < SECOND)
                        .count();
                    if sent.len() >= self.per_minute.load(Ordering::Relaxed) {
                        Some(MINUTE.saturating_sub(now.duration_since(sent[0])))
                    } else if last_second >= self.per_second.load(Ordering::Relaxed) {
                        let oldest_in_second = sent[sent.len() - last_second];
                        Some(SECOND.saturating_sub(now.duration_since(oldest_in_second)))
                    } else {
                        sent.push_back(now);
                        None
                    }
                })
            };
            match wait {
                None => return,
                Some(d) => std::thread::sleep(d.max(Duration::from_millis(1))),
            }
        }
    }

    /// The server said stop: nobody sends before `d` has passed.
    pub fn hold_for(&self, d: Duration) {
        let until = Instant::now() + d;
        let mut h = self.hold_until.lock().unwrap_or_else(|e| e.into_inner());
        if h.is_none_or(|old| old < until) {
            *h = Some(until);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_requests_per_second() {
        let l = Limiter::for_store("test-limiter", 5, 1000);
        let start = Instant::now();
        for _ in 0..10 {
            l.acquire();
        }
        // 10 requests at 5/s need at least one full window of waiting.
        assert!(start.elapsed() >= Duration::from_millis(900));
    }
}

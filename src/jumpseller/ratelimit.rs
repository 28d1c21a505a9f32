//! One request budget per store, shared by every connection of the process:
//! Jumpseller counts requests per store and IP, so two connections that each
//! kept their own budget would together overrun it.

use once_cell::sync::Lazy;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub struct Limiter {
    per_second: AtomicUsize,
    per_minute: AtomicUsize,
    /// Departures within the last minute, oldest first.
    sent: Mutex<VecDeque<Instant>>,
    /// Set from a 429 or a ban header: nobody sends before this instant.
    hold_until: Mutex<Option<Instant>>,
}

/// The server counts arrivals, we count departures: a request that leaves
/// a little late lands in the server's next window with its successor. A
/// margin on each window keeps such pairs apart (25 ms is ~2.5% of the rate).
const SECOND: Duration = Duration::from_millis(1_025);
const MINUTE: Duration = Duration::from_millis(60_250);

/// Shortest sleep between checks, so rounding to zero cannot spin.
const MIN_SLEEP: Duration = Duration::from_millis(1);
/// Longest sleep between checks of the caller's `stop`.
const WAIT_SLICE: Duration = Duration::from_millis(50);

static LIMITERS: Lazy<Mutex<HashMap<String, Arc<Limiter>>>> =
    Lazy::new(|| Mutex::new(HashMap::new()));

/// The guarded values are plain data: a poisoned lock still holds valid ones.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Limiter {
    /// The limiter of a store; the first connection's budget sets it, a later
    /// connection asking for less lowers it, in place, for everyone (two
    /// budgets for one store would overrun it together).
    pub fn for_store(key: &str, per_second: u32, per_minute: u32) -> Arc<Limiter> {
        let per_second = per_second.max(1) as usize;
        let per_minute = per_minute.max(1) as usize;
        let mut limiters = lock(&LIMITERS);
        let limiter = limiters.entry(key.to_string()).or_insert_with(|| {
            Arc::new(Limiter {
                per_second: AtomicUsize::new(per_second),
                per_minute: AtomicUsize::new(per_minute),
                sent: Mutex::new(VecDeque::new()),
                hold_until: Mutex::new(None),
            })
        });
        limiter.per_second.fetch_min(per_second, Ordering::SeqCst);
        limiter.per_minute.fetch_min(per_minute, Ordering::SeqCst);
        limiter.clone()
    }

    /// Blocks until one more request fits both windows, then records it.
    pub fn acquire(&self) {
        while let Some(wait) = self.try_acquire(Instant::now()) {
            std::thread::sleep(wait.max(MIN_SLEEP));
        }
    }

    /// The same, but `stop` is asked every slice of the wait and ends it
    /// with its error (a cancelled statement waits for nothing).
    pub fn acquire_unless<E>(&self, stop: impl Fn() -> Option<E>) -> Option<E> {
        while let Some(wait) = self.try_acquire(Instant::now()) {
            if let Some(stopped) = stop() {
                return Some(stopped);
            }
            std::thread::sleep(wait.clamp(MIN_SLEEP, WAIT_SLICE));
        }
        None
    }

    /// Records a request leaving at `now` when one fits; otherwise says how
    /// long to wait before asking again.
    fn try_acquire(&self, now: Instant) -> Option<Duration> {
        if let Some(wait) = self.held(now) {
            return Some(wait);
        }
        let mut sent = lock(&self.sent);
        forget_older_than_a_minute(&mut sent, now);
        let wait = window_wait(
            &sent,
            now,
            self.per_second.load(Ordering::Relaxed),
            self.per_minute.load(Ordering::Relaxed),
        );
        if wait.is_none() {
            sent.push_back(now);
        }
        wait
    }

    /// Time left of a hold the server imposed, if any.
    fn held(&self, now: Instant) -> Option<Duration> {
        lock(&self.hold_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
    }

    /// The server said stop: nobody sends before `duration` has passed.
    pub fn hold_for(&self, duration: Duration) {
        self.hold_until(Instant::now() + duration);
    }

    /// Extends the hold to `until`; a shorter hold never cuts a longer one.
    fn hold_until(&self, until: Instant) {
        let mut hold = lock(&self.hold_until);
        if hold.is_none_or(|current| current < until) {
            *hold = Some(until);
        }
    }
}

fn forget_older_than_a_minute(sent: &mut VecDeque<Instant>, now: Instant) {
    while sent
        .front()
        .is_some_and(|at| now.duration_since(*at) >= MINUTE)
    {
        sent.pop_front();
    }
}

/// How long until one more request fits, given the departures of the last
/// minute (oldest first): None when it fits now. A full minute waits for
/// its oldest request to age out; a full second likewise for the oldest of
/// that second.
fn window_wait(
    sent: &VecDeque<Instant>,
    now: Instant,
    per_second: usize,
    per_minute: usize,
) -> Option<Duration> {
    let in_last_second = sent
        .iter()
        .rev()
        .take_while(|at| now.duration_since(**at) < SECOND)
        .count();
    if sent.len() >= per_minute {
        Some(MINUTE.saturating_sub(now.duration_since(sent[0])))
    } else if in_last_second >= per_second {
        let oldest_in_second = sent[sent.len() - in_last_second];
        Some(SECOND.saturating_sub(now.duration_since(oldest_in_second)))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(millis: u64) -> Duration {
        Duration::from_millis(millis)
    }

    fn limiter(per_second: usize, per_minute: usize) -> Limiter {
        Limiter {
            per_second: AtomicUsize::new(per_second),
            per_minute: AtomicUsize::new(per_minute),
            sent: Mutex::new(VecDeque::new()),
            hold_until: Mutex::new(None),
        }
    }

    #[test]
    fn spaces_requests_per_second() {
        let limiter = Limiter::for_store("test-limiter", 5, 1000);
        let start = Instant::now();
        for _ in 0..10 {
            limiter.acquire();
        }
        // 10 requests at 5/s need at least one full window of waiting.
        assert!(start.elapsed() >= Duration::from_millis(900));
    }

    #[test]
    fn a_full_second_waits_for_its_oldest_request_plus_the_margin() {
        let start = Instant::now();
        let sent: VecDeque<Instant> = [start, start + ms(100)].into();
        assert_eq!(window_wait(&sent, start + ms(200), 3, 100), None);
        assert_eq!(window_wait(&sent, start + ms(200), 2, 100), Some(ms(825)));
        // Once the oldest is a (padded) second old, one more fits.
        assert_eq!(window_wait(&sent, start + SECOND, 2, 100), None);
    }

    #[test]
    fn a_full_minute_waits_for_its_oldest_request() {
        let start = Instant::now();
        let sent: VecDeque<Instant> = [start, start + ms(2_000)].into();
        let now = start + ms(10_000);
        assert_eq!(window_wait(&sent, now, 10, 2), Some(MINUTE - ms(10_000)));
    }

    #[test]
    fn departures_older_than_a_minute_are_forgotten() {
        let start = Instant::now();
        let mut sent: VecDeque<Instant> = [start, start + ms(1_000)].into();
        forget_older_than_a_minute(&mut sent, start + MINUTE);
        assert_eq!(sent, [start + ms(1_000)]);
    }

    #[test]
    fn try_acquire_records_only_what_it_lets_through() {
        let limiter = limiter(2, 100);
        let start = Instant::now();
        assert_eq!(limiter.try_acquire(start), None);
        assert_eq!(limiter.try_acquire(start + ms(10)), None);
        assert_eq!(limiter.try_acquire(start + ms(20)), Some(SECOND - ms(20)));
        assert_eq!(lock(&limiter.sent).len(), 2);
        assert_eq!(limiter.try_acquire(start + SECOND), None);
    }

    #[test]
    fn a_hold_stops_everyone_and_only_grows() {
        let limiter = limiter(100, 100);
        let start = Instant::now();
        limiter.hold_until(start + ms(500));
        limiter.hold_until(start + ms(100));
        assert_eq!(limiter.try_acquire(start), Some(ms(500)));
        assert_eq!(limiter.try_acquire(start + ms(500)), None);
    }

    #[test]
    fn a_later_connection_can_only_lower_the_shared_budget() {
        let first = Limiter::for_store("test-limiter-lowered", 10, 600);
        let second = Limiter::for_store("test-limiter-lowered", 20, 300);
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(first.per_second.load(Ordering::SeqCst), 10);
        assert_eq!(first.per_minute.load(Ordering::SeqCst), 300);
        // Zero is no budget at all: it means one request at a time.
        Limiter::for_store("test-limiter-lowered", 0, 0);
        assert_eq!(first.per_second.load(Ordering::SeqCst), 1);
    }
}

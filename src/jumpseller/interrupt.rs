//! A statement's interrupt token: its cancel flag and its deadline. The ODBC
//! layer owns one per statement and hands it down with every query, so
//! SQLCancel or a query timeout stops that statement and no other one of the
//! same connection. The client checks it before every request and attempt.

use super::http::ApiError;
use crate::error::Kind;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often a waiting statement looks at its interrupt token.
const SLICE: Duration = Duration::from_millis(50);

#[derive(Clone, Default)]
pub struct Interrupt(Arc<Token>);

#[derive(Default)]
struct Token {
    cancelled: AtomicBool,
    /// Counts the runs started: a request loop of an earlier run (a
    /// request thread still waiting for its answer) stops at its next
    /// attempt, though the new run lowered the cancel flag.
    run: AtomicU64,
    /// The running query's deadline, with the timeout it came from.
    deadline: Mutex<Option<(Instant, Timeout)>>,
}

/// A query's time limit and the name its caller knows it by (the message
/// names it; this layer knows nothing of where it was set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout {
    pub limit: Duration,
    pub setting: &'static str,
}

fn cancelled() -> ApiError {
    ApiError {
        kind: Kind::Cancelled,
        status: None,
        message: "The statement was cancelled.".into(),
    }
}

impl Interrupt {
    /// A token nobody cancels and without a deadline (connect-time and
    /// catalog requests, which no statement runs).
    pub fn none() -> Interrupt {
        Interrupt::default()
    }

    /// Starts a new run: the cancel flag is lowered and the deadline, if any,
    /// counts from now.
    pub fn start(&self, timeout: Option<Timeout>) {
        self.0.run.fetch_add(1, Ordering::SeqCst);
        self.0.cancelled.store(false, Ordering::SeqCst);
        *self.deadline() = timeout.map(|t| (Instant::now() + t.limit, t));
    }

    /// Raised from any thread (SQLCancel); the running statement stops at its
    /// next check.
    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }

    /// What a worker sends on `rx`, waited for until a cancel or the
    /// deadline (within a slice, whatever the worker is waiting for
    /// itself); None when the worker ended without sending.
    pub fn wait_for<T>(&self, rx: &Receiver<T>) -> Result<Option<T>, ApiError> {
        loop {
            match rx.recv_timeout(SLICE) {
                Ok(value) => return Ok(Some(value)),
                Err(RecvTimeoutError::Timeout) => self.check()?,
                Err(RecvTimeoutError::Disconnected) => return Ok(None),
            }
        }
    }

    /// The run under way (see `check_run`).
    pub fn run(&self) -> u64 {
        self.0.run.load(Ordering::SeqCst)
    }

    /// `check` for work begun in run `run`: also Err(Cancelled) once a
    /// later run has started (the statement was cancelled, or ended, and
    /// executed again).
    pub fn check_run(&self, run: u64) -> Result<(), ApiError> {
        if self.run() != run {
            return Err(cancelled());
        }
        self.check()
    }

    /// Err(Cancelled) after a cancel, Err(Timeout) past the deadline.
    pub fn check(&self) -> Result<(), ApiError> {
        if self.is_cancelled() {
            return Err(cancelled());
        }
        if let Some((at, timeout)) = *self.deadline() {
            if Instant::now() >= at {
                return Err(ApiError {
                    kind: Kind::Timeout,
                    status: None,
                    message: format!(
                        "The query ran longer than its timeout of {} s ({}).",
                        timeout.limit.as_secs(),
                        timeout.setting
                    ),
                });
            }
        }
        Ok(())
    }

    /// Sleeps `pause` unless cancelled or out of time first (checked every
    /// 50 ms), then answers like `check`.
    pub fn sleep(&self, pause: Duration) -> Result<(), ApiError> {
        let until = Instant::now() + pause;
        loop {
            self.check()?;
            let now = Instant::now();
            if now >= until {
                return Ok(());
            }
            std::thread::sleep((until - now).min(SLICE));
        }
    }

    fn deadline(&self) -> std::sync::MutexGuard<'_, Option<(Instant, Timeout)>> {
        // The value is plain data: a poisoned lock still holds a valid one.
        self.0.deadline.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancel_is_seen_by_every_clone_and_cleared_by_the_next_start() {
        let a = Interrupt::none();
        let b = a.clone();
        assert!(a.check().is_ok());
        b.cancel();
        assert_eq!(a.check().unwrap_err().kind, Kind::Cancelled);
        a.start(None);
        assert!(b.check().is_ok());
    }

    /// Work of an earlier run stops though the next run lowered the
    /// cancel flag; the next run's own work goes on.
    #[test]
    fn work_of_an_earlier_run_is_cancelled_by_the_next_start() {
        let a = Interrupt::none();
        a.start(None);
        let first = a.run();
        assert!(a.check_run(first).is_ok());
        a.cancel();
        a.start(None);
        assert_eq!(a.check_run(first).unwrap_err().kind, Kind::Cancelled);
        assert!(a.check_run(a.run()).is_ok());
        assert!(a.check().is_ok());
    }

    #[test]
    fn tokens_are_independent() {
        let a = Interrupt::none();
        let b = Interrupt::none();
        a.cancel();
        assert!(b.check().is_ok());
    }

    #[test]
    fn a_passed_deadline_is_a_timeout_naming_the_attribute() {
        let a = Interrupt::none();
        let timeout = |secs| Timeout {
            limit: Duration::from_secs(secs),
            setting: "SQL_ATTR_QUERY_TIMEOUT",
        };
        a.start(Some(timeout(0)));
        let e = a.check().unwrap_err();
        assert_eq!(e.kind, Kind::Timeout);
        assert!(e.message.contains("SQL_ATTR_QUERY_TIMEOUT"));
        a.start(Some(timeout(3600)));
        assert!(a.check().is_ok());
    }
}

//! A statement's interrupt token: its cancel flag and its deadline. The ODBC
//! layer owns one per statement and hands it down with every query, so
//! SQLCancel or a query timeout stops that statement and no other one of the
//! same connection. The client checks it before every request and attempt.

use super::http::ApiError;
use crate::error::Kind;
use std::sync::atomic::{AtomicBool, Ordering};
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

impl Interrupt {
    /// A token nobody cancels and without a deadline (connect-time and
    /// catalog requests, which no statement runs).
    pub fn none() -> Interrupt {
        Interrupt::default()
    }

    /// Starts a new run: the cancel flag is lowered and the deadline, if any,
    /// counts from now.
    pub fn start(&self, timeout: Option<Timeout>) {
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

    /// Err(Cancelled) after a cancel, Err(Timeout) past the deadline.
    pub fn check(&self) -> Result<(), ApiError> {
        if self.is_cancelled() {
            return Err(ApiError {
                kind: Kind::Cancelled,
                status: None,
                message: "The statement was cancelled.".into(),
            });
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
            std::thread::sleep((until - now).min(Duration::from_millis(50)));
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

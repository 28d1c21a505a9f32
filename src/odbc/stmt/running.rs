//! One function at a time on a statement, and how far SQLCancel reaches.
//!
//! Execute and fetch may wait on the network for a long time (a procedure
//! call up to minutes for a browser sign-in), so they do not hold the
//! statement's state lock while they wait: they mark the statement as
//! running, take out of the state what they need, and put it back when
//! done. Meanwhile SQLGetStmtAttr, SQLNumResultCols, SQLGetDiagRec and
//! SQLCancel answer at once, and a function that would change the
//! statement gets HY010 instead of waiting. SQLCancel raises the
//! statement's interrupt only while a function runs (ODBC 3.5: with
//! nothing running it has no effect).

use super::Stmt;
use crate::engine::Timeout;
use crate::error::{Error, Kind, Result};
use crate::odbc::lock;
use odbc_sys::RetCode;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Whether a function runs on the statement, and whether SQLCancel was
/// called during it.
#[derive(Default)]
pub(super) struct Activity {
    /// Whether the running function is one SQLCancel stops (execute,
    /// fetch); the others are short and never wait on the network.
    interruptible: bool,
    cancel_requested: bool,
    /// A data-at-execution sequence is under way (see `data_at_exec`):
    /// only SQLParamData, SQLPutData and SQLCancel may change the
    /// statement.
    need_data: bool,
}

/// Proof that the current call is the statement's running function. The
/// statement is free again when it ends (or drops, on an early return).
pub(super) struct Running<'a> {
    stmt: &'a Stmt,
    ended: bool,
}

impl Stmt {
    /// Marks a short function (one that changes the statement but never
    /// waits on the network) as running, so that it cannot interleave with
    /// an execute or fetch; HY010 when a function already runs (an
    /// application calling from two threads at once). SQLCancel leaves it
    /// alone.
    pub(super) fn begin(&self) -> Result<Running<'_>> {
        self.begin_with(false, || {})
    }

    /// Marks a fetch as running: SQLCancel may stop it.
    pub(super) fn begin_fetch(&self) -> Result<Running<'_>> {
        self.begin_with(true, || {})
    }

    /// Marks an execution as running: SQLCancel may stop it, and the
    /// statement's interrupt is restarted (flag lowered, deadline from now)
    /// under the lock SQLCancel takes, so a cancel cannot fall between.
    pub(super) fn begin_execution(&self, timeout: Option<Duration>) -> Result<Running<'_>> {
        let timeout = timeout.map(|limit| Timeout {
            limit,
            setting: "SQL_ATTR_QUERY_TIMEOUT",
        });
        self.begin_with(true, || self.interrupt.start(timeout))
    }

    fn begin_with(&self, interruptible: bool, on_start: impl FnOnce()) -> Result<Running<'_>> {
        let mut activity = lock(&self.activity);
        if self.running_now.load(Ordering::Acquire) {
            return Err(busy());
        }
        if activity.need_data {
            return Err(Error::odbc(
                "HY010",
                "The statement waits for parameter values (SQL_NEED_DATA): call SQLParamData and SQLPutData, or SQLCancel (function sequence error).",
            ));
        }
        self.running_now.store(true, Ordering::Release);
        activity.interruptible = interruptible;
        activity.cancel_requested = false;
        on_start();
        Ok(Running {
            stmt: self,
            ended: false,
        })
    }

    pub(super) fn set_need_data(&self, on: bool) {
        lock(&self.activity).need_data = on;
    }

    /// Whether a function (execute, fetch, ...) runs on this statement now.
    pub fn is_running(&self) -> bool {
        self.running_now.load(Ordering::Acquire)
    }

    /// SQLCancel: stops this statement's running function from another
    /// thread (it fails with HY008 at its next check); other statements of
    /// the connection go on. With nothing running, nothing happens.
    pub fn cancel(&self) -> Result<RetCode> {
        let need_data = lock(&self.activity).need_data;
        if need_data {
            self.cancel_need_data();
            return Ok(crate::odbc::SUCCESS);
        }
        let mut activity = lock(&self.activity);
        if self.running_now.load(Ordering::Acquire) && activity.interruptible {
            activity.cancel_requested = true;
            self.interrupt.cancel();
        }
        Ok(crate::odbc::SUCCESS)
    }
}

impl Running<'_> {
    /// Ends the run. True when SQLCancel was called during it: the caller
    /// then answers HY008 and closes its cursor, since the raised interrupt
    /// would otherwise fail the next fetch. After this no cancel reaches
    /// the statement until the next run.
    pub(super) fn end(mut self) -> bool {
        self.ended = true;
        let mut activity = lock(&self.stmt.activity);
        self.stmt.running_now.store(false, Ordering::Release);
        std::mem::take(&mut activity.cancel_requested)
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        // On an early return (an error, a panic) the statement must not
        // stay busy. After `end` another run may have begun: leave it be.
        if !self.ended {
            // Under the lock, as every change of the flag.
            let _activity = lock(&self.stmt.activity);
            self.stmt.running_now.store(false, Ordering::Release);
        }
    }
}

const BUSY: &str = "Another function is still running on this statement (function sequence error); wait for it to return, or call SQLCancel.";

fn busy() -> Error {
    Error::odbc("HY010", BUSY)
}

/// Whether an error is the refusal of a call because another function
/// runs on the statement.
pub fn is_busy(e: &Error) -> bool {
    e.state == Some("HY010") && e.message == BUSY
}

pub(super) fn cancelled() -> Error {
    Error::new(Kind::Cancelled, "The statement was cancelled.")
}

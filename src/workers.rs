//! Threads kept for a connection's requests and reused, where each request
//! used to start two of its own (the page asked ahead, and the exchange
//! that lets its waiter give up). A scan of 100,000 orders asks 1,000 pages:
//! starting and ending 2,000 threads (a stack mapped, its first pages
//! faulted in, unmapped again) cost more CPU than reading the pages' text.
//!
//! A worker that finishes its job waits for the next one for `IDLE_FOR`,
//! then ends; the pool never holds a worker back from ending, nor keeps
//! one alive once the connection (the pool's owner) is gone: idle workers
//! end when the last `Workers` handle is dropped, busy ones after their job.
//! There is no bound on the number of workers: a job never waits for
//! another to finish (a page's request thread waits on its exchange, which
//! is a job of the same pool), and the callers bound how many run at once
//! (the prefetch window, one exchange per request).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

/// Work handed to a worker.
pub type Job = Box<dyn FnOnce() + Send>;

/// How long a worker with nothing to do waits for another job: long
/// enough to carry a dashboard's statements one after the other, short
/// enough that a server process with many idle connections does not keep
/// their threads (up to two per page in flight) for long.
const IDLE_FOR: Duration = Duration::from_secs(10);

/// A handle on the pool: clones share it.
#[derive(Clone)]
pub struct Workers(Arc<Pool>);

struct Pool {
    /// The waiting workers, newest last: each one's id and the sender of
    /// its next job. Dropping a sender (with the pool) ends its worker.
    idle: Mutex<Vec<(u64, Sender<Job>)>>,
    next_id: AtomicU64,
    /// The threads' name (as `top -H` and debuggers show them).
    name: &'static str,
}

impl Workers {
    pub fn new(name: &'static str) -> Workers {
        Workers(Arc::new(Pool {
            idle: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(0),
            name,
        }))
    }

    /// Runs `job` on a waiting worker, or on a new one. A thread that
    /// cannot start leaves the job to the caller's thread: slower (a page
    /// is then not asked ahead), never lost.
    pub fn run(&self, job: Job) {
        let job = match self.take_idle() {
            Some(worker) => match worker.send(job) {
                Ok(()) => return,
                // Not expected (a worker leaves the list before it ends),
                // and harmless: a new one.
                Err(returned) => returned.0,
            },
            None => job,
        };
        let pool = Arc::downgrade(&self.0);
        let id = self.0.next_id.fetch_add(1, Ordering::Relaxed);
        let slot = Arc::new(Mutex::new(Some(job)));
        let started = std::thread::Builder::new()
            .name(self.0.name.to_string())
            .spawn({
                let slot = slot.clone();
                move || {
                    if let Some(job) = lock(&slot).take() {
                        work(job, pool, id);
                    }
                }
            });
        if started.is_err() {
            if let Some(job) = lock(&slot).take() {
                job();
            }
        }
    }

    /// Workers waiting for a job (tests).
    pub fn idle(&self) -> usize {
        lock(&self.0.idle).len()
    }

    fn take_idle(&self) -> Option<Sender<Job>> {
        lock(&self.0.idle).pop().map(|(_, tx)| tx)
    }
}

/// A worker's life: its first job, then each job it is handed while it
/// waits, until it has waited `IDLE_FOR` or the pool is gone.
fn work(mut job: Job, pool: Weak<Pool>, id: u64) {
    loop {
        job();
        let (tx, rx) = channel();
        match pool.upgrade() {
            Some(p) => lock(&p.idle).push((id, tx)),
            None => return,
        }
        job = match rx.recv_timeout(IDLE_FOR) {
            Ok(next) => next,
            Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => {
                let Some(p) = pool.upgrade() else { return };
                let mut idle = lock(&p.idle);
                match idle.iter().position(|(i, _)| *i == id) {
                    Some(at) => {
                        idle.remove(at);
                        return;
                    }
                    // Taken from the list as the wait ended: its job is
                    // on the way (or the taker found no use for it).
                    None => {
                        drop(idle);
                        drop(p);
                        match rx.recv() {
                            Ok(next) => next,
                            Err(_) => return,
                        }
                    }
                }
            }
        };
    }
}

/// A lock whose holder panicked still guards a list that is whole (each
/// change to it is one push, pop or remove).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;
    use std::time::Instant;

    fn wait_until(cond: impl Fn() -> bool) {
        let start = Instant::now();
        while !cond() {
            assert!(start.elapsed() < Duration::from_secs(10), "never happened");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn thread_id_of(w: &Workers) -> std::thread::ThreadId {
        let (tx, rx) = channel();
        w.run(Box::new(move || {
            tx.send(std::thread::current().id()).unwrap()
        }));
        rx.recv().unwrap()
    }

    #[test]
    fn a_finished_worker_takes_the_next_job() {
        let w = Workers::new("test-worker");
        let first = thread_id_of(&w);
        wait_until(|| w.idle() == 1);
        assert_eq!(thread_id_of(&w), first);
    }

    #[test]
    fn jobs_that_wait_on_each_other_each_get_a_thread() {
        let w = Workers::new("test-worker");
        let (tx, rx) = channel();
        let (done_tx, done_rx) = channel();
        let inner = w.clone();
        // The outer job waits for the inner one, as a page's request
        // thread waits for its exchange: a bounded pool would deadlock.
        w.run(Box::new(move || {
            inner.run(Box::new(move || tx.send(7).unwrap()));
            done_tx.send(rx.recv().unwrap()).unwrap();
        }));
        assert_eq!(done_rx.recv_timeout(Duration::from_secs(10)).unwrap(), 7);
    }

    /// This process's threads of that name (each test names its own).
    fn threads_named(name: &str) -> usize {
        std::fs::read_dir("/proc/self/task")
            .unwrap()
            .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
            .filter(|comm| comm.trim_end() == name)
            .count()
    }

    #[test]
    fn idle_workers_end_with_the_pool() {
        let w = Workers::new("test-pool-end");
        thread_id_of(&w);
        wait_until(|| w.idle() == 1);
        assert_eq!(threads_named("test-pool-end"), 1);
        let weak = Arc::downgrade(&w.0);
        drop(w);
        assert!(weak.upgrade().is_none(), "no worker keeps the pool alive");
        wait_until(|| threads_named("test-pool-end") == 0);
    }

    #[test]
    fn a_panicking_job_costs_its_worker_not_the_pool() {
        let w = Workers::new("test-worker");
        w.run(Box::new(|| panic!("a job's bug")));
        let (tx, rx) = channel();
        w.run(Box::new(move || tx.send(1).unwrap()));
        assert_eq!(rx.recv_timeout(Duration::from_secs(10)).unwrap(), 1);
    }
}

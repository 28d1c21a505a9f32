//! One request budget per store, shared by every connection of the process
//! and, through a small file (`machine`), by the processes of this machine
//! and user: Jumpseller counts requests per store and IP, so two connections
//! or two processes that each kept their own budget would together overrun
//! it. When the file cannot be used the process keeps its own budget.
//!
//! When the server counts a request is unknown: somewhere between the
//! moment we let it go and the moment its answer comes back (thread start,
//! connection, network and server queues all vary). A request therefore
//! counts in our windows from its departure until a window's length after
//! its answer: then no choice of counting instants by the server can put
//! more than the budget into one of its windows.

use crate::logging::Logger;
use machine::MachineBudget;
use once_cell::sync::Lazy;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub struct Limiter {
    per_second: AtomicUsize,
    per_minute: AtomicUsize,
    /// The requests that still count in a window, in order of departure.
    sent: Mutex<VecDeque<Sent>>,
    /// Numbers the permits, so an answer finds its request.
    next_id: AtomicU64,
    /// Set from a 429 or a ban header: nobody sends before this instant.
    hold_until: Mutex<Option<Instant>>,
    /// The machine-wide budget of the store; None when its file could not
    /// be used (then this process counts only its own requests).
    machine: Mutex<Option<MachineBudget>>,
    /// Where a failure of the machine-wide budget is told.
    logger: Mutex<Logger>,
}

/// One request this process sent, as the windows count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sent {
    id: u64,
    left: Instant,
    /// When its answer (or its failure) came; None while under way.
    answered: Option<Instant>,
}

impl Sent {
    /// How long ago the server may last have counted it; None while it is
    /// under way (it may be counted at any moment from now on). A request
    /// under way for longer than STUCK is taken as answered then, so a lost
    /// thread cannot hold a slot forever.
    fn age(&self, now: Instant) -> Option<Duration> {
        let last = self.answered.or_else(|| {
            let stuck = self.left + STUCK;
            (now >= stuck).then_some(stuck)
        })?;
        Some(now.saturating_duration_since(last))
    }
}

/// The right to send one request, given by `acquire`. Dropping it says the
/// answer came (or the request failed): from then on the request ages out
/// of the windows.
pub struct Permit {
    limiter: Arc<Limiter>,
    id: u64,
    machine_slot: Option<machine::Slot>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.limiter
            .answered(self.id, self.machine_slot.take(), Instant::now());
    }
}

/// The server's windows, with a small margin for its clock running a
/// little faster than ours.
const SECOND: Duration = Duration::from_millis(1_010);
const MINUTE: Duration = Duration::from_millis(60_100);
/// A request under way this long is counted as answered (the Timeout
/// property, when set, ends it sooner).
const STUCK: Duration = Duration::from_secs(120);
/// How often a sender waiting only for answers under way looks again.
const POLL: Duration = Duration::from_millis(5);

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
    /// budgets for one store would overrun it together). The first also
    /// opens the store's machine-wide budget; `logger` hears if it cannot.
    pub fn for_store(key: &str, per_second: u32, per_minute: u32, logger: &Logger) -> Arc<Limiter> {
        let per_second = per_second.max(1) as usize;
        let per_minute = per_minute.max(1) as usize;
        let mut limiters = lock(&LIMITERS);
        let limiter = limiters.entry(key.to_string()).or_insert_with(|| {
            let machine = match MachineBudget::open(key) {
                Ok(budget) => Some(budget),
                Err(why) => {
                    logger.log(1, &fallback_message(&why));
                    None
                }
            };
            Arc::new(Limiter {
                machine: Mutex::new(machine),
                ..Limiter::in_process(per_second, per_minute)
            })
        });
        limiter.per_second.fetch_min(per_second, Ordering::SeqCst);
        limiter.per_minute.fetch_min(per_minute, Ordering::SeqCst);
        let mut kept = lock(&limiter.logger);
        if !kept.enabled(1) && logger.enabled(1) {
            *kept = logger.clone();
        }
        drop(kept);
        limiter.clone()
    }

    /// A limiter that counts this process's requests only.
    fn in_process(per_second: usize, per_minute: usize) -> Limiter {
        Limiter {
            per_second: AtomicUsize::new(per_second),
            per_minute: AtomicUsize::new(per_minute),
            sent: Mutex::new(VecDeque::new()),
            next_id: AtomicU64::new(0),
            hold_until: Mutex::new(None),
            machine: Mutex::new(None),
            logger: Mutex::new(Logger::default()),
        }
    }

    /// Blocks until one more request fits both windows, then records it.
    pub fn acquire(self: &Arc<Self>) -> Permit {
        loop {
            match self.try_acquire(Instant::now()) {
                Ok(permit) => return permit,
                Err(wait) => std::thread::sleep(wait.max(MIN_SLEEP)),
            }
        }
    }

    /// The same, but `stop` is asked every slice of the wait and ends it
    /// with its error (a cancelled statement waits for nothing).
    pub fn acquire_unless<E>(self: &Arc<Self>, stop: impl Fn() -> Option<E>) -> Result<Permit, E> {
        loop {
            match self.try_acquire(Instant::now()) {
                Ok(permit) => return Ok(permit),
                Err(wait) => {
                    if let Some(stopped) = stop() {
                        return Err(stopped);
                    }
                    std::thread::sleep(wait.clamp(MIN_SLEEP, WAIT_SLICE));
                }
            }
        }
    }

    /// Records a request leaving at `now` when one fits; otherwise says how
    /// long to wait before asking again.
    fn try_acquire(self: &Arc<Self>, now: Instant) -> Result<Permit, Duration> {
        if let Some(wait) = self.held(now) {
            return Err(wait);
        }
        let per_second = self.per_second.load(Ordering::Relaxed);
        let per_minute = self.per_minute.load(Ordering::Relaxed);
        let mut sent = lock(&self.sent);
        forget_aged_out(&mut sent, now);
        let ages: Vec<Option<Duration>> = sent.iter().map(|request| request.age(now)).collect();
        if let Some(wait) = window_wait(&ages, per_second, per_minute) {
            return Err(wait);
        }
        // This process has room; the machine's other processes may not
        // have left any. Their departures and holds are in the file.
        let machine_slot = self.take_machine_slot(per_second, per_minute)?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        sent.push_back(Sent {
            id,
            left: now,
            answered: None,
        });
        Ok(Permit {
            limiter: self.clone(),
            id,
            machine_slot,
        })
    }

    /// A slot in the machine-wide budget (None when there is none), or
    /// how long until the file's windows have room.
    fn take_machine_slot(
        &self,
        per_second: usize,
        per_minute: usize,
    ) -> Result<Option<machine::Slot>, Duration> {
        let mut machine = lock(&self.machine);
        let Some(budget) = machine.as_mut() else {
            return Ok(None);
        };
        match budget.try_take(machine::now_ms(), per_second, per_minute) {
            Ok(taken) => taken.map(Some),
            Err(why) => {
                lock(&self.logger).log(1, &fallback_message(&why));
                *machine = None;
                Ok(None)
            }
        }
    }

    /// The request `id` was answered at `at`: it leaves the windows a
    /// window's length later, here and in the machine's file.
    fn answered(&self, id: u64, machine_slot: Option<machine::Slot>, at: Instant) {
        if let Some(request) = lock(&self.sent).iter_mut().find(|request| request.id == id) {
            request.answered = Some(at);
        }
        let Some(slot) = machine_slot else {
            return;
        };
        let mut machine = lock(&self.machine);
        if let Some(budget) = machine.as_mut() {
            if let Err(why) = budget.answered(slot, machine::now_ms()) {
                lock(&self.logger).log(1, &fallback_message(&why));
                *machine = None;
            }
        }
    }

    /// Time left of a hold the server imposed, if any.
    fn held(&self, now: Instant) -> Option<Duration> {
        lock(&self.hold_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
    }

    /// The server said stop: nobody sends before `duration` has passed,
    /// in this process or (through the file) the machine's others.
    pub fn hold_for(&self, duration: Duration) {
        self.hold_until(Instant::now() + duration);
        let mut machine = lock(&self.machine);
        if let Some(budget) = machine.as_mut() {
            let until = machine::now_ms().saturating_add(duration.as_millis() as u64);
            if let Err(why) = budget.hold_until(until) {
                lock(&self.logger).log(1, &fallback_message(&why));
                *machine = None;
            }
        }
    }

    /// Extends the hold to `until`; a shorter hold never cuts a longer one.
    fn hold_until(&self, until: Instant) {
        let mut hold = lock(&self.hold_until);
        if hold.is_none_or(|current| current < until) {
            *hold = Some(until);
        }
    }
}

fn fallback_message(why: &str) -> String {
    format!("The machine-wide rate budget cannot be used ({why}); this process counts only its own requests to the store, so other processes using it at the same time may draw 429 answers.")
}

/// Forgets the requests that left both windows: answered a minute ago.
fn forget_aged_out(sent: &mut VecDeque<Sent>, now: Instant) {
    sent.retain(|request| request.age(now).is_none_or(|age| age < MINUTE));
}

/// How long until one more request fits both windows (None when it fits
/// now), given the age of each counted request since its answer (None:
/// under way).
fn window_wait(
    ages: &[Option<Duration>],
    per_second: usize,
    per_minute: usize,
) -> Option<Duration> {
    [(per_second, SECOND), (per_minute, MINUTE)]
        .into_iter()
        .filter_map(|(budget, window)| room_wait(ages, budget, window))
        .max()
}

/// How long until a window of `window` holding at most `budget` requests
/// has room for one more. The answered requests leave it oldest first, a
/// window's length after their answer; one under way leaves only after its
/// answer, which nobody can foresee: then look again shortly.
fn room_wait(ages: &[Option<Duration>], budget: usize, window: Duration) -> Option<Duration> {
    let under_way = ages.iter().filter(|age| age.is_none()).count();
    let mut answered: Vec<Duration> = ages
        .iter()
        .flatten()
        .copied()
        .filter(|age| *age < window)
        .collect();
    let counted = under_way + answered.len();
    if counted < budget {
        return None;
    }
    let must_leave = counted - budget + 1;
    if must_leave > answered.len() {
        return Some(POLL);
    }
    // Oldest first: the first `must_leave` to leave decide the wait.
    answered.sort_unstable_by(|a, b| b.cmp(a));
    Some(window - answered[must_leave - 1])
}

/// The machine-wide budget of a store: one small file per store (and user)
/// that every process using the store reads and writes under `flock`.
///
/// The file lives in `$XDG_RUNTIME_DIR/jumpseller-odbc/`, or else in
/// `jumpseller-odbc-<uid>/` under the temporary directory; the driver makes
/// either with mode 0700 and uses it only when it is a directory (not a
/// link) of this user that nobody else can enter. Its name is a hash of the
/// store key (URL and login, no secret): `budget-<16 hex digits>`.
///
/// Format (little-endian, fixed size: `FILE_SIZE` bytes):
///
/// | bytes | field |
/// |---|---|
/// | 0..8 | magic `JSRLIM01` |
/// | 8..16 | hold: no request before this wall-clock time (Unix ms) |
/// | 16..20 | process id of the hold's setter |
/// | 20..24 | ring index of the next departure |
/// | 24..28 | departures stored (at most `CAPACITY`) |
/// | 28..32 | reserved, 0 |
/// | 32.. | `CAPACITY` requests, wall-clock Unix ms, a ring |
///
/// A request's slot holds its departure with the top bit set (`UNDER_WAY`)
/// until its answer comes, then the time of the answer: like the
/// in-process windows, the file counts a request until a window's length
/// after its answer. (A process of an earlier driver, which wrote plain
/// departures, is counted from its departure.)
///
/// A process takes its slot under the lock: read the file, check the hold
/// and both windows, append its departure; on the answer it takes the lock
/// again to write the answer's time into its slot, if the ring has not
/// reused it. Only the last `CAPACITY`
/// departures are kept, so a window whose budget is larger (a test's
/// 10,000/s, or more than 1,024 a minute) is not counted across processes:
/// each process counts it for itself, as before. The hold (a ban or a spent
/// window one process was told of) stops every process, but only while the
/// process that set it lives: a hold left by one that ended is the server's
/// to tell again (one request from the next process finds out).
mod machine {
    use std::fs::{self, File, OpenOptions};
    use std::io::ErrorKind;
    use std::os::unix::fs::{DirBuilderExt, FileExt, MetadataExt, OpenOptionsExt};
    use std::os::unix::io::AsRawFd;
    use std::path::{Path, PathBuf};
    use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

    /// Departures kept: the real API's 800 a minute fit.
    pub const CAPACITY: usize = 1024;
    const HEADER: usize = 32;
    pub const FILE_SIZE: usize = HEADER + CAPACITY * 8;
    const MAGIC: &[u8; 8] = b"JSRLIM01";
    /// The windows, in ms, with the same margins as the in-process ones.
    const SECOND_MS: u64 = super::SECOND.as_millis() as u64;
    const MINUTE_MS: u64 = super::MINUTE.as_millis() as u64;
    /// Set on a slot whose request is under way (its departure below).
    const UNDER_WAY: u64 = 1 << 63;
    /// A request under way this long counts as answered then: its process
    /// may have ended (killed mid-scan) before writing the answer, and its
    /// slots must not hold the other processes back for long. A request
    /// that really takes longer was most likely counted well before.
    const STUCK_MS: u64 = 10_000;
    /// A departure or hold further ahead than this was written before the
    /// clock went back: it is forgotten rather than waited for.
    const FUTURE_TOLERANCE_MS: u64 = 2_000;
    /// The longest hold honoured (the in-process hold is capped at an hour).
    const MAX_HOLD_MS: u64 = 3_600_000 + FUTURE_TOLERANCE_MS;
    /// How long a lock held by another process is waited for: the lock is
    /// held for a read and a write, so a wait this long means a process is
    /// stuck holding it.
    const LOCK_WAIT: Duration = Duration::from_secs(5);
    /// Budget files untouched this long are removed when a store's file is
    /// opened (they hold nothing that still counts).
    const STALE: Duration = Duration::from_secs(2 * 3600);

    pub fn now_ms() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_millis() as u64)
            .unwrap_or(0)
    }

    /// A slot taken by a request: where, and what was written there (a
    /// slot the ring has given to a later request is left alone).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Slot {
        index: usize,
        written: u64,
    }

    pub struct MachineBudget {
        path: PathBuf,
        file: File,
    }

    /// What the file holds, read under the lock.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct State {
        pub hold_until: u64,
        pub hold_pid: u32,
        next: usize,
        /// Departures in ring order (index = slot).
        pub slots: Vec<u64>,
        len: usize,
    }

    impl State {
        pub fn empty() -> State {
            State {
                hold_until: 0,
                hold_pid: 0,
                next: 0,
                slots: vec![0; CAPACITY],
                len: 0,
            }
        }

        /// The state a file's bytes spell; None when they spell none (a
        /// new, short or foreign file), which is then started afresh.
        pub fn parse(bytes: &[u8]) -> Option<State> {
            if bytes.len() != FILE_SIZE || &bytes[..8] != MAGIC {
                return None;
            }
            let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
            let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
            let (next, len) = (u32_at(20) as usize, u32_at(24) as usize);
            if next >= CAPACITY || len > CAPACITY {
                return None;
            }
            Some(State {
                hold_until: u64_at(8),
                hold_pid: u32_at(16),
                next,
                slots: (0..CAPACITY)
                    .map(|slot| u64_at(HEADER + slot * 8))
                    .collect(),
                len,
            })
        }

        fn header(&self) -> [u8; HEADER] {
            let mut header = [0u8; HEADER];
            header[..8].copy_from_slice(MAGIC);
            header[8..16].copy_from_slice(&self.hold_until.to_le_bytes());
            header[16..20].copy_from_slice(&self.hold_pid.to_le_bytes());
            header[20..24].copy_from_slice(&(self.next as u32).to_le_bytes());
            header[24..28].copy_from_slice(&(self.len as u32).to_le_bytes());
            header
        }

        pub fn bytes(&self) -> Vec<u8> {
            let mut bytes = self.header().to_vec();
            for at in &self.slots {
                bytes.extend_from_slice(&at.to_le_bytes());
            }
            bytes
        }

        /// The requests that may still count in a window: each one's age
        /// since its answer, None while it is under way (the in-process
        /// windows' terms).
        pub fn ages(&self, now: u64) -> Vec<Option<Duration>> {
            (0..self.len)
                .map(|back| self.slots[(self.next + CAPACITY - 1 - back) % CAPACITY])
                .filter_map(|slot| age(slot, now))
                .filter(|age| age.is_none_or(|age| age < Duration::from_millis(MINUTE_MS)))
                .collect()
        }

        /// Records `value` (a departure marked under way); returns the slot
        /// written.
        pub fn push(&mut self, value: u64) -> usize {
            let slot = self.next;
            self.slots[slot] = value;
            self.next = (slot + 1) % CAPACITY;
            self.len = (self.len + 1).min(CAPACITY);
            slot
        }

        /// Time left of a hold set by a process that still lives.
        pub fn held(&self, now: u64, alive: impl Fn(u32) -> bool) -> Option<Duration> {
            let left = self.hold_until.checked_sub(now).filter(|left| *left > 0)?;
            (left <= MAX_HOLD_MS && alive(self.hold_pid)).then(|| Duration::from_millis(left))
        }
    }

    /// One slot's request: None when it counts no more (or was written
    /// before the clock went back), Some(None) while under way, else its
    /// age since its answer.
    fn age(slot: u64, now: u64) -> Option<Option<Duration>> {
        let at = slot & !UNDER_WAY;
        if at.saturating_sub(now) > FUTURE_TOLERANCE_MS {
            return None;
        }
        let answered = if slot & UNDER_WAY == 0 {
            at
        } else if now.saturating_sub(at) >= STUCK_MS {
            at + STUCK_MS
        } else {
            return Some(None);
        };
        Some(Some(Duration::from_millis(now.saturating_sub(answered))))
    }

    /// How long until one more request fits both windows (None when it
    /// fits now); only windows whose budget the file can hold are counted.
    pub fn window_wait(
        ages: &[Option<Duration>],
        per_second: usize,
        per_minute: usize,
    ) -> Option<Duration> {
        [(per_second, SECOND_MS), (per_minute, MINUTE_MS)]
            .into_iter()
            .filter(|(budget, _)| *budget <= CAPACITY)
            .filter_map(|(budget, window)| {
                super::room_wait(ages, budget, Duration::from_millis(window))
            })
            .max()
    }

    impl MachineBudget {
        /// Opens (creating it) the budget file of the store `key`.
        pub fn open(key: &str) -> Result<MachineBudget, String> {
            let dir = runtime_dir()?;
            remove_stale(&dir);
            MachineBudget::open_in(&dir, key)
        }

        pub fn open_in(dir: &Path, key: &str) -> Result<MachineBudget, String> {
            let path = dir.join(format!("budget-{:016x}", fnv1a(key.as_bytes())));
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&path)
                .map_err(|error| format!("{}: {error}", path.display()))?;
            Ok(MachineBudget { path, file })
        }

        /// Takes a slot at `now` when one fits the machine's windows and no
        /// hold stands (Ok(slot)); otherwise Err(how long to wait).
        pub fn try_take(
            &mut self,
            now: u64,
            per_second: usize,
            per_minute: usize,
        ) -> Result<Result<Slot, Duration>, String> {
            self.reopen_if_removed()?;
            let _lock = self.lock()?;
            let (mut state, fresh) = self.read()?;
            if let Some(wait) = state.held(now, alive) {
                return Ok(Err(wait));
            }
            if let Some(wait) = window_wait(&state.ages(now), per_second, per_minute) {
                return Ok(Err(wait));
            }
            let written = now | UNDER_WAY;
            let index = state.push(written);
            if fresh {
                self.write_at(&state.bytes(), 0)
            } else {
                self.write_at(&state.header(), 0)?;
                self.write_at(&written.to_le_bytes(), (HEADER + index * 8) as u64)
            }
            .map(|()| Ok(Slot { index, written }))
        }

        /// The request of `slot` was answered at `at` (Unix ms): it counts
        /// until a window's length after that. A slot the ring has reused,
        /// or a file started afresh since, is left alone.
        pub fn answered(&mut self, slot: Slot, at: u64) -> Result<(), String> {
            self.reopen_if_removed()?;
            let _lock = self.lock()?;
            let (state, fresh) = self.read()?;
            if fresh || state.slots[slot.index] != slot.written {
                return Ok(());
            }
            self.write_at(&at.to_le_bytes(), (HEADER + slot.index * 8) as u64)
        }

        /// Extends the machine's hold to `until` (Unix ms); a shorter one
        /// never cuts a longer one that still counts.
        pub fn hold_until(&mut self, until: u64) -> Result<(), String> {
            self.reopen_if_removed()?;
            let _lock = self.lock()?;
            let (mut state, fresh) = self.read()?;
            if state.held(now_ms(), alive).is_some() && state.hold_until >= until {
                return Ok(());
            }
            state.hold_until = until;
            state.hold_pid = std::process::id();
            if fresh {
                self.write_at(&state.bytes(), 0)
            } else {
                self.write_at(&state.header(), 0)
            }
        }

        /// The state in the file, and whether it had to be started afresh.
        fn read(&self) -> Result<(State, bool), String> {
            let mut bytes = vec![0u8; FILE_SIZE];
            match self.file.read_exact_at(&mut bytes, 0) {
                Ok(()) => {}
                Err(error) if error.kind() == ErrorKind::UnexpectedEof => {
                    return Ok((State::empty(), true))
                }
                Err(error) => return Err(self.failed("read", error)),
            }
            Ok(match State::parse(&bytes) {
                Some(state) => (state, false),
                None => (State::empty(), true),
            })
        }

        fn write_at(&self, bytes: &[u8], offset: u64) -> Result<(), String> {
            self.file
                .write_all_at(bytes, offset)
                .map_err(|error| self.failed("write", error))
        }

        fn failed(&self, what: &str, error: std::io::Error) -> String {
            format!("{} cannot be {what}: {error}", self.path.display())
        }

        /// A file removed as stale (by another process) while this one
        /// kept it open would leave this process counting alone.
        fn reopen_if_removed(&mut self) -> Result<(), String> {
            let links = self.file.metadata().map(|meta| meta.nlink()).unwrap_or(0);
            if links == 0 {
                self.file = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .mode(0o600)
                    .custom_flags(libc::O_NOFOLLOW)
                    .open(&self.path)
                    .map_err(|error| format!("{}: {error}", self.path.display()))?;
            }
            Ok(())
        }

        /// Takes the file's `flock`, waiting up to LOCK_WAIT for another
        /// process; released when the guard drops.
        fn lock(&self) -> Result<Flock<'_>, String> {
            let until = Instant::now() + LOCK_WAIT;
            loop {
                // SAFETY: `self.file` is an open File that outlives this call,
                // so its descriptor is valid; flock reads only that integer
                // and touches no memory of ours.
                let status =
                    unsafe { libc::flock(self.file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
                if status == 0 {
                    return Ok(Flock(&self.file));
                }
                let error = std::io::Error::last_os_error();
                let busy = matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted);
                if !busy {
                    return Err(self.failed("locked", error));
                }
                if Instant::now() >= until {
                    return Err(format!(
                        "{} stayed locked by another process for {LOCK_WAIT:?}",
                        self.path.display()
                    ));
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }

    /// A held `flock`, released on drop.
    struct Flock<'f>(&'f File);

    impl Drop for Flock<'_> {
        fn drop(&mut self) {
            // SAFETY: the File is borrowed for the guard's life, so the
            // descriptor is open; flock touches no memory of ours. (Closing
            // the file would release the lock too; the file stays open.)
            unsafe { libc::flock(self.0.as_raw_fd(), libc::LOCK_UN) };
        }
    }

    /// Whether the process `pid` lives (a hold it set still counts).
    fn alive(pid: u32) -> bool {
        if pid == std::process::id() {
            return true;
        }
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        if pid <= 0 {
            return false;
        }
        // SAFETY: signal 0 only checks that the process exists and may be
        // signalled; nothing is sent and no memory is passed.
        let status = unsafe { libc::kill(pid, 0) };
        status == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }

    /// The per-user directory of the budget files, made 0700 if missing;
    /// refused unless it is a directory of this user closed to others.
    fn runtime_dir() -> Result<PathBuf, String> {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let uid = unsafe { libc::geteuid() };
        let dir = match std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from) {
            Some(base) if base.is_absolute() && base.is_dir() => base.join("jumpseller-odbc"),
            _ => std::env::temp_dir().join(format!("jumpseller-odbc-{uid}")),
        };
        usable_dir(&dir, uid)?;
        Ok(dir)
    }

    pub fn usable_dir(dir: &Path, uid: u32) -> Result<(), String> {
        match fs::DirBuilder::new().mode(0o700).create(dir) {
            Ok(()) => {}
            Err(error) if error.kind() == ErrorKind::AlreadyExists => {}
            Err(error) => return Err(format!("{}: {error}", dir.display())),
        }
        let meta =
            fs::symlink_metadata(dir).map_err(|error| format!("{}: {error}", dir.display()))?;
        if !meta.is_dir() {
            return Err(format!("{} is not a directory", dir.display()));
        }
        if meta.uid() != uid || meta.mode() & 0o077 != 0 {
            return Err(format!(
                "{} belongs to another user or is open to others (mode {:o})",
                dir.display(),
                meta.mode() & 0o777
            ));
        }
        Ok(())
    }

    /// Removes budget files nobody has touched for STALE.
    fn remove_stale(dir: &Path) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let stale = entry
                .metadata()
                .ok()
                .and_then(|meta| meta.modified().ok())
                .and_then(|modified| modified.elapsed().ok())
                .is_some_and(|idle| idle > STALE);
            if stale && entry.file_name().to_string_lossy().starts_with("budget-") {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    /// FNV-1a: a hash that stays the same across builds and processes
    /// (std's hasher makes no such promise).
    fn fnv1a(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn dir(name: &str) -> PathBuf {
            let dir = std::env::temp_dir().join(format!(
                "jumpseller-budget-test-{}-{name}",
                std::process::id()
            ));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            dir
        }

        #[test]
        fn two_processes_share_the_windows() {
            let dir = dir("share");
            // Two opens of one file lock against each other as two processes do.
            let mut first = MachineBudget::open_in(&dir, "store|a").unwrap();
            let mut second = MachineBudget::open_in(&dir, "store|a").unwrap();
            let now = 1_000_000;
            let a = first.try_take(now, 2, 100).unwrap().unwrap();
            let b = second.try_take(now + 10, 2, 100).unwrap().unwrap();
            // Both under way: no answer says when there will be room.
            assert_eq!(
                first.try_take(now + 20, 2, 100).unwrap().err(),
                Some(super::super::POLL)
            );
            // Answered: each counts a second after its answer (not its departure).
            first.answered(a, now + 100).unwrap();
            second.answered(b, now + 110).unwrap();
            assert_eq!(
                first.try_take(now + 120, 2, 100).unwrap().err(),
                Some(Duration::from_millis(SECOND_MS - 20))
            );
            let late = now + 100 + SECOND_MS;
            assert!(second.try_take(late, 2, 100).unwrap().is_ok());
            // Another store has its own file.
            let mut other = MachineBudget::open_in(&dir, "store|b").unwrap();
            assert!(other.try_take(now + 20, 2, 100).unwrap().is_ok());
            fs::remove_dir_all(&dir).unwrap();
        }

        #[test]
        fn a_hold_stops_the_others_while_its_setter_lives() {
            let dir = dir("hold");
            let mut first = MachineBudget::open_in(&dir, "store").unwrap();
            let mut second = MachineBudget::open_in(&dir, "store").unwrap();
            let now = now_ms();
            first.hold_until(now + 30_000).unwrap();
            // A shorter hold does not cut it.
            second.hold_until(now + 1_000).unwrap();
            let wait = second.try_take(now, 100, 1000).unwrap().unwrap_err();
            assert!(wait > Duration::from_secs(29), "{wait:?}");
            // A hold whose setter is gone is not honoured.
            let (state, _) = first.read().unwrap();
            assert_eq!(state.held(now, |_| false), None);
            assert_eq!(state.held(now, |_| true), Some(Duration::from_secs(30)));
            fs::remove_dir_all(&dir).unwrap();
        }

        #[test]
        fn only_the_last_capacity_departures_are_kept() {
            let mut state = State::empty();
            for at in 0..(CAPACITY as u64 + 10) {
                state.push(1_000 + at);
            }
            let now = 1_000 + CAPACITY as u64 + 10;
            let ages = state.ages(now);
            assert_eq!(ages.len(), CAPACITY);
            assert!(ages.contains(&Some(Duration::from_millis(CAPACITY as u64))));
            assert!(!ages.contains(&Some(Duration::from_millis(CAPACITY as u64 + 1))));
            // A budget the file can hold is counted ...
            assert!(window_wait(&ages, 100_000, CAPACITY).is_some());
            // ... a larger one is left to each process.
            assert_eq!(window_wait(&ages, 100_000, CAPACITY + 1), None);
            assert_eq!(window_wait(&ages, 10_000, 600_000), None);
        }

        #[test]
        fn the_file_round_trips_and_a_foreign_one_starts_afresh() {
            let mut state = State::empty();
            state.push(42);
            state.hold_until = 7;
            state.hold_pid = 9;
            assert_eq!(State::parse(&state.bytes()), Some(state.clone()));
            assert_eq!(state.bytes().len(), FILE_SIZE);
            assert_eq!(State::parse(b"not a budget"), None);
            let mut bytes = state.bytes();
            bytes[24..28].copy_from_slice(&(CAPACITY as u32 + 1).to_le_bytes());
            assert_eq!(State::parse(&bytes), None);
            let dir = dir("foreign");
            let mut budget = MachineBudget::open_in(&dir, "store").unwrap();
            fs::write(&budget.path, b"garbage").unwrap();
            assert!(budget.try_take(5_000, 1, 10).unwrap().is_ok());
            assert_eq!(fs::metadata(&budget.path).unwrap().len(), FILE_SIZE as u64);
            fs::remove_dir_all(&dir).unwrap();
        }

        #[test]
        fn departures_from_a_clock_that_went_back_are_forgotten() {
            let mut state = State::empty();
            state.push(100_000);
            assert!(state.ages(50_000).is_empty());
            assert_eq!(state.ages(99_000), [Some(Duration::ZERO)]);
        }

        #[test]
        fn a_request_under_way_counts_until_its_answer_or_for_stuck() {
            let mut state = State::empty();
            state.push(100_000 | UNDER_WAY);
            assert_eq!(state.ages(100_500), [None]);
            // Its process may have ended without writing the answer.
            let later = 100_000 + STUCK_MS + 700;
            assert_eq!(state.ages(later), [Some(Duration::from_millis(700))]);
        }

        #[test]
        fn a_directory_open_to_others_or_not_a_directory_is_refused() {
            use std::os::unix::fs::PermissionsExt;
            let base = dir("dirs");
            // SAFETY: geteuid has no preconditions and cannot fail.
            let uid = unsafe { libc::geteuid() };
            let good = base.join("mine");
            usable_dir(&good, uid).unwrap();
            assert_eq!(fs::metadata(&good).unwrap().mode() & 0o777, 0o700);
            let open = base.join("open");
            fs::create_dir(&open).unwrap();
            fs::set_permissions(&open, fs::Permissions::from_mode(0o777)).unwrap();
            assert!(usable_dir(&open, uid).is_err());
            let file = base.join("file");
            fs::write(&file, b"").unwrap();
            assert!(usable_dir(&file, uid).is_err());
            assert!(usable_dir(&good, uid + 1).is_err());
            // A budget file cannot be made where the directory is a file.
            assert!(MachineBudget::open_in(&file, "store").is_err());
            fs::remove_dir_all(&base).unwrap();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(millis: u64) -> Duration {
        Duration::from_millis(millis)
    }

    fn limiter(per_second: usize, per_minute: usize) -> Arc<Limiter> {
        Arc::new(Limiter::in_process(per_second, per_minute))
    }

    #[test]
    fn spaces_requests_per_second() {
        let limiter = Limiter::for_store("test-limiter", 5, 1000, &Logger::default());
        let start = Instant::now();
        for _ in 0..10 {
            drop(limiter.acquire());
        }
        // 10 requests at 5/s need at least one full window of waiting.
        assert!(start.elapsed() >= Duration::from_millis(900));
    }

    #[test]
    fn a_full_second_waits_for_its_oldest_answer_to_be_a_second_old() {
        let ages = [Some(ms(300)), Some(ms(100))];
        assert_eq!(window_wait(&ages, 3, 100), None);
        assert_eq!(window_wait(&ages, 2, 100), Some(SECOND - ms(300)));
        // Three in a budget of two: two must leave, the second oldest decides.
        let ages = [Some(ms(300)), Some(ms(100)), Some(ms(200))];
        assert_eq!(window_wait(&ages, 2, 100), Some(SECOND - ms(200)));
        assert_eq!(window_wait(&ages, 1, 100), Some(SECOND - ms(100)));
        // Answered a second ago: out of the window.
        assert_eq!(window_wait(&[Some(SECOND)], 1, 100), None);
    }

    #[test]
    fn a_request_under_way_holds_its_place_until_answered() {
        // Its answer is not foreseeable: look again shortly.
        assert_eq!(window_wait(&[None, None], 2, 100), Some(POLL));
        // An answered one can make the room the budget needs.
        assert_eq!(
            window_wait(&[None, Some(ms(10))], 2, 100),
            Some(SECOND - ms(10))
        );
        assert_eq!(window_wait(&[None, Some(ms(10))], 3, 100), None);
    }

    #[test]
    fn a_full_minute_waits_for_its_oldest_answer() {
        let ages = [Some(ms(10_000)), Some(ms(8_000))];
        assert_eq!(window_wait(&ages, 10, 2), Some(MINUTE - ms(10_000)));
    }

    #[test]
    fn requests_answered_a_minute_ago_are_forgotten() {
        let start = Instant::now();
        let sent = |id, answered| Sent {
            id,
            left: start,
            answered,
        };
        let mut all: VecDeque<Sent> = [
            sent(0, Some(start)),
            sent(1, None),
            sent(2, Some(start + ms(1_000))),
        ]
        .into();
        forget_aged_out(&mut all, start + MINUTE);
        assert_eq!(all, [sent(1, None), sent(2, Some(start + ms(1_000)))]);
        // Under way past STUCK: counted as answered then.
        forget_aged_out(&mut all, start + STUCK + MINUTE);
        assert!(all.is_empty());
    }

    #[test]
    fn a_request_counts_from_departure_until_a_window_after_its_answer() {
        let limiter = limiter(2, 100);
        let start = Instant::now();
        let first = limiter.try_acquire(start).ok().unwrap();
        let second = limiter.try_acquire(start + ms(10)).ok().unwrap();
        assert_eq!(limiter.try_acquire(start + ms(20)).err(), Some(POLL));
        // The first answer comes 400 ms after its departure: the server may
        // have counted it as late as that.
        limiter.answered(first.id, None, start + ms(400));
        std::mem::forget(first);
        assert_eq!(
            limiter.try_acquire(start + ms(500)).err(),
            Some(SECOND - ms(100))
        );
        assert!(limiter.try_acquire(start + ms(400) + SECOND).is_ok());
        assert_eq!(lock(&limiter.sent).len(), 3);
        drop(second);
        assert!(lock(&limiter.sent)[1].answered.is_some());
    }

    #[test]
    fn a_hold_stops_everyone_and_only_grows() {
        let limiter = limiter(100, 100);
        let start = Instant::now();
        limiter.hold_until(start + ms(500));
        limiter.hold_until(start + ms(100));
        assert_eq!(limiter.try_acquire(start).err(), Some(ms(500)));
        assert!(limiter.try_acquire(start + ms(500)).is_ok());
    }

    #[test]
    fn a_later_connection_can_only_lower_the_shared_budget() {
        let first = Limiter::for_store("test-limiter-lowered", 10, 600, &Logger::default());
        let second = Limiter::for_store("test-limiter-lowered", 20, 300, &Logger::default());
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(first.per_second.load(Ordering::SeqCst), 10);
        assert_eq!(first.per_minute.load(Ordering::SeqCst), 300);
        // Zero is no budget at all: it means one request at a time.
        Limiter::for_store("test-limiter-lowered", 0, 0, &Logger::default());
        assert_eq!(first.per_second.load(Ordering::SeqCst), 1);
    }
}

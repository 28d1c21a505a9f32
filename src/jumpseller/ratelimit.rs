//! One request budget per store, shared by every connection of the process
//! and, through a small file (`machine`), by the processes of this machine
//! and user: Jumpseller counts requests per store and IP, so two connections
//! or two processes that each kept their own budget would together overrun
//! it. When the file cannot be used the process keeps its own budget.

use crate::logging::Logger;
use machine::MachineBudget;
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
    /// The machine-wide budget of the store; None when its file could not
    /// be used (then this process counts only its own requests).
    machine: Mutex<Option<MachineBudget>>,
    /// Where a failure of the machine-wide budget is told.
    logger: Mutex<Logger>,
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
            hold_until: Mutex::new(None),
            machine: Mutex::new(None),
            logger: Mutex::new(Logger::default()),
        }
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
        let per_second = self.per_second.load(Ordering::Relaxed);
        let per_minute = self.per_minute.load(Ordering::Relaxed);
        let mut sent = lock(&self.sent);
        forget_older_than_a_minute(&mut sent, now);
        if let Some(wait) = window_wait(&sent, now, per_second, per_minute) {
            return Some(wait);
        }
        // This process has room; the machine's other processes may not
        // have left any. Their departures and holds are in the file.
        let mut machine = lock(&self.machine);
        if let Some(budget) = machine.as_mut() {
            match budget.try_take(machine::now_ms(), per_second, per_minute) {
                Ok(Some(wait)) => return Some(wait),
                Ok(None) => {}
                Err(why) => {
                    lock(&self.logger).log(1, &fallback_message(&why));
                    *machine = None;
                }
            }
        }
        sent.push_back(now);
        None
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
/// | 32.. | `CAPACITY` departures, wall-clock Unix ms, a ring |
///
/// A process takes its slot under the lock: read the file, check the hold
/// and both windows, append its departure. Only the last `CAPACITY`
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

        /// The departures of the last minute, oldest first.
        pub fn recent(&self, now: u64) -> Vec<u64> {
            let mut recent: Vec<u64> = (0..self.len)
                .map(|back| self.slots[(self.next + CAPACITY - 1 - back) % CAPACITY])
                .filter(|at| {
                    now.saturating_sub(*at) < MINUTE_MS
                        && at.saturating_sub(now) <= FUTURE_TOLERANCE_MS
                })
                .collect();
            recent.sort_unstable();
            recent
        }

        /// Records a departure at `now`; returns the slot written.
        pub fn push(&mut self, now: u64) -> usize {
            let slot = self.next;
            self.slots[slot] = now;
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

    /// How long until one more departure fits both windows, given the last
    /// minute's (oldest first); only windows whose budget the file can hold
    /// are counted (None when it fits now). The budget-th latest departure
    /// must have left the window.
    pub fn window_wait(
        recent: &[u64],
        now: u64,
        per_second: usize,
        per_minute: usize,
    ) -> Option<Duration> {
        [(per_second, SECOND_MS), (per_minute, MINUTE_MS)]
            .into_iter()
            .filter(|(budget, _)| *budget <= CAPACITY && recent.len() >= *budget)
            .map(|(budget, window)| {
                let age = now.saturating_sub(recent[recent.len() - budget]);
                window.saturating_sub(age)
            })
            .filter(|wait| *wait > 0)
            .max()
            .map(Duration::from_millis)
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
        /// hold stands; otherwise says how long to wait.
        pub fn try_take(
            &mut self,
            now: u64,
            per_second: usize,
            per_minute: usize,
        ) -> Result<Option<Duration>, String> {
            self.reopen_if_removed()?;
            let _lock = self.lock()?;
            let (mut state, fresh) = self.read()?;
            if let Some(wait) = state.held(now, alive) {
                return Ok(Some(wait));
            }
            if let Some(wait) = window_wait(&state.recent(now), now, per_second, per_minute) {
                return Ok(Some(wait));
            }
            let slot = state.push(now);
            if fresh {
                self.write_at(&state.bytes(), 0)
            } else {
                self.write_at(&state.header(), 0)?;
                self.write_at(&now.to_le_bytes(), (HEADER + slot * 8) as u64)
            }
            .map(|()| None)
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
            assert_eq!(first.try_take(now, 2, 100).unwrap(), None);
            assert_eq!(second.try_take(now + 10, 2, 100).unwrap(), None);
            assert_eq!(
                first.try_take(now + 20, 2, 100).unwrap(),
                Some(Duration::from_millis(SECOND_MS - 20))
            );
            assert_eq!(second.try_take(now + SECOND_MS, 2, 100).unwrap(), None);
            // Another store has its own file.
            let mut other = MachineBudget::open_in(&dir, "store|b").unwrap();
            assert_eq!(other.try_take(now + 20, 2, 100).unwrap(), None);
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
            let wait = second.try_take(now, 100, 1000).unwrap().unwrap();
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
            let recent = state.recent(1_000 + CAPACITY as u64 + 10);
            assert_eq!(recent.len(), CAPACITY);
            assert_eq!(recent[0], 1_010);
            let now = 2_000;
            // A budget the file can hold is counted ...
            assert!(window_wait(&recent, now, CAPACITY, 100_000).is_some());
            // ... a larger one is left to each process.
            assert_eq!(window_wait(&recent, now, CAPACITY + 1, 100_000), None);
            assert_eq!(window_wait(&recent, now, 10_000, 600_000), None);
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
            assert_eq!(budget.try_take(5_000, 1, 10).unwrap(), None);
            assert_eq!(fs::metadata(&budget.path).unwrap().len(), FILE_SIZE as u64);
            fs::remove_dir_all(&dir).unwrap();
        }

        #[test]
        fn departures_from_a_clock_that_went_back_are_forgotten() {
            let mut state = State::empty();
            state.push(100_000);
            assert!(state.recent(50_000).is_empty());
            assert_eq!(state.recent(99_000), [100_000]);
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

    fn limiter(per_second: usize, per_minute: usize) -> Limiter {
        Limiter::in_process(per_second, per_minute)
    }

    #[test]
    fn spaces_requests_per_second() {
        let limiter = Limiter::for_store("test-limiter", 5, 1000, &Logger::default());
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

//! Two processes syncing one replica take turns: an exclusive `flock` on
//! the `.lock` file beside it, held for the whole sync. The kernel drops it
//! when the process ends, however it ends (kill -9 included).

use crate::error::{Error, Kind, Result};
use crate::jumpseller::Interrupt;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Held while it lives.
pub struct SyncLock {
    _file: File,
}

pub fn lock_path(replica: &Path) -> PathBuf {
    let mut p = replica.as_os_str().to_owned();
    p.push(".lock");
    PathBuf::from(p)
}

/// Waits for the lock up to `wait`; `waiting` is called once if another
/// process holds it (so a person sees why nothing moves).
pub fn take(replica: &Path, wait: Duration, waiting: &mut dyn FnMut()) -> Result<SyncLock> {
    take_or_stop(replica, wait, &Interrupt::none(), waiting)
}

/// As `take`, and the wait ends with the statement's cancel or deadline
/// (SyncCache).
pub fn take_or_stop(
    replica: &Path,
    wait: Duration,
    interrupt: &Interrupt,
    waiting: &mut dyn FnMut(),
) -> Result<SyncLock> {
    let path = lock_path(replica);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(|e| {
            Error::new(
                Kind::Config,
                format!(
                    "The replica lock {} cannot be opened: {e}. Check CacheLocation.",
                    path.display()
                ),
            )
        })?;
    let until = Instant::now() + wait;
    let mut told = false;
    loop {
        // SAFETY: `file` is open and owned by this frame for the whole call;
        // flock reads only its descriptor number.
        let status = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if status == 0 {
            return Ok(SyncLock { _file: file });
        }
        interrupt.check().map_err(Error::from)?;
        if Instant::now() >= until {
            return Err(Error::new(
                Kind::Timeout,
                format!(
                    "Another sync of {} held its lock for {} s.",
                    replica.display(),
                    wait.as_secs()
                ),
            ));
        }
        if !told {
            waiting();
            told = true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

//! The `Logfile`/`Verbosity` log, rotated by size (`MaxLogFileSize`,
//! `MaxLogFileCount`). Callers pass text that is already free of secrets;
//! `redact` is the one helper for anything that might carry one.

use once_cell::sync::Lazy;
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::{SystemTime, UNIX_EPOCH};

/// When the log moves aside: past `max_size` bytes, `file.log` becomes
/// `file.log.1` (the older ones move up: `.1` to `.2`, ...), and only
/// `max_count` files are kept, the current one included (None: all).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rotation {
    pub max_size: Option<u64>,
    pub max_count: Option<u32>,
}

/// 1 queries, 2 requests, 3 headers/bodies (redacted), 4 transport, 5 everything.
#[derive(Clone, Default)]
pub struct Logger {
    inner: Option<Arc<Mutex<Sink>>>,
    level: u8,
}

/// One log file, shared by every connection of the process that names it:
/// rotation renames the file, which a second handle would not follow.
struct Sink {
    file: File,
    path: PathBuf,
    written: u64,
    rotation: Rotation,
}

static SINKS: Lazy<Mutex<HashMap<PathBuf, Weak<Mutex<Sink>>>>> = Lazy::new(Default::default);

impl Logger {
    pub fn open(path: Option<&str>, level: u8) -> std::io::Result<Logger> {
        Logger::open_rotating(path, level, Rotation::default())
    }

    /// A log that rotates as `rotation` says (the latest connection's
    /// settings apply to a file several connections share).
    pub fn open_rotating(
        path: Option<&str>,
        level: u8,
        rotation: Rotation,
    ) -> std::io::Result<Logger> {
        let Some(path) = path else {
            return Ok(Logger::default());
        };
        let path = PathBuf::from(path);
        let mut sinks = SINKS.lock().unwrap_or_else(|e| e.into_inner());
        sinks.retain(|_, sink| sink.strong_count() > 0);
        if let Some(sink) = sinks.get(&path).and_then(Weak::upgrade) {
            if let Ok(mut s) = sink.lock() {
                s.rotation = rotation;
            }
            return Ok(Logger {
                inner: Some(sink),
                level,
            });
        }
        let file = open_private(&path)?;
        let written = file.metadata().map(|m| m.len()).unwrap_or(0);
        let sink = Arc::new(Mutex::new(Sink {
            file,
            path: path.clone(),
            written,
            rotation,
        }));
        sinks.insert(path, Arc::downgrade(&sink));
        Ok(Logger {
            inner: Some(sink),
            level,
        })
    }

    pub fn enabled(&self, level: u8) -> bool {
        self.inner.is_some() && level <= self.level
    }

    pub fn log(&self, level: u8, msg: &str) {
        if !self.enabled(level) {
            return;
        }
        if let Some(shared) = &self.inner {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            let line = format!(
                "{}.{:03} [{level}] {msg}\n",
                now.as_secs(),
                now.subsec_millis()
            );
            // A poisoned log file is skipped: logging never fails a query.
            if let Ok(mut sink) = shared.lock() {
                sink.write(line.as_bytes());
            }
        }
    }
}

/// The log holds SQL text and, at Verbosity 5, customer data: a new file
/// is readable by its owner only. An existing file keeps its mode (never
/// widened; narrowing it is the owner's choice).
fn open_private(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

impl Sink {
    fn write(&mut self, line: &[u8]) {
        let len = line.len() as u64;
        if let Some(max) = self.rotation.max_size {
            // A line longer than the limit gets a file of its own.
            if self.written > 0 && self.written + len > max {
                // A failed rotation keeps writing where it was.
                let _ = self.rotate();
            }
        }
        if self.file.write_all(line).is_ok() {
            self.written += len;
        }
    }

    fn rotate(&mut self) -> std::io::Result<()> {
        let numbered = |n: u32| {
            let mut name = self.path.clone().into_os_string();
            name.push(format!(".{n}"));
            PathBuf::from(name)
        };
        // Files kept besides the current one.
        let kept = match self.rotation.max_count {
            Some(count) => count.saturating_sub(1),
            None => (1..).find(|n| !numbered(*n).exists()).unwrap_or(1),
        };
        if kept == 0 {
            std::fs::remove_file(&self.path)?;
        } else {
            for n in (1..kept).rev() {
                if numbered(n).exists() {
                    std::fs::rename(numbered(n), numbered(n + 1))?;
                }
            }
            std::fs::rename(&self.path, numbered(1))?;
        }
        self.file = open_private(&self.path)?;
        self.written = 0;
        Ok(())
    }
}

/// Removes credentials from text bound for a log: values of query
/// parameters that carry them (any letter case), and `user:password@` in URLs.
pub fn redact(text: &str) -> String {
    let mut out = text.to_string();
    for key in [
        "authtoken=",
        "auth_token=",
        "login=",
        "access_token=",
        "refresh_token=",
        "client_secret=",
        "code=",
        "token=",
        "password=",
    ] {
        let mut from = 0;
        while let Some(pos) = out.to_ascii_lowercase()[from..].find(key) {
            let start = from + pos + key.len();
            let end = out[start..]
                .find(['&', ' ', '"', '\n', ';'])
                .map(|offset| start + offset)
                .unwrap_or(out.len());
            out.replace_range(start..end, "***");
            from = start + 3;
        }
    }
    // scheme://user:secret@host
    let mut from = 0;
    while let Some(scheme_end) = out[from..].find("://") {
        let start = from + scheme_end + 3;
        let end_host = out[start..]
            .find(['/', ' ', '"', '\n'])
            .map(|offset| start + offset)
            .unwrap_or(out.len());
        if let Some(at) = out[start..end_host].rfind('@') {
            out.replace_range(start..start + at, "***");
        }
        from = start;
    }
    out
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    #[test]
    fn a_new_log_is_private_and_an_old_one_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("jodbc-log-mode-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let new = dir.join("new.log");
        let _ = std::fs::remove_file(&new);
        super::Logger::open(new.to_str(), 1).unwrap().log(1, "x");
        let mode = std::fs::metadata(&new).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let old = dir.join("old.log");
        std::fs::write(&old, "").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o640)).unwrap();
        super::Logger::open(old.to_str(), 1).unwrap().log(1, "x");
        let mode = std::fs::metadata(&old).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_log_rotates_by_size_and_keeps_count_files() {
        let dir = std::env::temp_dir().join(format!("jodbc-log-rotate-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("d.log");
        let rotation = super::Rotation {
            max_size: Some(200),
            max_count: Some(3),
        };
        let log = super::Logger::open_rotating(path.to_str(), 1, rotation).unwrap();
        // A second connection naming the file shares it.
        let other = super::Logger::open_rotating(path.to_str(), 1, rotation).unwrap();
        for i in 0..40 {
            let l = if i % 2 == 0 { &log } else { &other };
            l.log(1, &format!("line {i:02} {}", "x".repeat(30)));
        }
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["d.log", "d.log.1", "d.log.2"]);
        let text = |n: &str| std::fs::read_to_string(dir.join(n)).unwrap();
        for n in &names {
            assert!(std::fs::metadata(dir.join(n)).unwrap().len() <= 200, "{n}");
        }
        // Newest in d.log, the one before in .1, then .2; nothing lost between.
        assert!(text("d.log").contains("line 39"));
        let joined = format!("{}{}{}", text("d.log.2"), text("d.log.1"), text("d.log"));
        let numbers: Vec<u32> = joined
            .lines()
            .map(|l| l.split(' ').nth(3).unwrap().parse().unwrap())
            .collect();
        assert!(numbers.windows(2).all(|w| w[1] == w[0] + 1), "{numbers:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn without_a_count_every_rotated_file_is_kept() {
        let dir = std::env::temp_dir().join(format!("jodbc-log-keep-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("k.log");
        let rotation = super::Rotation {
            max_size: Some(150),
            max_count: None,
        };
        let log = super::Logger::open_rotating(path.to_str(), 1, rotation).unwrap();
        for i in 0..10 {
            log.log(1, &format!("line {i} {}", "y".repeat(40)));
        }
        // Two lines per file: five files, the oldest numbered highest.
        let oldest = std::fs::read_to_string(dir.join("k.log.4")).unwrap();
        assert!(
            oldest.contains("line 0 ") && oldest.contains("line 1 "),
            "{oldest}"
        );
        assert!(!dir.join("k.log.5").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn redacts() {
        assert_eq!(
            super::redact("/x?login=a&authtoken=b c"),
            "/x?login=***&authtoken=*** c"
        );
        assert_eq!(super::redact("/x?AuthToken=b"), "/x?AuthToken=***");
        assert_eq!(
            super::redact("https://me:pw@host/v1"),
            "https://***@host/v1"
        );
    }
}

//! The `Logfile`/`Verbosity` log. Callers pass text that is already free of
//! secrets; `redact` is the one helper for anything that might carry one.

use std::fs::OpenOptions;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

/// 1 queries, 2 requests, 3 headers/bodies (redacted), 4 transport, 5 everything.
#[derive(Clone, Default)]
pub struct Logger {
    inner: Option<Arc<Mutex<std::fs::File>>>,
    level: u8,
}

impl Logger {
    pub fn open(path: Option<&str>, level: u8) -> std::io::Result<Logger> {
        match path {
            None => Ok(Logger::default()),
            Some(path) => {
                let mut options = OpenOptions::new();
                options.create(true).append(true);
                // The log holds SQL text and, at Verbosity 5, customer data:
                // a new file is readable by its owner only. An existing
                // file keeps its mode (never widened; narrowing it is the
                // owner's choice).
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let file = options.open(path)?;
                Ok(Logger {
                    inner: Some(Arc::new(Mutex::new(file))),
                    level,
                })
            }
        }
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
            // A poisoned log file is skipped: logging never fails a query.
            if let Ok(mut file) = shared.lock() {
                let _ = writeln!(
                    file,
                    "{}.{:03} [{level}] {msg}",
                    now.as_secs(),
                    now.subsec_millis()
                );
            }
        }
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

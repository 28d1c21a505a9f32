//! The OAuth token store (`OAuthSettingsLocation`): a JSON file, or
//! `memory://NAME` shared within the process. A file is created with mode
//! 0600 (in a 0700 directory when the driver creates the directory) and
//! replaced atomically (temporary file, fsync, rename, fsync of the
//! directory); a lock (`flock` on a sibling `.lock` file, plus a mutex for
//! this process's threads) is held from reading to writing when tokens are
//! refreshed, so two processes refreshing at once cannot lose a rotated
//! refresh token; and a file that cannot be read as a token store is
//! reported, never overwritten.

use super::oauth::{now_secs, Tokens};
use crate::error::{Error, Kind, Result};
use once_cell::sync::Lazy;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub const MEMORY_PREFIX: &str = "memory://";

/// How long to wait for another process holding the store's lock.
const LOCK_WAIT: Duration = Duration::from_secs(120);
/// How often a held lock is tried again.
const LOCK_POLL: Duration = Duration::from_millis(20);

/// What a token store holds.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StoredTokens {
    pub version: u32,
    pub client_id: String,
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub expires_in: Option<u64>,
    #[serde(default)]
    pub created_at: Option<u64>,
    #[serde(default)]
    pub expires_at: Option<u64>,
    #[serde(default)]
    pub scope: Option<String>,
    /// Fingerprint of the connection-string token or code these descend from.
    #[serde(default)]
    pub origin: Option<String>,
    #[serde(default)]
    pub updated_at: Option<u64>,
}

impl std::fmt::Debug for StoredTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredTokens")
            .field("client_id", &self.client_id)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl StoredTokens {
    pub fn new(client_id: &str, origin: Option<String>, t: &Tokens) -> StoredTokens {
        StoredTokens {
            version: 1,
            client_id: client_id.to_string(),
            access_token: t.access_token.clone(),
            refresh_token: t.refresh_token.clone(),
            expires_in: t.expires_in,
            created_at: t.created_at,
            expires_at: t.expires_at,
            scope: t.scope.clone(),
            origin,
            updated_at: Some(now_secs()),
        }
    }

    pub fn tokens(&self) -> Tokens {
        Tokens {
            access_token: self.access_token.clone(),
            refresh_token: self.refresh_token.clone(),
            expires_in: self.expires_in,
            created_at: self.created_at,
            expires_at: self.expires_at,
            scope: self.scope.clone(),
        }
    }
}

/// FNV-1a, 64 bits: stable across builds and platforms (file names,
/// fingerprints).
pub fn stable_hash(text: &str) -> String {
    let mut hash: u64 = 0xcbf29ce484222325;
    for byte in text.bytes() {
        hash ^= byte as u64;
        hash = hash.wrapping_mul(0x100000001b3);
    }
    format!("{hash:016x}")
}

/// `$XDG_CONFIG_HOME/jumpseller-odbc/oauth/<hash of client id + URL>.json`
/// (XDG fallback `~/.config`).
pub fn default_location(client_id: &str, url: &str) -> Result<String> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|config_home| config_home.is_absolute())
        .or_else(|| std::env::var_os("HOME").filter(|home| !home.is_empty()).map(|home| PathBuf::from(home).join(".config")))
        .ok_or_else(|| {
            Error::new(Kind::Config, "No place for the OAuth token store: neither XDG_CONFIG_HOME nor HOME is set. Set OAuthSettingsLocation to a file path.")
        })?;
    let name = stable_hash(&format!("{client_id}\n{url}"));
    Ok(base
        .join("jumpseller-odbc")
        .join("oauth")
        .join(format!("{name}.json"))
        .to_string_lossy()
        .into_owned())
}

struct Shared {
    lock: Mutex<()>,
    memory: Mutex<Option<StoredTokens>>,
}

static STORES: Lazy<Mutex<HashMap<String, Arc<Shared>>>> = Lazy::new(|| Mutex::new(HashMap::new()));

/// The guarded values are plain data: a poisoned lock still holds valid ones.
fn plock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[derive(Clone)]
enum Place {
    File(PathBuf),
    Memory(String),
}

#[derive(Clone)]
pub struct TokenStore {
    place: Place,
    shared: Arc<Shared>,
}

/// Held from reading to writing: the in-process mutex and, for a file, the
/// `flock` on its `.lock` sibling.
pub struct StoreGuard<'a> {
    _local: MutexGuard<'a, ()>,
    _file: Option<File>,
}

impl TokenStore {
    pub fn open(location: &str) -> Result<TokenStore> {
        let location = location.trim();
        let (place, key) = if let Some(name) = location.strip_prefix(MEMORY_PREFIX) {
            (Place::Memory(name.to_string()), location.to_string())
        } else {
            if location.is_empty() {
                return Err(Error::new(
                    Kind::Config,
                    "OAuthSettingsLocation is empty: give a file path or memory://NAME.",
                ));
            }
            // Absolute, so two spellings of one file share one in-process lock.
            let path = PathBuf::from(location);
            let path = if path.is_absolute() {
                path
            } else {
                std::env::current_dir()
                    .map(|cwd| cwd.join(&path))
                    .unwrap_or(path)
            };
            let key = path.to_string_lossy().into_owned();
            (Place::File(path), key)
        };
        let shared = plock(&STORES)
            .entry(key)
            .or_insert_with(|| {
                Arc::new(Shared {
                    lock: Mutex::new(()),
                    memory: Mutex::new(None),
                })
            })
            .clone();
        Ok(TokenStore { place, shared })
    }

    /// The path (or memory:// name), for messages.
    pub fn describe(&self) -> String {
        match &self.place {
            Place::File(path) => path.display().to_string(),
            Place::Memory(name) => format!("{MEMORY_PREFIX}{name}"),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        match &self.place {
            Place::File(path) => Some(path),
            Place::Memory(_) => None,
        }
    }

    /// The lock is a sibling file, not the store itself: the store is
    /// replaced by rename, which would drop a lock held on the old inode.
    fn lock_path(path: &Path) -> PathBuf {
        let mut lock_path = path.as_os_str().to_owned();
        lock_path.push(".lock");
        PathBuf::from(lock_path)
    }

    fn ensure_dir(&self, path: &Path) -> Result<()> {
        let dir = path.parent().unwrap_or(Path::new("."));
        if dir.as_os_str().is_empty() || dir.is_dir() {
            return Ok(());
        }
        fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(|error| {
            Error::new(Kind::Config, format!("The OAuth token store directory {} cannot be created: {error}. Check OAuthSettingsLocation.", dir.display()))
        })
    }

    /// Takes the store's lock (waits for another process holding it).
    pub fn lock(&self) -> Result<StoreGuard<'_>> {
        let local = plock(&self.shared.lock);
        let file = match &self.place {
            Place::Memory(_) => None,
            Place::File(path) => {
                self.ensure_dir(path)?;
                Some(lock_file(path)?)
            }
        };
        Ok(StoreGuard {
            _local: local,
            _file: file,
        })
    }

    fn corrupt(&self, what: &str) -> Error {
        Error::new(
            Kind::Config,
            format!(
                "The OAuth token store {} is corrupt ({what}); the driver leaves it as it is. Move or delete the file, then get new tokens: connect with InitiateOAuth=GETANDREFRESH, or run `jumpseller-odbc auth`.",
                self.describe()
            ),
        )
    }

    /// The stored tokens, None when the store is empty or does not exist.
    pub fn load(&self) -> Result<Option<StoredTokens>> {
        let path = match &self.place {
            Place::Memory(_) => return Ok(plock(&self.shared.memory).clone()),
            Place::File(path) => path,
        };
        let bytes = match fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == ErrorKind::NotFound => return Ok(None),
            Err(error) => {
                return Err(Error::new(Kind::Config, format!("The OAuth token store {} cannot be read: {error}. Check OAuthSettingsLocation and the file's permissions.", path.display())))
            }
        };
        if bytes.iter().all(|byte| byte.is_ascii_whitespace()) {
            return Err(self.corrupt("the file is empty"));
        }
        // serde's messages may quote values (secrets): report the place only.
        let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|error| {
            self.corrupt(&format!(
                "not valid JSON at line {}, column {}",
                error.line(),
                error.column()
            ))
        })?;
        if !json.is_object() {
            return Err(self.corrupt("the file is not a JSON object"));
        }
        let stored: StoredTokens = serde_json::from_value(json).map_err(|_| self.corrupt("a field is missing or has the wrong type; expected version, client_id, access_token, refresh_token, expires_at"))?;
        // A refresh token alone is a valid store (the access token is got
        // by refreshing); a record with neither token is of no use to anyone.
        if stored.access_token.is_empty()
            && stored.refresh_token.as_deref().unwrap_or("").is_empty()
        {
            return Err(self.corrupt("it holds neither an access token nor a refresh token"));
        }
        Ok(Some(stored))
    }

    /// Replaces the stored tokens atomically: a reader (or a crash) sees
    /// the old file or the new one, never half of one.
    pub fn save(&self, record: &StoredTokens) -> Result<()> {
        let path = match &self.place {
            Place::Memory(_) => {
                *plock(&self.shared.memory) = Some(record.clone());
                return Ok(());
            }
            Place::File(path) => path,
        };
        self.ensure_dir(path)?;
        let fail = |error: std::io::Error| {
            Error::new(
                Kind::Config,
                format!(
                    "The OAuth token store {} cannot be written: {error}. Check OAuthSettingsLocation.",
                    path.display()
                ),
            )
        };
        let text = serde_json::to_string_pretty(record)
            .map_err(|error| fail(std::io::Error::other(error.to_string())))?;
        replace_file(path, text.as_bytes()).map_err(fail)
    }
}

/// Opens the `.lock` sibling of `path` and takes its `flock`, waiting up to
/// LOCK_WAIT for another process; the lock lasts as long as the File.
fn lock_file(path: &Path) -> Result<File> {
    let lock_path = TokenStore::lock_path(path);
    let file = OpenOptions::new().read(true).write(true).create(true).truncate(false).mode(0o600).open(&lock_path).map_err(|error| {
        Error::new(Kind::Config, format!("The OAuth token store lock {} cannot be opened: {error}. Check OAuthSettingsLocation.", lock_path.display()))
    })?;
    let until = Instant::now() + LOCK_WAIT;
    loop {
        // SAFETY: `file` is an open File owned by this frame and alive for
        // the whole call, so its descriptor is valid; flock reads only that
        // integer and touches no memory of ours. The lock ends when `file`
        // is closed (StoreGuard drops it).
        let status = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if status == 0 {
            return Ok(file);
        }
        if Instant::now() >= until {
            return Err(Error::new(
                Kind::Timeout,
                format!(
                    "The OAuth token store {} stayed locked by another process for {} s.",
                    path.display(),
                    LOCK_WAIT.as_secs()
                ),
            ));
        }
        std::thread::sleep(LOCK_POLL);
    }
}

/// Writes `contents` to a fresh 0600 file beside `path`, fsyncs it, renames
/// it over `path` and fsyncs the directory, so the rename itself survives
/// a crash. The temporary file is removed when any step fails.
fn replace_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tokens".into());
    // Unique per process and attempt: two writers never share a temp file.
    let temporary = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        &super::oauth::random_state()[..8]
    ));
    let write = || -> std::io::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temporary)?;
        // open()'s mode passes through the umask: set exactly the mode promised.
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
        file.write_all(contents)?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temporary, path)?;
        if let Ok(dir_handle) = File::open(&dir) {
            let _ = dir_handle.sync_all();
        }
        Ok(())
    };
    write().inspect_err(|_| {
        let _ = fs::remove_file(&temporary);
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jumpseller::test_support::TempDir;

    fn tokens(a: &str) -> Tokens {
        Tokens {
            access_token: a.into(),
            refresh_token: Some("r".into()),
            expires_in: Some(3600),
            created_at: Some(1),
            expires_at: Some(3601),
            scope: None,
        }
    }

    #[test]
    fn file_round_trip_modes_and_corruption() {
        let dir = TempDir::new("token-store");
        let p = dir.path().join("sub").join("t.json");
        let s = TokenStore::open(p.to_str().unwrap()).unwrap();
        assert!(s.load().unwrap().is_none());
        {
            let _g = s.lock().unwrap();
            s.save(&StoredTokens::new("c", None, &tokens("a1")))
                .unwrap();
        }
        assert_eq!(s.load().unwrap().unwrap().access_token, "a1");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            fs::metadata(p.parent().unwrap())
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o700
        );
        fs::write(&p, "{\"access_token\": \"secret-value\", ").unwrap();
        let e = s.load().unwrap_err();
        assert!(
            e.message.contains(p.to_str().unwrap())
                && e.message.contains("corrupt")
                && !e.message.contains("secret-value"),
            "{}",
            e.message
        );
    }

    #[test]
    fn memory_stores_are_shared_by_name() {
        let a = TokenStore::open("memory://unit-shared").unwrap();
        let b = TokenStore::open("memory://unit-shared").unwrap();
        a.save(&StoredTokens::new("c", None, &tokens("m1")))
            .unwrap();
        assert_eq!(b.load().unwrap().unwrap().access_token, "m1");
        assert!(TokenStore::open("memory://unit-other")
            .unwrap()
            .load()
            .unwrap()
            .is_none());
    }

    #[test]
    fn default_location_is_stable() {
        let a = default_location("cid", "https://api.jumpseller.com/v1").unwrap();
        assert_eq!(
            a,
            default_location("cid", "https://api.jumpseller.com/v1").unwrap()
        );
        assert_ne!(
            a,
            default_location("cid2", "https://api.jumpseller.com/v1").unwrap()
        );
        assert!(a.contains("jumpseller-odbc/oauth/") && a.ends_with(".json"));
    }
}

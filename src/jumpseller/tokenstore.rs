//! The OAuth token store (`OAuthSettingsLocation`): a JSON file, or
//! `memory://NAME` shared within the process.
//!
//! A file is created with mode 0600 (in a 0700 directory when the driver
//! creates the directory) and replaced atomically: a temporary file in the
//! same directory, fsync, rename, fsync of the directory. A lock (`flock` on
//! a sibling `.lock` file, plus a mutex for the threads of this process) is
//! held from reading to writing when tokens are refreshed, so two processes
//! refreshing at once cannot lose a rotated refresh token. A file that
//! cannot be read as a token store is reported, never overwritten.

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
    let mut h: u64 = 0xcbf29ce484222325;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

/// `$XDG_CONFIG_HOME/jumpseller-odbc/oauth/<hash of client id + URL>.json`
/// (XDG fallback `~/.config`).
pub fn default_location(client_id: &str, url: &str) -> Result<String> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".config")))
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

fn plock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
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
            let p = PathBuf::from(location);
            let p = if p.is_absolute() {
                p
            } else {
                std::env::current_dir().map(|d| d.join(&p)).unwrap_or(p)
            };
            let key = p.to_string_lossy().into_owned();
            (Place::File(p), key)
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
            Place::File(p) => p.display().to_string(),
            Place::Memory(n) => format!("{MEMORY_PREFIX}{n}"),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        match &self.place {
            Place::File(p) => Some(p),
            Place::Memory(_) => None,
        }
    }

    fn lock_path(p: &Path) -> PathBuf {
        let mut s = p.as_os_str().to_owned();
        s.push(".lock");
        PathBuf::from(s)
    }

    fn ensure_dir(&self, p: &Path) -> Result<()> {
        let dir = p.parent().unwrap_or(Path::new("."));
        if dir.as_os_str().is_empty() || dir.is_dir() {
            return Ok(());
        }
        fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(|e| {
            Error::new(Kind::Config, format!("The OAuth token store directory {} cannot be created: {e}. Check OAuthSettingsLocation.", dir.display()))
        })
    }

    /// Takes the store's lock (waits for another process holding it).
    pub fn lock(&self) -> Result<StoreGuard<'_>> {
        let local = plock(&self.shared.lock);
        let file = match &self.place {
            Place::Memory(_) => None,
            Place::File(p) => {
                self.ensure_dir(p)?;
                let lp = Self::lock_path(p);
                let f = OpenOptions::new().read(true).write(true).create(true).truncate(false).mode(0o600).open(&lp).map_err(|e| {
                    Error::new(Kind::Config, format!("The OAuth token store lock {} cannot be opened: {e}. Check OAuthSettingsLocation.", lp.display()))
                })?;
                let until = Instant::now() + LOCK_WAIT;
                loop {
                    // SAFETY: `f` is an open File owned by this frame and alive
                    // for the whole call, so its descriptor is valid; flock reads
                    // only that integer and touches no memory of ours. The lock
                    // ends when `f` is closed (StoreGuard drops it).
                    let r = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
                    if r == 0 {
                        break;
                    }
                    if Instant::now() >= until {
                        return Err(Error::new(
                            Kind::Timeout,
                            format!("The OAuth token store {} stayed locked by another process for {} s.", p.display(), LOCK_WAIT.as_secs()),
                        ));
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                Some(f)
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
        let p = match &self.place {
            Place::Memory(_) => return Ok(plock(&self.shared.memory).clone()),
            Place::File(p) => p,
        };
        let bytes = match fs::read(p) {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Error::new(Kind::Config, format!("The OAuth token store {} cannot be read: {e}. Check OAuthSettingsLocation and the file's permissions.", p.display())))
            }
        };
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(self.corrupt("the file is empty"));
        }
        // serde's messages may quote values (secrets): report the place only.
        let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            self.corrupt(&format!(
                "not valid JSON at line {}, column {}",
                e.line(),
                e.column()
            ))
        })?;
        if !v.is_object() {
            return Err(self.corrupt("the file is not a JSON object"));
        }
        let s: StoredTokens = serde_json::from_value(v).map_err(|_| self.corrupt("a field is missing or has the wrong type; expected version, client_id, access_token, refresh_token, expires_at"))?;
        if s.access_token.is_empty() {
            return Err(self.corrupt("access_token is empty"));
        }
        Ok(Some(s))
    }

    /// Replaces the stored tokens atomically.
    pub fn save(&self, t: &StoredTokens) -> Result<()> {
        let p = match &self.place {
            Place::Memory(_) => {
                *plock(&self.shared.memory) = Some(t.clone());
                return Ok(());
            }
            Place::File(p) => p,
        };
        self.ensure_dir(p)?;
        let dir = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let fail = |e: std::io::Error| {
            Error::new(
                Kind::Config,
                format!(
                    "The OAuth token store {} cannot be written: {e}. Check OAuthSettingsLocation.",
                    p.display()
                ),
            )
        };
        let text = serde_json::to_string_pretty(t)
            .map_err(|e| fail(std::io::Error::other(e.to_string())))?;
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "tokens".into());
        let tmp = dir.join(format!(
            ".{name}.{}.{}.tmp",
            std::process::id(),
            &super::oauth::random_state()[..8]
        ));
        let write = || -> std::io::Result<()> {
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)?;
            f.set_permissions(fs::Permissions::from_mode(0o600))?;
            f.write_all(text.as_bytes())?;
            f.write_all(b"\n")?;
            f.sync_all()?;
            drop(f);
            fs::rename(&tmp, p)?;
            if let Ok(d) = File::open(&dir) {
                let _ = d.sync_all();
            }
            Ok(())
        };
        write().map_err(|e| {
            let _ = fs::remove_file(&tmp);
            fail(e)
        })
    }
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

//! Helpers for this layer's unit tests: a temporary folder that removes
//! itself when dropped, so a failing assertion leaves nothing behind.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// A fresh folder under the system's temp dir, removed with all its
/// contents on drop (also when the test panics).
pub struct TempDir(PathBuf);

impl TempDir {
    /// `label` names the test in the folder's name, for whoever finds one
    /// left by a killed run.
    pub fn new(label: &str) -> TempDir {
        // Tests run in parallel threads of one process: the pid alone is
        // not unique, so a counter tells the folders apart.
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let serial = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "jumpseller-odbc-{label}-{}-{serial}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("a temporary folder");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

//! Reading a DSN's keys. Under a driver manager, `SQLGetPrivateProfileString`
//! from the installer library (already loaded by the DM) knows every place a
//! DSN can live (user, system, ODBCINI/ODBCSYSINI). When the library is linked
//! directly we read the same files ourselves.

use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_int};

type GetPrivateProfileString = unsafe extern "C" fn(
    *const c_char,
    *const c_char,
    *const c_char,
    *mut c_char,
    c_int,
    *const c_char,
) -> c_int;

/// The DSN's key/value pairs, or nothing when the DSN is unknown.
pub fn dsn_pairs(dsn: &str) -> Vec<(String, String)> {
    if let Some(pairs) = via_installer(dsn) {
        if !pairs.is_empty() {
            return pairs;
        }
    }
    for path in ini_paths() {
        if let Ok(text) = std::fs::read_to_string(&path) {
            let pairs = section_pairs(&text, dsn);
            if !pairs.is_empty() {
                return pairs;
            }
        }
    }
    Vec::new()
}

fn via_installer(dsn: &str) -> Option<Vec<(String, String)>> {
    let name = CString::new("SQLGetPrivateProfileString").ok()?;
    // SAFETY: `name` is a valid NUL-terminated string that outlives the
    // call; dlsym with RTLD_DEFAULT only looks the symbol up in the objects
    // already loaded and returns NULL when there is none.
    let sym = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) };
    if sym.is_null() {
        return None;
    }
    // SAFETY: `sym` is non-null, and the one symbol of this name (unixODBC's
    // and iODBC's odbcinst, Windows' odbccp32) has exactly the C signature
    // of `GetPrivateProfileString`; a function pointer and a data pointer
    // have the same size on every platform we build for.
    let get_profile_string: GetPrivateProfileString = unsafe { std::mem::transmute(sym) };
    let section = CString::new(dsn).ok()?;
    let empty = CString::new("").ok()?;
    let file = CString::new("odbc.ini").ok()?;
    let mut buf = vec![0u8; 8192];
    // A null key asks for the list of keys, NUL separated.
    // SAFETY: section, default and file name are valid NUL-terminated
    // strings that outlive the call, a null key is allowed (it asks for the
    // key list), and `buf` is writable for the `buf.len()` bytes passed.
    let written = unsafe {
        get_profile_string(
            section.as_ptr(),
            std::ptr::null(),
            empty.as_ptr(),
            buf.as_mut_ptr() as *mut c_char,
            buf.len() as c_int,
            file.as_ptr(),
        )
    };
    if written <= 0 {
        return Some(Vec::new());
    }
    let keys: Vec<String> = buf[..written as usize]
        .split(|b| *b == 0)
        .filter(|k| !k.is_empty())
        .map(|k| String::from_utf8_lossy(k).into_owned())
        .collect();
    let mut out = Vec::new();
    for key in keys {
        let ckey = CString::new(key.clone()).ok()?;
        let mut value_buf = vec![0u8; 4096];
        // SAFETY: as above, with `ckey` a valid NUL-terminated key and `value_buf`
        // writable for the `value_buf.len()` bytes passed.
        let written = unsafe {
            get_profile_string(
                section.as_ptr(),
                ckey.as_ptr(),
                empty.as_ptr(),
                value_buf.as_mut_ptr() as *mut c_char,
                value_buf.len() as c_int,
                file.as_ptr(),
            )
        };
        if written >= 0 {
            // SAFETY: on success the function leaves a NUL-terminated string
            // inside `value_buf` (it truncates to `value_buf.len() - 1` bytes and adds the
            // NUL), and `value_buf` lives until the copy below is made.
            let value = unsafe { CStr::from_ptr(value_buf.as_ptr() as *const c_char) }
                .to_string_lossy()
                .into_owned();
            out.push((key, value));
        }
    }
    Some(out)
}

fn ini_paths() -> Vec<std::path::PathBuf> {
    let mut v = Vec::new();
    if let Ok(p) = std::env::var("ODBCINI") {
        v.push(p.into());
    }
    if let Ok(home) = std::env::var("HOME") {
        v.push(std::path::Path::new(&home).join(".odbc.ini"));
    }
    if let Ok(d) = std::env::var("ODBCSYSINI") {
        v.push(std::path::Path::new(&d).join("odbc.ini"));
    }
    v.push("/etc/odbc.ini".into());
    v
}

/// The pairs of one `[section]` of an ini text (section name case-insensitive).
pub fn section_pairs(text: &str, section: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = name.trim().eq_ignore_ascii_case(section);
            continue;
        }
        if inside {
            if let Some((k, v)) = line.split_once('=') {
                out.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_one_section() {
        let t = "[a]\nX=1\n[B]\n; c\nLogin = me \n";
        assert_eq!(
            super::section_pairs(t, "b"),
            vec![("Login".to_string(), "me".to_string())]
        );
    }
}

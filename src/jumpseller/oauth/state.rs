//! Unguessable random text from the kernel: the OAuth `state` that ties a
//! redirect to the request the driver made, and unique temporary file names.

use std::io::Read;

/// 32 hex digits from the kernel's random source.
pub fn random_state() -> String {
    let mut buf = [0u8; 16];
    let mut filled = 0;
    while filled < buf.len() {
        // SAFETY: writes at most the remaining length into our buffer.
        let n = unsafe {
            libc::getrandom(
                buf[filled..].as_mut_ptr() as *mut libc::c_void,
                buf.len() - filled,
                0,
            )
        };
        if n <= 0 {
            break;
        }
        filled += n as usize;
    }
    if filled < buf.len() {
        if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
            let _ = f.read_exact(&mut buf);
        }
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_random() {
        let a = random_state();
        assert_eq!(a.len(), 32);
        assert_ne!(a, random_state());
    }
}

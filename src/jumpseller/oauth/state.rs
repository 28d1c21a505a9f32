//! Unguessable random text from the kernel: the OAuth `state` that ties a
//! redirect to the request the driver made, and unique temporary file names.

use std::io::Read;

/// 32 hex digits from the kernel's random source.
pub fn random_state() -> String {
    let mut bytes = [0u8; 16];
    let mut filled = 0;
    while filled < bytes.len() {
        let rest = &mut bytes[filled..];
        // SAFETY: `rest` is a live, writable slice we borrow exclusively for
        // the call, and getrandom writes at most `rest.len()` bytes into it
        // and keeps no pointer after returning.
        let written = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if written <= 0 {
            break;
        }
        filled += written as usize;
    }
    // Kernels without getrandom(2): the same source through the device.
    if filled < bytes.len() {
        if let Ok(mut device) = std::fs::File::open("/dev/urandom") {
            let _ = device.read_exact(&mut bytes);
        }
    }
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
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

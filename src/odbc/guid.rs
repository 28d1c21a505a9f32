//! SQL_C_GUID (SQLGUID: Data1 u32, Data2 u16, Data3 u16, Data4 [u8; 8],
//! in the machine's byte order) to and from the text form
//! `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (braces allowed on input). Text
//! that is not a GUID is 22018.

use crate::error::{Error, Kind, Result};

pub const STRUCT_SIZE: usize = 16;

fn not_a_guid(text: &str) -> Error {
    let shown: String = text.chars().take(40).collect();
    Error::new(
        Kind::Data,
        format!("'{shown}' is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) (invalid character value for cast specification)."),
    )
}

/// A GUID's text as an SQLGUID.
pub fn to_struct(text: &str) -> Result<Vec<u8>> {
    let t = text.trim();
    let t = t
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or(t);
    let groups: Vec<&str> = t.split('-').collect();
    let widths = [8, 4, 4, 4, 12];
    let well_formed = groups.len() == 5
        && groups
            .iter()
            .zip(widths)
            .all(|(g, w)| g.len() == w && g.bytes().all(|b| b.is_ascii_hexdigit()));
    if !well_formed {
        return Err(not_a_guid(text));
    }
    let hex = |s: &str| u64::from_str_radix(s, 16).map_err(|_| not_a_guid(text));
    let mut b = Vec::with_capacity(STRUCT_SIZE);
    b.extend((hex(groups[0])? as u32).to_ne_bytes());
    b.extend((hex(groups[1])? as u16).to_ne_bytes());
    b.extend((hex(groups[2])? as u16).to_ne_bytes());
    // Data4: the last two groups, byte by byte as written.
    let tail = format!("{}{}", groups[3], groups[4]);
    for i in 0..8 {
        b.push(hex(&tail[2 * i..2 * i + 2])? as u8);
    }
    Ok(b)
}

/// An SQLGUID as its text.
pub fn from_struct(b: &[u8]) -> Result<String> {
    if b.len() < STRUCT_SIZE {
        return Err(Error::new(Kind::Data, "An SQLGUID is 16 bytes."));
    }
    let d1 = u32::from_ne_bytes([b[0], b[1], b[2], b[3]]);
    let d2 = u16::from_ne_bytes([b[4], b[5]]);
    let d3 = u16::from_ne_bytes([b[6], b[7]]);
    let d4: String = b[10..16].iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!(
        "{d1:08x}-{d2:04x}-{d3:04x}-{:02x}{:02x}-{d4}",
        b[8], b[9]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses() {
        let text = "6f9619ff-8b86-d011-b42d-00c04fc964ff";
        let b = to_struct(&format!("{{{}}}", text.to_uppercase())).unwrap();
        assert_eq!(u32::from_ne_bytes(b[0..4].try_into().unwrap()), 0x6f9619ff);
        assert_eq!(b[8..10], [0xb4, 0x2d]);
        assert_eq!(from_struct(&b).unwrap(), text);
        for bad in [
            "",
            "6f9619ff-8b86-d011-b42d",
            "6f9619ff8b86d011b42d00c04fc964ff",
            "zf9619ff-8b86-d011-b42d-00c04fc964ff",
        ] {
            assert_eq!(to_struct(bad).unwrap_err().kind, Kind::Data, "{bad}");
        }
    }
}

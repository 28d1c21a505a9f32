//! SQL_C_NUMERIC (SQL_NUMERIC_STRUCT: precision, scale, sign, a 16-byte
//! little-endian magnitude) both ways, at the precision and scale the ARD
//! or APD gives (SQL_DESC_PRECISION / SQL_DESC_SCALE). Exact or an error:
//! digits that do not fit the precision are 22003; fractional digits past
//! the scale are cut, which the caller reports as 01S07.

use crate::error::{Error, Kind, Result};

/// Bytes of an SQL_NUMERIC_STRUCT.
pub const STRUCT_SIZE: usize = 19;

/// SQL_DESC_PRECISION and SQL_DESC_SCALE of an SQL_C_NUMERIC record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumericSpec {
    pub precision: i16,
    pub scale: i16,
}

impl NumericSpec {
    /// What SQLBindCol, SQLBindParameter and SQLGetData give SQL_C_NUMERIC:
    /// this driver's precision (the 38 digits a 16-byte magnitude holds
    /// whole) and scale 0.
    pub const DEFAULT: NumericSpec = NumericSpec {
        precision: 38,
        scale: 0,
    };
}

fn not_a_number(text: &str) -> Error {
    let shown: String = text.chars().take(40).collect();
    Error::new(
        Kind::Data,
        format!(
            "'{shown}' is not a decimal number (invalid character value for cast specification)."
        ),
    )
}

fn too_many_digits(what: &str, spec: NumericSpec) -> Error {
    Error::new(
        Kind::OutOfRange,
        format!(
            "{what} does not fit SQL_C_NUMERIC with precision {} and scale {} (numeric value out of range).",
            spec.precision, spec.scale
        ),
    )
}

/// Decimal text as an SQL_NUMERIC_STRUCT, and whether nonzero fractional
/// digits were cut. The struct comes back by value: SQLGetData converts
/// every DECIMAL value pyodbc reads this way.
pub fn to_struct(text: &str, spec: NumericSpec) -> Result<([u8; STRUCT_SIZE], bool)> {
    let t = text.trim();
    let (negative, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    let is_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int_part.len() + frac_part.len() == 0 || !is_digits(int_part) || !is_digits(frac_part) {
        return Err(not_a_number(text));
    }
    let scale = spec.scale.max(0) as usize;
    let cut = frac_part.bytes().skip(scale).any(|c| c != b'0');
    // The digits kept: the integer part, then the fraction cut or padded
    // with zeros to the scale; counted and summed without building them
    // (leading zeros are not significant).
    let (mut significant, mut magnitude) = (0usize, Some(0u128));
    let mut keep = |d: u8| {
        if significant == 0 && d == b'0' {
            return;
        }
        significant += 1;
        magnitude = magnitude
            .and_then(|m| m.checked_mul(10))
            .and_then(|m| m.checked_add(u128::from(d - b'0')));
    };
    int_part.bytes().for_each(&mut keep);
    frac_part.bytes().take(scale).for_each(&mut keep);
    (frac_part.len()..scale).for_each(|_| keep(b'0'));
    if significant > spec.precision.max(0) as usize {
        return Err(too_many_digits(&format!("'{t}'"), spec));
    }
    let magnitude = magnitude.ok_or_else(|| too_many_digits(t, spec))?;
    let positive = !negative || magnitude == 0;
    let mut b = [0u8; STRUCT_SIZE];
    b[..3].copy_from_slice(&[spec.precision as u8, spec.scale as u8, positive as u8]);
    b[3..].copy_from_slice(&magnitude.to_le_bytes());
    Ok((b, cut))
}

/// An SQL_NUMERIC_STRUCT parameter as decimal text. The APD's scale is the
/// value's; a struct whose own scale disagrees is refused (HY021) rather
/// than read at a scale its writer did not mean.
pub fn from_struct(b: &[u8], spec: NumericSpec) -> Result<String> {
    if b.len() < STRUCT_SIZE {
        return Err(Error::new(Kind::Data, "An SQL_NUMERIC_STRUCT is 19 bytes."));
    }
    if b[1] as i8 as i16 != spec.scale {
        return Err(Error::odbc(
            "HY021",
            format!(
                "The SQL_NUMERIC_STRUCT's scale {} is not the APD's SQL_DESC_SCALE {}: set SQL_DESC_PRECISION and SQL_DESC_SCALE of the parameter's APD record (SQLSetDescField) to the struct's.",
                b[1] as i8, spec.scale
            ),
        ));
    }
    let sign = match b[2] {
        1 => "",
        0 => "-",
        other => {
            return Err(Error::new(
                Kind::Data,
                format!(
                    "An SQL_NUMERIC_STRUCT's sign is 1 (positive) or 0 (negative), not {other}."
                ),
            ))
        }
    };
    let magnitude = u128::from_le_bytes(b[3..STRUCT_SIZE].try_into().unwrap_or_default());
    let digits = magnitude.to_string();
    if magnitude != 0 && digits.len() > spec.precision.max(0) as usize {
        return Err(too_many_digits("The parameter's value", spec));
    }
    let scale = spec.scale.max(0) as usize;
    if scale == 0 {
        return Ok(format!("{sign}{digits}"));
    }
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    Ok(format!("{sign}{int}.{frac}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(precision: i16, scale: i16) -> NumericSpec {
        NumericSpec { precision, scale }
    }

    fn magnitude(b: &[u8]) -> u128 {
        u128::from_le_bytes(b[3..19].try_into().unwrap())
    }

    #[test]
    fn values_fit_or_fail() {
        let (b, cut) = to_struct("305.50", spec(10, 2)).unwrap();
        assert_eq!(
            (b[0], b[1], b[2], magnitude(&b), cut),
            (10, 2, 1, 30550, false)
        );
        let (b, cut) = to_struct("-12.345", spec(5, 2)).unwrap();
        assert_eq!((b[2], magnitude(&b), cut), (0, 1234, true));
        assert_eq!(
            to_struct("1234.5", spec(5, 2)).unwrap_err().kind,
            Kind::OutOfRange
        );
        assert_eq!(to_struct("1e5", spec(5, 0)).unwrap_err().kind, Kind::Data);
        let (b, _) = to_struct("-0.001", spec(5, 2)).unwrap();
        assert_eq!((b[2], magnitude(&b)), (1, 0));
    }

    #[test]
    fn leading_zeros_and_the_widest_magnitudes() {
        // Leading zeros are not significant digits; zeros inside are.
        let (b, _) = to_struct("000120.0500", spec(5, 2)).unwrap();
        assert_eq!(magnitude(&b), 12005);
        let (b, _) = to_struct("0.05", spec(1, 2)).unwrap();
        assert_eq!(magnitude(&b), 5);
        let (b, _) = to_struct("+0", spec(1, 0)).unwrap();
        assert_eq!((b[2], magnitude(&b)), (1, 0));
        // 38 nines fit a u128; 40 digits do not, whatever the precision.
        let nines = "9".repeat(38);
        let (b, _) = to_struct(&nines, spec(38, 0)).unwrap();
        assert_eq!(magnitude(&b), nines.parse::<u128>().unwrap());
        let e = to_struct(&"9".repeat(40), spec(60, 0)).unwrap_err();
        assert_eq!(e.kind, Kind::OutOfRange);
        assert_eq!(
            to_struct("12", spec(1, 0)).unwrap_err().kind,
            Kind::OutOfRange
        );
        assert_eq!(to_struct(".", spec(5, 0)).unwrap_err().kind, Kind::Data);
    }

    #[test]
    fn magnitudes_are_the_kept_digits() {
        // The reference: the kept digits built as text and parsed.
        for text in [
            "0",
            "7",
            "-0.5",
            "12.345",
            "000.000",
            "99999.99999",
            "+3.",
            ".25",
            "100",
        ] {
            for (precision, scale) in [(38, 0), (19, 4), (5, 2), (38, 10), (3, 0)] {
                let t = text.trim_start_matches(['+', '-']);
                let (i, f) = t.split_once('.').unwrap_or((t, ""));
                let mut kept = format!("{i}{}", &f[..f.len().min(scale)]);
                kept.extend(std::iter::repeat_n('0', scale.saturating_sub(f.len())));
                let kept = kept.trim_start_matches('0');
                let got = to_struct(text, spec(precision, scale as i16));
                if kept.len() > precision as usize {
                    assert_eq!(got.unwrap_err().kind, Kind::OutOfRange, "{text}");
                } else {
                    let (b, _) = got.unwrap();
                    let want = if kept.is_empty() {
                        0
                    } else {
                        kept.parse().unwrap()
                    };
                    assert_eq!(magnitude(&b), want, "{text} at ({precision}, {scale})");
                    assert_eq!((b[0], b[1]), (precision as u8, scale as u8));
                }
            }
        }
    }

    #[test]
    fn structs_read_back_at_the_apd_scale() {
        let (b, _) = to_struct("-7.05", spec(6, 3)).unwrap();
        assert_eq!(from_struct(&b, spec(6, 3)).unwrap(), "-7.050");
        assert!(from_struct(&b, spec(6, 0)).is_err());
        assert!(from_struct(&b, spec(3, 3)).is_err());
    }
}

//! Date and time columns compare as instants. They are stored in one
//! canonical text form (`YYYY-MM-DD HH:MM:SS[.f]`, UTC), but clients write
//! literals and bind parameters in many others: `{ts '… .000'}`, a `T`
//! separator, `Z` or an offset, a bare date. Comparing those as text drops
//! boundary rows or matches nothing, silently. The columns are declared with
//! this collation, so every comparison SQLite makes with them (=, <, BETWEEN,
//! IN, ORDER BY, GROUP BY, MIN/MAX) parses both sides first.

use crate::timefmt::parse_timestamp;
use std::cmp::Ordering;

/// The collation's name in column declarations.
pub const INSTANT: &str = "JS_INSTANT";

/// A total order: instants by time; texts that are no instant after every
/// instant, among themselves as text (so nothing is lost or equated wrongly).
pub fn compare_instants(a: &str, b: &str) -> Ordering {
    match (instant(a), instant(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// (seconds since the epoch, nanoseconds), or the time of day for a TIME value.
fn instant(text: &str) -> Option<(i64, u32)> {
    if let Some(t) = parse_timestamp(text) {
        return Some((t.unix_seconds(), t.nanos));
    }
    time_of_day(text.trim())
}

/// `HH:MM[:SS[.f]]`, as seconds into the day (TIME columns and `{t '…'}`).
fn time_of_day(t: &str) -> Option<(i64, u32)> {
    let mut parts = t.split(':');
    let hour: i64 = digits(parts.next()?)?;
    let minute: i64 = digits(parts.next()?)?;
    let (second, nanos) = match parts.next() {
        Some(s) => {
            let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
            let frac: String = frac.chars().take(9).collect();
            let nanos = if frac.is_empty() {
                0
            } else {
                digits(&frac)? as u32 * 10u32.pow(9 - frac.len() as u32)
            };
            (digits(whole)?, nanos)
        }
        None => (0, 0),
    };
    if parts.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some((hour * 3600 + minute * 60 + second, nanos))
}

fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn the_forms_of_one_instant_are_equal() {
        let stored = "2024-05-10 09:43:45";
        for literal in [
            "2024-05-10 09:43:45.000",
            "2024-05-10T09:43:45",
            "2024-05-10T09:43:45Z",
            "2024-05-10T09:43:45.000+00:00",
            "2024-05-10T06:43:45-03:00",
            "2024-05-10 09:43:45 UTC",
        ] {
            assert_eq!(compare_instants(stored, literal), Equal, "{literal}");
        }
    }

    #[test]
    fn instants_order_by_time_not_by_text() {
        // As text, ' ' < 'T' would put the later instant first.
        assert_eq!(
            compare_instants("2022-01-04 23:11:38", "2022-01-04T17:33:27-03:00"),
            Greater
        );
        assert_eq!(compare_instants("2024-05-10", "2024-05-10 00:00:00"), Equal);
        assert_eq!(compare_instants("2024-05-10", "2024-05-10 00:00:01"), Less);
        assert_eq!(
            compare_instants("2024-05-10 09:43:45.5", "2024-05-10 09:43:45"),
            Greater
        );
    }

    #[test]
    fn times_of_day_compare_as_times() {
        assert_eq!(compare_instants("09:43:45", "09:43:45.000"), Equal);
        assert_eq!(compare_instants("9:05", "09:05:00"), Equal);
        assert_eq!(compare_instants("10:00:00", "9:59:59"), Greater);
    }

    #[test]
    fn other_text_sorts_after_instants_and_among_itself_as_text() {
        assert_eq!(compare_instants("2024-05-10", "not a date"), Less);
        assert_eq!(compare_instants("b", "a"), Greater);
        assert_eq!(compare_instants("", ""), Equal);
    }
}

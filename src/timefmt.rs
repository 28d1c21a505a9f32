//! Timestamps as the API writes them (`2026-07-23 17:48:38 UTC`, or ISO 8601
//! with an offset) normalised to UTC, and back to the text SQLite sees
//! (`2026-07-23 17:48:38`, which sorts and compares correctly as text).

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub nanos: u32,
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

impl Timestamp {
    pub fn unix_seconds(&self) -> i64 {
        days_from_civil(self.year as i64, self.month, self.day) * 86_400
            + self.hour as i64 * 3600
            + self.minute as i64 * 60
            + self.second as i64
    }

    pub fn from_unix(secs: i64, nanos: u32) -> Timestamp {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Timestamp {
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            minute: (rem % 3600 / 60) as u32,
            second: (rem % 60) as u32,
            nanos,
        }
    }

    /// `YYYY-MM-DD HH:MM:SS[.fff]`: written digit by digit, as a scan
    /// writes one for every timestamp it reads (`format!` was most of it).
    pub fn to_sql_text(&self) -> String {
        let fields = [self.month, self.day, self.hour, self.minute, self.second];
        if !(0..=9999).contains(&self.year) || fields.iter().any(|&f| f > 99) {
            return self.formatted();
        }
        let mut text = *b"0000-00-00 00:00:00.000000000";
        let year = self.year as u32;
        for (k, place) in [1000, 100, 10, 1].into_iter().zip(0..) {
            text[place] = b'0' + (year / k % 10) as u8;
        }
        for (value, place) in fields.into_iter().zip([5, 8, 11, 14, 17]) {
            text[place] = b'0' + (value / 10) as u8;
            text[place + 1] = b'0' + (value % 10) as u8;
        }
        let mut len = 19;
        if self.nanos != 0 && self.nanos < 1_000_000_000 {
            let mut n = self.nanos;
            for place in (20..29).rev() {
                text[place] = b'0' + (n % 10) as u8;
                n /= 10;
            }
            len = 29;
            while text[len - 1] == b'0' {
                len -= 1;
            }
        } else if self.nanos != 0 {
            return self.formatted();
        }
        // Only ASCII digits and separators were written.
        String::from_utf8_lossy(&text[..len]).into_owned()
    }

    /// `to_sql_text` by `format!`, for any year.
    fn formatted(&self) -> String {
        let mut s = format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
        if self.nanos != 0 {
            let frac = format!("{:09}", self.nanos);
            s.push('.');
            s.push_str(frac.trim_end_matches('0'));
        }
        s
    }
}

/// Days of `month` (1..=12) in `year` of the proleptic Gregorian calendar.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.f]]` with an optional `UTC`,
/// `Z` or `±HH:MM` zone, and `T` as separator. The result is in UTC.
pub fn parse_timestamp(text: &str) -> Option<Timestamp> {
    let t = text.trim();
    if t.len() < 10 {
        return None;
    }
    // `get` rather than `split_at`: byte 10 may fall inside a character.
    let (date, rest) = (t.get(..10)?, t.get(10..)?);
    let mut dp = date.split('-');
    let year = num(dp.next()?)? as i32;
    let month = num(dp.next()?)?;
    let day = num(dp.next()?)?;
    if !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
        return None;
    }
    let rest = rest.trim_start_matches(['T', ' ']);
    let mut ts = Timestamp {
        year,
        month,
        day,
        hour: 0,
        minute: 0,
        second: 0,
        nanos: 0,
    };
    if rest.is_empty() {
        return Some(ts);
    }
    // Split the zone off the time.
    let (time, zone) = if let Some(z) = rest.strip_suffix("UTC") {
        (z.trim(), "")
    } else if let Some(z) = rest.strip_suffix('Z') {
        (z.trim(), "")
    } else if let Some(i) = rest.rfind(['+', '-']) {
        (rest[..i].trim(), &rest[i..])
    } else {
        (rest.trim(), "")
    };
    let mut tp = time.split(':');
    ts.hour = num(tp.next()?)?;
    ts.minute = num(tp.next()?)?;
    if let Some(sec) = tp.next() {
        let (s, frac) = sec.split_once('.').unwrap_or((sec, ""));
        ts.second = num(s)?;
        if !frac.is_empty() {
            let digits: String = frac.chars().take(9).collect();
            ts.nanos = num(&digits)? * 10u32.pow(9 - digits.len() as u32);
        }
    }
    if ts.hour > 23 || ts.minute > 59 || ts.second > 60 {
        return None;
    }
    if !zone.is_empty() {
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let z = &zone[1..];
        let (h, m) = z.split_once(':').unwrap_or((
            &z[..z.len().min(2)],
            if z.len() > 2 { &z[2..] } else { "0" },
        ));
        let offset = sign * (num(h)? as i64 * 3600 + num(m)? as i64 * 60);
        return Some(Timestamp::from_unix(ts.unix_seconds() - offset, ts.nanos));
    }
    Some(ts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_and_iso_forms() {
        assert_eq!(
            parse_timestamp("2026-07-23 17:48:38 UTC")
                .unwrap()
                .to_sql_text(),
            "2026-07-23 17:48:38"
        );
        assert_eq!(
            parse_timestamp("2014-03-01T01:43:16+00:00")
                .unwrap()
                .to_sql_text(),
            "2014-03-01 01:43:16"
        );
        assert_eq!(
            parse_timestamp("2014-03-01T01:43:16-03:00")
                .unwrap()
                .to_sql_text(),
            "2014-03-01 04:43:16"
        );
        assert_eq!(
            parse_timestamp("2023-10-15T14:30:00Z")
                .unwrap()
                .to_sql_text(),
            "2023-10-15 14:30:00"
        );
        assert_eq!(
            parse_timestamp("2024-02-29").unwrap().to_sql_text(),
            "2024-02-29 00:00:00"
        );
        assert_eq!(
            parse_timestamp("2025-01-01 10:18:51.829 UTC")
                .unwrap()
                .nanos,
            829_000_000
        );
        assert!(parse_timestamp("not a date").is_none());
    }

    #[test]
    fn days_past_the_months_end_are_not_dates() {
        for bad in [
            "2024-02-30",
            "2023-02-29",
            "2024-04-31",
            "1900-02-29 10:00:00",
        ] {
            assert!(parse_timestamp(bad).is_none(), "{bad}");
        }
        for good in ["2024-02-29", "2000-02-29", "2024-12-31 23:59:59"] {
            assert!(parse_timestamp(good).is_some(), "{good}");
        }
    }

    #[test]
    fn the_text_written_digit_by_digit_is_the_formatted_one() {
        let mut below = crate::testing::below(0x9E37_79B9_7F4A_7C15);
        let mut next = |m: u64| below(m) as u32;
        for i in 0..20_000 {
            let t = Timestamp {
                year: next(12_000) as i32 - 1_000,
                month: next(14),
                day: next(33),
                hour: next(if i % 7 == 0 { 200 } else { 24 }),
                minute: next(60),
                second: next(61),
                nanos: match i % 4 {
                    0 => 0,
                    1 => next(1000) * 1_000_000,
                    _ => next(1_000_000_000),
                },
            };
            assert_eq!(t.to_sql_text(), t.formatted(), "{t:?}");
        }
    }

    #[test]
    fn unix_round_trip() {
        let t = parse_timestamp("1999-12-31 23:59:59").unwrap();
        assert_eq!(Timestamp::from_unix(t.unix_seconds(), 0), t);
    }
}

//! Civil-calendar arithmetic and the timestamp formats the API uses (no time-zone support:
//! everything is UTC).

use crate::jw::W;

pub fn days_from_civil(y: i64, m: u64, d: u64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u64;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i64 - 719_468
}

pub fn civil_from_days(z: i64) -> (i64, u64, u64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u64;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i64 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Unix seconds as a civil date and time, formatted as `{date}{sep}{time}`
/// ("YYYY-MM-DD" and "HH:MM:SS").
fn format_civil(secs: u64, sep: char, out: &mut dyn std::fmt::Write) -> std::fmt::Result {
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let r = secs % 86_400;
    write!(
        out,
        "{:04}-{:02}-{:02}{}{:02}:{:02}:{:02}",
        y,
        m,
        d,
        sep,
        r / 3600,
        (r / 60) % 60,
        r % 60
    )
}

/// "YYYY-MM-DD HH:MM:SS UTC", the API's timestamp format
pub fn ts(secs: u64) -> String {
    format!("{} UTC", ts_plain(secs))
}
/// "YYYY-MM-DD HH:MM:SS"
pub fn ts_plain(secs: u64) -> String {
    let mut s = String::with_capacity(19);
    format_civil(secs, ' ', &mut s).expect("writing to a String");
    s
}
/// "YYYY-MM-DDTHH:MM:SS+00:00", the format of the rate-limit ban header and label expiries
pub fn iso(secs: u64) -> String {
    let mut s = String::with_capacity(25);
    format_civil(secs, 'T', &mut s).expect("writing to a String");
    s.push_str("+00:00");
    s
}
/// parse "YYYY-MM-DD" (optionally followed by time) to unix seconds of that day start
pub fn parse_date(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.len() < 10 {
        return None;
    }
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let m: u64 = s.get(5..7)?.parse().ok()?;
    let d: u64 = s.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || &s[4..5] != "-" || &s[7..8] != "-" {
        return None;
    }
    let days = days_from_civil(y, m, d);
    if days < 0 {
        return None;
    }
    Some(days as u64 * 86_400)
}
/// parse "YYYY-MM-DD HH:MM:SS[ UTC]" or ISO-8601 "YYYY-MM-DDTHH:MM:SS" to unix seconds
pub fn parse_ts(s: &str) -> Option<u64> {
    let day = parse_date(s)?;
    let t = s.get(11..19).unwrap_or("00:00:00");
    let h: u64 = t.get(0..2)?.parse().ok()?;
    let mi: u64 = t.get(3..5)?.parse().ok()?;
    let se: u64 = t.get(6..8)?.parse().ok()?;
    Some(day + h * 3600 + mi * 60 + se)
}
/// `ts(secs)` as a JSON string, written without an intermediate `String`
pub(super) fn write_ts(w: &mut W, secs: u64) {
    w.str_fmt(format_args!("{} UTC", Civil(secs)));
}

/// `Display` for `ts_plain`, so it can go through `format_args!`
struct Civil(u64);

impl std::fmt::Display for Civil {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        format_civil(self.0, ' ', f)
    }
}

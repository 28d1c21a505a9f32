//! What Jumpseller's rate-limit headers say about the next request: whether
//! an answer is a throttle, and how long the store's limiter should hold
//! everyone back. Other applications may share the store's budget, so the
//! server's count, not only our own, decides when we send. A `Retry-After`
//! (seconds or an HTTP date) on a 429 or 503 is obeyed to the second, though
//! the API documents none: a proxy or gateway in between may send one.

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use std::time::Duration;

const PER_SECOND_LIMIT: &str = "Jumpseller-PerSecondRateLimit-Limit";
const PER_SECOND_REMAINING: &str = "Jumpseller-PerSecondRateLimit-Remaining";
const PER_MINUTE_REMAINING: &str = "Jumpseller-PerMinuteRateLimit-Remaining";
const BAN_RESET: &str = "Jumpseller-BannedByRateLimit-Reset";
const RETRY_AFTER: &str = "Retry-After";

/// The per-second budget assumed when the API does not state one.
const DEFAULT_PER_SECOND: u64 = 20;
/// An exhausted per-minute budget comes with no reset time: wait a while.
const MINUTE_EXHAUSTED_HOLD: Duration = Duration::from_secs(5);
/// A ban whose reset time cannot be read: assume a minute.
const UNREADABLE_BAN_HOLD: Duration = Duration::from_secs(60);
/// No ban or Retry-After, however announced, stops this process for more
/// than an hour (a statement's cancel or timeout ends the wait sooner).
const MAX_BAN_HOLD: Duration = Duration::from_secs(3600);

/// The rate-limit headers of one answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateHeaders {
    per_second_limit: Option<u64>,
    per_second_remaining: Option<u64>,
    /// The remaining count spelled exactly "0": what tells a throttling
    /// 403 from a refused scope (kept apart from the parsed count, which
    /// also accepts " 0" or "00", to keep the test exactly as it was).
    per_second_remaining_literal_zero: bool,
    per_minute_remaining: Option<u64>,
    ban_reset: Option<String>,
    retry_after: Option<String>,
}

impl RateHeaders {
    pub fn read(headers: &HeaderMap) -> RateHeaders {
        RateHeaders {
            per_second_limit: header_u64(headers, PER_SECOND_LIMIT),
            per_second_remaining: header_u64(headers, PER_SECOND_REMAINING),
            per_second_remaining_literal_zero: header_text(headers, PER_SECOND_REMAINING)
                == Some("0"),
            per_minute_remaining: header_u64(headers, PER_MINUTE_REMAINING),
            ban_reset: header_text(headers, BAN_RESET).map(str::to_string),
            retry_after: header_text(headers, RETRY_AFTER).map(str::to_string),
        }
    }

    /// Whether the answer refuses the request for its rate: a 429, or a 403
    /// sent when the per-second budget is spent.
    pub fn is_throttle(&self, status: StatusCode) -> bool {
        status == StatusCode::TOO_MANY_REQUESTS
            || (status == StatusCode::FORBIDDEN && self.per_second_remaining_literal_zero)
    }

    /// How long nobody should send after this answer (`now_unix`: the
    /// current time, for a ban's reset time and an HTTP-date Retry-After),
    /// None when we may go on. The longest of what the answer says wins: a
    /// spent second or minute, a ban, a throttle, a Retry-After.
    pub fn hold(&self, status: StatusCode, now_unix: i64) -> Option<Duration> {
        let spent = (self.per_second_remaining == Some(0)).then(|| self.interval());
        // The per-minute window may take up to a minute to reopen and no
        // header says when: wait a while, then let the next answer tell.
        let minute_spent = (self.per_minute_remaining == Some(0)).then_some(MINUTE_EXHAUSTED_HOLD);
        let banned = self.ban_reset.as_deref().map(|reset| {
            seconds_until(reset, now_unix)
                .map(Duration::from_secs)
                .unwrap_or(UNREADABLE_BAN_HOLD)
                .min(MAX_BAN_HOLD)
        });
        let throttled = self.is_throttle(status).then(|| self.interval());
        let retry_after = self.retry_after(status, now_unix);
        [spent, minute_spent, banned, throttled, retry_after]
            .into_iter()
            .flatten()
            .max()
    }

    /// The wait a `Retry-After` asks for, on the answers where it means
    /// "come back later" (a throttle, 503); an unreadable one is ignored
    /// (the other headers and the backoff still pace the retry).
    fn retry_after(&self, status: StatusCode, now_unix: i64) -> Option<Duration> {
        if !(self.is_throttle(status) || status == StatusCode::SERVICE_UNAVAILABLE) {
            return None;
        }
        let value = self.retry_after.as_deref()?.trim();
        let seconds = match value.parse::<u64>() {
            Ok(seconds) => seconds,
            Err(_) => (http_date(value)? - now_unix).max(0) as u64,
        };
        Some(Duration::from_secs(seconds).min(MAX_BAN_HOLD))
    }

    /// A sliding one-second window reopens as soon as its oldest request
    /// ages out, typically one request interval later: hold that long, not
    /// a whole second (which would halve a scan's throughput).
    fn interval(&self) -> Duration {
        let per_second = self.per_second_limit.unwrap_or(DEFAULT_PER_SECOND).max(1);
        Duration::from_millis(1000 / per_second)
    }
}

fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name)?.to_str().ok()
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    header_text(headers, name)?.trim().parse().ok()
}

/// Seconds from `now_unix` until an ISO-8601 UTC time like
/// 2024-05-23T16:13:47+00:00; zero when it has passed.
fn seconds_until(iso: &str, now_unix: i64) -> Option<u64> {
    let reset = crate::timefmt::parse_timestamp(iso)?;
    Some((reset.unix_seconds() - now_unix).max(0) as u64)
}

/// An HTTP date (RFC 9110 5.6.7) as Unix seconds: the preferred
/// `Sun, 06 Nov 1994 08:49:37 GMT` and the obsolete RFC 850
/// (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`)
/// forms, all in GMT.
fn http_date(text: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let tokens: Vec<&str> = text
        .split([' ', ',', '-', ':'])
        .filter(|token| !token.is_empty())
        .collect();
    let month_at = tokens
        .iter()
        .position(|token| MONTHS.contains(&token.to_ascii_lowercase().as_str()))?;
    let month = MONTHS
        .iter()
        .position(|name| tokens[month_at].eq_ignore_ascii_case(name))? as u32
        + 1;
    let numbers: Vec<i64> = tokens
        .iter()
        .filter_map(|token| token.parse::<i64>().ok())
        .collect();
    let first_number_at = tokens
        .iter()
        .position(|token| token.parse::<i64>().is_ok())?;
    let [day, year, hour, minute, second] = match numbers[..] {
        // asctime: the month comes before the day, the year last.
        [day, hour, minute, second, year] if month_at < first_number_at => {
            [day, year, hour, minute, second]
        }
        [day, year, hour, minute, second] => [day, year, hour, minute, second],
        _ => return None,
    };
    // RFC 850's two-digit year: 70-99 is the 1900s, as HTTP/1.1 says.
    let year = match year {
        0..=69 => year + 2000,
        70..=99 => year + 1900,
        _ => year,
    };
    let valid = (1..=31).contains(&day)
        && (0..24).contains(&hour)
        && (0..60).contains(&minute)
        && (0..=60).contains(&second);
    valid.then(|| {
        crate::timefmt::Timestamp {
            year: year as i32,
            month,
            day: day as u32,
            hour: hour as u32,
            minute: minute as u32,
            second: second as u32,
            nanos: 0,
        }
        .unix_seconds()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: StatusCode = StatusCode::OK;
    const TOO_MANY: StatusCode = StatusCode::TOO_MANY_REQUESTS;
    const FORBIDDEN: StatusCode = StatusCode::FORBIDDEN;

    fn headers(pairs: &[(&'static str, &str)]) -> RateHeaders {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        RateHeaders::read(&map)
    }

    fn ms(millis: u64) -> Option<Duration> {
        Some(Duration::from_millis(millis))
    }

    #[test]
    fn budget_left_means_no_hold() {
        let rate = headers(&[(PER_SECOND_LIMIT, "20"), (PER_SECOND_REMAINING, "3")]);
        assert_eq!(rate.hold(OK, 0), None);
        assert_eq!(headers(&[]).hold(OK, 0), None);
    }

    #[test]
    fn a_spent_second_holds_one_request_interval() {
        let rate = headers(&[(PER_SECOND_LIMIT, "20"), (PER_SECOND_REMAINING, "0")]);
        assert_eq!(rate.hold(OK, 0), ms(50));
        let rate = headers(&[(PER_SECOND_LIMIT, "4"), (PER_SECOND_REMAINING, " 0")]);
        assert_eq!(rate.hold(OK, 0), ms(250));
        // No stated limit: the default budget; a limit of 0 is taken as 1.
        assert_eq!(headers(&[(PER_SECOND_REMAINING, "0")]).hold(OK, 0), ms(50));
        let rate = headers(&[(PER_SECOND_LIMIT, "0"), (PER_SECOND_REMAINING, "0")]);
        assert_eq!(rate.hold(OK, 0), ms(1000));
    }

    #[test]
    fn a_throttle_holds_an_interval_or_longer_when_the_minute_is_spent() {
        let rate = headers(&[(PER_SECOND_LIMIT, "10")]);
        assert!(rate.is_throttle(TOO_MANY));
        assert_eq!(rate.hold(TOO_MANY, 0), ms(100));
        let rate = headers(&[(PER_MINUTE_REMAINING, "0")]);
        assert_eq!(rate.hold(TOO_MANY, 0), Some(MINUTE_EXHAUSTED_HOLD));
    }

    #[test]
    fn a_403_is_a_throttle_only_with_the_budget_spent() {
        assert!(!headers(&[]).is_throttle(FORBIDDEN));
        assert!(!headers(&[(PER_SECOND_REMAINING, "2")]).is_throttle(FORBIDDEN));
        assert!(headers(&[(PER_SECOND_REMAINING, "0")]).is_throttle(FORBIDDEN));
        assert!(!headers(&[(PER_SECOND_REMAINING, "0")]).is_throttle(OK));
    }

    #[test]
    fn a_ban_holds_until_its_reset_at_most_an_hour() {
        let reset = "2024-05-23T16:13:47+00:00";
        let at = crate::timefmt::parse_timestamp(reset)
            .unwrap()
            .unix_seconds();
        let rate = headers(&[(BAN_RESET, reset)]);
        assert_eq!(rate.hold(OK, at - 30), Some(Duration::from_secs(30)));
        assert_eq!(rate.hold(OK, at + 30), Some(Duration::ZERO));
        assert_eq!(rate.hold(OK, at - 86_400), Some(MAX_BAN_HOLD));
        let unreadable = headers(&[(BAN_RESET, "soon")]);
        assert_eq!(unreadable.hold(OK, 0), Some(UNREADABLE_BAN_HOLD));
    }

    #[test]
    fn a_retry_after_in_seconds_holds_that_long_on_a_429_or_503() {
        let rate = headers(&[(RETRY_AFTER, "30")]);
        assert_eq!(rate.hold(TOO_MANY, 0), Some(Duration::from_secs(30)));
        let unavailable = StatusCode::SERVICE_UNAVAILABLE;
        assert_eq!(rate.hold(unavailable, 0), Some(Duration::from_secs(30)));
        // On an answer that is no refusal it means nothing.
        assert_eq!(rate.hold(OK, 0), None);
        assert_eq!(rate.hold(StatusCode::INTERNAL_SERVER_ERROR, 0), None);
        // Capped at an hour; unreadable: the throttle's own hold.
        let rate = headers(&[(RETRY_AFTER, "86400")]);
        assert_eq!(rate.hold(TOO_MANY, 0), Some(MAX_BAN_HOLD));
        let rate = headers(&[(RETRY_AFTER, "soon"), (PER_SECOND_LIMIT, "20")]);
        assert_eq!(rate.hold(TOO_MANY, 0), ms(50));
        assert_eq!(rate.hold(unavailable, 0), None);
    }

    #[test]
    fn a_retry_after_as_an_http_date_holds_until_then() {
        let at = http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(at, 784_111_777);
        assert_eq!(http_date("Sunday, 06-Nov-94 08:49:37 GMT"), Some(at));
        assert_eq!(http_date("Sun Nov  6 08:49:37 1994"), Some(at));
        assert_eq!(http_date("Sun, 06 Nov 1994 25:49:37 GMT"), None);
        assert_eq!(http_date("tomorrow"), None);
        let rate = headers(&[(RETRY_AFTER, "Sun, 06 Nov 1994 08:49:37 GMT")]);
        assert_eq!(rate.hold(TOO_MANY, at - 12), Some(Duration::from_secs(12)));
        // A date in the past: no longer than the throttle's own hold.
        assert_eq!(rate.hold(TOO_MANY, at + 12), ms(50));
    }

    #[test]
    fn a_spent_minute_holds_even_a_success() {
        let rate = headers(&[(PER_MINUTE_REMAINING, "0"), (PER_SECOND_REMAINING, "5")]);
        assert_eq!(rate.hold(OK, 0), Some(MINUTE_EXHAUSTED_HOLD));
    }

    #[test]
    fn the_longest_of_several_holds_wins() {
        let rate = headers(&[(PER_SECOND_REMAINING, "0"), (PER_MINUTE_REMAINING, "0")]);
        assert_eq!(rate.hold(TOO_MANY, 0), Some(MINUTE_EXHAUSTED_HOLD));
    }
}

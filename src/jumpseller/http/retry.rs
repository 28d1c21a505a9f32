//! The retry policy, as arithmetic that can be tested without a network:
//! which failed attempts are sent again, how many, and how long to wait in
//! between. A request either gets the API's answer or fails; it is never
//! repeated when repeating could apply a write twice. Pauses are jittered
//! (half fixed, half random) so that clients which failed together do not
//! come back together.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Most 429 answers one request may meet before the query fails. The first
/// waits only for the store's hold (what the answer's headers and
/// Retry-After say); each further one also backs off, doubling up to
/// `MAX_THROTTLE_BACKOFF`: without a longer Retry-After or ban, the 60
/// take a minute or two.
pub const MAX_THROTTLED: u32 = 60;

/// The pause after a second throttle in a row; it doubles with each further one.
const FIRST_THROTTLE_BACKOFF: Duration = Duration::from_millis(100);
/// The longest pause a throttle adds to the store's hold.
const MAX_THROTTLE_BACKOFF: Duration = Duration::from_millis(1_600);

/// Connection failures tolerated per request: a server that cannot be
/// reached twice in a row is down, and the query should say so quickly.
const MAX_CONNECT_FAILURES: u32 = 2;

/// First pause after a failure; it doubles with each further failure.
const FIRST_BACKOFF: Duration = Duration::from_millis(200);

/// Doublings of the backoff before it stops growing (0.2 s << 5 = 6.4 s).
const MAX_DOUBLINGS: u32 = 5;

/// How an attempt failed, as far as sending it again is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No connection was made: the request never reached the server, so
    /// even a POST can be sent again.
    NoConnection,
    /// The request may have reached the server but no usable answer came
    /// back (timeout, reset, body cut short, 5xx, invalid JSON). Only an
    /// idempotent request is sent again: a POST may have been applied.
    Transient,
    /// Rate limited (429): nothing was applied; wait for the window.
    Throttled,
    /// A definite answer (4xx): sending the same request again changes nothing.
    Final,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Send again once the rate limiter lets us (its hold paces a first throttle).
    Resend,
    /// Send again after this pause.
    ResendAfter(Duration),
    /// Stop: the failure is the request's answer. `tries` counts the
    /// attempts of the kind that ran out, for the message.
    GiveUp { tries: u32 },
}

/// The retry state of one request.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    idempotent: bool,
    max_attempts: u32,
    failures: u32,
    throttles: u32,
}

impl RetryPolicy {
    /// `max_attempts` bounds the attempts spent on failures (at least one);
    /// throttles are bounded apart, by `MAX_THROTTLED`.
    pub fn new(idempotent: bool, max_attempts: u32) -> RetryPolicy {
        RetryPolicy {
            idempotent,
            max_attempts: max_attempts.max(1),
            failures: 0,
            throttles: 0,
        }
    }

    /// Records a failed attempt and says what comes next.
    pub fn after(&mut self, failure: Failure) -> Next {
        if failure == Failure::Throttled {
            return self.after_throttle();
        }
        self.failures += 1;
        let resendable = match failure {
            Failure::NoConnection => true,
            Failure::Transient => self.idempotent,
            Failure::Throttled | Failure::Final => false,
        };
        let out_of_attempts = self.failures >= self.max_attempts
            || (failure == Failure::NoConnection && self.failures >= MAX_CONNECT_FAILURES);
        if !resendable || out_of_attempts {
            Next::GiveUp {
                tries: self.failures,
            }
        } else {
            Next::ResendAfter(jittered(backoff(self.failures), random()))
        }
    }

    /// A throttle costs no attempt, but a store that stays saturated must
    /// not hang the query forever. The first waits for the limiter's hold
    /// alone; from the second on the request also backs off.
    fn after_throttle(&mut self) -> Next {
        self.throttles += 1;
        if self.throttles > MAX_THROTTLED {
            Next::GiveUp {
                tries: self.throttles,
            }
        } else if self.throttles == 1 {
            Next::Resend
        } else {
            Next::ResendAfter(jittered(throttle_backoff(self.throttles), random()))
        }
    }
}

/// The longest pause after the `failures`-th failure: 0.2 s, 0.4 s, 0.8 s
/// ... up to 6.4 s. Long enough for a blip to pass, short enough that a
/// dead server fails the query quickly.
pub fn backoff(failures: u32) -> Duration {
    FIRST_BACKOFF * (1 << failures.saturating_sub(1).min(MAX_DOUBLINGS))
}

/// The longest pause after the `throttles`-th throttle in a row (from the
/// second): 0.1 s, 0.2 s ... up to 1.6 s.
fn throttle_backoff(throttles: u32) -> Duration {
    let doublings = throttles.saturating_sub(2).min(4);
    (FIRST_THROTTLE_BACKOFF * (1 << doublings)).min(MAX_THROTTLE_BACKOFF)
}

/// "Equal jitter": half of `pause` for sure, the other half scaled by
/// `random` (any u64), to the millisecond.
fn jittered(pause: Duration, random: u64) -> Duration {
    let half = pause.as_millis() as u64 / 2;
    Duration::from_millis(pause.as_millis() as u64 - half + random % (half + 1))
}

/// `pause` plus up to a tenth more (at most a second), scaled by `random`:
/// a hold all clients were told is spread a little, so they do not all
/// return at the same instant.
pub fn spread(pause: Duration, random: u64) -> Duration {
    let tenth = (pause.as_millis() as u64 / 10).min(1_000);
    pause + Duration::from_millis(random % (tenth + 1))
}

/// A number random enough to spread pauses (not for secrets): splitmix64 of
/// the time, the process id and a counter, so processes and threads that
/// fail at the same instant still draw differently. No crate needed.
pub fn random() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos() as u64)
        .unwrap_or(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut z =
        nanos ^ (u64::from(std::process::id()) << 32) ^ count.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A jittered pause whose longest is `millis`: from half of it to all of it.
    #[track_caller]
    fn ms(next: Next, millis: u64) {
        match next {
            Next::ResendAfter(pause) => {
                let pause = pause.as_millis() as u64;
                assert!(
                    (millis / 2..=millis).contains(&pause),
                    "{pause} ms is not within {}..={millis}",
                    millis / 2
                );
            }
            other => panic!("{other:?} is no pause of up to {millis} ms"),
        }
    }

    #[test]
    fn jitter_keeps_half_and_draws_the_rest() {
        let second = Duration::from_secs(1);
        assert_eq!(jittered(second, 0), Duration::from_millis(500));
        assert_eq!(jittered(second, 500), second);
        assert_eq!(jittered(second, 501), Duration::from_millis(500));
        assert_eq!(jittered(Duration::ZERO, 7), Duration::ZERO);
        let draws: std::collections::HashSet<u64> = (0..50).map(|_| random()).collect();
        assert!(draws.len() > 45, "random() repeats itself");
    }

    #[test]
    fn a_spread_adds_at_most_a_tenth_and_a_second() {
        let thirty = Duration::from_secs(30);
        assert_eq!(spread(thirty, 0), thirty);
        assert_eq!(spread(thirty, 1_000), thirty + Duration::from_secs(1));
        assert_eq!(spread(thirty, 1_001), thirty);
        let short = Duration::from_millis(50);
        assert_eq!(spread(short, 5), Duration::from_millis(55));
    }

    #[test]
    fn throttles_in_a_row_back_off_from_the_second() {
        let pauses: Vec<u128> = (2..=8).map(|n| throttle_backoff(n).as_millis()).collect();
        assert_eq!(pauses, [100, 200, 400, 800, 1600, 1600, 1600]);
        let mut policy = RetryPolicy::new(true, 2);
        assert_eq!(policy.after(Failure::Throttled), Next::Resend);
        ms(policy.after(Failure::Throttled), 100);
        ms(policy.after(Failure::Throttled), 200);
    }

    #[test]
    fn backoff_doubles_from_a_fifth_of_a_second_and_is_capped() {
        let pauses: Vec<u128> = (1..=8).map(|n| backoff(n).as_millis()).collect();
        assert_eq!(pauses, [200, 400, 800, 1600, 3200, 6400, 6400, 6400]);
    }

    #[test]
    fn an_idempotent_request_retries_transient_failures_up_to_the_bound() {
        let mut policy = RetryPolicy::new(true, 4);
        ms(policy.after(Failure::Transient), 200);
        ms(policy.after(Failure::Transient), 400);
        ms(policy.after(Failure::Transient), 800);
        assert_eq!(policy.after(Failure::Transient), Next::GiveUp { tries: 4 });
    }

    #[test]
    fn a_post_is_not_repeated_when_it_may_have_been_applied() {
        let mut policy = RetryPolicy::new(false, 4);
        assert_eq!(policy.after(Failure::Transient), Next::GiveUp { tries: 1 });
    }

    #[test]
    fn a_post_that_never_reached_the_server_is_repeated() {
        let mut policy = RetryPolicy::new(false, 4);
        ms(policy.after(Failure::NoConnection), 200);
        let mut policy = RetryPolicy::new(false, 4);
        assert_eq!(policy.after(Failure::Throttled), Next::Resend);
    }

    #[test]
    fn connection_failures_stop_after_two_whatever_the_bound() {
        for idempotent in [true, false] {
            let mut policy = RetryPolicy::new(idempotent, 10);
            ms(policy.after(Failure::NoConnection), 200);
            assert_eq!(
                policy.after(Failure::NoConnection),
                Next::GiveUp { tries: 2 }
            );
        }
    }

    #[test]
    fn failures_of_both_kinds_share_the_bound() {
        // A transient failure then a connection failure: the second counts
        // as the second failure, which is the connection limit.
        let mut policy = RetryPolicy::new(true, 10);
        ms(policy.after(Failure::Transient), 200);
        assert_eq!(
            policy.after(Failure::NoConnection),
            Next::GiveUp { tries: 2 }
        );
    }

    #[test]
    fn a_definite_answer_is_never_repeated() {
        let mut policy = RetryPolicy::new(true, 10);
        assert_eq!(policy.after(Failure::Final), Next::GiveUp { tries: 1 });
    }

    #[test]
    fn one_attempt_means_no_retry_and_zero_means_one() {
        assert_eq!(
            RetryPolicy::new(true, 1).after(Failure::Transient),
            Next::GiveUp { tries: 1 }
        );
        assert_eq!(
            RetryPolicy::new(true, 0).after(Failure::Transient),
            Next::GiveUp { tries: 1 }
        );
    }

    #[test]
    fn throttles_cost_no_attempt_but_are_bounded() {
        let mut policy = RetryPolicy::new(true, 2);
        for n in 1..=MAX_THROTTLED {
            let next = policy.after(Failure::Throttled);
            assert!(
                matches!(next, Next::Resend | Next::ResendAfter(_)),
                "{n}: {next:?}"
            );
        }
        // The attempts are untouched by the throttles ...
        ms(policy.after(Failure::Transient), 200);
        // ... and one throttle more than the bound ends the request.
        assert_eq!(
            policy.after(Failure::Throttled),
            Next::GiveUp {
                tries: MAX_THROTTLED + 1
            }
        );
    }
}

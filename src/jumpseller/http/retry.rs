//! The retry policy, as pure arithmetic so it can be tested without a
//! network: which failed attempts are sent again, how many, and how long to
//! wait in between. A request either gets the API's answer or fails; it is
//! never repeated when repeating could apply a write twice.

use std::time::Duration;

/// Most 429 answers one request may meet before the query fails; each
/// waits for the rate window, so this bounds the wait to about a minute.
pub const MAX_THROTTLED: u32 = 60;

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
    /// Send again once the rate limiter lets us (its hold paces throttles).
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
            Next::ResendAfter(backoff(self.failures))
        }
    }

    /// A throttle costs no attempt (the limiter's hold does the waiting),
    /// but a store that stays saturated must not hang the query forever.
    fn after_throttle(&mut self) -> Next {
        self.throttles += 1;
        if self.throttles > MAX_THROTTLED {
            Next::GiveUp {
                tries: self.throttles,
            }
        } else {
            Next::Resend
        }
    }
}

/// The pause after the `failures`-th failure: 0.2 s, 0.4 s, 0.8 s ... up to
/// 6.4 s. Long enough for a blip to pass, short enough that a dead server
/// fails the query quickly.
pub fn backoff(failures: u32) -> Duration {
    FIRST_BACKOFF * (1 << failures.saturating_sub(1).min(MAX_DOUBLINGS))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(millis: u64) -> Next {
        Next::ResendAfter(Duration::from_millis(millis))
    }

    #[test]
    fn backoff_doubles_from_a_fifth_of_a_second_and_is_capped() {
        let pauses: Vec<u128> = (1..=8).map(|n| backoff(n).as_millis()).collect();
        assert_eq!(pauses, [200, 400, 800, 1600, 3200, 6400, 6400, 6400]);
    }

    #[test]
    fn an_idempotent_request_retries_transient_failures_up_to_the_bound() {
        let mut policy = RetryPolicy::new(true, 4);
        assert_eq!(policy.after(Failure::Transient), ms(200));
        assert_eq!(policy.after(Failure::Transient), ms(400));
        assert_eq!(policy.after(Failure::Transient), ms(800));
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
        assert_eq!(policy.after(Failure::NoConnection), ms(200));
        let mut policy = RetryPolicy::new(false, 4);
        assert_eq!(policy.after(Failure::Throttled), Next::Resend);
    }

    #[test]
    fn connection_failures_stop_after_two_whatever_the_bound() {
        for idempotent in [true, false] {
            let mut policy = RetryPolicy::new(idempotent, 10);
            assert_eq!(policy.after(Failure::NoConnection), ms(200));
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
        assert_eq!(policy.after(Failure::Transient), ms(200));
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
        for _ in 0..MAX_THROTTLED {
            assert_eq!(policy.after(Failure::Throttled), Next::Resend);
        }
        // The attempts are untouched by the throttles ...
        assert_eq!(policy.after(Failure::Transient), ms(200));
        // ... and one throttle more than the bound ends the request.
        assert_eq!(
            policy.after(Failure::Throttled),
            Next::GiveUp {
                tries: MAX_THROTTLED + 1
            }
        );
    }
}

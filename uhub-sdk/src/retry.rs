//! When a failed attempt is tried again, and how long to wait first.

use std::time::Duration;

use crate::error::Error;

/// How a call retries. The default makes at most 3 attempts with exponential backoff and
/// full jitter; only idempotent actions are retried once a request may have reached the
/// service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

/// The longest `Retry-After` a call waits out unless the policy says otherwise.
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            max_retry_after: DEFAULT_MAX_RETRY_AFTER,
        }
    }
}

impl RetryPolicy {
    /// A policy that makes exactly one attempt.
    pub fn disabled() -> Self {
        RetryPolicy { max_attempts: 1, ..Self::default() }
    }

    /// Total attempts, including the first (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Backoff before the second attempt; it doubles per attempt up to `max`.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// The longest `Retry-After` the server may ask for that a call still waits out (default
    /// 60 s); asked for more, the call returns the error at once instead of sleeping for it.
    pub fn with_max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// How long to wait before the next attempt after `error`, the outcome of attempt number
    /// `attempt`: the backoff, or the server's `Retry-After` when longer; `None` when the server
    /// asks for more than the policy waits out.
    pub(crate) fn wait(&self, error: &Error, attempt: u32) -> Option<Duration> {
        let asked = error.retry_after().unwrap_or_default();
        (asked <= self.max_retry_after).then(|| self.backoff(attempt).max(asked))
    }

    /// Whether `error`, the outcome of attempt number `attempt`, should be tried again.
    pub(crate) fn should_retry(&self, error: &Error, attempt: u32, idempotent: bool) -> bool {
        attempt < self.max_attempts && error.is_retryable() && (idempotent || error.is_connect())
    }

    /// Full jitter: a uniformly random wait in `[0, min(max, initial * 2^(attempt-1))]`.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let cap = self.initial_backoff.saturating_mul(1 << attempt.saturating_sub(1).min(20)).min(self.max_backoff);
        cap.mul_f64(jitter())
    }
}

/// A number in [0, 1) that differs between calls; backoff needs spread, not cryptography.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos());
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::TransportKind;

    #[test]
    fn backoff_stays_under_its_exponential_cap() {
        let p = RetryPolicy::default().with_backoff(Duration::from_millis(100), Duration::from_millis(300));
        for _ in 0..50 {
            assert!(p.backoff(1) <= Duration::from_millis(100));
            assert!(p.backoff(2) <= Duration::from_millis(200));
            assert!(p.backoff(5) <= Duration::from_millis(300));
        }
    }

    #[test]
    fn retry_after_is_honoured_only_up_to_the_cap() {
        let p = RetryPolicy::default().with_backoff(Duration::ZERO, Duration::ZERO);
        let asking = |secs| Error::http_status("A", 503, b"", None).with_retry_after(Some(Duration::from_secs(secs)));
        assert_eq!(p.wait(&asking(60), 1), Some(Duration::from_secs(60)));
        assert_eq!(p.wait(&asking(61), 1), None);
        assert_eq!(p.wait(&asking(u64::MAX), 1), None);
        let patient = p.with_max_retry_after(Duration::from_secs(3600));
        assert_eq!(patient.wait(&asking(600), 1), Some(Duration::from_secs(600)));
    }

    #[test]
    fn non_idempotent_calls_retry_only_when_nothing_was_sent() {
        let p = RetryPolicy::default();
        let refused = Error::transport("CreateRepo", TransportKind::Connect, std::io::Error::other("refused"));
        let reset = Error::transport("CreateRepo", TransportKind::Io, std::io::Error::other("reset"));
        assert!(p.should_retry(&refused, 1, false));
        assert!(!p.should_retry(&reset, 1, false));
        assert!(p.should_retry(&reset, 1, true));
        assert!(!p.should_retry(&reset, 3, true));
    }
}

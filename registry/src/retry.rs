//! Attempts for transient failures (5xx, a connection refused or reset): a few, with a
//! short doubling pause, so one hiccup does not fail an image and a dead registry fails fast.
//! A rate limit (429) gets more attempts ([`crate::pace::MAX_WAITS`]), each after the pause
//! the host's gate holds every request in, not one of ours.

use std::future::Future;
use std::time::Duration;

use crate::Error;

/// How many attempts an operation gets and the first pause between them.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub first_pause: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { attempts: 3, first_pause: Duration::from_millis(200) }
    }
}

impl RetryPolicy {
    /// Runs `op` until it succeeds, fails for good, or the attempts are spent.
    pub(crate) async fn run<T, F, Fut>(&self, mut op: F) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let mut pause = self.first_pause;
        let mut attempt = 1;
        let mut waits = 0;
        loop {
            match op().await {
                // Whoever read the answer paused the host; the next attempt waits at its gate.
                Err(err) if err.is_rate_limited() && waits < crate::pace::MAX_WAITS => {
                    tracing::debug!(waits, %err, "rate limited; trying again after the host's pause");
                    waits += 1;
                }
                Err(err) if err.is_transient() && attempt < self.attempts.max(1) => {
                    tracing::debug!(attempt, %err, "transient registry failure; trying again");
                    tokio::time::sleep(pause).await;
                    pause = pause.saturating_mul(2).min(Duration::from_secs(5));
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn transient() -> Error {
        Error::Registry {
            action: "GET",
            target: "x".into(),
            message: "HTTP 503".into(),
            status: Some(503),
            transient: true,
        }
    }

    #[tokio::test]
    async fn transient_failures_are_tried_again_up_to_the_limit_and_others_once() {
        let policy = RetryPolicy { attempts: 3, first_pause: Duration::from_millis(1) };
        let calls = Cell::new(0);
        let r: Result<(), Error> = policy
            .run(|| {
                calls.set(calls.get() + 1);
                async { Err(transient()) }
            })
            .await;
        assert!(r.unwrap_err().is_transient());
        assert_eq!(calls.get(), 3);

        calls.set(0);
        let r: Result<u8, Error> = policy
            .run(|| {
                calls.set(calls.get() + 1);
                let n = calls.get();
                async move { if n < 2 { Err(transient()) } else { Ok(7) } }
            })
            .await;
        assert_eq!((r.unwrap(), calls.get()), (7, 2));

        calls.set(0);
        let r: Result<(), Error> = policy
            .run(|| {
                calls.set(calls.get() + 1);
                async { Err(Error::NotFound { action: "GET", target: "x".into() }) }
            })
            .await;
        assert!(matches!(r, Err(Error::NotFound { .. })));
        assert_eq!(calls.get(), 1);
    }

    #[tokio::test]
    async fn a_rate_limit_gets_more_attempts_than_other_transient_failures() {
        let policy = RetryPolicy { attempts: 3, first_pause: Duration::from_millis(1) };
        let limited = || Error::Registry {
            action: "GET",
            target: "x".into(),
            message: "HTTP 429".into(),
            status: Some(429),
            transient: true,
        };
        let calls = Cell::new(0);
        let r: Result<(), Error> = policy
            .run(|| {
                calls.set(calls.get() + 1);
                async { Err(limited()) }
            })
            .await;
        assert!(r.unwrap_err().is_rate_limited());
        // Every wait, then the transient attempts.
        assert_eq!(calls.get(), crate::pace::MAX_WAITS + 3);

        calls.set(0);
        let r: Result<u8, Error> = policy
            .run(|| {
                calls.set(calls.get() + 1);
                let n = calls.get();
                async move { if n <= 7 { Err(limited()) } else { Ok(7) } }
            })
            .await;
        assert_eq!((r.unwrap(), calls.get()), (7, 8));
    }
}

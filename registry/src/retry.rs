//! Attempts for transient failures (5xx, 429, a connection refused or reset): a few, with a
//! short doubling pause, so one hiccup does not fail an image and a dead registry fails fast.

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
        loop {
            match op().await {
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
}

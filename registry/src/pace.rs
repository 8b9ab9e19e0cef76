//! Rate limits waited out, for a whole host at once.
//!
//! A registry that answers 429 (or 503 with a `Retry-After`), or says its quota is spent
//! (`RateLimit-Remaining: 0` with a `RateLimit-Reset`, as Docker Hub and the IETF draft write
//! them), is not failing: it asks us to come back later. Every request to it would get the same
//! answer meanwhile, so the wait pauses the host, not one request: each request (ours and
//! oci-client's) passes the host's [`Gate`] before it is sent, and waits there while the host
//! is paused. Requests already sent finish as they will. One gate per host in the process, so
//! a source and a destination on one registry share it.
//!
//! A wait is what the registry asked for, capped at [`MAX_WAIT`]; without a header (oci-client
//! hides its answers' headers from us) it is [`DEFAULT_WAIT`]. A request waits at most
//! [`MAX_WAITS`] times, more than the attempts other transient failures get, and never past the
//! registry's deadline ([`crate::Registry::with_deadline`]): a pause that would end after it
//! ends at it, with an error.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

use crate::Error;

/// The longest one wait lasts, whatever the registry asks (`Retry-After: 3600` waits this).
pub const MAX_WAIT: Duration = Duration::from_secs(60);
/// How many times one request waits for a rate limit before it fails.
pub const MAX_WAITS: u32 = 8;
/// The wait for a 429 whose headers we cannot read (oci-client's requests).
pub const DEFAULT_WAIT: Duration = Duration::from_secs(1);

/// How often, and how long in all, a registry's host was paused for its rate limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Waits {
    /// Pauses: requests told to wait while the host was already paused join that pause.
    pub count: u64,
    /// Time paused, overlapping pauses counted once.
    pub total: Duration,
}

/// One host's pause, shared by every request to it.
#[derive(Default)]
pub(crate) struct Gate {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Until when no request may start.
    until: Option<Instant>,
    waits: Waits,
}

impl Gate {
    /// The gate of `origin` (`scheme://host:port/`), the same for every caller while one is
    /// held.
    pub(crate) fn of(origin: &str) -> Arc<Gate> {
        static GATES: OnceLock<Mutex<HashMap<String, Weak<Gate>>>> = OnceLock::new();
        let mut gates = lock(GATES.get_or_init(Mutex::default));
        if let Some(gate) = gates.get(origin).and_then(Weak::upgrade) {
            return gate;
        }
        gates.retain(|_, gate| gate.strong_count() > 0);
        let gate = Arc::new(Gate::default());
        gates.insert(origin.to_owned(), Arc::downgrade(&gate));
        gate
    }

    pub(crate) fn waits(&self) -> Waits {
        lock(&self.state).waits
    }

    /// Pauses the host for `wait` (at most [`MAX_WAIT`]) from now. A pause under way is
    /// lengthened, not counted again.
    pub(crate) fn pause(&self, wait: Duration) {
        let now = Instant::now();
        let until = now + wait.min(MAX_WAIT);
        let mut state = lock(&self.state);
        match state.until {
            Some(current) if current > now => {
                if until > current {
                    state.waits.total += until - current;
                    state.until = Some(until);
                }
            }
            _ => {
                state.waits.count += 1;
                state.waits.total += until - now;
                state.until = Some(until);
            }
        }
    }

    /// Returns once the host is not paused; `Err` at `deadline` when the pause ends after it.
    pub(crate) async fn ready(&self, deadline: Option<Instant>) -> Result<(), PastDeadline> {
        loop {
            let until = match lock(&self.state).until {
                Some(until) if until > Instant::now() => until,
                _ => return Ok(()),
            };
            if let Some(deadline) = deadline.filter(|d| until > *d) {
                tokio::time::sleep_until(deadline.into()).await;
                return Err(PastDeadline);
            }
            // A pause lengthened meanwhile is found on the next turn.
            tokio::time::sleep_until(until.into()).await;
        }
    }
}

/// The host's pause ends after the deadline.
#[derive(Debug)]
pub(crate) struct PastDeadline;

impl PastDeadline {
    pub(crate) fn error(self, action: &'static str, target: &str) -> Error {
        Error::Registry {
            action,
            target: target.to_owned(),
            message: "rate limited: the registry asks us to wait past the deadline".to_owned(),
            status: Some(429),
            transient: false,
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How long `Retry-After` asks to wait: delay seconds or an HTTP date (a date past is no
/// wait). `None` without the header or when it cannot be read.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// How long until the quota comes back when the answer says it is spent
/// (`RateLimit-Remaining: 0`, Docker Hub writes `0;w=21600`), from `RateLimit-Reset` (delay
/// seconds, or Unix seconds when it is that large). `None` while some quota is left or the
/// reset is not said.
pub(crate) fn quota_reset(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let first_number = |name: &str| -> Option<u64> {
        let value = headers.get(name)?.to_str().ok()?;
        value.split([';', ',']).next()?.trim().parse().ok()
    };
    if first_number("ratelimit-remaining")? != 0 {
        return None;
    }
    let reset = first_number("ratelimit-reset")?;
    // Delay seconds are small; a Unix time is past 2001.
    if reset >= 1_000_000_000 {
        let at = UNIX_EPOCH + Duration::from_secs(reset);
        return Some(at.duration_since(now).unwrap_or(Duration::ZERO));
    }
    Some(Duration::from_secs(reset))
}

/// How a request passes its host's gate: the gate, the deadline, and the shortest wait (a
/// `Retry-After: 0` still waits this, so a registry cannot make us spin).
#[derive(Clone, Copy)]
pub(crate) struct Pacing<'a> {
    pub gate: &'a Gate,
    pub deadline: Option<Instant>,
    pub shortest: Duration,
}

impl Pacing<'_> {
    /// Waits for the gate, then sends; an answer saying the host is rate limited (429, or
    /// 503 with `Retry-After`) pauses the host and is sent again, up to [`MAX_WAITS`] times
    /// (then it is an error, not worth another attempt); an answer saying the quota is spent
    /// pauses the host for the requests after it.
    pub(crate) async fn send<F, Fut>(
        self,
        action: &'static str,
        target: &str,
        mut send: F,
    ) -> Result<reqwest::Response, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<reqwest::Response, Error>>,
    {
        let mut unsaid = self.shortest.max(Duration::from_millis(1));
        let mut waited = 0;
        loop {
            self.gate.ready(self.deadline).await.map_err(|e| e.error(action, target))?;
            let answer = send().await?;
            let (status, now) = (answer.status().as_u16(), SystemTime::now());
            let asked = retry_after(answer.headers(), now);
            let limited = status == 429 || (status == 503 && asked.is_some());
            let reset = quota_reset(answer.headers(), now);
            if !limited {
                if let Some(reset) = reset {
                    tracing::debug!(?reset, target, "the registry's quota is spent; pausing the host");
                    self.gate.pause(reset.max(self.shortest));
                }
                return Ok(answer);
            }
            if waited >= MAX_WAITS {
                return Err(Error::Registry {
                    action,
                    target: target.to_owned(),
                    message: format!("HTTP {status}: rate limited, still after {MAX_WAITS} waits"),
                    status: Some(status),
                    transient: false,
                });
            }
            let wait = asked.or(reset).unwrap_or(unsaid).max(self.shortest);
            unsaid = unsaid.saturating_mul(2).min(MAX_WAIT);
            tracing::debug!(?wait, status, target, "rate limited; pausing the host");
            self.gate.pause(wait);
            waited += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn retry_after_is_seconds_or_a_date() {
        let now = UNIX_EPOCH + Duration::from_secs(1_780_000_000);
        assert_eq!(retry_after(&headers(&[("retry-after", "7")]), now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(retry_after(&headers(&[("retry-after", &later)]), now), Some(Duration::from_secs(90)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(retry_after(&headers(&[("retry-after", &past)]), now), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")]), now), None);
        assert_eq!(retry_after(&headers(&[]), now), None);
    }

    #[test]
    fn a_spent_quota_waits_for_its_reset() {
        let now = UNIX_EPOCH + Duration::from_secs(1_780_000_000);
        let spent = |reset: &str| {
            quota_reset(&headers(&[("ratelimit-remaining", "0;w=21600"), ("ratelimit-reset", reset)]), now)
        };
        assert_eq!(spent("30"), Some(Duration::from_secs(30)));
        assert_eq!(spent("1780000045"), Some(Duration::from_secs(45)));
        let left = headers(&[("ratelimit-remaining", "3;w=21600"), ("ratelimit-reset", "30")]);
        assert_eq!(quota_reset(&left, now), None);
        assert_eq!(quota_reset(&headers(&[("ratelimit-remaining", "0")]), now), None);
    }

    #[tokio::test]
    async fn a_pause_is_capped_counted_once_however_many_join_it_and_ends_at_the_deadline() {
        let gate = Gate::default();
        gate.pause(Duration::from_secs(3600));
        let waits = gate.waits();
        assert_eq!(waits.count, 1);
        assert!(waits.total <= MAX_WAIT, "{waits:?}");
        // Another request told to wait less joins the pause: not a new one.
        gate.pause(Duration::from_secs(1));
        assert_eq!(gate.waits(), waits);
        let deadline = Instant::now() + Duration::from_millis(20);
        assert!(gate.ready(Some(deadline)).await.is_err());
        assert!(Instant::now() >= deadline);
        assert_eq!(Gate::default().ready(Some(Instant::now())).await.ok(), Some(()));
    }

    #[test]
    fn one_gate_per_origin() {
        let a = Gate::of("http://127.0.0.1:1/");
        a.pause(Duration::from_millis(1));
        assert_eq!(Gate::of("http://127.0.0.1:1/").waits().count, 1);
        assert_eq!(Gate::of("http://127.0.0.1:2/").waits().count, 0);
    }
}

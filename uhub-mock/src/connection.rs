//! One connection's clock: whether it waits for a request, is receiving a request's head or
//! is in a request, and when it has waited too long.
//!
//! hyper's own `header_read_timeout` starts as soon as a connection waits for a request, so
//! it would close idle keep-alive connections at the header timeout too. Here the two are
//! apart: the idle clock runs from the accept or the last reply, the header clock from the
//! first byte of a request. A request's body has its own deadline, kept by the server.
//!
//! [`Open`] knows every connection's clock so that, at the connection cap, the one that has
//! waited longest for a request makes room for a new one: otherwise a single process holding
//! idle sockets (it costs nothing) would make every other client wait out the idle timeout.

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Waiting for a request since this instant (the accept, or the last reply handed over).
    Idle(Instant),
    /// A request's head has been arriving since this instant.
    Head(Instant),
    /// A request is being read or answered.
    Request,
}

/// Why a connection's clock ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expired {
    Idle,
    Head,
    /// Closed to make room at the connection cap.
    Evicted,
}

/// The phase of one connection, moved on by its reads and its requests.
pub(crate) struct Clock {
    phase: watch::Sender<Phase>,
    header_read_timeout: Duration,
    idle_timeout: Duration,
    evict: Notify,
}

impl Clock {
    pub fn new(header_read_timeout: Duration, idle_timeout: Duration) -> Arc<Self> {
        let (phase, _) = watch::channel(Phase::Idle(Instant::now()));
        Arc::new(Clock { phase, header_read_timeout, idle_timeout, evict: Notify::new() })
    }

    /// How long this connection may be closed for room, and since when it has waited: an
    /// idle one before one whose head is arriving (that client is at least sending), never
    /// one in a request.
    fn waiting(&self) -> Option<(u8, Instant)> {
        match *self.phase.borrow() {
            Phase::Idle(since) => Some((0, since)),
            Phase::Head(since) => Some((1, since)),
            Phase::Request => None,
        }
    }

    fn bytes_arrived(&self) {
        self.phase.send_if_modified(|phase| match phase {
            Phase::Idle(_) => {
                *phase = Phase::Head(Instant::now());
                true
            }
            Phase::Head(_) | Phase::Request => false,
        });
    }

    /// Marks a request as begun; the connection is idle again when the guard drops.
    pub fn request(self: &Arc<Self>) -> InRequest {
        self.phase.send_replace(Phase::Request);
        InRequest(self.clone())
    }

    /// Resolves when the connection has been idle, or receiving a head, for too long, or
    /// was chosen to make room.
    pub async fn expired(&self) -> Expired {
        tokio::select! {
            why = self.timed_out() => why,
            _ = self.evict.notified() => Expired::Evicted,
        }
    }

    async fn timed_out(&self) -> Expired {
        let mut phase = self.phase.subscribe();
        loop {
            // A limit too far away to add up is no limit. A request has no clock here: its
            // body has a deadline of its own, and a latency fault may delay its answer on purpose.
            let (deadline, why) = match *phase.borrow_and_update() {
                Phase::Idle(since) => (since.checked_add(self.idle_timeout), Expired::Idle),
                Phase::Head(since) => (since.checked_add(self.header_read_timeout), Expired::Head),
                Phase::Request => (None, Expired::Idle),
            };
            tokio::select! {
                _ = sleep_until(deadline) => {
                    if !phase.has_changed().unwrap_or(false) {
                        return why;
                    }
                }
                _ = phase.changed() => {}
            }
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// The clocks of the open connections.
#[derive(Default)]
pub(crate) struct Open {
    next: AtomicU64,
    clocks: Mutex<HashMap<u64, Arc<Clock>>>,
}

impl Open {
    /// Counts `clock`'s connection as open until the returned guard drops.
    pub fn add(self: &Arc<Self>, clock: Arc<Clock>) -> Listed {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.clocks.lock().expect("open connections").insert(id, clock);
        Listed { open: self.clone(), id }
    }

    /// Closes the connection that has waited longest for a request (idle ones first);
    /// `false` when every open connection is in a request.
    pub fn evict_one(&self) -> bool {
        let clocks = self.clocks.lock().expect("open connections");
        let longest = clocks.values().filter_map(|clock| clock.waiting().map(|w| (w, clock))).min_by_key(|(w, _)| *w);
        match longest {
            Some((_, clock)) => {
                // A stored permit: the connection sees it even if it is not yet waiting on it.
                clock.evict.notify_one();
                true
            }
            None => false,
        }
    }
}

/// One connection's place in [`Open`].
pub(crate) struct Listed {
    open: Arc<Open>,
    id: u64,
}

impl Drop for Listed {
    fn drop(&mut self) {
        self.open.clocks.lock().expect("open connections").remove(&self.id);
    }
}

/// A request in progress on a connection; the connection is idle again when it drops.
pub(crate) struct InRequest(Arc<Clock>);

impl Drop for InRequest {
    fn drop(&mut self) {
        self.0.phase.send_replace(Phase::Idle(Instant::now()));
    }
}

/// A connection's stream that tells its clock when bytes arrive.
pub(crate) struct Watched<S> {
    inner: S,
    clock: Arc<Clock>,
}

impl<S> Watched<S> {
    pub fn new(inner: S, clock: Arc<Clock>) -> Self {
        Watched { inner, clock }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.clock.bytes_arrived();
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: Duration = Duration::from_secs(10);
    const IDLE: Duration = Duration::from_secs(60);

    #[tokio::test(start_paused = true)]
    async fn an_idle_connection_expires_after_the_idle_timeout() {
        let clock = Clock::new(HEAD, IDLE);
        let start = Instant::now();
        assert_eq!(clock.expired().await, Expired::Idle);
        assert_eq!(start.elapsed(), IDLE);
    }

    #[tokio::test(start_paused = true)]
    async fn the_header_clock_starts_at_the_first_byte() {
        let clock = Clock::new(HEAD, IDLE);
        tokio::time::advance(Duration::from_secs(30)).await;
        clock.bytes_arrived();
        let first_byte = Instant::now();
        clock.bytes_arrived(); // more of the same head does not restart it
        assert_eq!(clock.expired().await, Expired::Head);
        assert_eq!(first_byte.elapsed(), HEAD);
    }

    #[tokio::test(start_paused = true)]
    async fn room_is_made_by_the_longest_idle_connection_then_the_oldest_head_never_a_request() {
        let open = Arc::new(Open::default());
        let (busy, head, old_idle, new_idle) =
            (Clock::new(HEAD, IDLE), Clock::new(HEAD, IDLE), Clock::new(HEAD, IDLE), Clock::new(HEAD, IDLE));
        let _listed = [&busy, &head, &old_idle, &new_idle].map(|c| open.add((*c).clone()));
        head.bytes_arrived();
        let _request = busy.request();
        tokio::time::advance(Duration::from_secs(1)).await;
        new_idle.phase.send_replace(Phase::Idle(Instant::now()));

        let first = |clock: &Arc<Clock>| {
            let clock = clock.clone();
            async move { tokio::time::timeout(Duration::from_millis(1), clock.expired()).await.ok() }
        };
        assert!(open.evict_one());
        assert_eq!(first(&old_idle).await, Some(Expired::Evicted), "the one idle longest goes first");
        assert_eq!(first(&new_idle).await, None);
        drop(_listed);
        let open = Arc::new(Open::default());
        let _listed = [&busy, &head].map(|c| open.add((*c).clone()));
        assert!(open.evict_one());
        assert_eq!(first(&head).await, Some(Expired::Evicted), "then a head, even a newer one");
        assert_eq!(first(&busy).await, None);
        let _only_busy = open.add(busy.clone());
        drop(_listed);
        assert!(!open.evict_one(), "a connection in a request is never closed for room");
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_stops_the_clocks_and_its_end_restarts_the_idle_one() {
        let clock = Clock::new(HEAD, IDLE);
        clock.bytes_arrived();
        let request = clock.request();
        let waiting = tokio::time::timeout(IDLE * 10, clock.expired()).await;
        assert!(waiting.is_err(), "no limit while a request is in progress");
        drop(request);
        let replied = Instant::now();
        assert_eq!(clock.expired().await, Expired::Idle);
        assert_eq!(replied.elapsed(), IDLE);
    }
}

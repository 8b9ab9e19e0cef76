//! What a server shares between its connections: the handler, the counters and the log.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::{Handler, Received};

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) handler: Handler,
    record: bool,
    log: Mutex<Vec<Received>>,
    connections: AtomicUsize,
    requests: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// A request read and not yet answered; counted in flight until dropped.
pub(crate) struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Shared {
    pub(crate) fn new(handler: Handler, record: bool) -> Self {
        Shared {
            handler,
            record,
            log: Mutex::new(Vec::new()),
            connections: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        }
    }

    /// Counts an accepted connection; returns its index.
    pub(crate) fn connection_opened(&self) -> usize {
        self.connections.fetch_add(1, Ordering::SeqCst)
    }

    /// Counts a request that has been read; returns its index and its place in flight.
    pub(crate) fn request_arrived(&self) -> (usize, InFlight<'_>) {
        let index = self.requests.fetch_add(1, Ordering::SeqCst);
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        (index, InFlight(&self.in_flight))
    }

    /// Whether requests are kept for the log.
    pub(crate) fn records(&self) -> bool {
        self.record
    }

    pub(crate) fn record(&self, request: Received) {
        self.log.lock().unwrap_or_else(PoisonError::into_inner).push(request);
    }

    /// The recorded requests in order of arrival.
    pub(crate) fn requests(&self) -> Vec<Received> {
        let mut requests = self.log.lock().unwrap_or_else(PoisonError::into_inner).clone();
        // Connections record concurrently, so the log may hold two neighbours swapped.
        requests.sort_by_key(|r| r.index);
        requests
    }

    pub(crate) fn request_count(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    pub(crate) fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub(crate) fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }
}

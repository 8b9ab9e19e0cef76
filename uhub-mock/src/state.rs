//! The state the handle, the service and the server share: keys, store, fault rules, the
//! request log and the counters.
//!
//! It imports only the data it holds, none of which imports it back: the builder creates
//! it, the service reads and changes it, the server counts connections and requests in it.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use uhub_sdk::runtime::Secret;

use crate::counts::Counts;
use crate::faults::FaultRule;
use crate::request_log::RequestLog;
use crate::store::Store;

/// Everything one mock's handle, service and server see alike.
pub(crate) struct Shared {
    pub keys: BTreeMap<String, Secret>,
    pub store: Mutex<Store>,
    pub faults: Mutex<Vec<FaultRule>>,
    pub log: Mutex<RequestLog>,
    pub counts: Counts,
    /// Requests being read or answered.
    pub in_flight: Gauge,
    /// Connections open.
    pub connections: Gauge,
    pub drift: AtomicBool,
    next_request: AtomicU64,
}

impl Shared {
    pub fn new(keys: BTreeMap<String, Secret>, store: Store, faults: Vec<FaultRule>, drift: bool) -> Self {
        Shared {
            keys,
            store: Mutex::new(store),
            faults: Mutex::new(faults),
            log: Mutex::new(RequestLog::default()),
            counts: Counts::default(),
            in_flight: Gauge::default(),
            connections: Gauge::default(),
            drift: AtomicBool::new(drift),
            next_request: AtomicU64::new(1),
        }
    }

    /// A fresh value for `X-UCLOUD-REQUEST-UUID`.
    pub fn request_id(&self) -> String {
        let n = self.next_request.fetch_add(1, Ordering::Relaxed);
        format!("4d6f636b-0000-4000-8000-{n:012x}")
    }
}

/// How many of something are in progress, and the most there were at once.
#[derive(Debug, Default)]
pub(crate) struct Gauge {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl Gauge {
    /// Counts one more until the guard drops.
    pub fn enter(&self) -> Entered<'_> {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        Entered(self)
    }

    pub fn now(&self) -> usize {
        self.now.load(Ordering::SeqCst)
    }

    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    /// Starts the peak again from what is in progress now.
    pub fn reset_peak(&self) {
        self.peak.store(self.now(), Ordering::SeqCst);
    }
}

/// One counted in a [`Gauge`].
pub(crate) struct Entered<'a>(&'a Gauge);

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, Ordering::SeqCst);
    }
}

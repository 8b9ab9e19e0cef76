//! The state the handle, the service and the server share: keys, store, fault rules, the
//! request log and the counters.
//!
//! A leaf of the crate's module graph apart from the data it holds: the builder creates it,
//! the service reads and changes it, the server counts connections and requests in it.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use uhub_sdk::credentials::Secret;

use crate::counts::Counts;
use crate::faults::FaultRule;
use crate::request_log::RequestLog;
use crate::store::Store;

pub(crate) struct Shared {
    pub keys: BTreeMap<String, Secret>,
    pub store: Mutex<Store>,
    pub faults: Mutex<Vec<FaultRule>>,
    pub log: Mutex<RequestLog>,
    pub counts: Counts,
    pub in_flight: AtomicUsize,
    pub max_in_flight: AtomicUsize,
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
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
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

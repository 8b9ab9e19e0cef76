//! The builder, the running mock's handle, and the in-process service.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use uhub_sdk::runtime::Fields;
use uhub_sdk::runtime::Secret;
use uhub_sdk::{ClientBuilder, Endpoint};

use crate::faults::{AppliedChange, FaultRule};
use crate::limits::Limits;
use crate::request_log::RequestRecord;
use crate::state::Shared;
use crate::store::{RemovedTag, Repo, Store};
use crate::{demo, server, service};

/// The key pair a mock accepts when no other is registered, and the binary prints.
pub const DEMO_PUBLIC_KEY: &str = "uhub-mock-demo-public-key";
/// The private half of [`DEMO_PUBLIC_KEY`]. Not a secret: it only opens the mock.
pub const DEMO_PRIVATE_KEY: &str = "uhub-mock-demo-private-key";
/// The project requests without `ProjectId` act in, unless the builder names another.
pub const DEFAULT_PROJECT: &str = "org-demo";
/// A fake UHub. Start one with [`MockUHub::builder`].
#[derive(Debug)]
pub struct MockUHub(());

impl MockUHub {
    pub fn builder() -> MockBuilder {
        MockBuilder {
            keys: Vec::new(),
            repos: Vec::new(),
            faults: Vec::new(),
            drift: false,
            listen: None,
            default_project: DEFAULT_PROJECT.to_owned(),
            limits: Limits::default(),
            clock: None,
        }
    }
}

/// Settings and seed data of a mock before it starts.
#[derive(Debug)]
pub struct MockBuilder {
    keys: Vec<(String, Secret)>,
    repos: Vec<Repo>,
    faults: Vec<FaultRule>,
    drift: bool,
    listen: Option<SocketAddr>,
    default_project: String,
    limits: Limits,
    clock: Option<i64>,
}

impl MockBuilder {
    /// Accepts requests signed with this key pair; call again for more. With none, the mock
    /// accepts [`DEMO_PUBLIC_KEY`] / [`DEMO_PRIVATE_KEY`].
    pub fn key_pair(mut self, public_key: impl Into<String>, private_key: impl Into<String>) -> Self {
        self.keys.push((public_key.into(), Secret::new(private_key)));
        self
    }

    /// The project requests without `ProjectId` act in (default [`DEFAULT_PROJECT`]).
    pub fn default_project(mut self, project: impl Into<String>) -> Self {
        self.default_project = project.into();
        self
    }

    /// Adds the `demo` data: repositories `web` and `tools` (public), `backend` and
    /// `ml-models` (private), and `web/nginx` with 320 tags.
    pub fn seed_demo(mut self) -> Self {
        self.repos.extend(demo::repos());
        self
    }

    /// Adds a repository with its images and tags.
    pub fn repo(mut self, repo: Repo) -> Self {
        self.repos.push(repo);
        self
    }

    /// Starts with this fault rule in place.
    pub fn fault(mut self, rule: impl Into<FaultRule>) -> Self {
        self.faults.push(rule.into());
        self
    }

    /// Serves drifted shapes (see [`MockHandle::set_drift`]).
    pub fn drift(mut self, on: bool) -> Self {
        self.drift = on;
        self
    }

    /// Starts the fake clock at `unix_secs` instead of 2024-03-01 00:00:00 UTC: seeded data
    /// and later changes are stamped from there, a minute per change.
    pub fn clock(mut self, unix_secs: i64) -> Self {
        self.clock = Some(unix_secs);
        self
    }

    /// Listens on this address instead of a free port on 127.0.0.1.
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = Some(addr);
        self
    }

    /// How long a client may take to send a request's head, from its first byte (default
    /// [`DEFAULT_HEADER_READ_TIMEOUT`](crate::DEFAULT_HEADER_READ_TIMEOUT)). A connection
    /// stalled mid-head past it is closed without an answer.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_read_timeout = timeout;
        self
    }

    /// How long a client may take to send a request's body once its head arrived (default
    /// [`DEFAULT_BODY_READ_DEADLINE`](crate::DEFAULT_BODY_READ_DEADLINE)). Past it the mock
    /// answers HTTP 408 and closes the connection. A body announced over 1 MiB is answered
    /// HTTP 413 at once.
    pub fn body_read_deadline(mut self, deadline: Duration) -> Self {
        self.limits.body_read_deadline = deadline;
        self
    }

    /// How long a connection may wait for its first or next request (default
    /// [`DEFAULT_IDLE_TIMEOUT`](crate::DEFAULT_IDLE_TIMEOUT)). Past it the mock closes the
    /// connection; clients open a new one for their next call.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.idle_timeout = timeout;
        self
    }

    /// The most connections open at once (default
    /// [`DEFAULT_MAX_CONNECTIONS`](crate::DEFAULT_MAX_CONNECTIONS)). At the cap, a new
    /// connection closes the open one that has waited longest for a request (an idle one
    /// first, else one whose head is still arriving), so sockets held open and silent cannot
    /// keep other clients out. When every open connection is in a request, new ones wait in
    /// the listener's backlog until one ends: served late rather than refused.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.limits.max_connections = max;
        self
    }

    /// The mock without a server: answers one request's form fields at a time, in-process.
    /// Used for fuzzing the request path; faults other than latency apply as usual.
    pub fn build_service(self) -> MockService {
        let mut keys: BTreeMap<String, Secret> = self.keys.iter().cloned().collect();
        if keys.is_empty() {
            keys.insert(DEMO_PUBLIC_KEY.to_owned(), Secret::new(DEMO_PRIVATE_KEY));
        }
        let mut store = Store::new(self.default_project);
        if let Some(secs) = self.clock {
            store.set_clock(secs);
        }
        for repo in self.repos {
            store.seed(repo);
        }
        MockService { shared: Arc::new(Shared::new(keys, store, self.faults, self.drift)) }
    }

    /// Binds the address and starts serving on the current Tokio runtime. Fails with
    /// [`std::io::ErrorKind::InvalidInput`] when a timeout is zero or the connection cap is 0.
    pub async fn start(self) -> std::io::Result<MockHandle> {
        let limits = self.limits;
        limits.check().map_err(|problem| std::io::Error::new(std::io::ErrorKind::InvalidInput, problem))?;
        let (public_key, private_key) =
            self.keys.first().cloned().unwrap_or_else(|| (DEMO_PUBLIC_KEY.to_owned(), Secret::new(DEMO_PRIVATE_KEY)));
        let listen = self.listen;
        let shared = self.build_service().shared;
        let listener =
            tokio::net::TcpListener::bind(listen.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)))).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(server::serve(listener, shared.clone(), limits, stopped));
        Ok(MockHandle {
            addr,
            base_url: format!("http://{addr}"),
            public_key,
            private_key,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// A mock without its HTTP server; see [`MockBuilder::build_service`].
pub struct MockService {
    shared: Arc<Shared>,
}

impl fmt::Debug for MockService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockService").finish_non_exhaustive()
    }
}

impl MockService {
    /// The HTTP status and body the mock would send for a request with these form fields.
    pub fn answer(&self, fields: Fields) -> (u16, Vec<u8>) {
        let reply = service::process(&self.shared, fields);
        (reply.status, reply.body)
    }
}

/// A running mock. Dropping it (or [`MockHandle::shutdown`]) stops the server and closes
/// its connections.
pub struct MockHandle {
    addr: SocketAddr,
    base_url: String,
    public_key: String,
    private_key: Secret,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for MockHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockHandle").field("base_url", &self.base_url).field("public_key", &self.public_key).finish()
    }
}

impl MockHandle {
    /// `http://127.0.0.1:<port>`: the SDK's custom endpoint.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn endpoint(&self) -> Endpoint {
        Endpoint::Custom(self.base_url.clone())
    }

    /// The first registered public key (the demo one when none was registered).
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// The private half of [`Self::public_key`].
    pub fn private_key(&self) -> &str {
        self.private_key.expose()
    }

    /// A client builder pointed at the mock with its first key pair; add what else you need.
    pub fn client_builder(&self) -> ClientBuilder {
        uhub_sdk::Client::builder().keys(self.public_key.clone(), self.private_key.expose()).endpoint(self.endpoint())
    }

    /// Adds a fault rule; rules apply in the order they were added.
    pub fn inject(&self, rule: impl Into<FaultRule>) {
        self.shared.faults.lock().expect("faults lock").push(rule.into());
    }

    /// Pushes an existing tag of the default project again, as another client would: a new
    /// digest and push time. Returns the new digest, or `None` when the tag does not exist.
    /// To do it at a chosen moment, inject a [`Fault::Change`](crate::Fault::Change) rule.
    pub fn repush_tag(&self, repo: &str, image: &str, tag: &str) -> Option<String> {
        self.shared.store.lock().expect("store lock").repush(repo, image, tag)
    }

    /// Every tag a `DeleteRepoImage` request removed, with the digest it had, oldest first
    /// (the last [`HISTORY_CAPACITY`](crate::HISTORY_CAPACITY)). Changes made by rules are not
    /// in it: this is what clients deleted.
    pub fn removed_tags(&self) -> Vec<RemovedTag> {
        self.shared.store.lock().expect("store lock").removed()
    }

    /// The changes [`Fault::Change`](crate::Fault::Change) rules made, oldest first.
    pub fn applied_changes(&self) -> Vec<AppliedChange> {
        self.shared.store.lock().expect("store lock").changes()
    }

    pub fn clear_faults(&self) {
        self.shared.faults.lock().expect("faults lock").clear();
    }

    /// Serves the shapes the reference pages' examples show instead of their tables:
    /// `TotalCount` as a string, times as Unix seconds, `IsShared`/`IsOutSide` as JSON
    /// booleans, `RepoSet` items as plain names.
    pub fn set_drift(&self, on: bool) {
        self.shared.drift.store(on, Ordering::Relaxed);
    }

    /// Adds (or replaces) a repository while running.
    pub fn add_repo(&self, repo: Repo) {
        self.shared.store.lock().expect("store lock").seed(repo);
    }

    /// Sets the fake clock while running: the next change is stamped a minute after
    /// `unix_secs`.
    pub fn set_clock(&self, unix_secs: i64) {
        self.shared.store.lock().expect("store lock").set_clock(unix_secs);
    }

    /// Requests received for `action` (faulted and rejected ones included).
    ///
    /// Each action of the spec ([`uhub_sdk::ACTIONS`]) has its own counter. Every other
    /// `Action` (unknown, misspelt or missing) shares one, so that no request can add a
    /// counter: `requests("Bogus")` is the number of requests whose `Action` was not a spec
    /// action, whatever it was.
    pub fn requests(&self, action: &str) -> u64 {
        self.shared.counts.get(action)
    }

    /// Requests received, whatever their `Action` (the shared counter included).
    pub fn total_requests(&self) -> u64 {
        self.shared.counts.total()
    }

    /// The most requests that were being handled at once.
    pub fn max_in_flight(&self) -> usize {
        self.shared.in_flight.peak()
    }

    /// Connections open now.
    pub fn open_connections(&self) -> usize {
        self.shared.connections.now()
    }

    /// The most connections that were open at once; never more than
    /// [`MockBuilder::max_connections`].
    pub fn max_open_connections(&self) -> usize {
        self.shared.connections.peak()
    }

    /// Zeroes the request counters and the log, and starts the in-flight and open-connection
    /// peaks again from what is in progress now.
    pub fn reset_counters(&self) {
        self.shared.counts.clear();
        self.shared.in_flight.reset_peak();
        self.shared.connections.reset_peak();
        self.shared.log.lock().expect("log lock").clear();
    }

    /// The last [`crate::LOG_CAPACITY`] requests, oldest first.
    pub fn request_log(&self) -> Vec<RequestRecord> {
        self.shared.log.lock().expect("log lock").records()
    }

    /// Stops accepting, closes open connections and waits for the server to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

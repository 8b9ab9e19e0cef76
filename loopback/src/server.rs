//! The server: a listener on 127.0.0.1, its connections, what it saw, and stopping it.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::connection;
use crate::state::Shared;
use crate::{Handler, Received};

/// A running loopback server. Stopped when dropped: the listener closes and every open
/// connection is ended, whatever reply it was in the middle of.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Stop,
}

/// How the server runs, and so how dropping it stops it.
#[derive(Debug)]
enum Stop {
    /// A task on the runtime that started it: aborted.
    Task(tokio::task::JoinHandle<()>),
    /// Its own thread and runtime: told to stop, then joined.
    Thread { signal: Option<tokio::sync::oneshot::Sender<()>>, thread: Option<std::thread::JoinHandle<()>> },
}

/// Settings for a server; from [`Server::builder`].
#[derive(Clone, Debug)]
pub struct Builder {
    record: bool,
}

impl Server {
    /// Settings other than the defaults (which [`Server::start`] and [`Server::on_thread`] use).
    pub fn builder() -> Builder {
        Builder { record: true }
    }

    /// Starts a server on the current tokio runtime, recording every request.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, or if no loopback port can be bound: a test cannot go on.
    pub async fn start(handler: impl Into<Handler>) -> Server {
        Self::builder().start(handler).await
    }

    /// Starts a server on a thread of its own with its own single-threaded runtime, recording
    /// every request: for callers without a runtime, or whose runtime must not share its time
    /// with the server's.
    pub fn on_thread(handler: impl Into<Handler>) -> io::Result<Server> {
        Self::builder().on_thread(handler)
    }

    /// The address it listens on (127.0.0.1, a free port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far, in order of arrival (none when recording is off).
    pub fn requests(&self) -> Vec<Received> {
        self.shared.requests()
    }

    /// How many requests were read in full so far.
    pub fn request_count(&self) -> usize {
        self.shared.request_count()
    }

    /// How many connections were accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections()
    }

    /// The most requests that were ever read and not yet answered at the same moment.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        match &mut self.stop {
            Stop::Task(task) => task.abort(),
            Stop::Thread { signal, thread } => {
                drop(signal.take());
                if let Some(thread) = thread.take() {
                    let _ = thread.join();
                }
            }
        }
    }
}

impl Builder {
    /// Whether to keep every request for [`Server::requests`] (on by default). Off for long
    /// runs such as benchmarks, where the log would only grow; the counters count either way.
    pub fn record(mut self, record: bool) -> Self {
        self.record = record;
        self
    }

    /// [`Server::start`] with these settings.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, or if no loopback port can be bound.
    pub async fn start(self, handler: impl Into<Handler>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind 127.0.0.1:0: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("address of the loopback listener: {e}"));
        let shared = Arc::new(Shared::new(handler.into(), self.record));
        let task = tokio::spawn(accept(listener, shared.clone()));
        Server { addr, shared, stop: Stop::Task(task) }
    }

    /// [`Server::on_thread`] with these settings.
    pub fn on_thread(self, handler: impl Into<Handler>) -> io::Result<Server> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let shared = Arc::new(Shared::new(handler.into(), self.record));
        let (signal, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = shared.clone();
        let thread = std::thread::Builder::new().name(format!("loopback-{}", addr.port())).spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = TcpListener::from_std(listener) else { return };
                tokio::select! {
                    () = accept(listener, serving) => {}
                    _ = stopped => {}
                }
            });
            // Dropping the runtime here drops every connection still open.
        })?;
        Ok(Server { addr, shared, stop: Stop::Thread { signal: Some(signal), thread: Some(thread) } })
    }
}

/// Accepts connections until stopped; the connections end with it (dropping a `JoinSet`
/// aborts its tasks).
async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let index = shared.connection_opened();
                connections.spawn(connection::serve(stream, index, shared.clone()));
            }
            // Out of file descriptors, say: wait for some to be freed rather than stop serving.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
        while connections.try_join_next().is_some() {}
    }
}

//! Stopping a run cleanly: on SIGINT, SIGTERM or the `--timeout` deadline, no new deletion
//! starts, those in flight get [`GRACE`] to finish, and the report of what was done is still
//! printed (and written to the audit log). Outside a deletion the command simply ends.
//!
//! The state is process-wide, as signals are: [`listen`] installs the handlers once, and
//! [`stop`] is what the deadline calls.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::watch;

use crate::exit;

/// How long deletions in flight may take to finish once told to stop.
pub const GRACE: Duration = Duration::from_secs(10);

/// Why the run was told to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// SIGINT (Ctrl-C) or SIGTERM.
    Interrupted,
    /// `--timeout` ran out.
    TimedOut,
}

impl Reason {
    /// The error that ends a command stopped for this reason, with its exit status.
    pub fn error(self, what: &str) -> anyhow::Error {
        match self {
            Reason::Interrupted => exit::interrupted(format!("interrupted; {what}")),
            Reason::TimedOut => exit::timed_out(format!("gave up at --timeout; {what}")),
        }
    }
}

struct State {
    stop: watch::Sender<Option<Reason>>,
    /// Deletion runs under way: a stop then waits for them instead of ending the command.
    deleting: AtomicUsize,
}

fn state() -> &'static State {
    static STATE: OnceLock<State> = OnceLock::new();
    STATE.get_or_init(|| State { stop: watch::Sender::new(None), deleting: AtomicUsize::new(0) })
}

/// Tells the run to stop (the first reason given stays).
pub fn stop(reason: Reason) {
    state().stop.send_if_modified(|r| r.is_none() && r.replace(reason).is_none());
}

/// Why the run was told to stop, if it was.
pub fn reason() -> Option<Reason> {
    *state().stop.borrow()
}

/// Resolves once the run is told to stop.
pub async fn stopped() -> Reason {
    let mut rx = state().stop.subscribe();
    match rx.wait_for(Option::is_some).await {
        Ok(r) => r.unwrap_or(Reason::Interrupted),
        // The sender lives in a static: it is never dropped.
        Err(_) => std::future::pending().await,
    }
}

/// Whether a deletion run is under way.
pub fn deleting() -> bool {
    state().deleting.load(Ordering::SeqCst) > 0
}

/// Marks a deletion run as under way until dropped.
pub struct Deleting(());

impl Deleting {
    pub fn start() -> Deleting {
        state().deleting.fetch_add(1, Ordering::SeqCst);
        Deleting(())
    }
}

impl Drop for Deleting {
    fn drop(&mut self) {
        state().deleting.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Installs the SIGINT and SIGTERM handlers (at once, so no signal is missed): the first
/// signal asks the run to stop, a second one ends the process at once (status 130) for a user
/// who will not wait.
#[cfg(unix)]
pub fn listen() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) else {
        return; // without handlers the default applies: the process ends at once
    };
    tokio::spawn(async move {
        for seen in 1.. {
            let got = tokio::select! { i = int.recv() => i.is_some(), t = term.recv() => t.is_some() };
            if !got {
                return;
            }
            if seen > 1 {
                crate::terminal::output::note(
                    "uhub: interrupted again; exiting now (deletions in flight may have finished)",
                );
                std::process::exit(exit::Status::Interrupted as i32);
            }
            stop(Reason::Interrupted);
        }
    });
}

#[cfg(not(unix))]
pub fn listen() {
    tokio::spawn(async {
        if tokio::signal::ctrl_c().await.is_ok() {
            stop(Reason::Interrupted);
        }
    });
}

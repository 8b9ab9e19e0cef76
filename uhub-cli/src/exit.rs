//! Exit statuses, and the errors that choose one other than 1.

use std::fmt;
use std::process::ExitCode;

/// The documented exit statuses (also in `uhub --help`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok = 0,
    /// Any error not listed below.
    Error = 1,
    /// Bad arguments, or a destructive command with no `--yes` and no terminal to ask on.
    Usage = 2,
    /// A prune plan larger than `--max-delete`; nothing was deleted.
    TooManyDeletions = 3,
    /// Some deletions failed; the report lists them.
    PartialFailure = 4,
    /// `--timeout` (or wait's deadline) ran out; a deletion run printed what it did first.
    TimedOut = 5,
    /// Some tags changed since the plan (pushed again, or a digest that no longer matches)
    /// and were left alone; nothing failed. Status 4 wins when something failed too.
    ChangedSincePlan = 6,
    /// The user declined at the prompt; nothing was changed.
    Declined = 7,
    /// SIGINT or SIGTERM; a deletion run printed what it did first (128 + SIGINT's 2).
    Interrupted = 130,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        ExitCode::from(status as u8)
    }
}

/// An error that ends the command with a particular status.
#[derive(Debug)]
pub struct Failure {
    pub status: Status,
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// Misuse of the command line; the message says what to type instead.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    Failure { status: Status::Usage, message: message.into() }.into()
}

pub fn too_many_deletions(message: impl Into<String>) -> anyhow::Error {
    Failure { status: Status::TooManyDeletions, message: message.into() }.into()
}

pub fn timed_out(message: impl Into<String>) -> anyhow::Error {
    Failure { status: Status::TimedOut, message: message.into() }.into()
}

pub fn declined(message: impl Into<String>) -> anyhow::Error {
    Failure { status: Status::Declined, message: message.into() }.into()
}

pub fn interrupted(message: impl Into<String>) -> anyhow::Error {
    Failure { status: Status::Interrupted, message: message.into() }.into()
}

/// The status an error ends the command with.
pub fn status_of(error: &anyhow::Error) -> Status {
    error.chain().find_map(|e| e.downcast_ref::<Failure>()).map_or(Status::Error, |f| f.status)
}

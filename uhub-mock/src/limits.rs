//! How long a client may take over each part of a request, and how many connections may be
//! open: the settings that keep the mock bounded whatever its clients do.

use std::time::Duration;

/// Default of `MockBuilder::header_read_timeout`.
/// A request head is a few hundred bytes that clients send in one write; ten seconds
/// forgive a loaded CI machine.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Default of `MockBuilder::body_read_deadline`.
/// Bodies are at most 1 MiB (UHub's are a few hundred bytes); thirty seconds allow even the
/// largest at about 35 KB/s.
pub const DEFAULT_BODY_READ_DEADLINE: Duration = Duration::from_secs(30);

/// Default of `MockBuilder::idle_timeout`. A minute keeps
/// a client's pooled connection through the pauses of a test run, and frees a slot held by
/// a client that went quiet.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Default of `MockBuilder::max_connections`. Well
/// under the common limit of 1024 open files even when the clients run in the same process
/// (each loopback connection is then two files), and far more than tests open at once.
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

/// Request bodies larger than this are refused; UHub requests are a few hundred bytes.
pub(crate) const MAX_REQUEST_BYTES: usize = 1 << 20;

/// The connection settings of one mock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limits {
    pub header_read_timeout: Duration,
    pub body_read_deadline: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            body_read_deadline: DEFAULT_BODY_READ_DEADLINE,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

impl Limits {
    /// Refuses settings that would stop the mock serving anyone, naming the builder setting.
    pub fn check(&self) -> Result<(), String> {
        let timeouts = [
            ("header_read_timeout", self.header_read_timeout),
            ("body_read_deadline", self.body_read_deadline),
            ("idle_timeout", self.idle_timeout),
        ];
        if let Some((name, _)) = timeouts.iter().find(|(_, limit)| limit.is_zero()) {
            return Err(format!("MockBuilder::{name} must be longer than zero"));
        }
        if self.max_connections == 0 {
            return Err("MockBuilder::max_connections must be at least 1".to_owned());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_limits_are_refused_by_name() {
        assert_eq!(Limits::default().check(), Ok(()));
        let no_idle = Limits { idle_timeout: Duration::ZERO, ..Limits::default() };
        assert_eq!(no_idle.check().unwrap_err(), "MockBuilder::idle_timeout must be longer than zero");
        let no_connections = Limits { max_connections: 0, ..Limits::default() };
        assert!(no_connections.check().unwrap_err().contains("max_connections"));
    }
}

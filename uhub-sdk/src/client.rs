//! The state every call of a client shares: transport, credentials, defaults and policies.
//!
//! A generated `Client` is a thin wrapper around one [`ClientCore`]; cloning either is cheap,
//! and clones share one connection pool.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::credentials::Credentials;
use crate::retry::RetryPolicy;
use crate::transport::Transport;

/// The wire name of the project parameter, which clients fill in from their default.
pub(crate) const PROJECT_ID: &str = "ProjectId";

/// What a client is, apart from its typed methods. Made by [`crate::runtime::ClientBuilder`].
#[derive(Clone)]
pub struct ClientCore {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub transport: Transport,
    pub credentials: Credentials,
    /// Values of common parameters sent when a call does not set its own (`ProjectId`, ...),
    /// by wire name.
    pub defaults: Vec<(String, String)>,
    pub call_timeout: Option<Duration>,
    pub retry: RetryPolicy,
    /// The most items the lists of one response may hold together.
    pub max_list_items: usize,
    /// For `Debug` only: the user agent, and the proxy with its password hidden.
    pub user_agent: String,
    pub proxy: Option<String>,
    /// The proxy's password, masked in errors should the proxy echo it.
    pub proxy_password: Option<crate::credentials::Secret>,
}

impl ClientCore {
    /// The base URL calls are posted to.
    pub fn base_url(&self) -> &str {
        &self.inner.transport.base_url
    }

    /// The default of a common parameter, by wire name.
    pub fn default_param(&self, name: &str) -> Option<&str> {
        self.inner.defaults.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The project used by calls that do not name their own.
    pub fn project_id(&self) -> Option<&str> {
        self.default_param(PROJECT_ID)
    }

    /// The credentials calls are signed with (their `Debug` hides the secrets).
    pub fn credentials(&self) -> &Credentials {
        &self.inner.credentials
    }

    /// Time allowed for one attempt.
    pub fn attempt_timeout(&self) -> Duration {
        self.inner.transport.attempt_timeout
    }
}

impl fmt::Debug for ClientCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &*self.inner;
        f.debug_struct("Client")
            .field("base_url", &crate::url::redact(&i.transport.base_url))
            .field("credentials", &i.credentials)
            .field("defaults", &i.defaults)
            .field("user_agent", &i.user_agent)
            .field("channel_key", &i.transport.channel_key)
            .field("attempt_timeout", &i.transport.attempt_timeout)
            .field("call_timeout", &i.call_timeout)
            .field("retry", &i.retry)
            .field("max_list_items", &i.max_list_items)
            .field("proxy", &i.proxy)
            .finish_non_exhaustive()
    }
}

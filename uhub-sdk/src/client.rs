//! The client and its builder. A client is cheap to clone: clones share one connection pool.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tracing::Instrument;

use crate::config::ConfigSource;
use crate::credentials::Credentials;
use crate::encode::Form;
use crate::error::Error;
use crate::generated::Endpoint;
use crate::retry::RetryPolicy;
use crate::transport::{self, Reply};

/// Default limit on a response body: far above any real UHub reply, far below harm.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);

/// A UHub client. Create one with [`Client::builder`] and share it (clones are cheap).
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub http: reqwest::Client,
    pub base_url: String,
    /// `base_url` parsed once, not on every attempt.
    pub url: reqwest::Url,
    pub credentials: Credentials,
    pub project_id: Option<String>,
    pub user_agent: String,
    /// `user_agent` as a header value, checked at build time.
    pub user_agent_header: reqwest::header::HeaderValue,
    pub attempt_timeout: Duration,
    pub call_timeout: Option<Duration>,
    pub max_response_bytes: usize,
    pub retry: RetryPolicy,
    /// The proxy set with [`ClientBuilder::proxy`], password redacted (for `Debug` only).
    pub proxy: Option<String>,
}

/// Per-call settings that override the client's.
#[derive(Clone, Debug, Default)]
pub(crate) struct CallOptions {
    pub retry: Option<RetryPolicy>,
    pub call_timeout: Option<Duration>,
}

impl Client {
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment and ucloud-cli's shared files alone:
    /// `Client::builder().from_env().build()`. See [`crate::config`] for the variables, the
    /// files and the precedence.
    pub fn from_env() -> Result<Client, Error> {
        Client::builder().from_env().build()
    }

    /// The base URL calls are posted to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The project used by calls that do not name their own.
    pub fn project_id(&self) -> Option<&str> {
        self.inner.project_id.as_deref()
    }

    /// The credentials calls are signed with (their `Debug` hides the secrets).
    pub fn credentials(&self) -> &Credentials {
        &self.inner.credentials
    }

    /// Time allowed for one attempt.
    pub fn attempt_timeout(&self) -> Duration {
        self.inner.attempt_timeout
    }

    /// Sends one call: signs and posts `form`, retrying as the policy allows, and hands each
    /// successful HTTP reply to `decode`, whose error (a RetCode, say) may be retried too.
    ///
    /// Not generic, so each action adds only its thin typed wrapper to the binary.
    pub(crate) async fn execute(
        &self,
        action: &'static str,
        idempotent: bool,
        form: Form,
        project_id: Option<&str>,
        options: &CallOptions,
        decode: &mut (dyn FnMut(Reply) -> Result<(), Error> + Send),
    ) -> Result<(), Error> {
        let inner = &*self.inner;
        let policy = options.retry.as_ref().unwrap_or(&inner.retry);
        let body = transport::signed_form(inner, action, form, project_id).to_body();
        let span =
            tracing::info_span!("uhub.call", action, attempts = tracing::field::Empty, outcome = tracing::field::Empty);
        let mut attempts = 0;
        let deadline = options.call_timeout.or(inner.call_timeout);
        let call_started = Instant::now();
        let attempt_loop = async {
            loop {
                attempts += 1;
                let started = Instant::now();
                let result = transport::attempt(inner, action, body.clone()).await;
                let result = result.and_then(|reply| {
                    let request_id = reply.request_id.clone();
                    decode(reply).map(|()| request_id)
                });
                match result {
                    Ok(request_id) => {
                        tracing::debug!(
                            attempt = attempts,
                            request_id,
                            elapsed_ms = started.elapsed().as_millis() as u64,
                            "attempt succeeded"
                        );
                        return Ok(());
                    }
                    Err(e) if policy.should_retry(&e, attempts, idempotent) => {
                        // The server's Retry-After is a floor; a wait that would overrun the
                        // call's deadline is pointless, so the error is returned instead.
                        let wait = policy.backoff(attempts).max(e.retry_after().unwrap_or_default());
                        if deadline.is_some_and(|d| call_started.elapsed() + wait >= d) {
                            return Err(e);
                        }
                        tracing::warn!(attempt = attempts, request_id = e.request_id(), error = %e, wait_ms = wait.as_millis() as u64, "retrying");
                        tokio::time::sleep(wait).await;
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        let result = async {
            match deadline {
                Some(d) => tokio::time::timeout(d, attempt_loop)
                    .await
                    .unwrap_or_else(|_| Err(Error::timeout(action, format!("call deadline of {d:?} exceeded")))),
                None => attempt_loop.await,
            }
        }
        .instrument(span.clone())
        .await;
        span.record("attempts", attempts);
        span.record("outcome", if result.is_ok() { "ok" } else { "error" });
        result.map_err(|e| e.with_attempts(attempts))
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &*self.inner;
        f.debug_struct("Client")
            .field("base_url", &i.base_url)
            .field("credentials", &i.credentials)
            .field("project_id", &i.project_id)
            .field("user_agent", &i.user_agent)
            .field("attempt_timeout", &i.attempt_timeout)
            .field("call_timeout", &i.call_timeout)
            .field("retry", &i.retry)
            .field("proxy", &i.proxy)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`]. Only credentials are required; the endpoint defaults to UCloud.
///
/// With [`ClientBuilder::from_env`], settings left unset here are read from the environment,
/// then from ucloud-cli's shared files: builder > environment > files > defaults (see
/// [`crate::config`]).
#[derive(Default)]
pub struct ClientBuilder {
    source: Option<ConfigSource>,
    profile: Option<String>,
    proxy: Option<String>,
    credentials: Option<Credentials>,
    endpoint: Option<Endpoint>,
    project_id: Option<String>,
    connect_timeout: Option<Duration>,
    attempt_timeout: Option<Duration>,
    call_timeout: Option<Duration>,
    user_agent_suffix: Option<String>,
    http: Option<reqwest::Client>,
    max_response_bytes: Option<usize>,
    retry: Option<RetryPolicy>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("credentials", &self.credentials)
            .field("endpoint", &self.endpoint)
            .field("project_id", &self.project_id)
            .field("source", &self.source)
            .field("profile", &self.profile)
            .field("proxy", &self.proxy.as_deref().map(redact_url))
            .field("attempt_timeout", &self.attempt_timeout)
            .field("call_timeout", &self.call_timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Fill settings left unset on this builder from the process environment and ucloud-cli's
    /// shared files (`~/.ucloud/config.json`, `~/.ucloud/credential.json`). Values set on the
    /// builder always win, whether set before or after this call; the environment beats the
    /// files. See [`crate::config`].
    #[allow(clippy::wrong_self_convention)] // a builder step, named for what it reads
    pub fn from_env(self) -> Self {
        self.config_source(ConfigSource::from_env())
    }

    /// Like [`Self::from_env`], with variables and home directory of your choosing (tests).
    pub fn config_source(mut self, source: ConfigSource) -> Self {
        self.source = Some(source);
        self
    }

    /// The profile of the shared files to use (wins over `UCLOUD_PROFILE`); it must exist.
    /// Needs [`Self::from_env`] or [`Self::config_source`].
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    /// Send every request through this proxy (`http://host:port`, `socks5://...` needs
    /// reqwest's `socks` feature), instead of the `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`/
    /// `NO_PROXY` environment variables that are honoured otherwise. Credentials may be given
    /// as `http://user:password@host:port`; `Debug` hides the password. Not compatible with
    /// [`Self::http_client`], whose proxy settings are its own.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// The API key pair (from the console's API key page).
    pub fn keys(self, public_key: impl Into<String>, private_key: impl Into<String>) -> Self {
        self.credentials(Credentials::new(public_key, private_key))
    }

    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// A provider preset or a custom base URL (`Endpoint::Custom("http://127.0.0.1:8080".into())`).
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// The project used by calls that do not set their own.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// Time allowed to open a connection (default 10 s). Ignored with [`Self::http_client`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Time allowed for one attempt, from sending to the last byte of the body (default 30 s).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Time allowed for a whole call, retries and backoff included (default: no limit beyond
    /// attempts × attempt timeout).
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = Some(timeout);
        self
    }

    /// Appended to the `User-Agent` header after `uhub-sdk/<version>`.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Use this HTTP client (its pool, proxy and TLS settings) instead of building one.
    ///
    /// This crate enables reqwest without a bundled TLS crypto provider. If nothing else in
    /// your build enables one and you build the `reqwest::Client` before any UHub client,
    /// install one first: `rustls::crypto::ring::default_provider().install_default()`.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Refuse response bodies larger than this (default 64 MiB).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// The retry policy of every call (per-call overrides win).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    pub fn build(self) -> Result<Client, Error> {
        let config = match &self.source {
            Some(source) => source.load(self.profile.as_deref())?,
            None if self.profile.is_some() => {
                return Err(Error::config(
                    "ClientBuilder::profile needs a configuration source: call ClientBuilder::from_env",
                ));
            }
            None => Default::default(),
        };
        let credentials = match self.credentials {
            Some(credentials) => credentials,
            None if self.source.is_some() => config.credentials()?.clone(),
            None => {
                return Err(Error::config(
                    "no credentials: set them with ClientBuilder::keys or ClientBuilder::credentials, \
                     or read UCLOUD_PUBLIC_KEY and UCLOUD_PRIVATE_KEY with ClientBuilder::from_env",
                ));
            }
        };
        if credentials.public_key().is_empty() || credentials.private_key().expose().is_empty() {
            return Err(Error::config("the public and the private key must both be non-empty"));
        }
        let endpoint = self.endpoint.or_else(|| config.endpoint().cloned()).unwrap_or(Endpoint::UCloud);
        let base_url = validate_base_url(endpoint.base_url())?;
        let http = match self.http {
            Some(_) if self.proxy.is_some() => {
                return Err(Error::config(
                    "ClientBuilder::proxy has no effect with ClientBuilder::http_client: set the proxy on that client",
                ));
            }
            Some(http) => http,
            None => {
                // reqwest is built without a bundled crypto provider; ring is the lighter one.
                // Installing fails only when the program already chose one, which we then use.
                let _ = rustls::crypto::ring::default_provider().install_default();
                let mut builder =
                    reqwest::Client::builder().connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT));
                if let Some(url) = &self.proxy {
                    // The error never quotes the URL, which may hold a password.
                    let proxy = reqwest::Proxy::all(url.as_str())
                        .map_err(|e| Error::config(format!("invalid proxy URL (ClientBuilder::proxy): {e}")))?;
                    builder = builder.proxy(proxy);
                }
                builder.build().map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))?
            }
        };
        let mut user_agent = format!("uhub-sdk/{}", env!("CARGO_PKG_VERSION"));
        if let Some(suffix) = self.user_agent_suffix.filter(|s| !s.is_empty()) {
            user_agent.push(' ');
            user_agent.push_str(&suffix);
        }
        let user_agent_header = reqwest::header::HeaderValue::from_str(&user_agent).map_err(|_| {
            Error::config("the user-agent suffix (ClientBuilder::user_agent_suffix) holds characters a header cannot")
        })?;
        let url = reqwest::Url::parse(&base_url).map_err(|e| Error::config(format!("invalid base URL: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                url,
                base_url,
                credentials,
                project_id: self.project_id.or_else(|| config.project_id().map(str::to_owned)),
                user_agent,
                user_agent_header,
                attempt_timeout: self.attempt_timeout.or(config.attempt_timeout()).unwrap_or(DEFAULT_ATTEMPT_TIMEOUT),
                call_timeout: self.call_timeout,
                max_response_bytes: self.max_response_bytes.unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
                retry: self.retry.unwrap_or_default(),
                proxy: self.proxy.as_deref().map(redact_url),
            }),
        })
    }
}

/// Accepts absolute http(s) URLs only, so a typo fails at build time rather than on first call.
pub(crate) fn validate_base_url(url: &str) -> Result<String, Error> {
    let parsed = reqwest::Url::parse(url).map_err(|e| Error::config(format!("invalid base URL {url:?}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::config(format!("invalid base URL {url:?}: the scheme must be http or https")));
    }
    Ok(url.to_owned())
}

/// The URL with its password (if any) replaced, for `Debug`; unparsable URLs are hidden whole.
fn redact_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("REDACTED"));
            }
            parsed.to_string()
        }
        Err(_) => "<unparsable URL>".to_owned(),
    }
}

//! Configures and builds a client: settings from the builder, the environment and ucloud-cli's
//! files (see [`crate::config`]), checked once, into a [`ClientCore`] that a generated client
//! wraps.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::client::{ClientCore, Inner, PROJECT_ID};
use crate::config::{ConfigSource, ConfiguredEndpoint};
use crate::credentials::Credentials;
use crate::error::Error;
use crate::retry::RetryPolicy;
use crate::service::{Service, Target};
use crate::transport::Transport;

/// Default limit on a response body: far above any real UHub reply, far below harm.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);

/// Configures a client of service `C` (the generated `Client`). Only credentials are required;
/// the endpoint defaults to the spec's first provider (UCloud).
///
/// With [`ClientBuilder::from_env`], settings left unset here are read from the environment,
/// then from ucloud-cli's shared files: builder > environment > files > defaults (see
/// [`crate::config`]).
pub struct ClientBuilder<C: Service> {
    source: Option<ConfigSource>,
    profile: Option<String>,
    proxy: Option<String>,
    credentials: Option<Credentials>,
    endpoint: Option<C::Endpoint>,
    defaults: Vec<(String, String)>,
    connect_timeout: Option<Duration>,
    attempt_timeout: Option<Duration>,
    call_timeout: Option<Duration>,
    user_agent_suffix: Option<String>,
    channel_key: Option<String>,
    http: Option<reqwest::Client>,
    max_response_bytes: Option<usize>,
    max_list_items: Option<usize>,
    retry: Option<RetryPolicy>,
    service: PhantomData<fn() -> C>,
}

impl<C: Service> Default for ClientBuilder<C> {
    fn default() -> Self {
        ClientBuilder {
            source: None,
            profile: None,
            proxy: None,
            credentials: None,
            endpoint: None,
            defaults: Vec::new(),
            connect_timeout: None,
            attempt_timeout: None,
            call_timeout: None,
            user_agent_suffix: None,
            channel_key: None,
            http: None,
            max_response_bytes: None,
            max_list_items: None,
            retry: None,
            service: PhantomData,
        }
    }
}

impl<C: Service> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("credentials", &self.credentials)
            .field("endpoint", &self.endpoint.as_ref().map(|e| crate::url::redact(e.base_url())))
            .field("defaults", &self.defaults)
            .field("source", &self.source)
            .field("profile", &self.profile)
            .field("proxy", &self.proxy.as_deref().map(crate::url::redact))
            .field("attempt_timeout", &self.attempt_timeout)
            .field("call_timeout", &self.call_timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl<C: Service> ClientBuilder<C> {
    /// A builder with nothing set.
    pub fn new() -> Self {
        Self::default()
    }

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
    pub fn endpoint(mut self, endpoint: C::Endpoint) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// The project used by calls that do not set their own.
    pub fn project_id(self, project_id: impl Into<String>) -> Self {
        self.default_param(PROJECT_ID, project_id)
    }

    /// The value of a common parameter (by wire name, such as `ProjectId`) for calls that do
    /// not set their own.
    pub fn default_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.defaults.retain(|(n, _)| *n != name);
        self.defaults.push((name, value.into()));
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

    /// The channel key of a dedicated channel that shares the main API host, sent as the
    /// `channel-key` header (wins over `UCLOUD_CHANNEL_KEY` and the profile's `channel_key`).
    /// A wrong one gets `RetCode` 174, which is not retried.
    pub fn channel_key(mut self, key: impl Into<String>) -> Self {
        self.channel_key = Some(key.into());
        self
    }

    /// Use this HTTP client (its pool, proxy and TLS settings) instead of building one.
    ///
    /// Redirects are refused whatever its redirect policy says: a 3xx is an error naming where it
    /// pointed, because following it would re-send the signed form elsewhere.
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

    /// Refuse responses whose lists hold more than this many items together (default
    /// [`crate::DEFAULT_MAX_LIST_ITEMS`], 100,000; at least 1). The check runs while
    /// the body is decoded, so a body of millions of tiny items costs no more than this many.
    pub fn max_list_items(mut self, items: usize) -> Self {
        self.max_list_items = Some(items.max(1));
        self
    }

    /// The retry policy of every call (per-call overrides win).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    pub fn build(self) -> Result<C, Error> {
        let config = match &self.source {
            Some(source) => source.load_with(self.profile.as_deref(), self.credentials.is_some())?,
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
        // A configured endpoint is checked even when the builder's wins: it is a mistake worth hearing about.
        let configured = config.endpoint().map(resolve::<C::Endpoint>).transpose()?;
        let endpoint = self.endpoint.or(configured).unwrap_or_else(C::Endpoint::default_provider);
        let base_url = endpoint.base_url().to_owned();
        let url = crate::url::base_url(&base_url, "ClientBuilder::endpoint")?;
        let http = match self.http {
            Some(_) if self.proxy.is_some() => {
                return Err(Error::config(
                    "ClientBuilder::proxy has no effect with ClientBuilder::http_client: set the proxy on that client",
                ));
            }
            Some(http) => http,
            None => build_http(self.connect_timeout, self.proxy.as_deref(), self.source.as_ref())?,
        };
        let channel_key = match self.channel_key.or_else(|| config.channel_key().map(str::to_owned)) {
            Some(key) => Some(reqwest::header::HeaderValue::from_str(&key).map_err(|_| {
                Error::config("the channel key (ClientBuilder::channel_key, UCLOUD_CHANNEL_KEY or channel_key) holds characters a header cannot")
            })?),
            None => None,
        };
        let mut user_agent = format!("uhub-sdk/{}", env!("CARGO_PKG_VERSION"));
        if let Some(suffix) = self.user_agent_suffix.filter(|s| !s.is_empty()) {
            user_agent.push(' ');
            user_agent.push_str(&suffix);
        }
        let user_agent_header = reqwest::header::HeaderValue::from_str(&user_agent).map_err(|_| {
            Error::config("the user-agent suffix (ClientBuilder::user_agent_suffix) holds characters a header cannot")
        })?;
        let mut defaults = self.defaults;
        if let Some(project) = config.project_id() {
            if !defaults.iter().any(|(n, _)| n == PROJECT_ID) {
                defaults.push((PROJECT_ID.to_owned(), project.to_owned()));
            }
        }
        let transport = Transport {
            http,
            base_url,
            url,
            user_agent: user_agent_header,
            channel_key,
            attempt_timeout: self.attempt_timeout.or(config.attempt_timeout()).unwrap_or(DEFAULT_ATTEMPT_TIMEOUT),
            max_response_bytes: self.max_response_bytes.unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
        };
        let core = ClientCore {
            inner: Arc::new(Inner {
                transport,
                credentials,
                defaults,
                call_timeout: self.call_timeout,
                retry: self.retry.unwrap_or_default(),
                max_list_items: self.max_list_items.unwrap_or(crate::decode::DEFAULT_MAX_LIST_ITEMS),
                user_agent,
                proxy: self.proxy.as_deref().map(crate::url::redact),
                // As written in the URL: a password without reserved characters, as most are,
                // is the same decoded.
                proxy_password: self
                    .proxy
                    .as_deref()
                    .and_then(|p| reqwest::Url::parse(p).ok())
                    .and_then(|u| u.password().map(crate::credentials::Secret::new)),
            }),
        };
        Ok(C::from_core(core))
    }
}

/// The endpoint the environment or a shared file names, checked.
fn resolve<E: Target>(configured: &ConfiguredEndpoint) -> Result<E, Error> {
    match configured {
        // Checked when the configuration was read.
        ConfiguredEndpoint::Url { url, .. } => Ok(E::custom(url.clone())),
        ConfiguredEndpoint::Provider { name, origin } => E::from_provider_name(name).ok_or_else(|| {
            Error::config(format!("{origin}={name:?} is not a provider; use one of {}", E::provider_names().join(", ")))
        }),
    }
}

/// The variables reqwest reads its proxies from, when no proxy is set on the builder.
const PROXY_VARS: &[&str] = &["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"];

fn build_http(
    connect_timeout: Option<Duration>,
    proxy: Option<&str>,
    source: Option<&ConfigSource>,
) -> Result<reqwest::Client, Error> {
    // reqwest is built without a bundled crypto provider; ring is the lighter one. Installing
    // fails only when the program already chose one, which we then use.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .connect_timeout(connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
        // Never follow: the transport refuses 3xx itself, and this keeps a redirect from
        // re-sending the signed form before it can.
        .redirect(reqwest::redirect::Policy::none());
    match proxy {
        Some(url) => {
            let url = checked_proxy(url, "ClientBuilder::proxy")?;
            // The error never quotes the URL, which may hold a password.
            let proxy = reqwest::Proxy::all(url.as_str())
                .map_err(|e| Error::config(format!("invalid proxy URL (ClientBuilder::proxy): {e}")))?;
            builder = builder.proxy(proxy);
        }
        None => {
            // reqwest reads these itself, and would skip one it cannot use, sending requests
            // direct past the proxy the user named: refuse that instead.
            for name in PROXY_VARS {
                let value = match source {
                    Some(source) => source.var(name)?,
                    None => match std::env::var_os(name) {
                        None => None,
                        Some(v) => Some(v.into_string().map_err(|_| {
                            Error::config(format!(
                                "{name} is set but is not valid UTF-8; set it to UTF-8 text or unset it"
                            ))
                        })?)
                        .filter(|v| !v.is_empty()),
                    },
                };
                if let Some(value) = value {
                    checked_proxy(&value, name)?;
                }
            }
        }
    }
    builder.build().map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))
}

/// A proxy URL reqwest will use as given: `http://` in front when it names no scheme (how
/// reqwest reads it anyway), and only schemes this build can speak. Errors name `origin`, never
/// the URL, which may hold a password.
fn checked_proxy(url: &str, origin: &str) -> Result<String, Error> {
    let url = crate::url::with_scheme(url).into_owned();
    let scheme = url.split("://").next().unwrap_or_default().to_ascii_lowercase();
    match scheme.as_str() {
        "http" | "https" => Ok(url),
        "socks4" | "socks4a" | "socks5" | "socks5h" => Err(Error::config(format!(
            "{origin}: a {scheme} proxy needs reqwest's `socks` feature, which this build does not enable; use an http(s) proxy"
        ))),
        _ => Err(Error::config(format!(
            "{origin}: the proxy's scheme {scheme:?} cannot carry requests; use http:// or https://"
        ))),
    }
}

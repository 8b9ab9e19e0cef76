//! One registry host and its credentials. oci-client does the protocol (mounts, streamed blob
//! reads and writes, manifest pushes); manifests are read and HEADed, blobs HEADed, by our own
//! requests, because oci-client reads a manifest's body whole with no bound (and on a HEAD
//! without a digest falls back to such a GET), and hides the headers a rate limit is read
//! from. Every request passes the host's gate ([`crate::pace`]) first.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine;
use bytes::Bytes;
use futures::{Stream, StreamExt};
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::OciDistributionError;
use oci_client::secrets::RegistryAuth;
use oci_client::token_cache::{RegistryToken, RegistryTokenType};
use oci_client::{Client, RegistryOperation};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};

use crate::auth;
use crate::error::from_reqwest;
use crate::manifest::{self, ACCEPT as MANIFEST_ACCEPT, RawManifest};
use crate::names;
use crate::pace::{self, Gate, Pacing, Waits};
use crate::{Credentials, Error, RetryPolicy, paths};

/// The largest manifest read: real ones are a few KiB, big indexes some hundred.
pub const MAX_MANIFEST_BYTES: u64 = 4 << 20;
/// How long a token or basic header for one repository is reused before asking again.
const AUTH_REUSE: Duration = Duration::from_secs(50);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// A read that stalls this long fails (and is retried); a slow but moving blob does not.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

const AUTH_UNKNOWN: u8 = 0;
const AUTH_OPEN: u8 = 1;
const AUTH_NEEDED: u8 = 2;

/// The one HTTP client of our own requests, for every registry (building one loads the
/// machine's root certificates, which a short command notices).
fn http() -> Result<&'static reqwest::Client, Error> {
    static HTTP: OnceLock<reqwest::Client> = OnceLock::new();
    if let Some(client) = HTTP.get() {
        return Ok(client);
    }
    let client = reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT)
        .user_agent(concat!("uhub/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| from_reqwest("configure", "the HTTP client", "", e))?;
    Ok(HTTP.get_or_init(|| client))
}

/// What a request to one repository is authorized with: the header for our own requests and
/// the same for oci-client's token cache.
#[derive(Clone)]
struct Grant {
    header: HeaderValue,
    oci: RegistryTokenType,
}

/// The grant for (repository, push), if the registry wants one, and when it was made.
type CachedGrant = (Option<Grant>, Instant);

/// A manifest as a HEAD reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestHead {
    pub digest: String,
    pub media_type: Option<String>,
    pub size: Option<u64>,
}

/// One registry host (`docker.io`, `ghcr.io`, `127.0.0.1:5000`) and its credentials.
pub struct Registry {
    host: String,
    /// The host requests go to (`index.docker.io` for `docker.io`).
    api_host: String,
    scheme: &'static str,
    /// `scheme://api_host/`, the root every URL of ours is built on segment by segment.
    base: reqwest::Url,
    credentials: Credentials,
    /// oci-client, built on first use: a copy that finds nothing to do never needs it.
    client: OnceLock<Client>,
    /// Whether the registry asks for authentication: [`AUTH_UNKNOWN`], [`AUTH_OPEN`] or
    /// [`AUTH_NEEDED`], learnt from a 401 to our own request or a `GET /v2/`.
    auth_state: AtomicU8,
    /// Held while the registry is asked whether it wants authentication, so requests starting
    /// together ask once.
    auth_check: tokio::sync::Mutex<()>,
    grants: Mutex<HashMap<(String, bool), CachedGrant>>,
    retry: RetryPolicy,
    /// The host's pause for its rate limit, shared by every request to it.
    gate: Arc<Gate>,
    /// No wait for a rate limit goes past this.
    deadline: Option<Instant>,
    /// Token realms the user allowed the credentials to go to beyond the rule of `auth.rs`
    /// (`--allow-credentials-to-realm`).
    allowed_realms: Vec<String>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("host", &self.host)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

/// Whether a manifest reference is a digest (`algorithm:hex`) rather than a tag, which never
/// holds a `:`.
fn is_digest(reference: &str) -> bool {
    reference.contains(':')
}

/// Whether `host` (with an optional port) is this machine, which docker reaches over plain
/// HTTP: `localhost`, 127.0.0.0/8, `[::1]`.
pub fn is_loopback(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(rest),
        None => host
            .rsplit_once(':')
            .map_or(host, |(h, port)| if port.chars().all(|c| c.is_ascii_digit()) { h } else { host }),
    };
    name == "localhost" || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl Registry {
    pub fn new(host: &str, credentials: Credentials) -> Result<Registry, Error> {
        Registry::with_retry(host, credentials, RetryPolicy::default())
    }

    /// A registry whose transient failures get `retry`'s attempts.
    pub fn with_retry(host: &str, credentials: Credentials, retry: RetryPolicy) -> Result<Registry, Error> {
        let host = host.trim().trim_end_matches('/');
        let scheme = if is_loopback(host) { "http" } else { "https" };
        let api_host = if host == "docker.io" { "index.docker.io".to_owned() } else { host.to_owned() };
        // A host alone: with a path, a query or credentials in it, every URL built on it
        // would go somewhere else than the registry named.
        let Some(base) = paths::base_url(scheme, &api_host) else {
            return Err(Error::Reference(format!(
                "{} is not a registry host; write HOST[:PORT], e.g. uhub.service.ucloud.cn",
                names::shown(host)
            )));
        };
        let _ = rustls::crypto::ring::default_provider().install_default();
        if let Credentials::Basic { user, password } = &credentials {
            // Masked wherever a registry's text or our output could show them.
            crate::redact::remember_basic(user, password.expose());
        }
        Ok(Registry {
            host: host.to_owned(),
            api_host,
            scheme,
            credentials,
            client: OnceLock::new(),
            auth_state: AtomicU8::new(AUTH_UNKNOWN),
            auth_check: tokio::sync::Mutex::new(()),
            grants: Mutex::new(HashMap::new()),
            retry,
            gate: Gate::of(base.as_str()),
            deadline: None,
            allowed_realms: Vec::new(),
            base,
        })
    }

    /// Lets the credentials go to a token realm on `host` (`HOST` or `HOST:PORT`) although the
    /// realm rule refuses it: without this, credentials go to a realm only over https on the
    /// registry's host, a subdomain of it or a host of its parent domain (not a public suffix),
    /// or over plain http on the very same host and port. For a registry whose token service
    /// lives elsewhere and that the user trusts with its password.
    pub fn allow_credentials_to_realm(mut self, host: impl Into<String>) -> Registry {
        self.allowed_realms.push(host.into());
        self
    }

    /// Waits for a rate limit end at `deadline` (the run's `--timeout`): a request the registry
    /// asks to wait past it fails then, instead of holding the run.
    pub fn with_deadline(mut self, deadline: Instant) -> Registry {
        self.deadline = Some(deadline);
        self
    }

    /// How often and how long requests to this host waited for its rate limit so far (shared
    /// with every `Registry` of the same host in the process).
    pub fn waits(&self) -> Waits {
        self.gate.waits()
    }

    /// How our requests pass the host's gate.
    fn pacing(&self) -> Pacing<'_> {
        Pacing { gate: &self.gate, deadline: self.deadline, shortest: self.retry.first_pause }
    }

    /// Returns once the host is not paused for its rate limit (before one of oci-client's
    /// requests, which cannot pass the gate themselves); an error when the pause ends past the
    /// deadline.
    pub(crate) async fn ready(&self, action: &'static str, target: &str) -> Result<(), Error> {
        self.gate.ready(self.deadline).await.map_err(|e| e.error(action, target))
    }

    /// An oci-client failure; a rate limit pauses the host for the default wait, as oci-client
    /// keeps the answer's `Retry-After` from us.
    fn oci_failed(&self, err: Error) -> Error {
        if err.is_rate_limited() {
            self.gate.pause(pace::DEFAULT_WAIT.max(self.retry.first_pause));
        }
        err
    }

    /// oci-client for this host, built the first time it is needed.
    fn client(&self) -> Result<&Client, Error> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let config = ClientConfig {
            protocol: if self.scheme == "http" { ClientProtocol::Http } else { ClientProtocol::Https },
            // One PUT of a streamed body per blob; chunked pushes would send a PATCH per
            // network read.
            use_monolithic_push: true,
            connect_timeout: Some(CONNECT_TIMEOUT),
            read_timeout: Some(READ_TIMEOUT),
            user_agent: concat!("uhub/", env!("CARGO_PKG_VERSION")),
            ..ClientConfig::default()
        };
        let client =
            Client::try_from(config).map_err(|e| Error::from_oci("configure client for", &self.host, &self.host, e))?;
        Ok(self.client.get_or_init(|| client))
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub(crate) fn retry(&self) -> &RetryPolicy {
        &self.retry
    }

    /// What oci-client is handed: names the method entries checked (see [`Registry::checked`]),
    /// which oci-client pastes into its URLs as text.
    fn oci_ref(&self, repository: &str, reference: &str) -> oci_client::Reference {
        debug_assert!(names::check_repository(repository).is_ok() && names::check_reference(reference).is_ok());
        if is_digest(reference) {
            oci_client::Reference::with_digest(self.host.clone(), repository.to_owned(), reference.to_owned())
        } else {
            oci_client::Reference::with_tag(self.host.clone(), repository.to_owned(), reference.to_owned())
        }
    }

    /// `host/repository:tag` or `host/repository@digest`, for messages; the names escaped
    /// when they are not names (an error about a refused name shows it this way).
    pub(crate) fn target(&self, repository: &str, reference: &str) -> String {
        let sep = if is_digest(reference) { '@' } else { ':' };
        if names::check_repository(repository).is_ok() && names::check_reference(reference).is_ok() {
            format!("{}/{repository}{sep}{reference}", self.host)
        } else {
            format!("{}/{}{sep}{}", self.host, names::shown(repository), names::shown(reference))
        }
    }

    /// The repository and the tag or digest a method was given, checked before anything is
    /// sent: a registry's tag list, a manifest or a file may hand us any text.
    pub(crate) fn checked(repository: &str, reference: &str) -> Result<(), Error> {
        names::check_repository(repository)?;
        names::check_reference(reference)?;
        Ok(())
    }

    /// The repository and a blob's digest, checked likewise.
    fn checked_blob(repository: &str, digest: &str) -> Result<(), Error> {
        names::check_repository(repository)?;
        names::check_digest(digest)?;
        Ok(())
    }

    /// `scheme://host/v2/<repository>/<tail...>`, segment by segment ([`paths::v2_url`]).
    pub(crate) fn url(&self, repository: &str, tail: &[&str]) -> reqwest::Url {
        paths::v2_url(&self.base, repository, tail)
    }

    /// Whether the registry wants authentication, for oci-client's requests: known from our
    /// own requests, else asked once with `GET /v2/` (requests starting together wait for that
    /// one answer). An open registry is not given the credentials, so oci-client does not ask
    /// `GET /v2/` before every request.
    async fn needs_auth(&self) -> Result<bool, Error> {
        let known = || match self.auth_state.load(Ordering::Acquire) {
            AUTH_NEEDED => Some(true),
            AUTH_OPEN => Some(false),
            _ => None,
        };
        if let Some(known) = known() {
            return Ok(known);
        }
        let _asking = self.auth_check.lock().await;
        if let Some(known) = known() {
            return Ok(known);
        }
        let answer = self.retry.run(|| self.get_v2()).await?;
        let status = answer.status();
        if status == reqwest::StatusCode::UNAUTHORIZED {
            self.mark_auth_needed().await?;
            return Ok(true);
        }
        if !status.is_success() {
            return Err(Error::Registry {
                action: "reach",
                target: self.host.clone(),
                message: format!("GET /v2/ answered HTTP {}; is this an OCI registry?", status.as_u16()),
                status: Some(status.as_u16()),
                transient: status.is_server_error(),
            });
        }
        // A 401 seen meanwhile wins.
        let _ = self.auth_state.compare_exchange(AUTH_UNKNOWN, AUTH_OPEN, Ordering::AcqRel, Ordering::Acquire);
        Ok(self.auth_state.load(Ordering::Acquire) == AUTH_NEEDED)
    }

    /// The registry asked for authentication. oci-client is told so with anonymous
    /// credentials, never the real ones: it would send them to whatever realm the registry
    /// names at that moment. It gets our checked tokens instead ([`Registry::prime`]).
    async fn mark_auth_needed(&self) -> Result<(), Error> {
        if self.auth_state.swap(AUTH_NEEDED, Ordering::AcqRel) != AUTH_NEEDED {
            self.client()?.store_auth_if_needed(&self.api_host, &RegistryAuth::Anonymous).await;
        }
        Ok(())
    }

    /// Before an oci-client request on `repository`: when the registry wants authentication,
    /// our grant goes into oci-client's token cache, where its request finds it.
    async fn prime(&self, repository: &str, push: bool) -> Result<(), Error> {
        if !self.needs_auth().await? {
            return Ok(());
        }
        if let Some(grant) = self.grant(repository, push).await? {
            let op = if push { RegistryOperation::Push } else { RegistryOperation::Pull };
            self.client()?.tokens.insert(&self.oci_ref(repository, "latest"), op, grant.oci).await;
        }
        Ok(())
    }

    /// The Authorization header for our own requests to `repository` on a registry that
    /// wants one.
    async fn authorization(&self, repository: &str, push: bool) -> Result<Option<HeaderValue>, Error> {
        Ok(self.grant(repository, push).await?.map(|g| g.header))
    }

    /// How to authorize requests to `repository`: a bearer token when the registry's challenge
    /// asks for one (fetched by us from a realm the rule allows, see [`crate::auth`]), else
    /// basic, else nothing. The challenge is read again for each new grant, so a registry that
    /// changes it between requests is checked each time.
    async fn grant(&self, repository: &str, push: bool) -> Result<Option<Grant>, Error> {
        let key = (repository.to_owned(), push);
        if let Some((grant, at)) = self.grants.lock().expect("grant cache").get(&key) {
            if at.elapsed() < AUTH_REUSE {
                return Ok(grant.clone());
            }
        }
        let grant = self.retry.run(|| self.new_grant(repository, push)).await?;
        self.grants.lock().expect("grant cache").insert(key, (grant.clone(), Instant::now()));
        Ok(grant)
    }

    /// `GET /v2/`, the registry check, through the host's gate.
    async fn get_v2(&self) -> Result<reqwest::Response, Error> {
        let url = format!("{}://{}/v2/", self.scheme, self.api_host);
        self.pacing()
            .send("reach", &self.host, || async {
                http()?.get(&url).send().await.map_err(|e| from_reqwest("reach", &self.host, &self.host, e))
            })
            .await
    }

    async fn new_grant(&self, repository: &str, push: bool) -> Result<Option<Grant>, Error> {
        let answer = self.get_v2().await?;
        let challenge = answer.headers().get(WWW_AUTHENTICATE).and_then(|v| v.to_str().ok()).map(auth::parse_challenge);
        let (text, oci) = match (challenge, &self.credentials) {
            (Some(auth::Challenge::Bearer { realm, service }), credentials) => {
                let scope = format!("repository:{repository}:{}", if push { "pull,push" } else { "pull" });
                let token = auth::fetch_token(
                    (http()?, self.pacing()),
                    &self.host,
                    (self.scheme, &self.api_host),
                    (&realm, service.as_deref()),
                    &scope,
                    credentials,
                    &self.allowed_realms,
                )
                .await?;
                (format!("Bearer {token}"), RegistryTokenType::Bearer(RegistryToken::Token { token }))
            }
            (_, Credentials::Basic { user, password }) => (
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{}", password.expose()))
                ),
                RegistryTokenType::Basic(user.clone(), password.expose().to_owned()),
            ),
            (_, Credentials::Anonymous) => return Ok(None),
        };
        let mut header = HeaderValue::from_str(&text)
            .map_err(|_| Error::Credentials(format!("the credentials for {} cannot be sent in a header", self.host)))?;
        header.set_sensitive(true);
        Ok(Some(Grant { header, oci }))
    }

    async fn manifest_request(
        &self,
        method: reqwest::Method,
        repository: &str,
        reference: &str,
    ) -> Result<reqwest::Response, Error> {
        let action = if method == reqwest::Method::HEAD { "HEAD manifest" } else { "GET manifest" };
        Registry::checked(repository, reference)?;
        let url = self.url(repository, &["manifests", reference]);
        self.request(method, &url, repository, action, &self.target(repository, reference)).await
    }

    /// Our own request for `url` (one of [`Registry::url`]'s, or a next page the tag list
    /// checked is on this registry) with the repository's authorization; any answer but 200
    /// is an error.
    pub(crate) async fn request(
        &self,
        method: reqwest::Method,
        url: &reqwest::Url,
        repository: &str,
        action: &'static str,
        target: &str,
    ) -> Result<reqwest::Response, Error> {
        let target = target.to_owned();
        let (method, target_ref) = (&method, &target);
        let send = move |authorization: Option<HeaderValue>| async move {
            let mut request = http()?.request(method.clone(), url.clone()).header(ACCEPT, MANIFEST_ACCEPT);
            if let Some(value) = authorization {
                request = request.header(AUTHORIZATION, value);
            }
            request.send().await.map_err(|e| from_reqwest(action, target_ref, &self.host, e))
        };
        // Without credentials until the registry asks for them: an open registry then costs
        // no `GET /v2/`, and one that wants them answers 401 once.
        let paced = |authorization: Option<HeaderValue>| {
            self.pacing().send(action, target_ref, move || send(authorization.clone()))
        };
        let known = self.auth_state.load(Ordering::Acquire) == AUTH_NEEDED;
        let first = if known { self.authorization(repository, false).await? } else { None };
        let mut answer = paced(first).await?;
        if !known && answer.status() == reqwest::StatusCode::UNAUTHORIZED {
            self.mark_auth_needed().await?;
            if let Some(value) = self.authorization(repository, false).await? {
                answer = paced(Some(value)).await?;
            }
        }
        let status = answer.status().as_u16();
        match status {
            200 => Ok(answer),
            401 | 403 => Err(Error::Denied { action, target, host: self.host.clone() }),
            404 => Err(Error::NotFound { action, target }),
            _ => Err(Error::Registry {
                action,
                target,
                message: format!("HTTP {status}"),
                status: Some(status),
                transient: status >= 500 || status == 429,
            }),
        }
    }

    /// An answer's body, read within `limit` bytes (`too_large` otherwise).
    pub(crate) async fn read_body(
        &self,
        mut answer: reqwest::Response,
        limit: u64,
        action: &'static str,
        target: &str,
        too_large: impl Fn() -> Error,
    ) -> Result<Vec<u8>, Error> {
        if answer.content_length().is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = answer.chunk().await.map_err(|e| from_reqwest(action, target, &self.host, e))? {
            if body.len() as u64 + chunk.len() as u64 > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// The manifest's digest by a HEAD, `None` when there is none. A registry that sends no
    /// digest header gets one bounded GET.
    pub async fn head_manifest(&self, repository: &str, reference: &str) -> Result<Option<ManifestHead>, Error> {
        Registry::checked(repository, reference)?;
        let answer = self.retry.run(|| self.manifest_request(reqwest::Method::HEAD, repository, reference)).await;
        let answer = match answer {
            Ok(answer) => answer,
            Err(Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let header = |name: &str| answer.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let size = header(CONTENT_LENGTH.as_str()).and_then(|v| v.parse().ok());
        let media_type = header(CONTENT_TYPE.as_str());
        match header("docker-content-digest") {
            Some(digest) if crate::names::check_digest(&digest).is_ok() => {
                Ok(Some(ManifestHead { digest, media_type, size }))
            }
            _ => {
                let raw = self.get_manifest(repository, reference).await?;
                Ok(Some(ManifestHead {
                    digest: raw.digest,
                    media_type: Some(raw.media_type),
                    size: Some(raw.bytes.len() as u64),
                }))
            }
        }
    }

    /// The manifest's bytes as served, read within [`MAX_MANIFEST_BYTES`]; by digest, the
    /// bytes must have that digest.
    pub async fn get_manifest(&self, repository: &str, reference: &str) -> Result<RawManifest, Error> {
        Registry::checked(repository, reference)?;
        let target = self.target(repository, reference);
        self.retry
            .run(|| async {
                let answer = self.manifest_request(reqwest::Method::GET, repository, reference).await?;
                let too_large = || Error::ManifestTooLarge { target: target.clone(), limit: MAX_MANIFEST_BYTES };
                let content_type = answer.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
                let body = self.read_body(answer, MAX_MANIFEST_BYTES, "GET manifest", &target, too_large).await?;
                let digest = manifest::sha256_digest(&body);
                // By digest, only sha256 bytes are checked: another algorithm's is refused
                // here rather than taken unverified.
                if is_digest(reference) && digest != reference {
                    return Err(Error::DigestMismatch {
                        what: "manifest",
                        target: target.clone(),
                        expected: reference.to_owned(),
                        actual: digest,
                    });
                }
                let media_type = manifest::media_type(&body, content_type.as_deref());
                Ok(RawManifest { bytes: Bytes::from(body), media_type, digest })
            })
            .await
    }

    /// Pushes `bytes` as the manifest `reference` (a tag or its digest) and checks that the
    /// registry stored them under their digest.
    pub async fn push_manifest(
        &self,
        repository: &str,
        reference: &str,
        bytes: &Bytes,
        media_type: &str,
    ) -> Result<String, Error> {
        Registry::checked(repository, reference)?;
        self.prime(repository, true).await?;
        let target = self.target(repository, reference);
        let oci_ref = self.oci_ref(repository, reference);
        let ours = manifest::sha256_digest(bytes);
        let content_type = HeaderValue::from_str(media_type).map_err(|_| Error::BadManifest {
            target: target.clone(),
            message: format!("media type {media_type:?}"),
        })?;
        let location = self
            .retry
            .run(|| async {
                self.ready("PUT manifest", &target).await?;
                self.client()?
                    .push_manifest_raw(&oci_ref, bytes.clone(), content_type.clone())
                    .await
                    .map_err(|e| self.oci_failed(Error::from_oci("PUT manifest", &target, &self.host, e)))
            })
            .await?;
        let stored = match location.rsplit_once("/manifests/").map(|(_, d)| d.split(['?', '#']).next().unwrap_or(d)) {
            Some(d) if names::check_digest(d).is_ok() => d.to_owned(),
            _ => self.head_manifest(repository, reference).await?.map(|h| h.digest).unwrap_or_default(),
        };
        if stored != ours {
            return Err(Error::DigestMismatch { what: "pushed manifest", target, expected: ours, actual: stored });
        }
        Ok(ours)
    }

    /// Whether the repository holds the blob (a HEAD, our own request: its answer's rate
    /// limit headers are read, and an open registry is not asked `GET /v2/` for it).
    pub async fn blob_exists(&self, repository: &str, digest: &str) -> Result<bool, Error> {
        Registry::checked_blob(repository, digest)?;
        let url = self.url(repository, &["blobs", digest]);
        let target = self.target(repository, digest);
        let answer =
            self.retry.run(|| self.request(reqwest::Method::HEAD, &url, repository, "HEAD blob", &target)).await;
        match answer {
            Ok(_) => Ok(true),
            Err(Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Mounts the blob from `from_repository` of this registry; `false` when the registry
    /// declined (the caller copies it then).
    pub async fn mount_blob(&self, repository: &str, from_repository: &str, digest: &str) -> Result<bool, Error> {
        Registry::checked_blob(repository, digest)?;
        names::check_repository(from_repository)?;
        self.prime(repository, true).await?;
        let to = self.oci_ref(repository, "latest");
        let from = self.oci_ref(from_repository, "latest");
        let target = self.target(repository, digest);
        self.ready("mount blob", &target).await?;
        match self.client()?.mount_blob(&to, &from, digest).await {
            Ok(()) => Ok(true),
            // A registry that cannot mount opens an upload (202) instead: copy.
            Err(OciDistributionError::SpecViolationError(_)) => Ok(false),
            Err(e) => {
                // A rate limit pauses the host: the upload instead waits for it.
                let err = self.oci_failed(Error::from_oci("mount blob", &target, &self.host, e));
                if matches!(err, Error::Denied { .. }) { Err(err) } else { Ok(false) }
            }
        }
    }

    /// The blob's bytes as a stream; oci-client checks them against the digest at the end.
    pub(crate) async fn blob_stream(
        &self,
        repository: &str,
        digest: &str,
    ) -> Result<oci_client::client::SizedStream, Error> {
        Registry::checked_blob(repository, digest)?;
        self.prime(repository, false).await?;
        let oci_ref = self.oci_ref(repository, "latest");
        let target = self.target(repository, digest);
        self.ready("GET blob", &target).await?;
        // By digest string only: a descriptor's `urls` (foreign layers) are not followed.
        self.client()?
            .pull_blob_stream(&oci_ref, digest)
            .await
            .map_err(|e| self.oci_failed(Error::from_oci("GET blob", &target, &self.host, e)))
    }

    /// Pushes a blob of `size` bytes from `body` in one PUT; the registry commits it only
    /// when the body ends whole and has the digest.
    pub(crate) async fn push_blob_stream(
        &self,
        repository: &str,
        digest: &str,
        size: u64,
        body: impl Stream<Item = Result<Bytes, OciDistributionError>> + Send + 'static,
    ) -> Result<(), Error> {
        Registry::checked_blob(repository, digest)?;
        self.prime(repository, true).await?;
        let oci_ref = self.oci_ref(repository, "latest");
        let target = self.target(repository, digest);
        self.ready("PUT blob", &target).await?;
        self.client()?
            .push_blob_stream(&oci_ref, body.boxed(), digest, Some(size))
            .await
            .map(|_| ())
            .map_err(|e| self.oci_failed(Error::from_oci("PUT blob", &target, &self.host, e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_the_ones_docker_reaches_over_http() {
        for host in ["127.0.0.1:5000", "127.8.0.1", "localhost", "localhost:80", "[::1]:5000", "[::1]"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["uhub.service.ucloud.cn", "10.0.0.1:5000", "127.0.0.1.example.com", "localhost.example:1"] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[test]
    fn a_host_with_a_path_or_credentials_is_refused() {
        for host in ["", "a/b", "user@host", "h?x=1", "h#f", "h\\x", "h%2fx"] {
            assert!(matches!(Registry::new(host, Credentials::Anonymous), Err(Error::Reference(_))), "{host}");
        }
        let debug =
            format!("{:?}", Registry::new("h.example", Credentials::parse_pair("u:topsecret").unwrap()).unwrap());
        assert!(!debug.contains("topsecret"), "{debug}");
    }
}

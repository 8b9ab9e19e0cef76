//! One error type for the registry side. Its Display is one line naming the action and what
//! it was done to; no credentials or tokens ever appear in it.

use oci_client::errors::OciDistributionError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An image reference that cannot be read.
    #[error("{0}")]
    Reference(String),
    /// Credentials that cannot be read or used; the message names the flag, variable or file.
    #[error("{0}")]
    Credentials(String),
    /// The registry answered with an error, or could not be reached.
    #[error("{action} {target}: {message}")]
    Registry {
        action: &'static str,
        target: String,
        message: String,
        /// The HTTP status, when there was an answer.
        status: Option<u16>,
        /// Worth another attempt: 5xx, 429, a connection that failed or was reset.
        transient: bool,
    },
    /// The manifest or blob does not exist.
    #[error("{action} {target}: not found")]
    NotFound { action: &'static str, target: String },
    /// The registry refused the credentials (or their absence).
    #[error("{action} {target}: access denied; check the credentials for {host}")]
    Denied { action: &'static str, target: String, host: String },
    /// A manifest larger than the bound; nothing of it was kept.
    #[error("manifest {target} is larger than {limit} bytes; refused")]
    ManifestTooLarge { target: String, limit: u64 },
    /// Bytes whose sha256 is not the digest they were asked by; nothing was committed.
    #[error("{what} {target}: the bytes served have digest {actual}, not {expected}; nothing was committed")]
    DigestMismatch { what: &'static str, target: String, expected: String, actual: String },
    /// A manifest that is not a manifest we can copy.
    #[error("manifest {target}: {message}")]
    BadManifest { target: String, message: String },
    /// `--platform` asked for a platform the source does not have.
    #[error("{target} has no platform {missing}; it has {available}")]
    PlatformMissing { target: String, missing: String, available: String },
    /// A tag, repository name or digest outside the OCI distribution grammar (from a
    /// registry's tag list, a manifest, a file or the command line); nothing was sent for it.
    #[error("{0}")]
    InvalidName(#[from] crate::names::InvalidName),
    /// The registry asked for its credentials to be sent to a token realm it may not have them
    /// sent to (another host, or plain http to another host or port); nothing was sent.
    #[error(
        "{host} asks for its credentials at the token realm {realm}, {why}; nothing was sent \
         (if you trust that host with them, pass --allow-credentials-to-realm {realm_host})"
    )]
    RealmRefused { host: String, realm: String, realm_host: String, why: &'static str },
    /// The copy stopped before all its blobs were in, because the caller asked; the blobs
    /// copied stay, so the next run sends only the rest.
    #[error("interrupted before all blobs were copied; run again to finish")]
    Interrupted,
}

impl Error {
    /// Whether another attempt may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Error::Registry { transient: true, .. })
    }

    /// Whether the registry said it is rate limited (429) and another attempt, after the
    /// host's pause, may succeed.
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Error::Registry { status: Some(429), transient: true, .. })
    }

    /// The error of `action` on `target` from oci-client's.
    pub(crate) fn from_oci(action: &'static str, target: &str, host: &str, err: OciDistributionError) -> Error {
        let target = target.to_owned();
        match err {
            OciDistributionError::UnauthorizedError { .. } | OciDistributionError::AuthenticationFailure(_) => {
                Error::Denied { action, target, host: host.to_owned() }
            }
            OciDistributionError::ServerError { code, message, .. } => match code {
                401 | 403 => Error::Denied { action, target, host: host.to_owned() },
                404 => Error::NotFound { action, target },
                _ => Error::Registry {
                    action,
                    target,
                    message: format!("HTTP {code}: {}", one_line(&message)),
                    status: Some(code),
                    transient: code >= 500 || code == 429,
                },
            },
            OciDistributionError::RegistryError { envelope, .. } => {
                let codes: Vec<String> = envelope.errors.iter().map(|e| format!("{:?}", e.code)).collect();
                let message = envelope
                    .errors
                    .iter()
                    .map(|e| format!("{:?}: {}", e.code, one_line(&e.message)))
                    .collect::<Vec<_>>()
                    .join("; ");
                if codes.iter().any(|c| c == "Unauthorized" || c == "Denied") {
                    Error::Denied { action, target, host: host.to_owned() }
                } else if codes.iter().any(|c| c.ends_with("Unknown") || c == "NotFound") {
                    Error::NotFound { action, target }
                } else {
                    // oci-client keeps the status from us; the code says it was a 429.
                    let limited = codes.iter().any(|c| c == "Toomanyrequests");
                    let status = limited.then_some(429);
                    Error::Registry { action, target, message, status, transient: limited }
                }
            }
            OciDistributionError::RequestError(e) => from_reqwest(action, &target, host, e),
            OciDistributionError::IoError(e) => {
                Error::Registry { action, target, message: one_line(&e.to_string()), status: None, transient: true }
            }
            other => Error::Registry {
                action,
                target,
                message: one_line(&other.to_string()),
                status: None,
                transient: false,
            },
        }
    }
}

/// The error of `action` on `target` from reqwest's, without the URL's query (upload URLs
/// carry session state) and on one line.
pub(crate) fn from_reqwest(action: &'static str, target: &str, host: &str, err: reqwest::Error) -> Error {
    if let Some(status) = err.status() {
        let code = status.as_u16();
        return match code {
            401 | 403 => Error::Denied { action, target: target.to_owned(), host: host.to_owned() },
            404 => Error::NotFound { action, target: target.to_owned() },
            _ => Error::Registry {
                action,
                target: target.to_owned(),
                message: format!("HTTP {code}"),
                status: Some(code),
                transient: code >= 500 || code == 429,
            },
        };
    }
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "cannot connect"
    } else if err.is_body() || err.is_request() {
        "connection failed"
    } else {
        "failed"
    };
    let mut message = kind.to_owned();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        message = format!("{message}: {}", one_line(&s.to_string()));
        source = s.source();
    }
    Error::Registry { action, target: target.to_owned(), message, status: None, transient: !err.is_builder() }
}

/// `text` on one line and at most 300 characters, with its secrets masked (see
/// [`crate::redact`]): a registry's error body is not ours to print whole, and may quote the
/// credentials or a token in any spelling.
pub(crate) fn one_line(text: &str) -> String {
    let masked = crate::redact::mask_secrets(text);
    let flat: String = masked.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 300 { format!("{}…", flat.chars().take(300).collect::<String>()) } else { flat }
}

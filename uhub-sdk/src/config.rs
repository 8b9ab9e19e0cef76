//! Configuration from environment variables and ucloud-cli's shared files.
//!
//! [`ClientBuilder::from_env`](crate::ClientBuilder::from_env) (or [`Client::from_env`](crate::Client::from_env))
//! fills every setting the builder leaves unset from, in this order of precedence (first wins):
//!
//! 1. values set on the [`ClientBuilder`](crate::ClientBuilder);
//! 2. environment variables;
//! 3. the shared files of ucloud-cli, `~/.ucloud/config.json` and `~/.ucloud/credential.json`;
//! 4. built-in defaults (UCloud's endpoint, 30 s attempt timeout).
//!
//! This is the one rule for every setting. (UCloud's Go SDK lets the shared files override
//! the environment; this SDK does not: a variable set for one command beats a file on disk.)
//!
//! | Variable | Meaning |
//! |---|---|
//! | `UCLOUD_PUBLIC_KEY`, `UCLOUD_PRIVATE_KEY` | the API key pair |
//! | `UCLOUD_SECURITY_TOKEN` | token of temporary (STS) keys, sent and signed as `SecurityToken` |
//! | `UCLOUD_PROJECT_ID` | default project of calls |
//! | `UCLOUD_API_BASE_URL` | base URL; wins over `UCLOUD_PROVIDER` |
//! | `UCLOUD_PROVIDER` | `ucloud`, `surfercloud` or `genesisai` |
//! | `UCLOUD_TIMEOUT_SECOND` | attempt timeout, whole seconds (> 0) |
//! | `UCLOUD_PROFILE` | profile of the shared files to use |
//! | `UCLOUD_CHANNEL_KEY` | channel key, sent as the `channel-key` header (channels that share the main API host) |
//! | `UCLOUD_SHARED_CONFIG_FILE` | path of the config file (default `~/.ucloud/config.json`) |
//! | `UCLOUD_SHARED_CREDENTIAL_FILE` | path of the credential file (default `~/.ucloud/credential.json`) |
//!
//! An empty variable counts as unset. A variable that is not valid UTF-8 is a configuration
//! error naming it (never "unset", which would send calls to the default endpoint).
//!
//! Proxies are not part of this configuration: unless
//! [`ClientBuilder::proxy`](crate::ClientBuilder::proxy) or
//! [`ClientBuilder::http_client`](crate::ClientBuilder::http_client) is used, the HTTP client
//! honours `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (and their lower-case forms)
//! of the process environment, like curl.
//!
//! **Keys come as a pair.** The public key, the private key and the security token are taken
//! together from the first source that sets either key: the builder, else the environment,
//! else the profile's entry in the credential file. A source that sets only one half is an
//! error rather than being completed from a lower source, which would sign with a mismatched
//! pair. So `UCLOUD_SECURITY_TOKEN` applies only to keys from the environment; with
//! [`ClientBuilder::keys`](crate::ClientBuilder::keys), pass the token through
//! [`Credentials::with_security_token`].
//!
//! **Profiles.** The profile is the one named by
//! [`ClientBuilder::profile`](crate::ClientBuilder::profile), else by `UCLOUD_PROFILE`, else
//! the config file's entry with `"active": true`, else `default` if it exists. A named profile
//! must exist in one of the two files. The config file is a JSON array of
//! `{profile, project_id, base_url, timeout_sec, active, ...}`, the credential file an array
//! of `{profile, public_key, private_key}` (plus an optional `security_token`); other fields
//! (`region`, `zone`, ...) are ignored. The config file's `channel_key` is sent as the
//! `channel-key` header. Files may start with a UTF-8 byte order mark. Two profiles of one name
//! in a file, several profiles marked active, or a profile that signs in with OAuth
//! (`auth_mode: "oauth"`, which this SDK does not implement) are configuration errors naming the
//! file or profile.
//!
//! ```no_run
//! # fn run() -> Result<(), uhub_sdk::Error> {
//! use uhub_sdk::{Client, ConfigSource};
//!
//! // Everything from the environment and ~/.ucloud/:
//! let client = Client::from_env()?;
//!
//! // The project set here wins; keys and the rest come from profile "staging" unless the
//! // environment sets them.
//! let client = Client::builder().from_env().profile("staging").project_id("org-abc123").build()?;
//!
//! // Injected variables and home directory (tests):
//! let source = ConfigSource::from_vars([("UCLOUD_PUBLIC_KEY", "pk"), ("UCLOUD_PRIVATE_KEY", "sk")], None);
//! let client = Client::builder().config_source(source).build()?;
//! # Ok(())
//! # }
//! ```
//!
//! **Errors.** Missing files at the default places are fine. A file named by a variable that
//! does not exist, a malformed file, a named profile that does not exist and a malformed
//! variable are configuration errors naming the file or variable, even when a higher source
//! would have overridden the value: they are mistakes worth hearing about.
//!
//! **Files are bounded.** A shared file is read only when it is a regular file (symbolic links
//! followed) of at most [`MAX_SHARED_FILE_BYTES`] (1 MiB); `/dev/zero`, a FIFO, a directory or a
//! larger file is a configuration error naming it, never a read without end. The credential
//! file is not read at all when the builder or the environment sets a key (unless a named
//! profile is in no config file, when it is read to find the name). A credential file that
//! group or others may write is read, with a `tracing` warning (as ssh warns of its keys).

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use crate::credentials::Credentials;
use crate::error::Error;

pub const ENV_PUBLIC_KEY: &str = "UCLOUD_PUBLIC_KEY";
pub const ENV_PRIVATE_KEY: &str = "UCLOUD_PRIVATE_KEY";
pub const ENV_SECURITY_TOKEN: &str = "UCLOUD_SECURITY_TOKEN";
pub const ENV_PROJECT_ID: &str = "UCLOUD_PROJECT_ID";
pub const ENV_API_BASE_URL: &str = "UCLOUD_API_BASE_URL";
pub const ENV_PROVIDER: &str = "UCLOUD_PROVIDER";
pub const ENV_TIMEOUT_SECOND: &str = "UCLOUD_TIMEOUT_SECOND";
pub const ENV_PROFILE: &str = "UCLOUD_PROFILE";
pub const ENV_SHARED_CONFIG_FILE: &str = "UCLOUD_SHARED_CONFIG_FILE";
pub const ENV_SHARED_CREDENTIAL_FILE: &str = "UCLOUD_SHARED_CREDENTIAL_FILE";
pub const ENV_CHANNEL_KEY: &str = "UCLOUD_CHANNEL_KEY";

/// The profile used when none is named and no entry is active.
pub const DEFAULT_PROFILE: &str = "default";

type Vars = dyn Fn(&str) -> Option<OsString> + Send + Sync;

/// Where configuration is read from: a lookup of environment variables and a home directory
/// (for `~/.ucloud/...`). [`ConfigSource::from_env`] uses the process's; tests inject their own
/// with [`ConfigSource::new`] or [`ConfigSource::from_vars`].
#[derive(Clone)]
pub struct ConfigSource {
    vars: Arc<Vars>,
    home: Option<PathBuf>,
}

impl ConfigSource {
    /// The process environment, and `$HOME` (`%USERPROFILE%` on Windows) as home directory.
    pub fn from_env() -> Self {
        let home = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .filter(|h| !h.is_empty())
            .map(PathBuf::from);
        ConfigSource::with_os_vars(|name| std::env::var_os(name), home)
    }

    /// Variables looked up through `vars`; shared files under `home/.ucloud/` unless named.
    pub fn new(vars: impl Fn(&str) -> Option<String> + Send + Sync + 'static, home: Option<PathBuf>) -> Self {
        ConfigSource::with_os_vars(move |name| vars(name).map(OsString::from), home)
    }

    /// Like [`Self::new`], with values as the operating system gives them, which need not be
    /// UTF-8 (a variable that is not is a configuration error naming it, never "unset").
    pub fn with_os_vars(
        vars: impl Fn(&str) -> Option<OsString> + Send + Sync + 'static,
        home: Option<PathBuf>,
    ) -> Self {
        ConfigSource { vars: Arc::new(vars), home }
    }

    /// Variables from a fixed list of pairs.
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
        home: Option<PathBuf>,
    ) -> Self {
        let map: HashMap<String, String> = vars.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        ConfigSource::new(move |name| map.get(name).cloned(), home)
    }

    /// The home directory, if any.
    pub fn home(&self) -> Option<&Path> {
        self.home.as_deref()
    }

    /// A variable, with empty values counted as unset; one that is not UTF-8 is an error naming
    /// it (read as unset, it would silently send calls elsewhere or report a key "not set").
    pub(crate) fn var(&self, name: &str) -> Result<Option<String>, Error> {
        match (self.vars)(name) {
            None => Ok(None),
            Some(value) => match value.into_string() {
                Ok(text) => Ok(Some(text).filter(|v| !v.is_empty())),
                Err(_) => Err(Error::config(format!(
                    "{name} is set but is not valid UTF-8; set it to UTF-8 text or unset it"
                ))),
            },
        }
    }

    /// Reads the environment and the shared files. `profile` (from the builder) wins over
    /// `UCLOUD_PROFILE`. Missing keys are not an error here, since the builder may set them.
    pub fn load(&self, profile: Option<&str>) -> Result<Config, Error> {
        self.load_with(profile, false)
    }

    /// [`Self::load`]; with `keys_given` (the builder has keys), the credential file is not read.
    pub(crate) fn load_with(&self, profile: Option<&str>, keys_given: bool) -> Result<Config, Error> {
        let config_file = self.file(ENV_SHARED_CONFIG_FILE, "config.json")?;
        let credential_file = self.file(ENV_SHARED_CREDENTIAL_FILE, "credential.json")?;
        let configs: Vec<ConfigEntry> = read_array(config_file.as_ref(), false)?;
        // The credential file only matters when neither the builder nor the environment holds a
        // key: unread, a FIFO or a device named there cannot hang or flood the call.
        let keys_elsewhere = keys_given || self.var(ENV_PUBLIC_KEY)?.is_some() || self.var(ENV_PRIVATE_KEY)?.is_some();
        let mut credentials: Vec<CredentialEntry> =
            if keys_elsewhere { Vec::new() } else { read_array(credential_file.as_ref(), true)? };
        unique_profiles(config_file.as_ref(), configs.iter().map(|c| c.profile.as_deref()))?;
        unique_profiles(credential_file.as_ref(), credentials.iter().map(|c| c.profile.as_deref()))?;
        let active: Vec<&str> = configs.iter().filter(|c| c.active).filter_map(|c| c.profile.as_deref()).collect();
        if let (Some(file), [_, _, ..]) = (&config_file, active.as_slice()) {
            return Err(Error::config(format!(
                "{} marks several profiles active ({}); mark one, or name one with UCLOUD_PROFILE",
                file.path.display(),
                active.join(", ")
            )));
        }

        let named = match profile {
            Some(p) => Some((p.to_owned(), "ClientBuilder::profile".to_owned())),
            None => self.var(ENV_PROFILE)?.map(|p| (p, ENV_PROFILE.to_owned())),
        };
        let profile_name = match &named {
            Some((name, origin)) => {
                let in_configs = configs.iter().any(|c| c.profile.as_deref() == Some(name));
                if !in_configs && keys_elsewhere {
                    // Only the credential file can tell whether the name is a profile.
                    credentials = read_array(credential_file.as_ref(), true)?;
                }
                let known = in_configs || credentials.iter().any(|c| c.profile.as_deref() == Some(name));
                if !known {
                    return Err(unknown_profile(name, origin, &config_file, &configs, &credential_file, &credentials));
                }
                name.clone()
            }
            None => configs
                .iter()
                .find(|c| c.active)
                .and_then(|c| c.profile.clone())
                .unwrap_or_else(|| DEFAULT_PROFILE.to_owned()),
        };
        let profile_name = profile_name.as_str();
        let file_config = configs.iter().find(|c| c.profile.as_deref() == Some(profile_name));
        let file_credential = credentials.iter().find(|c| c.profile.as_deref() == Some(profile_name));
        let in_file = |file: &Option<SharedFile>| match file {
            Some(f) => format!("{}, profile {profile_name:?}", f.path.display()),
            None => String::new(),
        };

        // Keys: a pair from one source.
        let mut out = Config {
            profile: (file_config.is_some() || file_credential.is_some()).then(|| profile_name.to_owned()),
            wanted_profile: profile_name.to_owned(),
            credential_file: credential_file.as_ref().map(|f| f.path.clone()),
            ..Config::default()
        };
        let (pk, sk, token) = (self.var(ENV_PUBLIC_KEY)?, self.var(ENV_PRIVATE_KEY)?, self.var(ENV_SECURITY_TOKEN)?);
        let from_env = KeySource {
            origin: "environment".to_owned(),
            missing_private: format!("{ENV_PUBLIC_KEY} is set, so set {ENV_PRIVATE_KEY} too"),
            missing_public: format!("{ENV_PRIVATE_KEY} is set, so set {ENV_PUBLIC_KEY} too"),
            fix: "(the key pair is taken from one source: ClientBuilder::keys, the environment or the credential file)"
                .to_owned(),
        };
        let pair = match (pk, sk) {
            (None, None) if token.is_some() => Err(format!(
                "{ENV_SECURITY_TOKEN} is set but {ENV_PUBLIC_KEY} and {ENV_PRIVATE_KEY} are not: \
                 a security token belongs to the temporary keys it was issued with"
            )),
            (None, None) => match file_credential {
                Some(entry) if entry.auth_mode.as_deref().is_some_and(|m| m.eq_ignore_ascii_case("oauth")) => {
                    Err(format!(
                        "profile {profile_name:?} in {} signs in with OAuth (auth_mode \"oauth\"), which this SDK does not \
                     support; give the profile public_key and private_key, set {ENV_PUBLIC_KEY} and {ENV_PRIVATE_KEY}, \
                     or use ClientBuilder::keys",
                        credential_file.as_ref().map(|f| f.path.display().to_string()).unwrap_or_default()
                    ))
                }
                Some(entry) => {
                    let where_ = in_file(&credential_file);
                    let from_file = KeySource {
                        missing_private: format!("{where_} has public_key but no private_key; set it there,"),
                        missing_public: format!("{where_} has private_key but no public_key; set it there,"),
                        origin: where_,
                        fix: format!("or set {ENV_PUBLIC_KEY} and {ENV_PRIVATE_KEY}, or use ClientBuilder::keys"),
                    };
                    let non_empty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
                    from_file.pair(
                        non_empty(&entry.public_key),
                        non_empty(&entry.private_key),
                        non_empty(&entry.security_token),
                    )
                }
                None => Ok(None),
            },
            (pk, sk) => from_env.pair(pk, sk, token),
        };
        match pair {
            Ok(Some((credentials, origin))) => {
                out.credentials = Some(credentials);
                out.credentials_origin = Some(origin);
            }
            Ok(None) => {}
            Err(problem) => out.credentials_problem = Some(problem),
        }

        // Project.
        if let Some(p) = self.var(ENV_PROJECT_ID)? {
            out.project_id = Some(p);
            out.project_id_origin = Some(ENV_PROJECT_ID.to_owned());
        } else if let Some(p) = file_config.and_then(|c| c.project_id.clone()).filter(|p| !p.is_empty()) {
            out.project_id = Some(p);
            out.project_id_origin = Some(in_file(&config_file));
        }

        // Endpoint: within the environment a base URL is more specific than a provider name.
        // Malformed values are errors even if a higher source overrides them.
        let env_url = self.var(ENV_API_BASE_URL)?.map(|u| checked_url(u, ENV_API_BASE_URL.to_owned())).transpose()?;
        let env_provider =
            self.var(ENV_PROVIDER)?.map(|name| ConfiguredEndpoint::Provider { name, origin: ENV_PROVIDER.to_owned() });
        let file_url = match file_config.and_then(|c| c.base_url.clone()).filter(|u| !u.is_empty()) {
            Some(u) => Some(checked_url(u, format!("base_url in {}", in_file(&config_file)))?),
            None => None,
        };
        out.endpoint = env_url.or(env_provider).or(file_url);

        // Attempt timeout.
        // Channel key: sent as the `channel-key` header, for channels that share the main API host.
        out.channel_key = match self.var(ENV_CHANNEL_KEY)? {
            Some(key) => Some(key),
            None => file_config.and_then(|c| c.channel_key.clone()).filter(|k| !k.is_empty()),
        };

        let env_timeout = match self.var(ENV_TIMEOUT_SECOND)? {
            Some(v) => match v.trim().parse::<u64>() {
                Ok(n) if n > 0 => Some(Duration::from_secs(n)),
                _ => {
                    return Err(Error::config(format!(
                        "{ENV_TIMEOUT_SECOND}={v:?} is not a positive whole number of seconds"
                    )));
                }
            },
            None => None,
        };
        let file_timeout = file_config.and_then(|c| c.timeout_sec).filter(|&n| n > 0).map(Duration::from_secs);
        out.attempt_timeout_origin = if env_timeout.is_some() {
            Some(ENV_TIMEOUT_SECOND.to_owned())
        } else {
            file_timeout.map(|_| in_file(&config_file))
        };
        out.attempt_timeout = env_timeout.or(file_timeout);
        Ok(out)
    }

    /// The file named by `var` (which must exist), else `home/.ucloud/default_name` if it exists.
    fn file(&self, var: &str, default_name: &str) -> Result<Option<SharedFile>, Error> {
        Ok(match self.var(var)? {
            Some(path) => Some(SharedFile { path: PathBuf::from(path), named_by: Some(var.to_owned()) }),
            None => {
                self.home.as_ref().map(|h| SharedFile { path: h.join(".ucloud").join(default_name), named_by: None })
            }
        })
    }
}

impl fmt::Debug for ConfigSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigSource").field("vars", &format_args!("<lookup>")).field("home", &self.home).finish()
    }
}

/// What the environment and the shared files set, before the builder's values are applied.
#[derive(Clone, Default)]
pub struct Config {
    profile: Option<String>,
    credentials: Option<Credentials>,
    credentials_origin: Option<String>,
    credentials_problem: Option<String>,
    /// The profile looked for in the credential file, for error messages.
    wanted_profile: String,
    credential_file: Option<PathBuf>,
    project_id: Option<String>,
    project_id_origin: Option<String>,
    endpoint: Option<ConfiguredEndpoint>,
    attempt_timeout: Option<Duration>,
    attempt_timeout_origin: Option<String>,
    channel_key: Option<String>,
}

/// Where the environment or a shared file says calls should go.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfiguredEndpoint {
    /// A base URL, already checked to be an absolute http(s) URL.
    Url { url: String, origin: String },
    /// A provider's configuration name, checked against the service's providers when a client
    /// is built.
    Provider { name: String, origin: String },
}

impl Config {
    /// The profile of the shared files in use, if any.
    pub fn profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }

    /// The key pair (and token), or an error naming what to set.
    pub fn credentials(&self) -> Result<&Credentials, Error> {
        if let Some(problem) = &self.credentials_problem {
            return Err(Error::config(problem.clone()));
        }
        self.credentials.as_ref().ok_or_else(|| {
            let file = match &self.credential_file {
                Some(path) => format!("{}", path.display()),
                None => format!("the file named by {ENV_SHARED_CREDENTIAL_FILE}"),
            };
            let profile = &self.wanted_profile;
            Error::config(format!(
                "no API keys: set {ENV_PUBLIC_KEY} and {ENV_PRIVATE_KEY}, ClientBuilder::keys, \
                 or public_key and private_key of profile {profile:?} in {file}"
            ))
        })
    }

    /// Where the key pair came from: `environment`, or a file and profile.
    pub fn credentials_origin(&self) -> Option<&str> {
        self.credentials_origin.as_deref()
    }

    pub fn project_id(&self) -> Option<&str> {
        self.project_id.as_deref()
    }

    /// The base URL or provider the environment or a shared file names, if any.
    pub fn endpoint(&self) -> Option<&ConfiguredEndpoint> {
        self.endpoint.as_ref()
    }

    /// The attempt timeout.
    pub fn attempt_timeout(&self) -> Option<Duration> {
        self.attempt_timeout
    }

    /// The channel key (`UCLOUD_CHANNEL_KEY`, else the profile's `channel_key`).
    pub fn channel_key(&self) -> Option<&str> {
        self.channel_key.as_deref()
    }

    /// Where [`Self::project_id`] came from: the variable's name, or a file and profile.
    pub fn project_id_origin(&self) -> Option<&str> {
        self.project_id_origin.as_deref()
    }

    /// Where [`Self::endpoint`] came from: the variable's name, or a file and profile.
    pub fn endpoint_origin(&self) -> Option<&str> {
        self.endpoint.as_ref().map(|e| match e {
            ConfiguredEndpoint::Url { origin, .. } | ConfiguredEndpoint::Provider { origin, .. } => origin.as_str(),
        })
    }

    /// Where [`Self::attempt_timeout`] came from: the variable's name, or a file and profile.
    pub fn attempt_timeout_origin(&self) -> Option<&str> {
        self.attempt_timeout_origin.as_deref()
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("profile", &self.profile)
            .field("credentials", &self.credentials)
            .field("credentials_origin", &self.credentials_origin)
            .field("project_id", &self.project_id)
            .field("endpoint", &self.endpoint)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("channel_key", &self.channel_key)
            .finish_non_exhaustive()
    }
}

/// One source of a key pair, with the words its errors use.
struct KeySource {
    /// `environment`, or a file and profile.
    origin: String,
    /// What to say when only the public key is there.
    missing_private: String,
    /// What to say when only the private key is there.
    missing_public: String,
    /// How to fix a half pair, appended to the message.
    fix: String,
}

impl KeySource {
    /// The pair and its token from this one source; half a pair is an error, never completed
    /// from another source, which would sign with a mismatched pair.
    fn pair(
        &self,
        public_key: Option<String>,
        private_key: Option<String>,
        token: Option<String>,
    ) -> Result<Option<(Credentials, String)>, String> {
        match (public_key, private_key) {
            (Some(pk), Some(sk)) => {
                let mut c = Credentials::new(pk, sk);
                if let Some(t) = token {
                    c = c.with_security_token(t);
                }
                Ok(Some((c, self.origin.clone())))
            }
            (Some(_), None) => Err(format!("no private key: {} {}", self.missing_private, self.fix)),
            (None, Some(_)) => Err(format!("no public key: {} {}", self.missing_public, self.fix)),
            (None, None) => Ok(None),
        }
    }
}

struct SharedFile {
    path: PathBuf,
    /// The variable that named the file; such a file must exist.
    named_by: Option<String>,
}

#[derive(Deserialize)]
struct ConfigEntry {
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    project_id: Option<String>,
    #[serde(default)]
    base_url: Option<String>,
    #[serde(default)]
    timeout_sec: Option<u64>,
    #[serde(default)]
    active: bool,
    #[serde(default)]
    channel_key: Option<String>,
}

#[derive(Deserialize)]
struct CredentialEntry {
    /// `oauth` for ucloud-cli's browser sign-in, which this SDK refuses clearly.
    #[serde(default)]
    auth_mode: Option<String>,
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    public_key: Option<String>,
    #[serde(default)]
    private_key: Option<String>,
    #[serde(default)]
    security_token: Option<String>,
}

/// The largest shared file read: ucloud-cli's files hold a few profiles, a few hundred bytes each.
pub const MAX_SHARED_FILE_BYTES: u64 = 1024 * 1024;

fn read_array<T: for<'de> Deserialize<'de>>(file: Option<&SharedFile>, holds_keys: bool) -> Result<Vec<T>, Error> {
    let Some(file) = file else { return Ok(Vec::new()) };
    let path = file.path.display();
    let by = file.named_by.as_ref().map(|v| format!(" (named by {v})")).unwrap_or_default();
    let text = match read_bounded(&file.path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && file.named_by.is_none() => return Ok(Vec::new()),
        Err(e) => return Err(Error::config(format!("cannot read {path}{by}: {e}"))),
    };
    if holds_keys {
        warn_if_others_can_write(&file.path);
    }
    // Editors on Windows start UTF-8 files with a byte order mark.
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&text);
    // An empty file is what some tools leave behind; it holds no profiles.
    if text.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    let de = &mut serde_json::Deserializer::from_slice(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let at = e.path().to_string();
        let inner = e.into_inner();
        // Never quote the file's content: a credential file holds private keys.
        let what = match inner.classify() {
            serde_json::error::Category::Data => format!("wrong shape at `{at}`"),
            _ => "not valid JSON".to_owned(),
        };
        Error::config(format!(
            "malformed {path}: {what} (line {}, column {}); expected a JSON array of profile objects",
            inner.line(),
            inner.column()
        ))
    })
}

/// A shared file's bytes, if it is a regular file (symbolic links followed) of at most
/// [`MAX_SHARED_FILE_BYTES`]: `/dev/zero`, a FIFO or a directory named by a variable is an error,
/// not a read that never ends.
fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let not_regular = |what: &str| {
        std::io::Error::other(format!("it is {what}, not a regular file; point it at ucloud-cli's JSON file"))
    };
    // Checked before opening: opening a FIFO for reading waits for a writer.
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_regular(if meta.is_dir() { "a directory" } else { "a device, FIFO or socket" }));
    }
    let too_big =
        || std::io::Error::other(format!("it is larger than {MAX_SHARED_FILE_BYTES} bytes, the cap on a shared file"));
    if meta.len() > MAX_SHARED_FILE_BYTES {
        return Err(too_big());
    }
    let file = std::fs::File::open(path)?;
    // The file may have been swapped since the check; what was opened is what counts.
    if !file.metadata()?.is_file() {
        return Err(not_regular("no longer a regular file"));
    }
    let mut text = Vec::new();
    file.take(MAX_SHARED_FILE_BYTES + 1).read_to_end(&mut text)?;
    if text.len() as u64 > MAX_SHARED_FILE_BYTES {
        return Err(too_big());
    }
    Ok(text)
}

/// Warns, as ssh does of its keys, when others than the owner may write the credential file:
/// whoever can write it can swap the keys calls are signed with.
fn warn_if_others_can_write(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode();
            if mode & 0o022 != 0 {
                tracing::warn!(
                    file = %path.display(),
                    mode = format!("{:o}", mode & 0o777),
                    "the credential file is writable by group or others; restrict it with chmod 600"
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Two entries of one name would make "which one wins" a guess.
fn unique_profiles<'a>(file: Option<&SharedFile>, names: impl Iterator<Item = Option<&'a str>>) -> Result<(), Error> {
    let mut seen = std::collections::BTreeSet::new();
    for name in names.flatten() {
        if !seen.insert(name) {
            let path = file.map(|f| f.path.display().to_string()).unwrap_or_default();
            return Err(Error::config(format!("{path} has two profiles named {name:?}; keep one")));
        }
    }
    Ok(())
}

fn unknown_profile(
    name: &str,
    origin: &str,
    config_file: &Option<SharedFile>,
    configs: &[ConfigEntry],
    credential_file: &Option<SharedFile>,
    credentials: &[CredentialEntry],
) -> Error {
    let mut known: Vec<&str> = configs
        .iter()
        .filter_map(|c| c.profile.as_deref())
        .chain(credentials.iter().filter_map(|c| c.profile.as_deref()))
        .collect();
    known.sort_unstable();
    known.dedup();
    let files: Vec<String> =
        [config_file, credential_file].into_iter().flatten().map(|f| f.path.display().to_string()).collect();
    let files = if files.is_empty() { "no shared file (no home directory)".to_owned() } else { files.join(" or ") };
    let known = if known.is_empty() { "none".to_owned() } else { known.join(", ") };
    Error::config(format!("profile {name:?} (from {origin}) not found in {files}; profiles there: {known}"))
}

fn checked_url(url: String, origin: String) -> Result<ConfiguredEndpoint, Error> {
    crate::url::base_url(&url, &origin)?;
    Ok(ConfiguredEndpoint::Url { url, origin })
}

#[cfg(test)]
mod origin_tests {
    use super::*;

    #[test]
    fn each_setting_says_which_variable_or_file_and_profile_set_it() {
        let home = std::env::temp_dir().join(format!("uhub-config-origin-{}", std::process::id()));
        std::fs::create_dir_all(home.join(".ucloud")).unwrap();
        let file = home.join(".ucloud").join("config.json");
        std::fs::write(&file, r#"[{"profile":"ci","active":true,"project_id":"org-file","timeout_sec":9}]"#).unwrap();
        let source = ConfigSource::from_vars([("UCLOUD_PROVIDER", "surfercloud")], Some(home.clone()));
        let config = source.load(None).unwrap();
        let in_file = format!("{}, profile \"ci\"", file.display());
        assert_eq!(config.project_id_origin(), Some(in_file.as_str()));
        assert_eq!(config.attempt_timeout_origin(), Some(in_file.as_str()));
        assert_eq!(config.endpoint_origin(), Some("UCLOUD_PROVIDER"));
        let source = ConfigSource::from_vars([("UCLOUD_PROJECT_ID", "org-env")], Some(home.clone()));
        assert_eq!(source.load(None).unwrap().project_id_origin(), Some("UCLOUD_PROJECT_ID"));
        assert_eq!(source.load(None).unwrap().endpoint_origin(), None);
        std::fs::remove_dir_all(&home).unwrap();
    }
}

//! Registry credentials the way users have them: given on the command line or in the
//! environment as `USER:PASS`, else from Docker's `config.json` (`auths`, `credHelpers`,
//! `credsStore`), else anonymous. A password never shows in Debug output or errors.

use std::collections::HashMap;
use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde::Deserialize;

use crate::Error;

/// The largest Docker config file read (a config with a few hundred hosts is a few KiB).
const MAX_CONFIG_BYTES: u64 = 1 << 20;
/// The largest answer read from a credential helper.
const MAX_HELPER_BYTES: usize = 64 << 10;

/// A secret string: shown as `***` by Debug and Display.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How requests to one registry host authenticate. Bearer tokens are not credentials of
/// their own: we trade these for a token when the registry asks for one, at a realm the rule
/// of `auth.rs` allows; oci-client only ever gets the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credentials {
    Anonymous,
    Basic { user: String, password: Secret },
}

impl Credentials {
    /// The credentials for `host`: `explicit` (`USER:PASS`) when given, else the Docker
    /// config's (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`), else anonymous.
    pub fn resolve(host: &str, explicit: Option<&str>) -> Result<Credentials, Error> {
        if let Some(pair) = explicit {
            return Credentials::parse_pair(pair);
        }
        match docker_config_path() {
            Some(path) if path.exists() => from_docker_config(&path, host),
            _ => Ok(Credentials::Anonymous),
        }
    }

    /// `USER:PASS` (the password may contain `:`).
    pub fn parse_pair(pair: &str) -> Result<Credentials, Error> {
        match pair.split_once(':') {
            Some((user, password)) if !user.is_empty() => {
                Ok(Credentials::Basic { user: user.to_owned(), password: Secret::new(password) })
            }
            _ => Err(Error::Credentials(
                "credentials must be USER:PASS (a user name, a colon, then the password)".into(),
            )),
        }
    }
}

fn docker_config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".docker").join("config.json"))
}

#[derive(Deserialize, Default)]
struct DockerConfig {
    #[serde(default)]
    auths: HashMap<String, AuthEntry>,
    #[serde(default, rename = "credHelpers")]
    cred_helpers: HashMap<String, String>,
    #[serde(default, rename = "credsStore")]
    creds_store: Option<String>,
}

#[derive(Deserialize, Default)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default, rename = "identitytoken")]
    identity_token: Option<String>,
}

/// The names a host may have in `auths`: Docker Hub's is its v1 URL; others appear bare or
/// as URLs.
fn host_keys(host: &str) -> Vec<String> {
    if matches!(host, "docker.io" | "index.docker.io" | "registry-1.docker.io") {
        return vec![
            "https://index.docker.io/v1/".into(),
            "index.docker.io".into(),
            "docker.io".into(),
            "registry-1.docker.io".into(),
        ];
    }
    vec![host.to_owned(), format!("https://{host}"), format!("http://{host}")]
}

fn from_docker_config(path: &Path, host: &str) -> Result<Credentials, Error> {
    let config = read_docker_config(path)?;
    let keys = host_keys(host);
    let helper =
        keys.iter().find_map(|k| config.cred_helpers.get(k)).or(config.creds_store.as_ref()).filter(|h| !h.is_empty());
    if let Some(helper) = helper {
        // A helper that knows nothing of the host falls back to `auths`, as docker does.
        if let Some(found) = from_helper(helper, &keys[0])? {
            return Ok(found);
        }
    }
    let Some(entry) = keys.iter().find_map(|k| {
        config.auths.iter().find(|(name, _)| name.trim_end_matches('/') == k.trim_end_matches('/')).map(|(_, e)| e)
    }) else {
        return Ok(Credentials::Anonymous);
    };
    let place = || format!("{} (auths of {host})", path.display());
    if entry.identity_token.as_deref().is_some_and(|t| !t.is_empty()) {
        return Err(Error::Credentials(format!(
            "{}: identity tokens are not supported; give --src-creds/--dest-creds USER:PASS",
            place()
        )));
    }
    if let (Some(user), Some(password)) = (&entry.username, &entry.password) {
        return Ok(Credentials::Basic { user: user.clone(), password: Secret::new(password.clone()) });
    }
    let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) else {
        return Ok(Credentials::Anonymous);
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(auth.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| Error::Credentials(format!("{}: \"auth\" is not base64 of USER:PASS", place())))?;
    Credentials::parse_pair(&decoded)
        .map_err(|_| Error::Credentials(format!("{}: \"auth\" is not base64 of USER:PASS", place())))
}

fn read_docker_config(path: &Path) -> Result<DockerConfig, Error> {
    // Opening a FIFO or a device would block or read without end: only regular files are read.
    let meta =
        std::fs::metadata(path).map_err(|e| Error::Credentials(format!("cannot read {}: {e}", path.display())))?;
    if !meta.is_file() {
        return Err(Error::Credentials(format!("{} is not a regular file; refused", path.display())));
    }
    let file =
        std::fs::File::open(path).map_err(|e| Error::Credentials(format!("cannot read {}: {e}", path.display())))?;
    let mut text = String::new();
    file.take(MAX_CONFIG_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| Error::Credentials(format!("cannot read {}: {e}", path.display())))?;
    if text.len() as u64 > MAX_CONFIG_BYTES {
        return Err(Error::Credentials(format!("{} is larger than {MAX_CONFIG_BYTES} bytes; refused", path.display())));
    }
    // The error names the place, not the text: the file holds passwords.
    serde_json::from_str(&text).map_err(|e| {
        Error::Credentials(format!(
            "{} is not a Docker config (line {}, column {}); fix it or set DOCKER_CONFIG",
            path.display(),
            e.line(),
            e.column()
        ))
    })
}

#[derive(Deserialize)]
struct HelperAnswer {
    #[serde(rename = "Username")]
    username: String,
    #[serde(rename = "Secret")]
    secret: String,
}

/// Asks `docker-credential-<helper> get` for `server`; `None` when it knows none.
fn from_helper(helper: &str, server: &str) -> Result<Option<Credentials>, Error> {
    if !helper.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.') {
        return Err(Error::Credentials(format!("credential helper name {helper:?} is not a plain name")));
    }
    run_helper(&format!("docker-credential-{helper}"), server, HELPER_TIME)
}

/// How long a credential helper may take: it may unlock a keychain, but it must not hang a run.
const HELPER_TIME: Duration = Duration::from_secs(30);

/// Runs `program get` for `server`, reading at most [`MAX_HELPER_BYTES`] of its answer and
/// killing it after `time`: a helper is a program from the user's environment, and one that
/// never ends or never stops writing must cost a bounded error, not a hang or the memory.
fn run_helper(program: &str, server: &str, time: Duration) -> Result<Option<Credentials>, Error> {
    let mut child = Command::new(program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Error::Credentials(format!("cannot run {program} (named in the Docker config): {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(server.as_bytes());
    }
    let stdout = child.stdout.take().expect("stdout is piped");
    let reader = std::thread::spawn(move || {
        let mut answer = Vec::new();
        let _ = stdout.take(MAX_HELPER_BYTES as u64 + 1).read_to_end(&mut answer);
        answer
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait().map_err(|e| Error::Credentials(format!("{program} get: {e}")))? {
            Some(status) => break status,
            None if started.elapsed() >= time => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::Credentials(format!(
                    "{program} get did not answer within {} s; it was stopped",
                    time.as_secs()
                )));
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    // The helper has ended, so its end of the pipe is closed (unless it left a child holding
    // it, which the byte bound still limits).
    let answer = reader.join().unwrap_or_default();
    // Checked first: a helper cut off at the bound dies of the closed pipe, which is no
    // "I know none".
    if answer.len() > MAX_HELPER_BYTES {
        return Err(Error::Credentials(format!("{program} get answered more than {MAX_HELPER_BYTES} bytes")));
    }
    if !status.success() {
        // "credentials not found in native keychain": docker then tries without.
        return Ok(None);
    }
    let answer: HelperAnswer = serde_json::from_slice(&answer)
        .map_err(|_| Error::Credentials(format!("{program} get did not answer {{\"Username\", \"Secret\"}}")))?;
    if answer.username == "<token>" {
        return Err(Error::Credentials(format!(
            "{program} holds an identity token for {server}; give USER:PASS instead"
        )));
    }
    Ok(Some(Credentials::Basic { user: answer.username, password: Secret::new(answer.secret) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_dir(json: &str) -> tempdir::Dir {
        tempdir::Dir::with_config(json)
    }

    mod tempdir {
        use std::path::PathBuf;
        pub struct Dir(pub PathBuf);
        impl Dir {
            pub fn with_config(json: &str) -> Dir {
                let dir = std::env::temp_dir().join(format!(
                    "uhub-registry-creds-{}-{}",
                    std::process::id(),
                    super::super::tests::next()
                ));
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(dir.join("config.json"), json).unwrap();
                Dir(dir)
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    pub(super) fn next() -> u64 {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        N.fetch_add(1, Ordering::Relaxed)
    }

    #[test]
    fn a_pair_splits_at_the_first_colon_and_debug_hides_the_password() {
        let creds = Credentials::parse_pair("alice:pa:ss").unwrap();
        assert_eq!(creds, Credentials::Basic { user: "alice".into(), password: Secret::new("pa:ss") });
        let shown = format!("{creds:?}");
        assert!(!shown.contains("pa:ss") && shown.contains("alice") && shown.contains("***"), "{shown}");
        let err = Credentials::parse_pair("no-colon").unwrap_err().to_string();
        assert!(err.contains("USER:PASS") && !err.contains("no-colon"), "{err}");
    }

    #[test]
    fn docker_config_auths_are_found_by_host_and_docker_hub_by_its_v1_url() {
        let auth = base64::engine::general_purpose::STANDARD.encode("bob:s3cret");
        let dir = config_dir(&format!(
            r#"{{"auths":{{"https://index.docker.io/v1/":{{"auth":"{auth}"}},"127.0.0.1:5000":{{"username":"u","password":"p"}}}}}}"#
        ));
        let path = dir.0.join("config.json");
        let hub = from_docker_config(&path, "docker.io").unwrap();
        assert_eq!(hub, Credentials::Basic { user: "bob".into(), password: Secret::new("s3cret") });
        let local = from_docker_config(&path, "127.0.0.1:5000").unwrap();
        assert_eq!(local, Credentials::Basic { user: "u".into(), password: Secret::new("p") });
        assert_eq!(from_docker_config(&path, "ghcr.io").unwrap(), Credentials::Anonymous);
    }

    #[test]
    fn a_broken_docker_config_names_the_file_and_never_its_text() {
        let dir = config_dir(r#"{"auths":{"h":{"auth":"c2VjcmV0LXdpdGhvdXQtY29sb24="}}}"#);
        let path = dir.0.join("config.json");
        let err = from_docker_config(&path, "h").unwrap_err().to_string();
        assert!(err.contains("config.json") && !err.contains("secret-without-colon"), "{err}");
        let dir = config_dir(r#"{"auths": [ "password123" "#);
        let err = from_docker_config(&dir.0.join("config.json"), "h").unwrap_err().to_string();
        assert!(err.contains("not a Docker config") && !err.contains("password123"), "{err}");
    }

    /// A credential helper script in its own folder.
    fn helper(dir: &tempdir::Dir, body: &str) -> String {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.0.join("docker-credential-test");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path.to_str().unwrap().to_owned()
    }

    #[test]
    fn a_helper_answers_user_and_secret_and_a_failing_one_knows_none() {
        let dir = config_dir("{}");
        let ok = helper(&dir, r#"read host; echo "{\"Username\":\"u-$host\",\"Secret\":\"s3cret\"}""#);
        match run_helper(&ok, "r.example", HELPER_TIME).unwrap() {
            Some(Credentials::Basic { user, password }) => {
                assert_eq!((user.as_str(), password.expose()), ("u-r.example", "s3cret"))
            }
            other => panic!("{other:?}"),
        }
        let none = helper(&dir, "exit 1");
        assert!(run_helper(&none, "r.example", HELPER_TIME).unwrap().is_none());
    }

    #[test]
    fn a_helper_that_hangs_is_stopped_and_one_that_writes_without_end_is_bounded() {
        let dir = config_dir("{}");
        let hangs = helper(&dir, "exec sleep 600");
        let started = Instant::now();
        let err = run_helper(&hangs, "h", Duration::from_millis(300)).unwrap_err().to_string();
        assert!(err.contains("did not answer within"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());

        let endless = helper(&dir, "exec yes");
        let err = run_helper(&endless, "h", Duration::from_secs(5)).unwrap_err().to_string();
        assert!(err.contains("more than 65536 bytes"), "{err}");
    }

    #[test]
    fn a_docker_config_that_is_not_a_regular_file_is_refused_without_blocking() {
        let dir = config_dir("{}");
        let fifo = dir.0.join("fifo.json");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let err = read_docker_config(&fifo).err().unwrap().to_string();
        assert!(err.contains("not a regular file"), "{err}");
    }

    #[test]
    fn a_missing_credential_helper_is_named() {
        let dir = config_dir(r#"{"credsStore":"uhub-test-absent-helper"}"#);
        let err = from_docker_config(&dir.0.join("config.json"), "h").unwrap_err().to_string();
        assert!(err.contains("docker-credential-uhub-test-absent-helper"), "{err}");
    }
}

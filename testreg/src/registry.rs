//! A CNCF Distribution registry (`docker-registry serve`) on 127.0.0.1, with its own temporary
//! config, storage and log, stopped (killed and reaped) when dropped.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::install;
use crate::spawn::spawn;

/// How long a registry may take to answer `GET /v2/`.
const START_BOUND: Duration = Duration::from_secs(20);
/// Port races (another process took the free port first) are retried this many times.
const START_ATTEMPTS: usize = 3;

/// A running `docker-registry` on 127.0.0.1; killed, reaped and its files removed on drop.
pub struct Registry {
    child: Child,
    port: u16,
    basic: Option<(String, String)>,
    storage: PathBuf,
    // Dropped after the child is reaped (fields drop in order; `drop` kills first).
    dir: TempDir,
}

impl Registry {
    /// An anonymous registry: anyone may pull, push and delete.
    pub fn start() -> Registry {
        Registry::start_with(None)
    }

    /// A registry that demands HTTP basic auth (htpasswd, bcrypt) for every request.
    pub fn start_basic(user: &str, password: &str) -> Registry {
        Registry::start_with(Some((user.to_owned(), password.to_owned())))
    }

    fn start_with(basic: Option<(String, String)>) -> Registry {
        let binary = install::docker_registry();
        let mut last = String::new();
        for _ in 0..START_ATTEMPTS {
            match Registry::try_start(&binary, basic.clone()) {
                Ok(registry) => return registry,
                Err(Failed { message, port_taken: true }) => last = message,
                Err(Failed { message, .. }) => panic!("{message}"),
            }
        }
        panic!("{last}")
    }

    fn try_start(binary: &Path, basic: Option<(String, String)>) -> Result<Registry, Failed> {
        let fail = |message: String| Failed { message, port_taken: false };
        let dir = tempfile::Builder::new()
            .prefix("uhub-testreg-")
            .tempdir()
            .map_err(|e| fail(format!("uhub-testreg: cannot create a temporary directory: {e}")))?;
        let storage = dir.path().join("storage");
        std::fs::create_dir(&storage)
            .map_err(|e| fail(format!("uhub-testreg: cannot create {}: {e}", storage.display())))?;
        let port = free_port().map_err(|e| fail(format!("uhub-testreg: no free port on 127.0.0.1: {e}")))?;
        let auth = match &basic {
            None => String::new(),
            Some((user, password)) => {
                let htpasswd = dir.path().join("htpasswd");
                // Cost 4 (the least bcrypt allows): the registry checks every request's password.
                let hash = bcrypt::hash(password, 4).expect("bcrypt hashes any password of at most 72 bytes");
                std::fs::write(&htpasswd, format!("{user}:{hash}\n"))
                    .map_err(|e| fail(format!("uhub-testreg: cannot write {}: {e}", htpasswd.display())))?;
                format!("auth:\n  htpasswd:\n    realm: testreg\n    path: {}\n", htpasswd.display())
            }
        };
        let config = format!(
            "version: 0.1\n\
             log:\n  level: info\n  formatter: text\n\
             storage:\n  filesystem:\n    rootdirectory: {storage}\n  delete:\n    enabled: true\n  \
             maintenance:\n    uploadpurging:\n      enabled: false\n\
             http:\n  addr: 127.0.0.1:{port}\n  secret: uhub-testreg-not-a-secret\n\
             health:\n  storagedriver:\n    enabled: false\n\
             {auth}",
            storage = storage.display()
        );
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config)
            .map_err(|e| fail(format!("uhub-testreg: cannot write {}: {e}", config_path.display())))?;
        let log_path = dir.path().join("registry.log");
        let log = File::create(&log_path)
            .map_err(|e| fail(format!("uhub-testreg: cannot create {}: {e}", log_path.display())))?;
        let mut command = Command::new(binary);
        command
            .arg("serve")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| fail(e.to_string()))?)
            .stderr(log)
            // The registry reads REGISTRY_* variables over its config; the test's must not leak in.
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default());
        let child = spawn(command).map_err(|e| fail(format!("uhub-testreg: cannot run {}: {e}", binary.display())))?;
        let mut registry = Registry { child, port, basic, storage, dir };
        match registry.wait_ready() {
            Ok(()) => Ok(registry),
            Err(why) => {
                let log = registry.log();
                let port_taken = log.contains("address already in use");
                // The registry's directory goes with it; its config and log are kept for a look.
                let kept = std::env::temp_dir().join(format!("uhub-testreg-failed-{port}"));
                let kept = std::fs::create_dir_all(&kept)
                    .and_then(|()| std::fs::copy(&config_path, kept.join("config.yml")))
                    .and_then(|_| std::fs::copy(&log_path, kept.join("registry.log")))
                    .map_or_else(|e| format!("(not kept: {e})"), |_| kept.display().to_string());
                Err(Failed {
                    message: format!(
                        "uhub-testreg: the registry on 127.0.0.1:{port} did not start: {why}\n\
                         its config and log are kept in {kept}; the log:\n{log}"
                    ),
                    port_taken,
                })
            }
        }
    }

    /// Polls `GET /v2/` until it answers (200, or 401 when auth is on), the process exits or
    /// [`START_BOUND`] passes.
    fn wait_ready(&mut self) -> Result<(), String> {
        let started = Instant::now();
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("it exited ({status})"));
            }
            if let Some(status) = get_v2_status(addr) {
                return match status {
                    200 | 401 => Ok(()),
                    other => Err(format!("GET /v2/ answered {other}")),
                };
            }
            if started.elapsed() > START_BOUND {
                return Err(format!("GET /v2/ had no answer after {START_BOUND:?}"));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// `127.0.0.1:PORT`, the host part of image references (plain HTTP).
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Where images are pushed to (with this registry's credentials, if it has some).
    pub fn target(&self) -> crate::Target {
        crate::Target { host: self.host(), basic: self.basic.clone() }
    }

    /// The registry's storage root (`docker/registry/v2/...` below it).
    pub fn storage_dir(&self) -> &Path {
        &self.storage
    }

    /// What the registry logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    /// The registry's process id (for tests of the crate itself).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Failed {
    message: String,
    port_taken: bool,
}

/// A port nothing listens on right now (the registry binds it a moment later; a race with
/// another process is retried by [`Registry::start`]).
fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

/// The status of `GET /v2/` on `addr`, or `None` when nothing answers yet.
fn get_v2_status(addr: SocketAddr) -> Option<u16> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(1))).ok()?;
    stream.write_all(format!("GET /v2/ HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes()).ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registry_that_exits_at_start_is_an_error_quoting_its_log() {
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("docker-registry");
        std::fs::write(&fake, "#!/bin/sh\necho 'level=fatal msg=\"configuration error: boom\"' >&2\nexit 1\n").unwrap();
        std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let Err(failed) = Registry::try_start(&fake, None) else { panic!("a registry that exits started") };
        assert!(!failed.port_taken);
        let message = failed.message;
        assert!(message.contains("did not start: it exited (exit status: 1)"), "{message}");
        assert!(message.contains("configuration error: boom"), "{message}");
        let kept = message.split("kept in ").nth(1).and_then(|m| m.split(';').next()).unwrap();
        let log = std::fs::read_to_string(Path::new(kept).join("registry.log")).unwrap();
        assert!(log.contains("configuration error: boom"), "{log}");
        std::fs::remove_dir_all(kept).unwrap();
    }
}

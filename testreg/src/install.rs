//! The tools the registries need, found on `PATH` or installed by `install-tools.sh` (the same
//! script `.ci/run` runs), so that `cargo test --workspace` passes on a fresh machine. A missing
//! tool is installed once per machine at a time: parallel test binaries take the same lock
//! (flock, released by the kernel if a process dies holding it), and the one that got it
//! first installs while the others wait and then find the tool.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The script, beside this crate's manifest.
pub const INSTALL_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/install-tools.sh");
/// What a person runs when the script could not (no root, no network).
pub const INSTALL_COMMAND: &str = "apt-get install -y --no-install-recommends docker-registry skopeo";
/// How long an install may take, waiting for another process's install included.
const INSTALL_BOUND: Duration = Duration::from_secs(600);

/// The path of `docker-registry` (the CNCF Distribution registry), installed first if missing.
/// Panics with the command to run when it cannot be had.
pub fn docker_registry() -> PathBuf {
    tool("docker-registry")
}

/// The path of `skopeo`, installed first if missing (the mirror bench compares with it).
pub fn skopeo() -> PathBuf {
    tool("skopeo")
}

fn tool(name: &str) -> PathBuf {
    if let Some(found) = on_path(name) {
        return found;
    }
    // One install per process; a second tool missing after it is reported by the re-check.
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    let outcome = INSTALLED.get_or_init(|| install(name));
    match (on_path(name), outcome) {
        (Some(found), _) => found,
        (None, Err(why)) => missing(name, why),
        (None, Ok(())) => missing(name, "the install script ended well but the tool is still not on PATH"),
    }
}

fn missing(name: &str, why: &str) -> ! {
    panic!(
        "\n\n=== uhub-testreg: `{name}` is not installed, and installing it failed ===\n\
         {why}\n\
         The registry tests need Debian's docker-registry (the CNCF Distribution registry) and skopeo.\n\
         Install them, as root:\n\n    {INSTALL_COMMAND}\n\n\
         or run the repository's script as root:\n\n    bash {INSTALL_SCRIPT}\n\n"
    )
}

/// The first executable `name` on `PATH`.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Runs the install script under the machine-wide lock, both bounded by [`INSTALL_BOUND`].
fn install(name: &str) -> Result<(), String> {
    let started = Instant::now();
    let lock_path = std::env::temp_dir().join("uhub-testreg-install.lock");
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| format!("cannot open the install lock {}: {e}", lock_path.display()))?;
    let _held = Flock::take(&lock, started + INSTALL_BOUND)
        .map_err(|e| format!("waited for the install lock {} and {e}", lock_path.display()))?;
    // Another process may have installed it while this one waited.
    if on_path(name).is_some() {
        return Ok(());
    }
    let log_path = std::env::temp_dir().join(format!("uhub-testreg-install-{}.log", std::process::id()));
    let log = File::create(&log_path).map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
    eprintln!("uhub-testreg: `{name}` is missing; running {INSTALL_SCRIPT} (log: {})", log_path.display());
    let mut child = Command::new("bash")
        .arg(INSTALL_SCRIPT)
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot run {INSTALL_SCRIPT}: {e}"))?;
    let tail = || std::fs::read_to_string(&log_path).unwrap_or_default();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => {
                return Err(format!(
                    "{INSTALL_SCRIPT} failed ({status}); its output ({}):\n{}",
                    log_path.display(),
                    tail()
                ));
            }
            Ok(None) if started.elapsed() > INSTALL_BOUND => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{INSTALL_SCRIPT} took over {INSTALL_BOUND:?} and was stopped; log {}",
                    log_path.display()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(200)),
            Err(e) => return Err(format!("waiting for {INSTALL_SCRIPT}: {e}")),
        }
    }
}

/// An exclusive flock on a file, held until dropped.
struct Flock<'a>(&'a File);

impl<'a> Flock<'a> {
    /// Polls rather than blocks, so that the wait is bounded.
    fn take(file: &'a File, until: Instant) -> Result<Flock<'a>, String> {
        loop {
            // SAFETY: flock on a descriptor this process owns; no memory is involved.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
                return Ok(Flock(file));
            }
            let err = std::io::Error::last_os_error();
            if err.raw_os_error() != Some(libc::EWOULDBLOCK) {
                return Err(format!("could not take it: {err}"));
            }
            if Instant::now() > until {
                return Err("another process held it too long".to_owned());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Flock<'_> {
    fn drop(&mut self) {
        // SAFETY: as in `take`.
        unsafe { libc::flock(self.0.as_raw_fd(), libc::LOCK_UN) };
    }
}

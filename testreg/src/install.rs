//! The tools the registries need, found on `PATH` or installed by `install-tools.sh` (the same
//! script `.ci/run` runs), so that `cargo test --workspace` passes on a fresh machine. A missing
//! tool is installed once per machine at a time: parallel test binaries take the same lock
//! (flock, released by the kernel if a process dies holding it), and the one that got it
//! first installs while the others wait and then find the tool.

use std::ffi::OsString;
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
    let installer = Installer::of_this_machine();
    if let Some(found) = installer.find(name) {
        return found;
    }
    // One install per process; a second tool missing after it is reported by the re-check.
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    let outcome = INSTALLED.get_or_init(|| installer.install(name));
    match (installer.find(name), outcome) {
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

/// Where tools are looked for and how they are installed; its own paths in the tests below.
struct Installer {
    script: PathBuf,
    /// The directories searched, as in `PATH`.
    search: OsString,
    lock: PathBuf,
    logs: PathBuf,
    bound: Duration,
}

impl Installer {
    fn of_this_machine() -> Installer {
        Installer {
            script: PathBuf::from(INSTALL_SCRIPT),
            search: std::env::var_os("PATH").unwrap_or_default(),
            lock: std::env::temp_dir().join("uhub-testreg-install.lock"),
            logs: std::env::temp_dir(),
            bound: INSTALL_BOUND,
        }
    }

    /// The first executable `name` in the search path.
    fn find(&self, name: &str) -> Option<PathBuf> {
        std::env::split_paths(&self.search).map(|dir| dir.join(name)).find(|p| is_executable(p))
    }

    /// Runs the install script under the machine-wide lock, both within `bound`.
    fn install(&self, name: &str) -> Result<(), String> {
        let started = Instant::now();
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock)
            .map_err(|e| format!("cannot open the install lock {}: {e}", self.lock.display()))?;
        let _held = Flock::take(&lock, started + self.bound)
            .map_err(|e| format!("waited for the install lock {} and {e}", self.lock.display()))?;
        // Another process may have installed it while this one waited.
        if self.find(name).is_some() {
            return Ok(());
        }
        let script = self.script.display();
        let log_path = self.logs.join(format!("uhub-testreg-install-{}.log", std::process::id()));
        let log = File::create(&log_path).map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
        eprintln!("uhub-testreg: `{name}` is missing; running {script} (log: {})", log_path.display());
        let mut child = Command::new("bash")
            .arg(&self.script)
            .env("PATH", &self.search)
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot run {script}: {e}"))?;
        let output = || std::fs::read_to_string(&log_path).unwrap_or_default();
        loop {
            match child.try_wait() {
                Ok(Some(status)) if status.success() => return Ok(()),
                Ok(Some(status)) => {
                    return Err(format!(
                        "{script} failed ({status}); its output ({}):\n{}",
                        log_path.display(),
                        output()
                    ));
                }
                Ok(None) if started.elapsed() > self.bound => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!(
                        "{script} took over {:?} and was stopped; log {}",
                        self.bound,
                        log_path.display()
                    ));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                Err(e) => return Err(format!("waiting for {script}: {e}")),
            }
        }
    }
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
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
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Flock<'_> {
    fn drop(&mut self) {
        // SAFETY: as in `take`.
        unsafe { libc::flock(self.0.as_raw_fd(), libc::LOCK_UN) };
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// An installer whose search path is a fresh directory and whose script is `body`, with
    /// `$BIN` (that directory) and `$RUNS` (a file it appends to) set for the script.
    fn installer(body: &str, bound: Duration) -> (Installer, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let script = dir.path().join("install.sh");
        let runs = dir.path().join("runs");
        std::fs::write(&script, format!("BIN={}\nRUNS={}\n{body}\n", bin.display(), runs.display())).unwrap();
        // The script may call the usual tools; the tool it installs is found only in `bin`.
        let search = std::env::join_paths([bin, PathBuf::from("/usr/bin"), PathBuf::from("/bin")]).unwrap();
        let installer = Installer { script, search, lock: dir.path().join("lock"), logs: dir.path().to_owned(), bound };
        (installer, dir)
    }

    const INSTALLS: &str =
        "echo run >> \"$RUNS\"; sleep 0.3; printf '#!/bin/sh\\n' > \"$BIN/fake-tool\"; chmod +x \"$BIN/fake-tool\"";

    #[test]
    fn a_missing_tool_is_installed_once_while_others_wait_for_the_lock() {
        let (installer, dir) = installer(INSTALLS, Duration::from_secs(20));
        assert_eq!(installer.find("fake-tool"), None);
        let installer = Arc::new(installer);
        let racers: Vec<_> = (0..3)
            .map(|_| {
                let installer = installer.clone();
                std::thread::spawn(move || installer.install("fake-tool"))
            })
            .collect();
        for racer in racers {
            racer.join().unwrap().unwrap();
        }
        assert_eq!(installer.find("fake-tool"), Some(dir.path().join("bin/fake-tool")));
        // Separate opens of the lock file exclude each other as separate processes do.
        assert_eq!(std::fs::read_to_string(dir.path().join("runs")).unwrap(), "run\n");
    }

    #[test]
    fn a_failing_script_is_reported_with_its_output() {
        let (installer, _dir) =
            installer("echo 'E: Unable to locate package docker-registry' >&2; exit 100", Duration::from_secs(20));
        let why = installer.install("fake-tool").unwrap_err();
        assert!(why.contains("failed (exit status: 100)"), "{why}");
        assert!(why.contains("E: Unable to locate package docker-registry"), "{why}");
    }

    #[test]
    fn a_script_that_hangs_is_stopped_at_the_bound() {
        let (installer, _dir) = installer("exec sleep 30", Duration::from_millis(300));
        let started = Instant::now();
        let why = installer.install("fake-tool").unwrap_err();
        assert!(why.contains("took over 300ms and was stopped"), "{why}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_lock_held_past_the_bound_is_an_error_not_a_hang() {
        let (installer, _dir) = installer(INSTALLS, Duration::from_millis(300));
        let other = File::options().create(true).truncate(false).write(true).open(&installer.lock).unwrap();
        let _held = Flock::take(&other, Instant::now() + Duration::from_secs(1)).unwrap();
        let why = installer.install("fake-tool").unwrap_err();
        assert!(why.contains("another process held it too long"), "{why}");
    }

    #[test]
    #[should_panic(expected = "apt-get install -y --no-install-recommends docker-registry skopeo")]
    fn a_tool_still_missing_panics_with_the_command_to_run() {
        missing("docker-registry", "no network");
    }
}

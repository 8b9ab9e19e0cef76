//! The peak memory of a child process: run to its end and reaped with `wait4`, whose rusage
//! holds that child's own peak resident set (`ru_maxrss`), not the other children's.

use std::os::unix::process::ExitStatusExt as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How a child ended.
#[derive(Debug)]
pub struct Finished {
    /// Its exit status, -1 when a signal ended it.
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
    /// Its peak resident memory, KiB.
    pub peak_kib: i64,
}

/// Runs `command` (stdin closed, output piped) to its end and returns how it ended and its
/// peak memory.
///
/// # Panics
///
/// When it cannot start, or runs longer than `limit` (it is killed then).
#[allow(clippy::zombie_processes, reason = "reaped by wait4, which also reads its peak memory")]
pub fn run(mut command: Command, limit: Duration) -> Finished {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{command:?} does not start: {e}"));
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            pipe.read_to_end(&mut text).ok();
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout is piped")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr is piped")));
    let pid = child.id() as libc::pid_t;
    let started = Instant::now();
    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: an all-zero rusage is a valid value of the plain C struct.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: the pointers are to live locals; the pid is this child's, not yet reaped.
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(reaped >= 0, "wait4: {}", std::io::Error::last_os_error());
        if reaped == pid {
            break (std::process::ExitStatus::from_raw(status), usage);
        }
        if started.elapsed() > limit {
            child.kill().ok();
            panic!("{command:?} ran longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Finished {
        status: status.code().unwrap_or(-1),
        stdout: stdout.join().expect("stdout read"),
        stderr: stderr.join().expect("stderr read"),
        peak_kib: usage.ru_maxrss,
    }
}

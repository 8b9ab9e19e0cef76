//! Child processes that die with the test process. Linux's `PR_SET_PDEATHSIG` sends the child
//! a signal when the *thread* that forked it ends, not the process: a registry started from a
//! test's thread would die when that test ends, even if a later test holds it. So every child
//! is forked by one thread that lives as long as the process, and gets SIGKILL when it ends
//! (a test binary killed by a timeout leaves no registry behind). `Drop` still kills and reaps.

use std::io;
use std::process::{Child, Command};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Mutex, OnceLock};

type Job = (Command, Sender<io::Result<Child>>);

/// Spawns `command` from the process-long spawner thread.
pub(crate) fn spawn(command: Command) -> io::Result<Child> {
    static SPAWNER: OnceLock<Mutex<Sender<Job>>> = OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (jobs, queue) = channel::<Job>();
        std::thread::Builder::new()
            .name("uhub-testreg-spawner".to_owned())
            // Never ends: the sender lives in a static.
            .spawn(move || {
                for (mut command, reply) in queue {
                    let _ = reply.send(spawn_here(&mut command));
                }
            })
            .expect("uhub-testreg: cannot start the spawner thread");
        Mutex::new(jobs)
    });
    let (reply, answer) = channel();
    spawner
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .send((command, reply))
        .map_err(|_| io::Error::other("the spawner thread is gone"))?;
    answer.recv().map_err(|_| io::Error::other("the spawner thread is gone"))?
}

fn spawn_here(command: &mut Command) -> io::Result<Child> {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id();
    // SAFETY: the closure runs in the forked child before exec and only makes async-signal-safe
    // calls (prctl, getppid), allocating nothing.
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) != 0 {
                return Err(io::Error::last_os_error());
            }
            // The parent may have died before prctl: then nothing would ever signal us.
            if libc::getppid() as u32 != parent {
                return Err(io::Error::other("the test process ended before the child started"));
            }
            Ok(())
        });
    }
    command.spawn()
}

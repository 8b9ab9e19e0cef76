//! Files named on the command line (`--audit-log`, `--plan-out`, `--plan-in`, `--policy`, sync
//! files): opened without waiting for anyone, read within a size bound, written to disk before
//! what depends on them goes ahead, and never read or written on the async runtime's thread, so
//! `--timeout`, SIGINT and SIGTERM still stop a command whatever the file does.
//!
//! - Reading: only a regular file is read, and at most a cap of bytes. A FIFO, a socket or a
//!   device (`/dev/zero`, a terminal) is refused before it is opened, since opening a FIFO
//!   waits for a writer and a device may never end.
//! - Writing: the open does not wait (`O_NONBLOCK`, cleared once open), so a FIFO no process
//!   reads is an error at once rather than a hang. A regular file is synced to disk
//!   (`fsync`) after each write that must come first; a pipe, a terminal or a device has no disk
//!   behind it, so there the write itself is the record and no sync is asked for.

use std::fs::{File, OpenOptions};
use std::io::{self, Read as _};
use std::path::Path;

/// An open file to write records to, and whether it is a regular file (synced after writes).
pub struct Writable {
    pub file: File,
    pub regular: bool,
}

impl Writable {
    /// Opens `path` for writing, created when missing: appended to when `append`, else
    /// truncated. The open itself never waits: a FIFO that no process reads is an error
    /// (`ENXIO`) instead of a wait for a reader that may never come.
    pub fn open(path: &Path, append: bool) -> io::Result<Writable> {
        let mut options = OpenOptions::new();
        options.write(true).create(true);
        if append {
            options.append(true);
        } else {
            options.truncate(true);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.custom_flags(libc::O_NONBLOCK);
        }
        let file = options.open(path).map_err(|e| match e.raw_os_error() {
            #[cfg(unix)]
            Some(libc::ENXIO) => io::Error::other("it is a FIFO that no process is reading"),
            _ => e,
        })?;
        #[cfg(unix)]
        blocking_again(&file)?;
        let regular = file.metadata()?.is_file();
        Ok(Writable { file, regular })
    }

    /// Writes all of `bytes` and, for a regular file, syncs them to disk before returning.
    pub fn write_synced(&mut self, bytes: &[u8]) -> io::Result<()> {
        use std::io::Write as _;
        self.file.write_all(bytes)?;
        self.file.flush()?;
        if self.regular {
            self.file.sync_data()?;
        }
        Ok(())
    }
}

/// Clears `O_NONBLOCK` once the file is open: writes then wait for room as usual (a pipe that
/// is read slowly) instead of failing with `EAGAIN`.
#[cfg(unix)]
fn blocking_again(file: &File) -> io::Result<()> {
    use std::os::fd::AsRawFd as _;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this function's caller owns, with plain integer flags.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Runs blocking file work on a thread of its own and waits for it without holding the
/// runtime: a stop (SIGINT, SIGTERM, `--timeout`) is still seen while it runs. A stopped
/// command does not wait for the thread; the process ends without it.
pub async fn off_runtime<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = tx.send(work());
    });
    match rx.await {
        Ok(value) => value,
        // The thread panicked: the panic was printed; there is nothing to return.
        Err(_) => panic!("a file thread ended without an answer"),
    }
}

/// Reads `path` when it is a regular file of at most `cap` bytes; the error says what it is
/// instead (`expected` names what to give: "a TOML file"). A FIFO, a device or a directory is
/// refused before it is opened (opening a FIFO waits for a writer), and the read stops past
/// the cap whatever the file claimed.
pub fn read_regular(path: &Path, cap: u64, expected: &str) -> Result<Vec<u8>, String> {
    let not_regular = |meta: &std::fs::Metadata| {
        let kind = meta.file_type();
        let what = if kind.is_dir() { "a directory" } else { "not a regular file (a FIFO, socket or device)" };
        format!("{what}; name {expected}")
    };
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => "no such file".to_owned(),
        _ => format!("cannot read it: {e}"),
    })?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let file = File::open(path).map_err(|e| format!("cannot read it: {e}"))?;
    // The path may have changed between the look and the open: check what was opened.
    let opened = file.metadata().map_err(|e| format!("cannot read it: {e}"))?;
    if !opened.is_file() {
        return Err(not_regular(&opened));
    }
    let too_big = || format!("larger than {} KiB, far beyond any file of this kind", cap / 1024);
    if opened.len() > cap {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(opened.len() as usize);
    file.take(cap + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read it: {e}"))?;
    if bytes.len() as u64 > cap {
        return Err(too_big());
    }
    Ok(bytes)
}

/// Reads standard input to its end, at most `cap` bytes, on a thread of its own: a stdin that
/// never ends is an error at the cap, one that never closes is left behind when the command
/// is stopped (the thread is not waited for).
pub async fn read_stdin(cap: u64) -> Result<Vec<u8>, String> {
    off_runtime(move || {
        let mut bytes = Vec::new();
        io::stdin().lock().take(cap + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read it: {e}"))?;
        if bytes.len() as u64 > cap {
            return Err(format!("more than {} MiB; give fewer names at once", cap / (1024 * 1024)));
        }
        Ok(bytes)
    })
    .await
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_nobody_reads_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a NUL-terminated path and a mode.
        assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
        let e = Writable::open(&fifo, true).err().expect("no reader: refused, not waited for");
        assert!(e.to_string().contains("no process is reading"), "{e}");
    }

    #[test]
    fn writes_to_a_full_device_are_errors() {
        let mut full = Writable::open(Path::new("/dev/full"), true).unwrap();
        assert!(!full.regular);
        let e = full.write_synced(b"line\n").unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ENOSPC), "{e}");
    }

    #[test]
    fn regular_files_are_read_within_the_cap_and_others_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        std::fs::write(&path, vec![b'x'; 100]).unwrap();
        assert_eq!(read_regular(&path, 100, "a file").unwrap().len(), 100);
        assert!(read_regular(&path, 99, "a file").unwrap_err().contains("larger than"));
        let zero = read_regular(Path::new("/dev/zero"), 100, "a JSON file").unwrap_err();
        assert!(zero.contains("not a regular file") && zero.ends_with("name a JSON file"), "{zero}");
    }
}

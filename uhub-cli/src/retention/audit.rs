//! `--audit-log FILE`: one JSON line per destructive action, the record written before the
//! action and its outcome after it, so a run that is interrupted, killed or cut off by a full
//! disk never leaves a deletion without its record.
//!
//! Each line: `time`, `command`, `action` (`delete_tag`, `delete_image`, `delete_repo`),
//! `reference`, `digest` and `pushed` as read before deleting, `reason`, `result`,
//! `request_id`, `error`, `note`. A deletion that is sent has two lines: `result` `intent`,
//! written, flushed and (for a regular file) synced to disk before its request leaves, then its
//! outcome (`deleted`, `failed`, ...) once the answer is in. One that is never sent (changed
//! since the plan, gone, not started) has only its outcome.
//!
//! When a line cannot be written (a full disk, `/dev/full`, a file-size limit, an I/O error),
//! the log is broken: no deletion starts after that (an intent that could not be written is
//! never followed by its request), and the command ends with an error naming the file.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::Context as _;
use serde::Serialize;

use crate::input::local_file::{Writable, off_runtime};

/// Where records go, if anywhere.
pub struct AuditLog {
    file: Option<(PathBuf, Arc<Mutex<Writable>>)>,
    command: &'static str,
    /// The first write that failed: from then on nothing more is deleted.
    broken: OnceLock<String>,
}

/// One line of the log.
#[derive(Serialize)]
pub struct Record<'a> {
    pub time: String,
    pub command: &'a str,
    pub action: &'a str,
    pub reference: &'a str,
    pub digest: Option<&'a str>,
    pub pushed: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub result: &'a str,
    pub request_id: Option<&'a str>,
    pub error: Option<&'a str>,
    pub note: Option<&'a str>,
}

/// The `result` of the line written before a deletion's request.
pub const INTENT: &str = "intent";

impl AuditLog {
    /// The command records are made for (`prune`, `tag delete`, ...).
    pub fn command(&self) -> &'static str {
        self.command
    }

    /// Opens `path` for appending (created if missing) before anything is deleted, so a path
    /// that cannot be written stops the command first. The open does not wait: a FIFO that no
    /// process reads is refused. `None`: records go nowhere.
    pub async fn open(path: Option<&Path>, command: &'static str) -> anyhow::Result<AuditLog> {
        let file = match path {
            None => None,
            Some(p) => {
                let owned = p.to_owned();
                let f = off_runtime(move || Writable::open(&owned, true))
                    .await
                    .with_context(|| format!("cannot open the audit log {} for appending", p.display()))?;
                Some((p.to_owned(), Arc::new(Mutex::new(f))))
            }
        };
        Ok(AuditLog { file, command, broken: OnceLock::new() })
    }

    /// Whether a record could not be written: then no deletion may start.
    pub fn is_broken(&self) -> bool {
        self.broken.get().is_some()
    }

    /// The error that ends a command whose log broke, naming the file; `None` while it works.
    pub fn failure(&self) -> Option<anyhow::Error> {
        let (path, _) = self.file.as_ref()?;
        let why = self.broken.get()?;
        Some(anyhow::anyhow!(
            "cannot write to the audit log {}: {why}; no deletion was started after that (the report lists what was \
             done)",
            path.display()
        ))
    }

    /// Writes the intent line of a deletion about to be sent. `Err` (the file named): the
    /// deletion must not be sent, nor any other.
    pub async fn intent(
        &self,
        action: &str,
        reference: &str,
        digest: Option<&str>,
        pushed: Option<&str>,
        reason: Option<&str>,
    ) -> anyhow::Result<()> {
        if let Some(error) = self.failure() {
            return Err(error);
        }
        let record = Record {
            time: crate::time::rfc3339(jiff::Timestamp::now()),
            command: self.command,
            action,
            reference,
            digest,
            pushed,
            reason,
            result: INTENT,
            request_id: None,
            error: None,
            note: None,
        };
        match self.append(&record).await {
            Ok(()) => Ok(()),
            Err(_) => Err(self.failure().unwrap_or_else(|| anyhow::anyhow!("the audit log could not be written"))),
        }
    }

    /// Records the outcome of a whole image's or repository's deletion.
    pub async fn record_whole(
        &self,
        action: &str,
        reference: &str,
        result: &str,
        request_id: Option<&str>,
        error: Option<&str>,
    ) {
        self.write(&Record {
            time: crate::time::rfc3339(jiff::Timestamp::now()),
            command: self.command,
            action,
            reference,
            digest: None,
            pushed: None,
            reason: None,
            result,
            request_id,
            error,
            note: None,
        })
        .await;
    }

    /// Writes an outcome line. A failure is said on stderr and breaks the log (nothing more is
    /// deleted); the deletion it describes has happened either way.
    pub async fn write(&self, record: &Record<'_>) {
        // Said once: the command's error names the file again at the end.
        let already = self.is_broken();
        if let (Err(e), Some((path, _)), false) = (self.append(record).await, &self.file, already) {
            crate::terminal::output::note(&format!(
                "uhub: warning: cannot write to the audit log {}: {e}",
                path.display()
            ));
        }
    }

    /// Appends one line, flushed and synced, off the runtime; a failure breaks the log.
    async fn append(&self, record: &Record<'_>) -> std::io::Result<()> {
        let Some((_, file)) = &self.file else { return Ok(()) };
        let line = serde_json::to_string(record).map_err(std::io::Error::from)? + "\n";
        let file = Arc::clone(file);
        let written = off_runtime(move || {
            let mut f = file.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f.write_synced(line.as_bytes())
        })
        .await;
        if let Err(e) = &written {
            let _ = self.broken.set(e.to_string());
        }
        written
    }
}

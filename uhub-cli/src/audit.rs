//! `--audit-log FILE`: one JSON line per destructive action, appended as each one ends, so a run
//! that is interrupted (or killed) still leaves the record of what it did.
//!
//! Each line: `time`, `command`, `action` (`delete_tag`, `delete_image`, `delete_repo`),
//! `reference`, `digest` and `pushed` as read before deleting, `reason`, `result`, `request_id`,
//! `error`, `note`.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context as _;
use serde::Serialize;

/// Where records go, if anywhere.
pub struct AuditLog {
    file: Option<(PathBuf, Mutex<File>)>,
    command: &'static str,
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

impl AuditLog {
    /// The command records are made for (`prune`, `tag delete`, ...).
    pub fn command(&self) -> &'static str {
        self.command
    }

    /// Opens `path` for appending (created if missing) before anything is deleted, so a path
    /// that cannot be written stops the command first. `None`: records go nowhere.
    pub fn open(path: Option<&Path>, command: &'static str) -> anyhow::Result<AuditLog> {
        let file = match path {
            None => None,
            Some(p) => {
                let f = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)
                    .with_context(|| format!("cannot open the audit log {} for appending", p.display()))?;
                Some((p.to_owned(), Mutex::new(f)))
            }
        };
        Ok(AuditLog { file, command })
    }

    /// Records the deletion of a whole image or repository.
    pub fn record_whole(
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
        });
    }

    /// Writes one record as a line and flushes it. A failure to write is said on stderr once
    /// per record; the deletion it describes has happened either way.
    pub fn write(&self, record: &Record<'_>) {
        let Some((path, file)) = &self.file else { return };
        let written = serde_json::to_string(record).map_err(std::io::Error::from).and_then(|line| {
            let mut f = file.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f.write_all(format!("{line}\n").as_bytes()).and_then(|()| f.flush())
        });
        if let Err(e) = written {
            crate::output::note(&format!("uhub: warning: cannot write to the audit log {}: {e}", path.display()));
        }
    }
}

//! Keeps the committed generated files equal to what the spec produces.
//!
//! One function serves `cargo xtask codegen`, `--check` and the freshness test, so all three
//! agree on what "stale" means.

use std::fs;
use std::path::{Path, PathBuf};

/// The spec, relative to the workspace root.
pub const SPEC: &str = "spec/uhub.json";
/// Where generated files go, relative to the workspace root.
pub const OUT_DIR: &str = "uhub-sdk/src/generated";
/// The command that brings generated files up to date.
pub const FIX: &str = "cargo xtask codegen";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write files whose contents changed and remove ones the spec no longer produces.
    Write,
    /// Touch nothing; report what differs.
    Check,
}

/// What differed between the spec's output and the files on disk.
#[derive(Debug, Default)]
pub struct Report {
    /// Files written (Write) or found stale or missing (Check).
    pub changed: Vec<PathBuf>,
    /// Generated files the spec no longer produces: removed (Write) or found (Check).
    pub extra: Vec<PathBuf>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.changed.is_empty() && self.extra.is_empty()
    }
}

/// Generates from `root/spec/uhub.json` and compares with (or writes) `root/uhub-sdk/src/generated`.
pub fn sync(root: &Path, mode: Mode) -> Result<Report, String> {
    let spec_path = root.join(SPEC);
    let text = fs::read_to_string(&spec_path).map_err(|e| format!("cannot read {}: {e}", spec_path.display()))?;
    let files = crate::generate(&text).map_err(|e| format!("{SPEC} is invalid:\n{e}"))?;
    let out = root.join(OUT_DIR);
    let mut report = Report::default();
    for f in &files {
        let path = out.join(&f.path);
        if fs::read_to_string(&path).ok().as_deref() != Some(f.contents.as_str()) {
            if mode == Mode::Write {
                fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
                fs::write(&path, &f.contents).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
            report.changed.push(path);
        }
    }
    if let Ok(entries) = fs::read_dir(&out) {
        let mut extra: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "rs"))
            .filter(|p| !files.iter().any(|f| out.join(&f.path) == *p))
            .collect();
        extra.sort();
        for p in &extra {
            if mode == Mode::Write {
                fs::remove_file(p).map_err(|e| format!("cannot remove {}: {e}", p.display()))?;
            }
        }
        report.extra = extra;
    }
    Ok(report)
}

/// The message `--check` prints when the tree is stale.
pub fn stale_message(report: &Report) -> String {
    let mut msg = String::from("generated code is stale:\n");
    for p in &report.changed {
        msg.push_str(&format!("  out of date: {}\n", p.display()));
    }
    for p in &report.extra {
        msg.push_str(&format!("  not produced by the spec: {}\n", p.display()));
    }
    msg.push_str(&format!("run `{FIX}` and commit the result"));
    msg
}

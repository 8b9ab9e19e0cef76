//! Keeps the committed generated files equal to what their specs produce.
//!
//! Two kinds of output are committed: the SDK's typed layer (from `spec/uhub.json`) and the
//! golden files (from each fixture spec in `codegen/tests/fixtures/`, one module each of the
//! golden crate in `codegen/tests/output/`, which compiles them against uhub-sdk's public
//! runtime and runs their tests). One function serves `cargo xtask codegen`, `--check`, the
//! freshness test and the golden test for both, so all of them agree on what "stale" means.
//! Files are compared with line endings normalised, so a checkout that turned `\n` into
//! `\r\n` is not stale.

use std::fs;
use std::path::{Path, PathBuf};

/// The spec, relative to the workspace root.
pub use crate::pipeline::SPEC;
/// Where generated files go, relative to the workspace root.
pub const OUT_DIR: &str = "uhub-sdk/src/generated";
/// Fixture specs whose output is committed as golden files, relative to the workspace root.
pub const FIXTURES: &str = "codegen/tests/fixtures";
/// Where the output of fixture `<name>.json` goes: `<GOLDEN_DIR>/<name>/`, a module of the
/// golden crate. The `lib.rs` directly in this folder is hand-written and left alone.
pub const GOLDEN_DIR: &str = "codegen/tests/output/src";
/// The command that brings generated files up to date.
pub const FIX: &str = "cargo xtask codegen";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write files whose contents changed and remove ones the spec no longer produces.
    Write,
    /// Touch nothing; report what differs.
    Check,
}

/// What differed between the specs' output and the files on disk.
#[derive(Debug, Default)]
pub struct Report {
    /// Files written (Write) or found stale or missing (Check).
    pub changed: Vec<PathBuf>,
    /// Generated files no spec produces any more: removed (Write) or found (Check).
    pub extra: Vec<PathBuf>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.changed.is_empty() && self.extra.is_empty()
    }
}

/// One spec and the folder its generated files live in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub spec: PathBuf,
    pub out: PathBuf,
}

/// Every spec whose output is committed: `spec/uhub.json`, then each fixture in name order.
/// A fixture's file stem names its golden module, so it must be a snake_case identifier.
pub fn targets(root: &Path) -> Result<Vec<Target>, String> {
    let mut targets = vec![Target { spec: root.join(SPEC), out: root.join(OUT_DIR) }];
    for name in fixture_names(root)? {
        if !(crate::names::is_ident(&name) && name == crate::names::method(&name)) {
            return Err(format!("{FIXTURES}/{name}.json: the name must be a snake_case Rust module name"));
        }
        targets.push(Target {
            spec: root.join(FIXTURES).join(format!("{name}.json")),
            out: root.join(GOLDEN_DIR).join(&name),
        });
    }
    Ok(targets)
}

/// The file stems of `codegen/tests/fixtures/*.json`, sorted; none when the folder is missing.
fn fixture_names(root: &Path) -> Result<Vec<String>, String> {
    let dir = root.join(FIXTURES);
    let Ok(entries) = fs::read_dir(&dir) else { return Ok(Vec::new()) };
    let mut names = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?.path();
        if path.extension().is_some_and(|x| x == "json") {
            if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                names.push(stem.to_owned());
            }
        }
    }
    names.sort();
    Ok(names)
}

/// Generates from every target's spec and compares with (or writes) its folder; then finds
/// golden folders whose fixture is gone.
pub fn sync(root: &Path, mode: Mode) -> Result<Report, String> {
    let targets = targets(root)?;
    let mut report = Report::default();
    for t in &targets {
        sync_target(root, t, mode, &mut report)?;
    }
    let golden = root.join(GOLDEN_DIR);
    if let Ok(entries) = fs::read_dir(&golden) {
        let mut orphans: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir() && !targets.iter().any(|t| &t.out == p))
            .collect();
        orphans.sort();
        for dir in orphans {
            let files = rust_files(&dir);
            if mode == Mode::Write {
                for p in &files {
                    fs::remove_file(p).map_err(|e| format!("cannot remove {}: {e}", p.display()))?;
                    // Its products' folders first; each only goes when nothing else was in it.
                    if let Some(parent) = p.parent().filter(|d| *d != dir.as_path()) {
                        let _ = fs::remove_dir(parent);
                    }
                }
                let _ = fs::remove_dir(&dir);
            }
            report.extra.extend(files);
        }
    }
    Ok(report)
}

/// One target: each generated file written when it differs, `.rs` files it does not produce
/// removed (Write) or reported (Check).
pub fn sync_target(root: &Path, target: &Target, mode: Mode, report: &mut Report) -> Result<(), String> {
    let rel = target.spec.strip_prefix(root).unwrap_or(&target.spec).display().to_string();
    let text = fs::read_to_string(&target.spec).map_err(|e| format!("cannot read {}: {e}", target.spec.display()))?;
    // The preamble names the spec with forward slashes on every platform.
    let source = rel.replace('\\', "/");
    let files = crate::pipeline::generate_from(&text, &source).map_err(|e| format!("{rel} is invalid:\n{e}"))?;
    let out = &target.out;
    for f in &files {
        let path = out.join(&f.path);
        let on_disk = fs::read_to_string(&path).ok().map(|t| t.replace("\r\n", "\n"));
        if on_disk.as_deref() != Some(f.contents.as_str()) {
            if mode == Mode::Write {
                let dir = path.parent().unwrap_or(out);
                fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                fs::write(&path, &f.contents).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
            report.changed.push(path);
        }
    }
    let extra: Vec<PathBuf> =
        rust_files(out).into_iter().filter(|p| !files.iter().any(|f| out.join(&f.path) == *p)).collect();
    for p in &extra {
        if mode == Mode::Write {
            fs::remove_file(p).map_err(|e| format!("cannot remove {}: {e}", p.display()))?;
            // A product no longer in the spec leaves its folder: removed once empty.
            if let Some(dir) = p.parent().filter(|d| *d != out.as_path()) {
                let _ = fs::remove_dir(dir);
            }
        }
    }
    report.extra.extend(extra);
    Ok(())
}

/// The `.rs` files directly in `dir`, sorted; none when it does not exist.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let entries: Vec<PathBuf> =
        fs::read_dir(dir).map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    let mut files = Vec::new();
    for p in entries {
        if p.is_dir() {
            // A product's folder (see `crate::products`).
            files.extend(rust_files(&p));
        } else if p.is_file() && p.extension().is_some_and(|x| x == "rs") {
            files.push(p);
        }
    }
    files.sort();
    files
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

/// Copies everything [`sync`] reads and writes (the spec, the fixtures and both outputs) from
/// one workspace root to another, so `sync` can be tried on a scratch copy.
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    for part in [SPEC, OUT_DIR, FIXTURES, GOLDEN_DIR] {
        copy_all(&from.join(part), &to.join(part))?;
    }
    Ok(())
}

fn copy_all(from: &Path, to: &Path) -> std::io::Result<()> {
    if from.is_dir() {
        fs::create_dir_all(to)?;
        for entry in fs::read_dir(from)? {
            let entry = entry?;
            copy_all(&entry.path(), &to.join(entry.file_name()))?;
        }
    } else {
        fs::create_dir_all(to.parent().unwrap_or(to))?;
        fs::copy(from, to)?;
    }
    Ok(())
}

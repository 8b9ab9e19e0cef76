//! `cargo xtask import-doc PAGE_OR_DIR... [--write [--allow-partial]]` with several pages or
//! a folder (a product's pages, read recursively, `.md` and `.txt` files in name order).
//!
//! The spec is read and indexed once, each page is imported into it and merged in turn, and
//! the merged spec is validated once at the end, so a page costs the same whatever the size of
//! the spec. Each page's unmapped rows (`not mapped:`), example warnings (`example:`) and
//! refusal (`refused:`) go to stderr, prefixed with the page; stdout gets a summary table, one
//! row per folder. Pages that are not API pages (an index, a glossary) or that document
//! another kind of call are refused and counted; they never stop the batch. `--write` writes
//! only when no page is partial, unless `--allow-partial`.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use uhub_codegen::import::{Catalog, Refused};
use uhub_codegen::{spec, sync};

use crate::import_doc::{Options, check, read_spec, say};

/// What happened to one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Added,
    Changed,
    Unchanged,
    NotApi,
    OtherKind,
}

/// One folder's counts: a row of the summary.
#[derive(Debug, Default, Clone)]
struct Tally {
    pages: usize,
    added: usize,
    changed: usize,
    unchanged: usize,
    /// Imported pages with at least one API row not mapped.
    partial: usize,
    not_api: usize,
    other_kind: usize,
    rows_not_mapped: usize,
    example_warnings: usize,
}

impl Tally {
    fn add(&mut self, outcome: Outcome, problems: usize, warnings: usize) {
        self.pages += 1;
        match outcome {
            Outcome::Added => self.added += 1,
            Outcome::Changed => self.changed += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::NotApi => self.not_api += 1,
            Outcome::OtherKind => self.other_kind += 1,
        }
        self.partial += usize::from(problems > 0);
        self.rows_not_mapped += problems;
        self.example_warnings += warnings;
    }

    fn sum(&mut self, other: &Tally) {
        self.pages += other.pages;
        self.added += other.added;
        self.changed += other.changed;
        self.unchanged += other.unchanged;
        self.partial += other.partial;
        self.not_api += other.not_api;
        self.other_kind += other.other_kind;
        self.rows_not_mapped += other.rows_not_mapped;
        self.example_warnings += other.example_warnings;
    }

    fn cells(&self) -> [usize; 9] {
        [
            self.pages,
            self.added,
            self.changed,
            self.unchanged,
            self.partial,
            self.not_api,
            self.other_kind,
            self.rows_not_mapped,
            self.example_warnings,
        ]
    }
}

const COLUMNS: [&str; 9] = [
    "pages",
    "added",
    "changed",
    "unchanged",
    "partial",
    "not API",
    "other kind",
    "rows not mapped",
    "example warnings",
];

pub fn run(root: &Path, opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), String> {
    let started = Instant::now();
    let pages = expand(&opts.pages)?;
    let spec_name = opts.spec_name();
    let (spec_path, before, spec) = read_spec(root, opts)?;
    let mut catalog = Catalog::new(spec);
    let mut folders: BTreeMap<String, Tally> = BTreeMap::new();
    for page in &pages {
        let name = page.display().to_string();
        let text = fs::read_to_string(page).map_err(|e| format!("cannot read {name}: {e}"))?;
        let (outcome, problems, warnings) = match catalog.import(&text) {
            Err(refused) => {
                say(err, &format!("{name}: refused: {refused}"))?;
                let outcome = match refused {
                    Refused::NotApi(_) => Outcome::NotApi,
                    Refused::OtherKind(_) => Outcome::OtherKind,
                };
                (outcome, 0, 0)
            }
            Ok(imported) => {
                for p in &imported.problems {
                    say(err, &format!("{name}: not mapped: {p}"))?;
                }
                for w in &imported.warnings {
                    say(err, &format!("{name}: example: {w}"))?;
                }
                let (problems, warnings) = (imported.problems.len(), imported.warnings.len());
                let action = format!("actions.{}: added", imported.action.name);
                let notes = catalog.merge(imported);
                let outcome = if notes.iter().any(|n| n.starts_with(&action)) {
                    Outcome::Added
                } else if notes.is_empty() {
                    Outcome::Unchanged
                } else {
                    Outcome::Changed
                };
                (outcome, problems, warnings)
            }
        };
        folders.entry(folder(page)).or_default().add(outcome, problems, warnings);
    }
    let mut total = Tally::default();
    folders.values().for_each(|t| total.sum(t));
    say(out, &table(&folders, &total))?;
    let after = spec::to_text(catalog.spec());
    let elapsed = started.elapsed().as_secs_f64();
    say(err, &format!("read {} page(s) and merged them in {elapsed:.2} s", pages.len()))?;
    if !opts.write {
        // Validated even when printing, so a batch that would be refused says so now.
        return check(&after).map_err(|e| e.replace("nothing written", "the batch would not be written"));
    }
    if total.partial > 0 && !opts.allow_partial {
        let given: Vec<String> = opts.pages.iter().map(|p| p.display().to_string()).collect();
        return Err(format!(
            "nothing written: {} page(s) have API rows that could not be mapped (listed above as `not mapped:`); \
             fix them and run again, or write the rest with `cargo xtask import-doc {} --write --allow-partial`",
            total.partial,
            given.join(" ")
        ));
    }
    check(&after)?;
    if after == before {
        return say(out, &format!("{spec_name} already matches the pages"));
    }
    fs::write(&spec_path, after).map_err(|e| format!("cannot write {}: {e}", spec_path.display()))?;
    let partial = if total.partial > 0 {
        format!(" without the {} unmapped row(s) listed above", total.rows_not_mapped)
    } else {
        String::new()
    };
    say(out, &format!("wrote {spec_name}{partial}; now run `{}`", sync::FIX))
}

/// The pages named: files as given, folders' `.md` and `.txt` files (recursively, in name
/// order; hidden entries skipped).
fn expand(given: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut pages = Vec::new();
    for path in given {
        if path.is_dir() {
            let before = pages.len();
            walk(path, &mut pages)?;
            if pages.len() == before {
                return Err(format!("{} holds no pages (.md or .txt files)", path.display()));
            }
        } else if path.exists() {
            pages.push(path.clone());
        } else {
            return Err(format!("cannot read {}: no such file or folder", path.display()));
        }
    }
    Ok(pages)
}

fn walk(dir: &Path, pages: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| !p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')))
        .collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk(&path, pages)?;
        } else if path.extension().is_some_and(|e| e == "md" || e == "txt") {
            pages.push(path);
        }
    }
    Ok(())
}

/// The folder a page is counted under: the name of the folder holding it.
fn folder(page: &Path) -> String {
    page.parent().and_then(Path::file_name).map_or_else(|| ".".to_owned(), |n| n.to_string_lossy().into_owned())
}

/// The summary: one row per folder, then the total.
fn table(folders: &BTreeMap<String, Tally>, total: &Tally) -> String {
    let rows: Vec<(&str, [usize; 9])> =
        folders.iter().map(|(f, t)| (f.as_str(), t.cells())).chain([("total", total.cells())]).collect();
    let first = rows.iter().map(|(f, _)| f.chars().count()).chain(["folder".len()]).max().unwrap_or(0);
    let mut text = format!("{:<first$}", "folder");
    for c in COLUMNS {
        text.push_str(&format!("  {c}"));
    }
    for (f, cells) in &rows {
        text.push_str(&format!("\n{f:<first$}"));
        for (c, n) in COLUMNS.iter().zip(cells) {
            text.push_str(&format!("  {n:>width$}", width = c.len()));
        }
    }
    text
}

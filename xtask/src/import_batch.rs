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
    let indexed = started.elapsed();
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
    let merged = started.elapsed();
    let mut total = Tally::default();
    folders.values().for_each(|t| total.sum(t));
    say(out, &table(&folders, &total))?;
    let after = spec::to_text(catalog.spec());
    // Validated even when printing, so a batch that would be refused says so now.
    let checked = check(&after);
    let (spent, n) = ((merged - indexed).as_secs_f64(), pages.len());
    say(
        err,
        &format!(
            "read {n} page(s) and merged them in {:.2} s: the spec read and indexed in {:.2} s, the pages imported \
             and merged in {spent:.2} s ({:.2} ms a page), the merged spec validated in {:.2} s",
            started.elapsed().as_secs_f64(),
            indexed.as_secs_f64(),
            1000.0 * spent / n.max(1) as f64,
            (started.elapsed() - merged).as_secs_f64(),
        ),
    )?;
    if !opts.write {
        return checked.map_err(|e| e.replace("nothing written", "the batch would not be written"));
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
    checked?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import_doc::parse;
    use crate::scratch::Scratch;

    /// A page whose API maps whole but whose example has faults (a placeholder index, a key
    /// the table lacks).
    const NOISY_EXAMPLE: &str = "# 标记构建-MarkBuild

标记一次构建

# Request Parameters
|Parameter name|Type|Description|Required|
|---|---|---|---|
|BuildId|string|构建 ID|**Yes**|
|Tags.n|string|标签|No|

# Response Elements
|Parameter name|Type|Description|Required|
|---|---|---|---|
|RetCode|int|返回码|**Yes**|

# Request Example
```
https://api.ucloud.cn/?Action=MarkBuild
&BuildId=b-1
&Tags.N=x
&Colour=red
```

# Response Example
```
{ \"RetCode\": 0 }
```
";

    /// A page with an API row that cannot be mapped (`object` nothing describes).
    const LOST_ROW: &str = "# 读取构建 - ReadBuild

## Request Parameters

| Parameter Name | Type | Description Information | Required |
|:---|:---|:---|:---|
| **BuildId** | string | Which build | **Yes** |

## Response Field

| Field Name | Type | Description Information | Required |
|:---|:---|:---|:---|
| **RetCode** | int | Status | **Yes** |
| **Extra** | object | Anything | No |
";

    fn run_in(tree: &Scratch, args: &[&str]) -> (Result<(), String>, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let result = parse(args).and_then(|opts| run(&tree.0, &opts, &mut out, &mut err));
        (result, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
    }

    /// A folder of pages under the scratch root: `name` → text.
    fn folder(tree: &Scratch, dir: &str, pages: &[(&str, &str)]) -> String {
        std::fs::create_dir_all(tree.0.join(dir)).unwrap();
        for (name, text) in pages {
            tree.file(&format!("{dir}/{name}"), text);
        }
        tree.0.join(dir).display().to_string()
    }

    fn actions(spec: &str) -> Vec<String> {
        spec::parse(spec).unwrap().actions.into_iter().map(|a| a.name).collect()
    }

    #[test]
    fn an_example_problem_never_blocks_write() {
        let tree = Scratch::with_spec();
        let dir = folder(&tree, "build-api", &[("mark_build.md", NOISY_EXAMPLE), ("README.md", "# 构建 API 简介\n")]);
        let (result, out, err) = run_in(&tree, &[&dir, "--write"]);
        result.unwrap();
        let page = format!("{dir}/mark_build.md");
        assert!(
            err.contains(&format!(
                "{page}: example: request example: Tags.N=x: \"N\" is not an item number; skipped\n"
            )),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                "{page}: example: request example: Colour is not a request parameter of the page; skipped\n"
            )),
            "{err}"
        );
        assert!(!err.contains("not mapped"), "{err}");
        assert!(out.ends_with("wrote spec/uhub.json; now run `cargo xtask codegen`\n"), "{out}");
        assert!(actions(&tree.spec()).contains(&"MarkBuild".to_owned()));
    }

    #[test]
    fn a_lost_row_always_blocks_write_and_is_listed_even_when_allowed() {
        let tree = Scratch::with_spec();
        let dir = folder(&tree, "build-api", &[("mark_build.md", NOISY_EXAMPLE), ("read_build.md", LOST_ROW)]);
        let before = tree.spec();
        let lost = format!(
            "{dir}/read_build.md: not mapped: line 14: response.Extra: type `object` is a JSON object whose fields \
             neither a table of the page nor the response example lists, and the spec has no type for free-form JSON; \
             skipped\n"
        );
        let (result, _, err) = run_in(&tree, &[&dir, "--write"]);
        let message = result.unwrap_err();
        assert!(message.starts_with("nothing written: 1 page(s) have API rows that could not be mapped"), "{message}");
        assert!(message.ends_with(&format!("`cargo xtask import-doc {dir} --write --allow-partial`")), "{message}");
        assert!(err.contains(&lost), "{err}");
        assert_eq!(tree.spec(), before, "nothing of the batch is written, not even the whole page");
        let (result, out, err) = run_in(&tree, &[&dir, "--write", "--allow-partial"]);
        result.unwrap();
        assert!(err.contains(&lost), "{err}");
        assert!(
            out.ends_with(
                "wrote spec/uhub.json without the 1 unmapped row(s) listed above; now run `cargo xtask codegen`\n"
            ),
            "{out}"
        );
        let names = actions(&tree.spec());
        assert!(names.contains(&"MarkBuild".to_owned()) && names.contains(&"ReadBuild".to_owned()), "{names:?}");
    }

    #[test]
    fn a_batch_prints_a_summary_per_folder_and_refuses_pages_of_other_kinds_without_stopping() {
        let tree = Scratch::with_spec();
        let build = folder(&tree, "build-api", &[("mark_build.md", NOISY_EXAMPLE), ("read_build.md", LOST_ROW)]);
        let http = "# 上传 - PutThing\n\n```\nPUT /<thing> HTTP/1.1\nHost: <bucket>.example\n```\n\n\
                    |Parameter name|Type|Description|Required|\n|---|---|---|---|\n|Authorization|string|签名|**Yes**|\n";
        let store = folder(&tree, "store-api", &[("put_thing.md", http), ("index.md", "# 索引\n")]);
        // The UHub page already in the spec: imported again, it changes nothing.
        let zh_get_image_tag = crate::root().join("codegen/tests/pages/zh_get_image_tag.md");
        let uhub =
            folder(&tree, "uhub-api", &[("get_image_tag.md", &std::fs::read_to_string(zh_get_image_tag).unwrap())]);
        let before = tree.spec();
        let (result, out, err) = run_in(&tree, &[&build, &store, &format!("{uhub}/get_image_tag.md")]);
        result.unwrap();
        assert_eq!(
            out,
            "\
folder     pages  added  changed  unchanged  partial  not API  other kind  rows not mapped  example warnings
build-api      2      2        0          0        1        0           0                1                 2
store-api      2      0        0          0        0        1           1                0                 0
uhub-api       1      0        0          1        0        0           0                0                 0
total          5      2        0          1        1        1           1                1                 2
"
        );
        assert!(
            err.contains(&format!("{store}/put_thing.md: refused: a page of another kind: PutThing is an HTTP call")),
            "{err}"
        );
        assert!(err.contains(&format!("{store}/index.md: refused: not an API page")), "{err}");
        assert!(err.contains("read 5 page(s) and merged them in "), "{err}");
        assert_eq!(tree.spec(), before, "print mode writes nothing");
    }

    #[test]
    fn a_folder_without_pages_or_a_missing_path_is_an_error() {
        let tree = Scratch::with_spec();
        std::fs::create_dir_all(tree.0.join("empty")).unwrap();
        let empty = tree.0.join("empty").display().to_string();
        assert_eq!(run_in(&tree, &[&empty]).0.unwrap_err(), format!("{empty} holds no pages (.md or .txt files)"));
        let missing = tree.0.join("nope.md").display().to_string();
        let (result, ..) = run_in(&tree, &[&missing, &empty]);
        assert_eq!(result.unwrap_err(), format!("cannot read {missing}: no such file or folder"));
    }
}

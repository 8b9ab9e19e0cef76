//! `cargo xtask import-doc PAGE_OR_DIR... [--write [--allow-partial]]`: UCloud API pages →
//! spec entries.
//!
//! One page: without `--write` it prints the entry; with `--write` it merges the entry into
//! the spec, prints the diff and writes the file. Several pages or a folder are a batch
//! (`import_batch.rs`, which uses this module's options and helpers), which prints a summary
//! table instead. Either way `--write`
//! writes only when every API row of every page was mapped: otherwise it writes nothing and
//! fails, unless `--allow-partial` says to write the rest. What could not be mapped is listed
//! either way. Problems with a page's examples are warnings: the faulty part of the example
//! is left out and they never stop `--write`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use uhub_codegen::import::{self, Import};
use uhub_codegen::{spec, sync};

pub const USAGE: &str =
    "cargo xtask import-doc PAGE_OR_DIR... [--write [--allow-partial]] [--spec FILE] [--check-examples]";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Pages and folders of pages, as given.
    pub pages: Vec<PathBuf>,
    pub write: bool,
    pub allow_partial: bool,
    /// The spec to merge into, relative to the workspace root (default `spec/uhub.json`; a
    /// fixture spec, say, for the generator's golden tests).
    pub spec: Option<PathBuf>,
    /// Check that each chosen page's response example reads under the merged spec as under
    /// the page's own import (`example_check.rs`); runs the pages as a batch.
    pub check_examples: bool,
}

impl Options {
    /// The spec's path as the user named it, for messages.
    pub fn spec_name(&self) -> String {
        self.spec.as_deref().unwrap_or(Path::new(sync::SPEC)).display().to_string()
    }
}

/// Reads the command's arguments (after `import-doc`), in any order.
pub fn parse(args: &[&str]) -> Result<Options, String> {
    let (mut pages, mut write, mut allow_partial, mut spec) = (Vec::new(), false, false, None);
    let mut check_examples = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--write" => write = true,
            "--allow-partial" => allow_partial = true,
            "--check-examples" => check_examples = true,
            "--spec" => {
                let file = args.next().ok_or_else(|| format!("--spec needs a spec file; usage: {USAGE}"))?;
                spec = Some(PathBuf::from(file));
            }
            flag if flag.starts_with('-') => {
                return Err(format!("import-doc: unknown option {flag}; usage: {USAGE}"));
            }
            path => pages.push(PathBuf::from(path)),
        }
    }
    if pages.is_empty() {
        return Err(format!("import-doc needs a page or a folder of pages; usage: {USAGE}"));
    }
    if allow_partial && !write {
        let pages: Vec<String> = pages.iter().map(|p| p.display().to_string()).collect();
        return Err(format!(
            "--allow-partial only matters with --write: cargo xtask import-doc {} --write --allow-partial",
            pages.join(" ")
        ));
    }
    Ok(Options { pages, write, allow_partial, spec, check_examples })
}

impl Options {
    /// Whether the pages are a batch (several, or a folder, or checked against the merged
    /// spec) rather than one page.
    pub fn is_batch(&self) -> bool {
        self.check_examples || !matches!(self.pages.as_slice(), [page] if !page.is_dir())
    }
}

/// Runs the command for one page; `out` gets the entry or the diff, `err` what was not
/// mapped and why. A batch is `import_batch`'s to run.
pub fn run(root: &Path, opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), String> {
    match opts.pages.as_slice() {
        [page] if !opts.is_batch() => one(root, page, opts, out, err),
        _ => Err(format!("import-doc: a batch of pages is not one page; usage: {USAGE}")),
    }
}

/// Reads the spec to merge into: its path, its text and what it parses to.
pub fn read_spec(root: &Path, opts: &Options) -> Result<(PathBuf, String, spec::Spec), String> {
    let spec_name = opts.spec_name();
    let spec_path = root.join(&spec_name);
    let before = fs::read_to_string(&spec_path).map_err(|e| format!("cannot read {}: {e}", spec_path.display()))?;
    let spec = spec::parse(&before).map_err(|e| format!("{spec_name}: {e}"))?;
    Ok((spec_path, before, spec))
}

/// Refuses to write a spec the generator would reject, so the tree stays buildable.
pub fn check(after: &str) -> Result<(), String> {
    uhub_codegen::load(after).map(|_| ()).map_err(|e| format!("the merged spec is invalid, nothing written:\n{e}"))
}

fn one(root: &Path, page_path: &Path, opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), String> {
    let page = page_path.display();
    let text = fs::read_to_string(page_path).map_err(|e| format!("cannot read {page}: {e}"))?;
    let spec_name = opts.spec_name();
    let (spec_path, before, mut spec) = read_spec(root, opts)?;
    let imported = import::import_for(&text, &spec).map_err(|e| format!("{page}: {e}"))?;
    let unmapped = imported.problems.len();
    if !opts.write {
        let entry = serde_json::json!({
            "enums": imported.enums,
            "models": imported.models,
            "actions": [imported.action],
        });
        say(out, &serde_json::to_string_pretty(&entry).expect("spec types serialize"))?;
        report(err, "", &imported)?;
        if unmapped > 0 {
            say(err, &format!("{unmapped} part(s) of the page could not be mapped (listed above as `not mapped:`)"))?;
        }
        return Ok(());
    }
    report(err, "", &imported)?;
    if unmapped > 0 && !opts.allow_partial {
        return Err(format!(
            "nothing written: {unmapped} part(s) of the page could not be mapped (listed above as `not mapped:`); \
             fix the page and run again, or write the rest with `cargo xtask import-doc {page} --write --allow-partial`"
        ));
    }
    for note in import::merge(&mut spec, imported) {
        say(err, &note)?;
    }
    let after = spec::to_text(&spec);
    check(&after)?;
    if after == before {
        return say(out, &format!("{spec_name} already matches the page"));
    }
    let diff = similar::TextDiff::from_lines(&before, &after);
    say(out, &diff.unified_diff().context_radius(3).header(&spec_name, &spec_name).to_string())?;
    fs::write(&spec_path, after).map_err(|e| format!("cannot write {}: {e}", spec_path.display()))?;
    let partial =
        if unmapped > 0 { format!(" without the {unmapped} unmapped part(s) listed above") } else { String::new() };
    say(out, &format!("wrote {spec_name}{partial}; now run `{}`", sync::FIX))
}

/// What could not be mapped, what was wrong with the examples, then the decisions worth a
/// look; each line starts with `prefix` (a batch's page name).
pub fn report(err: &mut dyn Write, prefix: &str, imported: &Import) -> Result<(), String> {
    for p in &imported.problems {
        say(err, &format!("{prefix}not mapped: {p}"))?;
    }
    for w in &imported.warnings {
        say(err, &format!("{prefix}example: {w}"))?;
    }
    for n in &imported.notes {
        say(err, &format!("{prefix}note: {n}"))?;
    }
    Ok(())
}

pub fn say(w: &mut dyn Write, text: &str) -> Result<(), String> {
    writeln!(w, "{}", text.trim_end_matches('\n')).map_err(|e| format!("cannot print: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch::Scratch;

    /// A page with one row the importer cannot map (`map` is no page type).
    const PARTIAL: &str = "# Tag a build - TagBuild

## Request Parameters

| Parameter Name | Type | Description Information | Required |
|:---|:---|:---|:---|
| **BuildId** | string | Which build | **Yes** |
| **Labels** | map | Free-form labels | No |

## Response Field

| Field Name | Type | Description Information | Required |
|:---|:---|:---|:---|
| **RetCode** | int | Status | **Yes** |
";

    fn run_in(tree: &Scratch, args: &[&str]) -> (Result<(), String>, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let result = parse(args).and_then(|opts| run(&tree.0, &opts, &mut out, &mut err));
        (result, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
    }

    #[test]
    fn write_with_unmapped_parts_fails_and_leaves_the_spec_alone() {
        let tree = Scratch::with_spec();
        let page = tree.file("tag_build.md", PARTIAL);
        let before = tree.spec();
        let (result, out, err) = run_in(&tree, &[&page, "--write"]);
        let message = result.unwrap_err();
        assert!(message.starts_with("nothing written: 1 part(s) of the page could not be mapped"), "{message}");
        assert!(message.ends_with(&format!("`cargo xtask import-doc {page} --write --allow-partial`")), "{message}");
        assert_eq!(err, "not mapped: line 8: request.Labels: unknown type \"map\"; skipped\n");
        assert_eq!(out, "");
        assert_eq!(tree.spec(), before);
    }

    #[test]
    fn allow_partial_writes_the_rest_and_still_lists_what_was_left_out() {
        let tree = Scratch::with_spec();
        let page = tree.file("tag_build.md", PARTIAL);
        let (result, out, err) = run_in(&tree, &[&page, "--write", "--allow-partial"]);
        result.unwrap();
        assert!(err.starts_with("not mapped: line 8: request.Labels: unknown type \"map\"; skipped\n"), "{err}");
        assert!(err.contains("actions.TagBuild: added"), "{err}");
        assert!(out.contains("+      \"name\": \"TagBuild\","), "{out}");
        assert!(out.ends_with(
            "wrote spec/uhub.json without the 1 unmapped part(s) listed above; now run `cargo xtask codegen`\n"
        ));
        let spec = spec::parse(&tree.spec()).unwrap();
        let action = spec.actions.iter().find(|a| a.name == "TagBuild").unwrap();
        assert_eq!(action.request.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["BuildId"]);
    }

    #[test]
    fn printing_lists_what_was_not_mapped_and_touches_nothing() {
        let tree = Scratch::with_spec();
        let page = tree.file("tag_build.md", PARTIAL);
        let before = tree.spec();
        let (result, out, err) = run_in(&tree, &[&page]);
        result.unwrap();
        let entry: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(entry["actions"][0]["name"], "TagBuild");
        assert_eq!(
            err,
            "not mapped: line 8: request.Labels: unknown type \"map\"; skipped\n\
             1 part(s) of the page could not be mapped (listed above as `not mapped:`)\n"
        );
        assert_eq!(tree.spec(), before);
    }

    #[test]
    fn an_example_problem_is_a_warning_that_does_not_stop_write() {
        let tree = Scratch::with_spec();
        let noisy = PARTIAL.replace("map", "string")
            + "\n## Request Example\n\n```\nhttps://api.ucloud.cn/?Action=TagBuild\n&BuildId=b-1\n&Labels.0=x\n```\n\n\
               ## Response Example\n\n```json\n{ \"RetCode\": 0 }\n```\n";
        let page = tree.file("tag_build.md", &noisy);
        let (result, out, err) = run_in(&tree, &[&page, "--write"]);
        result.unwrap();
        assert!(err.starts_with("example: request example: Labels.0=x: a string has no parts; skipped\n"), "{err}");
        assert!(out.ends_with("wrote spec/uhub.json; now run `cargo xtask codegen`\n"), "{out}");
        assert!(spec::parse(&tree.spec()).unwrap().actions.iter().any(|a| a.name == "TagBuild"));
    }

    #[test]
    fn misuse_says_what_to_type() {
        assert_eq!(
            parse(&["page.md", "--allow-partial"]).unwrap_err(),
            "--allow-partial only matters with --write: cargo xtask import-doc page.md --write --allow-partial"
        );
        assert_eq!(
            parse(&["--force", "page.md"]).unwrap_err(),
            "import-doc: unknown option --force; usage: cargo xtask import-doc PAGE_OR_DIR... [--write [--allow-partial]] \
             [--spec FILE] [--check-examples]"
        );
        assert!(parse(&["--write"]).unwrap_err().starts_with("import-doc needs a page or a folder of pages"));
        let opts = parse(&["a.md", "--write", "b.md"]).unwrap();
        assert_eq!(opts.pages, [PathBuf::from("a.md"), PathBuf::from("b.md")]);
        let opts = parse(&["--allow-partial", "--write", "p.md"]).unwrap();
        assert_eq!(
            opts,
            Options { pages: vec!["p.md".into()], write: true, allow_partial: true, spec: None, check_examples: false }
        );
        let opts = parse(&["p.md", "--write", "--spec", "codegen/tests/fixtures/imported.json"]).unwrap();
        assert_eq!(opts.spec.as_deref(), Some(Path::new("codegen/tests/fixtures/imported.json")));
        assert!(parse(&["p.md", "--spec"]).unwrap_err().starts_with("--spec needs a spec file"));
    }
}

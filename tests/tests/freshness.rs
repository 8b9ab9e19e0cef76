//! The committed generated code is what the spec produces, the generator is deterministic, a
//! spec edit changes only what it should, and `--check` names exactly the files that differ.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use uhub_codegen::File;
use uhub_codegen::sync::{self, FIX, Mode, OUT_DIR, SPEC};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests is inside the workspace").to_path_buf()
}

fn spec_text() -> String {
    fs::read_to_string(root().join(SPEC)).unwrap()
}

fn generate(text: &str) -> Vec<File> {
    uhub_codegen::generate(text).unwrap_or_else(|e| panic!("the spec is invalid:\n{e}"))
}

/// `cargo xtask codegen --check`, as a test.
#[test]
fn generated_code_is_fresh() {
    let report = sync::sync(&root(), Mode::Check).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.is_clean(), "{}", sync::stale_message(&report));
}

#[test]
fn generating_twice_gives_identical_bytes() {
    let text = spec_text();
    let first = generate(&text);
    let second = generate(&text);
    assert!(first.len() >= 10, "only {} files", first.len());
    assert_eq!(first, second);
    // Nor does the spec's key order matter beyond what the canonical form fixes.
    let canonical = uhub_codegen::spec::to_text(&uhub_codegen::spec::parse(&text).unwrap());
    assert_eq!(generate(&canonical), first);
}

/// The lines that differ between two versions of each generated file, as
/// (file, line number, before, after); fails if files or line counts differ.
fn line_changes(before: &[File], after: &[File]) -> Vec<(String, usize, String, String)> {
    let paths = |files: &[File]| files.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
    assert_eq!(paths(before), paths(after), "the set of generated files changed");
    let mut changes = Vec::new();
    for (b, a) in before.iter().zip(after) {
        let (bl, al): (Vec<&str>, Vec<&str>) = (b.contents.lines().collect(), a.contents.lines().collect());
        assert_eq!(bl.len(), al.len(), "{}: the number of lines changed", b.path);
        for (n, (x, y)) in bl.iter().zip(&al).enumerate() {
            if x != y {
                changes.push((b.path.clone(), n + 1, x.to_string(), y.to_string()));
            }
        }
    }
    changes
}

/// The spec, with one description (found by its exact text) replaced; the repository is not touched.
fn with_description(old: &str, new: &str) -> String {
    let text = spec_text();
    let quoted = format!("\"description\": {}", serde_json::to_string(old).unwrap());
    assert_eq!(text.matches(&quoted).count(), 1, "{old:?} is not a unique description");
    text.replace(&quoted, &format!("\"description\": {}", serde_json::to_string(new).unwrap()))
}

#[test]
fn a_response_field_description_changes_one_doc_line_of_one_file() {
    let before = generate(&spec_text());
    let after = generate(&with_description(
        "Number of matching tags, over all pages.",
        "How many tags match, counting every page.",
    ));
    let changes = line_changes(&before, &after);
    assert_eq!(changes.len(), 1, "{changes:#?}");
    let (file, line, old, new) = &changes[0];
    assert_eq!(
        (file.as_str(), old.as_str(), new.as_str()),
        (
            "get_image_tag.rs",
            "    /// Number of matching tags, over all pages.",
            "    /// How many tags match, counting every page."
        )
    );
    // It is the doc of the response's TotalCount field.
    let file = &after.iter().find(|f| f.path == "get_image_tag.rs").unwrap().contents;
    let next = file.lines().skip(*line).find(|l| !l.trim_start().starts_with("///")).unwrap();
    assert!(next.contains("pub total_count: i64"), "{next}");
}

/// An optional parameter's description is its field's doc (the setter links to the field):
/// that one line of its action's file changes, and nothing else.
#[test]
fn a_parameter_description_changes_only_its_doc_lines() {
    let before = generate(&spec_text());
    let after = generate(&with_description(
        "Return only the tag with this name; when unset every tag is listed.",
        "Only the tag of this name; every tag when unset.",
    ));
    let changes = line_changes(&before, &after);
    assert_eq!(changes.len(), 1, "{changes:#?}");
    for (file, line, old, new) in &changes {
        assert_eq!(file, "get_image_tag.rs");
        let indent = &old[..old.find("///").unwrap_or_else(|| panic!("line {line} is not a doc comment: {old:?}"))];
        assert_eq!(old, &format!("{indent}/// Return only the tag with this name; when unset every tag is listed."));
        assert_eq!(new, &format!("{indent}/// Only the tag of this name; every tag when unset."));
    }
    // The field's doc, just above the field.
    let file = &after.iter().find(|f| f.path == "get_image_tag.rs").unwrap().contents;
    let lines: Vec<&str> = file.lines().collect();
    let item_after = |line: usize| lines[line..].iter().find(|l| !l.trim_start().starts_with("///")).unwrap().trim();
    assert_eq!(item_after(changes[0].1), "pub tag_name: Option<String>,");
}

// ---------------------------------------------------------------------------------------------
// `--check` on a copy of the tree.

/// A copy of what `sync` reads and writes, under the system temp folder; removed when dropped.
struct TreeCopy(PathBuf);

impl TreeCopy {
    fn new() -> TreeCopy {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("uhub-freshness-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        sync::copy_tree(&root(), &dir).unwrap();
        TreeCopy(dir)
    }
}

impl Drop for TreeCopy {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[test]
fn check_names_exactly_the_altered_file() {
    let tree = TreeCopy::new();
    assert!(sync::sync(&tree.0, Mode::Check).unwrap().is_clean(), "the copy starts fresh");
    let altered = tree.0.join(OUT_DIR).join("get_repo.rs");
    let text = fs::read_to_string(&altered).unwrap();
    fs::write(&altered, text.replacen("pub ", "pub(crate) ", 1)).unwrap();

    let report = sync::sync(&tree.0, Mode::Check).unwrap();
    assert_eq!(report.changed, std::slice::from_ref(&altered));
    assert!(report.extra.is_empty());
    let message = sync::stale_message(&report);
    assert_eq!(
        message,
        format!("generated code is stale:\n  out of date: {}\nrun `{FIX}` and commit the result", altered.display())
    );
    // Checking changes nothing.
    assert!(fs::read_to_string(&altered).unwrap().contains("pub(crate) "));
}

#[test]
fn check_names_exactly_the_extra_file() {
    let tree = TreeCopy::new();
    let extra = tree.0.join(OUT_DIR).join("get_old_thing.rs");
    fs::write(&extra, "// An action the spec no longer has.\n").unwrap();
    // Only .rs files are the generator's business.
    fs::write(tree.0.join(OUT_DIR).join("notes.txt"), "not code\n").unwrap();

    let report = sync::sync(&tree.0, Mode::Check).unwrap();
    assert!(report.changed.is_empty(), "{:?}", report.changed);
    assert_eq!(report.extra, std::slice::from_ref(&extra));
    assert_eq!(
        sync::stale_message(&report),
        format!(
            "generated code is stale:\n  not produced by the spec: {}\nrun `{FIX}` and commit the result",
            extra.display()
        )
    );
    assert!(extra.exists());
}

#[test]
fn check_names_a_file_the_spec_now_produces_differently() {
    let tree = TreeCopy::new();
    let spec = tree.0.join(SPEC);
    let text = fs::read_to_string(&spec).unwrap();
    fs::write(&spec, text.replace("\"Most tags to return in one page.\"", "\"Page size.\"")).unwrap();
    let report = sync::sync(&tree.0, Mode::Check).unwrap();
    assert_eq!(report.changed, [tree.0.join(OUT_DIR).join("get_image_tag.rs")]);
    assert!(report.extra.is_empty());
}

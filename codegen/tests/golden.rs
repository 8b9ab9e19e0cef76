//! Golden files: the generator's output for each fixture spec in `tests/fixtures/` is
//! committed under `tests/output/src/<fixture>/`, a module of the golden crate, which compiles
//! it against uhub-sdk's public runtime and runs its tests. Here: the committed files equal fresh output byte for byte, the fixtures keep covering
//! the shapes they exist for, and `sync` (behind `cargo xtask codegen [--check]`) treats the
//! goldens like the real output.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use uhub_codegen::spec::{self, Spec, TypeRef};
use uhub_codegen::sync::{self, FIX, FIXTURES, GOLDEN_DIR, Mode, OUT_DIR, SPEC};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("codegen is inside the workspace").to_path_buf()
}

fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root().join(FIXTURES))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "json").then(|| p.file_stem().unwrap().to_str().unwrap().to_owned())
        })
        .collect();
    names.sort();
    names
}

fn fixture(name: &str) -> Spec {
    let text = fs::read_to_string(root().join(FIXTURES).join(format!("{name}.json"))).unwrap();
    spec::parse(&text).unwrap()
}

/// Where two texts first differ, as a line number and both lines.
fn first_difference(expected: &str, actual: &str) -> String {
    let (mut e, mut a) = (expected.lines(), actual.lines());
    for n in 1.. {
        match (e.next(), a.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (None, None) => return "they differ only in line endings".into(),
            (x, y) => return format!("line {n}: generator {x:?}, committed {y:?}"),
        }
    }
    unreachable!()
}

/// Every file in `dir`, products' folders included.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { files.extend(files_under(&path)) } else { files.push(path) }
    }
    files
}

#[test]
fn committed_goldens_equal_fresh_output_byte_for_byte() {
    let root = root();
    let mut problems = Vec::new();
    let mut compared = 0;
    for name in fixture_names() {
        let text = fs::read_to_string(root.join(FIXTURES).join(format!("{name}.json"))).unwrap();
        let source = format!("{FIXTURES}/{name}.json");
        let files =
            uhub_codegen::generate_from(&text, &source).unwrap_or_else(|e| panic!("fixture {name} is invalid:\n{e}"));
        let dir = root.join(GOLDEN_DIR).join(&name);
        for f in &files {
            let path = dir.join(&f.path);
            match fs::read_to_string(&path) {
                Ok(committed) if committed == f.contents => compared += 1,
                Ok(committed) => {
                    problems.push(format!("{}: {}", path.display(), first_difference(&f.contents, &committed)))
                }
                Err(e) => problems.push(format!("{}: {e}", path.display())),
            }
            // Headed like the real output, naming the fixture they came from.
            assert!(f.contents.starts_with(&uhub_codegen::emit::header(&source)), "{}", path.display());
        }
        let produced: BTreeSet<PathBuf> = files.iter().map(|f| dir.join(&f.path)).collect();
        for path in files_under(&dir) {
            if !produced.contains(&path) {
                problems.push(format!("{}: not produced by fixture {name}", path.display()));
            }
        }
    }
    assert!(problems.is_empty(), "golden files are stale; run `{FIX}`:\n{}", problems.join("\n"));
    assert!(compared >= 15, "only {compared} golden files compared");
}

#[test]
fn sync_covers_the_real_output_and_every_fixture() {
    let root = root();
    let targets = sync::targets(&root).unwrap();
    let mut expected = vec![(root.join(SPEC), root.join(OUT_DIR))];
    for name in fixture_names() {
        expected.push((root.join(FIXTURES).join(format!("{name}.json")), root.join(GOLDEN_DIR).join(&name)));
    }
    assert_eq!(targets.into_iter().map(|t| (t.spec, t.out)).collect::<Vec<_>>(), expected);
    assert_eq!(fixture_names(), ["adversarial", "imported", "keywords", "products", "scalars", "widgets"]);
}

/// The golden crate compiles the goldens through one hand-written `lib.rs` that must name each
/// fixture, and is a member of the workspace, so `cargo test --workspace` builds and runs them.
#[test]
fn the_golden_crate_declares_every_fixture_once() {
    let root = root();
    let workspace = fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(workspace.contains("\"codegen/tests/output\""), "the golden crate is a workspace member");
    let lib = syn::parse_file(&fs::read_to_string(root.join(GOLDEN_DIR).join("lib.rs")).unwrap()).unwrap();
    let declared: Vec<String> = lib
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(m) if m.content.is_none() => Some(m.ident.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(declared, fixture_names());
}

/// The fixtures exist to cover these shapes; losing one in an edit should fail loudly.
#[test]
fn the_fixtures_cover_the_shapes_they_are_for() {
    let specs: Vec<Spec> = fixture_names().iter().map(|n| fixture(n)).collect();
    let mut all: Vec<(&Spec, &str, &spec::Field)> = Vec::new();
    for s in &specs {
        all.extend(s.models.iter().flat_map(|m| m.fields.iter().map(move |f| (s, "model", f))));
        all.extend(s.actions.iter().flat_map(|a| a.request.iter().map(move |f| (s, "request", f))));
        all.extend(s.actions.iter().flat_map(|a| a.response.iter().map(move |f| (s, "response", f))));
    }
    let fields = || all.iter().copied();
    let is_model = |s: &Spec, ty: &TypeRef| ty.name().is_some_and(|n| s.models.iter().any(|m| m.name == n));
    let is_enum = |s: &Spec, ty: &TypeRef| ty.name().is_some_and(|n| s.enums.iter().any(|e| e.name == n));
    let inner = |ty: &TypeRef| ty.element().cloned();
    let scalar = |ty: &TypeRef| ty.is_builtin();

    let mut missing = Vec::new();
    let mut need = |what: &str, found: bool| {
        if !found {
            missing.push(what.to_owned());
        }
    };
    need("an array of each scalar type", {
        let arrays: BTreeSet<String> =
            fields().filter_map(|(_, _, f)| inner(&f.ty)).filter(scalar).map(|t| t.to_string()).collect();
        arrays.len() == 5
    });
    need("a float parameter", fields().any(|(_, k, f)| k == "request" && f.ty == "float"));
    need("a time response field", fields().any(|(_, k, f)| k == "response" && f.ty == "time"));
    need("an array of models", fields().any(|(s, _, f)| inner(&f.ty).is_some_and(|t| is_model(s, &t))));
    need("a model field whose type is a model", fields().any(|(s, k, f)| k == "model" && is_model(s, &f.ty)));
    need(
        "an array of models as a request parameter",
        fields().any(|(s, k, f)| k == "request" && inner(&f.ty).is_some_and(|t| is_model(s, &t))),
    );
    need("an enum-typed parameter", fields().any(|(s, k, f)| k == "request" && is_enum(s, &f.ty)));
    need("a parameter named Type", fields().any(|(_, k, f)| k == "request" && f.name == "Type"));
    need("a field named Match", fields().any(|(_, k, f)| k != "request" && f.name == "Match"));
    need("a scalar keyword field", fields().any(|(_, _, f)| f.name == "Type" && scalar(&f.ty)));
    need("an optional bool parameter", fields().any(|(_, k, f)| k == "request" && f.ty == "bool" && !f.required));
    need("a required int parameter", fields().any(|(_, k, f)| k == "request" && f.ty == "int" && f.required));
    need(
        "a bool documented as text",
        fields().any(|(_, _, f)| f.ty == "bool" && f.doc_type.as_ref().is_some_and(|d| *d == "string")),
    );
    need("a rust_name override", fields().any(|(_, _, f)| f.rust_name.is_some()));
    need("a model read from a bare string", specs.iter().any(|s| s.models.iter().any(|m| m.from_string.is_some())));
    need(
        "enum values that are not identifiers",
        specs.iter().flat_map(|s| &s.enums).any(|e| {
            e.values.iter().any(|v| v.value.starts_with(|c: char| c.is_ascii_digit()))
                && e.values.iter().any(|v| v.value.contains('-'))
        }),
    );
    need("a paginated action", specs.iter().flat_map(|s| &s.actions).any(|a| a.pagination.is_some()));
    need("an action that is not idempotent", specs.iter().flat_map(|s| &s.actions).any(|a| !a.idempotent));
    need("an action without parameters", specs.iter().flat_map(|s| &s.actions).any(|a| a.request.is_empty()));
    need("examples", specs.iter().flat_map(|s| &s.actions).filter(|a| !a.examples.is_empty()).count() >= 3);
    assert!(missing.is_empty(), "no fixture has: {}", missing.join("; "));
}

// ---------------------------------------------------------------------------------------------
// `sync` on a copy of the parts of the tree it reads and writes.

/// A scratch copy of the tree under the system temp folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "uhub-golden-test-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        sync::copy_tree(&root(), &dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[test]
fn check_reports_stale_extra_and_orphaned_goldens_and_write_repairs_them() {
    let tree = Scratch::new();
    let root = &tree.0;
    let golden = root.join(GOLDEN_DIR);
    assert!(sync::sync(root, Mode::Check).unwrap().is_clean(), "the copy starts fresh");

    let stale = golden.join("widgets/types.rs");
    let original = fs::read_to_string(&stale).unwrap();
    fs::write(&stale, original.replace("Outer size", "Inner size")).unwrap();
    let extra = golden.join("keywords/leftover.rs");
    fs::write(&extra, "// an old action\n").unwrap();
    let orphan = golden.join("retired/mod.rs");
    fs::create_dir_all(orphan.parent().unwrap()).unwrap();
    fs::write(&orphan, "// a fixture that was deleted\n").unwrap();
    let hand_written = fs::read_to_string(golden.join("lib.rs")).unwrap();

    let report = sync::sync(root, Mode::Check).unwrap();
    assert_eq!(report.changed, std::slice::from_ref(&stale));
    assert_eq!(report.extra, [extra.clone(), orphan.clone()]);
    let message = sync::stale_message(&report);
    assert_eq!(
        message,
        format!(
            "generated code is stale:\n  out of date: {}\n  not produced by the spec: {}\n  not produced by the spec: {}\nrun `cargo xtask codegen` and commit the result",
            stale.display(),
            extra.display(),
            orphan.display()
        )
    );
    // Check wrote nothing.
    assert!(fs::read_to_string(&stale).unwrap().contains("Inner size") && extra.exists() && orphan.exists());

    let report = sync::sync(root, Mode::Write).unwrap();
    assert_eq!((report.changed, report.extra), (vec![stale.clone()], vec![extra.clone(), orphan.clone()]));
    assert_eq!(fs::read_to_string(&stale).unwrap(), original);
    assert!(!extra.exists() && !orphan.parent().unwrap().exists());
    assert_eq!(fs::read_to_string(golden.join("lib.rs")).unwrap(), hand_written, "hand-written files stay");
    assert!(sync::sync(root, Mode::Check).unwrap().is_clean());
}

#[test]
fn write_creates_the_goldens_of_a_new_fixture() {
    let tree = Scratch::new();
    let root = &tree.0;
    fs::copy(root.join(FIXTURES).join("scalars.json"), root.join(FIXTURES).join("more_scalars.json")).unwrap();
    let report = sync::sync(root, Mode::Check).unwrap();
    let new_dir = root.join(GOLDEN_DIR).join("more_scalars");
    assert!(report.extra.is_empty());
    assert_eq!(report.changed.len(), 7, "{report:?}");
    assert!(report.changed.iter().all(|p| p.starts_with(&new_dir)));
    sync::sync(root, Mode::Write).unwrap();
    for name in ["mod.rs", "types.rs", "update_gizmo.rs"] {
        let new = fs::read_to_string(new_dir.join(name)).unwrap();
        let old = fs::read_to_string(root.join(GOLDEN_DIR).join("scalars").join(name)).unwrap();
        // The same code under a preamble that names the new fixture.
        assert!(new.starts_with(&uhub_codegen::emit::header("codegen/tests/fixtures/more_scalars.json")));
        assert_eq!(new.split_once('\n').unwrap().1, old.split_once('\n').unwrap().1);
    }
    assert!(sync::sync(root, Mode::Check).unwrap().is_clean());
}

#[test]
fn a_broken_fixture_is_reported_by_its_path() {
    let tree = Scratch::new();
    let root = &tree.0;
    let path = root.join(FIXTURES).join("widgets.json");
    let text = fs::read_to_string(&path).unwrap().replace("\"type\": \"array[Part]\"", "\"type\": \"array[Prat]\"");
    fs::write(&path, text).unwrap();
    let err = sync::sync(root, Mode::Check).unwrap_err();
    assert_eq!(err, "codegen/tests/fixtures/widgets.json is invalid:\nmodels.Widget.Parts: unknown type \"Prat\"");

    fs::write(root.join(FIXTURES).join("Bad-Name.json"), "{}").unwrap();
    let err = sync::sync(root, Mode::Check).unwrap_err();
    assert_eq!(err, "codegen/tests/fixtures/Bad-Name.json: the name must be a snake_case Rust module name");
}

/// A checkout that turned `\n` into `\r\n` (git's autocrlf on Windows) is not stale.
#[test]
fn line_endings_do_not_make_generated_files_stale() {
    let tree = Scratch::new();
    let root = &tree.0;
    let file = root.join(OUT_DIR).join("types.rs");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(&file, text.replace('\n', "\r\n")).unwrap();
    assert!(sync::sync(root, Mode::Check).unwrap().is_clean());
    // A real change still shows through the normalisation.
    fs::write(&file, text.replace("One tag of an image", "One tag").replace('\n', "\r\n")).unwrap();
    assert_eq!(sync::sync(root, Mode::Check).unwrap().changed, [file]);
}

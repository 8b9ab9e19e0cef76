//! The architecture's invariants (ARCHITECTURE.md, "Invariants"), checked on the source: the
//! imports of every crate form no cycle, the runtime never imports generated code, generated
//! code reaches the runtime through one public path, and the generator does not depend on what
//! it generates.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use quote::ToTokens as _;
use syn::visit::Visit;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Every `.rs` file under `dir`, recursively, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every path written in a file (in `use` trees and in code), as segment lists.
#[derive(Default)]
struct Paths(Vec<Vec<String>>);

impl<'ast> Visit<'ast> for Paths {
    fn visit_path(&mut self, p: &'ast syn::Path) {
        let mut segments: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        if p.leading_colon.is_some() {
            segments.insert(0, "::".into());
        }
        self.0.push(segments);
        syn::visit::visit_path(self, p);
    }

    /// Test modules written inside a file (`#[cfg(test)] mod tests { use super::*; }`) belong to
    /// the module they test: their paths are not the module's imports.
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        let is_test =
            m.attrs.iter().any(|a| a.path().is_ident("cfg") && a.meta.to_token_stream().to_string().contains("test"));
        if !is_test {
            syn::visit::visit_item_mod(self, m);
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        fn walk(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
            match tree {
                syn::UseTree::Path(p) => {
                    prefix.push(p.ident.to_string());
                    walk(&p.tree, prefix, out);
                    prefix.pop();
                }
                syn::UseTree::Name(n) => out.push([prefix.clone(), vec![n.ident.to_string()]].concat()),
                syn::UseTree::Rename(r) => out.push([prefix.clone(), vec![r.ident.to_string()]].concat()),
                syn::UseTree::Glob(_) => out.push(prefix.clone()),
                syn::UseTree::Group(g) => g.items.iter().for_each(|t| walk(t, prefix, out)),
            }
        }
        let mut prefix = if u.leading_colon.is_some() { vec!["::".to_owned()] } else { Vec::new() };
        walk(&u.tree, &mut prefix, &mut self.0);
    }
}

fn paths_of(file: &Path) -> Vec<Vec<String>> {
    let text = fs::read_to_string(file).unwrap();
    let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut paths = Paths::default();
    paths.visit_file(&ast);
    paths.0
}

/// The module a file is, relative to its crate's `src`: `emit/action.rs` → `emit::action`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let parts: Vec<String> = match parts.last().map(String::as_str) {
        Some("mod") | Some("lib") | Some("main") => parts[..parts.len() - 1].to_vec(),
        _ => parts,
    };
    parts.join("::")
}

/// A path written in module `module`, made absolute (segments from the crate root): `crate::`,
/// `super::` and `self::` resolved, and a path starting with a child module's name taken as
/// relative. `None` for paths into other crates or to items in scope.
fn absolute(module: &str, path: &[String], modules: &BTreeSet<String>) -> Option<Vec<String>> {
    let mut base: Vec<String> =
        if module.is_empty() { Vec::new() } else { module.split("::").map(str::to_owned).collect() };
    let mut rest = path;
    match rest.first().map(String::as_str) {
        // `pub(crate)` and `pub(super)` are paths too, naming nothing.
        Some("crate" | "super" | "self") if rest.len() == 1 => return None,
        Some("crate") => return Some(rest[1..].to_vec()),
        Some("super" | "self") => {
            while let Some(first) = rest.first().map(String::as_str) {
                match first {
                    "super" => {
                        base.pop();
                    }
                    "self" => {}
                    _ => break,
                }
                rest = &rest[1..];
            }
        }
        Some(first) => {
            let child = if module.is_empty() { first.to_owned() } else { format!("{module}::{first}") };
            if !modules.contains(&child) {
                return None;
            }
        }
        None => return None,
    }
    Some(base.into_iter().chain(rest.iter().cloned()).collect())
}

/// Import edges between a crate's modules: a path in module `a` that names something in module
/// `b` (the longest known module prefix of the path; the crate root when none) is an edge
/// a → b. Generated modules are one node, `generated`; the crate root is `(root)`.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let files = rust_files(src);
    // What the root re-exports (`pub use time::Time`) stands for the module it comes from, so a
    // module naming `crate::Time` depends on `time`, not on the root that only passes it on.
    let root_file = ["lib.rs", "main.rs"].iter().map(|f| src.join(f)).find(|f| f.exists()).unwrap();
    let reexports: BTreeMap<String, Vec<String>> = {
        let ast = syn::parse_file(&fs::read_to_string(&root_file).unwrap()).unwrap();
        let mut uses = Paths::default();
        for item in &ast.items {
            if let syn::Item::Use(u) = item {
                uses.visit_item_use(u);
            }
        }
        uses.0.into_iter().filter_map(|p| Some((p.last()?.clone(), p))).collect()
    };
    let node = |m: &str| match m {
        "" => "(root)".to_owned(),
        m if m.starts_with("generated") => "generated".to_owned(),
        m => m.to_owned(),
    };
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(src, f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let module = module_of(src, file);
        let from = node(&module);
        for path in paths_of(file) {
            let Some(mut abs) = absolute(&module, &path, &modules) else { continue };
            if let Some(target) =
                abs.first().and_then(|name| reexports.get(name)).filter(|_| !modules.contains(&abs[0]))
            {
                abs = target
                    .iter()
                    .filter(|s| *s != "crate" && *s != "self")
                    .cloned()
                    .chain(abs[1..].iter().cloned())
                    .collect();
            }
            let owner =
                (0..=abs.len()).rev().map(|n| abs[..n].join("::")).find(|m| m.is_empty() || modules.contains(m));
            if let Some(to) = owner.map(|m| node(&m)) {
                if to != from {
                    graph.entry(from.clone()).or_default().insert(to);
                }
            }
        }
    }
    graph
}

/// A cycle in `graph`, as a list of modules, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|n| n == node) {
            return Some(stack[i..].iter().cloned().chain([node.to_owned()]).collect());
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

/// The crates whose modules must not import each other in a circle.
const CRATES: &[&str] = &[
    "uhub-sdk/src",
    "uhub-mock/src",
    "uhub-cli/src",
    "codegen/src",
    "xtask/src",
    "bench/src",
    "loopback/src",
    "registry/src",
];

#[test]
fn no_crate_has_an_import_cycle() {
    for krate in CRATES {
        let graph = module_graph(&root().join(krate));
        assert!(!graph.is_empty(), "{krate}: no imports seen; is the path right?");
        if let Some(cycle) = find_cycle(&graph) {
            panic!("{krate}: modules import each other in a circle: {}", cycle.join(" → "));
        }
    }
}

/// The CLI's commands sit on top: no other module of it (the root aside, which dispatches to
/// them) imports from `commands/`, so retention, mirroring and the terminal stay usable alone.
#[test]
fn the_cli_commands_sit_on_top() {
    let graph = module_graph(&root().join("uhub-cli/src"));
    assert!(graph.contains_key("commands::prune"), "the CLI's modules were not seen");
    let below: Vec<String> = graph
        .iter()
        .filter(|(from, _)| *from != "(root)" && *from != "commands" && !from.starts_with("commands::"))
        .flat_map(|(from, to)| to.iter().filter(|t| t.starts_with("commands")).map(move |t| format!("{from} → {t}")))
        .collect();
    assert!(below.is_empty(), "modules below the commands import them: {below:?}");
}

/// The check above finds a cycle when there is one.
#[test]
fn the_cycle_check_sees_cycles() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    assert_eq!(find_cycle(&graph), None);
    graph.entry("c".into()).or_default().insert("a".into());
    assert_eq!(find_cycle(&graph), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
}

/// Names generated code defines at the top of the crate (`pub use generated::*`).
fn generated_names(sdk: &Path) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for file in rust_files(&sdk.join("generated")) {
        let ast = syn::parse_file(&fs::read_to_string(&file).unwrap()).unwrap();
        for item in ast.items {
            let ident = match item {
                syn::Item::Struct(s) => s.ident,
                syn::Item::Enum(e) => e.ident,
                syn::Item::Type(t) => t.ident,
                syn::Item::Const(c) => c.ident,
                _ => continue,
            };
            names.insert(ident.to_string());
        }
    }
    names
}

#[test]
fn the_runtime_never_imports_generated_code() {
    let sdk = root().join("uhub-sdk/src");
    let generated = generated_names(&sdk);
    assert!(generated.contains("Client") && generated.contains("Endpoint") && generated.contains("GetRepoRequest"));
    let mut found = Vec::new();
    for file in rust_files(&sdk) {
        let rel = file.strip_prefix(&sdk).unwrap();
        if rel.starts_with("generated") || rel == Path::new("lib.rs") {
            continue; // lib.rs only declares and re-exports the layers
        }
        for path in paths_of(&file) {
            let second = path.get(1).map(String::as_str).unwrap_or_default();
            let from_crate = matches!(path.first().map(String::as_str), Some("crate" | "super" | "uhub_sdk"));
            if from_crate && (second == "generated" || generated.contains(second)) {
                found.push(format!("{}: {}", rel.display(), path.join("::")));
            }
        }
    }
    assert!(found.is_empty(), "runtime modules name generated code:\n{}", found.join("\n"));
}

#[test]
fn generated_code_reaches_the_runtime_through_one_public_path() {
    let mut found = Vec::new();
    let dirs = [root().join("uhub-sdk/src/generated"), root().join("codegen/tests/output/src")];
    for file in dirs.iter().flat_map(|d| rust_files(d)) {
        if file.ends_with("output/src/lib.rs") {
            continue;
        }
        for path in paths_of(&file) {
            let outside = match path.first().map(String::as_str) {
                Some("crate") => true,
                Some("::") => {
                    path.get(1).map(String::as_str) != Some("uhub_sdk")
                        || path.get(2).map(String::as_str) != Some("runtime")
                }
                Some("uhub_sdk") => true,
                _ => false,
            };
            if outside {
                found.push(format!("{}: {}", file.display(), path.join("::")));
            }
        }
    }
    assert!(found.is_empty(), "generated code leaves ::uhub_sdk::runtime:\n{}", found.join("\n"));
}

/// The generator turns the spec into code and depends on none of it: spec → codegen →
/// generated code → runtime, never back.
#[test]
fn the_generator_does_not_depend_on_the_sdk_or_the_mock() {
    let manifest = fs::read_to_string(root().join("codegen/Cargo.toml")).unwrap();
    let deps = manifest.split("[dependencies]").nth(1).unwrap().split("\n[").next().unwrap();
    for crate_name in ["uhub-sdk", "uhub-mock"] {
        assert!(!deps.contains(crate_name), "codegen depends on {crate_name}");
    }
    let sdk = fs::read_to_string(root().join("uhub-sdk/Cargo.toml")).unwrap();
    assert!(!sdk.contains("uhub-codegen") && !sdk.contains("uhub-mock"), "the SDK depends on its generator or fake");
}

/// Every answer of uhub-mock is decided in `service.rs`: only it makes a `Reply`, and only it,
/// the handlers it calls and the code table name a `RetCode` (`Code::`); the server moves bytes.
#[test]
fn nothing_in_uhub_mock_decides_a_reply_outside_service_rs() {
    let src = root().join("uhub-mock/src");
    let mut found = Vec::new();
    for file in rust_files(&src) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let ast = syn::parse_file(&fs::read_to_string(&file).unwrap()).unwrap();
        let mut paths = Paths::default();
        paths.visit_file(&ast);
        let mut literals = ReplyLiterals(0);
        literals.visit_file(&ast);
        if name != "service.rs" && literals.0 > 0 {
            found.push(format!("{name} makes a Reply"));
        }
        let names_a_code = paths.0.iter().any(|p| p.first().map(String::as_str) == Some("Code") && p.len() > 1);
        if names_a_code && !["service.rs", "handlers.rs", "codes.rs"].contains(&name.as_str()) {
            found.push(format!("{name} names a RetCode"));
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// Counts `Reply { ... }` struct literals.
struct ReplyLiterals(usize);

impl<'ast> Visit<'ast> for ReplyLiterals {
    fn visit_expr_struct(&mut self, e: &'ast syn::ExprStruct) {
        if e.path.segments.last().is_some_and(|s| s.ident == "Reply") {
            self.0 += 1;
        }
        syn::visit::visit_expr_struct(self, e);
    }
}

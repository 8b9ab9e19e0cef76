//! The names generated code must leave alone are the ones that exist: uhub-sdk's crate root,
//! read from its source.

use std::collections::BTreeSet;
use std::path::Path;

use uhub_codegen::names::SDK_ROOT_NAMES;

/// Every name uhub-sdk's `lib.rs` declares or imports at its root, besides the glob of
/// `generated`.
fn sdk_root_names() -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../uhub-sdk/src/lib.rs");
    let ast = syn::parse_file(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut names = BTreeSet::new();
    fn tree(t: &syn::UseTree, names: &mut BTreeSet<String>) {
        match t {
            syn::UseTree::Path(p) => tree(&p.tree, names),
            syn::UseTree::Name(n) => drop(names.insert(n.ident.to_string())),
            syn::UseTree::Rename(r) => drop(names.insert(r.rename.to_string())),
            syn::UseTree::Group(g) => g.items.iter().for_each(|i| tree(i, names)),
            syn::UseTree::Glob(_) => {}
        }
    }
    for item in &ast.items {
        match item {
            syn::Item::Mod(m) => drop(names.insert(m.ident.to_string())),
            syn::Item::Use(u) => tree(&u.tree, &mut names),
            syn::Item::ExternCrate(c) => {
                names.insert(c.rename.as_ref().map_or(&c.ident, |(_, r)| r).to_string());
            }
            syn::Item::Const(c) => drop(names.insert(c.ident.to_string())),
            syn::Item::Struct(s) => drop(names.insert(s.ident.to_string())),
            syn::Item::Enum(e) => drop(names.insert(e.ident.to_string())),
            syn::Item::Fn(f) => drop(names.insert(f.sig.ident.to_string())),
            _ => {}
        }
    }
    names
}

#[test]
fn generated_names_avoid_exactly_the_items_at_the_sdks_root() {
    let listed: BTreeSet<String> = SDK_ROOT_NAMES.iter().map(|s| s.to_string()).collect();
    assert_eq!(listed, sdk_root_names(), "update names::SDK_ROOT_NAMES to uhub-sdk's root");
}

/// An action named like a runtime module (`Sign`, `sign`) generates a private module, so the
/// SDK's `pub use generated::*` exports only its types and nothing hides them.
#[test]
fn action_modules_are_private_so_no_runtime_module_hides_them() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../uhub-sdk/src/generated/mod.rs"))
        .unwrap();
    let ast = syn::parse_file(&text).unwrap();
    for item in &ast.items {
        if let syn::Item::Mod(m) = item {
            assert!(matches!(m.vis, syn::Visibility::Inherited), "mod {} is public", m.ident);
        }
    }
    let adversarial =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/output/src/adversarial/mod.rs"))
            .unwrap();
    assert!(adversarial.contains("\nmod sign;\n"), "{adversarial}");
    assert!(adversarial.contains("pub use sign::{SignRequest, SignResponse};"), "{adversarial}");
    assert!(adversarial.contains("pub use signed::{Signed2Request, Signed2Response};"), "{adversarial}");
}

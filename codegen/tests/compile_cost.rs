//! What keeps the generated SDK cheap to compile at the whole catalogue's size: two lookups
//! rustc makes in time proportional to the number of actions, which the generated code must
//! never ask for (at 1,650 actions they made type checking take 105 s instead of 30 s).

use std::fs;
use std::path::Path;

fn files() -> Vec<uhub_codegen::emit::File> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/products.json");
    uhub_codegen::generate(&fs::read_to_string(root).unwrap()).unwrap()
}

/// A method called on a `Call<XRequest>` is looked up among every action's `impl Call<...>`
/// block; setters go through the `core` field, and nothing in those blocks calls `self.x()`.
#[test]
fn setters_call_no_method_of_call() {
    let mut setters = 0;
    for f in files() {
        let Some(start) = f.contents.find("impl super::Call<") else { continue };
        let block = &f.contents[start..];
        let block = &block[..block.find("\n}\n").expect("the impl block ends")];
        for (at, _) in block.match_indices("self.") {
            let rest = &block[at + "self.".len()..];
            assert!(
                rest.starts_with("core."),
                "{}: a setter calls a method of Call: self.{}",
                f.path,
                &rest[..30.min(rest.len())]
            );
            setters += 1;
        }
    }
    assert!(setters > 0, "the fixture has setters");
}

/// `Self::Variant` is found by scanning the enum's variants; `AnyRequest::Variant` through the
/// name resolver's table. Client methods build their `Call` literally, for the same reason as
/// setters.
#[test]
fn any_request_names_its_variants_and_client_methods_build_calls_literally() {
    let files = files();
    let dispatch = &files.iter().find(|f| f.path == "dispatch.rs").unwrap().contents;
    assert!(!dispatch.contains("Self::"), "dispatch.rs names a variant through Self");
    assert!(dispatch.contains("AnyRequest::"));
    let client = &files.iter().find(|f| f.path == "client.rs").unwrap().contents;
    assert!(!client.contains("Call::new(self"), "a client method calls Call::new");
}

//! `cargo xtask fmt-spec [--check]`: `spec/uhub.json` in its canonical form — the text
//! `spec::to_text` gives (keys in the order of the spec's types, two-space indentation, a
//! final newline) — so that hand edits and tools that rewrite the file produce small diffs.

use std::fs;
use std::io::Write;
use std::path::Path;

use uhub_codegen::{spec, sync};

/// The command that puts the spec in canonical form; failures name it.
pub const FIX: &str = "cargo xtask fmt-spec";

/// Writes the spec in canonical form or, with `check`, only says whether it is.
pub fn run(root: &Path, check: bool, out: &mut dyn Write) -> Result<(), String> {
    let path = root.join(sync::SPEC);
    let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let canonical = spec::to_text(&spec::parse(&text).map_err(|e| format!("{}: {e}", sync::SPEC))?);
    let message = if canonical == text {
        format!("{} is in canonical form", sync::SPEC)
    } else if check {
        return Err(format!("{} is not in canonical form; run `{FIX}`", sync::SPEC));
    } else {
        fs::write(&path, canonical).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        format!("wrote {} in canonical form", sync::SPEC)
    };
    writeln!(out, "{message}").map_err(|e| format!("cannot print: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch::Scratch;

    /// The spec with its keys reordered and other indentation: the same spec, other text.
    fn scrambled(text: &str) -> String {
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        let mut reordered = serde_json::Map::new();
        let object = value.as_object().unwrap();
        for key in object.keys().rev() {
            reordered.insert(key.clone(), object[key].clone());
        }
        serde_json::to_string(&reordered).unwrap()
    }

    #[test]
    fn check_fails_naming_the_command_and_write_fixes_it() {
        let tree = Scratch::with_spec();
        let canonical = tree.spec();
        tree.set_spec(&scrambled(&canonical));
        let mut out = Vec::new();
        assert_eq!(
            run(&tree.0, true, &mut out).unwrap_err(),
            "spec/uhub.json is not in canonical form; run `cargo xtask fmt-spec`"
        );
        assert_ne!(tree.spec(), canonical, "--check writes nothing");
        run(&tree.0, false, &mut out).unwrap();
        assert_eq!(tree.spec(), canonical);
        run(&tree.0, true, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "wrote spec/uhub.json in canonical form\nspec/uhub.json is in canonical form\n"
        );
    }

    #[test]
    fn a_spec_that_does_not_parse_is_reported_with_its_place_and_left_alone() {
        let tree = Scratch::with_spec();
        let broken = tree.spec().replacen("\"required\"", "\"requird\"", 1);
        tree.set_spec(&broken);
        let message = run(&tree.0, false, &mut Vec::new()).unwrap_err();
        assert!(
            message.starts_with("spec/uhub.json: models.RepoSet.fields.RepoName.requird: unknown field `requird`"),
            "{message}"
        );
        assert_eq!(tree.spec(), broken);
    }
}

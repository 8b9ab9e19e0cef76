//! `cargo xtask import-doc PAGE.md [--write]`: a UCloud API page → a spec entry.

use std::fs;
use std::path::Path;

use uhub_codegen::{import, spec, sync};

pub fn run(root: &Path, page: &Path, write: bool) -> Result<(), String> {
    let text = fs::read_to_string(page).map_err(|e| format!("cannot read {}: {e}", page.display()))?;
    let imported = import::import(&text).map_err(|e| format!("{}: {e}", page.display()))?;
    for p in &imported.problems {
        eprintln!("not mapped: {p}");
    }
    if !write {
        let entry = serde_json::json!({ "actions": [imported.action], "models": imported.models });
        println!("{}", serde_json::to_string_pretty(&entry).expect("spec types serialize"));
        return Ok(());
    }
    let spec_path = root.join(sync::SPEC);
    let before = fs::read_to_string(&spec_path).map_err(|e| format!("cannot read {}: {e}", spec_path.display()))?;
    let mut spec = spec::parse(&before).map_err(|e| format!("{}: {e}", sync::SPEC))?;
    for note in import::merge(&mut spec, imported) {
        eprintln!("{note}");
    }
    let after = spec::to_text(&spec);
    // Refuse to write a spec the generator would reject, so the tree stays buildable.
    uhub_codegen::load(&after).map_err(|e| format!("the merged spec is invalid, nothing written:\n{e}"))?;
    if after == before {
        println!("{} already matches the page", sync::SPEC);
        return Ok(());
    }
    let diff = similar::TextDiff::from_lines(&before, &after);
    print!("{}", diff.unified_diff().context_radius(3).header(sync::SPEC, sync::SPEC));
    fs::write(&spec_path, after).map_err(|e| format!("cannot write {}: {e}", spec_path.display()))?;
    println!("wrote {}; now run `{}`", sync::SPEC, sync::FIX);
    Ok(())
}

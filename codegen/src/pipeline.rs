//! The whole flow for spec text: parse, validate, lower, emit. The crate root re-exports it;
//! `sync` runs it for each spec on disk.

use crate::emit::File;
use crate::{emit, ir, lower, products, spec, validate};

/// The spec, relative to the workspace root: what generated files name when no other source is
/// given.
pub const SPEC: &str = "spec/uhub.json";

/// Why a spec could not be turned into code: every problem found, one per line, each naming
/// its place in the spec.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", problems.join("\n"))]
pub struct SpecError {
    pub problems: Vec<String>,
}

/// Parses, validates and lowers spec text.
pub fn load(text: &str) -> Result<ir::Service, SpecError> {
    let spec = spec::parse(text).map_err(|p| SpecError { problems: vec![p] })?;
    let sections = products::check(&spec);
    let checked = validate::validate(&products::fold(&spec));
    let problems: Vec<String> = sections.into_iter().chain(checked.err().unwrap_or_default()).collect();
    if !problems.is_empty() {
        return Err(SpecError { problems });
    }
    Ok(lower::lower(&spec))
}

/// Generates every file for `spec/uhub.json`'s text.
pub fn generate(text: &str) -> Result<Vec<File>, SpecError> {
    generate_from(text, SPEC)
}

/// Generates every file for a spec's text, each headed as generated from `source` (the spec's
/// path relative to the workspace root).
pub fn generate_from(text: &str, source: &str) -> Result<Vec<File>, SpecError> {
    Ok(emit::emit(&load(text)?, source))
}

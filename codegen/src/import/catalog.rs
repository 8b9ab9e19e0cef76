//! Many pages imported into one spec, each at a cost that does not grow with the spec.

use super::context::{Context, Index};
use super::importer::{Import, Refused, run};
use super::merge;
use crate::spec::Spec;

/// A spec pages are imported into one after another: the spec is read and indexed once, and
/// each merge updates the index, so a page costs what its own rows cost whether the spec has
/// ten actions or two thousand.
#[derive(Debug, Clone)]
pub struct Catalog {
    spec: Spec,
    index: Index,
}

impl Catalog {
    pub fn new(spec: Spec) -> Self {
        let index = Index::of(&spec);
        Catalog { spec, index }
    }

    /// Imports one page for merging into the spec as it stands (see [`super::import_for`]).
    pub fn import(&self, text: &str) -> Result<Import, Refused> {
        run(text, Context::of(&self.spec, &self.index))
    }

    /// Merges an import by the rules of [`super::merge()`] and says what changed.
    pub fn merge(&mut self, import: Import) -> Vec<String> {
        merge::merge(&mut self.spec, &mut self.index, import.action, import.models, import.enums)
    }

    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    pub fn into_spec(self) -> Spec {
        self.spec
    }
}

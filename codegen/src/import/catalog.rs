//! Many pages imported into one spec, each at a cost that does not grow with the spec, each
//! into its product's namespace.

use super::context::{Context, Index};
use super::importer::{Import, Refused, run};
use super::merge;
use crate::spec::{Product, Spec};

/// A spec pages are imported into one after another: the spec is read and indexed once, and
/// each merge updates the index, so a page costs what its own rows cost whether the spec has
/// ten actions or two thousand. Each product of the spec (its own, and each of its `products`
/// sections) is indexed apart: a page of one product is typed with that product's models and
/// enums only and merged into them, so another product's `NodeInfo` is never touched.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// The spec's own product first, then its sections in order, then products pages added.
    sections: Vec<Section>,
}

/// One product's part of the spec, as a spec of its own (with the spec's providers and common
/// parameters, which its pages are read against), and its index.
#[derive(Debug, Clone)]
struct Section {
    spec: Spec,
    index: Index,
}

impl Section {
    fn new(spec: Spec) -> Section {
        let index = Index::of(&spec);
        Section { spec, index }
    }
}

impl Catalog {
    pub fn new(mut spec: Spec) -> Self {
        let products = std::mem::take(&mut spec.products);
        let mut catalog = Catalog { sections: vec![Section::new(spec)] };
        for p in products {
            let shell = catalog.shell(p.name);
            catalog.sections.push(Section::new(Spec {
                description: p.description,
                enums: p.enums,
                models: p.models,
                actions: p.actions,
                ..shell
            }));
        }
        catalog
    }

    /// The name of the spec's own product, as pages' folders name it (`uhub`).
    pub fn own_product(&self) -> String {
        self.sections[0].spec.product.to_lowercase()
    }

    /// Imports one page of the spec's own product for merging (see [`super::import_for`]).
    pub fn import(&self, text: &str) -> Result<Import, Refused> {
        let own = &self.sections[0];
        run(text, Context::of(&own.spec, &own.index))
    }

    /// Imports one page of `product` (a name as [`Catalog::own_product`] or a section's): the
    /// page is read against that product's types only. A product the spec does not have yet
    /// starts empty.
    pub fn import_in(&mut self, product: &str, text: &str) -> Result<Import, Refused> {
        let at = self.section(product);
        let section = &self.sections[at];
        let import = run(text, Context::of(&section.spec, &section.index))?;
        // An action the spec already has lives where the spec has it (a UHub page kept in
        // another folder updates UHub's action): read the page against that product instead.
        match self.holding(&import.action.name) {
            Some(home) if home != at => {
                let section = &self.sections[home];
                run(text, Context::of(&section.spec, &section.index))
            }
            _ => Ok(import),
        }
    }

    /// The section that has an action, if any has.
    fn holding(&self, action: &str) -> Option<usize> {
        self.sections.iter().position(|s| s.index.action(action).is_some())
    }

    /// Merges an import of the spec's own product by the rules of [`super::merge()`] and says
    /// what changed.
    pub fn merge(&mut self, import: Import) -> Vec<String> {
        let own = &mut self.sections[0];
        merge::merge(&mut own.spec, &mut own.index, import.action, import.models, import.enums)
    }

    /// Merges an import of `product` into that product's part of the spec, or, when the spec
    /// already has the action in another product, into that one (see [`Catalog::import_in`]).
    pub fn merge_in(&mut self, product: &str, import: Import) -> Vec<String> {
        let at = match self.holding(&import.action.name) {
            Some(home) => home,
            None => self.section(product),
        };
        let section = &mut self.sections[at];
        merge::merge(&mut section.spec, &mut section.index, import.action, import.models, import.enums)
    }

    /// The section of a product, made empty when the spec has none yet.
    fn section(&mut self, product: &str) -> usize {
        if product == self.own_product() {
            return 0;
        }
        if let Some(at) = self.sections.iter().skip(1).position(|s| s.spec.product == product) {
            return at + 1;
        }
        let shell = self.shell(product.to_owned());
        self.sections.push(Section::new(shell));
        self.sections.len() - 1
    }

    /// An empty product: the spec's providers and common parameters, nothing of its own.
    fn shell(&self, product: String) -> Spec {
        let base = &self.sections[0].spec;
        Spec {
            schema: None,
            product,
            description: String::new(),
            providers: base.providers.clone(),
            common: base.common.clone(),
            enums: Vec::new(),
            models: Vec::new(),
            actions: Vec::new(),
            products: Vec::new(),
        }
    }

    /// The spec as it stands: the own product at the top, each other one a section.
    pub fn spec(&self) -> Spec {
        let mut spec = self.sections[0].spec.clone();
        spec.products = self.sections[1..]
            .iter()
            .filter(|s| !(s.spec.actions.is_empty() && s.spec.models.is_empty() && s.spec.enums.is_empty()))
            .map(|s| Product {
                name: s.spec.product.clone(),
                description: s.spec.description.clone(),
                enums: s.spec.enums.clone(),
                models: s.spec.models.clone(),
                actions: s.spec.actions.clone(),
            })
            .collect();
        spec
    }

    pub fn into_spec(self) -> Spec {
        self.spec()
    }
}

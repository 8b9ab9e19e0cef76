//! The spec a page is imported into, so that names the importer makes do not clash with it
//! and names it already holds are reused. Every question a page asks of the spec is answered
//! from an [`Index`] by name or by value set, so importing a page costs the same whatever the
//! size of the spec: a batch builds the index once and keeps it up to date as pages merge.

use std::collections::{HashMap, HashSet};

use crate::names;
use crate::spec::{Action, Enum, EnumValue, Model, PROJECT_ID, RUNTIME_PARAMS, Spec};

/// Where each action, model and enum of a spec is, and the Rust type names it uses.
#[derive(Debug, Clone, Default)]
pub(super) struct Index {
    actions: HashMap<String, usize>,
    models: HashMap<String, usize>,
    enums: HashMap<String, usize>,
    /// An enum's sorted values → the first enum with exactly those values.
    enum_values: HashMap<Vec<String>, usize>,
    /// Rust type names in use: models, enums, and each action's `<Action>Request` and
    /// `<Action>Response`.
    taken: HashSet<String>,
    /// The Rust type names of that set that are not models: actions' types and enums.
    not_models: HashSet<String>,
}

impl Index {
    pub fn of(spec: &Spec) -> Index {
        let mut index = Index::default();
        for (at, a) in spec.actions.iter().enumerate() {
            index.add_action(a, at);
        }
        for (at, m) in spec.models.iter().enumerate() {
            index.add_model(m, at);
        }
        for (at, e) in spec.enums.iter().enumerate() {
            index.add_enum(e, at);
        }
        index
    }

    pub fn add_action(&mut self, action: &Action, at: usize) {
        self.actions.entry(action.name.clone()).or_insert(at);
        let base = names::type_name(&action.name);
        for ty in [format!("{base}Request"), format!("{base}Response")] {
            self.taken.insert(ty.clone());
            self.not_models.insert(ty);
        }
    }

    pub fn add_model(&mut self, model: &Model, at: usize) {
        self.models.entry(model.name.clone()).or_insert(at);
        self.taken.insert(names::type_name(&model.name));
    }

    pub fn add_enum(&mut self, e: &Enum, at: usize) {
        self.enums.entry(e.name.clone()).or_insert(at);
        self.enum_values.entry(value_set(&e.values)).or_insert(at);
        self.taken.insert(names::type_name(&e.name));
        self.not_models.insert(names::type_name(&e.name));
    }

    pub fn action(&self, name: &str) -> Option<usize> {
        self.actions.get(name).copied()
    }

    pub fn model(&self, name: &str) -> Option<usize> {
        self.models.get(name).copied()
    }

    pub fn is_enum(&self, name: &str) -> bool {
        self.enums.contains_key(name)
    }
}

/// An enum's values as a key: sorted, each once.
pub(super) fn value_set(values: &[EnumValue]) -> Vec<String> {
    let mut set: Vec<String> = values.iter().map(|v| v.value.clone()).collect();
    set.sort();
    set.dedup();
    set
}

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Context<'a> {
    target: Option<(&'a Spec, &'a Index)>,
}

impl<'a> Context<'a> {
    pub fn of(spec: &'a Spec, index: &'a Index) -> Self {
        Context { target: Some((spec, index)) }
    }

    pub fn action(&self, name: &str) -> Option<&'a Action> {
        let (spec, index) = self.target?;
        index.action(name).map(|at| &spec.actions[at])
    }

    pub fn model(&self, name: &str) -> Option<&'a Model> {
        let (spec, index) = self.target?;
        index.model(name).map(|at| &spec.models[at])
    }

    pub fn enum_named(&self, name: &str) -> Option<&'a Enum> {
        let (spec, index) = self.target?;
        index.enums.get(name).map(|at| &spec.enums[*at])
    }

    /// The first enum of the spec with exactly these values.
    pub fn enum_with_values(&self, values: &[EnumValue]) -> Option<&'a Enum> {
        let (spec, index) = self.target?;
        index.enum_values.get(&value_set(values)).map(|at| &spec.enums[*at])
    }

    /// Whether the spec uses this Rust type name.
    pub fn is_taken(&self, type_name: &str) -> bool {
        self.target.is_some_and(|(_, index)| index.taken.contains(type_name))
    }

    /// Whether the spec uses this Rust type name for something a model cannot merge into: an
    /// action's request or response, or an enum.
    pub fn is_taken_by_other_than_model(&self, type_name: &str) -> bool {
        self.target.is_some_and(|(_, index)| index.not_models.contains(type_name))
    }

    /// Parameters a page lists that are not the action's own: the runtime's and the spec's
    /// common ones (UCloud's `ProjectId` for a page imported on its own).
    pub fn reserved_params(&self) -> Vec<&'a str> {
        match self.target {
            Some((spec, _)) => spec.reserved_params(),
            None => RUNTIME_PARAMS.iter().copied().chain([PROJECT_ID]).collect(),
        }
    }
}

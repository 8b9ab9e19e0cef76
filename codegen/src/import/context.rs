//! The spec a page is imported into, so that names the importer makes do not clash with it
//! and names it already holds are reused.

use crate::spec::{Action, Enum, Model, PROJECT_ID, RUNTIME_PARAMS, Spec};

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Context<'a> {
    spec: Option<&'a Spec>,
}

impl<'a> Context<'a> {
    pub fn of(spec: &'a Spec) -> Self {
        Context { spec: Some(spec) }
    }

    pub fn models(&self) -> &'a [Model] {
        self.spec.map_or(&[], |s| &s.models)
    }

    pub fn enums(&self) -> &'a [Enum] {
        self.spec.map_or(&[], |s| &s.enums)
    }

    pub fn actions(&self) -> &'a [Action] {
        self.spec.map_or(&[], |s| &s.actions)
    }

    pub fn action(&self, name: &str) -> Option<&'a Action> {
        self.actions().iter().find(|a| a.name == name)
    }

    /// Parameters a page lists that are not the action's own: the runtime's and the spec's
    /// common ones (UCloud's `ProjectId` for a page imported on its own).
    pub fn reserved_params(&self) -> Vec<&'a str> {
        match self.spec {
            Some(spec) => spec.reserved_params(),
            None => RUNTIME_PARAMS.iter().copied().chain([PROJECT_ID]).collect(),
        }
    }

    pub fn model(&self, name: &str) -> Option<&'a Model> {
        self.models().iter().find(|m| m.name == name)
    }
}

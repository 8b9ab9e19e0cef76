//! An import merged into a spec, by the rules documented on `import::merge`; which types
//! stay is [`keeps_type`].

use std::collections::BTreeSet;

use super::context::Index;
use super::example::FROM_PAGE;
use crate::spec::{Action, Enum, Field, Model, Spec, TypeRef};

/// Merges an imported action, its models and its enum proposals into a spec and says what
/// changed, one line per change. Entries are found through `index`, which is kept up to date,
/// so the cost is the import's size, not the spec's.
pub(super) fn merge(
    spec: &mut Spec,
    index: &mut Index,
    a: Action,
    models: Vec<Model>,
    enums: Vec<Enum>,
) -> Vec<String> {
    let mut notes = Vec::new();
    let proposed: Vec<String> = enums.iter().map(|e| e.name.clone()).collect();
    let mut merger = Merger { proposed: &proposed, notes: &mut notes };
    let model_names: Vec<String> = models.iter().map(|m| m.name.clone()).collect();
    let own = index.action(&a.name).map(|at| reachable(spec, index, &spec.actions[at])).unwrap_or_default();
    // A model other actions reach too is merged by the shared rules even when this action
    // reaches it: a page imported again would otherwise undo what the other pages made of it
    // (a field required because this page requires it, an int where another page needed a
    // float), and the merged spec would depend on the order its pages came in.
    let others: BTreeSet<String> = if models.iter().any(|m| own.contains(&m.name)) {
        spec.actions.iter().filter(|x| x.name != a.name).flat_map(|x| reachable(spec, index, x)).collect()
    } else {
        BTreeSet::new()
    };
    for m in models {
        match index.model(&m.name) {
            Some(at) if own.contains(&m.name) && !others.contains(&m.name) => {
                merger.fields(&mut spec.models[at].fields, m.fields, &format!("models.{}", m.name))
            }
            Some(at) => merger.shared(&mut spec.models[at].fields, m.fields, &format!("models.{}", m.name), &a.name),
            None => {
                merger.notes.push(format!("models.{}: added", m.name));
                index.add_model(&m, spec.models.len());
                spec.models.push(m);
            }
        }
    }
    let action_at = match index.action(&a.name) {
        Some(at) => {
            let existing = &mut spec.actions[at];
            let place = format!("actions.{}", a.name);
            merger.fields(&mut existing.request, a.request, &format!("{place}.request"));
            merger.fields(&mut existing.response, a.response, &format!("{place}.response"));
            // An example imported from a page follows the page; one written by hand stays.
            let imported = existing.examples.iter().all(|e| e.name == FROM_PAGE);
            if imported && existing.examples != a.examples && !a.examples.is_empty() {
                merger.notes.push(format!("actions.{}.examples: the page's example", a.name));
                existing.examples = a.examples;
            }
            // The merged action may require what this page's example leaves out (another page
            // of the same action requires more): its request no longer illustrates a valid call.
            for e in existing.examples.iter_mut().filter(|e| e.name == FROM_PAGE && !e.request.is_empty()) {
                let request = &existing.request;
                if let Some(p) = request.iter().find(|p| p.required && !e.request.contains_key(&p.name)) {
                    merger.notes.push(format!(
                        "actions.{}.examples.{}: its request lacks the required {}; only its response is kept",
                        a.name, e.name, p.name
                    ));
                    e.request.clear();
                }
            }
            at
        }
        None => {
            merger
                .notes
                .push(format!("actions.{}: added; review its idempotency, pagination and descriptions", a.name));
            index.add_action(&a, spec.actions.len());
            spec.actions.push(a);
            spec.actions.len() - 1
        }
    };
    for e in enums {
        let taken = index.is_enum(&e.name) || index.model(&e.name).is_some();
        // Only this import's fields can use a name it proposed: the merged action and models.
        let action = &spec.actions[action_at];
        let merged_models = model_names.iter().filter_map(|m| index.model(m)).map(|at| &spec.models[at]);
        let mut fields = action.request.iter().chain(&action.response).chain(merged_models.flat_map(|m| &m.fields));
        if !taken && fields.any(|f| f.ty.base().name() == Some(e.name.as_str())) {
            let values: Vec<&str> = e.values.iter().map(|v| v.value.as_str()).collect();
            notes.push(format!("enums.{}: added, proposed from the page (values {})", e.name, values.join(", ")));
            index.add_enum(&e, spec.enums.len());
            spec.enums.push(e);
        }
    }
    notes
}

struct Merger<'m> {
    proposed: &'m [String],
    notes: &'m mut Vec<String>,
}

impl Merger<'_> {
    fn fields(&mut self, existing: &mut Vec<Field>, page: Vec<Field>, place: &str) {
        for f in page {
            match same_field(existing, &f.name, place, self.notes) {
                Some(e) => {
                    let kept = e.doc_type.as_ref() == Some(&f.ty) || keeps_type(&e.ty, &f.ty, self.proposed);
                    if !kept {
                        self.notes.push(format!("{place}.{}: type {} → {}", f.name, e.ty, f.ty));
                        e.ty = f.ty;
                    }
                    if e.required != f.required {
                        self.notes.push(format!("{place}.{}: required {} → {}", f.name, e.required, f.required));
                        e.required = f.required;
                    }
                }
                None => {
                    self.notes.push(format!("{place}.{}: added", f.name));
                    existing.push(f);
                }
            }
        }
    }

    /// Merges a page's table into a model of that name that other actions already use (another
    /// product's page with a table of the same name): the model must decode what every one of
    /// them sends, so a field is required only when every page requires it, a field some page
    /// lacks is optional, and a type the pages disagree on stays the spec's.
    fn shared(&mut self, existing: &mut Vec<Field>, page: Vec<Field>, place: &str, action: &str) {
        for e in
            existing.iter_mut().filter(|e| e.required && !page.iter().any(|f| f.name.eq_ignore_ascii_case(&e.name)))
        {
            self.notes.push(format!("{place}.{}: required true → false: {action}'s page does not list it", e.name));
            e.required = false;
        }
        for mut f in page {
            match same_field(existing, &f.name, place, self.notes) {
                Some(e) => {
                    let kept = e.doc_type.as_ref() == Some(&f.ty) || keeps_type(&e.ty, &f.ty, self.proposed);
                    if !kept && (widens_to_float(&e.ty, &f.ty) || widens_to_time(&e.ty, &f.ty)) {
                        // A number one page says is an int and another a float decodes both as a
                        // float; an int or text one page shows is a time, as a time (which reads
                        // both), the page's type kept as the documented one.
                        self.notes.push(format!(
                            "{place}.{}: {action}'s page says {}; {} → {}, which reads both",
                            f.name, f.ty, e.ty, f.ty
                        ));
                        if f.doc_type.is_some() {
                            e.doc_type = f.doc_type.clone();
                        }
                        e.ty = f.ty.clone();
                    } else if !kept {
                        self.notes.push(format!(
                            "{place}.{}: {action}'s page says {}; the spec's {} is kept, as other actions use it",
                            f.name, f.ty, e.ty
                        ));
                    }
                    if e.required && !f.required {
                        self.notes.push(format!("{place}.{}: required true → false: {action}'s page says so", f.name));
                        e.required = false;
                    }
                }
                None => {
                    self.notes
                        .push(format!("{place}.{}: added, optional: other actions' pages do not list it", f.name));
                    f.required = false;
                    existing.push(f);
                }
            }
        }
    }
}

/// The field a page's field merges into: the one of its name, else one whose name differs only
/// in case (`UGNId` and `UGNID`, as two pages of one product spell it), whose name is kept and
/// said: a struct never holds one wire field twice.
fn same_field<'f>(
    existing: &'f mut [Field],
    name: &str,
    place: &str,
    notes: &mut Vec<String>,
) -> Option<&'f mut Field> {
    let at = existing
        .iter()
        .position(|e| e.name == name)
        .or_else(|| existing.iter().position(|e| e.name.eq_ignore_ascii_case(name)))?;
    let e = &mut existing[at];
    if e.name != name {
        notes.push(format!("{place}.{name}: the field {} in another case; its name is kept", e.name));
    }
    Some(e)
}

/// Whether the spec's `int` (or list of ints) meets a page's `float` (or list of floats).
fn widens_to_float(spec: &TypeRef, page: &TypeRef) -> bool {
    spec.is_array() == page.is_array() && *spec.base() == TypeRef::Int && *page.base() == TypeRef::Float
}

/// Whether the spec's int or string becomes the page's time: the page's example showed points
/// in time under it, and a time reads whatever the int or string did.
fn widens_to_time(spec: &TypeRef, page: &TypeRef) -> bool {
    spec.is_array() == page.is_array()
        && matches!(spec.base(), TypeRef::Int | TypeRef::String)
        && *page.base() == TypeRef::Time
}

/// The models an action's fields use, directly or through other models.
fn reachable(spec: &Spec, index: &Index, action: &Action) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<&Field> = action.request.iter().chain(&action.response).collect();
    while let Some(f) = todo.pop() {
        let Some(at) = f.ty.base().name().and_then(|n| index.model(n)) else { continue };
        let model = &spec.models[at];
        if seen.insert(model.name.clone()) {
            todo.extend(&model.fields);
        }
    }
    seen
}

/// Whether a spec type stays when a page gives `page`: when they agree; when the spec's is an
/// enum or model and the page says `string` (a documented string we typed better); when the
/// spec says `time` and the page `string` or `int` (the pages' history flips between them);
/// when the page's is only a proposed enum and the spec's is not `string`; and item by item
/// for two lists.
pub(super) fn keeps_type(spec: &TypeRef, page: &TypeRef, proposed: &[String]) -> bool {
    if let (Some(s), Some(p)) = (spec.element(), page.element()) {
        return keeps_type(s, p, proposed);
    }
    spec == page
        || (*page == TypeRef::String && spec.name().is_some())
        || (*spec == TypeRef::Time && matches!(page, TypeRef::String | TypeRef::Int))
        || (page.name().is_some_and(|name| proposed.iter().any(|p| p == name)) && *spec != TypeRef::String)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_set_types_are_kept_over_less_specific_page_types() {
        let none: &[String] = &[];
        assert!(keeps_type(&"RepoType".into(), &"string".into(), none), "an enum over a documented string");
        assert!(keeps_type(&"TagSet".into(), &"string".into(), none), "a model over a documented string");
        assert!(keeps_type(&"time".into(), &"string".into(), none));
        assert!(keeps_type(&"time".into(), &"int".into(), none));
        assert!(keeps_type(&"array[time]".into(), &"array[int]".into(), none));
        assert!(keeps_type(&"array[RepoType]".into(), &"array[string]".into(), none));
        assert!(!keeps_type(&"string".into(), &"int".into(), none), "the page's other types are taken");
        assert!(!keeps_type(&"int".into(), &"float".into(), none));
        assert!(!keeps_type(&"bool".into(), &"string".into(), none), "bool is kept through doc_type, not here");
        assert!(!keeps_type(&"array[TagSet]".into(), &"string".into(), none), "a list is not a documented string");
    }

    /// A model other actions use keeps its type against a page, except where the page's reads
    /// everything the spec's did: a float over an int, a time over an int or a string.
    #[test]
    fn a_shared_field_widens_only_to_a_type_that_reads_both() {
        assert!(widens_to_time(&"int".into(), &"time".into()));
        assert!(widens_to_time(&"array[string]".into(), &"array[time]".into()));
        assert!(!widens_to_time(&"int".into(), &"array[time]".into()));
        assert!(!widens_to_time(&"bool".into(), &"time".into()));
        assert!(!widens_to_time(&"time".into(), &"int".into()));
        assert!(widens_to_float(&"int".into(), &"float".into()));
        assert!(!widens_to_float(&"float".into(), &"int".into()));
    }

    #[test]
    fn a_proposed_enum_replaces_only_a_string() {
        let proposed = ["GetRepoKind".to_owned()];
        assert!(!keeps_type(&"string".into(), &"GetRepoKind".into(), &proposed));
        assert!(keeps_type(&"RepoType".into(), &"GetRepoKind".into(), &proposed));
        assert!(keeps_type(&"time".into(), &"GetRepoKind".into(), &proposed));
        assert!(!keeps_type(&"string".into(), &"RepoKind".into(), &proposed), "a page model is not a proposal");
    }
}

//! `import-doc ... --check-examples`, its second table: does the merged spec still say what
//! each chosen page's own tables say? Every row of the page (its request parameters and its
//! response fields, into the models they use, dotted rows included) is looked for along the
//! same path from the same action in the merged spec, and its type and (for a parameter)
//! whether it is required are compared.
//!
//! A path differs when the merged spec lacks it (`missing`: the row is unreachable from its
//! action, so its value is lost or cannot be sent), reads it as a narrower or other type
//! (`retyped`), or requires a parameter the page leaves optional, or the other way round
//! (`required`). A merged type that reads everything the page's does is no difference: `json`
//! over anything, a `time` over the page's `int` or `string` (the decoder takes both), a `float`
//! over an `int`, `string` over an enum, an enum over a `string` (a generated enum keeps text it
//! does not list), an enum whose values include the page's; nor is a type the spec chose over
//! the page's and records as its `doc_type` (UHub's `"true"` strings read as bools).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use uhub_codegen::import::Import;
use uhub_codegen::spec::{Field, Spec, TypeRef};

use crate::example_check::Types;

/// The ways one row can differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Missing,
    Retyped,
    Required,
}

pub const KINDS: [Kind; 3] = [Kind::Missing, Kind::Retyped, Kind::Required];

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Missing => "missing",
            Kind::Retyped => "retyped",
            Kind::Required => "required",
        })
    }
}

/// One row the merged spec does not say as the page does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub kind: Kind,
    /// `request: Rules.N.Port` or `response: Rules[].Port`.
    pub path: String,
    pub page: String,
    pub merged: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: page {}, merged {}", self.kind, self.path, self.page, self.merged)
    }
}

/// What checking one page's rows found.
#[derive(Debug, Default)]
pub struct Checked {
    pub rows: usize,
    pub differences: Vec<Difference>,
}

/// A row as one spec has it: the type's key (see `Types::key`), its enum values when it is
/// one, and whether it is required.
#[derive(Debug, Clone)]
struct Row {
    key: String,
    /// The page's type the spec records beside a better one (`doc_type`).
    doc: Option<String>,
    values: Option<BTreeSet<String>>,
    required: bool,
}

impl Row {
    fn shown(&self) -> String {
        format!("{}{}", self.key, if self.required { ", required" } else { "" })
    }
}

/// The merged spec's actions, by name: their parameters and response fields.
pub struct Merged<'s> {
    actions: BTreeMap<&'s str, (&'s [Field], &'s [Field])>,
    types: Types<'s>,
}

impl<'s> Merged<'s> {
    /// `flat` is the merged spec with its products folded in (`products::fold`).
    pub fn new(flat: &'s Spec) -> Self {
        let actions =
            flat.actions.iter().map(|a| (a.name.as_str(), (a.request.as_slice(), a.response.as_slice()))).collect();
        Merged { actions, types: Types::new(&flat.models, &flat.enums) }
    }
}

/// Compares every row of the page's own import with the merged spec; `None` when the merged
/// spec lacks the action.
pub fn check(alone: &Import, merged: &Merged) -> Option<Checked> {
    let (params, response) = merged.actions.get(alone.action.name.as_str())?;
    let own = Types::new(&alone.models, &alone.enums);
    let mut checked = Checked::default();
    for (side, page_fields, merged_fields) in
        [("request", &alone.action.request, *params), ("response", &alone.action.response, *response)]
    {
        let (mut a, mut m) = (BTreeMap::new(), BTreeMap::new());
        rows(page_fields, &own, side, 0, &mut a);
        rows(merged_fields, &merged.types, side, 0, &mut m);
        checked.rows += a.len();
        for (path, row) in &a {
            let kind = match m.get(path) {
                None => Some(Kind::Missing),
                Some(other) if !reads_all(row, other) => Some(Kind::Retyped),
                Some(other) if side == "request" && row.required != other.required => Some(Kind::Required),
                Some(_) => None,
            };
            if let Some(kind) = kind {
                let merged = m.get(path).map_or_else(|| "nothing".to_owned(), Row::shown);
                checked.differences.push(Difference { kind, path: path.clone(), page: row.shown(), merged });
            }
        }
    }
    Some(checked)
}

/// Whether a field of the merged spec's type reads every value the page's type reads.
fn reads_all(page: &Row, merged: &Row) -> bool {
    // The spec's own choice over the page's documented type (a `"true"` string read as a bool).
    if page.key == merged.key || merged.key == "json" || merged.doc.as_deref() == Some(page.key.as_str()) {
        return true;
    }
    // As deep in lists on both sides: a list of an enum is no single value of it.
    let (p, pd) = unlist(&page.key);
    let (m, md) = unlist(&merged.key);
    if pd != md {
        return false;
    }
    match (&page.values, &merged.values) {
        (Some(pv), Some(mv)) => pv.is_subset(mv),
        (Some(_), None) => m == "string",
        // A generated enum keeps text it does not list (`Other`), so it reads any string.
        (None, Some(_)) => p == "string",
        (None, None) => m == "json" || (m == "time" && matches!(p, "int" | "string")) || (m == "float" && p == "int"),
    }
}

/// A type key without its `array[...]`s, and how many there were.
fn unlist(key: &str) -> (&str, usize) {
    let mut depth = 0;
    let mut key = key;
    while let Some(inner) = key.strip_prefix("array[").and_then(|k| k.strip_suffix(']')) {
        key = inner;
        depth += 1;
    }
    (key, depth)
}

/// Every path under `fields`: a model's fields after `.`, a list's items as `[]` (models
/// recursive past a few levels stop there: no page nests that deep).
fn rows(fields: &[Field], types: &Types, at: &str, depth: usize, out: &mut BTreeMap<String, Row>) {
    if depth > 8 {
        return;
    }
    for f in fields {
        let path = if depth == 0 { format!("{at}: {}", f.name) } else { format!("{at}.{}", f.name) };
        let (mut inner, mut path) = (&f.ty, path);
        let row = Row {
            key: types.key(&f.ty),
            doc: f.doc_type.as_ref().map(|d| types.key(d)),
            values: types.values(&f.ty),
            required: f.required,
        };
        out.insert(path.clone(), row);
        while let TypeRef::Array(item) = inner {
            inner = item;
            path.push_str("[]");
        }
        if let Some(model) = types.model(inner) {
            rows(&model.fields, types, &path, depth + 1, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use uhub_codegen::import::PageFacts;
    use uhub_codegen::spec::{Action, Enum, Model};

    use super::*;

    fn action(request: Value, response: Value) -> Action {
        serde_json::from_value(json!({
            "name": "ListThings", "description": "", "idempotent": true, "request": request, "response": response
        }))
        .unwrap()
    }

    fn thing(fields: Value) -> Model {
        serde_json::from_value(json!({"name": "Thing", "description": "", "fields": fields})).unwrap()
    }

    fn kinds(values: &[&str]) -> Enum {
        let values: Vec<Value> = values.iter().map(|v| json!({"value": v, "description": ""})).collect();
        serde_json::from_value(json!({"name": "Kind", "description": "", "values": values})).unwrap()
    }

    fn f(name: &str, ty: &str, required: bool) -> Value {
        json!({"name": name, "type": ty, "required": required, "description": ""})
    }

    /// What the page says: a required region, a list of kinds, things with an id, a kind, a
    /// time and a count.
    fn page() -> Import {
        Import {
            action: action(
                json!([f("Region", "string", true), f("Kinds", "array[Kind]", false)]),
                json!([f("Things", "array[Thing]", false)]),
            ),
            models: vec![thing(json!([
                f("Id", "string", true),
                f("Kind", "Kind", false),
                f("CreateTime", "int", false),
                f("Count", "int", false)
            ]))],
            enums: vec![kinds(&["a", "b"])],
            problems: vec![],
            warnings: vec![],
            notes: vec![],
            page: PageFacts::default(),
        }
    }

    fn merged(request: Value, thing_fields: Value, kind_values: &[&str]) -> Spec {
        let mut spec: Spec = serde_json::from_str(&std::fs::read_to_string("../spec/uhub.json").unwrap()).unwrap();
        spec.actions = vec![action(request, json!([f("Things", "array[Thing]", false)]))];
        spec.models = vec![thing(thing_fields)];
        spec.enums = vec![kinds(kind_values)];
        spec
    }

    fn differences(spec: &Spec) -> Vec<String> {
        check(&page(), &Merged::new(spec)).unwrap().differences.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_merged_spec_that_reads_everything_the_page_does_differs_nowhere() {
        // More enum values, a time over an int, a float over an int, json over a model's field.
        let spec = merged(
            json!([f("Region", "string", true), f("Kinds", "array[Kind]", false), f("Zone", "string", false)]),
            json!([
                f("Id", "string", true),
                f("Kind", "Kind", false),
                f("CreateTime", "time", false),
                f("Count", "float", false),
                f("Extra", "json", false)
            ]),
            &["a", "b", "c"],
        );
        assert_eq!(differences(&spec), Vec::<String>::new());
        assert_eq!(check(&page(), &Merged::new(&spec)).unwrap().rows, 7);
    }

    #[test]
    fn a_row_lost_narrowed_made_single_or_required_is_named_by_its_path() {
        let spec = merged(
            json!([f("Region", "string", false), f("Kinds", "Kind", false)]),
            json!([f("Id", "string", true), f("Kind", "Kind", false), f("CreateTime", "int", false)]),
            &["a"],
        );
        assert_eq!(
            differences(&spec),
            [
                "retyped: request: Kinds: page array[enum(a|b)], merged enum(a)",
                "required: request: Region: page string, required, merged string",
                "missing: response: Things[].Count: page int, merged nothing",
                "retyped: response: Things[].Kind: page enum(a|b), merged enum(a)",
            ]
        );
    }
}

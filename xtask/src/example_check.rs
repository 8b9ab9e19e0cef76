//! `import-doc ... --check-examples`: does each chosen page's own response example decode
//! under the merged spec exactly as under the page's import on its own?
//!
//! This is a spec-level check, not a build: the example's JSON is walked against the action's
//! response type in both specs, path by path, and each value is judged by the rules the SDK's
//! decoder follows (`uhub-sdk/src/decode.rs`): a string takes any scalar, an int a whole number
//! or a string holding one, a float any number or numeric string, a bool `true`/`false` (also as
//! text) or 0/1, a time and an enum any scalar, `json` anything, a list an array, a model an
//! object (or a bare string when it names a `from_string` field); `null` is always accepted and
//! a key the type does not declare is ignored. Generating and compiling Rust for two specs per
//! page would say the same at far greater cost, and would not say which path differs.
//!
//! A path differs when the two specs disagree on it: one refuses what the other decodes
//! (`refused`: the merged spec fails where the page alone decodes; `accepted`: the other way),
//! the merged spec ignores a key the page declares (`dropped`) or declares a key the page does
//! not (`gained`), or both decode it as different types (`retyped`: an int read as a float).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;
use uhub_codegen::import::Import;
use uhub_codegen::spec::{ENVELOPE_FIELDS, Enum, Field, Model, Spec, TypeRef};

/// How one spec reads one path of an example.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reading {
    /// Decoded as this type: its spelling for the reader, and what it is to the comparison.
    Kept { shown: String, key: String },
    /// A decode error: why.
    Refused(String),
    /// A key the enclosing type does not declare: ignored.
    Ignored,
}

/// The ways a path's two readings differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// The page alone decodes it, the merged spec fails to: the decode failure the check hunts.
    Refused,
    /// The merged spec decodes what the page alone refuses (its example disagrees with its table).
    Accepted,
    /// The page declares the key, the merged spec ignores it: the value is lost.
    Dropped,
    /// The merged spec declares a key the page does not.
    Gained,
    /// Both decode it, as different types.
    Retyped,
}

pub const KINDS: [Kind; 5] = [Kind::Refused, Kind::Accepted, Kind::Dropped, Kind::Gained, Kind::Retyped];

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Refused => "refused",
            Kind::Accepted => "accepted",
            Kind::Dropped => "dropped",
            Kind::Gained => "gained",
            Kind::Retyped => "retyped",
        })
    }
}

/// One path whose readings differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub kind: Kind,
    /// `Rules[].Port`: a list's items share one path.
    pub path: String,
    /// What each spec makes of it, for the reader.
    pub alone: String,
    pub merged: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: alone {}, merged {}", self.kind, self.path, self.alone, self.merged)
    }
}

/// What checking one page found.
#[derive(Debug, Default)]
pub struct Checked {
    /// Paths of the example walked (under either spec).
    pub paths: usize,
    pub differences: Vec<Difference>,
}

/// The types of one spec a walk looks names up in (shared with `row_check`).
pub(crate) struct Types<'s> {
    models: BTreeMap<&'s str, &'s Model>,
    /// Each enum's values, sorted: two enums are one type to the check when their values are
    /// (the page alone and the merged spec name the same list differently).
    enums: BTreeMap<&'s str, String>,
    values: BTreeMap<&'s str, BTreeSet<String>>,
}

impl<'s> Types<'s> {
    pub(crate) fn new(models: impl IntoIterator<Item = &'s Model>, enums: impl IntoIterator<Item = &'s Enum>) -> Self {
        let values: BTreeMap<&str, BTreeSet<String>> =
            enums.into_iter().map(|e| (e.name.as_str(), e.values.iter().map(|v| v.value.clone()).collect())).collect();
        let enums = values
            .iter()
            .map(|(name, values)| (*name, format!("enum({})", values.iter().cloned().collect::<Vec<_>>().join("|"))))
            .collect();
        Types { models: models.into_iter().map(|m| (m.name.as_str(), m)).collect(), enums, values }
    }

    /// The values of an enum type (a list's items' when a list), `None` for any other type.
    pub(crate) fn values(&self, ty: &TypeRef) -> Option<BTreeSet<String>> {
        match ty {
            TypeRef::Array(inner) => self.values(inner),
            TypeRef::Named(name) => self.values.get(name.as_str()).cloned(),
            _ => None,
        }
    }

    /// The model a named type is, if it is one.
    pub(crate) fn model(&self, ty: &TypeRef) -> Option<&'s Model> {
        match ty {
            TypeRef::Named(name) => self.models.get(name.as_str()).copied(),
            _ => None,
        }
    }

    /// What a type is to the check: a builtin by its spelling, an enum by its values, a model
    /// as a model (its fields are compared one by one, whatever its name).
    pub(crate) fn key(&self, ty: &TypeRef) -> String {
        match ty {
            TypeRef::Array(inner) => format!("array[{}]", self.key(inner)),
            TypeRef::Named(name) => match self.enums.get(name.as_str()) {
                Some(values) => values.clone(),
                None => "model".to_owned(),
            },
            builtin => builtin.to_string(),
        }
    }
}

/// The merged spec as the check reads it: folded, its actions and models by name.
pub struct Merged<'s> {
    actions: BTreeMap<&'s str, &'s [Field]>,
    types: Types<'s>,
}

impl<'s> Merged<'s> {
    /// `flat` is the merged spec with its products folded in (`products::fold`).
    pub fn new(flat: &'s Spec) -> Self {
        let actions = flat.actions.iter().map(|a| (a.name.as_str(), a.response.as_slice())).collect();
        Merged { actions, types: Types::new(&flat.models, &flat.enums) }
    }
}

/// The page's response example, if its import kept one.
pub fn example(alone: &Import) -> Option<&Value> {
    alone.action.examples.iter().find(|e| e.name == "from_page").map(|e| &e.response)
}

/// Compares how the page's own import and the merged spec read the page's response example.
/// `None` when the page has no example or the merged spec lacks the action.
pub fn check(alone: &Import, merged: &Merged) -> Option<Checked> {
    let example = example(alone)?;
    let merged_fields = merged.actions.get(alone.action.name.as_str())?;
    let mut a = BTreeMap::new();
    let mut m = BTreeMap::new();
    let own = Types::new(&alone.models, &alone.enums);
    fields(example, &alone.action.response, &own, "", &mut a);
    fields(example, merged_fields, &merged.types, "", &mut m);
    let paths: BTreeSet<&String> = a.keys().chain(m.keys()).collect();
    let mut checked = Checked { paths: paths.len(), differences: Vec::new() };
    // A path under one that differs says the same again (the fields of a model one spec
    // refuses or ignores): only the topmost is reported. Paths sort before what is under them.
    let mut reported: Vec<&String> = Vec::new();
    for path in paths {
        let under = |p: &&String| path.strip_prefix(p.as_str()).is_some_and(|rest| rest.starts_with(['.', '[']));
        if reported.iter().any(under) {
            continue;
        }
        let (x, y) = (a.get(path).unwrap_or(&Reading::Ignored), m.get(path).unwrap_or(&Reading::Ignored));
        let kind = match (x, y) {
            (Reading::Kept { .. } | Reading::Ignored, Reading::Refused(_)) => Kind::Refused,
            (Reading::Refused(_), Reading::Kept { .. } | Reading::Ignored) => Kind::Accepted,
            (Reading::Kept { .. }, Reading::Ignored) => Kind::Dropped,
            (Reading::Ignored, Reading::Kept { .. }) => Kind::Gained,
            (Reading::Kept { key: s, .. }, Reading::Kept { key: t, .. }) if s != t => Kind::Retyped,
            _ => continue,
        };
        reported.push(path);
        checked.differences.push(Difference { kind, path: path.clone(), alone: shown(x), merged: shown(y) });
    }
    Some(checked)
}

fn shown(r: &Reading) -> String {
    match r {
        Reading::Kept { shown, .. } => format!("reads {shown}"),
        Reading::Refused(why) => format!("fails ({why})"),
        Reading::Ignored => "ignores it".to_owned(),
    }
}

/// Reads an object's keys as `declared` fields; what the object holds beyond them is ignored.
fn fields(value: &Value, declared: &[Field], types: &Types, at: &str, out: &mut BTreeMap<String, Reading>) {
    let Value::Object(map) = value else { return };
    for (key, v) in map {
        if at.is_empty() && ENVELOPE_FIELDS.contains(&key.as_str()) {
            continue;
        }
        let path = if at.is_empty() { key.clone() } else { format!("{at}.{key}") };
        match declared.iter().find(|f| f.name == *key) {
            Some(f) => read(v, &f.ty, types, &path, out),
            None => note(out, &path, Reading::Ignored),
        }
    }
}

/// Reads one value as `ty`, by the decoder's rules (see the module docs), and what it holds.
fn read(value: &Value, ty: &TypeRef, types: &Types, path: &str, out: &mut BTreeMap<String, Reading>) {
    let verdict = match (ty, value) {
        (_, Value::Null) | (TypeRef::Json, _) => Ok(()),
        (TypeRef::Array(item), Value::Array(items)) => {
            note(out, path, Reading::Kept { shown: plain(ty), key: types.key(ty) });
            // Items share one path: a list's items are one type, and a refused one says it.
            for v in items {
                read(v, item, types, &format!("{path}[]"), out);
            }
            return;
        }
        (TypeRef::Array(_), _) => Err("not an array"),
        (_, Value::Array(_)) => Err("an array"),
        (TypeRef::String | TypeRef::Time, Value::Object(_)) => Err("an object"),
        (TypeRef::String | TypeRef::Time, _) => Ok(()),
        (TypeRef::Int, v) => int(v),
        (TypeRef::Float, v) => float(v),
        (TypeRef::Bool, v) => boolean(v),
        (TypeRef::Named(name), v) => match types.models.get(name.as_str()) {
            Some(model) => match v {
                Value::Object(_) => {
                    note(out, path, Reading::Kept { shown: plain(ty), key: types.key(ty) });
                    fields(v, &model.fields, types, path, out);
                    return;
                }
                Value::String(_) if model.from_string.is_some() => Ok(()),
                _ => Err("not an object"),
            },
            // An enum: any scalar, an unknown value kept as sent.
            None if matches!(v, Value::Object(_)) => Err("an object"),
            None => Ok(()),
        },
    };
    let reading = match verdict {
        Ok(()) => Reading::Kept { shown: plain(ty), key: types.key(ty) },
        Err(why) => Reading::Refused(format!("{} as {}", why, plain(ty))),
    };
    note(out, path, reading);
}

/// Records a reading; of a list's items, a refusal outweighs the items that decode.
fn note(out: &mut BTreeMap<String, Reading>, path: &str, reading: Reading) {
    match out.get(path) {
        Some(Reading::Refused(_)) => {}
        _ => {
            out.insert(path.to_owned(), reading);
        }
    }
}

/// A type's spelling without products, for the reader.
fn plain(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Array(inner) => format!("array[{}]", plain(inner)),
        TypeRef::Named(name) => uhub_codegen::products::local(name).to_owned(),
        builtin => builtin.to_string(),
    }
}

fn int(v: &Value) -> Result<(), &'static str> {
    match v {
        Value::Number(n) if n.is_i64() => Ok(()),
        Value::Number(n) if n.is_u64() => Err("out of an int's range"),
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 { Ok(()) } else { Err("not whole") }
        }
        Value::String(s) if s.trim().is_empty() || s.trim().parse::<i64>().is_ok() => Ok(()),
        Value::String(_) => Err("a text that is no integer"),
        Value::Bool(_) => Err("a boolean"),
        _ => Err("an object"),
    }
}

fn float(v: &Value) -> Result<(), &'static str> {
    match v {
        Value::Number(_) => Ok(()),
        Value::String(s) if s.trim().is_empty() || s.trim().parse::<f64>().is_ok_and(f64::is_finite) => Ok(()),
        Value::String(_) => Err("a text that is no number"),
        Value::Bool(_) => Err("a boolean"),
        _ => Err("an object"),
    }
}

fn boolean(v: &Value) -> Result<(), &'static str> {
    match v {
        Value::Bool(_) => Ok(()),
        Value::Number(n) if n.as_u64().is_some_and(|n| n <= 1) => Ok(()),
        Value::Number(_) => Err("a number other than 0 or 1"),
        Value::String(s) => {
            let t = s.trim();
            if t.is_empty() || ["true", "false"].iter().any(|b| t.eq_ignore_ascii_case(b)) || t == "0" || t == "1" {
                Ok(())
            } else {
                Err("a text other than true or false")
            }
        }
        _ => Err("an object"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reading(value: Value, ty: &str) -> Reading {
        let types = Types::new([], []);
        let mut out = BTreeMap::new();
        read(&value, &TypeRef::parse(ty), &types, "X", &mut out);
        out.remove("X").unwrap()
    }

    fn decodes(value: Value, ty: &str) -> bool {
        matches!(reading(value, ty), Reading::Kept { .. })
    }

    #[test]
    fn values_are_judged_by_the_decoders_rules() {
        assert!(decodes(json!("12"), "int") && decodes(json!(3.0), "int") && decodes(json!(""), "int"));
        assert!(!decodes(json!("Running"), "int") && !decodes(json!(1.5), "int") && !decodes(json!(true), "int"));
        assert!(decodes(json!("1.5"), "float") && !decodes(json!("fast"), "float"));
        assert!(decodes(json!("TRUE"), "bool") && decodes(json!(1), "bool") && !decodes(json!(2), "bool"));
        assert!(decodes(json!(7), "string") && !decodes(json!({}), "string") && !decodes(json!(["a"]), "string"));
        assert!(decodes(json!("2024-01-01"), "time") && decodes(json!(null), "array[int]"));
        assert!(decodes(json!({"a": [1]}), "json") && !decodes(json!("a"), "array[string]"));
        // An enum takes any scalar (an unknown value is kept), never a list.
        assert!(decodes(json!("Other"), "Colour") && !decodes(json!(["Red"]), "Colour"));
    }

    #[test]
    fn a_refused_list_item_outweighs_the_items_that_decode() {
        let types = Types::new([], []);
        let mut out = BTreeMap::new();
        read(&json!([1, "x", 2]), &TypeRef::parse("array[int]"), &types, "L", &mut out);
        assert!(matches!(out["L[]"], Reading::Refused(_)), "{out:?}");
    }
}

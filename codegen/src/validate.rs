//! Checks a parsed spec for everything serde cannot: names, types, references, defaults and
//! examples. Every problem is reported (not just the first), each prefixed by its place in
//! the spec written with names, e.g. `actions.GetImageTag.request.TagName: unknown type "strng"`.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::ir::Type;
use crate::names::{self, Scope};
use crate::products;
use crate::spec::{Action, ENVELOPE_FIELDS, Example, Field, Spec, TypeRef};

pub fn validate(spec: &Spec) -> Result<(), Vec<String>> {
    let mut v = Validator { spec, errors: Vec::new() };
    v.service();
    if v.errors.is_empty() { Ok(()) } else { Err(v.errors) }
}

/// Resolves a spec type against the spec's enums and models.
pub fn resolve_type(spec: &Spec, ty: &TypeRef) -> Result<Type, String> {
    match ty {
        TypeRef::Array(inner) => match resolve_type(spec, inner)? {
            Type::Array(_) => Err(format!("nested arrays are not supported: \"{ty}\"")),
            t => Ok(Type::Array(Box::new(t))),
        },
        TypeRef::String => Ok(Type::String),
        TypeRef::Int => Ok(Type::Int),
        TypeRef::Float => Ok(Type::Float),
        TypeRef::Bool => Ok(Type::Bool),
        TypeRef::Time => Ok(Type::Time),
        TypeRef::Json => Ok(Type::Json),
        TypeRef::Named(name) if spec.enums.iter().any(|e| &e.name == name) => Ok(Type::Enum(name.clone())),
        TypeRef::Named(name) if spec.models.iter().any(|m| &m.name == name) => Ok(Type::Model(name.clone())),
        TypeRef::Named(name) => Err(format!("unknown type \"{name}\"")),
    }
}

struct Validator<'a> {
    spec: &'a Spec,
    errors: Vec<String>,
}

impl Validator<'_> {
    fn error(&mut self, place: &str, message: impl std::fmt::Display) {
        self.errors.push(format!("{place}: {message}"));
    }

    fn service(&mut self) {
        let spec = self.spec;
        if spec.product.trim().is_empty() {
            self.error("product", "must not be empty");
        }
        if spec.providers.is_empty() {
            self.error("providers", "at least one provider is needed");
        }
        self.unique("providers", spec.providers.iter().map(|p| p.name.as_str()));
        self.unique("providers", spec.providers.iter().map(|p| p.title.as_str()));
        self.unique_idents("providers", spec.providers.iter().map(|p| (p.title.as_str(), names::type_name(&p.title))));
        for p in &spec.providers {
            let place = format!("providers.{}", p.name);
            self.ident(&place, &p.title);
            if names::type_name(&p.title) == "Custom" {
                self.error(&place, "title \"Custom\" is taken by `Endpoint::Custom`, the variant for any other URL");
            }
            if !(p.base_url.starts_with("https://") || p.base_url.starts_with("http://")) {
                self.error(&place, format!("base_url \"{}\" must start with http:// or https://", p.base_url));
            }
        }
        for c in &spec.common {
            let place = format!("common.{}", c.name);
            self.ident(&place, &c.name);
            if c.ty != "string" {
                self.error(&place, format!("common parameters must be strings, not \"{}\"", c.ty));
            }
        }
        let types = spec.enums.iter().map(|e| e.name.as_str()).chain(spec.models.iter().map(|m| m.name.as_str()));
        // Rust names taken twice or by generated code are renamed (see `names`), never refused.
        self.unique("types", types);
        for e in &spec.enums {
            let place = format!("enums.{}", e.name);
            self.ident(&place, products::local(&e.name));
            if e.values.is_empty() {
                self.error(&place, "an enum needs at least one value");
            }
            self.unique(&place, e.values.iter().map(|v| v.value.as_str()));
        }
        for m in &spec.models {
            let place = format!("models.{}", m.name);
            self.ident(&place, products::local(&m.name));
            self.fields(&place, &m.fields, Scope::Model, &[]);
            if let Some(name) = &m.from_string {
                match m.fields.iter().find(|f| &f.name == name) {
                    Some(f) if f.ty == "string" && f.required => {}
                    Some(_) => self.error(&place, format!("from_string field \"{name}\" must be a required string")),
                    None => self.error(&place, format!("from_string names \"{name}\", which is not a field")),
                }
            }
            if let Some(cycle) = self.cycle(m) {
                self.error(
                    &place,
                    format!("contains itself ({cycle}), which no struct can; make one of these fields an array"),
                );
            }
        }
        self.unique("actions", spec.actions.iter().map(|a| a.name.as_str()));
        for a in &spec.actions {
            self.action(a);
        }
    }

    /// Where a type holds a `json` value, itself or through a model's fields: `json`,
    /// `Widget.Extra`; `None` when it holds none. A form has no spelling for free-form JSON.
    fn json_in(&self, ty: &TypeRef, seen: &mut BTreeSet<String>) -> Option<String> {
        match ty.base() {
            TypeRef::Json => Some("json".to_owned()),
            TypeRef::Named(name) if seen.insert(name.clone()) => {
                let m = self.spec.models.iter().find(|m| &m.name == name)?;
                m.fields.iter().find_map(|f| match self.json_in(&f.ty, seen) {
                    Some(inner) if inner == "json" => Some(format!("{}.{}", m.name, f.name)),
                    other => other,
                })
            }
            _ => None,
        }
    }

    /// A path of fields by which model `m` holds itself without an array in between (a struct
    /// of infinite size), when there is one and `m` is the first model of it in the spec.
    fn cycle(&self, m: &crate::spec::Model) -> Option<String> {
        let index = |name: &str| self.spec.models.iter().position(|x| x.name == name);
        let start = index(&m.name)?;
        // Depth-first over fields whose type is a model (not an array of one).
        let mut stack: Vec<(usize, Vec<String>)> = vec![(start, Vec::new())];
        let mut seen = BTreeSet::new();
        while let Some((at, path)) = stack.pop() {
            for f in &self.spec.models[at].fields {
                let Some(next) = f.ty.name().and_then(index) else { continue };
                let mut path = path.clone();
                path.push(format!("{}.{}", self.spec.models[at].name, f.name));
                if next == start {
                    return Some(path.join(" → "));
                }
                if next > start && seen.insert(next) {
                    stack.push((next, path));
                }
            }
        }
        None
    }

    fn action(&mut self, a: &Action) {
        let place = format!("actions.{}", a.name);
        self.ident(&place, &a.name);
        let request = format!("{place}.request");
        let common: Vec<String> = self.spec.common.iter().map(names::common).collect();
        self.fields(&request, &a.request, Scope::Request, &common);
        let reserved = self.spec.reserved_params();
        for p in &a.request {
            let at = format!("{request}.{}", p.name);
            if reserved.contains(&p.name.as_str()) {
                self.error(&at, "is set by the runtime and cannot be declared per action");
            }
            if let Some(path) = self.json_in(&p.ty, &mut BTreeSet::new()) {
                let which = if path == "json" { "its type".to_owned() } else { path };
                self.error(
                    &at,
                    format!("a request cannot send free-form JSON ({which} is `json`); `json` is for responses only"),
                );
            }
        }
        let response = format!("{place}.response");
        self.fields(&response, &a.response, Scope::Response, &[]);
        for f in &a.response {
            let at = format!("{response}.{}", f.name);
            if ENVELOPE_FIELDS.contains(&f.name.as_str()) && f.name != "Message" {
                self.error(&at, "is read by the runtime and cannot be declared");
            } else if f.name == "Message" && f.ty != "string" {
                self.error(&at, "the service's Message is text; declare it as a string");
            }
        }
        if let Some(p) = &a.pagination {
            let pag = format!("{place}.pagination");
            for (key, name) in [("offset", &p.offset), ("limit", &p.limit)] {
                match a.request.iter().find(|f| &f.name == name) {
                    Some(f) if f.ty == "int" && !f.required => {}
                    Some(_) => self.error(&pag, format!("{key} \"{name}\" must be an optional int parameter")),
                    None => self.error(&pag, format!("{key} names \"{name}\", which is not a request parameter")),
                }
            }
            match a.response.iter().find(|f| f.name == p.total) {
                Some(f) if f.ty == "int" && f.required => {}
                Some(_) => self.error(&pag, format!("total \"{}\" must be a required int field", p.total)),
                None => self.error(&pag, format!("total names \"{}\", which is not a response field", p.total)),
            }
            match a.response.iter().find(|f| f.name == p.items) {
                Some(f) if f.ty.is_array() => {}
                Some(_) => self.error(&pag, format!("items \"{}\" must be an array field", p.items)),
                None => self.error(&pag, format!("items names \"{}\", which is not a response field", p.items)),
            }
        }
        let examples = format!("{place}.examples");
        self.unique(&examples, a.examples.iter().map(|e| e.name.as_str()));
        self.unique_idents(&examples, a.examples.iter().map(|e| (e.name.as_str(), names::method(&e.name))));
        for ex in &a.examples {
            self.example(&place, a, ex);
        }
    }

    fn example(&mut self, place: &str, a: &Action, ex: &Example) {
        let place = format!("{place}.examples.{}", ex.name);
        for (key, value) in &ex.request {
            let param = a.request.iter().find(|p| &p.name == key);
            let ty = match param {
                Some(p) => &p.ty,
                None if self.spec.common.iter().any(|c| &c.name == key) => &TypeRef::String,
                None => {
                    self.error(&format!("{place}.request.{key}"), "is not a parameter of this action");
                    continue;
                }
            };
            if let Ok(t) = resolve_type(self.spec, ty) {
                if let Err(e) = self.check_value(&t, value) {
                    self.error(&format!("{place}.request.{key}"), e);
                }
            }
        }
        for p in a.request.iter().filter(|p| p.required) {
            if !ex.request.is_empty() && !ex.request.contains_key(&p.name) {
                self.error(&format!("{place}.request"), format!("required parameter \"{}\" is missing", p.name));
            }
        }
        if !ex.response.is_object() {
            self.error(&format!("{place}.response"), "must be a JSON object");
        }
    }

    fn fields(&mut self, place: &str, fields: &[Field], scope: Scope, taken: &[String]) {
        self.unique(place, fields.iter().map(|f| f.name.as_str()));
        if let Err(problems) = names::fields(fields, scope, taken) {
            for (wire, problem) in problems {
                self.error(&format!("{place}.{wire}"), problem);
            }
        }
        for f in fields {
            let at = format!("{place}.{}", f.name);
            self.ident(&at, &f.name);
            if let Some(rust) = &f.rust_name {
                if names::is_keyword(rust) || !names::is_ident(rust) || rust.chars().any(|c| c.is_ascii_uppercase()) {
                    self.error(&at, format!("rust_name \"{rust}\" is not a usable snake_case identifier"));
                }
            }
            match resolve_type(self.spec, &f.ty) {
                Err(e) => self.error(&at, e),
                Ok(t) => {
                    if let Some(d) = &f.default {
                        if let Err(e) = self.check_value(&t, d) {
                            self.error(&at, format!("default {e}"));
                        }
                    }
                }
            }
            if let Some(dt) = &f.doc_type {
                if let Err(e) = resolve_type(self.spec, dt) {
                    self.error(&at, format!("doc_type: {e}"));
                }
            }
        }
    }

    /// Checks that a JSON value (a default or an example parameter) fits a type.
    fn check_value(&self, ty: &Type, value: &Value) -> Result<(), String> {
        let ok = match (ty, value) {
            (Type::String, Value::String(_)) | (Type::Bool, Value::Bool(_)) => true,
            (Type::Int, Value::Number(n)) => n.is_i64(),
            (Type::Float, Value::Number(_)) => true,
            // The service writes times as text or as Unix seconds.
            (Type::Time, Value::String(_)) => true,
            (Type::Time, Value::Number(n)) => n.is_i64(),
            (Type::Json, _) => true,
            (Type::Enum(name), Value::String(s)) => {
                let e = self.spec.enums.iter().find(|e| &e.name == name).expect("resolved");
                if !e.values.iter().any(|v| &v.value == s) {
                    return Err(format!("\"{s}\" is not a value of enum {name}"));
                }
                true
            }
            (Type::Array(inner), Value::Array(items)) => {
                return items.iter().try_for_each(|i| self.check_value(inner, i));
            }
            (Type::Model(_), Value::Object(_)) => true,
            _ => false,
        };
        if ok { Ok(()) } else { Err(format!("{value} does not fit type {}", spelling(ty))) }
    }

    fn ident(&mut self, place: &str, name: &str) {
        if !names::is_ident(name) {
            self.error(
                place,
                format!("\"{name}\" is not a valid name (letters, digits and _; starting with a letter)"),
            );
        }
    }

    fn unique<'n>(&mut self, place: &str, names: impl Iterator<Item = &'n str>) {
        let mut seen = BTreeSet::new();
        for n in names {
            if !seen.insert(n) {
                self.error(place, format!("duplicate name \"{n}\""));
            }
        }
    }

    /// Two distinct wire names that map to one Rust name would make the output not compile.
    fn unique_idents<'n>(&mut self, place: &str, pairs: impl Iterator<Item = (&'n str, String)>) {
        let mut seen: Vec<(&str, String)> = Vec::new();
        for (wire, ident) in pairs {
            if let Some((first, _)) = seen.iter().find(|(w, i)| *i == ident && *w != wire) {
                self.error(place, format!("\"{first}\" and \"{wire}\" both become the Rust name `{ident}`"));
            }
            seen.push((wire, ident));
        }
    }
}

/// A resolved type as the spec spells it: `int`, `RepoType`, `array[TagSet]`.
fn spelling(ty: &Type) -> String {
    match ty {
        Type::String => "string".to_owned(),
        Type::Int => "int".to_owned(),
        Type::Float => "float".to_owned(),
        Type::Bool => "bool".to_owned(),
        Type::Time => "time".to_owned(),
        Type::Json => "json".to_owned(),
        Type::Enum(name) | Type::Model(name) => name.clone(),
        Type::Array(inner) => format!("array[{}]", spelling(inner)),
    }
}

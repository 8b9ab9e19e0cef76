//! `spec/uhub.schema.json` (what editors check the spec against) and `codegen/src/spec.rs`
//! (what the generator accepts) must describe the same format.
//!
//! A spec with every optional part filled in is built from the structs of `spec.rs` (so a new
//! struct field fails to compile here until the sample sets it), serialized, and compared with
//! the schema object by object: the same keys, the same required keys, unknown keys refused by
//! both, the same closed sets of values. A small validator for the keywords the schema uses
//! then checks `spec/uhub.json` and the golden fixtures against it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use regex_syntax::hir::{Class, Hir, HirKind, Look};
use serde_json::{Map, Value, json};
use uhub_codegen::spec::{
    self, Action, CommonParam, CommonSource, Enum, EnumValue, Example, Field, Model, Pagination, Product, Provider,
    Spec,
};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("codegen is inside the workspace").to_path_buf()
}

fn read_json(rel: &str) -> Value {
    let text = std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel} is not JSON: {e}"))
}

fn schema() -> Value {
    read_json("spec/uhub.schema.json")
}

// ---------------------------------------------------------------------------------------------
// The sample: every struct of spec.rs, every optional key set.

fn field(name: &str, ty: &str, required: bool, default: Value, rust_name: &str) -> Field {
    Field {
        name: name.into(),
        ty: ty.into(),
        doc_type: Some(ty.into()),
        required,
        default: Some(default),
        rust_name: Some(rust_name.into()),
        description: format!("The {name}."),
    }
}

fn full_spec_without_products() -> Spec {
    Spec {
        schema: Some("./uhub.schema.json".into()),
        product: "Sample".into(),
        description: "A service for these tests.".into(),
        providers: vec![Provider {
            name: "sample".into(),
            title: "Sample".into(),
            base_url: "https://api.example.com".into(),
            description: "The only provider.".into(),
        }],
        common: vec![CommonParam {
            name: "ProjectId".into(),
            ty: "string".into(),
            source: CommonSource::ClientDefault,
            description: "The project.".into(),
        }],
        enums: vec![Enum {
            name: "Color".into(),
            description: "A colour.".into(),
            values: vec![EnumValue { value: "red".into(), description: "Red.".into() }],
        }],
        models: vec![Model {
            name: "Widget".into(),
            description: "A widget.".into(),
            from_string: Some("WidgetName".into()),
            fields: vec![
                field("WidgetName", "string", true, json!("w"), "widget_name"),
                field("Color", "Color", false, json!("red"), "color"),
            ],
        }],
        actions: vec![Action {
            name: "ListWidgets".into(),
            description: "Lists widgets.".into(),
            idempotent: true,
            request: vec![
                field("Offset", "int", false, json!(0), "offset"),
                field("Limit", "int", false, json!(20), "limit"),
            ],
            response: vec![
                field("TotalCount", "int", true, json!(0), "total_count"),
                field("Widgets", "array[Widget]", true, json!([]), "widgets"),
            ],
            pagination: Some(Pagination {
                offset: "Offset".into(),
                limit: "Limit".into(),
                total: "TotalCount".into(),
                items: "Widgets".into(),
            }),
            examples: vec![Example {
                name: "one".into(),
                description: "One widget.".into(),
                request: Map::from_iter([("Offset".to_owned(), json!(0))]),
                response: json!({"TotalCount": 1, "Widgets": [{"WidgetName": "a"}]}),
            }],
        }],
        products: Vec::new(),
    }
}

/// [`full_spec_without_products`] with a product that has a `Color` and a `Widget` of its own
/// (named as the spec's own) and an action of the same shape.
fn full_spec() -> Spec {
    let mut spec = full_spec_without_products();
    let mut action = spec.actions[0].clone();
    action.name = "ListGadgetWidgets".into();
    spec.products.push(Product {
        name: "gadgets".into(),
        description: "Another product, with a Widget of its own.".into(),
        enums: spec.enums.clone(),
        models: spec.models.clone(),
        actions: vec![action],
    });
    spec
}

fn full_json() -> Value {
    serde_json::to_value(full_spec()).expect("spec types serialize")
}

/// Parses and validates a spec given as JSON; the generator's verdict on it.
fn load(value: &Value) -> Result<(), String> {
    uhub_codegen::load(&value.to_string()).map(drop).map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------------
// Walking the schema.

/// The schema a `$ref` (`#/$defs/name`) points at.
fn lookup<'s>(root: &'s Value, reference: &str) -> &'s Value {
    let name = reference.strip_prefix("#/$defs/").unwrap_or_else(|| panic!("unsupported $ref {reference}"));
    root["$defs"].get(name).unwrap_or_else(|| panic!("$ref {reference} names no definition"))
}

/// The schema itself, or the one its `$ref` names (repeatedly).
fn deref<'s>(root: &'s Value, schema: &'s Value) -> (&'s Value, Option<&'s str>) {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let (target, name) = deref(root, lookup(root, r));
            (target, name.or(Some(r)))
        }
        None => (schema, None),
    }
}

/// One JSON object of a spec together with the schema definition that describes it.
struct Instance<'s> {
    /// JSON pointer into the spec value.
    pointer: String,
    /// `#` for the top level, else the `$ref` that led here.
    definition: String,
    schema: &'s Value,
}

/// Every object of `value` that the schema describes with `properties`.
fn instances<'s>(root: &'s Value, schema: &'s Value, value: &Value, pointer: &str, out: &mut Vec<Instance<'s>>) {
    let (schema, name) = deref(root, schema);
    if let (Some(props), Some(obj)) = (schema.get("properties"), value.as_object()) {
        out.push(Instance { pointer: pointer.to_owned(), definition: name.unwrap_or("#").to_owned(), schema });
        for (k, v) in obj {
            if let Some(sub) = props.get(k) {
                let escaped = k.replace('~', "~0").replace('/', "~1");
                instances(root, sub, v, &format!("{pointer}/{escaped}"), out);
            }
        }
    }
    if let (Some(items), Some(list)) = (schema.get("items"), value.as_array()) {
        for (i, v) in list.iter().enumerate() {
            instances(root, items, v, &format!("{pointer}/{i}"), out);
        }
    }
}

fn property_names(schema: &Value) -> BTreeSet<String> {
    schema["properties"].as_object().expect("properties").keys().cloned().collect()
}

fn required_names(schema: &Value) -> BTreeSet<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect()
}

/// Every schema object inside the schema (definitions, properties, items, anyOf branches), with
/// a readable place.
fn subschemas<'s>(schema: &'s Value, place: &str, out: &mut Vec<(String, &'s Value)>) {
    out.push((place.to_owned(), schema));
    for key in ["$defs", "properties"] {
        if let Some(map) = schema.get(key).and_then(Value::as_object) {
            for (name, sub) in map {
                subschemas(sub, &format!("{place}/{key}/{name}"), out);
            }
        }
    }
    if let Some(items) = schema.get("items") {
        subschemas(items, &format!("{place}/items"), out);
    }
    for (i, sub) in schema.get("anyOf").and_then(Value::as_array).into_iter().flatten().enumerate() {
        subschemas(sub, &format!("{place}/anyOf/{i}"), out);
    }
}

// ---------------------------------------------------------------------------------------------
// A validator for exactly the keywords the schema uses (checked by `schema_is_well_formed`).

const KEYWORDS: &[&str] = &[
    "$schema",
    "$defs",
    "$ref",
    "title",
    "description",
    "default",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "enum",
    "anyOf",
    "pattern",
    "minLength",
];

/// Every way `value` breaks `schema`, each as `place: problem`.
fn schema_errors(root: &Value, schema: &Value, value: &Value, place: &str) -> Vec<String> {
    let mut errors = Vec::new();
    check(root, schema, value, place, &mut errors);
    errors
}

fn check(root: &Value, schema: &Value, value: &Value, place: &str, errors: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        check(root, lookup(root, r), value, place, errors);
    }
    if let Some(ty) = schema.get("type").and_then(Value::as_str) {
        let fits = match ty {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "boolean" => value.is_boolean(),
            "integer" => value.is_i64() || value.is_u64(),
            other => panic!("the test validator does not know type {other:?}"),
        };
        if !fits {
            errors.push(format!("{place}: {value} is not of type {ty}"));
            return;
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            errors.push(format!("{place}: {value} is not one of {}", Value::from(allowed.clone())));
        }
    }
    if let (Some(pattern), Some(text)) = (schema.get("pattern").and_then(Value::as_str), value.as_str()) {
        if !pattern_matches(pattern, text) {
            errors.push(format!("{place}: {value} does not match {pattern}"));
        }
    }
    if let (Some(min), Some(text)) = (schema.get("minLength").and_then(Value::as_u64), value.as_str()) {
        if (text.chars().count() as u64) < min {
            errors.push(format!("{place}: shorter than {min}"));
        }
    }
    if let (Some(min), Some(list)) = (schema.get("minItems").and_then(Value::as_u64), value.as_array()) {
        if (list.len() as u64) < min {
            errors.push(format!("{place}: fewer than {min} items"));
        }
    }
    if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
        if !branches.iter().any(|b| schema_errors(root, b, value, place).is_empty()) {
            errors.push(format!("{place}: {value} fits none of the allowed forms"));
        }
    }
    if let Some(obj) = value.as_object() {
        for key in required_names(schema) {
            if !obj.contains_key(&key) {
                errors.push(format!("{place}: missing required key \"{key}\""));
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, v) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(sub) => check(root, sub, v, &format!("{place}.{k}"), errors),
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    errors.push(format!("{place}: unknown key \"{k}\""));
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(list)) = (schema.get("items"), value.as_array()) {
        for (i, v) in list.iter().enumerate() {
            check(root, items, v, &format!("{place}[{i}]"), errors);
        }
    }
}

fn parse_pattern(pattern: &str) -> Hir {
    regex_syntax::Parser::new().parse(pattern).unwrap_or_else(|e| panic!("schema pattern {pattern:?}: {e}"))
}

/// JSON Schema patterns are unanchored searches.
fn pattern_matches(pattern: &str, text: &str) -> bool {
    let hir = parse_pattern(pattern);
    let chars: Vec<char> = text.chars().collect();
    (0..=chars.len()).any(|start| !ends(&hir, &chars, start).is_empty())
}

/// Every position where a match of `hir` starting at `pos` can end (a backtracking matcher,
/// plenty for the short patterns of the schema).
fn ends(hir: &Hir, s: &[char], pos: usize) -> BTreeSet<usize> {
    let one = |hit: bool, end: usize| if hit { BTreeSet::from([end]) } else { BTreeSet::new() };
    match hir.kind() {
        HirKind::Empty => BTreeSet::from([pos]),
        HirKind::Literal(lit) => {
            let lit: Vec<char> = std::str::from_utf8(&lit.0).expect("UTF-8 literal").chars().collect();
            one(s[pos..].starts_with(&lit), pos + lit.len())
        }
        HirKind::Class(class) => {
            let Some(&c) = s.get(pos) else { return BTreeSet::new() };
            let hit = match class {
                Class::Unicode(u) => u.ranges().iter().any(|r| r.start() <= c && c <= r.end()),
                Class::Bytes(b) => {
                    b.ranges().iter().any(|r| u32::from(r.start()) <= c as u32 && c as u32 <= u32::from(r.end()))
                }
            };
            one(hit, pos + 1)
        }
        HirKind::Look(Look::Start) => one(pos == 0, pos),
        HirKind::Look(Look::End) => one(pos == s.len(), pos),
        HirKind::Look(other) => panic!("the test matcher does not support {other:?}"),
        HirKind::Repetition(rep) => {
            let mut out = BTreeSet::new();
            if rep.min == 0 {
                out.insert(pos);
            }
            let mut current = BTreeSet::from([pos]);
            let mut n: u32 = 0;
            while n < rep.max.unwrap_or(u32::MAX) && !current.is_empty() && n as usize <= s.len() + rep.min as usize {
                n += 1;
                let next: BTreeSet<usize> = current.iter().flat_map(|&p| ends(&rep.sub, s, p)).collect();
                if n >= rep.min {
                    out.extend(&next);
                }
                current = next;
            }
            out
        }
        HirKind::Capture(c) => ends(&c.sub, s, pos),
        HirKind::Concat(parts) => parts
            .iter()
            .fold(BTreeSet::from([pos]), |starts, part| starts.iter().flat_map(|&p| ends(part, s, p)).collect()),
        HirKind::Alternation(branches) => branches.iter().flat_map(|b| ends(b, s, pos)).collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// Tests.

#[test]
fn schema_is_well_formed() {
    let schema = schema();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    let mut all = Vec::new();
    subschemas(&schema, "#", &mut all);
    for (place, sub) in &all {
        let obj = sub.as_object().unwrap_or_else(|| panic!("{place} is not a schema object"));
        for key in obj.keys() {
            assert!(KEYWORDS.contains(&key.as_str()), "{place} uses {key:?}, which the test validator does not know");
        }
        if let Some(r) = obj.get("$ref") {
            lookup(&schema, r.as_str().expect("$ref is a string"));
        }
        if let Some(p) = obj.get("pattern") {
            parse_pattern(p.as_str().expect("pattern is a string"));
        }
        if obj.contains_key("properties") {
            assert_eq!(obj.get("additionalProperties"), Some(&json!(false)), "{place}: unknown keys must be refused");
            for key in required_names(sub) {
                assert!(property_names(sub).contains(&key), "{place} requires {key:?} but does not declare it");
            }
        }
        // Editors show descriptions as help: every key of the format and every definition has one.
        if matches!(place.rsplit('/').nth(1), Some("$defs" | "properties")) {
            let text = obj.get("description").and_then(Value::as_str).unwrap_or("");
            let referenced = obj.get("$ref").and_then(Value::as_str).map(|r| lookup(&schema, r));
            let inherited = referenced.and_then(|d| d.get("description")).is_some();
            assert!(!text.trim().is_empty() || inherited, "{place} has no description");
        }
    }
}

#[test]
fn the_sample_covers_every_definition_and_the_generator_accepts_it() {
    let schema = schema();
    let sample = full_json();
    load(&sample).expect("the sample is a valid spec");
    assert_eq!(schema_errors(&schema, &schema, &sample, "spec"), Vec::<String>::new());
    let mut found = Vec::new();
    instances(&schema, &schema, &sample, "", &mut found);
    let seen: BTreeSet<&str> = found.iter().map(|i| i.definition.as_str()).collect();
    let object_defs: BTreeSet<String> = schema["$defs"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, d)| d.get("properties").is_some())
        .map(|(name, _)| format!("#/$defs/{name}"))
        .chain(["#".to_owned()])
        .collect();
    assert_eq!(seen, object_defs.iter().map(String::as_str).collect::<BTreeSet<_>>());
}

/// A key added to a struct (and so to the sample) but not to the schema fails here, and so
/// does a key the schema declares that the structs do not have.
#[test]
fn every_object_has_exactly_the_keys_the_schema_declares() {
    let schema = schema();
    let sample = full_json();
    let mut found = Vec::new();
    instances(&schema, &schema, &sample, "", &mut found);
    for i in &found {
        let keys: BTreeSet<String> = sample.pointer(&i.pointer).unwrap().as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, property_names(i.schema), "keys of {} ({}) differ from spec.rs", i.definition, i.pointer);
    }
}

/// Leaving a key out is a parse error exactly when the schema lists it as required.
#[test]
fn required_keys_agree_with_the_parser() {
    let schema = schema();
    let sample = full_json();
    let mut found = Vec::new();
    instances(&schema, &schema, &sample, "", &mut found);
    let mut checked = 0;
    for i in &found {
        let required = required_names(i.schema);
        for key in property_names(i.schema) {
            let mut value = sample.clone();
            value.pointer_mut(&i.pointer).unwrap().as_object_mut().unwrap().remove(&key);
            let parsed = spec::parse(&value.to_string());
            if required.contains(&key) {
                let err = parsed.expect_err(&format!("{} without {key:?} should not parse", i.definition));
                assert!(err.contains(&format!("missing field `{key}`")), "{err}");
            } else {
                parsed.unwrap_or_else(|e| panic!("{} without the optional {key:?} should parse: {e}", i.definition));
            }
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} keys checked");
}

#[test]
fn unknown_keys_are_refused_by_both() {
    let schema = schema();
    let sample = full_json();
    let mut found = Vec::new();
    instances(&schema, &schema, &sample, "", &mut found);
    for i in &found {
        let mut value = sample.clone();
        value.pointer_mut(&i.pointer).unwrap().as_object_mut().unwrap().insert("colour".into(), json!(1));
        let err = spec::parse(&value.to_string()).expect_err("an unknown key is a parse error");
        assert!(err.contains("unknown field `colour`"), "{err}");
        let errors = schema_errors(&schema, &schema, &value, "spec");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].ends_with(": unknown key \"colour\""), "{errors:?}");
    }
}

/// Properties the schema closes with `enum` accept exactly the listed values in the generator.
#[test]
fn closed_values_agree_with_the_generator() {
    let schema = schema();
    let sample = full_json();
    let mut found = Vec::new();
    instances(&schema, &schema, &sample, "", &mut found);
    let mut checked = BTreeSet::new();
    for i in &found {
        for (key, prop) in i.schema["properties"].as_object().unwrap() {
            let Some(allowed) = prop.get("enum").and_then(Value::as_array) else { continue };
            let at = format!("{}/{key}", i.pointer);
            for v in allowed {
                let mut value = sample.clone();
                *value.pointer_mut(&at).unwrap() = v.clone();
                load(&value).unwrap_or_else(|e| panic!("{at} = {v} is listed by the schema but refused: {e}"));
            }
            let mut value = sample.clone();
            *value.pointer_mut(&at).unwrap() = json!("unlisted");
            assert!(
                load(&value).is_err(),
                "{at} = \"unlisted\" is not in the schema's enum but the generator accepts it"
            );
            assert!(!schema_errors(&schema, &schema, &value, "spec").is_empty());
            checked.insert(format!("{}.{key}", i.definition));
        }
    }
    let expected = ["#/$defs/commonParam.source", "#/$defs/commonParam.type"];
    assert_eq!(checked, expected.iter().map(|s| s.to_string()).collect());
}

/// The patterns for names, types, URLs and Rust names against the generator's own rules.
#[test]
fn patterns_agree_with_the_generator() {
    let schema = schema();
    let def = |name: &str| schema["$defs"][name].clone();
    let fits = |s: &Value, text: &str| schema_errors(&schema, s, &json!(text), "v").is_empty();

    let identifier = def("identifier");
    for name in ["GetRepo", "a", "A1_b", "x_", "1a", "_a", "a-b", "", "a b", "é", "Tag.Name"] {
        assert_eq!(fits(&identifier, name), uhub_codegen::names::is_ident(name), "identifier {name:?}");
    }

    // Only lower-case snake_case non-keywords are usable rust_names; keywords are left to the validator.
    let rust_name = &def("field")["properties"]["rust_name"];
    for name in ["tag_name", "x2", "type_", "TagName", "tag-name", "_x", "2x", ""] {
        let generator = uhub_codegen::names::is_ident(name) && !name.chars().any(|c| c.is_ascii_uppercase());
        assert_eq!(fits(rust_name, name), generator, "rust_name {name:?}");
    }

    let base_url = &def("provider")["properties"]["base_url"];
    for url in ["https://api.ucloud.cn", "http://127.0.0.1:8080", "ftp://x", "api.ucloud.cn", "HTTPS://x", ""] {
        let generator = url.starts_with("https://") || url.starts_with("http://");
        assert_eq!(fits(base_url, url), generator, "base_url {url:?}");
    }

    // Every type the generator resolves fits the schema; the schema refuses what no spec could
    // resolve. (It cannot know which enum and model names exist, so "Unknown" fits it.)
    let type_name = def("typeName");
    let sample = full_spec();
    let resolves = |t: &str| uhub_codegen::validate::resolve_type(&sample, &t.into()).is_ok();
    for t in [
        "string",
        "int",
        "float",
        "bool",
        "time",
        "Color",
        "Widget",
        "array[string]",
        "array[int]",
        "array[float]",
        "array[bool]",
        "array[time]",
        "array[Widget]",
    ] {
        assert!(resolves(t) && fits(&type_name, t), "type {t:?}");
    }
    for t in ["array[array[int]]", "array[]", "array[int", "Vec<int>", "int?", "", "array[ int]", "string "] {
        assert!(!resolves(t) && !fits(&type_name, t), "type {t:?} should be refused by both");
    }
    assert!(fits(&type_name, "Unknown") && !resolves("Unknown"));
}

fn fixture_paths() -> Vec<PathBuf> {
    let dir = root().join("codegen/tests/fixtures");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|x| x == "json"));
    paths.sort();
    paths
}

#[test]
fn the_spec_and_the_fixtures_fit_the_schema() {
    let schema = schema();
    let mut specs = vec![("spec/uhub.json".to_owned(), read_json("spec/uhub.json"))];
    for p in fixture_paths() {
        let rel = p.strip_prefix(root()).unwrap().display().to_string();
        let value = read_json(&rel);
        specs.push((rel, value));
    }
    for (name, value) in &specs {
        assert_eq!(schema_errors(&schema, &schema, value, name), Vec::<String>::new());
    }
}

/// The validator above is not vacuous: typical mistakes in the real spec are caught, with their place.
#[test]
fn the_schema_catches_typical_mistakes() {
    let schema = schema();
    let spec = read_json("spec/uhub.json");
    type Edit = fn(&mut Value);
    let cases: &[(&str, Edit, &str)] = &[
        (
            "misspelt key",
            |s| s["actions"][2]["request"][0]["requird"] = json!(true),
            "spec.actions[2].request[0]: unknown key \"requird\"",
        ),
        (
            "missing key",
            |s| drop(s["actions"][0].as_object_mut().unwrap().remove("idempotent")),
            "spec.actions[0]: missing required key \"idempotent\"",
        ),
        (
            "wrong JSON type",
            |s| s["actions"][0]["idempotent"] = json!("yes"),
            "spec.actions[0].idempotent: \"yes\" is not of type boolean",
        ),
        (
            "nested array",
            |s| s["models"][0]["fields"][0]["type"] = json!("array[array[int]]"),
            "spec.models[0].fields[0].type: \"array[array[int]]\" fits none of the allowed forms",
        ),
        (
            "bad name",
            |s| s["actions"][1]["name"] = json!("Get-Repo"),
            "spec.actions[1].name: \"Get-Repo\" does not match ^[A-Za-z][A-Za-z0-9_]*$",
        ),
        (
            "unknown source",
            |s| s["common"][0]["source"] = json!("env"),
            "spec.common[0].source: \"env\" is not one of [\"client_default\"]",
        ),
        ("no providers", |s| s["providers"] = json!([]), "spec.providers: fewer than 1 items"),
        (
            "camelCase rust_name",
            |s| s["models"][0]["fields"][0]["rust_name"] = json!("repoName"),
            "spec.models[0].fields[0].rust_name: \"repoName\" does not match ^[a-z][a-z0-9_]*$",
        ),
    ];
    for (what, edit, expected) in cases {
        let mut value = spec.clone();
        edit(&mut value);
        assert_eq!(schema_errors(&schema, &schema, &value, "spec"), vec![expected.to_string()], "{what}");
        assert!(load(&value).is_err(), "{what}: the generator should refuse it too");
    }
}

//! The spec file as written: plain serde types that mirror `spec/uhub.json` key for key.
//!
//! Unknown keys are rejected everywhere (`deny_unknown_fields`) so a typo in the spec is an
//! error instead of a silently ignored setting. Lists keep their file order; nothing here
//! goes through a hash map, which keeps the generated code deterministic.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Editors use this to find `uhub.schema.json`; the generator ignores it.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    pub product: String,
    pub description: String,
    pub providers: Vec<Provider>,
    #[serde(default)]
    pub common: Vec<CommonParam>,
    #[serde(default)]
    pub enums: Vec<Enum>,
    #[serde(default)]
    pub models: Vec<Model>,
    pub actions: Vec<Action>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// Lower-case name used in configuration (`UCLOUD_PROVIDER=surfercloud`).
    pub name: String,
    /// Brand name; its UpperCamelCase form becomes the `Endpoint` variant.
    pub title: String,
    pub base_url: String,
    pub description: String,
}

/// A parameter every action accepts, filled in by the runtime rather than per action.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CommonParam {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub source: CommonSource,
    pub description: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommonSource {
    /// The client's configured default, unless the call sets its own.
    ClientDefault,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Enum {
    pub name: String,
    pub description: String,
    pub values: Vec<EnumValue>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    pub value: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    pub name: String,
    pub description: String,
    /// When set, a bare JSON string in place of this model decodes as the model with this
    /// field set to the string (the drift GetRepo's reference example shows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_string: Option<String>,
    pub fields: Vec<Field>,
}

/// A request parameter, a response field or a model field.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The wire name, exactly as UHub spells it.
    pub name: String,
    /// `string`, `int`, `bool`, an enum or model name, or `array[T]` of any of those.
    #[serde(rename = "type")]
    pub ty: String,
    /// The type the reference page gives, when we expose a better one (`"true"` strings as bool).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_type: Option<String>,
    #[serde(default)]
    pub required: bool,
    /// The value the service assumes when the parameter is not sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// Overrides the Rust name derived from `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rust_name: Option<String>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    pub name: String,
    pub description: String,
    /// Whether repeating the call has the same effect as making it once; only idempotent
    /// actions are retried after the request may have reached the service.
    pub idempotent: bool,
    #[serde(default)]
    pub request: Vec<Field>,
    #[serde(default)]
    pub response: Vec<Field>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
    #[serde(default)]
    pub examples: Vec<Example>,
}

/// Names the offset/limit parameters and the total/items response fields of a listing.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Pagination {
    pub offset: String,
    pub limit: String,
    pub total: String,
    pub items: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub name: String,
    pub description: String,
    #[serde(default)]
    pub request: serde_json::Map<String, Value>,
    pub response: Value,
}

/// Parses spec text, naming the place of the first problem the way the validator does:
/// list entries by their `name` where they have one (`actions.GetRepo.request.Limit.requird:
/// unknown field ...`), else by index (`providers[1]: missing field ...`).
pub fn parse(text: &str) -> Result<Spec, String> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let place = place(text, e.path());
        format!("{place}: {}", e.into_inner())
    })
}

/// A serde path written with the names of the entries it passes through.
fn place(text: &str, path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    // Only reached for text that failed to parse as a spec; it may still be valid JSON.
    let mut node = serde_json::from_str::<Value>(text).ok();
    let mut place = String::new();
    for segment in path {
        match segment {
            Segment::Map { key } => {
                node = node.and_then(|n| n.get(key).cloned());
                if !place.is_empty() {
                    place.push('.');
                }
                place.push_str(key);
            }
            Segment::Seq { index } => {
                node = node.and_then(|n| n.get(index).cloned());
                match node.as_ref().and_then(|n| n.get("name")).and_then(Value::as_str) {
                    Some(name) if !name.is_empty() => {
                        place.push('.');
                        place.push_str(name);
                    }
                    _ => place.push_str(&format!("[{index}]")),
                }
            }
            Segment::Enum { variant } => {
                node = None;
                place.push_str(&format!("::{variant}"));
            }
            Segment::Unknown => node = None,
        }
    }
    if place.is_empty() { "spec".to_owned() } else { place }
}

/// The canonical text of a spec: two-space indented JSON in struct order, with a final newline.
/// `spec/uhub.json` is kept in this form so that tools which rewrite it produce small diffs.
pub fn to_text(spec: &Spec) -> String {
    let mut text = serde_json::to_string_pretty(spec).expect("spec types serialize");
    text.push('\n');
    text
}

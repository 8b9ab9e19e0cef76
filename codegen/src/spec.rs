//! The spec file as written: plain serde types that mirror `spec/uhub.json` key for key.
//!
//! Unknown keys are rejected everywhere (`deny_unknown_fields`) so a typo in the spec is an
//! error instead of a silently ignored setting. Lists keep their file order; nothing here
//! goes through a hash map, which keeps the generated code deterministic.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Parameters the runtime adds to every request itself, which no action declares.
pub const RUNTIME_PARAMS: &[&str] = &["Action", "PublicKey", "Signature", "SecurityToken"];
/// Fields every response carries. The runtime reads `RetCode` and `Message`; `Action` names the
/// response. `Message` may be declared (as a string) to document it; the others may not.
pub const ENVELOPE_FIELDS: &[&str] = &["RetCode", "Action", "Message"];
/// UCloud's common parameter, which every API page lists among each action's own.
pub const PROJECT_ID: &str = "ProjectId";

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
    /// Other products of the same API (UCloud's catalogue: `ulb`, `uhost`, ...), each a
    /// namespace of its own: its actions' types are looked up among its own enums and models
    /// only, so two products' `NodeInfo` stay two types, and its code is generated in a module
    /// (or crate) of its own (see `crate::products`). The enums, models and actions above
    /// are the spec's own product's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<Product>,
}

/// A product's section of the spec: its actions and the enums and models they use.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// Lower-case name, as the catalogue's folder gives it (`ulb` for `ulb-api`).
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub enums: Vec<Enum>,
    #[serde(default)]
    pub models: Vec<Model>,
    #[serde(default)]
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
    pub ty: TypeRef,
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
    /// `string`, `int`, `float`, `bool`, `time`, an enum or model name, or `array[T]` of any of those.
    #[serde(rename = "type")]
    pub ty: TypeRef,
    /// The type the reference page gives, when we expose a better one (`"true"` strings as bool).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_type: Option<TypeRef>,
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

impl Spec {
    /// Parameters no action may declare: the runtime's own and the spec's common ones.
    pub fn reserved_params(&self) -> Vec<&str> {
        RUNTIME_PARAMS.iter().copied().chain(self.common.iter().map(|c| c.name.as_str())).collect()
    }
}

/// A value type as the spec writes it, read once when the spec is: `string`, `int`, `float`,
/// `bool`, `time`, `json`, the name of an enum or model, or `array[T]`. This is the one place the
/// `array[...]` spelling is read; reading never fails, so every problem with a type (an unknown
/// name, an array of arrays) is the validator's to report, with its place.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(from = "String", into = "String")]
pub enum TypeRef {
    String,
    Int,
    Float,
    Bool,
    Time,
    /// Any JSON value, kept as the service sent it: for a field the pages call `object` or
    /// `array` and say nothing more of.
    Json,
    /// An enum or model, by its spec name (resolved by the validator).
    Named(String),
    Array(Box<TypeRef>),
}

impl TypeRef {
    /// Reads a type's spelling.
    pub fn parse(text: &str) -> TypeRef {
        if let Some(inner) = text.strip_prefix("array[").and_then(|t| t.strip_suffix(']')) {
            return TypeRef::Array(Box::new(TypeRef::parse(inner)));
        }
        match text {
            "string" => TypeRef::String,
            "int" => TypeRef::Int,
            "float" => TypeRef::Float,
            "bool" => TypeRef::Bool,
            "time" => TypeRef::Time,
            "json" => TypeRef::Json,
            named => TypeRef::Named(named.to_owned()),
        }
    }

    /// The element type of an array.
    pub fn element(&self) -> Option<&TypeRef> {
        match self {
            TypeRef::Array(inner) => Some(inner),
            _ => None,
        }
    }

    /// The element type of an array, or the type itself.
    pub fn base(&self) -> &TypeRef {
        self.element().unwrap_or(self)
    }

    /// The enum or model name, if the type is one.
    pub fn name(&self) -> Option<&str> {
        match self {
            TypeRef::Named(name) => Some(name),
            _ => None,
        }
    }

    pub fn is_array(&self) -> bool {
        matches!(self, TypeRef::Array(_))
    }

    /// `string`, `int`, `float`, `bool`, `time` and `json`.
    pub fn is_builtin(&self) -> bool {
        !matches!(self, TypeRef::Named(_) | TypeRef::Array(_))
    }
}

impl std::fmt::Display for TypeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TypeRef::String => f.write_str("string"),
            TypeRef::Int => f.write_str("int"),
            TypeRef::Float => f.write_str("float"),
            TypeRef::Bool => f.write_str("bool"),
            TypeRef::Time => f.write_str("time"),
            TypeRef::Json => f.write_str("json"),
            TypeRef::Named(name) => f.write_str(name),
            TypeRef::Array(inner) => write!(f, "array[{inner}]"),
        }
    }
}

impl From<String> for TypeRef {
    fn from(text: String) -> Self {
        TypeRef::parse(&text)
    }
}

impl From<&str> for TypeRef {
    fn from(text: &str) -> Self {
        TypeRef::parse(text)
    }
}

impl From<TypeRef> for String {
    fn from(ty: TypeRef) -> Self {
        ty.to_string()
    }
}

/// Compares with a spelling: `field.ty == "int"`.
impl PartialEq<str> for TypeRef {
    fn eq(&self, other: &str) -> bool {
        *self == TypeRef::parse(other)
    }
}

impl PartialEq<&str> for TypeRef {
    fn eq(&self, other: &&str) -> bool {
        *self == TypeRef::parse(other)
    }
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

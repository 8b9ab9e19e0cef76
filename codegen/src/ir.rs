//! The lowered service: plain data with every Rust name and type already decided, so the
//! emitters only arrange tokens and never make naming or typing choices themselves.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub product: String,
    /// The Rust module a product of the spec is generated into (`ulb`); empty for the spec's
    /// own product, whose module is the output folder itself.
    pub module: String,
    pub description: String,
    pub providers: Vec<Provider>,
    /// Parameters every request carries (`ProjectId`), optional, each filled in from the
    /// client's default when a call leaves it unset.
    pub common: Vec<Field>,
    pub enums: Vec<Enum>,
    pub models: Vec<Model>,
    pub actions: Vec<Action>,
    /// The spec's other products, each lowered on its own: its own `Client`, `Call`,
    /// `Endpoint`, types and actions, in a module of the spec's own output.
    pub products: Vec<Service>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Provider {
    pub name: String,
    pub variant: String,
    pub title: String,
    pub base_url: String,
    pub doc: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Enum {
    pub name: String,
    pub doc: String,
    /// In spec order; the first is the value a response that omits the field decodes to.
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub wire: String,
    pub ident: String,
    pub doc: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub name: String,
    pub doc: String,
    /// Rust name of the field a bare string fills in, when the model accepts one.
    pub from_string: Option<String>,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub wire: String,
    pub ident: String,
    /// The setter that takes an `Option`: `set_tag_name`.
    pub set_ident: String,
    pub ty: Type,
    pub required: bool,
    pub default: Option<Value>,
    pub doc: String,
    /// A `bool` the pages document as the strings `"true"`/`"false"`: serialized that way.
    pub bool_as_text: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    String,
    Int,
    Float,
    Bool,
    /// A time as the service writes it, read leniently into `uhub_sdk::Time`.
    Time,
    /// Any JSON value, as `serde_json::Value`.
    Json,
    Enum(String),
    Model(String),
    Array(Box<Type>),
}

impl Type {
    pub fn is_array(&self) -> bool {
        matches!(self, Type::Array(_))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub wire: String,
    /// snake_case: the client method.
    pub method: String,
    /// The action's module (and file): the method, unless a generated file has that name.
    pub module: String,
    pub request: String,
    pub response: String,
    /// The action's variant of `AnyRequest`.
    pub variant: String,
    pub doc: String,
    pub idempotent: bool,
    pub params: Vec<Field>,
    pub fields: Vec<Field>,
    pub pagination: Option<Pagination>,
    pub examples: Vec<Example>,
}

impl Action {
    /// Required parameters, in spec order: the positional arguments of the client method.
    pub fn required_params(&self) -> impl Iterator<Item = &Field> {
        self.params.iter().filter(|p| p.required)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    pub offset: String,
    pub limit: String,
    pub total: String,
    pub items: String,
    pub item_type: Type,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The name of the test that decodes the response.
    pub test: String,
    /// The name of the test that parses the request and encodes it back.
    pub request_test: String,
    pub doc: String,
    /// The example request as the form fields a client sends (`Name.0.Field=...`), when the
    /// example has one.
    pub request: Vec<(String, String)>,
    pub response: Value,
    /// How many items the example's list field holds, for paginated actions.
    pub item_count: Option<usize>,
}

//! Validated spec → [`ir::Service`]: Rust names and types are fixed here, once, by asking
//! [`crate::names`].

use serde_json::Value;

use crate::ir::{self, Type};
use crate::names;
use crate::spec::{self, Spec};
use crate::validate::resolve_type;

/// Lowers a spec that [`crate::validate::validate`] accepted.
pub fn lower(spec: &Spec) -> ir::Service {
    ir::Service {
        product: spec.product.clone(),
        description: spec.description.clone(),
        providers: spec.providers.iter().map(provider).collect(),
        common: spec.common.iter().map(common).collect(),
        enums: spec.enums.iter().map(enumeration).collect(),
        models: spec.models.iter().map(|m| model(spec, m)).collect(),
        actions: spec.actions.iter().map(|a| action(spec, a)).collect(),
    }
}

fn provider(p: &spec::Provider) -> ir::Provider {
    ir::Provider {
        name: p.name.clone(),
        variant: names::type_name(&p.title),
        title: p.title.clone(),
        base_url: p.base_url.clone(),
        doc: p.description.clone(),
    }
}

/// A common parameter is an optional string on every request; unset, the client's default goes.
fn common(c: &spec::CommonParam) -> ir::Field {
    let ident = names::common(c);
    ir::Field {
        wire: c.name.clone(),
        set_ident: names::option_setter(&ident),
        ident,
        ty: Type::String,
        required: false,
        default: None,
        doc: c.description.clone(),
        bool_as_text: false,
    }
}

fn enumeration(e: &spec::Enum) -> ir::Enum {
    ir::Enum {
        name: names::type_name(&e.name),
        doc: e.description.clone(),
        variants: e
            .values
            .iter()
            .map(|v| ir::Variant { wire: v.value.clone(), ident: names::variant(&v.value), doc: v.description.clone() })
            .collect(),
    }
}

fn model(spec: &Spec, m: &spec::Model) -> ir::Model {
    let fields: Vec<ir::Field> = m.fields.iter().map(|f| field(spec, f)).collect();
    let from_string =
        m.from_string.as_ref().and_then(|wire| fields.iter().find(|f| &f.wire == wire)).map(|f| f.ident.clone());
    ir::Model { name: names::type_name(&m.name), doc: m.description.clone(), from_string, fields }
}

fn field(spec: &Spec, f: &spec::Field) -> ir::Field {
    let ty = rust_type(resolve_type(spec, &f.ty).expect("validated"));
    let ident = names::field(f);
    ir::Field {
        wire: f.name.clone(),
        set_ident: names::option_setter(&ident),
        ident,
        bool_as_text: ty == Type::Bool && f.doc_type.as_ref().is_some_and(|d| *d == spec::TypeRef::String),
        ty,
        required: f.required,
        default: f.default.clone(),
        doc: f.description.clone(),
    }
}

/// Enum and model names in the IR are Rust type names.
fn rust_type(t: Type) -> Type {
    match t {
        Type::Enum(n) => Type::Enum(names::type_name(&n)),
        Type::Model(n) => Type::Model(names::type_name(&n)),
        Type::Array(inner) => Type::Array(Box::new(rust_type(*inner))),
        scalar => scalar,
    }
}

fn action(spec: &Spec, a: &spec::Action) -> ir::Action {
    let params: Vec<ir::Field> = a.request.iter().map(|f| field(spec, f)).collect();
    let fields: Vec<ir::Field> = a.response.iter().map(|f| field(spec, f)).collect();
    let ident_of = |list: &[ir::Field], wire: &str| list.iter().find(|f| f.wire == wire).expect("validated").clone();
    let pagination = a.pagination.as_ref().map(|p| {
        let items = ident_of(&fields, &p.items);
        let item_type = match items.ty {
            Type::Array(inner) => *inner,
            _ => unreachable!("validated: items is an array"),
        };
        ir::Pagination {
            offset: ident_of(&params, &p.offset).ident,
            limit: ident_of(&params, &p.limit).ident,
            total: ident_of(&fields, &p.total).ident,
            items: items.ident,
            item_type,
        }
    });
    let examples = a
        .examples
        .iter()
        .map(|e| {
            let mut request = Vec::new();
            for (name, value) in &e.request {
                form_pairs(name, value, &mut request);
            }
            ir::Example {
                test: names::example_test(&e.name),
                request_test: names::example_request_test(&e.name),
                doc: e.description.clone(),
                request,
                response: e.response.clone(),
                item_count: a
                    .pagination
                    .as_ref()
                    .and_then(|p| e.response.get(&p.items))
                    .and_then(|items| items.as_array())
                    .map(Vec::len),
            }
        })
        .collect();
    ir::Action {
        wire: a.name.clone(),
        method: names::method(&a.name),
        request: names::request_type(&a.name),
        response: names::response_type(&a.name),
        variant: names::request_variant(&a.name),
        doc: a.description.clone(),
        idempotent: a.idempotent,
        params,
        fields,
        pagination,
        examples,
    }
}

/// A JSON value as the form fields a client sends for it: arrays as `Name.0`, objects as
/// `Name.Field`, numbers as the runtime writes them (whole numbers without a fraction).
fn form_pairs(name: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::Bool(b) => out.push((name.to_owned(), b.to_string())),
        Value::Number(n) => {
            let text = match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => i.to_string(),
                (_, Some(u), _) => u.to_string(),
                (_, _, Some(f)) => f.to_string(),
                _ => n.to_string(),
            };
            out.push((name.to_owned(), text));
        }
        Value::String(s) => out.push((name.to_owned(), s.clone())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                form_pairs(&format!("{name}.{i}"), item, out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                form_pairs(&format!("{name}.{key}"), item, out);
            }
        }
    }
}

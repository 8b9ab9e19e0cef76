//! Validated spec → [`ir::Service`]: Rust names and types are fixed here, once, by asking
//! [`crate::names`].

use serde_json::Value;

use crate::ir::{self, Type};
use crate::names;
use crate::products;
use crate::spec::{self, Spec};
use crate::validate::resolve_type;

/// Lowers a spec that [`crate::validate::validate`] accepted (read with its products folded
/// in, see [`crate::products`]): its own product, then each other product on its own, named
/// within its own module.
pub fn lower(spec: &Spec) -> ir::Service {
    let mut own = lower_one(spec);
    let taken: Vec<&str> = own.actions.iter().map(|a| a.module.as_str()).collect();
    let modules: Vec<String> = spec.products.iter().map(|p| names::product_module(&p.name, &taken)).collect();
    own.products = products::split(spec)
        .iter()
        .zip(modules)
        .map(|(product, module)| ir::Service { module, ..lower_one(product) })
        .collect();
    own
}

/// One product's service: the spec's enums, models and actions, without its `products`.
fn lower_one(spec: &Spec) -> ir::Service {
    let names = names::Names::of(spec);
    let common: Vec<ir::Field> = spec.common.iter().map(common).collect();
    let taken: Vec<String> = common.iter().map(|c| c.ident.clone()).collect();
    ir::Service {
        product: spec.product.clone(),
        module: String::new(),
        description: spec.description.clone(),
        providers: spec.providers.iter().map(provider).collect(),
        common,
        enums: spec.enums.iter().map(|e| enumeration(&names, e)).collect(),
        models: spec.models.iter().map(|m| model(spec, &names, m)).collect(),
        actions: spec.actions.iter().map(|a| action(spec, &names, &taken, a)).collect(),
        products: Vec::new(),
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

fn enumeration(names: &names::Names, e: &spec::Enum) -> ir::Enum {
    let idents = names::variants(e.values.iter().map(|v| v.value.as_str()));
    ir::Enum {
        name: names.type_of(&e.name).to_owned(),
        doc: e.description.clone(),
        variants: e
            .values
            .iter()
            .zip(idents)
            .map(|(v, ident)| ir::Variant { wire: v.value.clone(), ident, doc: v.description.clone() })
            .collect(),
    }
}

fn model(spec: &Spec, names: &names::Names, m: &spec::Model) -> ir::Model {
    let fields = fields(spec, names, &m.fields, names::Scope::Model, &[]);
    let from_string =
        m.from_string.as_ref().and_then(|wire| fields.iter().find(|f| &f.wire == wire)).map(|f| f.ident.clone());
    ir::Model { name: names.type_of(&m.name).to_owned(), doc: m.description.clone(), from_string, fields }
}

/// The fields of one struct, named together in their scope.
fn fields(
    spec: &Spec,
    names: &names::Names,
    list: &[spec::Field],
    scope: names::Scope,
    taken: &[String],
) -> Vec<ir::Field> {
    let idents = names::fields(list, scope, taken).expect("validated");
    list.iter().zip(idents).map(|(f, ident)| field(spec, names, f, ident)).collect()
}

fn field(spec: &Spec, names: &names::Names, f: &spec::Field, ident: String) -> ir::Field {
    let ty = rust_type(names, resolve_type(spec, &f.ty).expect("validated"));
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
fn rust_type(names: &names::Names, t: Type) -> Type {
    match t {
        Type::Enum(n) => Type::Enum(names.type_of(&n).to_owned()),
        Type::Model(n) => Type::Model(names.type_of(&n).to_owned()),
        Type::Array(inner) => Type::Array(Box::new(rust_type(names, *inner))),
        scalar => scalar,
    }
}

fn action(spec: &Spec, names: &names::Names, common: &[String], a: &spec::Action) -> ir::Action {
    let params = fields(spec, names, &a.request, names::Scope::Request, common);
    let fields = fields(spec, names, &a.response, names::Scope::Response, &[]);
    let rust = names.action(&a.name);
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
        method: rust.method.clone(),
        module: rust.module.clone(),
        request: rust.request.clone(),
        response: rust.response.clone(),
        variant: rust.variant.clone(),
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

//! Validated spec → [`ir::Service`]: Rust names and types are fixed here, once.

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

fn enumeration(e: &spec::Enum) -> ir::Enum {
    ir::Enum {
        name: names::type_name(&e.name),
        doc: e.description.clone(),
        variants: e
            .values
            .iter()
            .map(|v| ir::Variant { wire: v.value.clone(), ident: names::variant(&v.value), doc: v.description.clone() })
            .collect(),
        default: 0,
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
    ir::Field {
        wire: f.name.clone(),
        ident: names::field(f),
        bool_as_text: ty == Type::Bool && f.doc_type.as_deref() == Some("string"),
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
        .map(|e| ir::Example {
            name: e.name.clone(),
            doc: e.description.clone(),
            response: e.response.clone(),
            item_count: a
                .pagination
                .as_ref()
                .and_then(|p| e.response.get(&p.items))
                .and_then(|items| items.as_array())
                .map(Vec::len),
        })
        .collect();
    let base = names::type_name(&a.name);
    ir::Action {
        wire: a.name.clone(),
        method: names::method(&a.name),
        request: format!("{base}Request"),
        response: format!("{base}Response"),
        doc: a.description.clone(),
        idempotent: a.idempotent,
        params,
        fields,
        pagination,
        examples,
    }
}

//! Products as namespaces. A spec's `products` sections are folded into one list of enums,
//! models and actions before validation, each product's enum and model named `product::Name`
//! and each type its fields name looked up in its own product only. So two products'
//! `NodeInfo` are two types (`uec::NodeInfo`, `umongodb::NodeInfo`), and a type a product does
//! not declare is unknown there even when another product, or the spec's own, declares it.
//! Actions keep their names: an action is called by its name alone, so it is one across the
//! spec. [`crate::names`] gives a product's type its own Rust name when that is free, and
//! prefixes the product's only where two types would take the same one.

use std::collections::BTreeSet;

use crate::spec::{Field, Product, Spec, TypeRef};

/// What separates a product from its type's name in the folded spec.
pub const SEPARATOR: &str = "::";

/// The spec with its products folded in (see the module's docs); a spec without products is
/// returned as it is.
pub fn fold(spec: &Spec) -> Spec {
    let mut flat = spec.clone();
    for p in std::mem::take(&mut flat.products) {
        let qualify = |fields: &mut Vec<Field>| {
            for f in fields {
                f.ty = qualified(&p.name, &f.ty);
            }
        };
        for mut e in p.enums {
            e.name = key(&p.name, &e.name);
            flat.enums.push(e);
        }
        for mut m in p.models {
            m.name = key(&p.name, &m.name);
            qualify(&mut m.fields);
            flat.models.push(m);
        }
        for mut a in p.actions {
            qualify(&mut a.request);
            qualify(&mut a.response);
            flat.actions.push(a);
        }
    }
    flat
}

/// `ulb::NodeInfo`.
pub fn key(product: &str, name: &str) -> String {
    format!("{product}{SEPARATOR}{name}")
}

/// The name within its product: `NodeInfo` of `ulb::NodeInfo`, or the name itself.
pub fn local(name: &str) -> &str {
    name.rsplit_once(SEPARATOR).map_or(name, |(_, n)| n)
}

/// The product of a folded name: `ulb` of `ulb::NodeInfo`; `None` for the spec's own types.
pub fn product_of(name: &str) -> Option<&str> {
    name.rsplit_once(SEPARATOR).map(|(p, _)| p)
}

/// A type as the product reads it: an enum or model name is its product's (one the product
/// does not declare is then reported unknown, never found in another product).
fn qualified(product: &str, ty: &TypeRef) -> TypeRef {
    match ty {
        TypeRef::Array(inner) => TypeRef::Array(Box::new(qualified(product, inner))),
        TypeRef::Named(name) => TypeRef::Named(key(product, name)),
        builtin => builtin.clone(),
    }
}

/// Problems with the product sections themselves: names and their uniqueness. What is inside a
/// section is checked with the rest of the folded spec.
pub fn check(spec: &Spec) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    let own = spec.product.to_lowercase();
    for Product { name, .. } in &spec.products {
        let place = format!("products.{name}");
        let lower_word = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.'));
        if !lower_word {
            problems.push(format!(
                "{place}: a product's name is lower case: a letter, then letters, digits, `_`, `-` or `.`"
            ));
        }
        if *name == own {
            problems.push(format!("{place}: is the spec's own product, whose types and actions are at the top"));
        }
        if !seen.insert(name.as_str()) {
            problems.push(format!("{place}: appears twice"));
        }
    }
    // The separator would let a name pass for another product's (the rest of a name is
    // checked once folded).
    let types = |place: String, enums: &[crate::spec::Enum], models: &[crate::spec::Model]| {
        let names = enums.iter().map(|e| ("enums", &e.name)).chain(models.iter().map(|m| ("models", &m.name)));
        names
            .filter(|(_, n)| n.contains(':'))
            .map(|(kind, n)| {
                format!(
                    "{place}{kind}.{n}: \"{n}\" is not a valid name (letters, digits and _; starting with a letter)"
                )
            })
            .collect::<Vec<_>>()
    };
    problems.extend(types(String::new(), &spec.enums, &spec.models));
    for p in &spec.products {
        problems.extend(types(format!("products.{}.", p.name), &p.enums, &p.models));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::parse;

    #[test]
    fn a_product_reads_its_own_types_only() {
        let spec = parse(
            r#"{"product": "UHub", "description": "", "providers": [], "actions": [],
                "models": [{"name": "NodeInfo", "description": "", "fields": []}],
                "products": [{"name": "uec", "models": [{"name": "NodeInfo", "description": "", "fields": [
                    {"name": "State", "type": "int", "description": ""}]}],
                  "actions": [{"name": "GetNode", "description": "", "idempotent": true,
                    "response": [{"name": "Nodes", "type": "array[NodeInfo]", "description": ""},
                                 {"name": "Other", "type": "Elsewhere", "description": ""}]}]}]}"#,
        )
        .unwrap();
        let flat = fold(&spec);
        let models: Vec<&str> = flat.models.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(models, ["NodeInfo", "uec::NodeInfo"]);
        let types: Vec<String> = flat.actions[0].response.iter().map(|f| f.ty.to_string()).collect();
        assert_eq!(types, ["array[uec::NodeInfo]", "uec::Elsewhere"]);
        assert!(flat.products.is_empty());
        assert_eq!((local("uec::NodeInfo"), product_of("uec::NodeInfo")), ("NodeInfo", Some("uec")));
        assert_eq!((local("NodeInfo"), product_of("NodeInfo")), ("NodeInfo", None));
    }
}

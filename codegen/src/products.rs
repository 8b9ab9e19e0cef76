//! Products as namespaces. A spec's `products` sections are checked as one: [`fold`] turns them
//! into one list of enums, models and actions, each product's enum and model named
//! `product::Name` and each type its fields name looked up in its own product only, and the
//! validator reads that list (so every problem names its place, and an action's name is one
//! across the spec: it is how the service is called). So two products' `NodeInfo` are two
//! types, and a type a product does not declare is unknown there even when another product,
//! or the spec's own, declares it.
//!
//! Code is generated from [`split`] instead: each product as a spec of its own, lowered and
//! emitted on its own into a module of the spec's output (`ulb`), with its own `Client`,
//! `Call`, `Endpoint`, types and actions. Types keep their names there (`uec::NodeInfo`,
//! `umongodb::NodeInfo`), and since a product's module needs nothing from another's, each can
//! also be compiled as a crate of its own: how a catalogue of thousands of actions stays cheap
//! to build (see `bench/src/compile.rs`).

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

/// Each product of `spec` as a spec of its own: the spec's providers and common parameters,
/// the product's enums, models and actions, and its name as the product's.
pub fn split(spec: &Spec) -> Vec<Spec> {
    spec.products
        .iter()
        .map(|p| Spec {
            schema: None,
            product: p.name.clone(),
            description: if p.description.is_empty() { spec.description.clone() } else { p.description.clone() },
            providers: spec.providers.clone(),
            common: spec.common.clone(),
            enums: p.enums.clone(),
            models: p.models.clone(),
            actions: p.actions.clone(),
            products: Vec::new(),
        })
        .collect()
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
    let mut modules = std::collections::BTreeMap::new();
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
        } else if let Some(other) = modules.insert(crate::names::product_module(name, &[]), name) {
            problems.push(format!("{place}: its Rust module would be products.{other}'s; rename one of them"));
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
    fn two_products_that_would_share_a_module_are_refused_by_name() {
        let spec = parse(
            r#"{"product": "UHub", "description": "", "providers": [], "actions": [],
                "products": [{"name": "ipv6-gw"}, {"name": "ipv6_gw"}, {"name": "ulb"}]}"#,
        )
        .unwrap();
        assert_eq!(check(&spec), ["products.ipv6_gw: its Rust module would be products.ipv6-gw's; rename one of them"]);
    }

    #[test]
    fn each_product_splits_into_a_spec_of_its_own() {
        let spec = parse(
            r#"{"product": "UHub", "description": "d", "providers": [], "common": [
                  {"name": "ProjectId", "type": "string", "source": "client_default", "description": ""}],
                "actions": [{"name": "GetRepo", "description": "", "idempotent": true}],
                "products": [{"name": "uec", "description": "Edge",
                  "models": [{"name": "NodeInfo", "description": "", "fields": []}],
                  "actions": [{"name": "GetNode", "description": "", "idempotent": true}]}]}"#,
        )
        .unwrap();
        let parts = split(&spec);
        assert_eq!(parts.len(), 1);
        let uec = &parts[0];
        assert_eq!((uec.product.as_str(), uec.description.as_str()), ("uec", "Edge"));
        assert_eq!(uec.common, spec.common);
        assert_eq!(uec.models[0].name, "NodeInfo");
        assert_eq!(uec.actions.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["GetNode"]);
        assert!(uec.products.is_empty());
    }

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

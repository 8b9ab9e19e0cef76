//! Synthetic specs of any size, with the mix of shapes UCloud's catalogue has, to measure what
//! the generated code costs as a spec grows (`cargo xtask synth-spec N`, the bench's `compile`).
//!
//! Actions come in groups of five around one resource, as UCloud's products do: a paginated
//! `Describe` returning a list of a nested model (times, floats, bools, enums, arrays of scalars
//! and of models), a `Create` taking a required list of request models, a `Modify`, a `Delete`
//! and a `Get...Price`. Each group has its own models and enums, like pages imported one by one.
//! Four groups make a product (`product0`, `product1`, ...): UCloud's catalogue averages 22
//! actions a product, and a spec with products is generated a product at a time.

use serde_json::{Value, json};

use crate::spec::{self, Spec};

/// Groups of five actions in a product.
const GROUPS_PER_PRODUCT: usize = 4;

/// A spec of `actions` actions in products of twenty, keeping `base`'s product name,
/// providers and common parameters (its own product has no action).
pub fn spec(base: &Spec, actions: usize) -> Spec {
    let mut products = Vec::new();
    for (k, first) in (0..actions.div_ceil(5)).step_by(GROUPS_PER_PRODUCT).enumerate() {
        let (mut enums, mut models, mut list) = (Vec::new(), Vec::new(), Vec::new());
        for group in first..(first + GROUPS_PER_PRODUCT).min(actions.div_ceil(5)) {
            let r = format!("Res{group}");
            enums.push(enumeration(&format!("{r}State"), &["Running", "Stopped", "Failed"]));
            enums.push(enumeration(&format!("{r}ChargeType"), &["Year", "Month", "Dynamic"]));
            models.extend(group_models(&r));
            let shapes = [describe(&r), create(&r), modify(&r), delete(&r), price(&r)];
            list.extend(shapes.into_iter().take(actions - group * 5));
        }
        products.push(json!({
            "name": format!("product{k}"),
            "description": format!("Synthetic product {k}."),
            "enums": enums,
            "models": models,
            "actions": list,
        }));
    }
    let value = json!({
        "product": base.product,
        "description": format!("{} synthetic actions with the shapes of UCloud's catalogue.", actions),
        "providers": base.providers,
        "common": base.common,
        "actions": [],
        "products": products,
    });
    spec::parse(&value.to_string()).expect("synthetic specs parse")
}

fn field(name: &str, ty: &str, required: bool) -> Value {
    json!({"name": name, "type": ty, "required": required, "description": format!("The {name} of this item.")})
}

fn enumeration(name: &str, values: &[&str]) -> Value {
    let values: Vec<Value> =
        values.iter().map(|v| json!({"value": v, "description": format!("The value {v}.")})).collect();
    json!({"name": name, "description": format!("Values of {name}."), "values": values})
}

fn model(name: &str, fields: Vec<Value>) -> Value {
    json!({"name": name, "description": format!("One {name}."), "fields": fields})
}

fn group_models(r: &str) -> Vec<Value> {
    vec![
        model(
            &format!("{r}IP"),
            vec![field("IP", "string", true), field("Type", "string", false), field("Bandwidth", "int", false)],
        ),
        model(
            &format!("{r}Disk"),
            vec![
                field("DiskId", "string", false),
                field("Type", "string", true),
                field("Size", "int", true),
                field("IsBoot", "bool", false),
            ],
        ),
        model(
            &format!("{r}Set"),
            vec![
                field(&format!("{r}Id"), "string", true),
                field("Name", "string", true),
                field("State", &format!("{r}State"), false),
                field("ChargeType", &format!("{r}ChargeType"), false),
                field("CreateTime", "time", false),
                field("ExpireTime", "time", false),
                field("CPU", "int", false),
                field("Memory", "int", false),
                field("Price", "float", false),
                field("AutoRenew", "bool", false),
                field("Tags", "array[string]", false),
                field("IPSet", &format!("array[{r}IP]"), false),
                field("BootDisk", &format!("{r}Disk"), false),
                field("Remark", "string", false),
            ],
        ),
        model(
            &format!("{r}Price"),
            vec![
                field("ChargeType", &format!("{r}ChargeType"), true),
                field("Price", "float", true),
                field("OriginalPrice", "float", false),
            ],
        ),
    ]
}

fn action(name: String, idempotent: bool, request: Vec<Value>, response: Vec<Value>) -> Value {
    json!({
        "name": name,
        "description": format!("Does {name}."),
        "idempotent": idempotent,
        "request": request,
        "response": response,
    })
}

fn describe(r: &str) -> Value {
    let mut a = action(
        format!("Describe{r}"),
        true,
        vec![
            field("Region", "string", true),
            field("Zone", "string", false),
            field(&format!("{r}Ids"), "array[string]", false),
            field("Tag", "string", false),
            field("Offset", "int", false),
            field("Limit", "int", false),
        ],
        vec![field("TotalCount", "int", true), field("DataSet", &format!("array[{r}Set]"), true)],
    );
    a["pagination"] = json!({"offset": "Offset", "limit": "Limit", "total": "TotalCount", "items": "DataSet"});
    a
}

fn create(r: &str) -> Value {
    action(
        format!("Create{r}"),
        false,
        vec![
            field("Region", "string", true),
            field("Zone", "string", true),
            field("Name", "string", true),
            field("ChargeType", &format!("{r}ChargeType"), false),
            field("Quantity", "int", false),
            field("CPU", "int", false),
            field("Memory", "int", false),
            field("Disks", &format!("array[{r}Disk]"), true),
            field("Tags", "array[string]", false),
            field("Remark", "string", false),
        ],
        vec![field(&format!("{r}Ids"), "array[string]", false)],
    )
}

fn modify(r: &str) -> Value {
    action(
        format!("Modify{r}"),
        true,
        vec![
            field("Region", "string", true),
            field(&format!("{r}Id"), "string", true),
            field("Name", "string", false),
            field("Remark", "string", false),
            field("AutoRenew", "bool", false),
        ],
        vec![],
    )
}

fn delete(r: &str) -> Value {
    action(
        format!("Delete{r}"),
        true,
        vec![
            field("Region", "string", true),
            field(&format!("{r}Id"), "string", true),
            field("ReleaseEIP", "bool", false),
        ],
        vec![],
    )
}

fn price(r: &str) -> Value {
    action(
        format!("Get{r}Price"),
        true,
        vec![
            field("Region", "string", true),
            field("ChargeType", &format!("{r}ChargeType"), false),
            field("Quantity", "int", false),
            field("CPU", "int", false),
            field("Memory", "int", false),
        ],
        vec![field("PriceSet", &format!("array[{r}Price]"), false)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Spec {
        spec::parse(include_str!("../../spec/uhub.json")).unwrap()
    }

    #[test]
    fn a_synthetic_spec_has_the_actions_asked_for_in_products_of_twenty_and_is_valid() {
        for (n, products) in [(1, 1), (7, 1), (20, 1), (21, 2), (45, 3)] {
            let s = spec(&base(), n);
            assert!(s.actions.is_empty());
            assert_eq!(s.products.len(), products, "{n} actions");
            assert_eq!(s.products.iter().map(|p| p.actions.len()).sum::<usize>(), n);
            crate::load(&spec::to_text(&s)).unwrap_or_else(|e| panic!("{n} actions: {e}"));
        }
        let s = spec(&base(), 25);
        let names: Vec<&str> = s.products[1].actions.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["DescribeRes4", "CreateRes4", "ModifyRes4", "DeleteRes4", "GetRes4Price"]);
        assert_eq!(s.products[1].name, "product1");
        assert!(s.products[0].actions[0].pagination.is_some());
        assert_eq!(s.providers, base().providers);
    }
}

//! Names for the models and enums the importer makes up.
//!
//! One rule: the owner's name (the action, or the model the field belongs to) followed by the
//! field's name, singular when the field is a list (`CreateUHostInstance` + `Disks` →
//! `CreateUHostInstanceDisk`; its `EIP` → `CreateUHostInstanceDiskEIP`). When that name is
//! taken — by a model or enum of the target spec, a table of the page, another name made for
//! the page, or the `<Action>Request`/`<Action>Response` types the generator writes — `2`,
//! `3`, ... is appended. Names are compared as the Rust types they become.
//!
//! A table of the page keeps its name, unless the generated code already has a type of that
//! Rust name for something a model cannot merge into (the action's `<Action>Request` or
//! `<Action>Response`, an enum of the spec): then it takes the first free number too, and the
//! rows that refer to it follow.

use std::collections::BTreeSet;

use super::context::Context;
use super::page::Page;
use crate::names;

#[derive(Debug)]
pub(super) struct Namer<'a> {
    ctx: Context<'a>,
    /// Rust type names this page uses, besides the spec's.
    taken: BTreeSet<String>,
}

impl<'a> Namer<'a> {
    /// Everything named in the target spec, the page's own tables and the action's types.
    pub fn new<'n>(ctx: Context<'a>, action: &str, tables: impl IntoIterator<Item = &'n str>) -> Self {
        let mut taken: BTreeSet<String> = tables.into_iter().map(names::type_name).collect();
        let base = names::type_name(action);
        taken.insert(format!("{base}Request"));
        taken.insert(format!("{base}Response"));
        Namer { ctx, taken }
    }

    fn is_taken(&self, name: &str) -> bool {
        let rust = names::type_name(name);
        self.taken.contains(&rust) || self.ctx.is_taken(&rust)
    }

    /// `wanted`, or `wanted` with the smallest number from 2 up that makes it unique.
    pub fn claim(&mut self, wanted: &str) -> String {
        let mut name = wanted.to_owned();
        let mut n = 2;
        while self.is_taken(&name) {
            name = format!("{wanted}{n}");
            n += 1;
        }
        self.taken.insert(names::type_name(&name));
        name
    }
}

/// The name an owner gives the type of its field: `owner` + the field, singular for a list.
pub(super) fn for_field(owner: &str, field: &str, list: bool) -> String {
    if list { format!("{owner}{}", singular(field)) } else { format!("{owner}{field}") }
}

/// The singular of a field name's last word, by English spelling rules that cover API names:
/// `Disks` → `Disk`, `Policies` → `Policy`, `Addresses` → `Address`, `UHostIds` → `UHostId`;
/// names that do not look plural (`Status`, `Data`, `EIP`) are kept.
pub(super) fn singular(name: &str) -> String {
    let stem = if let Some(stem) = name.strip_suffix("ies").filter(|s| !s.is_empty()) {
        return format!("{stem}y");
    } else if ["sses", "shes", "ches", "xes", "zes"].iter().any(|end| name.ends_with(end)) {
        &name[..name.len() - 2]
    } else if ["ss", "us", "is"].iter().any(|end| name.ends_with(end)) {
        name
    } else {
        name.strip_suffix('s').unwrap_or(name)
    };
    if stem.is_empty() { name.to_owned() } else { stem.to_owned() }
}

/// Renames the page's tables whose names the generator or the spec already gives to something
/// a model cannot merge into — the action's own `<Action>Request`/`<Action>Response` types, an
/// enum — to the name with the first free number (`DescribeMetricResponse2`), and the rows
/// that refer to them; says so, one note per table.
pub(super) fn rename_clashing_tables(page: &mut Page, ctx: Context, action: &str) -> Vec<String> {
    let base = names::type_name(action);
    let own = [format!("{base}Request"), format!("{base}Response")];
    let taken_by_other = |name: &str| {
        let rust = names::type_name(name);
        own.contains(&rust) || (ctx.model(name).is_none() && ctx.is_taken_by_other_than_model(&rust))
    };
    let clashing: Vec<String> = page.models.iter().map(|t| t.name.clone()).filter(|n| taken_by_other(n)).collect();
    let mut notes = Vec::new();
    for old in clashing {
        let in_use = |name: &str| {
            let rust = names::type_name(name);
            own.contains(&rust) || ctx.is_taken(&rust) || page.models.iter().any(|t| names::type_name(&t.name) == rust)
        };
        let new = (2..).map(|n| format!("{old}{n}")).find(|n| !in_use(n)).expect("some number is free");
        notes.push(format!(
            "models.{new}: the page's table {old}, renamed: the generated code already has a type {}",
            names::type_name(&old)
        ));
        let rows = page.request.iter_mut().chain(page.response.iter_mut()).flatten();
        for row in rows.chain(page.models.iter_mut().flat_map(|t| &mut t.rows)) {
            if row.ty == old {
                row.ty = new.clone();
            } else if row.ty == format!("array[{old}]") {
                row.ty = format!("array[{new}]");
            }
        }
        for t in page.models.iter_mut().filter(|t| t.name == old) {
            t.name = new.clone();
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plural_field_names_become_singular() {
        let cases = [
            ("Disks", "Disk"),
            ("Policies", "Policy"),
            ("Addresses", "Address"),
            ("Boxes", "Box"),
            ("UHostIds", "UHostId"),
            ("Status", "Status"),
            ("Address", "Address"),
            ("Data", "Data"),
            ("EIP", "EIP"),
            ("S", "S"),
        ];
        for (plural, one) in cases {
            assert_eq!(singular(plural), one, "{plural}");
        }
    }

    #[test]
    fn taken_names_get_the_next_free_number() {
        let mut namer = Namer::new(Context::default(), "CreateHost", ["CreateHostDisk"]);
        assert_eq!(namer.claim("CreateHostDisk"), "CreateHostDisk2");
        assert_eq!(namer.claim("CreateHostDisk"), "CreateHostDisk3");
        // The generator's own request type counts as taken.
        assert_eq!(namer.claim("CreateHostRequest"), "CreateHostRequest2");
        // Compared as Rust names: `CreateHostEIP` and `CreateHostEip` are one type.
        assert_eq!(namer.claim("CreateHostEip"), "CreateHostEip");
        assert_eq!(namer.claim("CreateHostEIP"), "CreateHostEIP2");
    }
}

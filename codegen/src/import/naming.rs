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
use super::page::{ModelTable, Page, Row};
use crate::names;
use crate::spec::Model;

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
    // The models the action already uses are its page's tables from an earlier import (or
    // written by hand for it): the page updates them, whatever it now says.
    // So is a numbered model of the table's name the action uses (`Widget2`): the page's table,
    // split off before; whatever the product's model of that name has become since (another
    // page may have made its fields optional), the table goes there again.
    let its_own = models_of(ctx, action);
    let numbered_own = |table: &str| {
        its_own
            .iter()
            .find(|m| m.strip_prefix(table).is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())))
            .cloned()
    };
    let clashing: Vec<(String, bool)> = page
        .models
        .iter()
        .filter_map(|t| {
            let other = !its_own.contains(&t.name)
                && (numbered_own(&t.name).is_some() || ctx.model(&t.name).is_some_and(|m| another_model(t, m)));
            (other || taken_by_other(&t.name)).then(|| (t.name.clone(), other))
        })
        .collect();
    let mut notes = Vec::new();
    for (old, other) in clashing {
        let table = page.models.iter().find(|t| t.name == old).expect("a table of the page");
        let in_use = |name: &str| {
            let rust = names::type_name(name);
            own.contains(&rust) || ctx.is_taken(&rust) || page.models.iter().any(|t| names::type_name(&t.name) == rust)
        };
        // A numbered model an earlier import of such a table made is this table's again.
        let same_again = |name: &str| ctx.model(name).is_some_and(|m| !another_model(table, m));
        let new = numbered_own(&old).unwrap_or_else(|| {
            (2..).map(|n| format!("{old}{n}")).find(|n| same_again(n) || !in_use(n)).expect("some number is free")
        });
        notes.push(if other {
            format!(
                "models.{new}: the page's table {old}, renamed: the product's model {old} is another one (no field \
                 in common, a field spelled in another case, or one lacks a field the other requires)"
            )
        } else {
            format!(
                "models.{new}: the page's table {old}, renamed: the generated code already has a type {}",
                names::type_name(&old)
            )
        });
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

/// The models the spec's action of that name uses, directly or through other models.
fn models_of(ctx: Context, action: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let Some(action) = ctx.action(action) else { return seen };
    let mut todo: Vec<&crate::spec::Field> = action.request.iter().chain(&action.response).collect();
    while let Some(f) = todo.pop() {
        let Some(model) = f.ty.base().name().and_then(|n| ctx.model(n)) else { continue };
        if seen.insert(model.name.clone()) {
            todo.extend(&model.fields);
        }
    }
    seen
}

/// Whether a page's table describes another object than the spec's model of its name (two pages
/// of one product naming two things alike), by what the two say of their fields:
/// - they have no field in common (ugn's `Net` of `Cidr` beside one of `NetID` and `Name`);
/// - one field is spelled in another case (`UGNId` beside `UGNID`): merged, one would lose a
///   field to the other's spelling;
/// - one, which itself requires some field, lacks a field the other requires (udts'
///   `CheckResultItem` requiring `State` and `ErrMessage` beside one that also requires
///   `Type`, `Instruction` and `IsTarget`): a page that says which fields its objects always
///   carry and leaves out one the other's always carry describes other objects, which the
///   merge would give fields they never send.
///
/// A table that shares fields and spellings and lacks only fields the other leaves optional is
/// the same object documented more or less fully (one page older than the other), and is
/// merged as one; so is a table that requires nothing (many pages mark every response row
/// optional): its silence on a field says nothing of the object (udts' `SyncData` without
/// `ServerId` beside the one requiring it). A field made of dotted rows is required when any
/// of its rows is.
fn another_model(table: &ModelTable, model: &Model) -> bool {
    let head = |r: &Row| r.name.split('.').next().unwrap_or(&r.name).to_owned();
    let names: BTreeSet<String> = table.rows.iter().map(head).collect();
    if names.is_empty() || model.fields.is_empty() {
        return false;
    }
    let listed = |name: &str| model.fields.iter().any(|f| f.name == name);
    let common = names.iter().any(|n| listed(n));
    let recased = names.iter().any(|n| model.fields.iter().any(|f| f.name != *n && f.name.eq_ignore_ascii_case(n)));
    let page_requires = table.rows.iter().any(|r| r.required);
    let spec_requires = model.fields.iter().any(|f| f.required);
    let page_lacks_required = page_requires && model.fields.iter().any(|f| f.required && !names.contains(&f.name));
    let spec_lacks_required = spec_requires && table.rows.iter().any(|r| r.required && !listed(&head(r)));
    !common || recased || page_lacks_required || spec_lacks_required
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

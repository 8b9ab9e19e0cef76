//! UCloud API pages → spec entries.
//!
//! **Pages.** A page has a title `<summary> - <Action>`, an overview, tables of public
//! parameters, request parameters and response fields, one table per data model, and request
//! and response examples, with headings in Chinese or English. Two formats are read, told
//! apart by whether any line is a `#` heading or a `|` table row:
//! - markdown, as UCloud publishes its pages (`|` tables, `#` headings, fenced examples);
//! - page text copied from a rendered site such as SurferCloud's, with bare headings and table
//!   cells run together (`RepoNamestringImage Repository NameYes`). A row is split from both
//!   ends: the trailing `Yes`/`No` is the required flag, and the type is a known type word
//!   (`string`, `int`, `integer`, `bool`, `boolean`, `float`, `double`, `number`,
//!   `array[...]`, or a model named by the page's data-model headings) right after a field
//!   name. Where several splits fit, the one whose description starts like one (empty, a
//!   capital, a digit or a non-Latin letter) wins, then a name that does not itself end in a
//!   type word, then the longest name. A row whose flag is on a later line is joined with
//!   `<br>`.
//!
//! **Types.** `string`; `int`/`integer`/`int32`/`int64` → `int`; `bool`/`boolean` → `bool`;
//! `float`/`double`/`number` → `float`; a data-model name → that model; `array[T]`.
//!
//! **Dotted names.** `X.N` of type T is `X: array[T]`. Rows `X.N.Y` make a model whose field
//! `Y` they are, and `X: array[Model]`; `X.Y` makes a single nested model; shapes nest to any
//! depth (`NetworkInterface.N.EIP.Bandwidth`). The model is, by the first rule that applies:
//! 1. the model the target spec already gives that field (so re-importing a page merges
//!    into the models it made before);
//! 2. a data-model table of the page with exactly those field names;
//! 3. a new model named `<Owner><Field>`: the action's name (or, nested, the enclosing model's)
//!    followed by the field's, in the singular for a list (`CreateUHostInstance` + `Disks` →
//!    `CreateUHostInstanceDisk`, whose `EIP` is `CreateUHostInstanceDiskEIP`), with `2`, `3`,
//!    ... appended when the spec, the page or the generator already uses the name.
//!
//! A field made of rows is **required when any row below it is** (pages flag the rows, not
//! the object: `Disks.N.Size` Yes means the call needs disks); each model field takes its own
//! row's flag. Request examples with dotted keys fold into nested values
//! (`Disks.0.Size=20` → `"Disks": [{"Size": 20}]`), typed by the imported parameters.
//!
//! **Enumerations.** A string field whose description lists its values (`枚举值`, `可选值`,
//! `取值`, `Enumeration values`, `Allowed values`, ...) is typed with an enum: an enum of the
//! target spec with the same values, else a proposal in [`Import::enums`] named by rule 3
//! above. When the page's own request example sends a value outside the list, the proposal is
//! withdrawn and the field stays a string. [`merge()`] adds a proposal only when a merged field
//! uses it and no enum or model of that name exists.
//!
//! **Honesty.** Whatever cannot be mapped — an unknown type, a malformed or contradicting row,
//! a model table nobody references, an example value that does not fit — is listed in
//! [`Import::problems`] and left out, never guessed.

mod build;
mod catalog;
mod context;
mod dotted;
mod enums;
mod example;
mod markdown;
mod merge;
mod naming;
mod page;
mod plain;
mod types;

use crate::spec::{Action, ENVELOPE_FIELDS, Enum, Field, Model, Spec};
use build::{Builder, Owner};
pub use catalog::Catalog;
use context::{Context, Index};

/// What a page yields.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    pub action: Action,
    /// The models its fields use: the page's tables, then those made from dotted rows.
    pub models: Vec<Model>,
    /// Enums proposed from enumerations in descriptions, already used by the fields above.
    pub enums: Vec<Enum>,
    /// Parts of the API (rows, types, model tables) that could not be mapped and were left
    /// out: an import with any is partial, and `--write` refuses it unless told otherwise.
    pub problems: Vec<String>,
    /// What was wrong with the page's examples (a placeholder index, a key the table lacks, a
    /// value of the wrong type): the faulty part of the example is dropped, the API is whole.
    pub warnings: Vec<String>,
    /// Decisions worth a look when reviewing: which model typed which rows, and why.
    pub notes: Vec<String>,
}

/// Why a page yields no spec entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Not an API reference page: an index, a glossary, release notes, a page of formats.
    NotApi(String),
    /// The reference page of a call the spec cannot describe: object storage's REST calls,
    /// documented by HTTP method, path and headers instead of `Action=` parameters.
    OtherKind(String),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::NotApi(why) => write!(f, "not an API page: {why}"),
            Refused::OtherKind(why) => write!(f, "a page of another kind: {why}"),
        }
    }
}

impl std::error::Error for Refused {}

/// Imports one page on its own; names it makes may clash with a spec's (see [`import_for`]).
pub fn import(text: &str) -> Result<Import, Refused> {
    run(text, Context::default())
}

/// Imports one page for merging into `spec`: models and enums it makes get names the spec
/// does not use, and fields the spec already types with a model keep that model. To import
/// many pages, a [`Catalog`] indexes the spec once.
pub fn import_for(text: &str, spec: &Spec) -> Result<Import, Refused> {
    let index = Index::of(spec);
    run(text, Context::of(spec, &index))
}

fn run(text: &str, ctx: Context) -> Result<Import, Refused> {
    let mut problems = Vec::new();
    let page =
        if markdown::looks_like(text) { markdown::read(text, &mut problems) } else { plain::read(text, &mut problems) };
    let mut page = page;
    let action = parts(&page)?.0.to_owned();
    let renamed = rename_tables(&mut page, ctx, &action);
    let (action_name, request, response) = parts(&page)?;
    let existing = ctx.action(action_name);
    let spec_fields = |fields: fn(&Action) -> &Vec<Field>| existing.map_or(&[][..], |a| fields(a));
    let mut b = Builder::new(&page, ctx, action_name, problems);
    let owner = Owner { name: action_name, place: "request", existing: spec_fields(|a| &a.request) };
    let reserved = ctx.reserved_params();
    let params = b.fields(request, &owner, &reserved);
    let owner = Owner { name: action_name, place: "response", existing: spec_fields(|a| &a.response) };
    let outputs = b.fields(response, &owner, ENVELOPE_FIELDS);
    let mut models = b.models();
    let Builder { proposals, problems, mut notes, undescribed, .. } = b;
    let (mut params, mut outputs) = (params, outputs);
    let described = |f: &Field| f.ty.base().name().is_none_or(|n| !undescribed.iter().any(|u| u == n));
    params.retain(described);
    outputs.retain(described);
    models.iter_mut().for_each(|m| m.fields.retain(described));
    notes.splice(0..0, renamed);
    let action = Action {
        name: action_name.to_owned(),
        description: page.overview.join(" ").trim().to_owned(),
        idempotent: action_name.starts_with("Get") || action_name.starts_with("Describe"),
        request: params,
        response: outputs,
        pagination: None,
        examples: Vec::new(),
    };
    let known = example::Known { params: &action.request, models: &models, enums: &proposals, ctx };
    let mut warnings = Vec::new();
    let folded = example::fold(&page.request_example, &page.response_example, &known, &reserved, &mut warnings);
    let mut import = Import { action, models, enums: proposals, problems, warnings, notes };
    for name in &folded.off_list {
        withdraw(&mut import, name);
    }
    import.action.examples = folded.example.into_iter().collect();
    Ok(import)
}

/// The action's name and its request and response tables, or why this is no API page.
fn parts(page: &page::Page) -> Result<(&str, &[page::Row], &[page::Row]), Refused> {
    let Some((_, title)) = &page.title else {
        return Err(Refused::NotApi(
            "no title line of the form `# <summary> - <Action>` (markdown) or `<summary> - <Action>` (page text)"
                .into(),
        ));
    };
    let Some((_, action)) = page::title_action(title) else {
        return Err(Refused::NotApi(format!("the title {title:?} does not end with ` - <Action>` or `-<Action>`")));
    };
    if let Some((line, call)) = &page.http_call {
        return Err(Refused::OtherKind(format!(
            "{action} is an HTTP call (line {line}: `{call}`) documented by its method, path and headers, \
             not an `Action={action}` call with parameters; the spec describes only the latter"
        )));
    }
    match (&page.request, &page.response) {
        (Some(request), Some(response)) => Ok((action, request, response)),
        _ => Err(Refused::NotApi(format!("{action} has no request-parameter or response-field table"))),
    }
}

/// Renames the page's tables whose names the generator or the spec already gives to something
/// a model cannot merge into — the action's own `<Action>Request`/`<Action>Response` types, an
/// enum — to the name with the first free number (`DescribeMetricResponse2`), and the rows
/// that refer to them; says so, one note per table.
fn rename_tables(page: &mut page::Page, ctx: Context, action: &str) -> Vec<String> {
    let base = crate::names::type_name(action);
    let own = [format!("{base}Request"), format!("{base}Response")];
    let taken_by_other = |name: &str| {
        let rust = crate::names::type_name(name);
        own.contains(&rust) || (ctx.model(name).is_none() && ctx.is_taken_by_other_than_model(&rust))
    };
    let clashing: Vec<String> = page.models.iter().map(|t| t.name.clone()).filter(|n| taken_by_other(n)).collect();
    let mut notes = Vec::new();
    for old in clashing {
        let in_use = |name: &str| {
            let rust = crate::names::type_name(name);
            own.contains(&rust)
                || ctx.is_taken(&rust)
                || page.models.iter().any(|t| crate::names::type_name(&t.name) == rust)
        };
        let new = (2..).map(|n| format!("{old}{n}")).find(|n| !in_use(n)).expect("some number is free");
        notes.push(format!(
            "models.{new}: the page's table {old}, renamed: the generated code already has a type {}",
            crate::names::type_name(&old)
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

/// Drops an enum the page's own example contradicts; its fields go back to strings.
fn withdraw(import: &mut Import, name: &str) {
    import.notes.push(format!(
        "enums.{name}: the request example sends a value the page does not list for it, so it is not used; \
         its fields stay strings"
    ));
    retype(&mut import.action, &mut import.models, name);
    import.enums.retain(|e| e.name != name);
}

/// Merges an import into a spec and says what changed, one line per change. A new action,
/// model or used enum is added. An existing one keeps what pages do not carry or what we wrote
/// by hand — idempotency, pagination, examples, descriptions, defaults, fields the page lacks,
/// an enum or model over a documented string, a `time` over a string or int, any type but
/// `string` over a proposed enum (item by item in lists) — and takes from the page new
/// parameters and fields, other changed types and changed `required` flags. A model of the
/// spec that the action does not use yet (another product's page has a table of that name) is
/// merged so that it decodes what every action sends: a field is required only when every page
/// requires it, fields one page lacks are optional, and a type the pages disagree on stays the
/// spec's. A proposed enum is added only when some field of the merged spec uses it and no enum
/// or model has its name.
pub fn merge(spec: &mut Spec, import: Import) -> Vec<String> {
    let mut index = Index::of(spec);
    merge::merge(spec, &mut index, import.action, import.models, import.enums)
}

/// Types every field typed `name` (or a list of it) as a string instead.
fn retype(action: &mut Action, models: &mut [Model], name: &str) {
    let fields =
        action.request.iter_mut().chain(&mut action.response).chain(models.iter_mut().flat_map(|m| &mut m.fields));
    for f in fields {
        if f.ty == name {
            f.ty = "string".into();
        } else if f.ty.element().is_some_and(|e| *e == name) {
            f.ty = "array[string]".into();
        }
    }
}

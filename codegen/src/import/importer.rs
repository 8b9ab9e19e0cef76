//! One page → an [`Import`] for a spec (or none): the page read in its format, its tables
//! turned into fields, models and enums, its examples folded, its own enum proposals checked
//! against its example.

use super::build::{Builder, Owner};
use super::context::Context;
use super::{example, markdown, naming, page, plain};
use crate::spec::{Action, ENVELOPE_FIELDS, Enum, Field, Model};

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
    /// What the page says of itself, by which a batch picks one page per action.
    pub page: PageFacts,
}

/// What a page says of itself beside its API: its title's summary, whether the title marks it
/// superseded, and its layout. A batch uses these to pick the current page of an action that
/// several pages document (see `choose`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageFacts {
    /// The title before ` - <Action>`: `创建云主机(旧)`.
    pub summary: String,
    /// The title marks the page as the old one: `(旧)`, `（旧）`, `(old)`. (`【已废弃】` marks the
    /// action deprecated, not the page superseded, so it is not one of these.)
    pub marked_old: bool,
    /// The older template (`# Response Elements`), which today's layout superseded.
    pub legacy_layout: bool,
    /// The request example is a JSON body (`Content-Type: application/json`, `--data '{...}'`):
    /// the page documents the action called with JSON, not its form-encoded call.
    pub json_body: bool,
    /// The request example's parameters as the page writes them (`Disks.0.Size`, `20`), every
    /// one: the example folded into the action keeps only what fits the page's table, so what
    /// the page's call really sent is kept here (a check against another SDK reads it).
    pub sent: Vec<(String, String)>,
}

impl PageFacts {
    fn of(page: &page::Page) -> PageFacts {
        let summary = page.title.as_ref().and_then(|(_, t)| page::title_action(t)).map_or("", |(s, _)| s);
        let lower = summary.to_lowercase();
        let marked_old = ["(旧)", "（旧）", "(old)", "（old）"].iter().any(|m| lower.contains(m));
        let json_body = page
            .request_example
            .iter()
            .map(|l| l.trim())
            .any(|l| l.to_lowercase().contains("application/json") || (l.starts_with("--data") && l.contains('{')));
        let sent = page.request_example.iter().filter_map(|l| example::pair(l)).map(|(k, v)| (k.into(), v.into()));
        PageFacts {
            summary: summary.to_owned(),
            marked_old,
            legacy_layout: page.legacy_layout,
            json_body,
            sent: sent.collect(),
        }
    }
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

/// Imports one page into what `ctx` knows of the target spec.
pub(super) fn run(text: &str, ctx: Context) -> Result<Import, Refused> {
    let mut problems = Vec::new();
    let mut page =
        if markdown::looks_like(text) { markdown::read(text, &mut problems) } else { plain::read(text, &mut problems) };
    let action = parts(&page)?.0.to_owned();
    let renamed = naming::rename_clashing_tables(&mut page, ctx, &action);
    let (action_name, request, response) = parts(&page)?;
    let existing = ctx.action(action_name);
    let spec_fields = |fields: fn(&Action) -> &Vec<Field>| existing.map_or(&[][..], |a| fields(a));
    let mut b = Builder::new(&page, ctx, action_name, problems);
    let owner = Owner { name: action_name, place: "request", existing: spec_fields(|a| &a.request) };
    let reserved = ctx.reserved_params();
    let mut params = b.fields(request, &owner, &reserved);
    let owner = Owner { name: action_name, place: "response", existing: spec_fields(|a| &a.response) };
    let mut outputs = b.fields(response, &owner, ENVELOPE_FIELDS);
    let mut models = b.models();
    let Builder { proposals, listed, problems, mut notes, undescribed, .. } = b;
    // A field of a type nothing describes goes with it (listed among the problems).
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
    let known = example::Known { params: &action.request, models: &models, enums: &proposals, listed: &listed, ctx };
    let mut warnings = Vec::new();
    let folded = example::fold(&page.request_example, &page.response_example, &known, &reserved, &mut warnings);
    let facts = PageFacts::of(&page);
    let mut import = Import { action, models, enums: proposals, problems, warnings, notes, page: facts };
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

/// Drops an enum the page's own example contradicts; its fields go back to strings.
fn withdraw(import: &mut Import, name: &str) {
    import.notes.push(format!(
        "enums.{name}: the request example sends a value the page does not list for it, so it is not used; \
         its fields stay strings"
    ));
    retype(&mut import.action, &mut import.models, name);
    import.enums.retain(|e| e.name != name);
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

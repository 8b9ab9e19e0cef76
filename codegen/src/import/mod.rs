//! UCloud API pages → spec entries.
//!
//! **Pages.** A page has a title `<summary> - <Action>` (or `<summary>-<Action>`), an overview,
//! tables of public parameters, request parameters and response fields, one table per data
//! model, and request and response examples, with headings in Chinese or English. Two formats
//! are read, told apart by whether any line is a `#` heading or a `|` table row:
//! - markdown, as UCloud publishes its pages (`|` tables, `#` headings, fenced examples), in
//!   today's layout and the older one (see the `markdown` module);
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
//! Pages that are not API pages are refused as [`Refused::NotApi`]; pages of an HTTP call that
//! object storage documents by method, path and headers, as [`Refused::OtherKind`].
//!
//! **Types.** `string`; `int`/`integer`/`int32`/`int64` → `int`; `bool`/`boolean` → `bool`;
//! `float`/`double`/`number` → `float`; a data-model name → that model (a reference spelled
//! with another case than its table finds it); `array[T]`. `object` and a bare `array` are typed
//! only by the page's evidence (see the `evidence` module), or listed as not mapped.
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
//! **Tables named like a model of the spec.** A page's table merges into the target spec's
//! model of its name, unless the two describe different objects: no field in common, a field
//! spelled in another case (`UGNId` beside `UGNID`), or one side, requiring some field, lacks a
//! field the other requires (a table silent on what is required lacks nothing by this rule).
//! Then the table takes the next numbered name (`UGN2`), or the numbered model an earlier
//! import of it made. A model the action already uses, numbered or not, is its page's table
//! again, and the page updates it, unless other actions use it too: then it merges by the rules
//! for a shared model, so that a page imported again never undoes what another page made of it.
//!
//! **Enumerations.** A string field whose description lists its values (`枚举值`, `可选值`,
//! `取值`, `Enumeration values`, `Allowed values`, ...) is typed with an enum: an enum of the
//! target spec with the same values, else a proposal in [`Import::enums`] named by rule 3
//! above. When the page's own request example sends a value outside the list, the list is not
//! the field's type for this page, whether proposed here or by another page first (an enum of
//! the spec with the same values the spec does not already give this field), and the field
//! stays a string; either way the merged spec does not depend on which page came first. [`merge()`] adds a proposal only when a merged field
//! uses it and no enum or model of that name exists.
//!
//! **Honesty.** Whatever of the API cannot be mapped — an unknown type, a malformed or
//! contradicting row, a model table nobody references, an `object` nothing describes — is
//! listed in [`Import::problems`] and left out, never guessed. What is wrong with the examples
//! (a placeholder index, a key the table lacks, a value that does not fit) is listed in
//! [`Import::warnings`] and left out of the example only.

mod build;
mod catalog;
mod choose;
mod context;
mod dotted;
mod enums;
mod evidence;
mod example;
mod importer;
mod markdown;
mod merge;
mod naming;
mod page;
mod plain;
mod types;

use crate::spec::Spec;
pub use catalog::Catalog;
pub use choose::{Candidate, Choice, Rule, choose};
use context::{Context, Index};
use importer::run;
pub use importer::{Import, PageFacts, Refused};

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

/// Merges an import into a spec and says what changed, one line per change. A new action,
/// model or used enum is added. An existing one keeps what pages do not carry or what we wrote
/// by hand — idempotency, pagination, examples, descriptions, defaults, fields the page lacks,
/// an enum or model over a documented string, a `time` over a string or int, any type but
/// `string` over a proposed enum (item by item in lists) — and takes from the page new
/// parameters and fields, other changed types and changed `required` flags. A model of the
/// spec that the action does not use yet (another product's page has a table of that name) is
/// merged so that it decodes what every action sends: a field is required only when every page
/// requires it, fields one page lacks are optional, and a type the pages disagree on stays the
/// spec's (but an int one page calls a float becomes a float). A proposed enum is added only when some field of the merged spec uses it and no enum
/// or model has its name.
pub fn merge(spec: &mut Spec, import: Import) -> Vec<String> {
    let mut index = Index::of(spec);
    merge::merge(spec, &mut index, import.action, import.models, import.enums)
}

//! `cargo xtask compare-go SPEC GO_SDK_DIR [--pages DIR...] [--counts]`: the merged spec against
//! ucloud-sdk-go, action by action.
//!
//! The Go SDK is generated: each product is a package `services/<product>/` whose `apis.go` has
//! a `<Action>Request` and a `<Action>Response` struct per action (request fields tagged
//! `required:"true"`, structured parameters typed `<Action>Param<Field>`) and whose `models.go`
//! has the response models. Those files are read line by line (`go_structs`); no Go toolchain
//! is needed. For each action both sides have, every field is compared, into models and list
//! items, and each disagreement is listed by kind: a field Go has and the spec lacks
//! (`missing`), one the spec has and Go lacks (`extra`), a type that differs, a request
//! parameter required on one side only. Types are compared as the wire sees them: an enum is a
//! string, a spec `time` agrees with Go's int or string, `json` with anything, and a field whose
//! page type (`doc_type`) is Go's agrees too. Common parameters (`ProjectId`) and the response's
//! envelope are left out.
//!
//! With `--pages`, each disagreement is classified: `importer` when the action's own page,
//! imported alone, agrees with Go there (the merge made the difference); else the page and Go
//! disagree, and the page's own examples decide which one the wire bears out ([`judge`]):
//! `drift` (the examples agree with Go: the documentation moved on), `go-bug` (they agree with
//! the page), or `drift, undecided` when they say nothing either way.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use uhub_codegen::import::Import;
use uhub_codegen::products;
use uhub_codegen::spec::{self, ENVELOPE_FIELDS, Field, Model, PROJECT_ID, TypeRef};

use crate::import_doc::say;

pub const USAGE: &str = "cargo xtask compare-go SPEC GO_SDK_DIR [--pages DIR...] [--counts]";

/// One field of a Go struct: its name, its Go type as written, its `required` tag if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoField {
    pub name: String,
    pub ty: String,
    pub required: Option<bool>,
}

/// The structs of a Go package's files, by name.
pub type GoStructs = BTreeMap<String, Vec<GoField>>;

/// Reads the structs of generated Go source: `type X struct {` to the closing `}`, one field a
/// line. A commented-out field is read too: the generator writes the common parameters
/// (`Region`, `Zone`) so, which the request still sends.
pub fn go_structs(text: &str, into: &mut GoStructs) {
    let mut current: Option<(String, Vec<GoField>)> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("type ") {
            if let Some(name) = rest.strip_suffix(" struct {") {
                current = Some((name.trim().to_owned(), Vec::new()));
            }
            continue;
        }
        let Some((_, fields)) = current.as_mut() else { continue };
        if line.starts_with('}') {
            let (name, fields) = current.take().expect("inside a struct");
            into.insert(name, fields);
            continue;
        }
        let body = line.trim();
        let body = body.strip_prefix("// ").unwrap_or(body);
        let mut words = body.splitn(3, ' ');
        let (Some(name), Some(ty)) = (words.next(), words.next()) else { continue };
        let tag = words.next().unwrap_or("");
        let is_name = name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        // A comment's prose also starts with a word: only a tagged line or an uncommented one is a field.
        let commented = line.trim_start().starts_with("//");
        if !is_name || (commented && !tag.starts_with("`required:")) {
            continue;
        }
        let required = tag.strip_prefix("`required:\"").and_then(|t| t.split('"').next()).map(|t| t == "true");
        fields.push(GoField { name: name.to_owned(), ty: ty.to_owned(), required });
    }
}

/// What a disagreement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Missing,
    Extra,
    TypeDiffers,
    RequiredDiffers,
}

const KINDS: [Kind; 4] = [Kind::Missing, Kind::Extra, Kind::TypeDiffers, Kind::RequiredDiffers];

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Missing => "missing field",
            Kind::Extra => "extra field",
            Kind::TypeDiffers => "type differs",
            Kind::RequiredDiffers => "required differs",
        })
    }
}

/// One disagreement: where, what, and each side's word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    /// `request.Targets[].Port`.
    pub path: String,
    pub kind: Kind,
    pub spec: String,
    pub go: String,
}

/// A spec's types as one action reads them.
pub struct SpecTypes<'s> {
    models: BTreeMap<&'s str, &'s Model>,
}

impl<'s> SpecTypes<'s> {
    pub fn new(models: impl IntoIterator<Item = &'s Model>) -> Self {
        SpecTypes { models: models.into_iter().map(|m| (m.name.as_str(), m)).collect() }
    }
}

/// Compares one action's request and response fields with Go's.
pub fn compare_action(
    request: &[Field],
    response: &[Field],
    types: &SpecTypes,
    action: &str,
    go: &GoStructs,
) -> Option<(usize, Vec<Disagreement>)> {
    let go_request = go.get(&format!("{action}Request"))?;
    let go_response = go.get(&format!("{action}Response"))?;
    let mut c = Comparison { types, go, compared: 0, out: Vec::new(), seen: BTreeSet::new() };
    c.fields("request", request, go_request, true);
    c.fields("response", response, go_response, false);
    Some((c.compared, c.out))
}

struct Comparison<'c, 's> {
    types: &'c SpecTypes<'s>,
    go: &'c GoStructs,
    compared: usize,
    out: Vec<Disagreement>,
    /// Models already walked at a path prefix, against a Go struct: a model used twice is
    /// compared at each place, but a model holding itself is not walked forever.
    seen: BTreeSet<(String, String)>,
}

impl Comparison<'_, '_> {
    fn fields(&mut self, at: &str, spec: &[Field], go: &[GoField], request: bool) {
        let skip = |name: &str| name == PROJECT_ID || (!request && ENVELOPE_FIELDS.contains(&name));
        for g in go.iter().filter(|g| !skip(&g.name)) {
            let path = format!("{at}.{}", g.name);
            let Some(f) = spec.iter().find(|f| f.name == g.name) else {
                self.push(path, Kind::Missing, "none".into(), g.ty.clone());
                continue;
            };
            self.compared += 1;
            if request
                && let Some(required) = g.required
                && required != f.required
            {
                self.push(path.clone(), Kind::RequiredDiffers, f.required.to_string(), required.to_string());
            }
            self.types(&path, &f.ty, f.doc_type.as_ref(), &g.ty, request);
        }
        for f in spec.iter().filter(|f| !skip(&f.name) && !go.iter().any(|g| g.name == f.name)) {
            self.push(format!("{at}.{}", f.name), Kind::Extra, f.ty.to_string(), "none".into());
        }
    }

    fn types(&mut self, path: &str, spec: &TypeRef, doc: Option<&TypeRef>, go: &str, request: bool) {
        let go = go.trim_start_matches('*');
        match (spec, go.strip_prefix("[]")) {
            (TypeRef::Array(inner), Some(item)) => self.types(&format!("{path}[]"), inner, None, item, request),
            (TypeRef::Json, _) => {}
            (TypeRef::Array(_), None) => self.differ(path, spec, go),
            (_, Some(_)) => self.differ(path, spec, go),
            (TypeRef::Named(name), None) => match (self.types.models.get(name.as_str()).copied(), self.go.get(go)) {
                (Some(model), Some(fields)) => {
                    if self.seen.insert((path.to_owned(), model.name.clone())) {
                        let fields = fields.clone();
                        self.fields(path, &model.fields, &fields, request);
                    }
                }
                // An enum: a string on the wire.
                (None, _) if go == "string" => {}
                _ => self.differ(path, spec, go),
            },
            (builtin, None) => {
                let agree = |t: &TypeRef| {
                    matches!(
                        (t, go),
                        (TypeRef::String, "string")
                            | (TypeRef::Bool, "bool")
                            | (TypeRef::Int, "int" | "int64" | "int32")
                            | (TypeRef::Float, "float64" | "float32")
                            | (TypeRef::Time, "int" | "int64" | "string")
                            | (TypeRef::Named(_), "string")
                    )
                };
                if !agree(builtin) && !doc.is_some_and(agree) {
                    self.differ(path, spec, go);
                }
            }
        }
    }

    fn differ(&mut self, path: &str, spec: &TypeRef, go: &str) {
        self.push(path.to_owned(), Kind::TypeDiffers, products::local(&spec.to_string()).to_owned(), go.to_owned());
    }

    fn push(&mut self, path: String, kind: Kind, spec: String, go: String) {
        self.out.push(Disagreement { path, kind, spec, go });
    }
}

/// What a page's own examples say of a disagreement its page shares with Go: the examples are
/// what the service sent and was sent, so the side they bear out is the one the wire agrees with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The example agrees with Go and contradicts the page's table: the table moved, the wire
    /// did not (documentation drift).
    Drift,
    /// The example agrees with the page and contradicts Go: Go's struct is wrong.
    GoBug,
    /// No example decides (none, the value absent, or it fits both sides or neither): counted
    /// as drift, and said to be undecided.
    Undecided,
}

impl Verdict {
    fn tag(self) -> &'static str {
        match self {
            Verdict::Drift => "drift",
            Verdict::GoBug => "go-bug",
            Verdict::Undecided => "drift, undecided",
        }
    }
}

/// A page's own examples, as written: the response example's JSON and the request example's
/// `key=value` pairs (`Disks.0.Size`, `20`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Wire<'w> {
    pub response: Option<&'w serde_json::Value>,
    pub request: &'w [(String, String)],
}

/// Judges a disagreement by the page's examples, the rule in full:
/// - `missing field` (Go has it, the page does not): the example sends the key → `drift`;
/// - `extra field` (the page has it, Go does not): the example sends the key → `go-bug`;
/// - `type differs`: every value the example sends there fits the page's type and some value
///   does not fit Go's → `go-bug`; the other way round → `drift` (a form value is text: it
///   fits an int when it reads as one);
/// - `required differs` (request): the request example leaves the parameter out, so the call
///   works without it → `drift` when the page requires it, `go-bug` when Go does;
/// - anything else, `undecided`: a key an example leaves out says nothing of a field (any field
///   may be absent), nor does a required one it sends, nor a value that fits both types.
pub fn judge(d: &Disagreement, wire: &Wire) -> Verdict {
    let (side, path) = d.path.split_once('.').unwrap_or(("", &d.path));
    let steps: Vec<&str> = path.split('.').collect();
    let sent: Vec<Sent> = match side {
        "response" => wire.response.map(|r| at_path(r, &steps)).unwrap_or_default(),
        _ => wire.request.iter().filter(|(k, _)| key_under(k, &steps)).map(|(k, v)| Sent::Text(k, v)).collect(),
    };
    let has_request = side == "request" && !wire.request.is_empty();
    match d.kind {
        Kind::Missing if !sent.is_empty() => Verdict::Drift,
        Kind::Extra if !sent.is_empty() => Verdict::GoBug,
        Kind::TypeDiffers => {
            // Only a value at the field itself, not one inside it.
            let values: Vec<&Sent> = sent.iter().filter(|v| v.is_whole(&steps)).collect();
            if values.is_empty() {
                return Verdict::Undecided;
            }
            let page = values.iter().all(|v| v.fits_spec(&d.spec));
            let go = values.iter().all(|v| v.fits_go(&d.go));
            match (page, go) {
                (true, false) => Verdict::GoBug,
                (false, true) => Verdict::Drift,
                _ => Verdict::Undecided,
            }
        }
        Kind::RequiredDiffers if has_request && sent.is_empty() => {
            if d.spec == "true" {
                Verdict::Drift
            } else {
                Verdict::GoBug
            }
        }
        _ => Verdict::Undecided,
    }
}

/// A value an example sends at a path: JSON from the response, text from the request.
#[derive(Debug)]
enum Sent<'w> {
    Json(&'w serde_json::Value),
    Text(&'w str, &'w str),
}

impl Sent<'_> {
    /// Whether it is the field's own value (a request key naming the field, not one below it).
    fn is_whole(&self, steps: &[&str]) -> bool {
        match self {
            Sent::Json(_) => true,
            Sent::Text(key, _) => {
                let depth = steps.iter().map(|s| if s.ends_with("[]") { 2 } else { 1 }).sum::<usize>();
                let key_depth = key.split('.').count();
                // `Ids[]` names an item (`Ids.0`); a list of scalars may also be sent as `Ids.0`.
                key_depth == depth || (key_depth == depth + 1 && steps.last().is_some_and(|s| !s.ends_with("[]")))
            }
        }
    }

    fn fits_spec(&self, spec: &str) -> bool {
        let ty = TypeRef::parse(spec);
        match self {
            Sent::Json(v) => json_fits_spec(v, &ty),
            Sent::Text(_, t) => text_fits(t, &ty.base().to_string()),
        }
    }

    fn fits_go(&self, go: &str) -> bool {
        match self {
            Sent::Json(v) => json_fits_go(v, go.trim_start_matches('*')),
            Sent::Text(_, t) => text_fits(t, go_scalar(go.trim_start_matches('*').trim_start_matches("[]"))),
        }
    }
}

/// The values a response example holds at a path (`Data.Sets[].Id`): a step ending in `[]`
/// stands for each item of its list; `null` counts as absent.
fn at_path<'v>(root: &'v serde_json::Value, steps: &[&str]) -> Vec<Sent<'v>> {
    let mut here = vec![root];
    for step in steps {
        let (name, items) = step.strip_suffix("[]").map_or((*step, false), |n| (n, true));
        here = here
            .into_iter()
            .filter_map(|v| v.get(name))
            .flat_map(|v| match v {
                serde_json::Value::Array(list) if items => list.iter().collect(),
                v => vec![v],
            })
            .filter(|v| !v.is_null())
            .collect();
    }
    here.into_iter().map(Sent::Json).collect()
}

/// Whether a request example's dotted key is at or below a path: `Targets.0.Port` is under
/// `Targets[].Port` (an item's index, or the pages' `N`, stands for `[]`).
fn key_under(key: &str, steps: &[&str]) -> bool {
    let mut parts = key.split('.');
    for step in steps {
        let (name, items) = step.strip_suffix("[]").map_or((*step, false), |n| (n, true));
        if parts.next() != Some(name) {
            return false;
        }
        if items && !parts.next().is_some_and(|i| i == "N" || i == "n" || i.parse::<usize>().is_ok()) {
            return false;
        }
    }
    true
}

/// The spec type a Go scalar is (`int` for `int64`), or Go's own word for a struct.
fn go_scalar(go: &str) -> &str {
    match go {
        "int" | "int64" | "int32" | "uint" | "uint64" | "uint32" => "int",
        "float64" | "float32" => "float",
        other => other,
    }
}

/// Whether a form value (text) fits a scalar type: text fits a string, a time, an enum; a
/// number or bool only when it reads as one.
fn text_fits(text: &str, ty: &str) -> bool {
    match ty {
        "int" => text.parse::<i64>().is_ok(),
        "float" => text.parse::<f64>().is_ok(),
        "bool" => matches!(text, "true" | "false"),
        _ => true,
    }
}

fn json_fits_spec(v: &serde_json::Value, ty: &TypeRef) -> bool {
    use serde_json::Value as J;
    match (ty, v) {
        (TypeRef::Json, _) => true,
        (TypeRef::Array(inner), J::Array(items)) => items.iter().all(|i| i.is_null() || json_fits_spec(i, inner)),
        (TypeRef::Array(_), _) => false,
        (TypeRef::String, J::String(_)) | (TypeRef::Bool, J::Bool(_)) | (TypeRef::Float, J::Number(_)) => true,
        (TypeRef::Int, J::Number(n)) => n.is_i64() || n.is_u64(),
        (TypeRef::Time, J::Number(_) | J::String(_)) => true,
        // An enum is a string, a model an object.
        (TypeRef::Named(_), J::String(_) | J::Object(_)) => true,
        _ => false,
    }
}

fn json_fits_go(v: &serde_json::Value, go: &str) -> bool {
    use serde_json::Value as J;
    if let Some(item) = go.strip_prefix("[]") {
        return matches!(v, J::Array(items) if items.iter().all(|i| i.is_null() || json_fits_go(i, item)));
    }
    match (go_scalar(go), v) {
        ("interface{}" | "any", _) => true,
        (m, _) if m.starts_with("map[") => v.is_object(),
        ("string", J::String(_)) | ("bool", J::Bool(_)) | ("float", J::Number(_)) => true,
        ("int", J::Number(n)) => n.is_i64() || n.is_u64(),
        ("string" | "bool" | "float" | "int", _) => false,
        // A struct of the package.
        (_, J::Object(_)) => true,
        _ => false,
    }
}

/// The command's options.
#[derive(Debug, Default)]
pub struct Options {
    pub spec: PathBuf,
    pub go: PathBuf,
    pub pages: Vec<PathBuf>,
    /// Only the table of counts: what the committed report holds (no text of the inputs).
    pub counts: bool,
}

pub fn parse(args: &[&str]) -> Result<Options, String> {
    let mut opts = Options::default();
    let mut positional = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--counts" => opts.counts = true,
            "--pages" => {
                opts.pages.push(args.next().ok_or_else(|| format!("--pages needs a folder; usage: {USAGE}"))?.into())
            }
            flag if flag.starts_with('-') => return Err(format!("compare-go: unknown option {flag}; usage: {USAGE}")),
            path => positional.push(PathBuf::from(path)),
        }
    }
    let [spec, go] = positional.as_slice() else {
        return Err(format!("compare-go needs a spec and the Go SDK's folder; usage: {USAGE}"));
    };
    (opts.spec, opts.go) = (spec.clone(), go.clone());
    Ok(opts)
}

/// One product's counts: a row of the table.
#[derive(Debug, Default, Clone)]
struct Row {
    actions: usize,
    only_spec: usize,
    only_go: usize,
    fields: usize,
    /// Per kind, then `importer`, `drift` (undecided included), `go-bug` and the undecided
    /// (when pages classify).
    kinds: [usize; 4],
    importer: usize,
    drift: usize,
    go_bug: usize,
    undecided: usize,
}

pub fn run(opts: &Options, out: &mut dyn Write) -> Result<(), String> {
    let text = fs::read_to_string(&opts.spec).map_err(|e| format!("cannot read {}: {e}", opts.spec.display()))?;
    let spec = spec::parse(&text).map_err(|e| format!("{}: {e}", opts.spec.display()))?;
    let own = spec.product.to_lowercase();
    let home: BTreeMap<&str, &str> =
        spec.products.iter().flat_map(|p| p.actions.iter().map(|a| (a.name.as_str(), p.name.as_str()))).collect();
    let flat = products::fold(&spec);
    let types = SpecTypes::new(&flat.models);
    let alone: BTreeMap<String, Import> = if opts.pages.is_empty() {
        BTreeMap::new()
    } else {
        crate::import_batch::chosen_alone(&opts.pages)?.into_iter().map(|(_, i)| (i.action.name.clone(), i)).collect()
    };
    let services = opts.go.join("services");
    let mut packages: BTreeMap<String, GoStructs> = BTreeMap::new();
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    for action in &flat.actions {
        let product = home.get(action.name.as_str()).copied().unwrap_or(own.as_str()).to_owned();
        if !packages.contains_key(&product) {
            packages.insert(product.clone(), read_package(&services.join(&product))?);
        }
        let go = &packages[&product];
        let row = rows.entry(product.clone()).or_default();
        let Some((fields, found)) = compare_action(&action.request, &action.response, &types, &action.name, go) else {
            row.only_spec += 1;
            continue;
        };
        row.actions += 1;
        row.fields += fields;
        let page = alone.get(&action.name);
        let single = page.and_then(|i| {
            let types = SpecTypes::new(&i.models);
            compare_action(&i.action.request, &i.action.response, &types, &action.name, go).map(|(_, d)| d)
        });
        let wire = page.map(|i| Wire { response: crate::example_check::example(i), request: &i.page.sent });
        for d in found {
            row.kinds[KINDS.iter().position(|k| *k == d.kind).unwrap_or(0)] += 1;
            // The page's own words on the disagreement are judged, not the merged spec's.
            let own = single.as_ref().map(|own| own.iter().find(|o| o.path == d.path && o.kind == d.kind));
            let class = match (own, &wire) {
                (Some(Some(o)), Some(wire)) => judge(o, wire).tag(),
                (Some(None), _) => "importer",
                _ => "",
            };
            match class {
                "drift" => row.drift += 1,
                "go-bug" => row.go_bug += 1,
                "importer" => row.importer += 1,
                "" => {}
                _ => {
                    row.drift += 1;
                    row.undecided += 1;
                }
            }
            if !opts.counts {
                let class = if class.is_empty() { String::new() } else { format!(" [{class}]") };
                say(
                    out,
                    &format!("{product} {}: {}: {}: spec {}, go {}{class}", action.name, d.path, d.kind, d.spec, d.go),
                )?;
            }
        }
    }
    // Actions Go has that the spec does not, per product the spec has.
    for (product, go) in &packages {
        let names: BTreeSet<&str> = flat.actions.iter().map(|a| a.name.as_str()).collect();
        let only = go.keys().filter_map(|k| k.strip_suffix("Request")).filter(|a| !names.contains(a)).count();
        rows.entry(product.clone()).or_default().only_go += only;
    }
    say(out, &table(&rows, !opts.pages.is_empty()))
}

/// A package's structs (`apis.go` and `models.go`); none when Go has no such product.
fn read_package(dir: &Path) -> Result<GoStructs, String> {
    let mut structs = GoStructs::new();
    for file in ["apis.go", "models.go"] {
        let path = dir.join(file);
        if path.exists() {
            let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            go_structs(&text, &mut structs);
        }
    }
    Ok(structs)
}

fn table(rows: &BTreeMap<String, Row>, classified: bool) -> String {
    let mut columns = vec!["actions in both", "only in spec", "only in Go", "fields compared"];
    let kinds: Vec<String> = KINDS.iter().map(Kind::to_string).collect();
    columns.extend(kinds.iter().map(String::as_str));
    if classified {
        columns.extend(["importer", "drift", "of which undecided", "go-bug"]);
    }
    let cells = |r: &Row| {
        let mut c = vec![r.actions, r.only_spec, r.only_go, r.fields];
        c.extend(r.kinds);
        if classified {
            c.extend([r.importer, r.drift, r.undecided, r.go_bug]);
        }
        c
    };
    let mut total = vec![0; columns.len()];
    for r in rows.values() {
        total.iter_mut().zip(cells(r)).for_each(|(t, n)| *t += n);
    }
    let first = rows.keys().map(|p| p.len()).chain(["product".len()]).max().unwrap_or(0);
    let mut text = format!("{:<first$}", "product");
    for c in &columns {
        text.push_str(&format!("  {c}"));
    }
    for (name, cells) in rows.iter().map(|(p, r)| (p.as_str(), cells(r))).chain([("total", total)]) {
        text.push_str(&format!("\n{name:<first$}"));
        for (c, n) in columns.iter().zip(cells) {
            text.push_str(&format!("  {n:>width$}", width = c.len()));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch::Scratch;

    /// Go structs in the generator's layout, written for this test.
    const GO: &str = "package build

// TagBuildRequest is request schema for TagBuild action
type TagBuildRequest struct {
	request.CommonBase

	// [公共参数] 项目
	// ProjectId *string `required:\"false\"`

	// [公共参数] 地域
	// Region *string `required:\"true\"`

	// Which build
	BuildId *string `required:\"true\"`

	// Its labels
	Labels []string `required:\"false\"`

	// Disks
	Volumes []TagBuildParamVolumes
}

/*
TagBuildParamVolumes is request schema for complex param
*/
type TagBuildParamVolumes struct {

	// Size in GB
	SizeGB *int `required:\"true\"`
}

// TagBuildResponse is response schema for TagBuild action
type TagBuildResponse struct {
	response.CommonBase

	// How many
	Count int

	// The build
	Build BuildInfo
}

type BuildInfo struct {

	// State words
	State string

	// When
	Created int

	// Who
	Owner string
}
";

    const SPEC: &str = r#"{"product": "UHub", "description": "", "providers": [], "actions": [],
        "products": [{"name": "build",
          "enums": [{"name": "BuildState", "description": "", "values": [{"value": "Done", "description": ""}]}],
          "models": [
            {"name": "Volume", "description": "", "fields": [{"name": "SizeGB", "type": "float", "required": true, "description": ""}]},
            {"name": "BuildInfo", "description": "", "fields": [
              {"name": "State", "type": "BuildState", "description": ""},
              {"name": "Created", "type": "time", "description": ""},
              {"name": "Colour", "type": "string", "description": ""}]}],
          "actions": [{"name": "TagBuild", "description": "", "idempotent": true,
            "request": [
              {"name": "Region", "type": "string", "required": true, "description": ""},
              {"name": "BuildId", "type": "string", "required": true, "description": ""},
              {"name": "Labels", "type": "array[string]", "required": true, "description": ""},
              {"name": "Volumes", "type": "array[Volume]", "description": ""}],
            "response": [
              {"name": "Count", "type": "bool", "doc_type": "int", "description": ""},
              {"name": "Build", "type": "BuildInfo", "description": ""}]}]}]}"#;

    #[test]
    fn go_structs_are_read_with_their_tags_and_commented_common_parameters() {
        let mut structs = GoStructs::new();
        go_structs(GO, &mut structs);
        let request: Vec<(&str, &str, Option<bool>)> =
            structs["TagBuildRequest"].iter().map(|f| (f.name.as_str(), f.ty.as_str(), f.required)).collect();
        assert_eq!(
            request,
            [
                ("ProjectId", "*string", Some(false)),
                ("Region", "*string", Some(true)),
                ("BuildId", "*string", Some(true)),
                ("Labels", "[]string", Some(false)),
                ("Volumes", "[]TagBuildParamVolumes", None),
            ]
        );
        assert_eq!(structs["BuildInfo"].len(), 3, "prose comments are no fields");
    }

    #[test]
    fn every_disagreement_is_listed_by_kind_and_what_agrees_on_the_wire_is_not() {
        let tree = Scratch::with_spec();
        std::fs::create_dir_all(tree.0.join("go/services/build")).unwrap();
        tree.file("go/services/build/apis.go", GO);
        let spec = tree.file("merged.json", SPEC);
        let opts = parse(&[&spec, &tree.0.join("go").display().to_string()]).unwrap();
        let mut out = Vec::new();
        run(&opts, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        // An enum is a string, a time an int, a bool whose page type is int an int: no lines.
        assert_eq!(
            out.lines().take_while(|l| !l.starts_with("product")).collect::<Vec<_>>(),
            [
                "build TagBuild: request.Labels: required differs: spec true, go false",
                "build TagBuild: request.Volumes[].SizeGB: type differs: spec float, go int",
                "build TagBuild: response.Build.Owner: missing field: spec none, go string",
                "build TagBuild: response.Build.Colour: extra field: spec string, go none",
            ],
            "{out}"
        );
        assert!(out.contains("\nbuild                  1             0           0                9              1            1             1                 1"), "{out}");
    }

    /// A page of `action` in today's layout whose response is a `BuildInfo` with `fields`.
    fn page(action: &str, fields: &[&str]) -> String {
        let rows: String = fields.iter().map(|f| format!("| **{f}** | string | it |No|\n")).collect();
        format!(
            "# 构建 - {action}\n\n## 请求参数\n\n| 参数名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n\
             | **BuildId** | string | 构建 |**Yes**|\n\n## 响应字段\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n\
             |:---|:---|:---|:---|\n| **Build** | [*BuildInfo*](#BuildInfo) | 构建 |No|\n\n#### 数据模型\n\n\
             #### BuildInfo\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n{rows}"
        )
    }

    #[test]
    fn with_pages_a_disagreement_the_merge_made_is_the_importers_and_one_the_page_makes_is_drift() {
        let tree = Scratch::with_spec();
        let go = "type GetBuildRequest struct {\n\tBuildId *string `required:\"true\"`\n}\n\
                  type GetBuildResponse struct {\n\tBuild BuildInfo\n}\n\
                  type ListBuildRequest struct {\n\tBuildId *string `required:\"true\"`\n}\n\
                  type ListBuildResponse struct {\n\tBuild BuildInfo\n}\n\
                  type BuildInfo struct {\n\tState string\n}\n";
        std::fs::create_dir_all(tree.0.join("go/services/build")).unwrap();
        tree.file("go/services/build/apis.go", go);
        std::fs::create_dir_all(tree.0.join("pages/build-api")).unwrap();
        // GetBuild's page agrees with Go; ListBuild's lists a field Go lacks. Both share
        // BuildInfo once merged, so GetBuild gains the field from the other page.
        tree.file("pages/build-api/get_build.md", &page("GetBuild", &["State"]));
        tree.file("pages/build-api/list_build.md", &page("ListBuild", &["State", "Owner"]));
        let pages = tree.0.join("pages").display().to_string();
        let spec = tree.0.join(uhub_codegen::sync::SPEC).display().to_string();
        let opts = crate::import_doc::parse(&[&pages, "--write", "--spec", &spec]).unwrap();
        crate::import_batch::run(&tree.0, &opts, &mut Vec::new(), &mut Vec::new()).unwrap();
        let go_dir = tree.0.join("go").display().to_string();
        let opts = parse(&[&spec, &go_dir, "--pages", &pages]).unwrap();
        let mut out = Vec::new();
        run(&opts, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains("build GetBuild: response.Build.Owner: extra field: spec string, go none [importer]\n"),
            "{out}"
        );
        assert!(
            out.contains(
                "build ListBuild: response.Build.Owner: extra field: spec string, go none [drift, undecided]\n"
            ),
            "{out}"
        );
        let opts = parse(&[&spec, &go_dir, "--pages", &pages, "--counts"]).unwrap();
        let mut out = Vec::new();
        run(&opts, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.starts_with("product  actions in both"), "only the table: {out}");
        assert!(out.contains("importer  drift  of which undecided  go-bug\nbuild"), "{out}");
    }

    #[test]
    fn the_page_s_own_examples_tell_drift_from_a_go_bug() {
        let tree = Scratch::with_spec();
        let go = "type ShowBuildRequest struct {\n\tBuildId *string `required:\"true\"`\n\
                  \tZone *string `required:\"false\"`\n\tTag *string `required:\"false\"`\n\
                  \tLimit *string `required:\"true\"`\n}\n\
                  type ShowBuildResponse struct {\n\tBuild BuildInfo\n\tCount string\n\tNote string\n}\n\
                  type BuildInfo struct {\n\tState string\n\tSize string\n\tCreated int\n}\n";
        std::fs::create_dir_all(tree.0.join("go/services/build")).unwrap();
        tree.file("go/services/build/apis.go", go);
        std::fs::create_dir_all(tree.0.join("pages/build-api")).unwrap();
        let page = "# 构建 - ShowBuild\n\n## 请求参数\n\n| 参数名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n\
                    | **BuildId** | string | 构建 |**Yes**|\n| **Zone** | string | 可用区 |**Yes**|\n\
                    | **Limit** | int | 数量 |No|\n\n## 响应字段\n\n\
                    | 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n\
                    | **Build** | [*BuildInfo*](#BuildInfo) | 构建 |No|\n| **Count** | int | 数量 |No|\n\n\
                    #### 数据模型\n\n#### BuildInfo\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n\
                    | **State** | string | 状态 |No|\n| **Size** | int | 大小 |No|\n| **Owner** | string | 谁 |No|\n\n\
                    ## 请求示例\n\n```\nhttps://api.ucloud.cn/?Action=ShowBuild\n&BuildId=b1\n```\n\n\
                    ## 响应示例\n\n```json\n{\"RetCode\": 0, \"Action\": \"ShowBuildResponse\", \"Count\": 3,\n\
                    \"Build\": {\"State\": \"Done\", \"Size\": \"12GB\", \"Owner\": \"me\", \"Created\": 1700000000}}\n```\n";
        tree.file("pages/build-api/show_build.md", page);
        let pages = tree.0.join("pages").display().to_string();
        let spec = tree.0.join(uhub_codegen::sync::SPEC).display().to_string();
        let opts = crate::import_doc::parse(&[&pages, "--write", "--allow-partial", "--spec", &spec]).unwrap();
        crate::import_batch::run(&tree.0, &opts, &mut Vec::new(), &mut Vec::new()).unwrap();
        let go_dir = tree.0.join("go").display().to_string();
        let opts = parse(&[&spec, &go_dir, "--pages", &pages]).unwrap();
        let mut out = Vec::new();
        run(&opts, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("build ShowBuild")).collect();
        assert_eq!(
            lines,
            [
                // The call was made without Zone, as Go allows: the page's flag moved.
                "build ShowBuild: request.Zone: required differs: spec true, go false [drift]",
                // The example sends no Tag: its absence says nothing.
                "build ShowBuild: request.Tag: missing field: spec none, go *string [drift, undecided]",
                // The call was made without Limit, which Go requires.
                "build ShowBuild: request.Limit: required differs: spec false, go true [go-bug]",
                // Sent neither way: a string fits a form value that is a number.
                "build ShowBuild: request.Limit: type differs: spec int, go string [drift, undecided]",
                "build ShowBuild: response.Build.Size: type differs: spec int, go string [drift]",
                "build ShowBuild: response.Build.Created: missing field: spec none, go int [drift]",
                "build ShowBuild: response.Build.Owner: extra field: spec string, go none [go-bug]",
                // The wire sends a number: Go's string fails on it.
                "build ShowBuild: response.Count: type differs: spec int, go string [go-bug]",
                "build ShowBuild: response.Note: missing field: spec none, go string [drift, undecided]",
            ],
            "{out}"
        );
        let row = out.lines().rfind(|l| l.starts_with("build ")).unwrap();
        let cells: Vec<&str> = row.split_whitespace().skip(1).collect();
        // ... importer 0, drift 6 (3 of them undecided), go-bug 3.
        assert_eq!(cells, ["1", "0", "0", "7", "3", "1", "3", "2", "0", "6", "3", "3"], "{out}");
    }

    #[test]
    fn a_verdict_needs_a_value_that_fits_one_side_only() {
        let d = |path: &str, kind, spec: &str, go: &str| Disagreement {
            path: path.into(),
            kind,
            spec: spec.into(),
            go: go.into(),
        };
        let response = serde_json::json!({"Sets": [{"Id": 7, "Tags": ["a"]}, {"Id": null}], "At": "2024-01-01"});
        let wire = Wire { response: Some(&response), request: &[] };
        // Each item of a list is judged; null is no value.
        assert_eq!(judge(&d("response.Sets[].Id", Kind::TypeDiffers, "int", "string"), &wire), Verdict::GoBug);
        assert_eq!(judge(&d("response.Sets[].Id", Kind::TypeDiffers, "string", "int"), &wire), Verdict::Drift);
        assert_eq!(judge(&d("response.Sets[].Id", Kind::TypeDiffers, "float", "int"), &wire), Verdict::Undecided);
        assert_eq!(judge(&d("response.Sets[].Tags", Kind::TypeDiffers, "string", "[]string"), &wire), Verdict::Drift);
        assert_eq!(judge(&d("response.Sets[].Tags[]", Kind::TypeDiffers, "int", "string"), &wire), Verdict::Drift);
        assert_eq!(judge(&d("response.At", Kind::TypeDiffers, "time", "int"), &wire), Verdict::GoBug);
        assert_eq!(judge(&d("response.Sets", Kind::TypeDiffers, "array[Set]", "string"), &wire), Verdict::GoBug);
        assert_eq!(judge(&d("response.Gone", Kind::Extra, "string", "none"), &wire), Verdict::Undecided);
        assert_eq!(judge(&d("response.Sets[].Tags", Kind::Missing, "none", "[]string"), &wire), Verdict::Drift);
        // No example at all: nothing decides.
        let none = Wire::default();
        assert_eq!(judge(&d("response.Sets[].Id", Kind::TypeDiffers, "int", "string"), &none), Verdict::Undecided);
        assert_eq!(judge(&d("request.Zone", Kind::RequiredDiffers, "true", "false"), &none), Verdict::Undecided);
        // Form values: an index or N stands for a list's item; a value that reads as neither
        // an int nor a bool fits only a string.
        let sent = [("Disks.0.Size".to_owned(), "big".to_owned()), ("Ids.N".to_owned(), "5".to_owned())];
        let wire = Wire { response: None, request: &sent };
        assert_eq!(judge(&d("request.Disks[].Size", Kind::TypeDiffers, "int", "*string"), &wire), Verdict::Drift);
        assert_eq!(judge(&d("request.Disks[].Size", Kind::TypeDiffers, "string", "*int"), &wire), Verdict::GoBug);
        assert_eq!(judge(&d("request.Ids[]", Kind::TypeDiffers, "int", "string"), &wire), Verdict::Undecided);
        assert_eq!(judge(&d("request.Disks", Kind::Extra, "array[Disk]", "none"), &wire), Verdict::GoBug);
        assert_eq!(judge(&d("request.Disk", Kind::Extra, "string", "none"), &wire), Verdict::Undecided);
        // A required parameter the call sends decides nothing.
        assert_eq!(judge(&d("request.Disks", Kind::RequiredDiffers, "true", "false"), &wire), Verdict::Undecided);
        assert_eq!(judge(&d("request.Zone", Kind::RequiredDiffers, "false", "true"), &wire), Verdict::GoBug);
    }

    #[test]
    fn misuse_says_what_to_type() {
        assert!(parse(&["spec.json"]).unwrap_err().starts_with("compare-go needs a spec and the Go SDK's folder"));
        assert!(parse(&["a", "b", "--bogus"]).unwrap_err().starts_with("compare-go: unknown option --bogus"));
    }
}

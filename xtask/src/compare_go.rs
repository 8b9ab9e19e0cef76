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
//! imported alone, agrees with Go there (the merge made the difference), else `drift` (the page
//! and Go disagree: the documentation moved on, or Go is wrong, which only a reader can tell).

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
    /// Per kind, then `importer` and `drift` (when pages classify).
    kinds: [usize; 4],
    importer: usize,
    drift: usize,
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
        let single = alone.get(&action.name).and_then(|i| {
            let types = SpecTypes::new(&i.models);
            compare_action(&i.action.request, &i.action.response, &types, &action.name, go).map(|(_, d)| d)
        });
        for d in found {
            row.kinds[KINDS.iter().position(|k| *k == d.kind).unwrap_or(0)] += 1;
            let class = match &single {
                Some(own) if own.iter().any(|o| o.path == d.path && o.kind == d.kind) => "drift",
                Some(_) => "importer",
                None => "",
            };
            match class {
                "drift" => row.drift += 1,
                "importer" => row.importer += 1,
                _ => {}
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
        columns.extend(["importer", "drift"]);
    }
    let cells = |r: &Row| {
        let mut c = vec![r.actions, r.only_spec, r.only_go, r.fields];
        c.extend(r.kinds);
        if classified {
            c.extend([r.importer, r.drift]);
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
            out.contains("build ListBuild: response.Build.Owner: extra field: spec string, go none [drift]\n"),
            "{out}"
        );
        let opts = parse(&[&spec, &go_dir, "--pages", &pages, "--counts"]).unwrap();
        let mut out = Vec::new();
        run(&opts, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.starts_with("product  actions in both"), "only the table: {out}");
        assert!(out.contains("importer  drift\nbuild"), "{out}");
    }

    #[test]
    fn misuse_says_what_to_type() {
        assert!(parse(&["spec.json"]).unwrap_err().starts_with("compare-go needs a spec and the Go SDK's folder"));
        assert!(parse(&["a", "b", "--bogus"]).unwrap_err().starts_with("compare-go: unknown option --bogus"));
    }
}

//! Wire names to Rust names. Every naming decision the generator makes lives here, and so do
//! the names generated code and the SDK's runtime define themselves, which spec names must not
//! take.
//!
//! A spec the validator accepts always gets names that compile. When the natural name is taken,
//! the Rust name changes and the wire name never does, by two deterministic rules:
//! - a snake_case name that is a Rust keyword or a method the generated type already has (from a
//!   derive, a trait or the generator: `default`, `clone`, `send`, `new`) gets a trailing
//!   underscore: the field `Default` of a model is `default_`, set with `.default_(true)`. Names
//!   that would start with a prefix the generator owns (`with_` options, `set_` setters of a
//!   request) get one too. A keyword whose type is an enum is named after the enum instead
//!   (`Type` of `RepoType` is `repo_type`).
//! - a name that another item of the same scope already took after case conversion (`IPSet` and
//!   `IpSet` are both `ip_set`), or that the prelude, the runtime or the generator uses for a type
//!   (`Error`, `Default`, `SignedRequest`), gets the first free number: `ip_set_2`, `IpSet2`,
//!   `Error2`. Names that need no change are given out first, then the renamed ones in spec order.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToSnakeCase, ToUpperCamelCase};

use crate::spec::{CommonParam, Field, Spec};

/// Rust's strict and reserved keywords, plus the ones that would be confusing as field names.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "do", "dyn", "else", "enum", "extern",
    "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut",
    "override", "priv", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

pub fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic()) && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A wire name in snake case as a Rust user would write it: words split where the case changes,
/// except that a one-letter prefix joins the capitalised word it starts (UCloud's product
/// prefixes: `CreateUHostInstance` is `create_uhost_instance`, `PHostId` `phost_id`, `IPv6Id`
/// `ipv6_id`, not `create_u_host_instance`), and a plural `s` stays with its acronym (`IPs` is
/// `ips`, `UHostIds` `uhost_ids`, not `i_ps`). Every other name splits as before: `IPSet` is
/// `ip_set`, `UDBInstance` `udb_instance`, `ProjectId` `project_id`.
pub fn snake(wire: &str) -> String {
    let c: Vec<char> = wire.chars().collect();
    let upper = |i: usize| c.get(i).is_some_and(char::is_ascii_uppercase);
    let lower = |i: usize| c.get(i).is_some_and(char::is_ascii_lowercase);
    // Where a word starts after a word of lower case letters, or the name starts.
    let starts = |i: usize| i == 0 || lower(i - 1);
    // An `s` that ends an acronym's word (`IPs`, `IDsOf`), not one that starts a word's tail.
    let plural = |i: usize| c[i] == 's' && i >= 2 && upper(i - 1) && upper(i - 2) && !lower(i + 1);
    let joined: String = (0..c.len())
        .map(|i| {
            let prefix = i >= 1 && upper(i - 1) && starts(i - 1) && upper(i) && lower(i + 1) && !plural(i + 1);
            match (prefix, plural(i)) {
                (true, _) => c[i].to_ascii_lowercase(),
                (_, true) => 'S',
                _ => c[i],
            }
        })
        .collect();
    joined.to_snake_case()
}

/// The natural Rust field (and setter) name of a parameter or field, before its scope is
/// considered: a keyword with an enum type is named after the enum (`Type` of `RepoType` is
/// `repo_type`), one with a scalar type gets a trailing underscore (`type_`).
pub fn field(f: &Field) -> String {
    if let Some(name) = &f.rust_name {
        return name.clone();
    }
    let natural = snake(&f.name);
    if !is_keyword(&natural) {
        return natural;
    }
    match f.ty.base().name() {
        None => format!("{natural}_"),
        Some(named) => {
            let candidate = snake(named);
            if is_keyword(&candidate) { format!("{natural}_") } else { candidate }
        }
    }
}

/// Files the generator writes besides one per action (`<module>.rs`); also their module names.
pub const FIXED_MODULES: &[&str] = &["mod", "client", "dispatch", "endpoint", "types"];

/// Methods the generated `Call` has besides one setter per parameter. Setters are named after
/// their parameter, so no parameter may take one of these names; per-call options all start
/// with `with_`, so that prefix is reserved as a rule rather than listed.
pub const CALL_METHODS: &[&str] = &["new", "request", "send", "into_paginator", "signed_request"];
/// The prefix of every per-call option (`with_retry_policy`, `with_call_timeout`).
pub const OPTION_PREFIX: &str = "with_";
/// The prefix of the setters that take an `Option` (`set_tag_name`); a parameter whose own name
/// started with it could clash with another parameter's.
pub const SET_PREFIX: &str = "set_";

/// Methods the generated `Client` has besides one per action.
pub const CLIENT_METHODS: &[&str] =
    &["builder", "from_env", "base_url", "project_id", "credentials", "attempt_timeout", "core"];

/// Methods every generated struct gets from its derives, the standard library's blanket impls
/// and the runtime's traits, callable with method syntax. A setter of that name would hide the
/// method (or, for `default`, break the constructor's `..Self::default()`).
pub const TRAIT_METHODS: &[&str] = &[
    // Clone, Debug, Default, PartialEq, Hash, Display
    "clone",
    "clone_from",
    "fmt",
    "default",
    "eq",
    "ne",
    "hash",
    "hash_slice",
    "to_string",
    // blanket impls: From/Into, TryFrom/TryInto, ToOwned, Borrow, Any
    "from",
    "into",
    "try_from",
    "try_into",
    "to_owned",
    "clone_into",
    "borrow",
    "borrow_mut",
    "type_id",
    // serde
    "serialize",
    "deserialize",
    "deserialize_in_place",
    // the runtime's traits: Lenient, Param, FromParams, Action, Service, IntoFuture
    "lenient",
    "encode",
    "from_params",
    "check",
    "from_form",
    "from_core",
    "into_future",
];

/// Response fields every response has, private but in the struct (`request_id` is also a method).
pub const RESPONSE_FIELDS: &[&str] = &["ret_code", "message", "request_id"];

/// Type names generated code defines or uses unqualified, and the prelude's: an enum or model of
/// that name would shadow them and break (or hide) them.
pub const TAKEN_TYPE_NAMES: &[&str] = &[
    // generated
    "Endpoint",
    "AnyRequest",
    "Client",
    "ClientBuilder",
    "Call",
    // the prelude and the derives
    "Self",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "ToString",
    "ToOwned",
    "Into",
    "From",
    "TryFrom",
    "TryInto",
    "IntoIterator",
    "Iterator",
    "Extend",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "AsRef",
    "AsMut",
    "Clone",
    "Copy",
    "Debug",
    "Default",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Hash",
    "Send",
    "Sync",
    "Sized",
    "Unpin",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
];

/// The items at uhub-sdk's crate root besides `generated::*`, which it re-exports by glob: a
/// generated type of one of these names would be hidden there. Checked against uhub-sdk's
/// `lib.rs` by `codegen/tests/names.rs`.
pub const SDK_ROOT_NAMES: &[&str] = &[
    "Config",
    "ConfigSource",
    "Credentials",
    "Error",
    "ErrorKind",
    "TransportKind",
    "Paginator",
    "RetryPolicy",
    "SignedRequest",
    "Time",
    "DEFAULT_MAX_LIST_ITEMS",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRY_AFTER",
    "REQUEST_ID_HEADER",
    "jiff",
    "action",
    "any",
    "builder",
    "call",
    "client",
    "config",
    "credentials",
    "decode",
    "encode",
    "error",
    "execute",
    "form",
    "generated",
    "json",
    "paginate",
    "retry",
    "runtime",
    "serialize",
    "service",
    "sign",
    "signed",
    "table",
    "time",
    "transport",
    "url",
    "uhub_sdk",
];

/// The Rust names of one action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionNames {
    /// The `Client` method: `get_repo`.
    pub method: String,
    /// The (private) module of its file: the method, unless a fixed module has that name.
    pub module: String,
    /// The request struct: `GetRepoRequest`.
    pub request: String,
    /// The response struct: `GetRepoResponse`.
    pub response: String,
    /// The action's variant of `AnyRequest`: `GetRepo`.
    pub variant: String,
}

/// The Rust names of a spec's types and actions, decided together.
#[derive(Debug, Clone, Default)]
pub struct Names {
    types: BTreeMap<String, String>,
    actions: BTreeMap<String, ActionNames>,
}

impl Names {
    pub fn of(spec: &Spec) -> Names {
        // Actions first: their types are what users see most.
        let mut claims = Claims::new(TAKEN_TYPE_NAMES.iter().chain(SDK_ROOT_NAMES).map(|s| s.to_string()));
        claims.taken.insert("variant Self".into());
        let stems = claims.give(
            spec.actions.iter().map(|a| type_name(&a.name)).collect(),
            |stem| vec![format!("{stem}Request"), format!("{stem}Response"), format!("variant {stem}")],
            |stem, n| format!("{stem}{n}"),
        );
        let wanted = spec.enums.iter().map(|e| &e.name).chain(spec.models.iter().map(|m| &m.name));
        let types = wanted.clone().map(|w| type_name(w)).collect();
        let types = claims.give(types, |t| vec![t.to_owned()], |t, n| format!("{t}{n}"));
        let reserved_methods: Vec<&str> = CLIENT_METHODS.iter().chain(TRAIT_METHODS).copied().collect();
        let methods = spec
            .actions
            .iter()
            .map(|a| {
                let m = method(&a.name);
                if is_keyword(&m) || reserved_methods.contains(&m.as_str()) { format!("{m}_") } else { m }
            })
            .collect();
        let methods = Claims::new(std::iter::empty()).give(methods, |m| vec![m.to_owned()], numbered_snake);
        let actions = spec
            .actions
            .iter()
            .zip(stems)
            .zip(methods)
            .map(|((a, stem), method)| {
                // `method` never ends in `_` unless renamed, and no fixed module name is renamed.
                let module =
                    if FIXED_MODULES.contains(&method.as_str()) { format!("{method}_") } else { method.clone() };
                let names = ActionNames {
                    module,
                    request: format!("{stem}Request"),
                    response: format!("{stem}Response"),
                    variant: stem,
                    method,
                };
                (a.name.clone(), names)
            })
            .collect();
        Names { types: wanted.cloned().zip(types).collect(), actions }
    }

    /// The Rust type of an enum or model of the spec.
    pub fn type_of(&self, wire: &str) -> &str {
        &self.types[wire]
    }

    pub fn action(&self, wire: &str) -> &ActionNames {
        &self.actions[wire]
    }
}

/// Which struct a list of fields belongs to: it decides the names already taken there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A request: each optional field has setters on `Call` (`name` and `set_name`).
    Request,
    /// A model: `new` and a setter per optional field.
    Model,
    /// A response: no setters, beside the fields every response has.
    Response,
}

/// The Rust names of the fields of one struct, in order. `taken` are names the struct already
/// has (a request's common parameters). A `rust_name` the spec sets is kept as written; when it
/// is not usable here the problems come back, each with the wire name of its field.
pub fn fields(list: &[Field], scope: Scope, taken: &[String]) -> Result<Vec<String>, Vec<(String, String)>> {
    let mut claims = Claims::new(std::iter::empty());
    let keys = |name: &str| match scope {
        Scope::Request => vec![name.to_owned(), option_setter(name)],
        _ => vec![name.to_owned()],
    };
    for t in taken {
        claims.taken.extend(keys(t));
    }
    match scope {
        Scope::Request => claims.taken.extend(CALL_METHODS.iter().chain(TRAIT_METHODS).map(|s| s.to_string())),
        Scope::Model => claims.taken.extend(["new"].iter().chain(TRAIT_METHODS).map(|s| s.to_string())),
        Scope::Response => {
            let declares_message = list.iter().any(|f| f.name == "Message");
            let own = RESPONSE_FIELDS.iter().filter(|f| !(declares_message && **f == "message"));
            claims.taken.extend(own.map(|s| s.to_string()));
        }
    }
    // Fields named by the spec claim first and are never renamed.
    let mut problems = Vec::new();
    for f in list {
        let Some(name) = &f.rust_name else { continue };
        let reserved_prefix =
            scope == Scope::Request && (name.starts_with(OPTION_PREFIX) || name.starts_with(SET_PREFIX));
        if reserved_prefix || keys(name).iter().any(|k| claims.taken.contains(k)) {
            problems.push((f.name.clone(), format!("rust_name \"{name}\" is taken in this struct")));
        }
        claims.taken.extend(keys(name));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let wanted = list
        .iter()
        .map(|f| {
            let name = field(f);
            let owned_prefix =
                scope == Scope::Request && (name.starts_with(OPTION_PREFIX) || name.starts_with(SET_PREFIX));
            let reserved = claims.taken.contains(&name) && !name.ends_with('_');
            if f.rust_name.is_none() && (owned_prefix || reserved) { format!("{name}_") } else { name }
        })
        .collect();
    let pinned: Vec<bool> = list.iter().map(|f| f.rust_name.is_some()).collect();
    Ok(claims.give_except(wanted, &pinned, keys, numbered_snake))
}

/// `ip_set_2`, and `match_2` (not `match__2`, which is not snake case).
fn numbered_snake(name: &str, n: u32) -> String {
    if name.ends_with('_') { format!("{name}{n}") } else { format!("{name}_{n}") }
}

/// Names given out in one scope.
struct Claims {
    taken: BTreeSet<String>,
}

impl Claims {
    fn new(taken: impl Iterator<Item = String>) -> Claims {
        Claims { taken: taken.collect() }
    }

    /// Gives each wanted name its own, or a numbered one when it is taken: first every name
    /// that is free, in order, then the others, each the first free number from 2.
    fn give(
        &mut self,
        wanted: Vec<String>,
        keys: impl Fn(&str) -> Vec<String>,
        numbered: impl Fn(&str, u32) -> String,
    ) -> Vec<String> {
        let none = vec![false; wanted.len()];
        self.give_except(wanted, &none, keys, numbered)
    }

    /// [`Self::give`], but the names marked `given` are already claimed and kept as they are.
    fn give_except(
        &mut self,
        wanted: Vec<String>,
        given: &[bool],
        keys: impl Fn(&str) -> Vec<String>,
        numbered: impl Fn(&str, u32) -> String,
    ) -> Vec<String> {
        let mut out: Vec<Option<String>> = given.iter().zip(&wanted).map(|(g, w)| g.then(|| w.clone())).collect();
        for (slot, name) in out.iter_mut().zip(&wanted) {
            if slot.is_none() && self.claim(&keys(name)) {
                *slot = Some(name.clone());
            }
        }
        for (slot, name) in out.iter_mut().zip(&wanted) {
            if slot.is_none() {
                let free = (2..).map(|n| numbered(name, n)).find(|c| self.claim(&keys(c))).expect("a free number");
                *slot = Some(free);
            }
        }
        out.into_iter().map(|n| n.expect("every name given")).collect()
    }

    fn claim(&mut self, keys: &[String]) -> bool {
        let free = keys.iter().all(|k| !self.taken.contains(k));
        if free {
            self.taken.extend(keys.iter().cloned());
        }
        free
    }
}

/// The test that decodes an example: `decodes_example_names_only`.
pub fn example_test(example: &str) -> String {
    format!("decodes_example_{}", snake(example))
}

/// The test that parses an example's request and encodes it back: `parses_example_names_only_request`.
pub fn example_request_test(example: &str) -> String {
    format!("parses_example_{}_request", snake(example))
}

/// The setter that takes an `Option` beside the plain one: `tag_name` → `set_tag_name`.
pub fn option_setter(ident: &str) -> String {
    format!("{SET_PREFIX}{ident}")
}

/// The Rust field (and setter) name of a common parameter: `ProjectId` becomes `project_id`.
pub fn common(c: &CommonParam) -> String {
    snake(&c.name)
}

/// Type, variant and builder names: `GetRepo`, `SurferCloud`, `GenesisAi`.
pub fn type_name(s: &str) -> String {
    s.to_upper_camel_case()
}

/// The module a product of the spec is generated into: its name with `-` and `.` as `_`
/// (`ulb`, `vpc2_0`), then `_` after a keyword or a module the spec's own output already has
/// (`taken`: the fixed modules and its actions' modules).
pub fn product_module(product: &str, taken: &[&str]) -> String {
    let module = product.replace(['-', '.'], "_");
    if is_keyword(&module) || FIXED_MODULES.contains(&module.as_str()) || taken.contains(&module.as_str()) {
        format!("{module}_")
    } else {
        module
    }
}

/// Method names before their scope is considered: `get_repo_image`.
pub fn method(s: &str) -> String {
    snake(s)
}

/// An enum variant from its wire value: `private` becomes `Private`; values that start with a
/// digit get a `V` prefix so they remain identifiers.
pub fn variant(value: &str) -> String {
    let camel = value.to_upper_camel_case();
    match camel.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => camel,
        _ => format!("V{camel}"),
    }
}

/// The variants of one enum, in order: `Other` (the fallback) and `Self` are taken, and values
/// that become one variant (`on` and `ON`) are numbered (`On`, `On2`).
pub fn variants<'v>(values: impl Iterator<Item = &'v str>) -> Vec<String> {
    let mut claims = Claims::new(["Other", "Self"].iter().map(|s| s.to_string()));
    claims.give(values.map(variant).collect(), |v| vec![v.to_owned()], |v, n| format!("{v}{n}"))
}
#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str, ty: &str) -> Field {
        Field {
            name: name.into(),
            ty: ty.into(),
            doc_type: None,
            required: false,
            default: None,
            rust_name: None,
            description: String::new(),
        }
    }

    #[test]
    fn keyword_named_after_its_enum_type() {
        assert_eq!(field(&f("Type", "RepoType")), "repo_type");
    }

    #[test]
    fn keyword_with_scalar_type_gets_trailing_underscore() {
        assert_eq!(field(&f("Type", "string")), "type_");
        assert_eq!(field(&f("Match", "array[int]")), "match_");
    }

    #[test]
    fn ordinary_names_are_snake_case() {
        assert_eq!(field(&f("IsOutSide", "bool")), "is_out_side");
        assert_eq!(field(&f("ProjectId", "string")), "project_id");
    }

    #[test]
    fn a_product_module_is_its_name_in_snake_case_clear_of_keywords_and_taken_modules() {
        assert_eq!(product_module("ulb", &[]), "ulb");
        assert_eq!(product_module("vpc2.0", &[]), "vpc2_0");
        assert_eq!(product_module("ipv6-gw", &[]), "ipv6_gw");
        assert_eq!(product_module("type", &[]), "type_");
        assert_eq!(product_module("types", &[]), "types_");
        assert_eq!(product_module("get_repo", &["get_repo"]), "get_repo_");
    }

    #[test]
    fn product_prefixes_and_plural_acronyms_stay_one_word() {
        for (wire, rust) in [
            ("CreateUHostInstance", "create_uhost_instance"),
            ("UHostIds", "uhost_ids"),
            ("IPs", "ips"),
            ("ShowAvailableIPs", "show_available_ips"),
            ("NLBs", "nlbs"),
            ("PHostId", "phost_id"),
            ("IPv6Id", "ipv6_id"),
            ("DescribeUEcVHost", "describe_uec_vhost"),
            ("GetUPgSQLParamTemplate", "get_upg_sql_param_template"),
            ("DescribeUK8SCluster", "describe_uk8s_cluster"),
            ("UHostIPSet", "uhost_ip_set"),
            ("IPsecConf", "ipsec_conf"),
            // Unchanged: acronyms before a word, ids, plain words.
            ("IPSet", "ip_set"),
            ("UDBInstance", "udb_instance"),
            ("ProjectId", "project_id"),
            ("TagName", "tag_name"),
        ] {
            assert_eq!(snake(wire), rust, "{wire}");
        }
    }

    /// UHub's own names and the golden fixtures' do not change with the rule: every wire name of
    /// their specs converts as plain case conversion converts it.
    #[test]
    fn the_specs_we_ship_keep_their_rust_names() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let fixtures = std::fs::read_dir(root.join("tests/fixtures")).unwrap().map(|e| e.unwrap().path());
        let mut checked = 0;
        for path in fixtures.chain([root.join("../spec/uhub.json")]) {
            let spec = crate::spec::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let fields = spec.actions.iter().flat_map(|a| a.request.iter().chain(&a.response));
            let fields = fields.chain(spec.models.iter().flat_map(|m| &m.fields));
            let names = fields.map(|f| f.name.as_str()).chain(spec.common.iter().map(|c| c.name.as_str()));
            let names = names.chain(spec.actions.iter().map(|a| a.name.as_str()));
            for name in names {
                assert_eq!(snake(name), name.to_snake_case(), "{name} in {}", path.display());
                checked += 1;
            }
        }
        assert!(checked > 100, "{checked}");
    }

    #[test]
    fn brands_become_camel_case_variants() {
        assert_eq!(type_name("UCloud"), "UCloud");
        assert_eq!(type_name("GenesisAI"), "GenesisAi");
        assert_eq!(variant("2x"), "V2x");
    }
}

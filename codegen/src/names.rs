//! Wire names to Rust names. Every naming decision the generator makes lives here, and so do
//! the names generated code defines itself, which spec names must not take.

use heck::{ToSnakeCase, ToUpperCamelCase};

use crate::spec::{CommonParam, Field};

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

/// The Rust field (and setter) name of a parameter or response field.
///
/// A keyword gets a name that says what it holds: `Type` of enum `RepoType` becomes
/// `repo_type`; a keyword with a scalar type gets a trailing underscore (`type_`).
pub fn field(f: &Field) -> String {
    if let Some(name) = &f.rust_name {
        return name.clone();
    }
    let snake = f.name.to_snake_case();
    if !is_keyword(&snake) {
        return snake;
    }
    match f.ty.base().name() {
        None => format!("{snake}_"),
        Some(named) => {
            let candidate = named.to_snake_case();
            if is_keyword(&candidate) { format!("{snake}_") } else { candidate }
        }
    }
}

/// Files the generator writes besides one per action (`<method>.rs`); also their module names.
pub const FIXED_MODULES: &[&str] = &["mod", "client", "dispatch", "endpoint", "types"];

/// Methods the generated `Call` has besides one setter per parameter. Setters are named after
/// their parameter, so no parameter may take one of these names; per-call options all start
/// with `with_`, so that prefix is reserved as a rule rather than listed.
pub const CALL_METHODS: &[&str] = &["new", "request", "request_mut", "send", "into_paginator", "signed_request"];
/// The prefix of every per-call option (`with_retry_policy`, `with_call_timeout`).
pub const OPTION_PREFIX: &str = "with_";
/// The prefix of the setters that take an `Option` (`set_tag_name`); a parameter whose own name
/// started with it could clash with another parameter's.
pub const SET_PREFIX: &str = "set_";

/// Methods the generated `Client` has besides one per action.
pub const CLIENT_METHODS: &[&str] =
    &["builder", "from_env", "base_url", "project_id", "credentials", "attempt_timeout", "core"];

/// Type names generated code defines or uses unqualified: an enum or model of that name would
/// shadow them and break (or hide) them.
pub const TAKEN_TYPE_NAMES: &[&str] = &[
    "Self",
    "Option",
    "Result",
    "String",
    "Vec",
    "Into",
    "IntoIterator",
    "Endpoint",
    "AnyRequest",
    "Client",
    "ClientBuilder",
    "Call",
];

/// The request struct of an action: `GetRepoRequest`.
pub fn request_type(action: &str) -> String {
    format!("{}Request", type_name(action))
}

/// The response struct of an action: `GetRepoResponse`.
pub fn response_type(action: &str) -> String {
    format!("{}Response", type_name(action))
}

/// The action's variant of `AnyRequest`: `GetRepo`.
pub fn request_variant(action: &str) -> String {
    type_name(action)
}

/// The test that decodes an example: `decodes_example_names_only`.
pub fn example_test(example: &str) -> String {
    format!("decodes_example_{}", example.to_snake_case())
}

/// The test that parses an example's request and encodes it back: `parses_example_names_only_request`.
pub fn example_request_test(example: &str) -> String {
    format!("parses_example_{}_request", example.to_snake_case())
}

/// The setter that takes an `Option` beside the plain one: `tag_name` → `set_tag_name`.
pub fn option_setter(ident: &str) -> String {
    format!("{SET_PREFIX}{ident}")
}

/// The Rust field (and setter) name of a common parameter: `ProjectId` becomes `project_id`.
pub fn common(c: &CommonParam) -> String {
    c.name.to_snake_case()
}

/// Type, variant and builder names: `GetRepo`, `SurferCloud`, `GenesisAi`.
pub fn type_name(s: &str) -> String {
    s.to_upper_camel_case()
}

/// Method and module names: `get_repo_image`.
pub fn method(s: &str) -> String {
    s.to_snake_case()
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
    fn brands_become_camel_case_variants() {
        assert_eq!(type_name("UCloud"), "UCloud");
        assert_eq!(type_name("GenesisAI"), "GenesisAi");
        assert_eq!(variant("2x"), "V2x");
    }
}

//! Page types → spec types.
//!
//! | page | spec |
//! |---|---|
//! | `string` | `string` |
//! | `int`, `integer`, `int32`, `int64` | `int` |
//! | `bool`, `boolean` | `bool` |
//! | `float`, `double`, `number` | `float` |
//! | a model name (`ImageSet`) | the model |
//! | `array[T]` | `array[T]` (not of arrays) |

use crate::spec::TypeRef;

/// Type words pages use for scalars, longest first where one starts another.
pub(super) const SCALAR_WORDS: &[&str] =
    &["string", "integer", "int64", "int32", "int", "boolean", "bool", "float", "double", "number"];

/// Maps a scalar page type; `None` when it is not one.
pub(super) fn scalar(ty: &str) -> Option<&'static str> {
    Some(match ty.trim().to_lowercase().as_str() {
        "string" => "string",
        "int" | "integer" | "int64" | "int32" => "int",
        "bool" | "boolean" => "bool",
        "float" | "double" | "number" => "float",
        _ => return None,
    })
}

/// Maps a page type to a spec type, recording model names in `referenced` (in first-use
/// order) as `resolve` spells them (the name of the page's table a word refers to); `None`
/// when it cannot be mapped. The `array[T]` syntax is the spec's, read by
/// [`TypeRef::parse`]; only the words differ (`integer`, `double`, ...).
pub(super) fn map(ty: &str, referenced: &mut Vec<String>, resolve: &dyn Fn(&str) -> String) -> Option<String> {
    map_words(&TypeRef::parse(ty.trim()), referenced, resolve).map(|t| t.to_string())
}

fn map_words(ty: &TypeRef, referenced: &mut Vec<String>, resolve: &dyn Fn(&str) -> String) -> Option<TypeRef> {
    match ty {
        TypeRef::Array(inner) => match map_words(inner, referenced, resolve)? {
            TypeRef::Array(_) => None,
            item => Some(TypeRef::Array(Box::new(item))),
        },
        TypeRef::Named(word) => {
            if let Some(s) = scalar(word) {
                return Some(TypeRef::parse(s));
            }
            let word = resolve(word.trim());
            if !super::page::is_type_name(&word) {
                return None;
            }
            if !referenced.contains(&word) {
                referenced.push(word.clone());
            }
            Some(TypeRef::Named(word))
        }
        builtin => Some(builtin.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(word: &str) -> String {
        word.to_owned()
    }

    #[test]
    fn every_number_word_is_a_float() {
        for w in ["float", "double", "number", "Float", "DOUBLE"] {
            assert_eq!(map(w, &mut Vec::new(), &same).as_deref(), Some("float"), "{w}");
        }
        assert_eq!(map("array[double]", &mut Vec::new(), &same).as_deref(), Some("array[float]"));
    }

    #[test]
    fn models_are_recorded_once_and_arrays_of_arrays_refused() {
        let mut referenced = Vec::new();
        assert_eq!(map("array[Disk]", &mut referenced, &same).as_deref(), Some("array[Disk]"));
        assert_eq!(map("Disk", &mut referenced, &same).as_deref(), Some("Disk"));
        assert_eq!(referenced, ["Disk"]);
        assert_eq!(map("array[array[int]]", &mut referenced, &same), None);
        assert_eq!(map("map<string,int>", &mut referenced, &same), None);
    }
}

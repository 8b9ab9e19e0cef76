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
/// order); `None` when it cannot be mapped. The `array[T]` syntax is the spec's, read by
/// [`TypeRef::parse`]; only the words differ (`integer`, `double`, ...).
pub(super) fn map(ty: &str, referenced: &mut Vec<String>) -> Option<String> {
    map_words(&TypeRef::parse(ty.trim()), referenced).map(|t| t.to_string())
}

fn map_words(ty: &TypeRef, referenced: &mut Vec<String>) -> Option<TypeRef> {
    match ty {
        TypeRef::Array(inner) => match map_words(inner, referenced)? {
            TypeRef::Array(_) => None,
            item => Some(TypeRef::Array(Box::new(item))),
        },
        TypeRef::Named(word) => {
            if let Some(s) = scalar(word) {
                return Some(TypeRef::parse(s));
            }
            let word = word.trim();
            if !super::page::is_type_name(word) {
                return None;
            }
            if !referenced.iter().any(|r| r == word) {
                referenced.push(word.to_owned());
            }
            Some(TypeRef::Named(word.to_owned()))
        }
        builtin => Some(builtin.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_number_word_is_a_float() {
        for w in ["float", "double", "number", "Float", "DOUBLE"] {
            assert_eq!(map(w, &mut Vec::new()).as_deref(), Some("float"), "{w}");
        }
        assert_eq!(map("array[double]", &mut Vec::new()).as_deref(), Some("array[float]"));
    }

    #[test]
    fn models_are_recorded_once_and_arrays_of_arrays_refused() {
        let mut referenced = Vec::new();
        assert_eq!(map("array[Disk]", &mut referenced).as_deref(), Some("array[Disk]"));
        assert_eq!(map("Disk", &mut referenced).as_deref(), Some("Disk"));
        assert_eq!(referenced, ["Disk"]);
        assert_eq!(map("array[array[int]]", &mut referenced), None);
        assert_eq!(map("map<string,int>", &mut referenced), None);
    }
}

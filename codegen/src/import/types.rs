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

/// Type words pages use for scalars, longest first where one starts another.
pub(super) const SCALAR_WORDS: &[&str] =
    &["string", "integer", "int64", "int32", "int", "boolean", "bool", "float", "double", "number"];

/// Spec types that are not an enum or a model.
pub(super) const BUILTIN: &[&str] = &["string", "int", "bool", "float", "time"];

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
/// order); `None` when it cannot be mapped.
pub(super) fn map(ty: &str, referenced: &mut Vec<String>) -> Option<String> {
    let t = ty.trim();
    if let Some(inner) = t.strip_prefix("array[").and_then(|r| r.strip_suffix(']')) {
        return map(inner, referenced).filter(|i| !i.starts_with("array[")).map(|i| format!("array[{i}]"));
    }
    if let Some(s) = scalar(t) {
        return Some(s.to_owned());
    }
    if super::page::is_type_name(t) {
        if !referenced.iter().any(|r| r == t) {
            referenced.push(t.to_owned());
        }
        return Some(t.to_owned());
    }
    None
}

/// The element type of `array[T]`.
pub(super) fn element(ty: &str) -> Option<&str> {
    ty.strip_prefix("array[").and_then(|t| t.strip_suffix(']'))
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
